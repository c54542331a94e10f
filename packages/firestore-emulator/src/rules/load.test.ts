import { describe, expect, it } from 'vitest'
import { RulesetError } from './errors.js'
import { loadRuleset } from './ruleset.js'
import { loadIssues } from './test-support.js'

const wrap = (inner: string) => `rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
${inner}
  }
}`

describe('loading rulesets', () => {
  it('loads a typical ruleset with functions, lets, comments and nested matches', () => {
    const rs = loadRuleset(`rules_version = '2';
// line comment
service cloud.firestore {
  /* block
     comment */
  function signedIn() { return request.auth != null; }
  match /databases/{database}/documents {
    function isOwner(doc) {
      let owner = doc.data.owner;
      return signedIn() && owner == request.auth.uid;
    }
    match /rooms/{room} {
      allow read: if isOwner(resource);
      allow create: if signedIn();
      match /messages/{msg} {
        allow read, write: if isOwner(get(/databases/$(database)/documents/rooms/$(room)));
      }
    }
    match /{path=**} {
      allow get;
    }
  }
}`)
    expect(rs.version).toBe(2)
    expect(rs.matches.map((m) => m.pattern.length)).toEqual([3, 5, 7, 4])
    expect(rs.warnings).toEqual([])
  })

  it('expands read and write into their methods', () => {
    const rs = loadRuleset(wrap('match /a/{b} { allow read; allow write: if false; }'))
    const allows = rs.matches[1]!.allows
    expect([...allows.keys()].sort()).toEqual(['create', 'delete', 'get', 'list', 'update'])
    expect(allows.get('get')![0]!.condition).toBeNull()
  })

  it('defaults to version 1 with a warning when rules_version is missing', () => {
    const rs = loadRuleset('service cloud.firestore { match /databases/{d}/documents { match /x/{y} { allow read; } } }')
    expect(rs.version).toBe(1)
    expect(rs.warnings).toHaveLength(1)
    expect(rs.warnings[0]!.severity).toBe('WARNING')
  })

  it('reports a missing semicolon with line and column', () => {
    const issues = loadIssues(`rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    match /a/{b} { allow read: if true }
  }
}`)
    expect(issues).toEqual([{ line: 4, column: 40, message: "Parse error: expected ';', found '}'", severity: 'ERROR' }])
  })

  it('formats the error message with positions', () => {
    expect(() => loadRuleset('rules_version = 2;')).toThrow(/Parse error: expected a version string, found '2' at 1:17/)
  })

  it('rejects an unknown function naming it, with line and column', () => {
    const issues = loadIssues(wrap('    match /a/{b} {\n      allow read: if foo(1);\n    }'))
    expect(issues).toEqual([{ line: 5, column: 22, message: "Unsupported function 'foo'", severity: 'ERROR' }])
  })

  it('rejects an unknown namespaced function', () => {
    const issues = loadIssues(wrap('match /a/{b} { allow read: if math.cbrt(8) == 2; }'))
    expect(issues.map((i) => i.message)).toEqual(["Unsupported function 'math.cbrt'"])
  })

  it('rejects an unsupported method', () => {
    const issues = loadIssues(wrap("match /a/{b} { allow read: if 'abc'.startsWith('a'); }"))
    expect(issues.map((i) => i.message)).toEqual(["Unsupported method 'startsWith'"])
  })

  it('rejects Path.bind, which is not supported', () => {
    const issues = loadIssues(wrap("match /a/{b} { allow read: if (/x/y).bind({'a': 'b'}) == /x/y; }"))
    expect(issues.map((i) => i.message)).toEqual(["Unsupported method 'bind'"])
  })

  it('rejects wrong argument counts for methods, built-ins and user functions', () => {
    const issues = loadIssues(wrap(`match /a/{b} {
      function f(x) { return x; }
      allow read: if 'a'.size(1) == 1 || string() == '' || f() == 1;
    }`))
    expect(issues.map((i) => i.message)).toEqual([
      "Method 'size' takes 0 argument(s), not 1",
      "Function 'string' takes 1 argument(s), not 0",
      "Function 'f' takes 1 argument(s), not 0",
    ])
  })

  it('lists every problem, not just the first', () => {
    const issues = loadIssues(wrap(`match /a/{b} {
      allow read: if nope == 1;
      allow write: if bar();
    }`))
    expect(issues.map((i) => [i.line, i.message])).toEqual([
      [5, "Unknown variable 'nope'"],
      [6, "Unsupported function 'bar'"],
    ])
  })

  it('rejects an unknown variable, including a wildcard of a sibling match', () => {
    const issues = loadIssues(wrap(`match /a/{x} { allow read; }
      match /b/{y} { allow read: if x == 'a'; }`))
    expect(issues.map((i) => i.message)).toEqual(["Unknown variable 'x'"])
  })

  it('rejects a service other than cloud.firestore', () => {
    expect(loadIssues("rules_version = '2'; service firebase.storage { }")[0]!.message).toBe("Unsupported service 'firebase.storage'")
  })

  it('rejects an unsupported rules_version', () => {
    expect(loadIssues("rules_version = '3'; service cloud.firestore { }")[0]).toMatchObject({ message: "Unsupported rules_version '3'", line: 1, column: 17 })
  })

  it('rejects an unknown allow method', () => {
    expect(loadIssues(wrap('match /a/{b} { allow view: if true; }'))[0]!.message).toMatch(/^Unsupported method 'view'/)
  })

  it('rejects allow outside a match block', () => {
    expect(loadIssues("rules_version = '2'; service cloud.firestore { allow read; }")[0]!.message).toBe('allow statements must be inside a match block')
  })

  it('rejects a partial-segment wildcard', () => {
    const issues = loadIssues(wrap('match /users/user_{id} { allow read; }'))
    expect(issues[0]!.message).toBe('Unsupported path segment: a wildcard must be a whole segment')
  })

  it('rejects a malformed wildcard', () => {
    expect(loadIssues(wrap('match /a/{b=*} { allow read; }'))[0]!.message).toMatch(/^Unsupported wildcard '\{b=\*\}'/)
  })

  it('rejects two recursive wildcards in one path', () => {
    expect(loadIssues(wrap('match /{a=**}/x/{b=**} { allow read; }'))[0]!.message).toBe('Only one recursive wildcard {name=**} is allowed in a path')
  })

  it('rejects a recursive wildcard before the end of a path in version 1', () => {
    const issues = loadIssues("rules_version = '1'; service cloud.firestore { match /databases/{d}/documents { match /{p=**}/posts/{id} { allow read; } } }")
    expect(issues[0]!.message).toMatch(/^In rules_version 1 a recursive wildcard must be the last segment/)
  })

  it('rejects an unknown type after is', () => {
    expect(loadIssues(wrap("match /a/{b} { allow read: if 'x' is text; }"))[0]!.message).toBe("Unsupported type 'text' after 'is'")
  })

  it('rejects an invalid regular expression literal at load time', () => {
    const issues = loadIssues(wrap("match /a/{b} { allow read: if 'x'.matches('(?=x)x'); }"))
    expect(issues[0]!.message).toMatch(/lookaround assertions are not supported by RE2/)
  })

  it('rejects an integer literal beyond 64 bits', () => {
    expect(loadIssues(wrap('match /a/{b} { allow read: if 9223372036854775808 > 0; }'))[0]!.message).toBe('Integer literal out of range')
  })

  it('accepts the most negative 64-bit integer literal', () => {
    expect(() => loadRuleset(wrap('match /a/{b} { allow read: if -9223372036854775808 < 0; }'))).not.toThrow()
  })

  it('rejects an invalid string escape', () => {
    expect(loadIssues(wrap("match /a/{b} { allow read: if 'a\\qb' == ''; }"))[0]!.message).toBe("Parse error: invalid escape sequence '\\q'")
  })

  it('rejects an unterminated string and an unterminated comment', () => {
    expect(loadIssues(wrap("match /a/{b} { allow read: if 'abc; }"))[0]!.message).toBe('Parse error: unterminated string')
    expect(loadIssues(wrap('/* never closed'))[0]!.message).toBe('Parse error: unterminated comment')
  })

  it('rejects an unexpected character', () => {
    expect(loadIssues(wrap('match /a/{b} { allow read: if 1 & 2; }'))[0]!.message).toBe("Parse error: unexpected character '&'")
  })

  it('rejects calling something that is not a named function', () => {
    expect(loadIssues(wrap('match /a/{b} { allow read: if (request)(1); }'))[0]!.message).toMatch(/only named functions can be called/)
  })

  it('rejects duplicate functions in one scope and duplicate parameters', () => {
    const issues = loadIssues(wrap(`match /a/{b} {
      function f(x, x) { return true; }
      function f() { return true; }
      allow read;
    }`))
    expect(issues.map((i) => i.message).sort()).toEqual(["Duplicate function 'f'", "Duplicate parameter 'x' in function 'f'"])
  })

  it('rejects interpolation that is only part of a path segment', () => {
    expect(loadIssues(wrap("match /a/{b} { allow read: if exists(/x/y$(b)); }"))[0]!.message).toBe('Unsupported path segment: $(...) must be a whole segment')
  })

  it('rejects text after the service block', () => {
    expect(loadIssues("rules_version = '2'; service cloud.firestore { } extra")[0]!.message).toBe("Parse error: expected end of file, found 'extra'")
  })

  it('makes a let binding visible only after it is declared', () => {
    const issues = loadIssues(wrap(`function f() { let a = b; let b = 1; return a; }
      match /x/{y} { allow read: if f(); }`))
    expect(issues.map((i) => i.message)).toEqual(["Unknown variable 'b'"])
  })

  it('throws a RulesetError carrying the issues', () => {
    try {
      loadRuleset('service')
      expect.unreachable()
    } catch (err) {
      expect(err).toBeInstanceOf(RulesetError)
      expect((err as RulesetError).issues[0]).toMatchObject({ line: 1, column: 8, severity: 'ERROR' })
    }
  })
})
