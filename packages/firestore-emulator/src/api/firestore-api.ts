import { randomBytes } from 'node:crypto'
import type { Database } from '../engine/database.js'
import type { Engine } from '../engine/engine.js'
import type { Transaction } from '../engine/transactions.js'
import type { StoredDocument } from '../model/document.js'
import { FirestoreError, invalidArgument, notFound } from '../model/errors.js'
import { parseDatabaseName, parseDocumentName, parseFieldPath, parseResourceName } from '../model/paths.js'
import type { Document, DocumentMask, Fields, Write } from '../model/types.js'
import { getField, microsToTimestamp, setField, timestampToMicros } from '../model/values.js'
import { aggregate, aggregatedFieldPaths } from '../query/aggregate.js'
import { compileQuery, type CompiledQuery } from '../query/query.js'
import type { Caller } from '../security/auth.js'
import type { SecurityGate } from '../security/gate.js'
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
  constructor(
    readonly engine: Engine,
    /** Security rules: every method takes the caller and checks it here. */
    readonly gate: SecurityGate,
  ) {}

  databaseOf(name: string): Database {
    return this.engine.database(parseDatabaseName(name))
  }

  /** The database a document or parent resource name belongs to. */
  private databaseOfResource(name: string): Database {
    return this.engine.database(parseResourceName(name))
  }

  beginTransaction(request: M.BeginTransactionRequest, _caller: Caller): { transaction: Buffer } {
    const transaction = this.databaseOf(request.database).transactions.begin(request.options)
    return { transaction: Buffer.from(transaction.id, 'base64') }
  }

  rollback(request: M.RollbackRequest, _caller: Caller): Record<string, never> {
    const database = this.databaseOf(request.database)
    database.transactions.end(database.transactions.get(request.transaction))
    return {}
  }

  commit(request: M.CommitRequest, caller: Caller): M.CommitResponse {
    const database = this.databaseOf(request.database)
    const transaction = request.transaction?.length ? database.transactions.get(request.transaction) : undefined
    const result = database.commit(request.writes ?? [], transaction, this.gate.commitCheck(caller, database))
    return { writeResults: result.writeResults, commitTime: microsToTimestamp(result.commitTime) }
  }

  /** Applies each write on its own, not atomically; one write's failure leaves the others. */
  batchWrite(request: M.BatchWriteRequest, caller: Caller): M.BatchWriteResponse {
    const database = this.databaseOf(request.database)
    const check = this.gate.commitCheck(caller, database)
    const response: M.BatchWriteResponse = { writeResults: [], status: [] }
    for (const write of request.writes ?? []) {
      try {
        const { writeResults } = database.commit([write], undefined, check)
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

  batchGetDocuments(request: M.BatchGetDocumentsRequest, emit: (response: M.BatchGetDocumentsResponse) => void, caller: Caller): void {
    const database = this.databaseOf(request.database)
    const paths = (request.documents ?? []).map((name) => parseDocumentName(name).segments.join('/'))
    for (const path of paths) this.gate.checkGet(caller, database, path)
    const context = this.readContext(database, request)
    const readTime = microsToTimestamp(context.readTime)
    let first = true
    for (const [i, name] of (request.documents ?? []).entries()) {
      const path = paths[i]!
      const doc = context.database.get(path, context.pastTime)
      if (context.transaction) context.database.transactions.recordRead(context.transaction, path, doc)
      const response: M.BatchGetDocumentsResponse = doc ? { found: toDocument(context.database, doc, request.mask), readTime } : { missing: name, readTime }
      if (first && context.newTransactionId) response.transaction = context.newTransactionId
      first = false
      emit(response)
    }
    if (first && context.newTransactionId) emit({ transaction: context.newTransactionId, readTime })
  }

  runQuery(request: M.RunQueryRequest, emit: (response: M.RunQueryResponse) => void, caller: Caller): void {
    if (!request.structuredQuery) throw invalidArgument('RunQuery needs a structured query.')
    const database = this.databaseOfResource(request.parent)
    const query = compileQuery(request.parent, request.structuredQuery)
    this.checkQuery(caller, database, query)
    const context = this.readContext(database, request)
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

  runAggregationQuery(request: M.RunAggregationQueryRequest, emit: (response: M.RunAggregationQueryResponse) => void, caller: Caller): void {
    const aggregation = request.structuredAggregationQuery
    if (!aggregation?.structuredQuery) throw invalidArgument('RunAggregationQuery needs a structured aggregation query.')
    const database = this.databaseOfResource(request.parent)
    const query = compileQuery(request.parent, aggregation.structuredQuery, aggregatedFieldPaths(aggregation.aggregations ?? []))
    this.checkQuery(caller, database, query)
    const context = this.readContext(database, request)
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
  partitionQuery(request: M.PartitionQueryRequest, caller: Caller): M.PartitionQueryResponse {
    if (request.structuredQuery) this.checkQuery(caller, this.databaseOfResource(request.parent), compileQuery(request.parent, request.structuredQuery))
    return { partitions: [], nextPageToken: '' }
  }

  listDocuments(request: M.ListDocumentsRequest, caller: Caller): M.ListDocumentsResponse {
    const parent = parseResourceName(request.parent)
    if (parent.segments.length % 2 !== 0) throw invalidArgument(`Parent "${request.parent}" must be a document or the database root.`)
    const database = this.engine.database(parent)
    const prefix = [...parent.segments, request.collectionId]
    this.gate.checkList(caller, database, prefix.join('/'), request.pageSize ? { limit: request.pageSize } : {})
    const context = this.readContext(database, request)
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

  listCollectionIds(request: M.ListCollectionIdsRequest, caller: Caller): M.ListCollectionIdsResponse {
    const parent = parseResourceName(request.parent)
    const database = this.engine.database(parent)
    this.gate.checkPrivileged(caller, database, 'Listing collection IDs')
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

  getDocument(request: M.GetDocumentRequest, caller: Caller): Document {
    const { segments } = parseDocumentName(request.name)
    const database = this.databaseOfResource(request.name)
    this.gate.checkGet(caller, database, segments.join('/'))
    const context = this.readContext(database, request)
    const doc = context.database.get(segments.join('/'), context.pastTime)
    if (!doc) throw notFound(`Document "${request.name}" not found.`)
    return toDocument(context.database, doc, request.mask)
  }

  createDocument(request: M.CreateDocumentRequest, caller: Caller): Document {
    const id = request.documentId || randomBytes(15).toString('base64url').slice(0, 20)
    const name = `${request.parent}/${request.collectionId}/${id}`
    return this.writeOne({ update: { name, fields: request.document?.fields ?? {} }, currentDocument: { exists: false } }, name, request.mask, caller)
  }

  updateDocument(request: M.UpdateDocumentRequest, caller: Caller): Document {
    const write: Write = { update: request.document, updateMask: request.updateMask ?? null, currentDocument: request.currentDocument ?? null }
    return this.writeOne(write, request.document.name, request.mask, caller)
  }

  deleteDocument(request: M.DeleteDocumentRequest, caller: Caller): Record<string, never> {
    const database = this.databaseOfResource(request.name)
    database.commit([{ delete: request.name, currentDocument: request.currentDocument ?? null }], undefined, this.gate.commitCheck(caller, database))
    return {}
  }

  /** Rules see a query as a list of its collection (collection groups: of the group's ID under the parent). */
  checkQuery(caller: Caller, database: Database, query: CompiledQuery): void {
    const orderBy = query.orderBy.map((order) => order.path.join('.'))
    this.gate.checkList(caller, database, [...query.parent, query.collectionId].join('/'), {
      ...(query.limit !== undefined ? { limit: query.limit } : {}),
      ...(query.offset ? { offset: query.offset } : {}),
      orderBy,
    })
  }

  private writeOne(write: Write, name: string, mask: DocumentMask | null | undefined, caller: Caller): Document {
    const database = this.databaseOfResource(name)
    database.commit([write], undefined, this.gate.commitCheck(caller, database))
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
