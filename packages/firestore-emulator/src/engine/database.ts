import type { StoredDocument } from '../model/document.js'
import { aborted, failedPrecondition, invalidArgument } from '../model/errors.js'
import { type DatabaseId, documentName, parseDocumentName } from '../model/paths.js'
import type { Fields, Write, WriteResult } from '../model/types.js'
import type { CompiledQuery } from '../query/query.js'
import type { Clock } from './clock.js'
import { Transactions, type Transaction } from './transactions.js'
import { applyWrite, fieldsIdentical, writeResult, writeTarget } from './writes.js'
import { fieldsSize, referenceSize } from '../model/values.js'

/**
 * Firestore's limit on one commit's size. (There is no limit on the number of writes: the
 * former 500 was lifted in March 2023; the request size limit still applies.)
 */
export const MAX_COMMIT_BYTES = 10 * 1024 * 1024

/** One document's change in a commit: its state before and after (undefined = missing). */
export interface DocumentChange {
  readonly path: string
  readonly before: StoredDocument | undefined
  readonly after: StoredDocument | undefined
}

/** What listeners hear after each commit that changed something. */
export interface CommitEvent {
  readonly time: number
  readonly changes: readonly DocumentChange[]
}

/** One write of a commit as security rules judge it (verify writes are not judged). */
export interface StagedWrite {
  readonly path: string
  readonly method: 'create' | 'update' | 'delete'
  /** The document after this write; undefined for a delete. */
  readonly after: StoredDocument | undefined
}

/**
 * A check run on a commit's writes after they are staged and before anything applies;
 * `staged(path)` is a document as it will be after the whole commit. It throws to refuse.
 */
export type CommitCheck = (writes: readonly StagedWrite[], time: number, staged: (path: string) => StoredDocument | undefined) => void

export interface CommitResult {
  commitTime: number
  writeResults: WriteResult[]
}

/** How long the change log reaches back: point-in-time reads and resume deltas need it. */
const LOG_RETENTION_MICROS = 60 * 60 * 1e6
const LOG_MAX_ENTRIES = 200_000

interface LogEntry extends DocumentChange {
  readonly time: number
}

/**
 * One Firestore database: its documents, the log of recent changes, its transactions,
 * and the commit feed that listen streams and triggers follow.
 */
export class Database {
  private readonly docs = new Map<string, StoredDocument>()
  private log: LogEntry[] = []
  /** Reads at or after this time can be answered from the log. */
  private logStart: number
  private readonly listeners = new Set<(event: CommitEvent) => void>()
  readonly transactions: Transactions

  constructor(
    readonly id: DatabaseId,
    private readonly clock: Clock,
  ) {
    this.logStart = clock.current()
    this.transactions = new Transactions(clock)
  }

  /** The resource name of a document of this database. */
  name(segments: readonly string[]): string {
    return documentName(this.id, segments)
  }

  /** A consistent read time for a read of the current state. */
  clockTime(): number {
    return this.clock.current()
  }

  /** A document by its database-relative path, now or at an earlier read time. */
  get(path: string, readTime?: number): StoredDocument | undefined {
    if (readTime === undefined) return this.docs.get(path)
    this.checkReadTime(readTime)
    // The first change after readTime, if any, holds the state at readTime as its `before`.
    for (let i = this.firstLogIndexAfter(readTime); i < this.log.length; i++) {
      if (this.log[i]!.path === path) return this.log[i]!.before
    }
    return this.docs.get(path)
  }

  /** Every document, now or as it was at an earlier read time. */
  documents(readTime?: number): Iterable<StoredDocument> {
    if (readTime === undefined) return this.docs.values()
    this.checkReadTime(readTime)
    const past = new Map(this.docs)
    for (let i = this.log.length - 1; i >= 0 && this.log[i]!.time > readTime; i--) {
      const entry = this.log[i]!
      if (entry.before) past.set(entry.path, entry.before)
      else past.delete(entry.path)
    }
    return past.values()
  }

  /** Runs a compiled query, now or at an earlier read time. */
  query(query: CompiledQuery, readTime?: number): StoredDocument[] {
    return query.run(this.documents(readTime))
  }

  /** Changes committed after `since` (exclusive), or undefined if the log no longer reaches back. */
  changesSince(since: number): LogEntry[] | undefined {
    if (since < this.logStart) return undefined
    return this.log.slice(this.firstLogIndexAfter(since))
  }

  private firstLogIndexAfter(time: number): number {
    let lo = 0
    let hi = this.log.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (this.log[mid]!.time > time) hi = mid
      else lo = mid + 1
    }
    return lo
  }

  private checkReadTime(readTime: number): void {
    if (readTime < this.logStart) {
      throw failedPrecondition('The requested read time is older than the emulator keeps history for (one hour, or since the data was last cleared).')
    }
  }

  /** Hears every commit that changed at least one document, in commit order. */
  onCommit(listener: (event: CommitEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /**
   * Commits writes atomically: all apply or none. With a transaction, fails with ABORTED
   * if anything the transaction read has changed since it read it.
   */
  commit(writes: readonly Write[], transaction?: Transaction, check?: CommitCheck): CommitResult {
    if (transaction) {
      if (transaction.readOnly && writes.length > 0) {
        throw invalidArgument('Cannot modify entities in a read-only transaction.')
      }
      if (!transaction.readOnly) this.verifyTransaction(transaction)
    }
    const commitTime = this.clock.next()
    const staged = new Map<string, StoredDocument | undefined>()
    const writeResults: WriteResult[] = []
    const judged: StagedWrite[] = []
    let bytes = 0
    for (const write of writes) {
      const name = writeTarget(write)
      const { segments } = parseDocumentName(name)
      this.checkDatabase(name)
      const path = segments.join('/')
      const current = staged.has(path) ? staged.get(path) : this.docs.get(path)
      const { after, transformResults } = applyWrite(write, current, commitTime)
      bytes += referenceSize(name) + fieldsSize(write.update?.fields ?? {})
      if (after === undefined) {
        writeResults.push(writeResult(current?.updateTime, transformResults))
        continue
      }
      const next = after === null ? undefined : this.nextVersion(segments, path, current, after, commitTime)
      judged.push({ path, method: after === null ? 'delete' : current ? 'update' : 'create', after: next })
      staged.set(path, next)
      writeResults.push(writeResult(next?.updateTime, transformResults))
    }
    if (bytes > MAX_COMMIT_BYTES) {
      throw invalidArgument(`Request payload size exceeds the limit: ${MAX_COMMIT_BYTES.toLocaleString('en-US')} bytes.`)
    }
    if (check) {
      try {
        check(judged, commitTime, (path) => (staged.has(path) ? staged.get(path) : this.docs.get(path)))
      } catch (error) {
        if (transaction) this.transactions.end(transaction)
        throw error
      }
    }
    if (transaction) this.transactions.end(transaction)
    this.apply(staged, commitTime)
    return { commitTime, writeResults }
  }

  /** The stored document after a write; unchanged content keeps its times (no new version). */
  private nextVersion(segments: readonly string[], path: string, current: StoredDocument | undefined, fields: Fields, commitTime: number): StoredDocument {
    if (current && fieldsIdentical(current.fields, fields)) return current
    return { segments, path, fields, createTime: current?.createTime ?? commitTime, updateTime: commitTime }
  }

  private checkDatabase(name: string): void {
    const { projectId, databaseId } = parseDocumentName(name)
    if (projectId !== this.id.projectId || databaseId !== this.id.databaseId) {
      throw invalidArgument(`Document "${name}" is not in database projects/${this.id.projectId}/databases/${this.id.databaseId}.`)
    }
  }

  private verifyTransaction(transaction: Transaction): void {
    for (const [path, version] of transaction.reads) {
      if ((this.docs.get(path)?.updateTime ?? 0) !== version) {
        this.transactions.end(transaction)
        throw aborted(`Transaction aborted: the document "${this.name(path.split('/'))}" was changed by another commit after this transaction read it. Retry the transaction.`)
      }
    }
    for (const read of transaction.queries) {
      const now = read.query.run(this.docs.values())
      const same = now.length === read.results.length && now.every((doc, i) => doc.path === read.results[i]!.path && doc.updateTime === read.results[i]!.updateTime)
      if (!same) {
        this.transactions.end(transaction)
        throw aborted('Transaction aborted: the results of a query it ran were changed by another commit. Retry the transaction.')
      }
    }
  }

  private apply(staged: Map<string, StoredDocument | undefined>, time: number): void {
    const changes: DocumentChange[] = []
    for (const [path, after] of staged) {
      const before = this.docs.get(path)
      if (before === after) continue
      if (after) this.docs.set(path, after)
      else this.docs.delete(path)
      changes.push({ path, before, after })
      this.log.push({ time, path, before, after })
    }
    this.trimLog(time)
    if (changes.length === 0) return
    const event: CommitEvent = { time, changes }
    for (const listener of this.listeners) listener(event)
  }

  private trimLog(now: number): void {
    const tooOld = this.firstLogIndexAfter(now - LOG_RETENTION_MICROS)
    const overflow = this.log.length - LOG_MAX_ENTRIES
    const drop = Math.max(tooOld, overflow > 0 ? this.log.length >> 1 : 0)
    if (drop > 0) {
      this.logStart = this.log[drop - 1]!.time
      this.log = this.log.slice(drop)
    }
  }

  /** Removes every document; open listeners see them deleted. */
  clear(): void {
    const staged = new Map<string, StoredDocument | undefined>()
    for (const path of this.docs.keys()) staged.set(path, undefined)
    this.apply(staged, this.clock.next())
  }
}
