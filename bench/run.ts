import { startEmulator } from '@quire/firestore-emulator'
import { benchEmulator } from './firestore-emulator/emulator-bench.js'
import { writeReport, type Measurement } from './lib/report.js'

/**
 * `npm run bench`: runs every benchmark and writes bench/results/latest.md (and .json).
 * Against our emulator by default; FIRESTORE_EMULATOR_HOST points it at another one.
 */
const given = process.env['FIRESTORE_EMULATOR_HOST']
const emulator = given ? undefined : await startEmulator()
const host = given ?? `${emulator!.host}:${emulator!.port}`

const measurements: Measurement[] = []
measurements.push(...(await benchEmulator(host, given ? `at ${given}` : 'ours')))

await emulator?.stop()
writeReport(new URL('./results/latest.md', import.meta.url).pathname, measurements)
process.exit(0)
