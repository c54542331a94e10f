import { h } from './dom.js'

/**
 * Modal dialogs on the native <dialog> element: it traps focus, closes on Escape and returns
 * focus to where it was, which is what keyboard and screen-reader users need.
 * `build` fills the body and may return a cleanup, run when the dialog closes.
 */
export function openDialog(title: string, build: (body: HTMLElement, close: () => void) => void | (() => void), options: { id?: string } = {}): HTMLDialogElement {
  const titleId = `dialog-title-${Math.random().toString(36).slice(2)}`
  const body = h('div', { class: 'dialog-body' })
  const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': titleId, id: options.id }, h('h2', { id: titleId }, title), body)
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null
  const close = () => dialog.close()
  const cleanup = build(body, close)
  dialog.addEventListener('close', () => {
    cleanup?.()
    dialog.remove()
    opener?.focus()
  })
  document.body.append(dialog)
  dialog.showModal()
  return dialog
}

/** Asks for one line of text; resolves with it, or null when cancelled. */
export function promptText(title: string, label: string, initial: string, options: { maxLength?: number; submitLabel?: string } = {}): Promise<string | null> {
  return new Promise((resolve) => {
    let answer: string | null = null
    const dialog = openDialog(title, (body, close) => {
      const input = h('input', { id: 'prompt-input', type: 'text', value: initial, maxlength: options.maxLength, required: true })
      body.append(
        h(
          'form',
          {
            method: 'dialog',
            onsubmit: (event) => {
              event.preventDefault()
              answer = input.value.trim()
              close()
            },
          },
          h('label', { for: 'prompt-input' }, label),
          input,
          h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, options.submitLabel ?? 'Save'), h('button', { type: 'button', onclick: close }, 'Cancel')),
        ),
      )
      queueMicrotask(() => input.select())
    })
    dialog.addEventListener('close', () => resolve(answer || null))
  })
}

/** Asks to confirm something that cannot be undone; resolves true when confirmed. */
export function confirmAction(title: string, message: string, confirmLabel: string): Promise<boolean> {
  return new Promise((resolve) => {
    let confirmed = false
    const dialog = openDialog(title, (body, close) => {
      const cancel = h('button', { type: 'button', onclick: close }, 'Cancel')
      body.append(
        h('p', {}, message),
        h('div', { class: 'actions' }, h('button', { type: 'button', class: 'danger', onclick: () => ((confirmed = true), close()) }, confirmLabel), cancel),
      )
      queueMicrotask(() => cancel.focus())
    })
    dialog.addEventListener('close', () => resolve(confirmed))
  })
}
