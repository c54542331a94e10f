/**
 * Shared pieces of the sync tests: opening providers on independent clients, waiting for a
 * condition, a seeded PRNG, and reading the update log with the Admin SDK.
 */
import type { Firestore as AdminFirestore } from 'firebase-admin/firestore'
import type { Firestore } from 'firebase/firestore'
import * as Y from 'yjs'
import { FirestoreProvider, paths, type FirestoreProviderOptions, type ProviderStatus, type YFirestoreError } from '@quire/y-firestore'
import { UpdateAssembler, type UpdateRecord } from '../../packages/y-firestore/src/update-log.js'
import type { Clients } from '../support/clients.js'

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** Polls `check` every 10 ms until it holds; fails with `what` after `timeoutMs`. */
export async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(10)
  }
}

/** mulberry32: a small seeded PRNG, so a failing random run can be replayed. Returns [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** One provider on its own client, with what it emitted recorded for assertions. */
export interface Peer {
  firestore: Firestore
  doc: Y.Doc
  text: Y.Text
  provider: FirestoreProvider
  errors: YFirestoreError[]
  statuses: ProviderStatus[]
}

/**
 * Opens a provider for `docId` on a new, independent web client (or on `firestore`), on a new
 * Y.Doc (or on `doc`). `author` defaults to a name of its own, since no Auth emulator runs.
 */
export function openPeer(
  clients: Clients,
  docId: string,
  options: FirestoreProviderOptions & { doc?: Y.Doc; firestore?: Firestore } = {},
): Peer {
  const { doc = new Y.Doc(), firestore = clients.web(), ...providerOptions } = options
  const provider = new FirestoreProvider(firestore, docId, doc, { author: `user-${doc.clientID}`, indexedDb: false, ...providerOptions })
  const peer: Peer = { firestore, doc, text: doc.getText('content'), provider, errors: [], statuses: [] }
  provider.on('error', (error) => peer.errors.push(error))
  provider.on('status', (status) => peer.statuses.push(status))
  return peer
}

/** Every peer's text, for comparing and for failure messages. */
export const texts = (peers: readonly Peer[]) => peers.map((peer) => peer.text.toString())

/** Waits until every peer is synced with nothing unsaved and all texts are equal. */
export async function converged(peers: readonly Peer[], timeoutMs = 20_000): Promise<string> {
  await until(
    () => {
      const all = texts(peers)
      return all.every((text) => text === all[0]) && peers.every((peer) => peer.provider.status === 'synced' && peer.provider.unsavedBytes === 0)
    },
    `convergence of ${peers.length} peers`,
    timeoutMs,
  )
  return peers[0]!.text.toString()
}

/** The update log of `docId` as the Admin SDK reads it: document ID and fields. */
export async function readLog(admin: AdminFirestore, docId: string): Promise<{ id: string; data: UpdateRecord & { createdAt?: unknown } }[]> {
  const snapshot = await admin.collection(paths.updatesPath(docId)).get()
  return snapshot.docs.map((doc) => ({ id: doc.id, data: doc.data() as UpdateRecord }))
}

/**
 * What the server holds of `docId`: the update log read with the Admin SDK, reassembled and
 * applied to a fresh Y.Doc (records that do not decode are skipped, as the provider does).
 */
export async function serverDoc(admin: AdminFirestore, docId: string): Promise<Y.Doc> {
  const doc = new Y.Doc()
  const assembler = new UpdateAssembler()
  for (const { data } of await readLog(admin, docId)) {
    const assembled = assembler.add(data)
    if (assembled && 'update' in assembled) {
      try {
        Y.applyUpdate(doc, assembled.update)
      } catch {
        // Not a Yjs update: skipped, like the provider skips it.
      }
    }
  }
  return doc
}

/** Whether `outer` contains everything of `inner` (state vector and deletions). */
export function contains(outer: Y.Doc, inner: Y.Doc): boolean {
  const missing = Y.encodeStateAsUpdate(inner, Y.encodeStateVector(outer))
  const probe = new Y.Doc()
  Y.applyUpdate(probe, Y.encodeStateAsUpdate(outer))
  const before = Y.snapshot(probe)
  Y.applyUpdate(probe, missing)
  return Y.equalSnapshots(before, Y.snapshot(probe))
}

/** How often `needle` occurs in `haystack` (non-overlapping). */
export function occurrences(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1
}
