import { FirestoreProvider, type YFirestoreError } from '@quire/y-firestore'
import { Awareness } from 'y-protocols/awareness'
import * as Y from 'yjs'
import type { Session } from '../auth/session.js'
import { MAX_TITLE, renameDocument, watchDocument, type DocumentMeta, type MetaEvent, type Role } from '../documents/documents.js'
import type { Services } from '../firebase.js'
import { documentOpened } from '../offline/register.js'
import { href } from '../router.js'
import { openShareDialog } from '../sharing/share-dialog.js'
import { mountStatusBadge } from '../status/status-badge.js'
import { guardUnload } from '../status/unload-guard.js'
import { promptText } from '../ui/dialog.js'
import { h, replace, type Cleanup } from '../ui/dom.js'
import { describeError, errorCode } from '../ui/errors.js'
import { showError } from '../ui/notices.js'
import { createEditor, type CollaborativeEditor } from './codemirror.js'
import { awarenessUser, mountPresence } from './presence.js'

/** An open document: its Yjs state, provider, editor and the widgets that follow them. */
interface OpenDocument {
  editor: CollaborativeEditor
  provider: FirestoreProvider
  close(): void
}

/**
 * The document page (`#/d/{docId}`). It follows `documents/{docId}` first: only once the
 * rules let this person read it does the page load the text, so a stranger sees "no access"
 * and never any content. Then a Y.Doc, an Awareness and a FirestoreProvider (with its
 * y-indexeddb copy) feed a CodeMirror editor; the role decides whether it is read-only.
 */
export function mountDocument(main: HTMLElement, services: Services, session: Session, docId: string): Cleanup {
  const uid = session.user.uid
  const heading = h('h1', { id: 'doc-title', class: 'doc-title' }, 'Opening…')
  const roleBadge = h('span', { class: 'role' })
  const renameButton = h('button', { type: 'button', hidden: true, onclick: () => void rename() }, 'Rename')
  const shareButton = h('button', { type: 'button', class: 'primary', hidden: true, 'aria-haspopup': 'dialog', onclick: () => openShareDialog(services, docId, () => meta!, onMeta) }, 'Share')
  const presence = h('div', { class: 'presence-area' })
  const status = h('div', { class: 'status-area' })
  const editorHost = h('div', { class: 'editor-host', role: 'region', 'aria-label': 'Document text' })
  const message = h('div', { class: 'page-message' })
  const page = h(
    'section',
    { class: 'page document', 'aria-labelledby': 'doc-title' },
    h(
      'div',
      { class: 'doc-bar' },
      h('a', { href: href({ name: 'list' }), class: 'back' }, h('span', { 'aria-hidden': 'true' }, '← '), 'Documents'),
      h('div', { class: 'doc-heading' }, heading, roleBadge, renameButton),
      h('div', { class: 'doc-tools' }, presence, status, shareButton),
    ),
    message,
    editorHost,
  )
  replace(main, page)

  let meta: DocumentMeta | undefined
  let open: OpenDocument | undefined
  let closed = false
  const close = () => {
    open?.close()
    open = undefined
  }
  const metaListeners = new Set<() => void>()
  const onMeta = (listener: () => void) => {
    metaListeners.add(listener)
    return () => metaListeners.delete(listener)
  }

  const rename = async () => {
    if (!meta) return
    const title = await promptText('Rename document', 'Title', meta.title, { maxLength: MAX_TITLE, submitLabel: 'Rename' })
    if (title === null || title === meta.title) return
    renameDocument(services.db, docId, title).catch((error: unknown) => showError(`Renaming failed: ${describeError(error)}`))
  }

  /** Replaces the page by a message and no content (no access, deleted). */
  const block = (title: string, text: string) => {
    close()
    page.classList.add('blocked')
    heading.textContent = title
    document.title = `${title} · Quire`
    for (const element of [roleBadge, renameButton, shareButton]) element.hidden = true
    presence.replaceChildren()
    status.replaceChildren()
    replace(message, h('div', { class: 'card notice', 'data-state': 'no-access' }, h('p', {}, text), h('p', {}, h('a', { href: href({ name: 'list' }) }, 'Back to your documents'))))
  }

  const applyMeta = (next: DocumentMeta) => {
    meta = next
    const role: Role | undefined = next.roles[uid]
    heading.textContent = next.title
    document.title = `${next.title} · Quire`
    roleBadge.textContent = role === 'viewer' ? 'View only' : role === 'owner' ? 'Owner' : 'Can edit'
    roleBadge.className = `role role-${role ?? 'none'}`
    renameButton.hidden = role !== 'owner' && role !== 'editor'
    renameButton.setAttribute('aria-label', `Rename ${next.title}`)
    shareButton.hidden = role !== 'owner'
    open?.editor.setReadOnly(role === 'viewer')
    for (const listener of metaListeners) listener()
  }

  const start = (role: Role | undefined) => {
    if (closed || !meta) return
    message.replaceChildren()
    open = openDocument(services, session, docId, editorHost, { readOnly: role === 'viewer', title: meta.title }, { presence, status })
  }

  const onEvent = (event: MetaEvent) => {
    switch (event.kind) {
      case 'found':
        if (!event.meta.roles[uid]) {
          block('No access', 'You no longer have access to this document.')
          return
        }
        page.classList.remove('blocked')
        applyMeta(event.meta)
        if (!open) start(event.meta.roles[uid])
        return
      case 'unknown-offline':
        if (!open) replace(message, h('div', { class: 'card notice', 'data-state': 'offline-unknown' }, h('p', {}, 'You are offline, and this document has not been opened on this device before. It opens as soon as the connection returns.')))
        return
      case 'missing':
        block('Document not found', 'This document does not exist, or it was deleted.')
        void forgetLocalCopy(docId)
        return
      case 'denied':
        block('No access', `You do not have access to this document, or it was deleted. You are signed in as ${session.profile.displayName}${session.user.email ? ` (${session.user.email})` : ''}. Ask its owner to share it with you.`)
        void forgetLocalCopy(docId)
        return
      case 'error':
        showError(`This document could not be loaded: ${describeError(event.error)}`)
        return
    }
  }

  const stopMeta = watchDocument(services.db, docId, onEvent)
  return () => {
    closed = true
    stopMeta()
    close()
    document.title = 'Quire'
  }
}

/** Creates the Yjs side of an open document and the editor on it. */
function openDocument(services: Services, session: Session, docId: string, host: HTMLElement, options: { readOnly: boolean; title: string }, areas: { presence: HTMLElement; status: HTMLElement }): OpenDocument {
  const ydoc = new Y.Doc()
  const awareness = new Awareness(ydoc)
  awareness.setLocalStateField('user', awarenessUser(session.user.uid, session.profile))
  const provider = new FirestoreProvider(services.db, docId, ydoc, { awareness, indexedDb: true, author: session.user.uid })
  const editor = createEditor(host, ydoc.getText('content'), awareness, { readOnly: options.readOnly, label: `Text of ${options.title}` })
  const onError = (error: YFirestoreError) => showError(providerErrorText(error))
  provider.on('error', onError)
  const cleanups = [
    mountPresence(areas.presence, awareness, session.user.uid),
    mountStatusBadge(areas.status, provider),
    guardUnload(provider),
    session.onProfile((profile) => awareness.setLocalStateField('user', awarenessUser(session.user.uid, profile))),
  ]
  if (!options.readOnly) editor.view.focus()
  void provider.whenSynced.then(documentOpened)
  return {
    editor,
    provider,
    close() {
      for (const cleanup of cleanups) cleanup()
      provider.off('error', onError)
      editor.destroy()
      host.replaceChildren()
      awareness.destroy()
      // Destroying the Y.Doc destroys the provider too, which deletes this person's presence entry.
      ydoc.destroy()
    },
  }
}

/** What to tell the person when the provider reports a problem (its codes: y-firestore README). */
export function providerErrorText(error: YFirestoreError): string {
  const cause = errorCode(error.cause)
  switch (error.code) {
    case 'too-large':
      return 'That change is too large to save (more than 9 MB at once). It stays on this device only; undo it, or paste less at a time.'
    case 'write-failed':
      return cause === 'permission-denied'
        ? 'Your changes could not be saved: you may no longer edit this document. They stay on this device only.'
        : `Your changes could not be saved yet: ${describeError(error.cause ?? error)} Quire keeps them on this device and tries again.`
    case 'read-failed':
      return cause === 'permission-denied' ? 'This document can no longer be read: you may have lost access, or it was deleted.' : `Loading the document failed: ${describeError(error.cause ?? error)}`
    case 'invalid-update':
      return 'Part of this document was stored in a form Quire cannot read; it was skipped. Everything else is shown.'
    case 'destroyed':
      return 'The document was closed before all changes were saved; they are kept on this device and sent the next time you open it.'
  }
}

/**
 * Deletes this browser's y-indexeddb copy of a document the person may no longer read (the
 * provider names it `quire-{docId}`), so its text does not stay readable on this device.
 */
function forgetLocalCopy(docId: string): Promise<void> {
  return new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(`quire-${docId}`)
    request.onsuccess = request.onerror = request.onblocked = () => resolve()
  })
}
