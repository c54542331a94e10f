import { afterAll, describe, expect, it } from 'vitest'
import { Timestamp } from 'firebase-admin/firestore'
import { paths } from '@quire/y-firestore/server'
import { acceptInvite, createInvite, INVITE_MAX_DAYS, revokeInvite } from '../../functions/src/sharing.js'
import { INVITES } from '../../functions/src/model.js'
import { Clients, uniqueProjectId } from '../support/clients.js'
import { createDocument, expectHttpsError, freshId, rolesOf } from './helpers.js'

const clients = new Clients(uniqueProjectId())
afterAll(() => clients.close())
const admin = clients.admin()

const DAY = 24 * 60 * 60 * 1000
const invite = async (token: string) => (await admin.collection(INVITES).doc(token).get()).data()

/** The invite-link callables' handlers (caller's uid, request.data), against the emulator. */
describe('invite links (createInvite, acceptInvite, revokeInvite)', () => {
  it('the owner makes a link: a long random token, stored with its document, role, creator and a 7-day expiry', async () => {
    const docId = freshId('create')
    await createDocument(admin, docId)
    const now = Date.UTC(2030, 0, 1)
    const result = await createInvite(admin, 'alice', { docId, role: 'editor' }, { now: () => now })
    expect(result.token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(result.expiresAt).toBe(new Date(now + 7 * DAY).toISOString())
    expect(await invite(result.token)).toEqual({ docId, role: 'editor', createdBy: 'alice', expiresAt: Timestamp.fromMillis(now + 7 * DAY) })
    const other = await createInvite(admin, 'alice', { docId, role: 'editor' })
    expect(other.token).not.toBe(result.token)
  })

  it('takes an expiry of up to 30 days and refuses more, none or a non-number', async () => {
    const docId = freshId('expiry')
    await createDocument(admin, docId)
    const now = Date.UTC(2030, 0, 1)
    const longest = await createInvite(admin, 'alice', { docId, role: 'viewer', expiresInDays: INVITE_MAX_DAYS }, { now: () => now })
    expect(longest.expiresAt).toBe(new Date(now + 30 * DAY).toISOString())
    for (const expiresInDays of [31, 0, -1, '7', Number.NaN]) {
      await expectHttpsError(createInvite(admin, 'alice', { docId, role: 'viewer', expiresInDays }), 'invalid-argument', /expiresInDays must be a number of days above 0 and at most 30/)
    }
  })

  it('lets only the owner make a link, for editor or viewer only', async () => {
    const docId = freshId('create-owner')
    await createDocument(admin, docId, { members: { bob: 'editor' } })
    await expectHttpsError(createInvite(admin, 'bob', { docId, role: 'viewer' }), 'permission-denied', /Only the owner .* can make invite links to it; you are an editor/)
    await expectHttpsError(createInvite(admin, 'mallory', { docId, role: 'viewer' }), 'permission-denied', /does not exist, or you are not its owner/)
    await expectHttpsError(createInvite(admin, undefined, { docId, role: 'viewer' }), 'unauthenticated')
    await expectHttpsError(createInvite(admin, 'alice', { docId, role: 'owner' }), 'invalid-argument', /role must be "editor" or "viewer"/)
    const made = await admin.collection(INVITES).where('docId', '==', docId).get()
    expect(made.size).toBe(0)
  })

  it('accepting gives the signed-in user the role and says where to go', async () => {
    const docId = freshId('accept')
    await createDocument(admin, docId)
    const { token } = await createInvite(admin, 'alice', { docId, role: 'editor' })
    expect(await acceptInvite(admin, 'carol', { token })).toEqual({ docId, role: 'editor' })
    expect(await rolesOf(admin, docId)).toEqual({ alice: 'owner', carol: 'editor' })
  })

  it('is multi-use: everyone with the link joins until it expires, and accepting again is harmless', async () => {
    const docId = freshId('multi')
    await createDocument(admin, docId)
    const { token } = await createInvite(admin, 'alice', { docId, role: 'viewer' })
    expect(await acceptInvite(admin, 'carol', { token })).toEqual({ docId, role: 'viewer' })
    expect(await acceptInvite(admin, 'dave', { token })).toEqual({ docId, role: 'viewer' })
    expect(await acceptInvite(admin, 'dave', { token })).toEqual({ docId, role: 'viewer' })
    expect(await rolesOf(admin, docId)).toEqual({ alice: 'owner', carol: 'viewer', dave: 'viewer' })
    expect(await invite(token)).toMatchObject({ docId, role: 'viewer' })
  })

  it('refuses an expired link with the date it expired, and changes nothing', async () => {
    const docId = freshId('expired')
    await createDocument(admin, docId)
    const made = Date.UTC(2030, 0, 1)
    const { token, expiresAt } = await createInvite(admin, 'alice', { docId, role: 'editor', expiresInDays: 1 }, { now: () => made })
    expect(await acceptInvite(admin, 'carol', { token }, { now: () => made + DAY - 1 })).toEqual({ docId, role: 'editor' })
    await expectHttpsError(acceptInvite(admin, 'dave', { token }, { now: () => made + DAY }), 'failed-precondition', new RegExp(`expired on ${expiresAt.replace(/\./g, '\\.')}`))
    expect(await rolesOf(admin, docId)).toEqual({ alice: 'owner', carol: 'editor' })
  })

  it('refuses an unknown or malformed token as not found, and a missing one as invalid', async () => {
    await expectHttpsError(acceptInvite(admin, 'carol', { token: 'x'.repeat(43) }), 'not-found', /This invite link does not work/)
    await expectHttpsError(acceptInvite(admin, 'carol', { token: 'documents/abc' }), 'not-found', /This invite link does not work/)
    await expectHttpsError(acceptInvite(admin, 'carol', {}), 'invalid-argument', /token must be the invite link's token/)
    await expectHttpsError(acceptInvite(admin, undefined, { token: 'x'.repeat(43) }), 'unauthenticated', /Sign in to accept an invite/)
  })

  it('the owner revokes a link: it stops working; revoking again reports nothing revoked', async () => {
    const docId = freshId('revoke')
    await createDocument(admin, docId)
    const { token } = await createInvite(admin, 'alice', { docId, role: 'viewer' })
    await acceptInvite(admin, 'carol', { token })
    expect(await revokeInvite(admin, 'alice', { token })).toEqual({ revoked: true })
    expect(await invite(token)).toBeUndefined()
    await expectHttpsError(acceptInvite(admin, 'dave', { token }), 'not-found')
    expect(await rolesOf(admin, docId)).toEqual({ alice: 'owner', carol: 'viewer' })
    expect(await revokeInvite(admin, 'alice', { token })).toEqual({ revoked: false })
  })

  it('lets only the owner revoke', async () => {
    const docId = freshId('revoke-owner')
    await createDocument(admin, docId, { members: { bob: 'editor' } })
    const { token } = await createInvite(admin, 'alice', { docId, role: 'viewer' })
    await expectHttpsError(revokeInvite(admin, 'bob', { token }), 'permission-denied', /Only the owner/)
    await expectHttpsError(revokeInvite(admin, 'mallory', { token }), 'permission-denied')
    await expectHttpsError(revokeInvite(admin, undefined, { token }), 'unauthenticated')
    expect(await invite(token)).toMatchObject({ docId })
  })

  it('never lowers a role: an editor opening a viewer link stays an editor; a viewer opening an editor link becomes one', async () => {
    const docId = freshId('downgrade')
    await createDocument(admin, docId, { members: { bob: 'editor', carol: 'viewer' } })
    const viewerLink = await createInvite(admin, 'alice', { docId, role: 'viewer' })
    const editorLink = await createInvite(admin, 'alice', { docId, role: 'editor' })
    expect(await acceptInvite(admin, 'bob', { token: viewerLink.token })).toEqual({ docId, role: 'editor' })
    expect(await acceptInvite(admin, 'carol', { token: editorLink.token })).toEqual({ docId, role: 'editor' })
    expect(await rolesOf(admin, docId)).toEqual({ alice: 'owner', bob: 'editor', carol: 'editor' })
  })

  it('leaves the owner the owner when they open their own link', async () => {
    const docId = freshId('own-link')
    await createDocument(admin, docId)
    const { token } = await createInvite(admin, 'alice', { docId, role: 'viewer' })
    expect(await acceptInvite(admin, 'alice', { token })).toEqual({ docId, role: 'owner' })
    expect(await rolesOf(admin, docId)).toEqual({ alice: 'owner' })
  })

  it('says so when the document was deleted; its creator may still tidy the link away', async () => {
    const docId = freshId('deleted')
    await createDocument(admin, docId)
    const { token } = await createInvite(admin, 'alice', { docId, role: 'viewer' })
    await admin.doc(paths.documentPath(docId)).delete()
    await expectHttpsError(acceptInvite(admin, 'carol', { token }), 'not-found', /has been deleted/)
    expect((await admin.doc(paths.documentPath(docId)).get()).exists).toBe(false)
    await expectHttpsError(revokeInvite(admin, 'mallory', { token }), 'permission-denied')
    expect(await revokeInvite(admin, 'alice', { token })).toEqual({ revoked: true })
  })

  it('does not let a link to a deleted document open a document re-created under its ID', async () => {
    const docId = freshId('recreated')
    await createDocument(admin, docId)
    const { token } = await createInvite(admin, 'alice', { docId, role: 'editor' })
    await admin.doc(paths.documentPath(docId)).delete()
    // Someone who knew the ID creates a document of their own under it.
    await admin.doc(paths.documentPath(docId)).set({ title: 'Mine', owner: 'mallory', roles: { mallory: 'owner' }, snapshot: null })
    await expectHttpsError(acceptInvite(admin, 'carol', { token }), 'not-found', /has been deleted/)
    expect(await rolesOf(admin, docId)).toEqual({ mallory: 'owner' })
    // A link made for the new document works.
    const fresh = await createInvite(admin, 'mallory', { docId, role: 'viewer' })
    expect(await acceptInvite(admin, 'carol', { token: fresh.token })).toEqual({ docId, role: 'viewer' })
  })

  it('accepts an invite the owner wrote directly, as the rules allow', async () => {
    const docId = freshId('direct')
    await createDocument(admin, docId)
    const token = `direct-${'a'.repeat(30)}`
    await admin.collection(INVITES).doc(token).set({ docId, role: 'viewer', createdBy: 'alice', expiresAt: Timestamp.fromMillis(Date.now() + DAY) })
    expect(await acceptInvite(admin, 'carol', { token })).toEqual({ docId, role: 'viewer' })
  })

  it('refuses a damaged invite instead of granting something odd', async () => {
    const docId = freshId('damaged')
    await createDocument(admin, docId)
    const token = `damaged-${'b'.repeat(30)}`
    await admin.collection(INVITES).doc(token).set({ docId, role: 'owner', createdBy: 'alice', expiresAt: Timestamp.fromMillis(Date.now() + DAY) })
    await expectHttpsError(acceptInvite(admin, 'mallory', { token }), 'failed-precondition', /damaged/)
    expect(await rolesOf(admin, docId)).toEqual({ alice: 'owner' })
  })
})
