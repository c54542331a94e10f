import { randomUUID } from 'node:crypto'
import { inject } from 'vitest'
import { deleteApp as deleteAdminApp, initializeApp as initializeAdminApp, type App } from 'firebase-admin/app'
import { getFirestore as getAdminFirestore, type Firestore as AdminFirestore } from 'firebase-admin/firestore'
import { deleteApp, initializeApp, type FirebaseApp } from 'firebase/app'
import { connectFirestoreEmulator, initializeFirestore, terminate, type Firestore } from 'firebase/firestore'

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

  /** A client SDK (firebase/firestore, gRPC in Node) instance of its own. */
  web(): Firestore {
    const app = initializeApp({ projectId: this.projectId, apiKey: 'fake-api-key' }, `web-${randomUUID()}`)
    const db = initializeFirestore(app, {})
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
