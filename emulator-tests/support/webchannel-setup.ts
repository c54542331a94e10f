import { afterAll, afterEach, beforeEach, expect } from 'vitest'
import XMLHttpRequest from 'xhr2'
import { webTransport } from './clients.js'

/**
 * Setup file of the `webchannel-*` vitest projects, which run the web SDK's browser build in Node
 * (vitest.config.ts aliases firebase/firestore to it).
 *
 * Its REST calls (Commit, RunQuery...: closure's XhrIo) and, unless `useFetchStreams` is set, its
 * WebChannel requests go through the global XMLHttpRequest, which Node lacks: xhr2 provides one on
 * node:http. xhr2 hands out a response's text only when the response ends, so it serves
 * long-polling back channels (each poll ends) but not streaming ones: in streaming mode WebChannel
 * uses the Fetch API instead (see Clients.web()).
 *
 * It also records the SDK's requests and checks, after each test file, that they went the way the
 * mode says: an alias that stopped applying (the Node build over gRPC) would otherwise pass unseen.
 * And, as the Chromium suite does, that the SDK logged no WebChannel failure it hid by reconnecting.
 */

/** Paths and query strings of the requests to the emulator's browser endpoints, in order. */
const requests: URL[] = []

function record(url: string): void {
  const parsed = new URL(url)
  if (parsed.pathname.endsWith('/channel') || parsed.pathname.startsWith('/v1/')) requests.push(parsed)
}

class RecordingXMLHttpRequest extends (XMLHttpRequest as new () => { open(method: string, url: string, async?: boolean): void }) {
  override open(method: string, url: string, async = true): void {
    record(url)
    super.open(method, url, async)
  }
}

const scope = globalThis as { XMLHttpRequest?: unknown }
if (scope.XMLHttpRequest === undefined) scope.XMLHttpRequest = RecordingXMLHttpRequest

// The fetch-based WebChannel (closure's FetchXmlHttp) calls the global fetch with a Request.
const originalFetch = globalThis.fetch
globalThis.fetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
  record(input instanceof Request ? input.url : String(input))
  return originalFetch(input, init)
}

/**
 * The SDK's warnings that a WebChannel stream failed at the transport level. It reconnects and the
 * test may still pass, which would hide an emulator bug (a malformed frame, a dropped session).
 */
const TRANSPORT_FAILURE = /transport errored|Could not reach Cloud Firestore/i
const transportFailures: string[] = []
const originalWarn = console.warn
console.warn = (...args: unknown[]): void => {
  const line = args.map(String).join(' ')
  if (TRANSPORT_FAILURE.test(line)) transportFailures.push(line)
  originalWarn(...args)
}

let failuresAtStart = 0
beforeEach(() => {
  failuresAtStart = transportFailures.length
})
afterEach(() => {
  expect(transportFailures.slice(failuresAtStart), 'WebChannel failures the SDK logged').toEqual([])
})

afterAll(() => {
  console.warn = originalWarn
  globalThis.fetch = originalFetch
  const transport = webTransport()
  expect(transport, 'QUIRE_WEB_TRANSPORT in a webchannel project').not.toBe('grpc')
  const channel = requests.filter((url) => url.pathname.endsWith('/channel'))
  expect(channel.length, 'WebChannel requests made by the SDK').toBeGreaterThan(0)
  // Back channels (RID=rpc) say how they want their answer: CI=0 streaming, CI=1 long polling.
  const backChannelCI = new Set(channel.filter((url) => url.searchParams.get('RID') === 'rpc').map((url) => url.searchParams.get('CI')))
  expect(backChannelCI, 'CI of the back channels').toEqual(new Set([transport === 'webchannel-long-polling' ? '1' : '0']))
})
