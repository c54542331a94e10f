import type { FirestoreProvider, ProviderStatus } from '@quire/y-firestore'
import { h } from '../ui/dom.js'

/** How often the unsaved byte count is read (the provider has no event for it). */
const POLL_MS = 500

/** Bytes in words: "420 bytes", "1.2 KB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} byte${bytes === 1 ? '' : 's'}`
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} KB`
  return `${(bytes / 1_000_000).toFixed(1)} MB`
}

/** The badge's words for a status and an unsaved byte count. */
export function statusText(status: ProviderStatus, unsavedBytes: number): string {
  const unsaved = unsavedBytes > 0 ? `, ${formatBytes(unsavedBytes)} not saved yet` : ''
  switch (status) {
    case 'connecting':
      return `Connecting…${unsaved}`
    case 'offline':
      return `Offline${unsaved}`
    case 'syncing':
      return `Saving…${unsaved}`
    case 'synced':
      return 'Saved'
  }
}

/**
 * The save-state badge, from provider.status and provider.unsavedBytes. It is a polite live
 * region (role="status"), but only the state's name changing is read out, not every byte count.
 */
export function mountStatusBadge(container: HTMLElement, provider: FirestoreProvider): () => void {
  const text = h('span', { class: 'status-text' })
  const spoken = h('span', { class: 'visually-hidden', role: 'status' })
  const badge = h('span', { class: 'status-badge', 'data-status': provider.status }, h('span', { class: 'dot', 'aria-hidden': 'true' }), text)
  container.replaceChildren(badge, spoken)
  let lastStatus: ProviderStatus | undefined
  const render = () => {
    const status = provider.status
    badge.dataset['status'] = status
    badge.dataset['unsaved'] = String(provider.unsavedBytes)
    text.textContent = statusText(status, provider.unsavedBytes)
    if (status !== lastStatus) spoken.textContent = statusText(status, provider.unsavedBytes)
    lastStatus = status
  }
  render()
  provider.on('status', render)
  const timer = window.setInterval(render, POLL_MS)
  return () => {
    provider.off('status', render)
    window.clearInterval(timer)
  }
}
