import type { CommitCheck, Database } from '../engine/database.js'
import type { StoredDocument } from '../model/document.js'
import { permissionDenied } from '../model/errors.js'
import { evaluate, loadRuleset, type Ruleset, type RulesMethod, type RulesRequest, type RulesResourceDoc } from '../rules/index.js'
import type { Caller } from './auth.js'

/** What list rules see of a query: `request.query`. */
export interface ListQuery {
  limit?: number
  offset?: number
  orderBy?: string[]
}

/** Rules allow 10 document reads for one document or query, 20 for a batch or transaction. */
const BATCH_DOCUMENT_ACCESSES = 20

/**
 * The security rules of each project and the checks every client request passes: get and
 * list for reads, create, update and delete for each write of a commit (with getAfter
 * seeing the whole commit). The administrator and projects without rules pass unchecked,
 * as in the official emulator.
 */
export class SecurityGate {
  private readonly rulesets = new Map<string, Ruleset>()
  private fallback: Ruleset | undefined

  /** Rules for every project that has none of its own (the --rules flag). Throws RulesetError. */
  setDefaultRules(source: string): void {
    this.fallback = loadRuleset(source)
  }

  /** Rules for one project (the control API). Throws RulesetError, leaving the old rules in force. */
  setRules(projectId: string, source: string): Ruleset {
    const ruleset = loadRuleset(source)
    this.rulesets.set(projectId, ruleset)
    return ruleset
  }

  private rulesFor(caller: Caller, database: Database): Ruleset | undefined {
    if (caller.kind === 'admin') return undefined
    return this.rulesets.get(database.id.projectId) ?? this.fallback
  }

  /** Throws PERMISSION_DENIED unless `caller` may get the document at `path`. */
  checkGet(caller: Caller, database: Database, path: string): void {
    const ruleset = this.rulesFor(caller, database)
    if (!ruleset) return
    this.decide(ruleset, database, { method: 'get', path, auth: authOf(caller), time: database.clockTime() }, access(database))
  }

  /** Throws PERMISSION_DENIED unless `caller` may list the collection at `collectionPath`. */
  checkList(caller: Caller, database: Database, collectionPath: string, query: ListQuery = {}): void {
    const ruleset = this.rulesFor(caller, database)
    if (!ruleset) return
    this.decide(ruleset, database, { method: 'list', path: collectionPath, auth: authOf(caller), time: database.clockTime(), query }, access(database))
  }

  /** Throws PERMISSION_DENIED for a method only the administrator may call while rules are in force. */
  checkPrivileged(caller: Caller, database: Database, what: string): void {
    if (this.rulesFor(caller, database)) throw permissionDenied(`${what} is only available to administrators (Authorization: Bearer owner).`)
  }

  /**
   * A check for a commit's writes, run after they are staged and before they apply; or
   * undefined when nothing is checked. `staged(path)` is a document after the whole commit.
   */
  commitCheck(caller: Caller, database: Database): CommitCheck | undefined {
    const ruleset = this.rulesFor(caller, database)
    if (!ruleset) return undefined
    const auth = authOf(caller)
    return (writes, time, staged) => {
      const data = { ...access(database), getAfter: (path: string) => resourceOf(staged(path)) }
      const accessedDocuments = new Set<string>()
      for (const write of writes) {
        const request: RulesRequest = { method: write.method, path: write.path, auth, time, resource: resourceOf(write.after) ?? null }
        this.decide(ruleset, database, request, data, { maxDocumentAccesses: BATCH_DOCUMENT_ACCESSES, accessedDocuments })
      }
    }
  }

  private decide(ruleset: Ruleset, database: Database, request: RulesRequest, data: ReturnType<typeof access>, options?: Parameters<typeof evaluate>[5]): void {
    const decision = evaluate(ruleset, database.id.projectId, database.id.databaseId, request, data, options)
    if (!decision.allowed) throw permissionDenied(`${decision.reason ?? 'denied'}`)
  }
}

function authOf(caller: Caller): RulesRequest['auth'] {
  return caller.kind === 'user' ? caller.auth : null
}

function resourceOf(doc: StoredDocument | undefined): RulesResourceDoc | undefined {
  return doc ? { path: doc.path, fields: doc.fields } : undefined
}

/** Rules' reads of the database: get() and, outside commits, getAfter() = get(). */
function access(database: Database) {
  const get = (path: string) => resourceOf(database.get(path))
  return { get, getAfter: get }
}
