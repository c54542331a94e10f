import { EvalError } from './errors.js'
import { NULL_VALUE_ERROR, asCollection, asInt, asList, asMap, asSet, asString } from './expect.js'
import { RegexSyntaxError, compileRe2 } from './regex.js'
import {
  RulesDuration,
  RulesLatLng,
  RulesMap,
  RulesMapDiff,
  RulesPath,
  RulesSet,
  RulesTimestamp,
  isList,
  typeName,
  valuesEqual,
  type RulesList,
  type RulesValue,
} from './values.js'

/**
 * Methods of the value types (`'abc'.size()`, `m.keys()`...), index `x[i]`, range
 * `x[i:j]` and property `m.k` access, as the rules reference documents them.
 */

/** Every method name with the argument counts it takes, for checking calls when the ruleset loads. */
export const METHOD_ARITIES: Readonly<Record<string, readonly number[]>> = {
  size: [0],
  matches: [1],
  lower: [0],
  upper: [0],
  split: [1],
  trim: [0],
  replace: [2],
  toUtf8: [0],
  toBase64: [0],
  toHexString: [0],
  hasAll: [1],
  hasAny: [1],
  hasOnly: [1],
  join: [1],
  concat: [1],
  removeAll: [1],
  toSet: [0],
  keys: [0],
  values: [0],
  get: [2],
  diff: [1],
  difference: [1],
  intersection: [1],
  union: [1],
  addedKeys: [0],
  removedKeys: [0],
  changedKeys: [0],
  affectedKeys: [0],
  unchangedKeys: [0],
  date: [0],
  day: [0],
  dayOfWeek: [0],
  dayOfYear: [0],
  hours: [0],
  minutes: [0],
  month: [0],
  nanos: [0],
  seconds: [0],
  time: [0],
  toMillis: [0],
  year: [0],
  latitude: [0],
  longitude: [0],
  distance: [1],
}

/** Methods whose first argument is a regular expression, checked at load time when literal. */
export const REGEX_METHODS = new Set(['matches', 'replace', 'split'])

function notFound(name: string): EvalError {
  return new EvalError(`Function not found error: Name: [${name}].`)
}

export function callMethod(receiver: RulesValue, name: string, args: RulesValue[]): RulesValue {
  if (receiver === null) throw new EvalError(NULL_VALUE_ERROR)
  if (typeof receiver === 'string') return stringMethod(receiver, name, args)
  if (receiver instanceof Uint8Array) return bytesMethod(receiver, name)
  if (isList(receiver)) return listMethod(receiver, name, args)
  if (receiver instanceof RulesMap) return mapMethod(receiver, name, args)
  if (receiver instanceof RulesSet) return setMethod(receiver, name, args)
  if (receiver instanceof RulesMapDiff) return mapDiffMethod(receiver, name)
  if (receiver instanceof RulesTimestamp) return timestampMethod(receiver, name)
  if (receiver instanceof RulesDuration) return durationMethod(receiver, name)
  if (receiver instanceof RulesLatLng) return latLngMethod(receiver, name, args)
  throw notFound(name)
}

function regex(pattern: RulesValue, fn: string) {
  try {
    return compileRe2(asString(pattern, fn))
  } catch (err) {
    if (err instanceof RegexSyntaxError) throw new EvalError(err.message)
    throw err
  }
}

function stringMethod(s: string, name: string, args: RulesValue[]): RulesValue {
  switch (name) {
    case 'size':
      return BigInt(codePoints(s).length)
    case 'matches':
      return regex(args[0]!, 'matches').full.test(s)
    case 'lower':
      return s.toLowerCase()
    case 'upper':
      return s.toUpperCase()
    case 'trim':
      return s.trim()
    case 'split':
      return s.split(regex(args[0]!, 'split').splitter)
    case 'replace': {
      const re = regex(args[0]!, 'replace').global
      const sub = asString(args[1]!, 'replace')
      // How production expands group references in the replacement is not documented;
      // refuse rather than guess.
      if (sub.includes('$') || sub.includes('\\')) throw new EvalError("Unsupported replacement string: '$' and '\\' are not supported.")
      return s.replace(re, () => sub)
    }
    case 'toUtf8':
      return new Uint8Array(Buffer.from(s, 'utf8'))
    default:
      throw notFound(name)
  }
}

/** Strings index by code point, not UTF-16 unit. */
function codePoints(s: string): string[] {
  return [...s]
}

function bytesMethod(bytes: Uint8Array, name: string): RulesValue {
  switch (name) {
    case 'size':
      return BigInt(bytes.length)
    case 'toBase64':
      // The reference specifies base64url ("b'\xFB\xEF\xBE'.toBase64() == '----'").
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64').replace(/\+/g, '-').replace(/\//g, '_')
    case 'toHexString':
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex').toUpperCase()
    default:
      throw notFound(name)
  }
}

function listMethod(list: RulesList, name: string, args: RulesValue[]): RulesValue {
  switch (name) {
    case 'size':
      return BigInt(list.length)
    case 'hasAll': {
      const own = RulesSet.from(list)
      return asCollection(args[0]!, 'hasAll').every((v) => own.has(v))
    }
    case 'hasAny': {
      const own = RulesSet.from(list)
      return asCollection(args[0]!, 'hasAny').some((v) => own.has(v))
    }
    case 'hasOnly': {
      const allowed = RulesSet.from(asCollection(args[0]!, 'hasOnly'))
      return list.every((v) => allowed.has(v))
    }
    case 'join': {
      const sep = asString(args[0]!, 'join')
      return list.map((v) => asString(v, 'join')).join(sep)
    }
    case 'concat':
      return [...list, ...asList(args[0]!, 'concat')]
    case 'removeAll': {
      const removed = RulesSet.from(asCollection(args[0]!, 'removeAll'))
      return list.filter((v) => !removed.has(v))
    }
    case 'toSet':
      return RulesSet.from(list)
    default:
      throw notFound(name)
  }
}

function mapMethod(map: RulesMap, name: string, args: RulesValue[]): RulesValue {
  switch (name) {
    case 'size':
      return BigInt(map.size)
    case 'keys':
      return map.keys()
    case 'values':
      return map.keys().map((k) => map.get(k)!)
    case 'get':
      return mapGet(map, args[0]!, args[1]!)
    case 'diff':
      return new RulesMapDiff(map, asMap(args[0]!, 'diff'))
    default:
      throw notFound(name)
  }
}

/** `m.get(key, default)`; a list key walks nested maps ("a", "b" reads m.a.b). */
function mapGet(map: RulesMap, key: RulesValue, fallback: RulesValue): RulesValue {
  const path = isList(key) ? key.map((k) => asString(k, 'get')) : [asString(key, 'get')]
  if (path.length === 0) throw new EvalError("Invalid argument for 'get': empty key list.")
  let current: RulesValue = map
  for (const segment of path) {
    if (!(current instanceof RulesMap)) return fallback
    const next = current.get(segment)
    if (next === undefined) return fallback
    current = next
  }
  return current
}

function setMethod(set: RulesSet, name: string, args: RulesValue[]): RulesValue {
  switch (name) {
    case 'size':
      return BigInt(set.size)
    case 'hasAll':
      return asCollection(args[0]!, 'hasAll').every((v) => set.has(v))
    case 'hasAny':
      return asCollection(args[0]!, 'hasAny').some((v) => set.has(v))
    case 'hasOnly': {
      const allowed = RulesSet.from(asCollection(args[0]!, 'hasOnly'))
      return set.values().every((v) => allowed.has(v))
    }
    case 'difference': {
      const other = asSet(args[0]!, 'difference')
      return RulesSet.from(set.values().filter((v) => !other.has(v)))
    }
    case 'intersection': {
      const other = asSet(args[0]!, 'intersection')
      return RulesSet.from(set.values().filter((v) => other.has(v)))
    }
    case 'union':
      return RulesSet.from([...set.values(), ...asSet(args[0]!, 'union').values()])
    default:
      throw notFound(name)
  }
}

function mapDiffMethod(diff: RulesMapDiff, name: string): RulesValue {
  const { self, other } = diff
  const changed = (k: string) => !valuesEqual(self.get(k)!, other.get(k)!)
  const added = () => self.keys().filter((k) => !other.has(k))
  const removed = () => other.keys().filter((k) => !self.has(k))
  const common = () => self.keys().filter((k) => other.has(k))
  switch (name) {
    case 'addedKeys':
      return RulesSet.from(added())
    case 'removedKeys':
      return RulesSet.from(removed())
    case 'changedKeys':
      return RulesSet.from(common().filter(changed))
    case 'unchangedKeys':
      return RulesSet.from(common().filter((k) => !changed(k)))
    case 'affectedKeys':
      return RulesSet.from([...added(), ...removed(), ...common().filter(changed)])
    default:
      throw notFound(name)
  }
}

const NANOS_PER_SECOND = 1_000_000_000n
const NANOS_PER_MILLI = 1_000_000n
const NANOS_PER_DAY = 86_400n * NANOS_PER_SECOND

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q
}

function floorMod(a: bigint, b: bigint): bigint {
  return a - floorDiv(a, b) * b
}

function timestampMethod(ts: RulesTimestamp, name: string): RulesValue {
  const date = new Date(Number(floorDiv(ts.nanos, NANOS_PER_MILLI)))
  switch (name) {
    case 'date':
      return RulesTimestamp.of(ts.nanos - floorMod(ts.nanos, NANOS_PER_DAY))
    case 'year':
      return BigInt(date.getUTCFullYear())
    case 'month':
      return BigInt(date.getUTCMonth() + 1)
    case 'day':
      return BigInt(date.getUTCDate())
    case 'hours':
      return BigInt(date.getUTCHours())
    case 'minutes':
      return BigInt(date.getUTCMinutes())
    case 'seconds':
      return BigInt(date.getUTCSeconds())
    case 'nanos':
      return floorMod(ts.nanos, NANOS_PER_SECOND)
    case 'dayOfWeek':
      // 1 is Monday, 7 Sunday (ISO 8601); JS counts Sunday as 0.
      return BigInt(date.getUTCDay() || 7)
    case 'dayOfYear': {
      const jan1 = new Date(0)
      jan1.setUTCFullYear(date.getUTCFullYear(), 0, 1)
      const midnight = Number(floorDiv(ts.nanos - floorMod(ts.nanos, NANOS_PER_DAY), NANOS_PER_MILLI))
      return BigInt(Math.round((midnight - jan1.getTime()) / 86_400_000) + 1)
    }
    case 'time':
      return new RulesDuration(floorMod(ts.nanos, NANOS_PER_DAY))
    case 'toMillis':
      return floorDiv(ts.nanos, NANOS_PER_MILLI)
    default:
      throw notFound(name)
  }
}

function durationMethod(d: RulesDuration, name: string): RulesValue {
  switch (name) {
    // Both portions carry the duration's sign: -1.5s is -1 seconds and -500000000 nanos.
    case 'seconds':
      return d.nanos / NANOS_PER_SECOND
    case 'nanos':
      return d.nanos % NANOS_PER_SECOND
    default:
      throw notFound(name)
  }
}

/** Mean Earth radius of Google's S2 geometry library, in meters. */
const EARTH_RADIUS_METERS = 6_371_010

function latLngMethod(point: RulesLatLng, name: string, args: RulesValue[]): RulesValue {
  switch (name) {
    case 'latitude':
      return point.latitude
    case 'longitude':
      return point.longitude
    case 'distance': {
      const other = args[0]!
      if (!(other instanceof RulesLatLng)) throw new EvalError(`Invalid argument for 'distance': expected a latlng, got ${typeName(other)}.`)
      return haversine(point, other)
    }
    default:
      throw notFound(name)
  }
}

function haversine(a: RulesLatLng, b: RulesLatLng): number {
  const rad = Math.PI / 180
  const dLat = (b.latitude - a.latitude) * rad
  const dLng = (b.longitude - a.longitude) * rad
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLng / 2) ** 2
  return 2 * EARTH_RADIUS_METERS * Math.asin(Math.min(1, Math.sqrt(h)))
}

/** `x[i]`: a list item, a string's character, a map value, a path segment. */
export function index(target: RulesValue, key: RulesValue): RulesValue {
  if (target === null) throw new EvalError(NULL_VALUE_ERROR)
  if (target instanceof RulesMap) return property(target, asString(key, '[]'))
  if (isList(target)) return target[position(key, target.length)]!
  if (typeof target === 'string') {
    const chars = codePoints(target)
    return chars[position(key, chars.length)]!
  }
  if (target instanceof RulesPath) return target.segments[position(key, target.segments.length)]!
  throw new EvalError(`Unsupported operation error. Received: ${typeName(target)}[${key === null ? 'null' : typeName(key)}].`)
}

function position(key: RulesValue, length: number): number {
  const i = asInt(key, '[]')
  if (i < 0n || i >= BigInt(length)) throw new EvalError(`Index out of range: ${i}.`)
  return Number(i)
}

/** `x[i:j]` of a list or string, j exclusive. */
export function range(target: RulesValue, start: RulesValue, end: RulesValue): RulesValue {
  if (target === null) throw new EvalError(NULL_VALUE_ERROR)
  const items: readonly RulesValue[] | null = isList(target) ? target : typeof target === 'string' ? codePoints(target) : null
  if (items === null) throw new EvalError(`Unsupported operation error. Received: ${typeName(target)}[:].`)
  const i = asInt(start, '[:]')
  const j = asInt(end, '[:]')
  if (i < 0n || j < i || j > BigInt(items.length)) throw new EvalError(`Range out of bounds: [${i}:${j}].`)
  const slice = items.slice(Number(i), Number(j))
  return typeof target === 'string' ? slice.join('') : slice
}

/** `m.k` and `m['k']`: a missing key is an error, as in production. */
export function property(target: RulesValue, name: string): RulesValue {
  if (target === null) throw new EvalError(NULL_VALUE_ERROR)
  if (target instanceof RulesMap) {
    const value = target.get(name)
    if (value !== undefined) return value
  }
  throw new EvalError(`Property ${name} is undefined on object.`)
}

