import type { Browser } from 'playwright-core'
import { FieldValue } from 'firebase-admin/firestore'
import * as Y from 'yjs'
import { compactDocument, paths } from '@quire/y-firestore/server'
import { Clients } from '../../emulator-tests/support/clients.js'
import { applyTxn, loadTrace, type Trace } from '../../emulator-tests/support/traces.js'
import { createDocument, editor, launchBrowser, shareAndOpen, signIn, signUp, type Person } from '../../emulator-tests/web/support/app.js'
import { PROJECT_ID, STACK, startStack } from '../../emulator-tests/web/support/stack.js'
import type { Measurement } from '../lib/report.js'
import { fixed, median, quantile } from '../lib/stats.js'

const BENCHMARK = 'Web app (Chromium, Emulator Suite)'
/** Keystrokes typed in A, one character each, this far apart; the first WARMUP are not counted. */
const KEYSTROKES = 320
const WARMUP = 20
const KEY_INTERVAL_MS = 50
const OPENS = 5
const OPEN_TIMEOUT_MS = 60_000

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Page-side: `quireView()` is the CodeMirror EditorView of the page's editor, found from its DOM
 * as EditorView.findFromDOM does (the page's bundle does not expose the class): the tile
 * (@codemirror/view 6.4x) or, in older versions, the content view on `.cm-content`. The editor's
 * DOM holds only the lines in view, so its state is where the whole text is.
 */
const VIEW = `globalThis.quireView = () => {
  const content = document.querySelector('.cm-content')
  if (!content) return null
  const view = content.cmTile?.root?.view ?? content.cmView?.rootView?.view
  if (!view) throw new Error('no EditorView on .cm-content (has @codemirror/view changed its internals?)')
  return view
}`

/** Page-side: epoch time in ms with sub-millisecond resolution; both pages share the machine's clock. */
const NOW = 'performance.timeOrigin + performance.now()'

/**
 * A types KEYSTROKES characters into the document; B has it open as an editor. The time of each
 * keydown in A and the time B's editor state first holds that many characters, both on the wall
 * clock in the pages.
 */
async function keystrokeLatency(ada: Person, bob: Person): Promise<Measurement[]> {
  const docId = await createDocument(ada, 'Latency benchmark')
  await shareAndOpen(ada, bob, docId)
  await editor(bob.page).waitFor()

  await ada.page.evaluate(`globalThis.quireKeyTimes = []
    document.addEventListener('keydown', () => quireKeyTimes.push(${NOW}), true)`)
  await bob.page.evaluate(VIEW)
  await bob.page.evaluate(`globalThis.quireArrivals = []
    const view = quireView()
    const record = () => {
      const length = view.state.doc.length
      const at = ${NOW}
      while (quireArrivals.length < length) quireArrivals.push(at)
    }
    new MutationObserver(record).observe(view.contentDOM, { childList: true, subtree: true, characterData: true })`)

  const words = 'the quick brown fox jumps over the lazy dog '
  const typed = Array.from({ length: KEYSTROKES }, (_, i) => words[i % words.length]!).join('')
  await editor(ada.page).click()
  for (const char of typed) {
    await ada.page.keyboard.type(char)
    await sleep(KEY_INTERVAL_MS)
  }
  await bob.page.waitForFunction(`quireArrivals.length >= ${KEYSTROKES}`, undefined, { timeout: 30_000 })
  const shown = await bob.page.evaluate<string>('quireView().state.doc.toString()')
  if (shown !== typed) throw new Error(`B's editor shows ${JSON.stringify(shown)}, not what A typed`)
  const sent = await ada.page.evaluate<number[]>('quireKeyTimes')
  const arrived = await bob.page.evaluate<number[]>('quireArrivals')
  if (sent.length !== KEYSTROKES) throw new Error(`A saw ${sent.length} keydowns for ${KEYSTROKES} keystrokes`)
  const samples = sent.slice(WARMUP).map((at, i) => arrived[i + WARMUP]! - at)
  const notes = `${samples.length} single-character keystrokes ${KEY_INTERVAL_MS} ms apart (after ${WARMUP} warm-up), keydown in A to B's editor state holding it; includes the provider's flushDelayMs batching (150 ms, default)`
  return [
    { benchmark: BENCHMARK, metric: 'keystroke in browser A to text in browser B, p50', value: fixed(median(samples), 0), unit: 'ms', notes },
    { benchmark: BENCHMARK, metric: 'keystroke in browser A to text in browser B, p99', value: fixed(quantile(samples, 0.99), 0), unit: 'ms', notes: `max ${fixed(Math.max(...samples), 0)} ms` },
  ]
}

/** Writes the trace's final state as one update in the owner's document and compacts it into a snapshot. */
async function writeCompacted(docId: string, trace: Trace): Promise<number> {
  const clients = new Clients(PROJECT_ID, STACK.firestore)
  try {
    const admin = clients.admin()
    const owner: unknown = (await admin.doc(paths.documentPath(docId)).get()).get('owner')
    if (typeof owner !== 'string') throw new Error(`documents/${docId} has no owner`)
    const doc = new Y.Doc()
    const text = doc.getText('content')
    for (const txn of trace.txns) applyTxn(text, txn)
    if (text.toString() !== trace.endContent) throw new Error('the trace replayed in Node does not give endContent')
    const update = Y.encodeStateAsUpdate(doc)
    await admin.collection(paths.updatesPath(docId)).add({ update: Buffer.from(update), author: owner, createdAt: FieldValue.serverTimestamp() })
    const compaction = await compactDocument(admin, docId, { force: true })
    return compaction.bytes
  } finally {
    await clients.close()
  }
}

/** From navigation start in a fresh, signed-in context to the editor holding the whole text and editable. */
/**
 * Opens the document in a fresh signed-in context (a first visit: nothing cached), then again in
 * that context once the service worker is installed (a return visit: the app from the worker's
 * cache, the text from the local copies, then brought up to date by the server).
 */
async function openTimes(browser: Browser, ada: Person, docId: string, expected: string, check: boolean): Promise<{ first: number; again: number }> {
  const fresh = await signIn(browser, ada)
  const url = `${STACK.app}/#/d/${encodeURIComponent(docId)}`
  const ready = `(() => {
    const view = quireView()
    return view !== null && view.contentDOM.getAttribute('contenteditable') === 'true' && view.state.doc.length === ${expected.length} && performance.now()
  })()`
  const open = async () => {
    await fresh.page.goto('about:blank')
    await fresh.page.goto(url, { waitUntil: 'commit' })
    const handle = await fresh.page.waitForFunction(ready, undefined, { polling: 5, timeout: OPEN_TIMEOUT_MS })
    return (await handle.jsonValue()) as number
  }
  try {
    await fresh.page.addInitScript(VIEW)
    const first = await open()
    if (check && (await fresh.page.evaluate<string>('quireView().state.doc.toString()')) !== expected) throw new Error('the opened editor differs from the trace endContent')
    await fresh.page.waitForFunction('navigator.serviceWorker.controller !== null', undefined, { timeout: OPEN_TIMEOUT_MS })
    await fresh.page.locator('.status-badge[data-status="synced"]').waitFor({ timeout: OPEN_TIMEOUT_MS })
    const again = await open()
    return { first, again }
  } catch (error) {
    throw new Error(`opening ${docId} failed; page errors: ${fresh.logs.join(' | ')}`, { cause: error })
  } finally {
    await fresh.context.close()
  }
}

async function openBench(browser: Browser): Promise<Measurement[]> {
  const trace = loadTrace('automerge-paper')
  // A person of its own, whose context is closed: only the fresh contexts below have it open.
  const owner = await signUp(browser, 'Bench Owner')
  const docId = await createDocument(owner, 'automerge-paper')
  await owner.context.close() // only the fresh contexts below have the document open
  const bytes = await writeCompacted(docId, trace)
  const times: { first: number; again: number }[] = []
  for (let i = 0; i < OPENS; i++) times.push(await openTimes(browser, owner, docId, trace.endContent, i === 0))
  const firsts = times.map((t) => t.first)
  const agains = times.map((t) => t.again)
  return [
    {
      benchmark: BENCHMARK,
      metric: 'open automerge-paper (compacted) to an editable editor, first visit, median',
      value: fixed(median(firsts), 0),
      unit: 'ms',
      notes: `${OPENS} opens (${firsts.map((t) => fixed(t, 0)).join(', ')} ms), each a fresh signed-in context loading #/d/{id}: navigation start to contenteditable and all ${trace.endContent.length.toLocaleString('en-US')} characters in the editor; snapshot ${fixed(bytes / 1024, 1)} KiB`,
    },
    {
      benchmark: BENCHMARK,
      metric: 'open it again in the same browser, median',
      value: fixed(median(agains), 0),
      unit: 'ms',
      notes: `${OPENS} opens (${agains.map((t) => fixed(t, 0)).join(', ')} ms), same measure; the app from the service worker's cache, the text from y-indexeddb and Firestore's cache`,
    },
  ]
}

/**
 * The web app in Chromium (issue 6), on the same stack as the web tests (emulator-tests/web):
 * the app built for the fixture ports, served by the Emulator Suite with Auth, the functions and
 * our Firestore emulator.
 */
export async function benchWebApp(): Promise<Measurement[]> {
  const emulatorHost = process.env['FIRESTORE_EMULATOR_HOST']
  const stack = await startStack()
  let browser: Browser | undefined
  try {
    browser = await launchBrowser()
    const ada = await signUp(browser, 'Bench Ada')
    const bob = await signUp(browser, 'Bench Bob')
    return [...(await keystrokeLatency(ada, bob)), ...(await openBench(browser))]
  } finally {
    await browser?.close()
    const code = await stack.stop()
    if (code !== 0) console.warn(`the Emulator Suite exited with ${code}`)
    // Clients points the Admin SDK at the stack through this variable; put it back.
    if (emulatorHost === undefined) delete process.env['FIRESTORE_EMULATOR_HOST']
    else process.env['FIRESTORE_EMULATOR_HOST'] = emulatorHost
  }
}
