import { doc, getDocFromCache, waitForPendingWrites, type Firestore, type FirestoreError, type Unsubscribe } from 'firebase/firestore'

/** How many times one listener is re-established after a refusal that this client's own writes may lift. */
const MAX_ACCESS_RETRIES = 3

/**
 * Resolves true once this client's writes have reached the server, if one of them is a write
 * to `path` the server has not acknowledged yet; false at once if there is none.
 */
async function whenOwnWriteLands(firestore: Firestore, path: string): Promise<boolean> {
  try {
    const cached = await getDocFromCache(doc(firestore, path))
    if (!cached.metadata.hasPendingWrites) return false
    await waitForPendingWrites(firestore)
    return true
  } catch {
    // Not in the cache (so no write of ours is pending), or the user changed meanwhile.
    return false
  }
}

/**
 * Starts a listener with `listen` and re-starts it when the security rules refuse it while
 * this client still has a write to `accessPath` on its way: once that write has landed.
 *
 * Why: rules that grant access from a document (membership in `documents/{docId}`) refuse a
 * listen that reaches the server before the document's creation or a role change, and the SDK
 * sends listens and writes on separate streams, so a listen can overtake a write queued before
 * it (a slow connection, a reconnect, a creation made offline). The SDK drops a refused
 * listener for good. Any other error, or a refusal with no such write pending, goes to
 * `onError`. Returns what stops the current listener.
 */
export function listenThroughOwnWrites(
  firestore: Firestore,
  accessPath: string,
  listen: (onError: (error: FirestoreError) => void) => Unsubscribe,
  onError: (error: FirestoreError) => void,
): Unsubscribe {
  let stopped = false
  let retries = 0
  let stop: Unsubscribe = () => {}
  const start = () => {
    stop = listen((error) => {
      if (error.code !== 'permission-denied' || retries >= MAX_ACCESS_RETRIES) {
        onError(error)
        return
      }
      retries++
      void whenOwnWriteLands(firestore, accessPath).then((landed) => {
        if (stopped) return
        if (landed) start()
        else onError(error)
      })
    })
  }
  start()
  return () => {
    stopped = true
    stop()
  }
}
