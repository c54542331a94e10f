import { randomBytes } from 'node:crypto'
import { FieldPath, FieldValue, Timestamp, type DocumentSnapshot, type Firestore } from 'firebase-admin/firestore'
import { HttpsError } from 'firebase-functions/v2/https'
import { paths } from '@quire/y-firestore/server'
import {
  argumentsOf,
  describe,
  documentId,
  INVITES,
  ROLE_RANK,
  rolesIn,
  sharedRole,
  signedIn,
  type Role,
  type SharedRole,
} from './model.js'

/**
 * Sharing (design.md sections 1.3 and 5): the owner adds a collaborator by email, or makes an
 * invite link that signed-in users accept. Plain functions of the Admin Firestore, the caller's
 * uid and the callable's `request.data`, so tests call them without the Functions emulator;
 * index.ts wraps them in `onCall`. Every refusal is an HttpsError whose message says what to do.
 *
 * Who may: only the document's owner shares, makes and revokes invites. A caller who is not a
 * member gets the same 'permission-denied' whether or not the document exists, so these
 * functions tell strangers nothing the rules would not (design.md section 6).
 */

/** Finds the Quire (Firebase Auth) user with an email address; undefined when there is none. */
export type UserLookup = (email: string) => Promise<{ uid: string } | undefined>

/** `shareDocument`'s request: give `email`'s user `role` in `docId`, or take their access away (null). */
export interface ShareRequest {
  docId: string
  email: string
  role: SharedRole | null
}

/** `shareDocument`'s answer. */
export interface ShareResult {
  docId: string
  /** The user the email belongs to. */
  uid: string
  /** Their role now (null: not a member). */
  role: SharedRole | null
  /** False when they already had that role (or, for a removal, were not a member). */
  changed: boolean
}

/**
 * Sets (or, with `role: null`, removes) the role of the user with `email` in `docId`.
 *
 * The owner is checked before the email is looked up, so nobody but an owner can use this to
 * learn whether an address has an account. The role is written in a transaction that re-reads
 * the document, so a concurrent change of `roles` is not overwritten with a stale map (only the
 * one entry is touched anyway). The owner's own role cannot be changed: a document always has
 * its owner. The owner may lower an editor to viewer; only invites refuse to lower a role.
 */
export async function shareDocument(db: Firestore, lookup: UserLookup, caller: string | undefined, data: unknown): Promise<ShareResult> {
  const uid = signedIn(caller, 'share a document')
  const request = shareRequest(data)
  const ref = db.doc(paths.documentPath(request.docId))
  requireOwner(await ref.get(), uid, request.docId, 'share')

  const user = await lookup(request.email)
  if (!user) {
    throw new HttpsError(
      'not-found',
      `No Quire user has the email ${request.email}. Check the address, or make an invite link and send it to them: they can sign up and open it.`,
    )
  }

  return db.runTransaction(async (tx) => {
    const snapshot = await tx.get(ref)
    const owner = requireOwner(snapshot, uid, request.docId, 'share')
    if (user.uid === owner) {
      throw new HttpsError('failed-precondition', `${request.email} is the owner of "${titleOf(snapshot, request.docId)}"; the owner's role cannot be changed.`)
    }
    const before = rolesIn(snapshot.data()).get(user.uid) ?? null
    const changed = before !== request.role
    if (changed) tx.update(ref, new FieldPath('roles', user.uid), request.role ?? FieldValue.delete())
    return { docId: request.docId, uid: user.uid, role: request.role, changed }
  })
}

/** Checks a `shareDocument` request's data. */
export function shareRequest(data: unknown): ShareRequest {
  const shape = `{ docId, email, role: 'editor' | 'viewer' | null }`
  const args = argumentsOf(data, shape)
  const docId = documentId(args['docId'], 'docId')
  const email = typeof args['email'] === 'string' ? args['email'].trim() : undefined
  // Only the shape is checked here; whether an account has the address is the lookup's answer.
  if (email === undefined || !/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 320) {
    throw new HttpsError('invalid-argument', `email must be an email address, got ${describe(args['email'])}.`)
  }
  if (!('role' in args)) throw new HttpsError('invalid-argument', `role is missing: give "editor", "viewer", or null to remove access.`)
  const role = args['role'] === null ? null : sharedRole(args['role'], 'role (or null to remove access)')
  return { docId, email, role }
}

// ---- invites ----

/**
 * Invite links are multi-use, as link sharing is in Google Docs: everyone who opens the link before
 * it expires joins with its role, until the owner revokes it. Accepting does not consume it.
 */
export const INVITE_DEFAULT_DAYS = 7
/** The longest an invite may live; the rules hold owner-made invites to the same limit. */
export const INVITE_MAX_DAYS = 30
/** Random bytes in a token: 256 bits, far beyond guessing (base64url: 43 characters). */
export const INVITE_TOKEN_BYTES = 32

const DAY_MS = 24 * 60 * 60 * 1000

/** `invites/{token}` as stored. */
export interface Invite {
  docId: string
  role: SharedRole
  /** The owner who made it. */
  createdBy: string
  expiresAt: Timestamp
}

/** `createInvite`'s request. */
export interface CreateInviteRequest {
  docId: string
  role: SharedRole
  /** Days until the link stops working: more than 0, at most 30; default 7. */
  expiresInDays?: number
}

/** `createInvite`'s answer: the token (the app builds the link from it) and when it expires (ISO 8601). */
export interface CreateInviteResult {
  token: string
  expiresAt: string
}

/** `acceptInvite`'s answer: the document, and the caller's role in it now. */
export interface AcceptInviteResult {
  docId: string
  role: Role
}

/** `revokeInvite`'s answer: false when there was no such invite (revoking is idempotent). */
export interface RevokeInviteResult {
  revoked: boolean
}

/** A clock, injectable so tests can make invites expire. */
export interface Clock {
  now?: () => number
}

/** Makes an invite link to `docId` with `role`; only the owner may. */
export async function createInvite(db: Firestore, caller: string | undefined, data: unknown, clock: Clock = {}): Promise<CreateInviteResult> {
  const uid = signedIn(caller, 'make an invite link')
  const args = argumentsOf(data, `{ docId, role: 'editor' | 'viewer', expiresInDays?: number }`)
  const docId = documentId(args['docId'], 'docId')
  const role = sharedRole(args['role'])
  const days = args['expiresInDays'] ?? INVITE_DEFAULT_DAYS
  if (typeof days !== 'number' || !Number.isFinite(days) || days <= 0 || days > INVITE_MAX_DAYS) {
    throw new HttpsError('invalid-argument', `expiresInDays must be a number of days above 0 and at most ${INVITE_MAX_DAYS}, got ${describe(days)}.`)
  }
  requireOwner(await db.doc(paths.documentPath(docId)).get(), uid, docId, 'make invite links to')

  const expiresAt = Timestamp.fromMillis((clock.now ?? Date.now)() + Math.round(days * DAY_MS))
  const token = newToken()
  const invite: Invite = { docId, role, createdBy: uid, expiresAt }
  // create(), not set(): a collision (practically impossible) fails instead of replacing another link.
  await db.collection(INVITES).doc(token).create(invite)
  return { token, expiresAt: expiresAt.toDate().toISOString() }
}

/** A fresh token: base64url of INVITE_TOKEN_BYTES random bytes, never a reserved `__x__` document ID. */
export function newToken(): string {
  for (;;) {
    const token = randomBytes(INVITE_TOKEN_BYTES).toString('base64url')
    if (!/^__.*__$/.test(token)) return token
  }
}

const UNKNOWN_INVITE = "This invite link does not work: it was revoked, or the link is incomplete. Ask the document's owner for a new one."

/**
 * Gives the signed-in caller the invite's role in its document. Never lowers a role the caller
 * already has (an editor opening a viewer link stays an editor) and never touches the owner; in
 * both cases it succeeds and reports the role the caller has. The invite stays (multi-use).
 */
export async function acceptInvite(db: Firestore, caller: string | undefined, data: unknown, clock: Clock = {}): Promise<AcceptInviteResult> {
  const uid = signedIn(caller, 'accept an invite')
  const token = inviteToken(data)
  const unknown = () => new HttpsError('not-found', UNKNOWN_INVITE)
  if (token === undefined) throw unknown()
  return db.runTransaction(async (tx) => {
    const inviteSnapshot = await tx.get(db.collection(INVITES).doc(token))
    if (!inviteSnapshot.exists) throw unknown()
    const invite = inviteOf(inviteSnapshot)
    if (invite.expiresAt.toMillis() <= (clock.now ?? Date.now)()) {
      throw new HttpsError(
        'failed-precondition',
        `This invite link expired on ${invite.expiresAt.toDate().toISOString()}. Ask the document's owner for a new one.`,
      )
    }
    const ref = db.doc(paths.documentPath(invite.docId))
    const snapshot = await tx.get(ref)
    // A link made before the document was created is for a deleted document of the same ID
    // (re-created since, by anyone who knew the ID), never for this one.
    const madeBefore = inviteSnapshot.createTime && snapshot.createTime && inviteSnapshot.createTime.toMillis() < snapshot.createTime.toMillis()
    if (!snapshot.exists || madeBefore) throw new HttpsError('not-found', 'The document this invite link was for has been deleted.')
    const current = rolesIn(snapshot.data()).get(uid)
    if (snapshot.get('owner') === uid || (current !== undefined && ROLE_RANK[current] >= ROLE_RANK[invite.role])) {
      return { docId: invite.docId, role: current ?? 'owner' }
    }
    tx.update(ref, new FieldPath('roles', uid), invite.role)
    return { docId: invite.docId, role: invite.role }
  })
}

/** Deletes an invite so its link stops working; only the owner of its document may. */
export async function revokeInvite(db: Firestore, caller: string | undefined, data: unknown): Promise<RevokeInviteResult> {
  const uid = signedIn(caller, 'revoke an invite link')
  const token = inviteToken(data)
  if (token === undefined) return { revoked: false }
  const inviteRef = db.collection(INVITES).doc(token)
  return db.runTransaction(async (tx) => {
    const inviteSnapshot = await tx.get(inviteRef)
    if (!inviteSnapshot.exists) return { revoked: false }
    const docId: unknown = inviteSnapshot.get('docId')
    const document = typeof docId === 'string' && docId !== '' && !docId.includes('/') ? await tx.get(db.doc(paths.documentPath(docId))) : undefined
    // Once the document is gone nobody owns it; its invite is dead, and its creator may tidy it away.
    const orphanByCaller = !document?.exists && inviteSnapshot.get('createdBy') === uid
    if (!orphanByCaller) requireOwner(document, uid, String(docId), 'revoke invite links to')
    tx.delete(inviteRef)
    return { revoked: true }
  })
}

/**
 * The token of an `{ token }` request. A string that cannot be a document ID (a "/" in it, say)
 * cannot name an invite either: undefined, which the callers treat as an unknown token.
 */
function inviteToken(data: unknown): string | undefined {
  const token = argumentsOf(data, '{ token }')['token']
  if (typeof token !== 'string' || token === '') throw new HttpsError('invalid-argument', `token must be the invite link's token, got ${describe(token)}.`)
  try {
    return documentId(token, 'token')
  } catch {
    return undefined
  }
}

/** An invite document's fields, or 'failed-precondition' for one nobody could have made through the rules. */
function inviteOf(snapshot: DocumentSnapshot): Invite {
  const { docId, role, createdBy, expiresAt } = snapshot.data() ?? {}
  if (typeof docId !== 'string' || docId === '' || docId.includes('/') || (role !== 'editor' && role !== 'viewer') || !(expiresAt instanceof Timestamp)) {
    throw new HttpsError('failed-precondition', 'This invite link is damaged. Ask the document\'s owner for a new one.')
  }
  return { docId, role, createdBy: typeof createdBy === 'string' ? createdBy : '', expiresAt }
}

// ---- shared checks ----

/**
 * Returns the document's owner if that is `uid`; else 'permission-denied'. The message names the
 * caller's role only to members: to a stranger, a missing document and someone else's look alike.
 */
function requireOwner(snapshot: DocumentSnapshot | undefined, uid: string, docId: string, action: string): string {
  const owner: unknown = snapshot?.get('owner')
  if (snapshot?.exists && typeof owner === 'string' && owner === uid && rolesIn(snapshot.data()).get(uid) === 'owner') return owner
  const role = snapshot?.exists ? rolesIn(snapshot.data()).get(uid) : undefined
  if (snapshot !== undefined && role !== undefined) {
    throw new HttpsError('permission-denied', `Only the owner of "${titleOf(snapshot, docId)}" can ${action} it; you are ${role === 'viewer' ? 'a' : 'an'} ${role}.`)
  }
  throw new HttpsError('permission-denied', `You cannot ${action} document "${docId}": it does not exist, or you are not its owner.`)
}

function titleOf(snapshot: DocumentSnapshot, fallback: string): string {
  const title: unknown = snapshot.get('title')
  return typeof title === 'string' && title !== '' ? title : fallback
}
