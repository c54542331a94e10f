import type { StoredDocument } from '../model/document.js'
import { alreadyExists, failedPrecondition, invalidArgument, notFound } from '../model/errors.js'
import { parseDocumentName, parseFieldPath } from '../model/paths.js'
import type { FieldTransform, Fields, Precondition, Value, Write, WriteResult } from '../model/types.js'
import {
  cloneFields,
  cloneValue,
  compareValues,
  deleteField,
  doubleOf,
  fieldsSize,
  getField,
  integerOf,
  isNaNValue,
  isVector,
  microsToTimestamp,
  referenceSize,
  setField,
  timestampToMicros,
  valueKind,
  valuesEqual,
} from '../model/values.js'

/** Firestore's limit on a document's storage size. */
export const MAX_DOCUMENT_BYTES = 1_048_576

/** The operation of a Write, read from whichever member is set. */
export function writeOperation(write: Write): 'update' | 'delete' | 'transform' | 'verify' {
  if (write.update) return 'update'
  if (write.delete) return 'delete'
  if (write.transform) return 'transform'
  if (write.verify) return 'verify'
  throw invalidArgument('A write must set one of update, delete, transform or verify.')
}

/** The resource name a write targets. */
export function writeTarget(write: Write): string {
  switch (writeOperation(write)) {
    case 'update':
      return write.update!.name
    case 'delete':
      return write.delete!
    case 'transform':
      return write.transform!.document
    case 'verify':
      return write.verify!
  }
}

/** The outcome of one write on one document: its new state and the transform results. */
export interface AppliedWrite {
  /** The new fields, or null when the write deletes the document. Undefined for verify. */
  after: Fields | null | undefined
  transformResults: Value[]
}

/**
 * Applies one write to a document's current state (undefined if missing), at commit time
 * `commitTime`. Checks the precondition and the size limit; throws FirestoreError.
 */
export function applyWrite(write: Write, current: StoredDocument | undefined, commitTime: number): AppliedWrite {
  const name = writeTarget(write)
  parseDocumentName(name)
  checkPrecondition(write.currentDocument, current, name)
  const op = writeOperation(write)
  if (op === 'verify') return { after: undefined, transformResults: [] }
  if (op === 'delete') return { after: null, transformResults: [] }

  let fields: Fields
  let transforms: FieldTransform[]
  if (op === 'transform') {
    fields = cloneFields(current?.fields)
    transforms = write.transform!.fieldTransforms ?? []
  } else {
    const update = write.update!
    validateFieldNames(update.fields ?? {}, name)
    const mask = write.updateMask?.fieldPaths
    if (write.updateMask && mask) {
      fields = cloneFields(current?.fields)
      for (const path of mask) {
        const segments = parseFieldPath(path)
        const value = getField(update.fields, segments)
        if (value === undefined) deleteField(fields, segments)
        else setField(fields, segments, cloneValue(value))
      }
    } else {
      fields = cloneFields(update.fields)
    }
    transforms = write.updateTransforms ?? []
  }

  const transformResults = applyTransforms(fields, transforms, commitTime, name)
  truncateTimestamps(fields)
  const size = referenceSize(name) + fieldsSize(fields) + 32
  if (size > MAX_DOCUMENT_BYTES) {
    throw invalidArgument(
      `Document "${name}" cannot be written because its size (${size.toLocaleString('en-US')} bytes) exceeds the maximum allowed size of 1,048,576 bytes.`,
    )
  }
  return { after: fields, transformResults }
}

/**
 * Firestore stores timestamps with microsecond precision, rounding finer precision down.
 * Mutates `fields`, which must be the write's own copy.
 */
function truncateTimestamps(fields: Fields): void {
  for (const key in fields) truncateTimestampsIn(fields[key]!)
}

function truncateTimestampsIn(value: Value): void {
  const timestamp = value.timestampValue
  if (timestamp) {
    const nanos = timestamp.nanos ?? 0
    if (nanos % 1000 !== 0) timestamp.nanos = nanos - (nanos % 1000)
  } else if (value.arrayValue) {
    for (const element of value.arrayValue.values ?? []) truncateTimestampsIn(element)
  } else if (value.mapValue) {
    truncateTimestamps(value.mapValue.fields ?? {})
  }
}

function checkPrecondition(precondition: Precondition | null | undefined, current: StoredDocument | undefined, name: string): void {
  if (!precondition) return
  if (precondition.exists !== undefined && precondition.exists !== null && (precondition.conditionType ?? 'exists') === 'exists') {
    if (precondition.exists && !current) throw notFound(`No document to update: ${name}`)
    if (!precondition.exists && current) throw alreadyExists(`Document already exists: ${name}`)
  }
  if (precondition.updateTime && (precondition.conditionType ?? 'updateTime') === 'updateTime') {
    const expected = timestampToMicros(precondition.updateTime)
    // A missing document fails an update-time precondition like a stale one: FAILED_PRECONDITION,
    // which the client SDKs retry in transactions (a document read, then deleted by another client).
    if (!current) throw failedPrecondition(`The document "${name}" does not exist, so it was not last updated at the time the precondition requires.`)
    if (current.updateTime !== expected) {
      throw failedPrecondition(`The document "${name}" was last updated at a different time than the precondition requires.`)
    }
  }
}

/** Firestore's limit on a field path (the names from the top-level field down, joined by dots). */
const MAX_FIELD_PATH_BYTES = 1500

/**
 * Map keys may not be empty, `__name__`-style keys are reserved, and no field path may
 * exceed 1,500 bytes. `parentBytes` is the byte length of the enclosing field's path.
 */
function validateFieldNames(fields: Fields, name: string, depth = 0, parentBytes = 0): void {
  if (depth > 20) throw invalidArgument(`Document "${name}" nests maps more than 20 levels deep.`)
  for (const key in fields) {
    if (key === '') throw invalidArgument(`Document "${name}" has a field with an empty name.`)
    if (/^__.*__$/.test(key)) throw invalidArgument(`Field name "${key}" in "${name}" is reserved.`)
    const pathBytes = parentBytes + (depth > 0 ? 1 : 0) + Buffer.byteLength(key)
    if (pathBytes > MAX_FIELD_PATH_BYTES) {
      throw invalidArgument(`A field path in "${name}" is longer than ${MAX_FIELD_PATH_BYTES} bytes (field "${key.slice(0, 40)}...").`)
    }
    const value = fields[key]!
    const kind = valueKind(value)
    if (kind === undefined) throw invalidArgument(`Field "${key}" in "${name}" has no value set.`)
    validateNestedNames(value, name, depth + 1, pathBytes)
  }
}

/** Validates the names of maps inside a value, also within arrays (whose elements add no path segment). */
function validateNestedNames(value: Value, name: string, depth: number, pathBytes: number): void {
  const kind = valueKind(value)
  // A vector is a map with the reserved key __type__: its shape is the SDKs', not user field names.
  if (kind === 'map' && !isVector(value)) validateFieldNames(value.mapValue?.fields ?? {}, name, depth, pathBytes)
  else if (kind === 'array') for (const element of value.arrayValue?.values ?? []) validateNestedNames(element, name, depth + 1, pathBytes)
}

function applyTransforms(fields: Fields, transforms: FieldTransform[], commitTime: number, name: string): Value[] {
  const results: Value[] = []
  const seen = new Set<string>()
  for (const transform of transforms) {
    const segments = parseFieldPath(transform.fieldPath)
    const key = segments.join('\u0000')
    if (seen.has(key)) throw invalidArgument(`Document "${name}" has more than one transform on field "${transform.fieldPath}".`)
    seen.add(key)
    const result = transformValue(transform, getField(fields, segments), commitTime)
    setField(fields, segments, result)
    results.push(result)
  }
  return results
}

function transformValue(transform: FieldTransform, current: Value | undefined, commitTime: number): Value {
  if (transform.setToServerValue === 'REQUEST_TIME') return { timestampValue: microsToTimestamp(commitTime) }
  if (transform.increment) return increment(current, requireNumber(transform.increment, 'increment'))
  if (transform.maximum) return extremum(current, requireNumber(transform.maximum, 'maximum'), 1)
  if (transform.minimum) return extremum(current, requireNumber(transform.minimum, 'minimum'), -1)
  if (transform.appendMissingElements) {
    const values = current?.arrayValue && valueKind(current) === 'array' ? [...(current.arrayValue.values ?? [])] : []
    for (const element of transform.appendMissingElements.values ?? []) {
      if (!values.some((v) => valuesEqual(v, element))) values.push(cloneValue(element))
    }
    return { arrayValue: { values } }
  }
  if (transform.removeAllFromArray) {
    const remove = transform.removeAllFromArray.values ?? []
    const values = current?.arrayValue && valueKind(current) === 'array' ? current.arrayValue.values ?? [] : []
    return { arrayValue: { values: values.filter((v) => !remove.some((r) => valuesEqual(v, r))) } }
  }
  throw invalidArgument(`Field transform on "${transform.fieldPath}" has no transform set.`)
}

function requireNumber(value: Value, what: string): Value {
  const kind = valueKind(value)
  if (kind !== 'integer' && kind !== 'double') throw invalidArgument(`The ${what} transform needs a number operand.`)
  return value
}

const INT64_MAX = 2n ** 63n - 1n
const INT64_MIN = -(2n ** 63n)

/** Integer + integer saturates at the int64 bounds; anything with a double is a double. */
function increment(current: Value | undefined, operand: Value): Value {
  const kind = current ? valueKind(current) : undefined
  if (kind !== 'integer' && kind !== 'double') return cloneValue(operand)
  if (kind === 'integer' && valueKind(operand) === 'integer') {
    const sum = integerOf(current!) + integerOf(operand)
    return { integerValue: String(sum > INT64_MAX ? INT64_MAX : sum < INT64_MIN ? INT64_MIN : sum) }
  }
  return { doubleValue: asDouble(current!) + asDouble(operand) }
}

function asDouble(value: Value): number {
  return valueKind(value) === 'integer' ? Number(integerOf(value)) : doubleOf(value)
}

/**
 * Maximum (sign 1) or minimum (sign -1): NaN wins; equal operands keep the stored value;
 * a non-number stored value is replaced by the operand.
 */
function extremum(current: Value | undefined, operand: Value, sign: 1 | -1): Value {
  const kind = current ? valueKind(current) : undefined
  if (kind !== 'integer' && kind !== 'double') return cloneValue(operand)
  if (isNaNValue(current!)) return current!
  if (isNaNValue(operand)) return cloneValue(operand)
  return compareValues(operand, current!) * sign > 0 ? cloneValue(operand) : current!
}

/** Whether two field sets are identical, kinds included (1 and 1.0 differ here). */
export function fieldsIdentical(a: Fields, b: Fields): boolean {
  const ak = Object.keys(a)
  if (ak.length !== Object.keys(b).length) return false
  return ak.every((k) => b[k] !== undefined && valuesIdentical(a[k]!, b[k]!))
}

function valuesIdentical(a: Value, b: Value): boolean {
  const kind = valueKind(a)
  if (kind !== valueKind(b)) return false
  switch (kind) {
    case 'double':
      return Object.is(doubleOf(a), doubleOf(b))
    case 'array': {
      const av = a.arrayValue?.values ?? []
      const bv = b.arrayValue?.values ?? []
      return av.length === bv.length && av.every((v, i) => valuesIdentical(v, bv[i]!))
    }
    case 'map':
      return fieldsIdentical(a.mapValue?.fields ?? {}, b.mapValue?.fields ?? {})
    default:
      return compareValues(a, b) === 0
  }
}

/** A WriteResult for the response. */
export function writeResult(updateTime: number | undefined, transformResults: Value[]): WriteResult {
  return { updateTime: updateTime === undefined ? null : microsToTimestamp(updateTime), transformResults }
}
