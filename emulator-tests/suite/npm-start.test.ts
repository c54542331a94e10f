import { afterAll, describe, expect, it } from 'vitest'
import { REPO } from '../../scripts/emulator-suite/env.js'
import { eventually, isAlive, startAndWait, type Started } from './support.js'

/** `npm start`: one command, one printed URL, and Ctrl-C (SIGINT) stops every process it started. */
let started: Started | undefined

afterAll(async () => {
  await started?.stop().catch(() => undefined)
})

describe('npm start', () => {
  it('comes up, serves the page on the printed URL, reaches Firestore, and stops cleanly on SIGINT', async () => {
    // Run the script directly (not through npm) so SIGINT reaches it as a terminal's Ctrl-C would reach the group.
    started = await startAndWait(`${REPO}/node_modules/.bin/tsx`, ['scripts/emulator-suite/start.ts'], {
      cwd: REPO,
      env: process.env,
      ready: /Quire is running at (http:\/\/\S+)/,
      timeoutMs: 100_000,
    })
    const url = /Quire is running at (http:\/\/\S+)/.exec(started.output())![1]!
    const page = await fetch(url)
    expect(page.status).toBe(200)
    // The web app's build (web/dist): its index.html and the script it names.
    const script = /src="(\/assets\/index-[\w-]+\.js)"/.exec(await page.text())?.[1]
    expect(script).toBeDefined()
    expect((await fetch(`${url}${script}`)).status).toBe(200)
    // The page's Firestore is ours, on firebase.json's port, with the project's rules loaded.
    const hub = (await (await fetch('http://127.0.0.1:4400/emulators')).json()) as Record<string, { port: number }>
    expect(Object.keys(hub)).toEqual(expect.arrayContaining(['auth', 'functions', 'firestore', 'hosting']))
    expect(await (await fetch(`http://127.0.0.1:${hub['firestore']!.port}/`)).text()).toBe('Ok')

    const children = [...started.descendants()]
    expect(children.length).toBeGreaterThan(2)
    expect(await started.stop()).toBe(0)
    await eventually(async () => (children.some(isAlive) ? undefined : true), 15_000, 'every child process to end')
    started = undefined
  }, 150_000)
})
