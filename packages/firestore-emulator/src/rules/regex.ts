/**
 * RE2 regular expressions (the syntax `matches`, `replace` and `split` take) run on JS
 * RegExp. The pattern is translated construct by construct so that it means what RE2 means:
 * `.` excludes only \n, `\s` is ASCII, `\pN` and `\x{...}` and `\Q...\E` and POSIX classes
 * become their JS spellings. What RE2 rejects (backreferences, lookaround) or JS cannot
 * express here (inline flags past the start, `\C`) is refused with a message, never
 * approximated.
 */

export class RegexSyntaxError extends Error {}

export interface CompiledRegex {
  /** Anchored at both ends: `matches` is a whole-string match. */
  full: RegExp
  /** Global with capture groups, for replace. */
  global: RegExp
  /** Without capture groups (JS split would splice captures into its result). */
  splitter: RegExp
}

const cache = new Map<string, CompiledRegex>()
const CACHE_LIMIT = 1000

/** Compiles an RE2 pattern, throwing RegexSyntaxError with a reason when it is not supported. */
export function compileRe2(pattern: string): CompiledRegex {
  const hit = cache.get(pattern)
  if (hit) return hit
  const { source, flags } = translate(pattern, true)
  const plain = translate(pattern, false).source
  // With (?m), ^ and $ match at line ends, so the whole-string anchors are spelled out.
  const anchored = flags.includes('m') ? `(?<![\\s\\S])(?:${plain})(?![\\s\\S])` : `^(?:${plain})$`
  let compiled: CompiledRegex
  try {
    compiled = {
      full: new RegExp(anchored, flags + 'u'),
      global: new RegExp(source, flags + 'gu'),
      splitter: new RegExp(plain, flags + 'u'),
    }
  } catch (err) {
    throw new RegexSyntaxError(`Invalid regular expression '${pattern}': ${(err as Error).message}`)
  }
  if (cache.size >= CACHE_LIMIT) cache.clear()
  cache.set(pattern, compiled)
  return compiled
}

const POSIX_CLASSES: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
}

const GENERAL_CATEGORY = /^(?:[CLMNPSZ]|C[cfos]|L[lmotu]|M[cen]|N[dlo]|P[cdefios]|S[ckmo]|Z[lps])$/
const RE2_SPACE = '\\t\\n\\f\\r '
const SYNTAX_CHARS = new Set([...'^$\\.*+?()[]{}|/'])

function fail(pattern: string, why: string): never {
  throw new RegexSyntaxError(`Unsupported regular expression '${pattern}': ${why}`)
}

/** Translates RE2 syntax to JS (unicode mode); `captures: false` makes every group non-capturing. */
function translate(pattern: string, captures: boolean): { source: string; flags: string } {
  let flags = ''
  let i = 0
  const leading = /^\(\?([a-zA-Z]+)\)/.exec(pattern)
  if (leading) {
    for (const f of leading[1]!) {
      if (f !== 'i' && f !== 'm' && f !== 's') fail(pattern, `flag '${f}' is not supported`)
      if (!flags.includes(f)) flags += f
    }
    i = leading[0].length
  }
  let out = ''
  let inClass = false
  let classStart = false
  while (i < pattern.length) {
    const c = pattern.charAt(i)
    if (inClass) {
      if (c === ']' && !classStart) {
        inClass = false
        out += ']'
        i++
        continue
      }
      classStart = false
      if (c === '[' && pattern.charAt(i + 1) === ':') {
        const close = pattern.indexOf(':]', i + 2)
        const name = close < 0 ? '' : pattern.slice(i + 2, close)
        if (name.startsWith('^')) fail(pattern, 'negated POSIX classes are not supported')
        const expansion = POSIX_CLASSES[name]
        if (expansion === undefined) fail(pattern, `unknown POSIX class '[:${name}:]'`)
        out += expansion
        i = close + 2
      } else if (c === '\\') {
        const { text, next } = escape(pattern, i, true)
        out += text
        i = next
      } else {
        out += c === '[' ? '\\[' : c
        i++
      }
      continue
    }
    switch (c) {
      case '\\': {
        const { text, next } = escape(pattern, i, false)
        out += text
        i = next
        break
      }
      case '[':
        inClass = true
        classStart = true
        out += '['
        i++
        if (pattern.charAt(i) === '^') {
          out += '^'
          i++
        }
        // RE2 reads a ']' right after '[' or '[^' as a literal.
        if (pattern.charAt(i) === ']') {
          out += '\\]'
          i++
        }
        break
      case '(': {
        const group = groupOpen(pattern, i, captures)
        out += group.text
        i = group.next
        break
      }
      case '.':
        out += flags.includes('s') ? '[\\s\\S]' : '[^\\n]'
        i++
        break
      case '{': {
        const rep = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i))
        if (rep) {
          if (Number(rep[1]) > 1000 || (rep[3] !== undefined && rep[3] !== '' && Number(rep[3]) > 1000)) fail(pattern, 'repetition count above 1000')
          out += rep[0]
          i += rep[0].length
        } else {
          // RE2 reads a '{' that starts no repetition as a literal.
          out += '\\{'
          i++
        }
        break
      }
      case '}':
      case ']':
        out += '\\' + c
        i++
        break
      default:
        out += c
        i++
    }
  }
  if (inClass) fail(pattern, "missing ']'")
  return { source: out, flags }
}

function groupOpen(pattern: string, i: number, captures: boolean): { text: string; next: number } {
  const rest = pattern.slice(i)
  if (rest.startsWith('(?:')) return { text: '(?:', next: i + 3 }
  if (/^\(\?(=|!|<=|<!)/.test(rest)) fail(pattern, 'lookaround assertions are not supported by RE2')
  if (rest.startsWith('(?P=')) fail(pattern, 'backreferences are not supported by RE2')
  const named = /^\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest)
  if (named) return { text: captures ? `(?<${named[1]}>` : '(?:', next: i + named[0].length }
  if (rest.startsWith('(?')) fail(pattern, 'inline flags are supported only at the start of the pattern')
  return { text: captures ? '(' : '(?:', next: i + 1 }
}

/** One escape sequence at `i` (a backslash), as JS unicode-mode regex text. */
function escape(pattern: string, i: number, inClass: boolean): { text: string; next: number } {
  const e = pattern.charAt(i + 1)
  if (e === '') fail(pattern, 'trailing backslash')
  if (/[1-9]/.test(e)) fail(pattern, 'backreferences are not supported by RE2')
  switch (e) {
    case 'd':
    case 'D':
    case 'w':
    case 'W':
    case 'n':
    case 't':
    case 'r':
    case 'f':
    case 'v':
      return { text: '\\' + e, next: i + 2 }
    case 'b':
    case 'B':
      if (inClass) fail(pattern, `'\\${e}' inside a character class`)
      return { text: '\\' + e, next: i + 2 }
    case 's':
      return { text: inClass ? RE2_SPACE : `[${RE2_SPACE}]`, next: i + 2 }
    case 'S':
      if (inClass) fail(pattern, "'\\S' inside a character class is not supported")
      return { text: `[^${RE2_SPACE}]`, next: i + 2 }
    case 'a':
      return { text: '\\x07', next: i + 2 }
    case '0': {
      const octal = /^[0-7]{0,2}/.exec(pattern.slice(i + 2))![0]
      return { text: codePoint(parseInt('0' + octal, 8)), next: i + 2 + octal.length }
    }
    case 'x': {
      const braced = /^\{([0-9A-Fa-f]{1,6})\}/.exec(pattern.slice(i + 2))
      if (braced) return { text: codePoint(parseInt(braced[1]!, 16)), next: i + 2 + braced[0].length }
      const two = /^[0-9A-Fa-f]{2}/.exec(pattern.slice(i + 2))
      if (!two) fail(pattern, 'malformed \\x escape')
      return { text: '\\x' + two[0], next: i + 4 }
    }
    case 'p':
    case 'P':
      return unicodeClass(pattern, i, e === 'P')
    case 'A':
      if (inClass) fail(pattern, "'\\A' inside a character class")
      return { text: '(?<![\\s\\S])', next: i + 2 }
    case 'z':
      if (inClass) fail(pattern, "'\\z' inside a character class")
      return { text: '(?![\\s\\S])', next: i + 2 }
    case 'Q': {
      const end = pattern.indexOf('\\E', i + 2)
      const literal = end < 0 ? pattern.slice(i + 2) : pattern.slice(i + 2, end)
      return { text: [...literal].map((ch) => codePoint(ch.codePointAt(0)!)).join(''), next: end < 0 ? pattern.length : end + 2 }
    }
    default:
      break
  }
  if (/[A-Za-z]/.test(e)) fail(pattern, `invalid escape '\\${e}'`)
  // Escaped punctuation is a literal in RE2; spell it so JS unicode mode accepts it anywhere.
  const cp = pattern.codePointAt(i + 1)!
  const ch = String.fromCodePoint(cp)
  return { text: SYNTAX_CHARS.has(ch) || (inClass && ch === '-') ? '\\' + ch : codePoint(cp), next: i + 1 + ch.length }
}

function unicodeClass(pattern: string, i: number, negated: boolean): { text: string; next: number } {
  let name: string
  let next: number
  if (pattern.charAt(i + 2) === '{') {
    const close = pattern.indexOf('}', i + 3)
    if (close < 0) fail(pattern, "missing '}' in \\p{...}")
    name = pattern.slice(i + 3, close)
    next = close + 1
  } else {
    name = pattern.charAt(i + 2)
    next = i + 3
  }
  if (name.startsWith('^')) {
    negated = !negated
    name = name.slice(1)
  }
  if (!/^[A-Za-z_]+$/.test(name)) fail(pattern, `unknown Unicode class '${name}'`)
  const spelled = name === 'Any' ? 'Any' : GENERAL_CATEGORY.test(name) ? name : `Script=${name}`
  return { text: `\\${negated ? 'P' : 'p'}{${spelled}}`, next }
}

function codePoint(cp: number): string {
  return `\\u{${cp.toString(16)}}`
}
