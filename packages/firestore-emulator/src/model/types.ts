/**
 * The google.firestore.v1 messages the emulator handles, in the object form that
 * @grpc/proto-loader produces with `{ longs: String, enums: String, bytes: Buffer,
 * defaults: true, oneofs: true }`: int64 as decimal strings, enums as names, bytes as
 * Buffers, and each oneof's chosen member named by a discriminator field (`valueType`...).
 * Objects the emulator builds itself may omit the discriminators; read them with the
 * helpers in values.ts, never by the discriminator alone.
 */

/** google.protobuf.Timestamp. `seconds` is an int64 as a decimal string. */
export interface Timestamp {
  seconds: string | number
  nanos?: number
}

export interface LatLng {
  latitude?: number
  longitude?: number
}

export interface ArrayValue {
  values?: Value[]
}

export interface MapValue {
  fields?: Record<string, Value>
}

/** google.firestore.v1.Value: exactly one member is set. */
export interface Value {
  valueType?: string
  nullValue?: 'NULL_VALUE' | 0 | null
  booleanValue?: boolean
  integerValue?: string | number
  doubleValue?: number
  timestampValue?: Timestamp
  stringValue?: string
  bytesValue?: Uint8Array
  referenceValue?: string
  geoPointValue?: LatLng
  arrayValue?: ArrayValue
  mapValue?: MapValue
}

export type Fields = Record<string, Value>

export interface Document {
  name: string
  fields?: Fields | null
  createTime?: Timestamp | null
  updateTime?: Timestamp | null
}

export interface DocumentMask {
  fieldPaths?: string[]
}

export interface Precondition {
  conditionType?: string
  exists?: boolean
  updateTime?: Timestamp
}

export type ServerValue = 'SERVER_VALUE_UNSPECIFIED' | 'REQUEST_TIME'

export interface FieldTransform {
  fieldPath: string
  transformType?: string
  setToServerValue?: ServerValue
  increment?: Value
  maximum?: Value
  minimum?: Value
  appendMissingElements?: ArrayValue
  removeAllFromArray?: ArrayValue
}

export interface DocumentTransform {
  document: string
  fieldTransforms?: FieldTransform[]
}

export interface Write {
  operation?: string
  update?: Document | null
  delete?: string
  transform?: DocumentTransform | null
  verify?: string
  updateMask?: DocumentMask | null
  updateTransforms?: FieldTransform[]
  currentDocument?: Precondition | null
}

export interface WriteResult {
  updateTime?: Timestamp | null
  transformResults: Value[]
}

export interface FieldReference {
  fieldPath: string
}

export type FieldFilterOp =
  | 'LESS_THAN'
  | 'LESS_THAN_OR_EQUAL'
  | 'GREATER_THAN'
  | 'GREATER_THAN_OR_EQUAL'
  | 'EQUAL'
  | 'NOT_EQUAL'
  | 'ARRAY_CONTAINS'
  | 'IN'
  | 'ARRAY_CONTAINS_ANY'
  | 'NOT_IN'
  | 'OPERATOR_UNSPECIFIED'

export type UnaryFilterOp = 'IS_NAN' | 'IS_NULL' | 'IS_NOT_NAN' | 'IS_NOT_NULL' | 'OPERATOR_UNSPECIFIED'

export interface FieldFilter {
  field: FieldReference
  op: FieldFilterOp
  value: Value
}

export interface UnaryFilter {
  op: UnaryFilterOp
  field: FieldReference
}

export interface CompositeFilter {
  op: 'AND' | 'OR' | 'OPERATOR_UNSPECIFIED'
  filters: Filter[]
}

export interface Filter {
  filterType?: string
  compositeFilter?: CompositeFilter | null
  fieldFilter?: FieldFilter | null
  unaryFilter?: UnaryFilter | null
}

export type Direction = 'ASCENDING' | 'DESCENDING' | 'DIRECTION_UNSPECIFIED'

export interface Order {
  field: FieldReference
  direction: Direction
}

export interface Cursor {
  values: Value[]
  before: boolean
}

export interface CollectionSelector {
  collectionId: string
  allDescendants?: boolean
}

export interface StructuredQuery {
  select?: { fields?: FieldReference[] } | null
  from: CollectionSelector[]
  where?: Filter | null
  orderBy?: Order[]
  startAt?: Cursor | null
  endAt?: Cursor | null
  offset?: number
  /** google.protobuf.Int32Value */
  limit?: { value: number } | null
  findNearest?: unknown
}

export interface Aggregation {
  alias: string
  operator?: string
  count?: { upTo?: { value: string | number } | null } | null
  sum?: { field: FieldReference } | null
  avg?: { field: FieldReference } | null
}

export interface StructuredAggregationQuery {
  structuredQuery: StructuredQuery
  aggregations: Aggregation[]
}

export interface TransactionOptions {
  mode?: string
  readOnly?: { readTime?: Timestamp | null } | null
  readWrite?: { retryTransaction?: Uint8Array } | null
}
