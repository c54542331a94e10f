import type { Services } from '../firebase.js'
import { h } from '../ui/dom.js'
import { openDialog } from '../ui/dialog.js'
import { describeError } from '../ui/errors.js'
import { isColor, saveProfile } from './profile.js'
import type { Session } from './session.js'

/** Edits the name and colour others see on this person's cursor and avatar. */
export function openProfileDialog(services: Services, session: Session): void {
  openDialog('Your profile', (body, close) => {
    const name = h('input', { id: 'profile-name', type: 'text', required: true, maxlength: 100, value: session.profile.displayName, autocomplete: 'name' })
    const color = h('input', { id: 'profile-color', type: 'color', value: session.profile.color })
    const error = h('p', { class: 'form-error', role: 'alert' })
    body.append(
      h(
        'form',
        {
          onsubmit: async (event) => {
            event.preventDefault()
            const profile = { displayName: name.value.trim(), color: color.value }
            if (!profile.displayName || !isColor(profile.color)) return
            session.setProfile(profile)
            close()
            // Offline the write is queued; the local profile already applies.
            saveProfile(services.db, session.user.uid, profile).catch((caught: unknown) => (error.textContent = describeError(caught)))
          },
        },
        h('label', { for: 'profile-name' }, 'Name (shown to collaborators)'),
        name,
        h('label', { for: 'profile-color' }, 'Colour of your cursor'),
        color,
        error,
        h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save'), h('button', { type: 'button', onclick: close }, 'Cancel')),
      ),
    )
    queueMicrotask(() => name.select())
  })
}
