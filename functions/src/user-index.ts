import { Timestamp, type DocumentData, type DocumentSnapshot, type Firestore } from 'firebase-admin/firestore'
import { paths } from '@quire/y-firestore/server'
import { rolesIn, userIndexPath, type IndexEntry } from './model.js'

/**
 * The user's document index, `users/{uid}/documents/{docId}` = `{ title, role, updatedAt }`,
 * kept in step with each document's `roles` (design.md sections 3 and 5). The app lists a user's
 * documents from there, because the rules let nobody list `documents` (a query's filters would
 * otherwise decide who sees what).
 */

/** What a write trigger saw: the document's data before and after the write (undefined: absent). */
export interface DocumentWrite {
  before: DocumentData | undefined
  after: DocumentData | undefined
}

/** What one `syncUserIndex` run did, for logs and tests. */
export interface IndexSyncResult {
  docId: string
  /** True when the write changed nothing the index shows (a compaction moving `snapshot`, say). */
  skipped: boolean
  /** Users whose entry now mirrors the document, sorted. */
  written: string[]
  /** Users whose entry was deleted (or was already absent) because they are not members, sorted. */
  removed: string[]
}

export interface IndexSyncOptions {
  /** Writes per commit; Firestore allows 500 (design.md section 3). Smaller in tests. */
  maxWritesPerCommit?: number
}

/**
 * After `documents/{docId}` was written: brings the index entries of everyone the write concerns
 * in line with the document as it is now.
 *
 * Trigger events arrive at least once and in any order, so the event says only *whom* to look
 * at (the members before and after the write, plus the current members), never *what* to write:
 * each entry is computed from the document read inside the transaction that writes it. If the
 * document changes before that commits, the transaction retries with the new state; if it changes
 * after, that write has an event of its own. So a repeated or late event rewrites the current
 * state, and the last commit for each user reflects the latest document. Including the current
 * members also indexes documents that existed before this function was deployed, on their next
 * write.
 *
 * A write that changes none of title, roles, updatedAt and createdAt (compaction moves `snapshot`
 * on every run) is skipped without a read: it cannot change any entry, and the writes that did
 * change them have their own events.
 *
 * More than `maxWritesPerCommit` users are handled in several transactions, each re-reading the
 * document; every entry is still computed from a state current at its commit.
 */
export async function syncUserIndex(
  db: Firestore,
  docId: string,
  write: DocumentWrite,
  options: IndexSyncOptions = {},
): Promise<IndexSyncResult> {
  if (write.before !== undefined && write.after !== undefined && !indexFieldsChanged(write.before, write.after)) {
    return { docId, skipped: true, written: [], removed: [] }
  }
  const ref = db.doc(paths.documentPath(docId))
  const current = await ref.get()
  const concerned = new Set([...rolesIn(write.before).keys(), ...rolesIn(write.after).keys(), ...rolesIn(current.data()).keys()])
  const uids = [...concerned].sort()

  const limit = Math.min(500, Math.max(1, options.maxWritesPerCommit ?? 500))
  const written: string[] = []
  const removed: string[] = []
  for (let start = 0; start < uids.length; start += limit) {
    const chunk = uids.slice(start, start + limit)
    const outcome = await db.runTransaction(async (tx) => {
      const snapshot = await tx.get(ref)
      const roles = rolesIn(snapshot.data())
      const chunkWritten: string[] = []
      const chunkRemoved: string[] = []
      for (const uid of chunk) {
        const entryRef = db.collection(userIndexPath(uid)).doc(docId)
        const role = roles.get(uid)
        if (role === undefined) {
          tx.delete(entryRef)
          chunkRemoved.push(uid)
        } else {
          const entry: IndexEntry = { title: titleOf(snapshot), role, updatedAt: updatedAtOf(snapshot) }
          tx.set(entryRef, entry)
          chunkWritten.push(uid)
        }
      }
      return { chunkWritten, chunkRemoved }
    })
    // Only the attempt that committed counts, which is why the lists come out of the transaction.
    written.push(...outcome.chunkWritten)
    removed.push(...outcome.chunkRemoved)
  }
  return { docId, skipped: false, written, removed }
}

/** The fields an index entry is made of (createdAt stands in for a missing updatedAt). */
const INDEXED_FIELDS = ['title', 'updatedAt', 'createdAt'] as const

/** Whether a write changed anything an index entry shows. */
export function indexFieldsChanged(before: DocumentData, after: DocumentData): boolean {
  for (const field of INDEXED_FIELDS) if (!sameValue(before[field], after[field])) return true
  const rolesBefore = rolesIn(before)
  const rolesAfter = rolesIn(after)
  if (rolesBefore.size !== rolesAfter.size) return true
  for (const [uid, role] of rolesBefore) if (rolesAfter.get(uid) !== role) return true
  return false
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Timestamp && b instanceof Timestamp) return a.isEqual(b)
  return a === b
}

/** The document's title; a missing or malformed one shows as empty (the app renders "Untitled"). */
function titleOf(snapshot: DocumentSnapshot): string {
  const title: unknown = snapshot.get('title')
  return typeof title === 'string' ? title : ''
}

/** When the document last changed, as its list should sort: `updatedAt`, else `createdAt`, else the write's time. */
function updatedAtOf(snapshot: DocumentSnapshot): Timestamp {
  for (const field of ['updatedAt', 'createdAt']) {
    const value: unknown = snapshot.get(field)
    if (value instanceof Timestamp) return value
  }
  return snapshot.updateTime ?? Timestamp.now()
}
