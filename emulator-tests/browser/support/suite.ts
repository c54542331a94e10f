import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, type TestContext } from 'vitest'
import { inject } from 'vitest'
import { FieldValue, GeoPoint, Timestamp, type DocumentData, type Firestore as AdminFirestore } from 'firebase-admin/firestore'
import { Clients, emulatorAddress, uniqueProjectId } from '../../support/clients.js'
import type { Described, DocState, QueryState, TransportMode } from '../page/harness.js'
import { BrowserHarness, type BrowserPage } from './browser.js'
import { BufferingProxy } from './buffering-proxy.js'

// The Admin SDK's gRPC client looks for Google's metadata server (for credentials it never
// needs against the emulator): on this machine that is a request off the machine. Tell it not to.
process.env['METADATA_SERVER_DETECTION'] = 'none'

/** How long a test waits for a change to show in a page or at the Admin SDK. */
const WAIT_MS = 15_000

/** Every value type, as the page writes it (tags: see Described). */
const EVERY_TYPE: Record<string, Described> = {
  nothing: null,
  yes: true,
  no: false,
  int: 42,
  negative: -7,
  maxSafe: Number.MAX_SAFE_INTEGER,
  zero: 0,
  double: 3.25,
  tiny: 5e-324,
  nan: { $number: 'NaN' },
  inf: { $number: 'Infinity' },
  negInf: { $number: '-Infinity' },
  negZero: { $number: '-0' },
  text: 'plain',
  unicode: 'é 中文 😀 \u0000 "quoted" \\ \n',
  empty: '',
  time: { $timestamp: [1_700_000_000, 123_456_000] },
  ancient: { $timestamp: [-62_135_596_800, 0] },
  bytes: { $bytes: 'AAEC/f7/' },
  place: { $geo: [48.8566, 2.3522] },
  ref: { $ref: 'other/doc' },
  list: [1, 'two', { three: [3] }, null, 4.5],
  nested: { a: { b: { c: [true, { d: 'deep' }] } }, 'with.dot': 1, 'spa ce': 2 },
  emptyMap: {},
  emptyList: [],
  vec: { $vector: [0.5, -1, 2] },
}

/** Rules for the security test: each user reads and writes only under `private/{their uid}`. */
const PRIVATE_RULES = `rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    match /private/{uid}/{rest=**} {
      allow read, write: if request.auth != null && request.auth.uid == uid;
    }
  }
}
`

/** An Admin SDK value as the page describes SDK values, to compare the two. */
function describeAdmin(value: unknown): Described {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value
  if (typeof value === 'number') {
    if (Number.isNaN(value) || !Number.isFinite(value)) return { $number: String(value) }
    return Object.is(value, -0) ? { $number: '-0' } : value
  }
  if (Array.isArray(value)) return value.map(describeAdmin)
  if (value instanceof Timestamp) return { $timestamp: [value.seconds, value.nanoseconds] }
  if (Buffer.isBuffer(value)) return { $bytes: value.toString('base64') }
  if (value instanceof GeoPoint) return { $geo: [value.latitude, value.longitude] }
  if (typeof value === 'object' && value !== null) {
    if ('path' in value && 'firestore' in value && typeof (value as { path: unknown }).path === 'string') return { $ref: (value as { path: string }).path }
    if (value.constructor?.name === 'VectorValue') return { $vector: (value as { toArray(): number[] }).toArray() }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, describeAdmin(v)]))
  }
  throw new Error(`Cannot describe ${typeof value}`)
}

/** A Described value as the Admin SDK writes it. */
function toAdmin(db: AdminFirestore, value: Described): unknown {
  if (Array.isArray(value)) return value.map((v) => toAdmin(db, v))
  if (typeof value !== 'object' || value === null) return value
  if ('$timestamp' in value) {
    const [seconds, nanos] = value['$timestamp'] as [number, number]
    return new Timestamp(seconds, nanos)
  }
  if ('$bytes' in value) return Buffer.from(value['$bytes'] as string, 'base64')
  if ('$geo' in value) {
    const [lat, lng] = value['$geo'] as [number, number]
    return new GeoPoint(lat, lng)
  }
  if ('$ref' in value) return db.doc(value['$ref'] as string)
  if ('$number' in value) return Number(value['$number'])
  if ('$vector' in value) return FieldValue.vector(value['$vector'] as number[])
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toAdmin(db, v)]))
}

/**
 * Polls a page's listener until its latest state satisfies `ready`; returns that state.
 * Fails after WAIT_MS, saying what it waited for and the last state seen.
 */
async function waitForState<S>(read: () => Promise<S[]>, ready: (state: S) => boolean, what: string): Promise<S> {
  const deadline = Date.now() + WAIT_MS
  let last: S | undefined
  for (;;) {
    last = (await read()).at(-1)
    if (last !== undefined && ready(last)) return last
    if (Date.now() > deadline) throw new Error(`Timed out after ${WAIT_MS} ms waiting for ${what}; the last state was ${JSON.stringify(last)}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

const waitForDoc = (page: BrowserPage, key: string, ready: (state: DocState) => boolean, what: string): Promise<DocState> => waitForState(() => page.call('docStates', key), ready, what)
const waitForQuery = (page: BrowserPage, key: string, ready: (state: QueryState) => boolean, what: string): Promise<QueryState> => waitForState(() => page.call('queryStates', key), ready, what)

const synced = (state: DocState | QueryState): boolean => !state.fromCache && !state.hasPendingWrites

/**
 * The browser SDK suite, in one WebChannel transport mode: documents, value types, queries,
 * listeners both ways, transactions, batches, errors, offline and online, and two pages
 * co-editing. Each test also checks the page's SDK logged no transport failure it hid by
 * reconnecting, and that its back channels used the mode's transport.
 */
export function browserSuite(mode: TransportMode, options: { throughBufferingProxy?: boolean } = {}): void {
  const proxied = options.throughBufferingProxy ?? false
  describe(`browser SDK over WebChannel and REST (${mode}${proxied ? ', through a buffering proxy' : ''})`, () => {
    const projectId = uniqueProjectId(`demo-browser-${mode}`)
    const clients = new Clients(projectId)
    const emulator = emulatorAddress(inject('firestoreEmulatorHost'))
    let host = emulator.host
    let port = emulator.port
    let proxy: BufferingProxy | undefined
    let browser: BrowserHarness
    let page: BrowserPage
    let admin: AdminFirestore
    const pages: BrowserPage[] = []
    let collectionCount = 0
    /** A collection of the test's own. */
    const fresh = (): string => `c${++collectionCount}-${Math.random().toString(36).slice(2, 8)}`

    const openPage = async (): Promise<BrowserPage> => {
      const opened = await browser.open({ host, port, projectId, mode })
      pages.push(opened)
      return opened
    }

    beforeAll(async () => {
      if (proxied) {
        proxy = await BufferingProxy.start(emulator)
        host = '127.0.0.1'
        port = proxy.port
      }
      browser = await BrowserHarness.launch()
      admin = clients.admin()
      page = await openPage()
    })

    /** Where each page's log stood when the test began. */
    const marks = new Map<BrowserPage, { logs: number; failures: number }>()
    beforeEach(() => {
      for (const p of pages) marks.set(p, { logs: p.logs.length, failures: p.traffic.failures.length })
    })

    afterEach((context: TestContext) => {
      for (const p of pages) {
        const mark = marks.get(p) ?? { logs: 0, failures: 0 }
        if (context.task.result?.state === 'fail') console.error(`Page log (${mode}):\n${p.logs.slice(mark.logs).join('\n')}`)
        expect(p.transportErrors(mark.logs), 'transport failures the SDK logged').toEqual([])
        expect(p.traffic.failures.slice(mark.failures), 'failed requests').toEqual([])
        expect(p.traffic.missingSessionId, 'channel requests without gsessionid').toEqual([])
        if (proxied) continue
        const expected = mode === 'long-polling' ? '1' : '0'
        // Auto-detection finds no buffering proxy on a direct connection, so it streams.
        expect(new Set(p.traffic.backChannelCI), 'back channel CI values').toEqual(new Set(p.traffic.backChannelCI.length > 0 ? [expected] : []))
      }
    })

    afterAll(async () => {
      for (const p of pages) await p.close()
      await browser?.close()
      await proxy?.close()
      await clients.close()
    })

    it('sets, gets, updates and deletes documents', async () => {
      const path = `${fresh()}/doc`
      await page.call('set', path, { title: 'first', n: 1, tags: ['a'] })
      expect(await page.call('getFromServer', path)).toEqual({ exists: true, data: { title: 'first', n: 1, tags: ['a'] }, fromCache: false, hasPendingWrites: false })
      expect((await admin.doc(path).get()).data()).toEqual({ title: 'first', n: 1, tags: ['a'] })

      await page.call('update', path, { n: { $increment: 2 }, tags: { $arrayUnion: ['b'] }, 'nested.field': 'x', title: { $delete: true } })
      expect((await page.call('getFromServer', path)).data).toEqual({ n: 3, tags: ['a', 'b'], nested: { field: 'x' } })
      await page.call('set', path, { extra: true }, true)
      expect((await admin.doc(path).get()).data()).toEqual({ n: 3, tags: ['a', 'b'], nested: { field: 'x' }, extra: true })

      await page.call('remove', path)
      expect((await page.call('getFromServer', path)).exists).toBe(false)
      expect((await admin.doc(path).get()).exists).toBe(false)
    })

    it('round-trips every value type through proto3 JSON, both ways', async () => {
      const col = fresh()
      await page.call('set', `${col}/from-page`, EVERY_TYPE)
      const stored = (await admin.doc(`${col}/from-page`).get()).data()!
      expect(describeAdmin(stored)).toEqual({ ...EVERY_TYPE, ref: { $ref: 'other/doc' } })
      expect((await page.call('getFromServer', `${col}/from-page`)).data).toEqual(EVERY_TYPE)

      await admin.doc(`${col}/from-admin`).set(toAdmin(admin, EVERY_TYPE) as DocumentData)
      expect((await page.call('getFromServer', `${col}/from-admin`)).data).toEqual(EVERY_TYPE)
      page.call('listenDoc', 'types', `${col}/from-admin`)
      const heard = await waitForDoc(page, 'types', synced, 'a listener to hear every type')
      expect(heard.data).toEqual(EVERY_TYPE)
      await page.call('unlisten', 'types')

      // Server timestamps come back as the commit time.
      const before = Date.now()
      await page.call('set', `${col}/stamped`, { at: { $serverTimestamp: true } })
      const at = (await admin.doc(`${col}/stamped`).get()).get('at') as Timestamp
      expect(at.toMillis()).toBeGreaterThanOrEqual(before - 1000)
      expect(at.toMillis()).toBeLessThanOrEqual(Date.now() + 1000)
    })

    it('runs queries and counts from the server', async () => {
      const col = fresh()
      const batch = admin.batch()
      for (let i = 0; i < 6; i++) batch.set(admin.doc(`${col}/d${i}`), { i, even: i % 2 === 0, label: `n${i}` })
      await batch.commit()
      const evens = await page.call('query', col, [{ field: 'even', op: '==', value: true }], 'i')
      expect(evens.ids).toEqual(['d0', 'd2', 'd4'])
      expect(evens.data['d2']).toEqual({ i: 2, even: true, label: 'n2' })
      expect((await page.call('query', col, [{ field: 'i', op: '>=', value: 2 }], 'i', 2)).ids).toEqual(['d2', 'd3'])
      expect((await page.call('query', col, [{ field: 'label', op: 'in', value: ['n1', 'n5'] }])).ids).toEqual(['d1', 'd5'])
      expect(await page.call('count', col, [{ field: 'i', op: '<', value: 4 }])).toBe(4)
      expect(await page.call('count', fresh(), [])).toBe(0)
    })

    it('serves the lite SDK, which speaks REST only: commit, batchGet, runQuery, runAggregationQuery', async () => {
      const col = fresh()
      await page.call('liteSet', `${col}/a`, { n: 1, text: 'é 😀' })
      await page.call('liteSet', `${col}/b/sub/c`, { n: 3 })
      // Every value type, written over the Write stream and read back over REST.
      await page.call('set', `${col}/b`, { ...EVERY_TYPE, n: 2 })
      expect(await page.call('liteGet', `${col}/a`)).toEqual({ exists: true, data: { n: 1, text: 'é 😀' } })
      expect(await page.call('liteGet', `${col}/b`)).toEqual({ exists: true, data: { ...EVERY_TYPE, n: 2 } })
      expect(await page.call('liteGet', `${col}/none`)).toEqual({ exists: false, data: null })
      expect(await page.call('liteQuery', col, [{ field: 'n', op: '>', value: 1 }], 'n')).toEqual({ ids: ['b'], data: { b: { ...EVERY_TYPE, n: 2 } } })
      expect((await page.call('liteQuery', `${col}/b/sub`, [])).ids).toEqual(['c'])
      expect((await page.call('liteQuery', col, [], 'n', 1)).ids).toEqual(['a'])
      expect(await page.call('liteCount', col)).toBe(2)
    })

    it('hears Admin SDK changes on a document listener', async () => {
      const path = `${fresh()}/watched`
      await page.call('listenDoc', 'doc', path)
      await waitForDoc(page, 'doc', (s) => synced(s) && !s.exists, 'the first snapshot: missing')
      await admin.doc(path).set({ v: 1 })
      await waitForDoc(page, 'doc', (s) => synced(s) && s.exists && JSON.stringify(s.data) === '{"v":1}', 'the Admin SDK create')
      await admin.doc(path).update({ v: 2, w: 'x' })
      await waitForDoc(page, 'doc', (s) => synced(s) && JSON.stringify(s.data) === '{"v":2,"w":"x"}', 'the Admin SDK update')
      await admin.doc(path).delete()
      await waitForDoc(page, 'doc', (s) => synced(s) && !s.exists, 'the Admin SDK delete')
      expect(await page.call('listenErrors', 'doc')).toEqual([])
      await page.call('unlisten', 'doc')
    })

    it('hears Admin SDK changes on a query listener, with the right document changes', async () => {
      const col = fresh()
      await admin.doc(`${col}/a`).set({ rank: 1, show: true })
      await page.call('listenQuery', 'q', col, [{ field: 'show', op: '==', value: true }], 'rank')
      await waitForQuery(page, 'q', (s) => synced(s) && s.ids.join() === 'a', 'the initial results')
      await admin.doc(`${col}/b`).set({ rank: 0, show: true })
      const added = await waitForQuery(page, 'q', (s) => synced(s) && s.ids.join() === 'b,a', 'an added document')
      expect(added.changes).toEqual(['added:b'])
      await admin.doc(`${col}/a`).update({ rank: 5 })
      const modified = await waitForQuery(page, 'q', (s) => synced(s) && JSON.stringify(s.data['a']) === '{"rank":5,"show":true}', 'a modified document')
      expect(modified.changes).toEqual(['modified:a'])
      await admin.doc(`${col}/b`).update({ show: false })
      const removed = await waitForQuery(page, 'q', (s) => synced(s) && s.ids.join() === 'a', 'a document leaving the query')
      expect(removed.changes).toEqual(['removed:b'])
      expect(await page.call('listenErrors', 'q')).toEqual([])
      await page.call('unlisten', 'q')
    })

    it('delivers the page\'s writes to an Admin SDK listener', async () => {
      const col = fresh()
      const seen: string[][] = []
      const unsubscribe = admin.collection(col).orderBy('n').onSnapshot((snapshot) => seen.push(snapshot.docs.map((d) => `${d.id}=${String(d.get('n'))}`)))
      try {
        await page.call('set', `${col}/x`, { n: 1 })
        await page.call('set', `${col}/y`, { n: 2 })
        await page.call('update', `${col}/x`, { n: 3 })
        await expect.poll(() => seen.at(-1)?.join(), { timeout: WAIT_MS }).toBe('y=2,x=3')
      } finally {
        unsubscribe()
      }
    })

    it('runs transactions, retrying on contention with another page', async () => {
      const path = `${fresh()}/counter`
      expect(await page.call('addInTransaction', path, 'n', 5)).toBe(5)
      const other = await openPage()
      const rounds = 8
      await Promise.all([
        (async () => {
          for (let i = 0; i < rounds; i++) await page.call('addInTransaction', path, 'n', 1)
        })(),
        (async () => {
          for (let i = 0; i < rounds; i++) await other.call('addInTransaction', path, 'n', 1)
        })(),
      ])
      expect((await admin.doc(path).get()).get('n')).toBe(5 + 2 * rounds)
    })

    it('commits write batches atomically', async () => {
      const col = fresh()
      await admin.doc(`${col}/keep`).set({ v: 1 })
      await admin.doc(`${col}/gone`).set({ v: 1 })
      await page.call('batch', [
        { op: 'set', path: `${col}/new`, data: { v: 'new' } },
        { op: 'update', path: `${col}/keep`, data: { v: 2 } },
        { op: 'delete', path: `${col}/gone` },
      ])
      const docs = await admin.collection(col).get()
      expect(Object.fromEntries(docs.docs.map((d) => [d.id, d.data()]))).toEqual({ new: { v: 'new' }, keep: { v: 2 } })

      // One failing write (an update of a missing document) fails the whole batch.
      const code = await page.call('errorCode', { kind: 'update', path: `${col}/keep`, data: { v: 3 } })
      expect(code).toBe('ok')
      await expect(page.call('batch', [{ op: 'set', path: `${col}/other`, data: {} }, { op: 'update', path: `${col}/missing`, data: { v: 1 } }])).rejects.toThrow(/not-found|No document to update/)
      expect((await admin.doc(`${col}/other`).get()).exists).toBe(false)
    })

    it('surfaces errors with the right code, from the Write stream and from REST', async () => {
      const col = fresh()
      expect(await page.call('errorCode', { kind: 'update', path: `${col}/missing`, data: { v: 1 } })).toBe('not-found')
      expect(await page.call('errorCode', { kind: 'transaction-update', path: `${col}/missing`, data: { v: 1 } })).toBe('not-found')
      // Over 1 MiB: the emulator refuses it, as Cloud Firestore does.
      expect(await page.call('errorCode', { kind: 'set', path: `${col}/huge`, data: { text: 'x'.repeat(1_100_000) } })).toBe('invalid-argument')
      // The stream recovers after each failure.
      await page.call('set', `${col}/fine`, { ok: true })
      expect((await admin.doc(`${col}/fine`).get()).get('ok')).toBe(true)
    })

    it('goes offline and back online: the listener resumes and offline writes are sent', async () => {
      const col = fresh()
      await admin.doc(`${col}/shared`).set({ v: 'before' })
      await page.call('listenDoc', 'offline', `${col}/shared`)
      await waitForDoc(page, 'offline', (s) => synced(s) && JSON.stringify(s.data) === '{"v":"before"}', 'the first snapshot')

      await page.call('disableNetwork')
      await waitForDoc(page, 'offline', (s) => s.fromCache, 'the snapshot going to the cache')
      await admin.doc(`${col}/shared`).set({ v: 'while offline' })
      void page.call('set', `${col}/local`, { written: 'offline' }).catch(() => {})
      await new Promise((resolve) => setTimeout(resolve, 300))
      expect((await page.call('docStates', 'offline')).at(-1)!.data).toEqual({ v: 'before' })
      expect((await admin.doc(`${col}/local`).get()).exists).toBe(false)

      await page.call('enableNetwork')
      await waitForDoc(page, 'offline', (s) => synced(s) && JSON.stringify(s.data) === '{"v":"while offline"}', 'the change made while offline')
      await expect.poll(async () => (await admin.doc(`${col}/local`).get()).data(), { timeout: WAIT_MS }).toEqual({ written: 'offline' })
      expect(await page.call('listenErrors', 'offline')).toEqual([])
      await page.call('unlisten', 'offline')
    })

    it('lets two pages co-edit one document and converge', async () => {
      const path = `${fresh()}/shared`
      const other = await openPage()
      await page.call('set', path, { count: 0 })
      await page.call('listenDoc', 'co', path)
      await other.call('listenDoc', 'co', path)
      const edits = 10
      await Promise.all(
        [page, other].map(async (p, who) => {
          for (let i = 0; i < edits; i++) await p.call('update', path, { count: { $increment: 1 }, [`by${who}.e${i}`]: i })
        }),
      )
      const expected = (state: DocState): boolean => {
        const data = state.data as { count?: number; by0?: object; by1?: object } | null
        return synced(state) && data?.count === 2 * edits && Object.keys(data.by0 ?? {}).length === edits && Object.keys(data.by1 ?? {}).length === edits
      }
      const [mine, theirs] = await Promise.all([waitForDoc(page, 'co', expected, 'the first page to converge'), waitForDoc(other, 'co', expected, 'the second page to converge')])
      expect(mine.data).toEqual(theirs.data)
      expect(describeAdmin((await admin.doc(path).get()).data())).toEqual(mine.data)
      await page.call('unlisten', 'co')
      await other.call('unlisten', 'co')
    })

    it('carries the signed-in user to the security rules, and surfaces permission-denied', async () => {
      // A project of its own: its rules would deny the other tests' signed-out page.
      const guarded = `${projectId}-rules`
      const rules = await fetch(`http://${emulator.host}:${emulator.port}/emulator/v1/projects/${guarded}:securityRules`, {
        method: 'PUT',
        body: JSON.stringify({ rules: { files: [{ name: 'firestore.rules', content: PRIVATE_RULES }] } }),
      })
      expect(rules.status, await rules.text()).toBe(200)
      const alice = await browser.open({ host, port, projectId: guarded, mode, user: 'alice' })
      const stranger = await browser.open({ host, port, projectId: guarded, mode })
      pages.push(alice, stranger)

      // The token reaches the rules on every transport: Write stream, Listen stream, REST.
      await alice.call('set', 'private/alice/notes/1', { text: 'mine' })
      expect((await alice.call('getFromServer', 'private/alice/notes/1')).data).toEqual({ text: 'mine' })
      expect(await alice.call('addInTransaction', 'private/alice/notes/2', 'n', 1)).toBe(1)

      expect(await stranger.call('errorCode', { kind: 'set', path: 'private/alice/notes/3', data: { text: 'theirs' } })).toBe('permission-denied')
      expect(await stranger.call('errorCode', { kind: 'get', path: 'private/alice/notes/1' })).toBe('permission-denied')
      expect(await stranger.call('errorCode', { kind: 'transaction-update', path: 'private/alice/notes/1', data: { text: 'x' } })).toBe('permission-denied')
      await stranger.call('listenDoc', 'denied', 'private/alice/notes/1')
      await expect.poll(() => stranger.call('listenErrors', 'denied'), { timeout: WAIT_MS }).toEqual(['permission-denied'])
      expect(await stranger.call('docStates', 'denied')).toEqual([])
    })

    it('spoke WebChannel for streams and REST for unary calls, as the mode asks', () => {
      // The first page listened and wrote (pages opened for transactions only spoke REST).
      expect(page.traffic.handshakes, 'WebChannel handshakes').toBeGreaterThan(0)
      expect(page.traffic.backChannelCI.length, 'back channel requests').toBeGreaterThan(0)
      const methods = new Set(pages.flatMap((p) => p.traffic.restMethods))
      expect(methods).toEqual(new Set(['batchGet', 'commit', 'runQuery', 'runAggregationQuery']))
      if (proxied) {
        // Every channel starts streaming; through the proxy nothing arrives, so each switches to long polling.
        const ci = pages.flatMap((p) => p.traffic.backChannelCI)
        expect(ci).toContain('1')
        expect(ci.filter((c) => c === '0').length).toBeLessThanOrEqual(pages.reduce((n, p) => n + p.traffic.handshakes, 0))
      }
    })
  })
}
