import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineConfig, type Plugin } from 'vite'

const WEB = dirname(fileURLToPath(import.meta.url))

/** The emulator ports the app connects to when served from localhost (see src/config.ts). */
interface EmulatorPorts {
  auth: number
  firestore: number
  functions: number
}

/**
 * Reads the emulator ports from a firebase.json, so the app and the Emulator Suite agree on one
 * source: the repository's, or the one QUIRE_FIREBASE_JSON names (the web tests run the stack
 * on ports of their own).
 */
function emulatorPorts(): EmulatorPorts {
  const file = process.env['QUIRE_FIREBASE_JSON'] ?? resolve(WEB, '..', 'firebase.json')
  const config = JSON.parse(readFileSync(file, 'utf8')) as { emulators?: Record<string, { port?: number }> }
  const port = (name: keyof EmulatorPorts): number => {
    const value = config.emulators?.[name]?.port
    if (typeof value !== 'number') throw new Error(`${file} names no port for the ${name} emulator`)
    return value
  }
  return { auth: port('auth'), firestore: port('firestore'), functions: port('functions') }
}

/** Where the service worker is served: at the root, so that it controls the whole app. */
const SERVICE_WORKER = 'sw.js'

/**
 * Fills the service worker's `__QUIRE_PRECACHE__` with the build's files (not the page, the
 * worker or source maps), so that it caches exactly this build when installed.
 */
function precacheList(): Plugin {
  return {
    name: 'quire-precache-list',
    apply: 'build',
    generateBundle(_options, bundle) {
      const worker = bundle[SERVICE_WORKER]
      if (worker?.type !== 'chunk') return this.error(`the service worker (${SERVICE_WORKER}) is not in the bundle`)
      const files = Object.keys(bundle)
        .filter((file) => file !== SERVICE_WORKER && file !== 'index.html' && !file.endsWith('.map'))
        .map((file) => `/${file}`)
        .sort()
      worker.code = worker.code.replaceAll('__QUIRE_PRECACHE__', JSON.stringify(files))
    },
  }
}

export default defineConfig({
  root: WEB,
  define: { __QUIRE_EMULATORS__: JSON.stringify(emulatorPorts()) },
  build: {
    outDir: process.env['QUIRE_WEB_OUT_DIR'] ?? resolve(WEB, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // Two chunks of ~660 KB (~200 KB gzipped each): the app with Firebase, and the editor page
    // (CodeMirror with Markdown, Yjs), loaded when a document is opened.
    chunkSizeWarningLimit: 700,
    rolldownOptions: {
      input: { index: resolve(WEB, 'index.html'), sw: resolve(WEB, 'src/offline/service-worker.ts') },
      output: { entryFileNames: (chunk) => (chunk.name === 'sw' ? SERVICE_WORKER : 'assets/[name]-[hash].js') },
    },
  },
  plugins: [precacheList()],
  server: { host: '127.0.0.1', port: 5173, strictPort: true },
})
