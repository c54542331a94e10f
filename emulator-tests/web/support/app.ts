import { existsSync, mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { CHROMIUM } from '../../browser/support/browser.js'
import { STACK } from './stack.js'

/** Flags for Debian's Chromium, as the browser suite uses: no sandbox in containers, nothing fetched from Google. */
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']

/** Where screenshots of the main states go (committed, for the README). */
export const SCREENSHOTS = fileURLToPath(new URL('../../../web/screenshots/', import.meta.url))

/** How long a test waits for something to show in a page. */
export const WAIT_MS = 20_000

/** Launches Debian's Chromium; fails loudly (never skips) when it is missing. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium was not found at ${CHROMIUM}. The web tests need it: apt-get install -y chromium (.ci/run installs it).`)
  mkdirSync(SCREENSHOTS, { recursive: true })
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, timeout: 30_000 })
}

/** A person using the app in a browser context of their own (own storage, own connection). */
export interface Person {
  readonly context: BrowserContext
  readonly page: Page
  readonly email: string
  readonly name: string
  /** Console errors and page errors, for failure messages. */
  readonly logs: string[]
}

let counter = 0

/** The password of every account the tests create. */
const PASSWORD = 'correct horse battery'

/** A new context with a page on the app's sign-in page, collecting errors. */
async function openApp(browser: Browser, viewport: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page; logs: string[] }> {
  const context = await browser.newContext({ viewport })
  const page = await context.newPage()
  const logs: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error') logs.push(message.text())
  })
  page.on('pageerror', (error) => logs.push(`[pageerror] ${error.message}`))
  // Accept the unsaved-changes prompt so reloads in tests go ahead (the prompt itself is tested).
  page.on('dialog', (dialog) => void dialog.accept())
  await page.goto(`${STACK.app}/`)
  return { context, page, logs }
}

/** Opens the app in a new context and creates an account with a fresh email through the sign-in page. */
export async function signUp(browser: Browser, name: string, viewport = { width: 1200, height: 800 }): Promise<Person> {
  const { context, page, logs } = await openApp(browser, viewport)
  const email = `${name.toLowerCase().replace(/[^a-z0-9]/g, '')}-${Date.now()}-${counter++}@example.com`
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill(PASSWORD)
  await page.getByRole('button', { name: 'Create account' }).click()
  await page.getByRole('heading', { name: 'Your documents' }).waitFor({ timeout: WAIT_MS })
  await setProfileName(page, name)
  return { context, page, email, name, logs }
}

/** Signs an existing person in again in a new context of their own (fresh storage); resolves on the document list. */
export async function signIn(browser: Browser, person: Pick<Person, 'email' | 'name'>, viewport = { width: 1200, height: 800 }): Promise<Person> {
  const { context, page, logs } = await openApp(browser, viewport)
  await page.getByLabel('Email').fill(person.email)
  await page.getByLabel('Password').fill(PASSWORD)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  await page.getByRole('heading', { name: 'Your documents' }).waitFor({ timeout: WAIT_MS })
  return { context, page, email: person.email, name: person.name, logs }
}

/** Sets the profile name through the profile dialog. */
async function setProfileName(page: Page, name: string): Promise<void> {
  await page.locator('button.account').click()
  await page.getByLabel('Name (shown to collaborators)').fill(name)
  await page.getByRole('button', { name: 'Save' }).click()
  await page.getByRole('button', { name: `Profile: ${name}` }).waitFor({ timeout: WAIT_MS })
}

/** Creates a document from the list page; returns its ID once the editor is open and saved. */
export async function createDocument(person: Person, title: string): Promise<string> {
  await person.page.getByLabel('Title of a new document').fill(title)
  await person.page.getByRole('button', { name: 'New document' }).click()
  await person.page.waitForURL(/#\/d\//, { timeout: WAIT_MS })
  await editor(person.page).waitFor({ timeout: WAIT_MS })
  await waitForStatus(person.page, 'synced')
  return currentDocId(person.page)
}

/** The editor's content element. */
export function editor(page: Page) {
  return page.locator('.cm-content')
}

/**
 * The editor's text: each line's text without the widgets CodeMirror and the remote carets put
 * in it (a caret carries its person's name), lines joined by newlines. Installed in the page so
 * waitForText can poll it there.
 */
export async function editorText(page: Page): Promise<string> {
  await page.evaluate(EDITOR_TEXT)
  return page.evaluate<string>('quireEditorText()')
}

/** Page-side source of quireEditorText() (a string: it runs in the browser, which this project's types do not describe). */
const EDITOR_TEXT = `globalThis.quireEditorText = () =>
  [...document.querySelectorAll('.cm-content .cm-line')]
    .map((line) => {
      const copy = line.cloneNode(true)
      for (const widget of copy.querySelectorAll('.cm-ySelectionCaret, .cm-widgetBuffer')) widget.remove()
      return (copy.textContent ?? '').replace(/\\u2060/g, '')
    })
    .join('\\n')`

/** Page-side expression: how many remote cursors in the editor carry `name`. */
export const CARETS_OF = (name: string) =>
  `[...document.querySelectorAll('.cm-ySelectionCaret')].filter((caret) => caret.textContent.includes(${JSON.stringify(name)})).length`

/** Waits until the editor shows exactly `text`. */
export async function waitForText(page: Page, text: string): Promise<void> {
  await editorText(page)
  try {
    await page.waitForFunction(`quireEditorText() === ${JSON.stringify(text)}`, undefined, { timeout: WAIT_MS })
  } catch (error) {
    const shown = await editorText(page).catch(() => '(no editor)')
    const status = await page.locator('.status-badge').textContent().catch(() => '(no badge)')
    const alerts = await page.locator('#alerts').innerText().catch(() => '')
    throw new Error(`the editor did not show ${JSON.stringify(text)}: it shows ${JSON.stringify(shown)}; badge: ${status}; alerts: ${alerts}; url: ${page.url()}`, { cause: error })
  }
}

/** Waits for the save badge to show a status. */
export async function waitForStatus(page: Page, status: 'synced' | 'offline' | 'syncing' | 'connecting'): Promise<void> {
  await page.locator(`.status-badge[data-status="${status}"]`).waitFor({ timeout: WAIT_MS })
}

/** Opens a document by URL. */
export async function openDocument(person: Person, docId: string): Promise<void> {
  await person.page.goto(`${STACK.app}/#/d/${encodeURIComponent(docId)}`)
}

/**
 * Shares the owner's open document with someone by email, through the sharing dialog, which is
 * closed again unless `keepOpen`.
 */
export async function shareWith(owner: Person, other: Person, role: 'editor' | 'viewer', { keepOpen = false } = {}): Promise<void> {
  const page = owner.page
  await page.getByRole('button', { name: 'Share' }).click()
  await page.getByLabel('Add people by email').fill(other.email)
  await page.locator('#share-role').selectOption(role)
  await page.getByRole('button', { name: 'Share', exact: true }).last().click()
  await page.locator('#share-dialog .form-message', { hasText: `Shared with ${other.email}` }).waitFor({ timeout: WAIT_MS })
  if (!keepOpen) await page.keyboard.press('Escape')
}

/** Shares the owner's open document `docId` as an editor, and opens it for the other person once loaded and saved. */
export async function shareAndOpen(owner: Person, other: Person, docId: string): Promise<void> {
  await shareWith(owner, other, 'editor')
  await openDocument(other, docId)
  await waitForStatus(other.page, 'synced')
}

/** The ID of the document the page shows (`#/d/{docId}`). */
export function currentDocId(page: Page): string {
  return decodeURIComponent(new URL(page.url()).hash.replace('#/d/', ''))
}

/** Makes Firestore unreachable from the person's browser (the app itself still loads); returns what restores it. */
export async function cutOffFirestore(person: Person): Promise<() => Promise<void>> {
  const firestore = `http://${STACK.firestore}/**`
  await person.context.route(firestore, (route) => route.abort())
  return () => person.context.unroute(firestore)
}

/** The Firestore Write stream's WebChannel requests (the web SDK's writes). */
export const WRITE_CHANNEL = `http://${STACK.firestore}/google.firestore.v1.Firestore/Write/channel**`

/**
 * Holds back every request the person's browser makes on the Write channel by `ms`, as a slow
 * or congested connection does, so their listens reach the server before their writes.
 */
export async function delayWrites(person: Person, ms: number): Promise<void> {
  await person.context.route(WRITE_CHANNEL, async (route) => {
    await new Promise((resolve) => setTimeout(resolve, ms))
    await route.continue().catch(() => undefined)
  })
}

/** Saves a screenshot as web/screenshots/{name}.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png` })
}
