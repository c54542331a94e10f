/**
 * What of a browser tab the provider uses when it runs in one: page lifecycle events, Web
 * Storage and whether the browser is offline. This package is typed without the DOM library and also runs in Node, where none of
 * it exists.
 */

/** The synchronous Web Storage calls used: the only storage a page that is going away can still write. */
export interface TabStorage {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
  removeItem(key: string): void
}

interface BrowserTab {
  navigator: { onLine: boolean }
  sessionStorage: TabStorage
  localStorage: TabStorage
  addEventListener(type: 'pagehide', listener: () => void): void
  removeEventListener(type: 'pagehide', listener: () => void): void
}

const tab = globalThis as Partial<BrowserTab>

/**
 * Whether the browser knows it has no network at all (`navigator.onLine` false). Its opposite
 * proves nothing (a network is not a route to the server), so only this answer is used.
 */
export function browserOffline(): boolean {
  return tab.navigator?.onLine === false
}

/** Calls `listener` when the page goes away (reload, navigation, closed tab); returns what removes it. */
export function onPageHide(listener: () => void): () => void {
  tab.addEventListener?.('pagehide', listener)
  return () => tab.removeEventListener?.('pagehide', listener)
}

/** The tab's sessionStorage (kept across reloads of this tab only), if there is one. */
export function tabStorage(): TabStorage | undefined {
  try {
    return tab.sessionStorage
  } catch {
    // Storage disabled in the browser's settings.
    return undefined
  }
}

/** The origin's localStorage (kept across tabs and restarts), if there is one. */
export function originStorage(): TabStorage | undefined {
  try {
    return tab.localStorage
  } catch {
    return undefined
  }
}
