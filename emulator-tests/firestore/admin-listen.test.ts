import { afterAll, describe, expect, it } from 'vitest'
import { FieldValue, Filter, type DocumentSnapshot, type Firestore, type QuerySnapshot } from 'firebase-admin/firestore'
import { Clients, uniqueProjectId } from '../support/clients.js'
import { freshCollection, recordDocument, recordQuery, seed, sleep, type SnapshotRecorder } from '../support/admin-helpers.js'

const clients = new Clients(uniqueProjectId())
afterAll(() => clients.close())
const db = clients.admin()
const writers: Firestore[] = [clients.admin(), clients.admin()]

/** The IDs of a query snapshot's documents, in order. */
const idsOf = (snapshot: QuerySnapshot): string[] => snapshot.docs.map((d) => d.id)
/** A compact view of a snapshot's docChanges: [type, id, oldIndex, newIndex]. */
const changesOf = (snapshot: QuerySnapshot): [string, string, number, number][] =>
  snapshot.docChanges().map((c) => [c.type, c.doc.id, c.oldIndex, c.newIndex])

/** Stops every recorder a test started, even when the test fails. */
function track<S>(recorders: SnapshotRecorder<S>[], recorder: SnapshotRecorder<S>): SnapshotRecorder<S> {
  recorders.push(recorder)
  return recorder
}

describe('document listeners', () => {
  it('see a document created, changed and deleted, each once, in order', async () => {
    const ref = freshCollection(db, 'listen-doc').doc('d')
    const recorder = recordDocument(ref)
    try {
      const initial = await recorder.next(() => true)
      expect(initial.exists).toBe(false)
      const created = ref.set({ v: 1 })
      const first = await recorder.after(() => created)
      const { writeTime } = await created
      expect(first.data()).toEqual({ v: 1 })
      expect(first.updateTime?.isEqual(writeTime)).toBe(true)
      expect(first.readTime >= writeTime).toBe(true)
      await recorder.after(() => ref.update({ v: 2 }))
      await recorder.after(() => ref.delete())
      expect(recorder.snapshots.map((s) => (s.exists ? s.get('v') : null))).toEqual([null, 1, 2, null])
      expect(recorder.errors).toEqual([])
    } finally {
      recorder.stop()
    }
  })

  it('an existing document\'s first snapshot carries its data and times', async () => {
    const ref = freshCollection(db, 'listen-doc-existing').doc('d')
    const written = await ref.set({ v: 'x' })
    const recorder = recordDocument(ref)
    try {
      const snap = await recorder.next(() => true)
      expect(snap.data()).toEqual({ v: 'x' })
      expect(snap.createTime?.isEqual(written.writeTime)).toBe(true)
    } finally {
      recorder.stop()
    }
  })

  it('a write that changes nothing produces no snapshot', async () => {
    const ref = freshCollection(db, 'listen-doc-noop').doc('d')
    await ref.set({ v: 1 })
    const recorder = recordDocument(ref)
    try {
      await recorder.next(() => true)
      await ref.set({ v: 1 })
      await recorder.after(() => ref.set({ v: 2 }))
      expect(recorder.snapshots.map((s) => s.get('v'))).toEqual([1, 2])
    } finally {
      recorder.stop()
    }
  })
})

describe('query listeners', () => {
  it('report added, modified and removed documents with their indexes', async () => {
    const collection = freshCollection(db, 'listen-query')
    await seed(collection, { a: { score: 10 }, b: { score: 20 }, c: { score: 30 } })
    const recorder = recordQuery(collection.where('score', '>=', 10).orderBy('score'))
    try {
      const initial = await recorder.next(() => true)
      expect(idsOf(initial)).toEqual(['a', 'b', 'c'])
      expect(changesOf(initial)).toEqual([['added', 'a', -1, 0], ['added', 'b', -1, 1], ['added', 'c', -1, 2]])

      const moved = await recorder.after(() => collection.doc('a').update({ score: 25 }))
      expect(idsOf(moved)).toEqual(['b', 'a', 'c'])
      expect(changesOf(moved)).toEqual([['modified', 'a', 0, 1]])

      const added = await recorder.after(() => collection.doc('d').set({ score: 15 }))
      expect(idsOf(added)).toEqual(['d', 'b', 'a', 'c'])
      expect(changesOf(added)).toEqual([['added', 'd', -1, 0]])

      const leftQuery = await recorder.after(() => collection.doc('c').update({ score: 5 }))
      expect(idsOf(leftQuery)).toEqual(['d', 'b', 'a'])
      expect(changesOf(leftQuery)).toEqual([['removed', 'c', 3, -1]])

      const deleted = await recorder.after(() => collection.doc('b').delete())
      expect(changesOf(deleted)).toEqual([['removed', 'b', 1, -1]])

      const modifiedInPlace = await recorder.after(() => collection.doc('d').update({ note: 'same position' }))
      expect(changesOf(modifiedInPlace)).toEqual([['modified', 'd', 0, 0]])
      expect(modifiedInPlace.docs[0]!.get('note')).toBe('same position')
      expect(recorder.errors).toEqual([])
    } finally {
      recorder.stop()
    }
  })

  it('a batch appears as one snapshot with all its changes', async () => {
    const collection = freshCollection(db, 'listen-batch')
    await seed(collection, { a: { n: 1 }, b: { n: 2 } })
    const recorder = recordQuery(collection.orderBy('n'))
    try {
      await recorder.next(() => true)
      const batch = writers[0]!.batch()
      batch.set(writers[0]!.collection(collection.id).doc('c'), { n: 3 })
      batch.update(writers[0]!.collection(collection.id).doc('a'), { n: 4 })
      batch.delete(writers[0]!.collection(collection.id).doc('b'))
      const snap = await recorder.after(() => batch.commit())
      expect(idsOf(snap)).toEqual(['c', 'a'])
      // The SDK lists removals, then additions, then modifications, indexes applying in turn.
      expect(changesOf(snap)).toEqual([['removed', 'b', 1, -1], ['added', 'c', -1, 1], ['modified', 'a', 0, 1]])
    } finally {
      recorder.stop()
    }
  })

  it('a limit query keeps the first N as documents enter and leave', async () => {
    const collection = freshCollection(db, 'listen-limit')
    await seed(collection, { a: { n: 10 }, b: { n: 20 }, c: { n: 30 } })
    const recorder = recordQuery(collection.orderBy('n').limit(2))
    try {
      expect(idsOf(await recorder.next(() => true))).toEqual(['a', 'b'])
      const pushedOut = await recorder.after(() => collection.doc('z').set({ n: 5 }))
      expect(idsOf(pushedOut)).toEqual(['z', 'a'])
      expect(changesOf(pushedOut)).toEqual([['removed', 'b', 1, -1], ['added', 'z', -1, 0]])
      const back = await recorder.after(() => collection.doc('z').delete())
      expect(idsOf(back)).toEqual(['a', 'b'])
      expect(changesOf(back)).toEqual([['removed', 'z', 0, -1], ['added', 'b', -1, 1]])
      expect(idsOf(await recorder.after(() => collection.doc('a').update({ n: 40 })))).toEqual(['b', 'c'])
    } finally {
      recorder.stop()
    }
  })

  it('a limitToLast query keeps the last N', async () => {
    const collection = freshCollection(db, 'listen-limit-last')
    await seed(collection, { a: { n: 10 }, b: { n: 20 }, c: { n: 30 } })
    const recorder = recordQuery(collection.orderBy('n').limitToLast(2))
    try {
      expect(idsOf(await recorder.next(() => true))).toEqual(['b', 'c'])
      expect(idsOf(await recorder.after(() => collection.doc('d').set({ n: 40 })))).toEqual(['c', 'd'])
    } finally {
      recorder.stop()
    }
  })

  it('a query with cursors follows documents moving in and out of its window', async () => {
    const collection = freshCollection(db, 'listen-cursor')
    await seed(collection, { a: { n: 1 }, b: { n: 5 }, c: { n: 9 } })
    const recorder = recordQuery(collection.orderBy('n').startAfter(2).endBefore(9))
    try {
      expect(idsOf(await recorder.next(() => true))).toEqual(['b'])
      expect(idsOf(await recorder.after(() => collection.doc('a').update({ n: 3 })))).toEqual(['a', 'b'])
      const left = await recorder.after(() => collection.doc('b').update({ n: 10 }))
      expect(idsOf(left)).toEqual(['a'])
      expect(changesOf(left)).toEqual([['removed', 'b', 1, -1]])
      expect(idsOf(await recorder.after(() => collection.doc('c').update({ n: 8.5 })))).toEqual(['a', 'c'])
    } finally {
      recorder.stop()
    }
  })

  it('a query with an OR filter and an in filter follows matching documents', async () => {
    const collection = freshCollection(db, 'listen-or')
    await seed(collection, { a: { color: 'red', size: 1 }, b: { color: 'blue', size: 2 } })
    const recorder = recordQuery(collection.where(Filter.or(Filter.where('color', 'in', ['green', 'red']), Filter.where('size', '>=', 3))))
    try {
      expect(idsOf(await recorder.next(() => true))).toEqual(['a'])
      expect(idsOf(await recorder.after(() => collection.doc('b').update({ size: 3 })))).toEqual(['a', 'b'])
      expect(idsOf(await recorder.after(() => collection.doc('a').update({ color: 'blue' })))).toEqual(['b'])
      // The inequality orders by size, so a document must have a size to match either branch.
      await collection.doc('sizeless').set({ color: 'green' })
      const withC = await recorder.after(() => collection.doc('c').set({ color: 'green', size: 0 }))
      expect(idsOf(withC).sort()).toEqual(['b', 'c'])
      expect(recorder.snapshots).toHaveLength(4)
    } finally {
      recorder.stop()
    }
  })

  it('a query that matches nothing gets an empty snapshot, then the first match', async () => {
    const collection = freshCollection(db, 'listen-empty')
    await collection.doc('other').set({ kind: 'other' })
    const recorder = recordQuery(collection.where('kind', '==', 'wanted'))
    try {
      const initial = await recorder.next(() => true)
      expect(initial.empty).toBe(true)
      expect(initial.docChanges()).toEqual([])
      await collection.doc('noise').set({ kind: 'other' })
      const hit = await recorder.after(() => collection.doc('hit').set({ kind: 'wanted' }))
      expect(idsOf(hit)).toEqual(['hit'])
      expect(recorder.snapshots).toHaveLength(2)
    } finally {
      recorder.stop()
    }
  })

  it('a listener on an empty collection that stays empty gets exactly one snapshot', async () => {
    const collection = freshCollection(db, 'listen-nothing')
    const recorder = recordQuery(collection)
    try {
      expect((await recorder.next(() => true)).size).toBe(0)
      await freshCollection(db, 'listen-elsewhere').doc('x').set({ v: 1 })
      await sleep(150)
      expect(recorder.snapshots).toHaveLength(1)
    } finally {
      recorder.stop()
    }
  })

  it('a collection group listener sees matching documents at any depth', async () => {
    const group = freshCollection(db, 'listen-group').id
    await db.doc(`${group}/top`).set({ v: 1 })
    const recorder = recordQuery(db.collectionGroup(group).where('v', '>', 0))
    try {
      expect((await recorder.next(() => true)).docs.map((d) => d.ref.path)).toEqual([`${group}/top`])
      const snap = await recorder.after(() => db.doc(`parents/p/${group}/nested`).set({ v: 2 }))
      expect(snap.docs.map((d) => d.ref.path)).toEqual([`${group}/top`, `parents/p/${group}/nested`])
    } finally {
      recorder.stop()
    }
  })

  it('snapshot read times never go backwards and cover the writes they show', async () => {
    const collection = freshCollection(db, 'listen-readtime')
    const recorder = recordQuery(collection)
    try {
      await recorder.next(() => true)
      for (let i = 0; i < 5; i++) {
        const result = await collection.doc(`d${i}`).set({ i })
        const snap = await recorder.next((s) => s.size === i + 1)
        expect(snap.readTime >= result.writeTime).toBe(true)
      }
      const times = recorder.snapshots.map((s) => s.readTime)
      for (let i = 1; i < times.length; i++) expect(times[i]! >= times[i - 1]!).toBe(true)
    } finally {
      recorder.stop()
    }
  })

  it('an invalid query reports an error to the listener', async () => {
    const collection = freshCollection(db, 'listen-invalid')
    const errored = new Promise<Error>((resolve) => {
      collection.where('a', 'not-in', [1]).where('b', 'not-in', [2]).onSnapshot(
        () => undefined,
        (error) => resolve(error),
      )
    })
    const error = await Promise.race([errored, sleep(5_000).then(() => undefined)])
    expect(error).toBeInstanceOf(Error)
  })

  it('stops hearing changes after unsubscribing', async () => {
    const collection = freshCollection(db, 'listen-unsubscribe')
    const recorder = recordQuery(collection)
    await recorder.next(() => true)
    recorder.stop()
    await collection.doc('a').set({ v: 1 })
    await sleep(150)
    expect(recorder.snapshots).toHaveLength(1)
  })
})

describe('several listeners and writers', () => {
  it('every listener converges on the final state while two writers write concurrently', async () => {
    const collection = freshCollection(db, 'listen-many')
    const recorders: SnapshotRecorder<QuerySnapshot>[] = []
    const docRecorders: SnapshotRecorder<DocumentSnapshot>[] = []
    try {
      const all = track(recorders, recordQuery(collection))
      const even = track(recorders, recordQuery(collection.where('parity', '==', 'even')))
      const top = track(recorders, recordQuery(collection.orderBy('n', 'desc').limit(3)))
      const counter = track(docRecorders, recordDocument(collection.doc('counter')))
      await Promise.all([...recorders.map((r) => r.next(() => true)), counter.next(() => true)])

      const N = 30
      await Promise.all(
        writers.map(async (writer, w) => {
          for (let i = w; i < N; i += writers.length) {
            const col = writer.collection(collection.id)
            await col.doc(`d${String(i).padStart(2, '0')}`).set({ n: i, parity: i % 2 === 0 ? 'even' : 'odd' })
            await col.doc('counter').set({ count: FieldValue.increment(1) }, { merge: true })
          }
        }),
      )
      const final = await all.next((s) => s.size === N + 1)
      expect(final.docs.filter((d) => d.id !== 'counter').map((d) => d.get('n'))).toEqual(Array.from({ length: N }, (_, i) => i))
      const evens = await even.next((s) => s.size === N / 2)
      expect(evens.docs.every((d) => (d.get('n') as number) % 2 === 0)).toBe(true)
      const topThree = (s: QuerySnapshot): number[] => s.docs.map((d) => d.get('n') as number)
      const best = await top.next((s) => topThree(s).join() === [N - 1, N - 2, N - 3].join())
      expect(best.size).toBe(3)
      expect(top.snapshots.every((s) => s.size <= 3)).toBe(true)
      await counter.next((s) => s.get('count') === N)

      // Each snapshot of the `all` listener is consistent: sizes only grow, by whole writes.
      const sizes = all.snapshots.map((s) => s.size)
      for (let i = 1; i < sizes.length; i++) expect(sizes[i]!).toBeGreaterThanOrEqual(sizes[i - 1]!)
      for (const recorder of [...recorders, ...docRecorders]) expect(recorder.errors).toEqual([])
    } finally {
      for (const recorder of [...recorders, ...docRecorders]) recorder.stop()
    }
  })

  it('two listeners on one query from different instances see the same snapshots', async () => {
    const collection = freshCollection(db, 'listen-twins')
    const query = (instance: Firestore) => instance.collection(collection.id).orderBy('n')
    const first = recordQuery(query(db))
    const second = recordQuery(query(writers[1]!))
    try {
      await Promise.all([first.next(() => true), second.next(() => true)])
      for (let i = 0; i < 5; i++) await writers[0]!.collection(collection.id).doc(`d${i}`).set({ n: 5 - i })
      const [a, b] = await Promise.all([first.next((s) => s.size === 5), second.next((s) => s.size === 5)])
      expect(idsOf(a)).toEqual(['d4', 'd3', 'd2', 'd1', 'd0'])
      expect(idsOf(b)).toEqual(idsOf(a))
    } finally {
      first.stop()
      second.stop()
    }
  })
})
