import { spawn, spawnSync } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { join } from 'node:path'
import { FIREBASE, PROJECT_ID, REPO, suiteEnv } from './env.js'

/**
 * `npm start`: builds what the emulators load (the functions bundle, the web app into
 * web/dist), then runs `firebase emulators:start` (Auth, Functions, Firestore — ours, through the
 * java shim — and Hosting) and prints one line with the URL once every emulator is ready.
 * firebase-tools' own output goes to firebase-emulators.log (printed if it fails to start);
 * `--verbose` shows it here instead. Ctrl-C stops everything.
 */
const verbose = process.argv.includes('--verbose')
const started = Date.now()
const LOG = join(REPO, 'firebase-emulators.log')
const HOSTING_URL = 'http://127.0.0.1:5000'

const functionsBuild = spawnSync('npm', ['run', '--silent', 'build', '-w', 'functions'], { cwd: REPO, stdio: 'inherit' })
if (functionsBuild.status !== 0) {
  console.error('npm start: building functions/ failed (see above).')
  process.exit(1)
}
const webBuild = spawnSync('npm', ['run', '--silent', 'build', '-w', 'web'], { cwd: REPO, env: { ...process.env, NODE_ENV: 'production' }, stdio: verbose ? 'inherit' : ['ignore', 'ignore', 'inherit'] })
if (webBuild.status !== 0) {
  console.error('npm start: building web/ failed (see above).')
  process.exit(1)
}

const log = createWriteStream(LOG)
const firebase = spawn(FIREBASE, ['emulators:start', '--project', PROJECT_ID], { cwd: REPO, env: suiteEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
let output = ''
let ready = false
const onOutput = (chunk: Buffer) => {
  log.write(chunk)
  if (verbose) process.stdout.write(chunk)
  if (ready) return
  output += chunk.toString()
  if (output.includes('All emulators ready')) {
    ready = true
    const seconds = ((Date.now() - started) / 1000).toFixed(1)
    console.log(`Quire is running at ${HOSTING_URL} (emulators ready in ${seconds} s; logs in firebase-emulators.log; Ctrl-C stops it)`)
  }
}
firebase.stdout.on('data', onOutput)
firebase.stderr.on('data', onOutput)

// Ctrl-C in a terminal reaches firebase-tools too (same process group); a signal sent to this
// process alone is passed on. firebase-tools then stops the emulators it started.
let stopping = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (!stopping) firebase.kill(signal)
    stopping = true
  })
}

firebase.on('exit', (code, signal) => {
  log.end()
  if (!ready && !stopping) {
    console.error(`npm start: firebase emulators:start exited (${signal ?? code}) before the emulators were ready. Its output:\n${output.slice(-4000)}`)
    process.exit(1)
  }
  process.exit(stopping ? 0 : (code ?? 1))
})
