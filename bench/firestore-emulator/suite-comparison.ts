import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { startOfficialEmulator } from '../../scripts/official-emulator.js'
import type { Measurement } from '../lib/report.js'
import { fixed } from '../lib/stats.js'

const SUITE = 'emulator-tests/firestore'

interface SuiteRun {
  wallMs: number
  /** Test full name -> duration (ms), for tests that passed. */
  passed: Map<string, number>
  failed: number
}

interface VitestJson {
  testResults: { assertionResults: { fullName: string; status: string; duration?: number }[] }[]
}

/** Runs the conformance suite once (against `host`, or against our emulator when undefined). */
function runSuite(host: string | undefined): SuiteRun {
  const output = join(mkdtempSync(join(tmpdir(), 'quire-bench-')), 'results.json')
  const env = { ...process.env }
  if (host) env['FIRESTORE_EMULATOR_HOST'] = host
  else delete env['FIRESTORE_EMULATOR_HOST']
  const start = performance.now()
  spawnSync('npx', ['vitest', 'run', '--project', 'emulator', SUITE, '--reporter=json', `--outputFile=${output}`], { env, stdio: 'ignore' })
  const wallMs = performance.now() - start
  const json = JSON.parse(readFileSync(output, 'utf8')) as VitestJson
  const passed = new Map<string, number>()
  let failed = 0
  for (const file of json.testResults) {
    for (const test of file.assertionResults) {
      if (test.status === 'passed') passed.set(test.fullName, test.duration ?? 0)
      else failed++
    }
  }
  return { wallMs, passed, failed }
}

/**
 * The same conformance suite against our emulator and against Google's official one (when
 * installed): wall time of the whole run, and the summed durations of the tests that pass
 * on both (the official emulator fails a few, some by timing out, which would skew wall time).
 */
export async function benchSuiteComparison(): Promise<Measurement[]> {
  const ours = runSuite(undefined)
  const benchmark = 'Conformance suite (emulator-tests/firestore)'
  const results: Measurement[] = [
    { benchmark, metric: 'wall time, our emulator', value: fixed(ours.wallMs / 1000, 1), unit: 's', notes: `${ours.passed.size} passed, ${ours.failed} failed; includes vitest start-up` },
  ]
  const startedAt = performance.now()
  const official = await startOfficialEmulator()
  if (!official) return [...results, { benchmark, metric: 'official emulator', value: 'n/a', unit: '', notes: 'not installed on this machine' }]
  const startupMs = performance.now() - startedAt
  try {
    const theirs = runSuite(`${official.host}:${official.port}`)
    const common = [...ours.passed.keys()].filter((name) => theirs.passed.has(name))
    const sum = (run: SuiteRun) => common.reduce((total, name) => total + run.passed.get(name)!, 0)
    return [
      ...results,
      { benchmark, metric: 'wall time, official emulator', value: fixed(theirs.wallMs / 1000, 1), unit: 's', notes: `${theirs.passed.size} passed, ${theirs.failed} failed (failures include time-outs); JVM start-up ${fixed(startupMs / 1000, 1)} s not included` },
      { benchmark, metric: `tests passing on both (${common.length}), summed durations: ours / official`, value: `${fixed(sum(ours) / 1000, 1)} / ${fixed(sum(theirs) / 1000, 1)}`, unit: 's', notes: `ratio ${fixed(sum(theirs) / Math.max(1, sum(ours)), 1)}x` },
    ]
  } finally {
    await official.stop()
  }
}
