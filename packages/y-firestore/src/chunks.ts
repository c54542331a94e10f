/**
 * Splitting byte strings into parts that each fit in one Firestore document, and joining
 * them again. A Firestore document holds at most 1 MiB; 900 KiB of payload leaves room for
 * the other fields and the document name.
 */

/** Largest payload one update part or snapshot chunk carries. */
export const CHUNK_BYTES = 900 * 1024

/** Cuts `bytes` into consecutive pieces of at most `size` bytes (at least one piece). */
export function split(bytes: Uint8Array, size = CHUNK_BYTES): Uint8Array[] {
  if (bytes.length <= size) return [bytes]
  const parts: Uint8Array[] = []
  for (let offset = 0; offset < bytes.length; offset += size) parts.push(bytes.subarray(offset, offset + size))
  return parts
}

/** Concatenates pieces back into one byte string. */
export function join(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!
  const total = parts.reduce((n, p) => n + p.length, 0)
  const bytes = new Uint8Array(total)
  let offset = 0
  for (const part of parts) {
    bytes.set(part, offset)
    offset += part.length
  }
  return bytes
}
