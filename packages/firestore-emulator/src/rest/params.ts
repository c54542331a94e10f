import { invalidArgument } from '../model/errors.js'
import type { FirestoreJson, FirestoreMessageName } from '../proto/firestore-json.js'
import type { Json, JsonObject } from '../proto/json-codec.js'

/** Google's system parameters: valid on every call, never fields of the request. */
const SYSTEM_PARAMETERS = new Set(['key', 'alt', 'prettyPrint', 'fields', 'access_token', 'callback', 'quotaUser', 'upload_protocol', 'uploadType', '$httpHeaders', '$alt'])

const NUMBER_KINDS = new Set(['int32', 'sint32', 'sfixed32', 'uint32', 'fixed32', 'double', 'float'])

/**
 * Query parameters as request fields, as Google's HTTP transcoding reads them: a dotted
 * field path per parameter (`mask.fieldPaths=a&mask.fieldPaths=b`, `currentDocument.exists=true`),
 * repeated fields by repeating the parameter. The result is proto3 JSON, merged into `into`.
 */
export function queryToJson(codec: FirestoreJson, message: FirestoreMessageName, params: URLSearchParams, into: JsonObject): JsonObject {
  for (const [key, raw] of params) {
    if (SYSTEM_PARAMETERS.has(key)) continue
    const path = key.split('.')
    const field = codec.fieldAt(message, path)
    if (!field || field.kind === 'message' && field.messageType !== 'google.protobuf.Timestamp') {
      throw invalidArgument(`Invalid JSON payload received. Unknown name "${key}": Cannot bind query parameter.`)
    }
    const value = scalarFromString(field.kind, raw, key)
    let target = into
    for (const segment of path.slice(0, -1)) {
      const next = target[segment]
      target = typeof next === 'object' && next !== null && !Array.isArray(next) ? next : (target[segment] = {})
    }
    const leaf = path[path.length - 1]!
    if (field.repeated) {
      const list = target[leaf]
      if (Array.isArray(list)) list.push(value)
      else target[leaf] = [value]
    } else {
      target[leaf] = value
    }
  }
  return into
}

/** A query parameter's text as the JSON value its field type reads. */
function scalarFromString(kind: string, raw: string, key: string): Json {
  if (kind === 'bool') {
    if (raw !== 'true' && raw !== 'false') throw invalidArgument(`Invalid value at '${key}' (TYPE_BOOL), "${raw}"`)
    return raw === 'true'
  }
  if (NUMBER_KINDS.has(kind)) {
    // Left as text when not a number, so the codec's error quotes what was sent.
    const n = raw.trim() === '' ? NaN : Number(raw)
    return Number.isNaN(n) ? raw : n
  }
  // int64s, strings, bytes (base64), enums and timestamps are strings in proto3 JSON too.
  return raw
}
