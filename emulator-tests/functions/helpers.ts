import { expect } from 'vitest'
import { Timestamp, type DocumentData, type Firestore as AdminFirestore } from 'firebase-admin/firestore'
import { paths } from '@quire/y-firestore/server'
import { HttpsError } from 'firebase-functions/v2/https'
import type { UserLookup } from '../../functions/src/sharing.js'
import { userIndexPath } from '../../functions/src/model.js'

/** Shared steps of the sharing and user-index function tests. */

/** Writes `documents/{docId}` as the app creates it, with extra members in `roles`; returns the data. */
export async function createDocument(
  admin: AdminFirestore,
  docId: string,
  { owner = 'alice', members = {}, title = `Doc ${docId}` }: { owner?: string; members?: Record<string, 'editor' | 'viewer'>; title?: string } = {},
): Promise<DocumentData> {
  const at = Timestamp.fromMillis(Date.UTC(2025, 0, 1))
  const data = { title, owner, roles: { [owner]: 'owner', ...members }, createdAt: at, updatedAt: at, snapshot: null }
  await admin.doc(paths.documentPath(docId)).set(data)
  return data
}

/** The document's data now (undefined when it does not exist). */
export async function documentData(admin: AdminFirestore, docId: string): Promise<DocumentData | undefined> {
  return (await admin.doc(paths.documentPath(docId)).get()).data()
}

/** The document's `roles` map now. */
export async function rolesOf(admin: AdminFirestore, docId: string): Promise<Record<string, string> | undefined> {
  return (await documentData(admin, docId))?.['roles'] as Record<string, string> | undefined
}

/** `users/{uid}/documents/{docId}` now, with updatedAt as milliseconds (undefined: no entry). */
export async function indexEntry(admin: AdminFirestore, uid: string, docId: string): Promise<{ title: unknown; role: unknown; updatedAt: number } | undefined> {
  const data = (await admin.collection(userIndexPath(uid)).doc(docId).get()).data()
  if (data === undefined) return undefined
  return { title: data['title'], role: data['role'], updatedAt: (data['updatedAt'] as Timestamp).toMillis() }
}

/** The IDs of the documents in a user's index. */
export async function indexedDocs(admin: AdminFirestore, uid: string): Promise<string[]> {
  return (await admin.collection(userIndexPath(uid)).get()).docs.map((doc) => doc.id).sort()
}

/** A UserLookup over a fixed address book, recording the addresses it was asked about. */
export function fakeLookup(users: Record<string, string>): UserLookup & { asked: string[] } {
  const asked: string[] = []
  const lookup = async (email: string) => {
    asked.push(email)
    const uid = users[email]
    return uid === undefined ? undefined : { uid }
  }
  return Object.assign(lookup, { asked })
}

/** Awaits `work` and asserts it fails with an HttpsError of `code` whose message matches `message`. */
export async function expectHttpsError(work: Promise<unknown>, code: HttpsError['code'], message?: RegExp): Promise<HttpsError> {
  let error: unknown
  try {
    await work
  } catch (caught) {
    error = caught
  }
  expect(error, `expected an HttpsError '${code}', but the call succeeded`).toBeInstanceOf(HttpsError)
  const httpsError = error as HttpsError
  expect(httpsError.code, httpsError.message).toBe(code)
  if (message) expect(httpsError.message).toMatch(message)
  return httpsError
}

/** A unique document ID per test, so tests in one project do not see each other's documents. */
export function freshId(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 10)}`
}
