import { afterAll, describe, expect, it } from 'vitest'
import { FieldValue } from 'firebase-admin/firestore'
import * as Y from 'yjs'
import { paths } from '@quire/y-firestore'
import { Clients, uniqueProjectId } from '../support/clients.js'
import { converged, openPeer, sleep, until, type Peer } from './helpers.js'

const clients = new Clients(uniqueProjectId())
afterAll(() => clients.close())

/** A real update cut short: starts like a Yjs update, ends too early. */
function truncatedUpdate(): Buffer {
  const doc = new Y.Doc()
  doc.getText('content').insert(0, 'an update that ends too early')
  const update = Y.encodeStateAsUpdate(doc)
  return Buffer.from(update.subarray(0, update.length - 6))
}

/** Bad records, as a buggy or hostile client could write them (rules off here). */
const BAD_RECORDS: Record<string, unknown>[] = [
  { update: Buffer.from('this is not a yjs update at all'), author: 'mallory' },
  { update: truncatedUpdate(), author: 'mallory' },
  { author: 'mallory' },
  { update: 'bytes as a string', author: 'mallory' },
  { update: Buffer.from([1, 2, 3]), author: 'mallory', group: 'g-out-of-range', part: 5, parts: 2 },
  { update: Buffer.from([1, 2, 3]), author: 'mallory', group: 'g-fraction', part: 0.5, parts: 2 },
]
/** A complete two-part group whose joined bytes are garbage: reported once, not per part. */
const BAD_GROUP: Record<string, unknown>[] = [
  { update: Buffer.from('garbage part one '), author: 'mallory', group: 'g-garbage', part: 0, parts: 2 },
  { update: Buffer.from('garbage part two'), author: 'mallory', group: 'g-garbage', part: 1, parts: 2 },
]
const REPORTS = BAD_RECORDS.length + 1

const codes = (peer: Peer) => peer.errors.map((error) => error.code)

describe('bad input in the update log', () => {
  it('is skipped, reported once per record, and the document keeps working for everyone', async () => {
    const docId = 'invalid'
    const admin = clients.admin()
    const a = openPeer(clients, docId, { flushDelayMs: 20 })
    const b = openPeer(clients, docId, { flushDelayMs: 20 })
    await Promise.all([a.provider.whenSynced, b.provider.whenSynced])
    a.text.insert(0, 'hello')
    await converged([a, b])

    const updates = admin.collection(paths.updatesPath(docId))
    for (const record of BAD_RECORDS) await updates.add({ ...record, createdAt: FieldValue.serverTimestamp() })
    const batch = admin.batch()
    for (const record of BAD_GROUP) batch.set(updates.doc(), { ...record, createdAt: FieldValue.serverTimestamp() })
    await batch.commit()

    await until(() => a.errors.length >= REPORTS && b.errors.length >= REPORTS, 'the reports')
    for (const peer of [a, b]) {
      expect(codes(peer)).toEqual(Array(REPORTS).fill('invalid-update'))
      expect(peer.text.toString()).toBe('hello')
    }

    // Subsequent edits still sync both ways, and a client opening now loads past the bad records.
    a.text.insert(5, ' world')
    b.text.insert(0, '> ')
    expect(await converged([a, b])).toBe('> hello world')
    const c = openPeer(clients, docId, { flushDelayMs: 20 })
    await c.provider.whenSynced
    expect(c.text.toString()).toBe('> hello world')
    expect(codes(c)).toEqual(Array(REPORTS).fill('invalid-update'))
    c.text.insert(c.text.length, '!')
    expect(await converged([a, b, c])).toBe('> hello world!')

    // Reported once: more traffic (and the metadata changes it brings) reports nothing new.
    await sleep(200)
    for (const peer of [a, b, c]) {
      expect(peer.errors).toHaveLength(REPORTS)
      for (const error of peer.errors) expect(error.message).toContain(docId)
    }
    for (const peer of [a, b, c]) peer.provider.destroy()
  })
})
