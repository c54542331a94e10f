import { afterAll, describe, expect, it } from 'vitest'
import { FieldValue, GrpcStatus, Timestamp, type Firestore } from 'firebase-admin/firestore'
import { Clients, uniqueProjectId } from '../support/clients.js'
import { Barrier, expectCode, freshCollection, seed } from '../support/admin-helpers.js'

const clients = new Clients(uniqueProjectId())
afterAll(() => clients.close())
const db = clients.admin()
/** Independent instances (own channels), so concurrent transactions don't share a client. */
const others: Firestore[] = [clients.admin(), clients.admin(), clients.admin()]

class AppError extends Error {}

describe('read-write transactions', () => {
  it('reads, then writes from what it read, and returns the callback\'s value', async () => {
    const ref = freshCollection(db, 'rmw').doc('counter')
    await ref.set({ n: 41, other: 'kept' })
    const result = await db.runTransaction(async (t) => {
      const snap = await t.get(ref)
      const next = (snap.get('n') as number) + 1
      t.update(ref, { n: next })
      return next
    })
    expect(result).toBe(42)
    expect((await ref.get()).data()).toEqual({ n: 42, other: 'kept' })
  })

  it('applies all its writes atomically at one commit time', async () => {
    const collection = freshCollection(db, 'tx-writes')
    await seed(collection, { a: { v: 1 }, gone: { v: 1 } })
    await db.runTransaction(async (t) => {
      const a = await t.get(collection.doc('a'))
      t.set(collection.doc('b'), { v: (a.get('v') as number) + 1 })
      t.update(collection.doc('a'), { v: FieldValue.increment(10) })
      t.create(collection.doc('c'), { v: 3 })
      t.delete(collection.doc('gone'))
    })
    const snaps = await db.getAll(collection.doc('a'), collection.doc('b'), collection.doc('c'), collection.doc('gone'))
    expect(snaps.map((s) => s.get('v'))).toEqual([11, 2, 3, undefined])
    expect(snaps[0]!.updateTime!.isEqual(snaps[1]!.updateTime!)).toBe(true)
    expect(snaps[1]!.updateTime!.isEqual(snaps[2]!.updateTime!)).toBe(true)
  })

  it('reads a missing document as not existing and can create it', async () => {
    const ref = freshCollection(db, 'tx-missing').doc('d')
    await db.runTransaction(async (t) => {
      const snap = await t.get(ref)
      expect(snap.exists).toBe(false)
      t.create(ref, { created: true })
    })
    expect((await ref.get()).data()).toEqual({ created: true })
  })

  it('N concurrent increments through transactions all apply', async () => {
    const ref = freshCollection(db, 'tx-concurrent').doc('counter')
    await ref.set({ n: 0 })
    const N = 20
    let attempts = 0
    await Promise.all(
      Array.from({ length: N }, (_, i) => {
        const instance = i % 4 === 0 ? db : others[i % 3]!
        const counter = instance.doc(ref.path)
        return instance.runTransaction(
          async (t) => {
            attempts++
            const snap = await t.get(counter)
            t.update(counter, { n: (snap.get('n') as number) + 1 })
          },
          { maxAttempts: 50 },
        )
      }),
    )
    expect((await ref.get()).get('n')).toBe(N)
    expect(attempts).toBeGreaterThan(N)
  })

  it('with maxAttempts 1, of two transactions that read and then write one document, one fails with ABORTED', async () => {
    const ref = freshCollection(db, 'tx-conflict').doc('d')
    await ref.set({ n: 0 })
    const bothRead = new Barrier(2)
    const run = (instance: Firestore, value: number) =>
      instance.runTransaction(
        async (t) => {
          await t.get(instance.doc(ref.path))
          await bothRead.arrive()
          t.set(instance.doc(ref.path), { n: value })
        },
        { maxAttempts: 1 },
      )
    const outcomes = await Promise.allSettled([run(db, 1), run(others[0]!, 2)])
    const fulfilled = outcomes.flatMap((o, i) => (o.status === 'fulfilled' ? [i + 1] : []))
    const rejected = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as { code: number }] : []))
    // Optimistic concurrency aborts the later commit; a locking implementation (production)
    // may abort either, or both on a lock timeout. No lost update either way.
    expect(fulfilled.length).toBeLessThanOrEqual(1)
    expect(rejected.length).toBeGreaterThanOrEqual(1)
    for (const error of rejected) expect(error.code).toBe(GrpcStatus.ABORTED)
    expect((await ref.get()).get('n')).toBe(fulfilled[0] ?? 0)
  })

  it('retries a transaction whose query results another transaction changed (no phantom)', async () => {
    const bookings = freshCollection(db, 'tx-phantom')
    await bookings.doc('first').set({ slot: 'morning' })
    const bothQueried = new Barrier(2)
    let attempts = 0
    // Each books the slot only if fewer than two bookings exist: both must not succeed.
    const book = (instance: Firestore, id: string) =>
      instance.runTransaction(async (t) => {
        attempts++
        const taken = await t.get(instance.collection(bookings.id).where('slot', '==', 'morning'))
        await bothQueried.arrive()
        if (taken.size < 2) t.create(instance.collection(bookings.id).doc(id), { slot: 'morning' })
        return taken.size < 2
      })
    const results = await Promise.all([book(db, 'second'), book(others[1]!, 'third')])
    expect(results.filter(Boolean)).toHaveLength(1)
    expect((await bookings.where('slot', '==', 'morning').get()).size).toBe(2)
    expect(attempts).toBeGreaterThan(2)
  })

  it('a transaction that only reads commits without writing', async () => {
    const ref = freshCollection(db, 'tx-read-only-rw').doc('d')
    await ref.set({ v: 1 })
    const v = await db.runTransaction(async (t) => (await t.get(ref)).get('v') as number)
    expect(v).toBe(1)
  })

  it('a transaction that only writes commits', async () => {
    const collection = freshCollection(db, 'tx-write-only')
    await db.runTransaction(async (t) => {
      t.set(collection.doc('a'), { v: 1 })
      t.set(collection.doc('b'), { v: 2 })
    })
    expect((await collection.get()).size).toBe(2)
  })
})

describe('lazily started transactions', () => {
  it('begins with a query read, then reads documents, then writes', async () => {
    const collection = freshCollection(db, 'lazy-query')
    await seed(collection, { a: { v: 1 }, b: { v: 2 }, c: { v: 3 } })
    await db.runTransaction(async (t) => {
      const big = await t.get(collection.where('v', '>=', 2))
      const a = await t.get(collection.doc('a'))
      t.set(collection.doc('sum'), { total: big.docs.reduce((n, d) => n + (d.get('v') as number), a.get('v') as number) })
    })
    expect((await collection.doc('sum').get()).get('total')).toBe(6)
  })

  it('begins with concurrent reads', async () => {
    const collection = freshCollection(db, 'lazy-concurrent')
    await seed(collection, { a: { v: 1 }, b: { v: 2 } })
    await db.runTransaction(async (t) => {
      const [a, b, q] = await Promise.all([t.get(collection.doc('a')), t.get(collection.doc('b')), t.get(collection.orderBy('v'))])
      t.set(collection.doc('c'), { v: (a.get('v') as number) + (b.get('v') as number) + q.size })
    })
    expect((await collection.doc('c').get()).get('v')).toBe(5)
  })

  it('begins with an aggregation query', async () => {
    const collection = freshCollection(db, 'lazy-aggregate')
    await seed(collection, { a: { v: 1 }, b: { v: 2 } })
    await db.runTransaction(async (t) => {
      const count = await t.get(collection.count())
      t.set(collection.doc('count'), { n: count.data().count })
    })
    expect((await collection.doc('count').get()).get('n')).toBe(2)
  })

  it('transaction.getAll returns snapshots in order, missing ones included, honouring fieldMask', async () => {
    const collection = freshCollection(db, 'tx-getall')
    await seed(collection, { a: { x: 1, y: 1 }, b: { x: 2, y: 2 } })
    const data = await db.runTransaction(async (t) => {
      const snaps = await t.getAll(collection.doc('b'), collection.doc('missing'), collection.doc('a'), { fieldMask: ['x'] })
      return snaps.map((s) => [s.id, s.exists, s.data()])
    })
    expect(data).toEqual([['b', true, { x: 2 }], ['missing', false, undefined], ['a', true, { x: 1 }]])
  })
})

describe('failed transactions', () => {
  it('an error thrown by the callback rolls back: nothing is written', async () => {
    const collection = freshCollection(db, 'tx-rollback')
    await collection.doc('a').set({ v: 1 })
    await expect(
      db.runTransaction(async (t) => {
        await t.get(collection.doc('a'))
        t.set(collection.doc('a'), { v: 2 })
        t.set(collection.doc('b'), { v: 2 })
        throw new AppError('changed my mind')
      }),
    ).rejects.toBeInstanceOf(AppError)
    expect((await collection.doc('a').get()).get('v')).toBe(1)
    expect((await collection.doc('b').get()).exists).toBe(false)
    // The rolled-back transaction left no lock behind: a plain write goes through.
    await collection.doc('a').set({ v: 3 })
    expect((await collection.doc('a').get()).get('v')).toBe(3)
  })

  it('transaction.create of an existing document fails with ALREADY_EXISTS and writes nothing', async () => {
    const collection = freshCollection(db, 'tx-create')
    await collection.doc('a').set({ v: 1 })
    await expectCode(
      db.runTransaction(async (t) => {
        t.set(collection.doc('b'), { v: 1 })
        t.create(collection.doc('a'), { v: 2 })
      }),
      GrpcStatus.ALREADY_EXISTS,
    )
    expect((await collection.doc('a').get()).get('v')).toBe(1)
    expect((await collection.doc('b').get()).exists).toBe(false)
  })

  it('transaction.update of a missing document fails with NOT_FOUND', async () => {
    const ref = freshCollection(db, 'tx-update-missing').doc('d')
    await expectCode(
      db.runTransaction(async (t) => {
        await t.get(ref)
        t.update(ref, { v: 1 })
      }),
      GrpcStatus.NOT_FOUND,
    )
    expect((await ref.get()).exists).toBe(false)
  })
})

describe('read-only transactions', () => {
  it('read documents and queries', async () => {
    const collection = freshCollection(db, 'ro')
    await seed(collection, { a: { v: 1 }, b: { v: 2 } })
    const result = await db.runTransaction(
      async (t) => {
        const a = await t.get(collection.doc('a'))
        const all = await t.get(collection.orderBy('v', 'desc'))
        return { a: a.get('v') as number, ids: all.docs.map((d) => d.id) }
      },
      { readOnly: true },
    )
    expect(result).toEqual({ a: 1, ids: ['b', 'a'] })
  })

  it('with a readTime, read the documents and query results of that time', async () => {
    const collection = freshCollection(db, 'ro-readtime')
    const ref = collection.doc('d')
    const first = await ref.set({ v: 'old' })
    await ref.set({ v: 'new' })
    await collection.doc('later').set({ v: 'later' })
    await collection.doc('other').set({ v: 'other' })
    await collection.doc('other').delete()
    const readTime: Timestamp = first.writeTime
    const past = await db.runTransaction(
      async (t) => {
        const doc = await t.get(ref)
        const all = await t.get(collection)
        const [later] = await t.getAll(collection.doc('later'))
        return { v: doc.get('v') as string, updateTime: doc.updateTime, ids: all.docs.map((d) => d.id), laterExists: later!.exists }
      },
      { readOnly: true, readTime },
    )
    expect(past.v).toBe('old')
    expect(past.updateTime?.isEqual(first.writeTime)).toBe(true)
    expect(past.ids).toEqual(['d'])
    expect(past.laterExists).toBe(false)
    expect((await ref.get()).get('v')).toBe('new')
  })

  it('with a readTime, see a document deleted since as it was', async () => {
    const ref = freshCollection(db, 'ro-deleted').doc('d')
    const written = await ref.set({ v: 1 })
    await ref.delete()
    const v = await db.runTransaction(async (t) => (await t.get(ref)).get('v') as number | undefined, { readOnly: true, readTime: written.writeTime })
    expect(v).toBe(1)
  })

  it('do not conflict with concurrent writers', async () => {
    const ref = freshCollection(db, 'ro-concurrent').doc('d')
    await ref.set({ v: 1 })
    const seen = await db.runTransaction(
      async (t) => {
        const before = (await t.get(ref)).get('v') as number
        await others[2]!.doc(ref.path).set({ v: 2 })
        return before
      },
      { readOnly: true },
    )
    expect(seen).toBe(1)
    expect((await ref.get()).get('v')).toBe(2)
  })
})
