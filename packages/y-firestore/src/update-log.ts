import { CHUNK_BYTES, join, split } from './chunks.js'

/**
 * The update log's record format (design.md section 3). One Yjs update is one document,
 * or, when larger than a chunk, `parts` documents sharing a `group`, written in one batch.
 */

/** Firestore bytes as either SDK gives them: the web SDK's Bytes or the Admin SDK's Buffer. */
export type StoredBytes = Uint8Array | { toUint8Array(): Uint8Array }

/** The fields of one update document, as read back. */
export interface UpdateRecord {
  update?: StoredBytes
  author?: string | null
  group?: string
  part?: number
  parts?: number
}

/** A commit carries at most 10 MiB; leave room for names and fields of the parts. */
export const MAX_UPDATE_BYTES = 9 * 1024 * 1024

export function toBytes(value: StoredBytes): Uint8Array {
  return value instanceof Uint8Array ? value : value.toUint8Array()
}

/** The parts an update is stored as: one part, or several sharing a group. */
export function updateParts(update: Uint8Array, group: string): { update: Uint8Array; group?: string; part?: number; parts?: number }[] {
  const pieces = split(update, CHUNK_BYTES)
  if (pieces.length === 1) return [{ update }]
  return pieces.map((piece, part) => ({ update: piece, group, part, parts: pieces.length }))
}

/** One complete update read from the log, or why a record could not be read. */
export type Assembled = { update: Uint8Array } | { error: string }

/**
 * Reassembles updates from log documents as they arrive: a single document at once, a
 * group when all its parts are present (they are written in one batch, so they arrive
 * together). Returns undefined while a group is incomplete.
 */
export class UpdateAssembler {
  private readonly groups = new Map<string, Map<number, Uint8Array>>()

  add(record: UpdateRecord): Assembled | undefined {
    if (record.update === undefined || record.update === null) return { error: 'it has no update field' }
    let bytes: Uint8Array
    try {
      bytes = toBytes(record.update)
    } catch {
      return { error: 'its update field is not bytes' }
    }
    if (record.group === undefined) return { update: bytes }
    const { group, part, parts } = record
    if (!Number.isInteger(part) || !Number.isInteger(parts) || part! < 0 || part! >= parts!) {
      return { error: `its part ${String(part)} of ${String(parts)} is out of range` }
    }
    let pieces = this.groups.get(group)
    if (!pieces) this.groups.set(group, (pieces = new Map()))
    pieces.set(part!, bytes)
    if (pieces.size < parts!) return undefined
    this.groups.delete(group)
    return { update: join(Array.from({ length: parts! }, (_, i) => pieces.get(i)!)) }
  }
}
