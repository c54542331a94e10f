import { FieldValue, Timestamp, type Firestore as AdminFirestore } from 'firebase-admin/firestore'
import * as Y from 'yjs'
import { FirestoreProvider, paths } from '@quire/y-firestore'
import { readPointer, snapshotsPath, type Pointer } from '@quire/y-firestore/server'
import type { Clients } from '../support/clients.js'

/** Shared steps of the compaction tests: documents, clients, and looks at what is stored. */

/** Waits until `check()` holds, polling; fails with `what` after `timeoutMs`. */
export async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** Creates `documents/{docId}` as the app would: metadata, no snapshot yet. */
export async function createDocument(admin: AdminFirestore, docId: string): Promise<void> {
  await admin.doc(paths.documentPath(docId)).set({
    title: `Test ${docId}`,
    owner: 'alice',
    roles: { alice: 'owner', bob: 'editor' },
    createdAt: FieldValue.serverTimestamp(),
    updatedAt: FieldValue.serverTimestamp(),
    snapshot: null,
  })
}

/** A client: a Y.Doc kept in Firestore by a provider on its own web SDK instance. */
export interface Client {
  doc: Y.Doc
  provider: FirestoreProvider
  text: Y.Text
  /** Errors the provider reported (undecodable updates, failed reads). */
  errors: string[]
}

/** Opens `docId` on a new web SDK instance with a fresh Y.Doc. */
export function openClient(clients: Clients, docId: string, author = 'alice'): Client {
  const doc = new Y.Doc()
  const provider = new FirestoreProvider(clients.web(), docId, doc, { author, flushDelayMs: 20, indexedDb: false })
  const errors: string[] = []
  provider.on('error', (error) => errors.push(error.message))
  return { doc, provider, text: doc.getText('content'), errors }
}

/** Opens `docId` on a fresh client, waits for its initial state and returns its text. */
export async function freshText(clients: Clients, docId: string): Promise<string> {
  const client = openClient(clients, docId, 'carol')
  try {
    await client.provider.whenSynced
    return client.text.toString()
  } finally {
    client.provider.destroy()
  }
}

/** The document's snapshot pointer, with `at` (undefined when there is none). */
export async function pointerOf(admin: AdminFirestore, docId: string): Promise<(Pointer & { at: unknown }) | undefined> {
  const data = (await admin.doc(paths.documentPath(docId)).get()).data()
  const pointer = readPointer(data)
  return pointer && { ...pointer, at: (data?.['snapshot'] as { at?: unknown }).at }
}

/** IDs of the update documents in the log. */
export async function logIds(admin: AdminFirestore, docId: string): Promise<string[]> {
  return (await admin.collection(paths.updatesPath(docId)).get()).docs.map((doc) => doc.id).sort()
}

/** Bytes of the `update` fields in the log. */
export async function logBytes(admin: AdminFirestore, docId: string): Promise<number> {
  const snapshot = await admin.collection(paths.updatesPath(docId)).get()
  return snapshot.docs.reduce((sum, doc) => sum + (doc.get('update') as Uint8Array).length, 0)
}

/** The generations that have chunks stored for `docId`, from every chunk document there is. */
export async function chunkGenerations(admin: AdminFirestore, docId: string): Promise<string[]> {
  const prefix = `${paths.documentPath(docId)}/snapshots/`
  const chunks = await admin.collectionGroup('chunks').get()
  const gens = new Set<string>()
  for (const chunk of chunks.docs) if (chunk.ref.path.startsWith(prefix)) gens.add(chunk.ref.parent.parent!.id)
  return [...gens].sort()
}

/** The generation markers stored for `docId`. */
export async function markerGenerations(admin: AdminFirestore, docId: string): Promise<string[]> {
  return (await admin.collection(snapshotsPath(docId)).get()).docs.map((doc) => doc.id).sort()
}

/** Writes Yjs updates into the log with the Admin SDK, as a provider would, `perBatch` per commit. */
export async function writeUpdates(admin: AdminFirestore, docId: string, updates: readonly Uint8Array[], perBatch = 500): Promise<void> {
  const log = admin.collection(paths.updatesPath(docId))
  for (let start = 0; start < updates.length; start += perBatch) {
    const batch = admin.batch()
    for (const update of updates.slice(start, start + perBatch)) batch.set(log.doc(), { update, author: 'alice', createdAt: FieldValue.serverTimestamp() })
    await batch.commit()
  }
}

/** The updates a Y.Doc emits while `edit` runs (one per transaction). */
export function captureUpdates(doc: Y.Doc, edit: () => void): Uint8Array[] {
  const updates: Uint8Array[] = []
  const onUpdate = (update: Uint8Array) => updates.push(update)
  doc.on('update', onUpdate)
  try {
    edit()
  } finally {
    doc.off('update', onUpdate)
  }
  return updates
}

/** Whether `value` is an Admin SDK Timestamp (as a server timestamp reads back). */
export const isTimestamp = (value: unknown): value is Timestamp => value instanceof Timestamp
