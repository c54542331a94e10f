import { EvalError } from './errors.js'
import { checkedInt, type RulesList, RulesMap, RulesSet, isList, typeName, type RulesValue } from './values.js'

/** Argument checks shared by methods and functions: each returns the typed value or throws the language's error. */

export const NULL_VALUE_ERROR = 'Null value error.'

export function invalidArgument(fn: string, expected: string, got: RulesValue): EvalError {
  if (got === null) return new EvalError(NULL_VALUE_ERROR)
  return new EvalError(`Invalid argument for '${fn}': expected ${expected}, got ${typeName(got)}.`)
}

export function asString(value: RulesValue, fn: string): string {
  if (typeof value !== 'string') throw invalidArgument(fn, 'a string', value)
  return value
}

export function asInt(value: RulesValue, fn: string): bigint {
  if (typeof value !== 'bigint') throw invalidArgument(fn, 'an int', value)
  return value
}

/** An int or a float, as a float. */
export function asNumber(value: RulesValue, fn: string): number {
  if (typeof value === 'bigint') return Number(value)
  if (typeof value !== 'number') throw invalidArgument(fn, 'a number', value)
  return value
}

export function asList(value: RulesValue, fn: string): RulesList {
  if (!isList(value)) throw invalidArgument(fn, 'a list', value)
  return value
}

export function asMap(value: RulesValue, fn: string): RulesMap {
  if (!(value instanceof RulesMap)) throw invalidArgument(fn, 'a map', value)
  return value
}

/** The members of a list or a set (hasAll and friends take either). */
export function asCollection(value: RulesValue, fn: string): readonly RulesValue[] {
  if (isList(value)) return value
  if (value instanceof RulesSet) return value.values()
  throw invalidArgument(fn, 'a list or a set', value)
}

export function asSet(value: RulesValue, fn: string): RulesSet {
  if (value instanceof RulesSet) return value
  if (isList(value)) return RulesSet.from(value)
  throw invalidArgument(fn, 'a set', value)
}

/** A float as an int, truncated toward zero; NaN, infinities and out-of-range values are errors. */
export function floatToInt(value: number): bigint {
  if (!Number.isFinite(value)) throw new EvalError(`Cannot convert ${value} to int.`)
  return checkedInt(BigInt(Math.trunc(value)))
}
