import protobuf from 'protobufjs'
import { invalidArgument } from '../model/errors.js'

/**
 * proto3 JSON (https://protobuf.dev/programming-guides/json/) to and from the object form the
 * api/ layer uses, driven by the message descriptors. The object form is exactly what
 * @grpc/proto-loader decodes with the emulator's options (int64 as decimal strings, enums
 * by name, bytes as Buffers, oneof discriminators, defaults filled in), so REST and
 * WebChannel requests reach the engine in the same shape as gRPC ones.
 *
 * protobufjs's own `fromObject`/`toObject` are not proto3 JSON: they know nothing of RFC 3339
 * timestamps, bare wrapper values or `null` for NullValue. Only its reflection is used here.
 */

/** A JSON value, as JSON.parse returns it. */
export type Json = null | boolean | number | string | Json[] | JsonObject
/** A JSON object. */
export interface JsonObject {
  [key: string]: Json
}

/** A message in object form: what proto-loader decodes, or what the api/ layer builds. */
export type ObjectMessage = object

/** What a field path of a message resolves to (for REST query parameters). */
export interface FieldInfo {
  readonly repeated: boolean
  /** A scalar type name (`int32`, `bool`, `string`...), `enum`, or `message`. */
  readonly kind: string
  /** The message's full name (without leading dot) when `kind` is `message`. */
  readonly messageType: string | undefined
}

/** Reads or writes a well-known type with a JSON form of its own (Timestamp as a string...). */
type Reader = (json: Json, path: string) => unknown
type Writer = (value: Record<string, unknown>, path: string) => Json

const INT32_TYPES = new Set(['int32', 'sint32', 'sfixed32'])
const UINT32_TYPES = new Set(['uint32', 'fixed32'])
const INT64_TYPES = new Set(['int64', 'sint64', 'sfixed64'])
const UINT64_TYPES = new Set(['uint64', 'fixed64'])
const FLOAT_TYPES = new Set(['double', 'float'])

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n
const UINT64_MAX = 2n ** 64n - 1n

/** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, the range proto3 JSON allows. */
const MIN_SECONDS = -62135596800n
const MAX_SECONDS = 253402300799n

/** proto3 JSON for the messages of one protobufjs JSON descriptor (see the top of this file). */
export class ProtoJsonCodec {
  private readonly root: protobuf.Root

  constructor(descriptor: object) {
    this.root = protobuf.Root.fromJSON(descriptor as protobuf.INamespace)
    this.root.resolveAll()
  }

  /**
   * Parses proto3 JSON into object form. Unknown fields, wrong types and out-of-range
   * numbers are INVALID_ARGUMENT, naming the offending field as Google's APIs do.
   */
  decode(typeName: string, json: unknown): ObjectMessage {
    return this.readMessage(this.type(typeName), json as Json, '') as ObjectMessage
  }

  /** Renders a message in object form as proto3 JSON (default values left out). */
  encode(typeName: string, message: ObjectMessage): JsonObject {
    return this.writeMessage(this.type(typeName), message as Record<string, unknown>, '') as JsonObject
  }

  /** The field a dotted path (`mask.fieldPaths`, `current_document.exists`) names, if any. */
  fieldAt(typeName: string, path: readonly string[]): FieldInfo | undefined {
    let type = this.type(typeName)
    let field: protobuf.Field | undefined
    for (let i = 0; i < path.length; i++) {
      field = fieldByJsonName(type, path[i]!)
      if (!field) return undefined
      if (i < path.length - 1) {
        if (!(field.resolvedType instanceof protobuf.Type) || field.repeated || field.map) return undefined
        type = field.resolvedType
      }
    }
    if (!field) return undefined
    const resolved = field.resolvedType
    return {
      repeated: field.repeated,
      kind: resolved instanceof protobuf.Type ? 'message' : resolved instanceof protobuf.Enum ? 'enum' : field.type,
      messageType: resolved instanceof protobuf.Type ? fullName(resolved) : undefined,
    }
  }

  private type(name: string): protobuf.Type {
    return this.root.lookupType(name)
  }

  // ---- proto3 JSON -> object form ----

  private readMessage(type: protobuf.Type, json: Json, path: string): unknown {
    const special = READERS[fullName(type)]
    if (special) return special(json, path)
    if (!isObject(json)) throw badValue(path, fullName(type), json)
    const out: Record<string, unknown> = {}
    // Defaults as proto-loader fills them (`defaults: true`); oneof members stay absent.
    for (const field of type.fieldsArray) if (!field.partOf) out[field.name] = defaultOf(field)
    for (const key of Object.keys(json)) {
      const field = fieldByJsonName(type, key)
      const fieldPath = path ? `${path}.${key}` : key
      if (!field) throw invalidArgument(`Invalid JSON payload received. Unknown name "${key}"${path ? ` at '${path}'` : ''}: Cannot find field.`)
      const value = json[key]!
      // `null` means "not set" for every field but google.protobuf.NullValue and Value.
      if (value === null && !acceptsNull(field)) continue
      if (field.partOf) {
        const oneof = field.partOf.name
        if (out[oneof] !== undefined && out[oneof] !== field.name) {
          throw invalidArgument(`Invalid JSON payload received. Only one of the oneof "${oneof}" may be set at '${path || 'the request'}', but "${out[oneof] as string}" and "${field.name}" are.`)
        }
        out[oneof] = field.name
      }
      out[field.name] = this.readField(field, value, fieldPath)
    }
    return out
  }

  private readField(field: protobuf.Field, json: Json, path: string): unknown {
    if (field.map) {
      if (!isObject(json)) throw badValue(path, `map<${(field as unknown as protobuf.MapField).keyType}, ${field.type}>`, json)
      const out: Record<string, unknown> = {}
      for (const key of Object.keys(json)) out[key] = this.readSingle(field, json[key]!, `${path}[${JSON.stringify(key)}]`)
      return out
    }
    if (field.repeated) {
      if (!Array.isArray(json)) throw badValue(path, `repeated ${field.type}`, json)
      return json.map((element, i) => this.readSingle(field, element, `${path}[${i}]`))
    }
    return this.readSingle(field, json, path)
  }

  private readSingle(field: protobuf.Field, json: Json, path: string): unknown {
    const resolved = field.resolvedType
    if (resolved instanceof protobuf.Type) return this.readMessage(resolved, json, path)
    if (resolved instanceof protobuf.Enum) return readEnum(resolved, json, path)
    return readScalar(field.type, json, path)
  }

  // ---- object form -> proto3 JSON ----

  private writeMessage(type: protobuf.Type, message: Record<string, unknown>, path: string): Json {
    const special = WRITERS[fullName(type)]
    if (special) return special(message, path)
    const out: JsonObject = {}
    for (const field of type.fieldsArray) {
      const value = message[field.name]
      if (value === undefined) continue
      if (value === null && !(field.partOf && acceptsNull(field))) continue
      // Oneof members are written even with default values: their presence is the information.
      if (!field.partOf && isDefault(field, value)) continue
      out[field.name] = this.writeField(field, value, path ? `${path}.${field.name}` : field.name)
    }
    return out
  }

  private writeField(field: protobuf.Field, value: unknown, path: string): Json {
    if (field.map) {
      const out: JsonObject = {}
      for (const [key, element] of Object.entries(value as Record<string, unknown>)) out[key] = this.writeSingle(field, element, `${path}[${JSON.stringify(key)}]`)
      return out
    }
    if (field.repeated) return (value as unknown[]).map((element, i) => this.writeSingle(field, element, `${path}[${i}]`))
    return this.writeSingle(field, value, path)
  }

  private writeSingle(field: protobuf.Field, value: unknown, path: string): Json {
    const resolved = field.resolvedType
    if (resolved instanceof protobuf.Type) return this.writeMessage(resolved, (value ?? {}) as Record<string, unknown>, path)
    if (resolved instanceof protobuf.Enum) return writeEnum(resolved, value)
    return writeScalar(field.type, value, path)
  }
}

function fullName(type: protobuf.ReflectionObject): string {
  return type.fullName.replace(/^\./, '')
}

/** Looks a field up by its JSON (lowerCamelCase) name or its original proto name. */
function fieldByJsonName(type: protobuf.Type, key: string): protobuf.Field | undefined {
  return type.fields[key] ?? type.fields[key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())]
}

function acceptsNull(field: protobuf.Field): boolean {
  const resolved = field.resolvedType
  return resolved !== null && (fullName(resolved) === 'google.protobuf.NullValue' || fullName(resolved) === 'google.protobuf.Value')
}

function isObject(json: Json | undefined): json is JsonObject {
  return typeof json === 'object' && json !== null && !Array.isArray(json)
}

function describe(json: Json): string {
  return JSON.stringify(json)?.slice(0, 100) ?? String(json)
}

function badValue(path: string, type: string, json: Json): Error {
  return invalidArgument(`Invalid value at '${path || 'the request'}' (${type}), ${describe(json)}`)
}

/** The default proto-loader fills in for a field that is not part of a oneof. */
function defaultOf(field: protobuf.Field): unknown {
  if (field.map) return {}
  if (field.repeated) return []
  const resolved = field.resolvedType
  if (resolved instanceof protobuf.Type) return null
  if (resolved instanceof protobuf.Enum) return resolved.valuesById[0] ?? Object.keys(resolved.values)[0]
  if (INT64_TYPES.has(field.type) || UINT64_TYPES.has(field.type)) return '0'
  switch (field.type) {
    case 'bool':
      return false
    case 'string':
      return ''
    case 'bytes':
      return Buffer.alloc(0)
    default:
      return 0
  }
}

function isDefault(field: protobuf.Field, value: unknown): boolean {
  if (field.map) return Object.keys(value as object).length === 0
  if (field.repeated) return (value as unknown[]).length === 0
  const resolved = field.resolvedType
  if (resolved instanceof protobuf.Type) return false
  if (resolved instanceof protobuf.Enum) return value === 0 || value === resolved.valuesById[0]
  if (value instanceof Uint8Array) return value.length === 0
  if (typeof value === 'number') return Object.is(value, 0)
  return value === false || value === '' || value === '0'
}

function readEnum(type: protobuf.Enum, json: Json, path: string): unknown {
  if (fullName(type) === 'google.protobuf.NullValue' && (json === null || json === 'NULL_VALUE' || json === 0)) return 'NULL_VALUE'
  if (typeof json === 'string' && json in type.values) return json
  if (typeof json === 'number' && Number.isInteger(json)) return type.valuesById[json] ?? json
  throw badValue(path, fullName(type), json)
}

function writeEnum(type: protobuf.Enum, value: unknown): Json {
  if (fullName(type) === 'google.protobuf.NullValue') return null
  if (typeof value === 'number') return type.valuesById[value] ?? value
  return value as string
}

function readScalar(type: string, json: Json, path: string): unknown {
  if (INT32_TYPES.has(type) || UINT32_TYPES.has(type)) {
    const n = typeof json === 'string' && /^-?\d+$/.test(json) ? Number(json) : json
    const [min, max] = INT32_TYPES.has(type) ? [-(2 ** 31), 2 ** 31 - 1] : [0, 2 ** 32 - 1]
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) throw badValue(path, `TYPE_${type.toUpperCase()}`, json)
    return n
  }
  if (INT64_TYPES.has(type) || UINT64_TYPES.has(type)) {
    let n: bigint
    if (typeof json === 'string' && /^-?\d+$/.test(json)) n = BigInt(json)
    else if (typeof json === 'number' && Number.isSafeInteger(json)) n = BigInt(json)
    else throw badValue(path, `TYPE_${type.toUpperCase()}`, json)
    const [min, max] = INT64_TYPES.has(type) ? [INT64_MIN, INT64_MAX] : [0n, UINT64_MAX]
    if (n < min || n > max) throw badValue(path, `TYPE_${type.toUpperCase()}`, json)
    return n.toString()
  }
  if (FLOAT_TYPES.has(type)) {
    if (typeof json === 'number') return json
    if (json === 'NaN') return NaN
    if (json === 'Infinity') return Infinity
    if (json === '-Infinity') return -Infinity
    if (typeof json === 'string' && json.trim() !== '' && !Number.isNaN(Number(json))) return Number(json)
    throw badValue(path, `TYPE_${type.toUpperCase()}`, json)
  }
  switch (type) {
    case 'bool':
      if (typeof json !== 'boolean') throw badValue(path, 'TYPE_BOOL', json)
      return json
    case 'string':
      if (typeof json !== 'string') throw badValue(path, 'TYPE_STRING', json)
      return json
    case 'bytes':
      // Standard and URL-safe base64 alike, with or without padding, as the spec allows.
      if (typeof json !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(json)) throw badValue(path, 'TYPE_BYTES', json)
      return Buffer.from(json, 'base64')
    default:
      throw badValue(path, type, json)
  }
}

function writeScalar(type: string, value: unknown, path: string): Json {
  if (INT64_TYPES.has(type) || UINT64_TYPES.has(type)) return String(value)
  if (FLOAT_TYPES.has(type)) {
    const n = Number(value)
    if (Number.isNaN(n)) return 'NaN'
    if (n === Infinity) return 'Infinity'
    if (n === -Infinity) return '-Infinity'
    // JSON has no negative zero; the SDKs write and read it as the string "-0".
    return Object.is(n, -0) ? '-0' : n
  }
  if (type === 'bytes') {
    if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')
    if (typeof value === 'string') return value
    throw new TypeError(`Cannot write ${path} as bytes: ${typeof value}`)
  }
  if (type === 'bool') return Boolean(value)
  if (INT32_TYPES.has(type) || UINT32_TYPES.has(type)) return Number(value)
  return value as Json
}

// ---- well-known types ----

function parseTimestamp(json: Json, path: string): { seconds: string; nanos: number } {
  const match = typeof json === 'string' ? /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/.exec(json) : null
  if (!match) throw badValue(path, 'google.protobuf.Timestamp', json)
  const [, year, month, day, hour, minute, second, fraction, , sign, offsetHours, offsetMinutes] = match
  const date = new Date(0)
  date.setUTCFullYear(Number(year), Number(month) - 1, Number(day))
  date.setUTCHours(Number(hour), Number(minute), Number(second))
  // Date rolls over impossible dates (February 30th); proto3 JSON rejects them.
  if (date.getUTCDate() !== Number(day) || date.getUTCMonth() !== Number(month) - 1 || Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) {
    throw badValue(path, 'google.protobuf.Timestamp', json)
  }
  let seconds = BigInt(Math.floor(date.getTime() / 1000))
  if (sign) seconds -= BigInt((sign === '-' ? -1 : 1) * (Number(offsetHours) * 3600 + Number(offsetMinutes) * 60))
  if (seconds < MIN_SECONDS || seconds > MAX_SECONDS) throw badValue(path, 'google.protobuf.Timestamp', json)
  return { seconds: seconds.toString(), nanos: fraction ? Number(fraction.padEnd(9, '0')) : 0 }
}

/** RFC 3339 in UTC with 0, 3, 6 or 9 fractional digits, as proto3 JSON prescribes. */
export function formatTimestamp(seconds: string | number | bigint, nanos: number): string {
  const base = new Date(Number(seconds) * 1000).toISOString().slice(0, 19)
  return `${base}${formatNanos(nanos)}Z`
}

function formatNanos(nanos: number): string {
  if (nanos === 0) return ''
  if (nanos % 1_000_000 === 0) return `.${String(nanos / 1_000_000).padStart(3, '0')}`
  if (nanos % 1000 === 0) return `.${String(nanos / 1000).padStart(6, '0')}`
  return `.${String(nanos).padStart(9, '0')}`
}

function parseDuration(json: Json, path: string): { seconds: string; nanos: number } {
  const match = typeof json === 'string' ? /^(-)?(\d+)(?:\.(\d{1,9}))?s$/.exec(json) : null
  if (!match) throw badValue(path, 'google.protobuf.Duration', json)
  const negative = match[1] === '-'
  const nanos = match[3] ? Number(match[3].padEnd(9, '0')) : 0
  return { seconds: (negative ? -BigInt(match[2]!) : BigInt(match[2]!)).toString(), nanos: negative ? -nanos : nanos }
}

function wrapper(type: string): { read: Reader; write: Writer } {
  return {
    read: (json, path) => ({ value: readScalar(type, json, path) }),
    write: (message, path) => writeScalar(type, message['value'] ?? (type === 'string' || type === 'bytes' ? '' : 0), path),
  }
}

/** google.protobuf.Value in object form: proto-loader names the chosen member in `kind`. */
function readStructValue(json: Json, path: string): Record<string, unknown> {
  if (json === null) return { kind: 'nullValue', nullValue: 'NULL_VALUE' }
  if (typeof json === 'number') return { kind: 'numberValue', numberValue: json }
  if (typeof json === 'string') return { kind: 'stringValue', stringValue: json }
  if (typeof json === 'boolean') return { kind: 'boolValue', boolValue: json }
  if (Array.isArray(json)) return { kind: 'listValue', listValue: { values: json.map((v, i) => readStructValue(v, `${path}[${i}]`)) } }
  return { kind: 'structValue', structValue: readStruct(json, path) }
}

function readStruct(json: Json, path: string): Record<string, unknown> {
  if (!isObject(json)) throw badValue(path, 'google.protobuf.Struct', json)
  const fields: Record<string, unknown> = {}
  for (const key of Object.keys(json)) fields[key] = readStructValue(json[key]!, `${path}[${JSON.stringify(key)}]`)
  return { fields }
}

function writeStructValue(value: Record<string, unknown>): Json {
  if (value['structValue']) return writeStruct(value['structValue'] as Record<string, unknown>)
  if (value['listValue']) return ((value['listValue'] as { values?: Record<string, unknown>[] }).values ?? []).map(writeStructValue)
  if (value['numberValue'] !== undefined && value['numberValue'] !== null) return value['numberValue'] as number
  if (value['stringValue'] !== undefined && value['stringValue'] !== null) return value['stringValue'] as string
  if (value['boolValue'] !== undefined && value['boolValue'] !== null) return value['boolValue'] as boolean
  return null
}

function writeStruct(struct: Record<string, unknown>): JsonObject {
  const out: JsonObject = {}
  for (const [key, value] of Object.entries((struct['fields'] ?? {}) as Record<string, Record<string, unknown>>)) out[key] = writeStructValue(value)
  return out
}

const READERS: Record<string, Reader> = {
  'google.protobuf.Timestamp': (json, path) => parseTimestamp(json, path),
  'google.protobuf.Duration': (json, path) => parseDuration(json, path),
  'google.protobuf.Empty': (json, path) => {
    if (!isObject(json)) throw badValue(path, 'google.protobuf.Empty', json)
    return {}
  },
  'google.protobuf.FieldMask': (json, path) => {
    if (typeof json !== 'string') throw badValue(path, 'google.protobuf.FieldMask', json)
    return { paths: json === '' ? [] : json.split(',') }
  },
  'google.protobuf.Struct': (json, path) => readStruct(json, path),
  'google.protobuf.Value': (json, path) => readStructValue(json, path),
  'google.protobuf.ListValue': (json, path) => {
    if (!Array.isArray(json)) throw badValue(path, 'google.protobuf.ListValue', json)
    return { values: json.map((v, i) => readStructValue(v, `${path}[${i}]`)) }
  },
  'google.protobuf.Any': (_json, path) => {
    throw invalidArgument(`Invalid JSON payload received at '${path}': google.protobuf.Any is not supported by the emulator.`)
  },
}

const WRITERS: Record<string, Writer> = {
  'google.protobuf.Timestamp': (message) => formatTimestamp((message['seconds'] as string | number | undefined) ?? 0, Number(message['nanos'] ?? 0)),
  'google.protobuf.Duration': (message) => {
    const seconds = BigInt((message['seconds'] as string | number | undefined) ?? 0)
    const nanos = Number(message['nanos'] ?? 0)
    const negative = seconds < 0n || nanos < 0
    const abs = (seconds < 0n ? -seconds : seconds).toString()
    return `${negative ? '-' : ''}${abs}${formatNanos(Math.abs(nanos))}s`
  },
  'google.protobuf.Empty': () => ({}),
  'google.protobuf.FieldMask': (message) => ((message['paths'] ?? []) as string[]).join(','),
  'google.protobuf.Struct': (message) => writeStruct(message),
  'google.protobuf.Value': (message) => writeStructValue(message),
  'google.protobuf.ListValue': (message) => ((message['values'] ?? []) as Record<string, unknown>[]).map(writeStructValue),
}

for (const [name, type] of [
  ['DoubleValue', 'double'],
  ['FloatValue', 'float'],
  ['Int64Value', 'int64'],
  ['UInt64Value', 'uint64'],
  ['Int32Value', 'int32'],
  ['UInt32Value', 'uint32'],
  ['BoolValue', 'bool'],
  ['StringValue', 'string'],
  ['BytesValue', 'bytes'],
] as const) {
  const { read, write } = wrapper(type)
  READERS[`google.protobuf.${name}`] = read
  WRITERS[`google.protobuf.${name}`] = write
}
