import type { AllowStmt, Expr, FunctionDecl, MatchBlock, PatternSegment, Pos, RulesetAst, VarRef } from './ast.js'
import { BUILTINS } from './builtins.js'
import { METHOD_ARITIES, REGEX_METHODS } from './methods.js'
import { TYPE_NAMES } from './operators.js'
import { RegexSyntaxError, compileRe2 } from './regex.js'
import type { RulesIssue, RulesMethod } from './types.js'

/**
 * Checks a parsed ruleset and resolves its names in place: every identifier to a local,
 * a match wildcard or a global, every call to a user function or a built-in. Whatever we
 * cannot evaluate (an unknown function or method, a wrong argument count, an unknown type
 * after `is`, an unsupported regular expression literal) is reported here, so a ruleset we
 * would misjudge never loads. All problems are collected, not just the first.
 */

/** A match block flattened: its full pattern from the root and its allow statements by method. */
export interface CompiledMatch {
  pattern: PatternSegment[]
  /** Index of the `{name=**}` segment, or -1. */
  restIndex: number
  allows: Map<RulesMethod, AllowStmt[]>
}

interface FunctionScope {
  functions: Map<string, FunctionDecl>
  parent: FunctionScope | null
}

interface Scope {
  /** The full match pattern whose wildcards are visible. */
  wildcards: PatternSegment[]
  /** Parameters and let bindings of the enclosing function, by name. */
  locals: Map<string, number> | null
  functions: FunctionScope
}

export function check(ast: RulesetAst): { matches: CompiledMatch[]; issues: RulesIssue[] } {
  const checker = new Checker(ast.version)
  if (!ast.versionDeclared) {
    checker.warn("rules_version is not set: version 1 applies ({name=**} matches one or more segments); start with rules_version = '2';", { line: 1, column: 1 })
  }
  const root = checker.functionScope(ast.service.functions, null)
  for (const fn of ast.service.functions) checker.function(fn, [], root)
  for (const block of ast.service.matches) checker.match(block, [], root)
  return { matches: checker.compiled, issues: checker.issues }
}

class Checker {
  readonly compiled: CompiledMatch[] = []
  readonly issues: RulesIssue[] = []

  constructor(private readonly version: 1 | 2) {}

  error(message: string, pos: Pos): void {
    this.issues.push({ ...pos, message, severity: 'ERROR' })
  }

  warn(message: string, pos: Pos): void {
    this.issues.push({ ...pos, message, severity: 'WARNING' })
  }

  functionScope(decls: FunctionDecl[], parent: FunctionScope | null): FunctionScope {
    const functions = new Map<string, FunctionDecl>()
    for (const fn of decls) {
      if (functions.has(fn.name)) this.error(`Duplicate function '${fn.name}'`, fn.pos)
      else functions.set(fn.name, fn)
    }
    return { functions, parent }
  }

  match(block: MatchBlock, prefix: PatternSegment[], parentFunctions: FunctionScope): void {
    const pattern = [...prefix, ...block.pattern]
    const rests = pattern.filter((s) => s.kind === 'rest').length
    if (rests > 1) this.error('Only one recursive wildcard {name=**} is allowed in a path', block.pos)
    if (this.version === 1) {
      const ownRest = block.pattern.findIndex((s) => s.kind === 'rest')
      const nestedUnderRest = prefix.some((s) => s.kind === 'rest')
      if ((ownRest >= 0 && ownRest !== block.pattern.length - 1) || nestedUnderRest) {
        this.error("In rules_version 1 a recursive wildcard must be the last segment of a path; use rules_version = '2'", block.pos)
      }
    }
    const functions = this.functionScope(block.functions, parentFunctions)
    for (const fn of block.functions) this.function(fn, pattern, functions)
    const allows = new Map<RulesMethod, AllowStmt[]>()
    for (const allow of block.allows) {
      if (allow.condition) this.expr(allow.condition, { wildcards: pattern, locals: null, functions })
      for (const method of allow.methods) {
        const list = allows.get(method) ?? []
        list.push(allow)
        allows.set(method, list)
      }
    }
    this.compiled.push({ pattern, restIndex: pattern.findIndex((s) => s.kind === 'rest'), allows })
    for (const child of block.matches) this.match(child, pattern, functions)
  }

  function(fn: FunctionDecl, wildcards: PatternSegment[], functions: FunctionScope): void {
    const locals = new Map<string, number>()
    for (const param of fn.params) {
      if (locals.has(param)) this.error(`Duplicate parameter '${param}' in function '${fn.name}'`, fn.pos)
      locals.set(param, locals.size)
    }
    const scope: Scope = { wildcards, locals, functions }
    for (const binding of fn.lets) {
      this.expr(binding.value, scope)
      if (locals.has(binding.name)) this.error(`Duplicate variable '${binding.name}' in function '${fn.name}'`, binding.pos)
      else locals.set(binding.name, fn.params.length + fn.lets.indexOf(binding))
    }
    this.expr(fn.body, scope)
  }

  private expr(e: Expr, scope: Scope): void {
    switch (e.kind) {
      case 'literal':
        return
      case 'list':
        for (const item of e.items) this.expr(item, scope)
        return
      case 'map':
        for (const { key, value } of e.entries) {
          this.expr(key, scope)
          this.expr(value, scope)
        }
        return
      case 'path':
        for (const part of e.parts) if (typeof part !== 'string') this.expr(part, scope)
        return
      case 'ident': {
        const ref = this.resolve(e.name, scope)
        if (ref) e.ref = ref
        else this.error(`Unknown variable '${e.name}'`, e.pos)
        return
      }
      case 'member':
        this.expr(e.object, scope)
        return
      case 'index':
        this.expr(e.object, scope)
        this.expr(e.index, scope)
        return
      case 'range':
        this.expr(e.object, scope)
        this.expr(e.start, scope)
        this.expr(e.end, scope)
        return
      case 'call':
        this.call(e, scope)
        return
      case 'method': {
        this.expr(e.object, scope)
        for (const arg of e.args) this.expr(arg, scope)
        const arities = METHOD_ARITIES[e.name]
        if (!arities) this.error(`Unsupported method '${e.name}'`, e.pos)
        else if (!arities.includes(e.args.length)) this.error(`Method '${e.name}' takes ${arities.join(' or ')} argument(s), not ${e.args.length}`, e.pos)
        const pattern = e.args[0]
        if (REGEX_METHODS.has(e.name) && pattern?.kind === 'literal' && typeof pattern.value === 'string') {
          try {
            compileRe2(pattern.value)
          } catch (err) {
            if (!(err instanceof RegexSyntaxError)) throw err
            this.error(err.message, pattern.pos)
          }
        }
        return
      }
      case 'unary':
        this.expr(e.operand, scope)
        return
      case 'binary':
      case 'logical':
        this.expr(e.left, scope)
        this.expr(e.right, scope)
        return
      case 'ternary':
        this.expr(e.condition, scope)
        this.expr(e.then, scope)
        this.expr(e.otherwise, scope)
        return
      case 'is':
        this.expr(e.operand, scope)
        if (!TYPE_NAMES.has(e.type)) this.error(`Unsupported type '${e.type}' after 'is'`, e.pos)
        return
    }
  }

  private call(e: Extract<Expr, { kind: 'call' }>, scope: Scope): void {
    for (const arg of e.args) this.expr(arg, scope)
    const qualified = e.namespace ? `${e.namespace}.${e.name}` : e.name
    if (!e.namespace) {
      for (let fs: FunctionScope | null = scope.functions; fs; fs = fs.parent) {
        const fn = fs.functions.get(e.name)
        if (!fn) continue
        if (fn.params.length !== e.args.length) this.error(`Function '${e.name}' takes ${fn.params.length} argument(s), not ${e.args.length}`, e.pos)
        e.target = { kind: 'user', fn }
        return
      }
    }
    const builtin = BUILTINS.get(qualified)
    if (!builtin) {
      this.error(`Unsupported function '${qualified}'`, e.pos)
      return
    }
    if (builtin.arity !== e.args.length) this.error(`Function '${qualified}' takes ${builtin.arity} argument(s), not ${e.args.length}`, e.pos)
    e.target = { kind: 'builtin', fn: builtin.fn }
  }

  private resolve(name: string, scope: Scope): VarRef | null {
    const local = scope.locals?.get(name)
    if (local !== undefined) return { kind: 'local', index: local }
    // The innermost wildcard of that name wins when nested matches reuse a name.
    for (let i = scope.wildcards.length - 1; i >= 0; i--) {
      const segment = scope.wildcards[i]!
      if (segment.kind !== 'literal' && segment.name === name) return { kind: 'wildcard', index: i, name }
    }
    if (name === 'request' || name === 'resource') return { kind: 'global', name }
    return null
  }
}
