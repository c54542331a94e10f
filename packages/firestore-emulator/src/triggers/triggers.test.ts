import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startEmulator, type RunningEmulator } from '../server.js'
import { Delivery } from './delivery.js'

interface Received {
  url: string
  headers: IncomingMessage['headers']
  body: Buffer
}

/** A stand-in for the Functions emulator: records requests, answers with the next queued status. */
class FakeFunctions {
  readonly received: Received[] = []
  readonly statuses: number[] = []
  private server: Server | undefined

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = []
      request.on('data', (chunk: Buffer) => chunks.push(chunk))
      request.on('end', () => {
        this.received.push({ url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks) })
        response.writeHead(this.statuses.shift() ?? 200).end('{}')
      })
    })
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve))
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server?.close(() => resolve()) ?? resolve())
  }
}

const PROJECT = 'demo-triggers'
let emulator: RunningEmulator
let functions: FakeFunctions
let base: string

beforeEach(async () => {
  functions = new FakeFunctions()
  const functionsEmulator = await functions.start()
  emulator = await startEmulator({ projectId: PROJECT, functionsEmulator })
  // Short retries keep the tests quick; the policy is otherwise the default one.
  emulator.triggers.useDelivery(new Delivery({ attempts: 3, initialDelayMs: 10, maxDelayMs: 20, timeoutMs: 5000 }, () => {}))
  base = `http://${emulator.host}:${emulator.port}`
})

afterEach(async () => {
  await emulator.stop()
  await functions.stop()
})

async function registerV2(key: string, eventType: string, document: string): Promise<Response> {
  return fetch(`${base}/emulator/v1/projects/${PROJECT}/eventarcTrigger?eventarcTriggerId=${key}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ eventType, database: '(default)', namespace: '(default)', document: { value: document, matchType: 'PATH_PATTERN' } }),
  })
}

async function commit(writes: object[]): Promise<void> {
  const response = await fetch(`${base}/v1/projects/${PROJECT}/databases/(default)/documents:commit`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer owner' },
    body: JSON.stringify({ writes }),
  })
  expect(response.status).toBe(200)
}

const name = (path: string) => `projects/${PROJECT}/databases/(default)/documents/${path}`
const set = (path: string, n: number) => ({ update: { name: name(path), fields: { n: { integerValue: String(n) } } } })

describe('Functions triggers', () => {
  it('delivers only the registered kinds of change, for matching documents, in commit order', async () => {
    expect((await registerV2('onCreated-0', 'google.cloud.firestore.document.v1.created', 'rooms/{roomId}')).status).toBe(200)
    expect((await registerV2('onWritten-0', 'google.cloud.firestore.document.v1.written', 'rooms/{roomId}/items/{id}')).status).toBe(200)
    const listed = (await (await fetch(`${base}/emulator/v1/projects/${PROJECT}/triggers`)).json()) as { triggers: unknown[] }
    expect(listed.triggers).toHaveLength(2)

    await commit([set('rooms/r1', 1)])
    await commit([set('rooms/r1', 2)]) // an update: not a create
    for (let n = 1; n <= 5; n++) await commit([set('rooms/r1/items/i1', n)])
    await commit([{ delete: name('rooms/r1/items/i1') }])
    await commit([set('other/x', 1)])
    await emulator.triggers.idle()

    const created = functions.received.filter((r) => r.url.endsWith('/onCreated-0'))
    expect(created.map((r) => r.headers['ce-document'])).toEqual(['rooms/r1'])
    expect(created[0]!.url).toBe(`/functions/projects/${PROJECT}/triggers/onCreated-0`)
    const written = functions.received.filter((r) => r.url.endsWith('/onWritten-0'))
    expect(written).toHaveLength(6)
    // In commit order: the ce-time of each is later than the one before.
    const times = written.map((r) => String(r.headers['ce-time']))
    expect([...times].sort()).toEqual(times)
    expect(written.at(-1)!.body.length).toBeGreaterThan(0)
  })

  it('registers v1 triggers and sends them JSON events', async () => {
    const response = await fetch(`${base}/emulator/v1/projects/${PROJECT}/triggers/onDelete-0`, {
      method: 'PUT',
      body: JSON.stringify({
        eventTrigger: { resource: `projects/${PROJECT}/databases/(default)/documents/rooms/{roomId}`, eventType: 'providers/cloud.firestore/eventTypes/document.delete', service: 'firestore.googleapis.com' },
      }),
    })
    expect(response.status).toBe(200)
    await commit([set('rooms/r2', 1)])
    await commit([{ delete: name('rooms/r2') }])
    await emulator.triggers.idle()
    expect(functions.received).toHaveLength(1)
    const event = JSON.parse(functions.received[0]!.body.toString()) as { eventType: string; params: object; data: { oldValue: { fields: object }; value?: object } }
    expect(event.eventType).toBe('providers/cloud.firestore/eventTypes/document.delete')
    expect(event.params).toEqual({ roomId: 'r2' })
    expect(event.data.oldValue.fields).toEqual({ n: { integerValue: '1' } })
    expect(event.data.value).toBeUndefined()
  })

  it('retries 503 and unreachable answers, not a failing function (500), and clearing data fires nothing', async () => {
    await registerV2('onWritten-0', 'google.cloud.firestore.document.v1.written', 'rooms/{roomId}')
    functions.statuses.push(503, 200)
    await commit([set('rooms/a', 1)])
    await emulator.triggers.idle()
    expect(functions.received.map((r) => r.headers['ce-document'])).toEqual(['rooms/a', 'rooms/a'])

    functions.statuses.push(500)
    await commit([set('rooms/b', 1)])
    await emulator.triggers.idle()
    expect(functions.received).toHaveLength(3)

    expect((await fetch(`${base}/emulator/v1/projects/${PROJECT}/databases/(default)/documents`, { method: 'DELETE' })).status).toBe(200)
    await emulator.triggers.idle()
    expect(functions.received).toHaveLength(3)
  })

  it('refuses bad registrations with 400 and forgets triggers on DELETE', async () => {
    const bad = await registerV2('k-0', 'google.cloud.firestore.document.v1.exploded', 'rooms/{id}')
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/Unsupported Firestore event type/)
    await registerV2('k-0', 'google.cloud.firestore.document.v1.written', 'rooms/{id}')
    expect((await fetch(`${base}/emulator/v1/projects/${PROJECT}/triggers`, { method: 'DELETE' })).status).toBe(200)
    await commit([set('rooms/c', 1)])
    await emulator.triggers.idle()
    expect(functions.received).toHaveLength(0)
  })
})
