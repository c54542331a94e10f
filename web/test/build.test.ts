import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

/** The production build, offline: complete (every asset index.html names exists) and self-contained. */
const WEB = fileURLToPath(new URL('..', import.meta.url))
let out: string

beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'quire-web-'))
  const build = spawnSync('npx', ['vite', 'build', '--logLevel', 'error'], { cwd: WEB, env: { ...process.env, NODE_ENV: 'production', QUIRE_WEB_OUT_DIR: out }, encoding: 'utf8' })
  expect(build.status, `${build.stdout}\n${build.stderr}`).toBe(0)
}, 120_000)

afterAll(() => rmSync(out, { recursive: true, force: true }))

describe('web build', () => {
  it('writes an index.html whose scripts and stylesheets all exist', () => {
    const html = readFileSync(join(out, 'index.html'), 'utf8')
    const references = [...html.matchAll(/(?:src|href)="(\/[^"]+)"/g)].map((match) => match[1]!)
    expect(references.some((path) => /^\/assets\/index-[\w-]+\.js$/.test(path))).toBe(true)
    expect(references.some((path) => /^\/assets\/index-[\w-]+\.css$/.test(path))).toBe(true)
    for (const path of references) expect(existsSync(join(out, path)), path).toBe(true)
  })

  it('loads nothing from other origins and names the emulator ports from firebase.json', () => {
    const html = readFileSync(join(out, 'index.html'), 'utf8')
    expect(html).not.toMatch(/(?:src|href)="https?:/)
    const script = /src="(\/assets\/index-[\w-]+\.js)"/.exec(html)![1]!
    const code = readFileSync(join(out, script), 'utf8')
    const ports = (JSON.parse(readFileSync(join(WEB, '..', 'firebase.json'), 'utf8')) as { emulators: Record<string, { port: number }> }).emulators
    expect(code).toContain(`auth:${ports['auth']!.port}`)
    expect(code).toContain(`firestore:${ports['firestore']!.port}`)
  })

  it('loads the editor (CodeMirror, Yjs) in a chunk of its own, not with the sign-in page and the list', () => {
    const html = readFileSync(join(out, 'index.html'), 'utf8')
    const main = readFileSync(join(out, /src="(\/assets\/index-[\w-]+\.js)"/.exec(html)![1]!), 'utf8')
    const editorChunk = readdirSync(join(out, 'assets')).find((file) => /^document-view-[\w-]+\.js$/.test(file))
    expect(editorChunk).toBeDefined()
    const editorCode = readFileSync(join(out, 'assets', editorChunk!), 'utf8')
    // Markers of CodeMirror (its search panel's class) and of the provider (its localStorage key).
    for (const marker of ['cm-searchMatch', 'y-firestore:unsaved']) {
      expect(editorCode.includes(marker), `${marker} in the editor chunk`).toBe(true)
      expect(main.includes(marker), `${marker} in the main chunk`).toBe(false)
    }
  })

  it('ships a service worker at the root that precaches exactly the build (no source maps), and the page registers it', () => {
    const worker = readFileSync(join(out, 'sw.js'), 'utf8')
    const listed = /\[("\/[^\]]*")\]/.exec(worker)
    expect(listed, 'the precache list in sw.js').not.toBeNull()
    const files = (JSON.parse(`[${listed![1]}]`) as string[]).sort()
    const built = readdirSync(join(out, 'assets')).filter((file) => !file.endsWith('.map')).map((file) => `/assets/${file}`).sort()
    expect(files).toEqual(built)
    expect(worker).not.toContain('__QUIRE_PRECACHE__')
    const html = readFileSync(join(out, 'index.html'), 'utf8')
    const script = /src="(\/assets\/index-[\w-]+\.js)"/.exec(html)![1]!
    expect(readFileSync(join(out, script), 'utf8')).toMatch(/register\(["'`]\/sw\.js["'`]\)/)
  })
})
