import { invalidArgument } from '../model/errors.js'

/**
 * The wire formats of WebChannel (Closure's goog.net.WebChannel, BrowserChannel protocol
 * version 8) as @firebase/webchannel-wrapper speaks them.
 */

/** One server-to-client array: its sequence number and its payload (`["c", ...]`, `["noop"]`, `[message]`). */
export type ServerArray = readonly [id: number, payload: readonly unknown[]]

/**
 * A chunk of server arrays: `<length>\n<json>\n`. The client slices the decoded response
 * text by this length, so it counts UTF-16 code units (JavaScript string length), not bytes.
 */
export function frame(arrays: readonly ServerArray[]): string {
  return frameJson(arrays)
}

/** Any JSON value in the `<length>\n<json>\n` framing (forward-channel answers use it too). */
export function frameJson(value: unknown): string {
  const json = `${JSON.stringify(value)}\n`
  return `${json.length}\n${json}`
}

/** One client-to-server map, numbered by the client's message counter. */
export interface ClientMap {
  readonly id: number
  readonly fields: ReadonlyMap<string, string>
}

/** A forward-channel request body, decoded. */
export interface ForwardBatch {
  /** Headers the client sent in the body (`headers=`, its `encodeInitMessageHeaders` option). */
  readonly headers: Record<string, string>
  readonly maps: ClientMap[]
}

/**
 * Parses a forward-channel body: `count=N&ofs=K&req0_key=value&...` (form-encoded), where map
 * `reqI` is the client's message `K + I`. The Firestore SDK sends each message as raw JSON
 * under the key `__data__` (`req0___data__=...`).
 */
export function parseForwardBody(body: string): ForwardBatch {
  const params = new URLSearchParams(body)
  const headers = parseHeaderBlock(params.get('headers') ?? '')
  const countText = params.get('count') ?? '0'
  const offsetText = params.get('ofs') ?? '0'
  if (!/^\d+$/.test(countText) || !/^\d+$/.test(offsetText)) throw invalidArgument(`Bad WebChannel request: count "${countText}", ofs "${offsetText}".`)
  const count = Number(countText)
  const offset = Number(offsetText)
  const fields: Map<string, string>[] = Array.from({ length: count }, () => new Map())
  for (const [key, value] of params) {
    const match = /^req(\d+)_(.*)$/.exec(key)
    if (!match) continue
    const index = Number(match[1])
    const map = fields[index]
    if (!map) throw invalidArgument(`Bad WebChannel request: map req${index} is beyond count=${count}.`)
    map.set(match[2]!, value)
  }
  return { headers, maps: fields.map((map, i) => ({ id: offset + i, fields: map })) }
}

/** Parses a header block as the client encodes it: `Name:value\r\n` per header. Names are lower-cased. */
export function parseHeaderBlock(text: string): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':')
    if (colon <= 0) continue
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  return headers
}

/** The message a map carries: the JSON under `__data__` (the SDK's `sendRawJson`). */
export function messageOf(map: ClientMap): unknown {
  const data = map.fields.get('__data__')
  if (data === undefined) throw invalidArgument(`WebChannel message ${map.id} has no __data__: send raw JSON messages (sendRawJson).`)
  try {
    return JSON.parse(data) as unknown
  } catch (error) {
    throw invalidArgument(`Invalid JSON payload received in WebChannel message ${map.id}. ${error instanceof Error ? error.message : String(error)}`)
  }
}
