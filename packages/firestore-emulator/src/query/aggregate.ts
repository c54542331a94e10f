import type { StoredDocument } from '../model/document.js'
import { invalidArgument } from '../model/errors.js'
import { parseFieldPath } from '../model/paths.js'
import type { Aggregation, Value } from '../model/types.js'
import { doubleOf, doubleValue, getField, integerOf, integerValue, valueKind } from '../model/values.js'

/**
 * Aggregation queries (COUNT, SUM, AVG) over a query's results, with the semantics the
 * google.firestore.v1 StructuredAggregationQuery documents.
 */

/** A validated aggregation: its result alias and what it computes. */
export type CompiledAggregation =
  | { readonly alias: string; readonly kind: 'count'; readonly upTo: bigint | undefined }
  | { readonly alias: string; readonly kind: 'sum' | 'avg'; readonly path: string[] }

const MAX_AGGREGATIONS = 5
const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n
const RESERVED_NAME = /^__.*__$/

/**
 * Validates aggregations as Firestore does (one to five, aliases unique and valid field
 * names, count's upTo positive) and gives aliases to those without one, "field_1",
 * "field_2"... in order, as the API documents.
 */
export function validateAggregations(aggregations: readonly Aggregation[]): CompiledAggregation[] {
  if (aggregations.length === 0 || aggregations.length > MAX_AGGREGATIONS) {
    throw invalidArgument(`An aggregation query needs between 1 and ${MAX_AGGREGATIONS} aggregations; this one has ${aggregations.length}.`)
  }
  let unnamed = 0
  const aliases = new Set<string>()
  return aggregations.map((aggregation) => {
    const alias = aggregation.alias ? aggregation.alias : `field_${++unnamed}`
    if (RESERVED_NAME.test(alias)) throw invalidArgument(`Aggregation alias "${alias}" is invalid: names matching __.*__ are reserved.`)
    if (aliases.has(alias)) throw invalidArgument(`Aggregation alias "${alias}" is used more than once; aliases must be unique.`)
    aliases.add(alias)
    return compileAggregation(alias, aggregation)
  })
}

function compileAggregation(alias: string, aggregation: Aggregation): CompiledAggregation {
  // By presence rather than by the `operator` discriminator, which hand-built objects omit.
  if (aggregation.count != null) return { alias, kind: 'count', upTo: parseUpTo(alias, aggregation.count.upTo) }
  const kind = aggregation.sum != null ? 'sum' : aggregation.avg != null ? 'avg' : undefined
  if (kind === undefined) throw invalidArgument(`Aggregation "${alias}" must set one of count, sum or avg.`)
  const fieldPath = (aggregation.sum ?? aggregation.avg)?.field?.fieldPath
  if (!fieldPath) throw invalidArgument(`The ${kind} aggregation "${alias}" needs a field.`)
  return { alias, kind, path: parseFieldPath(fieldPath) }
}

function parseUpTo(alias: string, upTo: { value: string | number } | null | undefined): bigint | undefined {
  if (upTo == null) return undefined
  let n: bigint
  try {
    n = BigInt(upTo.value)
  } catch {
    throw invalidArgument(`Count aggregation "${alias}" has an invalid upTo ${String(upTo.value)}.`)
  }
  if (n <= 0n) throw invalidArgument(`Count aggregation "${alias}" has upTo ${n}; it must be greater than zero.`)
  return n
}

/**
 * The fields of an aggregation query's sum and avg aggregations. A query with them only
 * includes documents that contain all of them (as Firestore documents for multiple
 * aggregations), so they act as existence filters, applied before the limit.
 */
export function aggregatedFieldPaths(aggregations: readonly Aggregation[]): string[][] {
  return validateAggregations(aggregations).flatMap((aggregation) => (aggregation.kind === 'count' ? [] : [aggregation.path]))
}

/** Evaluates aggregations over the documents a query returns (already limited). Returns alias -> Value. */
export function aggregate(results: readonly StoredDocument[], aggregations: readonly Aggregation[]): Record<string, Value> {
  const out: Record<string, Value> = {}
  for (const aggregation of validateAggregations(aggregations)) {
    out[aggregation.alias] =
      aggregation.kind === 'count'
        ? count(results.length, aggregation.upTo)
        : summarize(results, aggregation.path, aggregation.kind)
  }
  return out
}

function count(n: number, upTo: bigint | undefined): Value {
  const total = BigInt(n)
  return integerValue(upTo !== undefined && upTo < total ? upTo : total)
}

/** The numeric values of a field across documents; everything else (null included) is skipped. */
interface NumericTotals {
  /** Exact sum of the integer values. */
  integers: bigint
  /** IEEE sum of the double values (NaN and infinities propagate as IEEE-754 says). */
  doubles: number
  sawDouble: boolean
  count: number
}

function totals(results: readonly StoredDocument[], path: readonly string[]): NumericTotals {
  const t: NumericTotals = { integers: 0n, doubles: 0, sawDouble: false, count: 0 }
  for (const doc of results) {
    const value = getField(doc.fields, path)
    if (value === undefined) continue
    const kind = valueKind(value)
    if (kind === 'integer') t.integers += integerOf(value)
    else if (kind === 'double') {
      t.doubles += doubleOf(value)
      t.sawDouble = true
    } else continue
    t.count++
  }
  return t
}

/**
 * SUM: an integer while every value is an integer and the total fits in int64, otherwise
 * a double; 0 when there is nothing to add. AVG: always a double; null when there is
 * nothing to average.
 */
function summarize(results: readonly StoredDocument[], path: readonly string[], kind: 'sum' | 'avg'): Value {
  const t = totals(results, path)
  if (kind === 'avg') {
    return t.count === 0 ? { nullValue: 'NULL_VALUE' } : doubleValue((Number(t.integers) + t.doubles) / t.count)
  }
  if (!t.sawDouble && t.integers >= INT64_MIN && t.integers <= INT64_MAX) return integerValue(t.integers)
  return doubleValue(Number(t.integers) + t.doubles)
}
