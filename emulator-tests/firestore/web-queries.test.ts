import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  and,
  Bytes,
  collection,
  collectionGroup,
  doc,
  documentId,
  endAt,
  endBefore,
  GeoPoint,
  getCountFromServer,
  getDocFromServer,
  getDocs,
  getDocsFromServer,
  limit,
  limitToLast,
  or,
  orderBy,
  query,
  startAfter,
  startAt,
  Timestamp,
  vector,
  where,
  writeBatch,
  type DocumentData,
  type Query,
  type QueryConstraint,
} from 'firebase/firestore'
import { Clients, uniqueProjectId } from '../support/clients.js'
import { expectFirestoreError, ids } from '../support/snapshots.js'

const clients = new Clients(uniqueProjectId())
afterAll(() => clients.close())

const writer = clients.web()
/** Queries run on a second client, whose cache holds nothing of what the writer wrote. */
const reader = clients.web()

/** The shared data set of the filter, order and cursor tests. */
const ITEMS: Record<string, DocumentData> = {
  a: { n: 1, color: 'red', tags: ['x', 'y'], size: 'S' },
  b: { n: 2, color: 'blue', tags: ['y'], size: 'M' },
  c: { n: 3, color: 'red', tags: ['z'], size: 'L' },
  d: { n: 4, color: 'green', tags: [], size: 'M' },
  e: { n: 5, color: 'blue', tags: ['x', 'z'] },
  f: { color: 'red', size: 'S' },
  g: { n: null, color: 'red' },
  h: { n: 2.5, color: 'blue', size: 'XL' },
  i: { n: 'three', color: 'purple' },
}

/** A document reference in TYPE_ORDER, made into a DocumentReference when written. */
class RefTo {
  constructor(readonly path: string) {}
}

/** One value of each type, in Firestore's documented order (ties avoided). */
const TYPE_ORDER: [string, unknown][] = [
  ['null', null],
  ['false', false],
  ['true', true],
  ['nan', NaN],
  ['negInfinity', -Infinity],
  ['negInt', -5],
  ['negDouble', -0.5],
  ['zero', 0],
  ['one', 1],
  ['oneAndHalf', 1.5],
  ['maxSafe', Number.MAX_SAFE_INTEGER],
  ['infinity', Infinity],
  ['tsBeforeEpoch', new Timestamp(-1, 0)],
  ['tsEpoch', new Timestamp(0, 0)],
  ['tsMicros', new Timestamp(0, 1000)],
  ['tsLater', new Timestamp(1_700_000_000, 0)],
  ['strEmpty', ''],
  ['strUpper', 'A'],
  ['strLower', 'a'],
  ['strLowerLonger', 'ab'],
  ['strAccent', 'é'],
  ['strFullwidth', '\uFF5E'],
  ['strEmoji', '😀'],
  ['bytesZero', Bytes.fromUint8Array(new Uint8Array([0]))],
  ['bytesZeroOne', Bytes.fromUint8Array(new Uint8Array([0, 1]))],
  ['bytesOne', Bytes.fromUint8Array(new Uint8Array([1]))],
  ['refAA', new RefTo('a/a')],
  ['refAACD', new RefTo('a/a/c/d')],
  ['refAB', new RefTo('a/b')],
  ['refBA', new RefTo('b/a')],
  ['geoSouth', new GeoPoint(-10, 50)],
  ['geoWest', new GeoPoint(0, -10)],
  ['geoEast', new GeoPoint(0, 10)],
  ['arrEmpty', []],
  ['arrOne', [1]],
  ['arrOneTwo', [1, 2]],
  ['arrTwo', [2]],
  ['arrString', ['a']],
  ['vecShort', vector([9])],
  ['vecLong', vector([1, 2])],
  ['mapEmpty', {}],
  ['mapA1', { a: 1 }],
  ['mapA2', { a: 2 }],
  ['mapB0', { b: 0 }],
]

/** Type-order values as stored: references become DocumentReferences of the writer. */
function typeOrderValue(value: unknown): unknown {
  return value instanceof RefTo ? doc(writer, value.path) : value
}

/** The collection-group data: `messages` collections at several depths, and a decoy. */
const GROUP_PATHS = [
  'rooms/r1/messages/m1',
  'rooms/r1/messages/m2',
  'rooms/r1/messages/m1/messages/m6',
  'rooms/r2/messages/m3',
  'messages/m4',
  'other/o1/messages/m5',
  'rooms/r1/notes/n1',
]

beforeAll(async () => {
  const batch = writeBatch(writer)
  for (const [id, data] of Object.entries(ITEMS)) batch.set(doc(writer, 'items', id), data)
  for (const [id, value] of TYPE_ORDER) batch.set(doc(writer, 'typed', id), { v: typeOrderValue(value) })
  for (const [i, path] of GROUP_PATHS.entries()) batch.set(doc(writer, path), { i, room: path.split('/')[1] ?? '' })
  await batch.commit()
})

const items = () => collection(reader, 'items')
const itemsWhere = (...constraints: QueryConstraint[]) => query(items(), ...constraints)

/**
 * Runs a query on the server and checks its documents, in order. Unless told otherwise,
 * also checks the server's own count: the SDK re-filters and re-sorts results locally,
 * which could hide a server that returned too much.
 */
async function expectIds(q: Query, expected: string[], { count = true } = {}): Promise<void> {
  const snapshot = await getDocsFromServer(q)
  expect(snapshot.metadata.fromCache).toBe(false)
  expect(ids(snapshot)).toEqual(expected)
  if (count) expect((await getCountFromServer(q)).data().count).toBe(expected.length)
}

describe('web SDK queries: filters', () => {
  it('== matches equal values only', async () => {
    await expectIds(itemsWhere(where('n', '==', 2)), ['b'])
    await expectIds(itemsWhere(where('color', '==', 'red')), ['a', 'c', 'f', 'g'])
    await expectIds(itemsWhere(where('n', '==', 'three')), ['i'])
  })

  it('== null matches null values, not missing fields', async () => {
    await expectIds(itemsWhere(where('n', '==', null)), ['g'])
  })

  it('!= excludes the value, missing fields and nulls, and orders by the field', async () => {
    await expectIds(itemsWhere(where('n', '!=', 2)), ['a', 'h', 'c', 'd', 'e', 'i'])
    await expectIds(itemsWhere(where('color', '!=', 'red')), ['b', 'e', 'h', 'd', 'i'])
  })

  it('range filters stay within the type of their operand', async () => {
    await expectIds(itemsWhere(where('n', '<', 3)), ['a', 'b', 'h'])
    await expectIds(itemsWhere(where('n', '<=', 3)), ['a', 'b', 'h', 'c'])
    await expectIds(itemsWhere(where('n', '>', 3)), ['d', 'e'])
    await expectIds(itemsWhere(where('n', '>=', 3)), ['c', 'd', 'e'])
    await expectIds(itemsWhere(where('n', '>', 't')), ['i'])
    await expectIds(itemsWhere(where('n', '>', 2), where('n', '<', 4)), ['h', 'c'])
  })

  it('in matches any listed value, across types', async () => {
    await expectIds(itemsWhere(where('n', 'in', [1, 5, 'three', 99])), ['a', 'e', 'i'])
    await expectIds(itemsWhere(where('color', 'in', ['green', 'purple'])), ['d', 'i'])
  })

  it('not-in excludes the listed values and documents lacking the field', async () => {
    await expectIds(itemsWhere(where('color', 'not-in', ['red', 'green'])), ['b', 'e', 'h', 'i'])
    await expectIds(itemsWhere(where('n', 'not-in', [1, 2, 3])), ['h', 'd', 'e', 'i'])
  })

  it('array-contains and array-contains-any match array elements', async () => {
    await expectIds(itemsWhere(where('tags', 'array-contains', 'x')), ['a', 'e'])
    await expectIds(itemsWhere(where('tags', 'array-contains', 'nope')), [])
    await expectIds(itemsWhere(where('tags', 'array-contains-any', ['x', 'z'])), ['a', 'c', 'e'])
    await expectIds(itemsWhere(where('tags', 'array-contains', 'y'), where('color', '==', 'blue')), ['b'])
  })

  it('several filters combine as AND', async () => {
    await expectIds(itemsWhere(where('color', '==', 'red'), where('n', '>', 1)), ['c'])
    await expectIds(query(items(), and(where('color', '==', 'blue'), where('size', '==', 'M'))), ['b'])
  })

  it('or() and nested and()/or() composites', async () => {
    await expectIds(query(items(), or(where('color', '==', 'green'), where('n', '==', 1))), ['a', 'd'])
    await expectIds(query(items(), or(where('color', '==', 'green'), and(where('color', '==', 'red'), where('n', '>=', 3)))), ['c', 'd'])
    await expectIds(
      query(items(), and(or(where('color', '==', 'red'), where('color', '==', 'blue')), or(where('n', '==', 1), where('n', '==', 5), where('size', '==', 'XL')))),
      ['a', 'e', 'h'],
    )
    await expectIds(query(items(), or(where('tags', 'array-contains', 'z'), where('size', 'in', ['S', 'XL']))), ['a', 'c', 'e', 'f', 'h'])
  })

  it('an or() with inequalities orders by the inequality fields', async () => {
    await expectIds(query(items(), or(where('n', '<', 2), where('n', '>', 4))), ['a', 'e'])
  })

  it('inequalities on several fields order by those fields in field-path order', async () => {
    await expectIds(itemsWhere(where('size', '>', 'L'), where('n', '>=', 2)), ['b', 'h', 'd'])
  })
})

describe('web SDK queries: ordering', () => {
  it('orderBy ascending and descending; documents lacking the field are left out', async () => {
    await expectIds(itemsWhere(orderBy('n')), ['g', 'a', 'b', 'h', 'c', 'd', 'e', 'i'])
    await expectIds(itemsWhere(orderBy('n', 'desc')), ['i', 'e', 'd', 'c', 'h', 'b', 'a', 'g'])
    await expectIds(itemsWhere(orderBy('size')), ['c', 'b', 'd', 'a', 'f', 'h'])
  })

  it('orderBy on two fields, ties broken by document ID', async () => {
    await expectIds(itemsWhere(orderBy('color'), orderBy('n', 'desc')), ['e', 'h', 'b', 'd', 'i', 'c', 'a', 'g'])
    await expectIds(itemsWhere(orderBy('color', 'desc'), orderBy('size')), ['c', 'a', 'f', 'd', 'b', 'h'])
    await expectIds(itemsWhere(orderBy('color')), ['b', 'e', 'h', 'd', 'i', 'a', 'c', 'f', 'g'])
  })

  it('an inequality orders implicitly by its field after the explicit orderBy, in the last direction', async () => {
    await expectIds(itemsWhere(where('n', '>', 1)), ['b', 'h', 'c', 'd', 'e'])
    await expectIds(itemsWhere(where('n', '>', 1), orderBy('color')), ['b', 'h', 'e', 'd', 'c'])
    await expectIds(itemsWhere(where('n', '>', 1), orderBy('color', 'desc')), ['c', 'd', 'e', 'h', 'b'])
  })

  it('orderBy over one value of each type follows the documented type order', async () => {
    const typed = collection(reader, 'typed')
    const expected = TYPE_ORDER.map(([id]) => id)
    await expectIds(query(typed, orderBy('v')), expected)
    await expectIds(query(typed, orderBy('v', 'desc')), [...expected].reverse())
  })

  it('the server orders across types itself: each value is followed by the next one', async () => {
    // The SDK re-sorts results locally, so walk the order with one-document pages instead.
    const typed = collection(reader, 'typed')
    const expected = TYPE_ORDER.map(([id]) => id)
    const walked: string[] = []
    let page = await getDocsFromServer(query(typed, orderBy('v'), limit(1)))
    for (let step = 0; step < expected.length + 1 && !page.empty; step++) {
      const last = page.docs[0]!
      walked.push(last.id)
      page = await getDocsFromServer(query(typed, orderBy('v'), startAfter(last), limit(1)))
    }
    expect(walked).toEqual(expected)
  })

  it('equality and range filters on values of every type', async () => {
    const typed = collection(reader, 'typed')
    await expectIds(query(typed, where('v', '==', 1.0)), ['one'])
    await expectIds(query(typed, where('v', '==', NaN)), ['nan'])
    await expectIds(query(typed, where('v', '==', doc(reader, 'a/a/c/d'))), ['refAACD'])
    await expectIds(query(typed, where('v', '==', [1, 2])), ['arrOneTwo'])
    await expectIds(query(typed, where('v', '==', { a: 2 })), ['mapA2'])
    await expectIds(query(typed, where('v', '>', new GeoPoint(-10, 50))), ['geoWest', 'geoEast'])
    // Range filters never cross types, so bounds of two different types match nothing.
    await expectIds(query(typed, where('v', '>=', new GeoPoint(0, -10)), where('v', '<', [])), [])
    await expectIds(query(typed, where('v', '>', 'a'), where('v', '<=', '😀')), ['strLowerLonger', 'strAccent', 'strFullwidth', 'strEmoji'])
  })
})

describe('web SDK queries: cursors and limits', () => {
  const byN = (...constraints: QueryConstraint[]) => itemsWhere(orderBy('n'), ...constraints)

  it('startAt, startAfter, endAt and endBefore with values', async () => {
    await expectIds(byN(startAt(2)), ['b', 'h', 'c', 'd', 'e', 'i'])
    await expectIds(byN(startAfter(2)), ['h', 'c', 'd', 'e', 'i'])
    await expectIds(byN(endAt(3)), ['g', 'a', 'b', 'h', 'c'])
    await expectIds(byN(endBefore(3)), ['g', 'a', 'b', 'h'])
    await expectIds(byN(startAt(2), endBefore(4)), ['b', 'h', 'c'])
    await expectIds(byN(startAfter(5)), ['i'])
    await expectIds(byN(startAfter(null), endAt(1)), ['a'])
    await expectIds(itemsWhere(orderBy('n', 'desc'), startAt(4)), ['d', 'c', 'h', 'b', 'a', 'g'])
    await expectIds(itemsWhere(orderBy('n', 'desc'), startAfter(4), endAt(2)), ['c', 'h', 'b'])
  })

  it('cursors with values on two orderBy fields', async () => {
    const byColorN = (...constraints: QueryConstraint[]) => itemsWhere(orderBy('color'), orderBy('n'), ...constraints)
    await expectIds(byColorN(), ['b', 'h', 'e', 'd', 'i', 'g', 'a', 'c'])
    await expectIds(byColorN(startAt('blue', 3)), ['e', 'd', 'i', 'g', 'a', 'c'])
    await expectIds(byColorN(startAfter('red')), [])
    await expectIds(byColorN(endBefore('green')), ['b', 'h', 'e'])
    await expectIds(byColorN(startAfter('red', null), endAt('red', 1)), ['a'])
  })

  it('cursors from a DocumentSnapshot use its orderBy values and its document ID', async () => {
    const h = await getDocFromServer(doc(reader, 'items/h'))
    const b = await getDocFromServer(doc(reader, 'items/b'))
    const e = await getDocFromServer(doc(reader, 'items/e'))
    // The SDK's count request leaves out the implicit orderBy that a snapshot cursor's values
    // follow, so only the documents are checked here.
    const snapshotCursor = { count: false }
    await expectIds(byN(startAfter(h)), ['c', 'd', 'e', 'i'], snapshotCursor)
    await expectIds(byN(startAt(h)), ['h', 'c', 'd', 'e', 'i'], snapshotCursor)
    await expectIds(byN(endAt(b)), ['g', 'a', 'b'], snapshotCursor)
    await expectIds(byN(endBefore(b)), ['g', 'a'], snapshotCursor)
    // Ties on color: the snapshot's ID decides where the cursor falls among the blues.
    await expectIds(itemsWhere(orderBy('color'), startAfter(e)), ['h', 'd', 'i', 'a', 'c', 'f', 'g'], snapshotCursor)
    await expectIds(itemsWhere(orderBy('color', 'desc'), startAfter(e)), ['b'], snapshotCursor)
    await expectIds(itemsWhere(where('color', '==', 'red'), startAfter(await getDocFromServer(doc(reader, 'items/c')))), ['f', 'g'], snapshotCursor)
  })

  it('limit keeps the first documents, limitToLast the last ones in query order', async () => {
    await expectIds(byN(limit(3)), ['g', 'a', 'b'])
    await expectIds(byN(limitToLast(3)), ['d', 'e', 'i'], { count: false })
    await expectIds(itemsWhere(orderBy('n', 'desc'), limitToLast(2)), ['a', 'g'], { count: false })
    await expectIds(itemsWhere(where('color', '==', 'red'), limit(2)), ['a', 'c'])
    await expectIds(byN(startAfter(1), limit(2)), ['b', 'h'])
    await expectIds(byN(endBefore(5), limitToLast(2)), ['c', 'd'], { count: false })
    await expectIds(byN(limit(100)), ['g', 'a', 'b', 'h', 'c', 'd', 'e', 'i'])
  })

  it('limitToLast without orderBy is refused by the SDK', async () => {
    await expect(Promise.resolve().then(() => getDocs(itemsWhere(limitToLast(1))))).rejects.toThrow(/orderBy/)
  })
})

describe('web SDK queries: document IDs and collection groups', () => {
  it('documentId() filters and ordering', async () => {
    await expectIds(itemsWhere(where(documentId(), '==', 'c')), ['c'])
    await expectIds(itemsWhere(where(documentId(), 'in', ['a', 'e', 'zz'])), ['a', 'e'])
    await expectIds(itemsWhere(where(documentId(), 'not-in', ['a', 'b', 'c', 'd'])), ['e', 'f', 'g', 'h', 'i'])
    await expectIds(itemsWhere(where(documentId(), '>', 'f')), ['g', 'h', 'i'])
    await expectIds(itemsWhere(where(documentId(), '!=', 'a'), limit(2)), ['b', 'c'])
    await expectIds(itemsWhere(where(documentId(), '==', doc(reader, 'items/d'))), ['d'])
    await expectIds(itemsWhere(orderBy(documentId()), startAfter('g')), ['h', 'i'])
  })

  it('documentId() ordering descending', async () => {
    await expectIds(itemsWhere(orderBy(documentId(), 'desc'), limit(3)), ['i', 'h', 'g'])
    await expectIds(itemsWhere(where(documentId(), '<', 'c'), orderBy(documentId(), 'desc')), ['b', 'a'])
    await expectIds(itemsWhere(orderBy(documentId(), 'desc'), startAfter('c')), ['b', 'a'])
  })

  it('documentId() with a path of another collection is refused by the SDK', () => {
    expect(() => itemsWhere(where(documentId(), '==', 'a/b'))).toThrow()
  })

  it('collectionGroup finds the collection at every depth, and nothing else', async () => {
    const group = collectionGroup(reader, 'messages')
    const snapshot = await getDocsFromServer(group)
    expect(snapshot.docs.map((d) => d.ref.path).sort()).toEqual(GROUP_PATHS.filter((p) => p.split('/').at(-2) === 'messages').sort())
    expect((await getCountFromServer(group)).data().count).toBe(6)
    // Ordered by full path: the shorter 'messages/m4' comes first.
    expect(ids(snapshot)).toEqual(['m4', 'm5', 'm1', 'm6', 'm2', 'm3'])
  })

  it('collectionGroup with filters, order and limit', async () => {
    const group = collectionGroup(reader, 'messages')
    await expectIds(query(group, where('room', '==', 'r1')), ['m1', 'm6', 'm2'])
    await expectIds(query(group, orderBy('i', 'desc'), limit(2)), ['m5', 'm4'])
    await expectIds(query(group, where('i', '>=', 2)), ['m6', 'm3', 'm4', 'm5'])
  })

  it('collectionGroup restricted to the subtree of one document by documentId() cursors', async () => {
    const group = collectionGroup(reader, 'messages')
    const underR1 = query(group, orderBy(documentId()), startAt('rooms/r1'), endBefore('rooms/r2'))
    const snapshot = await getDocsFromServer(underR1)
    expect(snapshot.docs.map((d) => d.ref.path)).toEqual(['rooms/r1/messages/m1', 'rooms/r1/messages/m1/messages/m6', 'rooms/r1/messages/m2'])
    expect((await getCountFromServer(underR1)).data().count).toBe(3)
    const byFilter = query(group, where(documentId(), '>', doc(reader, 'rooms/r1/messages/m1')), where(documentId(), '<', doc(reader, 'rooms/r2')))
    await expectIds(byFilter, ['m6', 'm2'])
  })

  it('a query on a collection that does not exist is empty, from the server', async () => {
    await expectIds(query(collection(reader, 'no-such-collection')), [])
    await expectIds(query(collection(reader, 'items/a/children')), [])
  })

  it('a query the server refuses fails with invalid-argument', async () => {
    // Thirty-one disjunctions (each IN value counts) exceed the limit of thirty.
    const many = Array.from({ length: 31 }, (_, i) => i)
    await expectFirestoreError(getDocsFromServer(query(items(), or(where('n', 'in', many.slice(0, 16)), where('size', 'in', many.slice(16).map(String))))), 'invalid-argument')
  })
})
