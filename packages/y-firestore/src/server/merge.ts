import * as Y from 'yjs'
import type { InvalidEntry, LoggedUpdate } from './log.js'

/**
 * Merging a snapshot and logged updates into one garbage-collected Yjs state. Pure Yjs, no
 * Firestore: the compaction steps around it decide what is read, written and deleted.
 */

/** The merged state and what went into it. */
export interface MergeResult {
  /** `Y.encodeStateAsUpdate` of the merged document: deleted content garbage-collected. */
  state: Uint8Array
  /** `Y.encodeStateVector` of the merged document. */
  stateVector: Uint8Array
  /** Updates now contained in `state`, safe to delete once a pointer to it is written. */
  absorbed: LoggedUpdate[]
  /** Updates that do not decode or apply: never merged, to be moved aside. */
  rejected: InvalidEntry[]
}

/**
 * Loads `base` (the current snapshot, if any) and every update into a fresh Y.Doc and
 * re-encodes it. An update that does not decode, or throws while applied, is rejected; since
 * a throw may leave a half-applied update behind, the document is then rebuilt without it.
 * A `base` that does not decode throws: compacting without it would lose the document.
 *
 * Updates are applied in causal order as far as it can be told (see applyOrder): Yjs keeps an
 * update whose dependencies are missing as pending and retries it on every later update, so
 * 10,000 updates in random order take seconds instead of milliseconds.
 */
export function mergeLog(base: Uint8Array | undefined, updates: readonly LoggedUpdate[]): MergeResult {
  const absorbed: LoggedUpdate[] = []
  const rejected: InvalidEntry[] = []
  const decodable: LoggedUpdate[] = []
  for (const update of updates) {
    const reason = decodeError(update.update)
    if (reason === undefined) decodable.push(update)
    else rejected.push({ ids: update.ids, reason })
  }
  const build = () => {
    const doc = new Y.Doc({ gc: true })
    if (base) {
      try {
        Y.applyUpdate(doc, base)
      } catch (error) {
        throw new Error(`The current snapshot does not decode as a Yjs update (${message(error)}); refusing to compact over it.`)
      }
    }
    for (const update of absorbed) Y.applyUpdate(doc, update.update)
    return doc
  }
  let doc = build()
  for (const update of applyOrder(decodable)) {
    try {
      Y.applyUpdate(doc, update.update)
      absorbed.push(update)
    } catch (error) {
      rejected.push({ ids: update.ids, reason: `it does not apply: ${message(error)}` })
      doc.destroy()
      doc = build()
    }
  }
  const result = { state: Y.encodeStateAsUpdate(doc), stateVector: Y.encodeStateVector(doc), absorbed, rejected }
  doc.destroy()
  return result
}

/**
 * Orders decodable updates for applying: by `createdAt` (a client writes after it has received
 * what it builds on, so commit time follows causality), and updates committed at the same time
 * (written in one batch) by client and clock. Without `at`, an update goes last.
 */
function applyOrder(updates: readonly LoggedUpdate[]): LoggedUpdate[] {
  const keyed = updates.map((update) => {
    const [client, clock] = Y.parseUpdateMeta(update.update).from.entries().next().value ?? [0, 0]
    return { update, at: update.at ?? Number.POSITIVE_INFINITY, client, clock }
  })
  keyed.sort((a, b) => a.at - b.at || a.client - b.client || a.clock - b.clock)
  return keyed.map((entry) => entry.update)
}

/** Why `update` is not a Yjs (v1) update, or undefined when it decodes. */
function decodeError(update: Uint8Array): string | undefined {
  try {
    Y.decodeUpdate(update)
    return undefined
  } catch (error) {
    return `it does not decode as a Yjs update: ${message(error)}`
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
