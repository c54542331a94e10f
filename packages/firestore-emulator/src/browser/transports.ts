import type { IncomingMessage, ServerResponse } from 'node:http'
import type { FirestoreApi } from '../api/firestore-api.js'
import { firestoreJson } from '../proto/firestore-json.js'
import { answerPreflight, setCorsHeaders } from '../rest/http.js'
import { RestHandler } from '../rest/routes.js'
import { WebChannelHandler } from '../webchannel/handler.js'
import { DEFAULT_TIMINGS, type SessionTimings } from '../webchannel/session.js'
import { firestoreStreams } from '../webchannel/streams.js'

/**
 * What the browser build of the web SDK speaks, on the emulator's HTTP/1.1 side: WebChannel
 * for the Listen and Write streams, REST for unary calls, and the CORS that lets a page on
 * another origin use both.
 */
export class BrowserTransports {
  private readonly rest: RestHandler
  private readonly webChannel: WebChannelHandler

  constructor(api: FirestoreApi, timings: Partial<SessionTimings> = {}) {
    const codec = firestoreJson()
    this.rest = new RestHandler(api, codec)
    this.webChannel = new WebChannelHandler(firestoreStreams(api, codec), { ...DEFAULT_TIMINGS, ...timings })
  }

  /**
   * Serves the request if it is the browser SDK's (or any CORS preflight) and returns true;
   * otherwise returns false, having added the CORS headers for whoever answers it.
   */
  handle(request: IncomingMessage, response: ServerResponse): boolean {
    setCorsHeaders(request, response)
    if (request.method === 'OPTIONS') {
      answerPreflight(request, response)
      return true
    }
    return this.webChannel.handle(request, response) || this.rest.handle(request, response)
  }

  /** The number of open WebChannel sessions. */
  get channelCount(): number {
    return this.webChannel.sessionCount
  }

  /** Ends every WebChannel session (their back channels are answered). */
  close(): void {
    this.webChannel.close()
  }
}
