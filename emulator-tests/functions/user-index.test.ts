import { afterAll, describe, expect, it, vi } from 'vitest'
import { FieldValue, Timestamp } from 'firebase-admin/firestore'
import { paths } from '@quire/y-firestore/server'
import { syncUserIndex, type DocumentWrite } from '../../functions/src/user-index.js'
import { Clients, uniqueProjectId } from '../support/clients.js'
import { createDocument, documentData, freshId, indexEntry, indexedDocs } from './helpers.js'

const clients = new Clients(uniqueProjectId())
afterAll(() => clients.close())
const admin = clients.admin()

/**
 * `syncUserIndex` called as the onDocumentWritten trigger would be, with the event's before and
 * after data, against the emulator. Events are replayed, repeated and reordered on purpose.
 */
describe('the user index (syncUserIndex)', () => {
  /** Writes `change` to the document and returns the trigger event that write produces. */
  async function write(docId: string, change: Record<string, unknown> | 'delete'): Promise<DocumentWrite> {
    const ref = admin.doc(paths.documentPath(docId))
    const before = (await ref.get()).data()
    if (change === 'delete') await ref.delete()
    else await ref.update(change)
    return { before, after: (await ref.get()).data() }
  }

  it('gives every member of a new document an entry with the title, their role and updatedAt', async () => {
    const docId = freshId('new')
    const data = await createDocument(admin, docId, { title: 'Plans', members: { bob: 'editor', carol: 'viewer' } })
    const result = await syncUserIndex(admin, docId, { before: undefined, after: data })
    expect(result).toEqual({ docId, skipped: false, written: ['alice', 'bob', 'carol'], removed: [] })
    const updatedAt = (data['updatedAt'] as Timestamp).toMillis()
    expect(await indexEntry(admin, 'alice', docId)).toEqual({ title: 'Plans', role: 'owner', updatedAt })
    expect(await indexEntry(admin, 'bob', docId)).toEqual({ title: 'Plans', role: 'editor', updatedAt })
    expect(await indexEntry(admin, 'carol', docId)).toEqual({ title: 'Plans', role: 'viewer', updatedAt })
  })

  it('follows added members, changed roles and a changed title', async () => {
    const docId = freshId('changes')
    const data = await createDocument(admin, docId, { title: 'Draft', members: { bob: 'viewer' } })
    await syncUserIndex(admin, docId, { before: undefined, after: data })

    await syncUserIndex(admin, docId, await write(docId, { 'roles.dave': 'editor' }))
    expect(await indexEntry(admin, 'dave', docId)).toMatchObject({ title: 'Draft', role: 'editor' })

    await syncUserIndex(admin, docId, await write(docId, { 'roles.bob': 'editor' }))
    expect(await indexEntry(admin, 'bob', docId)).toMatchObject({ role: 'editor' })

    const later = Timestamp.fromMillis(Date.UTC(2025, 5, 1))
    await syncUserIndex(admin, docId, await write(docId, { title: 'Final', updatedAt: later }))
    for (const [uid, role] of [['alice', 'owner'], ['bob', 'editor'], ['dave', 'editor']] as const) {
      expect(await indexEntry(admin, uid, docId), uid).toEqual({ title: 'Final', role, updatedAt: later.toMillis() })
    }
  })

  it('removes the entry of a removed member and keeps the others', async () => {
    const docId = freshId('removed')
    const data = await createDocument(admin, docId, { members: { bob: 'editor', carol: 'viewer' } })
    await syncUserIndex(admin, docId, { before: undefined, after: data })
    const result = await syncUserIndex(admin, docId, await write(docId, { 'roles.bob': FieldValue.delete() }))
    expect(result.removed).toEqual(['bob'])
    expect(await indexEntry(admin, 'bob', docId)).toBeUndefined()
    expect(await indexEntry(admin, 'carol', docId)).toMatchObject({ role: 'viewer' })
    expect(await indexEntry(admin, 'alice', docId)).toMatchObject({ role: 'owner' })
  })

  it('removes every entry when the document is deleted', async () => {
    const docId = freshId('deleted')
    const data = await createDocument(admin, docId, { members: { bob: 'editor' } })
    await syncUserIndex(admin, docId, { before: undefined, after: data })
    const result = await syncUserIndex(admin, docId, await write(docId, 'delete'))
    expect(result).toMatchObject({ written: [], removed: ['alice', 'bob'] })
    expect(await indexEntry(admin, 'alice', docId)).toBeUndefined()
    expect(await indexEntry(admin, 'bob', docId)).toBeUndefined()
  })

  it('gives the same index when an event is delivered twice', async () => {
    const docId = freshId('twice')
    const data = await createDocument(admin, docId, { members: { bob: 'viewer' } })
    const created = { before: undefined, after: data }
    await syncUserIndex(admin, docId, created)
    const first = await indexEntry(admin, 'bob', docId)
    const again = await syncUserIndex(admin, docId, created)
    expect(again.written).toEqual(['alice', 'bob'])
    expect(await indexEntry(admin, 'bob', docId)).toEqual(first)
  })

  it('does not resurrect a removed member when an old event arrives late', async () => {
    const docId = freshId('late')
    const data = await createDocument(admin, docId)
    const created = { before: undefined, after: data }
    const added = await write(docId, { 'roles.bob': 'editor' })
    const removed = await write(docId, { 'roles.bob': FieldValue.delete() })
    // Delivered newest first: the removal, then the addition that preceded it.
    await syncUserIndex(admin, docId, removed)
    await syncUserIndex(admin, docId, added)
    await syncUserIndex(admin, docId, created)
    expect(await indexEntry(admin, 'bob', docId)).toBeUndefined()
    expect(await indexEntry(admin, 'alice', docId)).toMatchObject({ role: 'owner' })
  })

  it('does not bring back a deleted document when its creation event arrives after the deletion', async () => {
    const uid = freshId('user')
    const docId = freshId('gone')
    const data = await createDocument(admin, docId, { members: { [uid]: 'editor' } })
    const deleted = await write(docId, 'delete')
    await syncUserIndex(admin, docId, deleted)
    const result = await syncUserIndex(admin, docId, { before: undefined, after: data })
    expect(result.written).toEqual([])
    expect(await indexedDocs(admin, uid)).toEqual([])
  })

  it('writes the latest role when an older role change arrives after a newer one', async () => {
    const docId = freshId('roles')
    await createDocument(admin, docId, { members: { bob: 'viewer' } })
    const toEditor = await write(docId, { 'roles.bob': 'editor' })
    const toViewer = await write(docId, { 'roles.bob': 'viewer' })
    await syncUserIndex(admin, docId, toViewer)
    await syncUserIndex(admin, docId, toEditor)
    expect(await indexEntry(admin, 'bob', docId)).toMatchObject({ role: 'viewer' })
  })

  it('converges to the final document when many events are handled at once, in any order', async () => {
    const docId = freshId('burst')
    const data = await createDocument(admin, docId)
    const events: DocumentWrite[] = [{ before: undefined, after: data }]
    const people = ['p1', 'p2', 'p3', 'p4', 'p5']
    for (const uid of people) events.push(await write(docId, { [`roles.${uid}`]: 'viewer' }))
    events.push(await write(docId, { 'roles.p2': FieldValue.delete(), 'roles.p4': 'editor', title: 'Burst' }))
    await Promise.all(events.reverse().map((event) => syncUserIndex(admin, docId, event)))
    expect(await indexEntry(admin, 'p2', docId)).toBeUndefined()
    expect(await indexEntry(admin, 'p4', docId)).toMatchObject({ title: 'Burst', role: 'editor' })
    for (const uid of ['p1', 'p3', 'p5']) expect(await indexEntry(admin, uid, docId), uid).toMatchObject({ title: 'Burst', role: 'viewer' })
  })

  it('skips a write that changes nothing the index shows (compaction moving the snapshot pointer)', async () => {
    const docId = freshId('compacted')
    const data = await createDocument(admin, docId, { members: { bob: 'editor' } })
    await syncUserIndex(admin, docId, { before: undefined, after: data })
    // Mark bob's entry: a run that wrote anything would overwrite the mark.
    await admin.doc(`users/bob/documents/${docId}`).update({ title: 'marked' })
    const result = await syncUserIndex(admin, docId, await write(docId, { snapshot: { gen: 'g1', chunks: 1, bytes: 10, updates: 3 } }))
    expect(result).toEqual({ docId, skipped: true, written: [], removed: [] })
    expect(await indexEntry(admin, 'bob', docId)).toMatchObject({ title: 'marked' })
  })

  it('also indexes current members the event does not mention (documents older than the function)', async () => {
    const docId = freshId('backfill')
    await createDocument(admin, docId, { members: { erin: 'viewer' } })
    const event = await write(docId, { title: 'Renamed' })
    // An event that knows only about alice (as if erin had joined before the trigger existed).
    const result = await syncUserIndex(admin, docId, { before: { ...event.before, roles: { alice: 'owner' } }, after: { ...event.after, roles: { alice: 'owner' } } })
    expect(result.written).toEqual(['alice', 'erin'])
    expect(await indexEntry(admin, 'erin', docId)).toMatchObject({ title: 'Renamed', role: 'viewer' })
  })

  it('ignores roles entries that are not roles', async () => {
    const docId = freshId('malformed')
    await admin.doc(paths.documentPath(docId)).set({ title: 'Odd', owner: 'alice', roles: { alice: 'owner', mallory: 'admin', trent: 7 } })
    const result = await syncUserIndex(admin, docId, { before: undefined, after: await documentData(admin, docId) })
    expect(result.written).toEqual(['alice'])
    expect(await indexEntry(admin, 'mallory', docId)).toBeUndefined()
    // No updatedAt or createdAt: the entry still sorts, by the document's last write.
    expect((await indexEntry(admin, 'alice', docId))?.updatedAt).toBeGreaterThan(Date.UTC(2025, 0, 1))
  })

  it('splits many members into commits of at most maxWritesPerCommit writes', async () => {
    const docId = freshId('chunks')
    const members = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`m${i}`, 'viewer' as const]))
    const data = await createDocument(admin, docId, { members })
    const transactions = vi.spyOn(admin, 'runTransaction')
    try {
      const result = await syncUserIndex(admin, docId, { before: undefined, after: data }, { maxWritesPerCommit: 3 })
      expect(result.written).toHaveLength(9)
      expect(transactions).toHaveBeenCalledTimes(3)
    } finally {
      transactions.mockRestore()
    }
    for (const uid of Object.keys(members)) expect(await indexEntry(admin, uid, docId), uid).toMatchObject({ role: 'viewer' })
  })

  it('keeps to 500 writes per commit by default (1,001 members: three commits)', async () => {
    const docId = freshId('crowd')
    const members = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`c${String(i).padStart(4, '0')}`, 'viewer' as const]))
    const data = await createDocument(admin, docId, { members })
    const transactions = vi.spyOn(admin, 'runTransaction')
    try {
      const result = await syncUserIndex(admin, docId, { before: undefined, after: data })
      expect(result.written).toHaveLength(1001)
      expect(transactions).toHaveBeenCalledTimes(3)
    } finally {
      transactions.mockRestore()
    }
    expect(await indexEntry(admin, 'c0999', docId)).toMatchObject({ role: 'viewer' })
    expect(await indexEntry(admin, 'c0000', docId)).toMatchObject({ role: 'viewer' })
  })
})
