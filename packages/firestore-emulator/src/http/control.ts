import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Engine } from '../engine/engine.js'
import { RulesetError, type RulesIssue } from '../rules/index.js'
import type { SecurityGate } from '../security/gate.js'
import type { Triggers } from '../triggers/triggers.js'

const CLEAR_PATH = /^\/emulator\/v1\/projects\/([^/]+)\/databases\/([^/]+)\/documents\/?$/
const RULES_PATH = /^\/emulator\/v1\/projects\/([^/:]+):securityRules$/

/** The most a rules upload may weigh. */
const MAX_RULES_BYTES = 1024 * 1024

/**
 * The emulator control API over HTTP/1.1:
 * - `GET /` answers "Ok" (firebase-tools' readiness check);
 * - `DELETE /emulator/v1/projects/{p}/databases/{d}/documents` clears that database;
 * - `PUT /emulator/v1/projects/{p}:securityRules` with `{ rules: { files: [{ name, content }] } }`
 *   loads that project's rules (as firebase-tools and @firebase/rules-unit-testing call it);
 * - the Functions trigger endpoints (triggers/triggers.ts); clearing data fires no triggers.
 */
export function handleControlRequest(engine: Engine, gate: SecurityGate, request: IncomingMessage, response: ServerResponse, triggers?: Triggers): void {
  const url = new URL(request.url ?? '/', 'http://emulator')
  const clear = CLEAR_PATH.exec(url.pathname)
  if (request.method === 'DELETE' && clear) {
    const id = { projectId: decodeURIComponent(clear[1]!), databaseId: decodeURIComponent(clear[2]!) }
    if (triggers) triggers.quietly(() => engine.clear(id))
    else engine.clear(id)
    return json(response, 200, {})
  }
  const rules = RULES_PATH.exec(url.pathname)
  if (request.method === 'PUT' && rules) {
    readJson(request).then(
      (body) => putRules(gate, decodeURIComponent(rules[1]!), body, response),
      (error: Error) => json(response, 400, errorBody(400, error.message, 'INVALID_ARGUMENT')),
    )
    return
  }
  if (triggers?.handle(request, response)) return
  if (request.method === 'GET' && url.pathname === '/') {
    response.writeHead(200, { 'content-type': 'text/plain' }).end('Ok')
    return
  }
  json(response, 404, errorBody(404, `No emulator endpoint at ${request.method} ${url.pathname}.`, 'NOT_FOUND'))
}

/**
 * Loads rules. Problems come back as `issues` in firebase-tools' shape, with 200 when the
 * caller asked to `ignore_errors` (firebase-tools' hot reload) and 400 otherwise; the rules
 * in force stay in force when the new ones do not load.
 */
function putRules(gate: SecurityGate, projectId: string, body: unknown, response: ServerResponse): void {
  const { files, ignoreErrors } = readRulesBody(body)
  const file = files[0]
  if (!file || typeof file.content !== 'string') {
    return json(response, 400, errorBody(400, 'Expected { rules: { files: [{ name, content }] } } with one rules file.', 'INVALID_ARGUMENT'))
  }
  const fileName = typeof file.name === 'string' ? file.name : 'firestore.rules'
  try {
    const ruleset = gate.setRules(projectId, file.content)
    json(response, 200, { issues: ruleset.warnings.map((issue) => toIssue(issue, fileName)) })
  } catch (error) {
    if (!(error instanceof RulesetError)) throw error
    const issues = error.issues.map((issue) => toIssue(issue, fileName))
    if (ignoreErrors) return json(response, 200, { issues })
    json(response, 400, { ...errorBody(400, `The rules did not load:\n${error.message}`, 'INVALID_ARGUMENT'), issues })
  }
}

function readRulesBody(body: unknown): { files: { name?: unknown; content?: unknown }[]; ignoreErrors: boolean } {
  const record = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>
  const rules = (typeof record['rules'] === 'object' && record['rules'] !== null ? record['rules'] : {}) as Record<string, unknown>
  const files = Array.isArray(rules['files']) ? (rules['files'] as { name?: unknown; content?: unknown }[]) : []
  return { files, ignoreErrors: record['ignore_errors'] === true || record['ignoreErrors'] === true }
}

function toIssue(issue: RulesIssue, fileName: string) {
  return { sourcePosition: { fileName, line: issue.line, column: issue.column }, description: issue.message, severity: issue.severity }
}

function errorBody(code: number, message: string, status: string) {
  return { error: { code, message, status } }
}

function readJson(request: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    request.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_RULES_BYTES) {
        reject(new Error(`The request body is larger than ${MAX_RULES_BYTES} bytes.`))
        request.destroy()
        return
      }
      chunks.push(chunk)
    })
    request.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'))
      } catch {
        reject(new Error('The request body is not JSON.'))
      }
    })
    request.on('error', reject)
  })
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
}
