import { createHash } from 'node:crypto'
import { crc32 } from 'node:zlib'
import { EvalError } from './errors.js'
import { asInt, asNumber, asString, floatToInt, invalidArgument } from './expect.js'
import { RulesDuration, RulesLatLng, RulesPath, RulesTimestamp, checkedInt, type RulesMap, type RulesValue } from './values.js'

/**
 * Global functions (`get`, `string`, `debug`...) and namespaced ones (`math.abs`,
 * `timestamp.date`, `duration.value`, `latlng.value`, `hashing.sha256`).
 */

export interface BuiltinContext {
  /**
   * The document at `path` as `resource` (before the request's writes, or after them), or
   * null when it does not exist. Counts toward the document access limit.
   */
  document(path: RulesValue, after: boolean): RulesMap | null
}

export type Builtin = (args: RulesValue[], ctx: BuiltinContext) => RulesValue

export interface BuiltinSpec {
  fn: Builtin
  arity: number
}

const NANOS_PER_SECOND = 1_000_000_000n

const DURATION_UNITS: Record<string, bigint> = {
  w: 7n * 86_400n * NANOS_PER_SECOND,
  d: 86_400n * NANOS_PER_SECOND,
  h: 3_600n * NANOS_PER_SECOND,
  m: 60n * NANOS_PER_SECOND,
  s: NANOS_PER_SECOND,
  ms: 1_000_000n,
  ns: 1n,
}

/** Float to string as production prints it: integral floats keep ".0" (`string(2.0) == "2.0"`). */
export function formatFloat(f: number): string {
  if (Number.isInteger(f) && Math.abs(f) < 1e21) return (Object.is(f, -0) ? '-0' : f.toFixed(0)) + '.0'
  return String(f)
}

function toString(value: RulesValue): string {
  switch (typeof value) {
    case 'boolean':
      return String(value)
    case 'bigint':
      return value.toString()
    case 'number':
      return formatFloat(value)
    case 'string':
      return value
    default:
      break
  }
  if (value === null) return 'null'
  if (value instanceof RulesPath) return value.toString()
  throw invalidArgument('string', 'a bool, int, float, string, path or null', value)
}

function toInt(value: RulesValue): bigint {
  if (typeof value === 'bigint') return value
  if (typeof value === 'number') return floatToInt(value)
  if (typeof value === 'string') {
    if (!/^[+-]?\d+$/.test(value)) throw new EvalError(`Cannot convert '${value}' to int.`)
    return checkedInt(BigInt(value))
  }
  throw invalidArgument('int', 'an int, float or string', value)
}

function toFloat(value: RulesValue): number {
  if (typeof value === 'bigint') return Number(value)
  if (typeof value === 'number') return value
  if (typeof value === 'string') {
    if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(value)) throw new EvalError(`Cannot convert '${value}' to float.`)
    return Number(value)
  }
  throw invalidArgument('float', 'an int, float or string', value)
}

/** Rounds half away from zero: math.round(2.5) == 3, math.round(-2.5) == -3. */
function roundHalfAway(f: number): number {
  const t = Math.trunc(f)
  return Math.abs(f - t) >= 0.5 ? t + Math.sign(f) : t
}

/** For math.ceil, floor and round: ints pass through, floats become ints. */
function integral(name: string, op: (f: number) => number): Builtin {
  return ([x]) => {
    if (typeof x === 'bigint') return x
    return floatToInt(op(asNumber(x!, name)))
  }
}

function hashInput(value: RulesValue, fn: string): Uint8Array {
  if (typeof value === 'string') return Buffer.from(value, 'utf8')
  if (value instanceof Uint8Array) return value
  throw invalidArgument(fn, 'bytes or a string', value)
}

function uint32Bytes(n: number): Uint8Array {
  const out = new Uint8Array(4)
  new DataView(out.buffer).setUint32(0, n >>> 0)
  return out
}

const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1
    table[n] = c >>> 0
  }
  return table
})()

function crc32c(data: Uint8Array): number {
  let crc = 0xffffffff
  for (const byte of data) crc = CRC32C_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8)
  return (crc ^ 0xffffffff) >>> 0
}

function digest(algorithm: string): Builtin {
  return ([x]) => new Uint8Array(createHash(algorithm).update(hashInput(x!, `hashing.${algorithm}`)).digest())
}

function daysInMonth(year: number, month: number): number {
  const d = new Date(0)
  d.setUTCFullYear(year, month, 0)
  return d.getUTCDate()
}

function timestampDate([y, m, d]: RulesValue[]): RulesValue {
  const year = Number(asInt(y!, 'timestamp.date'))
  const month = Number(asInt(m!, 'timestamp.date'))
  const day = Number(asInt(d!, 'timestamp.date'))
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw new EvalError(`Invalid date: ${year}-${month}-${day}.`)
  }
  // setUTCFullYear, unlike Date.UTC, does not map years below 100 to the 1900s.
  const date = new Date(0)
  date.setUTCFullYear(year, month - 1, day)
  return RulesTimestamp.of(BigInt(date.getTime()) * 1_000_000n)
}

function durationValue([magnitude, unit]: RulesValue[]): RulesValue {
  const scale = DURATION_UNITS[asString(unit!, 'duration.value')]
  if (scale === undefined) throw new EvalError(`Invalid duration unit '${String(unit)}': use w, d, h, m, s, ms or ns.`)
  return new RulesDuration(asInt(magnitude!, 'duration.value') * scale)
}

function durationTime([h, m, s, ns]: RulesValue[]): RulesValue {
  const f = 'duration.time'
  return new RulesDuration(((asInt(h!, f) * 60n + asInt(m!, f)) * 60n + asInt(s!, f)) * NANOS_PER_SECOND + asInt(ns!, f))
}

function latLngValue([lat, lng]: RulesValue[]): RulesValue {
  const latitude = asNumber(lat!, 'latlng.value')
  const longitude = asNumber(lng!, 'latlng.value')
  if (!(latitude >= -90 && latitude <= 90) || !(longitude >= -180 && longitude <= 180)) {
    throw new EvalError(`Invalid latlng: (${latitude}, ${longitude}).`)
  }
  return new RulesLatLng(latitude, longitude)
}

function pathOf([s]: RulesValue[]): RulesValue {
  return new RulesPath(asString(s!, 'path').split('/').filter((segment) => segment !== ''))
}

/** Document reads, callable bare (`get()`) or in the firestore namespace (`firestore.get()`). */
const documentFunctions: [string, Builtin][] = [
  ['get', ([p], ctx) => ctx.document(p!, false)],
  ['exists', ([p], ctx) => ctx.document(p!, false) !== null],
  ['getAfter', ([p], ctx) => ctx.document(p!, true)],
  ['existsAfter', ([p], ctx) => ctx.document(p!, true) !== null],
]

const table: [string, number, Builtin][] = [
  ...documentFunctions.flatMap(([name, fn]): [string, number, Builtin][] => [
    [name, 1, fn],
    [`firestore.${name}`, 1, fn],
  ]),
  ['debug', 1, ([x]) => x!],
  ['string', 1, ([x]) => toString(x!)],
  ['int', 1, ([x]) => toInt(x!)],
  ['float', 1, ([x]) => toFloat(x!)],
  ['path', 1, pathOf],
  ['math.abs', 1, ([x]) => (typeof x === 'bigint' ? checkedInt(x < 0n ? -x : x) : Math.abs(asNumber(x!, 'math.abs')))],
  ['math.ceil', 1, integral('math.ceil', Math.ceil)],
  ['math.floor', 1, integral('math.floor', Math.floor)],
  ['math.round', 1, integral('math.round', roundHalfAway)],
  ['math.sqrt', 1, ([x]) => Math.sqrt(asNumber(x!, 'math.sqrt'))],
  ['math.pow', 2, ([b, e]) => Math.pow(asNumber(b!, 'math.pow'), asNumber(e!, 'math.pow'))],
  ['math.isInfinite', 1, ([x]) => typeof x !== 'bigint' && Math.abs(asNumber(x!, 'math.isInfinite')) === Infinity],
  ['math.isNaN', 1, ([x]) => typeof x !== 'bigint' && Number.isNaN(asNumber(x!, 'math.isNaN'))],
  ['timestamp.date', 3, timestampDate],
  ['timestamp.value', 1, ([ms]) => RulesTimestamp.of(asInt(ms!, 'timestamp.value') * 1_000_000n)],
  ['duration.value', 2, durationValue],
  ['duration.time', 4, durationTime],
  [
    'duration.abs',
    1,
    ([d]) => {
      if (!(d instanceof RulesDuration)) throw invalidArgument('duration.abs', 'a duration', d!)
      return new RulesDuration(d.nanos < 0n ? -d.nanos : d.nanos)
    },
  ],
  ['latlng.value', 2, latLngValue],
  ['hashing.crc32', 1, ([x]) => uint32Bytes(crc32(hashInput(x!, 'hashing.crc32')))],
  ['hashing.crc32c', 1, ([x]) => uint32Bytes(crc32c(hashInput(x!, 'hashing.crc32c')))],
  ['hashing.md5', 1, digest('md5')],
  ['hashing.sha256', 1, digest('sha256')],
]

/** Every built-in function by its name as called ("get", "math.abs"). */
export const BUILTINS: ReadonlyMap<string, BuiltinSpec> = new Map(table.map(([name, arity, fn]) => [name, { fn, arity }]))
