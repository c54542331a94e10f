import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  AggregateField,
  FieldPath,
  FieldValue,
  Filter,
  GeoPoint,
  GrpcStatus,
  Timestamp,
  type CollectionReference,
  type DocumentData,
  type Query,
  type QueryDocumentSnapshot,
} from 'firebase-admin/firestore'
import { Clients, uniqueProjectId } from '../support/clients.js'
import { expectCode, freshCollection, queryIds, seed } from '../support/admin-helpers.js'

const clients = new Clients(uniqueProjectId())
afterAll(() => clients.close())
const db = clients.admin()

/**
 * An instance for queries that fail: by default google-gax wraps server-streaming calls in
 * retry-request, which resends a request that failed before any response twice, with
 * seconds of backoff, whatever the error code (against any emulator, ours or Google's).
 * gaxServerStreamingRetries retries only the method's retryable codes, so INVALID_ARGUMENT
 * arrives at once.
 */
const failing = clients.admin()
failing.settings({ gaxServerStreamingRetries: true })

/** A fresh collection seeded with `docs`, ready before the describe's tests run. */
function seededCollection(prefix: string, docs: Record<string, DocumentData>): () => CollectionReference {
  const collection = freshCollection(db, prefix)
  beforeAll(() => seed(collection, docs))
  return () => collection
}

describe('filter operators', () => {
  const items = seededCollection('ops', {
    a: { n: 1, s: 'a', tags: ['x', 'y'], b: true },
    b: { n: 2, s: 'b', tags: ['y'], b: false },
    c: { n: 3, s: 'c', tags: [] },
    d: { n: 2.5, s: 'd', tags: [1] },
    e: { n: null, s: 'e' },
    f: { n: 'text' },
    g: { other: 1 },
  })

  it('== matches equal values of the same type only', async () => {
    expect(await queryIds(items().where('n', '==', 2))).toEqual(['b'])
    expect(await queryIds(items().where('n', '==', 'text'))).toEqual(['f'])
    expect(await queryIds(items().where('b', '==', false))).toEqual(['b'])
  })

  it('== null matches null values, not missing fields', async () => {
    expect(await queryIds(items().where('n', '==', null))).toEqual(['e'])
  })

  it('!= matches existing, non-null, unequal values of any type, ordered by the field', async () => {
    expect(await queryIds(items().where('n', '!=', 2))).toEqual(['a', 'd', 'c', 'f'])
  })

  it('!= null matches every document whose field is set to a non-null value', async () => {
    expect(await queryIds(items().where('n', '!=', null))).toEqual(['a', 'b', 'd', 'c', 'f'])
  })

  it('range operators only match values of the operand type', async () => {
    expect(await queryIds(items().where('n', '<', 2.5))).toEqual(['a', 'b'])
    expect(await queryIds(items().where('n', '<=', 2.5))).toEqual(['a', 'b', 'd'])
    expect(await queryIds(items().where('n', '>', 2))).toEqual(['d', 'c'])
    expect(await queryIds(items().where('n', '>=', 2))).toEqual(['b', 'd', 'c'])
    expect(await queryIds(items().where('n', '>=', ''))).toEqual(['f'])
  })

  it('range on strings, bounded on both sides', async () => {
    expect(await queryIds(items().where('s', '>=', 'b').where('s', '<', 'd'))).toEqual(['b', 'c'])
  })

  it('in matches any listed value, of any type', async () => {
    expect(await queryIds(items().where('n', 'in', [1, 3, 'text', 99]))).toEqual(['a', 'c', 'f'])
  })

  it('not-in excludes the listed values, nulls and missing fields', async () => {
    expect(await queryIds(items().where('n', 'not-in', [1, 2]))).toEqual(['d', 'c', 'f'])
  })

  it('array-contains and array-contains-any match array elements', async () => {
    expect(await queryIds(items().where('tags', 'array-contains', 'y'))).toEqual(['a', 'b'])
    expect(await queryIds(items().where('tags', 'array-contains', 1))).toEqual(['d'])
    expect(await queryIds(items().where('tags', 'array-contains-any', ['x', 1, 'zzz']))).toEqual(['a', 'd'])
  })

  it('array-contains does not match a scalar field equal to the operand', async () => {
    expect(await queryIds(items().where('s', 'array-contains', 'a'))).toEqual([])
  })

  it('in with an array value matches whole arrays', async () => {
    expect(await queryIds(items().where('tags', 'in', [['y'], []]))).toEqual(['b', 'c'])
  })

  it('equality and range filters combine', async () => {
    expect(await queryIds(items().where('tags', 'array-contains', 'y').where('n', '>', 1))).toEqual(['b'])
  })

  it('filters on nested fields and on field names that need quoting', async () => {
    const collection = freshCollection(db, 'nested-filter')
    await seed(collection, {
      a: { m: { k: 1 }, 'dot.ted': 'x', 'sp ace': { '`q`': true } },
      b: { m: { k: 2 }, 'dot.ted': 'y' },
    })
    expect(await queryIds(collection.where('m.k', '>', 1))).toEqual(['b'])
    expect(await queryIds(collection.where(new FieldPath('dot.ted'), '==', 'x'))).toEqual(['a'])
    expect(await queryIds(collection.where(new FieldPath('sp ace', '`q`'), '==', true))).toEqual(['a'])
    expect(await queryIds(collection.orderBy(new FieldPath('dot.ted'), 'desc'))).toEqual(['b', 'a'])
    expect(await queryIds(collection.where('m', '==', { k: 2 }))).toEqual(['b'])
  })

  it('range filters on two different fields combine', async () => {
    expect(await queryIds(items().where('n', '>=', 1).where('s', '<', 'c'))).toEqual(['a', 'b'])
  })
})

describe('composite filters', () => {
  const items = seededCollection('or', {
    a: { n: 1, s: 'a', tags: ['x'] },
    b: { n: 2, s: 'b', tags: ['y'] },
    c: { n: 3, s: 'c', tags: ['x', 'y'] },
    d: { n: 4, s: 'd' },
  })

  it('Filter.or matches documents passing any branch', async () => {
    const query = items().where(Filter.or(Filter.where('n', '==', 1), Filter.where('s', '==', 'd')))
    expect(await queryIds(query)).toEqual(['a', 'd'])
  })

  it('Filter.or of ranges and array-contains', async () => {
    const query = items().where(Filter.or(Filter.and(Filter.where('n', '>=', 2), Filter.where('n', '<', 3)), Filter.where('tags', 'array-contains', 'x')))
    expect(await queryIds(query)).toEqual(['a', 'b', 'c'])
  })

  it('Filter.and of Filter.or groups', async () => {
    const query = items().where(
      Filter.and(Filter.or(Filter.where('n', '==', 1), Filter.where('n', '==', 3)), Filter.or(Filter.where('s', '==', 'c'), Filter.where('s', '==', 'd'))),
    )
    expect(await queryIds(query)).toEqual(['c'])
  })

  it('Filter.or nested three levels deep, combined with orderBy', async () => {
    const query = items()
      .where(Filter.or(Filter.where('n', '==', 4), Filter.and(Filter.where('tags', 'array-contains', 'y'), Filter.or(Filter.where('n', '==', 2), Filter.where('s', '==', 'c')))))
      .orderBy('n', 'desc')
    expect(await queryIds(query)).toEqual(['d', 'c', 'b'])
  })

  it('Filter.or with in and array-contains-any branches', async () => {
    const query = items().where(Filter.or(Filter.where('n', 'in', [1, 4]), Filter.where('tags', 'array-contains-any', ['y'])))
    expect(await queryIds(query)).toEqual(['a', 'b', 'c', 'd'])
  })
})

describe('ordering, limits and projections', () => {
  const items = seededCollection('order', {
    a: { n: 3, s: 'x', m: { p: 1, q: 2 }, extra: true },
    b: { n: 1, s: 'y', m: { p: 2 } },
    c: { n: 2, s: 'x' },
    d: { n: 2, s: 'z' },
    e: { s: 'no n' },
  })

  it('without orderBy, results come in document key order', async () => {
    expect(await queryIds(items())).toEqual(['a', 'b', 'c', 'd', 'e'])
  })

  it('orderBy excludes documents lacking the field and breaks ties by key in the last direction', async () => {
    expect(await queryIds(items().orderBy('n'))).toEqual(['b', 'c', 'd', 'a'])
    expect(await queryIds(items().orderBy('n', 'desc'))).toEqual(['a', 'd', 'c', 'b'])
  })

  it('orders by several fields', async () => {
    expect(await queryIds(items().orderBy('s').orderBy('n', 'desc'))).toEqual(['a', 'c', 'b', 'd'])
  })

  it('an inequality filter orders implicitly by its field, then by key', async () => {
    expect(await queryIds(items().where('n', '>', 1))).toEqual(['c', 'd', 'a'])
  })

  it('orderBy on a nested field', async () => {
    expect(await queryIds(items().orderBy('m.p', 'desc'))).toEqual(['b', 'a'])
  })

  it('limit, offset and limitToLast', async () => {
    expect(await queryIds(items().orderBy('n').limit(2))).toEqual(['b', 'c'])
    expect(await queryIds(items().orderBy('n').offset(1).limit(2))).toEqual(['c', 'd'])
    expect(await queryIds(items().orderBy('n').offset(10))).toEqual([])
    expect(await queryIds(items().orderBy('n').limitToLast(2))).toEqual(['d', 'a'])
    expect(await queryIds(items().orderBy('n', 'desc').limitToLast(3))).toEqual(['d', 'c', 'b'])
  })

  it('select returns only the chosen fields', async () => {
    const snap = await items().orderBy('n').select('s', 'm.q').get()
    expect(snap.docs.map((d) => d.data())).toEqual([{ s: 'y' }, { s: 'x' }, { s: 'z' }, { s: 'x', m: { q: 2 } }])
  })

  it('select() with no fields returns documents without data', async () => {
    const snap = await items().where('s', '==', 'x').select().get()
    expect(snap.docs.map((d) => [d.id, d.data()])).toEqual([['a', {}], ['c', {}]])
    expect(snap.docs[0]!.createTime.toMillis()).toBeGreaterThan(0)
  })

  it('select of a field path with special characters', async () => {
    const collection = freshCollection(db, 'select-special')
    await collection.doc('d').set({ 'a.b': 1, a: { b: 2 }, other: 3 })
    const snap = await collection.select(new FieldPath('a.b')).get()
    expect(snap.docs[0]!.data()).toEqual({ 'a.b': 1 })
  })
})

describe('cursors', () => {
  const cities = seededCollection('cursor', {
    sf: { state: 'CA', pop: 800 },
    la: { state: 'CA', pop: 3900 },
    sd: { state: 'CA', pop: 1400 },
    ny: { state: 'NY', pop: 8300 },
    bu: { state: 'NY', pop: 250 },
    au: { state: 'TX', pop: 950 },
    da: { state: 'TX', pop: 1300 },
  })
  const byPop = (): Query => cities().orderBy('pop')

  it('startAt / startAfter / endAt / endBefore on one field', async () => {
    expect(await queryIds(byPop().startAt(950))).toEqual(['au', 'da', 'sd', 'la', 'ny'])
    expect(await queryIds(byPop().startAfter(950))).toEqual(['da', 'sd', 'la', 'ny'])
    expect(await queryIds(byPop().endAt(950))).toEqual(['bu', 'sf', 'au'])
    expect(await queryIds(byPop().endBefore(950))).toEqual(['bu', 'sf'])
    expect(await queryIds(byPop().startAfter(800).endBefore(1400))).toEqual(['au', 'da'])
    expect(await queryIds(byPop().startAt(900).endAt(1000))).toEqual(['au'])
  })

  it('cursors on a descending order', async () => {
    const query = cities().orderBy('pop', 'desc')
    expect(await queryIds(query.startAt(1400))).toEqual(['sd', 'da', 'au', 'sf', 'bu'])
    expect(await queryIds(query.startAfter(1400).endAt(800))).toEqual(['da', 'au', 'sf'])
  })

  it('cursors on several fields', async () => {
    const query = cities().orderBy('state').orderBy('pop', 'desc')
    expect(await queryIds(query)).toEqual(['la', 'sd', 'sf', 'ny', 'bu', 'da', 'au'])
    expect(await queryIds(query.startAt('CA', 1400))).toEqual(['sd', 'sf', 'ny', 'bu', 'da', 'au'])
    expect(await queryIds(query.startAfter('CA', 1400).endBefore('TX', 1000))).toEqual(['sf', 'ny', 'bu', 'da'])
    expect(await queryIds(query.startAfter('NY'))).toEqual(['da', 'au'])
  })

  it('a DocumentSnapshot cursor continues after that exact document, ties broken by key', async () => {
    const collection = freshCollection(db, 'cursor-snapshot')
    await seed(collection, { a: { v: 1 }, b: { v: 1 }, c: { v: 1 }, d: { v: 2 } })
    const b = await collection.doc('b').get()
    expect(await queryIds(collection.orderBy('v').startAfter(b))).toEqual(['c', 'd'])
    expect(await queryIds(collection.orderBy('v').startAt(b))).toEqual(['b', 'c', 'd'])
    expect(await queryIds(collection.orderBy('v').endBefore(b))).toEqual(['a'])
    expect(await queryIds(collection.orderBy('v', 'desc').startAfter(b))).toEqual(['a'])
    expect(await queryIds(collection.startAfter(b))).toEqual(['c', 'd'])
  })

  it('limitToLast with cursors keeps the last documents of the window', async () => {
    expect(await queryIds(byPop().startAt(800).endAt(1400).limitToLast(2))).toEqual(['da', 'sd'])
    expect(await queryIds(byPop().endBefore(3900).limitToLast(3))).toEqual(['au', 'da', 'sd'])
  })

  it('offset applies after the cursor', async () => {
    expect(await queryIds(byPop().startAfter(800).offset(1).limit(2))).toEqual(['da', 'sd'])
  })

  it('pages through a query with startAfter the last snapshot', async () => {
    const pages: string[][] = []
    let query = byPop().limit(3)
    for (let i = 0; i < 5; i++) {
      const snap = await query.get()
      if (snap.empty) break
      pages.push(snap.docs.map((d) => d.id))
      query = byPop().startAfter(snap.docs.at(-1)!).limit(3)
    }
    expect(pages).toEqual([['bu', 'sf', 'au'], ['da', 'sd', 'la'], ['ny']])
  })

  it('cursors on FieldPath.documentId()', async () => {
    const query = cities().orderBy(FieldPath.documentId())
    expect(await queryIds(query.startAt('la').endBefore('sd'))).toEqual(['la', 'ny'])
    expect(await queryIds(query.startAfter('ny').endAt('sf'))).toEqual(['sd', 'sf'])
  })
})

describe('document ID filters and collection groups', () => {
  let group = ''
  beforeAll(async () => {
    group = freshCollection(db, 'group').id
    const batch = db.batch()
    batch.set(db.collection(group).doc('top'), { n: 1 })
    batch.set(db.doc(`parents/p1/${group}/x`), { n: 2 })
    batch.set(db.doc(`parents/p1/${group}/y`), { n: 3 })
    batch.set(db.doc(`parents/p2/${group}/x`), { n: 4 })
    batch.set(db.doc(`parents/p2/${group}/x/${group}/deep`), { n: 5 })
    batch.set(db.doc(`parents/p1/other/z`), { n: 6 })
    await batch.commit()
  })
  const paths = async (query: Query): Promise<string[]> => (await query.get()).docs.map((d) => d.ref.path)

  it('collectionGroup finds the collection at every depth', async () => {
    expect(await paths(db.collectionGroup(group).orderBy('n'))).toEqual([
      `${group}/top`,
      `parents/p1/${group}/x`,
      `parents/p1/${group}/y`,
      `parents/p2/${group}/x`,
      `parents/p2/${group}/x/${group}/deep`,
    ])
  })

  it('collectionGroup with a filter', async () => {
    expect(await paths(db.collectionGroup(group).where('n', '>', 2).where('n', '<', 5))).toEqual([`parents/p1/${group}/y`, `parents/p2/${group}/x`])
  })

  it('collectionGroup without order comes in full path order', async () => {
    expect(await paths(db.collectionGroup(group))).toEqual([
      `${group}/top`,
      `parents/p1/${group}/x`,
      `parents/p1/${group}/y`,
      `parents/p2/${group}/x`,
      `parents/p2/${group}/x/${group}/deep`,
    ])
  })

  it('collectionGroup limited to one parent by document ID range', async () => {
    const query = db.collectionGroup(group).orderBy(FieldPath.documentId()).startAt('parents/p2').endAt('parents/p2\uf8ff')
    expect(await paths(query)).toEqual([`parents/p2/${group}/x`, `parents/p2/${group}/x/${group}/deep`])
  })

  it('FieldPath.documentId() equality, in, not-in and range filters on a collection', async () => {
    const collection = db.collection(`parents/p1/${group}`)
    expect(await queryIds(collection.where(FieldPath.documentId(), '==', 'y'))).toEqual(['y'])
    expect(await queryIds(collection.where(FieldPath.documentId(), 'in', ['y', 'missing', 'x']))).toEqual(['x', 'y'])
    expect(await queryIds(collection.where(FieldPath.documentId(), 'not-in', ['x']))).toEqual(['y'])
    expect(await queryIds(collection.where(FieldPath.documentId(), '>', 'x'))).toEqual(['y'])
    expect(await queryIds(collection.where(FieldPath.documentId(), '<=', 'x'))).toEqual(['x'])
  })

  it('FieldPath.documentId() filters with document references', async () => {
    const collection = db.collection(`parents/p1/${group}`)
    expect(await queryIds(collection.where(FieldPath.documentId(), 'in', [collection.doc('x')]))).toEqual(['x'])
    const inGroup = db.collectionGroup(group).where(FieldPath.documentId(), 'in', [db.doc(`parents/p2/${group}/x`), db.doc(`${group}/top`)])
    expect(await paths(inGroup)).toEqual([`${group}/top`, `parents/p2/${group}/x`])
  })

  it('a query under a document only sees that document\'s subcollection', async () => {
    expect(await queryIds(db.collection(`parents/p2/${group}`))).toEqual(['x'])
    expect(await queryIds(db.collection(`parents/p2/${group}/x/${group}`))).toEqual(['deep'])
  })
})

describe('value ordering', () => {
  it('orders values of mixed types by Firestore\'s documented type order', async () => {
    const collection = freshCollection(db, 'type-order')
    const values: [string, unknown][] = [
      ['01-null', null],
      ['02-false', false],
      ['03-true', true],
      ['04-nan', NaN],
      ['05-neg-inf', -Infinity],
      ['06-neg-int', -5],
      ['07-neg-double', -0.5],
      ['08-int', 1],
      ['09-double', 1.5],
      ['10-int', 2],
      ['11-inf', Infinity],
      ['12-timestamp', new Timestamp(1, 0)],
      ['13-timestamp', new Timestamp(2_000_000_000, 5_000)],
      ['14-string', ''],
      ['15-string', 'a'],
      ['16-bytes', Buffer.from([0])],
      ['17-bytes', Buffer.from([1, 0])],
      ['18-reference', db.doc('a/b')],
      ['19-reference', db.doc('a/b/c/d')],
      ['20-reference', db.doc('b/a')],
      ['21-geopoint', new GeoPoint(-10, 50)],
      ['22-geopoint', new GeoPoint(10, -50)],
      ['23-array', []],
      ['24-array', [1, 2]],
      ['25-array', [1, 'a']],
      ['26-array', [2]],
      ['27-vector', FieldValue.vector([5, 5])],
      ['28-vector', FieldValue.vector([1, 1, 1])],
      ['29-map', {}],
      ['30-map', { a: 1 }],
      ['31-map', { a: 1, b: 0 }],
      ['32-map', { b: 0 }],
    ]
    // Written in reverse so that key order cannot pass for value order.
    await seed(collection, Object.fromEntries([...values].reverse().map(([id, v]) => [id, { v }])))
    const expected = values.map(([id]) => id)
    expect(await queryIds(collection.orderBy('v'))).toEqual(expected)
    expect(await queryIds(collection.orderBy('v', 'desc'))).toEqual([...expected].reverse())
  })

  it('integers and doubles with the same value are equal (1 == 1.0)', async () => {
    const collection = freshCollection(db, 'numeric-equality')
    await seed(collection, { int: { n: 1 }, double: { n: 0.5 }, other: { n: 2 } })
    // Increments of doubles make a stored double 1.0, which the SDK would otherwise write as an integer.
    await collection.doc('double').update({ n: FieldValue.increment(0.5) })
    expect(await queryIds(collection.where('n', '==', 1))).toEqual(['double', 'int'])
    expect(await queryIds(collection.where('n', 'in', [1]))).toEqual(['double', 'int'])
    expect(await queryIds(collection.where('n', '>=', 1).where('n', '<=', 1))).toEqual(['double', 'int'])
    expect(await queryIds(collection.where('n', '>', 1))).toEqual(['other'])
  })

  it('NaN: == NaN matches NaN, != NaN excludes it', async () => {
    const collection = freshCollection(db, 'nan')
    await seed(collection, { nan: { n: NaN }, one: { n: 1 }, nul: { n: null } })
    expect(await queryIds(collection.where('n', '==', NaN))).toEqual(['nan'])
    expect(await queryIds(collection.where('n', '!=', NaN))).toEqual(['one'])
  })

  it('orders strings by Unicode code point, a surrogate pair after U+FFFF', async () => {
    const collection = freshCollection(db, 'strings')
    const ordered = ['', 'B', 'a', 'ab', 'é', '\u4e2d', '\uffff', '😀', '😀a']
    await seed(collection, Object.fromEntries(ordered.map((s, i) => [`d${ordered.length - i}`, { s }])))
    const snap = await collection.orderBy('s').get()
    expect(snap.docs.map((d) => d.get('s'))).toEqual(ordered)
    const above = await collection.where('s', '>', '\uffff').get()
    expect(above.docs.map((d) => d.get('s'))).toEqual(['😀', '😀a'])
  })

  it('timestamps compare at microsecond precision', async () => {
    const collection = freshCollection(db, 'timestamp-range')
    await seed(collection, { early: { t: new Timestamp(100, 1_000) }, late: { t: new Timestamp(100, 2_000) } })
    expect(await queryIds(collection.where('t', '>', new Timestamp(100, 1_000)))).toEqual(['late'])
    expect(await queryIds(collection.where('t', '==', new Timestamp(100, 1_000)))).toEqual(['early'])
  })

  it('maps and arrays compare as whole values', async () => {
    const collection = freshCollection(db, 'whole-values')
    await seed(collection, { a: { m: { x: 1, y: [1, 2] } }, b: { m: { x: 1 } }, c: { m: { y: [1, 2], x: 1 } } })
    expect(await queryIds(collection.where('m', '==', { x: 1, y: [1, 2] }))).toEqual(['a', 'c'])
    expect(await queryIds(collection.where('m', '>', { x: 1 }))).toEqual(['a', 'c'])
  })
})

describe('invalid queries the SDK sends to the server', () => {
  const seeded = seededCollection('invalid', { a: { n: 1, tags: [1] } })
  const items = (): CollectionReference => failing.collection(seeded().id)

  it('two not-in filters are INVALID_ARGUMENT', async () => {
    await expectCode(items().where('n', 'not-in', [1]).where('m', 'not-in', [2]).get(), GrpcStatus.INVALID_ARGUMENT)
  })

  it('not-in combined with != is INVALID_ARGUMENT', async () => {
    await expectCode(items().where('n', 'not-in', [1]).where('m', '!=', 2).get(), GrpcStatus.INVALID_ARGUMENT)
  })

  it('in with more than 30 values is INVALID_ARGUMENT, 30 is fine', async () => {
    const values = (count: number): number[] => Array.from({ length: count }, (_, i) => i)
    expect(await queryIds(items().where('n', 'in', values(30)))).toEqual(['a'])
    await expectCode(items().where('n', 'in', values(31)).get(), GrpcStatus.INVALID_ARGUMENT)
  })

  it('not-in with more than 10 values is INVALID_ARGUMENT', async () => {
    await expectCode(items().where('n', 'not-in', Array.from({ length: 11 }, (_, i) => i + 10)).get(), GrpcStatus.INVALID_ARGUMENT)
  })

  it('two array-contains filters are INVALID_ARGUMENT', async () => {
    await expectCode(items().where('tags', 'array-contains', 1).where('tags', 'array-contains', 2).get(), GrpcStatus.INVALID_ARGUMENT)
  })

  it('array-contains with array-contains-any is INVALID_ARGUMENT', async () => {
    await expectCode(items().where('tags', 'array-contains', 1).where('tags', 'array-contains-any', [2]).get(), GrpcStatus.INVALID_ARGUMENT)
  })

  it('an OR with more than 30 disjunctions is INVALID_ARGUMENT', async () => {
    const query = items().where(Filter.or(Filter.where('n', 'in', Array.from({ length: 20 }, (_, i) => i)), Filter.where('m', 'in', Array.from({ length: 20 }, (_, i) => i))))
    await expectCode(query.get(), GrpcStatus.INVALID_ARGUMENT)
  })

  it('not-in combined with an OR is INVALID_ARGUMENT', async () => {
    const query = items().where(Filter.and(Filter.where('n', 'not-in', [5]), Filter.or(Filter.where('m', '==', 1), Filter.where('m', '==', 2))))
    await expectCode(query.get(), GrpcStatus.INVALID_ARGUMENT)
  })

  it('a negative limit is INVALID_ARGUMENT', async () => {
    await expectCode(items().limit(-1).get(), GrpcStatus.INVALID_ARGUMENT)
  })
})

describe('aggregations', () => {
  const scores = seededCollection('agg', {
    a: { team: 'red', score: 10, ratio: 0.5 },
    b: { team: 'red', score: 20, ratio: 1.5 },
    c: { team: 'blue', score: 5, ratio: 1 },
    d: { team: 'blue', score: 'n/a' },
    e: { team: 'green' },
  })

  it('count() counts matching documents, respecting limit', async () => {
    expect((await scores().count().get()).data().count).toBe(5)
    expect((await scores().where('team', '==', 'red').count().get()).data().count).toBe(2)
    expect((await scores().where('team', '==', 'none').count().get()).data().count).toBe(0)
    expect((await scores().limit(3).count().get()).data().count).toBe(3)
  })

  it('sum and average skip non-numeric values, count beside them counts every document with the field', async () => {
    const snap = await scores().aggregate({ total: AggregateField.sum('score'), mean: AggregateField.average('score'), n: AggregateField.count() }).get()
    expect(snap.data()).toEqual({ total: 35, mean: 35 / 3, n: 4 })
  })

  it('aggregations over different fields only include documents that have all of them', async () => {
    const snap = await scores().aggregate({ total: AggregateField.sum('score'), ratios: AggregateField.sum('ratio'), n: AggregateField.count() }).get()
    expect(snap.data()).toEqual({ total: 35, ratios: 3, n: 3 })
  })

  it('the fields of sum and average filter documents before the limit applies', async () => {
    // By team: c (blue), d (blue, no ratio), e (green, no ratio), a (red), b (red).
    const snap = await scores().orderBy('team').limit(2).aggregate({ total: AggregateField.sum('ratio'), n: AggregateField.count() }).get()
    expect(snap.data()).toEqual({ total: 1.5, n: 2 })
  })

  it('sum of nothing is 0 and average of nothing is null', async () => {
    const snap = await scores().where('team', '==', 'green').aggregate({ total: AggregateField.sum('score'), mean: AggregateField.average('score') }).get()
    expect(snap.data()).toEqual({ total: 0, mean: null })
  })

  it('aggregations apply to the filtered and limited query', async () => {
    const snap = await scores().where('team', '==', 'red').aggregate({ total: AggregateField.sum('score'), mean: AggregateField.average('ratio') }).get()
    expect(snap.data()).toEqual({ total: 30, mean: 1 })
    const limited = await scores().orderBy('score').limit(2).aggregate({ total: AggregateField.sum('score') }).get()
    expect(limited.data()).toEqual({ total: 15 })
  })
})

describe('streaming', () => {
  it('query.stream() yields the documents in query order', async () => {
    const collection = freshCollection(db, 'stream')
    await seed(collection, Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`d${i}`, { i }])))
    const seen: number[] = []
    for await (const doc of collection.orderBy('i', 'desc').limit(25).stream()) {
      seen.push((doc as unknown as QueryDocumentSnapshot).get('i') as number)
    }
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => 29 - i))
  })
})
