import type { CompiledMatch } from './checker.js'
import { EvalError } from './errors.js'
import { RulesPath, type RulesValue } from './values.js'

/**
 * Matching a request path against a match block's full pattern, binding its wildcards.
 * `{name}` matches one segment and binds it as a string; `{name=**}` matches zero or more
 * segments in version 2 (one or more in version 1) and binds them as a path.
 */

/** A wildcard's value, or the error reading it raises (see UNKNOWN_SEGMENT). */
export type Binding = RulesValue | EvalError

/**
 * Stands for the unknown document ID of a list request: no literal segment equals it, a
 * wildcard matches it, and reading that wildcard is an error.
 */
export const UNKNOWN_SEGMENT = '\u0000'

export function matchPattern(match: CompiledMatch, segments: readonly string[], version: 1 | 2): Binding[] | null {
  const { pattern, restIndex } = match
  const bindings: Binding[] = new Array<Binding>(pattern.length).fill(null)
  if (restIndex < 0) {
    if (pattern.length !== segments.length) return null
    for (let i = 0; i < pattern.length; i++) if (!matchSegment(match, i, segments[i]!, bindings)) return null
    return bindings
  }
  const after = pattern.length - restIndex - 1
  const restLength = segments.length - restIndex - after
  if (restLength < (version === 2 ? 0 : 1)) return null
  for (let i = 0; i < restIndex; i++) if (!matchSegment(match, i, segments[i]!, bindings)) return null
  for (let i = 1; i <= after; i++) {
    if (!matchSegment(match, pattern.length - i, segments[segments.length - i]!, bindings)) return null
  }
  const rest = segments.slice(restIndex, restIndex + restLength)
  bindings[restIndex] = rest.includes(UNKNOWN_SEGMENT) ? unknownId(nameAt(match, restIndex)) : new RulesPath(rest)
  return bindings
}

function matchSegment(match: CompiledMatch, i: number, segment: string, bindings: Binding[]): boolean {
  const p = match.pattern[i]!
  if (p.kind === 'literal') return p.value === segment
  bindings[i] = segment === UNKNOWN_SEGMENT ? unknownId(p.name) : segment
  return true
}

function nameAt(match: CompiledMatch, i: number): string {
  const p = match.pattern[i]!
  return p.kind === 'literal' ? p.value : p.name
}

function unknownId(name: string): EvalError {
  return new EvalError(`Variable ${name} is unknown in a list request: a query is not evaluated per document.`)
}
