import { createServer } from 'node:http'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { openRequest, startTestServer, unframe, type OpenResponse, type TestServer } from '../browser/test-server.js'
import { frame, parseForwardBody, parseHeaderBlock } from './framing.js'
import { WebChannelHandler } from './handler.js'

/**
 * The WebChannel protocol as @firebase/webchannel-wrapper speaks it, request by request,
 * against the emulator's handler (the browser suite drives the real client).
 */

const DB = 'projects/wc/databases/(default)'
const LISTEN = '/google.firestore.v1.Firestore/Listen/channel'
const WRITE = '/google.firestore.v1.Firestore/Write/channel'

type ServerArray = [number, unknown[]]

let server: TestServer
const open: OpenResponse[] = []

beforeAll(async () => {
  server = await startTestServer({ keepAliveMs: 300, longPollMs: 400, sessionTimeoutMs: 300 })
})
afterAll(() => server.close())
afterEach(() => {
  for (const response of open.splice(0)) response.abort()
})

function body(messages: unknown[], offset = 0, headers?: Record<string, string>): string {
  const parts = headers ? [`headers=${encodeURIComponent(Object.entries(headers).map(([k, v]) => `${k}:${v}\r\n`).join(''))}`] : []
  parts.push(`count=${messages.length}`, `ofs=${offset}`)
  messages.forEach((m, i) => parts.push(`req${i}___data__=${encodeURIComponent(JSON.stringify(m))}`))
  return parts.join('&')
}

async function post(path: string, query: string, content: string): Promise<OpenResponse> {
  const response = await openRequest(`${server.origin}${path}?${query}`, { method: 'POST', body: content, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } })
  open.push(response)
  return response
}

async function get(path: string, query: string): Promise<OpenResponse> {
  const response = await openRequest(`${server.origin}${path}?${query}`)
  open.push(response)
  return response
}

/** A session as the client sees it after the handshake. */
interface Session {
  sid: string
  gsessionid: string
  path: string
}

async function handshake(path: string, messages: unknown[]): Promise<Session> {
  const response = await post(path, `database=${encodeURIComponent(DB)}&VER=8&RID=1234&CVER=22&X-HTTP-Session-Id=gsessionid&zx=abc&t=1`, body(messages, 0, { 'X-Goog-Api-Client': 'gl-js/ fire/12' }))
  const text = await response.ended()
  expect(response.status).toBe(200)
  const [arrays] = unframe(text) as [ServerArray[]]
  expect(arrays).toHaveLength(1)
  const [id, payload] = arrays[0]!
  expect(id).toBe(0)
  expect(payload[0]).toBe('c')
  expect(payload.slice(2)).toEqual(['', 8, 14, 30000])
  const gsessionid = response.headers['x-http-session-id']
  expect(typeof gsessionid).toBe('string')
  return { sid: payload[1] as string, gsessionid: gsessionid as string, path }
}

function sessionQuery(session: Session, extra: string): string {
  return `database=${encodeURIComponent(DB)}&gsessionid=${session.gsessionid}&VER=8&SID=${session.sid}&${extra}&zx=x&t=1`
}

/** One long poll: the arrays it answers with. */
async function poll(session: Session, aid: number): Promise<ServerArray[]> {
  const response = await get(session.path, sessionQuery(session, `RID=rpc&AID=${aid}&CI=1&TYPE=xmlhttp`))
  expect(response.status).toBe(200)
  return (unframe(await response.ended()) as ServerArray[][]).flat()
}

/** Messages (not noops) among arrays. */
function messages(arrays: ServerArray[]): unknown[] {
  return arrays.filter(([, payload]) => payload[0] !== 'noop').map(([, payload]) => payload[0])
}

async function commit(fields: Record<string, unknown>, id: string): Promise<void> {
  const response = await fetch(`${server.origin}/v1/${DB}/documents:commit`, { method: 'POST', body: JSON.stringify({ writes: [{ update: { name: `${DB}/documents/c/${id}`, fields } }] }) })
  expect(response.status).toBe(200)
}

const listenDoc = (id: string, targetId = 2): unknown => ({ database: DB, addTarget: { documents: { documents: [`${DB}/documents/c/${id}`] }, targetId } })

describe('WebChannel framing', () => {
  it('prefixes each chunk with its length in UTF-16 code units, as the client slices text', () => {
    const chunk = frame([[1, [{ s: 'é😀' }]]])
    const json = '[[1,[{"s":"é😀"}]]]\n'
    expect(chunk).toBe(`${json.length}\n${json}`)
    expect(json.length).toBe(20)
  })

  it('parses forward bodies: count, offset, raw JSON maps and encoded headers', () => {
    const batch = parseForwardBody(body([{ a: 1 }, { b: '&=+%' }], 7, { Authorization: 'Bearer x:y' }))
    expect(batch.headers).toEqual({ authorization: 'Bearer x:y' })
    expect(batch.maps.map((m) => [m.id, JSON.parse(m.fields.get('__data__')!)])).toEqual([[7, { a: 1 }], [8, { b: '&=+%' }]])
    expect(parseForwardBody('count=0').maps).toEqual([])
    expect(() => parseForwardBody('count=1&ofs=0&req3___data__=1')).toThrow(/beyond count/)
    expect(parseHeaderBlock('A:1\r\nb: two \r\n')).toEqual({ a: '1', b: 'two' })
  })
})

describe('WebChannel sessions', () => {
  it('runs a Listen stream over long polling: handshake, targets, changes, acknowledgement and resending', async () => {
    const session = await handshake(LISTEN, [listenDoc('lp')])
    const first = await poll(session, 0)
    expect(first.map(([id]) => id)).toEqual([1, 2, 3])
    expect(messages(first)).toEqual([
      { targetChange: { targetChangeType: 'ADD', targetIds: [2] } },
      { targetChange: expect.objectContaining({ targetChangeType: 'CURRENT', targetIds: [2] }) },
      { targetChange: { resumeToken: expect.any(String), readTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/) } },
    ])

    // The next poll waits for a change, then answers with it.
    const waiting = get(session.path, sessionQuery(session, 'RID=rpc&AID=3&CI=1&TYPE=xmlhttp'))
    const pending = await waiting
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(pending.text()).toBe('')
    await commit({ v: { integerValue: '1' } }, 'lp')
    const change = (unframe(await pending.ended()) as ServerArray[][]).flat()
    expect(change.map(([id]) => id)).toEqual([4, 5])
    expect(messages(change)[0]).toEqual({ documentChange: { document: expect.objectContaining({ name: `${DB}/documents/c/lp`, fields: { v: { integerValue: '1' } } }), targetIds: [2] } })

    // A poll that acknowledges less gets the unacknowledged arrays again.
    const again = await poll(session, 3)
    expect(again.map(([id]) => id)).toEqual([4, 5])
    // A poll with nothing to deliver is answered with a noop after the hold time.
    const started = Date.now()
    const idle = await poll(session, 5)
    expect(idle).toEqual([[6, ['noop']]])
    expect(Date.now() - started).toBeGreaterThanOrEqual(350)
  })

  it('streams chunks on a CI=0 back channel, a noop first and as keep-alive', async () => {
    const session = await handshake(LISTEN, [])
    const stream = await get(session.path, sessionQuery(session, 'RID=rpc&AID=0&CI=0&TYPE=xmlhttp'))
    expect(stream.status).toBe(200)
    await stream.waitFor((text) => unframe(text).length === 1)
    expect(unframe(stream.text())).toEqual([[[1, ['noop']]]])

    const forward = await post(session.path, sessionQuery(session, 'RID=1235&AID=1'), body([listenDoc('st', 4)], 0))
    expect(unframe(await forward.ended())).toEqual([[1, 1, expect.any(Number)]])
    await stream.waitFor((text) => (unframe(text) as ServerArray[][]).flat().length >= 4)
    expect(messages((unframe(stream.text()) as ServerArray[][]).flat())[0]).toEqual({ targetChange: { targetChangeType: 'ADD', targetIds: [4] } })

    const before = (unframe(stream.text()) as ServerArray[][]).flat().length
    await stream.waitFor((text) => (unframe(text) as ServerArray[][]).flat().length > before, 2_000)
    const last = (unframe(stream.text()) as ServerArray[][]).flat().at(-1)!
    expect(last[1]).toEqual(['noop'])
  })

  it('ends a streaming back channel that has carried enough, and the next one picks up after its AID', async () => {
    const shared = server
    server = await startTestServer({ streamRecycleChars: 100 })
    try {
      const session = await handshake(LISTEN, [listenDoc('recycled', 3)])
      const first = await get(session.path, sessionQuery(session, 'RID=rpc&AID=0&CI=0&TYPE=xmlhttp'))
      const arrays = (unframe(await first.ended()) as ServerArray[][]).flat()
      expect(arrays.map(([id]) => id)).toEqual([1, 2, 3])
      const next = await get(session.path, sessionQuery(session, 'RID=rpc&AID=3&CI=0&TYPE=xmlhttp'))
      await commit({ v: { stringValue: 'after' } }, 'recycled')
      await next.waitFor((text) => (unframe(text) as ServerArray[][]).flat().some(([, payload]) => JSON.stringify(payload).includes('after')))
      expect((unframe(next.text()) as ServerArray[][]).flat()[0]![0]).toBe(4)
    } finally {
      await server.close()
      server = shared
    }
  })

  it('hands each map to the stream once, in order, though forward requests repeat or overtake', async () => {
    const session = await handshake(LISTEN, [])
    // Maps 1 and 2 arrive before map 0; then map 0 is sent twice (a client retry).
    await (await post(session.path, sessionQuery(session, 'RID=2&AID=0'), body([listenDoc('o2', 12), listenDoc('o3', 13)], 1))).ended()
    await (await post(session.path, sessionQuery(session, 'RID=1&AID=0'), body([listenDoc('o1', 11)], 0))).ended()
    const answer = await post(session.path, sessionQuery(session, 'RID=1&AID=0'), body([listenDoc('o1', 11)], 0))
    expect(unframe(await answer.ended())).toEqual([[0, 0, 0]])
    const arrays = await poll(session, 0)
    const added = messages(arrays).flatMap((m) => {
      const change = (m as { targetChange?: { targetChangeType?: string; targetIds?: number[] } }).targetChange
      return change?.targetChangeType === 'ADD' ? change.targetIds! : []
    })
    expect(added).toEqual([11, 12, 13])
  })

  it('ends a Write stream that fails with a status the SDK maps to its error code', async () => {
    const session = await handshake(WRITE, [{ database: DB }])
    const first = await poll(session, 0)
    const handshakeResponse = messages(first)[0] as { streamId: string; streamToken: string }
    expect(handshakeResponse.streamId).toMatch(/\w+/)
    expect(handshakeResponse.streamToken).toBe('AAAAAAAAAAE=')

    const write = { streamToken: handshakeResponse.streamToken, writes: [{ update: { name: `${DB}/documents/c/missing`, fields: {} }, currentDocument: { exists: true } }] }
    await (await post(session.path, sessionQuery(session, 'RID=2&AID=1'), body([write], 1))).ended()
    const failure = await poll(session, 1)
    expect(failure.map(([, payload]) => payload)).toEqual([
      [{ error: { code: 404, status: 'NOT_FOUND', message: expect.stringContaining('c/missing') } }],
      ['close'],
    ])
  })

  it('sends a stream error for a message that is not valid proto3 JSON', async () => {
    const session = await handshake(LISTEN, [{ database: DB, addTarget: { targetId: 'two' } }])
    const arrays = await poll(session, 0)
    expect(arrays.map(([, payload]) => payload)).toEqual([[{ error: { code: 400, status: 'INVALID_ARGUMENT', message: expect.stringContaining('addTarget.targetId') } }], ['close']])
  })

  it('answers an unknown session, a wrong gsessionid and another stream\'s SID with 400 "Unknown SID"', async () => {
    const session = await handshake(LISTEN, [])
    for (const [path, query] of [
      [LISTEN, sessionQuery({ ...session, sid: 'nope' }, 'RID=rpc&AID=0&CI=1&TYPE=xmlhttp')],
      [LISTEN, sessionQuery({ ...session, gsessionid: 'nope' }, 'RID=rpc&AID=0&CI=1&TYPE=xmlhttp')],
      [WRITE, sessionQuery(session, 'RID=rpc&AID=0&CI=1&TYPE=xmlhttp')],
    ] as const) {
      const response = await get(path, query)
      expect(response.status).toBe(400)
      // The client looks for the words past the start of the body.
      expect((await response.ended()).indexOf('Unknown SID')).toBeGreaterThan(0)
    }
  })

  it('closes a session on TYPE=terminate and when it is left without a back channel', async () => {
    // A server of its own, so other tests' sessions do not move the count.
    const shared = server
    server = await startTestServer({ sessionTimeoutMs: 300 })
    try {
      const terminated = await handshake(LISTEN, [listenDoc('t1')])
      const left = await handshake(LISTEN, [listenDoc('t2')])
      expect(server.transports.channelCount).toBe(2)
      const bye = await get(LISTEN, sessionQuery(terminated, 'RID=9&TYPE=terminate'))
      expect(bye.status).toBe(200)
      await bye.ended()
      expect(server.transports.channelCount).toBe(1)
      expect((await get(LISTEN, sessionQuery(terminated, 'RID=rpc&AID=0&CI=1&TYPE=xmlhttp'))).status).toBe(400)

      await expect.poll(() => server.transports.channelCount, { timeout: 3_000 }).toBe(0)
      expect((await get(LISTEN, sessionQuery(left, 'RID=rpc&AID=0&CI=1&TYPE=xmlhttp'))).status).toBe(400)
    } finally {
      await server.close()
      server = shared
    }
  })

  it('supports the fast handshake: $req on a GET, the answer in X-HTTP-Initial-Response, then streaming', async () => {
    const req = body([listenDoc('fast', 6)], 0)
    const response = await get(LISTEN, `database=${encodeURIComponent(DB)}&VER=8&RID=77&CVER=22&SID=null&$req=${encodeURIComponent(req)}&t=1`)
    expect(response.status).toBe(200)
    const initial = JSON.parse(response.headers['x-http-initial-response'] as string) as ServerArray[]
    expect(initial[0]![1][0]).toBe('c')
    await response.waitFor((text) => (unframe(text) as ServerArray[][]).flat().length >= 3)
    expect(messages((unframe(response.text()) as ServerArray[][]).flat())[0]).toEqual({ targetChange: { targetChangeType: 'ADD', targetIds: [6] } })
  })

  it('refuses other protocol versions', async () => {
    const response = await post(LISTEN, 'VER=7&RID=1', body([]))
    expect(response.status).toBe(400)
    expect(await response.ended()).toContain('version 7')
  })
})

describe('WebChannel handshake headers', () => {
  it('gives the stream the request headers overlaid with $httpHeaders and the body\'s encoded headers', async () => {
    const seen: Record<string, string>[] = []
    const handler = new WebChannelHandler({
      Listen: (_send, context) => {
        seen.push({ ...context.headers })
        return { receive: () => {}, close: () => {} }
      },
    })
    const plain = createServer((request, response) => {
      if (!handler.handle(request, response)) response.writeHead(404).end()
    })
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve))
    try {
      const port = (plain.address() as { port: number }).port
      const overwrite = encodeURIComponent('X-From-Param:1\r\nAuthorization:Bearer param\r\n')
      const response = await openRequest(`http://127.0.0.1:${port}${LISTEN}?VER=8&RID=1&CVER=22&$httpHeaders=${overwrite}`, {
        method: 'POST',
        body: body([], 0, { Authorization: 'Bearer body-token', 'X-Goog-Api-Client': 'gl-js/ fire/12' }),
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Real': 'yes' },
      })
      await response.ended()
      expect(response.status).toBe(200)
      // Without X-HTTP-Session-Id in the handshake, no routing ID is offered.
      expect(response.headers['x-http-session-id']).toBeUndefined()
      expect(seen).toEqual([expect.objectContaining({ 'x-real': 'yes', 'x-from-param': '1', authorization: 'Bearer body-token', 'x-goog-api-client': 'gl-js/ fire/12' })])
    } finally {
      handler.close()
      plain.closeAllConnections()
      await new Promise<void>((resolve) => plain.close(() => resolve()))
    }
  })
})
