import { describe, expect, it } from 'vitest'
import type { Fields, Value } from './types.js'
import {
  compareStrings,
  compareValues,
  deleteField,
  getField,
  isNaNValue,
  isNumber,
  setField,
  typeOrder,
  valueKind,
  valuesEqual,
} from './values.js'

const int = (n: number | bigint | string): Value => ({ integerValue: String(n) })
const dbl = (n: number): Value => ({ doubleValue: n })
const str = (s: string): Value => ({ stringValue: s })
const bool = (b: boolean): Value => ({ booleanValue: b })
const nul: Value = { nullValue: 'NULL_VALUE' }
const ts = (seconds: number | string, nanos = 0): Value => ({ timestampValue: { seconds, nanos } })
const bytes = (...b: number[]): Value => ({ bytesValue: Uint8Array.from(b) })
const ref = (path: string): Value => ({ referenceValue: `projects/p/databases/d/documents/${path}` })
const geo = (latitude: number, longitude: number): Value => ({ geoPointValue: { latitude, longitude } })
const arr = (...values: Value[]): Value => ({ arrayValue: { values } })
const map = (fields: Record<string, Value>): Value => ({ mapValue: { fields } })
const vector = (...n: number[]): Value => map({ __type__: str('__vector__'), value: arr(...n.map(dbl)) })

/** compareValues as -1, 0 or 1 (it may return -0 for equal mixed int/double pairs). */
const order = (a: Value, b: Value) => Math.sign(compareValues(a, b)) + 0

describe('valueKind', () => {
  it('reads the discriminator when present', () => {
    expect(valueKind({ valueType: 'stringValue', stringValue: 'x' })).toBe('string')
    expect(valueKind({ valueType: 'nullValue', nullValue: 'NULL_VALUE' })).toBe('null')
  })

  it('finds the set member of hand-built values', () => {
    expect(valueKind(int(1))).toBe('integer')
    expect(valueKind(dbl(1))).toBe('double')
    expect(valueKind(nul)).toBe('null')
    expect(valueKind(bool(false))).toBe('boolean')
    expect(valueKind(map({}))).toBe('map')
    expect(valueKind(arr())).toBe('array')
  })

  it('is undefined for a value with no member set', () => {
    expect(valueKind({})).toBeUndefined()
  })

  it('isNumber and isNaNValue', () => {
    expect(isNumber(int(1))).toBe(true)
    expect(isNumber(dbl(1.5))).toBe(true)
    expect(isNumber(str('1'))).toBe(false)
    expect(isNaNValue(dbl(NaN))).toBe(true)
    expect(isNaNValue(dbl(1))).toBe(false)
    expect(isNaNValue(str('NaN'))).toBe(false)
  })
})

describe('compareValues: type order', () => {
  it('sorts one value of every kind in Firestore order', () => {
    const ordered: [string, Value][] = [
      ['null', nul],
      ['false', bool(false)],
      ['true', bool(true)],
      ['NaN', dbl(NaN)],
      ['-Infinity', dbl(-Infinity)],
      ['int -1', int(-1)],
      ['double 0.5', dbl(0.5)],
      ['int 2', int(2)],
      ['Infinity', dbl(Infinity)],
      ['timestamp', ts(0)],
      ['string', str('')],
      ['bytes', bytes()],
      ['reference', ref('c/a')],
      ['geo point', geo(0, 0)],
      ['array', arr()],
      ['vector', vector(1)],
      ['map', map({})],
    ]
    const shuffled = [...ordered].reverse()
    shuffled.push(shuffled.splice(3, 1)[0]!)
    const sorted = shuffled.sort((a, b) => compareValues(a[1], b[1])).map(([label]) => label)
    expect(sorted).toEqual(ordered.map(([label]) => label))
  })

  it('orders the kinds even when the "smaller" kind holds a "larger" payload', () => {
    expect(order(bool(true), int(-100))).toBe(-1)
    expect(order(dbl(Infinity), ts(-1e9))).toBe(-1)
    expect(order(str('\u{10FFFF}'), bytes(0))).toBe(-1)
    expect(order(arr(map({ z: int(1) })), map({}))).toBe(-1)
  })

  it('typeOrder gives ints and doubles one rank and vectors their own', () => {
    expect(typeOrder(int(1))).toBe(typeOrder(dbl(2.5)))
    expect(typeOrder(vector(1))).not.toBe(typeOrder(map({})))
    expect(typeOrder(map({ __type__: str('other') }))).toBe(typeOrder(map({})))
  })
})

describe('compareValues: numbers', () => {
  it('compares integers and doubles by value', () => {
    expect(order(int(1), dbl(1))).toBe(0)
    expect(order(int(1), dbl(1.5))).toBe(-1)
    expect(order(dbl(1.5), int(1))).toBe(1)
    expect(order(dbl(-0.5), int(0))).toBe(-1)
    expect(order(dbl(-0.5), int(-1))).toBe(1)
    expect(order(dbl(0.5), int(0))).toBe(1)
  })

  it('compares int64 exactly, beyond double precision', () => {
    expect(order(int(9007199254740993n), int(9007199254740992n))).toBe(1)
    expect(order(int('9223372036854775807'), int('9223372036854775806'))).toBe(1)
    expect(order(int('-9223372036854775808'), int('9223372036854775807'))).toBe(-1)
  })

  it('compares ints with doubles near 2^53 without rounding the int', () => {
    // 2^53 + 1 is not a double: the nearest double is 2^53.
    expect(order(int(9007199254740993n), dbl(9007199254740992))).toBe(1)
    expect(order(dbl(9007199254740992), int(9007199254740993n))).toBe(-1)
    expect(order(int(9007199254740992n), dbl(9007199254740992))).toBe(0)
    expect(order(int(9007199254740991n), dbl(9007199254740992))).toBe(-1)
  })

  it('compares ints with doubles near 2^63', () => {
    // 2^63 as a double is one more than INT64_MAX.
    expect(order(int('9223372036854775807'), dbl(2 ** 63))).toBe(-1)
    expect(order(dbl(2 ** 63), int('9223372036854775807'))).toBe(1)
    expect(order(int('-9223372036854775808'), dbl(-(2 ** 63)))).toBe(0)
    expect(order(dbl(-(2 ** 63)), int('-9223372036854775807'))).toBe(-1)
    expect(order(dbl(1e300), int('9223372036854775807'))).toBe(1)
  })

  it('puts NaN before every other number and equal to itself', () => {
    expect(order(dbl(NaN), dbl(-Infinity))).toBe(-1)
    expect(order(dbl(NaN), int('-9223372036854775808'))).toBe(-1)
    expect(order(int(0), dbl(NaN))).toBe(1)
    expect(order(dbl(NaN), dbl(NaN))).toBe(0)
    expect(valuesEqual(dbl(NaN), dbl(NaN))).toBe(true)
  })

  it('treats -0.0 and 0.0 as equal', () => {
    expect(order(dbl(-0), dbl(0))).toBe(0)
    expect(order(dbl(-0), int(0))).toBe(0)
    expect(valuesEqual(int(0), dbl(-0))).toBe(true)
  })

  it('handles infinities against ints', () => {
    expect(order(dbl(Infinity), int('9223372036854775807'))).toBe(1)
    expect(order(int('-9223372036854775808'), dbl(-Infinity))).toBe(1)
  })
})

describe('compareValues: strings', () => {
  it('orders by code point, shorter prefix first', () => {
    expect(order(str(''), str('a'))).toBe(-1)
    expect(order(str('a'), str('aa'))).toBe(-1)
    expect(order(str('B'), str('a'))).toBe(-1)
    expect(order(str('z'), str('é'))).toBe(-1)
    expect(order(str('abc'), str('abc'))).toBe(0)
  })

  it('puts supplementary characters (surrogate pairs) after U+FFFF', () => {
    // UTF-16 code units would put U+10000 (0xD800 0xDC00) before U+FFFF.
    expect(compareStrings('\u{10000}', '\uffff')).toBe(1)
    expect(compareStrings('\uffff', '\u{10000}')).toBe(-1)
    expect(compareStrings('\ue000', '\u{1F600}')).toBe(-1)
    expect(compareStrings('a\u{1F600}', 'a\uffff')).toBe(1)
    // Both supplementary: code point order.
    expect(compareStrings('\u{1F600}', '\u{1F601}')).toBe(-1)
    expect(compareStrings('\u{10000}', '\u{1F600}')).toBe(-1)
    // Below the surrogate range, plain order still holds.
    expect(compareStrings('\ud7ff', '\u{10000}')).toBe(-1)
  })
})

describe('compareValues: other kinds', () => {
  it('orders booleans false before true', () => {
    expect(order(bool(false), bool(true))).toBe(-1)
    expect(order(bool(true), bool(true))).toBe(0)
  })

  it('orders timestamps by seconds then nanos, seconds as string or number', () => {
    expect(order(ts(1, 999_999_999), ts(2, 0))).toBe(-1)
    expect(order(ts('5', 1), ts(5, 2))).toBe(-1)
    expect(order(ts('-1', 0), ts(0, 0))).toBe(-1)
    expect(order(ts('7', 3), ts(7, 3))).toBe(0)
  })

  it('orders bytes unsigned, byte by byte, shorter prefix first', () => {
    expect(order(bytes(1, 2), bytes(1, 3))).toBe(-1)
    expect(order(bytes(1), bytes(1, 0))).toBe(-1)
    expect(order(bytes(), bytes(0))).toBe(-1)
    expect(order(bytes(0x7f), bytes(0x80))).toBe(-1)
    expect(order({ bytesValue: Buffer.from([9, 9]) }, bytes(9, 9))).toBe(0)
  })

  it('orders references segment by segment, not as strings', () => {
    // As strings "c/a-b" < "c/a/x" ('-' < '/'); segment-wise "a" < "a-b".
    expect(order(ref('c/a/x/y'), ref('c/a-b'))).toBe(-1)
    expect(order(ref('c/a'), ref('c/a/sub/x'))).toBe(-1)
    expect(order(ref('c/b'), ref('c/a/sub/x'))).toBe(1)
    expect(order(ref('c/a'), ref('c/a'))).toBe(0)
  })

  it('orders numeric IDs (__id<int64>__) before every other ID, by value', () => {
    // The Admin SDK's recursiveDelete of a collection queries from `{collection}/__id-9223372036854775808__`.
    const min = '__id-9223372036854775808__'
    for (const id of ['0', 'A', 'Z', '_', '__x__', 'a', '~']) expect(order(ref(`c/${min}`), ref(`c/${id}`))).toBe(-1)
    expect(order(ref('c/__id-5__'), ref('c/__id3__'))).toBe(-1)
    expect(order(ref('c/__id10__'), ref('c/__id9__'))).toBe(1)
    expect(order(ref(`c/${min}`), ref(`c/${min}`))).toBe(0)
    // Only a whole segment of that form is numeric; the collection ID decides first.
    expect(order(ref(`c/__id1__`), ref('b/A'))).toBe(1)
    expect(order(ref('c/__idx__'), ref('c/A'))).toBe(1)
  })

  it('orders geo points by latitude, then longitude', () => {
    expect(order(geo(1, 50), geo(2, -50))).toBe(-1)
    expect(order(geo(1, 2), geo(1, 3))).toBe(-1)
    expect(order(geo(-10, 0), geo(-10, 0))).toBe(0)
  })

  it('orders arrays element by element, then by length', () => {
    expect(order(arr(int(1)), arr(int(1), int(0)))).toBe(-1)
    expect(order(arr(int(2)), arr(int(1), int(5)))).toBe(1)
    expect(order(arr(), arr(nul))).toBe(-1)
    expect(order(arr(str('a')), arr(int(99)))).toBe(1)
    expect(order(arr(int(1), dbl(2)), arr(dbl(1), int(2)))).toBe(0)
  })

  it('orders maps by sorted keys, then values, then size, regardless of insertion order', () => {
    expect(order(map({ a: int(9) }), map({ b: int(0) }))).toBe(-1)
    expect(order(map({ a: int(1) }), map({ a: int(2) }))).toBe(-1)
    expect(order(map({ a: int(1) }), map({ a: int(1), b: int(0) }))).toBe(-1)
    expect(order(map({}), map({ a: nul }))).toBe(-1)
    expect(order(map({ b: int(1), a: int(2) }), map({ a: int(2), b: int(1) }))).toBe(0)
    // Sorted keys: {a, z} vs {b}: "a" < "b" decides, although "z" > "b".
    expect(order(map({ z: int(0), a: int(0) }), map({ b: int(0) }))).toBe(-1)
  })

  it('orders vectors by length first, then elements', () => {
    expect(order(vector(9), vector(1, 2))).toBe(-1)
    expect(order(vector(1, 2), vector(1, 3))).toBe(-1)
    expect(order(vector(1, 2), vector(1, 2))).toBe(0)
  })

  it('is antisymmetric across a mixed sample', () => {
    const sample = [nul, bool(true), int(3), dbl(2.5), dbl(NaN), str('x'), bytes(1), ref('a/b'), geo(1, 1), arr(int(1)), map({ a: int(1) })]
    for (const a of sample) {
      for (const b of sample) expect(order(a, b)).toBe(-order(b, a) + 0)
    }
  })
})

describe('valuesEqual', () => {
  it('uses Firestore equality', () => {
    expect(valuesEqual(int(1), dbl(1))).toBe(true)
    expect(valuesEqual(str('1'), int(1))).toBe(false)
    expect(valuesEqual(arr(int(1), map({ a: str('x') })), arr(dbl(1), map({ a: str('x') })))).toBe(true)
    expect(valuesEqual(nul, bool(false))).toBe(false)
  })
})

describe('getField', () => {
  const fields: Fields = { a: int(1), m: map({ x: str('y'), n: map({ deep: bool(true) }) }), s: str('flat') }

  it('reads top-level and nested fields', () => {
    expect(getField(fields, ['a'])).toEqual(int(1))
    expect(getField(fields, ['m', 'x'])).toEqual(str('y'))
    expect(getField(fields, ['m', 'n', 'deep'])).toEqual(bool(true))
    expect(getField(fields, ['m'])).toBe(fields['m'])
  })

  it('is undefined for missing fields and paths through non-maps', () => {
    expect(getField(fields, ['b'])).toBeUndefined()
    expect(getField(fields, ['m', 'missing'])).toBeUndefined()
    expect(getField(fields, ['s', 'x'])).toBeUndefined()
    expect(getField(undefined, ['a'])).toBeUndefined()
    expect(getField(fields, [])).toBeUndefined()
  })

  it("does not see Object.prototype's members as fields", () => {
    expect(getField(fields, ['constructor'])).toBeUndefined()
    expect(getField(fields, ['toString'])).toBeUndefined()
    expect(getField(fields, ['m', 'hasOwnProperty'])).toBeUndefined()
    expect(getField({ constructor: int(5) }, ['constructor'])).toEqual(int(5))
  })
})

describe('setField', () => {
  it('sets top-level and nested fields, creating maps and keeping siblings', () => {
    const fields: Fields = { keep: int(1), m: map({ old: int(2) }) }
    setField(fields, ['m', 'new'], str('x'))
    setField(fields, ['a', 'b', 'c'], int(3))
    setField(fields, ['top'], nul)
    expect(fields).toEqual({
      keep: int(1),
      m: map({ old: int(2), new: str('x') }),
      a: map({ b: map({ c: int(3) }) }),
      top: nul,
    })
  })

  it('replaces a non-map on the way', () => {
    const fields: Fields = { s: str('flat') }
    setField(fields, ['s', 'x'], int(1))
    expect(fields).toEqual({ s: map({ x: int(1) }) })
  })

  it('overwrites an existing value', () => {
    const fields: Fields = { a: int(1) }
    setField(fields, ['a'], str('two'))
    expect(fields['a']).toEqual(str('two'))
  })
})

describe('deleteField', () => {
  it('removes top-level and nested fields', () => {
    const fields: Fields = { a: int(1), m: map({ x: int(2), y: int(3) }) }
    deleteField(fields, ['a'])
    deleteField(fields, ['m', 'x'])
    expect(fields).toEqual({ m: map({ y: int(3) }) })
  })

  it('ignores missing fields and paths through non-maps', () => {
    const fields: Fields = { s: str('flat'), m: map({ x: int(2) }) }
    deleteField(fields, ['missing'])
    deleteField(fields, ['s', 'x'])
    deleteField(fields, ['m', 'nope', 'deeper'])
    expect(fields).toEqual({ s: str('flat'), m: map({ x: int(2) }) })
  })
})
