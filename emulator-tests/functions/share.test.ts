import { afterAll, describe, expect, it } from 'vitest'
import { shareDocument } from '../../functions/src/sharing.js'
import { syncUserIndex } from '../../functions/src/user-index.js'
import { Clients, uniqueProjectId } from '../support/clients.js'
import { createDocument, documentData, expectHttpsError, fakeLookup, freshId, indexEntry, rolesOf } from './helpers.js'

const clients = new Clients(uniqueProjectId())
afterAll(() => clients.close())
const admin = clients.admin()

/** `shareDocument` as the callable runs it (caller's uid, request.data), with a fake Auth lookup. */
describe('sharing by email (shareDocument)', () => {
  const people = { 'alice@example.com': 'alice', 'bob@example.com': 'bob', 'carol@example.com': 'carol' }

  it('gives the user with that email the role, once', async () => {
    const docId = freshId('share')
    await createDocument(admin, docId)
    const lookup = fakeLookup(people)
    expect(await shareDocument(admin, lookup, 'alice', { docId, email: 'bob@example.com', role: 'editor' })).toEqual({ docId, uid: 'bob', role: 'editor', changed: true })
    expect(await rolesOf(admin, docId)).toEqual({ alice: 'owner', bob: 'editor' })
    expect(await shareDocument(admin, lookup, 'alice', { docId, email: ' bob@example.com ', role: 'editor' })).toMatchObject({ changed: false })
    expect(lookup.asked).toEqual(['bob@example.com', 'bob@example.com'])
  })

  it('changes a role, including lowering an editor to viewer', async () => {
    const docId = freshId('change')
    await createDocument(admin, docId, { members: { bob: 'editor' } })
    expect(await shareDocument(admin, fakeLookup(people), 'alice', { docId, email: 'bob@example.com', role: 'viewer' })).toMatchObject({ role: 'viewer', changed: true })
    expect(await rolesOf(admin, docId)).toEqual({ alice: 'owner', bob: 'viewer' })
  })

  it('removes access with role null, and removing a non-member changes nothing', async () => {
    const docId = freshId('remove')
    await createDocument(admin, docId, { members: { bob: 'editor', carol: 'viewer' } })
    const lookup = fakeLookup(people)
    expect(await shareDocument(admin, lookup, 'alice', { docId, email: 'bob@example.com', role: null })).toEqual({ docId, uid: 'bob', role: null, changed: true })
    expect(await rolesOf(admin, docId)).toEqual({ alice: 'owner', carol: 'viewer' })
    expect(await shareDocument(admin, lookup, 'alice', { docId, email: 'bob@example.com', role: null })).toMatchObject({ changed: false })
    expect(await rolesOf(admin, docId)).toEqual({ alice: 'owner', carol: 'viewer' })
  })

  it('says no Quire user has an unknown email, and changes nothing', async () => {
    const docId = freshId('unknown')
    await createDocument(admin, docId)
    await expectHttpsError(
      shareDocument(admin, fakeLookup(people), 'alice', { docId, email: 'nobody@example.com', role: 'viewer' }),
      'not-found',
      /No Quire user has the email nobody@example\.com/,
    )
    expect(await rolesOf(admin, docId)).toEqual({ alice: 'owner' })
  })

  it('lets only the owner share, and looks no email up for anyone else', async () => {
    const docId = freshId('owner-only')
    await createDocument(admin, docId, { title: 'Plans', members: { bob: 'editor', carol: 'viewer' } })
    const lookup = fakeLookup(people)
    await expectHttpsError(shareDocument(admin, lookup, 'bob', { docId, email: 'carol@example.com', role: 'editor' }), 'permission-denied', /Only the owner of "Plans" can share it; you are an editor/)
    await expectHttpsError(shareDocument(admin, lookup, 'carol', { docId, email: 'carol@example.com', role: 'editor' }), 'permission-denied', /you are a viewer/)
    const stranger = await expectHttpsError(shareDocument(admin, lookup, 'mallory', { docId, email: 'bob@example.com', role: null }), 'permission-denied')
    expect(lookup.asked).toEqual([])
    expect(await rolesOf(admin, docId)).toEqual({ alice: 'owner', bob: 'editor', carol: 'viewer' })
    // A stranger cannot tell an existing document from a missing one.
    const missingId = freshId('missing')
    const missing = await expectHttpsError(shareDocument(admin, lookup, 'mallory', { docId: missingId, email: 'bob@example.com', role: null }), 'permission-denied')
    expect(missing.message.replace(missingId, 'ID')).toBe(stranger.message.replace(docId, 'ID'))
    expect(stranger.message).not.toContain('Plans')
  })

  it("refuses to change the owner's own role", async () => {
    const docId = freshId('self')
    await createDocument(admin, docId, { title: 'Mine' })
    await expectHttpsError(
      shareDocument(admin, fakeLookup(people), 'alice', { docId, email: 'alice@example.com', role: 'viewer' }),
      'failed-precondition',
      /alice@example\.com is the owner of "Mine"; the owner's role cannot be changed/,
    )
    await expectHttpsError(shareDocument(admin, fakeLookup(people), 'alice', { docId, email: 'alice@example.com', role: null }), 'failed-precondition')
    expect(await rolesOf(admin, docId)).toEqual({ alice: 'owner' })
  })

  it('asks to sign in when there is no caller', async () => {
    const docId = freshId('anon')
    await createDocument(admin, docId)
    await expectHttpsError(shareDocument(admin, fakeLookup(people), undefined, { docId, email: 'bob@example.com', role: 'viewer' }), 'unauthenticated', /Sign in/)
    expect(await rolesOf(admin, docId)).toEqual({ alice: 'owner' })
  })

  it('names what is wrong with a malformed request', async () => {
    const docId = freshId('bad')
    await createDocument(admin, docId)
    const lookup = fakeLookup(people)
    const share = (data: unknown) => shareDocument(admin, lookup, 'alice', data)
    await expectHttpsError(share(null), 'invalid-argument', /Expected an object like \{ docId, email, role/)
    await expectHttpsError(share({ docId, email: 'bob', role: 'viewer' }), 'invalid-argument', /email must be an email address, got "bob"/)
    await expectHttpsError(share({ docId, email: 'bob@example.com', role: 'owner' }), 'invalid-argument', /role .* must be "editor" or "viewer", got "owner"/)
    await expectHttpsError(share({ docId, email: 'bob@example.com' }), 'invalid-argument', /role is missing/)
    await expectHttpsError(share({ docId: `${docId}/updates/x`, email: 'bob@example.com', role: 'viewer' }), 'invalid-argument', /docId must be a document ID/)
    expect(lookup.asked).toEqual([])
    expect(await rolesOf(admin, docId)).toEqual({ alice: 'owner' })
  })

  it('is followed by the index: the new member sees the document in their list, a removed one no longer does', async () => {
    const docId = freshId('listed')
    const before = await createDocument(admin, docId, { title: 'Shared' })
    await syncUserIndex(admin, docId, { before: undefined, after: before })
    await shareDocument(admin, fakeLookup(people), 'alice', { docId, email: 'carol@example.com', role: 'viewer' })
    const shared = await documentData(admin, docId)
    await syncUserIndex(admin, docId, { before, after: shared })
    expect(await indexEntry(admin, 'carol', docId)).toMatchObject({ title: 'Shared', role: 'viewer' })

    await shareDocument(admin, fakeLookup(people), 'alice', { docId, email: 'carol@example.com', role: null })
    await syncUserIndex(admin, docId, { before: shared, after: await documentData(admin, docId) })
    expect(await indexEntry(admin, 'carol', docId)).toBeUndefined()
  })
})
