import { describe, expect, it } from 'vitest'
import { denial, holds } from './test-support.js'

describe('literals', () => {
  it('reads ints, floats, strings with either quote, bools and null', () => {
    expect(holds("1 == 1 && 2.5 == 2.5 && 'a' == \"a\" && true != false && null == null")).toBe(true)
  })

  it('decodes string escapes', () => {
    expect(holds("'a\\'b' == \"a'b\" && '\\n'.size() == 1 && '\\x41' == 'A' && '\\u00e9' == 'é' && '\\101' == 'A'")).toBe(true)
  })

  it('reads exponents as floats', () => {
    expect(holds('1e3 == 1000 && 1.5e-1 == 0.15 && 2e0 is float')).toBe(true)
  })

  it('builds lists and maps, with trailing commas', () => {
    expect(holds("[1, 'a', [true],] == [1, 'a', [true]] && {'a': 1, 'b': {'c': 2},} == {'b': {'c': 2}, 'a': 1}")).toBe(true)
  })

  it('reads byte literals as UTF-8, hex and octal', () => {
    expect(holds("b'*' == b'\\x2A' && b'\\052' == b'*' && b'€' == b'\\xE2\\x82\\xAC' && b'€'.size() == 3")).toBe(true)
  })

  it('requires string map keys', () => {
    expect(denial("{1: 'a'} == {}")).toBe('Map keys must be strings, got int.')
  })
})

describe('numbers', () => {
  it('compares ints and floats by value', () => {
    expect(holds('1 == 1.0 && 1 < 1.5 && 2.0 > 1 && 3 >= 3.0 && 1 != 1.1')).toBe(true)
  })

  it('compares huge ints with floats exactly', () => {
    expect(holds('9007199254740993 > 9007199254740992.0')).toBe(true)
  })

  it('does int arithmetic in 64 bits with integer division', () => {
    expect(holds('7 / 2 == 3 && -7 / 2 == -3 && 7 % 3 == 1 && -7 % 3 == -1 && 2 * 3 - 1 == 5')).toBe(true)
  })

  it('keeps int results ints and mixed results floats', () => {
    expect(holds('(7 / 2) is int && (7 / 2.0) is float && 7 / 2.0 == 3.5 && (1 + 1.0) is float')).toBe(true)
  })

  it('errors on int overflow', () => {
    expect(denial('9223372036854775807 + 1 > 0')).toBe('Integer overflow error.')
    expect(denial('-9223372036854775808 - 1 < 0')).toBe('Integer overflow error.')
    expect(denial('4611686018427387904 * 2 > 0')).toBe('Integer overflow error.')
    expect(denial('-(-9223372036854775808) > 0')).toBe('Integer overflow error.')
    expect(denial('-9223372036854775808 / -1 > 0')).toBe('Integer overflow error.')
  })

  it('errors on int division or modulo by zero', () => {
    expect(denial('1 / 0 == 0')).toBe('Division by zero error.')
    expect(denial('1 % 0 == 0')).toBe('Division by zero error.')
  })

  it('follows IEEE for float division by zero', () => {
    expect(holds('math.isInfinite(1.0 / 0) && math.isNaN(0.0 / 0)')).toBe(true)
  })

  it('treats NaN as unequal to itself and unordered', () => {
    expect(holds('!(0.0 / 0 == 0.0 / 0) && !(0.0 / 0 < 1) && !(0.0 / 0 >= 1)')).toBe(true)
  })

  it('negates ints and floats', () => {
    expect(holds('-(1) == -1 && -(1.5) == -1.5 && - -2 == 2')).toBe(true)
  })
})

describe('type errors', () => {
  it("denies 'a' + 1", () => {
    expect(denial("'a' + 1 == 'a1'")).toBe('Unsupported operation error. Received: string + int.')
  })

  it('denies ordering across types', () => {
    expect(denial("1 < 'a'")).toBe('Unsupported operation error. Received: int < string.')
    expect(denial('[1] < [2]')).toBe('Unsupported operation error. Received: list < list.')
  })

  it('compares values of different types as unequal, without error', () => {
    expect(holds("1 != '1' && 'true' != true && [1] != {'a': 1} && null != 0")).toBe(true)
  })

  it('errors on ! of a non-boolean', () => {
    expect(denial('!1')).toBe('Unsupported operation error. Received: !int.')
  })

  it('denies a condition that is not a boolean', () => {
    expect(denial("'yes'")).toBe('Condition is not a boolean (got string).')
  })

  it('errors on a non-boolean ternary condition', () => {
    expect(denial('1 ? true : false')).toBe("Expected a boolean condition for '?:', got int.")
  })
})

describe('null', () => {
  it('is equal only to null', () => {
    expect(holds('null == null && !(null != null) && null != false')).toBe(true)
  })

  it('errors on property access, indexing and methods', () => {
    expect(denial('null.x == 1')).toBe('Null value error.')
    expect(denial("null['x'] == 1")).toBe('Null value error.')
    expect(denial('null.size() == 0')).toBe('Null value error.')
  })

  it('errors in arithmetic', () => {
    expect(denial('null + 1 == 1')).toBe('Null value error.')
  })

  it('reports the null value error for a missing document', () => {
    expect(denial('resource.data.x == 1')).toBe('Null value error.')
  })
})

describe('&& and || with errors', () => {
  it('short-circuits on the left', () => {
    expect(holds('false && (1 / 0 == 0)')).toBe(false)
    expect(denial('false && (1 / 0 == 0)')).toBe('false')
    expect(holds('true || (1 / 0 == 0)')).toBe(true)
  })

  it('absorbs an error on the left when the right decides', () => {
    expect(denial('(1 / 0 == 0) && false')).toBe('false')
    expect(holds('(1 / 0 == 0) || true')).toBe(true)
  })

  it('keeps the error when the other side does not decide', () => {
    expect(denial('(1 / 0 == 0) && true')).toBe('Division by zero error.')
    expect(denial('(1 / 0 == 0) || false')).toBe('Division by zero error.')
    expect(denial('true && (1 / 0 == 0)')).toBe('Division by zero error.')
    expect(denial('false || (1 / 0 == 0)')).toBe('Division by zero error.')
  })

  it('reports the left error when both sides fail', () => {
    expect(denial('(1 / 0 == 0) || null.x')).toBe('Division by zero error.')
  })

  it('treats a non-boolean operand as an error', () => {
    expect(denial('1 && true')).toBe("Expected a boolean operand for '&&', got int.")
    expect(holds('1 || true')).toBe(true)
  })

  it('absorbs errors through nesting', () => {
    expect(holds('(null.x || true) && (false || (null.y || true))')).toBe(true)
  })
})

describe('operators', () => {
  it('binds * tighter than +, + tighter than <, < tighter than ==, && tighter than ||', () => {
    expect(holds('1 + 2 * 3 == 7 && 1 < 2 == true && (true || false && false)')).toBe(true)
  })

  it('evaluates the ternary operator lazily', () => {
    expect(holds('true ? 1 == 1 : 1 / 0 == 0')).toBe(true)
    expect(holds('false ? 1 / 0 == 0 : true')).toBe(true)
  })

  it('nests ternaries to the right', () => {
    expect(holds("(false ? 'a' : true ? 'b' : 'c') == 'b'")).toBe(true)
  })

  it('tests list, set and map membership with in', () => {
    expect(holds("'a' in ['a', 'b'] && 1.0 in [1] && !('c' in ['a']) && 'a' in ['a'].toSet() && 'k' in {'k': null}")).toBe(true)
  })

  it('errors on in with a non-collection', () => {
    expect(denial("'a' in 'abc'")).toBe('Unsupported operation error. Received: string in string.')
  })

  it('checks types with is', () => {
    expect(holds("1 is int && 1 is number && 1.5 is float && 1.5 is number && 'a' is string && true is bool && null is string == false")).toBe(true)
    expect(holds("[1] is list && {'a': 1} is map && b'a' is bytes && [1].toSet() is set && /a/b is path")).toBe(true)
    expect(holds('request.time is timestamp && duration.value(1, "s") is duration && latlng.value(1, 2) is latlng')).toBe(true)
    expect(holds('!(1 is float) && !(1.0 is int)')).toBe(true)
  })

  it('concatenates strings and lists with +', () => {
    expect(holds("'ab' + 'c' == 'abc' && [1] + [2, 3] == [1, 2, 3]")).toBe(true)
  })

  it('compares strings lexicographically', () => {
    expect(holds("'abc' < 'abd' && 'ab' < 'abc' && 'B' < 'a' && 'z' > 'é' == false")).toBe(true)
  })

  it('compares collections deeply', () => {
    expect(holds("[1, [2, {'a': 3}]] == [1, [2, {'a': 3.0}]] && [1, 2] != [2, 1]")).toBe(true)
  })
})

describe('functions', () => {
  it('calls functions with arguments and let bindings', () => {
    const functions = 'function add(a, b) { let sum = a + b; let doubled = sum * 2; return doubled; }'
    expect(holds('add(1, 2) == 6', { functions })).toBe(true)
  })

  it('lets functions read the wildcards of their match', () => {
    expect(holds("isDoc() && id == 'doc'", { functions: "function isDoc() { return id == 'doc'; }" })).toBe(true)
  })

  it('allows functions to call each other in any order', () => {
    expect(holds('a()', { functions: 'function a() { return b(); } function b() { return true; }' })).toBe(true)
  })

  it('supports recursion within the call depth limit', () => {
    const functions = 'function sum(n) { return n == 0 ? 0 : n + sum(n - 1); }'
    expect(holds('sum(19) == 190', { functions })).toBe(true)
  })

  it('errors when calls nest deeper than 20', () => {
    const functions = 'function sum(n) { return n == 0 ? 0 : n + sum(n - 1); }'
    expect(holds('sum(19) == 190', { functions })).toBe(true)
    expect(denial('sum(20) == 210', { functions })).toBe('Maximum function call depth (20) exceeded.')
  })

  it('errors on infinite recursion instead of overflowing the stack', () => {
    expect(denial('f()', { functions: 'function f() { return f(); }' })).toBe('Maximum function call depth (20) exceeded.')
  })

  it('propagates errors from let bindings', () => {
    expect(denial('f()', { functions: 'function f() { let x = 1 / 0; return true; }' })).toBe('Division by zero error.')
  })

  it('lets a parameter shadow a wildcard', () => {
    expect(holds("f('other')", { functions: "function f(id) { return id == 'other'; }" })).toBe(true)
  })

  it('returns debug() arguments unchanged', () => {
    expect(holds("debug(1 + 1) == 2 && debug('x') == 'x'")).toBe(true)
  })
})
