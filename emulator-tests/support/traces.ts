/**
 * Real-world editing traces (../shared/traces, see its README) for tests and benchmarks:
 * load one, replay it on a plain string (the reference result), or replay transactions on a
 * Y.Text (what goes through the provider).
 */
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gunzipSync } from 'node:zlib'
import type * as Y from 'yjs'

/** One patch: at code-point position `pos`, delete `delCount` code points, then insert `insertText`. */
export type Patch = [pos: number, delCount: number, insertText: string]

/** One transaction of a trace: patches applied in order, as one edit. */
export interface TraceTxn {
  time?: string
  patches: Patch[]
}

/** A trace: applying every patch of every txn to `startContent` in order gives `endContent`. */
export interface Trace {
  startContent: string
  endContent: string
  txns: TraceTxn[]
}

/** The directory holding the shared traces: $QUIRE_TRACES_DIR, else ../shared/traces from the repository root. */
export const TRACES_DIR = process.env['QUIRE_TRACES_DIR'] ?? resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/traces')

const cache = new Map<string, Trace>()

/**
 * Loads `name` (e.g. 'automerge-paper') from TRACES_DIR, or from `path` when given: gunzip,
 * parse and check the shape. Cached, since the big trace takes a moment to parse.
 */
export function loadTrace(name: string, path = resolve(TRACES_DIR, `${name}.json.gz`)): Trace {
  const cached = cache.get(path)
  if (cached) return cached
  const parsed: unknown = JSON.parse(gunzipSync(readFileSync(path)).toString('utf8'))
  const trace = parsed as Trace
  if (typeof trace !== 'object' || trace === null || typeof trace.startContent !== 'string' || typeof trace.endContent !== 'string' || !Array.isArray(trace.txns)) {
    throw new Error(`${path} is not an editing trace ({ startContent, endContent, txns })`)
  }
  cache.set(path, trace)
  return trace
}

/**
 * Applies txns [from, to) to `content` and returns the result. Positions count code points
 * (the README's definition), so the string is handled as an array of code points; for pure
 * ASCII traces that is the same as UTF-16 units.
 */
export function applyToString(content: string, txns: readonly TraceTxn[], from = 0, to = txns.length): string {
  const chars = Array.from(content)
  for (let i = from; i < to; i++) {
    for (const [pos, delCount, insertText] of txns[i]!.patches) {
      chars.splice(pos, delCount, ...Array.from(insertText))
    }
  }
  return chars.join('')
}

/**
 * Applies one txn to a Y.Text in one Yjs transaction (so it becomes one local update, as an
 * editor binding would make it). Y.Text positions are UTF-16 units; the shared traces are
 * ASCII, where units and code points coincide.
 */
export function applyTxn(text: Y.Text, txn: TraceTxn): void {
  const apply = () => {
    for (const [pos, delCount, insertText] of txn.patches) {
      if (delCount > 0) text.delete(pos, delCount)
      if (insertText.length > 0) text.insert(pos, insertText)
    }
  }
  if (text.doc) text.doc.transact(apply)
  else apply()
}
