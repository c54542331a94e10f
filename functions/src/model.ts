import type { Timestamp } from 'firebase-admin/firestore'
import { HttpsError } from 'firebase-functions/v2/https'

/**
 * The parts of Quire's data model (design.md section 3) that the sharing functions and the user
 * index read and write, and the checks of what callers send. The document's own paths
 * (`documents/{docId}` and below) come from @quire/y-firestore's `paths`.
 */

/** A member's role in `documents/{docId}.roles`. */
export type Role = 'owner' | 'editor' | 'viewer'

/** A role the owner can give someone: every role but 'owner', which the document's creator holds alone. */
export type SharedRole = Exclude<Role, 'owner'>

/** How much a role allows; a higher role includes everything a lower one does. */
export const ROLE_RANK: Record<Role, number> = { viewer: 1, editor: 2, owner: 3 }

/** `users/{uid}/documents`: the user's document index, written by `syncUserIndex` only. */
export const userIndexPath = (uid: string) => `users/${uid}/documents`

/** `invites/{token}`: an invite link's record; the token is the document ID. */
export const INVITES = 'invites'

/** `users/{uid}/documents/{docId}`: what the document list shows without reading the document itself. */
export interface IndexEntry {
  title: string
  role: Role
  /** The document's `updatedAt` (when that is missing, its `createdAt`, then the last write's time). */
  updatedAt: Timestamp
}

export function isRole(value: unknown): value is Role {
  return value === 'owner' || value === 'editor' || value === 'viewer'
}

/**
 * The members named in a document's data: `roles` entries whose value is a role. Anything else
 * (no data, no map, a malformed value) names nobody, so a damaged document never gives access.
 */
export function rolesIn(data: unknown): Map<string, Role> {
  const roles = new Map<string, Role>()
  if (typeof data !== 'object' || data === null) return roles
  const map = (data as Record<string, unknown>)['roles']
  if (typeof map !== 'object' || map === null) return roles
  for (const [uid, role] of Object.entries(map as Record<string, unknown>)) if (isRole(role)) roles.set(uid, role)
  return roles
}

/** The callable's `request.data` as an object, or an 'invalid-argument' error showing the expected shape. */
export function argumentsOf(data: unknown, shape: string): Record<string, unknown> {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new HttpsError('invalid-argument', `Expected an object like ${shape}.`)
  }
  return data as Record<string, unknown>
}

/** The caller's uid, or 'unauthenticated' (the callables all act on behalf of a signed-in user). */
export function signedIn(caller: string | undefined, action: string): string {
  if (!caller) throw new HttpsError('unauthenticated', `Sign in to ${action}.`)
  return caller
}

/**
 * `value` as a Firestore document ID: a non-empty string without "/", not "." or "..", not
 * `__name__`-like, at most 1,500 bytes. Checked before building a path with it, so a caller
 * cannot make the function read somewhere else (`"x/updates/y"`).
 */
export function documentId(value: unknown, name: string): string {
  if (
    typeof value !== 'string' ||
    value === '' ||
    value.includes('/') ||
    value === '.' ||
    value === '..' ||
    /^__.*__$/.test(value) ||
    Buffer.byteLength(value) > 1500
  ) {
    throw new HttpsError('invalid-argument', `${name} must be a document ID (a non-empty string without "/"), got ${describe(value)}.`)
  }
  return value
}

/** 'editor' or 'viewer', or 'invalid-argument'. */
export function sharedRole(value: unknown, name = 'role'): SharedRole {
  if (value !== 'editor' && value !== 'viewer') {
    throw new HttpsError('invalid-argument', `${name} must be "editor" or "viewer", got ${describe(value)}.`)
  }
  return value
}

/** A short, safe rendering of a caller's value for an error message. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing'
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 80 ? `${text.slice(0, 77)}...` : text
}
