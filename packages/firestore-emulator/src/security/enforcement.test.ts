import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deleteApp, initializeApp, type FirebaseApp } from 'firebase/app'
import { connectFirestoreEmulator, doc, getDoc, initializeFirestore, onSnapshot, setDoc, terminate, writeBatch, collection, getDocs, type Firestore } from 'firebase/firestore'
import { startEmulator, type RunningEmulator } from '../server.js'

/**
 * Rules enforced on the request path: through the real client SDK (gRPC), with users from
 * mockUserToken, rules from the control API; getAfter across a batch; denial messages;
 * listen targets removed with PERMISSION_DENIED.
 */

const RULES = `rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    match /rooms/{room} {
      allow get: if request.auth != null && resource.data.members[request.auth.uid] == true;
      allow create: if request.auth != null
        && getAfter(/databases/$(database)/documents/rooms/$(room)/log/first).data.by == request.auth.uid;
      match /log/{entry} {
        allow create: if request.auth != null && request.resource.data.by == request.auth.uid;
      }
    }
    match /open/{id} {
      allow read, write: if true;
    }
  }
}
`

const PROJECT = 'demo-security'
let emulator: RunningEmulator
const apps: FirebaseApp[] = []
const dbs: Firestore[] = []

function client(uid: string | null): Firestore {
  const app = initializeApp({ projectId: PROJECT, apiKey: 'fake' }, `security-${apps.length}`)
  const db = initializeFirestore(app, {})
  connectFirestoreEmulator(db, emulator.host, emulator.port, uid ? { mockUserToken: { sub: uid, user_id: uid } } : {})
  apps.push(app)
  dbs.push(db)
  return db
}

async function putRules(body: object): Promise<Response> {
  return fetch(`http://${emulator.host}:${emulator.port}/emulator/v1/projects/${PROJECT}:securityRules`, { method: 'PUT', body: JSON.stringify(body) })
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
    return 'ok'
  } catch (error) {
    return `${(error as { code: string }).code}: ${(error as Error).message}`
  }
}

beforeAll(async () => {
  emulator = await startEmulator()
  const loaded = await putRules({ rules: { files: [{ name: 'firestore.rules', content: RULES }] } })
  expect(loaded.status).toBe(200)
})

afterAll(async () => {
  await Promise.all(dbs.map((db) => terminate(db)))
  await Promise.all(apps.map((app) => deleteApp(app)))
  await emulator.stop()
})

describe('rules on the request path', () => {
  it('lets getAfter see the rest of the batch, and refuses the same write alone', async () => {
    const alice = client('alice')
    const batch = writeBatch(alice)
    batch.set(doc(alice, 'rooms/r1/log/first'), { by: 'alice' })
    batch.set(doc(alice, 'rooms/r1'), { members: { alice: true } })
    expect(await codeOf(batch.commit())).toBe('ok')
    expect(await codeOf(setDoc(doc(alice, 'rooms/r2'), { members: { alice: true } }))).toMatch(/^permission-denied: .*for 'create' @ L\d+/)
  })

  it('denies a get with a production-style message naming the method and line', async () => {
    const bob = client('bob')
    const message = await codeOf(getDoc(doc(bob, 'rooms/r1')))
    expect(message).toMatch(/^permission-denied: Property bob is undefined on object\. for 'get' @ L5$/)
    expect(await codeOf(getDoc(doc(client('alice'), 'rooms/r1')))).toBe('ok')
  })

  it('treats a signed-out client as request.auth == null', async () => {
    const nobody = client(null)
    expect(await codeOf(getDoc(doc(nobody, 'rooms/r1')))).toMatch(/^permission-denied/)
    expect(await codeOf(setDoc(doc(nobody, 'open/x'), { a: 1 }))).toBe('ok')
  })

  it('denies a list with no matching allow statement', async () => {
    expect(await codeOf(getDocs(collection(client('alice'), 'rooms')))).toMatch(/^permission-denied: .*No matching allow statements/)
  })

  it('ends a listener the rules refuse with permission-denied', async () => {
    const bob = client('bob')
    const error = await new Promise<string>((resolve) => {
      onSnapshot(doc(bob, 'rooms/r1'), () => resolve('snapshot'), (failure) => resolve(failure.code))
    })
    expect(error).toBe('permission-denied')
  })

  it('lets the administrator (Bearer owner) past the rules', async () => {
    const response = await fetch(`http://${emulator.host}:${emulator.port}/v1/projects/${PROJECT}/databases/(default)/documents/rooms/r1`, { headers: { authorization: 'Bearer owner' } })
    expect(response.status).toBe(200)
    expect(await codeOf(getDoc(doc(client(null), 'rooms/r1')))).toMatch(/^permission-denied/)
  })
})

describe('loading rules through the control API', () => {
  const broken = `rules_version = '2';\nservice cloud.firestore {\n  match /databases/{db}/documents {\n    allow read: if nosuch();\n  }\n}\n`

  it('answers a ruleset that does not load with 400 and issues naming line and column', async () => {
    const response = await putRules({ rules: { files: [{ name: 'firestore.rules', content: broken }] } })
    expect(response.status).toBe(400)
    const body = (await response.json()) as { issues: { sourcePosition: { line: number; column: number }; severity: string; description: string }[] }
    expect(body.issues[0]).toMatchObject({ sourcePosition: { line: 4, column: expect.any(Number) }, severity: 'ERROR' })
    expect(body.issues[0]!.description).toContain('nosuch')
  })

  it('answers with 200 and the issues when asked to ignore errors (firebase-tools hot reload), keeping the old rules', async () => {
    const response = await putRules({ ignore_errors: true, rules: { files: [{ name: 'security.rules', content: broken }] } })
    expect(response.status).toBe(200)
    const body = (await response.json()) as { issues: unknown[] }
    expect(body.issues).toHaveLength(1)
    expect(await codeOf(getDoc(doc(client('alice'), 'rooms/r1')))).toBe('ok')
  })
})
