import { randomBytes } from 'node:crypto'
import type { Database } from '../engine/database.js'
import type { Engine } from '../engine/engine.js'
import type { Transaction } from '../engine/transactions.js'
import type { StoredDocument } from '../model/document.js'
import { FirestoreError, invalidArgument, notFound, unimplemented } from '../model/errors.js'
import { parseDatabaseName, parseDocumentName, parseFieldPath, parseResourceName } from '../model/paths.js'
import type { Document, DocumentMask, Fields, Write } from '../model/types.js'
import { getField, microsToTimestamp, setField, timestampToMicros } from '../model/values.js'
import { aggregate, aggregatedFieldPaths } from '../query/aggregate.js'
import { compileQuery } from '../query/query.js'
import type * as M from './messages.js'

/** Where a read happens: now, at a past time, or inside a transaction. */
interface ReadContext {
  database: Database
  readTime: number
  /** The time passed to the store: undefined reads the current state. */
  pastTime: number | undefined
  transaction: Transaction | undefined
  /** Set when the request began the transaction (`newTransaction`); returned once. */
  newTransactionId: Buffer | undefined
}

/**
 * The unary and server-streaming methods of google.firestore.v1.Firestore, independent of
 * transport: gRPC, REST and WebChannel adapters all call these.
 */
export class FirestoreApi {
  constructor(readonly engine: Engine) {}

  databaseOf(name: string): Database {
    return this.engine.database(parseDatabaseName(name))
  }

  /** The database a document or parent resource name belongs to. */
  private databaseOfResource(name: string): Database {
    return this.engine.database(parseResourceName(name))
  }

  beginTransaction(request: M.BeginTransactionRequest): { transaction: Buffer } {
    const transaction = this.databaseOf(request.database).transactions.begin(request.options)
    return { transaction: Buffer.from(transaction.id, 'base64') }
  }

  rollback(request: M.RollbackRequest): Record<string, never> {
    const database = this.databaseOf(request.database)
    database.transactions.end(database.transactions.get(request.transaction))
    return {}
  }

  commit(request: M.CommitRequest): M.CommitResponse {
    const database = this.databaseOf(request.database)
    const transaction = request.transaction?.length ? database.transactions.get(request.transaction) : undefined
    const result = database.commit(request.writes ?? [], transaction)
    return { writeResults: result.writeResults, commitTime: microsToTimestamp(result.commitTime) }
  }

  /** Applies each write on its own, not atomically; one write's failure leaves the others. */
  batchWrite(request: M.BatchWriteRequest): M.BatchWriteResponse {
    const database = this.databaseOf(request.database)
    const response: M.BatchWriteResponse = { writeResults: [], status: [] }
    for (const write of request.writes ?? []) {
      try {
        const { writeResults } = database.commit([write])
        response.writeResults.push(writeResults[0]!)
        response.status.push({ code: 0, message: '' })
      } catch (error) {
        if (!(error instanceof FirestoreError)) throw error
        response.writeResults.push({ updateTime: null, transformResults: [] })
        response.status.push({ code: error.status, message: error.message })
      }
    }
    return response
  }

  batchGetDocuments(request: M.BatchGetDocumentsRequest, emit: (response: M.BatchGetDocumentsResponse) => void): void {
    const context = this.readContext(this.databaseOf(request.database), request)
    const readTime = microsToTimestamp(context.readTime)
    let first = true
    for (const name of request.documents ?? []) {
      const { segments } = parseDocumentName(name)
      const path = segments.join('/')
      const doc = context.database.get(path, context.pastTime)
      if (context.transaction) context.database.transactions.recordRead(context.transaction, path, doc)
      const response: M.BatchGetDocumentsResponse = doc ? { found: toDocument(context.database, doc, request.mask), readTime } : { missing: name, readTime }
      if (first && context.newTransactionId) response.transaction = context.newTransactionId
      first = false
      emit(response)
    }
    if (first && context.newTransactionId) emit({ transaction: context.newTransactionId, readTime })
  }

  runQuery(request: M.RunQueryRequest, emit: (response: M.RunQueryResponse) => void): void {
    if (!request.structuredQuery) throw invalidArgument('RunQuery needs a structured query.')
    const context = this.readContext(this.databaseOfResource(request.parent), request)
    const query = compileQuery(request.parent, request.structuredQuery)
    const results = context.database.query(query, context.pastTime)
    if (context.transaction) context.database.transactions.recordQuery(context.transaction, query, results)
    const readTime = microsToTimestamp(context.readTime)
    const transaction = context.newTransactionId
    results.forEach((doc, i) => {
      const response: M.RunQueryResponse = { document: { name: context.database.name(doc.segments), fields: query.project(doc), createTime: microsToTimestamp(doc.createTime), updateTime: microsToTimestamp(doc.updateTime) }, readTime }
      if (i === 0 && transaction) response.transaction = transaction
      emit(response)
    })
    if (results.length === 0) emit(transaction ? { readTime, transaction } : { readTime })
  }

  runAggregationQuery(request: M.RunAggregationQueryRequest, emit: (response: M.RunAggregationQueryResponse) => void): void {
    const aggregation = request.structuredAggregationQuery
    if (!aggregation?.structuredQuery) throw invalidArgument('RunAggregationQuery needs a structured aggregation query.')
    const context = this.readContext(this.databaseOfResource(request.parent), request)
    const query = compileQuery(request.parent, aggregation.structuredQuery, aggregatedFieldPaths(aggregation.aggregations ?? []))
    const results = context.database.query(query, context.pastTime)
    if (context.transaction) context.database.transactions.recordQuery(context.transaction, query, results)
    const response: M.RunAggregationQueryResponse = {
      result: { aggregateFields: aggregate(results, aggregation.aggregations ?? []) },
      readTime: microsToTimestamp(context.readTime),
    }
    if (context.newTransactionId) response.transaction = context.newTransactionId
    emit(response)
  }

  /** Partitioning is trivial here: no split points, so one partition covers the whole query. */
  partitionQuery(request: M.PartitionQueryRequest): M.PartitionQueryResponse {
    if (request.structuredQuery) compileQuery(request.parent, request.structuredQuery)
    return { partitions: [], nextPageToken: '' }
  }

  listDocuments(request: M.ListDocumentsRequest): M.ListDocumentsResponse {
    const parent = parseResourceName(request.parent)
    if (parent.segments.length % 2 !== 0) throw invalidArgument(`Parent "${request.parent}" must be a document or the database root.`)
    const context = this.readContext(this.engine.database(parent), request)
    const prefix = [...parent.segments, request.collectionId]
    const found = new Map<string, StoredDocument | undefined>()
    for (const doc of context.database.documents(context.pastTime)) {
      if (!startsWith(doc.segments, prefix) || doc.segments.length < prefix.length + 1) continue
      const id = doc.segments[prefix.length]!
      if (doc.segments.length === prefix.length + 1) found.set(id, doc)
      else if (request.showMissing && !found.has(id)) found.set(id, undefined)
    }
    const ids = [...found.keys()].sort().filter((id) => !request.pageToken || id > request.pageToken)
    const pageSize = request.pageSize && request.pageSize > 0 ? request.pageSize : ids.length
    const page = ids.slice(0, pageSize)
    return {
      documents: page.map((id) => {
        const doc = found.get(id)
        return doc ? toDocument(context.database, doc, request.mask) : { name: context.database.name([...prefix, id]) }
      }),
      nextPageToken: ids.length > page.length ? page[page.length - 1]! : '',
    }
  }

  listCollectionIds(request: M.ListCollectionIdsRequest): M.ListCollectionIdsResponse {
    const parent = parseResourceName(request.parent)
    const database = this.engine.database(parent)
    const readTime = request.readTime ? timestampToMicros(request.readTime) : undefined
    const ids = new Set<string>()
    for (const doc of database.documents(readTime)) {
      if (doc.segments.length > parent.segments.length + 1 && startsWith(doc.segments, parent.segments)) ids.add(doc.segments[parent.segments.length]!)
    }
    const sorted = [...ids].sort().filter((id) => !request.pageToken || id > request.pageToken)
    const pageSize = request.pageSize && request.pageSize > 0 ? request.pageSize : sorted.length
    const page = sorted.slice(0, pageSize)
    return { collectionIds: page, nextPageToken: sorted.length > page.length ? page[page.length - 1]! : '' }
  }

  getDocument(request: M.GetDocumentRequest): Document {
    const { segments } = parseDocumentName(request.name)
    const context = this.readContext(this.databaseOfResource(request.name), request)
    const doc = context.database.get(segments.join('/'), context.pastTime)
    if (!doc) throw notFound(`Document "${request.name}" not found.`)
    return toDocument(context.database, doc, request.mask)
  }

  createDocument(request: M.CreateDocumentRequest): Document {
    const id = request.documentId || randomBytes(15).toString('base64url').slice(0, 20)
    const name = `${request.parent}/${request.collectionId}/${id}`
    return this.writeOne({ update: { name, fields: request.document?.fields ?? {} }, currentDocument: { exists: false } }, name, request.mask)
  }

  updateDocument(request: M.UpdateDocumentRequest): Document {
    const write: Write = { update: request.document, updateMask: request.updateMask ?? null, currentDocument: request.currentDocument ?? null }
    return this.writeOne(write, request.document.name, request.mask)
  }

  deleteDocument(request: M.DeleteDocumentRequest): Record<string, never> {
    this.databaseOfResource(request.name).commit([{ delete: request.name, currentDocument: request.currentDocument ?? null }])
    return {}
  }

  private writeOne(write: Write, name: string, mask: DocumentMask | null | undefined): Document {
    const database = this.databaseOfResource(name)
    database.commit([write])
    const doc = database.get(parseDocumentName(name).segments.join('/'))
    if (!doc) throw notFound(`Document "${name}" not found.`)
    return toDocument(database, doc, mask)
  }

  private readContext(database: Database, selector: M.ConsistencySelector): ReadContext {
    if (selector.transaction?.length) {
      const transaction = database.transactions.get(selector.transaction)
      return { database, transaction, readTime: transaction.readTime ?? database.clockTime(), pastTime: transaction.readTime, newTransactionId: undefined }
    }
    if (selector.newTransaction) {
      const transaction = database.transactions.begin(selector.newTransaction)
      return { database, transaction, readTime: transaction.readTime ?? database.clockTime(), pastTime: transaction.readTime, newTransactionId: Buffer.from(transaction.id, 'base64') }
    }
    if (selector.readTime) {
      const readTime = timestampToMicros(selector.readTime)
      if (readTime > database.clockTime()) throw invalidArgument('The read time is in the future.')
      return { database, transaction: undefined, readTime, pastTime: readTime, newTransactionId: undefined }
    }
    return { database, transaction: undefined, readTime: database.clockTime(), pastTime: undefined, newTransactionId: undefined }
  }

  unimplemented(method: string): never {
    throw unimplemented(`The emulator does not implement ${method}.`)
  }
}

/** A stored document as the API returns it, optionally masked to some fields. */
export function toDocument(database: Database, doc: StoredDocument, mask?: DocumentMask | null): Document {
  return {
    name: database.name(doc.segments),
    fields: mask ? maskFields(doc.fields, mask) : doc.fields,
    createTime: microsToTimestamp(doc.createTime),
    updateTime: microsToTimestamp(doc.updateTime),
  }
}

function maskFields(fields: Fields, mask: DocumentMask): Fields {
  const masked: Fields = {}
  for (const path of mask.fieldPaths ?? []) {
    const segments = parseFieldPath(path)
    const value = getField(fields, segments)
    if (value !== undefined) setField(masked, segments, value)
  }
  return masked
}

function startsWith(segments: readonly string[], prefix: readonly string[]): boolean {
  return prefix.every((s, i) => segments[i] === s)
}
