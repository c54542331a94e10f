import { delimiter, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root. */
export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** The marker firebase-tools is told is the Firestore emulator's JAR (see bin/java). */
export const MARKER = join(REPO, 'scripts', 'emulator-suite', 'quire-firestore-emulator.marker')

/** The local firebase-tools command (root devDependency). */
export const FIREBASE = join(REPO, 'node_modules', '.bin', 'firebase')

/** The project the suite runs as: a demo- project, so nothing needs credentials or the network. */
export const PROJECT_ID = 'demo-quire'

/**
 * The environment firebase-tools runs in so that its Firestore emulator is ours: the java shim
 * first on PATH, FIRESTORE_EMULATOR_BINARY_PATH at the marker, and firebase-tools kept offline
 * and non-interactive (CI=1: no prompts or update checks; no metadata-server probe; npm offline).
 */
export function suiteEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...base,
    PATH: [join(REPO, 'scripts', 'emulator-suite', 'bin'), base['PATH'] ?? ''].join(delimiter),
    FIRESTORE_EMULATOR_BINARY_PATH: MARKER,
    CI: '1',
    METADATA_SERVER_DETECTION: 'none',
    npm_config_offline: 'true',
  }
}
