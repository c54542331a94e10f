import { afterAll, describe, expect, it } from 'vitest'
import { deleteApp, initializeApp } from 'firebase/app'
import {
  connectFirestoreEmulator,
  disableNetwork,
  enableNetwork,
  initializeFirestore,
  memoryLocalCache,
  memoryLruGarbageCollector,
  terminate,
  type Firestore,
} from 'firebase/firestore'
import * as Y from 'yjs'
import { Clients, emulatorAddress, uniqueProjectId } from '../support/clients.js'
import { converged, contains, occurrences, openPeer, readLog, serverDoc, sleep, until, type Peer } from './helpers.js'

const clients = new Clients(uniqueProjectId())
const cleanups: (() => Promise<void>)[] = []
afterAll(async () => {
  await Promise.all(cleanups.map((cleanup) => cleanup()))
  await clients.close()
})

/**
 * A web client whose cache keeps documents after their listeners go (LRU garbage
 * collection), like the browser's persistent cache: a new listener answers from the cache
 * at once, before the server does.
 */
function cachingClient(): Firestore {
  const app = initializeApp({ projectId: clients.projectId, apiKey: 'fake-api-key' }, `caching-${cleanups.length}`)
  const firestore = initializeFirestore(app, { localCache: memoryLocalCache({ garbageCollector: memoryLruGarbageCollector() }) })
  const { host, port } = emulatorAddress()
  connectFirestoreEmulator(firestore, host, port)
  cleanups.push(async () => {
    await terminate(firestore)
    await deleteApp(app)
  })
  return firestore
}

const BASE = 'The quick brown fox jumps over the lazy dog.'

/** Two peers on their own clients, synced on BASE written by the first. */
async function twoPeersSharing(docId: string): Promise<[Peer, Peer]> {
  const a = openPeer(clients, docId, { flushDelayMs: 20 })
  const b = openPeer(clients, docId, { flushDelayMs: 20 })
  await Promise.all([a.provider.whenSynced, b.provider.whenSynced])
  a.text.insert(0, BASE)
  await a.provider.flush()
  await converged([a, b])
  return [a, b]
}

describe('offline editing', () => {
  it('two clients edit the same region offline, then merge without loss or duplication', async () => {
    const docId = 'offline-merge'
    const [a, b] = await twoPeersSharing(docId)

    await Promise.all([disableNetwork(a.firestore), disableNetwork(b.firestore)])
    await until(() => a.provider.status === 'offline' && b.provider.status === 'offline', 'both offline')
    a.statuses.length = 0
    b.statuses.length = 0

    // Both rewrite "quick brown": A replaces "quick", B replaces "brown" and both insert
    // markers right there, several flushes apart so several writes queue up offline.
    a.text.delete(BASE.indexOf('quick'), 'quick'.length)
    a.text.insert(BASE.indexOf('quick'), '<A1>')
    b.text.delete(BASE.indexOf('brown'), 'brown'.length)
    b.text.insert(BASE.indexOf('brown'), '<B1>')
    await sleep(50)
    a.text.insert(a.text.toString().indexOf('<A1>') + 4, '<A2>')
    b.text.insert(b.text.toString().indexOf('<B1>'), '<B2>')
    await sleep(50)
    expect(a.provider.status).toBe('offline')
    expect(a.provider.unsavedBytes).toBeGreaterThan(0)
    expect(b.provider.unsavedBytes).toBeGreaterThan(0)

    // What a correct merge gives: both offline states merged in memory, no Firestore involved.
    const expected = new Y.Doc()
    Y.applyUpdate(expected, Y.encodeStateAsUpdate(a.doc))
    Y.applyUpdate(expected, Y.encodeStateAsUpdate(b.doc))
    const expectedText = expected.getText('content').toString()

    await Promise.all([enableNetwork(a.firestore), enableNetwork(b.firestore)])
    const text = await converged([a, b])

    expect(text).toBe(expectedText)
    for (const marker of ['<A1>', '<A2>', '<B1>', '<B2>', 'The ', ' fox jumps over the lazy dog.']) expect(occurrences(text, marker)).toBe(1)
    expect(text).not.toContain('quick')
    expect(text).not.toContain('brown')
    for (const peer of [a, b]) {
      expect(peer.statuses).toEqual(['syncing', 'synced'])
      expect(peer.provider.unsavedBytes).toBe(0)
      expect(peer.errors).toEqual([])
    }
    expect((await serverDoc(clients.admin(), docId)).getText('content').toString()).toBe(text)
    a.provider.destroy()
    b.provider.destroy()
  })

  it('a reopened document uploads what the server never saw (queued writes lost with the closed client)', async () => {
    const docId = 'offline-reopen'
    const admin = clients.admin()
    const [a, b] = await twoPeersSharing(docId)

    await disableNetwork(a.firestore)
    await until(() => a.provider.status === 'offline', 'A offline')
    a.text.insert(BASE.length, ' <offline-1>')
    await sleep(60) // one flush goes into the SDK's write queue
    a.text.delete(0, 'The '.length)
    a.text.insert(0, '<offline-2> ')
    // Closing the tab: the provider goes, and the SDK's write queue with it (no persistence).
    a.provider.destroy()
    await terminate(a.firestore)

    const logBefore = await readLog(admin, docId)
    const serverVector = Y.decodeStateVector(Y.encodeStateVector(await serverDoc(admin, docId)))
    expect(serverVector.get(a.doc.clientID)).toBe(BASE.length)

    // The Y.Doc survived (as y-indexeddb keeps it); a new provider on a new client opens it.
    const reopened = openPeer(clients, docId, { doc: a.doc, flushDelayMs: 20 })
    await reopened.provider.whenSynced
    await reopened.provider.flush()
    const text = await converged([reopened, b])
    expect(text).toBe(`<offline-2> quick brown fox jumps over the lazy dog. <offline-1>`)

    // Exactly one new record, holding only what the server lacked: A's structs after what
    // the server had (no re-upload of the shared base text).
    const logAfter = await readLog(admin, docId)
    expect(logAfter.length).toBe(logBefore.length + 1)
    const added = logAfter.find((entry) => !logBefore.some((old) => old.id === entry.id))!
    const update = new Uint8Array(added.data.update as Uint8Array)
    for (const struct of Y.decodeUpdate(update).structs) {
      expect(struct.id.client).toBe(a.doc.clientID)
      expect(struct.id.clock).toBeGreaterThanOrEqual(BASE.length)
    }
    const server = await serverDoc(admin, docId)
    expect(server.getText('content').toString()).toBe(text)
    expect(contains(server, a.doc)).toBe(true)
    expect(reopened.errors).toEqual([])
    expect(reopened.statuses.at(-1)).toBe('synced')
    reopened.provider.destroy()
    b.provider.destroy()
  })

  it('edits a closing page could not store anywhere else are kept in localStorage and saved by the next page', async () => {
    const docId = 'offline-pagehide'
    const [a, b] = await twoPeersSharing(docId)
    // A browser tab, as far as the provider uses one: localStorage and the pagehide event.
    const storage = new Map<string, string>()
    const page = new EventTarget()
    Object.assign(globalThis, {
      localStorage: { getItem: (key: string) => storage.get(key) ?? null, setItem: (key: string, value: string) => void storage.set(key, value), removeItem: (key: string) => void storage.delete(key) },
      addEventListener: page.addEventListener.bind(page),
      removeEventListener: page.removeEventListener.bind(page),
    })
    cleanups.push(async () => {
      for (const name of ['localStorage', 'addEventListener', 'removeEventListener']) Reflect.deleteProperty(globalThis, name)
    })
    const author = `user-${a.doc.clientID}`
    const pageA = openPeer(clients, docId, { author, firestore: a.firestore, flushDelayMs: 20 })
    a.provider.destroy()
    await pageA.provider.whenSynced
    await converged([pageA, b])

    await disableNetwork(a.firestore)
    await until(() => pageA.provider.status === 'offline', 'the page offline')
    pageA.text.insert(BASE.length, ' <kept by the page>')
    // The page goes (a reload): neither the SDK's queue nor y-indexeddb got to keep the edit.
    page.dispatchEvent(new Event('pagehide'))
    expect([...storage.keys()]).toEqual([`y-firestore:unsaved:${author}:${docId}`])
    await terminate(a.firestore)

    // The next page: a new client and an empty Y.Doc, for the same user.
    const next = openPeer(clients, docId, { author, flushDelayMs: 20 })
    await next.provider.whenSynced
    await next.provider.flush()
    expect(await converged([next, b])).toBe(`${BASE} <kept by the page>`)
    expect(storage.size).toBe(0)
    expect(next.errors).toEqual([])

    // A page that goes with everything saved leaves nothing behind.
    page.dispatchEvent(new Event('pagehide'))
    expect(storage.size).toBe(0)
    next.provider.destroy()
    b.provider.destroy()
  })

  it('a provider reopened on the same client does not upload again what that client still has queued', async () => {
    const docId = 'offline-same-client'
    const admin = clients.admin()
    const [a, b] = await twoPeersSharing(docId)

    await disableNetwork(a.firestore)
    await until(() => a.provider.status === 'offline', 'A offline')
    a.text.insert(0, '<queued> ')
    await sleep(60) // written to the SDK's queue, which outlives the provider
    a.provider.destroy()
    const logBefore = await readLog(admin, docId)

    // Same client (as after navigating back to the document in a single-page app).
    const again = openPeer(clients, docId, { doc: a.doc, firestore: a.firestore, flushDelayMs: 20 })
    await sleep(50)
    await enableNetwork(a.firestore)
    await again.provider.whenSynced
    const text = await converged([again, b])
    expect(text).toBe(`<queued> ${BASE}`)
    // Only the queued write landed: the reconnect did not write its content a second time.
    expect(await readLog(admin, docId)).toHaveLength(logBefore.length + 1)
    expect(again.errors).toEqual([])
    again.provider.destroy()
    b.provider.destroy()
  })

  it('a provider opened offline says so, keeps local edits, and loads and merges once connected', async () => {
    const docId = 'offline-open'
    const b = openPeer(clients, docId, { flushDelayMs: 20 })
    await b.provider.whenSynced
    b.text.insert(0, 'from the server')
    await b.provider.flush()

    const firestore = clients.web()
    await disableNetwork(firestore)
    const c = openPeer(clients, docId, { firestore, flushDelayMs: 20 })
    await until(() => c.provider.status === 'offline', 'C offline')
    let synced = false
    void c.provider.whenSynced.then(() => (synced = true))
    c.text.insert(0, '[local] ')
    await sleep(200)
    expect(synced).toBe(false)
    expect(c.provider.unsavedBytes).toBeGreaterThan(0)

    await enableNetwork(firestore)
    await c.provider.whenSynced
    const text = await converged([b, c])
    expect(occurrences(text, '[local] ')).toBe(1)
    expect(occurrences(text, 'from the server')).toBe(1)
    expect(text.length).toBe('[local] from the server'.length)
    expect(c.statuses).toEqual(['offline', 'syncing', 'synced'])
    expect(c.errors).toEqual([])
    b.provider.destroy()
    c.provider.destroy()
  })

  it('opening a document the client has cached, while online, goes from connecting to synced, never offline', async () => {
    const docId = 'cached-open'
    const firestore = cachingClient()
    const first = openPeer(clients, docId, { firestore, flushDelayMs: 20 })
    await first.provider.whenSynced
    first.text.insert(0, 'cached text')
    await first.provider.flush()
    first.provider.destroy()

    const again = openPeer(clients, docId, { firestore, flushDelayMs: 20 })
    await again.provider.whenSynced
    expect(again.text.toString()).toBe('cached text')
    expect(again.statuses).toEqual(['synced'])
    again.provider.destroy()
  })
})
