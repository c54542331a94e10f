import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { assertFails, assertSucceeds } from '@firebase/rules-unit-testing'
import { collection, deleteDoc, doc, getDoc, getDocs, setDoc, updateDoc } from 'firebase/firestore'
import {
  CHUNK,
  DOC,
  DOC_PATH,
  REJECTED,
  ROLES,
  RulesWorld,
  TOKEN,
  UID,
  UPDATE,
  bytes,
  clientOf,
  inviteBy,
  newDocument,
  newToken,
  newUpdate,
  presenceOf,
  profile,
  serverTime,
  type Db,
  type Role,
} from './fixture.js'

/**
 * The access matrix of firestore.rules: every role × every operation × every path of
 * design.md section 3, each cell a test. Rows are what a client of that role tries on the
 * world of fixture.ts (d1: alice owner, bob editor, carol viewer; mallory a stranger).
 */

type Op = 'get' | 'list' | 'create' | 'update' | 'delete'
const OPS: readonly Op[] = ['get', 'list', 'create', 'update', 'delete']

/** What a client of `role` (user `uid`) does for each operation on a path. */
interface Target {
  what: Record<Op, string>
  run: Record<Op, (db: Db, uid: string | null, role: Role) => Promise<unknown>>
  /** Prepares the world (rules disabled) before an operation, where the seed does not fit it. */
  arrange?: Partial<Record<Op, (admin: Db) => Promise<unknown>>>
}

const owner = UID.owner

const TARGETS = {
  'documents/{docId}': {
    what: { get: 'd1', list: 'the documents collection', create: 'a new document of their own', update: "d1's title", delete: 'd1' },
    run: {
      get: (db) => getDoc(doc(db, DOC_PATH)),
      list: (db) => getDocs(collection(db, 'documents')),
      create: (db, uid, role) => setDoc(doc(db, `documents/new-${role}`), newDocument(uid)),
      update: (db) => updateDoc(doc(db, DOC_PATH), { title: 'Renamed', updatedAt: serverTime() }),
      delete: (db) => deleteDoc(doc(db, DOC_PATH)),
    },
  },
  'documents/{docId}/updates/{id}': {
    what: { get: 'u1', list: "d1's updates", create: 'an update authored by themselves', update: 'u1', delete: 'u1' },
    run: {
      get: (db) => getDoc(doc(db, UPDATE)),
      list: (db) => getDocs(collection(db, `${DOC_PATH}/updates`)),
      create: (db, uid) => setDoc(doc(collection(db, `${DOC_PATH}/updates`)), newUpdate(uid)),
      update: (db) => updateDoc(doc(db, UPDATE), { update: bytes(4) }),
      delete: (db) => deleteDoc(doc(db, UPDATE)),
    },
  },
  'documents/{docId}/snapshots/{gen}/chunks/{i}': {
    what: { get: 'chunk 0 of g1', list: "g1's chunks", create: 'chunk 0 of a new generation', update: 'chunk 0 of g1', delete: 'chunk 0 of g1' },
    run: {
      get: (db) => getDoc(doc(db, CHUNK)),
      list: (db) => getDocs(collection(db, `${DOC_PATH}/snapshots/g1/chunks`)),
      create: (db) => setDoc(doc(db, `${DOC_PATH}/snapshots/g2/chunks/000000`), { data: bytes(8) }),
      update: (db) => updateDoc(doc(db, CHUNK), { data: bytes(8) }),
      delete: (db) => deleteDoc(doc(db, CHUNK)),
    },
  },
  'documents/{docId}/presence/{clientId}': {
    // Signed out, there is no own entry: that row acts on alice's.
    what: { get: "alice's entry", list: "d1's presence", create: 'an entry of their own', update: 'their own entry', delete: 'their own entry' },
    run: {
      get: (db) => getDoc(doc(db, `${DOC_PATH}/presence/${clientOf(owner)}`)),
      list: (db) => getDocs(collection(db, `${DOC_PATH}/presence`)),
      create: (db, uid, role) => setDoc(doc(db, `${DOC_PATH}/presence/new-${role}`), presenceOf(uid)),
      update: (db, uid) => setDoc(doc(db, `${DOC_PATH}/presence/${clientOf(uid ?? owner)}`), presenceOf(uid)),
      delete: (db, uid) => deleteDoc(doc(db, `${DOC_PATH}/presence/${clientOf(uid ?? owner)}`)),
    },
  },
  'documents/{docId}/rejected/{id}': {
    what: { get: 'r1', list: "d1's rejected updates", create: 'a rejected update', update: 'r1', delete: 'r1' },
    run: {
      get: (db) => getDoc(doc(db, REJECTED)),
      list: (db) => getDocs(collection(db, `${DOC_PATH}/rejected`)),
      create: (db, uid) => setDoc(doc(db, `${DOC_PATH}/rejected/r2`), { ...newUpdate(uid), reason: 'made up' }),
      update: (db) => updateDoc(doc(db, REJECTED), { reason: 'changed' }),
      delete: (db) => deleteDoc(doc(db, REJECTED)),
    },
  },
  'users/{uid}': {
    // The owner's row is alice acting on her own profile.
    what: { get: "alice's profile", list: 'the users collection', create: "alice's profile", update: "alice's profile", delete: "alice's profile" },
    run: {
      get: (db) => getDoc(doc(db, `users/${owner}`)),
      list: (db) => getDocs(collection(db, 'users')),
      create: (db) => setDoc(doc(db, `users/${owner}`), profile('Alice')),
      update: (db) => updateDoc(doc(db, `users/${owner}`), { displayName: 'Alice B.' }),
      delete: (db) => deleteDoc(doc(db, `users/${owner}`)),
    },
    arrange: { create: (admin) => deleteDoc(doc(admin, `users/${owner}`)) },
  },
  'users/{uid}/documents/{docId}': {
    what: { get: "alice's index entry of d1", list: "alice's index", create: "an entry in alice's index", update: "alice's entry of d1", delete: "alice's entry of d1" },
    run: {
      get: (db) => getDoc(doc(db, `users/${owner}/documents/${DOC}`)),
      list: (db) => getDocs(collection(db, `users/${owner}/documents`)),
      create: (db) => setDoc(doc(db, `users/${owner}/documents/d2`), { title: 'Other', role: 'owner', updatedAt: serverTime() }),
      update: (db) => updateDoc(doc(db, `users/${owner}/documents/${DOC}`), { role: 'viewer' }),
      delete: (db) => deleteDoc(doc(db, `users/${owner}/documents/${DOC}`)),
    },
  },
  'invites/{token}': {
    what: { get: "d1's invite by its token", list: 'the invites collection', create: 'an invite to d1 by themselves', update: "d1's invite", delete: "d1's invite" },
    run: {
      get: (db) => getDoc(doc(db, `invites/${TOKEN}`)),
      list: (db) => getDocs(collection(db, 'invites')),
      create: (db, uid) => setDoc(doc(db, `invites/${newToken()}`), inviteBy(uid)),
      update: (db) => updateDoc(doc(db, `invites/${TOKEN}`), { role: 'viewer' }),
      delete: (db) => deleteDoc(doc(db, `invites/${TOKEN}`)),
    },
  },
} satisfies Record<string, Target>

type PathName = keyof typeof TARGETS

// Y: allowed, N: denied; columns in the order of ROLES.
// prettier-ignore
const MATRIX: readonly (readonly [PathName, Op, string])[] = [
  // path                                           op         O E V S -   (owner, editor, viewer, stranger, signed out)
  ['documents/{docId}',                             'get',    'Y Y Y N N'],
  ['documents/{docId}',                             'list',   'N N N N N'],
  ['documents/{docId}',                             'create', 'Y Y Y Y N'],
  ['documents/{docId}',                             'update', 'Y Y N N N'],
  ['documents/{docId}',                             'delete', 'Y N N N N'],

  ['documents/{docId}/updates/{id}',                'get',    'Y Y Y N N'],
  ['documents/{docId}/updates/{id}',                'list',   'Y Y Y N N'],
  ['documents/{docId}/updates/{id}',                'create', 'Y Y N N N'],
  ['documents/{docId}/updates/{id}',                'update', 'N N N N N'],
  ['documents/{docId}/updates/{id}',                'delete', 'N N N N N'],

  ['documents/{docId}/snapshots/{gen}/chunks/{i}',  'get',    'Y Y Y N N'],
  ['documents/{docId}/snapshots/{gen}/chunks/{i}',  'list',   'Y Y Y N N'],
  ['documents/{docId}/snapshots/{gen}/chunks/{i}',  'create', 'N N N N N'],
  ['documents/{docId}/snapshots/{gen}/chunks/{i}',  'update', 'N N N N N'],
  ['documents/{docId}/snapshots/{gen}/chunks/{i}',  'delete', 'N N N N N'],

  ['documents/{docId}/presence/{clientId}',         'get',    'Y Y Y N N'],
  ['documents/{docId}/presence/{clientId}',         'list',   'Y Y Y N N'],
  ['documents/{docId}/presence/{clientId}',         'create', 'Y Y Y N N'],
  ['documents/{docId}/presence/{clientId}',         'update', 'Y Y Y N N'],
  ['documents/{docId}/presence/{clientId}',         'delete', 'Y Y Y N N'],

  ['documents/{docId}/rejected/{id}',               'get',    'Y N N N N'],
  ['documents/{docId}/rejected/{id}',               'list',   'Y N N N N'],
  ['documents/{docId}/rejected/{id}',               'create', 'N N N N N'],
  ['documents/{docId}/rejected/{id}',               'update', 'N N N N N'],
  ['documents/{docId}/rejected/{id}',               'delete', 'N N N N N'],

  ['users/{uid}',                                   'get',    'Y Y Y Y N'],
  ['users/{uid}',                                   'list',   'N N N N N'],
  ['users/{uid}',                                   'create', 'Y N N N N'],
  ['users/{uid}',                                   'update', 'Y N N N N'],
  ['users/{uid}',                                   'delete', 'Y N N N N'],

  ['users/{uid}/documents/{docId}',                 'get',    'Y N N N N'],
  ['users/{uid}/documents/{docId}',                 'list',   'Y N N N N'],
  ['users/{uid}/documents/{docId}',                 'create', 'N N N N N'],
  ['users/{uid}/documents/{docId}',                 'update', 'N N N N N'],
  ['users/{uid}/documents/{docId}',                 'delete', 'N N N N N'],

  ['invites/{token}',                               'get',    'Y Y Y Y N'],
  ['invites/{token}',                               'list',   'N N N N N'],
  ['invites/{token}',                               'create', 'Y N N N N'],
  ['invites/{token}',                               'update', 'N N N N N'],
  ['invites/{token}',                               'delete', 'Y N N N N'],
]

interface Cell {
  path: PathName
  op: Op
  role: Role
  allowed: boolean
}

const cells: Cell[] = MATRIX.flatMap(([path, op, row]) => {
  const marks = row.split(' ')
  if (marks.length !== ROLES.length || marks.some((m) => m !== 'Y' && m !== 'N')) throw new Error(`Bad matrix row: ${path} ${op}`)
  return ROLES.map((role, i): Cell => {
    return { path, op, role, allowed: marks[i] === 'Y' }
  })
})

const isRead = (op: Op) => op === 'get' || op === 'list'
/** Test rows: `[title, cell]`, the title saying who does what where, and what must happen. */
const rows = (filter: (cell: Cell) => boolean) =>
  cells.filter(filter).map((cell) => {
    const title = `${cell.path}: ${cell.role} ${cell.op} (${TARGETS[cell.path].what[cell.op]}) is ${cell.allowed ? 'allowed' : 'denied'}`
    return [title, cell] as const
  })

const world = RulesWorld.forFile({ refreshEach: false })

async function check({ path, op, role, allowed }: Cell): Promise<void> {
  const target: Target = TARGETS[path]
  const arrange = target.arrange?.[op]
  if (arrange) await world.admin(arrange)
  const run = target.run[op](world.as(role), UID[role], role)
  const attempt = isRead(op) ? run : world.track(run)
  if (allowed) await assertSucceeds(attempt)
  else await assertFails(attempt)
}

it('covers every role, operation and path', () => {
  expect(cells).toHaveLength(Object.keys(TARGETS).length * OPS.length * ROLES.length)
  expect(new Set(cells.map((c) => `${c.path} ${c.op} ${c.role}`)).size).toBe(cells.length)
})

describe('reads (one seeded world)', () => {
  beforeAll(() => world.reset())
  it.each(rows((cell) => isRead(cell.op)))('%s', (_, cell) => check(cell))
})

describe('writes (each on an unchanged world)', () => {
  // A denied write changes nothing; after one that succeeded, the world is written afresh.
  beforeEach(() => world.refresh())
  it.each(rows((cell) => !isRead(cell.op)))('%s', (_, cell) => check(cell))
})
