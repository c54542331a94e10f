import { afterAll, describe, expect, it } from 'vitest'
import { FieldValue } from 'firebase-admin/firestore'
import * as Y from 'yjs'
import { paths } from '@quire/y-firestore'
import { compactDocument, DEFAULT_COMPACTION } from '@quire/y-firestore/server'
import { Clients, uniqueProjectId } from '../support/clients.js'
import {
  captureUpdates,
  chunkGenerations,
  createDocument,
  freshText,
  isTimestamp,
  logBytes,
  logIds,
  markerGenerations,
  openClient,
  pointerOf,
  writeUpdates,
} from './helpers.js'

const clients = new Clients(uniqueProjectId())
afterAll(() => clients.close())
const admin = clients.admin()

describe('compactDocument', () => {
  it('folds the log into a snapshot that a fresh client opens with the same text', async () => {
    await createDocument(admin, 'round-trip')
    const writer = openClient(clients, 'round-trip')
    await writer.provider.whenSynced
    for (const word of ['The ', 'quick ', 'brown ', 'fox']) {
      writer.text.insert(writer.text.length, word)
      await writer.provider.flush()
    }
    const logged = await logIds(admin, 'round-trip')
    expect(logged.length).toBeGreaterThanOrEqual(4)

    const result = await compactDocument(admin, 'round-trip', { force: true })

    expect(result).toMatchObject({ docId: 'round-trip', compacted: true, absorbed: logged.length, rejected: 0 })
    expect(await logIds(admin, 'round-trip')).toEqual([])
    const pointer = await pointerOf(admin, 'round-trip')
    expect(pointer).toMatchObject({ gen: result.gen, chunks: 1, bytes: result.bytes, updates: logged.length })
    expect(isTimestamp(pointer!.at)).toBe(true)
    expect(Y.decodeStateVector(pointer!.stateVector)).toEqual(Y.decodeStateVector(Y.encodeStateVector(writer.doc)))
    expect(await chunkGenerations(admin, 'round-trip')).toEqual([result.gen])
    expect(await freshText(clients, 'round-trip')).toBe('The quick brown fox')
    writer.provider.destroy()
  })

  it('changes nothing on the document but the snapshot field', async () => {
    await createDocument(admin, 'fields')
    const before = (await admin.doc(paths.documentPath('fields')).get()).data()!
    const doc = new Y.Doc()
    await writeUpdates(admin, 'fields', captureUpdates(doc, () => doc.getText('content').insert(0, 'abc')))
    await compactDocument(admin, 'fields', { force: true })
    const after = (await admin.doc(paths.documentPath('fields')).get()).data()!
    const { snapshot: _before, ...restBefore } = before
    const { snapshot, ...restAfter } = after
    expect(restAfter).toEqual(restBefore)
    expect(snapshot).toMatchObject({ chunks: 1, updates: 1 })
  })

  it('compacts a second time over its own snapshot and removes the old generation', async () => {
    await createDocument(admin, 'twice')
    const doc = new Y.Doc()
    await writeUpdates(admin, 'twice', captureUpdates(doc, () => doc.getText('content').insert(0, 'first')))
    const first = await compactDocument(admin, 'twice', { force: true })
    await writeUpdates(admin, 'twice', captureUpdates(doc, () => doc.getText('content').insert(5, ' second')))
    const second = await compactDocument(admin, 'twice', { force: true })
    expect(first.compacted && second.compacted).toBe(true)
    expect(second.gen).not.toBe(first.gen)
    expect(await chunkGenerations(admin, 'twice')).toEqual([second.gen])
    expect(await markerGenerations(admin, 'twice')).toEqual([second.gen])
    expect(await freshText(clients, 'twice')).toBe('first second')
  })

  it('leaves a log below the thresholds alone unless forced', async () => {
    await createDocument(admin, 'small')
    const doc = new Y.Doc()
    await writeUpdates(admin, 'small', captureUpdates(doc, () => doc.getText('content').insert(0, 'tiny')))
    const result = await compactDocument(admin, 'small', { settings: { minUpdates: 5, minBytes: 10_000 } })
    expect(result).toMatchObject({ compacted: false, reason: 'the log is below the thresholds' })
    expect(await logIds(admin, 'small')).toHaveLength(1)
    expect(await pointerOf(admin, 'small')).toBeUndefined()

    const byCount = await compactDocument(admin, 'small', { settings: { minUpdates: 1, minBytes: 10_000 } })
    expect(byCount.compacted).toBe(true)
    await writeUpdates(admin, 'small', captureUpdates(doc, () => doc.getText('content').insert(0, 'x'.repeat(2000))))
    const byBytes = await compactDocument(admin, 'small', { settings: { minUpdates: 100, minBytes: 1000 } })
    expect(byBytes.compacted).toBe(true)
  })

  it('reports an empty log, a missing document and bad settings', async () => {
    await createDocument(admin, 'empty')
    expect(await compactDocument(admin, 'empty', { force: true })).toMatchObject({ compacted: false, reason: 'the log is empty' })
    const doc = new Y.Doc()
    await writeUpdates(admin, 'no-such-doc', captureUpdates(doc, () => doc.getText('content').insert(0, 'orphan')))
    expect(await compactDocument(admin, 'no-such-doc', { force: true })).toMatchObject({ compacted: false, reason: 'document no-such-doc does not exist' })
    expect(await logIds(admin, 'no-such-doc')).toHaveLength(1)
    await expect(compactDocument(admin, 'empty', { settings: { ...DEFAULT_COMPACTION, minUpdates: 0 } })).rejects.toThrow(/positive integers/)
  })

  it('absorbs only the oldest maxUpdatesPerRun updates and keeps the rest in the log', async () => {
    await createDocument(admin, 'limited')
    const doc = new Y.Doc()
    const text = doc.getText('content')
    const updates = captureUpdates(doc, () => {
      for (let i = 0; i < 30; i++) text.insert(text.length, String.fromCharCode(97 + (i % 26)))
    })
    // One commit per update, so createdAt orders them.
    await writeUpdates(admin, 'limited', updates, 1)
    const result = await compactDocument(admin, 'limited', { force: true, settings: { minUpdates: 1, minBytes: 1, maxUpdatesPerRun: 10 } })
    expect(result).toMatchObject({ compacted: true, absorbed: 10 })
    expect(await logIds(admin, 'limited')).toHaveLength(20)
    expect(await freshText(clients, 'limited')).toBe(text.toString())

    // Within the limit the whole log is read, even a record that lacks createdAt.
    const [late] = captureUpdates(doc, () => text.insert(0, '!'))
    await admin.collection(paths.updatesPath('limited')).add({ update: late!, author: 'alice' })
    const rest = await compactDocument(admin, 'limited', { force: true })
    expect(rest).toMatchObject({ compacted: true, absorbed: 21 })
    expect(await logIds(admin, 'limited')).toEqual([])
    expect(await freshText(clients, 'limited')).toBe(text.toString())
  })

  it('moves a malformed update aside, keeps an incomplete group, and still compacts', async () => {
    await createDocument(admin, 'malformed')
    const writer = openClient(clients, 'malformed')
    await writer.provider.whenSynced
    writer.text.insert(0, 'still fine')
    await writer.provider.flush()
    const log = admin.collection(paths.updatesPath('malformed'))
    const garbage = log.doc()
    await garbage.set({ update: Buffer.from('garbage'), author: 'x', createdAt: FieldValue.serverTimestamp() })
    const noBytes = log.doc()
    await noBytes.set({ author: 'x', createdAt: FieldValue.serverTimestamp() })
    const part = log.doc()
    await part.set({ update: Buffer.from([1, 2, 3]), group: 'g', part: 0, parts: 2, author: 'x', createdAt: FieldValue.serverTimestamp() })

    const result = await compactDocument(admin, 'malformed', { force: true })

    expect(result).toMatchObject({ compacted: true, rejected: 2 })
    expect(result.absorbed).toBeGreaterThanOrEqual(1)
    const rejected = await admin.collection(paths.rejectedPath('malformed')).get()
    expect(rejected.docs.map((doc) => doc.id).sort()).toEqual([garbage.id, noBytes.id].sort())
    const moved = rejected.docs.find((doc) => doc.id === garbage.id)!
    expect(Buffer.from(moved.get('update') as Uint8Array).toString()).toBe('garbage')
    expect(moved.get('author')).toBe('x')
    expect(moved.get('reason')).toMatch(/does not decode/)
    expect(isTimestamp(moved.get('rejectedAt'))).toBe(true)
    expect(rejected.docs.find((doc) => doc.id === noBytes.id)!.get('reason')).toMatch(/no update field/)
    expect(await logIds(admin, 'malformed')).toEqual([part.id])
    expect(await freshText(clients, 'malformed')).toBe('still fine')
    writer.provider.destroy()
  })

  it('garbage-collects: the snapshot of a mostly deleted text is much smaller than its log', async () => {
    await createDocument(admin, 'gc')
    const writer = openClient(clients, 'gc')
    await writer.provider.whenSynced
    for (let round = 0; round < 20; round++) {
      writer.text.insert(writer.text.length, `paragraph ${round} `.repeat(100))
      await writer.provider.flush()
      writer.text.delete(0, writer.text.length - 10)
      await writer.provider.flush()
    }
    const expected = writer.text.toString()
    const logged = await logBytes(admin, 'gc')
    const result = await compactDocument(admin, 'gc', { force: true })
    expect(result.compacted).toBe(true)
    expect(result.bytes * 20).toBeLessThan(logged)
    expect(await freshText(clients, 'gc')).toBe(expected)
    writer.provider.destroy()
  })
})
