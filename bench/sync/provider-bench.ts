import { performance } from 'node:perf_hooks'
import type { Firestore as AdminFirestore } from 'firebase-admin/firestore'
import { FieldValue } from 'firebase-admin/firestore'
import * as Y from 'yjs'
import { compactDocument, paths } from '@quire/y-firestore/server'
import { Clients, uniqueProjectId } from '../../emulator-tests/support/clients.js'
import { applyTxn, loadTrace, type Trace } from '../../emulator-tests/support/traces.js'
import { converged, openPeer, sleep, until, type Peer } from '../../emulator-tests/sync/helpers.js'
import type { Measurement } from '../lib/report.js'
import { fixed, median, quantile } from '../lib/stats.js'

const BENCHMARK = 'Sync (provider on our emulator)'
/** Replay: slices alternate between two clients; txns per event-loop tick of 1 ms. */
const SLICE = 5_000
const TXNS_PER_TICK = 10
/** Typing pace: a prefix typed at 50 edits per second, flushDelayMs 150 (the default). */
const TYPED_EDITS = 1_000
const TYPING_INTERVAL_MS = 20
/** The uncompacted log to open from: the whole trace as typed in windows of this many edits. */
const EDITS_PER_LOGGED_UPDATE = 15
const OPENS = 5
const LATENCY_SAMPLES = 300

/** Update documents in a document's log, counted with an aggregation. */
async function logCount(admin: AdminFirestore, docId: string): Promise<number> {
  const snapshot = await admin.collection(paths.updatesPath(docId)).count().get()
  return snapshot.data().count
}

/** The whole trace through two providers, in alternating slices; converges to endContent. */
async function replayTrace(clients: Clients, admin: AdminFirestore, trace: Trace): Promise<Measurement[]> {
  const docId = 'replay'
  await admin.doc(paths.documentPath(docId)).set({ title: 'replay benchmark', snapshot: null })
  const peers = [openPeer(clients, docId), openPeer(clients, docId)]
  await Promise.all(peers.map((peer) => peer.provider.whenSynced))
  const start = performance.now()
  for (let from = 0, turn = 0; from < trace.txns.length; from += SLICE, turn++) {
    const peer = peers[turn % 2]!
    await until(() => peer.text.length === peers[(turn + 1) % 2]!.text.length, 'the other client catching up', 60_000)
    const to = Math.min(from + SLICE, trace.txns.length)
    for (let i = from; i < to; i++) {
      applyTxn(peer.text, trace.txns[i]!)
      if (i % TXNS_PER_TICK === 0) await sleep(1)
    }
  }
  const text = await converged(peers, 120_000)
  const seconds = (performance.now() - start) / 1000
  if (text !== trace.endContent) throw new Error('replay did not converge to the trace endContent')
  const writes = await logCount(admin, docId)
  const fresh = openPeer(clients, docId)
  await fresh.provider.whenSynced
  if (fresh.text.toString() !== trace.endContent) throw new Error('a fresh client did not open to endContent')

  const compaction = await compactDocument(admin, docId, { force: true })
  const stateBytes = Y.encodeStateAsUpdate(peers[0]!.doc).length
  ;[...peers, fresh].forEach((peer) => peer.provider.destroy())
  return [
    { benchmark: BENCHMARK, metric: `automerge-paper replay (${trace.txns.length.toLocaleString('en-US')} edits), 2 clients`, value: fixed(seconds, 1), unit: 's', notes: `slices of ${SLICE} alternating, ${TXNS_PER_TICK} edits per 1 ms tick; both clients and a fresh one end equal to endContent` },
    { benchmark: BENCHMARK, metric: 'Firestore update writes per 1,000 edits, replay pace', value: fixed((writes / trace.txns.length) * 1000, 2), unit: 'writes', notes: `${writes} update documents for ${trace.txns.length} edits (flushDelayMs 150)` },
    { benchmark: BENCHMARK, metric: 'compacted snapshot vs Y.encodeStateAsUpdate', value: `${fixed(compaction.bytes / 1024, 1)} / ${fixed(stateBytes / 1024, 1)}`, unit: 'KiB', notes: `text of ${trace.endContent.length.toLocaleString('en-US')} characters` },
  ]
}

/** A prefix typed at a human pace: how many update documents the batching writes. */
async function typingPace(clients: Clients, admin: AdminFirestore, trace: Trace): Promise<Measurement[]> {
  const docId = 'typing'
  const peer = openPeer(clients, docId)
  await peer.provider.whenSynced
  for (let i = 0; i < TYPED_EDITS; i++) {
    applyTxn(peer.text, trace.txns[i]!)
    await sleep(TYPING_INTERVAL_MS)
  }
  await peer.provider.flush()
  const writes = await logCount(admin, docId)
  peer.provider.destroy()
  return [
    { benchmark: BENCHMARK, metric: `Firestore update writes per 1,000 edits, typing at ${1000 / TYPING_INTERVAL_MS} edits/s`, value: fixed((writes / TYPED_EDITS) * 1000, 0), unit: 'writes', notes: `first ${TYPED_EDITS} edits of automerge-paper, flushDelayMs 150` },
  ]
}

/** Writes the whole trace as an uncompacted log: one update per window of typed edits. */
async function writeLog(admin: AdminFirestore, docId: string, trace: Trace): Promise<number> {
  const doc = new Y.Doc()
  const text = doc.getText('content')
  const updates: Uint8Array[] = []
  // As the provider writes them: each window's incremental updates merged into one.
  let window: Uint8Array[] = []
  doc.on('update', (update: Uint8Array) => window.push(update))
  for (let from = 0; from < trace.txns.length; from += EDITS_PER_LOGGED_UPDATE) {
    for (let i = from; i < Math.min(from + EDITS_PER_LOGGED_UPDATE, trace.txns.length); i++) applyTxn(text, trace.txns[i]!)
    updates.push(Y.mergeUpdates(window))
    window = []
  }
  await admin.doc(paths.documentPath(docId)).set({ title: 'open benchmark', snapshot: null })
  const log = admin.collection(paths.updatesPath(docId))
  for (let start = 0; start < updates.length; start += 500) {
    const batch = admin.batch()
    for (const update of updates.slice(start, start + 500)) batch.set(log.doc(), { update: Buffer.from(update), author: 'bench', createdAt: FieldValue.serverTimestamp() })
    await batch.commit()
  }
  return updates.length
}

/** Median time from constructing a provider on a new client to its text being the trace's end. */
async function openTimes(clients: Clients, docId: string, expected: string): Promise<number[]> {
  const times: number[] = []
  for (let i = 0; i < OPENS; i++) {
    const start = performance.now()
    const peer = openPeer(clients, docId)
    await peer.provider.whenSynced
    times.push(performance.now() - start)
    if (peer.text.toString() !== expected) throw new Error('opened document differs from the trace endContent')
    peer.provider.destroy()
  }
  return times
}

async function openBench(clients: Clients, admin: AdminFirestore, trace: Trace): Promise<Measurement[]> {
  const docId = 'open'
  const updates = await writeLog(admin, docId, trace)
  const fromLog = await openTimes(clients, docId, trace.endContent)
  await compactDocument(admin, docId, { force: true })
  const fromSnapshot = await openTimes(clients, docId, trace.endContent)
  return [
    { benchmark: BENCHMARK, metric: `open automerge-paper from an uncompacted log (${updates.toLocaleString('en-US')} updates), median`, value: fixed(median(fromLog), 0), unit: 'ms', notes: `${OPENS} opens, new client each; ${EDITS_PER_LOGGED_UPDATE} edits per update` },
    { benchmark: BENCHMARK, metric: 'open automerge-paper from its compacted snapshot, median', value: fixed(median(fromSnapshot), 0), unit: 'ms', notes: `${OPENS} opens; ratio ${fixed(median(fromLog) / median(fromSnapshot), 1)}x faster than the log` },
  ]
}

/** Client A inserts a character; latency until client B's text has it. */
async function remoteLatency(clients: Clients): Promise<Measurement[]> {
  const docId = 'latency'
  const [a, b] = [openPeer(clients, docId, { flushDelayMs: 0 }), openPeer(clients, docId, { flushDelayMs: 0 })] as [Peer, Peer]
  await Promise.all([a.provider.whenSynced, b.provider.whenSynced])
  const samples: number[] = []
  for (let i = 0; i < LATENCY_SAMPLES + 20; i++) {
    const length = b.text.length
    const arrived = new Promise<number>((resolve) => {
      const observer = () => {
        if (b.text.length > length) {
          b.text.unobserve(observer)
          resolve(performance.now())
        }
      }
      b.text.observe(observer)
    })
    const start = performance.now()
    a.text.insert(a.text.length, 'x')
    const end = await arrived
    if (i >= 20) samples.push(end - start) // the first ones warm up streams and JIT
    await sleep(5)
  }
  a.provider.destroy()
  b.provider.destroy()
  return [
    { benchmark: BENCHMARK, metric: 'edit on client A to text on client B, p50', value: fixed(median(samples)), unit: 'ms', notes: `${LATENCY_SAMPLES} edits, flushDelayMs 0; with the default 150 ms batching add up to 150 ms` },
    { benchmark: BENCHMARK, metric: 'edit on client A to text on client B, p99', value: fixed(quantile(samples, 0.99)), unit: 'ms' },
  ]
}

/** The provider's numbers (design.md section 9). */
export async function benchSync(emulatorHost: string): Promise<Measurement[]> {
  const clients = new Clients(uniqueProjectId('demo-bench-sync'), emulatorHost)
  const admin = clients.admin()
  const trace = loadTrace('automerge-paper')
  try {
    return [
      ...(await remoteLatency(clients)),
      ...(await typingPace(clients, admin, trace)),
      ...(await replayTrace(clients, admin, trace)),
      ...(await openBench(clients, admin, trace)),
    ]
  } finally {
    await clients.close()
  }
}
