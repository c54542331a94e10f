/**
 * The test page's script: the browser build of the web SDK (firebase/app, firebase/firestore)
 * behind a small API on `globalThis.harness`, which the tests call through page.evaluate.
 * Everything crossing that boundary is JSON; Firestore types JSON lacks travel as tagged
 * objects (see Described).
 */
import { deleteApp, initializeApp, type FirebaseApp } from 'firebase/app'
import * as lite from 'firebase/firestore/lite'
import {
  Bytes,
  GeoPoint,
  Timestamp,
  arrayUnion,
  collection,
  connectFirestoreEmulator,
  deleteDoc,
  deleteField,
  disableNetwork,
  doc,
  enableNetwork,
  getCountFromServer,
  getDoc,
  getDocFromServer,
  getDocsFromServer,
  increment,
  initializeFirestore,
  limit,
  onSnapshot,
  orderBy,
  query,
  runTransaction,
  serverTimestamp,
  setDoc,
  terminate,
  updateDoc,
  vector,
  where,
  writeBatch,
  DocumentReference,
  VectorValue,
  type DocumentData,
  type DocumentSnapshot,
  type Firestore,
  type FirestoreSettings,
  type Query,
  type QueryConstraint,
  type QuerySnapshot,
  type WhereFilterOp,
} from 'firebase/firestore'

/** How the SDK's WebChannel reaches the server. */
export type TransportMode = 'auto-detect' | 'long-polling' | 'streaming'

export interface ConnectOptions {
  host: string
  port: number
  projectId: string
  mode: TransportMode
  /** Signs the page in as this user ID with an emulator token (`mockUserToken`); signed out when absent. */
  user?: string
}

/**
 * A Firestore value as JSON. Tagged objects stand for what JSON cannot say:
 * `{ $timestamp: [seconds, nanos] }`, `{ $bytes: base64 }`, `{ $geo: [lat, lng] }`,
 * `{ $ref: path }`, `{ $number: 'NaN' | 'Infinity' | '-Infinity' | '-0' }`, `{ $vector: [...] }`;
 * and, when writing, `{ $serverTimestamp: true }`, `{ $increment: n }`, `{ $arrayUnion: [...] }`, `{ $delete: true }`.
 */
export type Described = null | boolean | number | string | Described[] | { [key: string]: Described }

export interface DocState {
  exists: boolean
  data: Described
  fromCache: boolean
  hasPendingWrites: boolean
}

export interface QueryState {
  ids: string[]
  data: Record<string, Described>
  /** The snapshot's changes as `type:id`. */
  changes: string[]
  fromCache: boolean
  hasPendingWrites: boolean
}

export interface Filter {
  field: string
  op: WhereFilterOp
  value: Described
}

export type BatchOp = { op: 'set'; path: string; data: Described } | { op: 'update'; path: string; data: Described } | { op: 'delete'; path: string }

/** The API the tests drive. Paths are document or collection paths (`col/doc`). */
export interface Harness {
  connect(options: ConnectOptions): void
  set(path: string, data: Described, merge?: boolean): Promise<void>
  update(path: string, data: Described): Promise<void>
  remove(path: string): Promise<void>
  /** getDoc: from the server when online, from the cache when not. */
  get(path: string): Promise<DocState>
  getFromServer(path: string): Promise<DocState>
  query(collectionPath: string, filters: Filter[], order?: string, max?: number): Promise<QueryState>
  count(collectionPath: string, filters: Filter[]): Promise<number>
  /** Starts recording a listener's snapshots under `key`. */
  listenDoc(key: string, path: string): void
  listenQuery(key: string, collectionPath: string, filters: Filter[], order?: string): void
  docStates(key: string): DocState[]
  queryStates(key: string): QueryState[]
  /** The error codes a listener failed with. */
  listenErrors(key: string): string[]
  unlisten(key: string): void
  /** A transaction adding `delta` to a number field; returns the value it wrote. */
  addInTransaction(path: string, field: string, delta: number): Promise<number>
  /** A transaction that updates a document that may be missing (fails with not-found then). */
  updateInTransaction(path: string, data: Described): Promise<void>
  batch(ops: BatchOp[]): Promise<void>
  /** Runs `op` and returns the error code it failed with, or 'ok'. */
  errorCode(op: { kind: 'update' | 'transaction-update' | 'set'; path: string; data: Described } | { kind: 'get'; path: string }): Promise<string>
  /** The lite SDK (REST only: runQuery, batchGet, commit, runAggregationQuery) on the same app. Plain JSON data only. */
  liteSet(path: string, data: Described): Promise<void>
  liteGet(path: string): Promise<{ exists: boolean; data: Described }>
  liteQuery(collectionPath: string, filters: Filter[], order?: string, max?: number): Promise<{ ids: string[]; data: Record<string, Described> }>
  liteCount(collectionPath: string): Promise<number>
  disableNetwork(): Promise<void>
  enableNetwork(): Promise<void>
  close(): Promise<void>
}

let app: FirebaseApp | undefined
let db: Firestore | undefined
let liteDb: lite.Firestore | undefined
const docStates = new Map<string, DocState[]>()
const queryStates = new Map<string, QueryState[]>()
const listenErrors = new Map<string, string[]>()
const unsubscribes = new Map<string, () => void>()

function firestore(): Firestore {
  if (!db) throw new Error('harness.connect() first')
  return db
}

function liteFirestore(): lite.Firestore {
  if (!liteDb) throw new Error('harness.connect() first')
  return liteDb
}

function isTagged(value: Described, tag: string): value is { [key: string]: Described } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && tag in value
}

/** A Described value as what the SDK writes. */
function toFirestore(value: Described): unknown {
  if (Array.isArray(value)) return value.map(toFirestore)
  if (typeof value !== 'object' || value === null) return value
  if (isTagged(value, '$timestamp')) {
    const [seconds, nanos] = value['$timestamp'] as [number, number]
    return new Timestamp(seconds, nanos)
  }
  if (isTagged(value, '$bytes')) return Bytes.fromBase64String(value['$bytes'] as string)
  if (isTagged(value, '$geo')) {
    const [lat, lng] = value['$geo'] as [number, number]
    return new GeoPoint(lat, lng)
  }
  if (isTagged(value, '$ref')) return doc(firestore(), value['$ref'] as string)
  if (isTagged(value, '$number')) return Number(value['$number'])
  if (isTagged(value, '$vector')) return vector(value['$vector'] as number[])
  if (isTagged(value, '$serverTimestamp')) return serverTimestamp()
  if (isTagged(value, '$increment')) return increment(value['$increment'] as number)
  if (isTagged(value, '$arrayUnion')) return arrayUnion(...(value['$arrayUnion'] as Described[]).map(toFirestore))
  if (isTagged(value, '$delete')) return deleteField()
  return Object.fromEntries(Object.entries(value as Record<string, Described>).map(([k, v]) => [k, toFirestore(v)]))
}

/** What the SDK read, as a Described value. */
function describe(value: unknown): Described {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value
  if (typeof value === 'number') {
    if (Number.isNaN(value) || !Number.isFinite(value)) return { $number: String(value) }
    return Object.is(value, -0) ? { $number: '-0' } : value
  }
  if (Array.isArray(value)) return value.map(describe)
  // The lite SDK is a bundle of its own, with classes of its own.
  if (value instanceof Timestamp || value instanceof lite.Timestamp) return { $timestamp: [value.seconds, value.nanoseconds] }
  if (value instanceof Bytes || value instanceof lite.Bytes) return { $bytes: value.toBase64() }
  if (value instanceof GeoPoint || value instanceof lite.GeoPoint) return { $geo: [value.latitude, value.longitude] }
  if (value instanceof DocumentReference || value instanceof lite.DocumentReference) return { $ref: value.path }
  if (value instanceof VectorValue || value instanceof lite.VectorValue) return { $vector: value.toArray() }
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]): [string, Described] => [k, describe(v)]))
  throw new Error(`Cannot describe ${typeof value}`)
}

function docState(snapshot: DocumentSnapshot): DocState {
  return { exists: snapshot.exists(), data: snapshot.exists() ? describe(snapshot.data({ serverTimestamps: 'estimate' })) : null, fromCache: snapshot.metadata.fromCache, hasPendingWrites: snapshot.metadata.hasPendingWrites }
}

function queryState(snapshot: QuerySnapshot): QueryState {
  return {
    ids: snapshot.docs.map((d) => d.id),
    data: Object.fromEntries(snapshot.docs.map((d) => [d.id, describe(d.data({ serverTimestamps: 'estimate' }))])),
    changes: snapshot.docChanges().map((c) => `${c.type}:${c.doc.id}`),
    fromCache: snapshot.metadata.fromCache,
    hasPendingWrites: snapshot.metadata.hasPendingWrites,
  }
}

function buildQuery(collectionPath: string, filters: Filter[], order?: string, max?: number): Query<DocumentData> {
  const constraints: QueryConstraint[] = filters.map((f) => where(f.field, f.op, toFirestore(f.value)))
  if (order) constraints.push(orderBy(order))
  if (max !== undefined) constraints.push(limit(max))
  return query(collection(firestore(), collectionPath), ...constraints)
}

function codeOf(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : `not a FirestoreError: ${String(error)}`
}

const harness: Harness = {
  connect({ host, port, projectId, mode, user }) {
    app = initializeApp({ projectId, apiKey: 'fake-api-key' }, `page-${Math.random().toString(36).slice(2)}`)
    const settings: FirestoreSettings = mode === 'long-polling' ? { experimentalForceLongPolling: true } : mode === 'streaming' ? { experimentalAutoDetectLongPolling: false } : {}
    db = initializeFirestore(app, settings)
    connectFirestoreEmulator(db, host, port, user ? { mockUserToken: { sub: user, user_id: user } } : {})
    liteDb = lite.getFirestore(app)
    lite.connectFirestoreEmulator(liteDb, host, port, user ? { mockUserToken: { sub: user, user_id: user } } : {})
  },
  async set(path, data, merge = false) {
    await setDoc(doc(firestore(), path), toFirestore(data) as DocumentData, { merge })
  },
  async update(path, data) {
    await updateDoc(doc(firestore(), path), toFirestore(data) as DocumentData)
  },
  async remove(path) {
    await deleteDoc(doc(firestore(), path))
  },
  async get(path) {
    return docState(await getDoc(doc(firestore(), path)))
  },
  async getFromServer(path) {
    return docState(await getDocFromServer(doc(firestore(), path)))
  },
  async query(collectionPath, filters, order, max) {
    return queryState(await getDocsFromServer(buildQuery(collectionPath, filters, order, max)))
  },
  async count(collectionPath, filters) {
    return (await getCountFromServer(buildQuery(collectionPath, filters))).data().count
  },
  listenDoc(key, path) {
    docStates.set(key, [])
    listenErrors.set(key, [])
    unsubscribes.set(key, onSnapshot(doc(firestore(), path), { includeMetadataChanges: true }, {
      next: (snapshot) => docStates.get(key)!.push(docState(snapshot)),
      error: (error) => listenErrors.get(key)!.push(codeOf(error)),
    }))
  },
  listenQuery(key, collectionPath, filters, order) {
    queryStates.set(key, [])
    listenErrors.set(key, [])
    unsubscribes.set(key, onSnapshot(buildQuery(collectionPath, filters, order), { includeMetadataChanges: true }, {
      next: (snapshot) => queryStates.get(key)!.push(queryState(snapshot)),
      error: (error) => listenErrors.get(key)!.push(codeOf(error)),
    }))
  },
  docStates: (key) => docStates.get(key) ?? [],
  queryStates: (key) => queryStates.get(key) ?? [],
  listenErrors: (key) => listenErrors.get(key) ?? [],
  unlisten(key) {
    unsubscribes.get(key)?.()
    unsubscribes.delete(key)
  },
  async addInTransaction(path, field, delta) {
    const ref = doc(firestore(), path)
    return runTransaction(firestore(), async (transaction) => {
      const snapshot = await transaction.get(ref)
      const next = ((snapshot.get(field) as number | undefined) ?? 0) + delta
      transaction.set(ref, { [field]: next }, { merge: true })
      return next
    })
  },
  async updateInTransaction(path, data) {
    const ref = doc(firestore(), path)
    await runTransaction(firestore(), async (transaction) => {
      transaction.update(ref, toFirestore(data) as DocumentData)
    })
  },
  async batch(ops) {
    const batch = writeBatch(firestore())
    for (const op of ops) {
      const ref = doc(firestore(), op.path)
      if (op.op === 'set') batch.set(ref, toFirestore(op.data) as DocumentData)
      else if (op.op === 'update') batch.update(ref, toFirestore(op.data) as DocumentData)
      else batch.delete(ref)
    }
    await batch.commit()
  },
  async errorCode(op) {
    try {
      if (op.kind === 'get') await harness.getFromServer(op.path)
      else if (op.kind === 'update') await harness.update(op.path, op.data)
      else if (op.kind === 'set') await harness.set(op.path, op.data)
      else await harness.updateInTransaction(op.path, op.data)
      return 'ok'
    } catch (error) {
      return codeOf(error)
    }
  },
  async liteSet(path, data) {
    await lite.setDoc(lite.doc(liteFirestore(), path), data as DocumentData)
  },
  async liteGet(path) {
    const snapshot = await lite.getDoc(lite.doc(liteFirestore(), path))
    return { exists: snapshot.exists(), data: snapshot.exists() ? describe(snapshot.data()) : null }
  },
  async liteQuery(collectionPath, filters, order, max) {
    const constraints: lite.QueryConstraint[] = filters.map((f) => lite.where(f.field, f.op, toFirestore(f.value)))
    if (order) constraints.push(lite.orderBy(order))
    if (max !== undefined) constraints.push(lite.limit(max))
    const snapshot = await lite.getDocs(lite.query(lite.collection(liteFirestore(), collectionPath), ...constraints))
    return { ids: snapshot.docs.map((d) => d.id), data: Object.fromEntries(snapshot.docs.map((d) => [d.id, describe(d.data())])) }
  },
  async liteCount(collectionPath) {
    return (await lite.getCount(lite.collection(liteFirestore(), collectionPath))).data().count
  },
  disableNetwork: () => disableNetwork(firestore()),
  enableNetwork: () => enableNetwork(firestore()),
  async close() {
    for (const unsubscribe of unsubscribes.values()) unsubscribe()
    unsubscribes.clear()
    if (db) await terminate(db)
    if (liteDb) await lite.terminate(liteDb)
    if (app) await deleteApp(app)
    db = undefined
    liteDb = undefined
    app = undefined
  },
}

;(globalThis as { harness?: Harness }).harness = harness
