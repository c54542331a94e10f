import { execFile } from 'node:child_process'
import { copyFileSync } from 'node:fs'
import type { Server } from 'node:http'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { deleteApp, initializeApp, type App } from 'firebase-admin/app'
import { getFirestore, type Firestore } from 'firebase-admin/firestore'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FIREBASE, REPO, suiteEnv } from '../../scripts/emulator-suite/env.js'
import { bundleHarness, CHROMIUM, CHROMIUM_ARGS, servePage } from '../browser/support/browser.js'
import type { EditorPage, StartOptions } from './page/editor.js'
import { eventually, isAlive, startAndWait, type Started } from './support.js'

/**
 * Compaction end to end, as in production: a browser edits through FirestoreProvider (the browser
 * build of the web SDK, signed in on the Auth emulator, under the real firestore.rules), and the
 * Functions emulator runs the real functions/ codebase, whose compactOnUpdate trigger folds the log
 * into a snapshot once it holds COMPACT_MIN_UPDATES updates (set low here, through the environment
 * firebase-tools passes to the functions). Ports of its own (fixture-compaction/firebase.json).
 */
const FIXTURE = fileURLToPath(new URL('./fixture-compaction', import.meta.url))
const EDITOR_ENTRY = fileURLToPath(new URL('./page/editor.ts', import.meta.url))
const PROJECT = 'demo-quire-compaction'
const FIRESTORE = { host: '127.0.0.1', port: 8390 }
const AUTH_URL = 'http://127.0.0.1:9399'
/** The trigger compacts once the log holds this many updates... */
const MIN_UPDATES = 10
/**
 * ...and the page writes this many, one per flush: past the threshold, but under twice it, so one
 * compaction happens. Each update's trigger runs at once, and the Functions emulator starts a worker
 * process for each concurrent run (seconds each on 2 cores), so more edits only make the test slower.
 */
const EDITS = 12
/** How long one call into the page may take. */
const CALL_TIMEOUT_MS = 20_000

let suite: Started | undefined
let browser: Browser | undefined
let server: Server | undefined
let url: string
let admin: App | undefined
let db: Firestore
const pages: Page[] = []

/** Calls a method of the page's EditorPage; fails after CALL_TIMEOUT_MS. */
async function call<M extends keyof EditorPage>(page: Page, method: M, ...args: Parameters<EditorPage[M]>): Promise<Awaited<ReturnType<EditorPage[M]>>> {
  const run = page.evaluate(
    ({ method, args }) => (globalThis as unknown as { harness: Record<string, (...a: unknown[]) => unknown> }).harness[method]!(...args),
    { method, args: args as unknown[] },
  ) as Promise<Awaited<ReturnType<EditorPage[M]>>>
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`page.${method} did not settle within ${CALL_TIMEOUT_MS} ms`)), CALL_TIMEOUT_MS)
  })
  try {
    return await Promise.race([run, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** A page of its own (a fresh browser context: no shared connections or storage), signed in. */
async function openPage(options: Omit<StartOptions, 'projectId' | 'firestore' | 'authUrl'>): Promise<{ page: Page; uid: string }> {
  const context = await browser!.newContext()
  const page = await context.newPage()
  pages.push(page)
  await page.goto(url, { timeout: 15_000 })
  await page.waitForFunction(() => 'harness' in globalThis, undefined, { timeout: 15_000 })
  const uid = await call(page, 'start', { ...options, projectId: PROJECT, firestore: FIRESTORE, authUrl: AUTH_URL })
  return { page, uid }
}

beforeAll(async () => {
  // The Functions emulator loads functions/lib/index.js as it is: build it from the current source.
  await promisify(execFile)('node', ['functions/build.mjs'], { cwd: REPO, timeout: 60_000 })
  // firebase-tools takes rules only from inside the project directory: a copy of the real ones.
  copyFileSync(join(REPO, 'firestore.rules'), join(FIXTURE, 'firestore.rules'))
  const [started, launched, script] = await Promise.all([
    startAndWait(FIREBASE, ['emulators:start', '--config', 'firebase.json', '--project', PROJECT, '--only', 'auth,functions,firestore'], {
      cwd: FIXTURE,
      // firebase-tools hands its own environment to the functions it runs.
      env: { ...suiteEnv(), COMPACT_MIN_UPDATES: String(MIN_UPDATES) },
      ready: 'All emulators ready',
      timeoutMs: 90_000,
    }),
    chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, timeout: 30_000 }),
    bundleHarness(EDITOR_ENTRY),
  ])
  suite = started
  browser = launched
  ;({ server, url } = await servePage(script))
  process.env['FIRESTORE_EMULATOR_HOST'] = `${FIRESTORE.host}:${FIRESTORE.port}`
  process.env['METADATA_SERVER_DETECTION'] = 'none' // no probe for Google credentials
  admin = initializeApp({ projectId: PROJECT }, 'compaction-suite')
  db = getFirestore(admin)
}, 110_000)

afterAll(async () => {
  for (const page of pages) await call(page, 'close').catch(() => undefined)
  await browser?.close()
  if (server) await new Promise<void>((resolve) => server!.close(() => resolve()))
  if (admin) await deleteApp(admin)
  if (!suite) return
  const children = [...suite.descendants()]
  expect(await suite.stop()).toBe(0)
  await eventually(async () => (children.some(isAlive) ? undefined : true), 10_000, 'every emulator process to end')
}, 60_000)

describe('compaction through the Functions emulator, from a browser editor', () => {
  it('compacts the log a browser wrote once it passes the threshold, and a fresh client opens the compacted document', async () => {
    expect(suite!.output()).toMatch(/compactOnUpdate.*firestore function initialized/)
    const docId = `doc-${Date.now().toString(36)}`
    const { page: writer, uid } = await openPage({ email: 'owner@example.com', password: 'secret-password', newUser: true })
    await call(writer, 'createDocument', docId, 'Compacted')
    await call(writer, 'open', docId)

    const lines = Array.from({ length: EDITS }, (_, i) => `line ${i}\n`)
    for (const line of lines) await call(writer, 'append', line)
    let expected = lines.join('')
    expect(await call(writer, 'text')).toBe(expected)

    // The pointer appears when the trigger's compaction commits; the same transaction deleted the
    // updates it absorbed, at least MIN_UPDATES of them (it only runs once the log holds that many).
    const pointer = await eventually(async () => {
      const value = (await db.doc(`documents/${docId}`).get()).get('snapshot') as { gen: string; chunks: number } | null | undefined
      return value ?? undefined
    }, 60_000, `documents/${docId}.snapshot`)
    expect(pointer).toMatchObject({ gen: expect.any(String), chunks: expect.any(Number) })
    expect((await db.doc(`documents/${docId}/snapshots/${pointer.gen}`).get()).exists).toBe(true)
    const remaining = await db.collection(`documents/${docId}/updates`).get()
    expect(remaining.size).toBeLessThanOrEqual(EDITS - MIN_UPDATES)
    // The function's own log line (it logs once compactDocument returns, after the pointer moved).
    const ran = new RegExp(`"compacted":true[^\\n]*"message":"compaction of ${docId}"`)
    await eventually(async () => (ran.test(suite!.output()) ? true : undefined), 15_000, 'compactOnUpdate to log its compaction')

    // The writer's provider saw the pointer move and its text is unchanged. It writes on, below the
    // threshold: those updates stay in the log, after the snapshot.
    expect(await call(writer, 'text')).toBe(expected)
    const tail = ['after 1\n', 'after 2\n']
    for (const line of tail) await call(writer, 'append', line)
    const log = await db.collection(`documents/${docId}/updates`).get()
    expect(log.size).toBe(remaining.size + tail.length)
    expect(log.docs.every((d) => d.get('author') === uid)).toBe(true)
    expected += tail.join('')

    // A fresh client (another browser context, same user) loads the snapshot plus the log.
    const { page: reader } = await openPage({ email: 'owner@example.com', password: 'secret-password', newUser: false })
    await call(reader, 'open', docId)
    expect(await call(reader, 'text')).toBe(expected)
    expect(await call(writer, 'errors')).toEqual([])
    expect(await call(reader, 'errors')).toEqual([])
  }, 110_000)
})
