import { describe, expect, it } from 'vitest'
import { loadRuleset } from './ruleset.js'
import { decide, fakeData, request, rules } from './test-support.js'

describe('matching request paths', () => {
  it('matches a wildcard segment and binds it as a string', () => {
    const rs = rules("match /rooms/{room} { allow get: if room == 'r1' && room is string; }")
    expect(decide(rs, request('get', 'rooms/r1')).allowed).toBe(true)
    expect(decide(rs, request('get', 'rooms/r2')).allowed).toBe(false)
  })

  it('binds the database wildcard', () => {
    const rs = rules("match /a/{b} { allow get: if database == '(default)'; }")
    expect(decide(rs, request('get', 'a/b')).allowed).toBe(true)
  })

  it('does not match documents deeper than the pattern', () => {
    const rs = rules('match /rooms/{room} { allow get; }')
    expect(decide(rs, request('get', 'rooms/r1/messages/m1'))).toEqual({ allowed: false, reason: 'No matching allow statements' })
  })

  it('concatenates nested match patterns', () => {
    const rs = rules("match /rooms/{room} { match /messages/{msg} { allow get: if room == 'r1' && msg == 'm1'; } }")
    expect(decide(rs, request('get', 'rooms/r1/messages/m1')).allowed).toBe(true)
    expect(decide(rs, request('get', 'rooms/r1')).allowed).toBe(false)
  })

  it('matches literal segments exactly', () => {
    const rs = rules('match /config/public { allow get; }')
    expect(decide(rs, request('get', 'config/public')).allowed).toBe(true)
    expect(decide(rs, request('get', 'config/private')).allowed).toBe(false)
  })

  it('lets {rest=**} match zero or more segments in version 2 and binds a path', () => {
    const rs = rules("match /docs/{rest=**} { allow get: if rest is path && (rest == /x || rest == /x/y/z); }")
    expect(decide(rs, request('get', 'docs/x')).allowed).toBe(true)
    expect(decide(rs, request('get', 'docs/x/y/z')).allowed).toBe(true)
    expect(decide(rs, request('get', 'docs/a/b/c')).allowed).toBe(false)
  })

  it('lets {rest=**} match nothing in version 2', () => {
    const rs = rules("match /a/b/{rest=**} { allow get: if rest == path(''); }")
    expect(decide(rs, request('get', 'a/b')).allowed).toBe(true)
  })

  it('requires {rest=**} to match at least one segment in version 1', () => {
    const rs = rules('match /a/b/{rest=**} { allow get; }', '1')
    expect(decide(rs, request('get', 'a/b')).allowed).toBe(false)
    expect(decide(rs, request('get', 'a/b/c/d')).allowed).toBe(true)
  })

  it('supports a recursive wildcard first, as for collection group rules', () => {
    const rs = rules("match /{path=**}/posts/{post} { allow get: if post == 'p1'; }")
    expect(decide(rs, request('get', 'posts/p1')).allowed).toBe(true)
    expect(decide(rs, request('get', 'users/u1/posts/p1')).allowed).toBe(true)
    expect(decide(rs, request('get', 'users/u1/posts/p2')).allowed).toBe(false)
    expect(decide(rs, request('get', 'users/u1')).allowed).toBe(false)
  })

  it('matches nested blocks below a recursive wildcard', () => {
    const rs = rules("match /{path=**} { match /leaf/{id} { allow get: if id == 'x'; } }")
    expect(decide(rs, request('get', 'a/b/leaf/x')).allowed).toBe(true)
    expect(decide(rs, request('get', 'leaf/x')).allowed).toBe(true)
  })

  it('binds the innermost wildcard when nested matches reuse a name', () => {
    const rs = rules("match /a/{id} { match /b/{id} { allow get: if id == 'inner'; } }")
    expect(decide(rs, request('get', 'a/outer/b/inner')).allowed).toBe(true)
  })

  it('lets functions see the wildcards of the block they are declared in', () => {
    const rs = rules(`match /a/{x} {
      function outer() { return x == 'ax'; }
      match /b/{y} { allow get: if outer() && y == 'by'; }
    }`)
    expect(decide(rs, request('get', 'a/ax/b/by')).allowed).toBe(true)
  })

  it('makes functions declared in outer scopes visible in inner ones', () => {
    const rs = loadRuleset(`rules_version = '2';
service cloud.firestore {
  function top() { return true; }
  match /databases/{database}/documents {
    function mid() { return top(); }
    match /a/{b} { allow get: if mid(); }
  }
}`)
    expect(decide(rs, request('get', 'a/b')).allowed).toBe(true)
  })
})

describe('combining allow statements', () => {
  it('allows if any matching allow statement is true', () => {
    const rs = rules(`match /a/{b} { allow get: if false; }
      match /a/{b} { allow get: if b == 'yes'; }
      match /{doc=**} { allow get: if false; }`)
    expect(decide(rs, request('get', 'a/yes')).allowed).toBe(true)
  })

  it('lists every statement tried, in order, when denied', () => {
    const rs = rules(`match /a/{b} {
      allow get: if false;
      allow read: if resource.data.x == 1;
    }
    match /{doc=**} { allow get: if 1 / 0 == 0; }`)
    expect(decide(rs, request('get', 'a/b')).reason).toBe("false for 'get' @ L5, Null value error. for 'get' @ L6, Division by zero error. for 'get' @ L8")
  })

  it('reports the line of a condition written on its own line', () => {
    const rs = rules(`match /a/{b} {
      allow update:
        if false;
    }`)
    expect(decide(rs, request('update', 'a/b')).reason).toBe("false for 'update' @ L6")
  })

  it('only considers statements for the request method', () => {
    const rs = rules('match /a/{b} { allow create; allow list; }')
    expect(decide(rs, request('get', 'a/b'))).toEqual({ allowed: false, reason: 'No matching allow statements' })
    expect(decide(rs, request('create', 'a/b')).allowed).toBe(true)
  })

  it('allows with an unconditional allow', () => {
    const rs = rules('match /a/{b} { allow read; }')
    expect(decide(rs, request('get', 'a/b'))).toEqual({ allowed: true })
    expect(decide(rs, request('list', 'a')).allowed).toBe(true)
  })

  it('applies write to create, update and delete only', () => {
    const rs = rules('match /a/{b} { allow write; }')
    expect(['create', 'update', 'delete'].map((m) => decide(rs, request(m as 'create', 'a/b')).allowed)).toEqual([true, true, true])
    expect(decide(rs, request('get', 'a/b')).allowed).toBe(false)
  })
})

describe('list requests', () => {
  it("matches the collection's document wildcard", () => {
    const rs = rules("match /rooms/{room} { allow list: if request.auth.uid == 'alice'; }")
    expect(decide(rs, request('list', 'rooms')).allowed).toBe(true)
    expect(decide(rs, request('list', 'rooms', { auth: null })).allowed).toBe(false)
  })

  it('does not match literal document IDs', () => {
    const rs = rules('match /rooms/public { allow list; }')
    expect(decide(rs, request('list', 'rooms')).allowed).toBe(false)
  })

  it('makes reading the unknown document ID an error', () => {
    const rs = rules("match /rooms/{room} { allow list: if room == 'r1'; }")
    expect(decide(rs, request('list', 'rooms')).reason).toBe("Variable room is unknown in a list request: a query is not evaluated per document. for 'list' @ L4")
  })

  it('makes resource an error, which || can absorb', () => {
    const rs = rules("match /rooms/{room} { allow list: if resource.data.public == true || request.auth.uid == 'alice'; }")
    expect(decide(rs, request('list', 'rooms')).allowed).toBe(true)
    expect(decide(rs, request('list', 'rooms', { auth: { uid: 'bob', token: {} } })).reason).toMatch(/^resource is unknown in a list request/)
  })

  it('exposes request.query with only the clauses given', () => {
    const rs = rules('match /rooms/{room} { allow list: if request.query.limit <= 50; }')
    expect(decide(rs, request('list', 'rooms', { query: { limit: 10 } })).allowed).toBe(true)
    expect(decide(rs, request('list', 'rooms', { query: { limit: 100 } })).allowed).toBe(false)
    expect(decide(rs, request('list', 'rooms')).reason).toBe("Property limit is undefined on object. for 'list' @ L4")
  })

  it('matches subcollections through parent wildcards', () => {
    const rs = rules("match /rooms/{room}/messages/{msg} { allow list: if room == 'r1'; }")
    expect(decide(rs, request('list', 'rooms/r1/messages')).allowed).toBe(true)
    expect(decide(rs, request('list', 'rooms/r2/messages')).allowed).toBe(false)
  })

  it('rejects a document path for list and a collection path for get', () => {
    const rs = rules('match /a/{b} { allow read; }')
    expect(() => decide(rs, request('list', 'a/b'))).toThrow(/expected a collection path/)
    expect(() => decide(rs, request('get', 'a'))).toThrow(/expected a document path/)
  })
})

describe('unused data access', () => {
  it('reads nothing when no condition needs a document', () => {
    const data = fakeData()
    decide(rules('match /a/{b} { allow get: if true; }'), request('get', 'a/b'), data)
    expect(data.reads).toEqual([])
  })
})
