import { expect } from 'vitest'
import type { CollectionReference, DocumentData, DocumentReference, DocumentSnapshot, Firestore, Query, QuerySnapshot } from 'firebase-admin/firestore'

/**
 * Shared helpers of the Admin SDK (firebase-admin/firestore) conformance tests.
 */

/** An error as the Admin SDK reports a failed RPC: `code` is the gRPC status code. */
interface CodedError {
  code: unknown
  message: string
}

function isCodedError(error: unknown): error is CodedError {
  return typeof error === 'object' && error !== null && 'code' in error && 'message' in error
}

/**
 * Awaits `work` and asserts it fails with the gRPC status `code` (3 INVALID_ARGUMENT,
 * 5 NOT_FOUND, 6 ALREADY_EXISTS, 9 FAILED_PRECONDITION, 10 ABORTED...). Returns the error.
 */
export async function expectCode(work: Promise<unknown> | (() => Promise<unknown>), code: number): Promise<CodedError> {
  let outcome: { ok: true; value: unknown } | { ok: false; error: unknown }
  try {
    outcome = { ok: true, value: await (typeof work === 'function' ? work() : work) }
  } catch (error) {
    outcome = { ok: false, error }
  }
  if (outcome.ok) throw new Error(`Expected the operation to fail with code ${code}, but it succeeded.`)
  const { error } = outcome
  if (!isCodedError(error)) throw new Error(`Expected an error with code ${code}, got ${String(error)}`)
  expect(error.code, `error code of: ${error.message}`).toBe(code)
  return error
}

/** The IDs of a query snapshot's documents, in order. */
export function ids(snapshot: QuerySnapshot): string[] {
  return snapshot.docs.map((doc) => doc.id)
}

/** Runs a query and returns its document IDs in order. */
export async function queryIds(query: Query): Promise<string[]> {
  return ids(await query.get())
}

/** Writes documents `{ id: data }` into a collection in one batch. */
export async function seed(collection: CollectionReference, docs: Record<string, DocumentData>): Promise<void> {
  const batch = collection.firestore.batch()
  for (const [id, data] of Object.entries(docs)) batch.set(collection.doc(id), data)
  await batch.commit()
}

/** A collection with a unique name, so tests of one file don't see each other's documents. */
export function freshCollection(db: Firestore, prefix: string): CollectionReference {
  return db.collection(`${prefix}-${Math.random().toString(36).slice(2, 10)}`)
}

/**
 * Lets `parties` concurrent tasks wait for each other: `arrive()` resolves once all have
 * arrived (and at once for later arrivals, e.g. a retried transaction's next attempt).
 */
export class Barrier {
  private arrived = 0
  private release: () => void = () => {}
  private readonly all = new Promise<void>((resolve) => {
    this.release = resolve
  })

  constructor(private readonly parties: number) {}

  arrive(): Promise<void> {
    if (++this.arrived >= this.parties) this.release()
    return this.all
  }
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/**
 * Records the snapshots a listener receives, and lets a test wait for one that passes a
 * predicate (bounded by a timeout, so a missing event fails the test instead of hanging it).
 */
export class SnapshotRecorder<S> {
  readonly snapshots: S[] = []
  readonly errors: Error[] = []
  private waiters: { predicate: (snapshot: S) => boolean; resolve: (snapshot: S) => void }[] = []
  private unsubscribe: (() => void) | undefined

  /** Starts recording: `listen` attaches the listener and returns its unsubscribe function. */
  static start<S>(listen: (next: (snapshot: S) => void, error: (error: Error) => void) => () => void): SnapshotRecorder<S> {
    const recorder = new SnapshotRecorder<S>()
    recorder.unsubscribe = listen(
      (snapshot) => recorder.record(snapshot),
      (error) => recorder.errors.push(error),
    )
    return recorder
  }

  private record(snapshot: S): void {
    this.snapshots.push(snapshot)
    const ready = this.waiters.filter((w) => w.predicate(snapshot))
    this.waiters = this.waiters.filter((w) => !ready.includes(w))
    for (const waiter of ready) waiter.resolve(snapshot)
  }

  /** The first snapshot (already received or still to come) that passes `predicate`. */
  next(predicate: (snapshot: S) => boolean, timeoutMs = 5_000): Promise<S> {
    return this.waitFrom(0, predicate, timeoutMs)
  }

  /**
   * Runs `action` (a write) and waits for the first snapshot received since it started that
   * passes `predicate`; counting from before the action, so a snapshot that arrives before
   * the write's own response is not missed.
   */
  async after(action: () => Promise<unknown>, predicate: (snapshot: S) => boolean = () => true, timeoutMs = 5_000): Promise<S> {
    const start = this.snapshots.length
    await action()
    return this.waitFrom(start, predicate, timeoutMs)
  }

  private waitFrom(start: number, predicate: (snapshot: S) => boolean, timeoutMs: number): Promise<S> {
    const seen = this.snapshots.slice(start).find(predicate)
    if (seen !== undefined) return Promise.resolve(seen)
    return new Promise<S>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter)
        const errors = this.errors.map((e) => e.message).join('; ')
        reject(new Error(`No matching snapshot within ${timeoutMs} ms (${this.snapshots.length} received${errors ? `; errors: ${errors}` : ''}).`))
      }, timeoutMs)
      const waiter = {
        predicate,
        resolve: (snapshot: S) => {
          clearTimeout(timer)
          resolve(snapshot)
        },
      }
      this.waiters.push(waiter)
    })
  }

  stop(): void {
    this.unsubscribe?.()
    this.unsubscribe = undefined
  }
}

/** Records a query listener's snapshots. */
export function recordQuery(query: Query): SnapshotRecorder<QuerySnapshot> {
  return SnapshotRecorder.start<QuerySnapshot>((next, error) => query.onSnapshot(next, error))
}

/** Records a document listener's snapshots. */
export function recordDocument(ref: DocumentReference): SnapshotRecorder<DocumentSnapshot> {
  return SnapshotRecorder.start<DocumentSnapshot>((next, error) => ref.onSnapshot(next, error))
}
