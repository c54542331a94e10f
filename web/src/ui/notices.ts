import { h } from './dom.js'

/**
 * Messages for the person: `announce` for screen readers only (aria-live polite), `showError`
 * for errors, shown in a dismissible banner whose region is role="alert", so they are both
 * seen and heard, never left in the console.
 */
const announcer = (): HTMLElement => document.getElementById('announcer')!
const alerts = (): HTMLElement => document.getElementById('alerts')!

/** Says something to screen readers without showing it (route changes, saved states). */
export function announce(text: string): void {
  // Clearing first makes a repeated message be read again.
  announcer().textContent = ''
  window.setTimeout(() => (announcer().textContent = text), 50)
}

/** Shows an error in words; the same message twice in a row is shown once. */
export function showError(message: string): void {
  const region = alerts()
  for (const existing of region.querySelectorAll<HTMLElement>('.alert-text')) {
    if (existing.textContent === message) return
  }
  const item = h('div', { class: 'alert' }, h('p', { class: 'alert-text' }, message))
  item.append(h('button', { type: 'button', class: 'alert-close', 'aria-label': 'Dismiss this message', onclick: () => item.remove() }, '×'))
  region.append(item)
}

/** Removes every error banner (on navigation: they were about the page left). */
export function clearErrors(): void {
  alerts().replaceChildren()
}
