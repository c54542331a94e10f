import { randomBytes } from 'node:crypto'
import type { Database } from '../engine/database.js'
import { invalidArgument } from '../model/errors.js'
import { microsToTimestamp } from '../model/values.js'
import type { Caller } from '../security/auth.js'
import type { FirestoreApi } from './firestore-api.js'
import type { WriteRequest, WriteResponse } from './messages.js'

/**
 * One Write stream: a handshake that issues the stream ID and first token, then one
 * commit per request, each answered with its results and the next token. A failed
 * commit ends the stream with its error, as Cloud Firestore does.
 */
export class WriteSession {
  private database: Database | undefined
  private readonly streamId = randomBytes(12).toString('hex')
  private sequence = 0

  constructor(
    private readonly api: FirestoreApi,
    private readonly caller: Caller,
  ) {}

  /** Handles one request; returns the response to send. Throws FirestoreError to end the stream. */
  handle(request: WriteRequest): WriteResponse {
    if (!this.database) {
      if (!request.database) throw invalidArgument('The first Write request must name its database.')
      this.database = this.api.databaseOf(request.database)
      if (request.writes?.length) throw invalidArgument('The first Write request is a handshake and may not carry writes.')
      return { streamId: this.streamId, streamToken: this.nextToken(), writeResults: [] }
    }
    const { writeResults, commitTime } = this.database.commit(request.writes ?? [], undefined, this.api.gate.commitCheck(this.caller, this.database))
    return { streamId: this.streamId, streamToken: this.nextToken(), writeResults, commitTime: microsToTimestamp(commitTime) }
  }

  private nextToken(): Buffer {
    const token = Buffer.alloc(8)
    token.writeBigUInt64BE(BigInt(++this.sequence))
    return token
  }
}
