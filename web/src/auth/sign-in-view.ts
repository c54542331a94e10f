import { createUserWithEmailAndPassword, GoogleAuthProvider, signInAnonymously, signInWithEmailAndPassword, signInWithPopup } from 'firebase/auth'
import type { Services } from '../firebase.js'
import { h, type Cleanup } from '../ui/dom.js'
import { describeError } from '../ui/errors.js'

/**
 * The sign-in page: email and password (sign in, or create an account), anonymous sign-in on
 * the emulators, Google in production. Signing in is noticed by the app's auth listener,
 * which renders the page the URL names (an invite link or a document survives signing in).
 */
export function mountSignIn(main: HTMLElement, services: Services): Cleanup {
  const emulators = services.config.mode === 'emulators'
  const error = h('p', { class: 'form-error', id: 'sign-in-error', role: 'alert' })
  const email = h('input', { id: 'email', name: 'email', type: 'email', autocomplete: 'email', required: true, 'aria-describedby': 'sign-in-error' })
  const password = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true, minlength: 6, 'aria-describedby': 'sign-in-error' })
  const buttons: HTMLButtonElement[] = []

  const attempt = async (action: () => Promise<unknown>) => {
    error.textContent = ''
    for (const button of buttons) button.disabled = true
    try {
      await action()
    } catch (caught) {
      error.textContent = describeError(caught)
    } finally {
      for (const button of buttons) button.disabled = false
    }
  }

  const form = h(
    'form',
    {
      class: 'card sign-in',
      'aria-labelledby': 'sign-in-title',
      onsubmit: (event) => {
        event.preventDefault()
        void attempt(() => signInWithEmailAndPassword(services.auth, email.value.trim(), password.value))
      },
    },
    h('h1', { id: 'sign-in-title' }, 'Sign in to Quire'),
    h('p', { class: 'muted' }, 'Write together, in real time, online or off.'),
    h('label', { for: 'email' }, 'Email'),
    email,
    h('label', { for: 'password' }, 'Password'),
    password,
    error,
  )
  const signIn = h('button', { type: 'submit', class: 'primary' }, 'Sign in')
  const create = h('button', {
    type: 'button',
    onclick: () => {
      if (!form.reportValidity()) return
      void attempt(() => createUserWithEmailAndPassword(services.auth, email.value.trim(), password.value))
    },
  }, 'Create account')
  buttons.push(signIn, create)
  form.append(h('div', { class: 'actions' }, signIn, create))

  const others = h('div', { class: 'actions other-ways' })
  if (emulators) {
    const anonymous = h('button', { type: 'button', onclick: () => void attempt(() => signInAnonymously(services.auth)) }, 'Continue without an account')
    buttons.push(anonymous)
    others.append(anonymous)
  } else {
    const google = h('button', { type: 'button', onclick: () => void attempt(() => signInWithPopup(services.auth, new GoogleAuthProvider())) }, 'Sign in with Google')
    buttons.push(google)
    others.append(google)
  }
  form.append(others)
  if (emulators) form.append(h('p', { class: 'muted small' }, 'Local emulators: accounts are test accounts and vanish when the emulators stop.'))

  main.replaceChildren(form)
  email.focus()
  return () => undefined
}
