import {
  Bytes,
  collection,
  doc as docRef,
  getDocsFromServer,
  onSnapshot,
  serverTimestamp,
  writeBatch,
  type DocumentData,
  type Firestore,
  type QuerySnapshot,
  type DocumentSnapshot,
  type Unsubscribe,
} from 'firebase/firestore'
import { getAuth } from 'firebase/auth'
import { ObservableV2 } from 'lib0/observable'
import type { Awareness } from 'y-protocols/awareness'
import * as Y from 'yjs'
import { join } from './chunks.js'
import { YFirestoreError } from './errors.js'
import { chunksPath, documentPath, updatesPath } from './paths.js'
import { PresenceSync } from './presence.js'
import { MAX_UPDATE_BYTES, UpdateAssembler, toBytes, updateParts, type UpdateRecord } from './update-log.js'

export type ProviderStatus = 'connecting' | 'offline' | 'syncing' | 'synced'

export interface FirestoreProviderOptions {
  /** y-protocols Awareness to mirror to `presence/{clientId}`; presence is off without it. */
  awareness?: Awareness
  /** Local updates are merged and written at most this often (ms). Default 150. */
  flushDelayMs?: number
  /** Keep a y-indexeddb copy for instant and offline open. Default: on where IndexedDB exists. */
  indexedDb?: boolean
  /** uid written on updates and presence. Default: the signed-in user of the app, else null. */
  author?: string | null
}

/** The snapshot pointer in `documents/{docId}` (written by compaction). */
export interface SnapshotPointer {
  gen: string
  chunks: number
  bytes?: number
  updates?: number
}

interface ProviderEvents {
  status: (status: ProviderStatus) => void
  error: (error: YFirestoreError) => void
  /** Fired each time the provider reaches 'synced'. */
  synced: () => void
}

/**
 * Keeps a Yjs document in Cloud Firestore (design.md section 4): loads the compacted
 * snapshot and the update log, listens to both, writes local changes as merged updates,
 * and after any reconnect writes whatever the server lacks of the local state.
 *
 * It keeps a second Y.Doc, `server`, holding exactly what the server is known to have;
 * "saved" means the server copy contains the local one.
 */
export class FirestoreProvider extends ObservableV2<ProviderEvents> {
  readonly doc: Y.Doc
  readonly docId: string
  /** Resolves once the initial state is loaded from the server (or the local copy when offline). */
  readonly whenSynced: Promise<void>

  private readonly firestore: Firestore
  private readonly flushDelayMs: number
  private readonly authorOption: string | null | undefined
  private readonly server = new Y.Doc()
  private readonly assembler = new UpdateAssembler()
  private readonly seen = new Set<string>()
  private readonly reported = new Set<string>()
  private readonly unsubscribes: Unsubscribe[] = []
  private readonly presence: PresenceSync | undefined
  private indexedDb: { destroy(): Promise<void>; whenSynced: Promise<unknown> } | undefined

  private currentStatus: ProviderStatus = 'connecting'
  private pending: Uint8Array[] = []
  private pendingBytes = 0
  private inflightBytes = 0
  private inflight = 0
  /** Bytes the server lacks that could not be written (too large, refused). */
  private stuckBytes = 0
  private flushTimer: ReturnType<typeof setTimeout> | undefined
  private snapshotGen: string | null = null
  private updatesCurrent = false
  private pointerCurrent = false
  private loadingSnapshot: Promise<void> | undefined
  private online = false
  private destroyed = false
  private resolveSynced!: () => void
  private idleWaiters: (() => void)[] = []

  constructor(firestore: Firestore, docId: string, doc: Y.Doc, options: FirestoreProviderOptions = {}) {
    super()
    this.firestore = firestore
    this.docId = docId
    this.doc = doc
    this.flushDelayMs = options.flushDelayMs ?? 150
    this.authorOption = options.author
    this.whenSynced = new Promise((resolve) => (this.resolveSynced = resolve))
    doc.on('updateV2', this.onLocalUpdate)
    if (options.awareness) this.presence = new PresenceSync(firestore, docId, options.awareness, () => this.author, (error) => this.report(error))
    void this.start(options.indexedDb ?? 'indexedDB' in globalThis)
  }

  get status(): ProviderStatus {
    return this.currentStatus
  }

  /** Local bytes the server has not acknowledged yet. */
  get unsavedBytes(): number {
    return this.pendingBytes + this.inflightBytes + this.stuckBytes
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
    const pointer = docRef(this.firestore, documentPath(this.docId))
    this.unsubscribes.push(
      onSnapshot(pointer, { includeMetadataChanges: true }, (snapshot) => this.onPointer(snapshot), (error) => this.onListenError(error)),
      onSnapshot(collection(this.firestore, updatesPath(this.docId)), { includeMetadataChanges: true }, (snapshot) => this.onUpdates(snapshot), (error) =>
        this.onListenError(error),
      ),
    )
  }

  /** Local edits (anything not applied by this provider) are queued for the next flush. */
  private readonly onLocalUpdate = (update: Uint8Array, origin: unknown) => {
    if (origin === this) return
    const v1 = Y.convertUpdateFormatV2ToV1(update)
    this.pending.push(v1)
    this.pendingBytes += v1.length
    if (this.online) this.setStatus('syncing')
    if (this.flushTimer === undefined) this.flushTimer = setTimeout(() => this.writePending(), this.flushDelayMs)
  }

  private onPointer(snapshot: DocumentSnapshot<DocumentData>): void {
    try {
      const pointer = readPointer(snapshot.get('snapshot'))
      if (pointer && pointer.gen !== this.snapshotGen) {
        const gen = pointer.gen
        const load = this.loadSnapshot(pointer).then(
          () => {
            this.snapshotGen = gen
          },
          (error: unknown) => this.report(new YFirestoreError('read-failed', `Could not read snapshot ${gen} of document ${this.docId}: ${String(error)}`, error)),
        )
        this.loadingSnapshot = this.loadingSnapshot ? this.loadingSnapshot.then(() => load) : load
      }
      this.pointerCurrent = !snapshot.metadata.fromCache
      this.onConnectivity(!snapshot.metadata.fromCache)
    } catch (error) {
      this.report(new YFirestoreError('read-failed', `Could not read the snapshot pointer of document ${this.docId}.`, error))
    }
  }

  /** Loads one compacted generation; a generation deleted while read is skipped (a newer pointer follows). */
  private async loadSnapshot(pointer: SnapshotPointer): Promise<void> {
    const chunks = await getDocsFromServer(collection(this.firestore, chunksPath(this.docId, pointer.gen)))
    if (this.destroyed || chunks.size !== pointer.chunks) return
    const parts = chunks.docs.sort((a, b) => (a.id < b.id ? -1 : 1)).map((chunk) => toBytes(chunk.get('data') as Bytes))
    this.applyRemote(join(parts), `snapshot ${pointer.gen}`)
  }

  private onUpdates(snapshot: QuerySnapshot<DocumentData>): void {
    for (const change of snapshot.docChanges()) {
      if (change.type === 'removed') continue
      const { doc } = change
      // Our own writes are applied to the server copy when acknowledged, not while pending.
      if (this.seen.has(doc.id) || doc.metadata.hasPendingWrites) continue
      this.seen.add(doc.id)
      try {
        const assembled = this.assembler.add(doc.data() as UpdateRecord)
        if (!assembled) continue
        if ('error' in assembled) this.reportInvalid(doc.id, assembled.error)
        else this.applyRemote(assembled.update, doc.id)
      } catch (error) {
        this.reportInvalid(doc.id, String(error))
      }
    }
    this.updatesCurrent = !snapshot.metadata.fromCache
    this.onConnectivity(!snapshot.metadata.fromCache)
  }

  /** Applies an update from the server to both the local and the server copy. */
  private applyRemote(update: Uint8Array, source: string): void {
    try {
      Y.decodeUpdate(update)
    } catch (error) {
      this.reportInvalid(source, error instanceof Error ? error.message : String(error))
      return
    }
    try {
      Y.applyUpdate(this.server, update, this)
      Y.applyUpdate(this.doc, update, this)
    } catch (error) {
      this.reportInvalid(source, error instanceof Error ? error.message : String(error))
    }
  }

  private reportInvalid(source: string, reason: string): void {
    if (this.reported.has(source)) return
    this.reported.add(source)
    this.report(new YFirestoreError('invalid-update', `Skipped update ${source} of document ${this.docId}: ${reason}.`))
  }

  private onListenError(error: unknown): void {
    this.report(new YFirestoreError('read-failed', `Listening to document ${this.docId} failed: ${error instanceof Error ? error.message : String(error)}`, error))
  }

  /** Tracks whether both listeners are current with the server; reconciles on (re)connect. */
  private onConnectivity(fromServer: boolean): void {
    if (this.destroyed) return
    if (!fromServer) {
      this.online = false
      this.setStatus('offline')
      // Offline with a local copy: that copy is the initial state.
      if (this.indexedDb) this.resolveSynced()
      return
    }
    const wasOnline = this.online
    this.online = this.updatesCurrent && this.pointerCurrent
    if (!this.online || wasOnline) {
      this.updateStatus()
      return
    }
    void (this.loadingSnapshot ?? Promise.resolve()).then(() => {
      if (this.destroyed || !this.online) return
      this.resolveSynced()
      this.reconcile()
      this.updateStatus()
    })
  }

  /**
   * Writes whatever the server lacks of the local state: edits made offline, or batches lost
   * with a closed tab. Only when nothing is in flight, since in-flight writes may carry it.
   */
  private reconcile(): void {
    if (this.inflight > 0 || this.pending.length > 0 || !this.online) return
    if (Y.equalSnapshots(Y.snapshot(this.doc), Y.snapshot(this.server))) return
    const missing = Y.encodeStateAsUpdate(this.doc, Y.encodeStateVector(this.server))
    this.pending.push(missing)
    this.pendingBytes += missing.length
    this.writePending()
  }

  private writePending(): void {
    clearTimeout(this.flushTimer)
    this.flushTimer = undefined
    if (this.pending.length === 0 || this.destroyed) return
    const update = this.pending.length === 1 ? this.pending[0]! : Y.mergeUpdates(this.pending)
    const bytes = this.pendingBytes
    this.pending = []
    this.pendingBytes = 0
    if (update.length > MAX_UPDATE_BYTES) {
      this.stuckBytes += bytes
      this.report(
        new YFirestoreError(
          'too-large',
          `A change of ${(update.length / 2 ** 20).toFixed(1)} MiB to document ${this.docId} is larger than one Firestore commit can carry (${MAX_UPDATE_BYTES / 2 ** 20} MiB); it stays in this browser only.`,
        ),
      )
      this.updateStatus()
      return
    }
    this.inflight++
    this.inflightBytes += bytes
    if (this.online) this.setStatus('syncing')
    const batch = writeBatch(this.firestore)
    const updates = collection(this.firestore, updatesPath(this.docId))
    const first = docRef(updates)
    const author = this.author
    updateParts(update, first.id).forEach((part, i) => {
      const ref = i === 0 ? first : docRef(updates)
      this.seen.add(ref.id)
      batch.set(ref, { ...part, update: Bytes.fromUint8Array(part.update), author, createdAt: serverTimestamp() })
    })
    batch.commit().then(
      () => {
        Y.applyUpdate(this.server, update, this)
        this.settle(bytes)
      },
      (error: unknown) => {
        this.stuckBytes += bytes
        this.settle(bytes)
        this.report(new YFirestoreError('write-failed', `Saving changes to document ${this.docId} failed: ${error instanceof Error ? error.message : String(error)}`, error))
      },
    )
  }

  private settle(bytes: number): void {
    this.inflight--
    this.inflightBytes -= bytes
    if (this.inflight === 0 && this.pending.length === 0) this.stuckBytes = this.missingFromServer() ? this.stuckBytes : 0
    this.updateStatus()
  }

  /** Whether the server copy lacks some of the local state (cheap check: state vectors). */
  private missingFromServer(): boolean {
    const local = Y.decodeStateVector(Y.encodeStateVector(this.doc))
    const server = Y.decodeStateVector(Y.encodeStateVector(this.server))
    for (const [client, clock] of local) if ((server.get(client) ?? 0) < clock) return true
    return false
  }

  private updateStatus(): void {
    if (this.destroyed) return
    if (!this.online) return
    const idle = this.inflight === 0 && this.pending.length === 0
    const saved = idle && this.stuckBytes === 0 && !this.missingFromServer()
    this.setStatus(saved ? 'synced' : 'syncing')
    if (idle) this.idleWaiters.splice(0).forEach((resolve) => resolve())
  }

  private setStatus(status: ProviderStatus): void {
    if (status === this.currentStatus) return
    this.currentStatus = status
    this.emit('status', [status])
    if (status === 'synced') this.emit('synced', [])
  }

  private report(error: YFirestoreError): void {
    if (this.destroyed) return
    if (this._observers.get('error')?.size) this.emit('error', [error])
    else console.warn(`[y-firestore] ${error.code}: ${error.message}`)
  }

  /**
   * Writes everything local now and resolves once the server has acknowledged it and
   * contains the local state. Waits while offline.
   */
  async flush(): Promise<void> {
    await this.whenSynced
    for (;;) {
      if (this.destroyed) return
      this.writePending()
      if (this.inflight === 0 && this.online) {
        this.reconcile()
        if (this.inflight === 0) return
      }
      await new Promise<void>((resolve) => this.idleWaiters.push(resolve))
    }
  }

  /** Stops listening and writing; the own presence entry is removed. Pending writes still go out. */
  override destroy(): void {
    if (this.destroyed) return
    this.writePending()
    this.destroyed = true
    this.doc.off('updateV2', this.onLocalUpdate)
    this.unsubscribes.forEach((unsubscribe) => unsubscribe())
    this.presence?.destroy()
    void this.indexedDb?.destroy()
    this.server.destroy()
    this.idleWaiters.splice(0).forEach((resolve) => resolve())
    super.destroy()
  }
}

function readPointer(value: unknown): SnapshotPointer | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const { gen, chunks } = value as Record<string, unknown>
  if (typeof gen !== 'string' || typeof chunks !== 'number' || !Number.isInteger(chunks) || chunks < 1) return undefined
  return { gen, chunks }
}
