import { isDeepStrictEqual } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import {
  collection,
  collectionGroup,
  deleteDoc,
  disableNetwork,
  doc,
  enableNetwork,
  endAt,
  getDocsFromServer,
  increment,
  limit,
  limitToLast,
  or,
  orderBy,
  query,
  setDoc,
  startAfter,
  updateDoc,
  where,
  writeBatch,
  type DocumentData,
  type DocumentSnapshot,
  type Firestore,
  type QuerySnapshot,
} from 'firebase/firestore'
import { Clients, uniqueProjectId } from '../support/clients.js'
import { ids, isSynced, recordDoc, recordQuery, withTimeout } from '../support/snapshots.js'

const clients = new Clients(uniqueProjectId())
afterAll(() => clients.close())

/** A query snapshot's documents as `{ id: data }`. */
function byId(snapshot: QuerySnapshot): Record<string, DocumentData> {
  return Object.fromEntries(snapshot.docs.map((d) => [d.id, d.data()]))
}

/** The document changes of a snapshot as "type:id" strings. */
function changes(snapshot: QuerySnapshot): string[] {
  return snapshot.docChanges().map((c) => `${c.type}:${c.doc.id}`)
}

/** A document snapshot's state in short: its `v`, or "missing". */
function docState(snapshot: DocumentSnapshot): unknown {
  return snapshot.exists() ? snapshot.data()['v'] : 'missing'
}

/** Consecutive duplicates dropped: the states a listener went through. */
function distinct<T>(values: T[]): T[] {
  return values.filter((v, i) => i === 0 || !isDeepStrictEqual(v, values[i - 1]))
}

/** Writes documents `{ path: data }` in one batch. */
async function seed(db: Firestore, docs: Record<string, DocumentData>): Promise<void> {
  const batch = writeBatch(db)
  for (const [path, data] of Object.entries(docs)) batch.set(doc(db, path), data)
  await batch.commit()
}

describe('web SDK listeners: documents', () => {
  it('a document listener sees the document missing, created, changed and deleted', async () => {
    const listener = clients.web()
    const writer = clients.web()
    const recorder = recordDoc(doc(listener, 'docs/lifecycle'))
    try {
      const first = await recorder.waitFor((s) => !s.metadata.fromCache, 'the server snapshot of the missing document')
      expect(first.exists()).toBe(false)
      await setDoc(doc(writer, 'docs/lifecycle'), { v: 1 })
      await recorder.waitFor((s) => s.data()?.['v'] === 1, 'the created document')
      await updateDoc(doc(writer, 'docs/lifecycle'), { v: 2 })
      await recorder.waitFor((s) => s.data()?.['v'] === 2, 'the changed document')
      await deleteDoc(doc(writer, 'docs/lifecycle'))
      const gone = await recorder.waitFor((s) => !s.exists(), 'the deletion')
      expect(gone.metadata.fromCache).toBe(false)
      expect(distinct(recorder.snapshots.map(docState))).toEqual(['missing', 1, 2, 'missing'])
    } finally {
      recorder.stop()
    }
  })

  it('a document listener sees a document recreated after its deletion', async () => {
    const listener = clients.web()
    const writer = clients.web()
    await setDoc(doc(writer, 'docs/phoenix'), { v: 'first' })
    const recorder = recordDoc(doc(listener, 'docs/phoenix'))
    try {
      await recorder.waitFor((s) => s.data()?.['v'] === 'first', 'the first life')
      await deleteDoc(doc(writer, 'docs/phoenix'))
      await recorder.waitFor((s) => !s.exists(), 'the deletion')
      await setDoc(doc(writer, 'docs/phoenix'), { v: 'second' })
      const reborn = await recorder.waitFor((s) => s.data()?.['v'] === 'second', 'the second life')
      expect(reborn.metadata.fromCache).toBe(false)
    } finally {
      recorder.stop()
    }
  })
})

describe('web SDK listeners: queries', () => {
  it('a listener on a collection that does not exist gets an empty snapshot from the server', async () => {
    const recorder = recordQuery(collection(clients.web(), 'never-written'))
    try {
      const first = await recorder.waitFor(() => true, 'the first snapshot')
      expect(first.empty).toBe(true)
      expect(first.metadata.fromCache).toBe(false)
    } finally {
      recorder.stop()
    }
  })

  it('docChanges report added, modified and removed; a document that stops matching is removed', async () => {
    const listener = clients.web()
    const writer = clients.web()
    const recorder = recordQuery(query(collection(listener, 'tickets'), where('open', '==', true)))
    try {
      await recorder.waitFor((s) => !s.metadata.fromCache, 'the initial snapshot')
      await setDoc(doc(writer, 'tickets/t1'), { open: true, n: 1 })
      expect(changes(await recorder.waitFor((s) => s.size === 1, 't1 added'))).toEqual(['added:t1'])
      await updateDoc(doc(writer, 'tickets/t1'), { n: 2 })
      expect(changes(await recorder.waitFor((s) => s.docs[0]?.data()['n'] === 2, 't1 modified'))).toEqual(['modified:t1'])
      await setDoc(doc(writer, 'tickets/t2'), { open: true, n: 1 })
      expect(changes(await recorder.waitFor((s) => s.size === 2, 't2 added'))).toEqual(['added:t2'])
      await updateDoc(doc(writer, 'tickets/t1'), { open: false })
      const t1Left = await recorder.waitFor((s) => ids(s).join() === 't2', 't1 no longer matching')
      expect(changes(t1Left)).toEqual(['removed:t1'])
      await deleteDoc(doc(writer, 'tickets/t2'))
      const empty = await recorder.waitFor((s) => s.empty, 't2 deleted')
      expect(changes(empty)).toEqual(['removed:t2'])
      expect(empty.metadata.fromCache).toBe(false)
      // A document written outside the query never shows.
      await setDoc(doc(writer, 'tickets/t3'), { open: false })
      await setDoc(doc(writer, 'tickets/t4'), { open: true })
      const last = await recorder.waitFor((s) => s.size === 1, 't4 added')
      expect(ids(last)).toEqual(['t4'])
      expect(recorder.snapshots.some((s) => ids(s).includes('t3'))).toBe(false)
    } finally {
      recorder.stop()
    }
  })

  it('local writes show hasPendingWrites until the server acknowledges them, then metadata settles', async () => {
    const db = clients.web()
    const recorder = recordQuery(query(collection(db, 'pending'), orderBy('n')), { includeMetadataChanges: true })
    try {
      const initial = await recorder.waitFor(isSynced, 'the synced initial snapshot')
      expect(initial.empty).toBe(true)
      const write = setDoc(doc(db, 'pending/p1'), { n: 1 })
      const local = await recorder.waitFor((s) => s.size === 1, 'the local write')
      expect(local.metadata.hasPendingWrites).toBe(true)
      expect(local.docs[0]!.metadata.hasPendingWrites).toBe(true)
      expect(changes(local)).toEqual(['added:p1'])
      await write
      const settled = await recorder.waitFor((s) => s.size === 1 && isSynced(s), 'the acknowledged write')
      expect(settled.docs[0]!.metadata.hasPendingWrites).toBe(false)
      // The acknowledgement changes metadata only: no document change is reported.
      expect(changes(settled)).toEqual([])
    } finally {
      recorder.stop()
    }
  })

  it('a limit query: a new first document pushes the last one out, a deletion pulls the next one in', async () => {
    const listener = clients.web()
    const writer = clients.web()
    await seed(writer, Object.fromEntries([1, 2, 3, 4, 5].map((r) => [`ranked/r${r}`, { rank: r }])))
    const recorder = recordQuery(query(collection(listener, 'ranked'), orderBy('rank'), limit(3)))
    try {
      await recorder.waitFor((s) => ids(s).join() === 'r1,r2,r3' && !s.metadata.fromCache, 'the first three')
      await setDoc(doc(writer, 'ranked/r0'), { rank: 0 })
      const pushed = await recorder.waitFor((s) => ids(s).join() === 'r0,r1,r2', 'r0 pushing r3 out')
      expect(changes(pushed).sort()).toEqual(['added:r0', 'removed:r3'])
      await deleteDoc(doc(writer, 'ranked/r1'))
      const pulled = await recorder.waitFor((s) => ids(s).join() === 'r0,r2,r3', 'r3 pulled back in')
      expect(changes(pulled).sort()).toEqual(['added:r3', 'removed:r1'])
      await updateDoc(doc(writer, 'ranked/r5'), { rank: -1 })
      await recorder.waitFor((s) => ids(s).join() === 'r5,r0,r2', 'r5 moving to the front')
      await updateDoc(doc(writer, 'ranked/r0'), { rank: 10 })
      const last = await recorder.waitFor((s) => ids(s).join() === 'r5,r2,r3', 'r0 moving past the limit')
      expect(last.metadata.fromCache).toBe(false)
    } finally {
      recorder.stop()
    }
  })

  it('a limitToLast query keeps the last documents as they change', async () => {
    const listener = clients.web()
    const writer = clients.web()
    await seed(writer, Object.fromEntries([1, 2, 3, 4, 5].map((r) => [`tail/r${r}`, { rank: r }])))
    const recorder = recordQuery(query(collection(listener, 'tail'), orderBy('rank'), limitToLast(2)))
    try {
      await recorder.waitFor((s) => ids(s).join() === 'r4,r5' && !s.metadata.fromCache, 'the last two')
      await setDoc(doc(writer, 'tail/r6'), { rank: 6 })
      await recorder.waitFor((s) => ids(s).join() === 'r5,r6', 'r6 added at the end')
      await deleteDoc(doc(writer, 'tail/r6'))
      await recorder.waitFor((s) => ids(s).join() === 'r4,r5', 'r4 back after the deletion')
      await updateDoc(doc(writer, 'tail/r1'), { rank: 100 })
      await recorder.waitFor((s) => ids(s).join() === 'r5,r1', 'r1 moving to the end')
    } finally {
      recorder.stop()
    }
  })

  it('a listener on an or() query follows documents across both branches', async () => {
    const listener = clients.web()
    const writer = clients.web()
    const recorder = recordQuery(query(collection(listener, 'either'), or(where('a', '==', 1), where('b', '==', 1))))
    try {
      await recorder.waitFor((s) => !s.metadata.fromCache, 'the initial snapshot')
      await setDoc(doc(writer, 'either/x'), { a: 1, b: 0 })
      await recorder.waitFor((s) => ids(s).join() === 'x', 'x matching by a')
      await setDoc(doc(writer, 'either/x'), { a: 0, b: 1 })
      const stillIn = await recorder.waitFor((s) => s.docs[0]?.data()['b'] === 1, 'x matching by b')
      expect(changes(stillIn)).toEqual(['modified:x'])
      await setDoc(doc(writer, 'either/x'), { a: 0, b: 0 })
      await recorder.waitFor((s) => s.empty, 'x matching neither')
    } finally {
      recorder.stop()
    }
  })

  it('two listeners of one client on overlapping queries each follow a document in and out', async () => {
    const listener = clients.web()
    const writer = clients.web()
    const col = collection(listener, 'overlap')
    const wide = recordQuery(query(col, where('x', '>=', 1)))
    const narrow = recordQuery(query(col, where('x', '>=', 5)))
    try {
      await Promise.all([wide, narrow].map((r) => r.waitFor((s) => !s.metadata.fromCache, 'the initial snapshot')))
      await setDoc(doc(writer, 'overlap/d'), { x: 6 })
      await wide.waitFor((s) => ids(s).join() === 'd', 'd in the wide query')
      await narrow.waitFor((s) => ids(s).join() === 'd', 'd in the narrow query')
      await updateDoc(doc(writer, 'overlap/d'), { x: 3 })
      await narrow.waitFor((s) => s.empty, 'd leaving the narrow query')
      const stays = await wide.waitFor((s) => s.docs[0]?.data()['x'] === 3, 'd changed in the wide query')
      expect(changes(stays)).toEqual(['modified:d'])
      await updateDoc(doc(writer, 'overlap/d'), { x: 7 })
      await narrow.waitFor((s) => ids(s).join() === 'd', 'd back in the narrow query')
      await deleteDoc(doc(writer, 'overlap/d'))
      await wide.waitFor((s) => s.empty, 'd deleted from the wide query')
      await narrow.waitFor((s) => s.empty, 'd deleted from the narrow query')
    } finally {
      wide.stop()
      narrow.stop()
    }
  })

  it('a listener on a query with a cursor follows documents crossing the cursor', async () => {
    const listener = clients.web()
    const writer = clients.web()
    await seed(writer, Object.fromEntries([1, 2, 3, 4].map((r) => [`cursor/r${r}`, { rank: r }])))
    const recorder = recordQuery(query(collection(listener, 'cursor'), orderBy('rank'), startAfter(2), endAt(4)))
    try {
      await recorder.waitFor((s) => ids(s).join() === 'r3,r4' && !s.metadata.fromCache, 'r3 and r4')
      await updateDoc(doc(writer, 'cursor/r1'), { rank: 3.5 })
      await recorder.waitFor((s) => ids(s).join() === 'r3,r1,r4', 'r1 moving inside the range')
      await updateDoc(doc(writer, 'cursor/r4'), { rank: 5 })
      await recorder.waitFor((s) => ids(s).join() === 'r3,r1', 'r4 moving past the end')
      await updateDoc(doc(writer, 'cursor/r3'), { rank: 2 })
      await recorder.waitFor((s) => ids(s).join() === 'r1', 'r3 moving onto the exclusive start')
    } finally {
      recorder.stop()
    }
  })

  it('a collection group listener sees documents at every depth come and go', async () => {
    const listener = clients.web()
    const writer = clients.web()
    const recorder = recordQuery(query(collectionGroup(listener, 'notes'), where('open', '==', true)))
    try {
      await recorder.waitFor((s) => !s.metadata.fromCache, 'the initial snapshot')
      await setDoc(doc(writer, 'notes/top'), { open: true })
      await setDoc(doc(writer, 'boards/b1/notes/mid'), { open: true })
      await setDoc(doc(writer, 'boards/b1/notes/mid/notes/deep'), { open: true })
      await setDoc(doc(writer, 'boards/b1/notebooks/decoy'), { open: true })
      const all = await recorder.waitFor((s) => s.size === 3, 'three notes')
      expect(all.docs.map((d) => d.ref.path)).toEqual(['boards/b1/notes/mid', 'boards/b1/notes/mid/notes/deep', 'notes/top'])
      await deleteDoc(doc(writer, 'boards/b1/notes/mid'))
      const left = await recorder.waitFor((s) => s.size === 2, 'the middle note deleted')
      expect(left.docs.map((d) => d.ref.path)).toEqual(['boards/b1/notes/mid/notes/deep', 'notes/top'])
    } finally {
      recorder.stop()
    }
  })

  it('a listener on a query the server refuses gets an invalid-argument error', async () => {
    const db = clients.web()
    const values = Array.from({ length: 31 }, (_, i) => i)
    // Thirty-one disjunctions exceed the limit of thirty.
    const tooWide = query(collection(db, 'refused'), or(where('n', 'in', values.slice(0, 16)), where('m', 'in', values.slice(16))))
    const recorder = recordQuery(tooWide)
    try {
      const error = await recorder.waitForError()
      expect(error.code).toBe('invalid-argument')
    } finally {
      recorder.stop()
    }
  })
})

describe('web SDK listeners: several clients', () => {
  it('three listening clients converge on the state two concurrent writers leave', async () => {
    const listeners = [clients.web(), clients.web(), clients.web()]
    const [writerA, writerB] = [clients.web(), clients.web()]
    const live = (db: Firestore) => query(collection(db, 'shared'), where('live', '==', true))
    const recorders = listeners.map((db) => recordQuery(live(db)))
    try {
      await Promise.all(recorders.map((r) => r.waitFor((s) => !s.metadata.fromCache, 'the initial snapshot')))
      const work = (db: Firestore, name: string) => {
        const writes: Promise<void>[] = []
        for (let i = 0; i < 10; i++) {
          writes.push(setDoc(doc(db, `shared/${name}${i}`), { live: true, by: name, i }))
          writes.push(setDoc(doc(db, 'shared/counter'), { live: true, total: increment(1) }, { merge: true }))
          writes.push(setDoc(doc(db, 'shared/contended'), { live: true, last: `${name}${i}` }))
        }
        for (let i = 0; i < 10; i += 3) writes.push(deleteDoc(doc(db, `shared/${name}${i}`)))
        for (let i = 1; i < 10; i += 3) writes.push(updateDoc(doc(db, `shared/${name}${i}`), { live: false }))
        for (let i = 2; i < 10; i += 3) writes.push(updateDoc(doc(db, `shared/${name}${i}`), { touched: true }))
        return Promise.all(writes)
      }
      await Promise.all([work(writerA, 'a'), work(writerB, 'b')])

      const final = byId(await getDocsFromServer(live(clients.web())))
      expect(final['counter']).toEqual({ live: true, total: 20 })
      expect(Object.keys(final).sort()).toEqual(['a2', 'a5', 'a8', 'b2', 'b5', 'b8', 'contended', 'counter'])
      expect(final['a5']).toEqual({ live: true, by: 'a', i: 5, touched: true })
      for (const recorder of recorders) {
        const converged = await recorder.waitFor((s) => isDeepStrictEqual(byId(s), final), 'the final state')
        expect(converged.metadata.fromCache).toBe(false)
      }
    } finally {
      for (const recorder of recorders) recorder.stop()
    }
  })

  it('a client that was offline catches up on changes, deletions and documents that stopped matching', async () => {
    const listener = clients.web()
    const writer = clients.web()
    await seed(writer, {
      'net/p': { active: true, v: 1 },
      'net/q': { active: true, v: 1 },
      'net/r': { active: true, v: 1 },
      'net/s': { active: true, v: 1 },
      'net/u': { active: false, v: 1 },
    })
    const recorder = recordQuery(query(collection(listener, 'net'), where('active', '==', true)), { includeMetadataChanges: true })
    try {
      await recorder.waitFor((s) => isSynced(s) && ids(s).join() === 'p,q,r,s', 'the initial documents')
      await disableNetwork(listener)
      await recorder.waitFor((s) => s.metadata.fromCache, 'the offline snapshot')

      await updateDoc(doc(writer, 'net/p'), { v: 2 })
      await deleteDoc(doc(writer, 'net/q'))
      await updateDoc(doc(writer, 'net/r'), { active: false })
      await setDoc(doc(writer, 'net/t'), { active: true, v: 1 })
      await updateDoc(doc(writer, 'net/u'), { active: true })
      // The offline client writes too: the write waits for the network.
      const offlineWrite = setDoc(doc(listener, 'net/w'), { active: true, v: 1 })
      const local = await recorder.waitFor((s) => ids(s).includes('w'), 'the offline local write')
      expect(local.metadata.hasPendingWrites).toBe(true)
      expect(local.metadata.fromCache).toBe(true)
      expect(ids(local)).toEqual(['p', 'q', 'r', 's', 'w'])

      await enableNetwork(listener)
      await withTimeout(offlineWrite, 5_000, 'the offline write to be sent')
      const caughtUp = await recorder.waitFor((s) => isSynced(s) && ids(s).join() === 'p,s,t,u,w', 'the caught-up state')
      expect(caughtUp.docs.find((d) => d.id === 'p')?.data()['v']).toBe(2)
      expect(byId(caughtUp)).toEqual({
        p: { active: true, v: 2 },
        s: { active: true, v: 1 },
        t: { active: true, v: 1 },
        u: { active: true, v: 1 },
        w: { active: true, v: 1 },
      })
      // Later changes still arrive: the resumed stream is live.
      await updateDoc(doc(writer, 'net/s'), { active: false })
      await recorder.waitFor((s) => isSynced(s) && ids(s).join() === 'p,t,u,w', 's leaving after the resume')
    } finally {
      recorder.stop()
    }
  })

  it('a document listener on a client that was offline sees the document deleted meanwhile', async () => {
    const listener = clients.web()
    const writer = clients.web()
    await setDoc(doc(writer, 'offline/doomed'), { v: 1 })
    const recorder = recordDoc(doc(listener, 'offline/doomed'), { includeMetadataChanges: true })
    try {
      await recorder.waitFor((s) => s.exists() && !s.metadata.fromCache, 'the document')
      await disableNetwork(listener)
      await deleteDoc(doc(writer, 'offline/doomed'))
      await enableNetwork(listener)
      const gone = await recorder.waitFor((s) => !s.exists() && !s.metadata.fromCache, 'the deletion after the resume')
      expect(gone.metadata.hasPendingWrites).toBe(false)
    } finally {
      recorder.stop()
    }
  })

  it('after unsubscribing no more snapshots arrive; listening again shows the current state', async () => {
    const listener = clients.web()
    const writer = clients.web()
    const witness = clients.web()
    await setDoc(doc(writer, 'relisten/x'), { v: 1 })
    const first = recordQuery(collection(listener, 'relisten'))
    await first.waitFor((s) => ids(s).join() === 'x' && !s.metadata.fromCache, 'the first listen')
    first.stop()
    const heard = first.snapshots.length

    // Another client's listener proves the server has sent the change on.
    const watching = recordQuery(collection(witness, 'relisten'))
    try {
      await setDoc(doc(writer, 'relisten/y'), { v: 2 })
      await watching.waitFor((s) => s.size === 2, 'the witness to see y')
    } finally {
      watching.stop()
    }
    expect(first.snapshots).toHaveLength(heard)

    const second = recordQuery(collection(listener, 'relisten'))
    try {
      const again = await second.waitFor((s) => s.size === 2 && !s.metadata.fromCache, 'the second listen')
      expect(byId(again)).toEqual({ x: { v: 1 }, y: { v: 2 } })
    } finally {
      second.stop()
    }
  })
})
