/**
 * @quire/y-firestore/server: compaction of a document's update log into snapshot generations,
 * for Cloud Functions and scripts using the Admin SDK (firebase-admin/firestore).
 *
 * ```ts
 * import { compactDocument, sweep } from '@quire/y-firestore/server'
 * await compactDocument(getFirestore(), docId)            // if the log reached the thresholds
 * await compactDocument(getFirestore(), docId, { force: true })
 * await sweep(getFirestore(), { idleMs: 10 * 60_000 })    // logs idle for 10 minutes
 * ```
 */
export {
  compactDocument,
  DEFAULT_COMPACTION,
  type CompactOptions,
  type CompactionResult,
  type CompactionSettings,
} from './compaction.js'
export { sweep, type SweepOptions } from './sweep.js'
export { ABANDONED_AFTER_MS, loadGeneration, readPointer, removeAbandonedGenerations, snapshotsPath, type Pointer } from './generations.js'
export { mergeLog, type MergeResult } from './merge.js'
export { planLog, type InvalidEntry, type LogEntry, type LoggedUpdate, type LogPlan } from './log.js'
export { MAX_BATCH_BYTES, MAX_BATCH_WRITES } from './batches.js'
/** The document paths, as in the main entry (this entry does not load the web SDK). */
export * as paths from '../paths.js'
