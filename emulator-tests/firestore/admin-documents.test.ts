import { afterAll, describe, expect, it } from 'vitest'
import { FieldPath, FieldValue, GeoPoint, GrpcStatus, Timestamp, type DocumentData, type Firestore } from 'firebase-admin/firestore'
import { Clients, uniqueProjectId } from '../support/clients.js'
import { expectCode, freshCollection, seed } from '../support/admin-helpers.js'

const clients = new Clients(uniqueProjectId())
afterAll(() => clients.close())
const db = clients.admin()

/** An Admin SDK instance reading integers as BigInt (doubles stay numbers), to tell the two apart. */
function bigIntDb(): Firestore {
  const instance = clients.admin()
  instance.settings({ useBigInt: true })
  return instance
}

/** Asserts two timestamps lie within `ms` of each other (server times are not the client's clock). */
function expectNear(actual: Timestamp, expected: Timestamp, ms = 2_000): void {
  expect(Math.abs(actual.toMillis() - expected.toMillis())).toBeLessThanOrEqual(ms)
}

const INT64_MAX = 2n ** 63n - 1n
const INT64_MIN = -(2n ** 63n)

describe('set, update and delete', () => {
  it('set replaces the whole document and get returns exactly what was written', async () => {
    const ref = freshCollection(db, 'set').doc('d')
    await ref.set({ a: 1, b: { c: 'x' }, gone: true })
    await ref.set({ a: 2, b: { d: 'y' } })
    const snap = await ref.get()
    expect(snap.exists).toBe(true)
    expect(snap.data()).toEqual({ a: 2, b: { d: 'y' } })
  })

  it('set with merge deep-merges maps and creates a missing document', async () => {
    const ref = freshCollection(db, 'merge').doc('d')
    await ref.set({ m: { x: 1, y: { z: 1 } }, keep: 'k' }, { merge: true })
    await ref.set({ m: { y: { w: 2 } }, added: true, keep: FieldValue.delete() }, { merge: true })
    expect((await ref.get()).data()).toEqual({ m: { x: 1, y: { z: 1, w: 2 } }, added: true })
  })

  it('set with mergeFields writes only the listed fields, by string or FieldPath', async () => {
    const ref = freshCollection(db, 'mergefields').doc('d')
    await ref.set({ a: 0, b: 0, c: { d: 0, e: 9 }, 'dotted.key': 0 })
    await ref.set(
      { a: 1, b: 1, c: { d: 3, e: 4 }, 'dotted.key': 5 },
      { mergeFields: ['a', 'c.d', new FieldPath('dotted.key')] },
    )
    expect((await ref.get()).data()).toEqual({ a: 1, b: 0, c: { d: 3, e: 9 }, 'dotted.key': 5 })
  })

  it('set with mergeFields naming a field absent from the data deletes it', async () => {
    const ref = freshCollection(db, 'mergefields-delete').doc('d')
    await ref.set({ a: 1, b: 2 })
    await ref.set({ a: 3, b: FieldValue.delete() }, { mergeFields: ['a', 'b'] })
    expect((await ref.get()).data()).toEqual({ a: 3 })
  })

  it('update with dotted paths changes nested fields and leaves their siblings', async () => {
    const ref = freshCollection(db, 'update').doc('d')
    await ref.set({ m: { a: 1, b: 2 }, top: 'x' })
    await ref.update({ 'm.a': 10, 'm.n.deep': true })
    expect((await ref.get()).data()).toEqual({ m: { a: 10, b: 2, n: { deep: true } }, top: 'x' })
  })

  it('update with a map value replaces the whole map', async () => {
    const ref = freshCollection(db, 'update-map').doc('d')
    await ref.set({ m: { a: 1, b: 2 } })
    await ref.update({ m: { c: 3 } })
    expect((await ref.get()).data()).toEqual({ m: { c: 3 } })
  })

  it('update with FieldPath objects addresses field names containing dots and special characters', async () => {
    const ref = freshCollection(db, 'update-fieldpath').doc('d')
    await ref.set({ 'a.b': { c: 1 }, a: { b: 'nested' } })
    await ref.update(new FieldPath('a.b', 'c'), 2, new FieldPath('sp ace', '`tick`'), 'q')
    expect((await ref.get()).data()).toEqual({ 'a.b': { c: 2 }, a: { b: 'nested' }, 'sp ace': { '`tick`': 'q' } })
    expect((await ref.get()).get(new FieldPath('sp ace', '`tick`'))).toBe('q')
  })

  it('FieldValue.delete removes top-level and nested fields in update', async () => {
    const ref = freshCollection(db, 'delete-field').doc('d')
    await ref.set({ a: 1, m: { x: 1, y: 2 }, z: 0 })
    await ref.update({ a: FieldValue.delete(), 'm.x': FieldValue.delete(), missing: FieldValue.delete() })
    expect((await ref.get()).data()).toEqual({ m: { y: 2 }, z: 0 })
  })

  it('deleting the last field of a map leaves an empty map; a transform on a new nested path creates the maps', async () => {
    const ref = freshCollection(db, 'empty-map').doc('d')
    await ref.set({ m: { x: 1 } })
    await ref.update({ 'm.x': FieldValue.delete(), 'q.r.s': FieldValue.increment(2) })
    expect((await ref.get()).data()).toEqual({ m: {}, q: { r: { s: 2 } } })
  })

  it('an update made only of transforms fails with NOT_FOUND on a missing document', async () => {
    const ref = freshCollection(db, 'transform-missing').doc('d')
    await expectCode(ref.update({ n: FieldValue.increment(1) }), GrpcStatus.NOT_FOUND)
    expect((await ref.get()).exists).toBe(false)
  })

  it('create fails with ALREADY_EXISTS on an existing document and leaves it unchanged', async () => {
    const ref = freshCollection(db, 'create').doc('d')
    await ref.create({ v: 1 })
    await expectCode(ref.create({ v: 2 }), GrpcStatus.ALREADY_EXISTS)
    expect((await ref.get()).data()).toEqual({ v: 1 })
  })

  it('update on a missing document fails with NOT_FOUND and creates nothing', async () => {
    const ref = freshCollection(db, 'update-missing').doc('d')
    await expectCode(ref.update({ v: 1 }), GrpcStatus.NOT_FOUND)
    expect((await ref.get()).exists).toBe(false)
  })

  it('delete of a missing document succeeds, but not with an exists precondition', async () => {
    const ref = freshCollection(db, 'delete-missing').doc('d')
    await ref.delete()
    await expectCode(ref.delete({ exists: true }), GrpcStatus.NOT_FOUND)
  })

  it('delete with a lastUpdateTime precondition fails with FAILED_PRECONDITION on mismatch and succeeds on match', async () => {
    const ref = freshCollection(db, 'delete-precondition').doc('d')
    const first = await ref.set({ v: 1 })
    const second = await ref.set({ v: 2 })
    await expectCode(ref.delete({ lastUpdateTime: first.writeTime }), GrpcStatus.FAILED_PRECONDITION)
    expect((await ref.get()).data()).toEqual({ v: 2 })
    await ref.delete({ lastUpdateTime: second.writeTime })
    expect((await ref.get()).exists).toBe(false)
  })

  it('update with a lastUpdateTime precondition applies only against the current version', async () => {
    const ref = freshCollection(db, 'update-precondition').doc('d')
    const first = await ref.set({ v: 1 })
    const second = await ref.update({ v: 2 }, { lastUpdateTime: first.writeTime })
    await expectCode(ref.update({ v: 3 }, { lastUpdateTime: first.writeTime }), GrpcStatus.FAILED_PRECONDITION)
    expect((await ref.get()).data()).toEqual({ v: 2 })
    await ref.update({ v: 4 }, { lastUpdateTime: second.writeTime })
    expect((await ref.get()).data()).toEqual({ v: 4 })
  })
})

describe('write and snapshot times', () => {
  it('a created document has createTime == updateTime == writeTime, and readTime not before them', async () => {
    const ref = freshCollection(db, 'times').doc('d')
    const result = await ref.create({ v: 1 })
    const snap = await ref.get()
    expect(snap.createTime?.isEqual(result.writeTime)).toBe(true)
    expect(snap.updateTime?.isEqual(result.writeTime)).toBe(true)
    expect(snap.readTime.toMillis()).toBeGreaterThanOrEqual(result.writeTime.toMillis())
  })

  it('an update keeps createTime and moves updateTime to the new write time', async () => {
    const ref = freshCollection(db, 'times-update').doc('d')
    const created = await ref.set({ v: 1 })
    const updated = await ref.update({ v: 2 })
    const snap = await ref.get()
    expect(updated.writeTime > created.writeTime).toBe(true)
    expect(snap.createTime?.isEqual(created.writeTime)).toBe(true)
    expect(snap.updateTime?.isEqual(updated.writeTime)).toBe(true)
  })

  it('a set that does not change the document keeps its previous updateTime', async () => {
    const ref = freshCollection(db, 'times-noop').doc('d')
    const first = await ref.set({ v: 1, m: { a: [1, 'x'] } })
    const again = await ref.set({ v: 1, m: { a: [1, 'x'] } })
    expect(again.writeTime.isEqual(first.writeTime)).toBe(true)
    expect((await ref.get()).updateTime?.isEqual(first.writeTime)).toBe(true)
  })

  it('deleting and re-creating a document gives it a new createTime', async () => {
    const ref = freshCollection(db, 'times-recreate').doc('d')
    const first = await ref.set({ v: 1 })
    await ref.delete()
    const second = await ref.set({ v: 1 })
    const snap = await ref.get()
    expect(second.writeTime > first.writeTime).toBe(true)
    expect(snap.createTime?.isEqual(second.writeTime)).toBe(true)
  })

  it('a missing document snapshot has a readTime but no createTime or updateTime', async () => {
    const snap = await freshCollection(db, 'times-missing').doc('nope').get()
    expect(snap.exists).toBe(false)
    expect(snap.createTime).toBeUndefined()
    expect(snap.updateTime).toBeUndefined()
    expect(snap.readTime.toMillis()).toBeGreaterThan(0)
  })
})

describe('value types', () => {
  it('every value type round-trips', async () => {
    const collection = freshCollection(db, 'types')
    const ref = collection.doc('all')
    const data: DocumentData = {
      null: null,
      true: true,
      false: false,
      int: 42,
      negative: -7,
      zero: 0,
      double: 1.5,
      tiny: 5e-324,
      huge: 1.7976931348623157e308,
      nan: NaN,
      inf: Infinity,
      negInf: -Infinity,
      string: 'héllo wörld 😀',
      empty: '',
      timestamp: new Timestamp(1_700_000_000, 123_456_000),
      beforeEpoch: new Timestamp(-86_400, 500_000_000),
      bytes: Buffer.from([0, 1, 2, 254, 255]),
      emptyBytes: Buffer.alloc(0),
      reference: collection.doc('other'),
      nestedReference: db.doc('a/b/c/d'),
      geo: new GeoPoint(-33.8688, 151.2093),
      array: [1, 'two', { three: 3 }, null, 0, true],
      emptyArray: [],
      map: { nested: { deeper: { deepest: 'x' } }, list: [{ a: 1 }] },
      emptyMap: {},
      'field with spaces': 1,
      '😀': 'emoji key',
    }
    await ref.set(data)
    const read = (await ref.get()).data()
    expect(read).toBeDefined()
    const { reference, nestedReference, timestamp, beforeEpoch, bytes, emptyBytes, geo, ...plain } = read!
    const { reference: r0, nestedReference: n0, timestamp: t0, beforeEpoch: b0, bytes: y0, emptyBytes: e0, geo: g0, ...expected } = data
    expect(plain).toEqual(expected)
    expect(reference.path).toBe(r0.path)
    expect(nestedReference.path).toBe(n0.path)
    expect((timestamp as Timestamp).isEqual(t0)).toBe(true)
    expect((beforeEpoch as Timestamp).isEqual(b0)).toBe(true)
    expect(Buffer.compare(bytes as Buffer, y0)).toBe(0)
    expect((emptyBytes as Buffer).length).toBe(e0.length)
    expect((geo as GeoPoint).isEqual(g0)).toBe(true)
    expect(Object.is(read!['zero'], 0)).toBe(true)
  })

  it('negative zero stays a double -0', async () => {
    const ref = freshCollection(db, 'types-negzero').doc('d')
    await ref.set({ z: -0 })
    expect(Object.is((await ref.get()).get('z'), -0)).toBe(true)
  })

  it('Dates are stored as timestamps with millisecond precision', async () => {
    const ref = freshCollection(db, 'types-date').doc('d')
    const date = new Date('2024-02-29T12:34:56.789Z')
    await ref.set({ when: date })
    const when = (await ref.get()).get('when') as Timestamp
    expect(when).toBeInstanceOf(Timestamp)
    expect(when.toDate().toISOString()).toBe(date.toISOString())
  })

  it('timestamps keep microseconds and drop finer precision', async () => {
    const ref = freshCollection(db, 'types-micros').doc('d')
    await ref.set({ t: new Timestamp(1_700_000_000, 123_456_789) })
    const t = (await ref.get()).get('t') as Timestamp
    expect(t.seconds).toBe(1_700_000_000)
    expect(t.nanoseconds).toBe(123_456_000)
  })

  it('64-bit integers round-trip exactly and stay integers (read with useBigInt)', async () => {
    const big = bigIntDb()
    const ref = big.collection(freshCollection(db, 'types-int64').id).doc('d')
    await ref.set({ max: INT64_MAX, min: INT64_MIN, small: 3n, double: 3.5 })
    const data = (await ref.get()).data()
    expect(data).toEqual({ max: INT64_MAX, min: INT64_MIN, small: 3n, double: 3.5 })
  })

  it('vectors round-trip', async () => {
    const ref = freshCollection(db, 'types-vector').doc('d')
    await ref.set({ embedding: FieldValue.vector([1, 2.5, -3]) })
    const read = (await ref.get()).get('embedding') as { toArray(): number[] }
    expect(read.toArray()).toEqual([1, 2.5, -3])
  })
})

describe('transforms', () => {
  it('serverTimestamp gives every field of one commit the same time, at the commit', async () => {
    const collection = freshCollection(db, 'server-ts')
    const before = Timestamp.now()
    const batch = db.batch()
    batch.set(collection.doc('a'), { at: FieldValue.serverTimestamp(), m: { at: FieldValue.serverTimestamp() }, v: 1 })
    batch.set(collection.doc('b'), { at: FieldValue.serverTimestamp() })
    const [result] = await batch.commit()
    const [a, b] = await db.getAll(collection.doc('a'), collection.doc('b'))
    const at = a!.get('at') as Timestamp
    expect(at).toBeInstanceOf(Timestamp)
    expect((a!.get('m.at') as Timestamp).isEqual(at)).toBe(true)
    expect((b!.get('at') as Timestamp).isEqual(at)).toBe(true)
    expectNear(at, result!.writeTime)
    expectNear(at, before)
  })

  it('serverTimestamp in a merge and in an update replaces only its own field', async () => {
    const ref = freshCollection(db, 'server-ts-merge').doc('d')
    await ref.set({ m: { keep: 1 }, v: 1 })
    const merged = await ref.set({ m: { at: FieldValue.serverTimestamp() } }, { merge: true })
    const updated = await ref.update({ touched: FieldValue.serverTimestamp() })
    const snap = await ref.get()
    expect(snap.get('m.keep')).toBe(1)
    expect(snap.get('v')).toBe(1)
    expectNear(snap.get('m.at') as Timestamp, merged.writeTime)
    expectNear(snap.get('touched') as Timestamp, updated.writeTime)
    expect((snap.get('touched') as Timestamp) >= (snap.get('m.at') as Timestamp)).toBe(true)
  })

  it('increment adds integers as integers and starts from the operand on a missing or non-numeric field', async () => {
    const big = bigIntDb()
    const ref = big.collection(freshCollection(db, 'increment-int').id).doc('d')
    await ref.set({ n: 1, s: 'text' })
    await ref.update({ n: FieldValue.increment(2), s: FieldValue.increment(5), fresh: FieldValue.increment(7) })
    await ref.update({ n: FieldValue.increment(-10) })
    expect((await ref.get()).data()).toEqual({ n: -7n, s: 5n, fresh: 7n })
  })

  it('increment with doubles, and mixed integer/double operands, gives doubles', async () => {
    const big = bigIntDb()
    const ref = big.collection(freshCollection(db, 'increment-double').id).doc('d')
    await ref.set({ intPlusDouble: 1, doublePlusInt: 1.5, doublePlusDouble: 0.25 })
    await ref.update({
      intPlusDouble: FieldValue.increment(0.5),
      doublePlusInt: FieldValue.increment(2),
      doublePlusDouble: FieldValue.increment(0.5),
    })
    expect((await ref.get()).data()).toEqual({ intPlusDouble: 1.5, doublePlusInt: 3.5, doublePlusDouble: 0.75 })
  })

  it('integer increment saturates at the int64 bounds', async () => {
    const big = bigIntDb()
    const ref = big.collection(freshCollection(db, 'increment-saturate').id).doc('d')
    await ref.set({ up: INT64_MAX - 5n, down: INT64_MIN + 5n })
    await ref.update({ up: FieldValue.increment(100), down: FieldValue.increment(-100) })
    expect((await ref.get()).data()).toEqual({ up: INT64_MAX, down: INT64_MIN })
  })

  it('concurrent increments all apply', async () => {
    const ref = freshCollection(db, 'increment-concurrent').doc('d')
    await ref.set({ n: 0 })
    await Promise.all(Array.from({ length: 25 }, () => ref.update({ n: FieldValue.increment(1) })))
    expect((await ref.get()).get('n')).toBe(25)
  })

  it('arrayUnion appends only missing elements and keeps existing duplicates', async () => {
    const ref = freshCollection(db, 'array-union').doc('d')
    await ref.set({ a: [1, 2, 2, { k: [1, 2] }], s: 'not an array' })
    await ref.update({
      a: FieldValue.arrayUnion(2, 3, 3, { k: [1, 2] }, { k: [2, 1] }),
      s: FieldValue.arrayUnion('x', 'x'),
      fresh: FieldValue.arrayUnion(null, null, 'y'),
    })
    expect((await ref.get()).data()).toEqual({
      a: [1, 2, 2, { k: [1, 2] }, 3, { k: [2, 1] }],
      s: ['x'],
      fresh: [null, 'y'],
    })
  })

  it('arrayRemove removes every instance of each element, nested values compared deeply', async () => {
    const ref = freshCollection(db, 'array-remove').doc('d')
    await ref.set({ a: [1, 'x', 1, { m: { n: 1 } }, { m: { n: 2 } }, 1, null], s: 'scalar' })
    await ref.update({ a: FieldValue.arrayRemove(1, { m: { n: 1 } }, null, 'absent'), s: FieldValue.arrayRemove('scalar'), fresh: FieldValue.arrayRemove(1) })
    expect((await ref.get()).data()).toEqual({ a: ['x', { m: { n: 2 } }], s: [], fresh: [] })
  })

  it('transforms combine with regular fields in one set', async () => {
    const ref = freshCollection(db, 'transform-mix').doc('d')
    await ref.set({ n: 5, tags: ['a'] })
    await ref.set({ n: FieldValue.increment(1), tags: FieldValue.arrayUnion('b'), label: 'x' }, { merge: true })
    expect((await ref.get()).data()).toEqual({ n: 6, tags: ['a', 'b'], label: 'x' })
  })
})

describe('getAll', () => {
  it('returns snapshots in request order, with missing documents as not existing', async () => {
    const collection = freshCollection(db, 'getall')
    await seed(collection, { a: { v: 'a' }, c: { v: 'c' } })
    const snaps = await db.getAll(collection.doc('c'), collection.doc('missing'), collection.doc('a'))
    expect(snaps.map((s) => [s.id, s.exists])).toEqual([['c', true], ['missing', false], ['a', true]])
    expect(snaps[0]!.data()).toEqual({ v: 'c' })
    expect(snaps[1]!.data()).toBeUndefined()
  })

  it('applies a fieldMask of strings and FieldPaths', async () => {
    const collection = freshCollection(db, 'getall-mask')
    await seed(collection, { a: { x: 1, y: 2, m: { p: 1, q: 2 }, 'dot.ted': 3 } })
    const [snap] = await db.getAll(collection.doc('a'), { fieldMask: ['x', 'm.q', new FieldPath('dot.ted'), 'nonexistent'] })
    expect(snap!.data()).toEqual({ x: 1, m: { q: 2 }, 'dot.ted': 3 })
  })
})

describe('batches', () => {
  it('applies all writes of a batch at one commit time', async () => {
    const collection = freshCollection(db, 'batch')
    await collection.doc('u').set({ v: 0 })
    await collection.doc('del').set({ v: 0 })
    const batch = db.batch()
    batch.set(collection.doc('s'), { v: 1 })
    batch.update(collection.doc('u'), { v: 1 })
    batch.create(collection.doc('c'), { v: 1 })
    batch.delete(collection.doc('del'))
    const results = await batch.commit()
    expect(results).toHaveLength(4)
    const snaps = await db.getAll(collection.doc('s'), collection.doc('u'), collection.doc('c'), collection.doc('del'))
    expect(snaps.map((s) => s.get('v'))).toEqual([1, 1, 1, undefined])
    for (const snap of snaps.slice(0, 3)) expect(snap.updateTime?.isEqual(results[0]!.writeTime)).toBe(true)
  })

  it('applies several writes to one document in order', async () => {
    const ref = freshCollection(db, 'batch-same-doc').doc('d')
    const batch = db.batch()
    batch.set(ref, { a: 1, b: 1 })
    batch.update(ref, { b: 2, c: FieldValue.increment(3) })
    batch.set(ref, { d: 4 }, { merge: true })
    await batch.commit()
    expect((await ref.get()).data()).toEqual({ a: 1, b: 2, c: 3, d: 4 })
  })

  it('a batch with a failing create applies nothing', async () => {
    const collection = freshCollection(db, 'batch-atomic')
    await seed(collection, { existing: { v: 'original' }, other: { v: 'original' } })
    const batch = db.batch()
    batch.set(collection.doc('new'), { v: 1 })
    batch.update(collection.doc('other'), { v: 'changed' })
    batch.create(collection.doc('existing'), { v: 2 })
    await expectCode(batch.commit(), GrpcStatus.ALREADY_EXISTS)
    const snaps = await db.getAll(collection.doc('new'), collection.doc('other'), collection.doc('existing'))
    expect(snaps.map((s) => s.get('v'))).toEqual([undefined, 'original', 'original'])
  })

  it('a batch with an update of a missing document applies nothing', async () => {
    const collection = freshCollection(db, 'batch-atomic-update')
    const batch = db.batch()
    batch.set(collection.doc('a'), { v: 1 })
    batch.update(collection.doc('missing'), { v: 1 })
    await expectCode(batch.commit(), GrpcStatus.NOT_FOUND)
    expect((await collection.doc('a').get()).exists).toBe(false)
  })
})

describe('limits and invalid writes', () => {
  it('rejects a document larger than 1 MiB with INVALID_ARGUMENT', async () => {
    const ref = freshCollection(db, 'too-big').doc('d')
    await expectCode(ref.set({ blob: 'x'.repeat(1_048_576) }), GrpcStatus.INVALID_ARGUMENT)
    expect((await ref.get()).exists).toBe(false)
  })

  it('accepts a document just under 1 MiB', async () => {
    const ref = freshCollection(db, 'big').doc('d')
    await ref.set({ blob: 'x'.repeat(1_000_000) })
    expect(((await ref.get()).get('blob') as string).length).toBe(1_000_000)
  })

  // Firestore lifted the 500-writes-per-commit limit in March 2023 (release notes, 2023-03-29):
  // only the request size limit remains.
  it('accepts a batch of more than 500 writes', async () => {
    const collection = freshCollection(db, 'batch-501')
    const batch = db.batch()
    for (let i = 0; i < 501; i++) batch.set(collection.doc(`d${i}`), { i })
    const results = await batch.commit()
    expect(results).toHaveLength(501)
    expect((await collection.count().get()).data().count).toBe(501)
  })

  it('accepts a commit of 9 MB', async () => {
    const collection = freshCollection(db, 'commit-big')
    const batch = db.batch()
    const blob = 'z'.repeat(1_000_000)
    for (let i = 0; i < 9; i++) batch.set(collection.doc(`d${i}`), { blob })
    await batch.commit()
    expect((await collection.count().get()).data().count).toBe(9)
  })

  it('rejects a commit larger than 10 MiB with INVALID_ARGUMENT', async () => {
    const collection = freshCollection(db, 'commit-too-big')
    const batch = db.batch()
    const blob = 'y'.repeat(1_000_000)
    for (let i = 0; i < 11; i++) batch.set(collection.doc(`d${i}`), { blob })
    await expectCode(batch.commit(), GrpcStatus.INVALID_ARGUMENT)
    expect((await collection.limit(1).get()).size).toBe(0)
  })

  it('rejects reserved __x__ field names, top-level and nested', async () => {
    const collection = freshCollection(db, 'reserved')
    await expectCode(collection.doc('a').set({ __reserved__: 1 }), GrpcStatus.INVALID_ARGUMENT)
    await expectCode(collection.doc('b').set({ m: { __inner__: 1 } }), GrpcStatus.INVALID_ARGUMENT)
    await expectCode(collection.doc('c').set({ ok: 1 }).then(() => collection.doc('c').update({ __x__: 1 })), GrpcStatus.INVALID_ARGUMENT)
    expect((await collection.doc('c').get()).data()).toEqual({ ok: 1 })
  })

  it('rejects reserved field names in maps inside arrays', async () => {
    const ref = freshCollection(db, 'reserved-array').doc('d')
    await expectCode(ref.set({ list: [{ ok: 1 }, { __x__: 1 }] }), GrpcStatus.INVALID_ARGUMENT)
    expect((await ref.get()).exists).toBe(false)
  })

  it('rejects field paths longer than 1,500 bytes, nested, in arrays or through update', async () => {
    const collection = freshCollection(db, 'long-path')
    await collection.doc('ok').set({ ['a'.repeat(1500)]: 1, ['é'.repeat(750)]: 2 })
    await expectCode(collection.doc('top').set({ ['a'.repeat(1501)]: 1 }), GrpcStatus.INVALID_ARGUMENT)
    await expectCode(collection.doc('multibyte').set({ ['é'.repeat(750) + 'a']: 1 }), GrpcStatus.INVALID_ARGUMENT)
    await expectCode(collection.doc('nested').set({ m: { ['a'.repeat(1000)]: { ['b'.repeat(600)]: 1 } } }), GrpcStatus.INVALID_ARGUMENT)
    await expectCode(collection.doc('array').set({ list: [{ ['c'.repeat(1501)]: 1 }] }), GrpcStatus.INVALID_ARGUMENT)
    await expectCode(collection.doc('ok').update(new FieldPath('d'.repeat(1501)), 1), GrpcStatus.INVALID_ARGUMENT)
    expect((await collection.get()).docs.map((d) => d.id)).toEqual(['ok'])
  })

  it('accepts field names that merely contain double underscores', async () => {
    const ref = freshCollection(db, 'underscores').doc('d')
    await ref.set({ __a: 1, b__: 2, __: 3, _x_: 4 })
    expect((await ref.get()).data()).toEqual({ __a: 1, b__: 2, __: 3, _x_: 4 })
  })

  it('rejects reserved __x__ document IDs', async () => {
    const collection = freshCollection(db, 'reserved-id')
    await expectCode(collection.doc('__id__').set({ v: 1 }), GrpcStatus.INVALID_ARGUMENT)
  })
})

describe('BulkWriter', () => {
  it('reports success and failure per write', async () => {
    const collection = freshCollection(db, 'bulk')
    await seed(collection, { existing: { v: 0 }, toDelete: { v: 0 } })
    const writer = db.bulkWriter()
    writer.onWriteError(() => false)
    const settled = Promise.allSettled([
      writer.create(collection.doc('existing'), { v: 1 }),
      writer.set(collection.doc('s'), { v: 1 }),
      writer.update(collection.doc('missing'), { v: 1 }),
      writer.update(collection.doc('existing'), { v: 2 }),
      writer.delete(collection.doc('toDelete')),
      writer.create(collection.doc('c'), { v: 1 }),
    ])
    await writer.close()
    const outcomes = await settled
    const codes = outcomes.map((o) => (o.status === 'fulfilled' ? 'ok' : (o.reason as { code: number }).code))
    expect(codes).toEqual([GrpcStatus.ALREADY_EXISTS, 'ok', GrpcStatus.NOT_FOUND, 'ok', 'ok', 'ok'])
    const fulfilled = outcomes[1]!
    expect(fulfilled.status === 'fulfilled' && fulfilled.value.writeTime.toMillis() > 0).toBe(true)
    const snaps = await db.getAll(collection.doc('existing'), collection.doc('s'), collection.doc('missing'), collection.doc('toDelete'), collection.doc('c'))
    expect(snaps.map((s) => s.get('v'))).toEqual([2, 1, undefined, undefined, 1])
  })

  it('writes many documents', async () => {
    const collection = freshCollection(db, 'bulk-many')
    const writer = db.bulkWriter()
    const writes = Array.from({ length: 120 }, (_, i) => writer.set(collection.doc(`d${String(i).padStart(3, '0')}`), { i }))
    await writer.close()
    await Promise.all(writes)
    const snap = await collection.orderBy('i').get()
    expect(snap.size).toBe(120)
    expect(snap.docs.at(-1)!.get('i')).toBe(119)
  })
})

describe('listing documents and collections', () => {
  it('listDocuments includes missing documents that only have subcollections', async () => {
    const collection = freshCollection(db, 'list')
    await seed(collection, { a: { v: 1 }, b: { v: 2 } })
    await collection.doc('phantom').collection('sub').doc('x').set({ v: 3 })
    await collection.doc('deleted').set({ v: 4 })
    await collection.doc('deleted').delete()
    const refs = await collection.listDocuments()
    expect(refs.map((r) => r.id).sort()).toEqual(['a', 'b', 'phantom'])
    const phantom = await collection.doc('phantom').get()
    expect(phantom.exists).toBe(false)
  })

  it('document IDs with spaces, punctuation and non-ASCII characters round-trip everywhere', async () => {
    const collection = freshCollection(db, 'odd-ids')
    const odd = ['😀 smile', 'dots.and-dashes', 'ünïcödé', '#hash?q=1&x', 'back`tick']
    await seed(collection, Object.fromEntries(odd.map((id, i) => [id, { i }])))
    expect((await collection.listDocuments()).map((r) => r.id).sort()).toEqual([...odd].sort())
    const snap = await collection.orderBy('i').get()
    expect(snap.docs.map((d) => d.id)).toEqual(odd)
    expect((await collection.doc(odd[0]!).get()).get('i')).toBe(0)
    const byId = await collection.where(FieldPath.documentId(), 'in', [odd[1]!, odd[4]!]).get()
    expect(byId.docs.map((d) => d.id).sort()).toEqual([odd[4]!, odd[1]!].sort())
  })

  it('listCollections lists the root collections and a document\'s subcollections', async () => {
    const isolated = new Clients(uniqueProjectId())
    try {
      const other = isolated.admin()
      await other.doc('alpha/a').set({ v: 1 })
      await other.doc('beta/b/gamma/g').set({ v: 1 })
      await other.doc('beta/b/delta/d/epsilon/e').set({ v: 1 })
      const root = await other.listCollections()
      expect(root.map((c) => c.id).sort()).toEqual(['alpha', 'beta'])
      const sub = await other.doc('beta/b').listCollections()
      expect(sub.map((c) => c.id).sort()).toEqual(['delta', 'gamma'])
      expect(sub.find((c) => c.id === 'gamma')!.path).toBe('beta/b/gamma')
      expect(await other.doc('alpha/a').listCollections()).toEqual([])
    } finally {
      await isolated.close()
    }
  })
})

describe('recursiveDelete', () => {
  it('deletes a document with all its nested subcollections and leaves its siblings', async () => {
    const collection = freshCollection(db, 'recursive')
    await collection.doc('keep').set({ v: 1 })
    await collection.doc('keep').collection('sub').doc('k').set({ v: 1 })
    const target = collection.doc('target')
    await target.set({ v: 1 })
    await target.collection('sub').doc('s1').set({ v: 1 })
    await target.collection('sub').doc('s1').collection('deeper').doc('d1').set({ v: 1 })
    await target.collection('other').doc('o1').set({ v: 1 })
    await db.recursiveDelete(target)
    expect((await target.get()).exists).toBe(false)
    expect(await target.listCollections()).toEqual([])
    expect((await target.collection('sub').doc('s1').collection('deeper').get()).size).toBe(0)
    expect((await collection.doc('keep').collection('sub').get()).size).toBe(1)
    expect((await collection.get()).docs.map((d) => d.id)).toEqual(['keep'])
  })

  it('deletes a whole collection including missing documents\' subcollections', async () => {
    const collection = freshCollection(db, 'recursive-coll')
    await seed(collection, { a: { v: 1 }, b: { v: 2 } })
    await collection.doc('phantom').collection('sub').doc('x').set({ v: 3 })
    await db.recursiveDelete(collection)
    expect(await collection.listDocuments()).toEqual([])
    expect((await collection.doc('phantom').collection('sub').get()).size).toBe(0)
  })

  it('deletes a subcollection (IDs of every kind) and leaves its parent and the parent\'s other collections', async () => {
    // The SDK queries the parent's descendants from `sub/__id-9223372036854775808__` (a numeric ID,
    // below every other) to `sub\0/__id-9223372036854775808__`, and does not delete the parent.
    const parent = freshCollection(db, 'recursive-sub').doc('parent')
    await parent.set({ v: 1 })
    const ids = ['0', 'A1', 'Zed', '_x', 'a', '~']
    for (const id of ids) await parent.collection('sub').doc(id).set({ v: 1 })
    await parent.collection('sub').doc('Gone').collection('deeper').doc('D').set({ v: 1 })
    await parent.collection('subX').doc('keep').set({ v: 1 })
    await parent.collection('other').doc('A').set({ v: 1 })
    const seen: string[] = []
    const deleter = db.bulkWriter({ throttling: false })
    deleter.onWriteResult((ref) => seen.push(ref.path))
    await db.recursiveDelete(parent.collection('sub'), deleter)
    await deleter.close()
    expect(seen.sort()).toEqual([...ids.map((id) => `${parent.path}/sub/${id}`), `${parent.path}/sub/Gone/deeper/D`].sort())
    expect((await parent.get()).exists).toBe(true)
    expect((await parent.listCollections()).map((c) => c.id).sort()).toEqual(['other', 'subX'])
  })

  it('deletes the descendants of a document that no longer exists, over more than one query page', async () => {
    // The SDK reads descendants 5,000 at a time (a kind-less allDescendants query below the
    // document, names only), then resumes after the last one it read.
    const collection = freshCollection(db, 'recursive-gone')
    const target = collection.doc('target')
    const writer = db.bulkWriter({ throttling: false })
    const count = 5_100
    const below = [target.collection('a'), target.collection('b').doc('gen').collection('c'), target.collection('zz')]
    for (let i = 0; i < count; i++) void writer.set(below[i % 3]!.doc(String(i)), { i })
    // A sibling whose ID has the target's as a prefix, and the target's parent collection's other document.
    void writer.set(collection.doc('target2').collection('a').doc('keep'), { v: 1 })
    void writer.set(collection.doc('other'), { v: 1 })
    await writer.close()
    const seen: string[] = []
    const deleter = db.bulkWriter({ throttling: false })
    deleter.onWriteResult((ref) => seen.push(ref.path))
    await db.recursiveDelete(target, deleter)
    await deleter.close()
    // Every descendant once, and the target itself (already absent).
    expect(seen).toHaveLength(count + 1)
    expect(new Set(seen).size).toBe(count + 1)
    expect(seen).toContain(target.path)
    expect(await target.listCollections()).toEqual([])
    expect((await collection.doc('target2').collection('a').get()).size).toBe(1)
    expect((await collection.doc('other').get()).exists).toBe(true)
  })
})

describe('partitioned collection group queries', () => {
  it('getPartitions yields partitions whose queries together return every document once', async () => {
    const group = freshCollection(db, 'partition').id
    const paths: string[] = []
    const batch = db.batch()
    for (let i = 0; i < 40; i++) {
      const ref = db.collection(i % 2 === 0 ? group : `parents/p${i % 5}/${group}`).doc(`d${i}`)
      paths.push(ref.path)
      batch.set(ref, { i })
    }
    await batch.commit()
    const partitions = []
    for await (const partition of db.collectionGroup(group).getPartitions(4)) partitions.push(partition)
    expect(partitions.length).toBeGreaterThanOrEqual(1)
    expect(partitions.length).toBeLessThanOrEqual(4)
    const seen: string[] = []
    for (const partition of partitions) {
      const snap = await partition.toQuery().get()
      seen.push(...snap.docs.map((d) => d.ref.path))
    }
    expect(seen.sort()).toEqual(paths.sort())
  })
})
