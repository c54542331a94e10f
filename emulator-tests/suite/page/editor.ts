// The page of emulator-tests/suite/compaction.test.ts, bundled for Chromium by esbuild: the app's
// stack as a browser runs it (firebase/auth on the Auth emulator, the browser build of
// firebase/firestore, FirestoreProvider), driven one call at a time from the test.
import { deleteApp, initializeApp, type FirebaseApp } from 'firebase/app'
import { connectAuthEmulator, createUserWithEmailAndPassword, getAuth, signInWithEmailAndPassword } from 'firebase/auth'
import { connectFirestoreEmulator, doc, getFirestore, serverTimestamp, setDoc, terminate, type Firestore } from 'firebase/firestore'
import * as Y from 'yjs'
import { FirestoreProvider } from '@quire/y-firestore'

export interface StartOptions {
  projectId: string
  firestore: { host: string; port: number }
  /** The Auth emulator's origin, `http://host:port`. */
  authUrl: string
  email: string
  password: string
  /** Creates the account (the first page) rather than signing in to it. */
  newUser: boolean
}

export interface EditorPage {
  /** Connects to the emulators and signs in; resolves with the user's uid. */
  start(options: StartOptions): Promise<string>
  /** Creates documents/{docId} as firestore.rules requires of a create: the caller as sole owner. */
  createDocument(docId: string, title: string): Promise<void>
  /** Opens the document in a FirestoreProvider (no IndexedDB copy: only the server counts) and waits for its first sync. */
  open(docId: string): Promise<void>
  /** Appends `text` to the document and waits until the server holds it: one update document per call. */
  append(text: string): Promise<void>
  /** The document's text. */
  text(): string
  /** Errors the provider reported, as `code: message`. */
  errors(): string[]
  close(): Promise<void>
}

let app: FirebaseApp | undefined
let db: Firestore | undefined
let ydoc: Y.Doc | undefined
let provider: FirestoreProvider | undefined
const reported: string[] = []

function must<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what}: call start() and open() first`)
  return value
}

const page: EditorPage = {
  async start({ projectId, firestore, authUrl, email, password, newUser }) {
    app = initializeApp({ projectId, apiKey: 'fake-api-key' })
    const auth = getAuth(app)
    connectAuthEmulator(auth, authUrl, { disableWarnings: true })
    db = getFirestore(app)
    connectFirestoreEmulator(db, firestore.host, firestore.port)
    const credential = newUser ? await createUserWithEmailAndPassword(auth, email, password) : await signInWithEmailAndPassword(auth, email, password)
    return credential.user.uid
  },
  async createDocument(docId, title) {
    const uid = must(app && getAuth(app).currentUser?.uid, 'signed-in user')
    await setDoc(doc(must(db, 'firestore'), 'documents', docId), { title, owner: uid, roles: { [uid]: 'owner' }, createdAt: serverTimestamp(), updatedAt: serverTimestamp() })
  },
  async open(docId) {
    ydoc = new Y.Doc()
    provider = new FirestoreProvider(must(db, 'firestore'), docId, ydoc, { indexedDb: false })
    provider.on('error', (error) => reported.push(`${error.code}: ${error.message}`))
    await provider.whenSynced
  },
  async append(text) {
    const content = must(ydoc, 'document').getText('content')
    content.insert(content.length, text)
    await must(provider, 'provider').flush()
  },
  text() {
    return must(ydoc, 'document').getText('content').toString()
  },
  errors() {
    return [...reported]
  },
  async close() {
    provider?.destroy()
    ydoc?.destroy()
    if (db) await terminate(db)
    if (app) await deleteApp(app)
  },
}

;(globalThis as unknown as { harness: EditorPage }).harness = page
