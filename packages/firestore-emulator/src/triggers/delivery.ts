import type { EncodedEvent } from './events.js'

/** How a Delivery retries. */
export interface RetryPolicy {
  /** Attempts per event, the first included. */
  readonly attempts: number
  /** Wait before the first retry; doubles after each, up to maxDelayMs. */
  readonly initialDelayMs: number
  readonly maxDelayMs: number
  /** One attempt's time limit (a function may run this long). */
  readonly timeoutMs: number
}

/** Eight attempts over about 15 s: enough for a Functions emulator that is still loading. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 8, initialDelayMs: 100, maxDelayMs: 4000, timeoutMs: 10 * 60_000 }

/** One event to send. */
export interface Outgoing {
  /** Events with the same queue key are sent one after another, in the order given. */
  readonly queueKey: string
  readonly url: string
  readonly event: EncodedEvent
  /** For log lines: the function and the document. */
  readonly label: string
}

/** Where failures are told; stderr unless a test says otherwise. */
export type DeliveryLog = (message: string) => void

/**
 * Sends events to the Functions emulator at least once, in order per queue key (one key per
 * trigger and document, so a document's events reach a function in commit order, while
 * different documents' events go out in parallel).
 *
 * Retried: network errors and 502/503/504 (the Functions emulator not up yet or restarting).
 * Not retried: 2xx (done), 4xx (e.g. a trigger of an older generation after a reload: the
 * Functions emulator no longer knows it), and 500, which is the function itself failing —
 * production retries that only for functions deployed with `retry: true`, which the Functions
 * emulator does not model, so running it again here would differ from production.
 */
export class Delivery {
  private readonly queues = new Map<string, Promise<void>>()
  private readonly controller = new AbortController()

  constructor(
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
    private readonly log: DeliveryLog = (message) => console.error(`[firestore-emulator] ${message}`),
  ) {}

  /** Queues an event behind earlier ones of its key; never rejects. */
  send(outgoing: Outgoing): void {
    const previous = this.queues.get(outgoing.queueKey) ?? Promise.resolve()
    const next = previous.then(() => this.deliver(outgoing))
    this.queues.set(outgoing.queueKey, next)
    void next.then(() => {
      if (this.queues.get(outgoing.queueKey) === next) this.queues.delete(outgoing.queueKey)
    })
  }

  /** Resolves once every event queued so far has been delivered or given up on. */
  async idle(): Promise<void> {
    while (this.queues.size > 0) await Promise.all(this.queues.values())
  }

  /** Drops pending retries and aborts requests in flight (on emulator stop). */
  close(): void {
    this.controller.abort()
  }

  private async deliver(outgoing: Outgoing): Promise<void> {
    let delay = this.retry.initialDelayMs
    for (let attempt = 1; attempt <= this.retry.attempts; attempt++) {
      if (this.controller.signal.aborted) return
      const outcome = await this.attempt(outgoing)
      if (outcome.done) {
        if (outcome.problem) this.log(`${outgoing.label}: ${outcome.problem}`)
        return
      }
      if (attempt === this.retry.attempts) {
        this.log(`${outgoing.label}: gave up after ${attempt} attempts: ${outcome.problem}`)
        return
      }
      await sleep(delay, this.controller.signal)
      delay = Math.min(delay * 2, this.retry.maxDelayMs)
    }
  }

  private async attempt(outgoing: Outgoing): Promise<{ done: boolean; problem?: string }> {
    const signal = AbortSignal.any([this.controller.signal, AbortSignal.timeout(this.retry.timeoutMs)])
    try {
      const response = await fetch(outgoing.url, { method: 'POST', headers: outgoing.event.headers, body: outgoing.event.body, signal })
      const text = await response.text().catch(() => '')
      if (response.ok) return { done: true }
      const problem = `the Functions emulator answered ${response.status}${text ? `: ${text.slice(0, 500)}` : ''}`
      return { done: ![502, 503, 504].includes(response.status), problem }
    } catch (error) {
      return { done: false, problem: `could not reach the Functions emulator at ${outgoing.url}: ${describe(error)}` }
    }
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : ''
  return `${error.message}${cause}`
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => {
      clearTimeout(timer)
      resolve()
    }, { once: true })
  })
}
