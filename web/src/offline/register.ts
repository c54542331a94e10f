/**
 * Installs the service worker (offline/service-worker.ts) in production builds, so the app
 * starts without a connection. Not in `vite dev`, whose files are not a fixed set.
 */
export function registerServiceWorker(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return
  navigator.serviceWorker.register('/sw.js').catch((error: unknown) => {
    // The app works without it; it just cannot start offline.
    console.warn('Quire: the service worker could not be installed, so the app will not start offline.', error)
  })
}
