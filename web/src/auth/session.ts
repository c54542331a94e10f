import type { User } from 'firebase/auth'
import type { Profile } from './profile.js'

/** The signed-in person: their account and their (changeable) profile. */
export class Session {
  private listeners = new Set<(profile: Profile) => void>()

  constructor(
    readonly user: User,
    private current: Profile,
  ) {}

  get profile(): Profile {
    return this.current
  }

  /** Replaces the profile and tells every subscriber (the header, an open editor's awareness). */
  setProfile(profile: Profile): void {
    this.current = profile
    for (const listener of this.listeners) listener(profile)
  }

  /** Calls `listener` on every profile change; returns the unsubscribe. */
  onProfile(listener: (profile: Profile) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}
