/**
 * @quire/firestore-emulator: a Cloud Firestore emulator in TypeScript.
 *
 * ```ts
 * const emulator = await startEmulator({ port: 8080 })
 * process.env.FIRESTORE_EMULATOR_HOST = `${emulator.host}:${emulator.port}`
 * // ... the Node client SDK and the Admin SDK now talk to it
 * await emulator.stop()
 * ```
 */
export { startEmulator, type EmulatorOptions, type RunningEmulator } from './server.js'
export { FirestoreError, type CodeName } from './model/errors.js'
