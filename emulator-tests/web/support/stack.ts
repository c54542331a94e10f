import { spawnSync } from 'node:child_process'
import { copyFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { FIREBASE, REPO } from '../../../scripts/emulator-suite/env.js'
import { startAndWait, type Started } from '../../suite/support.js'

/**
 * The whole stack for the web tests: the web app built against fixture/firebase.json's ports
 * (vite.config.ts reads them) into fixture/public, and firebase-tools' Emulator Suite with
 * Auth, our real functions, our Firestore emulator with the project's rules, and Hosting
 * serving the build. Ports of its own, so `npm start` and the other suites can run meanwhile.
 */
export const FIXTURE = fileURLToPath(new URL('../fixture', import.meta.url))
const CONFIG = `${FIXTURE}/firebase.json`
const PUBLIC = `${FIXTURE}/public`

/** The project the app uses on the emulators (web/src/config.ts). */
export const PROJECT_ID = 'demo-quire'

/** Where the stack serves, from fixture/firebase.json. */
export const STACK = { app: 'http://127.0.0.1:5200', firestore: '127.0.0.1:8290', auth: '127.0.0.1:9299', hub: 'http://127.0.0.1:4420' } as const

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): void {
  const result = spawnSync(command, args, { cwd: REPO, env, encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`)
}

/** Builds the functions bundle and the web app for the fixture, then starts the emulators. */
export async function startStack(): Promise<Started> {
  // firebase-tools loads rules only from inside the config's directory: a copy of the project's.
  copyFileSync(`${REPO}/firestore.rules`, `${FIXTURE}/firestore.rules`)
  run('npm', ['run', '--silent', 'build', '-w', 'functions'])
  // NODE_ENV: vitest sets it to 'test', which would make Vite build something other than production.
  run('npm', ['run', '--silent', 'build', '-w', 'web'], { ...process.env, NODE_ENV: 'production', QUIRE_FIREBASE_JSON: CONFIG, QUIRE_WEB_OUT_DIR: PUBLIC })
  return startAndWait(FIREBASE, ['emulators:start', '--config', CONFIG, '--project', PROJECT_ID, '--only', 'auth,functions,firestore,hosting'], {
    cwd: FIXTURE,
    ready: 'All emulators ready',
    timeoutMs: 90_000,
  })
}
