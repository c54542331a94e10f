import { initializeApp } from 'firebase/app'
import { connectAuthEmulator, getAuth, type Auth } from 'firebase/auth'
import { connectFirestoreEmulator, initializeFirestore, persistentLocalCache, persistentMultipleTabManager, type Firestore } from 'firebase/firestore'
import { connectFunctionsEmulator, getFunctions, type Functions } from 'firebase/functions'
import type { AppConfig } from './config.js'

/** The Firebase services the app uses, connected to the emulators or the real project. */
export interface Services {
  readonly config: AppConfig
  readonly auth: Auth
  readonly db: Firestore
  readonly functions: Functions
}

/**
 * Initializes the default Firebase app (the y-firestore provider finds the signed-in user
 * through it). Firestore keeps a persistent, multi-tab cache in every mode, so queued writes
 * survive a reload and documents open offline.
 */
export function connect(config: AppConfig): Services {
  const app = initializeApp(config.firebase)
  const auth = getAuth(app)
  const db = initializeFirestore(app, { localCache: persistentLocalCache({ tabManager: persistentMultipleTabManager() }) })
  const functions = getFunctions(app)
  if (config.mode === 'emulators') {
    connectAuthEmulator(auth, `http://${config.host}:${config.ports.auth}`, { disableWarnings: true })
    connectFirestoreEmulator(db, config.host, config.ports.firestore)
    connectFunctionsEmulator(functions, config.host, config.ports.functions)
  }
  return { config, auth, db, functions }
}
