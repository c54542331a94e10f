import { afterAll, describe, expect, it } from 'vitest'
import { terminate } from 'firebase/firestore'
import { Awareness } from 'y-protocols/awareness'
import * as Y from 'yjs'
import { paths } from '@quire/y-firestore'
import { Clients, uniqueProjectId } from '../support/clients.js'
import { openPeer, sleep, until, type Peer } from './helpers.js'

const clients = new Clients(uniqueProjectId())
afterAll(() => clients.close())

interface Present extends Peer {
  awareness: Awareness
}

function openPresent(docId: string, name: string, color: string, presence?: { throttleMs?: number; heartbeatMs?: number; timeoutMs?: number }): Present {
  const doc = new Y.Doc()
  const awareness = new Awareness(doc)
  awareness.setLocalStateField('user', { name, color })
  return { ...openPeer(clients, docId, { doc, awareness, ...(presence ? { presence } : {}) }), awareness }
}

/** The state `observer` has of `observed`'s client, if any. */
const stateOf = (observer: Present, observed: Present) => observer.awareness.getStates().get(observed.awareness.clientID)

/** A cursor as y-codemirror.next stores it: relative positions, as JSON. */
function cursor(peer: Present, anchor: number, head: number) {
  return {
    anchor: Y.relativePositionToJSON(Y.createRelativePositionFromTypeIndex(peer.text, anchor)),
    head: Y.relativePositionToJSON(Y.createRelativePositionFromTypeIndex(peer.text, head)),
  }
}

describe('presence', () => {
  it('peers see each other, cursor moves propagate throttled, and a closed client disappears', async () => {
    const docId = 'presence'
    const a = openPresent(docId, 'Alice', '#e91e63')
    const b = openPresent(docId, 'Bob', '#2196f3')
    await Promise.all([a.provider.whenSynced, b.provider.whenSynced])
    a.text.insert(0, 'Some shared text to put cursors in.')
    await until(() => b.text.length > 0, 'text on B')

    await until(() => stateOf(a, b) !== undefined && stateOf(b, a) !== undefined, 'each other present')
    expect(stateOf(b, a)?.['user']).toEqual({ name: 'Alice', color: '#e91e63' })
    expect(stateOf(a, b)?.['user']).toEqual({ name: 'Bob', color: '#2196f3' })

    // The entry in Firestore has the fields of design.md section 3.
    const entry = await clients.admin().doc(`${paths.presencePath(docId)}/${a.awareness.clientID}`).get()
    expect(entry.get('name')).toBe('Alice')
    expect(entry.get('color')).toBe('#e91e63')
    expect(entry.get('uid')).toBe(`user-${a.doc.clientID}`)
    expect(entry.get('expiresAt').toMillis()).toBeGreaterThan(Date.now())

    // 30 cursor moves in ~150 ms: B sees the last one, through a few throttled writes.
    let seenChanges = 0
    b.awareness.on('change', ({ updated }: { updated: number[] }) => {
      if (updated.includes(a.awareness.clientID)) seenChanges++
    })
    for (let i = 0; i < 30; i++) {
      a.awareness.setLocalStateField('cursor', cursor(a, i, i + 1))
      await sleep(5)
    }
    const last = cursor(a, 29, 30)
    await until(() => JSON.stringify(stateOf(b, a)?.['cursor']) === JSON.stringify(last), 'the last cursor on B')
    await sleep(400)
    expect(seenChanges).toBeGreaterThanOrEqual(1)
    expect(seenChanges).toBeLessThanOrEqual(5)
    // The relative position resolves to the same place in B's copy.
    const anchor = Y.createAbsolutePositionFromRelativePosition(Y.createRelativePositionFromJSON((stateOf(b, a)?.['cursor'] as typeof last).anchor), b.doc)
    expect(anchor?.index).toBe(29)

    // A closes: its entry is deleted and B's awareness drops it.
    let removed = false
    b.awareness.on('change', ({ removed: gone }: { removed: number[] }) => (removed ||= gone.includes(a.awareness.clientID)))
    a.provider.destroy()
    await until(() => stateOf(b, a) === undefined, 'A gone from B', 5000)
    expect(removed).toBe(true)
    expect((await clients.admin().doc(`${paths.presencePath(docId)}/${a.awareness.clientID}`).get()).exists).toBe(false)
    expect([...a.errors, ...b.errors]).toEqual([])
    b.provider.destroy()
    a.awareness.destroy()
    b.awareness.destroy()
  })

  it('a client that vanishes without closing is dropped after the timeout; a live one is kept by its heartbeat', async () => {
    const docId = 'presence-timeout'
    const timing = { throttleMs: 50, heartbeatMs: 200, timeoutMs: 1000 }
    const a = openPresent(docId, 'Alice', '#e91e63', timing)
    const b = openPresent(docId, 'Bob', '#2196f3', timing)
    const c = openPresent(docId, 'Carol', '#4caf50', timing)
    await until(() => stateOf(b, a) !== undefined && stateOf(b, c) !== undefined, 'all present on B')

    // C's client dies (no destroy, so its entry stays in Firestore); A stays, idle.
    await terminate(c.firestore)
    const died = Date.now()
    await until(() => stateOf(b, c) === undefined, 'C dropped by B', 5000)
    expect(Date.now() - died).toBeGreaterThanOrEqual(timing.timeoutMs - timing.heartbeatMs)
    // A has not changed its state since it joined, yet is still present thanks to heartbeats.
    await sleep(timing.timeoutMs)
    expect(stateOf(b, a)?.['user']).toEqual({ name: 'Alice', color: '#e91e63' })
    expect(stateOf(a, b)?.['user']).toEqual({ name: 'Bob', color: '#2196f3' })
    // Destroying a provider whose client is gone must not throw either.
    for (const peer of [a, b, c]) peer.provider.destroy()
    for (const peer of [a, b, c]) peer.awareness.destroy()
    expect([...a.errors, ...b.errors]).toEqual([])
  })

  it('a live peer dropped as stale (its heartbeat slower than our timeout) comes back with its next heartbeat', async () => {
    const docId = 'presence-return'
    // A beats every 1.5 s; B gives up on peers after 0.5 s, so it drops A between beats.
    const a = openPresent(docId, 'Alice', '#e91e63', { heartbeatMs: 1500, timeoutMs: 5000 })
    const b = openPresent(docId, 'Bob', '#2196f3', { heartbeatMs: 100, timeoutMs: 500 })
    await until(() => stateOf(b, a) !== undefined, 'A present on B')
    await until(() => stateOf(b, a) === undefined, 'A dropped by B', 3000)
    // A's state has not changed: only the heartbeat brings it back.
    await until(() => stateOf(b, a) !== undefined, 'A back on B', 3000)
    expect(stateOf(b, a)?.['user']).toEqual({ name: 'Alice', color: '#e91e63' })
    for (const peer of [a, b]) {
      expect(peer.errors).toEqual([])
      peer.provider.destroy()
      peer.awareness.destroy()
    }
  })
})
