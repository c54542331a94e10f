import { describe, expect, it } from 'vitest'
import { Timestamp } from 'firebase-admin/firestore'
import { HttpsError } from 'firebase-functions/v2/https'
import { authLookup } from './auth-lookup.js'
import { documentId, rolesIn } from './model.js'
import { newToken, shareRequest } from './sharing.js'
import { indexFieldsChanged } from './user-index.js'

/** The pure parts of sharing and the user index; the handlers run against the emulator in emulator-tests/functions. */

function codeOf(work: () => unknown): string | undefined {
  try {
    work()
  } catch (error) {
    return error instanceof HttpsError ? error.code : `not an HttpsError: ${String(error)}`
  }
  return undefined
}

describe('request checks', () => {
  it('accepts a share request, trimming the email, with null meaning removal', () => {
    expect(shareRequest({ docId: 'd1', email: ' Bob@Example.com ', role: null })).toEqual({ docId: 'd1', email: 'Bob@Example.com', role: null })
    expect(shareRequest({ docId: 'd1', email: 'bob@example.com', role: 'viewer' }).role).toBe('viewer')
  })

  it('refuses IDs that are not one document ID, as invalid-argument', () => {
    for (const id of ['', 'a/b', '.', '..', '__name__', 'x'.repeat(1501), 42, undefined]) {
      expect(codeOf(() => documentId(id, 'docId')), JSON.stringify(id)).toBe('invalid-argument')
    }
    expect(documentId('abc-DEF_123', 'docId')).toBe('abc-DEF_123')
  })

  it('reads only real roles from a roles map', () => {
    expect([...rolesIn({ roles: { a: 'owner', b: 'viewer', c: 'admin', d: null } })]).toEqual([['a', 'owner'], ['b', 'viewer']])
    expect(rolesIn(undefined).size).toBe(0)
    expect(rolesIn({ roles: 'everyone' }).size).toBe(0)
  })
})

describe('invite tokens', () => {
  it('are 256 random bits in base64url, different every time', () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => newToken()))
    expect(tokens.size).toBe(1000)
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/)
  })
})

describe('indexFieldsChanged', () => {
  const at = Timestamp.fromMillis(1_000)
  const base = { title: 'T', roles: { a: 'owner', b: 'editor' }, updatedAt: at, createdAt: at, snapshot: null }

  it('ignores fields the index does not show, and equal timestamps', () => {
    expect(indexFieldsChanged(base, { ...base, snapshot: { gen: 'g' }, updatedAt: Timestamp.fromMillis(1_000) })).toBe(false)
    expect(indexFieldsChanged(base, { ...base, roles: { b: 'editor', a: 'owner' } })).toBe(false)
  })

  it('notices title, updatedAt and roles changes', () => {
    expect(indexFieldsChanged(base, { ...base, title: 'U' })).toBe(true)
    expect(indexFieldsChanged(base, { ...base, updatedAt: Timestamp.fromMillis(2_000) })).toBe(true)
    expect(indexFieldsChanged(base, { ...base, roles: { a: 'owner', b: 'viewer' } })).toBe(true)
    expect(indexFieldsChanged(base, { ...base, roles: { a: 'owner' } })).toBe(true)
    expect(indexFieldsChanged(base, { ...base, roles: { a: 'owner', b: 'editor', c: 'viewer' } })).toBe(true)
  })
})

describe('authLookup', () => {
  it('maps a found user to its uid and "no such user" to undefined', async () => {
    const lookup = authLookup({
      getUserByEmail: async (email: string) => {
        if (email === 'bob@example.com') return { uid: 'bob' } as Awaited<ReturnType<Parameters<typeof authLookup>[0]['getUserByEmail']>>
        throw Object.assign(new Error('There is no user record corresponding to the provided identifier.'), { code: 'auth/user-not-found' })
      },
    })
    expect(await lookup('bob@example.com')).toEqual({ uid: 'bob' })
    expect(await lookup('nobody@example.com')).toBeUndefined()
  })

  it('lets other failures through, so an outage is not reported as "no such user"', async () => {
    const lookup = authLookup({
      getUserByEmail: async () => {
        throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'app/network-error' })
      },
    })
    await expect(lookup('bob@example.com')).rejects.toThrow(/ECONNREFUSED/)
  })
})
