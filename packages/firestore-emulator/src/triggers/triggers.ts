import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Engine } from '../engine/engine.js'
import { FirestoreError } from '../model/errors.js'
import { parseJsonBody, readBody, sendJson } from '../rest/http.js'
import { Delivery } from './delivery.js'
import { changeKind, encodeV1Event, encodeV2Event, type DocumentEvent } from './events.js'
import { parseV1Registration, parseV2Registration, RegistrationError, type Trigger } from './registrations.js'

const V1_PATH = /^\/emulator\/v1\/projects\/([^/]+)\/triggers\/([^/]+)$/
const V2_PATH = /^\/emulator\/v1\/projects\/([^/]+)\/eventarcTrigger$/
const LIST_PATH = /^\/emulator\/v1\/projects\/([^/]+)\/triggers\/?$/

export interface TriggersOptions {
  /**
   * Where the Functions emulator listens, `host:port` (or a URL), as firebase-tools passes it
   * in --functions_emulator. Without it, registrations are kept but no event is sent.
   */
  functionsEmulator?: string
  /** How events are sent; a fresh Delivery with the default retry policy unless given. */
  delivery?: Delivery
}

/**
 * Cloud Functions triggers: firebase-tools' Functions emulator registers them over the
 * control API, and each committed change of a matching document is sent to it (see
 * events.ts for the formats, delivery.ts for ordering and retries).
 *
 * Control API (all answer JSON):
 * - `PUT /emulator/v1/projects/{p}/triggers/{key}`: a v1 trigger, `{ eventTrigger: { resource, eventType } }`;
 * - `POST /emulator/v1/projects/{p}/eventarcTrigger?eventarcTriggerId={key}`: a v2 trigger,
 *   `{ eventType, database, namespace, document: { value, matchType } }`;
 * - `GET /emulator/v1/projects/{p}/triggers`: the project's triggers;
 * - `DELETE /emulator/v1/projects/{p}/triggers[/{key}]`: forgets one or all of them.
 */
export class Triggers {
  private readonly triggers = new Map<string, Trigger>()
  private delivery: Delivery
  private readonly baseUrl: string | undefined
  private quiet = false
  private warnedNoDestination = false

  constructor(options: TriggersOptions = {}) {
    this.delivery = options.delivery ?? new Delivery()
    this.baseUrl = options.functionsEmulator ? functionsBaseUrl(options.functionsEmulator) : undefined
  }

  /** Follows the engine's commits from now on; returns the unsubscribe function. */
  attach(engine: Engine): () => void {
    return engine.onCommit((database, commit) => {
      if (this.quiet || this.triggers.size === 0) return
      for (const change of commit.changes) this.dispatch({ database: database.id, path: change.path, before: change.before, after: change.after, time: commit.time })
    })
  }

  /**
   * Runs `action` (clearing data) without firing triggers: a test resetting the emulator
   * between cases should not run functions for every document it removes.
   */
  quietly<T>(action: () => T): T {
    this.quiet = true
    try {
      return action()
    } finally {
      this.quiet = false
    }
  }

  /** The registered triggers of a project. */
  list(projectId: string): Trigger[] {
    return [...this.triggers.values()].filter((trigger) => trigger.projectId === projectId)
  }

  /** Adds or replaces a trigger (by project and key). */
  register(trigger: Trigger): void {
    this.triggers.set(`${trigger.projectId}/${trigger.key}`, trigger)
  }

  /** Sends later events through `delivery` (tests use a short retry policy); the old one is closed. */
  useDelivery(delivery: Delivery): void {
    this.delivery.close()
    this.delivery = delivery
  }

  /** Resolves once every event so far has been delivered or given up on. */
  idle(): Promise<void> {
    return this.delivery.idle()
  }

  /** Stops sending (pending events are dropped). */
  close(): void {
    this.delivery.close()
  }

  /** Serves the trigger endpoints of the control API; false when the request is not one of them. */
  handle(request: IncomingMessage, response: ServerResponse): boolean {
    const url = new URL(request.url ?? '/', 'http://emulator')
    const v1 = V1_PATH.exec(url.pathname)
    const v2 = V2_PATH.exec(url.pathname)
    const list = LIST_PATH.exec(url.pathname)
    if (request.method === 'PUT' && v1) {
      this.registerFrom(request, response, (body) => parseV1Registration(decodeURIComponent(v1[1]!), decodeURIComponent(v1[2]!), body))
    } else if (request.method === 'POST' && v2) {
      const key = url.searchParams.get('eventarcTriggerId')
      if (!key) sendJson(response, 400, errorBody('The eventarcTriggerId query parameter is missing.'))
      else this.registerFrom(request, response, (body) => parseV2Registration(decodeURIComponent(v2[1]!), key, body))
    } else if (request.method === 'GET' && list) {
      sendJson(response, 200, { triggers: this.list(decodeURIComponent(list[1]!)).map(describeTrigger) })
    } else if (request.method === 'DELETE' && (list || v1)) {
      const projectId = decodeURIComponent((list ?? v1)![1]!)
      const key = v1 ? decodeURIComponent(v1[2]!) : undefined
      for (const trigger of this.list(projectId)) if (key === undefined || trigger.key === key) this.triggers.delete(`${projectId}/${trigger.key}`)
      sendJson(response, 200, {})
    } else {
      return false
    }
    return true
  }

  private registerFrom(request: IncomingMessage, response: ServerResponse, parse: (body: unknown) => Trigger): void {
    readBody(request)
      .then((text) => {
        const trigger = parse(parseJsonBody(text))
        this.register(trigger)
        sendJson(response, 200, {})
      })
      .catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error)
        // A bad registration is the caller's to fix; anything else is ours.
        if (error instanceof RegistrationError || error instanceof FirestoreError) sendJson(response, 400, errorBody(message))
        else sendJson(response, 500, { error: { code: 500, message, status: 'INTERNAL' } })
      })
  }

  private dispatch(event: DocumentEvent): void {
    const kind = changeKind(event)
    if (!kind) return
    for (const trigger of this.triggers.values()) {
      if (trigger.projectId !== event.database.projectId || trigger.databaseId !== event.database.databaseId || !trigger.kinds.has(kind)) continue
      const params = trigger.pattern.match(event.path)
      if (!params) continue
      if (!this.baseUrl) {
        if (!this.warnedNoDestination) console.error('[firestore-emulator] a Functions trigger matched, but no Functions emulator is known (--functions_emulator or FUNCTIONS_EMULATOR_HOST): events are dropped.')
        this.warnedNoDestination = true
        return
      }
      this.delivery.send({
        queueKey: `${trigger.projectId}/${trigger.key}/${event.database.databaseId}/${event.path}`,
        url: `${this.baseUrl}/functions/projects/${encodeURIComponent(trigger.projectId)}/triggers/${encodeURIComponent(trigger.key)}`,
        event: trigger.signature === 'v1' ? encodeV1Event(trigger, event, params) : encodeV2Event(trigger, event),
        label: `trigger ${trigger.key} on ${event.path}`,
      })
    }
  }
}

/** `host:port` or a URL, to an origin without a trailing slash. */
export function functionsBaseUrl(address: string): string {
  const withScheme = /^https?:\/\//.test(address) ? address : `http://${address}`
  return new URL(withScheme).origin
}

function describeTrigger(trigger: Trigger) {
  return { key: trigger.key, signature: trigger.signature, eventType: trigger.eventType, database: trigger.databaseId, document: trigger.pattern.source }
}

function errorBody(message: string) {
  return { error: { code: 400, message, status: 'INVALID_ARGUMENT' } }
}
