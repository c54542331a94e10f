import { describe, it } from 'vitest'
import { assertFails, assertSucceeds } from '@firebase/rules-unit-testing'
import { Timestamp, collection, deleteDoc, deleteField, doc, getDoc, setDoc, updateDoc, writeBatch } from 'firebase/firestore'
import {
  DOC,
  DOC_PATH,
  MAX_PART_BYTES,
  RulesWorld,
  UID,
  bytes,
  inDays,
  inviteBy,
  newDocument,
  newToken,
  newUpdate,
  serverTime,
  type Db,
} from './fixture.js'

/**
 * The edges of what firestore.rules allows: the legitimate writes of the app and the
 * provider pass, and the nearest invalid variants do not.
 */

const world = RulesWorld.forFile({ refreshEach: true })

const alice = () => world.as('owner')
const bob = () => world.as('editor')
const mallory = () => world.as('stranger')
const denied = (write: Promise<unknown>) => assertFails(world.track(write))
const allowed = (write: Promise<unknown>) => assertSucceeds(world.track(write))

describe('updates', () => {
  const updates = (db: Db) => collection(db, `${DOC_PATH}/updates`)

  it('accepts an update of exactly 900 KiB', async () => {
    await allowed(setDoc(doc(updates(bob())), newUpdate(UID.editor, MAX_PART_BYTES)))
  })

  it('accepts an update split in parts, written in one batch as the provider does', async () => {
    const db = bob()
    const first = doc(updates(db))
    const batch = writeBatch(db)
    for (let part = 0; part < 3; part++) {
      const ref = part === 0 ? first : doc(updates(db))
      batch.set(ref, { ...newUpdate(UID.editor, MAX_PART_BYTES), group: first.id, part, parts: 3 })
    }
    await allowed(batch.commit())
  })

  it('refuses malformed parts', async () => {
    const part = (fields: Record<string, unknown>) => setDoc(doc(updates(bob())), { ...newUpdate(UID.editor), ...fields })
    await allowed(part({ group: 'g', part: 0, parts: 2 }))
    await denied(part({ group: 'g', part: 2, parts: 2 }))
    await denied(part({ group: 'g', part: -1, parts: 2 }))
    await denied(part({ group: 'g', part: 0, parts: 17 }))
    await denied(part({ group: 'g', part: 0.5, parts: 2 }))
    await denied(part({ group: 'g', part: '0', parts: 2 }))
    await denied(part({ group: 7, part: 0, parts: 2 }))
    await denied(part({ group: '', part: 0, parts: 2 }))
    await denied(part({ group: 'g' }))
    await denied(part({ part: 0, parts: 2 }))
  })
})

describe('documents', () => {
  it('creates a document without a snapshot field, or with snapshot null', async () => {
    const { snapshot: _, ...withoutSnapshot } = newDocument(UID.stranger)
    await allowed(setDoc(doc(mallory(), 'documents/mine1'), withoutSnapshot))
    await allowed(setDoc(doc(mallory(), 'documents/mine2'), newDocument(UID.stranger)))
    await allowed(setDoc(doc(mallory(), 'documents/mine3'), { ...newDocument(UID.stranger), title: '' }))
  })

  it('refuses a new document with a snapshot, other times, a bad title or other fields', async () => {
    const create = (fields: Record<string, unknown>) => setDoc(doc(mallory(), `documents/bad-${newToken()}`), { ...newDocument(UID.stranger), ...fields })
    await denied(create({ snapshot: { gen: 'g1', chunks: 1 } }))
    await denied(create({ createdAt: Timestamp.fromMillis(0) }))
    await denied(create({ updatedAt: Timestamp.fromMillis(Date.now() + 86_400_000) }))
    await denied(create({ title: 'x'.repeat(201) }))
    await denied(create({ title: 42 }))
    await denied(create({ public: true }))
    const { updatedAt: _, ...withoutUpdatedAt } = newDocument(UID.stranger)
    await denied(setDoc(doc(mallory(), 'documents/bad-x'), withoutUpdatedAt))
    await allowed(create({ title: 'x'.repeat(200) }))
  })

  it('lets editors rename the document, with updatedAt at the request time', async () => {
    await allowed(updateDoc(doc(bob(), DOC_PATH), { title: 'Renamed' }))
    await allowed(updateDoc(doc(bob(), DOC_PATH), { title: 'Renamed again', updatedAt: serverTime() }))
    await denied(updateDoc(doc(bob(), DOC_PATH), { updatedAt: Timestamp.fromMillis(0) }))
    await denied(updateDoc(doc(bob(), DOC_PATH), { title: 'x'.repeat(201) }))
    await denied(updateDoc(doc(bob(), DOC_PATH), { createdAt: serverTime() }))
    await denied(updateDoc(doc(alice(), DOC_PATH), { createdAt: serverTime() }))
    await denied(updateDoc(doc(alice(), DOC_PATH), { extra: 1 }))
  })

  it('lets the owner share: add, change and remove collaborators', async () => {
    await allowed(updateDoc(doc(alice(), DOC_PATH), { 'roles.dave': 'editor', [`roles.${UID.viewer}`]: 'editor' }))
    await allowed(updateDoc(doc(alice(), DOC_PATH), { [`roles.${UID.viewer}`]: deleteField(), updatedAt: serverTime() }))
    const roles = { [UID.owner]: 'owner', [UID.editor]: 'viewer', [UID.stranger]: 'viewer' }
    await allowed(updateDoc(doc(alice(), DOC_PATH), { roles }))
    const after = await assertSucceeds(getDoc(doc(alice(), DOC_PATH)))
    if (JSON.stringify(after.get('roles')) !== JSON.stringify(roles)) throw new Error(`roles are ${JSON.stringify(after.get('roles'))}`)
    // mallory, now a viewer, reads; bob, now a viewer, no longer renames.
    await assertSucceeds(getDoc(doc(mallory(), DOC_PATH)))
    await denied(updateDoc(doc(bob(), DOC_PATH), { title: 'Renamed' }))
  })

  it('lets the owner delete the document', async () => {
    await denied(deleteDoc(doc(bob(), DOC_PATH)))
    await allowed(deleteDoc(doc(alice(), DOC_PATH)))
  })
})

describe('presence', () => {
  it('lets a viewer keep an entry of their own', async () => {
    const carol = world.as('viewer')
    const ref = doc(carol, `${DOC_PATH}/presence/12345`)
    const entry = { uid: UID.viewer, name: 'Carol', color: '#30bced', state: '{}', updatedAt: serverTime(), expiresAt: inDays(0) }
    await allowed(setDoc(ref, entry))
    await allowed(setDoc(ref, { ...entry, state: { cursor: null } }))
    await allowed(deleteDoc(ref))
  })
})

describe('profiles', () => {
  it('lets a user write their own profile: displayName and color only', async () => {
    const db = world.user('dave')
    await allowed(setDoc(doc(db, 'users/dave'), { displayName: 'Dave' }))
    await allowed(setDoc(doc(db, 'users/dave'), { displayName: 'Dave', color: '#A1B2C3' }))
    await denied(setDoc(doc(db, 'users/dave'), { displayName: 'Dave', color: '#abc' }))
    await denied(setDoc(doc(db, 'users/dave'), { displayName: 'Dave', email: 'dave@example.com' }))
    await denied(setDoc(doc(db, 'users/dave'), { displayName: ['Dave'] }))
    await assertSucceeds(getDoc(doc(bob(), 'users/dave')))
  })
})

describe('invites', () => {
  const create = (db: Db, fields: Record<string, unknown> = {}, token = newToken()) =>
    setDoc(doc(db, `invites/${token}`), { ...inviteBy(UID.owner), ...fields })

  it('lets the owner invite editors and viewers, for up to 30 days', async () => {
    await allowed(create(alice(), { role: 'editor' }))
    await allowed(create(alice(), { role: 'viewer', expiresAt: inDays(29) }))
  })

  it('refuses invites that are expired, too long-lived, guessable, malformed or to a missing document', async () => {
    await denied(create(alice(), { expiresAt: inDays(-1) }))
    await denied(create(alice(), { expiresAt: inDays(31) }))
    await denied(create(alice(), { expiresAt: '2099-01-01' }))
    await denied(create(alice(), {}, 'short'))
    await denied(create(alice(), { role: 'admin' }))
    await denied(create(alice(), { docId: 'missing' }))
    await denied(create(alice(), { docId: `${DOC}/updates/u1` }))
    await denied(create(alice(), { note: 'hi' }))
  })

  it('lets a signed-in user who knows the token read it, and the owner withdraw it', async () => {
    const token = newToken()
    await allowed(create(alice(), {}, token))
    const invite = await assertSucceeds(getDoc(doc(mallory(), `invites/${token}`)))
    if (invite.get('docId') !== DOC) throw new Error('the invite does not name d1')
    await assertFails(getDoc(doc(world.as('signedOut'), `invites/${token}`)))
    await denied(deleteDoc(doc(mallory(), `invites/${token}`)))
    await allowed(deleteDoc(doc(alice(), `invites/${token}`)))
  })
})
