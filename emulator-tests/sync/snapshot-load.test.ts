import { afterAll, describe, expect, it } from 'vitest'
import { FieldValue, type Firestore as AdminFirestore } from 'firebase-admin/firestore'
import * as Y from 'yjs'
import { paths } from '@quire/y-firestore'
import { Clients, uniqueProjectId } from '../support/clients.js'
import { converged, openPeer, readLog, until } from './helpers.js'

const clients = new Clients(uniqueProjectId())
afterAll(() => clients.close())

/**
 * Writes `state` as snapshot generation `gen` the way compaction lays it out (design.md
 * section 3): chunks first, split small here so there are several, then the pointer. This
 * tests the provider's reading side only; compaction itself is tested elsewhere.
 */
async function writeSnapshot(admin: AdminFirestore, docId: string, gen: string, state: Uint8Array, absorbed: string[] = []): Promise<void> {
  const size = Math.ceil(state.length / 3)
  const chunks = [0, 1, 2].map((i) => state.subarray(i * size, (i + 1) * size))
  const batch = admin.batch()
  chunks.forEach((data, i) => batch.set(admin.doc(`${paths.chunksPath(docId, gen)}/${paths.chunkId(i)}`), { data: Buffer.from(data) }))
  await batch.commit()
  const move = admin.batch()
  move.set(admin.doc(paths.documentPath(docId)), { snapshot: { gen, chunks: chunks.length, bytes: state.length, updates: absorbed.length, at: FieldValue.serverTimestamp() } }, { merge: true })
  for (const id of absorbed) move.delete(admin.doc(`${paths.updatesPath(docId)}/${id}`))
  await move.commit()
}

describe('loading a compacted snapshot', () => {
  it('opens from snapshot plus log, and follows the pointer when the log is absorbed', async () => {
    const docId = 'snapshot-load'
    const admin = clients.admin()
    const origin = new Y.Doc()
    origin.getText('content').insert(0, 'compacted base text, ')
    await writeSnapshot(admin, docId, 'gen-1', Y.encodeStateAsUpdate(origin))

    const a = openPeer(clients, docId, { flushDelayMs: 20 })
    await a.provider.whenSynced
    expect(a.text.toString()).toBe('compacted base text, ')
    expect(a.provider.status).toBe('synced')
    // Loaded from the server, so nothing of it is written back.
    expect(await readLog(admin, docId)).toHaveLength(0)

    const b = openPeer(clients, docId, { flushDelayMs: 20 })
    await b.provider.whenSynced
    a.text.insert(a.text.length, 'edited by A')
    await a.provider.flush()
    await converged([a, b])

    // Compaction absorbs A's update into generation 2 and deletes it from the log.
    const log = await readLog(admin, docId)
    const merged = new Y.Doc()
    Y.applyUpdate(merged, Y.encodeStateAsUpdate(origin))
    for (const { data } of log) Y.applyUpdate(merged, new Uint8Array(data.update as Uint8Array))
    await writeSnapshot(admin, docId, 'gen-2', Y.encodeStateAsUpdate(merged), log.map((entry) => entry.id))
    expect(await readLog(admin, docId)).toHaveLength(0)

    // Open clients carry on; a new one opens from generation 2 alone.
    b.text.insert(0, '> ')
    expect(await converged([a, b])).toBe('> compacted base text, edited by A')
    const c = openPeer(clients, docId)
    await c.provider.whenSynced
    await until(() => c.text.toString() === '> compacted base text, edited by A', 'C loaded')
    expect(c.provider.status).toBe('synced')
    // None of them re-uploaded the compacted content: the log holds B's one edit only.
    expect(await readLog(admin, docId)).toHaveLength(1)
    for (const peer of [a, b, c]) {
      expect(peer.errors).toEqual([])
      peer.provider.destroy()
    }
  })

  it('a snapshot whose chunks do not decode is reported once, and the log still loads', async () => {
    const docId = 'snapshot-bad'
    const admin = clients.admin()
    await writeSnapshot(admin, docId, 'gen-bad', new TextEncoder().encode('not a yjs state, but long enough to split'))
    const writer = openPeer(clients, docId, { flushDelayMs: 20 })
    await writer.provider.whenSynced
    writer.text.insert(0, 'still works')
    await writer.provider.flush()
    const reader = openPeer(clients, docId)
    await reader.provider.whenSynced
    await until(() => reader.text.toString() === 'still works', 'the log on the reader')
    for (const peer of [writer, reader]) {
      expect(peer.errors.map((error) => error.code)).toEqual(['invalid-update'])
      expect(peer.errors[0]!.message).toContain('gen-bad')
      peer.provider.destroy()
    }
  })
})
