import type { DocumentReference, Firestore, WriteBatch } from 'firebase-admin/firestore'

/**
 * Committing many writes as several batches, each within Firestore's limits: at most 500
 * writes and 10 MiB per commit (design.md section 3). Compaction writes chunks of up to
 * 900 KiB and deletes thousands of small documents, so both limits matter.
 */

/** Most writes one commit may carry. */
export const MAX_BATCH_WRITES = 500

/** Bytes we allow one commit to carry: 10 MiB less room for names and field keys. */
export const MAX_BATCH_BYTES = 9 * 1024 * 1024

/** Overhead we count for a write besides its payload (document name, field names). */
const WRITE_OVERHEAD_BYTES = 1024

/** One write to add to a batch, and how much of a commit it uses. */
export interface PlannedWrite {
  /** Adds the write to the batch. */
  apply(batch: WriteBatch): void
  /** Payload bytes (the overhead of a write is added on top). */
  bytes: number
  /** Writes `apply` adds (default 1); they always share one commit. */
  writes?: number
}

/** A deletion of `ref`. */
export function deletion(ref: DocumentReference): PlannedWrite {
  return { apply: (batch) => batch.delete(ref), bytes: 0 }
}

/** Groups writes, in order, into batches that each respect both limits. */
export function planBatches(writes: readonly PlannedWrite[], limits = { writes: MAX_BATCH_WRITES, bytes: MAX_BATCH_BYTES }): PlannedWrite[][] {
  const batches: PlannedWrite[][] = []
  let current: PlannedWrite[] = []
  let count = 0
  let bytes = 0
  for (const write of writes) {
    const n = write.writes ?? 1
    const size = write.bytes + n * WRITE_OVERHEAD_BYTES
    if (current.length > 0 && (count + n > limits.writes || bytes + size > limits.bytes)) {
      batches.push(current)
      current = []
      count = 0
      bytes = 0
    }
    current.push(write)
    count += n
    bytes += size
  }
  if (current.length > 0) batches.push(current)
  return batches
}

/**
 * Commits `writes` in as many batches as the limits need, at most `concurrency` at a time.
 * Not atomic as a whole: callers order their steps so that any prefix is safe.
 */
export async function commitInBatches(db: Firestore, writes: readonly PlannedWrite[], concurrency = 4): Promise<void> {
  const batches = planBatches(writes)
  let next = 0
  const worker = async () => {
    while (next < batches.length) {
      const planned = batches[next++]!
      const batch = db.batch()
      for (const write of planned) write.apply(batch)
      await batch.commit()
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, batches.length) }, worker))
}
