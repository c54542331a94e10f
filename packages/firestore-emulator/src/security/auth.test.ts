import { describe, expect, it } from 'vitest'
import { FirestoreError } from '../model/errors.js'
import { callerFromAuthorization } from './auth.js'

/** An unsigned JWT, as the Auth emulator and mockUserToken make them. */
function unsignedJwt(payload: object): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(payload)}.`
}

describe('callerFromAuthorization', () => {
  it('reads no header as a signed-out caller', () => {
    expect(callerFromAuthorization(undefined)).toEqual({ kind: 'anonymous' })
  })

  it('reads "Bearer owner" as the administrator', () => {
    expect(callerFromAuthorization('Bearer owner')).toEqual({ kind: 'admin' })
  })

  it('reads an unsigned JWT as the user it names, with every claim', () => {
    const caller = callerFromAuthorization(`Bearer ${unsignedJwt({ sub: 'alice', email: 'a@x.test', firebase: { sign_in_provider: 'password' } })}`)
    expect(caller).toEqual({ kind: 'user', auth: { uid: 'alice', token: { sub: 'alice', email: 'a@x.test', firebase: { sign_in_provider: 'password' } } } })
  })

  it('falls back to user_id when there is no sub', () => {
    const caller = callerFromAuthorization(`Bearer ${unsignedJwt({ user_id: 'bob' })}`)
    expect(caller.kind === 'user' && caller.auth.uid).toBe('bob')
  })

  it.each([
    ['Basic abc', 'must be "Bearer <token>"'],
    ['Bearer not-a-jwt', 'not a JWT'],
    ['Bearer a.%%%.c', 'not base64url-encoded JSON'],
    [`Bearer ${unsignedJwt({ email: 'x@y' })}`, 'no "sub"'],
  ])('refuses %s with UNAUTHENTICATED', (header, message) => {
    let error: unknown
    try {
      callerFromAuthorization(header)
    } catch (thrown) {
      error = thrown
    }
    expect(error).toBeInstanceOf(FirestoreError)
    expect((error as FirestoreError).code).toBe('UNAUTHENTICATED')
    expect((error as FirestoreError).message).toContain(message)
  })
})
