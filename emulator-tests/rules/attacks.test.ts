import { describe, it } from 'vitest'
import { assertFails, assertSucceeds } from '@firebase/rules-unit-testing'
import {
  Timestamp,
  collection,
  collectionGroup,
  deleteDoc,
  deleteField,
  doc,
  getDoc,
  getDocs,
  query,
  setDoc,
  updateDoc,
  where,
  writeBatch,
} from 'firebase/firestore'
import {
  CHUNK,
  DOC,
  DOC_PATH,
  GEN,
  MAX_PART_BYTES,
  RulesWorld,
  TOKEN,
  UID,
  UPDATE,
  bytes,
  clientOf,
  newDocument,
  newUpdate,
  presenceOf,
  serverTime,
  type Db,
} from './fixture.js'

/**
 * What a malicious or buggy client might try, each its own test. Every attack is denied;
 * where it helps to show the denial is for the stated reason, the honest variant of the same
 * request is shown to succeed first.
 */

// A denied write changes nothing, so the world is only rewritten after one that succeeded.
const world = RulesWorld.forFile({ refreshEach: true })

const alice = () => world.as('owner')
const bob = () => world.as('editor')
const carol = () => world.as('viewer')
const mallory = () => world.as('stranger')

const updates = (db: Db) => collection(db, `${DOC_PATH}/updates`)
const newUpdateRef = (db: Db) => doc(updates(db))
const denied = (write: Promise<unknown>) => assertFails(world.track(write))
const allowed = (write: Promise<unknown>) => assertSucceeds(world.track(write))

describe('attacks on the update log', () => {
  it('an editor forges the author of an update', async () => {
    await denied(setDoc(newUpdateRef(bob()), newUpdate(UID.owner)))
    await allowed(setDoc(newUpdateRef(bob()), newUpdate(UID.editor)))
  })

  it('an editor backdates createdAt', async () => {
    const backdated = { ...newUpdate(UID.editor), createdAt: Timestamp.fromMillis(Date.now() - 3_600_000) }
    await denied(setDoc(newUpdateRef(bob()), backdated))
    const postdated = { ...newUpdate(UID.editor), createdAt: Timestamp.fromMillis(Date.now() + 3_600_000) }
    await denied(setDoc(newUpdateRef(bob()), postdated))
  })

  it('an editor adds extra fields to an update', async () => {
    await denied(setDoc(newUpdateRef(bob()), { ...newUpdate(UID.editor), admin: true }))
    await denied(setDoc(newUpdateRef(bob()), { ...newUpdate(UID.editor), roles: { [UID.editor]: 'owner' } }))
  })

  it('an editor writes an oversized update (> 900 KiB)', async () => {
    await denied(setDoc(newUpdateRef(bob()), newUpdate(UID.editor, MAX_PART_BYTES + 1)))
  })

  it('an editor writes an update that is not bytes', async () => {
    await denied(setDoc(newUpdateRef(bob()), { ...newUpdate(UID.editor), update: 'AAEC' }))
    await denied(setDoc(newUpdateRef(bob()), { author: UID.editor, createdAt: serverTime() }))
  })

  it('an editor edits an existing update (their own)', async () => {
    await denied(updateDoc(doc(bob(), UPDATE), { update: bytes(3) }))
    await denied(setDoc(doc(bob(), UPDATE), newUpdate(UID.editor)))
  })

  it('the owner deletes the log', async () => {
    const log = await assertSucceeds(getDocs(updates(alice())))
    const batch = writeBatch(alice())
    for (const entry of log.docs) batch.delete(doc(alice(), entry.ref.path))
    await denied(batch.commit())
    await denied(deleteDoc(doc(alice(), UPDATE)))
  })

  it('a viewer writes an update', async () => {
    await denied(setDoc(newUpdateRef(carol()), newUpdate(UID.viewer)))
  })

  it('a stranger writes an update', async () => {
    await denied(setDoc(newUpdateRef(mallory()), newUpdate(UID.stranger)))
  })

  it('a stranger reads an update by ID', async () => {
    await assertFails(getDoc(doc(mallory(), UPDATE)))
    await assertSucceeds(getDoc(doc(carol(), UPDATE)))
  })
})

describe('attacks on snapshots', () => {
  it('the owner writes a snapshot chunk', async () => {
    await denied(setDoc(doc(alice(), CHUNK), { data: bytes(10) }))
    await denied(setDoc(doc(alice(), `${DOC_PATH}/snapshots/g2/chunks/000000`), { data: bytes(10) }))
    await denied(setDoc(doc(alice(), `${DOC_PATH}/snapshots/g2`), { chunks: 1 }))
    await denied(deleteDoc(doc(alice(), CHUNK)))
  })

  it('an editor writes a snapshot chunk', async () => {
    await denied(setDoc(doc(bob(), `${DOC_PATH}/snapshots/g2/chunks/000000`), { data: bytes(10) }))
  })

  it('the owner or an editor sets snapshot on the document', async () => {
    const pointer = { gen: 'g2', chunks: 1, bytes: 10, stateVector: bytes(2), updates: 0, at: serverTime() }
    await denied(updateDoc(doc(alice(), DOC_PATH), { snapshot: pointer }))
    await denied(updateDoc(doc(alice(), DOC_PATH), { snapshot: null }))
    await denied(updateDoc(doc(bob(), DOC_PATH), { 'snapshot.gen': 'g0' }))
    await allowed(updateDoc(doc(alice(), DOC_PATH), { title: 'Still mine', updatedAt: serverTime() }))
  })

  it('a stranger reads a snapshot chunk', async () => {
    await assertFails(getDoc(doc(mallory(), CHUNK)))
    await assertFails(getDocs(collection(mallory(), `${DOC_PATH}/snapshots/${GEN}/chunks`)))
  })
})

describe('attacks on roles and ownership', () => {
  it('an editor promotes themselves to owner', async () => {
    await denied(updateDoc(doc(bob(), DOC_PATH), { [`roles.${UID.editor}`]: 'owner' }))
  })

  it('a viewer promotes themselves to editor', async () => {
    await denied(updateDoc(doc(carol(), DOC_PATH), { [`roles.${UID.viewer}`]: 'editor' }))
  })

  it('an editor adds or removes collaborators', async () => {
    await denied(updateDoc(doc(bob(), DOC_PATH), { 'roles.dave': 'viewer' }))
    await denied(updateDoc(doc(bob(), DOC_PATH), { [`roles.${UID.viewer}`]: deleteField() }))
  })

  it('a stranger adds themselves to roles', async () => {
    await denied(updateDoc(doc(mallory(), DOC_PATH), { [`roles.${UID.stranger}`]: 'viewer' }))
    await denied(updateDoc(doc(mallory(), DOC_PATH), { [`roles.${UID.stranger}`]: 'owner' }))
  })

  it('an editor takes ownership (changes owner)', async () => {
    const roles = { [UID.owner]: 'editor', [UID.editor]: 'owner', [UID.viewer]: 'viewer' }
    await denied(updateDoc(doc(bob(), DOC_PATH), { owner: UID.editor, roles }))
    await denied(updateDoc(doc(bob(), DOC_PATH), { owner: UID.editor }))
  })

  it('the owner hands ownership to someone else (owner never changes)', async () => {
    const roles = { [UID.owner]: 'editor', [UID.editor]: 'owner', [UID.viewer]: 'viewer' }
    await denied(updateDoc(doc(alice(), DOC_PATH), { owner: UID.editor, roles }))
    // Nor through roles alone, leaving `owner` as it is.
    await denied(updateDoc(doc(alice(), DOC_PATH), { roles }))
  })

  it('the owner removes or demotes themselves, or makes a second owner', async () => {
    await denied(updateDoc(doc(alice(), DOC_PATH), { [`roles.${UID.owner}`]: deleteField() }))
    await denied(updateDoc(doc(alice(), DOC_PATH), { [`roles.${UID.owner}`]: 'editor' }))
    await denied(updateDoc(doc(alice(), DOC_PATH), { [`roles.${UID.editor}`]: 'owner' }))
    await denied(updateDoc(doc(alice(), DOC_PATH), { 'roles.dave': 'admin' }))
    await denied(updateDoc(doc(alice(), DOC_PATH), { roles: 'everyone' }))
  })

  it('someone creates a document with another user as owner', async () => {
    await denied(setDoc(doc(mallory(), 'documents/forged1'), newDocument(UID.owner)))
    await denied(setDoc(doc(mallory(), 'documents/forged2'), { ...newDocument(UID.stranger), roles: { [UID.owner]: 'owner' } }))
    await denied(setDoc(doc(mallory(), 'documents/forged3'), { ...newDocument(UID.owner), roles: { [UID.stranger]: 'owner' } }))
    await allowed(setDoc(doc(mallory(), 'documents/honest'), newDocument(UID.stranger)))
  })

  it('someone creates a document with several roles', async () => {
    const roles = { [UID.stranger]: 'owner', [UID.editor]: 'editor' }
    await denied(setDoc(doc(mallory(), 'documents/crowded1'), { ...newDocument(UID.stranger), roles }))
    await denied(setDoc(doc(mallory(), 'documents/crowded2'), { ...newDocument(UID.stranger), roles: { [UID.stranger]: 'owner', [UID.owner]: 'viewer' } }))
  })

  it('someone overwrites an existing document by creating it again', async () => {
    // set() on an existing document is an update: a stranger cannot claim d1 that way.
    await denied(setDoc(doc(mallory(), DOC_PATH), newDocument(UID.stranger)))
  })
})

describe('attacks on reads', () => {
  it("someone reads another user's document index", async () => {
    await assertFails(getDoc(doc(bob(), `users/${UID.owner}/documents/${DOC}`)))
    await assertFails(getDocs(collection(bob(), `users/${UID.owner}/documents`)))
    await assertSucceeds(getDocs(collection(bob(), `users/${UID.editor}/documents`)))
  })

  it('someone lists the documents collection, without filters or with them', async () => {
    await assertFails(getDocs(collection(alice(), 'documents')))
    await assertFails(getDocs(query(collection(alice(), 'documents'), where(`roles.${UID.owner}`, '==', 'owner'))))
    await assertFails(getDocs(query(collection(alice(), 'documents'), where('owner', '==', UID.owner))))
    await assertFails(getDocs(collection(mallory(), 'documents')))
  })

  it('a stranger cannot tell a hidden document from a missing one', async () => {
    await assertFails(getDoc(doc(mallory(), DOC_PATH)))
    await assertFails(getDoc(doc(mallory(), 'documents/missing')))
    await assertFails(getDocs(updates(mallory())))
    await assertFails(getDocs(collection(mallory(), 'documents/missing/updates')))
    // Not even the owner of other documents learns whether one exists.
    await assertFails(getDoc(doc(alice(), 'documents/missing')))
  })

  it('a stranger lists users or invites', async () => {
    await assertFails(getDocs(collection(mallory(), 'users')))
    await assertFails(getDocs(collection(mallory(), 'invites')))
  })

  it('someone reads below a document through a collection-group query', async () => {
    await assertFails(getDocs(collectionGroup(mallory(), 'updates')))
    // Even members: rules for documents/{docId}/updates do not match a collection group.
    await assertFails(getDocs(collectionGroup(alice(), 'updates')))
    await assertFails(getDocs(collectionGroup(alice(), 'presence')))
  })

  it('a member removed from roles loses access at once', async () => {
    await assertSucceeds(getDoc(doc(carol(), DOC_PATH)))
    await world.admin((db) => updateDoc(doc(db, DOC_PATH), { [`roles.${UID.viewer}`]: deleteField() }))
    await assertFails(getDoc(doc(carol(), DOC_PATH)))
    await assertFails(getDoc(doc(carol(), UPDATE)))
    await assertFails(getDocs(collection(carol(), `${DOC_PATH}/presence`)))
  })
})

describe('attacks on presence', () => {
  const entry = (db: Db, uid: string | null) => doc(db, `${DOC_PATH}/presence/${clientOf(uid)}`)

  it("a member writes someone else's presence", async () => {
    // A new entry in alice's name.
    await denied(setDoc(doc(bob(), `${DOC_PATH}/presence/fake`), presenceOf(UID.owner)))
    // alice's entry, taken over in bob's name or kept in hers.
    await denied(setDoc(entry(bob(), UID.owner), presenceOf(UID.editor)))
    await denied(setDoc(entry(bob(), UID.owner), presenceOf(UID.owner)))
    await denied(deleteDoc(entry(bob(), UID.owner)))
    // A viewer is no different.
    await denied(deleteDoc(entry(carol(), UID.editor)))
    await allowed(setDoc(entry(bob(), UID.editor), presenceOf(UID.editor)))
  })

  it('a member hands their own entry to someone else', async () => {
    await denied(setDoc(entry(bob(), UID.editor), presenceOf(UID.owner)))
  })

  it('a former member keeps writing presence', async () => {
    // mallory's stale entry is hers, but she is no member any more.
    await denied(setDoc(entry(mallory(), UID.stranger), presenceOf(UID.stranger)))
    await denied(deleteDoc(entry(mallory(), UID.stranger)))
  })

  it('a member writes presence with extra or malformed fields', async () => {
    await denied(setDoc(entry(bob(), UID.editor), { ...presenceOf(UID.editor), roles: { x: 'owner' } }))
    await denied(setDoc(entry(bob(), UID.editor), { ...presenceOf(UID.editor), updatedAt: Timestamp.fromMillis(0) }))
    await denied(setDoc(entry(bob(), UID.editor), { ...presenceOf(UID.editor), name: 42 }))
    await denied(setDoc(entry(bob(), UID.editor), { uid: UID.editor }))
  })
})

describe('attacks on profiles and invites', () => {
  it("someone writes another user's profile", async () => {
    await denied(setDoc(doc(mallory(), `users/${UID.owner}`), { displayName: 'Mallory', color: '#000000' }))
    await denied(updateDoc(doc(mallory(), `users/${UID.owner}`), { displayName: 'Mallory' }))
    await denied(deleteDoc(doc(mallory(), `users/${UID.owner}`)))
  })

  it('a user adds fields to their profile beyond displayName and color', async () => {
    await denied(updateDoc(doc(mallory(), `users/${UID.stranger}`), { admin: true }))
    await denied(updateDoc(doc(mallory(), `users/${UID.stranger}`), { color: 'red; background: url(x)' }))
    await denied(updateDoc(doc(mallory(), `users/${UID.stranger}`), { displayName: 'x'.repeat(101) }))
    await allowed(updateDoc(doc(mallory(), `users/${UID.stranger}`), { displayName: 'Mallory M.', color: '#123abc' }))
  })

  it("someone writes another user's document index", async () => {
    await denied(setDoc(doc(mallory(), `users/${UID.stranger}/documents/${DOC}`), { title: 'Plans', role: 'owner', updatedAt: serverTime() }))
    await denied(setDoc(doc(bob(), `users/${UID.owner}/documents/d9`), { title: 'x', role: 'owner', updatedAt: serverTime() }))
  })

  it('a non-owner invites people, or an owner invites an owner', async () => {
    const invite = (uid: string | null, role = 'viewer') => ({ docId: DOC, role, createdBy: uid, expiresAt: Timestamp.fromMillis(Date.now() + 86_400_000) })
    await denied(setDoc(doc(bob(), 'invites/0123456789abcdefghij-bob'), invite(UID.editor)))
    await denied(setDoc(doc(mallory(), 'invites/0123456789abcdefghij-mal'), invite(UID.stranger)))
    await denied(setDoc(doc(alice(), 'invites/0123456789abcdefghij-own'), invite(UID.owner, 'owner')))
    await denied(setDoc(doc(alice(), 'invites/0123456789abcdefghij-frg'), invite(UID.editor)))
    await allowed(setDoc(doc(alice(), 'invites/0123456789abcdefghij-ok'), invite(UID.owner)))
  })

  it('someone accepts or alters an invite directly', async () => {
    await denied(updateDoc(doc(mallory(), `invites/${TOKEN}`), { role: 'editor', docId: DOC }))
    await denied(updateDoc(doc(alice(), `invites/${TOKEN}`), { role: 'viewer' }))
    await denied(updateDoc(doc(mallory(), DOC_PATH), { [`roles.${UID.stranger}`]: 'editor' }))
  })
})
