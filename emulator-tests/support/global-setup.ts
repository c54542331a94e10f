import type { TestProject } from 'vitest/node'
import { startEmulator, type RunningEmulator } from '@quire/firestore-emulator'

declare module 'vitest' {
  export interface ProvidedContext {
    /** host:port of the Firestore emulator the suite runs against. */
    firestoreEmulatorHost: string
  }
}

let emulator: RunningEmulator | undefined

/**
 * Starts our emulator for the suite, unless FIRESTORE_EMULATOR_HOST already names one
 * (the official emulator, say): then the same tests run against that instead.
 */
export async function setup(project: TestProject): Promise<void> {
  const given = process.env['FIRESTORE_EMULATOR_HOST']
  if (given) {
    project.provide('firestoreEmulatorHost', given)
    return
  }
  emulator = await startEmulator()
  project.provide('firestoreEmulatorHost', `${emulator.host}:${emulator.port}`)
}

export async function teardown(): Promise<void> {
  await emulator?.stop()
}
