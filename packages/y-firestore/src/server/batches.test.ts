import { describe, expect, it } from 'vitest'
import { MAX_BATCH_BYTES, planBatches, type PlannedWrite } from './batches.js'

const write = (bytes: number, writes?: number): PlannedWrite => ({ apply: () => undefined, bytes, writes })

describe('planBatches', () => {
  it('splits at 500 writes', () => {
    const batches = planBatches(Array.from({ length: 1201 }, () => write(0)))
    expect(batches.map((b) => b.length)).toEqual([500, 500, 201])
  })

  it('splits before 10 MiB: ten 900 KiB chunks fit, eleven do not', () => {
    const batches = planBatches(Array.from({ length: 11 }, () => write(900 * 1024)))
    expect(batches.map((b) => b.length)).toEqual([10, 1])
    for (const batch of batches) expect(batch.reduce((n, w) => n + w.bytes, 0)).toBeLessThanOrEqual(MAX_BATCH_BYTES)
  })

  it('keeps a multi-write unit in one commit', () => {
    const batches = planBatches(Array.from({ length: 251 }, () => write(0, 2)))
    expect(batches.map((b) => b.length)).toEqual([250, 1])
  })
})
