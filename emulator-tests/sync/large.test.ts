import { afterAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { Clients, uniqueProjectId } from '../support/clients.js'
import { converged, openPeer, prng, readLog, sleep, until } from './helpers.js'

const clients = new Clients(uniqueProjectId())
afterAll(() => clients.close())

/** `bytes` characters of seeded random printable ASCII (incompressible, unlike repeated text). */
function randomText(bytes: number, seed: number): string {
  const random = prng(seed)
  const codes = new Uint8Array(bytes)
  for (let i = 0; i < bytes; i++) codes[i] = 32 + Math.floor(random() * 95)
  return Buffer.from(codes).toString('latin1')
}

describe('large content', () => {
  it('a 5 MB paste is written as parts in one batch and reassembled by another client', { timeout: 60_000 }, async () => {
    const docId = 'large-5mb'
    const a = openPeer(clients, docId)
    const b = openPeer(clients, docId)
    await Promise.all([a.provider.whenSynced, b.provider.whenSynced])
    const paste = randomText(5 * 1024 * 1024, 5)
    a.text.insert(0, paste)
    await a.provider.flush()
    expect(a.provider.unsavedBytes).toBe(0)
    await until(() => b.text.length === paste.length, 'the paste on B', 30_000)
    // A boolean, not toBe(paste): a failure would otherwise print two 5 MB strings.
    expect(b.text.toString() === paste).toBe(true)

    const log = await readLog(clients.admin(), docId)
    const parts = log.filter((entry) => entry.data.group !== undefined)
    expect(parts.length).toBe(log.length)
    expect(parts.length).toBeGreaterThanOrEqual(6)
    expect(new Set(parts.map((entry) => entry.data.group)).size).toBe(1)
    expect(parts.map((entry) => entry.data.part).sort((x, y) => x! - y!)).toEqual(parts.map((_, i) => i))
    expect(parts.every((entry) => entry.data.parts === parts.length)).toBe(true)
    // One commit: every part carries the same request time.
    const times = new Set(parts.map((entry) => String(entry.data.createdAt)))
    expect(times.size).toBe(1)

    // The document keeps working after it: a small edit from B reaches A.
    b.text.insert(0, 'after ')
    expect(await converged([a, b], 30_000)).toBe(`after ${paste}`)
    expect([...a.errors, ...b.errors]).toEqual([])
    a.provider.destroy()
    b.provider.destroy()
  })

  it('a paste larger than one commit can carry is reported as too-large and stays local', { timeout: 60_000 }, async () => {
    const docId = 'large-12mb'
    const a = openPeer(clients, docId, { flushDelayMs: 20 })
    const b = openPeer(clients, docId, { flushDelayMs: 20 })
    await Promise.all([a.provider.whenSynced, b.provider.whenSynced])
    a.text.insert(0, 'small start\n')
    await converged([a, b])

    const paste = randomText(12 * 1024 * 1024, 12)
    const undo = new Y.UndoManager(a.text)
    a.text.insert(a.text.length, paste)
    await until(() => a.errors.length > 0, 'a too-large error')
    expect(a.errors.map((error) => error.code)).toEqual(['too-large'])
    // flush() cannot succeed and says so instead of resolving or hanging.
    await expect(a.provider.flush()).rejects.toMatchObject({ code: 'too-large' })

    expect(a.text.length).toBe('small start\n'.length + paste.length)
    expect(a.provider.unsavedBytes).toBeGreaterThan(12 * 1024 * 1024)
    expect(a.provider.status).not.toBe('synced')
    await sleep(200)
    expect(b.text.toString()).toBe('small start\n')
    expect(await readLog(clients.admin(), docId)).toHaveLength(1)
    expect(b.errors).toEqual([])

    // Undoing the paste makes what the server lacks small (the UndoManager keeps the deleted
    // text for redo, but the server needs none of it): the undo is enough for the provider to
    // save, with no reconnect or flush() needed; the text is never written.
    undo.undo()
    expect(await converged([a, b])).toBe('small start\n')
    expect(a.errors.map((error) => error.code)).toEqual(['too-large', 'too-large'])
    const logged = (await readLog(clients.admin(), docId)).reduce((sum, entry) => sum + (entry.data.update as Uint8Array).length, 0)
    expect(logged).toBeLessThan(64 * 1024)
    a.provider.destroy()
    b.provider.destroy()
  })
})
