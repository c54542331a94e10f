import { onAuthStateChanged, type User } from 'firebase/auth'
import { loadProfile, watchProfile } from './auth/profile.js'
import { Session } from './auth/session.js'
import { mountSignIn } from './auth/sign-in-view.js'
import { mountDocumentList } from './documents/list-view.js'
import type { Services } from './firebase.js'
import { href, parseRoute, type Route } from './router.js'
import { mountInvite } from './sharing/invite-view.js'
import { h, replace, type Cleanup } from './ui/dom.js'
import { describeError } from './ui/errors.js'
import { mountAccount } from './ui/header.js'
import { announce, clearErrors } from './ui/notices.js'

/**
 * Wires the app: signed out, the sign-in page (whatever the URL, which is kept so an invite
 * or a document link opens after signing in); signed in, the page the URL names. Each page
 * returns a cleanup that runs before the next one mounts.
 */
export function startApp(services: Services): void {
  // A document link: its code loads while the person is signed in, not after.
  if (parseRoute(location.hash).name === 'doc') void loadDocumentView().catch(() => undefined)
  const main = document.getElementById('main')!
  const account = document.getElementById('account')!
  let session: Session | undefined
  let cleanupPage: Cleanup = () => undefined
  let cleanupSession: Cleanup = () => undefined

  const show = (mount: () => Cleanup, label: string) => {
    cleanupPage()
    clearErrors()
    cleanupPage = mount()
    announce(label)
  }

  const renderRoute = () => {
    if (!session) return
    const current = session
    const route: Route = parseRoute(location.hash)
    switch (route.name) {
      case 'list':
        show(() => mountDocumentList(main, services, current.user), 'Your documents')
        break
      case 'doc':
        show(() => mountLazily(main, async () => {
          const { mountDocument } = await loadDocumentView()
          return () => mountDocument(main, services, current, route.docId)
        }), 'Document')
        break
      case 'invite':
        show(() => mountInvite(main, services, route.token), 'Invitation')
        break
      case 'not-found':
        show(() => {
          replace(main, h('section', { class: 'page card' }, h('h1', {}, 'Page not found'), h('p', {}, h('a', { href: href({ name: 'list' }) }, 'Go to your documents'))))
          return () => undefined
        }, 'Page not found')
        break
    }
    // Moving focus to the new page lets keyboard and screen-reader users start at its top.
    if (!main.contains(document.activeElement)) main.focus({ preventScroll: true })
  }

  const signedIn = async (user: User) => {
    const profile = await loadProfile(services.db, user)
    if (services.auth.currentUser?.uid !== user.uid) return // signed out or switched meanwhile
    const current = new Session(user, profile)
    session = current
    const stopAccount = mountAccount(account, services, current)
    const stopProfile = watchProfile(services.db, user.uid, (next) => {
      if (next.displayName !== current.profile.displayName || next.color !== current.profile.color) current.setProfile(next)
    })
    cleanupSession = () => {
      stopAccount()
      stopProfile()
    }
    renderRoute()
  }

  onAuthStateChanged(services.auth, (user) => {
    cleanupSession()
    cleanupSession = () => undefined
    session = undefined
    if (user) {
      replace(main, h('p', { class: 'muted page', role: 'status' }, 'Loading…'))
      void signedIn(user)
    } else {
      show(() => mountSignIn(main, services), 'Sign in')
    }
  })
  window.addEventListener('hashchange', renderRoute)
}

let documentView: Promise<typeof import('./editor/document-view.js')> | undefined

/** The document page's code (a chunk of its own), loaded once; a failed load is tried again next time. */
function loadDocumentView(): Promise<typeof import('./editor/document-view.js')> {
  documentView ??= import('./editor/document-view.js').catch((error: unknown) => {
    documentView = undefined
    throw error
  })
  return documentView
}

/**
 * Mounts a page whose code is loaded on demand (the editor: CodeMirror and Yjs are half of the
 * app, and the sign-in page and the list do without them). The page mounts only if it is still
 * wanted when its code arrives; a failed load is said in words.
 */
function mountLazily(main: HTMLElement, load: () => Promise<() => Cleanup>): Cleanup {
  let cleanup: Cleanup | undefined
  let wanted = true
  replace(main, h('p', { class: 'muted page', role: 'status' }, 'Opening…'))
  load().then(
    (mount) => {
      if (wanted) cleanup = mount()
    },
    (error: unknown) => {
      if (wanted) replace(main, h('section', { class: 'page card', role: 'alert' }, h('h1', {}, 'This page could not be loaded'), h('p', {}, `${describeError(error)} Check the connection and reload.`)))
    },
  )
  return () => {
    wanted = false
    cleanup?.()
  }
}
