import { FieldPath, type DocumentReference, type Firestore, type Query, type QueryDocumentSnapshot, type Timestamp, type WriteBatch } from 'firebase-admin/firestore'
import { paths, snapshotsPath } from '@quire/y-firestore/server'
import { INVITES } from './model.js'

/**
 * What a deleted document leaves behind (design.md sections 3 and 5). Deleting `documents/{docId}`
 * deletes that one document: its update log, snapshot generations (markers and chunks), presence
 * and rejected updates stay, and so do the invites that name it. Nobody can read them while the
 * document is gone (the rules ask the document who may), but they take storage for good, and
 * whoever creates a document under the same ID later (the rules let any signed-in user create one
 * with an ID they know, a former member say) would own them: its rules would let them read the old
 * log and snapshots and accept the old invites. The user index entries are not touched here:
 * syncUserIndex removes those.
 */

/** What one `cleanupDeletedDocument` run did, for logs and tests. */
export interface CleanupResult {
  docId: string
  /**
   * True when `documents/{docId}` existed again when the run started: only what was created
   * before the current document was deleted, and the document and its newer records stay.
   */
  recreated: boolean
  /** Documents deleted below `documents/{docId}`, at any depth. */
  descendants: number
  /** `invites/{token}` documents deleted because their `docId` names the document. */
  invites: number
}

/** How `cleanupDeletedDocument` reads and commits. */
export interface CleanupOptions {
  /**
   * Deletions per commit; Firestore allows 500 (design.md section 3). Smaller in tests. Also the
   * page size of the queries that find invites and, for a re-created document, its old records.
   */
  maxWritesPerCommit?: number
}

/**
 * After `documents/{docId}` was deleted: deletes what it left below it and the invites to it.
 *
 * Trigger events arrive at least once, possibly late, so the run starts by reading the document.
 *
 * - Gone (the usual case): everything below it goes, with the Admin SDK's recursiveDelete, which
 *   finds descendants by a query below a path, so it works without the document, at any depth
 *   (snapshots/{gen}/chunks/{n}), and retries transient failures (BulkWriter). It is called on each
 *   of the document's subcollections, not on the document: given a DocumentReference it ends by
 *   deleting that reference too, which would delete a document re-created during the run. All
 *   invites naming the document go too.
 * - Re-created under the same ID: only what predates the current document goes, by `createTime`:
 *   the old update log, snapshot markers and chunks, presence and rejected records (the
 *   subcollections the app writes), and the old invites. Leaving them (as this function once did)
 *   would hand the old content and invites to whoever re-created the document; deleting everything
 *   would delete the new document's data. Records written after the re-creation have a later
 *   `createTime` (the server's commit time) and stay; so does the document itself.
 *
 * Either way deletions are committed in batches of at most `maxWritesPerCommit` (the invites, and
 * the re-created case's records; recursiveDelete has its own BulkWriter). A repeated run finds
 * nothing left and deletes nothing, so running twice is harmless. Both parts (below the document,
 * invites) run even if the other fails; the first failure is thrown afterwards.
 *
 * Not covered: a document re-created while a "gone" run is under way survives, but records written
 * to it before recursiveDelete reaches them, and invites made for it meanwhile, may be deleted.
 */
export async function cleanupDeletedDocument(db: Firestore, docId: string, options: CleanupOptions = {}): Promise<CleanupResult> {
  const ref = db.doc(paths.documentPath(docId))
  const limit = Math.min(500, Math.max(1, options.maxWritesPerCommit ?? 500))
  const current = await ref.get()
  let recreatedAt: Timestamp | undefined
  if (current.exists) {
    // Without it, "older" cannot be told from "newer": deleting nothing is the safe failure.
    if (current.createTime === undefined) throw new Error(`cleanup of ${docId}: the re-created document has no createTime`)
    recreatedAt = current.createTime
  }

  const [descendants, invites] = await Promise.allSettled(
    recreatedAt === undefined
      ? [deleteDescendants(db, ref), deleteInvites(db, docId, limit)]
      : [deleteOldDescendants(db, docId, recreatedAt, limit), deleteInvites(db, docId, limit, recreatedAt)],
  )
  if (descendants.status === 'rejected') throw descendants.reason
  if (invites.status === 'rejected') throw invites.reason
  return { docId, recreated: recreatedAt !== undefined, descendants: descendants.value, invites: invites.value }
}

/** Deletes everything below `ref` (but not `ref`), one recursiveDelete per subcollection; returns how many documents that was. */
async function deleteDescendants(db: Firestore, ref: DocumentReference): Promise<number> {
  const writer = db.bulkWriter()
  let deleted = 0
  writer.onWriteResult(() => {
    deleted++
  })
  let failure: { error: unknown } | undefined
  try {
    for (const collection of await ref.listCollections()) {
      // The other subcollections are still deleted when one fails.
      await db.recursiveDelete(collection, writer).catch((error: unknown) => {
        failure ??= { error }
      })
    }
  } finally {
    await writer.close()
  }
  if (failure) throw failure.error
  return deleted
}

/**
 * Below the re-created `documents/{docId}`: deletes the records of the app's subcollections whose
 * `createTime` is before `before` (the current document's); returns how many.
 */
async function deleteOldDescendants(db: Firestore, docId: string, before: Timestamp, limit: number): Promise<number> {
  const deleter = new BatchDeleter(db, limit)
  const old = (doc: QueryDocumentSnapshot) => isBefore(doc.createTime, before)
  for (const path of [paths.updatesPath(docId), paths.presencePath(docId), paths.rejectedPath(docId)]) {
    await deleteMatching(deleter, db.collection(path), limit, old)
  }
  // snapshots/{gen} markers, then each generation's chunks. listDocuments also names generations
  // whose marker is gone (or was never written) but whose chunks remain.
  const snapshots = db.collection(snapshotsPath(docId))
  await deleteMatching(deleter, snapshots, limit, old)
  for (const generation of await snapshots.listDocuments()) {
    await deleteMatching(deleter, db.collection(paths.chunksPath(docId, generation.id)), limit, old)
  }
  await deleter.flush()
  return deleter.deleted
}

/**
 * Deletes the invites whose `docId` is `docId` (only those created before `before`, when given);
 * returns how many.
 */
async function deleteInvites(db: Firestore, docId: string, limit: number, before?: Timestamp): Promise<number> {
  const deleter = new BatchDeleter(db, limit)
  await deleteMatching(deleter, db.collection(INVITES).where('docId', '==', docId), limit, (invite) => before === undefined || isBefore(invite.createTime, before))
  await deleter.flush()
  return deleter.deleted
}

/**
 * Reads `query` by name only (its documents' fields are not needed; `createTime` comes with every
 * result), `pageSize` at a time, and hands the documents `matches` accepts to `deleter`. Pages
 * resume after the last document read, so documents that stay are not read again.
 */
async function deleteMatching(deleter: BatchDeleter, query: Query, pageSize: number, matches: (doc: QueryDocumentSnapshot) => boolean): Promise<void> {
  const names = query.select().orderBy(FieldPath.documentId()).limit(pageSize)
  let last: QueryDocumentSnapshot | undefined
  for (;;) {
    const page = await (last ? names.startAfter(last) : names).get()
    for (const doc of page.docs) if (matches(doc)) await deleter.delete(doc.ref)
    // A short page was the last one.
    if (page.size < pageSize) return
    last = page.docs[page.size - 1]
  }
}

/** Deletes documents in batched writes of at most `limit`, committing each when it is full. */
class BatchDeleter {
  deleted = 0
  private batch: WriteBatch | undefined
  private pending = 0

  constructor(
    private readonly db: Firestore,
    private readonly limit: number,
  ) {}

  async delete(ref: DocumentReference): Promise<void> {
    this.batch ??= this.db.batch()
    this.batch.delete(ref)
    if (++this.pending >= this.limit) await this.flush()
  }

  async flush(): Promise<void> {
    if (!this.batch) return
    const [batch, count] = [this.batch, this.pending]
    this.batch = undefined
    this.pending = 0
    await batch.commit()
    this.deleted += count
  }
}

/** Whether `a` is strictly earlier than `b`. */
function isBefore(a: Timestamp, b: Timestamp): boolean {
  return a.seconds < b.seconds || (a.seconds === b.seconds && a.nanoseconds < b.nanoseconds)
}
