import type { AllowStmt, Expr, FunctionDecl } from './ast.js'
import type { BuiltinContext } from './builtins.js'
import { EvalError } from './errors.js'
import { invalidArgument } from './expect.js'
import { UNKNOWN_SEGMENT, matchPattern, type Binding } from './matcher.js'
import { callMethod, index, property, range } from './methods.js'
import { binary, isType, negate, not } from './operators.js'
import type { Ruleset } from './ruleset.js'
import type { EvaluateOptions, RulesDataAccess, RulesDecision, RulesRequest } from './types.js'
import {
  RulesMap,
  RulesPath,
  RulesTimestamp,
  documentPath,
  fromJson,
  resourceValue,
  splitPath,
  typeName,
  type RulesValue,
} from './values.js'

/** Nested user function calls allowed, as in production. */
export const MAX_CALL_DEPTH = 20

const DEFAULT_MAX_DOCUMENT_ACCESSES = 10

/**
 * Decides a request: every match block whose pattern matches the request path contributes
 * its allow statements for the request's method, tried in order (match blocks in pre-order,
 * allows in source order); the first whose condition is true allows. A condition that is
 * false, not a boolean, or an error denies that statement only. `projectId` is accepted for
 * symmetry with the request path; rules paths do not name the project.
 */
export function evaluate(
  ruleset: Ruleset,
  _projectId: string,
  databaseId: string,
  request: RulesRequest,
  data: RulesDataAccess,
  options: EvaluateOptions = {},
): RulesDecision {
  const relative = splitPath(request.path)
  const isList = request.method === 'list'
  if (relative.length === 0 || relative.length % 2 !== (isList ? 1 : 0)) {
    throw new Error(`Invalid path "${request.path}" for a ${request.method} request: expected a ${isList ? 'collection' : 'document'} path.`)
  }
  const segments = ['databases', databaseId, 'documents', ...relative]
  if (isList) segments.push(UNKNOWN_SEGMENT)
  const evaluation = new Evaluation(databaseId, request, data, options)
  const tried: string[] = []
  for (const match of ruleset.matches) {
    const allows = match.allows.get(request.method)
    if (!allows) continue
    const bindings = matchPattern(match, segments, ruleset.version)
    if (!bindings) continue
    for (const allow of allows) {
      const outcome = evaluation.condition(allow, bindings)
      if (outcome === true) return { allowed: true }
      tried.push(`${outcome} for '${request.method}' @ L${allow.line}`)
    }
  }
  return { allowed: false, reason: tried.length > 0 ? tried.join(', ') : 'No matching allow statements' }
}

interface Env {
  bindings: Binding[]
  locals: RulesValue[] | null
}

class Evaluation implements BuiltinContext {
  private depth = 0
  private readonly documents = new Map<string, RulesMap | null>()
  private readonly accessed: Set<string>
  private readonly maxAccesses: number
  private requestValue: RulesMap | null = null
  private resourceBinding: Binding | undefined

  constructor(
    private readonly databaseId: string,
    private readonly request: RulesRequest,
    private readonly data: RulesDataAccess,
    options: EvaluateOptions,
  ) {
    this.accessed = options.accessedDocuments ?? new Set()
    this.maxAccesses = options.maxDocumentAccesses ?? DEFAULT_MAX_DOCUMENT_ACCESSES
  }

  /** true when the statement allows, else what production reports: "false", or the error. */
  condition(allow: AllowStmt, bindings: Binding[]): true | string {
    if (!allow.condition) return true
    try {
      const value = this.eval(allow.condition, { bindings, locals: null })
      if (value === true) return true
      return typeof value === 'boolean' ? 'false' : `Condition is not a boolean (got ${typeName(value)}).`
    } catch (err) {
      if (err instanceof EvalError) return err.message
      throw err
    }
  }

  document(path: RulesValue, after: boolean): RulesMap | null {
    if (!(path instanceof RulesPath)) throw invalidArgument(after ? 'getAfter' : 'get', 'a path', path)
    const s = path.segments
    if (s.length < 5 || s[0] !== 'databases' || s[2] !== 'documents' || (s.length - 3) % 2 !== 0 || s.some((x) => x === '')) {
      throw new EvalError(`Invalid document path: ${path.toString()}.`)
    }
    if (s[1] !== this.databaseId) throw new EvalError(`Cannot read documents of database '${s[1]}' from rules of database '${this.databaseId}'.`)
    const relative = s.slice(3).join('/')
    const key = (after ? 'after:' : 'before:') + relative
    const cached = this.documents.get(key)
    if (cached !== undefined) return cached
    if (!this.accessed.has(key)) {
      if (this.accessed.size >= this.maxAccesses) throw new EvalError(`Exceeded the maximum of ${this.maxAccesses} document access calls.`)
      this.accessed.add(key)
    }
    const doc = after ? this.data.getAfter(relative) : this.data.get(relative)
    const value = doc ? resourceValue(doc, this.databaseId) : null
    this.documents.set(key, value)
    return value
  }

  private eval(e: Expr, env: Env): RulesValue {
    switch (e.kind) {
      case 'literal':
        return e.value
      case 'list':
        return e.items.map((item) => this.eval(item, env))
      case 'map':
        return RulesMap.of(e.entries.map(({ key, value }) => [this.mapKey(this.eval(key, env)), this.eval(value, env)] as const))
      case 'path':
        return this.path(e.parts, env)
      case 'ident':
        return this.variable(e, env)
      case 'member':
        return property(this.eval(e.object, env), e.name)
      case 'index':
        return index(this.eval(e.object, env), this.eval(e.index, env))
      case 'range':
        return range(this.eval(e.object, env), this.eval(e.start, env), this.eval(e.end, env))
      case 'call': {
        const args = e.args.map((arg) => this.eval(arg, env))
        const target = e.target!
        return target.kind === 'user' ? this.callUser(target.fn, args, env) : target.fn(args, this)
      }
      case 'method': {
        const receiver = this.eval(e.object, env)
        return callMethod(
          receiver,
          e.name,
          e.args.map((arg) => this.eval(arg, env)),
        )
      }
      case 'unary': {
        const operand = this.eval(e.operand, env)
        return e.op === '!' ? not(operand) : negate(operand)
      }
      case 'binary':
        return binary(e.op, this.eval(e.left, env), this.eval(e.right, env))
      case 'logical':
        return this.logical(e.op, e.left, e.right, env)
      case 'ternary': {
        const condition = this.eval(e.condition, env)
        if (typeof condition !== 'boolean') throw new EvalError(`Expected a boolean condition for '?:', got ${typeName(condition)}.`)
        return this.eval(condition ? e.then : e.otherwise, env)
      }
      case 'is':
        return isType(this.eval(e.operand, env), e.type)
    }
  }

  /**
   * `&&` and `||` absorb an error on either side when the other side decides the result:
   * `error && false` is false, `error || true` is true; otherwise the error stands. A
   * non-boolean operand is an error too.
   */
  private logical(op: '&&' | '||', left: Expr, right: Expr, env: Env): boolean {
    const decisive = op === '||'
    let leftError: EvalError | null = null
    try {
      const value = this.bool(op, this.eval(left, env))
      if (value === decisive) return value
    } catch (err) {
      if (!(err instanceof EvalError)) throw err
      leftError = err
    }
    let value: boolean
    try {
      value = this.bool(op, this.eval(right, env))
    } catch (err) {
      if (leftError && err instanceof EvalError) throw leftError
      throw err
    }
    if (leftError && value !== decisive) throw leftError
    return value
  }

  private bool(op: string, value: RulesValue): boolean {
    if (typeof value !== 'boolean') throw new EvalError(`Expected a boolean operand for '${op}', got ${typeName(value)}.`)
    return value
  }

  private callUser(fn: FunctionDecl, args: RulesValue[], env: Env): RulesValue {
    if (this.depth >= MAX_CALL_DEPTH) throw new EvalError(`Maximum function call depth (${MAX_CALL_DEPTH}) exceeded.`)
    this.depth++
    try {
      const locals: RulesValue[] = args.slice()
      const frame: Env = { bindings: env.bindings, locals }
      for (const binding of fn.lets) locals.push(this.eval(binding.value, frame))
      return this.eval(fn.body, frame)
    } finally {
      this.depth--
    }
  }

  private variable(e: Extract<Expr, { kind: 'ident' }>, env: Env): RulesValue {
    const ref = e.ref!
    switch (ref.kind) {
      case 'local':
        return env.locals![ref.index]!
      case 'wildcard': {
        const value = env.bindings[ref.index]!
        if (value instanceof EvalError) throw value
        return value
      }
      case 'global':
        return ref.name === 'request' ? this.requestMap() : this.resource()
    }
  }

  private mapKey(key: RulesValue): string {
    if (typeof key !== 'string') throw new EvalError(`Map keys must be strings, got ${typeName(key)}.`)
    return key
  }

  /** A path literal: literal segments, interpolated strings (one segment) and paths (spliced). */
  private path(parts: (string | Expr)[], env: Env): RulesPath {
    const segments: string[] = []
    for (const part of parts) {
      if (typeof part === 'string') {
        segments.push(part)
        continue
      }
      const value = this.eval(part, env)
      if (typeof value === 'string') segments.push(value)
      else if (typeof value === 'bigint') segments.push(value.toString())
      else if (value instanceof RulesPath) segments.push(...value.segments)
      else throw invalidArgument('$()', 'a string or a path', value)
    }
    return new RulesPath(segments)
  }

  private requestMap(): RulesMap {
    if (this.requestValue) return this.requestValue
    const r = this.request
    const entries: [string, RulesValue][] = [
      ['auth', r.auth ? RulesMap.of([['uid', r.auth.uid], ['token', fromJson(r.auth.token)]]) : null],
      ['method', r.method],
      ['path', documentPath(this.databaseId, r.path)],
      ['time', RulesTimestamp.of(BigInt(Math.trunc(r.time)) * 1000n)],
      ['resource', r.resource ? resourceValue(r.resource, this.databaseId) : null],
    ]
    if (r.method === 'list') {
      const query: [string, RulesValue][] = []
      if (r.query?.limit !== undefined) query.push(['limit', BigInt(Math.trunc(r.query.limit))])
      if (r.query?.offset !== undefined) query.push(['offset', BigInt(Math.trunc(r.query.offset))])
      if (r.query?.orderBy !== undefined) query.push(['orderBy', r.query.orderBy])
      entries.push(['query', RulesMap.of(query)])
    }
    this.requestValue = RulesMap.of(entries)
    return this.requestValue
  }

  /** `resource`: the stored document (null if none, and for create); unknown for list. */
  private resource(): RulesValue {
    if (this.resourceBinding === undefined) {
      const r = this.request
      if (r.method === 'list') {
        this.resourceBinding = new EvalError('resource is unknown in a list request: a query is not evaluated per document.')
      } else if (r.method === 'create') {
        this.resourceBinding = null
      } else {
        const doc = this.data.get(r.path)
        this.resourceBinding = doc ? resourceValue(doc, this.databaseId) : null
      }
    }
    if (this.resourceBinding instanceof EvalError) throw this.resourceBinding
    return this.resourceBinding
  }
}
