import { signOut } from 'firebase/auth'
import { openProfileDialog } from '../auth/profile-dialog.js'
import type { Session } from '../auth/session.js'
import { initials } from '../editor/presence.js'
import type { Services } from '../firebase.js'
import { h, replace, type Cleanup } from './dom.js'
import { describeError } from './errors.js'
import { showError } from './notices.js'

/** The account part of the banner: who is signed in (opens the profile dialog), and Sign out. */
export function mountAccount(container: HTMLElement, services: Services, session: Session): Cleanup {
  const render = () => {
    const { displayName, color } = session.profile
    replace(
      container,
      h(
        'button',
        { type: 'button', class: 'account', 'aria-label': `Profile: ${displayName}`, onclick: () => openProfileDialog(services, session) },
        h('span', { class: 'avatar small', style: `background:${color}`, 'aria-hidden': 'true' }, initials(displayName)),
        h('span', { class: 'account-name' }, displayName),
      ),
      h('button', { type: 'button', onclick: () => signOut(services.auth).catch((error: unknown) => showError(describeError(error))) }, 'Sign out'),
    )
  }
  render()
  const stop = session.onProfile(render)
  return () => {
    stop()
    container.replaceChildren()
  }
}
