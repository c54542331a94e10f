import { randomUUID } from 'node:crypto'
import { inject } from 'vitest'
import { deleteApp as deleteAdminApp, initializeApp as initializeAdminApp, type App } from 'firebase-admin/app'
import { getFirestore as getAdminFirestore, type Firestore as AdminFirestore } from 'firebase-admin/firestore'
import { deleteApp, initializeApp, type FirebaseApp } from 'firebase/app'
import { connectFirestoreEmulator, initializeFirestore, terminate, type Firestore, type FirestoreSettings } from 'firebase/firestore'

/**
 * How `Clients.web()` instances reach the emulator, from QUIRE_WEB_TRANSPORT:
 * - `grpc` (unset): the Node build of firebase/firestore, over gRPC.
 * - `webchannel-streaming`, `webchannel-long-polling`: the browser build, over WebChannel (in that
 *   mode) and REST. Only the `webchannel-*` vitest projects set these, and they also alias
 *   firebase/firestore to the browser build and install an XMLHttpRequest (support/node-xhr.ts):
 *   the variable alone cannot change which build an import resolves to.
 */
export type WebTransport = 'grpc' | 'webchannel-streaming' | 'webchannel-long-polling'

export function webTransport(): WebTransport {
  const value = process.env['QUIRE_WEB_TRANSPORT'] ?? 'grpc'
  if (value === 'grpc' || value === 'webchannel-streaming' || value === 'webchannel-long-polling') return value
  throw new Error(`QUIRE_WEB_TRANSPORT must be grpc, webchannel-streaming or webchannel-long-polling, not ${JSON.stringify(value)}`)
}

/** The settings that select `transport` (the Node build ignores the WebChannel ones). */
function transportSettings(transport: WebTransport): FirestoreSettings {
  switch (transport) {
    case 'grpc':
      return {}
    case 'webchannel-streaming':
      // Streaming without the buffering-proxy probe. Node's XMLHttpRequest stand-in (xhr2) gives a
      // response's text only once it ends, which a streaming back channel never does, so WebChannel
      // goes through the Fetch API (the SDK's private `useFetchStreams`, read from the settings
      // object as given), whose body Node streams. REST calls stay on XMLHttpRequest.
      return { experimentalAutoDetectLongPolling: false, useFetchStreams: true } as FirestoreSettings & { useFetchStreams: boolean }
    case 'webchannel-long-polling':
      return { experimentalForceLongPolling: true }
  }
}

/** host and port of the emulator under test (or of `hostAndPort`). */
export function emulatorAddress(hostAndPort: string = inject('firestoreEmulatorHost')): { host: string; port: number } {
  const value = hostAndPort
  const index = value.lastIndexOf(':')
  return { host: value.slice(0, index), port: Number(value.slice(index + 1)) }
}

/** A fresh project ID, so each test file's data is its own (the emulator keeps data per project). */
export function uniqueProjectId(prefix = 'demo-test'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`
}

/**
 * Opens clients of both SDKs against the emulator and closes them all at the end.
 * Use one per test file: `const clients = new Clients(projectId)`, `afterAll(() => clients.close())`.
 * Outside vitest (benchmarks), pass the emulator's "host:port".
 */
export class Clients {
  private readonly webApps: { app: FirebaseApp; db: Firestore }[] = []
  private readonly adminApps: App[] = []

  constructor(
    readonly projectId: string,
    private readonly emulatorHost: string = inject('firestoreEmulatorHost'),
  ) {
    process.env['FIRESTORE_EMULATOR_HOST'] = emulatorHost
    // The Admin SDK would otherwise probe Google's metadata server for credentials (off-machine traffic).
    process.env['METADATA_SERVER_DETECTION'] = 'none'
  }

  /** A client SDK (firebase/firestore) instance of its own, over the transport QUIRE_WEB_TRANSPORT names (gRPC by default). */
  web(): Firestore {
    const app = initializeApp({ projectId: this.projectId, apiKey: 'fake-api-key' }, `web-${randomUUID()}`)
    const db = initializeFirestore(app, transportSettings(webTransport()))
    const { host, port } = emulatorAddress(this.emulatorHost)
    connectFirestoreEmulator(db, host, port)
    this.webApps.push({ app, db })
    return db
  }

  /** An Admin SDK (firebase-admin/firestore) instance of its own. */
  admin(): AdminFirestore {
    const app = initializeAdminApp({ projectId: this.projectId }, `admin-${randomUUID()}`)
    this.adminApps.push(app)
    return getAdminFirestore(app)
  }

  /** Deletes every document of the project through the emulator control API. */
  async clear(): Promise<void> {
    const { host, port } = emulatorAddress(this.emulatorHost)
    const response = await fetch(`http://${host}:${port}/emulator/v1/projects/${this.projectId}/databases/(default)/documents`, { method: 'DELETE' })
    if (!response.ok) throw new Error(`Clearing the emulator failed: ${response.status} ${await response.text()}`)
  }

  async close(): Promise<void> {
    await Promise.all(this.webApps.map(async ({ app, db }) => {
      await terminate(db)
      await deleteApp(app)
    }))
    await Promise.all(this.adminApps.map((app) => deleteAdminApp(app)))
  }
}
