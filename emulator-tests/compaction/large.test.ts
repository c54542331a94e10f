import { afterAll, describe, expect, it } from 'vitest'
import { FieldValue } from 'firebase-admin/firestore'
import * as Y from 'yjs'
import { paths } from '@quire/y-firestore'
import { compactDocument } from '@quire/y-firestore/server'
import { Clients, uniqueProjectId } from '../support/clients.js'
import { captureUpdates, chunkGenerations, createDocument, freshText, logIds, openClient, pointerOf, writeUpdates } from './helpers.js'

const clients = new Clients(uniqueProjectId())
afterAll(() => clients.close())
const admin = clients.admin()

/** `length` characters of varied text (words of letters and digits), so nothing about it is special. */
function textOfLength(length: number, seed: number): string {
  let state = seed
  let text = ''
  while (text.length < length) {
    state = (state * 1103515245 + 12345) % 2 ** 31
    text += state.toString(36) + ' '
  }
  return text.slice(0, length)
}

describe('large documents', () => {
  it('round-trips a 2.5 MB state as a multi-chunk snapshot, from a multi-part update', { timeout: 60_000 }, async () => {
    await createDocument(admin, 'large')
    const writer = openClient(clients, 'large')
    await writer.provider.whenSynced
    const content = textOfLength(2_500_000, 1)
    writer.text.insert(0, content)
    await writer.provider.flush()
    // The provider stored the 2.5 MB update as a group of 900 KiB parts.
    const parts = await admin.collection(paths.updatesPath('large')).where('parts', '==', 3).get()
    expect(parts.size).toBe(3)

    const result = await compactDocument(admin, 'large', { force: true })

    expect(result).toMatchObject({ compacted: true, absorbed: 3 })
    expect(result.bytes).toBeGreaterThan(2_500_000)
    const pointer = await pointerOf(admin, 'large')
    expect(pointer!.chunks).toBe(3)
    expect((await admin.collection(paths.chunksPath('large', result.gen!)).get()).size).toBe(3)
    expect(await logIds(admin, 'large')).toEqual([])
    const opened = await freshText(clients, 'large')
    expect(opened.length).toBe(content.length)
    expect(opened === content).toBe(true)
    writer.provider.destroy()
  })

  it('writes a snapshot of more chunks than one commit carries, and replaces it', { timeout: 60_000 }, async () => {
    await createDocument(admin, 'huge')
    const source = new Y.Doc()
    const text = source.getText('content')
    // Three 4 MB inserts: each a separate update of 5 parts, 12 MB of state in all (14 chunks).
    for (let i = 0; i < 3; i++) {
      const [update] = captureUpdates(source, () => text.insert(text.length, textOfLength(4_000_000, i + 7)))
      const log = admin.collection(paths.updatesPath('huge'))
      const batch = admin.batch()
      const pieces = splitInto(update!, 900 * 1024)
      const group = log.doc().id
      pieces.forEach((piece, part) => batch.set(log.doc(), { update: piece, group, part, parts: pieces.length, author: 'alice', createdAt: FieldValue.serverTimestamp() }))
      await batch.commit()
    }
    const first = await compactDocument(admin, 'huge', { force: true })
    expect(first).toMatchObject({ compacted: true, absorbed: 15 })
    expect((await pointerOf(admin, 'huge'))!.chunks).toBe(14)

    await writeUpdates(admin, 'huge', captureUpdates(source, () => text.insert(0, 'start: ')))
    const second = await compactDocument(admin, 'huge', { force: true })
    expect(second.compacted).toBe(true)
    expect(await chunkGenerations(admin, 'huge')).toEqual([second.gen])
    const opened = await freshText(clients, 'huge')
    expect(opened.length).toBe(text.length)
    expect(opened === text.toString()).toBe(true)
  })
})

function splitInto(bytes: Uint8Array, size: number): Uint8Array[] {
  const pieces: Uint8Array[] = []
  for (let offset = 0; offset < bytes.length; offset += size) pieces.push(bytes.subarray(offset, offset + size))
  return pieces
}
