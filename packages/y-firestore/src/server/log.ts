import { Timestamp, type DocumentData, type Firestore } from 'firebase-admin/firestore'
import { updatesPath } from '../paths.js'
import { UpdateAssembler, type Assembled, type UpdateRecord } from '../update-log.js'

/**
 * Reading a document's update log and sorting its records into complete updates, records
 * that can never be read, and parts of groups still missing other parts.
 */

/** One update document as read: its ID and its fields. */
export interface LogEntry {
  id: string
  data: DocumentData
}

/** One complete Yjs update and the IDs of the log documents that carry it (several for a group). */
export interface LoggedUpdate {
  ids: string[]
  update: Uint8Array
  /** Its `createdAt` in ms (fractional), for applying updates in about the order they were made. */
  at?: number
}

/** Log documents that cannot be read, and why. */
export interface InvalidEntry {
  ids: string[]
  reason: string
}

/** What a log holds, sorted for compaction. */
export interface LogPlan {
  /** Complete updates, in log order, not yet checked to decode. */
  updates: LoggedUpdate[]
  /** Records that are unreadable whatever else arrives (no bytes, a part number out of range). */
  invalid: InvalidEntry[]
  /** IDs of parts whose group is incomplete: they stay in the log untouched. */
  incomplete: string[]
}

/**
 * Reads the log: all of it, or, when it holds more than `max` records, the oldest `max` by
 * `createdAt`. The whole log is tried first (one query in the usual case) because ordering by
 * `createdAt` would leave out records lacking that field, which could then never be moved aside.
 */
export async function readLog(db: Firestore, docId: string, max?: number): Promise<LogEntry[]> {
  const updates = db.collection(updatesPath(docId))
  let snapshot = await (max === undefined ? updates : updates.limit(max + 1)).get()
  if (max !== undefined && snapshot.size > max) snapshot = await updates.orderBy('createdAt').limit(max).get()
  return snapshot.docs.map((doc) => ({ id: doc.id, data: doc.data() }))
}

/** A record's `createdAt` in ms, with its sub-millisecond part; undefined when it has none. */
function createdAt(entry: LogEntry): number | undefined {
  const value: unknown = entry.data['createdAt']
  return value instanceof Timestamp ? value.seconds * 1000 + value.nanoseconds / 1e6 : undefined
}

/** Size of a record's `update` bytes, 0 when it has none. */
export function entryBytes(entry: LogEntry): number {
  const update: unknown = entry.data['update']
  return update instanceof Uint8Array ? update.length : 0
}

/**
 * Sorts log entries into complete updates, invalid records and incomplete groups. A group's
 * parts are written in one batch, so a group is only incomplete when a limited read cut it
 * or something wrote it by hand; its parts are left for a later run.
 */
export function planLog(entries: readonly LogEntry[]): LogPlan {
  const plan: LogPlan = { updates: [], invalid: [], incomplete: [] }
  const groups = new Map<string, LogEntry[]>()
  for (const entry of entries) {
    const record = entry.data as UpdateRecord
    if (record.group === undefined) {
      const assembled = new UpdateAssembler().add(record)
      if (assembled && 'error' in assembled) plan.invalid.push({ ids: [entry.id], reason: assembled.error })
      else if (assembled) plan.updates.push({ ids: [entry.id], update: assembled.update, at: createdAt(entry) })
      continue
    }
    const members = groups.get(String(record.group)) ?? []
    members.push(entry)
    groups.set(String(record.group), members)
  }
  for (const members of groups.values()) planGroup(members, plan)
  return plan
}

/** Adds one group's parts to the plan: assembled when complete and consistent, else left alone. */
function planGroup(members: readonly LogEntry[], plan: LogPlan): void {
  const valid: LogEntry[] = []
  for (const entry of members) {
    const error = partError(entry.data as UpdateRecord)
    if (error) plan.invalid.push({ ids: [entry.id], reason: error })
    else valid.push(entry)
  }
  const parts = (valid[0]?.data as UpdateRecord | undefined)?.parts
  const indices = new Set(valid.map((entry) => (entry.data as UpdateRecord).part))
  const complete =
    valid.length > 0 && valid.length === parts && indices.size === parts && valid.every((entry) => (entry.data as UpdateRecord).parts === parts)
  if (!complete) {
    plan.incomplete.push(...valid.map((entry) => entry.id))
    return
  }
  const ordered = [...valid].sort((a, b) => (a.data as UpdateRecord).part! - (b.data as UpdateRecord).part!)
  const assembler = new UpdateAssembler()
  let assembled: Assembled | undefined
  for (const entry of ordered) assembled = assembler.add(entry.data as UpdateRecord)
  const ids = ordered.map((entry) => entry.id)
  if (assembled && 'update' in assembled) plan.updates.push({ ids, update: assembled.update, at: createdAt(ordered[0]!) })
  else plan.invalid.push({ ids, reason: assembled?.error ?? 'its parts do not assemble' })
}

/** Why one part of a group can never be assembled, or undefined when it looks right. */
function partError(record: UpdateRecord): string | undefined {
  // A probe assembler with a one-part view of the record checks the bytes and the numbers.
  const probe = new UpdateAssembler().add({ ...record, group: 'probe', part: 0, parts: 1 })
  if (probe && 'error' in probe) return probe.error
  const { part, parts } = record
  if (!Number.isInteger(part) || !Number.isInteger(parts) || part! < 0 || part! >= parts!) {
    return `its part ${String(part)} of ${String(parts)} is out of range`
  }
  return undefined
}
