import type { IncomingMessage, ServerResponse } from 'node:http'
import { FirestoreError, invalidArgument } from '../model/errors.js'
import { asFirestoreError, httpStatusOf, readBody } from '../rest/http.js'
import { frame, frameJson, parseForwardBody, parseHeaderBlock, type ForwardBatch } from './framing.js'
import { DEFAULT_TIMINGS, WebChannelSession, type SessionTimings, type StreamOpener } from './session.js'

/** `/google.firestore.v1.Firestore/{Listen|Write}/channel`, where the browser SDK opens its streams. */
const CHANNEL_PATH = /^\/google\.firestore\.v1\.Firestore\/([A-Za-z]+)\/channel\/?$/

/** The protocol version this server speaks (the client sends `VER=8`). */
const PROTOCOL_VERSION = '8'

/**
 * WebChannel's server side over HTTP/1.1: the requests of @firebase/webchannel-wrapper,
 * each told apart by its query parameters.
 *
 * - handshake: `POST` without `SID` (`VER=8&RID=n&CVER=22`, maybe `X-HTTP-Session-Id=gsessionid`),
 *   body `headers=...&count=N&ofs=0&req0___data__=...`; answered with `["c", SID, ...]`
 *   and an `X-HTTP-Session-Id` header whose value the client then sends as `gsessionid`;
 * - fast handshake: `GET` with `SID=null&$req=<body>`; answered in `X-HTTP-Initial-Response`,
 *   the response then streaming as the back channel;
 * - forward channel: `POST` with `SID`, `RID`, `AID` and a body of maps; answered with
 *   `[back channel attached, last array sent, outstanding bytes]`;
 * - back channel: `GET` with `RID=rpc&TYPE=xmlhttp&CI=0|1&AID=n`: `CI=0` streams chunks,
 *   `CI=1` (long polling) answers once per poll;
 * - `TYPE=terminate`: the client closes the session.
 *
 * Every answer body is framed as `<length>\n<json>\n`. An unknown session is answered
 * 400 "Unknown SID", which the client reports as a lost session and reconnects.
 */
export class WebChannelHandler {
  private readonly sessions = new Map<string, WebChannelSession>()
  private readonly sweeper: NodeJS.Timeout

  constructor(
    private readonly openers: Readonly<Record<string, StreamOpener>>,
    private readonly timings: SessionTimings = DEFAULT_TIMINGS,
  ) {
    this.sweeper = setInterval(() => this.sweep(), Math.min(5_000, timings.sessionTimeoutMs)).unref()
  }

  /** Serves the request if it is a channel request; returns false for any other path. */
  handle(request: IncomingMessage, response: ServerResponse): boolean {
    const url = new URL(request.url ?? '/', 'http://emulator')
    const match = CHANNEL_PATH.exec(url.pathname)
    if (!match) return false
    this.serve(match[1]!, request, response, url.searchParams).catch((error: unknown) => {
      const failure = asFirestoreError(error)
      if (response.headersSent) response.end()
      else response.writeHead(httpStatusOf(failure), { 'Content-Type': 'text/plain; charset=utf-8' }).end(failure.message)
    })
    return true
  }

  /** The number of open sessions (for tests and diagnostics). */
  get sessionCount(): number {
    return this.sessions.size
  }

  /** Ends every session. */
  close(): void {
    clearInterval(this.sweeper)
    for (const session of [...this.sessions.values()]) session.close()
  }

  private async serve(streamName: string, request: IncomingMessage, response: ServerResponse, query: URLSearchParams): Promise<void> {
    const version = query.get('VER')
    if (version !== null && version !== PROTOCOL_VERSION) throw invalidArgument(`WebChannel protocol version ${version} is not supported; this server speaks version ${PROTOCOL_VERSION}.`)
    const sid = query.get('SID')
    const type = query.get('TYPE')

    if (type === 'terminate') {
      if (request.method === 'POST') await readBody(request)
      this.existing(streamName, sid, query)?.close()
      response.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end()
      return
    }
    if (request.method === 'POST' && !sid) return this.handshake(streamName, request, response, query, parseForwardBody(await readBody(request)))
    if (request.method === 'GET' && sid === 'null' && query.has('$req')) return this.fastHandshake(streamName, request, response, query)

    const session = this.existing(streamName, sid, query)
    if (!session) {
      if (request.method === 'POST') await readBody(request)
      response.writeHead(400, { 'Content-Type': 'text/html; charset=utf-8' }).end('<html><body>Unknown SID</body></html>')
      return
    }
    const aid = query.get('AID')
    if (aid !== null) session.acknowledge(Number(aid))

    if (request.method === 'POST') {
      session.receive(parseForwardBody(await readBody(request)).maps)
      response.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end(frameJson(session.forwardAnswer()))
      return
    }
    if (request.method === 'GET' && query.get('RID') === 'rpc') {
      if (type !== null && type !== 'xmlhttp') throw invalidArgument(`WebChannel back channel type ${type} is not supported; use xmlhttp.`)
      const timeout = Number(query.get('TO'))
      session.attachBackChannel(response, query.get('CI') === '1' ? 'long-polling' : 'streaming', timeout > 0 ? Math.min(timeout, this.timings.longPollMs) : undefined)
      return
    }
    throw invalidArgument(`Not a WebChannel request: ${request.method ?? ''} with RID=${query.get('RID') ?? ''}.`)
  }

  private handshake(streamName: string, request: IncomingMessage, response: ServerResponse, query: URLSearchParams, batch: ForwardBatch): void {
    const session = this.open(streamName, request, query, batch)
    session.receive(batch.maps)
    response.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', ...this.sessionIdHeader(session, query) }).end(frame([session.handshakeArray()]))
  }

  private fastHandshake(streamName: string, request: IncomingMessage, response: ServerResponse, query: URLSearchParams): void {
    const batch = parseForwardBody(query.get('$req') ?? '')
    const session = this.open(streamName, request, query, batch)
    session.receive(batch.maps)
    const initial = { 'X-HTTP-Initial-Response': JSON.stringify([session.handshakeArray()]), ...this.sessionIdHeader(session, query) }
    session.attachBackChannel(response, 'streaming', undefined, initial)
  }

  private open(streamName: string, request: IncomingMessage, query: URLSearchParams, batch: ForwardBatch): WebChannelSession {
    const opener = this.openers[streamName]
    if (!opener) throw new FirestoreError('UNIMPLEMENTED', `No WebChannel stream named ${streamName}; the streams are ${Object.keys(this.openers).join(' and ')}.`)
    const session = new WebChannelSession(streamName, this.timings, (closed) => this.sessions.delete(closed.id))
    this.sessions.set(session.id, session)
    session.open(opener, { headers: handshakeHeaders(request, query, batch) })
    return session
  }

  /** When the client names its session-ID parameter (`X-HTTP-Session-Id=gsessionid`), the value it should send. */
  private sessionIdHeader(session: WebChannelSession, query: URLSearchParams): Record<string, string> {
    return query.get('X-HTTP-Session-Id') ? { 'X-HTTP-Session-Id': session.httpSessionId } : {}
  }

  /** The session a request names, if it exists, belongs to this stream, and (when sent) its `gsessionid` matches. */
  private existing(streamName: string, sid: string | null, query: URLSearchParams): WebChannelSession | undefined {
    const session = sid ? this.sessions.get(sid) : undefined
    if (!session || session.streamName !== streamName) return undefined
    const routing = query.get('gsessionid')
    return routing === null || routing === session.httpSessionId ? session : undefined
  }

  private sweep(): void {
    const now = Date.now()
    for (const session of [...this.sessions.values()]) if (session.expired(now)) session.close()
  }
}

/**
 * The headers a stream sees: the handshake request's, overlaid with those the client put in
 * the `$httpHeaders` parameter (`httpHeadersOverwriteParam`) and in the body (`headers=`,
 * `encodeInitMessageHeaders`), which is how the SDK sends Authorization without a preflight.
 */
function handshakeHeaders(request: IncomingMessage, query: URLSearchParams, batch: ForwardBatch): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(request.headers)) if (typeof value === 'string') headers[name] = value
  Object.assign(headers, parseHeaderBlock(query.get('$httpHeaders') ?? ''), batch.headers)
  return headers
}
