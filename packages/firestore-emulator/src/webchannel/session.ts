import { randomBytes } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import type { FirestoreError } from '../model/errors.js'
import type { JsonObject } from '../proto/json-codec.js'
import { asFirestoreError, googleError } from '../rest/http.js'
import { frame, messageOf, type ClientMap, type ServerArray } from './framing.js'

/** One bidirectional stream carried by a WebChannel session (a Listen or a Write stream). */
export interface ChannelStream {
  /** Handles one client message (proto3 JSON). Throws FirestoreError to end the stream with that status. */
  receive(message: unknown): void
  /** Releases the stream (its listeners); called once, when the session ends or fails. */
  close(): void
}

/** What a stream learns of its channel when it opens. */
export interface ChannelContext {
  /** Request headers, lower-cased: the handshake's own, overlaid with those the client encoded into it. */
  readonly headers: Readonly<Record<string, string>>
}

/** The channel as a stream sees it. */
export interface StreamChannel {
  /** Queues a response (proto3 JSON) for the client. */
  send(message: JsonObject): void
  /** Ends the stream with an error outside `receive` (a change that could not be encoded, say). */
  fail(error: unknown): void
}

/** Opens a stream on `channel`. */
export type StreamOpener = (channel: StreamChannel, context: ChannelContext) => ChannelStream

/** The timings of a session. Defaults: DEFAULT_TIMINGS. */
export interface SessionTimings {
  /** A streaming back channel that has been quiet this long gets a noop, so the client's watchdog stays calm. */
  readonly keepAliveMs: number
  /** A long poll with nothing to deliver is answered with a noop after this long (the client's `TO` wins). */
  readonly longPollMs: number
  /** A session with no back channel and no request for this long is dropped. */
  readonly sessionTimeoutMs: number
  /**
   * A streaming back channel is ended once it has carried this many characters, or has been
   * open this long. The client opens the next one at once, acknowledging (`AID`) what it
   * received; without that, a stream the client never writes to would hold every array it
   * was sent, unacknowledged, for its whole life.
   */
  readonly streamRecycleChars: number
  readonly streamMaxAgeMs: number
}

export const DEFAULT_TIMINGS: SessionTimings = {
  keepAliveMs: 20_000,
  longPollMs: 25_000,
  sessionTimeoutMs: 60_000,
  streamRecycleChars: 1024 * 1024,
  streamMaxAgeMs: 120_000,
}

/**
 * How long the client may wait on a back channel before it gives up on it (sent in the
 * handshake; the client's watchdog allows 1.5 times this). Keep-alives and long polls stay below.
 */
export const BACK_CHANNEL_TIMEOUT_MS = 30_000

/** How a back channel delivers: as an open stream of chunks, or one answer per long poll. */
export type BackChannelMode = 'streaming' | 'long-polling'

interface BackChannel {
  readonly response: ServerResponse
  readonly mode: BackChannelMode
  readonly openedAt: number
  /** Characters written so far. */
  written: number
  timer: NodeJS.Timeout | undefined
}

interface Outgoing {
  readonly id: number
  readonly payload: readonly unknown[]
  /** Its framed size, for the outstanding-bytes figure the client watches. */
  readonly size: number
}

/**
 * One WebChannel session: the server's half of the protocol for one stream. It numbers
 * the client's maps and hands them to the stream in order, once each (forward-channel
 * retries repeat maps); numbers the server's arrays and keeps each until the client
 * acknowledges it (`AID`), so a new back channel resends whatever an old one may have lost;
 * and keeps at most one back channel, streaming or long-polling.
 */
export class WebChannelSession {
  /** The session ID (`SID`). */
  readonly id = randomBytes(12).toString('base64url')
  /** The routing ID returned in `X-HTTP-Session-Id` and sent back as the `gsessionid` parameter. */
  readonly httpSessionId = randomBytes(12).toString('base64url')
  private stream: ChannelStream | undefined
  private readonly outbox: Outgoing[] = []
  private nextArrayId = 1 // array 0 is the handshake's
  private sentUpTo = 0
  private highestSent = 0
  private nextMapId = 0
  private readonly heldMaps = new Map<number, ClientMap>()
  private backChannel: BackChannel | undefined
  private lastActive = Date.now()
  private flushQueued = false
  /** Set once the stream has failed: its status is on the way and no message is handled after. */
  private failed = false
  private closed = false

  constructor(
    /** The stream's name: `Listen` or `Write`. */
    readonly streamName: string,
    private readonly timings: SessionTimings,
    private readonly onClosed: (session: WebChannelSession) => void,
  ) {}

  /** Starts the stream; its responses are queued as server arrays. */
  open(opener: StreamOpener, context: ChannelContext): void {
    this.stream = opener({ send: (message) => this.enqueue([message]), fail: (error) => this.fail(asFirestoreError(error)) }, context)
  }

  /** The handshake's answer: array 0, `["c", SID, host prefix, version, server version, back channel timeout]`. */
  handshakeArray(): ServerArray {
    return [0, ['c', this.id, '', 8, 14, BACK_CHANNEL_TIMEOUT_MS]]
  }

  /** Handles the maps of a forward-channel request (or of the handshake), in the client's order. */
  receive(maps: readonly ClientMap[]): void {
    this.touch()
    for (const map of maps) if (map.id >= this.nextMapId) this.heldMaps.set(map.id, map)
    for (let map = this.heldMaps.get(this.nextMapId); map; map = this.heldMaps.get(this.nextMapId)) {
      this.heldMaps.delete(this.nextMapId)
      this.nextMapId++
      if (this.failed || this.closed) continue
      try {
        this.stream?.receive(messageOf(map))
      } catch (error) {
        this.fail(asFirestoreError(error))
      }
    }
  }

  /** Drops the arrays the client has received (its `AID`). */
  acknowledge(lastReceived: number): void {
    if (!Number.isInteger(lastReceived)) return
    while (this.outbox.length > 0 && this.outbox[0]!.id <= lastReceived) this.outbox.shift()
  }

  /** A forward request's answer: `[back channel attached, last array sent, bytes sent but not acknowledged]`. */
  forwardAnswer(): [number, number, number] {
    const outstanding = this.outbox.filter((a) => a.id <= this.highestSent).reduce((n, a) => n + a.size, 0)
    return [this.backChannel ? 1 : 0, this.highestSent, outstanding]
  }

  /**
   * Makes `response` the back channel, replacing any other. Everything not yet acknowledged
   * is (re)sent at once; a streaming channel with nothing to send gets a noop straight away,
   * which tells the client's buffering-proxy detection that bytes flow.
   */
  attachBackChannel(response: ServerResponse, mode: BackChannelMode, holdMs: number | undefined, headers: Record<string, string> = {}): void {
    this.touch()
    this.detachBackChannel()
    const channel: BackChannel = { response, mode, openedAt: Date.now(), written: 0, timer: undefined }
    this.backChannel = channel
    response.on('close', () => {
      if (this.backChannel !== channel) return
      this.detachBackChannel()
      this.touch()
    })
    response.writeHead(200, { ...CHANNEL_HEADERS, ...headers })
    response.flushHeaders()
    this.sentUpTo = Math.min(this.sentUpTo, this.outbox[0] ? this.outbox[0].id - 1 : this.sentUpTo)
    if (this.pending().length === 0) {
      if (mode === 'streaming') this.enqueue(['noop'])
      else channel.timer = setTimeout(() => this.enqueue(['noop']), holdMs ?? this.timings.longPollMs)
    }
    this.flush()
  }

  /** Ends the stream with `error`: its status goes to the client, then `close`. */
  fail(error: FirestoreError): void {
    if (this.failed || this.closed) return
    this.failed = true
    this.enqueue([googleError(error)])
    this.enqueue(['close'])
    this.releaseStream()
  }

  /** Whether the session has been idle, without a back channel, for longer than allowed. */
  expired(now: number): boolean {
    return !this.backChannel && now - this.lastActive > this.timings.sessionTimeoutMs
  }

  /** Ends the session: the stream is released and any back channel answered. */
  close(): void {
    if (this.closed) return
    this.closed = true
    this.releaseStream()
    const channel = this.backChannel
    this.detachBackChannel()
    if (channel && !channel.response.writableEnded) channel.response.end()
    this.onClosed(this)
  }

  private releaseStream(): void {
    const stream = this.stream
    this.stream = undefined
    stream?.close()
  }

  private touch(): void {
    this.lastActive = Date.now()
  }

  private enqueue(payload: readonly unknown[]): void {
    if (this.closed) return
    const id = this.nextArrayId++
    this.outbox.push({ id, payload, size: frame([[id, payload]]).length })
    // A stream answers one request with several messages (ADD, documents, CURRENT...):
    // flushing after the current task sends them as one chunk, or one long-poll answer.
    if (!this.flushQueued) {
      this.flushQueued = true
      queueMicrotask(() => {
        this.flushQueued = false
        this.flush()
      })
    }
  }

  private pending(): Outgoing[] {
    return this.outbox.filter((a) => a.id > this.sentUpTo)
  }

  private flush(): void {
    const channel = this.backChannel
    if (!channel) return
    const arrays = this.pending()
    if (arrays.length === 0) return
    if (channel.response.writableEnded || channel.response.destroyed) {
      this.detachBackChannel()
      return
    }
    const chunk = frame(arrays.map((a): ServerArray => [a.id, a.payload]))
    channel.response.write(chunk)
    channel.written += chunk.length
    this.sentUpTo = arrays[arrays.length - 1]!.id
    this.highestSent = Math.max(this.highestSent, this.sentUpTo)
    const recycle = channel.written >= this.timings.streamRecycleChars || Date.now() - channel.openedAt >= this.timings.streamMaxAgeMs
    if (channel.mode === 'long-polling' || recycle) {
      this.detachBackChannel()
      channel.response.end()
      this.touch()
      return
    }
    clearTimeout(channel.timer)
    channel.timer = setTimeout(() => this.enqueue(['noop']), this.timings.keepAliveMs)
  }

  private detachBackChannel(): void {
    const channel = this.backChannel
    if (!channel) return
    this.backChannel = undefined
    clearTimeout(channel.timer)
    // A replaced channel is one the client gave up on; ending it frees its connection.
    if (!channel.response.writableEnded) channel.response.end()
  }
}

const CHANNEL_HEADERS: Record<string, string> = {
  'Content-Type': 'text/plain; charset=utf-8',
  'Cache-Control': 'no-cache, no-store, max-age=0, must-revalidate',
  'X-Content-Type-Options': 'nosniff',
}
