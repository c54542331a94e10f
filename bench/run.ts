import { startEmulator } from '@quire/firestore-emulator'
import { benchCompaction } from './compaction.js'
import { benchEmulator } from './firestore-emulator/emulator-bench.js'
import { benchSuiteComparison } from './firestore-emulator/suite-comparison.js'
import { benchSync } from './sync/provider-bench.js'
import { benchWebApp } from './web/app-bench.js'
import { writeReport, type Measurement } from './lib/report.js'

/**
 * `npm run bench`: runs every benchmark and writes bench/results/latest.md (and .json).
 * Against our emulator by default; FIRESTORE_EMULATOR_HOST points it at another one.
 */
const given = process.env['FIRESTORE_EMULATOR_HOST']
const emulator = given ? undefined : await startEmulator()
const host = given ?? `${emulator!.host}:${emulator!.port}`

const measurements: Measurement[] = []
const run = async (name: string, bench: () => Promise<Measurement[]>) => {
  console.log(`running ${name}...`)
  measurements.push(...(await bench()))
}
await run('emulator throughput and fan-out', () => benchEmulator(host, given ? `at ${given}` : 'ours'))
await run('compaction', () => benchCompaction(host))
await run('sync: latency, trace replay, open times', () => benchSync(host))
await emulator?.stop()
await run('conformance suite, ours vs official', () => benchSuiteComparison())
// Its own stack (the web tests' Emulator Suite on the fixture ports), not the emulator above.
await run('web app in Chromium: keystroke latency, open time', () => benchWebApp())

writeReport(new URL('./results/latest.md', import.meta.url).pathname, measurements)
process.exit(0)
