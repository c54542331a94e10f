import { describe, expect, it } from 'vitest'
import { decide, fakeData, holds, denial, request, rules, value } from './test-support.js'

const members = fakeData({ 'rooms/r1': { owner: 'alice', roles: { alice: 'owner', bob: 'viewer' } }, 'users/alice': { admin: true } })

describe('get and exists', () => {
  it('reads another document through a path with $(...)', () => {
    expect(holds("get(/databases/$(database)/documents/rooms/r1).data.roles[request.auth.uid] == 'owner'", { data: members })).toBe(true)
  })

  it('reads with a literal (default) database segment', () => {
    expect(holds('exists(/databases/(default)/documents/users/alice)', { data: members })).toBe(true)
  })

  it('returns null for a missing document, so reading its data is an error', () => {
    expect(holds('get(/databases/$(database)/documents/rooms/none) == null', { data: members })).toBe(true)
    expect(denial('get(/databases/$(database)/documents/rooms/none).data.owner == 1', { data: members })).toBe('Null value error.')
  })

  it('answers exists', () => {
    expect(holds('exists(/databases/$(database)/documents/rooms/r1) && !exists(/databases/$(database)/documents/rooms/r9)', { data: members })).toBe(true)
  })

  it('exposes id and __name__ of a fetched document', () => {
    const doc = 'get(/databases/$(database)/documents/rooms/r1)'
    expect(holds(`${doc}.id == 'r1' && ${doc}.__name__ == /databases/(default)/documents/rooms/r1 && ${doc}['__name__'][4] == 'r1'`, { data: members })).toBe(true)
  })

  it('splices a path value into a path', () => {
    expect(holds("exists(/databases/$(database)/documents/$(path('rooms/r1')))", { data: members })).toBe(true)
  })

  it('rejects paths that are not documents of this database', () => {
    expect(denial('exists(/databases/$(database)/documents/rooms)', { data: members })).toBe('Invalid document path: /databases/(default)/documents/rooms.')
    expect(denial('exists(/databases/other/documents/rooms/r1)', { data: members })).toBe("Cannot read documents of database 'other' from rules of database '(default)'.")
    expect(denial("exists('rooms/r1')", { data: members })).toBe("Invalid argument for 'get': expected a path, got string.")
    expect(denial("exists(/databases/$(database)/documents/rooms/$(''))", { data: members })).toBe('Invalid document path: /databases/(default)/documents/rooms/.')
  })

  it('reads the state after the batch with getAfter and existsAfter', () => {
    const data = fakeData({ 'rooms/r1': { n: 1 } }, { 'rooms/r1': { n: 2 }, 'rooms/r2': null })
    expect(holds('get(/databases/$(database)/documents/rooms/r1).data.n == 1 && getAfter(/databases/$(database)/documents/rooms/r1).data.n == 2', { data })).toBe(true)
    expect(holds('!existsAfter(/databases/$(database)/documents/rooms/r2)', { data })).toBe(true)
  })

  it('reads each document once per evaluation', () => {
    const data = fakeData({ 'users/alice': { admin: true } })
    holds('exists(/databases/$(database)/documents/users/alice) && get(/databases/$(database)/documents/users/alice).data.admin', { data })
    expect(data.reads).toEqual(['get:users/alice'])
  })
})

describe('document access limit', () => {
  const chain = (n: number) =>
    Array.from({ length: n }, (_, i) => `!exists(/databases/$(database)/documents/x/d${i})`).join(' && ')

  it('allows 10 distinct documents', () => {
    expect(holds(chain(10))).toBe(true)
  })

  it('errors on the 11th', () => {
    expect(denial(chain(11))).toBe('Exceeded the maximum of 10 document access calls.')
  })

  it('does not count the same document twice', () => {
    expect(holds(`${chain(10)} && !exists(/databases/$(database)/documents/x/d0)`)).toBe(true)
  })

  it('takes a higher limit and a shared set for batches', () => {
    const rs = rules(`match /t/{id} { allow create: if ${chain(6)}; }`)
    const accessed = new Set<string>()
    const options = { maxDocumentAccesses: 20, accessedDocuments: accessed }
    expect(decide(rs, request('create', 't/a'), fakeData(), options).allowed).toBe(true)
    expect(accessed.size).toBe(6)
    // The same documents again cost nothing more.
    expect(decide(rs, request('create', 't/b'), fakeData(), options).allowed).toBe(true)
    expect(accessed.size).toBe(6)
    // d0..d19 is 14 more, 20 in all: allowed; d20 is the 21st.
    expect(decide(rules(`match /t/{id} { allow create: if ${chain(20)}; }`), request('create', 't/c'), fakeData(), options).allowed).toBe(true)
    const more = rules(`match /t/{id} { allow create: if ${chain(21)}; }`)
    expect(decide(more, request('create', 't/d'), fakeData(), options).reason).toBe("Exceeded the maximum of 20 document access calls. for 'create' @ L4")
  })
})

describe('request', () => {
  it('exposes auth uid and token claims', () => {
    const req = { auth: { uid: 'u1', token: { email: 'a@b.c', email_verified: true, firebase: { sign_in_provider: 'password' }, n: 3, f: 1.5 } } }
    expect(holds("request.auth.uid == 'u1' && request.auth.token.email == 'a@b.c' && request.auth.token.email_verified", { req })).toBe(true)
    expect(holds("request.auth.token.firebase.sign_in_provider == 'password' && request.auth.token.n is int && request.auth.token.f is float", { req })).toBe(true)
  })

  it('makes request.auth null when signed out', () => {
    expect(holds('request.auth == null', { req: { auth: null } })).toBe(true)
    expect(denial('request.auth.uid == 1', { req: { auth: null } })).toBe('Null value error.')
  })

  it('exposes method, path and time', () => {
    expect(holds("request.method == 'get' && request.path == /databases/(default)/documents/t/doc && request.path[3] == 't'")).toBe(true)
    expect(holds('request.time == timestamp.date(2024, 1, 15) + duration.time(10, 30, 0, 0)')).toBe(true)
  })

  it('keeps microseconds of request.time', () => {
    expect(holds('request.time.nanos() == 123000', { req: { time: 1_700_000_000_000_123 } })).toBe(true)
  })

  it('has no query outside list requests', () => {
    expect(denial('request.query.limit == 1')).toBe('Property query is undefined on object.')
  })

  it('exposes the written document as request.resource for create and update', () => {
    const rs = rules(`match /rooms/{room} {
      allow create: if resource == null && request.resource.data.owner == request.auth.uid && request.resource.id == room;
      allow update: if request.resource.data.diff(resource.data).affectedKeys().hasOnly(['title']);
    }`)
    const data = fakeData({ 'rooms/r1': { owner: 'alice', title: 'a' } })
    const create = request('create', 'rooms/r2', { resource: { path: 'rooms/r2', fields: { owner: value('alice') } } })
    expect(decide(rs, create, data).allowed).toBe(true)
    const rename = request('update', 'rooms/r1', { resource: { path: 'rooms/r1', fields: { owner: value('alice'), title: value('b') } } })
    expect(decide(rs, rename, data).allowed).toBe(true)
    const takeover = request('update', 'rooms/r1', { resource: { path: 'rooms/r1', fields: { owner: value('bob'), title: value('a') } } })
    expect(decide(rs, takeover, data)).toEqual({ allowed: false, reason: "false for 'update' @ L6" })
  })

  it('makes request.resource null for reads and deletes', () => {
    expect(holds('request.resource == null')).toBe(true)
  })
})

describe('resource', () => {
  it('is the stored document for get, update and delete', () => {
    const rs = rules("match /rooms/{room} { allow get, update, delete: if resource.data.owner == request.auth.uid && resource.id == room; }")
    const data = fakeData({ 'rooms/r1': { owner: 'alice' } })
    for (const method of ['get', 'update', 'delete'] as const) expect(decide(rs, request(method, 'rooms/r1'), data).allowed).toBe(true)
  })

  it('is null for create even if the caller has a document there', () => {
    const rs = rules('match /rooms/{room} { allow create: if resource == null; }')
    expect(decide(rs, request('create', 'rooms/r1'), fakeData({ 'rooms/r1': { a: 1 } })).allowed).toBe(true)
  })

  it('is null when the document does not exist', () => {
    expect(holds('resource == null')).toBe(true)
  })

  it('errors on a field the document lacks', () => {
    const data = fakeData({ 't/doc': { a: 1 } })
    expect(denial('resource.data.b == 1', { data })).toBe('Property b is undefined on object.')
    expect(holds("resource.data.get('b', 0) == 0 && !('b' in resource.data) && 'a' in resource.data", { data })).toBe(true)
  })
})

describe('values from Firestore', () => {
  const typed = fakeData({
    't/doc': {
      i: value(5),
      d: { doubleValue: 5 },
      s: 'str',
      b: true,
      n: null,
      ts: { timestampValue: { seconds: '1705314600', nanos: 500 } },
      bytes: new Uint8Array([1, 2, 3]),
      ref: { referenceValue: 'projects/demo/databases/(default)/documents/rooms/r1' },
      geo: { geoPointValue: { latitude: 1.5, longitude: -2 } },
      list: [1, 'two', [3]],
      map: { nested: { deep: 1 } },
    },
  })

  it('converts every kind to its rules type', () => {
    const checks = [
      'resource.data.i is int && resource.data.i == 5',
      'resource.data.d is float && resource.data.d == resource.data.i',
      "resource.data.s is string && resource.data.b == true && resource.data.n == null",
      'resource.data.ts is timestamp && resource.data.ts.toMillis() == 1705314600000 && resource.data.ts.nanos() == 500',
      "resource.data.bytes is bytes && resource.data.bytes.size() == 3 && resource.data.bytes.toHexString() == '010203'",
      'resource.data.ref is path && resource.data.ref == /databases/(default)/documents/rooms/r1',
      'resource.data.geo is latlng && resource.data.geo.latitude() == 1.5 && resource.data.geo.longitude() == -2',
      "resource.data.list == [1, 'two', [3]] && resource.data.map.nested.deep == 1",
    ]
    for (const check of checks) expect(holds(check, { data: typed }), check).toBe(true)
  })

  it('compares integerValue given as a number or a string', () => {
    const data = fakeData({ 't/doc': { a: { integerValue: 7 }, b: { integerValue: '7' } } })
    expect(holds('resource.data.a == resource.data.b && resource.data.a is int', { data })).toBe(true)
  })

  it('compares document maps with literal maps', () => {
    const data = fakeData({ 't/doc': { m: { x: 1, y: 'z' } } })
    expect(holds("resource.data.m == {'y': 'z', 'x': 1.0} && resource.data.m.size() == 2 && resource.data.m.keys() == ['x', 'y']", { data })).toBe(true)
  })
})
