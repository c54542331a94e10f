import type { Document, DocumentMask, StructuredAggregationQuery, StructuredQuery, Timestamp, TransactionOptions, Value, Write, WriteResult } from '../model/types.js'

/**
 * Request and response messages of google.firestore.v1.Firestore, in proto-loader object
 * form (see model/types.ts). Only the fields the emulator reads or writes are listed.
 */

/** The oneof that picks how a read is made consistent. */
export interface ConsistencySelector {
  transaction?: Uint8Array
  newTransaction?: TransactionOptions | null
  readTime?: Timestamp | null
}

export interface BatchGetDocumentsRequest extends ConsistencySelector {
  database: string
  documents: string[]
  mask?: DocumentMask | null
}

export interface BatchGetDocumentsResponse {
  found?: Document
  missing?: string
  transaction?: Uint8Array
  readTime: Timestamp
}

export interface RunQueryRequest extends ConsistencySelector {
  parent: string
  structuredQuery: StructuredQuery
}

export interface RunQueryResponse {
  document?: Document
  transaction?: Uint8Array
  readTime: Timestamp
  skippedResults?: number
  done?: boolean
}

export interface RunAggregationQueryRequest extends ConsistencySelector {
  parent: string
  structuredAggregationQuery: StructuredAggregationQuery
}

export interface RunAggregationQueryResponse {
  result?: { aggregateFields: Record<string, Value> }
  transaction?: Uint8Array
  readTime: Timestamp
}

export interface BeginTransactionRequest {
  database: string
  options?: TransactionOptions | null
}

export interface CommitRequest {
  database: string
  writes: Write[]
  transaction?: Uint8Array
}

export interface CommitResponse {
  writeResults: WriteResult[]
  commitTime: Timestamp
}

export interface RollbackRequest {
  database: string
  transaction: Uint8Array
}

export interface BatchWriteRequest {
  database: string
  writes: Write[]
}

export interface Status {
  code: number
  message: string
}

export interface BatchWriteResponse {
  writeResults: WriteResult[]
  status: Status[]
}

export interface ListDocumentsRequest extends ConsistencySelector {
  parent: string
  collectionId: string
  pageSize?: number
  pageToken?: string
  orderBy?: string
  mask?: DocumentMask | null
  showMissing?: boolean
}

export interface ListDocumentsResponse {
  documents: Document[]
  nextPageToken: string
}

export interface ListCollectionIdsRequest {
  parent: string
  pageSize?: number
  pageToken?: string
  readTime?: Timestamp | null
}

export interface ListCollectionIdsResponse {
  collectionIds: string[]
  nextPageToken: string
}

export interface PartitionQueryRequest {
  parent: string
  structuredQuery?: StructuredQuery | null
  partitionCount?: string | number
}

export interface PartitionQueryResponse {
  partitions: { values: Value[] }[]
  nextPageToken: string
}

export interface GetDocumentRequest extends ConsistencySelector {
  name: string
  mask?: DocumentMask | null
}

export interface CreateDocumentRequest {
  parent: string
  collectionId: string
  documentId?: string
  document: Document
  mask?: DocumentMask | null
}

export interface UpdateDocumentRequest {
  document: Document
  updateMask?: DocumentMask | null
  mask?: DocumentMask | null
  currentDocument?: Write['currentDocument']
}

export interface DeleteDocumentRequest {
  name: string
  currentDocument?: Write['currentDocument']
}

export interface Target {
  targetId: number
  query?: { parent: string; structuredQuery: StructuredQuery } | null
  documents?: { documents: string[] } | null
  resumeToken?: Uint8Array
  readTime?: Timestamp | null
  once?: boolean
  expectedCount?: { value: number } | null
}

export interface ListenRequest {
  database?: string
  addTarget?: Target | null
  removeTarget?: number
  labels?: Record<string, string>
}

export type TargetChangeType = 'NO_CHANGE' | 'ADD' | 'REMOVE' | 'CURRENT' | 'RESET'

export interface TargetChange {
  targetChangeType: TargetChangeType
  targetIds: number[]
  cause?: Status | null
  resumeToken?: Uint8Array
  readTime?: Timestamp | null
}

export interface ListenResponse {
  targetChange?: TargetChange
  documentChange?: { document: Document; targetIds: number[]; removedTargetIds: number[] }
  documentDelete?: { document: string; removedTargetIds: number[]; readTime: Timestamp }
  documentRemove?: { document: string; removedTargetIds: number[]; readTime: Timestamp }
  filter?: { targetId: number; count: number }
}

export interface WriteRequest {
  database?: string
  streamId?: string
  writes?: Write[]
  streamToken?: Uint8Array
}

export interface WriteResponse {
  streamId: string
  streamToken: Uint8Array
  writeResults: WriteResult[]
  commitTime?: Timestamp | null
}
