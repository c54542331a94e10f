import { createRequire } from 'node:module'
import { fromJSON } from '@grpc/proto-loader'
import { describe, expect, it } from 'vitest'
import type { StoredDocument } from '../model/document.js'
import { FirestoreError } from '../model/errors.js'
import type { Cursor, FieldFilterOp, Fields, Filter, Order, StructuredQuery, UnaryFilterOp, Value } from '../model/types.js'
import { compileQuery } from './query.js'

const ROOT = 'projects/p/databases/d/documents'

const int = (n: number | bigint): Value => ({ integerValue: String(n) })
const dbl = (n: number): Value => ({ doubleValue: n })
const str = (s: string): Value => ({ stringValue: s })
const bool = (b: boolean): Value => ({ booleanValue: b })
const nul: Value = { nullValue: 'NULL_VALUE' }
const arr = (...values: Value[]): Value => ({ arrayValue: { values } })
const map = (fields: Record<string, Value>): Value => ({ mapValue: { fields } })
const ref = (path: string): Value => ({ referenceValue: `${ROOT}/${path}` })

function doc(path: string, fields: Fields = {}): StoredDocument {
  return { segments: path.split('/'), path, fields, createTime: 1, updateTime: 2 }
}

const where = (fieldPath: string, op: FieldFilterOp, value: Value): Filter => ({ fieldFilter: { field: { fieldPath }, op, value } })
const unary = (fieldPath: string, op: UnaryFilterOp): Filter => ({ unaryFilter: { field: { fieldPath }, op } })
const and = (...filters: Filter[]): Filter => ({ compositeFilter: { op: 'AND', filters } })
const or = (...filters: Filter[]): Filter => ({ compositeFilter: { op: 'OR', filters } })
const asc = (fieldPath: string): Order => ({ field: { fieldPath }, direction: 'ASCENDING' })
const desc = (fieldPath: string): Order => ({ field: { fieldPath }, direction: 'DESCENDING' })
const cursor = (before: boolean, ...values: Value[]): Cursor => ({ values, before })

/** A query on collection "c" under the root, with the given parts. */
function q(parts: Partial<StructuredQuery> = {}): StructuredQuery {
  return { from: [{ collectionId: 'c', allDescendants: false }], ...parts }
}

/** Runs a query on "c" and gives the result paths. */
function run(parts: Partial<StructuredQuery>, docs: StoredDocument[], parent = ROOT): string[] {
  return compileQuery(parent, q(parts))
    .run(docs)
    .map((d) => d.path)
}

/** The ids (last segment) of the documents of "c" a filter selects, in result order. */
function filterIds(filter: Filter, docs: StoredDocument[]): string[] {
  return run({ where: filter }, docs).map((p) => p.split('/').at(-1)!)
}

function invalid(parts: Partial<StructuredQuery>, message: RegExp, parent = ROOT): void {
  let error: unknown
  try {
    compileQuery(parent, q(parts))
  } catch (e) {
    error = e
  }
  expect(error).toBeInstanceOf(FirestoreError)
  expect((error as FirestoreError).code).toBe('INVALID_ARGUMENT')
  expect((error as FirestoreError).message).toMatch(message)
}

/** Documents with one field "a" of assorted types, plus one without it. */
const mixed = [
  doc('c/null', { a: nul }),
  doc('c/false', { a: bool(false) }),
  doc('c/nan', { a: dbl(NaN) }),
  doc('c/int0', { a: int(0) }),
  doc('c/int1', { a: int(1) }),
  doc('c/dbl1', { a: dbl(1) }),
  doc('c/dbl1_5', { a: dbl(1.5) }),
  doc('c/int2', { a: int(2) }),
  doc('c/str', { a: str('x') }),
  doc('c/str1', { a: str('1') }),
  doc('c/arr', { a: arr(int(1), int(2)) }),
  doc('c/map', { a: map({ x: int(1) }) }),
  doc('c/missing', { b: int(1) }),
]

describe('scope: from and parent', () => {
  const docs = [
    doc('c/1'),
    doc('c/2'),
    doc('other/1'),
    doc('c/1/c/3'),
    doc('a/1/c/4'),
    doc('a/1/c/4/c/5'),
    doc('a/1/cc/6'),
    doc('a/2/c/7'),
    doc('a/1'),
    doc('a/1/a/8'),
  ]

  it('a collection query sees only direct children of the parent in that collection', () => {
    expect(run({}, docs)).toEqual(['c/1', 'c/2'])
  })

  it('a query under a document sees that document’s subcollection only', () => {
    expect(run({}, docs, `${ROOT}/a/1`)).toEqual(['a/1/c/4'])
  })

  it('a collection group query sees every collection with that id below the parent', () => {
    const group = { from: [{ collectionId: 'c', allDescendants: true }] }
    expect(run(group, docs)).toEqual(['a/1/c/4', 'a/1/c/4/c/5', 'a/2/c/7', 'c/1', 'c/1/c/3', 'c/2'])
    expect(run(group, docs, `${ROOT}/a/1`)).toEqual(['a/1/c/4', 'a/1/c/4/c/5'])
  })

  it('a collection group under a document excludes the parent document itself', () => {
    expect(run({ from: [{ collectionId: 'a', allDescendants: true }] }, docs, `${ROOT}/a/1`)).toEqual(['a/1/a/8'])
  })

  it('a kindless query (empty collection id, all descendants) sees every document below the parent', () => {
    const kindless = { from: [{ collectionId: '', allDescendants: true }] }
    expect(run(kindless, docs, `${ROOT}/a/1`)).toEqual(['a/1/a/8', 'a/1/c/4', 'a/1/c/4/c/5', 'a/1/cc/6'])
    expect(run(kindless, docs)).toHaveLength(docs.length)
  })

  it('exposes the parent segments and selector', () => {
    const compiled = compileQuery(`${ROOT}/a/1`, { from: [{ collectionId: 'c', allDescendants: true }] })
    expect(compiled.parent).toEqual(['a', '1'])
    expect(compiled.collectionId).toBe('c')
    expect(compiled.allDescendants).toBe(true)
    expect(compileQuery(ROOT, q()).parent).toEqual([])
  })

  it('matches tests membership, not just the filter', () => {
    const compiled = compileQuery(ROOT, q({ where: where('x', 'EQUAL', int(1)) }))
    expect(compiled.matches(doc('c/1', { x: int(1) }))).toBe(true)
    expect(compiled.matches(doc('d/1', { x: int(1) }))).toBe(false)
    expect(compiled.matches(doc('c/1', { x: int(2) }))).toBe(false)
  })
})

describe('field filters', () => {
  it('EQUAL uses Firestore equality, ints equal to doubles, and no other type', () => {
    expect(filterIds(where('a', 'EQUAL', int(1)), mixed)).toEqual(['dbl1', 'int1'])
    expect(filterIds(where('a', 'EQUAL', str('1')), mixed)).toEqual(['str1'])
    expect(filterIds(where('a', 'EQUAL', arr(int(1), int(2))), mixed)).toEqual(['arr'])
    expect(filterIds(where('a', 'EQUAL', map({ x: dbl(1) })), mixed)).toEqual(['map'])
  })

  it('range filters only match values of the operand’s type', () => {
    expect(filterIds(where('a', 'GREATER_THAN', int(1)), mixed)).toEqual(['dbl1_5', 'int2'])
    expect(filterIds(where('a', 'GREATER_THAN_OR_EQUAL', int(1)), mixed)).toEqual(['dbl1', 'int1', 'dbl1_5', 'int2'])
    // NaN sorts first among numbers, so it is "less than" every number.
    expect(filterIds(where('a', 'LESS_THAN', int(1)), mixed)).toEqual(['nan', 'int0'])
    expect(filterIds(where('a', 'LESS_THAN_OR_EQUAL', dbl(1)), mixed)).toEqual(['nan', 'int0', 'dbl1', 'int1'])
    expect(filterIds(where('a', 'GREATER_THAN', str('')), mixed)).toEqual(['str1', 'str'])
    expect(filterIds(where('a', 'LESS_THAN', bool(true)), mixed)).toEqual(['false'])
  })

  it('range filters against null only see nulls', () => {
    expect(filterIds(where('a', 'LESS_THAN_OR_EQUAL', nul), mixed)).toEqual(['null'])
    expect(filterIds(where('a', 'LESS_THAN', nul), mixed)).toEqual([])
  })

  it('NOT_EQUAL matches every other type, but not null, equal values or missing fields', () => {
    const ids = filterIds(where('a', 'NOT_EQUAL', int(1)), mixed)
    expect(ids).toEqual(['false', 'nan', 'int0', 'dbl1_5', 'int2', 'str1', 'str', 'arr', 'map'])
  })

  it('ARRAY_CONTAINS looks inside array values only', () => {
    const docs = [doc('c/a', { a: arr(int(1), str('x')) }), doc('c/b', { a: int(1) }), doc('c/c', { a: arr(dbl(1)) }), doc('c/d', { a: arr() }), doc('c/e')]
    expect(filterIds(where('a', 'ARRAY_CONTAINS', int(1)), docs)).toEqual(['a', 'c'])
    expect(filterIds(where('a', 'ARRAY_CONTAINS', str('x')), docs)).toEqual(['a'])
    expect(filterIds(where('a', 'ARRAY_CONTAINS', arr(int(1))), docs)).toEqual([])
  })

  it('ARRAY_CONTAINS_ANY matches arrays sharing any value', () => {
    const docs = [doc('c/a', { a: arr(int(1), int(2)) }), doc('c/b', { a: arr(int(3)) }), doc('c/c', { a: int(2) }), doc('c/d', { a: arr(nul) })]
    expect(filterIds(where('a', 'ARRAY_CONTAINS_ANY', arr(int(2), int(3))), docs)).toEqual(['a', 'b'])
    expect(filterIds(where('a', 'ARRAY_CONTAINS_ANY', arr(str('2'))), docs)).toEqual([])
    expect(filterIds(where('a', 'ARRAY_CONTAINS_ANY', arr(nul)), docs)).toEqual(['d'])
  })

  it('IN matches any listed value, null and arrays included', () => {
    expect(filterIds(where('a', 'IN', arr(int(2), str('x'))), mixed)).toEqual(['int2', 'str'])
    expect(filterIds(where('a', 'IN', arr(nul, dbl(1.5))), mixed)).toEqual(['dbl1_5', 'null'])
    expect(filterIds(where('a', 'IN', arr(arr(int(1), int(2)))), mixed)).toEqual(['arr'])
    expect(filterIds(where('a', 'IN', arr(dbl(NaN))), mixed)).toEqual(['nan'])
  })

  it('NOT_IN excludes listed values, nulls and missing fields', () => {
    const ids = filterIds(where('a', 'NOT_IN', arr(int(1), str('x'), bool(false))), mixed)
    expect(ids).toEqual(['nan', 'int0', 'dbl1_5', 'int2', 'str1', 'arr', 'map'])
  })

  it('NOT_IN with null in the list matches nothing (as the SDK’s NotInFilter)', () => {
    expect(filterIds(where('a', 'NOT_IN', arr(nul, int(5))), mixed)).toEqual([])
  })

  it('follows nested and back-quoted field paths', () => {
    const docs = [doc('c/a', { m: map({ x: int(1) }) }), doc('c/b', { 'm.x': int(1) }), doc('c/c', { m: int(1) })]
    expect(filterIds(where('m.x', 'EQUAL', int(1)), docs)).toEqual(['a'])
    expect(filterIds(where('`m.x`', 'EQUAL', int(1)), docs)).toEqual(['b'])
  })

  it('does not mistake Object.prototype members for fields', () => {
    expect(filterIds(unary('constructor', 'IS_NOT_NULL'), [doc('c/a'), doc('c/b', { constructor: int(1) })])).toEqual(['b'])
  })
})

describe('unary filters', () => {
  it('IS_NAN matches NaN only', () => {
    expect(filterIds(unary('a', 'IS_NAN'), mixed)).toEqual(['nan'])
  })

  it('IS_NULL matches null only', () => {
    expect(filterIds(unary('a', 'IS_NULL'), mixed)).toEqual(['null'])
  })

  it('IS_NOT_NULL matches every present non-null value', () => {
    const ids = filterIds(unary('a', 'IS_NOT_NULL'), mixed)
    expect(ids).toEqual(['false', 'nan', 'int0', 'dbl1', 'int1', 'dbl1_5', 'int2', 'str1', 'str', 'arr', 'map'])
  })

  it('IS_NOT_NAN matches every present value but NaN and null (it is "!= NaN")', () => {
    const ids = filterIds(unary('a', 'IS_NOT_NAN'), mixed)
    expect(ids).toEqual(['false', 'int0', 'dbl1', 'int1', 'dbl1_5', 'int2', 'str1', 'str', 'arr', 'map'])
  })
})

describe('composite filters', () => {
  const docs = [
    doc('c/1', { a: int(1), b: int(1) }),
    doc('c/2', { a: int(1), b: int(2) }),
    doc('c/3', { a: int(2), b: int(1) }),
    doc('c/4', { a: int(3), b: int(3) }),
  ]

  it('AND requires every filter', () => {
    expect(filterIds(and(where('a', 'EQUAL', int(1)), where('b', 'EQUAL', int(2))), docs)).toEqual(['2'])
  })

  it('OR requires any filter', () => {
    expect(filterIds(or(where('a', 'EQUAL', int(2)), where('b', 'EQUAL', int(2))), docs)).toEqual(['2', '3'])
  })

  it('nests', () => {
    const filter = and(where('a', 'IN', arr(int(1), int(3))), or(where('b', 'EQUAL', int(1)), where('b', 'EQUAL', int(3))))
    expect(filterIds(filter, docs)).toEqual(['1', '4'])
    const nested = or(and(where('a', 'EQUAL', int(1)), where('b', 'EQUAL', int(1))), and(where('a', 'EQUAL', int(3)), unary('b', 'IS_NOT_NULL')))
    expect(filterIds(nested, docs)).toEqual(['1', '4'])
  })

  it('a single-filter composite is that filter', () => {
    expect(filterIds(or(where('a', 'EQUAL', int(2))), docs)).toEqual(['3'])
    expect(filterIds(and(where('a', 'EQUAL', int(2))), docs)).toEqual(['3'])
  })
})

describe('filters on __name__', () => {
  const docs = [doc('c/a'), doc('c/a-b'), doc('c/b'), doc('c/c')]

  it('compares the document’s full name with reference values', () => {
    expect(filterIds(where('__name__', 'EQUAL', ref('c/b')), docs)).toEqual(['b'])
    expect(filterIds(where('__name__', 'GREATER_THAN', ref('c/a-b')), docs)).toEqual(['b', 'c'])
    expect(filterIds(where('__name__', 'LESS_THAN_OR_EQUAL', ref('c/a-b')), docs)).toEqual(['a', 'a-b'])
    expect(filterIds(where('__name__', 'NOT_EQUAL', ref('c/a')), docs)).toEqual(['a-b', 'b', 'c'])
  })

  it('IN and NOT_IN take lists of references', () => {
    expect(filterIds(where('__name__', 'IN', arr(ref('c/a'), ref('c/c'), ref('other/a'))), docs)).toEqual(['a', 'c'])
    expect(filterIds(where('__name__', 'NOT_IN', arr(ref('c/a'), ref('c/c'))), docs)).toEqual(['a-b', 'b'])
  })

  it('orders names segment by segment (a document’s subcollection sorts right after it)', () => {
    const group = [doc('c/a/c/z'), doc('c/a-b'), doc('c/a')]
    const result = run({ from: [{ collectionId: 'c', allDescendants: true }], where: where('__name__', 'GREATER_THAN', ref('c/a')) }, group)
    expect(result).toEqual(['c/a/c/z', 'c/a-b'])
  })

  it('a reference into another database compares by its full name', () => {
    const other = { referenceValue: 'projects/p/databases/e/documents/c/a' }
    expect(filterIds(where('__name__', 'LESS_THAN', other), docs)).toEqual(['a', 'a-b', 'b', 'c'])
    expect(filterIds(where('__name__', 'EQUAL', other), docs)).toEqual([])
  })
})

describe('validation', () => {
  it('throws FirestoreError INVALID_ARGUMENT with readable messages', () => {
    invalid({ where: where('a', 'IN', arr()) }, /IN filter on "a" needs a non-empty array/)
  })

  it('IN, NOT_IN and ARRAY_CONTAINS_ANY need non-empty arrays within their limits', () => {
    invalid({ where: where('a', 'IN', int(1)) }, /non-empty array/)
    invalid({ where: where('a', 'ARRAY_CONTAINS_ANY', arr()) }, /non-empty array/)
    invalid({ where: where('a', 'NOT_IN', arr()) }, /non-empty array/)
    const values = (n: number) => arr(...Array.from({ length: n }, (_, i) => int(i)))
    invalid({ where: where('a', 'IN', values(31)) }, /31 values; at most 30/)
    invalid({ where: where('a', 'ARRAY_CONTAINS_ANY', values(31)) }, /at most 30/)
    invalid({ where: where('a', 'NOT_IN', values(11)) }, /11 values; at most 10/)
    expect(() => compileQuery(ROOT, q({ where: where('a', 'IN', values(30)) }))).not.toThrow()
    expect(() => compileQuery(ROOT, q({ where: where('a', 'NOT_IN', values(10)) }))).not.toThrow()
  })

  it('EQUAL and NOT_EQUAL with null or NaN must be unary filters', () => {
    invalid({ where: where('a', 'EQUAL', nul) }, /IS_NULL/)
    invalid({ where: where('a', 'NOT_EQUAL', nul) }, /IS_NOT_NULL/)
    invalid({ where: where('a', 'EQUAL', dbl(NaN)) }, /IS_NAN/)
    invalid({ where: where('a', 'NOT_EQUAL', dbl(NaN)) }, /IS_NOT_NAN/)
  })

  it('allows one NOT_EQUAL / NOT_IN family filter per query', () => {
    invalid({ where: and(where('a', 'NOT_IN', arr(int(1))), where('b', 'NOT_IN', arr(int(1)))) }, /only one NOT_IN/)
    invalid({ where: and(where('a', 'NOT_IN', arr(int(1))), where('b', 'NOT_EQUAL', int(1))) }, /NOT_IN filter cannot be combined with NOT_EQUAL/)
    invalid({ where: and(where('a', 'NOT_IN', arr(int(1))), unary('b', 'IS_NOT_NULL')) }, /NOT_IN filter cannot be combined/)
    invalid({ where: and(where('a', 'NOT_EQUAL', int(1)), where('b', 'NOT_EQUAL', int(1))) }, /only one NOT_EQUAL/)
    invalid({ where: and(unary('a', 'IS_NOT_NULL'), unary('b', 'IS_NOT_NAN')) }, /only one NOT_EQUAL/)
  })

  it('NOT_IN cannot be combined with IN, ARRAY_CONTAINS_ANY or OR', () => {
    const notIn = where('a', 'NOT_IN', arr(int(1)))
    invalid({ where: and(notIn, where('b', 'IN', arr(int(1)))) }, /cannot be combined with IN/)
    invalid({ where: and(notIn, where('b', 'ARRAY_CONTAINS_ANY', arr(int(1)))) }, /cannot be combined with IN/)
    invalid({ where: and(notIn, or(where('b', 'EQUAL', int(1)), where('c', 'EQUAL', int(1)))) }, /OR/)
  })

  it('allows range filters on several fields, and != with ranges', () => {
    const filter = and(where('a', 'GREATER_THAN', int(1)), where('b', 'LESS_THAN', int(2)), where('c', 'NOT_EQUAL', int(3)))
    expect(() => compileQuery(ROOT, q({ where: filter }))).not.toThrow()
  })

  it('limits range and inequality filters to 10 fields', () => {
    const eleven = Array.from({ length: 11 }, (_, i) => where(`f${i}`, 'GREATER_THAN', int(0)))
    invalid({ where: and(...eleven) }, /limited to 10 fields/)
    expect(() => compileQuery(ROOT, q({ where: and(...eleven.slice(1)) }))).not.toThrow()
  })

  it('limits the disjunctive normal form to 30 terms', () => {
    const values = (n: number) => arr(...Array.from({ length: n }, (_, i) => int(i)))
    invalid({ where: and(where('a', 'IN', values(5)), where('b', 'IN', values(7))) }, /35 disjunctions/)
    expect(() => compileQuery(ROOT, q({ where: and(where('a', 'IN', values(5)), where('b', 'IN', values(6))) }))).not.toThrow()
    const equalities = (n: number) => Array.from({ length: n }, (_, i) => where('a', 'EQUAL', int(i)))
    invalid({ where: or(...equalities(31)) }, /31 disjunctions/)
    const product = and(or(...equalities(4)), or(...equalities(8)))
    invalid({ where: product }, /32 disjunctions/)
  })

  it('allows one ARRAY_CONTAINS and one ARRAY_CONTAINS_ANY per disjunction, not both', () => {
    const contains = (f: string) => where(f, 'ARRAY_CONTAINS', int(1))
    const containsAny = (f: string) => where(f, 'ARRAY_CONTAINS_ANY', arr(int(1)))
    invalid({ where: and(contains('a'), contains('b')) }, /one ARRAY_CONTAINS filter/)
    invalid({ where: and(containsAny('a'), containsAny('b')) }, /one ARRAY_CONTAINS_ANY filter/)
    invalid({ where: and(contains('a'), containsAny('b')) }, /cannot be combined in the same disjunction/)
    invalid({ where: and(or(contains('a'), where('x', 'EQUAL', int(1))), contains('b')) }, /one ARRAY_CONTAINS filter/)
    invalid({ where: and(or(contains('a'), containsAny('b')), contains('c')) }, /ARRAY_CONTAINS/)
    // In separate disjunctions they are fine.
    for (const filter of [or(contains('a'), contains('b')), or(containsAny('a'), containsAny('b')), or(contains('a'), containsAny('b'))]) {
      expect(() => compileQuery(ROOT, q({ where: filter }))).not.toThrow()
    }
  })

  it('rejects malformed filters', () => {
    invalid({ where: { compositeFilter: { op: 'AND', filters: [] } } }, /needs at least one filter/)
    invalid({ where: { compositeFilter: { op: 'OPERATOR_UNSPECIFIED', filters: [where('a', 'EQUAL', int(1))] } } }, /composite filter operator/)
    invalid({ where: {} }, /must set one of/)
    invalid({ where: where('a', 'OPERATOR_UNSPECIFIED', int(1)) }, /Invalid field filter operator/)
    invalid({ where: unary('a', 'OPERATOR_UNSPECIFIED') }, /Invalid unary filter operator/)
    invalid({ where: { fieldFilter: { field: { fieldPath: 'a' }, op: 'EQUAL', value: {} } } }, /has no value/)
    invalid({ where: { unaryFilter: { op: 'IS_NULL', field: null as never } } }, /missing its field path/)
  })

  it('rejects field paths that do not parse', () => {
    invalid({ where: where('a..b', 'EQUAL', int(1)) }, /field path/)
    invalid({ orderBy: [asc('`unterminated')] }, /field path/)
    invalid({ select: { fields: [{ fieldPath: 'has space' }] } }, /field path/)
  })

  it('needs reference values for __name__ filters and cursors', () => {
    invalid({ where: where('__name__', 'EQUAL', str('c/a')) }, /must be a reference value/)
    invalid({ where: where('__name__', 'IN', arr(ref('c/a'), str('c/b'))) }, /must be a reference value/)
    invalid({ where: where('__name__', 'ARRAY_CONTAINS', ref('c/a')) }, /not supported on __name__/)
    invalid({ where: unary('__name__', 'IS_NULL') }, /not supported on __name__/)
    invalid({ startAt: cursor(true, str('a')) }, /must be a reference value/)
  })

  it('validates from, parent, offset, limit and cursors', () => {
    invalid({ from: [] }, /exactly one collection/)
    invalid({ from: [{ collectionId: 'a', allDescendants: false }, { collectionId: 'b', allDescendants: false }] }, /exactly one collection/)
    invalid({ from: [{ collectionId: '', allDescendants: false }] }, /must name a collection/)
    invalid({}, /not a collection/, `${ROOT}/c`)
    invalid({}, /Invalid query parent/, 'projects/p/databases/d')
    invalid({ offset: -1 }, /offset/)
    invalid({ limit: { value: -1 } }, /limit/)
    invalid({ orderBy: [asc('a')], startAt: cursor(true, int(1), ref('c/a'), int(3)) }, /3 values but the query orders by only 2 fields \(a, __name__\)/)
    invalid({ endAt: cursor(true, int(1), int(2)) }, /endAt cursor/)
  })

  it('reports vector search as unimplemented', () => {
    let error: unknown
    try {
      compileQuery(ROOT, q({ findNearest: { limit: { value: 1 } } }))
    } catch (e) {
      error = e
    }
    expect((error as FirestoreError).code).toBe('UNIMPLEMENTED')
  })
})

describe('normalized orderBy', () => {
  const orderOf = (parts: Partial<StructuredQuery>) =>
    compileQuery(ROOT, q(parts)).orderBy.map((o) => `${o.path.join('.')} ${o.descending ? 'desc' : 'asc'}`)

  it('always ends with __name__, ascending by default', () => {
    expect(orderOf({})).toEqual(['__name__ asc'])
  })

  it('implicit orderings take the last explicit direction', () => {
    expect(orderOf({ orderBy: [asc('b'), desc('a')] })).toEqual(['b asc', 'a desc', '__name__ desc'])
    expect(orderOf({ orderBy: [desc('b'), asc('a')] })).toEqual(['b desc', 'a asc', '__name__ asc'])
  })

  it('appends inequality fields not already ordered, in field path order', () => {
    const filter = and(where('b', 'GREATER_THAN', int(1)), where('a', 'LESS_THAN', int(2)), where('c', 'EQUAL', int(1)))
    expect(orderOf({ where: filter })).toEqual(['a asc', 'b asc', '__name__ asc'])
    expect(orderOf({ where: filter, orderBy: [desc('z')] })).toEqual(['z desc', 'a desc', 'b desc', '__name__ desc'])
    expect(orderOf({ where: filter, orderBy: [asc('b')] })).toEqual(['b asc', 'a asc', '__name__ asc'])
  })

  it('counts every inequality kind, inside OR too, once per field', () => {
    const filter = or(
      where('e', 'NOT_EQUAL', int(1)),
      and(where('d', 'LESS_THAN', int(9)), where('d', 'GREATER_THAN', int(0))),
      where('b', 'LESS_THAN_OR_EQUAL', int(1)),
      where('a', 'GREATER_THAN_OR_EQUAL', int(1)),
      where('x', 'ARRAY_CONTAINS', int(1)),
      unary('y', 'IS_NULL'),
      unary('z', 'IS_NAN'),
    )
    expect(orderOf({ where: and(filter, where('w', 'IN', arr(int(1))), where('v', 'EQUAL', int(1))) })).toEqual([
      'a asc',
      'b asc',
      'd asc',
      'e asc',
      '__name__ asc',
    ])
    expect(orderOf({ where: where('n', 'NOT_IN', arr(int(1))) })).toEqual(['n asc', '__name__ asc'])
    expect(orderOf({ where: unary('n', 'IS_NOT_NAN') })).toEqual(['n asc', '__name__ asc'])
    expect(orderOf({ where: unary('n', 'IS_NOT_NULL') })).toEqual(['n asc', '__name__ asc'])
  })

  it('sorts implicit fields segment by segment, not by canonical string', () => {
    // Canonical strings would put "`a-c`" before "a.b" (backquote < "a").
    const filter = and(where('`a-c`', 'GREATER_THAN', int(1)), where('a.b', 'GREATER_THAN', int(1)), where('B', 'GREATER_THAN', int(1)))
    expect(orderOf({ where: filter })).toEqual(['B asc', 'a.b asc', 'a-c asc', '__name__ asc'])
  })

  it('does not add __name__ twice, nor as an implicit inequality field', () => {
    expect(orderOf({ orderBy: [desc('__name__')], where: where('a', 'GREATER_THAN', int(1)) })).toEqual(['__name__ desc', 'a desc'])
    const keyRange = and(where('__name__', 'GREATER_THAN', ref('c/a')), where('a', 'GREATER_THAN', int(1)))
    expect(orderOf({ where: keyRange })).toEqual(['a asc', '__name__ asc'])
  })
})

describe('ordering and the implicit existence filter', () => {
  it('sorts across types in Firestore order, ties by name', () => {
    const result = run({ orderBy: [asc('a')] }, mixed)
    expect(result).toEqual(['c/null', 'c/false', 'c/nan', 'c/int0', 'c/dbl1', 'c/int1', 'c/dbl1_5', 'c/int2', 'c/str1', 'c/str', 'c/arr', 'c/map'])
  })

  it('descending reverses ties too', () => {
    const docs = [doc('c/a', { n: int(1) }), doc('c/b', { n: int(2) }), doc('c/c', { n: dbl(1) })]
    expect(run({ orderBy: [desc('n')] }, docs)).toEqual(['c/b', 'c/c', 'c/a'])
    expect(run({ orderBy: [desc('n'), asc('__name__')] }, docs)).toEqual(['c/b', 'c/a', 'c/c'])
  })

  it('sorts by several fields', () => {
    const docs = [doc('c/1', { a: int(1), b: int(2) }), doc('c/2', { a: int(1), b: int(1) }), doc('c/3', { a: int(0), b: int(9) })]
    expect(run({ orderBy: [asc('a'), desc('b')] }, docs)).toEqual(['c/3', 'c/1', 'c/2'])
  })

  it('excludes documents lacking an orderBy field', () => {
    expect(run({ orderBy: [asc('b')] }, mixed)).toEqual(['c/missing'])
  })

  it('excludes documents lacking an implicitly ordered inequality field, even through OR', () => {
    // As the SDK: "a > 1 || b == 1" is ordered by a, so {b: 1} without a is not a result.
    const docs = [doc('c/1', { b: int(1) }), doc('c/2', { a: int(2) }), doc('c/3', { a: int(0), b: int(1) })]
    expect(run({ where: or(where('a', 'GREATER_THAN', int(1)), where('b', 'EQUAL', int(1))) }, docs)).toEqual(['c/3', 'c/2'])
  })

  it('compare orders by the normalized orderBy', () => {
    const compiled = compileQuery(ROOT, q({ orderBy: [desc('a')] }))
    const x = doc('c/x', { a: int(1) })
    const y = doc('c/y', { a: int(2) })
    const y2 = doc('c/z', { a: dbl(2) })
    expect(compiled.compare(x, y)).toBeGreaterThan(0)
    expect(compiled.compare(y, x)).toBeLessThan(0)
    expect(compiled.compare(y, y2)).toBeGreaterThan(0)
    expect(compiled.compare(x, x)).toBe(0)
    expect([x, y2, y].sort(compiled.compare)).toEqual([y2, y, x])
  })
})

describe('cursors', () => {
  const docs = [1, 2, 3, 4].map((n) => doc(`c/${n}`, { a: int(n) }))
  const byA = (start?: Cursor, end?: Cursor, direction = asc) =>
    run({ orderBy: [direction('a')], startAt: start ?? null, endAt: end ?? null }, docs).map((p) => p.slice(2))

  it('startAt (before) is inclusive, startAfter (not before) exclusive', () => {
    expect(byA(cursor(true, int(2)))).toEqual(['2', '3', '4'])
    expect(byA(cursor(false, int(2)))).toEqual(['3', '4'])
  })

  it('endAt (not before) is inclusive, endBefore (before) exclusive', () => {
    expect(byA(undefined, cursor(false, int(3)))).toEqual(['1', '2', '3'])
    expect(byA(undefined, cursor(true, int(3)))).toEqual(['1', '2'])
    expect(byA(cursor(false, int(1)), cursor(true, int(4)))).toEqual(['2', '3'])
  })

  it('honours descending orderings', () => {
    expect(byA(cursor(true, int(3)), undefined, desc)).toEqual(['3', '2', '1'])
    expect(byA(cursor(false, int(3)), cursor(false, int(2)), desc)).toEqual(['2'])
  })

  it('compares cursor values with Firestore order across types', () => {
    expect(byA(cursor(true, dbl(2.5)))).toEqual(['3', '4'])
    expect(byA(cursor(true, str('')))).toEqual([])
    expect(byA(undefined, cursor(true, nul))).toEqual([])
  })

  it('continues after a document with a __name__ value', () => {
    const tied = [doc('c/a', { a: int(1) }), doc('c/b', { a: int(1) }), doc('c/c', { a: int(1) }), doc('c/d', { a: int(2) })]
    const result = run({ orderBy: [asc('a')], startAt: cursor(false, int(1), ref('c/b')) }, tied)
    expect(result).toEqual(['c/c', 'c/d'])
    const descending = run({ orderBy: [desc('a')], startAt: cursor(false, int(1), ref('c/b')) }, tied)
    expect(descending).toEqual(['c/a'])
  })

  it('a prefix cursor positions on the fields it has', () => {
    const result = run({ orderBy: [asc('a'), asc('b')], startAt: cursor(false, int(1)) }, [doc('c/x', { a: int(1), b: int(0) }), doc('c/y', { a: int(2), b: int(0) })])
    expect(result).toEqual(['c/y'])
  })

  it('pages a kindless query by name, as recursiveDelete does', () => {
    const all = [doc('a/1'), doc('a/1/b/2'), doc('a/2'), doc('c/9')]
    const page = run({ from: [{ collectionId: '', allDescendants: true }], orderBy: [asc('__name__')], startAt: cursor(false, ref('a/1/b/2')), limit: { value: 2 } }, all)
    expect(page).toEqual(['a/2', 'c/9'])
  })

  it('withinCursors tests the bounds alone', () => {
    const compiled = compileQuery(ROOT, q({ orderBy: [asc('a')], startAt: cursor(true, int(2)), endAt: cursor(true, int(4)) }))
    expect(docs.map((d) => compiled.withinCursors(d))).toEqual([false, true, true, false])
    expect(compileQuery(ROOT, q()).withinCursors(docs[0]!)).toBe(true)
  })
})

describe('offset and limit', () => {
  const docs = [1, 2, 3, 4, 5].map((n) => doc(`c/${n}`))

  it('applies offset, then limit, after cursors', () => {
    expect(run({ offset: 1, limit: { value: 2 } }, docs)).toEqual(['c/2', 'c/3'])
    expect(run({ startAt: cursor(false, ref('c/1')), offset: 1, limit: { value: 2 } }, docs)).toEqual(['c/3', 'c/4'])
    expect(run({ offset: 10 }, docs)).toEqual([])
    expect(run({ limit: { value: 0 } }, docs)).toEqual([])
    expect(run({ limit: null }, docs)).toHaveLength(5)
  })

  it('exposes them', () => {
    const compiled = compileQuery(ROOT, q({ offset: 3, limit: { value: 7 } }))
    expect(compiled.offset).toBe(3)
    expect(compiled.limit).toBe(7)
    expect(compileQuery(ROOT, q()).limit).toBeUndefined()
  })
})

describe('project', () => {
  const stored = doc('c/1', { a: int(1), b: str('x'), m: map({ x: int(1), y: int(2), n: map({ z: int(3) }) }) })
  const projected = (fields: string[] | null) =>
    compileQuery(ROOT, q({ select: fields === null ? null : { fields: fields.map((fieldPath) => ({ fieldPath })) } })).project(stored)

  it('keeps all fields without select', () => {
    expect(projected(null)).toEqual(stored.fields)
  })

  it('keeps only the selected paths, nested ones inside their maps', () => {
    expect(projected(['a', 'm.n.z', 'missing', 'b.no'])).toEqual({ a: int(1), m: map({ n: map({ z: int(3) }) }) })
    expect(projected(['m.y', 'm.x'])).toEqual({ m: map({ y: int(2), x: int(1) }) })
  })

  it('selecting only __name__ gives no fields', () => {
    expect(projected(['__name__'])).toEqual({})
  })

  it('an empty field list keeps all fields, as the API documents', () => {
    expect(projected([])).toEqual(stored.fields)
  })

  it('a path and its parent select the whole parent, without touching the stored document', () => {
    const before = structuredClone(stored.fields)
    expect(projected(['m.x', 'm', 'm.x'])).toEqual({ m: stored.fields['m'] })
    expect(projected(['m', 'm.n.z'])).toEqual({ m: stored.fields['m'] })
    expect(stored.fields).toEqual(before)
  })
})

describe('objects as @grpc/proto-loader decodes them', () => {
  const require = createRequire(import.meta.url)
  const definition = fromJSON(require('@google-cloud/firestore/build/protos/v1.json') as Parameters<typeof fromJSON>[0], {
    longs: String,
    enums: String,
    bytes: Buffer,
    defaults: true,
    oneofs: true,
  })
  const service = definition['google.firestore.v1.Firestore'] as Record<
    string,
    { requestSerialize(value: object): Buffer; requestDeserialize(bytes: Buffer): { structuredQuery: StructuredQuery } }
  >
  const runQuery = service['RunQuery']!
  /** The query after a round trip through the wire format, with discriminators and defaults. */
  const wire = (query: StructuredQuery) => runQuery.requestDeserialize(runQuery.requestSerialize({ parent: ROOT, structuredQuery: query })).structuredQuery

  it('decodes to the shapes this module reads', () => {
    const decoded = wire(q({ where: where('a', 'EQUAL', int(1)) }))
    expect(decoded.where?.filterType).toBe('fieldFilter')
    expect(decoded.where?.fieldFilter?.value.valueType).toBe('integerValue')
    expect(decoded.startAt).toBeNull()
    expect(decoded.limit).toBeNull()
    expect(decoded.select).toBeNull()
  })

  it('evaluates decoded queries as it does hand-built ones', () => {
    const docs = [
      doc('c/1', { a: int(1), tags: arr(str('x')), m: map({ k: bool(true) }) }),
      doc('c/2', { a: dbl(2.5), tags: arr(str('y')), m: map({ k: bool(false) }) }),
      doc('c/3', { a: int(3), tags: arr(str('x'), str('y')), m: map({ k: bool(true) }) }),
      doc('c/4', { a: nul, tags: arr(), m: map({}) }),
      doc('c/5', { a: int(5), tags: arr(str('z')) }),
    ]
    const queries: StructuredQuery[] = [
      q({ where: and(where('a', 'GREATER_THAN', int(1)), where('m.k', 'EQUAL', bool(true))) }),
      q({ where: or(where('tags', 'ARRAY_CONTAINS', str('y')), unary('a', 'IS_NULL')), orderBy: [desc('a')] }),
      q({ where: where('a', 'NOT_IN', arr(int(3))), select: { fields: [{ fieldPath: 'm.k' }] } }),
      q({ where: unary('a', 'IS_NOT_NULL'), orderBy: [asc('a')], startAt: cursor(false, int(1)), endAt: cursor(false, int(3)), limit: { value: 5 } }),
      q({ where: where('__name__', 'IN', arr(ref('c/2'), ref('c/4'))), offset: 1 }),
    ]
    for (const query of queries) {
      const handBuilt = compileQuery(ROOT, query)
      const decoded = compileQuery(ROOT, wire(query))
      const expected = handBuilt.run(docs)
      expect(expected.length).toBeGreaterThan(0)
      expect(decoded.run(docs)).toEqual(expected)
      expect(decoded.orderBy).toEqual(handBuilt.orderBy)
      expect(expected.map(decoded.project)).toEqual(expected.map(handBuilt.project))
    }
  })
})

describe('run', () => {
  it('ignores non-member candidates and returns sorted results', () => {
    const docs = [doc('c/b', { a: int(1) }), doc('x/a', { a: int(1) }), doc('c/a', { a: int(1) }), doc('c/a/c/z', { a: int(1) })]
    expect(run({ where: where('a', 'EQUAL', int(1)) }, docs)).toEqual(['c/a', 'c/b'])
  })

  it('accepts any iterable', () => {
    const compiled = compileQuery(ROOT, q())
    const candidates = new Map([['c/1', doc('c/1')]]).values()
    expect(compiled.run(candidates).map((d) => d.path)).toEqual(['c/1'])
  })
})
