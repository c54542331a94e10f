import type { Services } from '../firebase.js'
import { href, navigate } from '../router.js'
import { h, replace, type Cleanup } from '../ui/dom.js'
import { describeError } from '../ui/errors.js'
import { acceptInvite } from './sharing.js'

/**
 * An invite link (`#/invite/{token}`), opened once signed in (the sign-in page keeps the
 * URL): accepts the invite, then opens the document in place of the link, so Back does not
 * accept it again.
 */
export function mountInvite(main: HTMLElement, services: Services, token: string): Cleanup {
  const status = h('p', { role: 'status' }, 'Joining the document…')
  replace(main, h('section', { class: 'page card', 'aria-labelledby': 'invite-title' }, h('h1', { id: 'invite-title' }, 'Invitation'), status))
  let cancelled = false
  acceptInvite(services.functions, token).then(
    ({ docId }) => {
      if (!cancelled) navigate({ name: 'doc', docId }, { replace: true })
    },
    (error: unknown) => {
      if (cancelled) return
      status.textContent = `This invite link does not work: ${describeError(error)}`
      status.setAttribute('data-state', 'failed')
      status.after(h('p', {}, h('a', { href: href({ name: 'list' }) }, 'Go to your documents')))
    },
  )
  return () => {
    cancelled = true
  }
}
