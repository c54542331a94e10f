import { afterAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { FirestoreProvider } from '@quire/y-firestore'
import { Clients, uniqueProjectId } from '../support/clients.js'

const clients = new Clients(uniqueProjectId())
afterAll(() => clients.close())

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('provider basics', () => {
  it('two clients converge', async () => {
    const a = new Y.Doc()
    const b = new Y.Doc()
    const pa = new FirestoreProvider(clients.web(), 'd1', a, { author: 'alice', flushDelayMs: 20 })
    const pb = new FirestoreProvider(clients.web(), 'd1', b, { author: 'bob', flushDelayMs: 20 })
    await Promise.all([pa.whenSynced, pb.whenSynced])
    a.getText('content').insert(0, 'hello ')
    b.getText('content').insert(0, 'world')
    await Promise.all([pa.flush(), pb.flush()])
    await until(() => a.getText('content').toString() === b.getText('content').toString() && a.getText('content').length === 11)
    expect(pa.status).toBe('synced')
    expect(pa.unsavedBytes).toBe(0)
    pa.destroy()
    pb.destroy()
  })
})
