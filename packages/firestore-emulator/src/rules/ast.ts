import type { Builtin } from './builtins.js'
import type { RulesMethod } from './types.js'
import type { RulesValue } from './values.js'

/**
 * The syntax tree of a ruleset. The parser builds it; the checker then resolves every name
 * in place (`ref` of identifiers, `target` of calls) so evaluation does no lookups by name.
 */

export interface Pos {
  line: number
  column: number
}

/** Where an identifier's value lives at run time. */
export type VarRef =
  /** A function parameter or let binding: an index into the call's frame. */
  | { kind: 'local'; index: number }
  /** A match wildcard: the index of its segment in the full (nested) match pattern. */
  | { kind: 'wildcard'; index: number; name: string }
  | { kind: 'global'; name: 'request' | 'resource' }

export type CallTarget = { kind: 'user'; fn: FunctionDecl } | { kind: 'builtin'; fn: Builtin }

export type BinaryOp = '+' | '-' | '*' | '/' | '%' | '<' | '<=' | '>' | '>=' | '==' | '!=' | 'in'

export type Expr =
  | { kind: 'literal'; value: RulesValue; pos: Pos }
  | { kind: 'list'; items: Expr[]; pos: Pos }
  | { kind: 'map'; entries: { key: Expr; value: Expr }[]; pos: Pos }
  /** A path literal: each part a literal segment or an interpolated `$(expr)`. */
  | { kind: 'path'; parts: (string | Expr)[]; pos: Pos }
  | { kind: 'ident'; name: string; pos: Pos; ref: VarRef | null }
  | { kind: 'member'; object: Expr; name: string; pos: Pos }
  | { kind: 'index'; object: Expr; index: Expr; pos: Pos }
  | { kind: 'range'; object: Expr; start: Expr; end: Expr; pos: Pos }
  /** `f(x)` or, with a namespace, `math.abs(x)`. */
  | { kind: 'call'; namespace: string | null; name: string; args: Expr[]; pos: Pos; target: CallTarget | null }
  | { kind: 'method'; object: Expr; name: string; args: Expr[]; pos: Pos }
  | { kind: 'unary'; op: '!' | '-'; operand: Expr; pos: Pos }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr; pos: Pos }
  | { kind: 'logical'; op: '&&' | '||'; left: Expr; right: Expr; pos: Pos }
  | { kind: 'ternary'; condition: Expr; then: Expr; otherwise: Expr; pos: Pos }
  | { kind: 'is'; operand: Expr; type: string; pos: Pos }

export interface LetBinding {
  name: string
  value: Expr
  pos: Pos
}

export interface FunctionDecl {
  name: string
  params: string[]
  lets: LetBinding[]
  body: Expr
  pos: Pos
}

export interface AllowStmt {
  /** Concrete methods: read is get and list, write is create, update and delete. */
  methods: RulesMethod[]
  /** null for `allow x;`, which always allows. */
  condition: Expr | null
  /** Line reported in denial reasons: the condition's, else the statement's. */
  line: number
  pos: Pos
}

export type PatternSegment =
  | { kind: 'literal'; value: string }
  | { kind: 'var'; name: string }
  /** `{name=**}`: zero or more segments (version 2), one or more (version 1). */
  | { kind: 'rest'; name: string }

export interface MatchBlock {
  pattern: PatternSegment[]
  pos: Pos
  matches: MatchBlock[]
  allows: AllowStmt[]
  functions: FunctionDecl[]
}

export interface ServiceDecl {
  name: string
  pos: Pos
  matches: MatchBlock[]
  functions: FunctionDecl[]
}

export interface RulesetAst {
  version: 1 | 2
  /** false when the source has no rules_version line (version 1 applies). */
  versionDeclared: boolean
  service: ServiceDecl
}
