import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { connect, createServer as createNetServer, type AddressInfo, type Socket } from 'node:net'
import * as grpc from '@grpc/grpc-js'
import { FirestoreApi } from './api/firestore-api.js'
import { BrowserTransports } from './browser/transports.js'
import { Engine } from './engine/engine.js'
import { firestoreHandlers, loadFirestoreService } from './grpc/service.js'
import { handleControlRequest } from './http/control.js'
import { SecurityGate } from './security/gate.js'
import { Triggers } from './triggers/triggers.js'

export interface EmulatorOptions {
  /** Interface to bind; loopback unless told otherwise. */
  host?: string
  /** Port to bind; 0 or absent picks a free one. */
  port?: number
  /** The project most clients use; data of other projects is served as well. */
  projectId?: string
  /**
   * Security rules source for every project without rules of its own (as the official
   * emulator's --rules). Without rules, every request is allowed. A ruleset that does not
   * load makes startEmulator reject with a RulesetError naming line and column.
   */
  rules?: string
  /**
   * Where the Functions emulator listens (`host:port`), for Firestore triggers; defaults to
   * FUNCTIONS_EMULATOR_HOST. Triggers register over the control API (triggers/triggers.ts).
   */
  functionsEmulator?: string
}

export interface RunningEmulator {
  readonly host: string
  readonly port: number
  readonly projectId: string
  readonly engine: Engine
  /** The registered Functions triggers and their event delivery. */
  readonly triggers: Triggers
  /** Closes every connection and the port. */
  stop(): Promise<void>
}

/** The HTTP/2 connection preface: its first bytes tell gRPC from HTTP/1.1 on the shared port. */
const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0')

const MAX_MESSAGE_BYTES = 64 * 1024 * 1024

/**
 * Starts the emulator: one port serving gRPC (HTTP/2) for the Node SDKs and HTTP/1.1 for
 * the browser SDK (WebChannel and REST, see browser/transports.ts) and
 * the emulator control API. gRPC runs on a private loopback port; connections whose
 * first bytes are the HTTP/2 preface are spliced through to it.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const host = options.host ?? '127.0.0.1'
  const projectId = options.projectId ?? 'demo-quire'
  const engine = new Engine()
  const gate = new SecurityGate()
  if (options.rules !== undefined) gate.setDefaultRules(options.rules)
  const api = new FirestoreApi(engine, gate)
  const functionsEmulator = options.functionsEmulator ?? process.env['FUNCTIONS_EMULATOR_HOST']
  const triggers = new Triggers(functionsEmulator ? { functionsEmulator } : {})
  triggers.attach(engine)

  const grpcServer = new grpc.Server({
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  })
  grpcServer.addService(loadFirestoreService(), firestoreHandlers(api))
  const grpcPort = await new Promise<number>((resolve, reject) =>
    grpcServer.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port))),
  )

  const browser = new BrowserTransports(api)
  const http = createHttpServer((request: IncomingMessage, response: ServerResponse) => {
    if (!browser.handle(request, response)) handleControlRequest(engine, gate, request, response, triggers)
  })
  const sockets = new Set<Socket>()
  const server = createNetServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.setNoDelay(true)
    socket.once('data', (first: Buffer) => {
      socket.pause()
      if (first.subarray(0, HTTP2_PREFACE.length).equals(HTTP2_PREFACE)) splice(socket, first, grpcPort, sockets)
      else {
        socket.unshift(first)
        http.emit('connection', socket)
        socket.resume()
      }
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => resolve())
  })
  const port = (server.address() as AddressInfo).port

  return {
    host,
    port,
    projectId,
    engine,
    triggers,
    async stop() {
      triggers.close()
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        for (const socket of sockets) socket.destroy()
      })
      browser.close()
      http.close()
      grpcServer.forceShutdown()
    },
  }
}

/** Joins a client's HTTP/2 connection to the gRPC server's private port. */
function splice(socket: Socket, first: Buffer, grpcPort: number, sockets: Set<Socket>): void {
  const upstream = connect(grpcPort, '127.0.0.1')
  sockets.add(upstream)
  upstream.setNoDelay(true)
  upstream.on('close', () => {
    sockets.delete(upstream)
    socket.destroy()
  })
  socket.on('close', () => upstream.destroy())
  upstream.on('error', () => socket.destroy())
  socket.on('error', () => upstream.destroy())
  upstream.write(first)
  socket.pipe(upstream)
  upstream.pipe(socket)
  socket.resume()
}
