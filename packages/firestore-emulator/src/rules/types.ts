import type { Fields } from '../model/types.js'

/**
 * The inputs and outputs of security-rules evaluation: what the request path hands the
 * engine, how the engine reads documents, and what it answers.
 */

/** The signed-in user: `request.auth`. */
export interface RulesAuth {
  uid: string
  /** The ID token's claims as JSON values (the JWT payload): email, firebase.sign_in_provider... */
  token: Record<string, unknown>
}

/** A document as rules see it (`resource`, `request.resource`, `get()`). */
export interface RulesResourceDoc {
  /** Database-relative path, like "rooms/r1". */
  path: string
  fields: Fields
}

export type RulesMethod = 'get' | 'list' | 'create' | 'update' | 'delete'

export interface RulesRequest {
  method: RulesMethod
  /**
   * Database-relative path of the target. For get, create, update and delete, the document
   * ("rooms/r1"). For list, the collection being queried ("rooms", "rooms/r1/messages"):
   * rules are matched as for a document of that collection whose ID is unknown, so a
   * `{docId}` wildcard matches but reading `docId` is an error, and so is reading `resource`
   * (queries are checked against the rules, not filtered by them; we do not prove a query's
   * filters imply a condition, so conditions on the listed documents deny).
   */
  path: string
  auth: RulesAuth | null
  /** Microseconds since the epoch: `request.time`. */
  time: number
  /** The document as it would be after the write (create, update): `request.resource`. */
  resource?: RulesResourceDoc | null
  /** List queries: `request.query`, holding only the clauses given. */
  query?: { limit?: number; offset?: number; orderBy?: string[] }
}

export interface RulesDataAccess {
  /** The document now (before the request's writes), or undefined. Database-relative path. */
  get(path: string): RulesResourceDoc | undefined
  /** The document as it would be after the whole batch or transaction commits. */
  getAfter(path: string): RulesResourceDoc | undefined
}

export interface RulesDecision {
  allowed: boolean
  /**
   * When denied: "No matching allow statements" if no allow statement applied, else one
   * entry per allow statement tried, in the order tried (source order), joined by ", ":
   * "false for 'update' @ L10, Null value error. for 'update' @ L12". L is the line of the
   * allow statement's condition.
   */
  reason?: string
}

export interface RulesIssue {
  line: number
  column: number
  message: string
  severity: 'ERROR' | 'WARNING'
}

export interface EvaluateOptions {
  /**
   * Most distinct documents get/exists/getAfter/existsAfter may read. Production allows 10
   * for a single-document request or query and 20 for a batch or transaction. Default 10.
   */
  maxDocumentAccesses?: number
  /**
   * Documents already read by rules in this batch or transaction, so the limit spans every
   * write of it: pass the same set to each evaluate() call of the batch.
   */
  accessedDocuments?: Set<string>
}
