import { createServer, request as httpRequest, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { FirestoreApi } from '../api/firestore-api.js'
import { Engine } from '../engine/engine.js'
import { SecurityGate } from '../security/gate.js'
import type { SessionTimings } from '../webchannel/session.js'
import { BrowserTransports } from './transports.js'

/**
 * A bare HTTP server with the browser transports, for the protocol tests of rest/ and
 * webchannel/: raw requests, no SDK, timings of the test's choosing.
 */
export interface TestServer {
  readonly origin: string
  readonly transports: BrowserTransports
  close(): Promise<void>
}

export async function startTestServer(timings: Partial<SessionTimings> = {}): Promise<TestServer> {
  const api = new FirestoreApi(new Engine(), new SecurityGate())
  const transports = new BrowserTransports(api, timings)
  const server = createServer((request, response) => {
    if (!transports.handle(request, response)) response.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    transports,
    async close() {
      transports.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** A response read as it arrives: its status, headers, and the text so far. */
export interface OpenResponse {
  readonly status: number
  readonly headers: IncomingMessage['headers']
  /** All text received so far. */
  text(): string
  /** Resolves once the text satisfies `ready` (rejects after `timeoutMs`). */
  waitFor(ready: (text: string) => boolean, timeoutMs?: number): Promise<string>
  /** Resolves with the whole text when the response ends. */
  ended(timeoutMs?: number): Promise<string>
  abort(): void
}

/** Sends a request and hands back the response as soon as its headers arrive. */
export function openRequest(url: string, options: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<OpenResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let text = ''
      let done = false
      const waiters: (() => void)[] = []
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        text += chunk
        for (const waiter of waiters.splice(0)) waiter()
      })
      res.on('close', () => {
        done = true
        for (const waiter of waiters.splice(0)) waiter()
      })
      const waitFor = (ready: (text: string) => boolean, timeoutMs = 5_000): Promise<string> =>
        new Promise((resolveWait, rejectWait) => {
          const timer = setTimeout(() => rejectWait(new Error(`Timed out after ${timeoutMs} ms waiting on ${url}; received: ${text}`)), timeoutMs)
          const check = (): void => {
            if (ready(text)) {
              clearTimeout(timer)
              resolveWait(text)
            } else if (done) {
              clearTimeout(timer)
              rejectWait(new Error(`The response to ${url} ended without what was awaited; received: ${text}`))
            } else {
              waiters.push(check)
            }
          }
          check()
        })
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        text: () => text,
        waitFor,
        ended: (timeoutMs = 5_000) => waitFor(() => done, timeoutMs),
        abort: () => req.destroy(),
      })
    })
    req.on('error', reject)
    if (options.body !== undefined) req.end(options.body)
    else req.end()
  })
}

/** Splits a framed response (`<length>\n<json>\n...`) into its JSON values; a partial last chunk is left out. */
export function unframe(text: string): unknown[] {
  const values: unknown[] = []
  let at = 0
  for (;;) {
    const newline = text.indexOf('\n', at)
    if (newline < 0) return values
    const length = Number(text.slice(at, newline))
    if (!Number.isInteger(length)) throw new Error(`Bad framing at ${at}: ${text.slice(at, at + 40)}`)
    if (newline + 1 + length > text.length) return values
    values.push(JSON.parse(text.slice(newline + 1, newline + 1 + length)))
    at = newline + 1 + length
  }
}
