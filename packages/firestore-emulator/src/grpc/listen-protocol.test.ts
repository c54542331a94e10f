import * as grpc from '@grpc/grpc-js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ListenRequest, ListenResponse } from '../api/messages.js'
import { startEmulator, type RunningEmulator } from '../server.js'
import { loadFirestoreService } from './service.js'

/**
 * The Listen protocol at the wire level, with a raw gRPC client: the order of target
 * changes, deltas on resume, RESET when a token cannot be honoured, target removal.
 */

const DB = 'projects/demo-listen/databases/(default)'
const DOCS = `${DB}/documents`

let emulator: RunningEmulator
let client: grpc.Client & Record<string, (...args: unknown[]) => unknown>

beforeAll(async () => {
  emulator = await startEmulator()
  const Client = grpc.makeGenericClientConstructor(loadFirestoreService(), 'Firestore')
  client = new Client(`127.0.0.1:${emulator.port}`, grpc.credentials.createInsecure()) as typeof client
})
afterAll(async () => {
  client.close()
  await emulator.stop()
})

function commit(writes: object[]): Promise<void> {
  return new Promise((resolve, reject) => client['Commit']!({ database: DB, writes }, (error: Error | null) => (error ? reject(error) : resolve())))
}

const set = (path: string, fields: object) => ({ update: { name: `${DOCS}/${path}`, fields } })
const remove = (path: string) => ({ delete: `${DOCS}/${path}` })
const int = (n: number) => ({ integerValue: String(n) })

/** A Listen stream that collects responses, read in batches that end at a global snapshot. */
class Stream {
  readonly responses: ListenResponse[] = []
  private readonly call: grpc.ClientDuplexStream<ListenRequest, ListenResponse>
  private consumed = 0
  private wake: (() => void) | undefined

  constructor() {
    this.call = client['Listen']!() as grpc.ClientDuplexStream<ListenRequest, ListenResponse>
    this.call.on('data', (response: ListenResponse) => {
      this.responses.push(response)
      this.wake?.()
    })
    this.call.on('error', () => {})
  }

  send(request: ListenRequest): void {
    this.call.write({ database: DB, ...request })
  }

  /** The responses after the last batch, up to and including the next global NO_CHANGE or a REMOVE. */
  async next(): Promise<ListenResponse[]> {
    const deadline = Date.now() + 5000
    for (;;) {
      const end = this.responses.findIndex((r, i) => i >= this.consumed && isBatchEnd(r))
      if (end !== -1) {
        const batch = this.responses.slice(this.consumed, end + 1)
        this.consumed = end + 1
        return batch
      }
      if (Date.now() > deadline) throw new Error(`timed out; got ${JSON.stringify(this.responses.slice(this.consumed))}`)
      await new Promise<void>((resolve) => {
        this.wake = resolve
        setTimeout(resolve, 100)
      })
    }
  }

  close(): void {
    this.call.end()
  }
}

function isBatchEnd(response: ListenResponse): boolean {
  const change = response.targetChange
  return (change?.targetChangeType === 'NO_CHANGE' && change.targetIds.length === 0) || change?.targetChangeType === 'REMOVE'
}

const kinds = (responses: ListenResponse[]) =>
  responses.map((r) => {
    if (r.targetChange) return `${r.targetChange.targetChangeType}${r.targetChange.targetIds.length ? ':' + r.targetChange.targetIds.join(',') : ''}`
    if (r.documentChange) return `change:${r.documentChange.document.name.split('/').pop()}`
    if (r.documentDelete) return `delete:${r.documentDelete.document.split('/').pop()}`
    if (r.documentRemove) return `remove:${r.documentRemove.document.split('/').pop()}`
    return 'other'
  })

const queryTarget = (targetId: number, extra: object = {}): ListenRequest => ({
  addTarget: {
    targetId,
    query: {
      parent: DOCS,
      structuredQuery: { from: [{ collectionId: 'scores' }], where: { fieldFilter: { field: { fieldPath: 'n' }, op: 'GREATER_THAN' as const, value: int(0) } } },
    },
    ...extra,
  },
})

describe('Listen protocol', () => {
  it('sends ADD, the documents, CURRENT with a token, then a global NO_CHANGE with a read time', async () => {
    await commit([set('scores/a', { n: int(1) }), set('scores/b', { n: int(2) }), set('scores/z', { n: int(0) })])
    const stream = new Stream()
    stream.send(queryTarget(2))
    const initial = await stream.next()
    expect(kinds(initial)).toEqual(['ADD:2', 'change:a', 'change:b', 'CURRENT:2', 'NO_CHANGE'])
    const current = initial[3]!.targetChange!
    expect(current.resumeToken?.length).toBeGreaterThan(0)
    expect(initial[4]!.targetChange!.readTime).toBeTruthy()

    await commit([set('scores/a', { n: int(0) })])
    expect(kinds(await stream.next())).toEqual(['remove:a', 'NO_CHANGE'])
    await commit([remove('scores/b')])
    expect(kinds(await stream.next())).toEqual(['delete:b', 'NO_CHANGE'])
    await commit([set('scores/c', { n: int(3) })])
    expect(kinds(await stream.next())).toEqual(['change:c', 'NO_CHANGE'])

    stream.send({ removeTarget: 2 })
    expect(kinds(await stream.next())).toEqual(['REMOVE:2'])
    stream.close()
  })

  it('resumes with a delta: only what changed since the token, and removals of what left', async () => {
    await commit([set('scores/a', { n: int(1) }), set('scores/b', { n: int(2) }), set('scores/c', { n: int(3) })])
    const first = new Stream()
    first.send(queryTarget(4))
    const initial = await first.next()
    const token = initial.find((r) => r.targetChange?.targetChangeType === 'CURRENT')!.targetChange!.resumeToken!
    first.close()

    await commit([set('scores/a', { n: int(10) }), set('scores/b', { n: int(0) }), remove('scores/c'), set('scores/d', { n: int(4) })])
    const second = new Stream()
    second.send(queryTarget(4, { resumeToken: token }))
    const delta = kinds(await second.next())
    expect(delta[0]).toBe('ADD:4')
    expect(delta.slice(1, -2).sort()).toEqual(['change:a', 'change:d', 'delete:c', 'remove:b'])
    expect(delta.slice(-2)).toEqual(['CURRENT:4', 'NO_CHANGE'])
    second.close()
  })

  it('answers a token it cannot honour with RESET and the full result set', async () => {
    await commit([set('scores/a', { n: int(1) })])
    const stream = new Stream()
    stream.send(queryTarget(6, { resumeToken: Buffer.from('not a token of ours') }))
    const responses = kinds(await stream.next())
    expect(responses.slice(0, 2)).toEqual(['ADD:6', 'RESET:6'])
    expect(responses).toContain('change:a')
    stream.close()
  })

  it('removes a target whose query is invalid, with the cause', async () => {
    const stream = new Stream()
    stream.send({ addTarget: { targetId: 8, query: { parent: DOCS, structuredQuery: { from: [] } } } })
    await stream.next()
    const removal = stream.responses.find((r) => r.targetChange?.targetChangeType === 'REMOVE')!.targetChange!
    expect(removal.targetIds).toEqual([8])
    expect(removal.cause?.code).toBe(grpc.status.INVALID_ARGUMENT)
    stream.close()
  })

  it('watches named documents, including one that does not exist yet', async () => {
    const stream = new Stream()
    stream.send({ addTarget: { targetId: 10, documents: { documents: [`${DOCS}/solo/x`] } } })
    expect(kinds(await stream.next())).toEqual(['ADD:10', 'CURRENT:10', 'NO_CHANGE'])
    await commit([set('solo/x', { n: int(1) })])
    expect(kinds(await stream.next())).toEqual(['change:x', 'NO_CHANGE'])
    await commit([remove('solo/x')])
    expect(kinds(await stream.next())).toEqual(['delete:x', 'NO_CHANGE'])
    stream.close()
  })
})
