import type { Firestore } from 'firebase-admin/firestore'
import { paths } from '@quire/y-firestore/server'
import { INVITES } from './model.js'

/**
 * What a deleted document leaves behind (design.md sections 3 and 5). Deleting `documents/{docId}`
 * deletes that one document: its update log, snapshot generations (markers and chunks), presence
 * and rejected updates stay, and so do the invites that name it. Nobody can read them any more
 * (the rules ask the deleted document who may), but they take storage for good. The user index
 * entries are not touched here: syncUserIndex removes those.
 */

/** What one `cleanupDeletedDocument` run did, for logs and tests. */
export interface CleanupResult {
  docId: string
  /** True when the document exists (again): nothing was deleted. */
  skipped: boolean
  /** Documents deleted below `documents/{docId}`, at any depth. */
  descendants: number
  /** `invites/{token}` documents deleted because their `docId` names the document. */
  invites: number
}

/** How `cleanupDeletedDocument` commits. */
export interface CleanupOptions {
  /** Invite deletions per commit; Firestore allows 500 (design.md section 3). Smaller in tests. */
  maxWritesPerCommit?: number
}

/**
 * After `documents/{docId}` was deleted: deletes every document below it and every invite to it.
 *
 * Trigger events arrive at least once, possibly late, so the run starts by reading the document:
 * if it exists again (re-created under the same ID, which only a deliberate client can do: the
 * app picks random IDs), its current data is not this event's to delete, and the run skips. A
 * repeated run finds nothing left and deletes nothing, so running twice is harmless. A document
 * re-created while a run is under way is not protected: the run may delete what was written to it
 * meanwhile (recursiveDelete ends by deleting the document reference itself).
 *
 * The subtree goes with the Admin SDK's recursiveDelete, which finds descendants by a query below
 * the document's path, so it works although the document itself is gone, at any depth
 * (snapshots/{gen}/chunks/{n}), and its BulkWriter retries transient failures. The invites are
 * found by a query on `docId` and deleted in commits of at most `maxWritesPerCommit`. Both parts
 * run even if the other fails; the first failure is thrown afterwards.
 */
export async function cleanupDeletedDocument(db: Firestore, docId: string, options: CleanupOptions = {}): Promise<CleanupResult> {
  const ref = db.doc(paths.documentPath(docId))
  if ((await ref.get()).exists) return { docId, skipped: true, descendants: 0, invites: 0 }

  const limit = Math.min(500, Math.max(1, options.maxWritesPerCommit ?? 500))
  const [descendants, invites] = await Promise.allSettled([deleteDescendants(db, docId), deleteInvites(db, docId, limit)])
  if (descendants.status === 'rejected') throw descendants.reason
  if (invites.status === 'rejected') throw invites.reason
  return { docId, skipped: false, descendants: descendants.value, invites: invites.value }
}

/** Deletes everything below `documents/{docId}`; returns how many documents that was. */
async function deleteDescendants(db: Firestore, docId: string): Promise<number> {
  const ref = db.doc(paths.documentPath(docId))
  const writer = db.bulkWriter()
  let deleted = 0
  // recursiveDelete also deletes `ref` itself, which is already gone: only descendants count.
  writer.onWriteResult((written) => {
    if (written.path !== ref.path) deleted++
  })
  try {
    await db.recursiveDelete(ref, writer)
  } finally {
    await writer.close()
  }
  return deleted
}

/** Deletes the invites whose `docId` is `docId`, at most `limit` per commit; returns how many. */
async function deleteInvites(db: Firestore, docId: string, limit: number): Promise<number> {
  // Names only: an invite's fields are not needed to delete it.
  const query = db.collection(INVITES).where('docId', '==', docId).select().limit(limit)
  let deleted = 0
  for (;;) {
    const page = await query.get()
    if (page.empty) return deleted
    const batch = db.batch()
    for (const invite of page.docs) batch.delete(invite.ref)
    await batch.commit()
    deleted += page.size
    // A short page was the last one; a full one may have more behind it (re-queried, as deleted ones are gone).
    if (page.size < limit) return deleted
  }
}
