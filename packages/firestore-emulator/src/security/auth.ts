import { unauthenticated } from '../model/errors.js'
import type { RulesAuth } from '../rules/index.js'

/**
 * Who a request comes from, as the emulator reads its Authorization header:
 * - `Bearer owner` is the emulator's administrator (the Admin SDK, rules-unit-testing's
 *   withSecurityRulesDisabled): security rules do not apply;
 * - `Bearer <JWT>` is a signed-in user; emulator tokens (the Auth emulator's ID tokens,
 *   `mockUserToken`) are unsigned, so the payload is read without checking a signature;
 * - no header is a signed-out client.
 */
export type Caller = { kind: 'admin' } | { kind: 'user'; auth: RulesAuth } | { kind: 'anonymous' }

export const ADMIN: Caller = { kind: 'admin' }
export const ANONYMOUS: Caller = { kind: 'anonymous' }

/** Reads a caller from an Authorization header value. Throws UNAUTHENTICATED for a token that does not parse. */
export function callerFromAuthorization(header: string | undefined): Caller {
  if (!header) return ANONYMOUS
  const match = /^Bearer\s+(.+)$/i.exec(header.trim())
  if (!match) throw unauthenticated('The Authorization header must be "Bearer <token>".')
  const token = match[1]!
  if (token === 'owner') return ADMIN
  return { kind: 'user', auth: authFromJwt(token) }
}

/** request.auth from an (unsigned) JWT: uid from `sub` (or `user_id`), every claim as `token`. */
function authFromJwt(token: string): RulesAuth {
  const parts = token.split('.')
  if (parts.length < 2) throw unauthenticated('The bearer token is not a JWT (expected header.payload.signature).')
  let claims: unknown
  try {
    claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'))
  } catch {
    throw unauthenticated('The bearer token payload is not base64url-encoded JSON.')
  }
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) throw unauthenticated('The bearer token payload is not a JSON object.')
  const record = claims as Record<string, unknown>
  const uid = record['sub'] ?? record['user_id'] ?? record['uid']
  if (typeof uid !== 'string' || uid === '') throw unauthenticated('The bearer token has no "sub" (user ID) claim.')
  return { uid, token: record }
}
