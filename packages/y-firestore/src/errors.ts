/** What went wrong, for code that reacts to a provider's 'error' event. */
export type YFirestoreErrorCode =
  /** A stored update does not decode as a Yjs update; it was skipped. */
  | 'invalid-update'
  /** A local change is larger than one Firestore commit can carry; it stays local. */
  | 'too-large'
  /** Firestore refused a write (permission denied, for example); the change stays local. */
  | 'write-failed'
  /** Reading or listening failed (permission denied, for example). */
  | 'read-failed'
  /** The provider was destroyed before the operation (flush()) could complete. */
  | 'destroyed'

/** An error of the provider: a code to branch on and a message a person can act on. */
export class YFirestoreError extends Error {
  constructor(
    readonly code: YFirestoreErrorCode,
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message)
    this.name = 'YFirestoreError'
  }
}
