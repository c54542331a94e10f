import type { Auth } from 'firebase-admin/auth'
import type { UserLookup } from './sharing.js'

/**
 * The production `UserLookup`: Firebase Auth's `getUserByEmail` (the Auth emulator's, when
 * FIREBASE_AUTH_EMULATOR_HOST is set). "No such user" is an answer (undefined), not an error;
 * anything else (Auth unreachable, a malformed address Auth rejects) propagates, so the callable
 * reports 'internal' rather than claiming the person has no account.
 */
export function authLookup(auth: Pick<Auth, 'getUserByEmail'>): UserLookup {
  return async (email) => {
    try {
      const user = await auth.getUserByEmail(email)
      return { uid: user.uid }
    } catch (error) {
      if (isUserNotFound(error)) return undefined
      throw error
    }
  }
}

function isUserNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && (error as { code: unknown }).code === 'auth/user-not-found'
}
