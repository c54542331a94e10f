import { randomBytes } from 'node:crypto'
import type { StoredDocument } from '../model/document.js'
import { invalidArgument } from '../model/errors.js'
import type { TransactionOptions } from '../model/types.js'
import { timestampToMicros } from '../model/values.js'
import type { CompiledQuery } from '../query/query.js'
import type { Clock } from './clock.js'

/** A transaction's lifetime in Cloud Firestore. */
const TRANSACTION_LIFETIME_MICROS = 270 * 1e6

/** An open transaction and what it has read, for the optimistic check at commit. */
export interface Transaction {
  readonly id: string
  readonly readOnly: boolean
  /** Reads see the database as of this time (read-only transactions with a read time). */
  readonly readTime: number | undefined
  readonly begun: number
  /** Document path -> the updateTime it had when read (0: it did not exist). */
  readonly reads: Map<string, number>
  /** Queries run in the transaction and their results, to catch phantoms at commit. */
  readonly queries: { query: CompiledQuery; results: StoredDocument[] }[]
}

/** The open transactions of one database, by ID. */
export class Transactions {
  private readonly open = new Map<string, Transaction>()

  constructor(private readonly clock: Clock) {}

  /** Begins a transaction; returns it with its opaque ID. */
  begin(options?: TransactionOptions | null): Transaction {
    this.expire()
    const readOnly = Boolean(options?.readOnly)
    const readTime = options?.readOnly?.readTime ? timestampToMicros(options.readOnly.readTime) : undefined
    const transaction: Transaction = {
      id: randomBytes(16).toString('base64'),
      readOnly,
      readTime,
      begun: this.clock.current(),
      reads: new Map(),
      queries: [],
    }
    this.open.set(transaction.id, transaction)
    return transaction
  }

  /** The open transaction with this ID; INVALID_ARGUMENT if it is unknown, finished or expired. */
  get(id: Uint8Array): Transaction {
    this.expire()
    const transaction = this.open.get(Buffer.from(id).toString('base64'))
    if (!transaction) throw invalidArgument('The referenced transaction has expired or is no longer valid.')
    return transaction
  }

  end(transaction: Transaction): void {
    this.open.delete(transaction.id)
  }

  /** Records a document read (undefined: read as missing). The first read of a path counts. */
  recordRead(transaction: Transaction, path: string, doc: StoredDocument | undefined): void {
    if (!transaction.reads.has(path)) transaction.reads.set(path, doc?.updateTime ?? 0)
  }

  recordQuery(transaction: Transaction, query: CompiledQuery, results: StoredDocument[]): void {
    transaction.queries.push({ query, results })
    for (const doc of results) this.recordRead(transaction, doc.path, doc)
  }

  clear(): void {
    this.open.clear()
  }

  private expire(): void {
    const cutoff = this.clock.current() - TRANSACTION_LIFETIME_MICROS
    for (const [id, transaction] of this.open) {
      if (transaction.begun < cutoff) this.open.delete(id)
    }
  }
}
