import { expect } from 'vitest'
import {
  onSnapshot,
  type DocumentData,
  type DocumentReference,
  type DocumentSnapshot,
  type FirestoreError,
  type Query,
  type QuerySnapshot,
  type SnapshotListenOptions,
} from 'firebase/firestore'

/** How long a test waits for a snapshot or an event before it fails, unless told otherwise. */
export const DEFAULT_WAIT_MS = 5_000

/** Rejects with a descriptive error if `promise` does not settle within `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)), ms)
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}

interface Waiter<S> {
  readonly predicate: (snapshot: S) => boolean
  readonly resolve: (snapshot: S) => void
  readonly reject: (error: unknown) => void
}

/**
 * Listens through onSnapshot and keeps every snapshot it hears, so a test can wait for
 * one that matches a predicate (with a timeout) and look at the history afterwards.
 */
export class SnapshotRecorder<S> {
  readonly snapshots: S[] = []
  private error: FirestoreError | undefined
  private readonly waiters = new Set<Waiter<S>>()
  private readonly errorWaiters = new Set<(error: FirestoreError) => void>()
  private unsubscribe: (() => void) | undefined

  constructor(listen: (next: (snapshot: S) => void, error: (error: FirestoreError) => void) => () => void) {
    this.unsubscribe = listen(
      (snapshot) => {
        this.snapshots.push(snapshot)
        for (const waiter of this.waiters) {
          if (waiter.predicate(snapshot)) {
            this.waiters.delete(waiter)
            waiter.resolve(snapshot)
          }
        }
      },
      (error) => {
        this.error = error
        for (const waiter of this.waiters) waiter.reject(error)
        this.waiters.clear()
        for (const resolve of this.errorWaiters) resolve(error)
        this.errorWaiters.clear()
      },
    )
  }

  /** The last snapshot heard, if any. */
  latest(): S | undefined {
    return this.snapshots.at(-1)
  }

  /**
   * The first snapshot, counting the latest one already heard, that satisfies `predicate`.
   * Fails after `timeoutMs`, or at once if the listener failed.
   */
  async waitFor(predicate: (snapshot: S) => boolean, what = 'a matching snapshot', timeoutMs = DEFAULT_WAIT_MS): Promise<S> {
    if (this.error) throw this.error
    const latest = this.latest()
    if (latest !== undefined && predicate(latest)) return latest
    let waiter: Waiter<S> | undefined
    const promise = new Promise<S>((resolve, reject) => {
      waiter = { predicate, resolve, reject }
      this.waiters.add(waiter)
    })
    try {
      return await withTimeout(promise, timeoutMs, what)
    } finally {
      if (waiter) this.waiters.delete(waiter)
    }
  }

  /** The listener's error, once it failed (fails after `timeoutMs` if it has not). */
  async waitForError(timeoutMs = DEFAULT_WAIT_MS): Promise<FirestoreError> {
    if (this.error) return this.error
    let resolver: ((error: FirestoreError) => void) | undefined
    const promise = new Promise<FirestoreError>((resolve) => {
      resolver = resolve
      this.errorWaiters.add(resolve)
    })
    try {
      return await withTimeout(promise, timeoutMs, 'a listener error')
    } finally {
      if (resolver) this.errorWaiters.delete(resolver)
    }
  }

  stop(): void {
    this.unsubscribe?.()
    this.unsubscribe = undefined
    for (const waiter of this.waiters) waiter.reject(new Error('The recorder was stopped'))
    this.waiters.clear()
  }
}

/** Records the snapshots of a query listener. */
export function recordQuery<T = DocumentData>(query: Query<T>, options: SnapshotListenOptions = {}): SnapshotRecorder<QuerySnapshot<T>> {
  return new SnapshotRecorder((next, error) => onSnapshot(query, options, { next, error }))
}

/** Records the snapshots of a document listener. */
export function recordDoc<T = DocumentData>(ref: DocumentReference<T>, options: SnapshotListenOptions = {}): SnapshotRecorder<DocumentSnapshot<T>> {
  return new SnapshotRecorder((next, error) => onSnapshot(ref, options, { next, error }))
}

/** The IDs of a query snapshot's documents, in order. */
export function ids(snapshot: QuerySnapshot): string[] {
  return snapshot.docs.map((d) => d.id)
}

/** A snapshot the server has confirmed: not from cache and without pending local writes. */
export function isSynced(snapshot: QuerySnapshot | DocumentSnapshot): boolean {
  return !snapshot.metadata.fromCache && !snapshot.metadata.hasPendingWrites
}

/**
 * Whether `error` is a FirestoreError. Checked by shape: under the test runner, errors from
 * the SDK's streams are not always instances of the FirestoreError class a test imports.
 */
export function isFirestoreError(error: unknown): error is FirestoreError {
  return error instanceof Error && error.name === 'FirebaseError' && typeof (error as { code?: unknown }).code === 'string'
}

/** Asserts that `promise` rejects with a FirestoreError of the given code; returns the error. */
export async function expectFirestoreError(promise: Promise<unknown>, code: FirestoreError['code']): Promise<FirestoreError> {
  const outcome = await promise.then(
    (value: unknown) => ({ resolved: value }),
    (error: unknown) => ({ rejected: error }),
  )
  if (!('rejected' in outcome)) expect.fail(`expected a FirestoreError "${code}", but the operation succeeded`)
  const error = outcome.rejected
  if (!isFirestoreError(error)) expect.fail(`expected a FirestoreError "${code}", got ${String(error)}`)
  expect(error.code, error.message).toBe(code)
  return error
}
