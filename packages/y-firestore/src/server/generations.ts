import { FieldValue, Timestamp, type DocumentData, type Firestore, type WriteBatch } from 'firebase-admin/firestore'
import { join, split } from '../chunks.js'
import { chunkId, chunksPath, documentPath } from '../paths.js'
import { toBytes, type StoredBytes } from '../update-log.js'
import { commitInBatches, deletion, type PlannedWrite } from './batches.js'

/**
 * Snapshot generations: `documents/{docId}/snapshots/{gen}/chunks/{index}` hold one compacted
 * state. Beside the chunks, compaction writes a marker `documents/{docId}/snapshots/{gen}`
 * (`{ chunks, bytes, createdAt }`): clients never read it; it makes generations listable, so
 * one left behind by a crashed run can be found and removed.
 */

/** The snapshot pointer in `documents/{docId}.snapshot`, as written by compaction. */
export interface Pointer {
  gen: string
  chunks: number
  bytes: number
  stateVector: Uint8Array
  updates: number
}

/** A generation older than this that the pointer does not name was abandoned by a crashed run. */
export const ABANDONED_AFTER_MS = 60 * 60 * 1000

/** `documents/{docId}/snapshots`: the generation markers. */
export const snapshotsPath = (docId: string) => `${documentPath(docId)}/snapshots`

/** Reads `documents/{docId}.snapshot`; undefined when absent, null or malformed. */
export function readPointer(data: DocumentData | undefined): Pointer | undefined {
  const value: unknown = data?.['snapshot']
  if (typeof value !== 'object' || value === null) return undefined
  const { gen, chunks, bytes, stateVector, updates } = value as Record<string, unknown>
  if (typeof gen !== 'string' || gen === '' || typeof chunks !== 'number' || !Number.isInteger(chunks) || chunks < 1) return undefined
  return {
    gen,
    chunks,
    bytes: typeof bytes === 'number' ? bytes : 0,
    stateVector: stateVector instanceof Uint8Array ? stateVector : new Uint8Array(),
    updates: typeof updates === 'number' ? updates : 0,
  }
}

/**
 * Writes `state` as generation `gen`: marker and chunks, in as many batches as the commit
 * limits need. Nothing reads a generation before the pointer names it, so partial progress is
 * invisible.
 */
export async function writeGeneration(db: Firestore, docId: string, gen: string, state: Uint8Array): Promise<number> {
  const pieces = split(state)
  const marker = db.doc(`${snapshotsPath(docId)}/${gen}`)
  const chunks = db.collection(chunksPath(docId, gen))
  const writes: PlannedWrite[] = [
    { apply: (batch) => batch.set(marker, { chunks: pieces.length, bytes: state.length, createdAt: FieldValue.serverTimestamp() }), bytes: 0, writes: 2 },
    ...pieces.map((piece, index) => ({ apply: (batch: WriteBatch) => batch.set(chunks.doc(chunkId(index)), { data: piece }), bytes: piece.length })),
  ]
  await commitInBatches(db, writes)
  return pieces.length
}

/**
 * Reads generation `pointer.gen` and joins its chunks; undefined when it does not have
 * `pointer.chunks` chunks (deleted while read: the pointer has moved on since).
 */
export async function loadGeneration(db: Firestore, docId: string, pointer: Pointer): Promise<Uint8Array | undefined> {
  const snapshot = await db.collection(chunksPath(docId, pointer.gen)).get()
  if (snapshot.size !== pointer.chunks) return undefined
  const docs = [...snapshot.docs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  return join(docs.map((doc) => toBytes(doc.get('data') as StoredBytes)))
}

/** Deletes generation `gen`: its chunks, then its marker. */
export async function deleteGeneration(db: Firestore, docId: string, gen: string): Promise<void> {
  const chunks = await db.collection(chunksPath(docId, gen)).select().get()
  await commitInBatches(db, chunks.docs.map((doc) => deletion(doc.ref)))
  await db.doc(`${snapshotsPath(docId)}/${gen}`).delete()
}

/**
 * Removes generations a crashed run left behind: older than `olderThanMs` and not named by
 * the pointer. The marker is deleted in a transaction that checks the pointer, and a
 * compaction's own transaction requires its marker, so a generation is either adopted by the
 * pointer or removed, never both. Returns the generations removed.
 */
export async function removeAbandonedGenerations(db: Firestore, docId: string, olderThanMs = ABANDONED_AFTER_MS): Promise<string[]> {
  const cutoff = Timestamp.now().toMillis() - olderThanMs
  const markers = await db.collection(snapshotsPath(docId)).get()
  const removed: string[] = []
  for (const marker of markers.docs) {
    if (marker.createTime.toMillis() > cutoff) continue
    const claimed = await db.runTransaction(async (tx) => {
      const [current, still] = await tx.getAll(db.doc(documentPath(docId)), marker.ref)
      if (!current || !still || !still.exists || readPointer(current.data())?.gen === marker.id) return false
      tx.delete(marker.ref)
      return true
    })
    if (!claimed) continue
    const chunks = await db.collection(chunksPath(docId, marker.id)).select().get()
    await commitInBatches(db, chunks.docs.map((doc) => deletion(doc.ref)))
    removed.push(marker.id)
  }
  return removed
}
