let opened!: () => void
const firstDocument = new Promise<void>((resolve) => (opened = resolve))

/** The document page calls this once a document's text is loaded; the first call lets the service worker install. */
export function documentOpened(): void {
  opened()
}

/**
 * Installs the service worker (offline/service-worker.ts) in production builds, so the app
 * starts without a connection. Not in `vite dev`, whose files are not a fixed set.
 *
 * It waits until a document has been opened: what it serves offline is the app around the
 * documents this browser has copies of, and its install fetches the whole build again, which
 * would slow down opening that first document.
 */
export function registerServiceWorker(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return
  void firstDocument.then(() =>
    navigator.serviceWorker.register('/sw.js').catch((error: unknown) => {
      // The app works without it; it just cannot start offline.
      console.warn('Quire: the service worker could not be installed, so the app will not start offline.', error)
    }),
  )
}
