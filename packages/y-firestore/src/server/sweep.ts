import { Timestamp, type DocumentReference, type Firestore, type QueryDocumentSnapshot } from 'firebase-admin/firestore'
import { DOCUMENTS, updatesPath } from '../paths.js'
import { compactDocument, DEFAULT_COMPACTION, type CompactionResult, type CompactionSettings } from './compaction.js'

/**
 * The scheduled sweep: compacts logs nobody has written to for a while, whatever their size,
 * so documents that stopped short of the thresholds still open from one snapshot.
 *
 * It finds them with a collection-group query on `updates` by `createdAt`. In production that
 * needs a collection-group index on `updates.createdAt` (ascending), declared in
 * firestore.indexes.json as a field override.
 */

/** Options of {@link sweep}. */
export interface SweepOptions {
  /** A log is idle when its newest update is at least this old (ms). */
  idleMs: number
  /** Try at most this many documents in one sweep (compacted or not). Default 50. */
  limit?: number
  /** Passed on to compactDocument (only maxUpdatesPerRun matters: a sweep always compacts). */
  settings?: CompactionSettings
}

/** Update documents read per page while looking for idle logs. */
const PAGE_SIZE = 200

/**
 * Finds documents whose logs are idle but non-empty and compacts them, one at a time, oldest
 * update first. A document that fails is reported in its result (`reason`) and the sweep goes
 * on with the next one.
 */
export async function sweep(db: Firestore, options: SweepOptions): Promise<CompactionResult[]> {
  const limit = options.limit ?? 50
  if (!(options.idleMs >= 0) || !Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`sweep needs idleMs >= 0 and a positive integer limit, got ${JSON.stringify(options)}.`)
  }
  const cutoff = Timestamp.fromMillis(Date.now() - options.idleMs)
  const settings = options.settings ?? DEFAULT_COMPACTION
  const visited = new Set<string>()
  const results: CompactionResult[] = []
  let after: QueryDocumentSnapshot | undefined
  while (results.length < limit) {
    const page = await oldUpdates(db, cutoff, after)
    for (const update of page) {
      const docId = documentIdOf(update.ref)
      if (docId === undefined || visited.has(docId)) continue
      visited.add(docId)
      if (!(await isIdle(db, docId, cutoff))) continue
      results.push(await compactQuietly(db, docId, settings))
      if (results.length >= limit) break
    }
    if (page.length < PAGE_SIZE) break
    after = page[page.length - 1]
  }
  return results
}

/** A page of updates older than `cutoff`, across all documents, oldest first. */
async function oldUpdates(db: Firestore, cutoff: Timestamp, after: QueryDocumentSnapshot | undefined): Promise<QueryDocumentSnapshot[]> {
  let query = db.collectionGroup('updates').where('createdAt', '<=', cutoff).orderBy('createdAt').select('createdAt').limit(PAGE_SIZE)
  if (after) query = query.startAfter(after)
  return (await query.get()).docs
}

/** `docId` for `documents/{docId}/updates/{id}`; undefined for other `updates` collections. */
function documentIdOf(ref: DocumentReference): string | undefined {
  const parent = ref.parent.parent
  if (!parent || parent.parent.parent !== null || parent.parent.id !== DOCUMENTS) return undefined
  return parent.id
}

/** Whether the newest update of the document's log is older than `cutoff`. */
async function isIdle(db: Firestore, docId: string, cutoff: Timestamp): Promise<boolean> {
  const newest = await db.collection(updatesPath(docId)).orderBy('createdAt', 'desc').select('createdAt').limit(1).get()
  const at: unknown = newest.docs[0]?.get('createdAt')
  return at instanceof Timestamp && at.toMillis() <= cutoff.toMillis()
}

/** compactDocument, with a failure turned into a result so one bad document cannot stop a sweep. */
async function compactQuietly(db: Firestore, docId: string, settings: CompactionSettings): Promise<CompactionResult> {
  try {
    return await compactDocument(db, docId, { settings, force: true })
  } catch (error) {
    return { docId, compacted: false, absorbed: 0, rejected: 0, bytes: 0, reason: `failed: ${error instanceof Error ? error.message : String(error)}` }
  }
}
