import {
  collection,
  deleteDoc,
  doc as docRef,
  onSnapshot,
  serverTimestamp,
  setDoc,
  Timestamp,
  type Firestore,
  type QuerySnapshot,
  type DocumentData,
} from 'firebase/firestore'
import * as encoding from 'lib0/encoding'
import { applyAwarenessUpdate, removeAwarenessStates, type Awareness } from 'y-protocols/awareness'
import { YFirestoreError } from './errors.js'
import { presencePath } from './paths.js'

/** Cursor moves are written at most this often. */
export const PRESENCE_THROTTLE_MS = 150
/** The own entry is rewritten this often while nothing changes, so peers know it is alive. */
export const PRESENCE_HEARTBEAT_MS = 10_000
/** Peers whose entry is older than this are dropped. */
export const PRESENCE_TIMEOUT_MS = 30_000

/** A user, as y-codemirror.next reads it from the awareness state. */
interface AwarenessUser {
  name?: unknown
  color?: unknown
}

/**
 * Mirrors a y-protocols Awareness to `documents/{docId}/presence/{clientId}`: the local
 * state is written (throttled, with a heartbeat), peers' entries are applied to the
 * Awareness, stale or deleted ones removed; the own entry is deleted on destroy.
 */
export class PresenceSync {
  private readonly unsubscribe: () => void
  private readonly heartbeat: ReturnType<typeof setInterval>
  private throttle: ReturnType<typeof setTimeout> | undefined
  private lastWrite = 0
  /** Peer client ID -> when its entry was last updated (ms, local clock). */
  private readonly peers = new Map<number, number>()
  private destroyed = false

  constructor(
    private readonly firestore: Firestore,
    private readonly docId: string,
    private readonly awareness: Awareness,
    private readonly author: () => string | null,
    private readonly onError: (error: YFirestoreError) => void,
  ) {
    awareness.on('update', this.onAwarenessUpdate)
    this.unsubscribe = onSnapshot(
      collection(firestore, presencePath(docId)),
      (snapshot) => this.onPeers(snapshot),
      (error) => onError(new YFirestoreError('read-failed', `Listening to presence of document ${docId} failed: ${error.message}`, error)),
    )
    this.heartbeat = setInterval(() => {
      this.write()
      this.dropStale()
    }, PRESENCE_HEARTBEAT_MS)
    this.write()
  }

  private get ownRef() {
    return docRef(this.firestore, presencePath(this.docId), String(this.awareness.clientID))
  }

  private readonly onAwarenessUpdate = ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => {
    if (origin === this) return
    const own = this.awareness.clientID
    if (![...added, ...updated, ...removed].includes(own)) return
    const wait = this.lastWrite + PRESENCE_THROTTLE_MS - Date.now()
    if (wait <= 0) this.write()
    else if (this.throttle === undefined) this.throttle = setTimeout(() => this.write(), wait)
  }

  private write(): void {
    clearTimeout(this.throttle)
    this.throttle = undefined
    if (this.destroyed) return
    this.lastWrite = Date.now()
    const state = this.awareness.getLocalState()
    if (state === null) {
      deleteDoc(this.ownRef).catch((error: unknown) => this.fail('write', error))
      return
    }
    const user = (state['user'] ?? {}) as AwarenessUser
    setDoc(this.ownRef, {
      uid: this.author(),
      name: typeof user.name === 'string' ? user.name : '',
      color: typeof user.color === 'string' ? user.color : '',
      // JSON keeps the state's shape exactly (Firestore maps drop undefined and reorder keys).
      state: JSON.stringify(state),
      clock: this.awareness.meta.get(this.awareness.clientID)?.clock ?? 0,
      updatedAt: serverTimestamp(),
      expiresAt: Timestamp.fromMillis(Date.now() + PRESENCE_TIMEOUT_MS),
    }).catch((error: unknown) => this.fail('write', error))
  }

  private onPeers(snapshot: QuerySnapshot<DocumentData>): void {
    for (const change of snapshot.docChanges()) {
      const clientId = Number(change.doc.id)
      if (!Number.isInteger(clientId) || clientId === this.awareness.clientID) continue
      if (change.type === 'removed') {
        this.peers.delete(clientId)
        removeAwarenessStates(this.awareness, [clientId], this)
        continue
      }
      const data = change.doc.data()
      const expiresAt = data['expiresAt'] instanceof Timestamp ? data['expiresAt'].toMillis() : 0
      if (expiresAt < Date.now() || typeof data['state'] !== 'string') continue
      try {
        this.applyPeer(clientId, Number(data['clock']) || 0, data['state'])
        this.peers.set(clientId, Date.now())
      } catch {
        // A malformed peer entry is ignored; it must not break presence for everyone else.
      }
    }
  }

  /** Applies a peer's state through the awareness protocol, so clocks and events behave as usual. */
  private applyPeer(clientId: number, clock: number, state: string): void {
    JSON.parse(state)
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, 1)
    encoding.writeVarUint(encoder, clientId)
    encoding.writeVarUint(encoder, clock)
    encoding.writeVarString(encoder, state)
    applyAwarenessUpdate(this.awareness, encoding.toUint8Array(encoder), this)
  }

  private dropStale(): void {
    const cutoff = Date.now() - PRESENCE_TIMEOUT_MS
    const stale = [...this.peers].filter(([, seen]) => seen < cutoff).map(([id]) => id)
    stale.forEach((id) => this.peers.delete(id))
    if (stale.length > 0) removeAwarenessStates(this.awareness, stale, this)
  }

  private fail(what: string, error: unknown): void {
    if (this.destroyed) return
    this.onError(new YFirestoreError('write-failed', `Presence ${what} for document ${this.docId} failed: ${error instanceof Error ? error.message : String(error)}`, error))
  }

  destroy(): void {
    if (this.destroyed) return
    this.destroyed = true
    clearTimeout(this.throttle)
    clearInterval(this.heartbeat)
    this.awareness.off('update', this.onAwarenessUpdate)
    this.unsubscribe()
    deleteDoc(this.ownRef).catch(() => {})
    removeAwarenessStates(this.awareness, [...this.peers.keys()], this)
  }
}
