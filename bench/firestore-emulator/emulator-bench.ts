import { performance } from 'node:perf_hooks'
import { doc, onSnapshot, setDoc } from 'firebase/firestore'
import { Clients, uniqueProjectId } from '../../emulator-tests/support/clients.js'
import { fixed, median, quantile } from '../lib/stats.js'
import type { Measurement } from '../lib/report.js'

const COMMIT_SECONDS = 5
const LISTENERS = 20
const FANOUT_COMMITS = 200

/** Sequential commits from one writer for a fixed time: commits per second. */
async function commitsPerSecond(write: (i: number) => Promise<unknown>): Promise<{ rate: number; latencies: number[] }> {
  for (let i = 0; i < 50; i++) await write(i) // warm-up: connections, JIT
  const latencies: number[] = []
  const start = performance.now()
  let i = 0
  while (performance.now() - start < COMMIT_SECONDS * 1000) {
    const t = performance.now()
    await write(i++)
    latencies.push(performance.now() - t)
  }
  return { rate: i / ((performance.now() - start) / 1000), latencies }
}

/**
 * One writer commits; 20 client SDK instances (each with its own Listen stream) listen to
 * the document. Latency is from just before the commit to each listener's snapshot.
 */
async function fanoutLatency(clients: Clients): Promise<number[]> {
  const writer = clients.admin()
  const listeners = Array.from({ length: LISTENERS }, () => clients.web())
  const ref = writer.doc('bench/fanout')
  await ref.set({ i: -1 })
  const samples: number[] = []
  let sentAt = 0
  let expected = -1
  let waiting: { count: number; resolve: () => void } | undefined
  const unsubscribes = listeners.map((db) =>
    onSnapshot(doc(db, 'bench/fanout'), (snapshot) => {
      if (snapshot.get('i') !== expected || !waiting) return
      samples.push(performance.now() - sentAt)
      if (--waiting.count === 0) waiting.resolve()
    }),
  )
  const everyoneSees = async (i: number) => {
    expected = i
    const seen = new Promise<void>((resolve) => (waiting = { count: LISTENERS, resolve }))
    sentAt = performance.now()
    await ref.set({ i })
    await seen
  }
  await everyoneSees(0) // all listeners are up and current
  samples.length = 0
  for (let i = 1; i <= FANOUT_COMMITS; i++) await everyoneSees(i)
  unsubscribes.forEach((unsubscribe) => unsubscribe())
  return samples
}

/** The emulator's own numbers: commit throughput and listener fan-out latency. */
export async function benchEmulator(emulatorHost: string, label: string): Promise<Measurement[]> {
  const clients = new Clients(uniqueProjectId('demo-bench'), emulatorHost)
  try {
    const admin = clients.admin()
    const adminCommits = await commitsPerSecond((i) => admin.doc(`bench/a${i % 100}`).set({ i }))
    const web = clients.web()
    const webCommits = await commitsPerSecond((i) => setDoc(doc(web, `bench/w${i % 100}`), { i }))
    const fanout = await fanoutLatency(clients)
    const benchmark = `Firestore emulator (${label})`
    return [
      { benchmark, metric: 'commits/s, one Admin SDK writer (sequential)', value: fixed(adminCommits.rate, 0), unit: 'commits/s', notes: `p50 ${fixed(median(adminCommits.latencies))} ms per commit` },
      { benchmark, metric: 'commits/s, one client SDK writer (sequential, Write stream)', value: fixed(webCommits.rate, 0), unit: 'commits/s', notes: `p50 ${fixed(median(webCommits.latencies))} ms per commit` },
      { benchmark, metric: `commit to ${LISTENERS} listeners, p50`, value: fixed(median(fanout)), unit: 'ms', notes: `${fanout.length} samples, ${FANOUT_COMMITS} commits; all clients in one process` },
      { benchmark, metric: `commit to ${LISTENERS} listeners, p99`, value: fixed(quantile(fanout, 0.99)), unit: 'ms' },
    ]
  } finally {
    await clients.close()
  }
}
