import { spawnSync } from 'node:child_process'
import { startOfficialEmulator } from './official-emulator.js'

/**
 * `npm run test:official`: runs the emulator test suites against Google's official
 * Firestore emulator (where one is installed) instead of ours.
 */
const official = await startOfficialEmulator()
if (!official) {
  console.error('No official Firestore emulator found (set FIRESTORE_EMULATOR_JAR to its JAR; it needs Java).')
  process.exit(1)
}
console.log(`Official Firestore emulator from ${official.jar} on ${official.host}:${official.port}`)
const args = ['vitest', 'run', '--project', 'emulator', ...process.argv.slice(2)]
const result = spawnSync('npx', args, { stdio: 'inherit', env: { ...process.env, FIRESTORE_EMULATOR_HOST: `${official.host}:${official.port}` } })
await official.stop()
process.exit(result.status ?? 1)
