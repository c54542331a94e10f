import type { User } from 'firebase/auth'
import type { Services } from '../firebase.js'
import { href, navigate } from '../router.js'
import { h, replace, type Cleanup } from '../ui/dom.js'
import { confirmAction, promptText } from '../ui/dialog.js'
import { describeError } from '../ui/errors.js'
import { announce, showError } from '../ui/notices.js'
import { createDocument, deleteDocument, MAX_TITLE, renameDocument, UNTITLED, watchDocuments, type DocumentEntry } from './documents.js'
import { UnindexedDocuments } from './unindexed.js'

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })

/** The document list: live from users/{uid}/documents; create, open, rename, delete. */
export function mountDocumentList(main: HTMLElement, services: Services, user: User): Cleanup {
  const unindexed = new UnindexedDocuments(services.db, user.uid)
  const list = h('ul', { class: 'doc-list', 'aria-labelledby': 'documents-title' })
  const state = h('p', { class: 'muted', role: 'status' }, 'Loading your documents…')
  const titleInput = h('input', { id: 'new-title', type: 'text', placeholder: UNTITLED, maxlength: MAX_TITLE, autocomplete: 'off' })
  const form = h(
    'form',
    {
      class: 'new-doc',
      'aria-label': 'New document',
      onsubmit: (event) => {
        event.preventDefault()
        const title = titleInput.value.trim() || UNTITLED
        const { id, saved } = createDocument(services.db, user.uid, title)
        unindexed.add(id, title)
        saved.catch((error: unknown) => {
          unindexed.remove(id)
          showError(`The document "${title}" could not be created: ${describeError(error)}`)
        })
        navigate({ name: 'doc', docId: id })
      },
    },
    h('label', { for: 'new-title' }, 'Title of a new document'),
    h('div', { class: 'row' }, titleInput, h('button', { type: 'submit', class: 'primary' }, 'New document')),
  )
  replace(main, h('section', { class: 'page documents', 'aria-labelledby': 'documents-title' }, h('h1', { id: 'documents-title' }, 'Your documents'), form, state, list))

  let renders = 0
  const render = async (entries: DocumentEntry[], fromCache: boolean) => {
    const turn = ++renders
    const created = await unindexed.list(new Set(entries.map((entry) => entry.id)))
    if (turn !== renders) return // a newer snapshot is being rendered
    state.textContent = created.length + entries.length === 0 ? (fromCache ? 'Loading your documents…' : 'No documents yet. Create one above.') : fromCache ? 'Offline: this list may be out of date.' : ''
    replace(list, ...created.map((entry) => item(entry, true)), ...entries.map((entry) => item(entry, false)))
  }

  /** One document's row; `pending`: created on this device, not in the user's index yet. */
  const item = (entry: DocumentEntry, pending: boolean): HTMLLIElement => {
    const actions = h('div', { class: 'doc-actions' })
    if (entry.role === 'owner' || entry.role === 'editor') {
      actions.append(
        h('button', {
          type: 'button',
          'aria-label': `Rename ${entry.title}`,
          onclick: async () => {
            const title = await promptText('Rename document', 'Title', entry.title, { maxLength: MAX_TITLE, submitLabel: 'Rename' })
            if (title === null || title === entry.title) return
            renameDocument(services.db, entry.id, title).catch((error: unknown) => showError(`Renaming failed: ${describeError(error)}`))
          },
        }, 'Rename'),
      )
    }
    if (entry.role === 'owner') {
      actions.append(
        h('button', {
          type: 'button',
          class: 'danger',
          'aria-label': `Delete ${entry.title}`,
          onclick: async () => {
            if (!(await confirmAction('Delete document?', `"${entry.title}" will be deleted for everyone it is shared with. This cannot be undone.`, 'Delete'))) return
            deleteDocument(services.db, entry.id).then(
              () => announce(`Deleted ${entry.title}`),
              (error: unknown) => showError(`Deleting failed: ${describeError(error)}`),
            )
          },
        }, 'Delete'),
      )
    }
    return h(
      'li',
      { class: 'doc-item', 'data-doc-id': entry.id, 'data-pending': pending ? 'true' : 'false' },
      h('a', { href: href({ name: 'doc', docId: entry.id }), class: 'doc-link' }, entry.title),
      h('span', { class: `role role-${entry.role}` }, entry.role),
      h('span', { class: 'muted small' }, entry.updatedAt ? dateFormat.format(entry.updatedAt) : ''),
      actions,
    )
  }

  return watchDocuments(services.db, user.uid, (entries, fromCache) => void render(entries, fromCache), (error) => {
    state.textContent = ''
    showError(`Your document list could not be loaded: ${describeError(error)}`)
  })
}
