import { describe, expect, it } from 'vitest'
import type * as grpc from '@grpc/grpc-js'
import { loadFirestoreService } from '../grpc/service.js'
import { FirestoreError } from '../model/errors.js'
import { firestoreJson } from './firestore-json.js'
import { formatTimestamp } from './json-codec.js'

const json = firestoreJson()
const service = loadFirestoreService()

/** What gRPC hands the API for `message`: proto-loader's encode then decode. */
function viaGrpc(method: string, side: 'request' | 'response', message: object): unknown {
  const definition = service[method] as grpc.MethodDefinition<object, object>
  return side === 'request'
    ? definition.requestDeserialize(definition.requestSerialize(message))
    : definition.responseDeserialize(definition.responseSerialize(message))
}

function invalid(run: () => unknown): string {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(FirestoreError)
    expect((error as FirestoreError).code).toBe('INVALID_ARGUMENT')
    return (error as FirestoreError).message
  }
  throw new Error('expected INVALID_ARGUMENT')
}

const DB = 'projects/p/databases/(default)'

describe('proto3 JSON codec', () => {
  it('decodes a commit as the browser SDK sends it into what gRPC would decode', () => {
    const body = {
      database: DB,
      writes: [
        {
          update: {
            name: `${DB}/documents/c/d`,
            fields: {
              n: { nullValue: null },
              b: { booleanValue: false },
              i: { integerValue: '-9223372036854775808' },
              f: { doubleValue: 'NaN' },
              z: { doubleValue: '-0' },
              t: { timestampValue: '2024-02-29T23:59:59.123456789Z' },
              s: { stringValue: 'é 😀' },
              y: { bytesValue: 'AAEC/w==' },
              r: { referenceValue: `${DB}/documents/c/e` },
              g: { geoPointValue: { latitude: 1.5, longitude: -2 } },
              a: { arrayValue: { values: [{ integerValue: '1' }, { mapValue: {} }] } },
              m: { mapValue: { fields: { x: { stringValue: '' } } } },
            },
          },
          updateMask: { fieldPaths: ['n', 'b'] },
          updateTransforms: [{ fieldPath: 'k', increment: { integerValue: '2' } }, { fieldPath: 'w', setToServerValue: 'REQUEST_TIME' }],
          currentDocument: { exists: true },
        },
        { delete: `${DB}/documents/c/x`, currentDocument: { updateTime: '1970-01-01T00:00:01Z' } },
        { verify: `${DB}/documents/c/y`, currentDocument: { exists: false } },
      ],
    }
    const decoded = json.decode('CommitRequest', body)
    expect(decoded).toEqual(viaGrpc('Commit', 'request', decoded))
    const fields = decoded.writes[0]!.update!.fields!
    expect(fields['n']).toEqual({ valueType: 'nullValue', nullValue: 'NULL_VALUE' })
    expect(fields['i']).toEqual({ valueType: 'integerValue', integerValue: '-9223372036854775808' })
    expect(Number.isNaN(fields['f']!.doubleValue)).toBe(true)
    expect(Object.is(fields['z']!.doubleValue, -0)).toBe(true)
    expect(fields['t']!.timestampValue).toEqual({ seconds: '1709251199', nanos: 123456789 })
    expect([...fields['y']!.bytesValue!]).toEqual([0, 1, 2, 255])
    expect(decoded.writes[1]!.currentDocument).toEqual({ conditionType: 'updateTime', updateTime: { seconds: '1', nanos: 0 } })
    expect(decoded.writes[2]!.operation).toBe('verify')
  })

  it('decodes a listen request with a query target as gRPC would', () => {
    const body = {
      database: DB,
      addTarget: {
        query: {
          parent: `${DB}/documents`,
          structuredQuery: {
            from: [{ collectionId: 'c', allDescendants: true }],
            where: { compositeFilter: { op: 'OR', filters: [{ fieldFilter: { field: { fieldPath: 'a' }, op: 'IN', value: { arrayValue: { values: [{ integerValue: '1' }] } } } }, { unaryFilter: { field: { fieldPath: 'b' }, op: 'IS_NAN' } }] } },
            orderBy: [{ field: { fieldPath: 'a' }, direction: 'DESCENDING' }],
            startAt: { values: [{ integerValue: '3' }], before: true },
            limit: 5,
          },
        },
        targetId: 2,
        resumeToken: 'UQAAAAAAAAAB',
        expectedCount: 3,
      },
      labels: { 'goog-listen-tags': 'existence-filter-mismatch' },
    }
    const decoded = json.decode('ListenRequest', body)
    expect(decoded).toEqual(viaGrpc('Listen', 'request', decoded))
    expect(decoded.addTarget!.query!.structuredQuery.limit).toEqual({ value: 5 })
    expect(decoded.addTarget!.expectedCount).toEqual({ value: 3 })
    expect(decoded.addTarget!.resumeToken).toEqual(Buffer.from('UQAAAAAAAAAB', 'base64'))
  })

  it('accepts the original snake_case field names and numeric enums', () => {
    const decoded = json.decode('RunQueryRequest', { parent: `${DB}/documents`, structured_query: { from: [{ collection_id: 'c' }], order_by: [{ field: { field_path: 'a' }, direction: 2 }] } })
    expect(decoded.structuredQuery.from[0]!.collectionId).toBe('c')
    expect(decoded.structuredQuery.orderBy![0]!.direction).toBe('DESCENDING')
  })

  it('encodes responses as proto3 JSON: RFC 3339, base64, int64 strings, enum names, defaults left out', () => {
    const encoded = json.encode('ListenResponse', {
      documentChange: {
        document: {
          name: `${DB}/documents/c/d`,
          fields: {
            i: { integerValue: '42' },
            n: { nullValue: 'NULL_VALUE' },
            f: { doubleValue: Infinity },
            z: { doubleValue: -0 },
            b: { booleanValue: false },
            y: { bytesValue: Buffer.from([1, 2, 3]) },
            t: { timestampValue: { seconds: '0', nanos: 1000 } },
          },
          createTime: { seconds: 1700000000, nanos: 0 },
          updateTime: { seconds: '1700000000', nanos: 5_000_000 },
        },
        targetIds: [1],
        removedTargetIds: [],
      },
    })
    expect(encoded).toEqual({
      documentChange: {
        document: {
          name: `${DB}/documents/c/d`,
          fields: {
            i: { integerValue: '42' },
            n: { nullValue: null },
            f: { doubleValue: 'Infinity' },
            z: { doubleValue: '-0' },
            b: { booleanValue: false },
            y: { bytesValue: 'AQID' },
            t: { timestampValue: '1970-01-01T00:00:00.000001Z' },
          },
          createTime: '2023-11-14T22:13:20Z',
          updateTime: '2023-11-14T22:13:20.005Z',
        },
        targetIds: [1],
      },
    })
    expect(json.encode('ListenResponse', { targetChange: { targetChangeType: 'NO_CHANGE', targetIds: [], resumeToken: Buffer.from([0x51]), readTime: { seconds: '1', nanos: 0 } } })).toEqual({
      targetChange: { resumeToken: 'UQ==', readTime: '1970-01-01T00:00:01Z' },
    })
  })

  it('round-trips what gRPC decodes through JSON unchanged', () => {
    const response = viaGrpc('Write', 'response', { streamId: 's', streamToken: Buffer.from('tok'), writeResults: [{ updateTime: { seconds: '5', nanos: 7 }, transformResults: [{ integerValue: '3' }] }], commitTime: { seconds: '5', nanos: 7 } }) as object
    const again = json.decode('WriteResponse', json.encode('WriteResponse', response as never))
    expect(again).toEqual(response)
  })

  it('formats timestamps with 0, 3, 6 or 9 fractional digits over the whole range', () => {
    expect(formatTimestamp('-62135596800', 0)).toBe('0001-01-01T00:00:00Z')
    expect(formatTimestamp('253402300799', 999_999_999)).toBe('9999-12-31T23:59:59.999999999Z')
    expect(formatTimestamp(0, 120_000_000)).toBe('1970-01-01T00:00:00.120Z')
    expect(formatTimestamp(0, 120_000)).toBe('1970-01-01T00:00:00.000120Z')
    const decoded = json.decode('Document', { name: 'x', createTime: '2000-01-01T01:00:00+01:00', updateTime: '0001-01-01T00:00:00.5Z' })
    expect(decoded.createTime).toEqual({ seconds: '946684800', nanos: 0 })
    expect(decoded.updateTime).toEqual({ seconds: '-62135596800', nanos: 500_000_000 })
  })

  it('rejects what does not fit, naming the field', () => {
    expect(invalid(() => json.decode('CommitRequest', { writez: [] }))).toContain('Unknown name "writez"')
    expect(invalid(() => json.decode('CommitRequest', { writes: [{ update: { name: 'x', fields: { a: { integerValue: '1.5' } } } }] }))).toContain(`'writes[0].update.fields["a"].integerValue'`)
    expect(invalid(() => json.decode('CommitRequest', { writes: [{ update: { name: 'x', fields: { a: { integerValue: '9223372036854775808' } } } }] }))).toContain('TYPE_INT64')
    expect(invalid(() => json.decode('Document', { name: 'x', createTime: '2023-02-30T00:00:00Z' }))).toContain('google.protobuf.Timestamp')
    expect(invalid(() => json.decode('Document', { name: 'x', createTime: '10000-01-01T00:00:00Z' }))).toContain('createTime')
    expect(invalid(() => json.decode('Document', { name: 7 }))).toContain('TYPE_STRING')
    expect(invalid(() => json.decode('Document', { name: 'x', fields: { a: { stringValue: 's', integerValue: '1' } } }))).toContain('oneof')
    expect(invalid(() => json.decode('ListenRequest', { addTarget: { targetId: 2 ** 31 } }))).toContain('TYPE_INT32')
    expect(invalid(() => json.decode('ListenRequest', 'nope'))).toContain('the request')
  })

  it('reads null as "not set" for message and scalar fields', () => {
    const decoded = json.decode('CommitRequest', { database: DB, writes: null, transaction: null })
    expect(decoded).toEqual(viaGrpc('Commit', 'request', { database: DB }))
  })
})
