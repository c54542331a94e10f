import { createRequire } from 'node:module'
import * as grpc from '@grpc/grpc-js'
import { fromJSON } from '@grpc/proto-loader'
import type { FirestoreApi } from '../api/firestore-api.js'
import { ListenSession } from '../api/listen.js'
import type { ListenRequest, ListenResponse, WriteRequest, WriteResponse } from '../api/messages.js'
import { WriteSession } from '../api/write-stream.js'
import { FirestoreError } from '../model/errors.js'
import { callerFromAuthorization, type Caller } from '../security/auth.js'

const require = createRequire(import.meta.url)

/** The options that give the object shapes described in model/types.ts. */
export const PROTO_OPTIONS = { keepCase: false, longs: String, enums: String, bytes: Buffer, defaults: true, oneofs: true } as const

/** The parts of a protobufjs JSON descriptor that addVerifyWrite touches. */
interface JsonNamespace {
  nested?: Record<string, JsonNamespace>
  oneofs?: Record<string, { oneof: string[] }>
  fields?: Record<string, { type: string; id: number }>
}

/**
 * The protobufjs JSON descriptor of google.firestore.v1 (from @google-cloud/firestore's protos,
 * with Write.verify added): a fresh copy, shared by the gRPC binding and the proto3 JSON codec.
 */
export function firestoreDescriptor(): object {
  const descriptor = structuredClone(require('@google-cloud/firestore/build/protos/v1.json')) as JsonNamespace
  addVerifyWrite(descriptor)
  return descriptor
}

/** The google.firestore.v1.Firestore service definition, from @google-cloud/firestore's protos. */
export function loadFirestoreService(): grpc.ServiceDefinition {
  const definition = fromJSON(firestoreDescriptor() as Parameters<typeof fromJSON>[0], PROTO_OPTIONS)
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

type Unary = (request: never, caller: Caller) => object
type Streaming = (request: never, emit: (response: object) => void, caller: Caller) => void

/** The caller of a call, from its `authorization` metadata. Throws UNAUTHENTICATED for a bad token. */
function callerOf(call: { metadata: grpc.Metadata }): Caller {
  const value = call.metadata.get('authorization')[0]
  return callerFromAuthorization(typeof value === 'string' ? value : value?.toString())
}

function unary(method: Unary): grpc.handleUnaryCall<object, object> {
  return (call, callback) => {
    try {
      callback(null, method(call.request as never, callerOf(call)))
    } catch (error) {
      callback(toServiceError(error))
    }
  }
}

function serverStreaming(method: Streaming): grpc.handleServerStreamingCall<object, object> {
  return (call) => {
    try {
      method(call.request as never, (response) => call.write(response), callerOf(call))
      call.end()
    } catch (error) {
      call.emit('error', toServiceError(error))
    }
  }
}

/** Runs a bidirectional stream's session, ending the call with the error a session throws. */
function bidiStreaming<Request, Response>(
  open: (call: grpc.ServerDuplexStream<Request, Response>, caller: Caller) => { handle(request: Request): void; close(): void },
): grpc.handleBidiStreamingCall<Request, Response> {
  return (call) => {
    let session: { handle(request: Request): void; close(): void }
    try {
      session = open(call, callerOf(call))
    } catch (error) {
      call.emit('error', toServiceError(error))
      return
    }
    call.on('data', (request: Request) => {
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
  }
}

/** The handlers of every method, delegating to the transport-independent API. */
export function firestoreHandlers(api: FirestoreApi): grpc.UntypedServiceImplementation {
  return {
    GetDocument: unary((r, c) => api.getDocument(r, c)),
    ListDocuments: unary((r, c) => api.listDocuments(r, c)),
    CreateDocument: unary((r, c) => api.createDocument(r, c)),
    UpdateDocument: unary((r, c) => api.updateDocument(r, c)),
    DeleteDocument: unary((r, c) => api.deleteDocument(r, c)),
    BeginTransaction: unary((r, c) => api.beginTransaction(r, c)),
    Commit: unary((r, c) => api.commit(r, c)),
    Rollback: unary((r, c) => api.rollback(r, c)),
    BatchWrite: unary((r, c) => api.batchWrite(r, c)),
    PartitionQuery: unary((r, c) => api.partitionQuery(r, c)),
    ListCollectionIds: unary((r, c) => api.listCollectionIds(r, c)),
    BatchGetDocuments: serverStreaming((r, emit, c) => api.batchGetDocuments(r, emit, c)),
    RunQuery: serverStreaming((r, emit, c) => api.runQuery(r, emit, c)),
    RunAggregationQuery: serverStreaming((r, emit, c) => api.runAggregationQuery(r, emit, c)),
    Listen: bidiStreaming<ListenRequest, ListenResponse>((call, caller) => new ListenSession(api, (response) => call.write(response), caller)),
    Write: bidiStreaming<WriteRequest, WriteResponse>((call, caller) => {
      const session = new WriteSession(api, caller)
      return { handle: (request) => void call.write(session.handle(request)), close: () => {} }
    }),
  }
}
