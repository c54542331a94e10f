import { describe, expect, it } from 'vitest'
import { loadRuleset } from './ruleset.js'
import { decide, fakeData, request, value } from './test-support.js'

/** Rules in the shape of design.md section 6, end to end through the engine. */
const quire = loadRuleset(`rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    function signedIn() { return request.auth != null; }
    function docPath(docId) { return /databases/$(database)/documents/documents/$(docId); }
    function roleIn(docId) {
      let roles = get(docPath(docId)).data.roles;
      return signedIn() ? roles.get(request.auth.uid, null) : null;
    }
    function isMember(docId) { return roleIn(docId) != null; }
    function canEdit(docId) { return roleIn(docId) in ['owner', 'editor']; }

    match /documents/{docId} {
      allow get: if isMember(docId);
      allow create: if signedIn()
        && request.resource.data.owner == request.auth.uid
        && request.resource.data.roles == {(request.auth.uid): 'owner'}
        && (!('snapshot' in request.resource.data) || request.resource.data.snapshot == null);
      allow update: if roleIn(docId) == 'owner'
          ? !request.resource.data.diff(resource.data).affectedKeys().hasAny(['snapshot', 'owner'])
          : canEdit(docId) && request.resource.data.diff(resource.data).affectedKeys().hasOnly(['title']);

      match /updates/{updateId} {
        allow read: if isMember(docId);
        allow create: if canEdit(docId)
          && request.resource.data.author == request.auth.uid
          && request.resource.data.createdAt == request.time
          && request.resource.data.update is bytes
          && request.resource.data.update.size() <= 900 * 1024
          && request.resource.data.keys().hasOnly(['update', 'author', 'createdAt', 'group', 'part', 'parts']);
      }
      match /presence/{clientId} {
        allow read: if isMember(docId);
        allow write: if isMember(docId)
          && (request.method == 'delete' ? resource.data.uid == request.auth.uid : request.resource.data.uid == request.auth.uid);
      }
    }
    match /users/{uid}/documents/{docId} {
      allow read: if request.auth.uid == uid;
    }
  }
}`)

const data = fakeData({
  'documents/d1': { title: 't', owner: 'alice', roles: { alice: 'owner', bob: 'editor', carol: 'viewer' }, snapshot: null },
  'documents/d1/presence/c1': { uid: 'bob' },
})
const as = (uid: string | null) => ({ auth: uid === null ? null : { uid, token: {} } })
const time = Date.UTC(2024, 4, 1) * 1000
const doc = (path: string, f: Record<string, Parameters<typeof value>[0]>) => ({ path, fields: Object.fromEntries(Object.entries(f).map(([k, v]) => [k, value(v)])) })

describe('a Quire-shaped ruleset', () => {
  it('lets members read a document and nobody else', () => {
    expect(decide(quire, request('get', 'documents/d1', as('carol')), data).allowed).toBe(true)
    expect(decide(quire, request('get', 'documents/d1', as('mallory')), data).allowed).toBe(false)
    expect(decide(quire, request('get', 'documents/d1', as(null)), data).allowed).toBe(false)
  })

  it('denies reading a document that does not exist', () => {
    expect(decide(quire, request('get', 'documents/none', as('alice')), data).reason).toBe("Null value error. for 'get' @ L14")
  })

  it('lets a signed-in user create a document as sole owner', () => {
    const mine = doc('documents/d2', { title: 'x', owner: 'dave', roles: { dave: 'owner' } })
    expect(decide(quire, request('create', 'documents/d2', { ...as('dave'), resource: mine }), data).allowed).toBe(true)
    const shared = doc('documents/d2', { title: 'x', owner: 'dave', roles: { dave: 'owner', eve: 'editor' } })
    expect(decide(quire, request('create', 'documents/d2', { ...as('dave'), resource: shared }), data).allowed).toBe(false)
    const snapped = doc('documents/d2', { title: 'x', owner: 'dave', roles: { dave: 'owner' }, snapshot: { gen: 'g' } })
    expect(decide(quire, request('create', 'documents/d2', { ...as('dave'), resource: snapped }), data).allowed).toBe(false)
  })

  it('lets editors change the title only, and owners anything but snapshot and owner', () => {
    const base = { title: 't', owner: 'alice', roles: { alice: 'owner', bob: 'editor', carol: 'viewer' }, snapshot: null }
    const retitled = doc('documents/d1', { ...base, title: 'new' })
    const reroled = doc('documents/d1', { ...base, roles: { alice: 'owner', bob: 'owner' } })
    const snapped = doc('documents/d1', { ...base, snapshot: { gen: 'g' } })
    const update = (uid: string, resource: ReturnType<typeof doc>) => decide(quire, request('update', 'documents/d1', { ...as(uid), resource }), data).allowed
    expect([update('bob', retitled), update('bob', reroled), update('carol', retitled)]).toEqual([true, false, false])
    expect([update('alice', retitled), update('alice', reroled), update('alice', snapped)]).toEqual([true, true, false])
  })

  it('lets editors append updates written by themselves at request time', () => {
    const good = doc('documents/d1/updates/u1', { update: new Uint8Array(10), author: 'bob', createdAt: { timestampValue: { seconds: String(time / 1e6), nanos: 0 } } })
    const create = (uid: string, resource: ReturnType<typeof doc>) => decide(quire, request('create', 'documents/d1/updates/u1', { ...as(uid), time, resource }), data)
    expect(create('bob', good).allowed).toBe(true)
    expect(create('carol', { ...good, fields: { ...good.fields, author: value('carol') } }).allowed).toBe(false)
    expect(create('bob', { ...good, fields: { ...good.fields, extra: value(1) } }).allowed).toBe(false)
    expect(create('bob', { ...good, fields: { ...good.fields, createdAt: value(new Date(0)) } }).allowed).toBe(false)
    expect(create('bob', { ...good, fields: { ...good.fields, update: value(new Uint8Array(900 * 1024 + 1)) } }).allowed).toBe(false)
  })

  it('never lets clients update or delete updates', () => {
    expect(decide(quire, request('update', 'documents/d1/updates/u1', as('alice')), data).reason).toBe('No matching allow statements')
    expect(decide(quire, request('delete', 'documents/d1/updates/u1', as('alice')), data).allowed).toBe(false)
  })

  it('lets members list updates but not strangers', () => {
    expect(decide(quire, request('list', 'documents/d1/updates', as('carol')), data).allowed).toBe(true)
    expect(decide(quire, request('list', 'documents/d1/updates', as('mallory')), data).allowed).toBe(false)
  })

  it('lets members write only their own presence', () => {
    const presence = (uid: string) => doc('documents/d1/presence/c2', { uid })
    expect(decide(quire, request('create', 'documents/d1/presence/c2', { ...as('carol'), resource: presence('carol') }), data).allowed).toBe(true)
    expect(decide(quire, request('create', 'documents/d1/presence/c2', { ...as('carol'), resource: presence('bob') }), data).allowed).toBe(false)
    expect(decide(quire, request('delete', 'documents/d1/presence/c1', as('bob')), data).allowed).toBe(true)
    expect(decide(quire, request('delete', 'documents/d1/presence/c1', as('carol')), data).allowed).toBe(false)
  })

  it("lets users list only their own document index", () => {
    expect(decide(quire, request('list', 'users/alice/documents', as('alice')), data).allowed).toBe(true)
    expect(decide(quire, request('list', 'users/alice/documents', as('bob')), data).allowed).toBe(false)
  })

  it('reaches the same decisions through firestore.get', () => {
    const rs = loadRuleset(`rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    match /documents/{docId} { allow get: if firestore.get(/databases/$(database)/documents/documents/$(docId)).data.owner == request.auth.uid; }
  }
}`)
    expect(decide(rs, request('get', 'documents/d1', as('alice')), data).allowed).toBe(true)
    expect(decide(rs, request('get', 'documents/d1', as('bob')), data).allowed).toBe(false)
  })
})
