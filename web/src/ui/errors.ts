/**
 * Turns what Firebase throws into a sentence a person can act on. Firebase errors carry a
 * `code` ('permission-denied', 'auth/wrong-password', 'functions/not-found'...); callable
 * functions' messages are already written for people (functions/README.md), so they are kept.
 */
export function describeError(error: unknown): string {
  const code = errorCode(error)
  const message = error instanceof Error ? error.message : String(error)
  switch (code) {
    case 'permission-denied':
      return 'You do not have permission to do that. The owner may have changed your access.'
    case 'unavailable':
      return 'Quire cannot reach the server right now. Your changes are kept on this device and sent when you are back online.'
    case 'auth/invalid-credential':
    case 'auth/wrong-password':
    case 'auth/user-not-found':
      return 'That email and password do not match an account. Check them, or create an account.'
    case 'auth/email-already-in-use':
      return 'An account with that email already exists. Sign in instead.'
    case 'auth/weak-password':
      return 'Choose a password of at least 6 characters.'
    case 'auth/invalid-email':
      return 'That is not a valid email address.'
    case 'auth/network-request-failed':
      return 'Signing in needs a connection, and Quire cannot reach the server.'
    case 'auth/popup-closed-by-user':
      return 'The sign-in window was closed before signing in finished.'
    case 'auth/operation-not-allowed':
      return 'This way of signing in is not enabled for this project.'
  }
  if (code?.startsWith('functions/')) return message
  return message || 'Something went wrong.'
}

/** The `code` of a Firebase error, if it has one. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') return error.code
  return undefined
}
