import type { IncomingMessage, ServerResponse } from 'node:http'
import { FirestoreError, invalidArgument, type CodeName } from '../model/errors.js'

/**
 * HTTP plumbing shared by the browser transports (REST and WebChannel): request bodies,
 * JSON responses, Google's JSON error format and CORS.
 */

/** Largest request body accepted: a 10 MiB commit as JSON, with room for base64 and escapes. */
export const MAX_BODY_BYTES = 64 * 1024 * 1024

/** The HTTP status Google's APIs answer each gRPC status with. */
const HTTP_STATUS: Record<CodeName, number> = {
  CANCELLED: 499,
  UNKNOWN: 500,
  INVALID_ARGUMENT: 400,
  DEADLINE_EXCEEDED: 504,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  PERMISSION_DENIED: 403,
  RESOURCE_EXHAUSTED: 429,
  FAILED_PRECONDITION: 400,
  ABORTED: 409,
  OUT_OF_RANGE: 400,
  UNIMPLEMENTED: 501,
  INTERNAL: 500,
  UNAVAILABLE: 503,
  DATA_LOSS: 500,
  UNAUTHENTICATED: 401,
}

/** Google's JSON error body: `{ error: { code: <HTTP status>, message, status: <gRPC name> } }`. */
export interface GoogleError {
  error: { code: number; message: string; status: CodeName }
}

/** The HTTP status for a Firestore error. */
export function httpStatusOf(error: FirestoreError): number {
  return HTTP_STATUS[error.code]
}

/** A thrown value as a FirestoreError: Firestore errors keep their code, anything else is INTERNAL. */
export function asFirestoreError(error: unknown): FirestoreError {
  if (error instanceof FirestoreError) return error
  console.error('[firestore-emulator] internal error:', error)
  return new FirestoreError('INTERNAL', `Internal emulator error: ${error instanceof Error ? error.message : String(error)}`)
}

/** A Firestore error in Google's JSON error format (REST answers, WebChannel stream statuses). */
export function googleError(error: FirestoreError): GoogleError {
  return { error: { code: httpStatusOf(error), message: error.message, status: error.code } }
}

/** Reads a whole request body as UTF-8, refusing bodies over MAX_BODY_BYTES. */
export function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    request.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY_BYTES) {
        reject(new FirestoreError('RESOURCE_EXHAUSTED', `The request body is larger than ${MAX_BODY_BYTES} bytes.`))
        request.destroy()
        return
      }
      chunks.push(chunk)
    })
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    request.on('error', reject)
  })
}

/** Parses a JSON request body; an empty body is `{}`. */
export function parseJsonBody(body: string): unknown {
  if (body.trim() === '') return {}
  try {
    return JSON.parse(body) as unknown
  } catch (error) {
    throw invalidArgument(`Invalid JSON payload received. ${error instanceof Error ? error.message : String(error)}`)
  }
}

/** Answers with a JSON body (or just ends an answer already under way). */
export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  if (response.headersSent) {
    response.end()
    return
  }
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body))
}

/** Answers with `error` as a Google JSON error and its HTTP status. */
export function sendError(response: ServerResponse, error: unknown): void {
  const failure = asFirestoreError(error)
  sendJson(response, httpStatusOf(failure), googleError(failure))
}

/** Response headers the browser SDK reads across origins (WebChannel's session handshake). */
const EXPOSED_HEADERS = 'X-HTTP-Session-Id, X-HTTP-Initial-Response, X-Client-Wire-Protocol, Content-Type'

/**
 * CORS for every response: the SDK's XHRs send credentials, so the origin is echoed back
 * (a `*` would be refused) and credentials are allowed.
 */
export function setCorsHeaders(request: IncomingMessage, response: ServerResponse): void {
  const origin = request.headers.origin
  if (!origin) return
  response.setHeader('Access-Control-Allow-Origin', origin)
  response.setHeader('Access-Control-Allow-Credentials', 'true')
  response.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS)
  response.setHeader('Vary', 'Origin')
}

/** Answers a CORS preflight: any method and the headers asked for (the SDK sends its own). */
export function answerPreflight(request: IncomingMessage, response: ServerResponse): void {
  setCorsHeaders(request, response)
  const headers: Record<string, string> = {
    'Access-Control-Allow-Methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS',
    'Access-Control-Max-Age': '3600',
  }
  const asked = request.headers['access-control-request-headers']
  if (asked) headers['Access-Control-Allow-Headers'] = asked
  if (request.headers['access-control-request-private-network'] === 'true') headers['Access-Control-Allow-Private-Network'] = 'true'
  response.writeHead(204, headers).end()
}
