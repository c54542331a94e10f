import type { Fields, Value } from '../model/types.js'
import { RulesetError } from './errors.js'
import { evaluate } from './evaluator.js'
import { loadRuleset, type Ruleset } from './ruleset.js'
import type { EvaluateOptions, RulesDataAccess, RulesDecision, RulesIssue, RulesRequest } from './types.js'

/** Helpers for the rules unit tests: building rulesets, requests, documents and fake data access. */

export type Plain = null | boolean | number | string | Uint8Array | Date | Value | Plain[] | { [key: string]: Plain }

/** A Firestore value from a plain JS value: integral numbers become integers, others doubles. */
export function value(v: Plain): Value {
  if (v === null) return { nullValue: 'NULL_VALUE' }
  if (typeof v === 'boolean') return { booleanValue: v }
  if (typeof v === 'number') return Number.isInteger(v) ? { integerValue: String(v) } : { doubleValue: v }
  if (typeof v === 'string') return { stringValue: v }
  if (v instanceof Uint8Array) return { bytesValue: v }
  if (v instanceof Date) return { timestampValue: { seconds: String(Math.floor(v.getTime() / 1000)), nanos: (v.getTime() % 1000) * 1e6 } }
  if (Array.isArray(v)) return { arrayValue: { values: v.map(value) } }
  if (isValue(v)) return v
  return { mapValue: { fields: fields(v) } }
}

function isValue(v: object): v is Value {
  const keys = Object.keys(v)
  return keys.length === 1 && /Value$/.test(keys[0]!)
}

export function fields(obj: { [key: string]: Plain }): Fields {
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, value(v)]))
}

/** Wraps match blocks in the Firestore service and the database match. */
export function rules(body: string, version: string | null = '2'): Ruleset {
  const header = version === null ? '' : `rules_version = '${version}';\n`
  return loadRuleset(`${header}service cloud.firestore {\n  match /databases/{database}/documents {\n${body}\n  }\n}\n`)
}

export interface FakeData extends RulesDataAccess {
  /** Paths read, in order, "get:a/b" or "after:a/b". */
  reads: string[]
}

export function fakeData(before: Record<string, { [key: string]: Plain }> = {}, after: Record<string, { [key: string]: Plain } | null> = {}): FakeData {
  const reads: string[] = []
  const doc = (path: string, data: { [key: string]: Plain } | null | undefined) => (data ? { path, fields: fields(data) } : undefined)
  return {
    reads,
    get(path) {
      reads.push(`get:${path}`)
      return doc(path, before[path])
    },
    getAfter(path) {
      reads.push(`after:${path}`)
      return Object.hasOwn(after, path) ? doc(path, after[path]) : doc(path, before[path])
    },
  }
}

export function request(method: RulesRequest['method'], path: string, extra: Partial<RulesRequest> = {}): RulesRequest {
  return { method, path, auth: { uid: 'alice', token: { email: 'alice@example.com' } }, time: Date.UTC(2024, 0, 15, 10, 30) * 1000, ...extra }
}

export function decide(ruleset: Ruleset, req: RulesRequest, data: RulesDataAccess = fakeData(), options?: EvaluateOptions): RulesDecision {
  return evaluate(ruleset, 'demo', '(default)', req, data, options)
}

/**
 * Evaluates a condition as `allow get` on /t/doc (wildcard `id` is "doc"), with optional
 * functions declared beside it. Returns the decision.
 */
export function condition(expr: string, opts: { functions?: string; data?: RulesDataAccess; req?: Partial<RulesRequest> } = {}): RulesDecision {
  const rs = rules(`    match /t/{id} {\n      ${opts.functions ?? ''}\n      allow get: if ${expr};\n    }`)
  return decide(rs, request('get', 't/doc', opts.req), opts.data)
}

/** Whether a condition allows (true) or denies (false, or an error). */
export function holds(expr: string, opts: Parameters<typeof condition>[1] = {}): boolean {
  return condition(expr, opts).allowed
}

/** The reason a condition denies, without the " for 'get' @ Ln" suffix. */
export function denial(expr: string, opts: Parameters<typeof condition>[1] = {}): string {
  const decision = condition(expr, opts)
  if (decision.allowed) return 'allowed'
  return (decision.reason ?? '').replace(/ for 'get' @ L\d+$/, '')
}

/** The issues a ruleset fails to load with (throws if it loads). */
export function loadIssues(source: string): RulesIssue[] {
  try {
    loadRuleset(source)
  } catch (err) {
    if (err instanceof RulesetError) return err.issues
    throw err
  }
  throw new Error('ruleset loaded')
}
