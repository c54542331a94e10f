import type { User } from 'firebase/auth'
import { doc, getDoc, onSnapshot, setDoc, type Firestore } from 'firebase/firestore'

/** A person's profile, `users/{uid}`: the name and colour others see on their cursor and avatar. */
export interface Profile {
  displayName: string
  /** '#rrggbb', as firestore.rules require. */
  color: string
}

/** Colours that read well on white as a cursor, an avatar background with white text, and a light selection. */
const PALETTE = ['#1a73e8', '#d93025', '#188038', '#e37400', '#a142f4', '#007b83', '#c5221f', '#b06000', '#3f51b5', '#ad1457']

/** A first profile for a new user: the account's name, else the email's local part, else "Guest". */
export function defaultProfile(user: User): Profile {
  const fromEmail = user.email?.split('@')[0]
  const displayName = (user.displayName || fromEmail || `Guest ${user.uid.slice(0, 4)}`).slice(0, 100)
  return { displayName, color: PALETTE[Math.floor(Math.random() * PALETTE.length)]! }
}

/** Whether a value is a '#rrggbb' colour. */
export function isColor(value: string): boolean {
  return /^#[0-9a-fA-F]{6}$/.test(value)
}

/**
 * The signed-in user's profile, created with defaults on first sign-in. Offline with no cached
 * profile, the defaults are used and written when the connection returns (the write is queued).
 */
export async function loadProfile(db: Firestore, user: User): Promise<Profile> {
  const ref = doc(db, 'users', user.uid)
  const snapshot = await getDoc(ref).catch(() => undefined)
  const data = snapshot?.data()
  if (data && typeof data['displayName'] === 'string' && typeof data['color'] === 'string' && isColor(data['color'])) {
    return { displayName: data['displayName'], color: data['color'] }
  }
  const profile = defaultProfile(user)
  void saveProfile(db, user.uid, profile).catch(() => undefined)
  return profile
}

/** Writes the profile (fields exactly as firestore.rules allow). */
export async function saveProfile(db: Firestore, uid: string, profile: Profile): Promise<void> {
  await setDoc(doc(db, 'users', uid), { displayName: profile.displayName.slice(0, 100), color: profile.color })
}

/** Another user's profile, for the sharing dialog's member list; undefined if unreadable. */
export async function readProfile(db: Firestore, uid: string): Promise<Profile | undefined> {
  const data = (await getDoc(doc(db, 'users', uid)).catch(() => undefined))?.data()
  if (!data || typeof data['displayName'] !== 'string') return undefined
  return { displayName: data['displayName'], color: typeof data['color'] === 'string' && isColor(data['color']) ? data['color'] : '#5f6368' }
}

/** Follows the user's own profile (changed in another tab, say). */
export function watchProfile(db: Firestore, uid: string, onChange: (profile: Profile) => void): () => void {
  return onSnapshot(
    doc(db, 'users', uid),
    (snapshot) => {
      const data = snapshot.data()
      if (data && typeof data['displayName'] === 'string' && typeof data['color'] === 'string' && isColor(data['color'])) {
        onChange({ displayName: data['displayName'], color: data['color'] })
      }
    },
    () => undefined, // the profile is cosmetic; the loaded one stays
  )
}
