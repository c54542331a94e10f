import type { AllowStmt, BinaryOp, Expr, FunctionDecl, LetBinding, MatchBlock, PatternSegment, Pos, RulesetAst, ServiceDecl } from './ast.js'
import type { SyntaxIssue } from './errors.js'
import { Lexer, type Token } from './lexer.js'
import type { RulesMethod } from './types.js'
import { INT64_MAX, INT64_MIN } from './values.js'

/**
 * Recursive-descent parser for Firestore security rules. It stops at the first syntax error
 * (a SyntaxIssue naming line and column); name resolution and the remaining checks are the
 * checker's.
 */

const METHODS: Record<string, RulesMethod[]> = {
  read: ['get', 'list'],
  write: ['create', 'update', 'delete'],
  get: ['get'],
  list: ['list'],
  create: ['create'],
  update: ['update'],
  delete: ['delete'],
}

/** Namespaces whose functions are called as `math.abs(x)`; `firestore.get()` is the long form of `get()`. */
const NAMESPACES = new Set(['math', 'timestamp', 'duration', 'latlng', 'hashing', 'firestore'])

const WILDCARD = /^([A-Za-z_][A-Za-z0-9_]*)(=\*\*)?$/
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/
const SEGMENT_CHAR = /[A-Za-z0-9_\-.~%@$(]/

export function parse(source: string): RulesetAst {
  return new Parser(source).ruleset()
}

class Parser {
  private readonly lexer: Lexer
  private tok: Token

  constructor(source: string) {
    this.lexer = new Lexer(source)
    this.tok = this.lexer.next()
  }

  ruleset(): RulesetAst {
    let version: 1 | 2 = 1
    let versionDeclared = false
    if (this.isWord('rules_version')) {
      this.advance()
      this.expectPunct('=')
      const value = this.tok
      if (value.kind !== 'string') this.fail('expected a version string')
      if (value.string !== '1' && value.string !== '2') throw this.issue(`Unsupported rules_version '${value.string}'`, value)
      version = value.string === '2' ? 2 : 1
      versionDeclared = true
      this.advance()
      this.expectPunct(';')
    }
    const service = this.service()
    if (this.tok.kind !== 'eof') this.fail('expected end of file')
    return { version, versionDeclared, service }
  }

  private service(): ServiceDecl {
    const start = this.expectWord('service')
    let name = this.expectIdentifier().text
    while (this.isPunct('.')) {
      this.advance()
      name += '.' + this.expectIdentifier().text
    }
    if (name !== 'cloud.firestore') throw this.issue(`Unsupported service '${name}'`, start)
    this.expectPunct('{')
    const decl: ServiceDecl = { name, pos: pos(start), matches: [], functions: [] }
    while (!this.isPunct('}')) {
      if (this.isWord('match')) decl.matches.push(this.match())
      else if (this.isWord('function')) decl.functions.push(this.function())
      else if (this.isWord('allow')) throw this.issue('allow statements must be inside a match block', this.tok)
      else this.fail("expected 'match' or 'function'")
    }
    this.advance()
    return decl
  }

  private match(): MatchBlock {
    const start = this.expectWord('match')
    if (!this.isPunct('/')) this.fail('expected a path starting with /')
    const block: MatchBlock = { pattern: this.matchPattern(), pos: pos(start), matches: [], allows: [], functions: [] }
    this.expectPunct('{')
    while (!this.isPunct('}')) {
      if (this.isWord('match')) block.matches.push(this.match())
      else if (this.isWord('allow')) block.allows.push(this.allow())
      else if (this.isWord('function')) block.functions.push(this.function())
      else this.fail("expected 'match', 'allow' or 'function'")
    }
    this.advance()
    return block
  }

  /** `/a/{b}/{c=**}` read from the source text, from the current '/' token. */
  private matchPattern(): PatternSegment[] {
    const lexer = this.lexer
    const segments: PatternSegment[] = []
    let offset = this.tok.start
    while (lexer.charAt(offset) === '/') {
      offset++
      if (lexer.charAt(offset) === '{') {
        const close = lexer.source.indexOf('}', offset)
        const inner = close < 0 ? '' : lexer.source.slice(offset + 1, close)
        const wildcard = WILDCARD.exec(inner)
        if (!wildcard) throw this.issueAt(`Unsupported wildcard '{${inner}}': use {name} or {name=**}`, offset)
        segments.push(wildcard[2] ? { kind: 'rest', name: wildcard[1]! } : { kind: 'var', name: wildcard[1]! })
        offset = close + 1
        if (SEGMENT_CHAR.test(lexer.charAt(offset))) throw this.issueAt('Unsupported path segment: a wildcard must be a whole segment', offset)
      } else {
        const end = lexer.segmentEnd(offset)
        if (end === offset) throw this.issueAt('Parse error: expected a path segment after /', offset)
        segments.push({ kind: 'literal', value: lexer.source.slice(offset, end) })
        offset = end
        if (/^\{[A-Za-z_][A-Za-z0-9_]*(=\*\*)?\}/.test(lexer.source.slice(offset))) {
          throw this.issueAt('Unsupported path segment: a wildcard must be a whole segment', offset)
        }
      }
    }
    this.resume(offset)
    return segments
  }

  private allow(): AllowStmt {
    const start = this.expectWord('allow')
    const methods = new Set<RulesMethod>()
    for (;;) {
      const name = this.expectIdentifier()
      const expanded = METHODS[name.text]
      if (!expanded) throw this.issue(`Unsupported method '${name.text}': use read, write, get, list, create, update or delete`, name)
      for (const m of expanded) methods.add(m)
      if (!this.isPunct(',')) break
      this.advance()
    }
    let condition: Expr | null = null
    let line = start.line
    if (this.isPunct(':')) {
      this.advance()
      this.expectWord('if')
      line = this.tok.line
      condition = this.expr()
    }
    this.expectPunct(';')
    return { methods: [...methods], condition, line, pos: pos(start) }
  }

  private function(): FunctionDecl {
    const start = this.expectWord('function')
    const name = this.expectIdentifier().text
    this.expectPunct('(')
    const params: string[] = []
    if (!this.isPunct(')')) {
      for (;;) {
        params.push(this.expectIdentifier().text)
        if (!this.isPunct(',')) break
        this.advance()
      }
    }
    this.expectPunct(')')
    this.expectPunct('{')
    const lets: LetBinding[] = []
    while (this.isWord('let')) {
      const letTok = this.advance()
      const letName = this.expectIdentifier().text
      this.expectPunct('=')
      lets.push({ name: letName, value: this.expr(), pos: pos(letTok) })
      this.expectPunct(';')
    }
    this.expectWord('return')
    const body = this.expr()
    // The semicolon after the single return expression is optional.
    if (this.isPunct(';')) this.advance()
    this.expectPunct('}')
    return { name, params, lets, body, pos: pos(start) }
  }

  private expr(): Expr {
    const condition = this.or()
    if (!this.isPunct('?')) return condition
    const q = this.advance()
    const then = this.expr()
    this.expectPunct(':')
    const otherwise = this.expr()
    return { kind: 'ternary', condition, then, otherwise, pos: pos(q) }
  }

  private or(): Expr {
    let left = this.and()
    while (this.isPunct('||')) {
      const op = this.advance()
      left = { kind: 'logical', op: '||', left, right: this.and(), pos: pos(op) }
    }
    return left
  }

  private and(): Expr {
    let left = this.equality()
    while (this.isPunct('&&')) {
      const op = this.advance()
      left = { kind: 'logical', op: '&&', left, right: this.equality(), pos: pos(op) }
    }
    return left
  }

  private equality(): Expr {
    let left = this.relational()
    while (this.isPunct('==') || this.isPunct('!=')) {
      const op = this.advance()
      left = { kind: 'binary', op: op.text as BinaryOp, left, right: this.relational(), pos: pos(op) }
    }
    return left
  }

  private relational(): Expr {
    let left = this.additive()
    for (;;) {
      if (this.isPunct('<') || this.isPunct('<=') || this.isPunct('>') || this.isPunct('>=')) {
        const op = this.advance()
        left = { kind: 'binary', op: op.text as BinaryOp, left, right: this.additive(), pos: pos(op) }
      } else if (this.isWord('in')) {
        const op = this.advance()
        left = { kind: 'binary', op: 'in', left, right: this.additive(), pos: pos(op) }
      } else if (this.isWord('is')) {
        const op = this.advance()
        left = { kind: 'is', operand: left, type: this.expectIdentifier().text, pos: pos(op) }
      } else {
        return left
      }
    }
  }

  private additive(): Expr {
    let left = this.multiplicative()
    while (this.isPunct('+') || this.isPunct('-')) {
      const op = this.advance()
      left = { kind: 'binary', op: op.text as BinaryOp, left, right: this.multiplicative(), pos: pos(op) }
    }
    return left
  }

  private multiplicative(): Expr {
    let left = this.unary()
    while (this.isPunct('*') || this.isPunct('/') || this.isPunct('%')) {
      const op = this.advance()
      left = { kind: 'binary', op: op.text as BinaryOp, left, right: this.unary(), pos: pos(op) }
    }
    return left
  }

  private unary(): Expr {
    if (this.isPunct('!')) {
      const op = this.advance()
      return { kind: 'unary', op: '!', operand: this.unary(), pos: pos(op) }
    }
    if (this.isPunct('-')) {
      const op = this.advance()
      // Fold `-<int literal>` so the most negative int64 can be written.
      if (this.tok.kind === 'int') return this.postfix(this.intLiteral(this.advance(), true))
      return { kind: 'unary', op: '-', operand: this.unary(), pos: pos(op) }
    }
    return this.postfix(this.primary())
  }

  private postfix(expr: Expr): Expr {
    for (;;) {
      if (this.isPunct('.')) {
        this.advance()
        const name = this.tok
        if (name.kind !== 'ident') this.fail('expected a property or method name')
        this.advance()
        if (this.isPunct('(')) {
          const args = this.args()
          if (expr.kind === 'ident' && NAMESPACES.has(expr.name)) {
            expr = { kind: 'call', namespace: expr.name, name: name.text, args, pos: expr.pos, target: null }
          } else {
            expr = { kind: 'method', object: expr, name: name.text, args, pos: pos(name) }
          }
        } else {
          expr = { kind: 'member', object: expr, name: name.text, pos: pos(name) }
        }
      } else if (this.isPunct('[')) {
        const open = this.advance()
        const index = this.expr()
        if (this.isPunct(':')) {
          this.advance()
          const end = this.expr()
          this.expectPunct(']')
          expr = { kind: 'range', object: expr, start: index, end, pos: pos(open) }
        } else {
          this.expectPunct(']')
          expr = { kind: 'index', object: expr, index, pos: pos(open) }
        }
      } else if (this.isPunct('(')) {
        this.fail('only named functions can be called')
      } else {
        return expr
      }
    }
  }

  private args(): Expr[] {
    this.expectPunct('(')
    const args: Expr[] = []
    if (!this.isPunct(')')) {
      for (;;) {
        args.push(this.expr())
        if (!this.isPunct(',')) break
        this.advance()
      }
    }
    this.expectPunct(')')
    return args
  }

  private primary(): Expr {
    const tok = this.tok
    switch (tok.kind) {
      case 'int':
        return this.intLiteral(this.advance(), false)
      case 'float':
        this.advance()
        return { kind: 'literal', value: Number(tok.text), pos: pos(tok) }
      case 'string':
        this.advance()
        return { kind: 'literal', value: tok.string!, pos: pos(tok) }
      case 'bytes':
        this.advance()
        return { kind: 'literal', value: tok.bytes!, pos: pos(tok) }
      case 'ident':
        return this.identifier()
      case 'punct':
        return this.punctuated()
      default:
        this.fail('expected an expression')
    }
  }

  private identifier(): Expr {
    const tok = this.advance()
    switch (tok.text) {
      case 'true':
        return { kind: 'literal', value: true, pos: pos(tok) }
      case 'false':
        return { kind: 'literal', value: false, pos: pos(tok) }
      case 'null':
        return { kind: 'literal', value: null, pos: pos(tok) }
      case 'in':
      case 'is':
        throw this.issue(`Parse error: unexpected '${tok.text}'`, tok)
      default:
        break
    }
    if (this.isPunct('(')) return { kind: 'call', namespace: null, name: tok.text, args: this.args(), pos: pos(tok), target: null }
    return { kind: 'ident', name: tok.text, pos: pos(tok), ref: null }
  }

  private punctuated(): Expr {
    const tok = this.tok
    switch (tok.text) {
      case '(': {
        this.advance()
        const inner = this.expr()
        this.expectPunct(')')
        return inner
      }
      case '[': {
        this.advance()
        const items: Expr[] = []
        while (!this.isPunct(']')) {
          items.push(this.expr())
          if (!this.isPunct(',')) break
          this.advance()
        }
        this.expectPunct(']')
        return { kind: 'list', items, pos: pos(tok) }
      }
      case '{': {
        this.advance()
        const entries: { key: Expr; value: Expr }[] = []
        while (!this.isPunct('}')) {
          const key = this.expr()
          this.expectPunct(':')
          entries.push({ key, value: this.expr() })
          if (!this.isPunct(',')) break
          this.advance()
        }
        this.expectPunct('}')
        return { kind: 'map', entries, pos: pos(tok) }
      }
      case '/':
        return this.path()
      default:
        this.fail('expected an expression')
    }
  }

  /** A path literal, `/databases/$(database)/documents/users/$(uid)`, read from the source text. */
  private path(): Expr {
    const lexer = this.lexer
    const start = this.tok
    const parts: (string | Expr)[] = []
    let offset = start.start
    while (lexer.charAt(offset) === '/') {
      offset++
      if (lexer.charAt(offset) === '$' && lexer.charAt(offset + 1) === '(') {
        this.resume(offset + 2)
        parts.push(this.expr())
        if (!this.isPunct(')')) this.fail("expected ')'")
        // Continue from the raw text after ')': what follows is path text, not tokens.
        offset = this.tok.end
      } else {
        const end = lexer.segmentEnd(offset)
        if (end === offset) throw this.issueAt('Parse error: expected a path segment after /', offset)
        parts.push(lexer.source.slice(offset, end))
        offset = end
      }
      if (SEGMENT_CHAR.test(lexer.charAt(offset))) throw this.issueAt('Unsupported path segment: $(...) must be a whole segment', offset)
    }
    this.resume(offset)
    return { kind: 'path', parts, pos: pos(start) }
  }

  private intLiteral(tok: Token, negative: boolean): Expr {
    const magnitude = BigInt(tok.text)
    const value = negative ? -magnitude : magnitude
    if (value > INT64_MAX || value < INT64_MIN) throw this.issue('Integer literal out of range', tok)
    return { kind: 'literal', value, pos: pos(tok) }
  }

  private resume(offset: number): void {
    this.lexer.seek(offset)
    this.tok = this.lexer.next()
  }

  private advance(): Token {
    const tok = this.tok
    this.tok = this.lexer.next()
    return tok
  }

  private isPunct(text: string): boolean {
    return this.tok.kind === 'punct' && this.tok.text === text
  }

  private isWord(text: string): boolean {
    return this.tok.kind === 'ident' && this.tok.text === text
  }

  private expectPunct(text: string): Token {
    if (!this.isPunct(text)) this.fail(`expected '${text}'`)
    return this.advance()
  }

  private expectWord(text: string): Token {
    if (!this.isWord(text)) this.fail(`expected '${text}'`)
    return this.advance()
  }

  private expectIdentifier(): Token {
    if (this.tok.kind !== 'ident' || !IDENTIFIER.test(this.tok.text)) this.fail('expected a name')
    return this.advance()
  }

  private fail(expected: string): never {
    const found = this.tok.kind === 'eof' ? 'end of file' : `'${this.tok.text}'`
    throw this.issue(`Parse error: ${expected}, found ${found}`, this.tok)
  }

  private issue(message: string, tok: Token): SyntaxIssue {
    return this.lexer.error(message, tok.start)
  }

  private issueAt(message: string, offset: number): SyntaxIssue {
    return this.lexer.error(message, offset)
  }
}

function pos(tok: Token): Pos {
  return { line: tok.line, column: tok.column }
}
