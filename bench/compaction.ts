import { performance } from 'node:perf_hooks'
import { FieldValue, type Firestore } from 'firebase-admin/firestore'
import * as Y from 'yjs'
import { compactDocument, loadGeneration, paths, readPointer } from '@quire/y-firestore/server'
import { Clients, uniqueProjectId } from '../emulator-tests/support/clients.js'
import { loadTrace } from '../emulator-tests/support/traces.js'
import { fixed } from './lib/stats.js'
import type { Measurement } from './lib/report.js'

/** Updates in the log: the first 10,000 edits of the trace, one update each. */
const UPDATES = 10_000
/** Update documents per commit while filling the log (Firestore's write limit). */
const BATCH = 500
/** How often memory is sampled while compaction runs (ms). */
const SAMPLE_MS = 5
const DOC_ID = 'bench-compaction'
/**
 * The first `count` edits of automerge-paper (single-character inserts and deletes, as typed),
 * each applied in its own Y.Doc transaction, with the update each one emits, and the text
 * they leave.
 */
function traceUpdates(count: number): { updates: Uint8Array[]; text: string } {
  const trace = loadTrace('automerge-paper')
  const doc = new Y.Doc()
  const text = doc.getText('content')
  const updates: Uint8Array[] = []
  doc.on('update', (update: Uint8Array) => updates.push(update))
  if (trace.startContent) text.insert(0, trace.startContent)
  updates.length = 0
  outer: for (const txn of trace.txns) {
    for (const [pos, deleted, inserted] of txn.patches) {
      if (updates.length >= count) break outer
      doc.transact(() => {
        if (deleted > 0) text.delete(pos, deleted)
        if (inserted) text.insert(pos, inserted)
      })
    }
  }
  return { updates, text: text.toString() }
}

/** Writes the updates into the document's log as clients would have, BATCH per commit. */
async function fillLog(db: Firestore, updates: readonly Uint8Array[]): Promise<void> {
  await db.doc(paths.documentPath(DOC_ID)).set({ title: 'Compaction benchmark', owner: 'bench', roles: { bench: 'owner' }, snapshot: null })
  const log = db.collection(paths.updatesPath(DOC_ID))
  for (let start = 0; start < updates.length; start += BATCH) {
    const batch = db.batch()
    for (const update of updates.slice(start, start + BATCH)) batch.set(log.doc(), { update, author: 'bench', createdAt: FieldValue.serverTimestamp() })
    await batch.commit()
  }
}

/** Peak RSS and heap while `work` runs, sampled every SAMPLE_MS and at both ends. */
async function withPeakMemory<T>(work: () => Promise<T>): Promise<{ result: T; ms: number; rss: number; heap: number; rssBefore: number; heapBefore: number }> {
  const before = process.memoryUsage()
  let rss = before.rss
  let heap = before.heapUsed
  const sample = () => {
    const now = process.memoryUsage()
    rss = Math.max(rss, now.rss)
    heap = Math.max(heap, now.heapUsed)
  }
  const timer = setInterval(sample, SAMPLE_MS)
  const start = performance.now()
  try {
    const result = await work()
    const ms = performance.now() - start
    sample()
    return { result, ms, rss, heap, rssBefore: before.rss, heapBefore: before.heapUsed }
  } finally {
    clearInterval(timer)
  }
}

/** Reads the snapshot the pointer names and checks it holds `expected`. */
async function verify(db: Firestore, expected: string): Promise<void> {
  const pointer = readPointer((await db.doc(paths.documentPath(DOC_ID)).get()).data())
  const state = pointer && (await loadGeneration(db, DOC_ID, pointer))
  if (!state) throw new Error('Compaction benchmark: no complete snapshot after compaction.')
  const doc = new Y.Doc()
  Y.applyUpdate(doc, state)
  if (doc.getText('content').toString() !== expected) throw new Error('Compaction benchmark: the snapshot does not hold the trace text.')
  const left = await db.collection(paths.updatesPath(DOC_ID)).count().get()
  if (left.data().count !== 0) throw new Error(`Compaction benchmark: ${left.data().count} updates left in the log.`)
}

const MiB = 2 ** 20

/**
 * Compaction of 10,000 updates (design.md section 9): fills one document's log with the first
 * 10,000 edits of automerge-paper through the Admin SDK, then times one compactDocument run
 * (which deletes the absorbed updates in more than one commit) and samples memory meanwhile.
 * When the emulator runs in this process, its work is in the numbers too.
 */
export async function benchCompaction(emulatorHost: string): Promise<Measurement[]> {
  const clients = new Clients(uniqueProjectId('bench-compaction'), emulatorHost)
  try {
    const db = clients.admin()
    const { updates, text } = traceUpdates(UPDATES)
    const logBytes = updates.reduce((sum, update) => sum + update.length, 0)
    await fillLog(db, updates)
    global.gc?.()
    const run = await withPeakMemory(() => compactDocument(db, DOC_ID, { force: true, settings: { minUpdates: 1, minBytes: 1, maxUpdatesPerRun: UPDATES } }))
    if (!run.result.compacted || run.result.absorbed !== updates.length) {
      throw new Error(`Compaction benchmark: expected ${updates.length} updates absorbed, got ${JSON.stringify(run.result)}.`)
    }
    await verify(db, text)
    const benchmark = 'compaction'
    const notes = `${updates.length} single-edit updates of automerge-paper, ${fixed(logBytes / 1024, 0)} KiB of log; memory sampled every ${SAMPLE_MS} ms, emulator included when in-process`
    return [
      { benchmark, metric: `compact ${updates.length} updates`, value: fixed(run.ms, 0), unit: 'ms', notes },
      { benchmark, metric: 'peak RSS during compaction', value: fixed(run.rss / MiB, 1), unit: 'MiB', notes: `+${fixed((run.rss - run.rssBefore) / MiB, 1)} MiB over the ${fixed(run.rssBefore / MiB, 1)} MiB before` },
      { benchmark, metric: 'peak heap used during compaction', value: fixed(run.heap / MiB, 1), unit: 'MiB', notes: `+${fixed((run.heap - run.heapBefore) / MiB, 1)} MiB over the ${fixed(run.heapBefore / MiB, 1)} MiB before` },
      { benchmark, metric: 'snapshot size vs log size', value: `${fixed(run.result.bytes / 1024, 1)} / ${fixed(logBytes / 1024, 1)}`, unit: 'KiB', notes: `text of ${text.length} characters` },
    ]
  } finally {
    await clients.close()
  }
}
