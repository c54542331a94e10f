import type { Firestore } from 'firebase-admin/firestore'
import { compactDocument, paths, sweep, type CompactionResult } from '@quire/y-firestore/server'
import type { FunctionSettings } from './settings.js'

/**
 * What the functions do, apart from how they are triggered (index.ts), so tests can call it
 * with their own Firestore.
 */

/**
 * After an update is created: compacts the document if its log reached a threshold.
 *
 * The trigger fires for every update, so it must be cheap when there is nothing to do: it
 * counts the log with an aggregation (one read per 1,000 entries) instead of reading it. The
 * byte threshold needs the log itself, so that is checked (by compactDocument) only when the
 * new update is large; many small updates reach the count threshold first, and the sweep
 * catches logs that stop short of both.
 *
 * Several of these may run at once for one document; compactDocument is safe under races.
 * Returns undefined when the log is not due.
 */
export async function onUpdateCreated(
  db: Firestore,
  docId: string,
  updateBytes: number,
  settings: FunctionSettings,
): Promise<CompactionResult | undefined> {
  if (updateBytes < settings.largeUpdateBytes) {
    const count = (await db.collection(paths.updatesPath(docId)).count().get()).data().count
    if (count < settings.compaction.minUpdates) return undefined
  }
  return compactDocument(db, docId, { settings: settings.compaction })
}

/** The scheduled sweep: compacts logs idle for `settings.idleMs`. */
export async function onSweep(db: Firestore, settings: FunctionSettings): Promise<CompactionResult[]> {
  return sweep(db, { idleMs: settings.idleMs, limit: settings.sweepLimit, settings: settings.compaction })
}

/** Size of an update document's `update` bytes as a trigger sees them (0 when absent or not bytes). */
export function updateSize(value: unknown): number {
  return value instanceof Uint8Array ? value.length : 0
}
