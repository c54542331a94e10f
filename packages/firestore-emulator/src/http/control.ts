import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Engine } from '../engine/engine.js'

const CLEAR_PATH = /^\/emulator\/v1\/projects\/([^/]+)\/databases\/([^/]+)\/documents\/?$/

/**
 * The emulator control API over HTTP/1.1:
 * - `GET /` answers "Ok" (firebase-tools' readiness check);
 * - `DELETE /emulator/v1/projects/{p}/databases/{d}/documents` clears that database.
 */
export function handleControlRequest(engine: Engine, request: IncomingMessage, response: ServerResponse): void {
  const url = new URL(request.url ?? '/', 'http://emulator')
  const clear = CLEAR_PATH.exec(url.pathname)
  if (request.method === 'DELETE' && clear) {
    engine.clear({ projectId: decodeURIComponent(clear[1]!), databaseId: decodeURIComponent(clear[2]!) })
    return json(response, 200, {})
  }
  if (request.method === 'GET' && url.pathname === '/') {
    response.writeHead(200, { 'content-type': 'text/plain' }).end('Ok')
    return
  }
  json(response, 404, { error: { code: 404, message: `No emulator endpoint at ${request.method} ${url.pathname}.`, status: 'NOT_FOUND' } })
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
}
