import { randomUUID } from 'node:crypto'
import protobuf from 'protobufjs'
import { firestoreDescriptor } from '../grpc/service.js'
import type { StoredDocument } from '../model/document.js'
import { documentName, formatFieldPath, type DatabaseId } from '../model/paths.js'
import type { Fields, Value } from '../model/types.js'
import { microsToTimestamp, valueKind, valuesEqual } from '../model/values.js'
import { firestoreJson } from '../proto/firestore-json.js'
import { formatTimestamp } from '../proto/json-codec.js'
import type { ChangeKind, Trigger } from './registrations.js'

/**
 * The events the emulator sends to the Functions emulator, in the formats Cloud Firestore
 * uses: v1 (legacy JSON background events) and v2 (binary-mode CloudEvents whose body is a
 * google.events.cloud.firestore.v1.DocumentEventData, protobuf-encoded).
 */

/** One document change, as the triggers see it. */
export interface DocumentEvent {
  readonly database: DatabaseId
  readonly path: string
  readonly before: StoredDocument | undefined
  readonly after: StoredDocument | undefined
  /** Commit time, microseconds since the epoch. */
  readonly time: number
}

/** An HTTP request body with its headers, ready to POST. */
export interface EncodedEvent {
  readonly headers: Record<string, string>
  readonly body: Buffer
}

/** What kind of change an event is, or undefined when the document neither was nor is. */
export function changeKind(event: Pick<DocumentEvent, 'before' | 'after'>): ChangeKind | undefined {
  if (event.before && event.after) return 'update'
  if (event.after) return 'create'
  return event.before ? 'delete' : undefined
}

/**
 * The field paths whose values differ between two versions of a document: descending into
 * maps present on both sides, so `a.b` rather than `a` when only `a.b` changed.
 */
export function updateMask(before: Fields, after: Fields, prefix: readonly string[] = []): string[] {
  const paths: string[] = []
  for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const a = before[name]
    const b = after[name]
    if (a !== undefined && b !== undefined && valuesEqual(a, b)) continue
    const path = [...prefix, name]
    if (a && b && valueKind(a) === 'map' && valueKind(b) === 'map') paths.push(...updateMask(a.mapValue?.fields ?? {}, b.mapValue?.fields ?? {}, path))
    else paths.push(formatFieldPath(path))
  }
  return paths.sort()
}

/**
 * A v1 background event, JSON: `{ eventType, resource, eventId, timestamp, params, data: {
 * oldValue, value, updateMask } }`, with documents in proto3 JSON (as production sends them).
 */
export function encodeV1Event(trigger: Trigger, event: DocumentEvent, params: Record<string, string>): EncodedEvent {
  const json = firestoreJson()
  const data: Record<string, unknown> = {}
  if (event.before) data['oldValue'] = json.encode('Document', toDocument(event.database, event.before))
  if (event.after) data['value'] = json.encode('Document', toDocument(event.database, event.after))
  if (event.before && event.after) data['updateMask'] = { fieldPaths: updateMask(event.before.fields, event.after.fields) }
  const body = {
    eventType: trigger.eventType,
    resource: documentName(event.database, event.path.split('/')),
    eventId: randomUUID(),
    timestamp: rfc3339(event.time),
    params,
    data,
  }
  return { headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(body)) }
}

/**
 * A v2 CloudEvent in binary mode: attributes as `ce-*` headers (firebase-functions reads
 * `project`, `database`, `namespace` and `document` among them) and the DocumentEventData,
 * protobuf-encoded, as the body in base64.
 */
export function encodeV2Event(trigger: Trigger, event: DocumentEvent): EncodedEvent {
  const { projectId, databaseId } = event.database
  const headers: Record<string, string> = {
    'content-type': 'application/protobuf',
    'ce-specversion': '1.0',
    'ce-id': randomUUID(),
    'ce-type': trigger.eventType,
    'ce-source': `//firestore.googleapis.com/projects/${projectId}/databases/${databaseId}`,
    'ce-subject': `documents/${event.path}`,
    'ce-time': rfc3339(event.time),
    'ce-dataschema': 'https://github.com/googleapis/google-cloudevents/blob/main/proto/google/events/cloud/firestore/v1/data.proto',
    'ce-project': projectId,
    'ce-database': databaseId,
    'ce-namespace': '(default)',
    'ce-document': event.path,
  }
  // The emulator does not know who wrote; production says "unknown" when it cannot tell either.
  if (trigger.eventType.endsWith('.withAuthContext')) headers['ce-authtype'] = 'unknown'
  // Base64 text, as the official emulator sends it: the Functions emulator base64-decodes an
  // application/protobuf body before handing the bytes to the function (handleHttpsTrigger).
  return { headers, body: Buffer.from(encodeDocumentEventData(event).toString('base64')) }
}

/** The DocumentEventData message of a change, protobuf-encoded. */
export function encodeDocumentEventData(event: DocumentEvent): Buffer {
  const message: Record<string, unknown> = {}
  if (event.after) message['value'] = toProtoDocument(event.database, event.after)
  if (event.before) message['oldValue'] = toProtoDocument(event.database, event.before)
  if (event.before && event.after) message['updateMask'] = { fieldPaths: updateMask(event.before.fields, event.after.fields) }
  const type = documentEventDataType()
  return Buffer.from(type.encode(type.fromObject(message)).finish())
}

let eventDataType: protobuf.Type | undefined

/**
 * google.events.cloud.firestore.v1.DocumentEventData { value = 1, old_value = 2,
 * update_mask = 3 }, over google.firestore.v1.Document and DocumentMask, whose field numbers
 * google.events.cloud.firestore.v1's own copies share (name = 1, fields = 2, create_time = 3,
 * update_time = 4; Value likewise), so the bytes are the same.
 */
export function documentEventDataType(): protobuf.Type {
  if (eventDataType) return eventDataType
  const root = protobuf.Root.fromJSON(firestoreDescriptor() as protobuf.INamespace)
  const type = new protobuf.Type('DocumentEventData')
    .add(new protobuf.Field('value', 1, '.google.firestore.v1.Document'))
    .add(new protobuf.Field('oldValue', 2, '.google.firestore.v1.Document'))
    .add(new protobuf.Field('updateMask', 3, '.google.firestore.v1.DocumentMask'))
  root.define('google.events.cloud.firestore.v1').add(type)
  root.resolveAll()
  eventDataType = type
  return type
}

function toDocument(database: DatabaseId, doc: StoredDocument) {
  return {
    name: documentName(database, doc.segments),
    fields: doc.fields,
    createTime: microsToTimestamp(doc.createTime),
    updateTime: microsToTimestamp(doc.updateTime),
  }
}

/** A document for protobufjs' fromObject: each Value with only its one member set. */
function toProtoDocument(database: DatabaseId, doc: StoredDocument) {
  return { ...toDocument(database, doc), fields: protoFields(doc.fields) }
}

function protoFields(fields: Fields): Record<string, object> {
  const out: Record<string, object> = {}
  for (const [name, value] of Object.entries(fields)) out[name] = protoValue(value)
  return out
}

function protoValue(value: Value): object {
  switch (valueKind(value)) {
    case 'null':
      return { nullValue: 0 }
    case 'boolean':
      return { booleanValue: value.booleanValue }
    case 'integer':
      return { integerValue: String(value.integerValue) }
    case 'double':
      return { doubleValue: value.doubleValue }
    case 'timestamp':
      return { timestampValue: value.timestampValue }
    case 'string':
      return { stringValue: value.stringValue }
    case 'bytes':
      return { bytesValue: value.bytesValue }
    case 'reference':
      return { referenceValue: value.referenceValue }
    case 'geoPoint':
      return { geoPointValue: value.geoPointValue }
    case 'array':
      return { arrayValue: { values: (value.arrayValue?.values ?? []).map(protoValue) } }
    case 'map':
      return { mapValue: { fields: protoFields(value.mapValue?.fields ?? {}) } }
    case undefined:
      return {}
  }
}

function rfc3339(micros: number): string {
  const { seconds, nanos } = microsToTimestamp(micros)
  return formatTimestamp(seconds, nanos ?? 0)
}
