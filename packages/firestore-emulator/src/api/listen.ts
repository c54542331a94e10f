import type { CommitEvent, Database } from '../engine/database.js'
import type { StoredDocument } from '../model/document.js'
import { FirestoreError, invalidArgument } from '../model/errors.js'
import { parseDocumentName } from '../model/paths.js'
import { microsToTimestamp, timestampToMicros } from '../model/values.js'
import { compileQuery, type CompiledQuery } from '../query/query.js'
import type { Caller } from '../security/auth.js'
import { toDocument, type FirestoreApi } from './firestore-api.js'
import type { ListenRequest, ListenResponse, Target } from './messages.js'

/** What a listen target watches: a query, or a fixed list of documents. */
type Watch = { kind: 'query'; query: CompiledQuery; incremental: boolean } | { kind: 'documents'; paths: Set<string> }

interface TargetState {
  readonly id: number
  readonly watch: Watch
  /** The documents the client holds for this target, by path. */
  readonly current: Map<string, StoredDocument>
}

/** Per-document entry of one batch of changes, merged across targets. */
interface PendingChange {
  doc: StoredDocument | undefined
  targetIds: number[]
  removedTargetIds: number[]
}

const TOKEN_MAGIC = 0x51 // 'Q'

/** Resume tokens carry the read time they were issued at. */
export function encodeResumeToken(time: number): Buffer {
  const token = Buffer.alloc(9)
  token[0] = TOKEN_MAGIC
  token.writeBigUInt64BE(BigInt(time), 1)
  return token
}

export function decodeResumeToken(token: Uint8Array): number | undefined {
  if (token.length !== 9 || token[0] !== TOKEN_MAGIC) return undefined
  return Number(Buffer.from(token).readBigUInt64BE(1))
}

/**
 * One Listen stream: the targets a client added, their results, and the changes that
 * follow each commit, in the order the SDKs expect (ADD, documents, CURRENT, then a
 * global NO_CHANGE carrying the consistent read time).
 */
export class ListenSession {
  private database: Database | undefined
  private readonly targets = new Map<number, TargetState>()
  private unsubscribe: (() => void) | undefined

  constructor(
    private readonly api: FirestoreApi,
    private readonly send: (response: ListenResponse) => void,
    private readonly caller: Caller,
  ) {}

  /** Handles one request of the stream. Throws FirestoreError to end the stream. */
  handle(request: ListenRequest): void {
    if (!this.database) {
      if (!request.database) throw invalidArgument('The first Listen request must name its database.')
      this.database = this.api.databaseOf(request.database)
      this.unsubscribe = this.database.onCommit((event) => this.onCommit(event))
    }
    if (request.addTarget) this.addTarget(request.addTarget)
    else if (request.removeTarget !== undefined) this.removeTarget(request.removeTarget)
  }

  close(): void {
    this.unsubscribe?.()
    this.unsubscribe = undefined
    this.targets.clear()
  }

  private addTarget(target: Target): void {
    const database = this.database!
    const id = target.targetId
    if (this.targets.has(id)) {
      this.sendRemove(id, invalidArgument(`Target ${id} is already in use on this stream.`))
      return
    }
    let watch: Watch
    try {
      watch = this.watchOf(target)
    } catch (error) {
      if (!(error instanceof FirestoreError)) throw error
      this.sendRemove(id, error)
      return
    }
    const state: TargetState = { id, watch, current: new Map() }
    this.targets.set(id, state)
    this.send({ targetChange: { targetChangeType: 'ADD', targetIds: [id] } })

    const now = database.clockTime()
    const since = this.resumeTime(target)
    if (since !== undefined && database.changesSince(since)) {
      for (const doc of this.evaluate(watch, since)) state.current.set(doc.path, doc)
    } else if (since !== undefined) {
      // The change log no longer reaches back to the token: start the target over.
      this.send({ targetChange: { targetChangeType: 'RESET', targetIds: [id] } })
    }
    const pending = new Map<string, PendingChange>()
    this.diff(state, this.evaluate(watch), pending)
    this.flush(pending, now)
    this.send({ targetChange: { targetChangeType: 'CURRENT', targetIds: [id], resumeToken: encodeResumeToken(now), readTime: microsToTimestamp(now) } })
    this.sendGlobalSnapshot(now)
    if (target.once) {
      this.targets.delete(id)
      this.send({ targetChange: { targetChangeType: 'REMOVE', targetIds: [id] } })
    }
  }

  private removeTarget(id: number): void {
    if (!this.targets.delete(id)) return
    this.send({ targetChange: { targetChangeType: 'REMOVE', targetIds: [id] } })
  }

  private sendRemove(id: number, error: FirestoreError): void {
    this.send({ targetChange: { targetChangeType: 'REMOVE', targetIds: [id], cause: { code: error.status, message: error.message } } })
  }

  /** What a target watches, once the caller may read it (FirestoreError otherwise). */
  private watchOf(target: Target): Watch {
    if (target.query) {
      const query = compileQuery(target.query.parent, target.query.structuredQuery)
      this.api.checkQuery(this.caller, this.database!, query)
      const q = target.query.structuredQuery
      // Without limits, offsets or cursors, membership of one document can be decided alone.
      const incremental = !q.limit && !q.offset && !q.startAt && !q.endAt
      return { kind: 'query', query, incremental }
    }
    if (target.documents) {
      const paths = new Set<string>()
      for (const name of target.documents.documents ?? []) {
        const parsed = parseDocumentName(name)
        if (parsed.projectId !== this.database!.id.projectId || parsed.databaseId !== this.database!.id.databaseId) {
          throw invalidArgument(`Document "${name}" is not in this stream's database.`)
        }
        paths.add(parsed.segments.join('/'))
      }
      for (const path of paths) this.api.gate.checkGet(this.caller, this.database!, path)
      return { kind: 'documents', paths }
    }
    throw invalidArgument('A listen target needs a query or documents.')
  }

  private resumeTime(target: Target): number | undefined {
    if (target.resumeToken?.length) return decodeResumeToken(target.resumeToken) ?? -1
    if (target.readTime) return timestampToMicros(target.readTime)
    return undefined
  }

  /** The documents a target holds, now or at a past time. */
  private evaluate(watch: Watch, readTime?: number): StoredDocument[] {
    const database = this.database!
    if (watch.kind === 'query') return database.query(watch.query, readTime)
    const docs: StoredDocument[] = []
    for (const path of watch.paths) {
      const doc = database.get(path, readTime)
      if (doc) docs.push(doc)
    }
    return docs
  }

  /** Queues what the client needs to go from the target's current results to `next`. */
  private diff(state: TargetState, next: StoredDocument[], pending: Map<string, PendingChange>): void {
    const nextPaths = new Set<string>()
    for (const doc of next) {
      nextPaths.add(doc.path)
      const held = state.current.get(doc.path)
      if (!held || held.updateTime !== doc.updateTime) this.queue(pending, doc.path, doc, state.id, true)
      state.current.set(doc.path, doc)
    }
    for (const path of state.current.keys()) {
      if (nextPaths.has(path)) continue
      state.current.delete(path)
      this.queue(pending, path, this.database!.get(path), state.id, false)
    }
  }

  private queue(pending: Map<string, PendingChange>, path: string, doc: StoredDocument | undefined, targetId: number, added: boolean): void {
    let change = pending.get(path)
    if (!change) {
      change = { doc, targetIds: [], removedTargetIds: [] }
      pending.set(path, change)
    }
    change.doc = doc
    ;(added ? change.targetIds : change.removedTargetIds).push(targetId)
  }

  private onCommit(event: CommitEvent): void {
    const pending = new Map<string, PendingChange>()
    for (const state of this.targets.values()) {
      const { watch } = state
      if (watch.kind === 'query' && !watch.incremental) {
        if (event.changes.some((c) => (c.after && watch.query.matches(c.after)) || state.current.has(c.path))) {
          this.diff(state, this.evaluate(watch), pending)
        }
        continue
      }
      for (const change of event.changes) {
        const held = state.current.has(change.path)
        const member = change.after && (watch.kind === 'query' ? watch.query.matches(change.after) : watch.paths.has(change.path))
        if (member) {
          state.current.set(change.path, change.after!)
          this.queue(pending, change.path, change.after, state.id, true)
        } else if (held) {
          state.current.delete(change.path)
          this.queue(pending, change.path, change.after, state.id, false)
        }
      }
    }
    if (pending.size === 0) return
    this.flush(pending, event.time)
    this.sendGlobalSnapshot(event.time)
  }

  private flush(pending: Map<string, PendingChange>, time: number): void {
    const database = this.database!
    const readTime = microsToTimestamp(time)
    for (const [path, change] of pending) {
      if (change.doc && change.targetIds.length > 0) {
        this.send({ documentChange: { document: toDocument(database, change.doc), targetIds: change.targetIds, removedTargetIds: change.removedTargetIds } })
      } else if (change.removedTargetIds.length > 0) {
        const document = database.name(path.split('/'))
        if (change.doc) this.send({ documentRemove: { document, removedTargetIds: change.removedTargetIds, readTime } })
        else this.send({ documentDelete: { document, removedTargetIds: change.removedTargetIds, readTime } })
      }
    }
  }

  /** The global NO_CHANGE: every target is consistent as of `time`. */
  private sendGlobalSnapshot(time: number): void {
    this.send({ targetChange: { targetChangeType: 'NO_CHANGE', targetIds: [], resumeToken: encodeResumeToken(time), readTime: microsToTimestamp(time) } })
  }
}
