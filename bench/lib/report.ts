import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { dirname } from 'node:path'

/** One measured number: what, its value, its unit, and how it was measured. */
export interface Measurement {
  benchmark: string
  metric: string
  value: string
  unit: string
  notes?: string
}

/** The machine the numbers come from, for the results file. */
export function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU'
  return `${cpus().length} x ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`
}

/** Prints the table and writes it, with the machine and date, as Markdown and JSON. */
export function writeReport(path: string, measurements: readonly Measurement[]): void {
  const lines = [
    `Measured ${new Date().toISOString()} on ${machine()}.`,
    '',
    '| benchmark | metric | value | unit | notes |',
    '| --- | --- | ---: | --- | --- |',
    ...measurements.map((m) => `| ${m.benchmark} | ${m.metric} | ${m.value} | ${m.unit} | ${m.notes ?? ''} |`),
  ]
  const markdown = lines.join('\n') + '\n'
  console.log('\n' + markdown)
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, markdown)
  writeFileSync(path.replace(/\.md$/, '.json'), JSON.stringify({ machine: machine(), at: new Date().toISOString(), measurements }, null, 2) + '\n')
}
