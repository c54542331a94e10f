import { describe, expect, it } from 'vitest'
import type { StoredDocument } from '../model/document.js'
import { FirestoreError } from '../model/errors.js'
import type { Aggregation, Fields, Value } from '../model/types.js'
import { aggregate, validateAggregations } from './aggregate.js'

const int = (n: number | bigint | string): Value => ({ integerValue: String(n) })
const dbl = (n: number): Value => ({ doubleValue: n })
const str = (s: string): Value => ({ stringValue: s })
const nul: Value = { nullValue: 'NULL_VALUE' }
const map = (fields: Record<string, Value>): Value => ({ mapValue: { fields } })

let seq = 0
const doc = (fields: Fields): StoredDocument => {
  const path = `c/${++seq}`
  return { segments: path.split('/'), path, fields, createTime: 1, updateTime: 1 }
}
const docsWith = (...values: Value[]) => values.map((v) => doc({ n: v }))

const count = (alias: string, upTo?: number | string): Aggregation => ({ alias, count: { upTo: upTo === undefined ? null : { value: upTo } } })
const sum = (alias: string, fieldPath = 'n'): Aggregation => ({ alias, sum: { field: { fieldPath } } })
const avg = (alias: string, fieldPath = 'n'): Aggregation => ({ alias, avg: { field: { fieldPath } } })

function invalid(aggregations: Aggregation[], message: RegExp): void {
  let error: unknown
  try {
    aggregate([], aggregations)
  } catch (e) {
    error = e
  }
  expect(error).toBeInstanceOf(FirestoreError)
  expect((error as FirestoreError).code).toBe('INVALID_ARGUMENT')
  expect((error as FirestoreError).message).toMatch(message)
}

describe('count', () => {
  const docs = docsWith(int(1), str('x'), nul, int(4))

  it('counts every result', () => {
    expect(aggregate(docs, [count('c')])).toEqual({ c: int(4) })
    expect(aggregate([], [count('c')])).toEqual({ c: int(0) })
  })

  it('stops at upTo', () => {
    expect(aggregate(docs, [count('c', 2)])).toEqual({ c: int(2) })
    expect(aggregate(docs, [count('c', '10')])).toEqual({ c: int(4) })
    expect(aggregate(docs, [count('c', 4)])).toEqual({ c: int(4) })
  })

  it('accepts a hand-built count without upTo', () => {
    expect(aggregate(docs, [{ alias: 'c', count: {} }])).toEqual({ c: int(4) })
  })
})

describe('sum', () => {
  it('adds integers exactly, as an integer', () => {
    expect(aggregate(docsWith(int(1), int(2), int('9007199254740993')), [sum('s')])).toEqual({ s: int('9007199254740996') })
  })

  it('is a double as soon as any value is a double', () => {
    expect(aggregate(docsWith(int(1), dbl(2.5)), [sum('s')])).toEqual({ s: dbl(3.5) })
    expect(aggregate(docsWith(int(1), dbl(2)), [sum('s')])).toEqual({ s: dbl(3) })
  })

  it('skips non-numeric values, null included, and documents without the field', () => {
    const docs = [...docsWith(int(2), str('5'), nul, map({ n: int(1) })), doc({ other: int(100) })]
    expect(aggregate(docs, [sum('s')])).toEqual({ s: int(2) })
  })

  it('is integer 0 with nothing to add', () => {
    expect(aggregate(docsWith(str('x')), [sum('s')])).toEqual({ s: int(0) })
    expect(aggregate([], [sum('s')])).toEqual({ s: int(0) })
  })

  it('propagates NaN and follows IEEE infinities', () => {
    const nan = aggregate(docsWith(int(1), dbl(NaN), dbl(2)), [sum('s')])['s']
    expect(Number.isNaN(nan?.doubleValue)).toBe(true)
    expect(aggregate(docsWith(dbl(Infinity), int(1)), [sum('s')])).toEqual({ s: dbl(Infinity) })
    const cancelled = aggregate(docsWith(dbl(Infinity), dbl(-Infinity)), [sum('s')])['s']
    expect(Number.isNaN(cancelled?.doubleValue)).toBe(true)
  })

  it('becomes a double when the integer total leaves int64', () => {
    const max = '9223372036854775807'
    expect(aggregate(docsWith(int(max), int(0)), [sum('s')])).toEqual({ s: int(max) })
    expect(aggregate(docsWith(int(max), int(1)), [sum('s')])).toEqual({ s: dbl(2 ** 63) })
    expect(aggregate(docsWith(int('-9223372036854775808'), int(-1)), [sum('s')])).toEqual({ s: dbl(-(2 ** 63)) })
  })

  it('reads nested field paths', () => {
    const docs = [doc({ m: map({ x: int(2) }) }), doc({ m: map({ x: int(3) }) })]
    expect(aggregate(docs, [sum('s', 'm.x')])).toEqual({ s: int(5) })
  })
})

describe('avg', () => {
  it('is a double over the numeric values only', () => {
    expect(aggregate(docsWith(int(1), int(2), str('x'), nul), [avg('a')])).toEqual({ a: dbl(1.5) })
    expect(aggregate(docsWith(int(2), dbl(4)), [avg('a')])).toEqual({ a: dbl(3) })
  })

  it('is null with nothing to average', () => {
    expect(aggregate(docsWith(str('x')), [avg('a')])).toEqual({ a: nul })
    expect(aggregate([], [avg('a')])).toEqual({ a: nul })
  })

  it('propagates NaN', () => {
    expect(Number.isNaN(aggregate(docsWith(int(1), dbl(NaN)), [avg('a')])['a']?.doubleValue)).toBe(true)
  })
})

describe('several aggregations and aliases', () => {
  it('computes each under its alias', () => {
    const docs = docsWith(int(1), int(2), int(3))
    expect(aggregate(docs, [count('n'), sum('total'), avg('mean'), count('two', 2)])).toEqual({
      n: int(3),
      total: int(6),
      mean: dbl(2),
      two: int(2),
    })
  })

  it('names aggregations without an alias field_1, field_2... in order', () => {
    const result = aggregate(docsWith(int(4)), [count(''), sum('s'), avg('')])
    expect(result).toEqual({ field_1: int(1), s: int(4), field_2: dbl(4) })
  })

  it('validateAggregations gives the compiled form', () => {
    expect(validateAggregations([count('c', '7'), sum('s', 'a.b'), avg('')])).toEqual([
      { alias: 'c', kind: 'count', upTo: 7n },
      { alias: 's', kind: 'sum', path: ['a', 'b'] },
      { alias: 'field_1', kind: 'avg', path: ['n'] },
    ])
  })
})

describe('validation', () => {
  it('needs one to five aggregations', () => {
    invalid([], /between 1 and 5 aggregations; this one has 0/)
    invalid([1, 2, 3, 4, 5, 6].map((i) => count(`c${i}`)), /this one has 6/)
    expect(() => aggregate([], [1, 2, 3, 4, 5].map((i) => count(`c${i}`)))).not.toThrow()
  })

  it('needs unique aliases, including generated ones', () => {
    invalid([count('x'), sum('x')], /"x" is used more than once/)
    invalid([count(''), sum('field_1')], /"field_1" is used more than once/)
  })

  it('rejects reserved aliases', () => {
    invalid([count('__name__')], /reserved/)
  })

  it('needs a positive upTo', () => {
    invalid([count('c', 0)], /upTo 0; it must be greater than zero/)
    invalid([count('c', '-3')], /greater than zero/)
    invalid([count('c', 'many')], /invalid upTo/)
  })

  it('needs an operator, and a valid field for sum and avg', () => {
    invalid([{ alias: 'x' }], /must set one of count, sum or avg/)
    invalid([{ alias: 'x', sum: { field: { fieldPath: '' } } }], /needs a field/)
    invalid([{ alias: 'x', avg: { field: { fieldPath: 'a..b' } } }], /field path/)
  })
})
