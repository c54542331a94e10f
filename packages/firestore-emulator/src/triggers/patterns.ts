/**
 * Document path patterns as Cloud Functions write them: `rooms/{roomId}/messages/{id}`.
 * A segment is a literal, `{name}` or `*` (exactly one segment), or `{name=**}` or `**`
 * (one or more segments, as firebase-functions' PathPattern allows). Named wildcards become
 * the event's `params`.
 */

type Segment =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'single'; readonly name: string | undefined }
  | { readonly kind: 'multi'; readonly name: string | undefined }

const NAMED_SINGLE = /^\{([^{}=]+)(?:=\*)?\}$/
const NAMED_MULTI = /^\{([^{}=]+)=\*\*\}$/

/** A compiled document path pattern. */
export class DocumentPattern {
  private readonly segments: readonly Segment[]

  /** Throws a TypeError naming the pattern when a segment is malformed. */
  constructor(readonly source: string) {
    const parts = source.replace(/^\/+|\/+$/g, '').split('/')
    if (parts.length === 0 || parts.some((part) => part === '')) throw new TypeError(`Bad document pattern "${source}": empty segment.`)
    this.segments = parts.map((part) => parseSegment(part, source))
  }

  /** The wildcards' values when `path` (e.g. "rooms/r1/messages/m1") matches, else undefined. */
  match(path: string): Record<string, string> | undefined {
    const params: Record<string, string> = {}
    return matchFrom(this.segments, 0, path.split('/'), 0, params) ? params : undefined
  }
}

function parseSegment(part: string, source: string): Segment {
  if (part === '*') return { kind: 'single', name: undefined }
  if (part === '**') return { kind: 'multi', name: undefined }
  const multi = NAMED_MULTI.exec(part)
  if (multi) return { kind: 'multi', name: multi[1]! }
  const single = NAMED_SINGLE.exec(part)
  if (single) return { kind: 'single', name: single[1]! }
  if (/[{}]/.test(part)) throw new TypeError(`Bad document pattern "${source}": segment "${part}" is not a wildcard.`)
  return { kind: 'literal', text: part }
}

/** Backtracking match; patterns are a handful of segments, so this stays cheap. */
function matchFrom(pattern: readonly Segment[], p: number, path: readonly string[], i: number, params: Record<string, string>): boolean {
  if (p === pattern.length) return i === path.length
  const segment = pattern[p]!
  if (segment.kind === 'literal') return path[i] === segment.text && matchFrom(pattern, p + 1, path, i + 1, params)
  if (segment.kind === 'single') {
    if (i >= path.length) return false
    if (!matchFrom(pattern, p + 1, path, i + 1, params)) return false
    if (segment.name !== undefined) params[segment.name] = path[i]!
    return true
  }
  // A multi-segment wildcard takes at least one segment; try the shortest first.
  for (let end = i + 1; end <= path.length; end++) {
    if (matchFrom(pattern, p + 1, path, end, params)) {
      if (segment.name !== undefined) params[segment.name] = path.slice(i, end).join('/')
      return true
    }
  }
  return false
}

const V1_RESOURCE = /^projects\/([^/]+)\/databases\/([^/]+)\/documents\/(.+)$/

/**
 * Splits a v1 trigger resource, `projects/{p}/databases/{d}/documents/{pattern}`, into its
 * project, database and document pattern. Throws a TypeError for anything else.
 */
export function parseV1Resource(resource: string): { projectId: string; databaseId: string; document: string } {
  const match = V1_RESOURCE.exec(resource)
  if (!match) throw new TypeError(`Bad Firestore trigger resource "${resource}": expected projects/{project}/databases/{database}/documents/{path}.`)
  return { projectId: match[1]!, databaseId: match[2]!, document: match[3]! }
}
