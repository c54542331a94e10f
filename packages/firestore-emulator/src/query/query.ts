import type { StoredDocument } from '../model/document.js'
import { invalidArgument, unimplemented } from '../model/errors.js'
import { KEY_FIELD, formatFieldPath, parseFieldPath, parseResourceName } from '../model/paths.js'
import type {
  CollectionSelector,
  CompositeFilter,
  Cursor,
  FieldFilter,
  FieldFilterOp,
  FieldReference,
  Fields,
  Filter,
  Order,
  StructuredQuery,
  UnaryFilter,
  Value,
} from '../model/types.js'
import { compareSegments, compareStrings, compareValues, getField, isNaNValue, setField, typeOrder, valueKind, valuesEqual } from '../model/values.js'

/**
 * The query evaluator: validates a google.firestore.v1.StructuredQuery the way Cloud
 * Firestore does and compiles it once into predicates and comparators, so that matching a
 * document (done on every commit for every listener) costs no parsing.
 *
 * Matching mirrors the Firebase JS SDK's client-side evaluation (core/filter.ts,
 * core/query.ts, core/bound.ts), because the SDK re-applies queries locally and must agree
 * with what the server sent; where the SDK's equality is stricter than the server's
 * (1 vs 1.0), the server's value equality is used.
 */

/** One ordering of the normalized orderBy. */
export interface Ordering {
  readonly path: string[]
  readonly descending: boolean
}

export interface CompiledQuery {
  /** The database-relative segments of the parent the query is under ([] for the root). */
  readonly parent: readonly string[]
  readonly collectionId: string
  readonly allDescendants: boolean
  /** The normalized ordering: explicit orderBy, then implicit inequality fields, then __name__. */
  readonly orderBy: readonly Ordering[]
  readonly limit: number | undefined
  readonly offset: number
  /**
   * In the queried collection (or collection group under parent), has every orderBy field,
   * and passes the where filter. Ignores cursors, offset, limit.
   */
  matches(doc: StoredDocument): boolean
  /** Between the startAt and endAt cursors (true when there are none). Assumes `matches`. */
  withinCursors(doc: StoredDocument): boolean
  /** Orders two documents by the normalized orderBy. */
  compare(a: StoredDocument, b: StoredDocument): number
  /** Full evaluation over candidate documents (any documents; non-members are ignored): filter, sort, cursors, offset, limit. */
  run(docs: Iterable<StoredDocument>): StoredDocument[]
  /**
   * The fields a result carries: all, or only the `select` projection (select of only
   * __name__ gives {}). The result shares values with `doc`; don't mutate it.
   */
  project(doc: StoredDocument): Fields
}

/** Firestore's limits on disjunctive filters. */
const MAX_IN_VALUES = 30
const MAX_NOT_IN_VALUES = 10
const MAX_DISJUNCTIONS = 30
const MAX_INEQUALITY_FIELDS = 10

type DocPredicate = (doc: StoredDocument) => boolean

/** A compiled filter node, with what validation needs to know about its disjunctive normal form. */
interface CompiledFilter {
  readonly test: DocPredicate
  /** Terms of the DNF, each IN / ARRAY_CONTAINS_ANY value counting as one. */
  readonly disjunctions: number
  /** The most ARRAY_CONTAINS filters in any one DNF term. */
  readonly arrayContains: number
  /** The most ARRAY_CONTAINS_ANY filters in any one DNF term. */
  readonly arrayContainsAny: number
  /** Whether some DNF term has both an ARRAY_CONTAINS and an ARRAY_CONTAINS_ANY. */
  readonly mixesArrayContains: boolean
}

/** Query-wide facts gathered while compiling the filter tree. */
interface FilterFacts {
  /** Fields with <, <=, >, >=, !=, not-in, IS_NOT_NULL or IS_NOT_NAN, by canonical path. */
  readonly inequalityFields: Map<string, string[]>
  /** NOT_EQUAL, IS_NOT_NULL and IS_NOT_NAN filters (the API's "not equal" family). */
  notEqual: number
  notIn: number
  in: number
  arrayContainsAny: number
  or: number
}

interface CompileContext {
  /** The segments of the database root's resource name: projects, p, databases, d, documents. */
  readonly root: readonly string[]
  readonly facts: FilterFacts
}

/** An ordering with its comparison precompiled. */
interface CompiledOrdering extends Ordering {
  readonly isKey: boolean
}

/**
 * Validates and compiles. `parent` is a full resource name "projects/p/databases/d/documents[/coll/doc...]". Throws FirestoreError INVALID_ARGUMENT with a readable message for invalid queries.
 * `extraRequiredFields` are fields every result must have besides the orderBy fields (an
 * aggregation query's sum and avg fields).
 */
export function compileQuery(parent: string, query: StructuredQuery, extraRequiredFields: readonly string[][] = []): CompiledQuery {
  const { root, parentSegments } = parseParent(parent)
  const selector = singleSelector(query.from)
  if (query.findNearest != null) throw unimplemented('findNearest (vector search) is not supported by this emulator.')

  const facts: FilterFacts = { inequalityFields: new Map(), notEqual: 0, notIn: 0, in: 0, arrayContainsAny: 0, or: 0 }
  const where = query.where == null ? undefined : compileFilter(query.where, { root, facts })
  validateFilterCombination(facts, where)

  const orderBy = normalizeOrderBy(query.orderBy ?? [], facts.inequalityFields)
  const startAt = compileBound(query.startAt, 'startAt', orderBy, root)
  const endAt = compileBound(query.endAt, 'endAt', orderBy, root)

  return new Compiled({
    parent: parentSegments,
    collectionId: selector.collectionId,
    allDescendants: selector.allDescendants === true,
    orderBy,
    limit: parseLimit(query.limit),
    offset: parseOffset(query.offset),
    inScope: compileScope(parentSegments, selector),
    where: where?.test,
    requiredFields: [...orderBy.filter((o) => !o.isKey).map((o) => o.path), ...extraRequiredFields],
    startAt,
    endAt,
    projection: compileProjection(query.select),
  })
}

interface CompiledParts {
  readonly parent: readonly string[]
  readonly collectionId: string
  readonly allDescendants: boolean
  readonly orderBy: readonly CompiledOrdering[]
  readonly limit: number | undefined
  readonly offset: number
  readonly inScope: DocPredicate
  readonly where: DocPredicate | undefined
  /** Fields every result must have: Firestore's implicit existence filter for orderBy fields. */
  readonly requiredFields: readonly string[][]
  readonly startAt: DocPredicate | undefined
  readonly endAt: DocPredicate | undefined
  /** Field paths to keep, none a prefix of another; undefined keeps all fields. */
  readonly projection: readonly string[][] | undefined
}

class Compiled implements CompiledQuery {
  readonly parent: readonly string[]
  readonly collectionId: string
  readonly allDescendants: boolean
  readonly orderBy: readonly CompiledOrdering[]
  readonly limit: number | undefined
  readonly offset: number

  constructor(private readonly parts: CompiledParts) {
    this.parent = parts.parent
    this.collectionId = parts.collectionId
    this.allDescendants = parts.allDescendants
    this.orderBy = parts.orderBy
    this.limit = parts.limit
    this.offset = parts.offset
  }

  // Arrow properties, so callers can pass these around unbound (e.g. to Array.prototype.sort).
  readonly matches = (doc: StoredDocument): boolean => {
    const { inScope, requiredFields, where } = this.parts
    if (!inScope(doc)) return false
    for (const path of requiredFields) if (getField(doc.fields, path) === undefined) return false
    return where === undefined || where(doc)
  }

  readonly withinCursors = (doc: StoredDocument): boolean => {
    const { startAt, endAt } = this.parts
    return (startAt === undefined || startAt(doc)) && (endAt === undefined || endAt(doc))
  }

  readonly compare = (a: StoredDocument, b: StoredDocument): number => {
    for (const ordering of this.orderBy) {
      const c = compareByOrdering(ordering, a, b)
      if (c !== 0) return c
    }
    return 0
  }

  readonly run = (docs: Iterable<StoredDocument>): StoredDocument[] => {
    const hits: StoredDocument[] = []
    for (const doc of docs) if (this.matches(doc) && this.withinCursors(doc)) hits.push(doc)
    hits.sort(this.compare)
    return hits.slice(this.offset, this.limit === undefined ? undefined : this.offset + this.limit)
  }

  readonly project = (doc: StoredDocument): Fields => {
    const { projection } = this.parts
    if (projection === undefined) return doc.fields
    const result: Fields = {}
    for (const path of projection) {
      const value = getField(doc.fields, path)
      // No selected path is a prefix of another, so setField only ever creates fresh maps
      // in `result` and never writes into the stored document's values.
      if (value !== undefined) setField(result, path, value)
    }
    return result
  }
}

// ---------------------------------------------------------------------------------------
// from / parent

const PARENT_PATTERN = /^projects\/[^/]+\/databases\/[^/]+\/documents(\/|$)/

function parseParent(parent: string): { root: string[]; parentSegments: string[] } {
  if (!PARENT_PATTERN.test(parent)) {
    throw invalidArgument(`Invalid query parent "${parent}". Expected projects/{project_id}/databases/{database_id}/documents[/{document_path}].`)
  }
  const { projectId, databaseId, segments } = parseResourceName(parent)
  if (segments.length % 2 !== 0) throw invalidArgument(`Invalid query parent "${parent}": a query's parent must be the database root or a document, not a collection.`)
  return { root: ['projects', projectId, 'databases', databaseId, 'documents'], parentSegments: segments }
}

function singleSelector(from: readonly CollectionSelector[] | undefined): CollectionSelector {
  if (!from || from.length !== 1) {
    throw invalidArgument(`A query must select exactly one collection in "from"; this one has ${from?.length ?? 0}.`)
  }
  const selector = from[0]!
  const collectionId = selector.collectionId ?? ''
  const allDescendants = selector.allDescendants === true
  if (collectionId === '' && !allDescendants) throw invalidArgument('A query without allDescendants must name a collection (collectionId is empty).')
  if (collectionId.includes('/')) throw invalidArgument(`Invalid collection id "${collectionId}": it may not contain "/".`)
  return { collectionId, allDescendants }
}

/**
 * Membership: a direct child of `parent` in the collection, or with allDescendants any
 * document below `parent` whose own collection has that id (any collection when the id
 * is empty, the "kindless" query).
 */
function compileScope(parent: readonly string[], { collectionId, allDescendants }: CollectionSelector): DocPredicate {
  const depth = parent.length
  return (doc) => {
    const segments = doc.segments
    if (allDescendants ? segments.length <= depth : segments.length !== depth + 2) return false
    for (let i = 0; i < depth; i++) if (segments[i] !== parent[i]) return false
    return collectionId === '' || segments[segments.length - 2] === collectionId
  }
}

// ---------------------------------------------------------------------------------------
// where

function compileFilter(filter: Filter, ctx: CompileContext): CompiledFilter {
  // By presence rather than by the `filterType` discriminator, which hand-built filters omit.
  if (filter.compositeFilter != null) return compileCompositeFilter(filter.compositeFilter, ctx)
  if (filter.fieldFilter != null) return compileFieldFilter(filter.fieldFilter, ctx)
  if (filter.unaryFilter != null) return compileUnaryFilter(filter.unaryFilter, ctx)
  throw invalidArgument('A filter must set one of compositeFilter, fieldFilter or unaryFilter.')
}

function compileCompositeFilter(filter: CompositeFilter, ctx: CompileContext): CompiledFilter {
  const children = (filter.filters ?? []).map((f) => compileFilter(f, ctx))
  if (children.length === 0) throw invalidArgument(`A composite ${filter.op} filter needs at least one filter.`)
  if (filter.op === 'AND') return conjunction(children)
  if (filter.op === 'OR') {
    ctx.facts.or++
    return disjunction(children)
  }
  throw invalidArgument(`Invalid composite filter operator "${filter.op}"; expected AND or OR.`)
}

function conjunction(children: readonly CompiledFilter[]): CompiledFilter {
  const tests = children.map((c) => c.test)
  // A DNF term of an AND picks one term from each child, so the worst term sums the worst of each.
  const withContains = children.filter((c) => c.arrayContains > 0)
  const withContainsAny = children.filter((c) => c.arrayContainsAny > 0)
  const onlySameChild = withContains.length === 1 && withContainsAny.length === 1 && withContains[0] === withContainsAny[0]
  return {
    test: tests.length === 1 ? tests[0]! : (doc) => tests.every((t) => t(doc)),
    disjunctions: children.reduce((n, c) => n * c.disjunctions, 1),
    arrayContains: children.reduce((n, c) => n + c.arrayContains, 0),
    arrayContainsAny: children.reduce((n, c) => n + c.arrayContainsAny, 0),
    mixesArrayContains:
      children.some((c) => c.mixesArrayContains) || (withContains.length > 0 && withContainsAny.length > 0 && !onlySameChild),
  }
}

function disjunction(children: readonly CompiledFilter[]): CompiledFilter {
  const tests = children.map((c) => c.test)
  return {
    test: tests.length === 1 ? tests[0]! : (doc) => tests.some((t) => t(doc)),
    disjunctions: children.reduce((n, c) => n + c.disjunctions, 0),
    arrayContains: Math.max(...children.map((c) => c.arrayContains)),
    arrayContainsAny: Math.max(...children.map((c) => c.arrayContainsAny)),
    mixesArrayContains: children.some((c) => c.mixesArrayContains),
  }
}

function leaf(test: DocPredicate, shape: Partial<Omit<CompiledFilter, 'test'>> = {}): CompiledFilter {
  return { test, disjunctions: 1, arrayContains: 0, arrayContainsAny: 0, mixesArrayContains: false, ...shape }
}

const COMPARISONS: Partial<Record<FieldFilterOp, (c: number) => boolean>> = {
  LESS_THAN: (c) => c < 0,
  LESS_THAN_OR_EQUAL: (c) => c <= 0,
  GREATER_THAN: (c) => c > 0,
  GREATER_THAN_OR_EQUAL: (c) => c >= 0,
  EQUAL: (c) => c === 0,
  NOT_EQUAL: (c) => c !== 0,
}

const INEQUALITY_OPS: ReadonlySet<string> = new Set([
  'LESS_THAN',
  'LESS_THAN_OR_EQUAL',
  'GREATER_THAN',
  'GREATER_THAN_OR_EQUAL',
  'NOT_EQUAL',
  'NOT_IN',
])

function compileFieldFilter(filter: FieldFilter, ctx: CompileContext): CompiledFilter {
  const path = fieldPathOf(filter.field, 'A field filter')
  const label = `${filter.op} filter on "${formatFieldPath(path)}"`
  const value = filter.value
  if (value == null || valueKind(value) === undefined) throw invalidArgument(`The ${label} has no value.`)
  if (filter.op === 'EQUAL' || filter.op === 'NOT_EQUAL') {
    const unary = filter.op === 'EQUAL' ? 'IS' : 'IS_NOT'
    if (valueKind(value) === 'null') throw invalidArgument(`The ${label} compares with null; use a unary ${unary}_NULL filter instead.`)
    if (isNaNValue(value)) throw invalidArgument(`The ${label} compares with NaN; use a unary ${unary}_NAN filter instead.`)
  }
  recordFieldFilterFacts(filter.op, path, ctx.facts)
  return isKeyPath(path) ? compileKeyFilter(filter.op, value, label, ctx.root) : compileValueFilter(filter.op, path, value, label)
}

function recordFieldFilterFacts(op: FieldFilterOp, path: string[], facts: FilterFacts): void {
  if (INEQUALITY_OPS.has(op)) facts.inequalityFields.set(formatFieldPath(path), path)
  if (op === 'NOT_EQUAL') facts.notEqual++
  else if (op === 'NOT_IN') facts.notIn++
  else if (op === 'IN') facts.in++
  else if (op === 'ARRAY_CONTAINS_ANY') facts.arrayContainsAny++
}

/** A filter on a document field. A document lacking the field never matches. */
function compileValueFilter(op: FieldFilterOp, path: string[], operand: Value, label: string): CompiledFilter {
  const field = (doc: StoredDocument) => getField(doc.fields, path)
  const comparison = COMPARISONS[op]
  if (op === 'NOT_EQUAL') {
    // As the SDK: != also excludes null values, and compares across types.
    return leaf((doc) => {
      const value = field(doc)
      return value !== undefined && valueKind(value) !== 'null' && !valuesEqual(value, operand)
    })
  }
  if (comparison) {
    // Range and equality comparisons only see values of the operand's type (ints and doubles
    // being one type), so `a > 1` never matches a string.
    const operandType = typeOrder(operand)
    return leaf((doc) => {
      const value = field(doc)
      return value !== undefined && typeOrder(value) === operandType && comparison(compareValues(value, operand))
    })
  }
  switch (op) {
    case 'ARRAY_CONTAINS':
      return leaf((doc) => arrayElements(field(doc))?.some((e) => valuesEqual(e, operand)) === true, { arrayContains: 1 })
    case 'ARRAY_CONTAINS_ANY': {
      const candidates = disjunctiveValues(operand, MAX_IN_VALUES, label)
      const test: DocPredicate = (doc) => arrayElements(field(doc))?.some((e) => includesValue(candidates, e)) === true
      return leaf(test, { arrayContainsAny: 1, disjunctions: candidates.length })
    }
    case 'IN': {
      const candidates = disjunctiveValues(operand, MAX_IN_VALUES, label)
      const test: DocPredicate = (doc) => {
        const value = field(doc)
        return value !== undefined && includesValue(candidates, value)
      }
      return leaf(test, { disjunctions: candidates.length })
    }
    case 'NOT_IN': {
      const excluded = disjunctiveValues(operand, MAX_NOT_IN_VALUES, label)
      // As the SDK's NotInFilter: a list containing null matches nothing, and null values never match.
      if (excluded.some((v) => valueKind(v) === 'null')) return leaf(() => false)
      return leaf((doc) => {
        const value = field(doc)
        return value !== undefined && valueKind(value) !== 'null' && !includesValue(excluded, value)
      })
    }
    default:
      throw invalidArgument(`Invalid field filter operator "${op}" on "${formatFieldPath(path)}".`)
  }
}

/** A filter on __name__: compares the document's full resource name with reference values. */
function compileKeyFilter(op: FieldFilterOp, operand: Value, label: string, root: readonly string[]): CompiledFilter {
  const comparison = COMPARISONS[op]
  if (comparison) {
    const name = referenceSegments(operand, `The ${label}`)
    return leaf((doc) => comparison(-compareNameWithDocument(name, root, doc)))
  }
  if (op === 'IN' || op === 'NOT_IN') {
    const values = disjunctiveValues(operand, op === 'IN' ? MAX_IN_VALUES : MAX_NOT_IN_VALUES, label)
    const names = new Set(values.map((v) => referenceSegments(v, `Each value of the ${label}`).join('/')))
    const rootName = root.join('/')
    const isListed: DocPredicate = (doc) => names.has(`${rootName}/${doc.path}`)
    return op === 'IN' ? leaf(isListed, { disjunctions: values.length }) : leaf((doc) => !isListed(doc))
  }
  throw invalidArgument(`Invalid query: ${op} filters are not supported on ${KEY_FIELD}.`)
}

function compileUnaryFilter(filter: UnaryFilter, ctx: CompileContext): CompiledFilter {
  const path = fieldPathOf(filter.field, `A unary ${filter.op} filter`)
  if (isKeyPath(path)) throw invalidArgument(`Unary ${filter.op} filters are not supported on ${KEY_FIELD}.`)
  const field = (doc: StoredDocument) => getField(doc.fields, path)
  switch (filter.op) {
    case 'IS_NAN':
      return leaf((doc) => {
        const value = field(doc)
        return value !== undefined && isNaNValue(value)
      })
    case 'IS_NULL':
      return leaf((doc) => {
        const value = field(doc)
        return value !== undefined && valueKind(value) === 'null'
      })
    case 'IS_NOT_NAN':
    case 'IS_NOT_NULL': {
      // Both are "!= NaN" / "!= null" to the SDK: inequalities that exclude missing and null values.
      ctx.facts.notEqual++
      ctx.facts.inequalityFields.set(formatFieldPath(path), path)
      const nanToo = filter.op === 'IS_NOT_NAN'
      return leaf((doc) => {
        const value = field(doc)
        return value !== undefined && valueKind(value) !== 'null' && !(nanToo && isNaNValue(value))
      })
    }
    default:
      throw invalidArgument(`Invalid unary filter operator "${filter.op}" on "${formatFieldPath(path)}".`)
  }
}

/** Firestore's documented rules on combining filters. */
function validateFilterCombination(facts: FilterFacts, where: CompiledFilter | undefined): void {
  if (facts.notIn > 1) throw invalidArgument('Invalid query: only one NOT_IN filter is allowed per query.')
  if (facts.notIn > 0 && facts.notEqual > 0) {
    throw invalidArgument('Invalid query: a NOT_IN filter cannot be combined with NOT_EQUAL, IS_NOT_NULL or IS_NOT_NAN filters.')
  }
  if (facts.notEqual > 1) {
    throw invalidArgument('Invalid query: only one NOT_EQUAL, IS_NOT_NULL or IS_NOT_NAN filter is allowed per query.')
  }
  if (facts.notIn > 0 && (facts.in > 0 || facts.arrayContainsAny > 0 || facts.or > 0)) {
    throw invalidArgument('Invalid query: a NOT_IN filter cannot be combined with IN, ARRAY_CONTAINS_ANY or OR filters.')
  }
  if (facts.inequalityFields.size > MAX_INEQUALITY_FIELDS) {
    throw invalidArgument(
      `Invalid query: range and inequality filters are limited to ${MAX_INEQUALITY_FIELDS} fields; this query has ${facts.inequalityFields.size}.`,
    )
  }
  if (where === undefined) return
  if (where.disjunctions > MAX_DISJUNCTIONS) {
    throw invalidArgument(
      `Invalid query: the filter has ${where.disjunctions} disjunctions in disjunctive normal form (counting each IN and ARRAY_CONTAINS_ANY value); the limit is ${MAX_DISJUNCTIONS}.`,
    )
  }
  if (where.arrayContains > 1) throw invalidArgument('Invalid query: at most one ARRAY_CONTAINS filter is allowed per disjunction.')
  if (where.arrayContainsAny > 1) throw invalidArgument('Invalid query: at most one ARRAY_CONTAINS_ANY filter is allowed per disjunction.')
  if (where.mixesArrayContains) {
    throw invalidArgument('Invalid query: ARRAY_CONTAINS and ARRAY_CONTAINS_ANY filters cannot be combined in the same disjunction.')
  }
}

// ---------------------------------------------------------------------------------------
// orderBy and cursors

/**
 * Explicit orderings as given; then each inequality field not already ordered, in field
 * path order; then __name__ unless present. Implicit orderings take the direction of the
 * last explicit one (ascending without any), as the SDKs' normalized order and the API do.
 */
function normalizeOrderBy(explicit: readonly Order[], inequalityFields: Map<string, string[]>): CompiledOrdering[] {
  const orderings: CompiledOrdering[] = []
  const ordered = new Set<string>()
  for (const order of explicit) {
    const path = fieldPathOf(order.field, 'An orderBy')
    orderings.push({ path, descending: order.direction === 'DESCENDING', isKey: isKeyPath(path) })
    ordered.add(formatFieldPath(path))
  }
  const descending = orderings.at(-1)?.descending ?? false
  const implicit = [...inequalityFields.entries()]
    .filter(([canonical, path]) => !ordered.has(canonical) && !isKeyPath(path))
    .map(([, path]) => path)
    // Segment by segment, as the SDKs sort FieldPaths (not by the canonical string).
    .sort((a, b) => compareSegmentLists(a, b))
  for (const path of implicit) orderings.push({ path, descending, isKey: false })
  if (!ordered.has(KEY_FIELD)) orderings.push({ path: [KEY_FIELD], descending, isKey: true })
  return orderings
}

function compareByOrdering(ordering: CompiledOrdering, a: StoredDocument, b: StoredDocument): number {
  const c = ordering.isKey
    ? compareSegmentLists(a.segments, b.segments, compareSegments)
    : compareOptionalValues(getField(a.fields, ordering.path), getField(b.fields, ordering.path))
  return ordering.descending ? -c : c
}

/**
 * A cursor as a predicate. `position` compares the cursor with a document along the
 * orderings (directions applied, like the SDK's boundCompareToDocument); startAt with
 * `before` is inclusive, and endAt with `before` is exclusive (endBefore).
 */
function compileBound(
  cursor: Cursor | null | undefined,
  which: 'startAt' | 'endAt',
  orderings: readonly CompiledOrdering[],
  root: readonly string[],
): DocPredicate | undefined {
  if (cursor == null) return undefined
  const values = cursor.values ?? []
  if (values.length > orderings.length) {
    const names = orderings.map((o) => formatFieldPath(o.path)).join(', ')
    throw invalidArgument(
      `Invalid ${which} cursor: it has ${values.length} values but the query orders by only ${orderings.length} fields (${names}).`,
    )
  }
  const parts = values.map((value, i) => compileBoundPart(value, orderings[i]!, which, root))
  const position = (doc: StoredDocument): number => {
    for (const part of parts) {
      const c = part(doc)
      if (c !== 0) return c
    }
    return 0
  }
  if (which === 'startAt') return cursor.before ? (doc) => position(doc) <= 0 : (doc) => position(doc) < 0
  return cursor.before ? (doc) => position(doc) > 0 : (doc) => position(doc) >= 0
}

function compileBoundPart(
  value: Value,
  ordering: CompiledOrdering,
  which: string,
  root: readonly string[],
): (doc: StoredDocument) => number {
  const sign = ordering.descending ? -1 : 1
  if (ordering.isKey) {
    const name = referenceSegments(value, `A ${which} cursor value for ${KEY_FIELD}`)
    return (doc) => sign * compareNameWithDocument(name, root, doc)
  }
  if (valueKind(value) === undefined) throw invalidArgument(`A ${which} cursor value for "${formatFieldPath(ordering.path)}" has no type set.`)
  return (doc) => sign * compareOptionalValues(value, getField(doc.fields, ordering.path))
}

// ---------------------------------------------------------------------------------------
// offset, limit, select

function parseLimit(limit: StructuredQuery['limit']): number | undefined {
  if (limit == null) return undefined
  const n = Number(limit.value)
  if (!Number.isInteger(n) || n < 0) throw invalidArgument(`Invalid limit ${String(limit.value)}: it must be a non-negative integer.`)
  return n
}

function parseOffset(offset: StructuredQuery['offset']): number {
  const n = Number(offset ?? 0)
  if (!Number.isInteger(n) || n < 0) throw invalidArgument(`Invalid offset ${String(offset)}: it must be a non-negative integer.`)
  return n
}

/**
 * The field paths a projection keeps, or undefined for all fields (no select, or an empty
 * field list, which the API documents as "all fields"). __name__ selects no field.
 */
function compileProjection(select: StructuredQuery['select']): string[][] | undefined {
  const refs = select?.fields ?? []
  if (refs.length === 0) return undefined
  const paths = refs.map((ref) => fieldPathOf(ref, 'A select')).filter((path) => !isKeyPath(path))
  // Keep only the outermost of nested or repeated selections.
  return paths.filter((path, i) =>
    paths.every((other, j) => j === i || !isPrefixOf(other, path) || (other.length === path.length && j > i)),
  )
}

// ---------------------------------------------------------------------------------------
// helpers

function fieldPathOf(ref: FieldReference | null | undefined, what: string): string[] {
  if (ref == null || typeof ref.fieldPath !== 'string') throw invalidArgument(`${what} is missing its field path.`)
  return parseFieldPath(ref.fieldPath)
}

function isKeyPath(path: readonly string[]): boolean {
  return path.length === 1 && path[0] === KEY_FIELD
}

function isPrefixOf(prefix: readonly string[], path: readonly string[]): boolean {
  return prefix.length <= path.length && prefix.every((segment, i) => segment === path[i])
}

/**
 * Paths, segment by segment with `compareSegment`, a prefix first: field paths with plain string
 * order, document paths with compareSegments (numeric IDs first).
 */
function compareSegmentLists(a: readonly string[], b: readonly string[], compareSegment: (a: string, b: string) => number = compareStrings): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const c = compareSegment(a[i]!, b[i]!)
    if (c !== 0) return c
  }
  return a.length - b.length
}

/**
 * Compares a reference (its full resource name in segments) with a document's full name,
 * segment by segment, exactly as compareValues orders two reference values.
 */
function compareNameWithDocument(name: readonly string[], root: readonly string[], doc: StoredDocument): number {
  const docLength = root.length + doc.segments.length
  const n = Math.min(name.length, docLength)
  for (let i = 0; i < n; i++) {
    const docSegment = i < root.length ? root[i]! : doc.segments[i - root.length]!
    const c = compareSegments(name[i]!, docSegment)
    if (c !== 0) return c
  }
  return name.length - docLength
}

function referenceSegments(value: Value, what: string): string[] {
  if (valueKind(value) !== 'reference') {
    throw invalidArgument(`${what} must be a reference value (a document's resource name), not ${valueKind(value) ?? 'an empty value'}.`)
  }
  return value.referenceValue!.split('/')
}

/** A missing field sorts before every value (only reachable for documents `matches` rejects). */
function compareOptionalValues(a: Value | undefined, b: Value | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1
  return compareValues(a, b)
}

function disjunctiveValues(value: Value, max: number, label: string): Value[] {
  const values = valueKind(value) === 'array' ? (value.arrayValue?.values ?? []) : undefined
  if (values === undefined || values.length === 0) throw invalidArgument(`The ${label} needs a non-empty array value.`)
  if (values.length > max) throw invalidArgument(`The ${label} has ${values.length} values; at most ${max} are allowed.`)
  return values
}

function arrayElements(value: Value | undefined): Value[] | undefined {
  return value !== undefined && valueKind(value) === 'array' ? (value.arrayValue?.values ?? []) : undefined
}

function includesValue(list: readonly Value[], value: Value): boolean {
  return list.some((candidate) => valuesEqual(candidate, value))
}
