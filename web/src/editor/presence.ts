import type { Awareness } from 'y-protocols/awareness'
import type { Profile } from '../auth/profile.js'
import { h, replace } from '../ui/dom.js'

/** The awareness field y-codemirror.next reads for remote cursors: name and colours. */
export interface AwarenessUser {
  name: string
  color: string
  colorLight: string
  /** Who this is, so one person in two tabs shows once. */
  uid: string
}

/** This person's awareness `user` field from their profile; the selection colour is the colour at 20 % opacity. */
export function awarenessUser(uid: string, profile: Profile): AwarenessUser {
  return { uid, name: profile.displayName, color: profile.color, colorLight: `${profile.color}33` }
}

function readUser(state: Record<string, unknown>): AwarenessUser | undefined {
  const user = state['user'] as Partial<AwarenessUser> | undefined
  if (!user || typeof user.name !== 'string' || typeof user.color !== 'string') return undefined
  return { name: user.name, color: user.color, colorLight: user.colorLight ?? user.color, uid: user.uid ?? user.name }
}

/** Up to two initials of a name ("Ada Lovelace" -> "AL"). */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean)
  const letters = words.length > 1 ? [words[0]![0], words[words.length - 1]![0]] : [...(words[0] ?? '?')].slice(0, 2)
  return letters.join('').toUpperCase()
}

/**
 * The avatars of who has the document open (self first), from the Awareness, as a labelled
 * list; changes in who is present are announced politely.
 */
export function mountPresence(container: HTMLElement, awareness: Awareness, selfUid: string): () => void {
  const list = h('ul', { class: 'presence', 'aria-label': 'People in this document' })
  container.replaceChildren(list)
  let last = ''
  const render = () => {
    const people = new Map<string, AwarenessUser>()
    const states = [...awareness.getStates().entries()].sort(([a], [b]) => (a === awareness.clientID ? -1 : b === awareness.clientID ? 1 : a - b))
    for (const [, state] of states) {
      const user = readUser(state)
      if (user && !people.has(user.uid)) people.set(user.uid, user)
    }
    const key = [...people.values()].map((p) => `${p.uid}:${p.name}:${p.color}`).join('|')
    if (key === last) return
    last = key
    replace(
      list,
      ...[...people.values()].map((person) => {
        const label = person.uid === selfUid ? `${person.name} (you)` : person.name
        return h('li', { class: 'avatar', style: `background:${person.color}`, title: label, 'data-uid': person.uid }, h('span', { 'aria-hidden': 'true' }, initials(person.name)), h('span', { class: 'visually-hidden' }, label))
      }),
    )
  }
  render()
  awareness.on('change', render)
  return () => awareness.off('change', render)
}
