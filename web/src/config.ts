import type { FirebaseOptions } from 'firebase/app'

/** The project the emulators run as: a demo- project needs no credentials or network. */
export const EMULATOR_PROJECT_ID = 'demo-quire'

/** Where the app connects: the local emulators, or a real Firebase project. */
export type AppConfig =
  | { mode: 'emulators'; firebase: FirebaseOptions; host: string; ports: typeof __QUIRE_EMULATORS__ }
  | { mode: 'production'; firebase: FirebaseOptions }

/**
 * Emulator mode whenever the page is served from this machine (localhost or 127.0.0.1), so
 * `npm start` needs no configuration; otherwise the project named by the VITE_FIREBASE_*
 * variables (web/.env.production.local, see web/README.md).
 */
export function loadConfig(location: Location = window.location): AppConfig {
  const host = location.hostname
  if (host === 'localhost' || host === '127.0.0.1') {
    return {
      mode: 'emulators',
      host,
      ports: __QUIRE_EMULATORS__,
      firebase: { projectId: EMULATOR_PROJECT_ID, apiKey: 'demo-key', appId: 'demo-app', authDomain: `${host}` },
    }
  }
  const env = import.meta.env
  const projectId = env.VITE_FIREBASE_PROJECT_ID
  const apiKey = env.VITE_FIREBASE_API_KEY
  if (!projectId || !apiKey) {
    throw new Error('This build has no Firebase project configured: set VITE_FIREBASE_PROJECT_ID and VITE_FIREBASE_API_KEY (web/README.md) and build again.')
  }
  const firebase: FirebaseOptions = { projectId, apiKey, authDomain: env.VITE_FIREBASE_AUTH_DOMAIN ?? `${projectId}.firebaseapp.com` }
  if (env.VITE_FIREBASE_APP_ID) firebase.appId = env.VITE_FIREBASE_APP_ID
  if (env.VITE_FIREBASE_STORAGE_BUCKET) firebase.storageBucket = env.VITE_FIREBASE_STORAGE_BUCKET
  if (env.VITE_FIREBASE_MESSAGING_SENDER_ID) firebase.messagingSenderId = env.VITE_FIREBASE_MESSAGING_SENDER_ID
  return { mode: 'production', firebase }
}
