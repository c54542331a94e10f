import { afterAll, describe, expect, it, vi } from 'vitest'
import { FieldValue, Timestamp, type DocumentReference } from 'firebase-admin/firestore'
import { paths, snapshotsPath } from '@quire/y-firestore/server'
import { cleanupDeletedDocument } from '../../functions/src/cleanup.js'
import { INVITES } from '../../functions/src/model.js'
import { newToken } from '../../functions/src/sharing.js'
import { Clients, uniqueProjectId } from '../support/clients.js'
import { createDocument, freshId } from './helpers.js'

const clients = new Clients(uniqueProjectId())
afterAll(() => clients.close())
const admin = clients.admin()

/**
 * `cleanupDeletedDocument` called as the onDocumentDeleted trigger would be, after the document
 * was deleted, against the emulator with the real Admin SDK.
 */
describe('cleaning up after a deleted document (cleanupDeletedDocument)', () => {
  const bytes = (n: number) => new Uint8Array([n, n + 1, n + 2])

  /** What the app, the provider and compaction leave below a document: 9 documents (3 updates, a generation's marker and 2 chunks, 2 presence entries, 1 rejected update). */
  async function fillDocument(docId: string): Promise<void> {
    const batch = admin.batch()
    for (let i = 0; i < 3; i++) batch.set(admin.collection(paths.updatesPath(docId)).doc(), { update: bytes(i), author: 'alice', createdAt: FieldValue.serverTimestamp() })
    const gen = admin.collection(snapshotsPath(docId)).doc().id
    batch.set(admin.doc(`${snapshotsPath(docId)}/${gen}`), { chunks: 2, bytes: 6, createdAt: FieldValue.serverTimestamp() })
    for (const index of [0, 1]) batch.set(admin.collection(paths.chunksPath(docId, gen)).doc(paths.chunkId(index)), { data: bytes(index) })
    for (const client of ['101', '202']) {
      batch.set(admin.collection(paths.presencePath(docId)).doc(client), { uid: 'alice', name: 'Alice', color: '#f00', state: {}, updatedAt: FieldValue.serverTimestamp() })
    }
    batch.set(admin.collection(paths.rejectedPath(docId)).doc(), { update: bytes(9), author: 'bob', reason: 'does not decode' })
    await batch.commit()
  }

  /** Writes an invite to `docId`, as createInvite does; returns its token. */
  async function invite(docId: string, role: 'editor' | 'viewer' = 'editor'): Promise<string> {
    const token = newToken()
    await admin.collection(INVITES).doc(token).create({ docId, role, createdBy: 'alice', expiresAt: Timestamp.fromMillis(Date.now() + 86_400_000) })
    return token
  }

  /** Paths of every document below `documents/{docId}`, at any depth (what recursiveDelete would find). */
  async function below(docId: string): Promise<string[]> {
    const found: string[] = []
    const walk = async (ref: DocumentReference): Promise<void> => {
      for (const collection of await ref.listCollections()) {
        // listDocuments includes documents that do not exist but have subcollections (generation markers' chunks).
        for (const child of await collection.listDocuments()) {
          if ((await child.get()).exists) found.push(child.path)
          await walk(child)
        }
      }
    }
    await walk(admin.doc(paths.documentPath(docId)))
    return found.sort()
  }

  async function invitesOf(docId: string): Promise<string[]> {
    return (await admin.collection(INVITES).where('docId', '==', docId).get()).docs.map((doc) => doc.id).sort()
  }

  it('deletes the update log, snapshot chunks, presence, rejected updates and invites, and nothing of other documents', async () => {
    const docId = freshId('deleted')
    const otherId = freshId('other')
    await createDocument(admin, docId)
    await createDocument(admin, otherId)
    await fillDocument(docId)
    await fillDocument(otherId)
    await invite(docId, 'editor')
    await invite(docId, 'viewer')
    const otherInvite = await invite(otherId)
    const otherBefore = await below(otherId)
    expect(await below(docId)).toHaveLength(9)
    expect(otherBefore).toHaveLength(9)

    await admin.doc(paths.documentPath(docId)).delete()
    const result = await cleanupDeletedDocument(admin, docId)

    expect(result).toEqual({ docId, recreated: false, descendants: 9, invites: 2 })
    expect(await below(docId)).toEqual([])
    expect(await admin.doc(paths.documentPath(docId)).listCollections()).toEqual([])
    expect(await invitesOf(docId)).toEqual([])
    // The other document, its subtree and its invite are untouched.
    expect((await admin.doc(paths.documentPath(otherId)).get()).exists).toBe(true)
    expect(await below(otherId)).toEqual(otherBefore)
    expect(await invitesOf(otherId)).toEqual([otherInvite])
  })

  it('finds nothing to delete when the event is delivered again', async () => {
    const docId = freshId('twice')
    const otherId = freshId('kept')
    await createDocument(admin, docId)
    await fillDocument(docId)
    await fillDocument(otherId)
    await invite(docId)
    const otherInvite = await invite(otherId)
    await admin.doc(paths.documentPath(docId)).delete()

    expect(await cleanupDeletedDocument(admin, docId)).toEqual({ docId, recreated: false, descendants: 9, invites: 1 })
    expect(await cleanupDeletedDocument(admin, docId)).toEqual({ docId, recreated: false, descendants: 0, invites: 0 })
    expect(await below(docId)).toEqual([])
    expect(await below(otherId)).toHaveLength(9)
    expect(await invitesOf(otherId)).toEqual([otherInvite])
  })

  it('deletes only what predates a document re-created by the time it runs; what was written after stays', async () => {
    const docId = freshId('recreated')
    const otherId = freshId('recreated-other')
    await createDocument(admin, docId)
    await fillDocument(docId)
    await fillDocument(otherId)
    // An old generation whose marker is gone: listDocuments still names it, for its chunk.
    const orphanGen = admin.collection(snapshotsPath(docId)).doc().id
    await admin.collection(paths.chunksPath(docId, orphanGen)).doc(paths.chunkId(0)).set({ data: bytes(7) })
    const oldInvites = [await invite(docId, 'editor'), await invite(docId, 'viewer')]
    const otherInvite = await invite(otherId)
    const old = await below(docId)
    expect(old).toHaveLength(10)
    await admin.doc(paths.documentPath(docId)).delete()

    // Re-created under the same ID before the (late) event is handled, and used: a new update,
    // presence entry, snapshot generation (marker and chunk), a chunk added to the old orphaned
    // generation, and an invite.
    await createDocument(admin, docId, { owner: 'bob' })
    const newGen = admin.collection(snapshotsPath(docId)).doc().id
    const batch = admin.batch()
    const fresh = [
      admin.collection(paths.updatesPath(docId)).doc(),
      admin.collection(paths.presencePath(docId)).doc('303'),
      admin.doc(`${snapshotsPath(docId)}/${newGen}`),
      admin.collection(paths.chunksPath(docId, newGen)).doc(paths.chunkId(0)),
      admin.collection(paths.chunksPath(docId, orphanGen)).doc(paths.chunkId(1)),
    ]
    for (const ref of fresh) batch.set(ref, { by: 'bob' })
    await batch.commit()
    const newInvite = await invite(docId)

    const recursiveDelete = vi.spyOn(admin, 'recursiveDelete')
    const batches = vi.spyOn(admin, 'batch')
    try {
      // Pages and commits of 2: the kept records lie between deleted ones on every page.
      expect(await cleanupDeletedDocument(admin, docId, { maxWritesPerCommit: 2 })).toEqual({ docId, recreated: true, descendants: 10, invites: 2 })
      // recursiveDelete cannot tell old from new.
      expect(recursiveDelete).not.toHaveBeenCalled()
      // 10 records in commits of 2, and 2 invites in one.
      expect(batches).toHaveBeenCalledTimes(6)
    } finally {
      recursiveDelete.mockRestore()
      batches.mockRestore()
    }
    expect((await admin.doc(paths.documentPath(docId)).get()).get('owner')).toBe('bob')
    expect(await below(docId)).toEqual(fresh.map((ref) => ref.path).sort())
    expect(await invitesOf(docId)).toEqual([newInvite])
    expect(oldInvites).not.toContain(newInvite)
    // Another document's records and invites are untouched.
    expect(await below(otherId)).toHaveLength(9)
    expect(await invitesOf(otherId)).toEqual([otherInvite])

    // Delivered again: nothing older is left.
    expect(await cleanupDeletedDocument(admin, docId)).toEqual({ docId, recreated: true, descendants: 0, invites: 0 })
    expect(await below(docId)).toHaveLength(fresh.length)
  })

  it('leaves a document re-created while its old subcollections are being deleted', async () => {
    const docId = freshId('recreated-during')
    await createDocument(admin, docId)
    await fillDocument(docId)
    await admin.doc(paths.documentPath(docId)).delete()

    // Gone when the run reads it; re-created just before the first recursiveDelete.
    const original = admin.recursiveDelete.bind(admin)
    const recursiveDelete = vi.spyOn(admin, 'recursiveDelete').mockImplementationOnce(async (ref, writer) => {
      await createDocument(admin, docId, { owner: 'bob' })
      return original(ref, writer)
    })
    try {
      expect(await cleanupDeletedDocument(admin, docId)).toEqual({ docId, recreated: false, descendants: 9, invites: 0 })
      // Once per subcollection (presence, rejected, snapshots, updates), never on the document itself.
      expect(recursiveDelete.mock.calls.map(([ref]) => ref.path).sort()).toEqual(
        [paths.presencePath(docId), paths.rejectedPath(docId), snapshotsPath(docId), paths.updatesPath(docId)].sort(),
      )
    } finally {
      recursiveDelete.mockRestore()
    }
    expect((await admin.doc(paths.documentPath(docId)).get()).get('owner')).toBe('bob')
    expect(await below(docId)).toEqual([])
  })

  it('deletes the subtree of a document that was never created (descendants only)', async () => {
    const docId = freshId('phantom')
    await fillDocument(docId)
    expect(await cleanupDeletedDocument(admin, docId)).toEqual({ docId, recreated: false, descendants: 9, invites: 0 })
    expect(await below(docId)).toEqual([])
  })

  it('deletes invites in commits of at most maxWritesPerCommit', async () => {
    const docId = freshId('invites')
    const otherId = freshId('invites-other')
    for (let i = 0; i < 5; i++) await invite(docId)
    const otherInvite = await invite(otherId)
    const batches = vi.spyOn(admin, 'batch')
    try {
      expect(await cleanupDeletedDocument(admin, docId, { maxWritesPerCommit: 2 })).toEqual({ docId, recreated: false, descendants: 0, invites: 5 })
      // 2 + 2 + 1: the short page is known to be the last.
      expect(batches).toHaveBeenCalledTimes(3)
    } finally {
      batches.mockRestore()
    }
    expect(await invitesOf(docId)).toEqual([])
    expect(await invitesOf(otherId)).toEqual([otherInvite])
  })

  it('keeps to 500 deletes per commit by default (1,001 invites: three commits)', async () => {
    const docId = freshId('many-invites')
    const writer = admin.bulkWriter({ throttling: false })
    const expiresAt = Timestamp.fromMillis(Date.now() + 86_400_000)
    for (let i = 0; i < 1001; i++) void writer.create(admin.collection(INVITES).doc(newToken()), { docId, role: 'viewer', createdBy: 'alice', expiresAt })
    await writer.close()
    const batches = vi.spyOn(admin, 'batch')
    try {
      expect(await cleanupDeletedDocument(admin, docId)).toMatchObject({ invites: 1001 })
      expect(batches).toHaveBeenCalledTimes(3)
    } finally {
      batches.mockRestore()
    }
    expect(await invitesOf(docId)).toEqual([])
  })
})
