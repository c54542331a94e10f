import type * as M from '../api/messages.js'
import { firestoreDescriptor } from '../grpc/service.js'
import type { Document } from '../model/types.js'
import { ProtoJsonCodec, type FieldInfo, type JsonObject } from './json-codec.js'

/** The google.firestore.v1 messages the browser transports read and write, by short name. */
export interface FirestoreMessages {
  BatchGetDocumentsRequest: M.BatchGetDocumentsRequest
  BatchGetDocumentsResponse: M.BatchGetDocumentsResponse
  BatchWriteRequest: M.BatchWriteRequest
  BatchWriteResponse: M.BatchWriteResponse
  BeginTransactionRequest: M.BeginTransactionRequest
  BeginTransactionResponse: { transaction: Uint8Array }
  CommitRequest: M.CommitRequest
  CommitResponse: M.CommitResponse
  CreateDocumentRequest: M.CreateDocumentRequest
  DeleteDocumentRequest: M.DeleteDocumentRequest
  Document: Document
  GetDocumentRequest: M.GetDocumentRequest
  ListCollectionIdsRequest: M.ListCollectionIdsRequest
  ListCollectionIdsResponse: M.ListCollectionIdsResponse
  ListDocumentsRequest: M.ListDocumentsRequest
  ListDocumentsResponse: M.ListDocumentsResponse
  ListenRequest: M.ListenRequest
  ListenResponse: M.ListenResponse
  PartitionQueryRequest: M.PartitionQueryRequest
  PartitionQueryResponse: M.PartitionQueryResponse
  RollbackRequest: M.RollbackRequest
  RunAggregationQueryRequest: M.RunAggregationQueryRequest
  RunAggregationQueryResponse: M.RunAggregationQueryResponse
  RunQueryRequest: M.RunQueryRequest
  RunQueryResponse: M.RunQueryResponse
  UpdateDocumentRequest: M.UpdateDocumentRequest
  WriteRequest: M.WriteRequest
  WriteResponse: M.WriteResponse
}

export type FirestoreMessageName = keyof FirestoreMessages

/**
 * proto3 JSON for google.firestore.v1 messages, typed by message name. The objects it
 * decodes have the shape gRPC requests have (see proto/json-codec.ts), so they can be
 * handed to FirestoreApi, ListenSession and WriteSession as they are.
 */
export class FirestoreJson {
  private readonly codec = new ProtoJsonCodec(firestoreDescriptor())

  /** proto3 JSON to a message; INVALID_ARGUMENT when it does not fit the message. */
  decode<N extends FirestoreMessageName>(name: N, json: unknown): FirestoreMessages[N] {
    return this.codec.decode(`google.firestore.v1.${name}`, json) as FirestoreMessages[N]
  }

  /** A message as proto3 JSON. */
  encode<N extends FirestoreMessageName>(name: N, message: FirestoreMessages[N]): JsonObject {
    return this.codec.encode(`google.firestore.v1.${name}`, message)
  }

  /** The field a dotted request field path names (for REST query parameters). */
  fieldAt(name: FirestoreMessageName, path: readonly string[]): FieldInfo | undefined {
    return this.codec.fieldAt(`google.firestore.v1.${name}`, path)
  }
}

let shared: FirestoreJson | undefined

/** One codec for the process: building it resolves the whole descriptor, so it is reused. */
export function firestoreJson(): FirestoreJson {
  shared ??= new FirestoreJson()
  return shared
}
