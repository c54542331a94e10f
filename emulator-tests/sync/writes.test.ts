import { afterAll, describe, expect, it } from 'vitest'
import { disableNetwork, enableNetwork, terminate } from 'firebase/firestore'
import { Clients, uniqueProjectId } from '../support/clients.js'
import { contains, converged, openPeer, readLog, serverDoc, sleep, until } from './helpers.js'

const clients = new Clients(uniqueProjectId())
afterAll(() => clients.close())

describe('flush()', () => {
  it('resolves only once the server holds everything local', async () => {
    const docId = 'flush'
    const admin = clients.admin()
    // A long flush delay: without flush() nothing would be written during the test.
    const a = openPeer(clients, docId, { flushDelayMs: 60_000 })
    await a.provider.whenSynced
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 20; i++) a.text.insert(Math.floor(a.text.length / 2), `${round}.${i} `)
      if (round % 2 === 1) a.text.delete(0, 3)
      expect(a.provider.unsavedBytes).toBeGreaterThan(0)
      await a.provider.flush()
      expect(a.provider.unsavedBytes).toBe(0)
      expect(a.provider.status).toBe('synced')
      const server = await serverDoc(admin, docId)
      expect(server.getText('content').toString()).toBe(a.text.toString())
      expect(contains(server, a.doc)).toBe(true)
    }
    // Nothing to write: resolves at once, writes nothing.
    const records = (await readLog(admin, docId)).length
    await a.provider.flush()
    expect(await readLog(admin, docId)).toHaveLength(records)
    a.provider.destroy()
  })

  it('waits while offline and resolves after reconnecting', async () => {
    const docId = 'flush-offline'
    const admin = clients.admin()
    const a = openPeer(clients, docId, { flushDelayMs: 20 })
    await a.provider.whenSynced
    await disableNetwork(a.firestore)
    await until(() => a.provider.status === 'offline', 'offline')
    a.text.insert(0, 'written while offline')
    let flushed = false
    const flush = a.provider.flush().then(() => (flushed = true))
    await sleep(300)
    expect(flushed).toBe(false)
    expect((await serverDoc(admin, docId)).getText('content').toString()).toBe('')
    await enableNetwork(a.firestore)
    await flush
    expect((await serverDoc(admin, docId)).getText('content').toString()).toBe('written while offline')
    expect(a.provider.unsavedBytes).toBe(0)
    a.provider.destroy()
  })

  it('rejects when the provider is destroyed before everything is saved', async () => {
    const a = openPeer(clients, 'flush-destroyed', { flushDelayMs: 20 })
    await a.provider.whenSynced
    await disableNetwork(a.firestore)
    await until(() => a.provider.status === 'offline', 'offline')
    a.text.insert(0, 'never saved')
    const flush = a.provider.flush()
    await sleep(50)
    a.provider.destroy()
    await expect(flush).rejects.toMatchObject({ code: 'destroyed' })
  })
})

describe('destroy()', () => {
  it('hands queued edits to Firestore, which still writes them; nothing throws after', async () => {
    const docId = 'destroy-in-flight'
    const a = openPeer(clients, docId, { flushDelayMs: 1000 })
    const b = openPeer(clients, docId, { flushDelayMs: 20 })
    await Promise.all([a.provider.whenSynced, b.provider.whenSynced])
    a.text.insert(0, 'queued, not yet written')
    a.provider.destroy()
    await until(() => b.text.toString() === 'queued, not yet written', 'the queued edit on B')
    // Edits after destroy() are not the provider's business any more.
    a.text.insert(0, 'later ')
    await sleep(100)
    expect(b.text.toString()).toBe('queued, not yet written')
    expect(a.errors).toEqual([])
    b.provider.destroy()
  })

  it('while a write is in flight and the client is then terminated: no errors, no unhandled rejections', async () => {
    const a = openPeer(clients, 'destroy-terminate', { flushDelayMs: 5 })
    await a.provider.whenSynced
    a.text.insert(0, 'in flight')
    await sleep(10)
    a.provider.destroy()
    await terminate(a.firestore)
    await sleep(100)
    expect(a.provider.status).not.toBe('connecting')
    expect(a.errors).toEqual([])
  })
})

describe('Y.Doc destroy()', () => {
  it('destroys the provider with it', async () => {
    const a = openPeer(clients, 'doc-destroyed', { flushDelayMs: 20 })
    await a.provider.whenSynced
    a.doc.destroy()
    await expect(a.provider.flush()).rejects.toMatchObject({ code: 'destroyed' })
  })
})

describe('write batching', () => {
  it('typing 100 characters, one per millisecond, makes a handful of update records', async () => {
    const docId = 'batching'
    const admin = clients.admin()
    const a = openPeer(clients, docId, { flushDelayMs: 150 })
    const b = openPeer(clients, docId, { flushDelayMs: 150 })
    await Promise.all([a.provider.whenSynced, b.provider.whenSynced])
    const typed = 'The quick brown fox jumps over the lazy dog, then naps in the afternoon sun for a while, then leaves'
    expect(typed).toHaveLength(100)
    const started = Date.now()
    for (const char of typed) {
      a.text.insert(a.text.length, char)
      await sleep(1)
    }
    const typingMs = Date.now() - started
    expect(await converged([a, b])).toBe(typed)
    const records = (await readLog(admin, docId)).length
    // At most one write per 150 ms of typing, plus the one that closes the burst.
    expect(records).toBeGreaterThanOrEqual(1)
    expect(records).toBeLessThanOrEqual(Math.ceil(typingMs / 150) + 1)
    expect(records).toBeLessThanOrEqual(5)
    a.provider.destroy()
    b.provider.destroy()
  })
})
