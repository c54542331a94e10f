import { httpsCallable, type Functions } from 'firebase/functions'

/** A role that can be given to someone else (the owner's own never changes). */
export type SharedRole = 'editor' | 'viewer'

/** What createInvite returns (functions/README.md). */
export interface Invite {
  token: string
  /** ISO 8601. */
  expiresAt: string
  role: SharedRole
}

/** Gives the user with `email` a role in the document, or removes them (role null). Owner only. */
export async function shareByEmail(functions: Functions, docId: string, email: string, role: SharedRole | null): Promise<{ uid: string; role: SharedRole | null; changed: boolean }> {
  const call = httpsCallable<{ docId: string; email: string; role: SharedRole | null }, { uid: string; role: SharedRole | null; changed: boolean }>(functions, 'shareDocument')
  return (await call({ docId, email, role })).data
}

/** Makes an invite link's token (owner only); expires in `expiresInDays` (1 to 30). */
export async function createInvite(functions: Functions, docId: string, role: SharedRole, expiresInDays: number): Promise<Invite> {
  const call = httpsCallable<{ docId: string; role: SharedRole; expiresInDays: number }, { token: string; expiresAt: string }>(functions, 'createInvite')
  const { token, expiresAt } = (await call({ docId, role, expiresInDays })).data
  return { token, expiresAt, role }
}

/** Joins the invite's document with its role; returns the document and the caller's role now. */
export async function acceptInvite(functions: Functions, token: string): Promise<{ docId: string; role: string }> {
  const call = httpsCallable<{ token: string }, { docId: string; role: string }>(functions, 'acceptInvite')
  return (await call({ token })).data
}

/** Deletes an invite so its link stops working; false if there was none. */
export async function revokeInvite(functions: Functions, token: string): Promise<boolean> {
  const call = httpsCallable<{ token: string }, { revoked: boolean }>(functions, 'revokeInvite')
  return (await call({ token })).data.revoked
}

/** The full URL of an invite link for this app. */
export function inviteUrl(token: string, location: Location = window.location): string {
  return `${location.origin}${location.pathname}#/invite/${encodeURIComponent(token)}`
}

/**
 * Invite links this browser made, per document. Nobody may list invites (firestore.rules),
 * so the owner's dialog can show and revoke only the links it remembers making.
 */
export const inviteMemory = {
  key: (docId: string) => `quire:invites:${docId}`,
  list(docId: string): Invite[] {
    try {
      const stored = JSON.parse(localStorage.getItem(this.key(docId)) ?? '[]') as Invite[]
      return stored.filter((invite) => Date.parse(invite.expiresAt) > Date.now())
    } catch {
      return []
    }
  },
  save(docId: string, invites: Invite[]): void {
    localStorage.setItem(this.key(docId), JSON.stringify(invites))
  },
}
