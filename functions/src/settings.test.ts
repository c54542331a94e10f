import { describe, expect, it } from 'vitest'
import { DEFAULT_COMPACTION } from '@quire/y-firestore/server'
import { settingsFromEnv } from './settings.js'

describe('settingsFromEnv', () => {
  it('uses the defaults when nothing is set', () => {
    const settings = settingsFromEnv({})
    expect(settings.compaction).toEqual(DEFAULT_COMPACTION)
    expect(settings.idleMs).toBe(10 * 60_000)
  })

  it('reads the variables', () => {
    const settings = settingsFromEnv({ COMPACT_MIN_UPDATES: '20', COMPACT_MIN_BYTES: ' 4096 ', COMPACT_IDLE_MINUTES: '2', COMPACT_SWEEP_LIMIT: '7' })
    expect(settings.compaction).toMatchObject({ minUpdates: 20, minBytes: 4096 })
    expect(settings.idleMs).toBe(120_000)
    expect(settings.sweepLimit).toBe(7)
  })

  it('names a variable that is not a positive integer', () => {
    expect(() => settingsFromEnv({ COMPACT_MIN_UPDATES: 'lots' })).toThrow(/COMPACT_MIN_UPDATES must be a positive integer, got "lots"/)
    expect(() => settingsFromEnv({ COMPACT_MIN_BYTES: '0' })).toThrow(/COMPACT_MIN_BYTES/)
  })
})
