/**
 * @quire/y-firestore: a Yjs provider that keeps a document in Cloud Firestore.
 *
 * ```ts
 * const provider = new FirestoreProvider(firestore, docId, ydoc, { awareness })
 * await provider.whenSynced
 * ```
 */
export { FirestoreProvider, type FirestoreProviderOptions, type ProviderEvents, type ProviderStatus, type SnapshotPointer } from './provider.js'
export { YFirestoreError, type YFirestoreErrorCode } from './errors.js'
export { PRESENCE_HEARTBEAT_MS, PRESENCE_THROTTLE_MS, PRESENCE_TIMEOUT_MS, type PresenceTiming } from './presence.js'
export { listenThroughOwnWrites } from './access.js'
export * as paths from './paths.js'
