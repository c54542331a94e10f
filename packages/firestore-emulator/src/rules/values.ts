import type { Fields, Value } from '../model/types.js'
import { compareStrings, valueKind } from '../model/values.js'
import { EvalError } from './errors.js'
import type { RulesResourceDoc } from './types.js'

/**
 * The rules language's values. Primitives map to JS primitives so the evaluator dispatches
 * on `typeof`: null, bool (boolean), int (bigint: 64-bit, overflow is an error), float
 * (number), string, bytes (Uint8Array), list (array). The rest are small classes.
 */
export type RulesValue =
  | null
  | boolean
  | bigint
  | number
  | string
  | Uint8Array
  | RulesList
  | RulesMap
  | RulesSet
  | RulesPath
  | RulesTimestamp
  | RulesDuration
  | RulesLatLng
  | RulesMapDiff

export type RulesList = readonly RulesValue[]

export const INT64_MIN = -(2n ** 63n)
export const INT64_MAX = 2n ** 63n - 1n

/** An int result, or the language's overflow error. */
export function checkedInt(n: bigint): bigint {
  if (n < INT64_MIN || n > INT64_MAX) throw new EvalError('Integer overflow error.')
  return n
}

/**
 * A map with string keys. Maps read from documents convert each field on first access:
 * rules usually touch a few fields of a document that may hold large arrays or maps.
 */
export class RulesMap {
  private constructor(
    private readonly converted: Map<string, RulesValue>,
    private readonly fields: Fields | null,
  ) {}

  static of(entries: Iterable<readonly [string, RulesValue]>): RulesMap {
    return new RulesMap(new Map(entries), null)
  }

  static fromFields(fields: Fields): RulesMap {
    return new RulesMap(new Map(), fields)
  }

  get size(): number {
    return this.fields ? Object.keys(this.fields).length : this.converted.size
  }

  has(key: string): boolean {
    // Own properties only: "constructor" is a valid field name that plain objects inherit.
    return this.fields ? Object.hasOwn(this.fields, key) : this.converted.has(key)
  }

  get(key: string): RulesValue | undefined {
    const cached = this.converted.get(key)
    if (cached !== undefined || !this.fields) return cached
    if (!Object.hasOwn(this.fields, key)) return undefined
    const value = fromFirestoreValue(this.fields[key]!)
    this.converted.set(key, value)
    return value
  }

  /** Keys in code point order, so keys() and values() are deterministic. */
  keys(): string[] {
    const keys = this.fields ? Object.keys(this.fields) : [...this.converted.keys()]
    return keys.sort(compareStrings)
  }
}

/** A set of values, unordered, without duplicates; the first of equal values is kept. */
export class RulesSet {
  private constructor(private readonly byKey: Map<string, RulesValue>) {}

  static from(values: Iterable<RulesValue>): RulesSet {
    const byKey = new Map<string, RulesValue>()
    for (const value of values) {
      const key = valueKey(value)
      if (!byKey.has(key)) byKey.set(key, value)
    }
    return new RulesSet(byKey)
  }

  get size(): number {
    return this.byKey.size
  }

  has(value: RulesValue): boolean {
    return this.byKey.has(valueKey(value))
  }

  values(): RulesValue[] {
    return [...this.byKey.values()]
  }
}

/** A path: "/databases/(default)/documents/rooms/r1" is the segments databases, (default)... */
export class RulesPath {
  constructor(readonly segments: readonly string[]) {}

  toString(): string {
    return '/' + this.segments.join('/')
  }
}

/** Nanoseconds since the epoch, within 0001-01-01 and 9999-12-31 as Firestore allows. */
export class RulesTimestamp {
  private constructor(readonly nanos: bigint) {}

  static of(nanos: bigint): RulesTimestamp {
    if (nanos < MIN_TIMESTAMP_NANOS || nanos > MAX_TIMESTAMP_NANOS) throw new EvalError('Timestamp out of range.')
    return new RulesTimestamp(nanos)
  }
}

const MIN_TIMESTAMP_NANOS = -62135596800n * 1_000_000_000n
const MAX_TIMESTAMP_NANOS = 253402300799n * 1_000_000_000n + 999_999_999n

/** A signed duration in nanoseconds. */
export class RulesDuration {
  constructor(readonly nanos: bigint) {}
}

export class RulesLatLng {
  constructor(
    readonly latitude: number,
    readonly longitude: number,
  ) {}
}

/** The result of `a.diff(b)`; its key sets are computed when asked for. */
export class RulesMapDiff {
  constructor(
    readonly self: RulesMap,
    readonly other: RulesMap,
  ) {}
}

/** The type name used by `is` and in error messages. */
export function typeName(value: RulesValue): string {
  switch (typeof value) {
    case 'boolean':
      return 'bool'
    case 'bigint':
      return 'int'
    case 'number':
      return 'float'
    case 'string':
      return 'string'
    default:
      break
  }
  if (value === null) return 'null'
  if (value instanceof Uint8Array) return 'bytes'
  if (Array.isArray(value)) return 'list'
  if (value instanceof RulesMap) return 'map'
  if (value instanceof RulesSet) return 'set'
  if (value instanceof RulesPath) return 'path'
  if (value instanceof RulesTimestamp) return 'timestamp'
  if (value instanceof RulesDuration) return 'duration'
  if (value instanceof RulesLatLng) return 'latlng'
  return 'map_diff'
}

export function isList(value: RulesValue): value is RulesList {
  return Array.isArray(value)
}

/**
 * Compares an int with a float exactly (no rounding of the int to a double). NaN for NaN,
 * which makes every ordering comparison false.
 */
function compareIntFloat(i: bigint, f: number): number {
  if (Number.isNaN(f)) return NaN
  if (f === Infinity) return -1
  if (f === -Infinity) return 1
  const floor = Math.floor(f)
  const c = cmp(i, BigInt(floor))
  if (c !== 0) return c
  return f > floor ? -1 : 0
}

function cmp<T extends number | bigint>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/**
 * Order of two values of comparable types: numbers (int and float mixed), strings (code
 * point order), timestamps, durations. undefined when the types cannot be ordered; NaN when
 * a float NaN is involved.
 */
export function compareValues(a: RulesValue, b: RulesValue): number | undefined {
  const ta = typeof a
  const tb = typeof b
  if (ta === 'bigint' && tb === 'bigint') return cmp(a as bigint, b as bigint)
  if (ta === 'number' && tb === 'number') return Number.isNaN(a) || Number.isNaN(b) ? NaN : cmp(a as number, b as number)
  if (ta === 'bigint' && tb === 'number') return compareIntFloat(a as bigint, b as number)
  if (ta === 'number' && tb === 'bigint') return -compareIntFloat(b as bigint, a as number)
  if (ta === 'string' && tb === 'string') return compareStrings(a as string, b as string)
  if (a instanceof RulesTimestamp && b instanceof RulesTimestamp) return cmp(a.nanos, b.nanos)
  if (a instanceof RulesDuration && b instanceof RulesDuration) return cmp(a.nanos, b.nanos)
  return undefined
}

/** `==`: numbers by value across int and float (1 == 1.0), deep for collections, false across types. */
export function valuesEqual(a: RulesValue, b: RulesValue): boolean {
  if (a === b) return typeof a !== 'number' || !Number.isNaN(a)
  const ta = typeof a
  const tb = typeof b
  if ((ta === 'bigint' || ta === 'number') && (tb === 'bigint' || tb === 'number')) return compareValues(a, b) === 0
  if (ta !== 'object' || tb !== 'object' || a === null || b === null) return false
  if (a instanceof Uint8Array) return b instanceof Uint8Array && Buffer.compare(a, b) === 0
  if (isList(a)) return isList(b) && a.length === b.length && a.every((x, i) => valuesEqual(x, b[i]!))
  if (a instanceof RulesMap) {
    if (!(b instanceof RulesMap) || a.size !== b.size) return false
    for (const key of a.keys()) {
      const other = b.get(key)
      if (other === undefined || !valuesEqual(a.get(key)!, other)) return false
    }
    return true
  }
  if (a instanceof RulesSet) return b instanceof RulesSet && a.size === b.size && a.values().every((x) => b.has(x))
  if (a instanceof RulesPath) return b instanceof RulesPath && a.toString() === b.toString()
  if (a instanceof RulesTimestamp) return b instanceof RulesTimestamp && a.nanos === b.nanos
  if (a instanceof RulesDuration) return b instanceof RulesDuration && a.nanos === b.nanos
  if (a instanceof RulesLatLng) return b instanceof RulesLatLng && a.latitude === b.latitude && a.longitude === b.longitude
  return false
}

/**
 * A string that is equal for equal values (in the sense of valuesEqual), used to hash set
 * members: an int and an integral float share a key, as 1 == 1.0.
 */
export function valueKey(value: RulesValue): string {
  switch (typeof value) {
    case 'boolean':
      return value ? 'T' : 'F'
    case 'bigint':
      return 'n' + value
    case 'number':
      if (Number.isInteger(value)) return 'n' + BigInt(value)
      return 'f' + value
    case 'string':
      return 's' + JSON.stringify(value)
    default:
      break
  }
  if (value === null) return 'N'
  if (value instanceof Uint8Array) return 'b' + Buffer.from(value).toString('hex')
  if (isList(value)) return 'l[' + value.map(valueKey).join(',') + ']'
  if (value instanceof RulesMap) return 'm{' + value.keys().map((k) => JSON.stringify(k) + ':' + valueKey(value.get(k)!)).join(',') + '}'
  if (value instanceof RulesSet) return 'S{' + value.values().map(valueKey).sort().join(',') + '}'
  if (value instanceof RulesPath) return 'p' + JSON.stringify(value.segments)
  if (value instanceof RulesTimestamp) return 't' + value.nanos
  if (value instanceof RulesDuration) return 'd' + value.nanos
  if (value instanceof RulesLatLng) return 'g' + value.latitude + ',' + value.longitude
  return 'x'
}

/** Converts a Firestore value to a rules value. A reference becomes a path. */
export function fromFirestoreValue(value: Value): RulesValue {
  switch (valueKind(value)) {
    case 'boolean':
      return Boolean(value.booleanValue)
    case 'integer':
      return BigInt(value.integerValue ?? 0)
    case 'double':
      return Number(value.doubleValue ?? 0)
    case 'timestamp': {
      const ts = value.timestampValue!
      return RulesTimestamp.of(BigInt(ts.seconds) * 1_000_000_000n + BigInt(ts.nanos ?? 0))
    }
    case 'string':
      return value.stringValue!
    case 'bytes':
      return value.bytesValue!
    case 'reference':
      return referenceToPath(value.referenceValue!)
    case 'geoPoint':
      return new RulesLatLng(value.geoPointValue!.latitude ?? 0, value.geoPointValue!.longitude ?? 0)
    case 'array':
      return (value.arrayValue?.values ?? []).map(fromFirestoreValue)
    case 'map':
      return RulesMap.fromFields(value.mapValue?.fields ?? {})
    default:
      return null
  }
}

/** "projects/p/databases/d/documents/a/b" as the path /databases/d/documents/a/b. */
function referenceToPath(name: string): RulesPath {
  const segments = name.split('/')
  return new RulesPath(segments[0] === 'projects' ? segments.slice(2) : segments)
}

/** Converts JSON (token claims) to rules values: integral numbers are ints, others floats. */
export function fromJson(value: unknown): RulesValue {
  if (value === null || value === undefined) return null
  switch (typeof value) {
    case 'boolean':
    case 'string':
      return value
    case 'number':
      return Number.isSafeInteger(value) ? BigInt(value) : value
    default:
      break
  }
  if (Array.isArray(value)) return value.map(fromJson)
  if (typeof value === 'object') return RulesMap.of(Object.entries(value).map(([k, v]) => [k, fromJson(v)] as const))
  return null
}

/** The full path of a database-relative document path: /databases/{db}/documents/{path}. */
export function documentPath(databaseId: string, relative: string): RulesPath {
  return new RulesPath(['databases', databaseId, 'documents', ...splitPath(relative)])
}

export function splitPath(relative: string): string[] {
  return relative.split('/').filter((s) => s !== '')
}

/** `resource`: a map with __name__ (a path), id and data. */
export function resourceValue(doc: RulesResourceDoc, databaseId: string): RulesMap {
  const name = documentPath(databaseId, doc.path)
  return RulesMap.of([
    ['__name__', name],
    ['id', name.segments[name.segments.length - 1] ?? ''],
    ['data', RulesMap.fromFields(doc.fields)],
  ])
}
