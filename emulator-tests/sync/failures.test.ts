import { afterAll, describe, expect, it, vi } from 'vitest'
import { terminate } from 'firebase/firestore'
import { Clients, uniqueProjectId } from '../support/clients.js'
import { converged, openPeer, readLog, sleep, until } from './helpers.js'

const clients = new Clients(uniqueProjectId())
afterAll(() => clients.close())

/**
 * No rules run in these tests, so a refused write is provoked another way: an `author` this
 * long makes every update record larger than Firestore's 1 MiB document limit, and the
 * server rejects the commit (INVALID_ARGUMENT), as it would reject one the rules deny.
 */
const OVERSIZED_AUTHOR = 'x'.repeat(1_100_000)

describe('a write the server refuses', () => {
  it('is reported, never counted as saved (deletions included), and flush() rejects instead of retrying forever', async () => {
    const docId = 'refused'
    const a = openPeer(clients, docId, { flushDelayMs: 20 })
    const x = openPeer(clients, docId, { flushDelayMs: 20, author: OVERSIZED_AUTHOR })
    await Promise.all([a.provider.whenSynced, x.provider.whenSynced])
    a.text.insert(0, 'hello world')
    await converged([a, x])
    const records = (await readLog(clients.admin(), docId)).length

    // A deletion only: it adds no struct, so the state vectors stay equal; only the delete
    // sets tell that the server lacks it.
    x.text.delete(5, 6)
    await until(() => x.errors.length > 0, 'the refusal')
    expect(x.errors.map((error) => error.code)).toEqual(['write-failed'])
    await sleep(200)
    expect(x.provider.status).toBe('syncing')
    expect(x.provider.unsavedBytes).toBeGreaterThan(0)

    await expect(x.provider.flush()).rejects.toMatchObject({ code: 'write-failed' })
    // flush() tried once more (through reconcile) and gave up, rather than looping.
    await sleep(200)
    expect(x.errors.length).toBe(2)
    expect(x.text.toString()).toBe('hello')
    expect(x.provider.status).not.toBe('synced')
    expect(a.text.toString()).toBe('hello world')
    expect(await readLog(clients.admin(), docId)).toHaveLength(records)
    expect(a.errors).toEqual([])
    a.provider.destroy()
    x.provider.destroy()
  })
})

describe('a client that cannot listen', () => {
  it('reports read-failed, and flush() rejects instead of waiting forever', async () => {
    const firestore = clients.web()
    await terminate(firestore)
    const a = openPeer(clients, 'cannot-listen', { firestore, flushDelayMs: 20 })
    await until(() => a.errors.some((error) => error.code === 'read-failed'), 'the read-failed report')
    a.text.insert(0, 'stays local')
    await expect(a.provider.flush()).rejects.toMatchObject({ code: 'read-failed' })
    expect(a.provider.status).toBe('connecting')
    expect(a.text.toString()).toBe('stays local')
    a.provider.destroy()
  })
})

describe('application code that throws', () => {
  it('a throwing status handler or Y.Text observer neither breaks syncing nor escapes a listener', async () => {
    const docId = 'throwing-handlers'
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      const a = openPeer(clients, docId, { flushDelayMs: 20 })
      const b = openPeer(clients, docId, { flushDelayMs: 20 })
      b.provider.on('status', () => {
        throw new Error('a buggy status handler')
      })
      b.text.observe(() => {
        throw new Error('a buggy observer')
      })
      await Promise.all([a.provider.whenSynced, b.provider.whenSynced])
      for (const word of ['one ', 'two ', 'three ']) {
        a.text.insert(a.text.length, word)
        await a.provider.flush()
        await until(() => b.text.toString() === a.text.toString(), `"${word}" on B`)
      }
      expect(b.text.toString()).toBe('one two three ')
      // The observer's exceptions are not mistaken for bad updates.
      expect(b.errors).toEqual([])
      expect(consoleError).toHaveBeenCalled()
      a.provider.destroy()
      b.provider.destroy()
    } finally {
      consoleError.mockRestore()
    }
  })
})
