import { describe, expect, it } from 'vitest'
import { DocumentPattern, parseV1Resource } from './patterns.js'
import { parseV1Registration, parseV2Registration, RegistrationError } from './registrations.js'

describe('DocumentPattern', () => {
  it('matches literal segments and single-segment wildcards, naming the params', () => {
    const pattern = new DocumentPattern('documents/{docId}/updates/{updateId}')
    expect(pattern.match('documents/d1/updates/u1')).toEqual({ docId: 'd1', updateId: 'u1' })
    expect(pattern.match('documents/d1/updates')).toBeUndefined()
    expect(pattern.match('documents/d1/updates/u1/more/x')).toBeUndefined()
    expect(pattern.match('rooms/d1/updates/u1')).toBeUndefined()
    expect(new DocumentPattern('rooms/r1').match('rooms/r1')).toEqual({})
    expect(new DocumentPattern('rooms/*').match('rooms/r9')).toEqual({})
  })

  it('matches multi-segment wildcards over one or more segments', () => {
    const pattern = new DocumentPattern('users/{uid}/{rest=**}')
    expect(pattern.match('users/u1/docs/d1')).toEqual({ uid: 'u1', rest: 'docs/d1' })
    expect(pattern.match('users/u1/docs/d1/notes/n1')).toEqual({ uid: 'u1', rest: 'docs/d1/notes/n1' })
    expect(pattern.match('users/u1')).toBeUndefined()
    expect(new DocumentPattern('{path=**}/log/{id}').match('a/b/c/log/7')).toEqual({ path: 'a/b/c', id: '7' })
  })

  it('refuses malformed wildcards', () => {
    expect(() => new DocumentPattern('rooms/{id')).toThrow(/not a wildcard/)
    expect(() => new DocumentPattern('rooms//x')).toThrow(/empty segment/)
  })

  it('splits v1 resources', () => {
    expect(parseV1Resource('projects/demo/databases/(default)/documents/rooms/{id}')).toEqual({ projectId: 'demo', databaseId: '(default)', document: 'rooms/{id}' })
    expect(() => parseV1Resource('rooms/{id}')).toThrow(/Bad Firestore trigger resource/)
  })
})

describe('trigger registrations', () => {
  it('reads firebase-tools v1 bodies', () => {
    const trigger = parseV1Registration('demo', 'onWrite-0', {
      eventTrigger: {
        resource: 'projects/demo/databases/(default)/documents/rooms/{roomId}',
        eventType: 'providers/cloud.firestore/eventTypes/document.update',
        service: 'firestore.googleapis.com',
      },
    })
    expect(trigger).toMatchObject({ key: 'onWrite-0', projectId: 'demo', databaseId: '(default)', signature: 'v1' })
    expect([...trigger.kinds]).toEqual(['update'])
    expect(trigger.pattern.match('rooms/r1')).toEqual({ roomId: 'r1' })
  })

  it('reads firebase-tools v2 bodies, path patterns and exact documents, with auth-context types', () => {
    const trigger = parseV2Registration('demo', 'compact-0', {
      eventType: 'google.cloud.firestore.document.v1.created',
      database: '(default)',
      namespace: '(default)',
      document: { value: 'documents/{docId}/updates/{updateId}', matchType: 'PATH_PATTERN' },
    })
    expect(trigger).toMatchObject({ signature: 'v2', eventType: 'google.cloud.firestore.document.v1.created' })
    expect([...trigger.kinds]).toEqual(['create'])
    const exact = parseV2Registration('demo', 'k', {
      eventType: 'google.cloud.firestore.document.v1.written.withAuthContext',
      database: '(default)',
      namespace: '(default)',
      document: { value: 'config/main', matchType: 'EXACT' },
    })
    expect([...exact.kinds].sort()).toEqual(['create', 'delete', 'update'])
    expect(exact.pattern.match('config/main')).toEqual({})
  })

  it('refuses unknown event types and missing fields with a RegistrationError', () => {
    expect(() => parseV2Registration('demo', 'k', { eventType: 'google.cloud.storage.object.v1.finalized', document: { value: 'a/b' } })).toThrow(RegistrationError)
    expect(() => parseV2Registration('demo', 'k', { eventType: 'google.cloud.firestore.document.v1.created' })).toThrow(/document.value/)
    expect(() => parseV1Registration('demo', 'k', { eventTrigger: { eventType: 'providers/cloud.firestore/eventTypes/document.write' } })).toThrow(/resource/)
  })
})
