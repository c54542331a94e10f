import { DEFAULT_COMPACTION, type CompactionSettings } from '@quire/y-firestore/server'

/**
 * The functions' settings, from environment variables with defaults. firebase-tools loads
 * `functions/.env` (and `.env.<project>`) into the functions' environment, deployed and in the
 * emulator, so thresholds change without a code change. Unset means the default.
 */

/** Everything the compaction functions are told. */
export interface FunctionSettings {
  /** Thresholds passed to compactDocument. */
  compaction: CompactionSettings
  /**
   * A new update at least this large makes the trigger read the log to check the byte
   * threshold; smaller ones only count documents (one cheap aggregation), see handlers.ts.
   */
  largeUpdateBytes: number
  /** The sweep compacts logs whose newest update is at least this old. */
  idleMs: number
  /** The sweep compacts at most this many documents per run. */
  sweepLimit: number
}

/** The variables read, their defaults, and what they set. */
export const ENVIRONMENT = {
  COMPACT_MIN_UPDATES: DEFAULT_COMPACTION.minUpdates,
  COMPACT_MIN_BYTES: DEFAULT_COMPACTION.minBytes,
  COMPACT_MAX_UPDATES_PER_RUN: DEFAULT_COMPACTION.maxUpdatesPerRun ?? 25_000,
  COMPACT_LARGE_UPDATE_BYTES: 64 * 1024,
  COMPACT_IDLE_MINUTES: 10,
  COMPACT_SWEEP_LIMIT: 50,
} as const

type Variable = keyof typeof ENVIRONMENT

/** Reads the settings from `env` (default: process.env); throws naming a variable that is not a positive integer. */
export function settingsFromEnv(env: Record<string, string | undefined> = process.env): FunctionSettings {
  const read = (name: Variable): number => {
    const raw = env[name]?.trim()
    if (raw === undefined || raw === '') return ENVIRONMENT[name]
    const value = Number(raw)
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got "${raw}".`)
    return value
  }
  return {
    compaction: {
      minUpdates: read('COMPACT_MIN_UPDATES'),
      minBytes: read('COMPACT_MIN_BYTES'),
      maxUpdatesPerRun: read('COMPACT_MAX_UPDATES_PER_RUN'),
    },
    largeUpdateBytes: read('COMPACT_LARGE_UPDATE_BYTES'),
    idleMs: read('COMPACT_IDLE_MINUTES') * 60_000,
    sweepLimit: read('COMPACT_SWEEP_LIMIT'),
  }
}
