import { readFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { initializeTestEnvironment, type RulesTestContext, type RulesTestEnvironment } from '@firebase/rules-unit-testing'
import {
  Bytes,
  Timestamp,
  doc,
  serverTimestamp,
  setLogLevel,
  writeBatch,
  type DocumentData,
  type Firestore,
} from 'firebase/firestore'
import { afterAll, beforeAll, beforeEach } from 'vitest'
import { emulatorAddress, uniqueProjectId } from '../support/clients.js'

/**
 * The world the rules tests run in: one Quire document, `documents/d1`, owned by alice,
 * edited by bob, viewed by carol; mallory is a signed-in stranger (who once was a member:
 * a stale presence entry of hers is still there); and someone signed out. Around it
 * everything design.md section 3 describes: an update, a snapshot generation, presence
 * entries, a rejected update, profiles, alice's and bob's document index, an invite.
 */

export type Db = Firestore

export const ROLES = ['owner', 'editor', 'viewer', 'stranger', 'signedOut'] as const
export type Role = (typeof ROLES)[number]

export const UID = { owner: 'alice', editor: 'bob', viewer: 'carol', stranger: 'mallory', signedOut: null } as const satisfies Record<Role, string | null>

export const DOC = 'd1'
export const DOC_PATH = `documents/${DOC}`
export const UPDATE = `${DOC_PATH}/updates/u1`
export const GEN = 'g1'
export const CHUNK = `${DOC_PATH}/snapshots/${GEN}/chunks/000000`
export const REJECTED = `${DOC_PATH}/rejected/r1`
/** An invite token, as the app makes them: long and random (the rules want at least 20 characters). */
export const TOKEN = 'tok-0123456789abcdefghij'

/** Largest update part the rules accept: 900 KiB. */
export const MAX_PART_BYTES = 900 * 1024

// Denials are what these tests expect: keep the SDK from logging each one.
setLogLevel('silent')

export const serverTime = () => serverTimestamp()
export const bytes = (length: number) => Bytes.fromUint8Array(new Uint8Array(length).fill(7))
export const inDays = (days: number) => Timestamp.fromMillis(Date.now() + days * 86_400_000)
/** A fresh, unguessable invite token. */
export const newToken = () => randomBytes(16).toString('hex')

// ---- valid payloads, as the app and the provider write them ----

/** A new document with `uid` as its sole owner. */
export const newDocument = (uid: string | null) => ({
  title: 'New document',
  owner: uid,
  roles: { [uid ?? 'nobody']: 'owner' },
  createdAt: serverTime(),
  updatedAt: serverTime(),
  snapshot: null,
})

/** One update of the log, as the provider writes it. */
export const newUpdate = (uid: string | null, size = 3) => ({ update: bytes(size), author: uid, createdAt: serverTime() })

/** A presence entry, as the provider writes it. */
export const presenceOf = (uid: string | null) => ({
  uid,
  name: `${uid ?? 'nobody'}'s name`,
  color: '#30bced',
  state: JSON.stringify({ user: { name: uid, color: '#30bced' }, cursor: null }),
  updatedAt: serverTime(),
  expiresAt: Timestamp.fromMillis(Date.now() + 30_000),
})

export const profile = (name: string) => ({ displayName: name, color: '#ee6352' })

export const inviteBy = (uid: string | null, docId = DOC) => ({ docId, role: 'viewer', createdBy: uid, expiresAt: inDays(7) })

/** The presence entry's ID of a user (one client each). */
export const clientOf = (uid: string | null) => `c-${uid ?? 'nobody'}`

/** Writes the world (with rules disabled); `set` replaces whatever a previous test left. */
async function seed(db: Db): Promise<void> {
  const now = Timestamp.now()
  const batch = writeBatch(db)
  const set = (path: string, data: DocumentData) => batch.set(doc(db, path), data)
  set(DOC_PATH, {
    title: 'Plans',
    owner: UID.owner,
    roles: { [UID.owner]: 'owner', [UID.editor]: 'editor', [UID.viewer]: 'viewer' },
    createdAt: now,
    updatedAt: now,
    snapshot: { gen: GEN, chunks: 1, bytes: 16, stateVector: bytes(4), updates: 5, at: now },
  })
  set(UPDATE, { update: bytes(16), author: UID.editor, createdAt: now })
  set(`${DOC_PATH}/snapshots/${GEN}`, { chunks: 1, bytes: 16, at: now })
  set(CHUNK, { data: bytes(16) })
  for (const uid of [UID.owner, UID.editor, UID.viewer, UID.stranger]) {
    set(`${DOC_PATH}/presence/${clientOf(uid)}`, { ...presenceOf(uid), updatedAt: now })
  }
  set(REJECTED, { update: bytes(5), author: UID.editor, createdAt: now, reason: 'it does not decode' })
  for (const uid of [UID.owner, UID.editor, UID.viewer, UID.stranger]) set(`users/${uid}`, profile(uid))
  set(`users/${UID.owner}/documents/${DOC}`, { title: 'Plans', role: 'owner', updatedAt: now })
  set(`users/${UID.editor}/documents/${DOC}`, { title: 'Plans', role: 'editor', updatedAt: now })
  set(`invites/${TOKEN}`, { docId: DOC, role: 'editor', createdBy: UID.owner, expiresAt: inDays(7) })
  await batch.commit()
}

/**
 * A context's Firestore as the modular API's `Firestore`. rules-unit-testing hands out the
 * compat SDK's instance, whose typings do not resolve under NodeNext; the modular API is what
 * the rest of the repo uses, and the compat instance wraps exactly such a Firestore.
 */
function modular(context: RulesTestContext): Db {
  return (context.firestore() as unknown as { _delegate: Firestore })._delegate
}

/**
 * A rules-unit-testing environment on the emulator under test, with firestore.rules loaded
 * into a project of its own, and one client per role (kept for the whole file: contexts
 * are cheap, but each holds a connection).
 */
export class RulesWorld {
  private readonly dbs = new Map<string | null, Db>()
  /** Whether something may have changed since the world was last written. */
  private dirty = true

  private env!: RulesTestEnvironment

  /**
   * The world of one test file: started before its tests and cleaned up after them; with
   * `refreshEach`, written afresh before each test that follows a successful write.
   */
  static forFile({ refreshEach }: { refreshEach: boolean }): RulesWorld {
    const world = new RulesWorld()
    beforeAll(() => world.start())
    afterAll(() => world.cleanup())
    if (refreshEach) beforeEach(() => world.refresh())
    return world
  }

  private async start(): Promise<void> {
    const { host, port } = emulatorAddress()
    const rules = readFileSync(new URL('../../firestore.rules', import.meta.url), 'utf8')
    this.env = await initializeTestEnvironment({ projectId: uniqueProjectId('demo-rules'), firestore: { host, port, rules } })
  }

  /** The Firestore client of a role (signed in as its user, or signed out). */
  as(role: Role): Db {
    return this.user(UID[role])
  }

  /** The Firestore client of a user signed in as `uid` (null: signed out). */
  user(uid: string | null): Db {
    let db = this.dbs.get(uid)
    if (!db) {
      db = modular(uid === null ? this.env.unauthenticatedContext() : this.env.authenticatedContext(uid))
      this.dbs.set(uid, db)
    }
    return db
  }

  /** Runs `write` with rules disabled (the Admin SDK's view). */
  admin(write: (db: Db) => Promise<unknown>): Promise<void> {
    this.dirty = true
    return this.env.withSecurityRulesDisabled(async (context) => {
      await write(modular(context))
    })
  }

  /** Empties the project and writes the world afresh. */
  async reset(): Promise<void> {
    await this.env.clearFirestore()
    await this.admin(seed)
    this.dirty = false
  }

  /** Resets the world if a write may have changed it (a denied write changes nothing). */
  async refresh(): Promise<void> {
    if (this.dirty) await this.reset()
  }

  /** `write`, noting that the world changed if it succeeds. */
  track<T>(write: Promise<T>): Promise<T> {
    return write.then((result) => {
      this.dirty = true
      return result
    })
  }

  cleanup(): Promise<void> {
    return this.env.cleanup()
  }
}
