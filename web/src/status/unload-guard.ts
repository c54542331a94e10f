import type { FirestoreProvider } from '@quire/y-firestore'

/**
 * Asks before the tab closes while the server lacks local changes. They are not lost either
 * way (the local copy keeps them and they are sent on the next open), but they are not on
 * the server yet, so collaborators do not have them.
 */
export function guardUnload(provider: FirestoreProvider): () => void {
  const onBeforeUnload = (event: BeforeUnloadEvent) => {
    if (provider.unsavedBytes > 0) {
      event.preventDefault()
      // Older browsers show the prompt only when returnValue is set.
      event.returnValue = ''
    }
  }
  window.addEventListener('beforeunload', onBeforeUnload)
  return () => window.removeEventListener('beforeunload', onBeforeUnload)
}
