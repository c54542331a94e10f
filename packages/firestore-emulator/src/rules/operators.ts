import type { BinaryOp } from './ast.js'
import { EvalError } from './errors.js'
import { NULL_VALUE_ERROR } from './expect.js'
import {
  RulesDuration,
  RulesMap,
  RulesSet,
  RulesTimestamp,
  checkedInt,
  compareValues,
  isList,
  typeName,
  valuesEqual,
  type RulesValue,
} from './values.js'

/**
 * The operators other than && || ?: (which the evaluator handles, as they absorb errors).
 * Ints and floats mix: the result of int op float is a float; int op int stays an int and
 * overflowing 64 bits is an error. Anything else of mismatched types is an error.
 */

export function unsupported(op: string, a: RulesValue, b?: RulesValue): EvalError {
  if (a === null || b === null) return new EvalError(NULL_VALUE_ERROR)
  const received = b === undefined ? `${op}${typeName(a)}` : `${typeName(a)} ${op} ${typeName(b)}`
  return new EvalError(`Unsupported operation error. Received: ${received}.`)
}

export function binary(op: BinaryOp, a: RulesValue, b: RulesValue): RulesValue {
  switch (op) {
    case '==':
      return valuesEqual(a, b)
    case '!=':
      return !valuesEqual(a, b)
    case '<':
    case '<=':
    case '>':
    case '>=':
      return relational(op, a, b)
    case 'in':
      return contains(b, a)
    case '+':
      return add(a, b)
    case '-':
      return subtract(a, b)
    case '*':
    case '/':
    case '%':
      return multiplicative(op, a, b)
  }
}

function relational(op: '<' | '<=' | '>' | '>=', a: RulesValue, b: RulesValue): boolean {
  const c = compareValues(a, b)
  if (c === undefined) throw unsupported(op, a, b)
  // NaN compares false with every operator.
  switch (op) {
    case '<':
      return c < 0
    case '<=':
      return c <= 0
    case '>':
      return c > 0
    case '>=':
      return c >= 0
  }
}

/** `value in collection`: a list or set member, or a map key. */
function contains(collection: RulesValue, value: RulesValue): boolean {
  if (isList(collection)) return collection.some((item) => valuesEqual(item, value))
  if (collection instanceof RulesSet) return collection.has(value)
  if (collection instanceof RulesMap) {
    if (typeof value !== 'string') throw unsupported('in', value, collection)
    return collection.has(value)
  }
  throw unsupported('in', value, collection)
}

function add(a: RulesValue, b: RulesValue): RulesValue {
  if (typeof a === 'bigint' && typeof b === 'bigint') return checkedInt(a + b)
  if (isNumber(a) && isNumber(b)) return Number(a) + Number(b)
  if (typeof a === 'string' && typeof b === 'string') return a + b
  if (isList(a) && isList(b)) return [...a, ...b]
  if (a instanceof RulesTimestamp && b instanceof RulesDuration) return RulesTimestamp.of(a.nanos + b.nanos)
  if (a instanceof RulesDuration && b instanceof RulesTimestamp) return RulesTimestamp.of(a.nanos + b.nanos)
  if (a instanceof RulesDuration && b instanceof RulesDuration) return new RulesDuration(a.nanos + b.nanos)
  throw unsupported('+', a, b)
}

function subtract(a: RulesValue, b: RulesValue): RulesValue {
  if (typeof a === 'bigint' && typeof b === 'bigint') return checkedInt(a - b)
  if (isNumber(a) && isNumber(b)) return Number(a) - Number(b)
  if (a instanceof RulesTimestamp && b instanceof RulesDuration) return RulesTimestamp.of(a.nanos - b.nanos)
  if (a instanceof RulesTimestamp && b instanceof RulesTimestamp) return new RulesDuration(a.nanos - b.nanos)
  if (a instanceof RulesDuration && b instanceof RulesDuration) return new RulesDuration(a.nanos - b.nanos)
  throw unsupported('-', a, b)
}

function multiplicative(op: '*' | '/' | '%', a: RulesValue, b: RulesValue): RulesValue {
  if (typeof a === 'bigint' && typeof b === 'bigint') {
    if (op === '*') return checkedInt(a * b)
    if (b === 0n) throw new EvalError('Division by zero error.')
    // BigInt division truncates toward zero and % takes the dividend's sign, as in C and Java.
    return checkedInt(op === '/' ? a / b : a % b)
  }
  if (isNumber(a) && isNumber(b)) {
    const x = Number(a)
    const y = Number(b)
    return op === '*' ? x * y : op === '/' ? x / y : x % y
  }
  throw unsupported(op, a, b)
}

export function negate(value: RulesValue): RulesValue {
  if (typeof value === 'bigint') return checkedInt(-value)
  if (typeof value === 'number') return -value
  if (value instanceof RulesDuration) return new RulesDuration(-value.nanos)
  throw unsupported('-', value)
}

export function not(value: RulesValue): boolean {
  if (typeof value !== 'boolean') throw unsupported('!', value)
  return !value
}

function isNumber(value: RulesValue): value is bigint | number {
  return typeof value === 'bigint' || typeof value === 'number'
}

/** Whether `value is type` holds; `type` was validated when the ruleset loaded. */
export function isType(value: RulesValue, type: string): boolean {
  const actual = typeName(value)
  if (type === 'number') return actual === 'int' || actual === 'float'
  return actual === type
}

/** The type names `is` accepts. */
export const TYPE_NAMES = new Set(['bool', 'int', 'float', 'number', 'string', 'bytes', 'list', 'map', 'set', 'path', 'timestamp', 'duration', 'latlng'])
