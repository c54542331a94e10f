import { invalidArgument } from './errors.js'

/**
 * Resource names and field paths.
 *
 * A document or collection is addressed inside its database by a slash-separated path
 * ("rooms/r1/messages/m1"); the full resource name prefixes it with
 * "projects/{project}/databases/{database}/documents".
 */

export interface DatabaseId {
  projectId: string
  databaseId: string
}

export interface ResourceName extends DatabaseId {
  /** Segments below ".../documents"; empty for the database root. */
  segments: string[]
}

const NAME_PATTERN = /^projects\/([^/]+)\/databases\/([^/]+)(?:\/documents(?:\/(.*))?)?$/

/** Parses "projects/p/databases/d[/documents[/a/b...]]". */
export function parseResourceName(name: string): ResourceName {
  const match = NAME_PATTERN.exec(name)
  if (!match) throw invalidArgument(`Invalid resource name: "${name}". Expected projects/{project_id}/databases/{database_id}/documents/...`)
  const rest = match[3]
  const segments = rest === undefined || rest === '' ? [] : rest.split('/')
  for (const segment of segments) {
    if (segment === '') throw invalidArgument(`Invalid resource name "${name}": empty path segment.`)
  }
  return { projectId: match[1]!, databaseId: match[2]!, segments }
}

/** Parses "projects/p/databases/d", the form requests name their database in. */
export function parseDatabaseName(name: string): DatabaseId {
  const { projectId, databaseId, segments } = parseResourceName(name)
  if (segments.length > 0) throw invalidArgument(`Invalid database name: "${name}".`)
  return { projectId, databaseId }
}

export function databaseName(db: DatabaseId): string {
  return `projects/${db.projectId}/databases/${db.databaseId}`
}

/** The full resource name of a document or collection given its segments. */
export function documentName(db: DatabaseId, segments: readonly string[]): string {
  const root = `${databaseName(db)}/documents`
  return segments.length === 0 ? root : `${root}/${segments.join('/')}`
}

/** Parses a document's resource name, requiring an even, non-zero number of segments. */
export function parseDocumentName(name: string): ResourceName {
  const parsed = parseResourceName(name)
  if (parsed.segments.length === 0 || parsed.segments.length % 2 !== 0) {
    throw invalidArgument(`Document name "${name}" has ${parsed.segments.length} path segments; a document needs an even number.`)
  }
  validateSegments(parsed.segments, name)
  return parsed
}

/** Document IDs and collection IDs that Cloud Firestore refuses. */
export function validateSegments(segments: readonly string[], name: string): void {
  for (const segment of segments) {
    if (segment === '.' || segment === '..') throw invalidArgument(`Resource name "${name}" may not contain "." or ".." as an ID.`)
    if (/^__.*__$/.test(segment)) throw invalidArgument(`Resource id "${segment}" is invalid because it is reserved.`)
    if (Buffer.byteLength(segment) > 1500) throw invalidArgument(`Resource id "${segment.slice(0, 40)}..." is longer than 1500 bytes.`)
  }
}

const SIMPLE_SEGMENT = /^[a-zA-Z_][a-zA-Z_0-9]*$/

/**
 * Splits a field path ("a.b", "`x.y`.z", "`back\`tick`") into its segments, as the
 * Firestore API reads them. Throws INVALID_ARGUMENT for a malformed path.
 */
export function parseFieldPath(path: string): string[] {
  if (path === '') throw invalidArgument('Invalid field path: the empty string.')
  const segments: string[] = []
  let i = 0
  while (i <= path.length) {
    let segment = ''
    if (path[i] === '`') {
      i++
      let closed = false
      while (i < path.length) {
        const c = path[i]!
        if (c === '\\') {
          if (i + 1 >= path.length) break
          segment += path[i + 1]
          i += 2
        } else if (c === '`') {
          closed = true
          i++
          break
        } else {
          segment += c
          i++
        }
      }
      if (!closed) throw invalidArgument(`Invalid field path "${path}": unterminated back-quoted segment.`)
      if (segment === '') throw invalidArgument(`Invalid field path "${path}": empty segment.`)
    } else {
      const end = path.indexOf('.', i)
      segment = path.slice(i, end === -1 ? path.length : end)
      i = end === -1 ? path.length : end
      if (segment === '') throw invalidArgument(`Invalid field path "${path}": empty segment.`)
      if (!SIMPLE_SEGMENT.test(segment)) {
        throw invalidArgument(`Invalid field path "${path}": "${segment}" must be back-quoted (only letters, digits and _ may stand unquoted, and not a leading digit).`)
      }
    }
    segments.push(segment)
    if (i === path.length) break
    if (path[i] !== '.') throw invalidArgument(`Invalid field path "${path}": expected "." after a back-quoted segment.`)
    i++
    if (i === path.length) throw invalidArgument(`Invalid field path "${path}": trailing ".".`)
  }
  return segments
}

/** The canonical string of a field path: simple segments bare, others back-quoted. */
export function formatFieldPath(segments: readonly string[]): string {
  return segments
    .map((s) => (SIMPLE_SEGMENT.test(s) ? s : '`' + s.replace(/\\/g, '\\\\').replace(/`/g, '\\`') + '`'))
    .join('.')
}

/** The special field path that names a document's key in queries. */
export const KEY_FIELD = '__name__'
