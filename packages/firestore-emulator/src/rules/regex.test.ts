import { describe, expect, it } from 'vitest'
import { RegexSyntaxError, compileRe2 } from './regex.js'

const matches = (pattern: string, s: string) => compileRe2(pattern).full.test(s)
const refusal = (pattern: string) => {
  try {
    compileRe2(pattern)
  } catch (err) {
    if (err instanceof RegexSyntaxError) return err.message
    throw err
  }
  return 'compiled'
}

describe('RE2 on JS RegExp', () => {
  it('matches the whole string only', () => {
    expect(matches('a+', 'aaa')).toBe(true)
    expect(matches('a+', 'baaa')).toBe(false)
    expect(matches('a|ab', 'ab')).toBe(true)
  })

  it('keeps full-match anchoring under (?m)', () => {
    expect(matches('(?m)a$', 'a\nb')).toBe(false)
    expect(matches('(?m)^b', 'a\nb')).toBe(false)
    expect(matches('(?m)a\\nb', 'a\nb')).toBe(true)
  })

  it('applies leading flags', () => {
    expect(matches('(?i)abc', 'ABC')).toBe(true)
    expect(matches('(?s)a.b', 'a\nb')).toBe(true)
  })

  it('makes . exclude only newline', () => {
    expect(matches('a.b', 'a\rb')).toBe(true)
    expect(matches('a.b', 'a\nb')).toBe(false)
    expect(matches('.', '😀')).toBe(true)
  })

  it('uses ASCII whitespace for \\s, inside and outside classes', () => {
    expect(matches('\\s', '\t')).toBe(true)
    expect(matches('\\s', '\u00a0')).toBe(false)
    expect(matches('[\\sx]+', ' x\n')).toBe(true)
    expect(matches('\\S+', 'ab')).toBe(true)
  })

  it('translates POSIX classes, \\p classes, \\x{} and \\Q...\\E', () => {
    expect(matches('[[:alpha:]]+[[:digit:]]', 'abc1')).toBe(true)
    expect(matches('\\pL+', 'héllo')).toBe(true)
    expect(matches('\\p{Greek}+', 'αβγ')).toBe(true)
    expect(matches('\\P{L}', '1')).toBe(true)
    expect(matches('\\x{1F600}', '😀')).toBe(true)
    expect(matches('\\Qa.b*\\E', 'a.b*')).toBe(true)
    expect(matches('\\Qa.b*\\E', 'axbb')).toBe(false)
  })

  it('reads escaped punctuation and stray braces as literals', () => {
    expect(matches('a\\-b\\@c\\#', 'a-b@c#')).toBe(true)
    expect(matches('[a\\-z]+', '-az')).toBe(true)
    expect(matches('x{y}', 'x{y}')).toBe(true)
    expect(matches('a{2}', 'aa')).toBe(true)
    expect(matches('[]a]+', ']a]')).toBe(true)
  })

  it('supports named groups in RE2 spelling', () => {
    expect(matches('(?P<year>\\d{4})-(?P<m>\\d\\d)', '2024-01')).toBe(true)
  })

  it('translates \\A and \\z', () => {
    expect(compileRe2('\\Aab\\z').global.test('ab')).toBe(true)
  })

  it('refuses what RE2 does not support', () => {
    expect(refusal('(a)\\1')).toMatch(/backreferences are not supported by RE2/)
    expect(refusal('a(?=b)')).toMatch(/lookaround assertions are not supported by RE2/)
    expect(refusal('(?<!a)b')).toMatch(/lookaround/)
    expect(refusal('a{1001}')).toMatch(/repetition count above 1000/)
    expect(refusal('\\y')).toMatch(/invalid escape '\\y'/)
  })

  it('refuses inline flags past the start and unknown flags', () => {
    expect(refusal('a(?i)b')).toMatch(/inline flags are supported only at the start/)
    expect(refusal('(?U)a*')).toMatch(/flag 'U' is not supported/)
  })

  it('reports malformed patterns', () => {
    expect(refusal('(a')).toMatch(/^Invalid regular expression '\(a'/)
    expect(refusal('a**')).toMatch(/^Invalid regular expression/)
    expect(refusal('[a')).toMatch(/missing '\]'/)
  })

  it('caches compiled patterns', () => {
    expect(compileRe2('cache-me')).toBe(compileRe2('cache-me'))
  })
})
