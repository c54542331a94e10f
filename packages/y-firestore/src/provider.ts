import {
  Bytes,
  collection,
  doc as docRef,
  getDocs,
  onSnapshot,
  serverTimestamp,
  Timestamp,
  writeBatch,
  type DocumentData,
  type Firestore,
  type QuerySnapshot,
  type DocumentSnapshot,
  type FirestoreError,
  type Unsubscribe,
} from 'firebase/firestore'
import { getAuth } from 'firebase/auth'
import { fromBase64, toBase64 } from 'lib0/buffer'
import { ObservableV2 } from 'lib0/observable'
import type { Awareness } from 'y-protocols/awareness'
import * as Y from 'yjs'
import { listenThroughOwnWrites } from './access.js'
import { browserOffline, onPageHide, originStorage } from './browser-tab.js'
import { join } from './chunks.js'
import { YFirestoreError } from './errors.js'
import { chunksPath, documentPath, updatesPath } from './paths.js'
import { PresenceSync, type PresenceTiming } from './presence.js'
import { MAX_UPDATE_BYTES, UpdateAssembler, toBytes, updateParts, type Assembled, type UpdateRecord } from './update-log.js'

/**
 * Where the provider stands: 'connecting' until the server copy is loaded or the client is
 * found offline; 'offline' while Firestore serves from its cache; 'syncing' while connected
 * with local changes not yet on the server (or the server copy still loading, or a change
 * that could not be written); 'synced' when connected, current, and the server holds
 * everything local.
 */
export type ProviderStatus = 'connecting' | 'offline' | 'syncing' | 'synced'

/** Options of a FirestoreProvider (design.md section 4). */
export interface FirestoreProviderOptions {
  /** y-protocols Awareness to mirror to `presence/{clientId}`; presence is off without it. */
  awareness?: Awareness
  /** Local updates are merged and written at most this often (ms). Default 150. */
  flushDelayMs?: number
  /** Keep a y-indexeddb copy for instant and offline open. Default: on where IndexedDB exists. */
  indexedDb?: boolean
  /** uid written on updates and presence. Default: the signed-in user of the app, else null. */
  author?: string | null
  /** Presence throttle, heartbeat and timeout (ms); defaults PRESENCE_*. Shorter values are for tests. */
  presence?: PresenceTiming
}

/** The snapshot pointer in `documents/{docId}` (written by compaction). */
export interface SnapshotPointer {
  gen: string
  chunks: number
  bytes?: number
  updates?: number
}

/** The events of a FirestoreProvider. */
export interface ProviderEvents {
  /** The status changed. */
  status: (status: ProviderStatus) => void
  /** Something failed; the provider keeps going (see YFirestoreErrorCode). */
  error: (error: YFirestoreError) => void
  /** Fired each time the provider reaches 'synced'. */
  synced: () => void
}

/** What one listener last told: nothing yet, answered from the local cache, or current with the server. */
type ListenerState = 'none' | 'cache' | 'server'

/**
 * How long an opening provider whose listeners answered from cached data may take to reach
 * the server before it counts as offline: the SDK's own online-state timeout.
 */
const CONNECT_TIMEOUT_MS = 10_000

/**
 * Where a page that goes away leaves the edits the server does not have yet, per user and
 * document. The y-indexeddb copy is written asynchronously, and the browser may drop a closing
 * page's last writes to it; localStorage is written before the page goes.
 */
const unsavedKey = (docId: string, author: string | null) => `y-firestore:unsaved:${author ?? ''}:${docId}`

/**
 * Keeps a Yjs document in Cloud Firestore (design.md section 4): loads the compacted
 * snapshot and the update log, listens to both, writes local changes as merged updates,
 * and after any reconnect writes whatever the server lacks of the local state.
 *
 * It keeps a second Y.Doc, `server`, holding exactly what the server is known to have:
 * every update received from the server, and every own write once acknowledged. "Saved"
 * means the server copy contains the local one (state vector and deletions).
 */
export class FirestoreProvider extends ObservableV2<ProviderEvents> {
  /** The document kept in Firestore. */
  readonly doc: Y.Doc
  /** Its ID: it lives at `documents/{docId}`. */
  readonly docId: string
  /**
   * Resolves once the initial state is loaded from the server, or, when offline with a
   * y-indexeddb copy, from that copy. Stays pending while offline without one.
   */
  readonly whenSynced: Promise<void>

  private readonly firestore: Firestore
  private readonly flushDelayMs: number
  private readonly authorOption: string | null | undefined
  private readonly server = new Y.Doc()
  private readonly assembler = new UpdateAssembler()
  /** IDs of update documents already handled (own writes included, so their echoes are skipped). */
  private readonly seen = new Set<string>()
  /** Sources already reported as invalid: each is reported once. */
  private readonly reported = new Set<string>()
  private readonly unsubscribes: Unsubscribe[] = []
  private readonly presence: PresenceSync | undefined
  private indexedDb: { destroy(): Promise<void>; whenSynced: Promise<unknown> } | undefined

  private currentStatus: ProviderStatus = 'connecting'
  private pointerState: ListenerState = 'none'
  private updatesState: ListenerState = 'none'
  /** Both listeners current with the server. */
  private online = false
  /** A write was acknowledged since the listeners last went offline (see refresh()). */
  private reachable = false
  /**
   * The updates listener answered from the cache with nothing in it. The SDK raises such an
   * answer at once when it considers itself offline; cached data, by contrast, it raises at
   * once while still connecting too (with a persistent cache, on every open). The pointer
   * listener is no guide: a document known not to exist is cached data as well.
   */
  private emptyCacheAnswer = false
  private connectTimer: ReturnType<typeof setTimeout> | undefined
  private connectTimedOut = false
  /** The initial state has been loaded from the server (the server copy is meaningful). */
  private loaded = false
  /** A reconnect happened and the server copy has not been compared with the local one since. */
  private needsReconcile = false
  /**
   * A change was too large to write: the next local change (an undo, say) may make what the
   * server lacks small enough, so it triggers a reconcile.
   */
  private retryOnChange = false
  /**
   * The updates listener holds documents not yet on the server: ours in flight, or writes an
   * earlier provider on this Firestore client queued. Reconciling before they land would
   * write their content twice.
   */
  private updatesPendingWrites = false
  private readonly snapshotLoads = new Set<string>()
  private loadedGen: string | undefined

  private pending: Uint8Array[] = []
  private pendingBytes = 0
  private inflight = 0
  private inflightBytes = 0
  private flushTimer: ReturnType<typeof setTimeout> | undefined
  /** Write failures so far (too large, refused): flush() rejects when one happens while it waits. */
  private failures = 0
  private lastFailure: YFirestoreError | undefined
  /** Set when a listener failed for good (permission denied, terminated client). */
  private listenError: YFirestoreError | undefined
  /** Whether the server copy contains the local one; undefined when unknown (recomputed lazily). */
  private savedCache: boolean | undefined
  private missingCache: number | undefined

  private destroyed = false
  private readonly stopPageHide: () => void
  private resolveSynced!: () => void
  private waiters: (() => void)[] = []

  constructor(firestore: Firestore, docId: string, doc: Y.Doc, options: FirestoreProviderOptions = {}) {
    super()
    this.firestore = firestore
    this.docId = docId
    this.doc = doc
    this.flushDelayMs = options.flushDelayMs ?? 150
    this.authorOption = options.author
    this.whenSynced = new Promise((resolve) => (this.resolveSynced = resolve))
    // V1 updates: the format of the log (and of y-indexeddb), so no conversion per keystroke.
    doc.on('update', this.onLocalUpdate)
    doc.on('destroy', this.onDocDestroy)
    this.server.on('update', this.onServerUpdate)
    if (options.awareness) {
      this.presence = new PresenceSync(firestore, docId, options.awareness, () => this.author, (error) => this.report(error), options.presence)
    }
    this.stopPageHide = onPageHide(this.keepUnsaved)
    this.start(options.indexedDb ?? 'indexedDB' in globalThis).catch((error: unknown) => this.onListenError(error))
  }

  /** See ProviderStatus. */
  get status(): ProviderStatus {
    return this.currentStatus
  }

  /**
   * Local bytes the server has not acknowledged: queued and in-flight writes, plus the size of
   * what the server copy lacks (edits that could not be written, or that were made before this
   * provider started and are not uploaded yet). Until the server has answered, the server copy
   * is what the Firestore cache holds from it, so a local copy it has never confirmed counts
   * as unsaved rather than saved.
   */
  get unsavedBytes(): number {
    const queued = this.pendingBytes + this.inflightBytes
    if (this.destroyed || !this.idle || this.isSaved()) return queued
    return queued + this.missingBytes()
  }

  private get idle(): boolean {
    return this.inflight === 0 && this.pending.length === 0
  }

  private get author(): string | null {
    if (this.authorOption !== undefined) return this.authorOption
    try {
      return getAuth(this.firestore.app).currentUser?.uid ?? null
    } catch {
      return null
    }
  }

  private async start(useIndexedDb: boolean): Promise<void> {
    if (useIndexedDb) {
      const { IndexeddbPersistence } = await import('y-indexeddb')
      if (this.destroyed) return
      const persistence = new IndexeddbPersistence(`quire-${this.docId}`, this.doc)
      this.indexedDb = persistence
      await persistence.whenSynced
      if (this.destroyed) return
    }
    this.restoreUnsaved()
    const path = documentPath(this.docId)
    const pointer = docRef(this.firestore, path)
    const updates = collection(this.firestore, updatesPath(this.docId))
    const onError = (error: FirestoreError) => this.onListenError(error)
    this.unsubscribes.push(
      listenThroughOwnWrites(this.firestore, path, (fail) => onSnapshot(pointer, { includeMetadataChanges: true }, (snapshot) => this.onPointer(snapshot), fail), onError),
      listenThroughOwnWrites(this.firestore, path, (fail) => onSnapshot(updates, { includeMetadataChanges: true }, (snapshot) => this.onUpdates(snapshot), fail), onError),
    )
  }

  /**
   * The page is going away (reload, closed tab): what the server lacks goes to localStorage,
   * synchronously, for the next provider of this document in this browser (restoreUnsaved).
   */
  private readonly keepUnsaved = () => {
    const storage = originStorage()
    if (!storage || this.destroyed) return
    const key = unsavedKey(this.docId, this.author)
    try {
      if (this.idle && this.isSaved()) storage.removeItem(key)
      else storage.setItem(key, toBase64(this.missingUpdate()))
    } catch (error) {
      // Over the storage quota: the y-indexeddb copy is all there is.
      console.warn(`[y-firestore] the unsaved edits of document ${this.docId} could not be kept in localStorage: ${describe(error)}`)
    }
  }

  /** Applies the edits an earlier page left unsaved (keepUnsaved); they are written as local edits. */
  private restoreUnsaved(): void {
    const storage = originStorage()
    const key = unsavedKey(this.docId, this.author)
    const kept = storage?.getItem(key)
    if (!storage || kept == null) return
    storage.removeItem(key)
    try {
      Y.applyUpdate(this.doc, fromBase64(kept))
    } catch (error) {
      this.reportInvalid(`localStorage ${key}`, describe(error))
    }
  }

  /**
   * Local edits (anything not applied by this provider) are queued for the next flush. The
   * y-indexeddb copy is not: what of it the server lacks is found by reconcile(), instead of
   * re-uploading the whole stored state on every open.
   */
  private readonly onLocalUpdate = (update: Uint8Array, origin: unknown) => {
    if (origin === this || (origin !== undefined && origin === this.indexedDb)) {
      if (origin !== this) this.invalidate()
      return
    }
    this.pending.push(update)
    this.pendingBytes += update.length
    if (this.retryOnChange) {
      this.retryOnChange = false
      this.needsReconcile = true
    }
    this.savedCache = false
    this.missingCache = undefined
    if (this.online && this.loaded) this.setStatus('syncing')
    if (this.flushTimer === undefined) {
      this.flushTimer = setTimeout(() => {
        this.writePending()
        this.refresh()
      }, this.flushDelayMs)
    }
  }

  /** A destroyed Y.Doc takes its provider with it, as other Yjs providers do. */
  private readonly onDocDestroy = () => this.destroy()

  /** The server copy changed: whether it contains the local one must be recomputed. */
  private readonly onServerUpdate = () => this.invalidate()

  private invalidate(): void {
    this.savedCache = undefined
    this.missingCache = undefined
  }

  private onPointer(snapshot: DocumentSnapshot<DocumentData>): void {
    try {
      const pointer = readPointer(snapshot.get('snapshot'))
      if (pointer && pointer.gen !== this.loadedGen && !this.snapshotLoads.has(pointer.gen)) this.loadSnapshot(pointer)
      this.pointerState = snapshot.metadata.fromCache ? 'cache' : 'server'
      this.refresh()
    } catch (error) {
      this.report(new YFirestoreError('read-failed', `Could not read the snapshot pointer of document ${this.docId}: ${describe(error)}`, error))
    }
  }

  /**
   * Loads one compacted generation. getDocs reads from the server when connected, else from
   * the cache; an incomplete set of chunks (a generation deleted while read, or not cached)
   * is skipped: a newer pointer, or the next pointer event, loads it.
   */
  private loadSnapshot(pointer: SnapshotPointer): void {
    const { gen } = pointer
    this.snapshotLoads.add(gen)
    getDocs(collection(this.firestore, chunksPath(this.docId, gen)))
      .then((chunks) => {
        if (this.destroyed || chunks.size !== pointer.chunks) return
        let state: Uint8Array
        try {
          const parts = chunks.docs.sort((a, b) => (a.id < b.id ? -1 : 1)).map((chunk) => toBytes(chunk.get('data') as Bytes))
          state = join(parts)
        } catch (error) {
          this.reportInvalid(`snapshot ${gen}`, describe(error))
          return
        }
        this.applyRemote([{ update: state, source: `snapshot ${gen}`, order: 0 }])
        this.loadedGen = gen
      })
      .catch((error: unknown) => this.report(new YFirestoreError('read-failed', `Could not read snapshot ${gen} of document ${this.docId}: ${describe(error)}`, error)))
      .finally(() => {
        this.snapshotLoads.delete(gen)
        this.refresh()
      })
  }

  private onUpdates(snapshot: QuerySnapshot<DocumentData>): void {
    try {
      const arrived: RemoteUpdate[] = []
      for (const change of snapshot.docChanges()) {
        const { doc } = change
        if (change.type === 'removed') {
          // Absorbed by compaction (or a refused write of ours): its ID never comes back.
          this.seen.delete(doc.id)
          continue
        }
        // A write not yet on the server: ours (applied to the server copy when acknowledged),
        // or one an earlier provider on this client queued (applied once it lands).
        if (doc.metadata.hasPendingWrites || this.seen.has(doc.id)) continue
        this.seen.add(doc.id)
        let assembled: Assembled | undefined
        try {
          assembled = this.assembler.add(doc.data() as UpdateRecord)
        } catch (error) {
          this.reportInvalid(doc.id, describe(error))
          continue
        }
        if (!assembled) continue
        if ('error' in assembled) this.reportInvalid(doc.id, assembled.error)
        else arrived.push({ update: assembled.update, source: doc.id, order: commitOrder(doc.get('createdAt')) })
      }
      this.applyRemote(arrived)
      this.updatesPendingWrites = snapshot.metadata.hasPendingWrites
      this.updatesState = snapshot.metadata.fromCache ? 'cache' : 'server'
      if (snapshot.metadata.fromCache && snapshot.empty) this.emptyCacheAnswer = true
      this.refresh()
    } catch (error) {
      this.report(new YFirestoreError('read-failed', `Could not process updates of document ${this.docId}: ${describe(error)}`, error))
    }
  }

  /**
   * Applies updates from the server to the server copy, then to the local document in one
   * transaction (one change event for the editor, not thousands). Each is decoded in
   * full first, so a malformed one is rejected before it changes either copy.
   *
   * They are applied in commit order: Yjs integrates updates whose dependencies are missing
   * very slowly, and the log arrives in document-ID order, which is random. Commit order is
   * causal: a client can only build on updates that were committed before it wrote.
   */
  private applyRemote(arrived: readonly RemoteUpdate[]): void {
    const valid: RemoteUpdate[] = []
    for (const item of arrived) {
      try {
        Y.decodeUpdate(item.update)
        valid.push(item)
      } catch (error) {
        this.reportInvalid(item.source, describe(error))
      }
    }
    if (valid.length === 0) return
    sortCausally(valid)
    const accepted: RemoteUpdate[] = []
    // The server copy has no observers: separate transactions integrate faster than one long one.
    for (const item of valid) {
      try {
        Y.applyUpdate(this.server, item.update, this)
        accepted.push(item)
      } catch (error) {
        this.reportInvalid(item.source, describe(error))
      }
    }
    try {
      Y.transact(this.doc, () => accepted.forEach((item) => Y.applyUpdate(this.doc, item.update, this)), this)
    } catch (error) {
      // The updates are valid (the server copy took them); an observer of the application threw.
      // Yjs has integrated them by then; the provider carries on.
      console.error(`[y-firestore] an observer of document ${this.docId} threw while remote updates were applied`, error)
    }
  }

  private reportInvalid(source: string, reason: string): void {
    if (this.reported.has(source)) return
    this.reported.add(source)
    this.report(new YFirestoreError('invalid-update', `Skipped update ${source} of document ${this.docId}: ${reason}.`))
  }

  /** A listener failed for good (Firestore retries transient errors itself): flush() cannot succeed. */
  private onListenError(error: unknown): void {
    this.listenError = new YFirestoreError('read-failed', `Listening to document ${this.docId} failed: ${describe(error)}`, error)
    this.report(this.listenError)
    this.refresh()
  }

  /**
   * Re-derives connectivity, loading, reconciling and status after any event (a listener
   * snapshot, an acknowledged or failed write, a finished snapshot load), then wakes flush().
   */
  private refresh(): void {
    if (this.destroyed) return
    if (this.pointerState === 'cache' || this.updatesState === 'cache') {
      // Offline with a local copy: that copy is the initial state.
      if (this.indexedDb) this.resolveSynced()
      if (this.online) {
        this.online = false
        this.reachable = false
      } else if (this.currentStatus === 'connecting' && !this.emptyCacheAnswer && !this.connectTimedOut && !browserOffline()) {
        // Cached data answered first while the connection is still being made: not offline
        // (yet). The server answering, or the timeout, decides; or the browser, when it knows
        // it has no network at all.
        this.connectTimer ??= setTimeout(() => {
          this.connectTimedOut = true
          this.refresh()
        }, CONNECT_TIMEOUT_MS)
        this.waiters.splice(0).forEach((wake) => wake())
        return
      }
      // After a reconnect the write stream is often answered before the listeners are current
      // again: an acknowledged write shows the server is reachable, and the listeners are
      // catching up, so that is 'syncing', not 'offline'. (Should the connection drop again
      // in that window, the listeners raise nothing new, and 'syncing' stays until the next
      // reconnect: an imprecision of the badge only, nothing is counted as saved.)
      this.setStatus(this.reachable ? 'syncing' : 'offline')
    } else if (this.pointerState === 'server' && this.updatesState === 'server') {
      if (!this.online) {
        this.online = true
        this.needsReconcile = true
        clearTimeout(this.connectTimer)
      }
      if (this.snapshotLoads.size > 0) {
        // Connected, but the server copy is incomplete until the snapshot is in.
        if (this.currentStatus !== 'connecting') this.setStatus('syncing')
      } else {
        if (!this.loaded) {
          this.loaded = true
          this.resolveSynced()
        }
        if (this.needsReconcile && this.canReconcile()) this.reconcile()
        this.setStatus(this.idle && this.isSaved() ? 'synced' : 'syncing')
      }
    }
    this.waiters.splice(0).forEach((wake) => wake())
  }

  private canReconcile(): boolean {
    return this.online && this.loaded && this.snapshotLoads.size === 0 && this.idle && !this.updatesPendingWrites && !this.destroyed
  }

  /**
   * Writes whatever the server lacks of the local state: edits made offline whose queued
   * writes were lost (a closed tab), edits made before this provider started. Called once
   * per reconnect when nothing is in flight (in-flight writes may carry it), and by flush().
   */
  private reconcile(): void {
    this.needsReconcile = false
    if (this.isSaved()) return
    const missing = this.missingUpdate()
    this.pending.push(missing)
    this.pendingBytes += missing.length
    this.writePending()
  }

  /** Whether the server copy contains the local one: every struct and every deletion. */
  private isSaved(): boolean {
    this.savedCache ??= contains(this.server, this.doc)
    return this.savedCache
  }

  /** What the server copy lacks of the local one, as one update. */
  private missingUpdate(): Uint8Array {
    return Y.encodeStateAsUpdate(this.doc, Y.encodeStateVector(this.server))
  }

  /** Size of missingUpdate(). */
  private missingBytes(): number {
    this.missingCache ??= this.missingUpdate().length
    return this.missingCache
  }

  /**
   * `update` with the content of the items it deletes left out, as a garbage-collecting Y.Doc
   * sends them: a pasted and undone block is kept whole by the Y.UndoManager (for redo), but the
   * server only needs to learn that it existed and is deleted.
   */
  private withoutDeletedContent(update: Uint8Array): Uint8Array {
    const scratch = new Y.Doc()
    try {
      Y.applyUpdate(scratch, Y.encodeStateAsUpdate(this.server))
      Y.applyUpdate(scratch, update)
      return Y.encodeStateAsUpdate(scratch, Y.encodeStateVector(this.server))
    } finally {
      scratch.destroy()
    }
  }

  /** Writes the queued local updates, merged, as one update record (or one batch of parts). */
  private writePending(): void {
    clearTimeout(this.flushTimer)
    this.flushTimer = undefined
    if (this.pending.length === 0) return
    let update = this.pending.length === 1 ? this.pending[0]! : Y.mergeUpdates(this.pending)
    this.pending = []
    this.pendingBytes = 0
    if (update.length > MAX_UPDATE_BYTES) update = this.withoutDeletedContent(update)
    if (update.length > MAX_UPDATE_BYTES) {
      // Dropped from the queue, not from the document: unsavedBytes still counts it, and the
      // next local change, reconnect or flush() tries again (and reports again) through reconcile().
      this.retryOnChange = true
      this.fail(
        new YFirestoreError(
          'too-large',
          `A change of ${(update.length / 2 ** 20).toFixed(1)} MiB to document ${this.docId} is larger than one Firestore commit can carry (${MAX_UPDATE_BYTES / 2 ** 20} MiB); it stays in this browser only.`,
        ),
      )
      return
    }
    const bytes = update.length
    let commit: Promise<void>
    try {
      const batch = writeBatch(this.firestore)
      const updates = collection(this.firestore, updatesPath(this.docId))
      const first = docRef(updates)
      const author = this.author
      updateParts(update, first.id).forEach((part, i) => {
        const ref = i === 0 ? first : docRef(updates)
        this.seen.add(ref.id)
        batch.set(ref, { ...part, update: Bytes.fromUint8Array(part.update), author, createdAt: serverTimestamp() })
      })
      commit = batch.commit()
    } catch (error) {
      // The SDK throws synchronously once its client is terminated.
      this.fail(new YFirestoreError('write-failed', `Saving changes to document ${this.docId} failed: ${describe(error)}`, error))
      return
    }
    this.inflight++
    this.inflightBytes += bytes
    commit.then(
      () => {
        this.inflight--
        this.inflightBytes -= bytes
        if (this.destroyed) return
        this.reachable = true
        Y.applyUpdate(this.server, update, this)
        this.refresh()
      },
      (error: unknown) => {
        this.inflight--
        this.inflightBytes -= bytes
        this.fail(new YFirestoreError('write-failed', `Saving changes to document ${this.docId} failed: ${describe(error)}`, error))
        this.refresh()
      },
    )
  }

  private fail(error: YFirestoreError): void {
    this.failures++
    this.lastFailure = error
    this.report(error)
  }

  private setStatus(status: ProviderStatus): void {
    // A handler may destroy the provider in the middle of a refresh.
    if (this.destroyed || status === this.currentStatus) return
    this.currentStatus = status
    this.dispatch('status', [status])
    if (status === 'synced') this.dispatch('synced', [])
  }

  private report(error: YFirestoreError): void {
    if (this.destroyed) return
    if (this._observers.get('error')?.size) this.dispatch('error', [error])
    else console.warn(`[y-firestore] ${error.code}: ${error.message}`)
  }

  /**
   * emit(), except that a throwing handler neither skips the others nor propagates: events
   * are dispatched from inside Firestore listeners and write callbacks, which must not throw.
   */
  private dispatch<N extends keyof ProviderEvents>(name: N, args: Parameters<ProviderEvents[N]>): void {
    const handlers = [...((this._observers.get(name) ?? []) as Iterable<(...args: Parameters<ProviderEvents[N]>) => void>)]
    for (const handler of handlers) {
      try {
        handler(...args)
      } catch (error) {
        console.error(`[y-firestore] a '${name}' handler of document ${this.docId} threw`, error)
      }
    }
  }

  private nextChange(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve))
  }

  /**
   * Writes everything local now and resolves once the server has acknowledged it and its
   * copy contains the local state. Waits while offline (or until the initial load). Rejects
   * with the YFirestoreError if a write fails meanwhile (code 'too-large' or 'write-failed':
   * the change cannot be saved as it is), if listening failed (code 'read-failed': the
   * server copy cannot be known), or with code 'destroyed' if the provider is destroyed first.
   */
  async flush(): Promise<void> {
    const failures = this.failures
    for (;;) {
      if (this.destroyed) throw new YFirestoreError('destroyed', `The provider of document ${this.docId} was destroyed before everything was saved.`)
      if (this.failures > failures && this.lastFailure) throw this.lastFailure
      if (this.listenError) throw this.listenError
      this.writePending()
      if (this.online && this.loaded && this.snapshotLoads.size === 0 && this.idle) {
        if (this.isSaved()) return
        if (this.canReconcile()) {
          // Writes what is missing, or fails at once (too large): either way the loop moves on.
          this.reconcile()
          this.refresh()
          continue
        }
      }
      await this.nextChange()
    }
  }

  /**
   * Stops listening and writing; the own presence entry is removed. Queued edits are handed
   * to Firestore first and still go out (the SDK keeps them), but nothing waits for them.
   */
  override destroy(): void {
    if (this.destroyed) return
    this.writePending()
    this.destroyed = true
    clearTimeout(this.flushTimer)
    clearTimeout(this.connectTimer)
    this.doc.off('update', this.onLocalUpdate)
    this.doc.off('destroy', this.onDocDestroy)
    this.stopPageHide()
    this.server.off('update', this.onServerUpdate)
    this.unsubscribes.forEach((unsubscribe) => unsubscribe())
    this.presence?.destroy()
    this.indexedDb?.destroy().catch(() => {})
    this.server.destroy()
    this.waiters.splice(0).forEach((wake) => wake())
    super.destroy()
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function readPointer(value: unknown): SnapshotPointer | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const { gen, chunks } = value as Record<string, unknown>
  if (typeof gen !== 'string' || typeof chunks !== 'number' || !Number.isInteger(chunks) || chunks < 1) return undefined
  return { gen, chunks }
}

/** Whether `outer` contains everything of `inner`: each client's structs and every deletion. */
function contains(outer: Y.Doc, inner: Y.Doc): boolean {
  const o = Y.snapshot(outer)
  const i = Y.snapshot(inner)
  for (const [client, clock] of i.sv) if ((o.sv.get(client) ?? 0) < clock) return false
  // Delete sets from a struct store are normalized (sorted, adjacent ranges merged), as is a
  // merge: the union equals the outer set exactly when the inner one adds nothing.
  return Y.equalDeleteSets(Y.mergeDeleteSets([o.ds, i.ds]), o.ds)
}

/** An update read from the server, with where it came from and its place in commit order. */
interface RemoteUpdate {
  update: Uint8Array
  source: string
  order: number
}

/** A log record's commit time (its server-set createdAt) in milliseconds; 0 if unset. */
function commitOrder(createdAt: unknown): number {
  return createdAt instanceof Timestamp ? createdAt.toMillis() + (createdAt.nanoseconds % 1e6) / 1e6 : 0
}

/**
 * Sorts updates into an order Yjs integrates quickly: by commit time, and updates committed
 * together (one batch) by their first clock, which orders one client's consecutive updates.
 */
function sortCausally(updates: RemoteUpdate[]): void {
  const firstClock = new Map<RemoteUpdate, number>()
  for (const item of updates) {
    const { from } = Y.parseUpdateMeta(item.update)
    firstClock.set(item, Math.min(...from.values(), Number.MAX_SAFE_INTEGER))
  }
  updates.sort((a, b) => a.order - b.order || firstClock.get(a)! - firstClock.get(b)!)
}
