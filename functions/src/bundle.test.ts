import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('..', import.meta.url))
const manifest = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as { main: string; type: string; dependencies: Record<string, string> }
const bundle = `${root}/${manifest.main}`

/** What a fresh Node process (as firebase-tools starts one) sees when it imports the bundle. */
interface Loaded {
  exports: string[]
  endpoints: Record<
    string,
    { eventTrigger?: { eventType: string; eventFilterPathPatterns: Record<string, string> }; scheduleTrigger?: { schedule: string }; callableTrigger?: object }
  >
}

function loadInNode(): Loaded {
  const script = `
    const m = await import(${JSON.stringify(pathToFileURL(bundle).href)})
    const endpoints = Object.fromEntries(Object.entries(m).map(([name, fn]) => [name, fn.__endpoint]))
    console.log(JSON.stringify({ exports: Object.keys(m).sort(), endpoints }))`
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' })) as Loaded
}

describe('the functions bundle', () => {
  beforeAll(() => {
    execFileSync(process.execPath, ['build.mjs'], { cwd: root, stdio: 'pipe' })
  }, 60_000)

  it('is what package.json names, an ES module as "type" says', () => {
    expect(manifest.main).toBe('lib/index.js')
    expect(manifest.type).toBe('module')
  })

  it('loads in Node and exports the compaction trigger, the sweep, the user index and cleanup triggers and the sharing callables', () => {
    const loaded = loadInNode()
    expect(loaded.exports).toEqual([
      'acceptInvite',
      'cleanupDeletedDocument',
      'compactIdle',
      'compactOnUpdate',
      'createInvite',
      'revokeInvite',
      'shareDocument',
      'syncUserIndex',
    ])
    const trigger = loaded.endpoints['compactOnUpdate']!.eventTrigger!
    expect(trigger.eventType).toBe('google.cloud.firestore.document.v1.created')
    expect(trigger.eventFilterPathPatterns['document']).toBe('documents/{docId}/updates/{updateId}')
    expect(loaded.endpoints['compactIdle']!.scheduleTrigger!.schedule).toBe('every 10 minutes')

    const index = loaded.endpoints['syncUserIndex']!.eventTrigger!
    expect(index.eventType).toBe('google.cloud.firestore.document.v1.written')
    expect(index.eventFilterPathPatterns['document']).toBe('documents/{docId}')
    const cleanup = loaded.endpoints['cleanupDeletedDocument']!.eventTrigger!
    expect(cleanup.eventType).toBe('google.cloud.firestore.document.v1.deleted')
    expect(cleanup.eventFilterPathPatterns['document']).toBe('documents/{docId}')
    for (const callable of ['shareDocument', 'createInvite', 'acceptInvite', 'revokeInvite']) {
      expect(loaded.endpoints[callable], callable).toMatchObject({ callableTrigger: {} })
      expect(loaded.endpoints[callable]!.eventTrigger, callable).toBeUndefined()
    }
  })

  it('contains the workspace code and yjs, and imports only its declared dependencies', () => {
    const code = readFileSync(bundle, 'utf8')
    const imported = new Set([...code.matchAll(/^import .* from "([^"]+)";$/gm)].map((match) => match[1]!))
    const packages = [...imported].filter((name) => !name.startsWith('node:') && !builtinModules.includes(name)).map((name) => name.split('/')[0]!)
    expect(new Set(packages)).toEqual(new Set(Object.keys(manifest.dependencies)))
    expect(code).toContain('compactDocument')
    expect(code).toContain('getUserByEmail')
    expect(code).not.toMatch(/from "(yjs|lib0|@quire\/[^"]*)"/)
  })
})
