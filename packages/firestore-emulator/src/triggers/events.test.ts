import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import type { StoredDocument } from '../model/document.js'
import { documentEventDataType, encodeV1Event, encodeV2Event, updateMask, type DocumentEvent } from './events.js'
import { parseV1Registration, parseV2Registration } from './registrations.js'

const database = { projectId: 'demo-events', databaseId: '(default)' }

function doc(path: string, fields: StoredDocument['fields'], createTime: number, updateTime: number): StoredDocument {
  return { segments: path.split('/'), path, fields, createTime, updateTime }
}

const before = doc('rooms/r1', { title: { stringValue: 'old' }, meta: { mapValue: { fields: { n: { integerValue: '1' }, keep: { booleanValue: true } } } } }, 1_700_000_000_000_000, 1_700_000_000_000_000)
const after = doc(
  'rooms/r1',
  {
    title: { stringValue: 'new' },
    meta: { mapValue: { fields: { n: { integerValue: '2' }, keep: { booleanValue: true } } } },
    blob: { bytesValue: Buffer.from([1, 2, 3]) },
    list: { arrayValue: { values: [{ nullValue: 'NULL_VALUE' }, { doubleValue: 1.5 }, { timestampValue: { seconds: '1700000001', nanos: 5000 } }] } },
    'odd key': { geoPointValue: { latitude: 1, longitude: 2 } },
  },
  1_700_000_000_000_000,
  1_700_000_002_000_123,
)
const update: DocumentEvent = { database, path: 'rooms/r1', before, after, time: after.updateTime }

/** The DocumentEventData decoder firebase-functions itself uses (its compiled protos). */
function functionsDecoder(): { decode(bytes: Uint8Array): { toJSON(): Record<string, unknown> } } {
  const require = createRequire(import.meta.url)
  const path = fileURLToPath(new URL('../../../../node_modules/firebase-functions/protos/compiledFirestore.js', import.meta.url))
  const compiled = require(path) as { google: { events: { cloud: { firestore: { v1: { DocumentEventData: { decode(bytes: Uint8Array): { toJSON(): Record<string, unknown> } } } } } } } }
  return compiled.google.events.cloud.firestore.v1.DocumentEventData
}

describe('updateMask', () => {
  it('names changed, added and removed fields, descending into maps', () => {
    expect(updateMask(before.fields, after.fields)).toEqual(['`odd key`', 'blob', 'list', 'meta.n', 'title'])
    expect(updateMask(after.fields, after.fields)).toEqual([])
  })
})

describe('v2 CloudEvents', () => {
  const trigger = parseV2Registration('demo-events', 'onRoom-0', {
    eventType: 'google.cloud.firestore.document.v1.written',
    database: '(default)',
    namespace: '(default)',
    document: { value: 'rooms/{roomId}', matchType: 'PATH_PATTERN' },
  })

  it('carries the attributes firebase-functions reads as binary-mode ce-* headers', () => {
    const { headers } = encodeV2Event(trigger, update)
    expect(headers).toMatchObject({
      'content-type': 'application/protobuf',
      'ce-specversion': '1.0',
      'ce-type': 'google.cloud.firestore.document.v1.written',
      'ce-source': '//firestore.googleapis.com/projects/demo-events/databases/(default)',
      'ce-subject': 'documents/rooms/r1',
      'ce-time': '2023-11-14T22:13:22.000123Z',
      'ce-project': 'demo-events',
      'ce-database': '(default)',
      'ce-namespace': '(default)',
      'ce-document': 'rooms/r1',
    })
    expect(headers['ce-id']).toMatch(/^[0-9a-f-]{36}$/)
    expect(headers['ce-authtype']).toBeUndefined()
  })

  it('encodes DocumentEventData (base64, as the Functions emulator expects) that firebase-functions decodes to the same document', () => {
    const { body } = encodeV2Event(trigger, update)
    const decoded = functionsDecoder().decode(Buffer.from(body.toString(), 'base64')).toJSON()
    expect(decoded['value']).toEqual({
      name: 'projects/demo-events/databases/(default)/documents/rooms/r1',
      fields: {
        title: { stringValue: 'new' },
        meta: { mapValue: { fields: { n: { integerValue: '2' }, keep: { booleanValue: true } } } },
        blob: { bytesValue: 'AQID' },
        list: { arrayValue: { values: [{ nullValue: 'NULL_VALUE' }, { doubleValue: 1.5 }, { timestampValue: { seconds: '1700000001', nanos: 5000 } }] } },
        'odd key': { geoPointValue: { latitude: 1, longitude: 2 } },
      },
      createTime: { seconds: '1700000000', nanos: 0 },
      updateTime: { seconds: '1700000002', nanos: 123000 },
    })
    expect((decoded['oldValue'] as { fields: object }).fields).toEqual({
      title: { stringValue: 'old' },
      meta: { mapValue: { fields: { n: { integerValue: '1' }, keep: { booleanValue: true } } } },
    })
    expect(decoded['updateMask']).toEqual({ fieldPaths: ['`odd key`', 'blob', 'list', 'meta.n', 'title'] })
  })

  it('leaves out the missing side for creates and deletes, and our own type reads it back', () => {
    const type = documentEventDataType()
    const created = type.toObject(type.decode(Buffer.from(encodeV2Event(trigger, { ...update, before: undefined }).body.toString(), 'base64'))) as Record<string, unknown>
    expect(Object.keys(created)).toEqual(['value'])
    const deleted = type.toObject(type.decode(Buffer.from(encodeV2Event(trigger, { ...update, after: undefined }).body.toString(), 'base64'))) as Record<string, unknown>
    expect(Object.keys(deleted)).toEqual(['oldValue'])
  })

  it('says the auth type is unknown for ...withAuthContext triggers', () => {
    const withAuth = parseV2Registration('demo-events', 'k', {
      eventType: 'google.cloud.firestore.document.v1.created.withAuthContext',
      database: '(default)',
      namespace: '(default)',
      document: { value: 'rooms/{roomId}' },
    })
    expect(encodeV2Event(withAuth, update).headers['ce-authtype']).toBe('unknown')
  })
})

describe('v1 events', () => {
  it('are legacy JSON events with proto3 JSON documents and the params', () => {
    const trigger = parseV1Registration('demo-events', 'onRoom-0', {
      eventTrigger: { resource: 'projects/demo-events/databases/(default)/documents/rooms/{roomId}', eventType: 'providers/cloud.firestore/eventTypes/document.write' },
    })
    const { headers, body } = encodeV1Event(trigger, update, { roomId: 'r1' })
    expect(headers['content-type']).toBe('application/json')
    const event = JSON.parse(body.toString()) as Record<string, unknown>
    expect(event).toMatchObject({
      eventType: 'providers/cloud.firestore/eventTypes/document.write',
      resource: 'projects/demo-events/databases/(default)/documents/rooms/r1',
      timestamp: '2023-11-14T22:13:22.000123Z',
      params: { roomId: 'r1' },
      data: {
        oldValue: { name: 'projects/demo-events/databases/(default)/documents/rooms/r1', fields: { title: { stringValue: 'old' } }, createTime: '2023-11-14T22:13:20Z' },
        value: { fields: { blob: { bytesValue: 'AQID' }, list: { arrayValue: { values: [{ nullValue: null }, { doubleValue: 1.5 }, { timestampValue: '2023-11-14T22:13:21.000005Z' }] } } }, updateTime: '2023-11-14T22:13:22.000123Z' },
        updateMask: { fieldPaths: ['`odd key`', 'blob', 'list', 'meta.n', 'title'] },
      },
    })
    expect(event['eventId']).toEqual(expect.any(String))
  })
})
