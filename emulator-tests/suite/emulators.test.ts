import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { deleteApp, initializeApp, type App } from 'firebase-admin/app'
import { getFirestore, type Firestore } from 'firebase-admin/firestore'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FIREBASE } from '../../scripts/emulator-suite/env.js'
import { eventually, isAlive, startAndWait, type Started } from './support.js'

/**
 * firebase-tools' Emulator Suite with our Firestore emulator in the official one's place
 * (fixture/firebase.json: Auth, Functions with a test codebase, Firestore; ports of its own).
 */
const FIXTURE = fileURLToPath(new URL('./fixture', import.meta.url))
const RULES = join(FIXTURE, 'firestore.rules')
const PROJECT = 'demo-quire-suite'
const FIRESTORE = '127.0.0.1:8190'

const rules = (publicRead: boolean) => `rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    match /public/{id} { allow read: if ${publicRead}; }
  }
}
`

let suite: Started
let app: App
let db: Firestore

beforeAll(async () => {
  writeFileSync(RULES, rules(true))
  suite = await startAndWait(FIREBASE, ['emulators:start', '--config', 'firebase.json', '--project', PROJECT, '--only', 'auth,functions,firestore'], {
    cwd: FIXTURE,
    ready: 'All emulators ready',
    timeoutMs: 90_000,
  })
  process.env['FIRESTORE_EMULATOR_HOST'] = FIRESTORE
  process.env['METADATA_SERVER_DETECTION'] = 'none' // no probe for Google credentials
  app = initializeApp({ projectId: PROJECT }, 'suite')
  db = getFirestore(app)
}, 100_000)

afterAll(async () => {
  if (app) await deleteApp(app)
  if (!suite) return
  const children = [...suite.descendants()]
  expect(await suite.stop()).toBe(0)
  await eventually(async () => (children.some(isAlive) ? undefined : true), 10_000, 'every emulator process to end')
}, 60_000)

describe('the Emulator Suite with our Firestore emulator', () => {
  it('lists our emulator in the hub, started through the java shim', async () => {
    const hub = (await (await fetch('http://127.0.0.1:4410/emulators')).json()) as Record<string, { host: string; port: number }>
    expect(hub['firestore']).toMatchObject({ host: '127.0.0.1', port: 8190 })
    expect(await (await fetch(`http://${FIRESTORE}/`)).text()).toBe('Ok')
    expect(suite.output()).toContain('firestore function initialized')
    const triggers = (await (await fetch(`http://${FIRESTORE}/emulator/v1/projects/${PROJECT}/triggers`)).json()) as { triggers: { key: string }[] }
    expect(triggers.triggers.map((t) => t.key).sort()).toEqual([expect.stringMatching(/echoV1/), expect.stringMatching(/echoV2/)])
  })

  it('runs a v2 trigger (protobuf CloudEvent) on writes through the Admin SDK', async () => {
    await db.doc('inbox/a').set({ n: 1, text: 'hello' })
    const created = await eventually(async () => (await db.doc('outbox/a').get()).data(), 30_000, 'outbox/a')
    expect(created).toEqual({ before: null, after: { n: 1, text: 'hello' }, type: 'google.cloud.firestore.document.v1.written', document: 'inbox/a' })
    await db.doc('inbox/a').update({ n: 2 })
    const updated = await eventually(async () => {
      const data = (await db.doc('outbox/a').get()).data()
      return data?.['after']?.n === 2 ? data : undefined
    }, 30_000, 'outbox/a after the update')
    expect(updated['before']).toEqual({ n: 1, text: 'hello' })
  }, 70_000)

  it('runs a v1 trigger (JSON event)', async () => {
    await db.doc('v1inbox/b').set({ ok: true })
    const echoed = await eventually(async () => (await db.doc('v1outbox/b').get()).data(), 30_000, 'v1outbox/b')
    expect(echoed).toEqual({ after: { ok: true }, eventType: 'google.firestore.document.create' })
  }, 40_000)

  it('hot-reloads edited rules (firebase-tools watches the file)', async () => {
    const read = () => fetch(`http://${FIRESTORE}/v1/projects/${PROJECT}/databases/(default)/documents/public/x`)
    expect((await read()).status).toBe(404) // allowed, and missing
    writeFileSync(RULES, rules(false))
    await eventually(async () => ((await read()).status === 403 ? true : undefined), 20_000, 'the edited rules to deny the read')
  }, 30_000)
})
