/**
 * Where a Quire document lives in Firestore (design.md section 3). The provider and the
 * compaction functions both build their paths here, so they cannot disagree.
 */

/** Top-level collection of documents. */
export const DOCUMENTS = 'documents'

/** `documents/{docId}`: metadata and the snapshot pointer. */
export const documentPath = (docId: string) => `${DOCUMENTS}/${docId}`

/** `documents/{docId}/updates`: the log of incremental Yjs updates. */
export const updatesPath = (docId: string) => `${DOCUMENTS}/${docId}/updates`

/** `documents/{docId}/snapshots/{gen}/chunks`: one compacted state, in chunks. */
export const chunksPath = (docId: string, gen: string) => `${DOCUMENTS}/${docId}/snapshots/${gen}/chunks`

/** `documents/{docId}/presence`: one entry per connected client. */
export const presencePath = (docId: string) => `${DOCUMENTS}/${docId}/presence`

/** `documents/{docId}/rejected`: updates that do not decode, set aside by compaction. */
export const rejectedPath = (docId: string) => `${DOCUMENTS}/${docId}/rejected`

/** A chunk's document ID: zero-padded, so IDs sort in chunk order. */
export const chunkId = (index: number) => String(index).padStart(6, '0')
