import type { Fields, Timestamp, Value } from './types.js'

/**
 * Firestore values: their kinds, Firestore's total order across kinds, equality, and
 * field access. The order is the documented one: null < booleans < numbers (integers and
 * doubles mixed, NaN first) < timestamps < strings < bytes < references < geo points
 * < arrays < vectors < maps.
 */

export type ValueKind =
  | 'null'
  | 'boolean'
  | 'integer'
  | 'double'
  | 'timestamp'
  | 'string'
  | 'bytes'
  | 'reference'
  | 'geoPoint'
  | 'array'
  | 'map'

const KIND_BY_MEMBER: Record<string, ValueKind> = {
  nullValue: 'null',
  booleanValue: 'boolean',
  integerValue: 'integer',
  doubleValue: 'double',
  timestampValue: 'timestamp',
  stringValue: 'string',
  bytesValue: 'bytes',
  referenceValue: 'reference',
  geoPointValue: 'geoPoint',
  arrayValue: 'array',
  mapValue: 'map',
}

/** The kind of a value, or undefined for a Value with no member set. */
export function valueKind(value: Value): ValueKind | undefined {
  if (value.valueType) return KIND_BY_MEMBER[value.valueType]
  for (const key in value) {
    const kind = KIND_BY_MEMBER[key]
    if (kind !== undefined && (value as Record<string, unknown>)[key] !== undefined) return kind
  }
  return undefined
}

/** Rank of each kind in Firestore's cross-type order; integers and doubles share a rank. */
const TYPE_ORDER: Record<ValueKind, number> = {
  null: 0,
  boolean: 1,
  integer: 2,
  double: 2,
  timestamp: 3,
  string: 4,
  bytes: 5,
  reference: 6,
  geoPoint: 7,
  array: 8,
  map: 10,
}

const VECTOR_TYPE_ORDER = 9

export function typeOrder(value: Value): number {
  const kind = valueKind(value)
  if (kind === undefined) return -1
  if (kind === 'map' && isVector(value)) return VECTOR_TYPE_ORDER
  return TYPE_ORDER[kind]
}

/** A vector value is a map whose `__type__` is "__vector__". */
export function isVector(value: Value): boolean {
  return value.mapValue?.fields?.['__type__']?.stringValue === '__vector__'
}

export const NULL_VALUE: Value = { nullValue: 'NULL_VALUE' }

export function isNumber(value: Value): boolean {
  const kind = valueKind(value)
  return kind === 'integer' || kind === 'double'
}

export function isNaNValue(value: Value): boolean {
  return valueKind(value) === 'double' && Number.isNaN(Number(value.doubleValue))
}

export function integerOf(value: Value): bigint {
  return BigInt(value.integerValue ?? 0)
}

export function doubleOf(value: Value): number {
  return Number(value.doubleValue ?? 0)
}

export function integerValue(n: bigint | number): Value {
  return { integerValue: String(n) }
}

export function doubleValue(n: number): Value {
  return { doubleValue: n }
}

/** Timestamp as microseconds since the epoch (Firestore stores microsecond precision). */
export function timestampToMicros(ts: Timestamp): number {
  return Number(ts.seconds) * 1e6 + Math.floor((ts.nanos ?? 0) / 1000)
}

export function microsToTimestamp(micros: number): Timestamp {
  const seconds = Math.floor(micros / 1e6)
  return { seconds: String(seconds), nanos: (micros - seconds * 1e6) * 1000 }
}

function compareTimestamps(a: Timestamp, b: Timestamp): number {
  const s = compareBigInt(BigInt(a.seconds), BigInt(b.seconds))
  return s !== 0 ? s : cmp(a.nanos ?? 0, b.nanos ?? 0)
}

function cmp(a: number | string, b: number | string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function compareBigInt(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** Compares two numbers of either kind exactly, NaN below everything (as Firestore orders). */
function compareNumbers(a: Value, b: Value): number {
  const aInt = valueKind(a) === 'integer'
  const bInt = valueKind(b) === 'integer'
  if (aInt && bInt) return compareBigInt(integerOf(a), integerOf(b))
  if (!aInt && !bInt) return compareDoubles(doubleOf(a), doubleOf(b))
  return aInt ? -compareDoubleToInteger(doubleOf(b), integerOf(a)) : compareDoubleToInteger(doubleOf(a), integerOf(b))
}

function compareDoubles(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : -1
  if (Number.isNaN(b)) return 1
  return cmp(a, b)
}

/** Exact comparison of a double with an int64, without rounding the integer to a double. */
function compareDoubleToInteger(d: number, i: bigint): number {
  if (Number.isNaN(d)) return -1
  if (d === Infinity) return 1
  if (d === -Infinity) return -1
  const floor = Math.floor(d)
  const c = compareBigInt(BigInt(floor), i)
  if (c !== 0) return c
  return d > floor ? 1 : 0
}

/** Unicode code point order for strings, as Firestore uses (UTF-8 byte order). */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i)
    const cb = b.charCodeAt(i)
    if (ca !== cb) {
      // Surrogates (0xD800-0xDFFF) encode code points above 0xFFFF and must sort after
      // the BMP characters 0xE000-0xFFFF, which UTF-16 code unit order gets wrong.
      const sa = ca >= 0xd800 && ca <= 0xdfff
      const sb = cb >= 0xd800 && cb <= 0xdfff
      if (sa !== sb) return sa ? 1 : -1
      return ca < cb ? -1 : 1
    }
  }
  return cmp(a.length, b.length)
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1
  }
  return cmp(a.length, b.length)
}

const NUMERIC_ID = /^__id(-?\d+)__$/

/**
 * One segment of a document path, as Firestore orders them: numeric IDs (`__id<int64>__`, which no
 * client can write but which bound queries: the Admin SDK's recursiveDelete of a collection starts
 * at `{collection}/__id-9223372036854775808__`) come first, by value, then every other ID by
 * compareStrings. The SDKs order keys the same way (the web SDK's BasePath.compareSegments).
 */
export function compareSegments(a: string, b: string): number {
  const na = NUMERIC_ID.exec(a)
  const nb = NUMERIC_ID.exec(b)
  if (na && nb) return compareBigInt(BigInt(na[1]!), BigInt(nb[1]!))
  if (na || nb) return na ? -1 : 1
  return compareStrings(a, b)
}

/** References compare segment by segment (after the database prefix). */
function compareReferences(a: string, b: string): number {
  const as = a.split('/')
  const bs = b.split('/')
  const n = Math.min(as.length, bs.length)
  for (let i = 0; i < n; i++) {
    const c = compareSegments(as[i]!, bs[i]!)
    if (c !== 0) return c
  }
  return cmp(as.length, bs.length)
}

function compareArrays(a: Value[], b: Value[]): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const c = compareValues(a[i]!, b[i]!)
    if (c !== 0) return c
  }
  return cmp(a.length, b.length)
}

/** Maps compare as their entries sorted by key: key first, then value, then size. */
function compareMaps(a: Fields, b: Fields): number {
  const ak = Object.keys(a).sort(compareStrings)
  const bk = Object.keys(b).sort(compareStrings)
  const n = Math.min(ak.length, bk.length)
  for (let i = 0; i < n; i++) {
    const c = compareStrings(ak[i]!, bk[i]!) || compareValues(a[ak[i]!]!, b[bk[i]!]!)
    if (c !== 0) return c
  }
  return cmp(ak.length, bk.length)
}

/** Vectors order by length first, then element by element. */
function compareVectors(a: Value, b: Value): number {
  const av = a.mapValue?.fields?.['value']?.arrayValue?.values ?? []
  const bv = b.mapValue?.fields?.['value']?.arrayValue?.values ?? []
  return cmp(av.length, bv.length) || compareArrays(av, bv)
}

/** Firestore's total order over values. */
export function compareValues(a: Value, b: Value): number {
  const ta = typeOrder(a)
  const tb = typeOrder(b)
  if (ta !== tb) return cmp(ta, tb)
  switch (valueKind(a)) {
    case 'null':
      return 0
    case 'boolean':
      return cmp(Number(a.booleanValue), Number(b.booleanValue))
    case 'integer':
    case 'double':
      return compareNumbers(a, b)
    case 'timestamp':
      return compareTimestamps(a.timestampValue!, b.timestampValue!)
    case 'string':
      return compareStrings(a.stringValue!, b.stringValue!)
    case 'bytes':
      return compareBytes(a.bytesValue!, b.bytesValue!)
    case 'reference':
      return compareReferences(a.referenceValue!, b.referenceValue!)
    case 'geoPoint': {
      const ga = a.geoPointValue!
      const gb = b.geoPointValue!
      return compareDoubles(ga.latitude ?? 0, gb.latitude ?? 0) || compareDoubles(ga.longitude ?? 0, gb.longitude ?? 0)
    }
    case 'array':
      return compareArrays(a.arrayValue?.values ?? [], b.arrayValue?.values ?? [])
    case 'map':
      return ta === VECTOR_TYPE_ORDER ? compareVectors(a, b) : compareMaps(a.mapValue?.fields ?? {}, b.mapValue?.fields ?? {})
    default:
      return 0
  }
}

/**
 * Equality as queries and array transforms use it: numbers by value across int and double
 * (1 == 1.0, -0.0 == 0.0), NaN equal to NaN.
 */
export function valuesEqual(a: Value, b: Value): boolean {
  return compareValues(a, b) === 0
}

/** The value at a field path (already split into segments), or undefined. */
export function getField(fields: Fields | null | undefined, path: readonly string[]): Value | undefined {
  let current: Fields | null | undefined = fields
  for (let i = 0; i < path.length; i++) {
    const segment = path[i]!
    // Own properties only: "constructor" or "toString" are valid field names, and a plain
    // lookup would return Object.prototype's members for documents that lack them.
    const value: Value | undefined = current && Object.hasOwn(current, segment) ? current[segment] : undefined
    if (value === undefined || i === path.length - 1) return value
    if (valueKind(value) !== 'map') return undefined
    current = value.mapValue?.fields
  }
  return undefined
}

/** Sets the value at a field path, creating intermediate maps and replacing non-maps. */
export function setField(fields: Fields, path: readonly string[], value: Value): void {
  let current = fields
  for (let i = 0; i < path.length - 1; i++) {
    const segment = path[i]!
    let next = current[segment]
    if (next === undefined || valueKind(next) !== 'map') {
      next = { mapValue: { fields: {} } }
      current[segment] = next
    }
    next.mapValue!.fields ??= {}
    current = next.mapValue!.fields
  }
  current[path[path.length - 1]!] = value
}

/** Removes the value at a field path, if present. */
export function deleteField(fields: Fields, path: readonly string[]): void {
  let current: Fields | undefined = fields
  for (let i = 0; i < path.length - 1; i++) {
    const next: Value | undefined = current[path[i]!]
    if (next === undefined || valueKind(next) !== 'map') return
    current = next.mapValue?.fields
    if (current === undefined) return
  }
  delete current[path[path.length - 1]!]
}

/** A deep copy, so stored documents never share structure with requests or responses. */
export function cloneFields(fields: Fields | null | undefined): Fields {
  const copy: Fields = {}
  for (const key in fields ?? {}) copy[key] = cloneValue(fields![key]!)
  return copy
}

/**
 * A deep copy of a value. Bytes are copied to exactly their own length: decoded bytes are
 * views into a whole request buffer, and copying the view's buffer (as structuredClone
 * does) would keep every request alive in memory.
 */
export function cloneValue(value: Value): Value {
  switch (valueKind(value)) {
    case 'bytes':
      return { bytesValue: Uint8Array.prototype.slice.call(value.bytesValue!) }
    case 'array':
      return { arrayValue: { values: (value.arrayValue?.values ?? []).map(cloneValue) } }
    case 'map':
      return { mapValue: { fields: cloneFields(value.mapValue?.fields) } }
    case 'timestamp':
      return { timestampValue: { ...value.timestampValue! } }
    case 'geoPoint':
      return { geoPointValue: { ...value.geoPointValue! } }
    default: {
      const { valueType: _, ...scalar } = value
      return scalar
    }
  }
}

/**
 * Storage size of a value by Firestore's documented rules (used for the 1 MiB document
 * limit): strings and bytes by length + 1, numbers 8, booleans and null 1, timestamps and
 * geo points 16, references by path, arrays and maps by their contents.
 */
export function valueSize(value: Value): number {
  switch (valueKind(value)) {
    case 'null':
    case 'boolean':
      return 1
    case 'integer':
    case 'double':
      return 8
    case 'timestamp':
    case 'geoPoint':
      return 16
    case 'string':
      return Buffer.byteLength(value.stringValue!) + 1
    case 'bytes':
      return value.bytesValue!.length + 1
    case 'reference':
      return referenceSize(value.referenceValue!)
    case 'array':
      return (value.arrayValue?.values ?? []).reduce((n, v) => n + valueSize(v), 0)
    case 'map':
      return fieldsSize(value.mapValue?.fields ?? {})
    default:
      return 0
  }
}

export function fieldsSize(fields: Fields): number {
  let size = 0
  for (const key in fields) size += Buffer.byteLength(key) + 1 + valueSize(fields[key]!)
  return size
}

/** Size of a document name: each segment's bytes + 1, plus 16 (documented rule). */
export function referenceSize(name: string): number {
  const rest = name.replace(/^projects\/[^/]+\/databases\/[^/]+\/documents\/?/, '')
  return rest.split('/').reduce((n, s) => n + Buffer.byteLength(s) + 1, 16)
}
