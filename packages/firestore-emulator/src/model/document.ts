import type { Fields } from './types.js'

/** A document as the emulator stores it. Times are microseconds since the epoch. */
export interface StoredDocument {
  /** Path segments below ".../documents", an even number: ["rooms", "r1"]. */
  readonly segments: readonly string[]
  /** The same path joined with "/": "rooms/r1". */
  readonly path: string
  readonly fields: Fields
  readonly createTime: number
  readonly updateTime: number
}
