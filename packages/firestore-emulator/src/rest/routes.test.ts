import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../browser/test-server.js'

/** Firestore's REST API as the emulator serves it, request by request. */

const DB = 'projects/rest/databases/(default)'
const DOCS = `${DB}/documents`

let server: TestServer

beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server.close())

interface Answer {
  status: number
  body: unknown
  headers: Headers
}

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${server.origin}${path}`, { method, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body), headers })
  const text = await response.text()
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined, headers: response.headers }
}

const post = (path: string, body?: unknown): Promise<Answer> => call('POST', path, body)

async function commit(writes: unknown[]): Promise<Record<string, unknown>> {
  const answer = await post(`/v1/${DOCS}:commit?key=browser-api-key`, { writes })
  expect(answer.status, JSON.stringify(answer.body)).toBe(200)
  return answer.body as Record<string, unknown>
}

const update = (id: string, fields: Record<string, unknown>): unknown => ({ update: { name: `${DOCS}/${id}`, fields } })

describe('REST', () => {
  it('commits and reads back with batchGet, in proto3 JSON', async () => {
    const committed = await commit([update('c/a', { n: { integerValue: '7' }, t: { timestampValue: '2024-01-02T03:04:05.678Z' }, b: { bytesValue: '/w==' } })])
    expect(committed).toEqual({ writeResults: [{ updateTime: expect.stringMatching(/Z$/) }], commitTime: expect.stringMatching(/Z$/) })
    const answer = await post(`/v1/${DOCS}:batchGet`, { documents: [`${DOCS}/c/a`, `${DOCS}/c/none`] })
    expect(answer.status).toBe(200)
    expect(answer.body).toEqual([
      { found: { name: `${DOCS}/c/a`, fields: { n: { integerValue: '7' }, t: { timestampValue: '2024-01-02T03:04:05.678Z' }, b: { bytesValue: '/w==' } }, createTime: expect.any(String), updateTime: expect.any(String) }, readTime: expect.any(String) },
      { missing: `${DOCS}/c/none`, readTime: expect.any(String) },
    ])
  })

  it('runs queries at the root and under a document, and aggregations', async () => {
    await commit([update('q/1', { v: { integerValue: '1' } }), update('q/2', { v: { integerValue: '2' } }), update('q/1/sub/x', { v: { integerValue: '3' } })])
    const root = await post(`/v1/${DOCS}:runQuery`, { structuredQuery: { from: [{ collectionId: 'q' }], where: { fieldFilter: { field: { fieldPath: 'v' }, op: 'GREATER_THAN', value: { integerValue: '1' } } } } })
    expect(root.status).toBe(200)
    expect((root.body as { document?: { name: string } }[]).map((r) => r.document?.name)).toEqual([`${DOCS}/q/2`])
    const nested = await post(`/v1/${DOCS}/q/1:runQuery`, { structuredQuery: { from: [{ collectionId: 'sub' }] } })
    expect((nested.body as { document?: { name: string } }[]).map((r) => r.document?.name)).toEqual([`${DOCS}/q/1/sub/x`])
    const empty = await post(`/v1/${DOCS}:runQuery`, { structuredQuery: { from: [{ collectionId: 'nothing' }] } })
    expect(empty.body).toEqual([{ readTime: expect.any(String) }])

    const counted = await post(`/v1/${DOCS}:runAggregationQuery`, { structuredAggregationQuery: { structuredQuery: { from: [{ collectionId: 'q' }] }, aggregations: [{ alias: 'n', count: {} }, { alias: 's', sum: { field: { fieldPath: 'v' } } }] } })
    expect(counted.body).toEqual([{ result: { aggregateFields: { n: { integerValue: '2' }, s: { integerValue: '3' } } }, readTime: expect.any(String) }])
  })

  it('runs transactions: begin, read in it, commit; and rollback', async () => {
    await commit([update('t/a', { v: { integerValue: '1' } })])
    const begun = await post(`/v1/${DOCS}:beginTransaction`, {})
    const transaction = (begun.body as { transaction: string }).transaction
    expect(transaction).toMatch(/^[A-Za-z0-9+/]+=*$/)
    const read = await post(`/v1/${DOCS}:batchGet`, { documents: [`${DOCS}/t/a`], transaction })
    expect((read.body as { found?: unknown }[])[0]!.found).toBeDefined()
    const done = await post(`/v1/${DOCS}:commit`, { transaction, writes: [update('t/a', { v: { integerValue: '2' } })] })
    expect(done.status).toBe(200)
    const other = (await post(`/v1/${DOCS}:beginTransaction`, { options: { readOnly: {} } })).body as { transaction: string }
    expect((await post(`/v1/${DOCS}:rollback`, { transaction: other.transaction })).body).toEqual({})
    // A rolled-back transaction is over.
    expect((await post(`/v1/${DOCS}:rollback`, { transaction: other.transaction })).status).toBe(400)
  })

  it('serves the document methods: create, get with a mask, patch with masks and preconditions, list, delete', async () => {
    const created = await post(`/v1/${DOCS}/people?documentId=ada`, { fields: { name: { stringValue: 'Ada' }, born: { integerValue: '1815' } } })
    expect(created.status).toBe(200)
    expect(created.body).toMatchObject({ name: `${DOCS}/people/ada`, fields: { name: { stringValue: 'Ada' } } })
    expect((await post(`/v1/${DOCS}/people?documentId=ada`, { fields: {} })).status).toBe(409)

    const masked = await call('GET', `/v1/${DOCS}/people/ada?mask.fieldPaths=name`)
    expect((masked.body as { fields: unknown }).fields).toEqual({ name: { stringValue: 'Ada' } })

    const patched = await call('PATCH', `/v1/${DOCS}/people/ada?updateMask.fieldPaths=born&updateMask.fieldPaths=field&currentDocument.exists=true`, { fields: { born: { integerValue: '1816' }, field: { stringValue: 'maths' }, ignored: { stringValue: 'x' } } })
    expect(patched.status).toBe(200)
    expect((patched.body as { fields: unknown }).fields).toEqual({ name: { stringValue: 'Ada' }, born: { integerValue: '1816' }, field: { stringValue: 'maths' } })
    const stale = await call('PATCH', `/v1/${DOCS}/people/ada?currentDocument.updateTime=2000-01-01T00:00:00Z`, { fields: {} })
    expect(stale.status).toBe(400)
    expect((stale.body as { error: { status: string } }).error.status).toBe('FAILED_PRECONDITION')

    await post(`/v1/${DOCS}/people?documentId=bob`, { fields: {} })
    const listed = await call('GET', `/v1/${DOCS}/people?pageSize=1`)
    expect(listed.body).toMatchObject({ documents: [{ name: `${DOCS}/people/ada` }], nextPageToken: 'ada' })
    const collections = await post(`/v1/${DOCS}:listCollectionIds`, {})
    expect((collections.body as { collectionIds: string[] }).collectionIds).toContain('people')

    expect((await call('DELETE', `/v1/${DOCS}/people/ada?currentDocument.exists=true`)).body).toEqual({})
    const gone = await call('GET', `/v1/${DOCS}/people/ada`)
    expect(gone.status).toBe(404)
    expect(gone.body).toEqual({ error: { code: 404, status: 'NOT_FOUND', message: expect.stringContaining('people/ada') } })
  })

  it('answers errors as Google JSON errors with the matching HTTP status', async () => {
    const cases: [Promise<Answer>, number, string, string][] = [
      [post(`/v1/${DOCS}:commit`, '{not json'), 400, 'INVALID_ARGUMENT', 'Invalid JSON payload'],
      [post(`/v1/${DOCS}:commit`, [1]), 400, 'INVALID_ARGUMENT', 'must be a JSON object'],
      [post(`/v1/${DOCS}:commit`, { writez: [] }), 400, 'INVALID_ARGUMENT', 'Unknown name "writez"'],
      [post(`/v1/${DOCS}:commit`, { writes: [{ update: { name: `${DOCS}/c/x`, fields: {} }, currentDocument: { exists: true } }] }), 404, 'NOT_FOUND', 'c/x'],
      [post(`/v1/${DOCS}:commit`, { writes: [{ update: { name: `${DOCS}/c/a`, fields: {} }, currentDocument: { exists: false } }] }), 409, 'ALREADY_EXISTS', 'c/a'],
      [post(`/v1/${DOCS}:frobnicate`, {}), 404, 'NOT_FOUND', ':frobnicate'],
      [post(`/v1/${DOCS}/c/a:commit`, {}), 404, 'NOT_FOUND', 'not of'],
      [post(`/v1/${DOCS}:listen`, {}), 501, 'UNIMPLEMENTED', 'WebChannel'],
      [call('GET', `/v1/${DOCS}:commit`), 404, 'NOT_FOUND', 'use POST'],
      [call('GET', '/v1/projects/p/whatever'), 404, 'NOT_FOUND', 'expected projects/'],
      [call('GET', `/v1/${DOCS}/c/a?mask.bogus=1`), 400, 'INVALID_ARGUMENT', 'mask.bogus'],
      [call('GET', `/v1/${DOCS}/c?pageSize=lots`), 400, 'INVALID_ARGUMENT', 'pageSize'],
    ]
    for (const [answer, status, code, message] of cases) {
      const { status: actual, body } = await answer
      expect({ actual, body }).toEqual({ actual: status, body: { error: { code: status, status: code, message: expect.stringContaining(message) } } })
    }
  })

  it('answers CORS preflights and marks every answer for the calling origin', async () => {
    const preflight = await call('OPTIONS', `/v1/${DOCS}:commit`, undefined, {
      Origin: 'http://app.test',
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'content-type,x-goog-api-client,google-cloud-resource-prefix,authorization',
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://app.test')
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true')
    expect(preflight.headers.get('access-control-allow-headers')).toBe('content-type,x-goog-api-client,google-cloud-resource-prefix,authorization')
    expect(preflight.headers.get('access-control-allow-methods')).toContain('PATCH')

    const answer = await call('POST', `/v1/${DOCS}:batchGet`, { documents: [] }, { Origin: 'http://app.test' })
    expect(answer.headers.get('access-control-allow-origin')).toBe('http://app.test')
    expect(answer.headers.get('access-control-expose-headers')).toContain('X-HTTP-Session-Id')
  })
})
