import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Started } from '../suite/support.js'
import {
  CARETS_OF,
  createDocument,
  currentDocId,
  cutOffFirestore,
  delayWrites,
  editor,
  editorText,
  launchBrowser,
  openDocument,
  screenshot,
  shareAndOpen,
  shareWith,
  signIn,
  signUp,
  waitForStatus,
  waitForText,
  WAIT_MS,
  WRITE_CHANNEL,
  type Person,
} from './support/app.js'
import { startStack, STACK } from './support/stack.js'

/**
 * The web app end to end (issue 6): the built app on the Hosting emulator, with Auth, our
 * functions and our Firestore emulator, driven in Debian's Chromium. People are separate
 * browser contexts. The tests share one stack and run in order; each makes its own users.
 */
let stack: Started
let browser: Browser
const people: Person[] = []

async function person(name: string, viewport?: { width: number; height: number }): Promise<Person> {
  const created = await signUp(browser, name, viewport)
  people.push(created)
  return created
}

/** The server has the document's text: the same person, signed in afresh in a new context, reads it. */
async function expectSaved(who: Person, docId: string, text: string): Promise<void> {
  const again = await signIn(browser, who)
  people.push(again)
  await openDocument(again, docId)
  await waitForText(again.page, text)
}

beforeAll(async () => {
  stack = await startStack()
  browser = await launchBrowser()
}, 180_000)

afterAll(async () => {
  for (const p of people) await p.context.close().catch(() => undefined)
  await browser?.close()
  if (stack) expect(await stack.stop()).toBe(0)
}, 60_000)

describe('the web app', () => {
  it('signs up, lists, creates and renames documents', async () => {
    const ada = await person('Ada')
    await screenshot(ada.page, 'list-empty')
    const docId = await createDocument(ada, 'Notes')
    expect(docId).toMatch(/^[A-Za-z0-9]{20}$/)
    await editor(ada.page).click()
    await ada.page.keyboard.type('# Hello\nworld')
    await waitForStatus(ada.page, 'synced')
    await ada.page.getByRole('link', { name: 'Documents' }).click()
    // The index entry is written by the syncUserIndex function (until then the list shows the
    // document as created here, pending).
    const item = ada.page.locator(`li[data-doc-id="${docId}"][data-pending="false"]`)
    await item.getByRole('link', { name: 'Notes' }).waitFor({ timeout: WAIT_MS })
    await item.getByRole('button', { name: 'Rename Notes' }).click()
    await ada.page.getByLabel('Title', { exact: true }).fill('Meeting notes')
    await ada.page.getByRole('button', { name: 'Rename', exact: true }).click()
    await item.getByRole('link', { name: 'Meeting notes' }).waitFor({ timeout: WAIT_MS })
    await screenshot(ada.page, 'list')
    await item.getByRole('link', { name: 'Meeting notes' }).click()
    await waitForText(ada.page, '# Hello\nworld')
    // A second document at once: the list's listen stream is open by now, so the editor's first
    // listen can reach the server before the creation does (it used to end on "No access").
    await ada.page.getByRole('link', { name: 'Documents' }).click()
    const second = await createDocument(ada, 'Second')
    expect(second).not.toBe(docId)
    await editor(ada.page).click()
    await ada.page.keyboard.type('two')
    await waitForText(ada.page, 'two')
    await waitForStatus(ada.page, 'synced')
  }, 90_000)

  it('opens a new document whose creation reaches the server after the editor first asks for it', async () => {
    const ada = await person('Ada')
    // The Write channel held back: the page's listens on the new document reach the server
    // while it does not exist yet, so the rules refuse them.
    await delayWrites(ada, 1_500)
    const docId = await createDocument(ada, 'Slow network')
    await editor(ada.page).click()
    await ada.page.keyboard.type('made it')
    await waitForStatus(ada.page, 'synced')
    expect(await ada.page.getByRole('heading', { name: 'No access' }).count()).toBe(0)
    await ada.context.unroute(WRITE_CHANNEL)

    await expectSaved(ada, docId, 'made it')
  }, 90_000)

  it('creates a document while the server is unreachable, keeps it across a reload, and saves it on reconnect', async () => {
    const ada = await person('Ada')
    const reconnect = await cutOffFirestore(ada)
    await ada.page.getByLabel('Title of a new document').fill('Written offline')
    await ada.page.getByRole('button', { name: 'New document' }).click()
    await ada.page.waitForURL(/#\/d\//, { timeout: WAIT_MS })
    const docId = currentDocId(ada.page)
    await editor(ada.page).click()
    await ada.page.keyboard.type('never seen by the server')
    await ada.page.reload()
    await waitForText(ada.page, 'never seen by the server')
    // Not saved: the server has never seen this document.
    const badge = ada.page.locator('.status-badge')
    await ada.page.locator('.status-badge', { hasText: /not saved yet/ }).waitFor({ timeout: WAIT_MS })
    expect(await badge.getAttribute('data-status')).not.toBe('synced')
    expect(Number(await badge.getAttribute('data-unsaved'))).toBeGreaterThan(0)
    // The list still shows it (created on this device, not in the index yet), and it opens from there.
    await ada.page.getByRole('link', { name: 'Documents' }).click()
    await ada.page.locator(`li[data-doc-id="${docId}"][data-pending="true"]`).getByRole('link', { name: 'Written offline' }).click()
    await waitForText(ada.page, 'never seen by the server')

    // Back online, with the creation reaching the server after the listens.
    await delayWrites(ada, 1_500)
    await reconnect()
    await waitForStatus(ada.page, 'synced')
    expect(await ada.page.getByRole('heading', { name: 'No access' }).count()).toBe(0)
    await ada.context.unroute(WRITE_CHANNEL)

    await expectSaved(ada, docId, 'never seen by the server')
  }, 120_000)

  it('lets two people co-edit: text converges, cursors and presence show', async () => {
    const ada = await person('Ada Lovelace')
    const bob = await person('Bob Kahn')
    const docId = await createDocument(ada, 'Together')
    await shareWith(ada, bob, 'editor', { keepOpen: true })
    await screenshot(ada.page, 'share-dialog')
    await ada.page.keyboard.press('Escape')
    await openDocument(bob, docId)
    await waitForStatus(bob.page, 'synced')

    await editor(ada.page).click()
    await ada.page.keyboard.type('Ada writes here.')
    await waitForText(bob.page, 'Ada writes here.')
    await editor(bob.page).click()
    await bob.page.keyboard.press('ControlOrMeta+End')
    await bob.page.keyboard.type(' Bob adds this.')
    await waitForText(ada.page, 'Ada writes here. Bob adds this.')
    expect(await editorText(bob.page)).toBe('Ada writes here. Bob adds this.')

    // Each sees the other's caret, labelled with their name, and both avatars.
    await ada.page.locator('.cm-ySelectionInfo', { hasText: 'Bob Kahn' }).waitFor({ state: 'attached', timeout: WAIT_MS })
    await bob.page.locator('.cm-ySelectionInfo', { hasText: 'Ada Lovelace' }).waitFor({ state: 'attached', timeout: WAIT_MS })
    await expect.poll(() => ada.page.locator('.presence .avatar').count(), { timeout: WAIT_MS }).toBe(2)
    expect(await bob.page.locator('.presence .avatar .visually-hidden').allInnerTexts()).toEqual(['Bob Kahn (you)', 'Ada Lovelace'])
    // A selection by Bob shows in Ada's editor.
    await bob.page.keyboard.down('Shift')
    for (let i = 0; i < 4; i++) await bob.page.keyboard.press('ArrowLeft')
    await bob.page.keyboard.up('Shift')
    await ada.page.locator('.cm-ySelection').first().waitFor({ state: 'attached', timeout: WAIT_MS })
    await screenshot(ada.page, 'editor-two-cursors')
  }, 120_000)

  it('undoes only your own edits, searches, and highlights Markdown', async () => {
    const ada = await person('Ada')
    const bob = await person('Bob')
    const docId = await createDocument(ada, 'Undo')
    await shareAndOpen(ada, bob, docId)

    await editor(ada.page).click()
    await ada.page.keyboard.type('# Title')
    await waitForText(bob.page, '# Title')
    await editor(bob.page).click()
    await bob.page.keyboard.press('ControlOrMeta+End')
    await bob.page.keyboard.type('\nfrom bob')
    await waitForText(ada.page, '# Title\nfrom bob')
    // Ada's undo takes back her heading, not Bob's line; redo brings it back. (KeyZ: Playwright's
    // "Shift+z" sends a lowercase "z", which no keyboard does.)
    await ada.page.keyboard.press('ControlOrMeta+z')
    await waitForText(ada.page, '\nfrom bob')
    await waitForText(bob.page, '\nfrom bob')
    await ada.page.keyboard.press('ControlOrMeta+Shift+KeyZ')
    await waitForText(bob.page, '# Title\nfrom bob')

    // The heading is set in bold (Markdown highlighting).
    const weight = await ada.page.evaluate(`getComputedStyle([...document.querySelectorAll('.cm-line')][0].querySelector('span')).fontWeight`)
    expect(Number(weight)).toBeGreaterThanOrEqual(700)
    // Search: Ctrl/Cmd-F opens the panel, Enter selects the next match.
    await editor(ada.page).click()
    await ada.page.keyboard.press('ControlOrMeta+f')
    const find = ada.page.getByRole('textbox', { name: 'Find' })
    await find.waitFor({ timeout: WAIT_MS })
    await ada.page.keyboard.type('bob')
    await ada.page.keyboard.press('Enter')
    await ada.page.locator('.cm-searchMatch-selected', { hasText: 'bob' }).waitFor({ timeout: WAIT_MS })
  }, 120_000)

  it('shuts out a member whose access is removed, and says so when the document is deleted, while it is open', async () => {
    const ada = await person('Ada')
    const bob = await person('Bob')
    const cat = await person('Cat')
    const docId = await createDocument(ada, 'Short-lived')
    await editor(ada.page).click()
    await ada.page.keyboard.type('for members only')
    await shareWith(ada, bob, 'editor')
    await shareWith(ada, cat, 'editor')
    for (const member of [bob, cat]) {
      await openDocument(member, docId)
      await waitForText(member.page, 'for members only')
    }

    await ada.page.getByRole('button', { name: 'Share' }).click()
    await ada.page.getByRole('combobox', { name: 'Role of Bob' }).selectOption('remove')
    await ada.page.locator('#share-dialog .form-message', { hasText: 'no longer' }).waitFor({ timeout: WAIT_MS })
    await ada.page.keyboard.press('Escape')
    await bob.page.getByRole('heading', { name: 'No access' }).waitFor({ timeout: WAIT_MS })
    expect(await bob.page.locator('.cm-content').count()).toBe(0)
    expect(await bob.page.content()).not.toContain('for members only')

    await ada.page.getByRole('link', { name: 'Documents' }).click()
    await ada.page.locator(`li[data-doc-id="${docId}"]`).getByRole('button', { name: 'Delete Short-lived' }).click()
    await ada.page.getByRole('button', { name: 'Delete', exact: true }).click()
    await cat.page.getByRole('heading', { name: /Document not found|No access/ }).waitFor({ timeout: WAIT_MS })
    expect(await cat.page.locator('.cm-content').count()).toBe(0)
    await ada.page.locator(`li[data-doc-id="${docId}"]`).waitFor({ state: 'detached', timeout: WAIT_MS })
  }, 120_000)

  it('says in words that a paste is too large to save, and saves again once it is undone', async () => {
    const ada = await person('Ada')
    await createDocument(ada, 'Big paste')
    await editor(ada.page).click()
    await ada.page.keyboard.type('small')
    await waitForStatus(ada.page, 'synced')
    // About 10 MB in 100,000 lines, through the browser's paste event as the clipboard delivers it.
    await ada.page.evaluate(`(() => {
      const data = new DataTransfer()
      data.setData('text/plain', ('x'.repeat(99) + '\\n').repeat(100_000))
      document.querySelector('.cm-content').dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }))
    })()`)
    await ada.page.locator('#alerts', { hasText: 'too large to save' }).waitFor({ timeout: WAIT_MS })
    await ada.page.locator('.status-badge', { hasText: /MB not saved yet/ }).waitFor({ timeout: WAIT_MS })
    await screenshot(ada.page, 'too-large')
    await editor(ada.page).focus()
    await ada.page.keyboard.press('ControlOrMeta+z')
    await waitForText(ada.page, 'small')
    await waitForStatus(ada.page, 'synced')
  }, 120_000)

  it('works with the keyboard alone, and names every control', async () => {
    const ada = await person('Ada')
    const page = ada.page
    // From the top of the page, Tab reaches the skip link first, and Tab onwards the new document's title.
    await page.locator('body').focus()
    await page.keyboard.press('Tab')
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Skip to content')
    for (let i = 0; i < 10 && (await page.evaluate('document.activeElement.id')) !== 'new-title'; i++) await page.keyboard.press('Tab')
    expect(await page.evaluate('document.activeElement.id')).toBe('new-title')
    await page.keyboard.type('By keyboard')
    await page.keyboard.press('Enter')
    // The new document opens with the cursor in the text.
    await page.waitForURL(/#\/d\//, { timeout: WAIT_MS })
    await page.waitForFunction(`document.activeElement?.classList.contains('cm-content')`, undefined, { timeout: WAIT_MS })
    await page.keyboard.type('no mouse')
    await waitForText(page, 'no mouse')
    // Tab indents inside the editor; Escape, then Tab, leaves it (CodeMirror's way out of the text).
    await page.keyboard.press('Escape')
    await page.keyboard.press('Shift+Tab')
    expect(await page.evaluate(`document.activeElement?.classList.contains('cm-content')`)).toBe(false)
    await page.getByRole('button', { name: 'Share' }).focus()
    await page.keyboard.press('Enter')
    await page.getByLabel('Add people by email').waitFor({ timeout: WAIT_MS })
    // Every control on the document page and in the dialog has an accessible name.
    const unnamed = await page.evaluate(`[...document.querySelectorAll('input, select, textarea, button, a[href], [contenteditable="true"]')]
      .filter((element) => element.checkVisibility())
      .filter((element) => !(element.labels?.length || element.getAttribute('aria-label') || element.getAttribute('aria-labelledby') || element.textContent.trim()))
      .map((element) => element.outerHTML.slice(0, 120))`)
    expect(unnamed).toEqual([])
    await page.keyboard.press('Escape')
    await page.waitForFunction(`document.activeElement?.textContent === 'Share'`, undefined, { timeout: WAIT_MS })
  }, 120_000)

  it('keeps a viewer read-only and a stranger out', async () => {
    const ada = await person('Ada')
    const vic = await person('Vic')
    const eve = await person('Eve')
    const docId = await createDocument(ada, 'Plans')
    await editor(ada.page).click()
    await ada.page.keyboard.type('secret plans')
    await waitForStatus(ada.page, 'synced')
    await shareWith(ada, vic, 'viewer')

    await openDocument(vic, docId)
    await waitForText(vic.page, 'secret plans')
    expect(await editor(vic.page).getAttribute('contenteditable')).toBe('false')
    await vic.page.getByText('View only').waitFor({ timeout: WAIT_MS })
    await editor(vic.page).click()
    await vic.page.keyboard.type('vandalism')
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(await editorText(vic.page)).toBe('secret plans')
    // ...and still sees live text.
    await editor(ada.page).click()
    await ada.page.keyboard.press('ControlOrMeta+End')
    await ada.page.keyboard.type(' v2')
    await waitForText(vic.page, 'secret plans v2')
    expect(await vic.page.getByRole('button', { name: 'Share' }).count()).toBe(0)

    await openDocument(eve, docId)
    await eve.page.getByRole('heading', { name: 'No access' }).waitFor({ timeout: WAIT_MS })
    expect(await eve.page.locator('.cm-content').count()).toBe(0)
    expect(await eve.page.content()).not.toContain('secret plans')
    await screenshot(eve.page, 'no-access')
  }, 120_000)

  it('merges edits made offline on both sides, with nothing lost or duplicated', async () => {
    const ada = await person('Ada')
    const bob = await person('Bob')
    const docId = await createDocument(ada, 'Offline')
    await editor(ada.page).click()
    await ada.page.keyboard.type('start')
    await waitForStatus(ada.page, 'synced')
    await shareWith(ada, bob, 'editor')
    await openDocument(bob, docId)
    await waitForText(bob.page, 'start')

    await bob.context.setOffline(true)
    await waitForStatus(bob.page, 'offline')
    await editor(bob.page).click()
    await bob.page.keyboard.press('ControlOrMeta+End')
    await bob.page.keyboard.type(' bob-offline')
    await editor(ada.page).click()
    await ada.page.keyboard.press('ControlOrMeta+Home')
    await ada.page.keyboard.type('ada-online ')
    await waitForStatus(ada.page, 'synced')
    // The badge says offline and how much is unsaved.
    await bob.page.locator('.status-badge[data-status="offline"]', { hasText: /not saved yet/ }).waitFor({ timeout: WAIT_MS })
    expect(Number(await bob.page.locator('.status-badge').getAttribute('data-unsaved'))).toBeGreaterThan(0)
    await screenshot(bob.page, 'offline')
    expect(await editorText(bob.page)).toBe('start bob-offline')

    await bob.context.setOffline(false)
    const merged = 'ada-online start bob-offline'
    await waitForText(bob.page, merged)
    await waitForText(ada.page, merged)
    await waitForStatus(bob.page, 'synced')
  }, 120_000)

  it('keeps unsent edits across a reload, then saves them', async () => {
    const ada = await person('Ada')
    const bob = await person('Bob')
    const docId = await createDocument(ada, 'Reload')
    await shareAndOpen(ada, bob, docId)

    // Firestore unreachable for Ada (the page itself still loads from Hosting).
    const reconnect = await cutOffFirestore(ada)
    await editor(ada.page).click()
    await ada.page.keyboard.type('typed while unsaved')
    // Reloaded at once: the last keystrokes are not even batched into a write yet. The page asks
    // first (something is unsaved), and the local copy keeps them.
    let prompted = ''
    ada.page.once('dialog', (dialog) => (prompted = dialog.type()))
    await ada.page.reload()
    expect(prompted).toBe('beforeunload')
    await waitForText(ada.page, 'typed while unsaved')

    await reconnect()
    await waitForText(bob.page, 'typed while unsaved')
    await waitForStatus(ada.page, 'synced')
    // The page before the reload left its presence entry behind (its cursor would stay, frozen,
    // until it expires): the new page deletes it, so Bob sees one cursor of Ada's, Ada none.
    await bob.page.waitForFunction(`${CARETS_OF('Ada')} === 1`, undefined, { timeout: 8_000 })
    await ada.page.waitForFunction(`${CARETS_OF('Ada')} === 0`, undefined, { timeout: 8_000 })
  }, 120_000)

  it('starts with no connection at all, opens a document from the local copy, and keeps edits across a closed tab', async () => {
    const ada = await person('Ada')
    const docId = await createDocument(ada, 'Train notes')
    await editor(ada.page).click()
    await ada.page.keyboard.type('written online')
    await waitForStatus(ada.page, 'synced')
    await ada.page.getByRole('link', { name: 'Documents' }).click()
    // In the user's index (written by a function), so the list knows it after a reload.
    const item = ada.page.locator(`li[data-doc-id="${docId}"][data-pending="false"]`)
    await item.getByRole('link', { name: 'Train notes' }).waitFor({ timeout: WAIT_MS })
    await ada.page.waitForFunction('navigator.serviceWorker.controller !== null', undefined, { timeout: WAIT_MS })

    await ada.context.setOffline(true)
    const reloaded = await ada.page.reload()
    expect(reloaded?.fromServiceWorker()).toBe(true)
    await item.getByRole('link', { name: 'Train notes' }).click()
    await waitForText(ada.page, 'written online')
    await waitForStatus(ada.page, 'offline')
    await editor(ada.page).click()
    await ada.page.keyboard.press('ControlOrMeta+End')
    await ada.page.keyboard.type(', then offline')
    await screenshot(ada.page, 'offline-start')

    // Still offline, the tab is closed (Ada confirms leaving with unsaved edits) and another opened.
    await ada.page.close({ runBeforeUnload: true })
    await ada.page.waitForEvent('close', { timeout: WAIT_MS })
    const tab = await ada.context.newPage()
    await tab.goto(`${STACK.app}/#/d/${docId}`)
    await waitForText(tab, 'written online, then offline')
    // Offline at once (the browser knows it has no network), not "Connecting…" for the SDK's 10 s.
    await tab.locator('.status-badge[data-status="offline"]', { hasText: /not saved yet/ }).waitFor({ timeout: 5_000 })

    await ada.context.setOffline(false)
    await waitForStatus(tab, 'synced')
    await expectSaved(ada, docId, 'written online, then offline')
  }, 120_000)

  it('joins through an invite link after signing in', async () => {
    const ada = await person('Ada')
    const cat = await person('Cat', { width: 390, height: 844 })
    const docId = await createDocument(ada, 'Invited')
    await ada.page.getByRole('button', { name: 'Share' }).click()
    await ada.page.locator('#invite-role').selectOption('viewer')
    await ada.page.getByRole('button', { name: 'Create link' }).click()
    const link = await ada.page.locator('.invite-url').last().inputValue({ timeout: WAIT_MS })
    expect(link).toMatch(/#\/invite\/[A-Za-z0-9_-]{43}$/)
    await ada.page.keyboard.press('Escape')

    await cat.page.goto(link)
    await cat.page.waitForURL(`**/#/d/${docId}`, { timeout: WAIT_MS })
    await cat.page.getByText('View only').waitFor({ timeout: WAIT_MS })
    await screenshot(cat.page, 'phone-viewer')
  }, 90_000)

  it('shows the sign-in page to someone signed out, with errors in words', async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } })
    const page = await context.newPage()
    await page.goto(`${STACK.app}/#/d/whatever`)
    await page.getByRole('heading', { name: 'Sign in to Quire' }).waitFor({ timeout: WAIT_MS })
    expect(await page.getByRole('button', { name: 'Continue without an account' }).count()).toBe(1)
    // Google sign-in is offered in production only: the Auth SDK loads apis.google.com's gapi for
    // its popup even against the Auth emulator, which these offline machines cannot reach.
    expect(await page.getByRole('button', { name: 'Sign in with Google' }).count()).toBe(0)
    await screenshot(page, 'sign-in')
    await page.getByLabel('Email').fill('nobody@example.com')
    await page.getByLabel('Password').fill('wrong password')
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    await page.getByText('do not match an account').waitFor({ timeout: WAIT_MS })

    await context.close()
  }, 60_000)
})
