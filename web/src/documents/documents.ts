import { listenThroughOwnWrites } from '@quire/y-firestore'
import { collection, deleteDoc, deleteField, doc, onSnapshot, orderBy, query, serverTimestamp, setDoc, updateDoc, type Firestore, type FirestoreError, type Timestamp } from 'firebase/firestore'

/** A member's role in a document (firestore.rules). */
export type Role = 'owner' | 'editor' | 'viewer'

/** One entry of the user's document index, `users/{uid}/documents/{docId}` (written by syncUserIndex). */
export interface DocumentEntry {
  id: string
  title: string
  role: Role
  updatedAt: Date | null
}

/** What `documents/{docId}` says about a document (its text is in the update log). */
export interface DocumentMeta {
  title: string
  owner: string
  roles: Record<string, Role>
}

/** The longest title firestore.rules accept. */
export const MAX_TITLE = 200

/** The title of a document nobody named. */
export const UNTITLED = 'Untitled'

function isRole(value: unknown): value is Role {
  return value === 'owner' || value === 'editor' || value === 'viewer'
}

/**
 * Follows the user's document list, newest first. `fromCache` says the list may be behind
 * the server (offline, or the first answer while connecting).
 */
export function watchDocuments(db: Firestore, uid: string, onChange: (entries: DocumentEntry[], fromCache: boolean) => void, onError: (error: unknown) => void): () => void {
  const list = query(collection(db, 'users', uid, 'documents'), orderBy('updatedAt', 'desc'))
  return onSnapshot(
    list,
    { includeMetadataChanges: true },
    (snapshot) => {
      const entries = snapshot.docs.map((entry): DocumentEntry => {
        const data = entry.data()
        const updatedAt = data['updatedAt'] as Timestamp | undefined
        return {
          id: entry.id,
          title: typeof data['title'] === 'string' && data['title'] ? data['title'] : UNTITLED,
          role: isRole(data['role']) ? data['role'] : 'viewer',
          updatedAt: updatedAt?.toDate?.() ?? null,
        }
      })
      onChange(entries, snapshot.metadata.fromCache)
    },
    onError,
  )
}

/**
 * Creates a document owned by `uid`, exactly as firestore.rules require, and returns its ID at
 * once: the write is queued in the local cache (so the editor can open it, offline too), and
 * the returned promise `saved` settles when the server accepts or refuses it.
 */
export function createDocument(db: Firestore, uid: string, title: string): { id: string; saved: Promise<void> } {
  const ref = doc(collection(db, 'documents'))
  const saved = setDoc(ref, {
    title: title.slice(0, MAX_TITLE),
    owner: uid,
    roles: { [uid]: 'owner' },
    createdAt: serverTimestamp(),
    updatedAt: serverTimestamp(),
    snapshot: null,
  })
  return { id: ref.id, saved }
}

/** Renames a document (owner or editor). */
export async function renameDocument(db: Firestore, docId: string, title: string): Promise<void> {
  await updateDoc(doc(db, 'documents', docId), { title: title.slice(0, MAX_TITLE), updatedAt: serverTimestamp() })
}

/** Deletes a document (owner); the user index entries go with it (syncUserIndex). */
export async function deleteDocument(db: Firestore, docId: string): Promise<void> {
  await deleteDoc(doc(db, 'documents', docId))
}

/** Sets or removes (role null) a member's role directly (owner only; the owner's own role never changes). */
export async function setRole(db: Firestore, docId: string, uid: string, role: 'editor' | 'viewer' | null): Promise<void> {
  await updateDoc(doc(db, 'documents', docId), { [`roles.${uid}`]: role ?? deleteField(), updatedAt: serverTimestamp() })
}

/** What the metadata listener reports. */
export type MetaEvent =
  | { kind: 'found'; meta: DocumentMeta; fromCache: boolean }
  /** Not in the local cache while the server cannot be asked (offline, never opened here). */
  | { kind: 'unknown-offline' }
  /** The server says there is no such document (or it was deleted while open). */
  | { kind: 'missing' }
  /** The rules refused the read: not a member (or no longer one), or a deleted document. */
  | { kind: 'denied' }
  | { kind: 'error'; error: unknown }

/** Follows `documents/{docId}`: title, owner, roles; and whether it can be read at all. */
export function watchDocument(db: Firestore, docId: string, onEvent: (event: MetaEvent) => void): () => void {
  const path = `documents/${docId}`
  const listen = (fail: (error: FirestoreError) => void) =>
    onSnapshot(doc(db, path), { includeMetadataChanges: true }, (snapshot) => {
      const data = snapshot.data()
      if (!data) {
        onEvent(snapshot.metadata.fromCache ? { kind: 'unknown-offline' } : { kind: 'missing' })
        return
      }
      const roles: Record<string, Role> = {}
      for (const [uid, role] of Object.entries((data['roles'] ?? {}) as Record<string, unknown>)) if (isRole(role)) roles[uid] = role
      onEvent({
        kind: 'found',
        fromCache: snapshot.metadata.fromCache,
        meta: { title: typeof data['title'] === 'string' && data['title'] ? data['title'] : UNTITLED, owner: String(data['owner'] ?? ''), roles },
      })
    }, fail)
  // A listen that overtook this client's creation of the document is refused; it is retried once the creation lands.
  return listenThroughOwnWrites(db, path, listen, (error) => onEvent(error.code === 'permission-denied' ? { kind: 'denied' } : { kind: 'error', error }))
}
