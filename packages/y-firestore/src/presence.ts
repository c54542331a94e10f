import {
  collection,
  deleteDoc,
  doc as docRef,
  onSnapshot,
  serverTimestamp,
  setDoc,
  Timestamp,
  type DocumentReference,
  type Firestore,
  type QuerySnapshot,
  type DocumentData,
} from 'firebase/firestore'
import * as encoding from 'lib0/encoding'
import { applyAwarenessUpdate, removeAwarenessStates, type Awareness } from 'y-protocols/awareness'
import { listenThroughOwnWrites } from './access.js'
import { onPageHide, tabStorage } from './browser-tab.js'
import { YFirestoreError } from './errors.js'
import { documentPath, presencePath } from './paths.js'

/** Cursor moves are written at most this often (ms). */
export const PRESENCE_THROTTLE_MS = 150
/** The own entry is rewritten this often while nothing changes, so peers know it is alive (ms). */
export const PRESENCE_HEARTBEAT_MS = 10_000
/** Peers whose entry has not been rewritten for this long are dropped (ms). */
export const PRESENCE_TIMEOUT_MS = 30_000

/**
 * Presence timing. The defaults are the PRESENCE_* constants; shorter values are meant for
 * tests (a heartbeat must stay well below the timeout, or live peers get dropped).
 */
export interface PresenceTiming {
  /** Minimum interval between two writes of the own entry (ms). */
  throttleMs?: number
  /** Interval of the heartbeat rewrite of the own entry and of the stale-peer sweep (ms). */
  heartbeatMs?: number
  /** A peer whose entry has not changed for this long is dropped; also the entries' `expiresAt` (ms). */
  timeoutMs?: number
}

/**
 * Where a page that goes away (a reload, a link followed) leaves the client ID of its presence
 * entry, for the next page in the same tab to delete: a closing page cannot be relied on to
 * get its own delete out, and until it expires the entry shows as a second, frozen cursor.
 * sessionStorage is per tab, so another tab's live entry is never touched.
 */
const leftEntryKey = (docId: string) => `y-firestore:left-presence:${docId}`

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
  private readonly stopPageHide: () => void
  private readonly heartbeat: ReturnType<typeof setInterval>
  private readonly throttleMs: number
  private readonly timeoutMs: number
  private throttle: ReturnType<typeof setTimeout> | undefined
  private lastWrite = 0
  /** Peer client ID -> when its entry last changed (ms, local clock: immune to clock skew). */
  private readonly peers = new Map<number, number>()
  private destroyed = false

  constructor(
    private readonly firestore: Firestore,
    private readonly docId: string,
    private readonly awareness: Awareness,
    private readonly author: () => string | null,
    private readonly onError: (error: YFirestoreError) => void,
    timing: PresenceTiming = {},
  ) {
    this.throttleMs = timing.throttleMs ?? PRESENCE_THROTTLE_MS
    this.timeoutMs = timing.timeoutMs ?? PRESENCE_TIMEOUT_MS
    awareness.on('update', this.onAwarenessUpdate)
    let unsubscribe = () => {}
    try {
      const peers = collection(firestore, presencePath(docId))
      unsubscribe = listenThroughOwnWrites(
        firestore,
        documentPath(docId),
        (fail) => onSnapshot(peers, (snapshot) => this.onPeers(snapshot), fail),
        (error) => this.onError(new YFirestoreError('read-failed', `Listening to presence of document ${docId} failed: ${error.message}`, error)),
      )
    } catch (error) {
      // A terminated Firestore throws synchronously; presence is then simply off.
      this.fail('listen', error, 'read-failed')
    }
    this.unsubscribe = unsubscribe
    this.heartbeat = setInterval(() => {
      this.write()
      this.dropStale()
    }, timing.heartbeatMs ?? PRESENCE_HEARTBEAT_MS)
    this.write()
    this.deleteLeftEntry()
    this.stopPageHide = onPageHide(() => tabStorage()?.setItem(leftEntryKey(this.docId), String(this.awareness.clientID)))
  }

  /** Deletes the entry the previous page of this tab left behind for this document, if any. */
  private deleteLeftEntry(): void {
    const storage = tabStorage()
    const left = storage?.getItem(leftEntryKey(this.docId))
    if (!storage || left == null) return
    storage.removeItem(leftEntryKey(this.docId))
    if (left === String(this.awareness.clientID)) return
    try {
      // Refused (and harmless) if that page belonged to another user: the entry then just expires.
      deleteDoc(docRef(this.firestore, presencePath(this.docId), left)).catch(() => {})
    } catch {
      // The client is already terminated.
    }
  }

  private get ownRef(): DocumentReference {
    return docRef(this.firestore, presencePath(this.docId), String(this.awareness.clientID))
  }

  private readonly onAwarenessUpdate = ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => {
    if (origin === this) return
    const own = this.awareness.clientID
    if (![...added, ...updated, ...removed].includes(own)) return
    const wait = this.lastWrite + this.throttleMs - Date.now()
    if (wait <= 0) this.write()
    else if (this.throttle === undefined) this.throttle = setTimeout(() => this.write(), wait)
  }

  private write(): void {
    clearTimeout(this.throttle)
    this.throttle = undefined
    if (this.destroyed) return
    this.lastWrite = Date.now()
    // The SDK throws synchronously once its client is terminated; timers must not crash on it.
    try {
      const state = this.awareness.getLocalState()
      if (state === null) {
        deleteDoc(this.ownRef).catch((error: unknown) => this.fail('delete', error))
        return
      }
      const user = (state['user'] ?? {}) as AwarenessUser
      setDoc(this.ownRef, {
        uid: this.author(),
        name: typeof user.name === 'string' ? user.name : '',
        color: typeof user.color === 'string' ? user.color : '',
        // JSON keeps the state's shape exactly (Firestore maps drop undefined and reorder keys).
        state: JSON.stringify(state),
        updatedAt: serverTimestamp(),
        expiresAt: Timestamp.fromMillis(Date.now() + this.timeoutMs),
      }).catch((error: unknown) => this.fail('write', error))
    } catch (error) {
      this.fail('write', error)
    }
  }

  private onPeers(snapshot: QuerySnapshot<DocumentData>): void {
    // Nothing a peer wrote may throw out of the listener (nor may an awareness observer).
    try {
      const now = Date.now()
      const removed: number[] = []
      for (const change of snapshot.docChanges()) {
        const clientId = Number(change.doc.id)
        if (!Number.isInteger(clientId) || clientId === this.awareness.clientID) continue
        if (change.type === 'removed') {
          removed.push(clientId)
          continue
        }
        const data = change.doc.data()
        const expiresAt = data['expiresAt'] instanceof Timestamp ? data['expiresAt'].toMillis() : 0
        if (expiresAt < now || typeof data['state'] !== 'string') continue
        try {
          this.applyPeer(clientId, data['state'])
          this.peers.set(clientId, now)
        } catch {
          // A malformed peer entry is ignored; it must not break presence for everyone else.
        }
      }
      this.remove(removed)
    } catch (error) {
      console.error('[y-firestore] presence update failed', error)
    }
  }

  /**
   * Applies a peer's state through the awareness protocol, so events behave as usual. The
   * clock is a local one, one past what the Awareness knows of the peer: every change of a
   * Firestore entry is newer than the last (the listener delivers them in order), so a
   * heartbeat refreshes the peer (y-protocols itself drops peers not refreshed for 30 s) and
   * a peer dropped as stale comes back when its entry moves again.
   */
  private applyPeer(clientId: number, state: string): void {
    JSON.parse(state)
    const clock = (this.awareness.meta.get(clientId)?.clock ?? 0) + 1
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, 1)
    encoding.writeVarUint(encoder, clientId)
    encoding.writeVarUint(encoder, clock)
    encoding.writeVarString(encoder, state)
    applyAwarenessUpdate(this.awareness, encoding.toUint8Array(encoder), this)
  }

  private remove(clientIds: number[]): void {
    clientIds.forEach((id) => this.peers.delete(id))
    if (clientIds.length > 0) removeAwarenessStates(this.awareness, clientIds, this)
  }

  private dropStale(): void {
    try {
      const cutoff = Date.now() - this.timeoutMs
      this.remove([...this.peers].filter(([, seen]) => seen < cutoff).map(([id]) => id))
    } catch (error) {
      console.error('[y-firestore] presence update failed', error)
    }
  }

  private fail(what: string, error: unknown, code: 'write-failed' | 'read-failed' = 'write-failed'): void {
    if (this.destroyed) return
    this.onError(new YFirestoreError(code, `Presence ${what} for document ${this.docId} failed: ${error instanceof Error ? error.message : String(error)}`, error))
  }

  /** Stops mirroring, deletes the own entry and removes the peers from the Awareness. */
  destroy(): void {
    if (this.destroyed) return
    this.destroyed = true
    clearTimeout(this.throttle)
    clearInterval(this.heartbeat)
    this.awareness.off('update', this.onAwarenessUpdate)
    this.stopPageHide()
    this.unsubscribe()
    try {
      deleteDoc(this.ownRef).catch(() => {})
    } catch {
      // The client is already terminated: the entry expires on its own.
    }
    try {
      this.remove([...this.peers.keys()])
    } catch (error) {
      console.error('[y-firestore] presence update failed', error)
    }
  }
}
