import { createRequire } from 'node:module'
import * as grpc from '@grpc/grpc-js'
import { fromJSON } from '@grpc/proto-loader'
import type { FirestoreApi } from '../api/firestore-api.js'
import { ListenSession } from '../api/listen.js'
import type { ListenRequest, ListenResponse, WriteRequest, WriteResponse } from '../api/messages.js'
import { WriteSession } from '../api/write-stream.js'
import { FirestoreError } from '../model/errors.js'

const require = createRequire(import.meta.url)

/** The options that give the object shapes described in model/types.ts. */
export const PROTO_OPTIONS = { keepCase: false, longs: String, enums: String, bytes: Buffer, defaults: true, oneofs: true } as const

/** The parts of a protobufjs JSON descriptor that addVerifyWrite touches. */
interface JsonNamespace {
  nested?: Record<string, JsonNamespace>
  oneofs?: Record<string, { oneof: string[] }>
  fields?: Record<string, { type: string; id: number }>
}

/** The google.firestore.v1.Firestore service definition, from @google-cloud/firestore's protos. */
export function loadFirestoreService(): grpc.ServiceDefinition {
  const descriptor = structuredClone(require('@google-cloud/firestore/build/protos/v1.json')) as JsonNamespace
  addVerifyWrite(descriptor)
  const definition = fromJSON(descriptor as Parameters<typeof fromJSON>[0], PROTO_OPTIONS)
  return definition['google.firestore.v1.Firestore'] as grpc.ServiceDefinition
}

/**
 * Adds Write's `verify` operation (field 5), which @google-cloud/firestore's protos leave out:
 * the client SDKs send it in transaction commits for documents read but not written.
 */
function addVerifyWrite(descriptor: JsonNamespace): void {
  const write = descriptor.nested?.['google']?.nested?.['firestore']?.nested?.['v1']?.nested?.['Write']
  if (!write?.fields || write.fields['verify']) return
  write.fields['verify'] = { type: 'string', id: 5 }
  write.oneofs?.['operation']?.oneof.push('verify')
}

/** An error as gRPC reports it: FirestoreErrors keep their code, anything else is INTERNAL. */
export function toServiceError(error: unknown): Partial<grpc.ServiceError> {
  if (error instanceof FirestoreError) return { code: error.status, details: error.message }
  console.error('[firestore-emulator] internal error:', error)
  return { code: grpc.status.INTERNAL, details: `Internal emulator error: ${error instanceof Error ? error.message : String(error)}` }
}

type Unary = (request: never) => object
type Streaming = (request: never, emit: (response: object) => void) => void

function unary(method: Unary): grpc.handleUnaryCall<object, object> {
  return (call, callback) => {
    try {
      callback(null, method(call.request as never))
    } catch (error) {
      callback(toServiceError(error))
    }
  }
}

function serverStreaming(method: Streaming): grpc.handleServerStreamingCall<object, object> {
  return (call) => {
    try {
      method(call.request as never, (response) => call.write(response))
      call.end()
    } catch (error) {
      call.emit('error', toServiceError(error))
    }
  }
}

/** The handlers of every method, delegating to the transport-independent API. */
export function firestoreHandlers(api: FirestoreApi): grpc.UntypedServiceImplementation {
  return {
    GetDocument: unary((r) => api.getDocument(r)),
    ListDocuments: unary((r) => api.listDocuments(r)),
    CreateDocument: unary((r) => api.createDocument(r)),
    UpdateDocument: unary((r) => api.updateDocument(r)),
    DeleteDocument: unary((r) => api.deleteDocument(r)),
    BeginTransaction: unary((r) => api.beginTransaction(r)),
    Commit: unary((r) => api.commit(r)),
    Rollback: unary((r) => api.rollback(r)),
    BatchWrite: unary((r) => api.batchWrite(r)),
    PartitionQuery: unary((r) => api.partitionQuery(r)),
    ListCollectionIds: unary((r) => api.listCollectionIds(r)),
    BatchGetDocuments: serverStreaming((r, emit) => api.batchGetDocuments(r, emit)),
    RunQuery: serverStreaming((r, emit) => api.runQuery(r, emit)),
    RunAggregationQuery: serverStreaming((r, emit) => api.runAggregationQuery(r, emit)),
    Listen: (call: grpc.ServerDuplexStream<ListenRequest, ListenResponse>) => {
      const session = new ListenSession(api, (response) => call.write(response))
      call.on('data', (request: ListenRequest) => {
        try {
          session.handle(request)
        } catch (error) {
          session.close()
          call.emit('error', toServiceError(error))
        }
      })
      call.on('end', () => {
        session.close()
        call.end()
      })
      call.on('cancelled', () => session.close())
      call.on('error', () => session.close())
    },
    Write: (call: grpc.ServerDuplexStream<WriteRequest, WriteResponse>) => {
      const session = new WriteSession(api)
      call.on('data', (request: WriteRequest) => {
        try {
          call.write(session.handle(request))
        } catch (error) {
          call.emit('error', toServiceError(error))
        }
      })
      call.on('end', () => call.end())
    },
  }
}
