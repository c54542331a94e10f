import { FieldValue, type DocumentData, type Firestore } from 'firebase-admin/firestore'
import { documentPath, rejectedPath, updatesPath } from '../paths.js'
import { MAX_BATCH_WRITES, commitInBatches, deletion, type PlannedWrite } from './batches.js'
import {
  deleteGeneration,
  loadGeneration,
  readPointer,
  removeAbandonedGenerations,
  snapshotsPath,
  writeGeneration,
  type Pointer,
} from './generations.js'
import { entryBytes, planLog, readLog, type InvalidEntry, type LogEntry } from './log.js'
import { mergeLog } from './merge.js'

/**
 * Compaction (design.md section 5): folds a document's update log into a new snapshot
 * generation, for clients that read concurrently and for runs that race each other.
 *
 * The order of the steps is what makes it safe:
 *  1. Read the pointer and the log, load the pointer's generation, merge.
 *  2. Write the new generation's chunks. Nobody reads them until the pointer names them, so a
 *     run that stops here loses nothing (it leaves an orphan, removed later).
 *  3. Move the pointer in a transaction that checks it still names the generation read in 1.
 *     If another run moved it first, this run's merge may lack updates that run deleted, so it
 *     gives up and deletes its own chunks. The first absorbed updates are deleted in the same
 *     commit; the rest can only go after it.
 *  4. Delete the absorbed updates by ID, never by query: updates that arrived after step 1 are
 *     not in the snapshot and stay. A client that still sees one of them and the new snapshot
 *     gets it twice, which Yjs ignores. Deleting before step 3 could make a client miss it.
 *  5. Delete the old generation (and any a crashed run abandoned): clients that see the new pointer load the new one, and one
 *     still loading the old one finds it incomplete and waits for the new pointer.
 */

/** When a document's log is worth compacting. */
export interface CompactionSettings {
  /** Compact once the log holds at least this many update documents. */
  minUpdates: number
  /** ... or at least this many bytes of updates. */
  minBytes: number
  /** Read at most this many (oldest) update documents per run, bounding memory and time. */
  maxUpdatesPerRun?: number
}

/** Compact every 500 updates (a few minutes of typing) or 512 KiB of log; 25,000 per run. */
export const DEFAULT_COMPACTION: CompactionSettings = { minUpdates: 500, minBytes: 512 * 1024, maxUpdatesPerRun: 25_000 }

/** What one compaction run did. */
export interface CompactionResult {
  docId: string
  /** Whether the pointer now names a new generation. */
  compacted: boolean
  /** The new generation, when compacted. */
  gen?: string
  /** Update documents folded into the new generation and deleted from the log. */
  absorbed: number
  /** Update documents that do not decode, moved to `documents/{docId}/rejected`. */
  rejected: number
  /** Size of the new snapshot's state, when compacted. */
  bytes: number
  /** Why nothing was compacted. */
  reason?: string
}

/** Options of {@link compactDocument}. */
export interface CompactOptions {
  settings?: CompactionSettings
  /** Compact whatever the log holds, even below the thresholds. */
  force?: boolean
}

/**
 * Update deletes that ride in the pointer's transaction: a commit's write limit, less the
 * pointer's update and its server-timestamp transform (which Firestore used to count as a write).
 */
const DELETES_IN_TRANSACTION = MAX_BATCH_WRITES - 2

/** Longest reason stored with a rejected update (keeps it well within a document's size). */
const MAX_REASON_LENGTH = 500

/**
 * Compacts one document's log into a new snapshot generation if the log reached the
 * thresholds (or always, with `force`). Safe to run while clients read and write the document
 * and while other runs compact it: the loser of a race changes nothing and says why.
 */
export async function compactDocument(db: Firestore, docId: string, options: CompactOptions = {}): Promise<CompactionResult> {
  const settings = options.settings ?? DEFAULT_COMPACTION
  checkSettings(settings)
  const outcome = (reason: string, rejected = 0): CompactionResult => ({ docId, compacted: false, absorbed: 0, rejected, bytes: 0, reason })

  // Step 1: the pointer, then the log. Either order is safe: step 3 rejects a stale pointer.
  const document = await db.doc(documentPath(docId)).get()
  if (!document.exists) return outcome(`document ${docId} does not exist`)
  const entries = await readLog(db, docId, settings.maxUpdatesPerRun)
  if (entries.length === 0) return outcome('the log is empty')
  if (!options.force && !reachedThresholds(entries, settings)) return outcome('the log is below the thresholds')

  const pointer = readPointer(document.data())
  const base = pointer ? await loadGeneration(db, docId, pointer) : undefined
  if (pointer && !base) return outcome(await missingGenerationReason(db, docId, pointer))

  const plan = planLog(entries)
  const merged = mergeLog(base, plan.updates)
  const rejected = [...plan.invalid, ...merged.rejected]
  // Rejected updates are in no snapshot: they are copied aside before they leave the log.
  const rejectedCount = await moveAside(db, docId, entries, rejected)
  if (merged.absorbed.length === 0) return outcome('no update in the log could be absorbed', rejectedCount)

  // Step 2: the new generation; its marker's auto-ID is the random generation ID.
  const gen = db.collection(snapshotsPath(docId)).doc().id
  const chunks = await writeGeneration(db, docId, gen, merged.state)

  // Step 3: the pointer, if nobody moved it since step 1. If the transaction throws, whether it
  // committed is unknown, so the generation stays: removeAbandonedGenerations deletes it later
  // if the pointer does not name it.
  const absorbedIds = merged.absorbed.flatMap((update) => update.ids)
  const next: Pointer = { gen, chunks, bytes: merged.state.length, stateVector: merged.stateVector, updates: absorbedIds.length }
  const lost = await movePointer(db, docId, pointer?.gen, next, absorbedIds.slice(0, DELETES_IN_TRANSACTION))
  if (lost !== undefined) {
    await deleteGeneration(db, docId, gen)
    return outcome(lost, rejectedCount)
  }

  // Steps 4 and 5: only now may absorbed updates and the old generation go.
  try {
    await deleteUpdates(db, docId, absorbedIds.slice(DELETES_IN_TRANSACTION))
    if (pointer) await deleteGeneration(db, docId, pointer.gen)
    await removeAbandonedGenerations(db, docId)
  } catch (error) {
    throw new Error(
      `Compacted document ${docId} into generation ${gen}, but cleaning up after it failed (a later run finishes it): ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    )
  }
  return { docId, compacted: true, gen, absorbed: absorbedIds.length, rejected: rejectedCount, bytes: merged.state.length }
}

/** Throws a clear error for settings that would make compaction misbehave. */
function checkSettings(settings: CompactionSettings): void {
  const positive = (value: unknown) => typeof value === 'number' && Number.isInteger(value) && value >= 1
  const { minUpdates, minBytes, maxUpdatesPerRun } = settings
  if (!positive(minUpdates) || !positive(minBytes) || (maxUpdatesPerRun !== undefined && !positive(maxUpdatesPerRun))) {
    throw new RangeError(`Compaction settings must be positive integers, got ${JSON.stringify(settings)}.`)
  }
}

function reachedThresholds(entries: readonly LogEntry[], settings: CompactionSettings): boolean {
  if (entries.length >= settings.minUpdates) return true
  return entries.reduce((sum, entry) => sum + entryBytes(entry), 0) >= settings.minBytes
}

/**
 * Why the pointer's generation could not be loaded: normally another run moved the pointer and
 * deleted that generation meanwhile (it then did this run's work). If the pointer has not
 * moved, the snapshot is damaged and compacting over it would lose the document: throw.
 */
async function missingGenerationReason(db: Firestore, docId: string, pointer: Pointer): Promise<string> {
  const now = readPointer((await db.doc(documentPath(docId)).get()).data())
  if (now?.gen !== pointer.gen) return 'another compaction moved the snapshot pointer while this one read it'
  throw new Error(`Snapshot generation ${pointer.gen} of document ${docId} does not have the ${pointer.chunks} chunks its pointer names; not compacting over it.`)
}

/**
 * Copies unreadable log records to `documents/{docId}/rejected/{id}` with the reason, and
 * deletes them from the log in the same commit, so each is always in exactly one place.
 */
async function moveAside(db: Firestore, docId: string, entries: readonly LogEntry[], rejected: readonly InvalidEntry[]): Promise<number> {
  const byId = new Map(entries.map((entry) => [entry.id, entry.data]))
  const writes: PlannedWrite[] = []
  for (const { ids, reason } of rejected) {
    for (const id of ids) {
      const data = byId.get(id)
      if (!data) continue
      writes.push({
        apply: (batch) => batch.set(db.doc(`${rejectedPath(docId)}/${id}`), rejectedRecord(data, reason)).delete(db.doc(`${updatesPath(docId)}/${id}`)),
        bytes: recordBytes(data),
        writes: 3, // set, its rejectedAt transform, delete
      })
    }
  }
  await commitInBatches(db, writes)
  return writes.length
}

function rejectedRecord(data: DocumentData, reason: string): DocumentData {
  return { ...data, reason: reason.slice(0, MAX_REASON_LENGTH), rejectedAt: FieldValue.serverTimestamp() }
}

/** Rough size of a record for batch planning: its bytes fields dominate. */
function recordBytes(data: DocumentData): number {
  return Object.values(data).reduce<number>((sum, value) => sum + (value instanceof Uint8Array ? value.length : typeof value === 'string' ? value.length : 16), 0)
}

/**
 * Moves the pointer to `next` if it still names `expectedGen` and `next`'s marker still exists
 * (see removeAbandonedGenerations), deleting `deletes` in the same commit. Only the `snapshot`
 * field changes (an update with a field path: title and roles stay as they are). Returns why it
 * did not, or undefined when it did.
 */
async function movePointer(db: Firestore, docId: string, expectedGen: string | undefined, next: Pointer, deletes: readonly string[]): Promise<string | undefined> {
  const ref = db.doc(documentPath(docId))
  const marker = db.doc(`${snapshotsPath(docId)}/${next.gen}`)
  return db.runTransaction(async (tx) => {
    const [current, own] = await tx.getAll(ref, marker)
    if (!current || !own) throw new Error(`Reading the pointer of document ${docId} in a transaction returned nothing.`)
    if (!current.exists) return `document ${docId} was deleted while compacting`
    if (readPointer(current.data())?.gen !== expectedGen) return 'another compaction moved the snapshot pointer first'
    if (!own.exists) return `generation ${next.gen} was removed as abandoned before the pointer moved`
    tx.update(ref, 'snapshot', { ...next, at: FieldValue.serverTimestamp() })
    for (const id of deletes) tx.delete(db.doc(`${updatesPath(docId)}/${id}`))
    return undefined
  })
}

async function deleteUpdates(db: Firestore, docId: string, ids: readonly string[]): Promise<void> {
  await commitInBatches(db, ids.map((id) => deletion(db.doc(`${updatesPath(docId)}/${id}`))))
}
