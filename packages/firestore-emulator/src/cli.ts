import { parseArgs } from 'node:util'
import { readFileSync } from 'node:fs'
import { RulesetError } from './rules/index.js'
import { startEmulator, type RunningEmulator } from './server.js'

/**
 * The `firestore-emulator` command. It takes the official emulator's flag names, so it
 * can stand in for it (firebase-tools launches it so, see scripts/emulator-suite/): --host,
 * --port, --project_id, --rules, --functions_emulator. Flags the official emulator has that
 * this one ignores are accepted with a note on stderr.
 */

/** The official emulator's flags that change nothing here, and why. */
const IGNORED_FLAGS: Record<string, string> = {
  websocket_port: 'the Emulator UI is not supported',
  webchannel_port: 'WebChannel is served on --port',
  single_project_mode: 'every project is served; --project_id is the default one',
  single_project_mode_error: 'every project is served',
  seed_from_export: 'imports are not supported; starting empty',
  'import-data': 'imports are not supported; starting empty',
  'export-on-exit': 'exports are not supported',
  'database-edition': 'one edition only',
  'database-mode': 'Firestore native mode only',
}

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '8080' },
    project_id: { type: 'string', default: 'demo-quire' },
    rules: { type: 'string' },
    functions_emulator: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
    ...Object.fromEntries(Object.keys(IGNORED_FLAGS).map((flag) => [flag, { type: 'string' as const }])),
  },
  strict: false,
  allowPositionals: true,
})

for (const [flag, why] of Object.entries(IGNORED_FLAGS)) {
  if (flag in values) console.error(`firestore-emulator: ignoring --${flag} (${why}).`)
}

if (values.help) {
  console.log('Usage: firestore-emulator [--host 127.0.0.1] [--port 8080] [--project_id demo-quire] [--rules firestore.rules] [--functions_emulator host:port]')
  process.exit(0)
}

const port = Number(values.port)
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`firestore-emulator: --port must be a port number, got "${String(values.port)}".`)
  process.exit(2)
}

const rulesPath = typeof values.rules === 'string' ? values.rules : undefined
let emulator: RunningEmulator
try {
  const rules = rulesPath === undefined ? undefined : readFileSync(rulesPath, 'utf8')
  const functionsEmulator = typeof values.functions_emulator === 'string' ? values.functions_emulator : undefined
  emulator = await startEmulator({
    host: String(values.host),
    port,
    projectId: String(values.project_id),
    ...(rules === undefined ? {} : { rules }),
    ...(functionsEmulator === undefined ? {} : { functionsEmulator }),
  })
} catch (error) {
  if (error instanceof RulesetError) {
    for (const issue of error.issues) console.error(`${rulesPath}:${issue.line}:${issue.column} - ${issue.severity} ${issue.message}`)
    console.error('firestore-emulator: the security rules did not load; not starting.')
    process.exit(1)
  }
  throw error
}

let stopping = false
const shutdown = (signal: string) => {
  if (stopping) return
  stopping = true
  emulator.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(`firestore-emulator: error while stopping on ${signal}:`, error)
      process.exit(1)
    },
  )
}
process.on('SIGINT', () => shutdown('SIGINT'))
process.on('SIGTERM', () => shutdown('SIGTERM'))
// Only now: whoever waits for this line may signal at once.
console.log(`Firestore emulator (Quire) ready on ${emulator.host}:${emulator.port} (gRPC and HTTP), project ${emulator.projectId}.`)
