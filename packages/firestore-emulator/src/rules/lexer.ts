import { SyntaxIssue } from './errors.js'

/**
 * The rules language's tokens, scanned on demand: a `/` means division after an operand but
 * starts a path literal where an operand is expected, which only the parser knows, so the
 * parser asks for one token at a time and scans paths itself through `segmentEnd`.
 */

export type TokenKind = 'ident' | 'int' | 'float' | 'string' | 'bytes' | 'punct' | 'eof'

export interface Token {
  kind: TokenKind
  /** The source text for identifiers and punctuation; the digits for numbers. */
  text: string
  /** Decoded value of a string literal. */
  string?: string
  /** Decoded value of a bytes literal. */
  bytes?: Uint8Array
  start: number
  end: number
  line: number
  column: number
}

const PUNCTUATION_2 = new Set(['&&', '||', '==', '!=', '<=', '>='])
const PUNCTUATION_1 = new Set([...'{}()[],;:.?!-+*/%<>='])

/** Characters of a bare path segment, besides balanced parentheses: "(default)", "users", "a-b.c". */
const SEGMENT_CHAR = /[A-Za-z0-9_\-.~%@]/

export class Lexer {
  private offset = 0
  private readonly lineStarts: number[] = [0]

  constructor(readonly source: string) {
    for (let i = 0; i < source.length; i++) if (source.charCodeAt(i) === 10) this.lineStarts.push(i + 1)
  }

  /** Line and column (1-based) of an offset. */
  position(offset: number): { line: number; column: number } {
    let lo = 0
    let hi = this.lineStarts.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (this.lineStarts[mid]! <= offset) lo = mid
      else hi = mid - 1
    }
    return { line: lo + 1, column: offset - this.lineStarts[lo]! + 1 }
  }

  error(message: string, offset: number): SyntaxIssue {
    const { line, column } = this.position(offset)
    return new SyntaxIssue(message, line, column)
  }

  /** Continues scanning at `offset` (after the parser consumed a path literal itself). */
  seek(offset: number): void {
    this.offset = offset
  }

  charAt(offset: number): string {
    return this.source.charAt(offset)
  }

  /**
   * End of the bare path segment text starting at `offset` (equal to `offset` when there is
   * none). Parentheses belong to the segment only when balanced, so the `)` closing a call
   * such as `get(/databases/(default)/documents/a/b)` ends the path.
   */
  segmentEnd(offset: number): number {
    let i = offset
    let depth = 0
    for (; i < this.source.length; i++) {
      const c = this.source.charAt(i)
      if (c === '(') depth++
      else if (c === ')') {
        if (depth === 0) break
        depth--
      } else if (!SEGMENT_CHAR.test(c)) break
    }
    if (depth !== 0) throw this.error("Parse error: unbalanced '(' in path segment", offset)
    return i
  }

  next(): Token {
    this.skipTrivia()
    const start = this.offset
    const src = this.source
    if (start >= src.length) return this.token('eof', '', start, start)
    const c = src.charAt(start)
    if ((c === 'b' || c === 'B') && (src.charAt(start + 1) === "'" || src.charAt(start + 1) === '"')) {
      const { text, end } = this.scanQuoted(start + 1, true)
      const tok = this.token('bytes', src.slice(start, end), start, end)
      tok.bytes = latin1Bytes(text)
      return tok
    }
    if (/[A-Za-z_]/.test(c)) {
      let end = start + 1
      while (end < src.length && /[A-Za-z0-9_]/.test(src.charAt(end))) end++
      return this.token('ident', src.slice(start, end), start, end)
    }
    if (/[0-9]/.test(c)) return this.scanNumber(start)
    if (c === "'" || c === '"') {
      const { text, end } = this.scanQuoted(start, false)
      const tok = this.token('string', src.slice(start, end), start, end)
      tok.string = text
      return tok
    }
    const two = src.slice(start, start + 2)
    if (PUNCTUATION_2.has(two)) return this.token('punct', two, start, start + 2)
    if (PUNCTUATION_1.has(c)) return this.token('punct', c, start, start + 1)
    throw this.error(`Parse error: unexpected character '${c}'`, start)
  }

  private token(kind: TokenKind, text: string, start: number, end: number): Token {
    this.offset = end
    const { line, column } = this.position(start)
    return { kind, text, start, end, line, column }
  }

  private skipTrivia(): void {
    const src = this.source
    for (;;) {
      const c = src.charAt(this.offset)
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v') {
        this.offset++
      } else if (c === '/' && src.charAt(this.offset + 1) === '/') {
        const nl = src.indexOf('\n', this.offset)
        this.offset = nl < 0 ? src.length : nl + 1
      } else if (c === '/' && src.charAt(this.offset + 1) === '*') {
        const close = src.indexOf('*/', this.offset + 2)
        if (close < 0) throw this.error('Parse error: unterminated comment', this.offset)
        this.offset = close + 2
      } else {
        return
      }
    }
  }

  private scanNumber(start: number): Token {
    const src = this.source
    let end = start
    while (/[0-9]/.test(src.charAt(end))) end++
    let float = false
    if (src.charAt(end) === '.' && /[0-9]/.test(src.charAt(end + 1))) {
      float = true
      end++
      while (/[0-9]/.test(src.charAt(end))) end++
    }
    if (/[eE]/.test(src.charAt(end))) {
      let e = end + 1
      if (/[+-]/.test(src.charAt(e))) e++
      if (!/[0-9]/.test(src.charAt(e))) throw this.error('Parse error: malformed number', start)
      while (/[0-9]/.test(src.charAt(e))) e++
      end = e
      float = true
    }
    if (/[A-Za-z_]/.test(src.charAt(end))) throw this.error('Parse error: malformed number', start)
    return this.token(float ? 'float' : 'int', src.slice(start, end), start, end)
  }

  /**
   * A quoted literal from its opening quote. Strings decode to their text; bytes decode to
   * a latin-1 string (one char per byte) with text characters already UTF-8 encoded.
   */
  private scanQuoted(open: number, bytes: boolean): { text: string; end: number } {
    const src = this.source
    const quote = src.charAt(open)
    let out = ''
    let i = open + 1
    for (;;) {
      if (i >= src.length || src.charAt(i) === '\n') throw this.error('Parse error: unterminated string', open)
      const c = src.charAt(i)
      if (c === quote) return { text: out, end: i + 1 }
      if (c !== '\\') {
        const cp = src.codePointAt(i)!
        const ch = String.fromCodePoint(cp)
        out += bytes ? utf8Latin1(ch) : ch
        i += ch.length
        continue
      }
      const e = src.charAt(i + 1)
      const simple = SIMPLE_ESCAPES[e]
      if (simple !== undefined) {
        out += simple
        i += 2
      } else if (e === 'x' && /^[0-9A-Fa-f]{2}$/.test(src.slice(i + 2, i + 4))) {
        const code = parseInt(src.slice(i + 2, i + 4), 16)
        // In a string, `\xHH` and `\NNN` name a code point below 256; in bytes, a byte.
        out += String.fromCharCode(code)
        i += 4
      } else if (/[0-7]/.test(e) && /^[0-7]{3}$/.test(src.slice(i + 1, i + 4))) {
        const code = parseInt(src.slice(i + 1, i + 4), 8)
        if (code > 255) throw this.error('Parse error: octal escape out of range', i)
        out += String.fromCharCode(code)
        i += 4
      } else if (!bytes && e === 'u' && /^[0-9A-Fa-f]{4}$/.test(src.slice(i + 2, i + 6))) {
        out += String.fromCharCode(parseInt(src.slice(i + 2, i + 6), 16))
        i += 6
      } else if (!bytes && e === 'U' && /^[0-9A-Fa-f]{8}$/.test(src.slice(i + 2, i + 10))) {
        const cp = parseInt(src.slice(i + 2, i + 10), 16)
        if (cp > 0x10ffff) throw this.error('Parse error: code point out of range', i)
        out += String.fromCodePoint(cp)
        i += 10
      } else {
        throw this.error(`Parse error: invalid escape sequence '\\${e}'`, i)
      }
    }
  }
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  '`': '`',
  '?': '?',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
}

/** The UTF-8 bytes of a character, as a latin-1 string. */
function utf8Latin1(ch: string): string {
  return Buffer.from(ch, 'utf8').toString('latin1')
}

function latin1Bytes(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'latin1'))
}
