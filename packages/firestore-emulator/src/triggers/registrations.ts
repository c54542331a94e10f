import { DocumentPattern, parseV1Resource } from './patterns.js'

/** What happened to a document in one commit. */
export type ChangeKind = 'create' | 'update' | 'delete'

/** A Functions trigger as firebase-tools registers it with the Firestore emulator. */
export interface Trigger {
  /** firebase-tools' trigger key (`{function id}-{generation}`), also the delivery URL's last segment. */
  readonly key: string
  readonly projectId: string
  /** The database id the trigger listens to, "(default)" unless told. */
  readonly databaseId: string
  readonly pattern: DocumentPattern
  /** v1: legacy JSON event; v2: binary-mode CloudEvent with a protobuf body. */
  readonly signature: 'v1' | 'v2'
  /** The event type string sent with each event (v1's `eventType`, v2's `ce-type`). */
  readonly eventType: string
  /** The kinds of change that fire it. */
  readonly kinds: ReadonlySet<ChangeKind>
}

const ALL: readonly ChangeKind[] = ['create', 'update', 'delete']

const V1_TYPES: Record<string, readonly ChangeKind[]> = {
  'providers/cloud.firestore/eventTypes/document.create': ['create'],
  'providers/cloud.firestore/eventTypes/document.update': ['update'],
  'providers/cloud.firestore/eventTypes/document.delete': ['delete'],
  'providers/cloud.firestore/eventTypes/document.write': ALL,
}

const V2_TYPES: Record<string, readonly ChangeKind[]> = {
  'google.cloud.firestore.document.v1.created': ['create'],
  'google.cloud.firestore.document.v1.updated': ['update'],
  'google.cloud.firestore.document.v1.deleted': ['delete'],
  'google.cloud.firestore.document.v1.written': ALL,
}

/** A registration the emulator cannot use; the control API answers 400 with its message. */
export class RegistrationError extends Error {}

/**
 * A v1 registration: `PUT /emulator/v1/projects/{p}/triggers/{key}` with
 * `{ eventTrigger: { resource, eventType, service: "firestore.googleapis.com" } }`.
 */
export function parseV1Registration(projectId: string, key: string, body: unknown): Trigger {
  const trigger = record(record(body)['eventTrigger'])
  const eventType = text(trigger['eventType'], 'eventTrigger.eventType')
  const kinds = V1_TYPES[eventType]
  if (!kinds) throw new RegistrationError(`Unsupported Firestore event type "${eventType}"; expected one of ${Object.keys(V1_TYPES).join(', ')}.`)
  const service = trigger['service']
  if (service !== undefined && service !== 'firestore.googleapis.com') throw new RegistrationError(`Not a Firestore trigger: service "${String(service)}".`)
  const resource = parseOrReject(() => parseV1Resource(text(trigger['resource'], 'eventTrigger.resource')))
  return {
    key,
    // The resource names the project the function was deployed for; deliveries follow the URL's.
    projectId,
    databaseId: resource.databaseId,
    pattern: parseOrReject(() => new DocumentPattern(resource.document)),
    signature: 'v1',
    eventType,
    kinds: new Set(kinds),
  }
}

/**
 * A v2 registration: `POST /emulator/v1/projects/{p}/eventarcTrigger?eventarcTriggerId={key}`
 * with `{ eventType, database, namespace, document: { value, matchType: "EXACT" | "PATH_PATTERN" } }`
 * (firebase-tools' getV2FirestoreAttributes). The `...withAuthContext` types are accepted;
 * events carry no auth context (see README).
 */
export function parseV2Registration(projectId: string, key: string, body: unknown): Trigger {
  const fields = record(body)
  const eventType = text(fields['eventType'], 'eventType')
  const kinds = V2_TYPES[eventType.replace(/\.withAuthContext$/, '')]
  if (!kinds) throw new RegistrationError(`Unsupported Firestore event type "${eventType}"; expected google.cloud.firestore.document.v1.{created,updated,deleted,written}[.withAuthContext].`)
  const namespace = fields['namespace']
  if (namespace !== undefined && namespace !== '(default)') throw new RegistrationError(`Firestore namespaces other than "(default)" are not supported, got "${String(namespace)}".`)
  const document = record(fields['document'])
  const value = text(document['value'], 'document.value')
  const matchType = document['matchType'] ?? 'PATH_PATTERN'
  if (matchType !== 'EXACT' && matchType !== 'PATH_PATTERN') throw new RegistrationError(`Unknown document.matchType "${String(matchType)}".`)
  const pattern = parseOrReject(() => new DocumentPattern(matchType === 'EXACT' ? value.replace(/[{}]/g, '') : value))
  return {
    key,
    projectId,
    databaseId: typeof fields['database'] === 'string' && fields['database'] !== '' ? fields['database'] : '(default)',
    pattern,
    signature: 'v2',
    eventType,
    kinds: new Set(kinds),
  }
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
}

function text(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') throw new RegistrationError(`The trigger registration has no ${field}.`)
  return value
}

function parseOrReject<T>(parse: () => T): T {
  try {
    return parse()
  } catch (error) {
    if (error instanceof TypeError) throw new RegistrationError(error.message)
    throw error
  }
}
