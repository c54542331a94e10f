import type { IncomingMessage, ServerResponse } from 'node:http'
import type { FirestoreApi } from '../api/firestore-api.js'
import { callerFromAuthorization, type Caller } from '../security/auth.js'
import { invalidArgument, notFound, unimplemented } from '../model/errors.js'
import type { FirestoreJson, FirestoreMessageName, FirestoreMessages } from '../proto/firestore-json.js'
import type { Json, JsonObject } from '../proto/json-codec.js'
import { parseJsonBody, readBody, sendError, sendJson } from './http.js'
import { queryToJson } from './params.js'

/** A request under /v1/, split as Google's HTTP rules for Firestore read it. */
interface RestCall {
  method: string
  /** The resource name: `projects/{p}/databases/{d}/documents[/...]`. */
  resource: string
  /** `projects/{p}/databases/{d}`. */
  database: string
  /** Path segments after `documents`. */
  documentPath: string[]
  /** The custom method after the colon (`commit`, `runQuery`...), if any. */
  verb: string | undefined
  params: URLSearchParams
  body: () => Promise<JsonObject>
  /** Who is calling, from the Authorization header. */
  caller: Caller
}

const PREFIX = '/v1/'

/**
 * Firestore's REST API (https://firebase.google.com/docs/firestore/reference/rest), the
 * transport of the browser SDK's unary calls: proto3 JSON in and out, served by the same
 * FirestoreApi as gRPC. Server-streaming methods answer with a JSON array of their
 * responses; errors are Google JSON errors with the matching HTTP status.
 */
export class RestHandler {
  constructor(
    private readonly api: FirestoreApi,
    private readonly codec: FirestoreJson,
  ) {}

  /** Serves the request if its path is under /v1/; returns false for any other path. */
  handle(request: IncomingMessage, response: ServerResponse): boolean {
    const url = new URL(request.url ?? '/', 'http://emulator')
    if (!url.pathname.startsWith(PREFIX)) return false
    this.serve(request, url)
      .then((result) => sendJson(response, 200, result))
      .catch((error: unknown) => sendError(response, error))
    return true
  }

  private async serve(request: IncomingMessage, url: URL): Promise<Json> {
    const call = parseCall(request, url)
    if (call.verb !== undefined) {
      if (call.method !== 'POST') throw notFound(`${call.method} is not allowed for :${call.verb}; use POST.`)
      return this.custom(call)
    }
    return this.standard(call)
  }

  /** The custom methods: `POST /v1/{resource}:{verb}`. */
  private async custom(call: RestCall): Promise<Json> {
    const { api } = this
    switch (call.verb) {
      case 'commit':
        return this.encode('CommitResponse', api.commit(await this.request('CommitRequest', call, { database: databaseOnly(call) }), call.caller))
      case 'batchGet':
        return this.stream('BatchGetDocumentsResponse', (emit) => this.request('BatchGetDocumentsRequest', call, { database: databaseOnly(call) }).then((r) => api.batchGetDocuments(r, emit, call.caller)))
      case 'beginTransaction':
        return this.encode('BeginTransactionResponse', api.beginTransaction(await this.request('BeginTransactionRequest', call, { database: databaseOnly(call) }), call.caller))
      case 'rollback':
        api.rollback(await this.request('RollbackRequest', call, { database: databaseOnly(call) }), call.caller)
        return {}
      case 'batchWrite':
        return this.encode('BatchWriteResponse', api.batchWrite(await this.request('BatchWriteRequest', call, { database: databaseOnly(call) }), call.caller))
      case 'runQuery':
        return this.stream('RunQueryResponse', (emit) => this.request('RunQueryRequest', call, { parent: call.resource }).then((r) => api.runQuery(r, emit, call.caller)))
      case 'runAggregationQuery':
        return this.stream('RunAggregationQueryResponse', (emit) => this.request('RunAggregationQueryRequest', call, { parent: call.resource }).then((r) => api.runAggregationQuery(r, emit, call.caller)))
      case 'partitionQuery':
        return this.encode('PartitionQueryResponse', api.partitionQuery(await this.request('PartitionQueryRequest', call, { parent: call.resource }), call.caller))
      case 'listCollectionIds':
        return this.encode('ListCollectionIdsResponse', api.listCollectionIds(await this.request('ListCollectionIdsRequest', call, { parent: call.resource }), call.caller))
      case 'listen':
      case 'write':
        throw unimplemented(`${call.verb === 'listen' ? 'Listen' : 'Write'} is a bidirectional stream: use WebChannel (/google.firestore.v1.Firestore/${call.verb === 'listen' ? 'Listen' : 'Write'}/channel) or gRPC.`)
      default:
        throw notFound(`No Firestore method :${call.verb ?? ''}.`)
    }
  }

  /** The standard methods on documents and collections: GET, PATCH, DELETE, POST (create). */
  private async standard(call: RestCall): Promise<Json> {
    const { api } = this
    const depth = call.documentPath.length
    const isDocument = depth > 0 && depth % 2 === 0
    const isCollection = depth % 2 === 1
    if (call.method === 'GET' && isDocument) {
      return this.encode('Document', api.getDocument(await this.request('GetDocumentRequest', call, { name: call.resource }, false), call.caller))
    }
    if (call.method === 'GET' && isCollection) {
      const { parent, collectionId } = splitCollection(call.resource)
      return this.encode('ListDocumentsResponse', api.listDocuments(await this.request('ListDocumentsRequest', call, { parent, collectionId }, false), call.caller))
    }
    if (call.method === 'PATCH' && isDocument) {
      const document = { ...(await call.body()), name: call.resource }
      return this.encode('Document', api.updateDocument(await this.request('UpdateDocumentRequest', call, { document }, false), call.caller))
    }
    if (call.method === 'DELETE' && isDocument) {
      api.deleteDocument(await this.request('DeleteDocumentRequest', call, { name: call.resource }, false), call.caller)
      return {}
    }
    if (call.method === 'POST' && isCollection) {
      const { parent, collectionId } = splitCollection(call.resource)
      const document = await call.body()
      return this.encode('Document', api.createDocument(await this.request('CreateDocumentRequest', call, { parent, collectionId, document }, false), call.caller))
    }
    throw notFound(`No Firestore method for ${call.method} /v1/${call.resource}.`)
  }

  /**
   * The request message: the JSON body (unless the method takes it elsewhere), the fields
   * the path binds, then the query parameters; decoded to the shape gRPC would deliver.
   */
  private async request<N extends FirestoreMessageName>(name: N, call: RestCall, bound: JsonObject, withBody = true): Promise<FirestoreMessages[N]> {
    const json: JsonObject = { ...(withBody ? await call.body() : {}), ...bound }
    return this.codec.decode(name, queryToJson(this.codec, name, call.params, json))
  }

  private encode<N extends FirestoreMessageName>(name: N, message: FirestoreMessages[N]): JsonObject {
    return this.codec.encode(name, message)
  }

  /** A server-streaming method's responses, gathered into the JSON array REST answers with. */
  private async stream<N extends FirestoreMessageName>(name: N, run: (emit: (response: FirestoreMessages[N]) => void) => Promise<void>): Promise<Json> {
    const responses: JsonObject[] = []
    await run((response) => responses.push(this.encode(name, response)))
    return responses
  }
}

function parseCall(request: IncomingMessage, url: URL): RestCall {
  let path = url.pathname.slice(PREFIX.length)
  let verb: string | undefined
  // A literal colon in the last segment starts the custom method; IDs carry theirs encoded.
  const colon = path.indexOf(':', path.lastIndexOf('/') + 1)
  if (colon >= 0) {
    verb = path.slice(colon + 1)
    path = path.slice(0, colon)
  }
  let segments: string[]
  try {
    segments = path.split('/').map((s) => decodeURIComponent(s))
  } catch {
    throw invalidArgument(`The path /v1/${path} is not validly percent-encoded.`)
  }
  if (segments.length < 5 || segments[0] !== 'projects' || segments[2] !== 'databases' || segments[4] !== 'documents' || segments.some((s) => s === '')) {
    throw notFound(`No Firestore resource at /v1/${path}: expected projects/{project}/databases/{database}/documents[/...].`)
  }
  let body: Promise<JsonObject> | undefined
  return {
    caller: callerFromAuthorization(request.headers.authorization),
    method: request.method ?? 'GET',
    resource: segments.join('/'),
    database: segments.slice(0, 4).join('/'),
    documentPath: segments.slice(5),
    verb,
    params: url.searchParams,
    body: () => (body ??= readBody(request).then((text) => {
      const json = parseJsonBody(text)
      if (typeof json !== 'object' || json === null || Array.isArray(json)) throw invalidArgument('Invalid JSON payload received. The body must be a JSON object.')
      return json as JsonObject
    })),
  }
}

/** The database of a method bound to `{database}/documents`, refusing deeper paths. */
function databaseOnly(call: RestCall): string {
  if (call.documentPath.length > 0) throw notFound(`:${call.verb ?? ''} is a method of ${call.database}/documents, not of /v1/${call.resource}.`)
  return call.database
}

function splitCollection(resource: string): { parent: string; collectionId: string } {
  const slash = resource.lastIndexOf('/')
  return { parent: resource.slice(0, slash), collectionId: resource.slice(slash + 1) }
}
