import { readProfile } from '../auth/profile.js'
import { setRole, type DocumentMeta, type Role } from '../documents/documents.js'
import type { Services } from '../firebase.js'
import { h, replace } from '../ui/dom.js'
import { openDialog } from '../ui/dialog.js'
import { describeError } from '../ui/errors.js'
import { createInvite, inviteMemory, inviteUrl, revokeInvite, shareByEmail, type Invite, type SharedRole } from './sharing.js'

/**
 * The owner's sharing dialog: add someone by email as editor or viewer, change or remove a
 * member's role, make invite links (role and expiry) and revoke them. `meta()` is the
 * document as the page's listener last saw it, so the member list follows live changes.
 */
export function openShareDialog(services: Services, docId: string, meta: () => DocumentMeta, onMetaChange: (listener: () => void) => () => void): void {
  openDialog('Share', (body, close) => {
    const message = h('p', { class: 'form-message', role: 'status' })
    const say = (text: string, isError = false) => {
      message.textContent = text
      message.classList.toggle('form-error', isError)
    }

    // -- add by email --
    const email = h('input', { id: 'share-email', type: 'email', required: true, autocomplete: 'off' })
    const role = roleSelect('share-role', 'editor')
    const addButton = h('button', { type: 'submit', class: 'primary' }, 'Share')
    const addForm = h(
      'form',
      {
        'aria-label': 'Add people',
        onsubmit: submitWith(addButton, say, async () => {
          say('Sharing…')
          const result = await shareByEmail(services.functions, docId, email.value.trim(), role.value as SharedRole)
          say(result.changed ? `Shared with ${email.value.trim()} as ${result.role}.` : `${email.value.trim()} already is ${article(result.role ?? '')} ${result.role}.`)
          email.value = ''
        }),
      },
      h('label', { for: 'share-email' }, 'Add people by email'),
      h('div', { class: 'row' }, email, h('label', { for: 'share-role', class: 'visually-hidden' }, 'Role'), role, addButton),
    )

    // -- members --
    const members = h('ul', { class: 'members', 'aria-label': 'People with access' })
    const names = new Map<string, string>()
    const renderMembers = () => {
      const current = meta()
      const entries = Object.entries(current.roles).sort(([, a], [, b]) => rank(a) - rank(b))
      replace(
        members,
        ...entries.map(([uid, memberRole]) => {
          const name = names.get(uid) ?? (uid === services.auth.currentUser?.uid ? 'You' : uid)
          const label = h('span', { class: 'member-name' }, name)
          const select = memberRole === 'owner' ? undefined : roleSelect(`member-${uid}`, memberRole, true)
          select?.setAttribute('aria-label', `Role of ${name}`)
          if (!names.has(uid)) {
            void readProfile(services.db, uid).then((profile) => {
              if (!profile) return
              names.set(uid, uid === services.auth.currentUser?.uid ? `${profile.displayName} (you)` : profile.displayName)
              label.textContent = names.get(uid)!
              select?.setAttribute('aria-label', `Role of ${names.get(uid)!}`)
            })
          }
          if (!select) return h('li', { class: 'member' }, label, h('span', { class: 'role role-owner' }, 'owner'))
          select.addEventListener('change', async () => {
            const next = select.value === 'remove' ? null : (select.value as SharedRole)
            try {
              await setRole(services.db, docId, uid, next)
              say(next ? `${names.get(uid) ?? 'They'} can now ${next === 'editor' ? 'edit' : 'view'}.` : `${names.get(uid) ?? 'They'} no longer have access.`)
            } catch (error) {
              say(describeError(error), true)
              select.value = memberRole
            }
          })
          return h('li', { class: 'member' }, label, select)
        }),
      )
    }
    renderMembers()
    const stopMembers = onMetaChange(renderMembers)

    // -- invite links --
    const invites = h('ul', { class: 'invites', 'aria-label': 'Invite links' })
    let remembered = inviteMemory.list(docId)
    const renderInvites = () => {
      replace(
        invites,
        ...remembered.map((invite) => {
          const url = inviteUrl(invite.token)
          const field = h('input', { type: 'text', readonly: true, value: url, class: 'invite-url', 'aria-label': `Invite link for ${invite.role}s` })
          return h(
            'li',
            { class: 'invite' },
            field,
            h('span', { class: 'muted small' }, `${invite.role}, expires ${new Date(invite.expiresAt).toLocaleDateString()}`),
            h('button', {
              type: 'button',
              onclick: async () => {
                field.select()
                await navigator.clipboard?.writeText(url).then(() => say('Link copied.'), () => say('Select the link and copy it.'))
              },
            }, 'Copy'),
            h('button', {
              type: 'button',
              class: 'danger',
              onclick: async () => {
                try {
                  await revokeInvite(services.functions, invite.token)
                  remembered = remembered.filter((other) => other.token !== invite.token)
                  inviteMemory.save(docId, remembered)
                  renderInvites()
                  say('Link revoked: it no longer works.')
                } catch (error) {
                  say(describeError(error), true)
                }
              },
            }, 'Revoke'),
          )
        }),
      )
    }
    renderInvites()
    const inviteRole = roleSelect('invite-role', 'viewer')
    const expiry = h('select', { id: 'invite-expiry' }, ...[1, 7, 30].map((days) => h('option', { value: days, selected: days === 7 }, `${days} day${days === 1 ? '' : 's'}`)))
    const inviteButton = h('button', { type: 'submit' }, 'Create link')
    const inviteForm = h(
      'form',
      {
        'aria-label': 'Invite link',
        onsubmit: submitWith(inviteButton, say, async () => {
          const invite = await createInvite(services.functions, docId, inviteRole.value as SharedRole, Number(expiry.value))
          remembered = [...remembered, invite]
          inviteMemory.save(docId, remembered)
          renderInvites()
          say('Invite link created. Anyone signed in who opens it before it expires joins.')
          invites.querySelector<HTMLInputElement>('li:last-child .invite-url')?.select()
        }),
      },
      h('div', { class: 'row' }, h('label', { for: 'invite-role' }, 'Link gives'), inviteRole, h('label', { for: 'invite-expiry' }, 'expires in'), expiry, inviteButton),
    )

    body.append(
      addForm,
      h('h3', {}, 'People with access'),
      members,
      h('h3', {}, 'Invite links'),
      invites,
      inviteForm,
      message,
      h('div', { class: 'actions' }, h('button', { type: 'button', onclick: close }, 'Done')),
    )
    queueMicrotask(() => email.focus())
    return stopMembers
  }, { id: 'share-dialog' })
}

/**
 * A form's submit handler: runs `action` with the submit button disabled meanwhile, and says
 * what went wrong, in words, if it fails.
 */
function submitWith(button: HTMLButtonElement, say: (text: string, isError?: boolean) => void, action: () => Promise<void>): (event: Event) => Promise<void> {
  return async (event) => {
    event.preventDefault()
    button.disabled = true
    try {
      await action()
    } catch (error) {
      say(describeError(error), true)
    } finally {
      button.disabled = false
    }
  }
}

function roleSelect(id: string, selected: Role, withRemove = false): HTMLSelectElement {
  const select = h('select', { id }, h('option', { value: 'editor', selected: selected === 'editor' }, 'Editor'), h('option', { value: 'viewer', selected: selected === 'viewer' }, 'Viewer'))
  if (withRemove) select.append(h('option', { value: 'remove' }, 'Remove access'))
  return select
}

function rank(role: Role): number {
  return role === 'owner' ? 0 : role === 'editor' ? 1 : 2
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? 'an' : 'a'
}
