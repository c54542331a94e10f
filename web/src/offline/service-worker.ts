/**
 * Quire's service worker: the app's files are cached when it is installed, so the app starts
 * with no connection at all; the documents themselves come from Firestore's and y-indexeddb's
 * local copies. The page is fetched from the network whenever there is one, so a new
 * deployment is picked up at once; the hashed assets never change, so they come from the cache.
 */

/** The files of this build, filled in by the build (vite.config.ts); '/' is the page. */
declare const __QUIRE_PRECACHE__: string[]

// The web app's TypeScript program has the DOM library; these are the worker types it lacks.
interface ExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void
}
interface FetchEvent extends ExtendableEvent {
  readonly request: Request
  /** The page's response, fetched while the worker started (navigation preload), if enabled. */
  readonly preloadResponse: Promise<Response | undefined>
  respondWith(response: Promise<Response>): void
}
interface WorkerScope {
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEvent) => void): void
  addEventListener(type: 'fetch', listener: (event: FetchEvent) => void): void
  skipWaiting(): Promise<void>
  readonly clients: { claim(): Promise<void> }
  readonly registration: { navigationPreload?: { enable(): Promise<void> } }
  readonly location: Location
}

const worker = globalThis as unknown as WorkerScope
const FILES = __QUIRE_PRECACHE__
/** One cache per build: the names of its files change with their content. */
const CACHE = `quire-${hash(FILES.join('\n'))}`
const PAGE = '/'

worker.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll([PAGE, ...FILES]))
      .then(() => worker.skipWaiting()),
  )
})

worker.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((name) => name.startsWith('quire-') && name !== CACHE).map((name) => caches.delete(name))))
      // The page is then fetched while the worker starts, not after.
      .then(() => worker.registration.navigationPreload?.enable())
      .then(() => worker.clients.claim()),
  )
})

worker.addEventListener('fetch', (event) => {
  const { request } = event
  const url = new URL(request.url)
  // Firestore, Auth and Functions are other origins; Hosting's reserved /__/ URLs are its own.
  if (request.method !== 'GET' || url.origin !== worker.location.origin || url.pathname.startsWith('/__/')) return
  if (request.mode === 'navigate') event.respondWith(networkFirst(request, event.preloadResponse))
  else if (FILES.includes(url.pathname)) event.respondWith(cacheFirst(request))
})

/** The page: fresh from the network, kept for offline starts; the cached one when there is no network. */
async function networkFirst(request: Request, preloaded: Promise<Response | undefined>): Promise<Response> {
  const cache = await caches.open(CACHE)
  try {
    const response = (await preloaded) ?? (await fetch(request))
    if (response.ok) await cache.put(PAGE, response.clone())
    return response
  } catch (error) {
    const cached = await cache.match(PAGE)
    if (cached) return cached
    throw error
  }
}

async function cacheFirst(request: Request): Promise<Response> {
  const cached = await caches.match(request)
  return cached ?? fetch(request)
}

/** A short, stable hash of a string (FNV-1a), for the cache's name. */
function hash(text: string): string {
  let value = 0x811c9dc5
  for (let i = 0; i < text.length; i++) value = Math.imul(value ^ text.charCodeAt(i), 0x01000193)
  return (value >>> 0).toString(36)
}
