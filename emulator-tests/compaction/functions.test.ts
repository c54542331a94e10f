import { afterAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { onSweep, onUpdateCreated } from '../../functions/src/handlers.js'
import { settingsFromEnv } from '../../functions/src/settings.js'
import { Clients, uniqueProjectId } from '../support/clients.js'
import { captureUpdates, createDocument, freshText, logIds, pointerOf, writeUpdates } from './helpers.js'

const clients = new Clients(uniqueProjectId())
afterAll(() => clients.close())
const admin = clients.admin()

/** What the deployed functions do, called as their triggers would, against the emulator. */
describe('the compaction functions', () => {
  const settings = settingsFromEnv({ COMPACT_MIN_UPDATES: '10', COMPACT_MIN_BYTES: '5000', COMPACT_LARGE_UPDATE_BYTES: '1000' })

  it('the trigger compacts once the log reaches the count threshold, not before', async () => {
    await createDocument(admin, 'counted')
    const doc = new Y.Doc()
    const text = doc.getText('content')
    const updates = captureUpdates(doc, () => {
      for (let i = 0; i < 10; i++) text.insert(text.length, `${i} `)
    })
    await writeUpdates(admin, 'counted', updates.slice(0, 9))
    expect(await onUpdateCreated(admin, 'counted', updates[8]!.length, settings)).toBeUndefined()
    expect(await pointerOf(admin, 'counted')).toBeUndefined()

    await writeUpdates(admin, 'counted', updates.slice(9))
    const result = await onUpdateCreated(admin, 'counted', updates[9]!.length, settings)
    expect(result).toMatchObject({ compacted: true, absorbed: 10 })
    expect(await logIds(admin, 'counted')).toEqual([])
    expect(await freshText(clients, 'counted')).toBe(text.toString())
  })

  it('the trigger checks the byte threshold when a large update arrives', async () => {
    await createDocument(admin, 'pasted')
    const doc = new Y.Doc()
    const [small] = captureUpdates(doc, () => doc.getText('content').insert(0, 'typed '))
    await writeUpdates(admin, 'pasted', [small!])
    expect(await onUpdateCreated(admin, 'pasted', small!.length, settings)).toBeUndefined()

    const [large] = captureUpdates(doc, () => doc.getText('content').insert(6, 'pasted '.repeat(1000)))
    await writeUpdates(admin, 'pasted', [large!])
    const result = await onUpdateCreated(admin, 'pasted', large!.length, settings)
    expect(result).toMatchObject({ compacted: true, absorbed: 2 })
    expect(await freshText(clients, 'pasted')).toBe(doc.getText('content').toString())
  })

  it('the sweep compacts an idle log below the thresholds', async () => {
    await createDocument(admin, 'quiet')
    const doc = new Y.Doc()
    await writeUpdates(admin, 'quiet', captureUpdates(doc, () => doc.getText('content').insert(0, 'a few words')))
    const results = await onSweep(admin, { ...settings, idleMs: 0 })
    expect(results.find((r) => r.docId === 'quiet')).toMatchObject({ compacted: true, absorbed: 1 })
    expect(await freshText(clients, 'quiet')).toBe('a few words')
  })
})
