/// <reference types="vite/client" />

/** Emulator ports from firebase.json, put in by vite.config.ts. */
declare const __QUIRE_EMULATORS__: { auth: number; firestore: number; functions: number }

interface ImportMetaEnv {
  readonly VITE_FIREBASE_API_KEY?: string
  readonly VITE_FIREBASE_AUTH_DOMAIN?: string
  readonly VITE_FIREBASE_PROJECT_ID?: string
  readonly VITE_FIREBASE_APP_ID?: string
  readonly VITE_FIREBASE_STORAGE_BUCKET?: string
  readonly VITE_FIREBASE_MESSAGING_SENDER_ID?: string
}
