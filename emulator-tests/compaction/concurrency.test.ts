import { afterAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { compactDocument } from '@quire/y-firestore/server'
import { Clients, uniqueProjectId } from '../support/clients.js'
import {
  captureUpdates,
  chunkGenerations,
  createDocument,
  freshText,
  logIds,
  markerGenerations,
  openClient,
  pointerOf,
  until,
  writeUpdates,
  type Client,
} from './helpers.js'

const clients = new Clients(uniqueProjectId())
afterAll(() => clients.close())
const admin = clients.admin()
const FORCE = { force: true } as const

/** The words of a text, sorted: concurrent inserts may interleave, but none may be lost or doubled. */
const words = (text: string) => text.split(' ').filter(Boolean).sort()

/** Appends `word ` at the end of the client's text. */
const type = (client: Client, word: string) => client.text.insert(client.text.length, `${word} `)

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('compaction with clients at work', () => {
  it('loses nothing while two clients keep editing', async () => {
    await createDocument(admin, 'editing')
    const a = openClient(clients, 'editing', 'alice')
    const b = openClient(clients, 'editing', 'bob')
    await Promise.all([a.provider.whenSynced, b.provider.whenSynced])
    const expected: string[] = []
    const compactions: Promise<unknown>[] = []
    for (let round = 0; round < 12; round++) {
      for (let i = 0; i < 5; i++) {
        type(a, `a${round}.${i}`)
        type(b, `b${round}.${i}`)
        expected.push(`a${round}.${i}`, `b${round}.${i}`)
        await sleep(7)
      }
      // A compaction starts while edits are still being flushed; the next round's edits race it.
      compactions.push(compactDocument(admin, 'editing', FORCE))
      if (round % 3 === 2) await Promise.all([a.provider.flush(), b.provider.flush()])
    }
    await Promise.all(compactions)
    await Promise.all([a.provider.flush(), b.provider.flush()])
    await until(() => a.text.toString() === b.text.toString() && words(a.text.toString()).length === expected.length, 'the clients to converge')
    expect(words(a.text.toString())).toEqual([...expected].sort())
    expect(b.text.toString()).toBe(a.text.toString())
    expect(a.errors).toEqual([])
    expect(b.errors).toEqual([])

    // Whatever the last racing run left (perhaps nothing), a final run empties the log.
    const final = await compactDocument(admin, 'editing', FORCE)
    expect(final.compacted || final.reason === 'the log is empty').toBe(true)
    expect(await logIds(admin, 'editing')).toEqual([])
    expect(await freshText(clients, 'editing')).toBe(a.text.toString())
    expect(await chunkGenerations(admin, 'editing')).toEqual([(await pointerOf(admin, 'editing'))!.gen])
    a.provider.destroy()
    b.provider.destroy()
  })

  it('a client that joins during compaction opens the whole text', async () => {
    await createDocument(admin, 'joining')
    const source = new Y.Doc()
    const text = source.getText('content')
    for (let attempt = 0; attempt < 6; attempt++) {
      const updates = captureUpdates(source, () => {
        for (let i = 0; i < 40; i++) text.insert(text.length, `j${attempt}.${i} `)
      })
      await writeUpdates(admin, 'joining', updates)
      const joiner = openClient(clients, 'joining', 'carol')
      // Vary where in the compaction the join falls: before, during, after its steps.
      const [result] = await Promise.all([sleep(attempt * 3).then(() => compactDocument(admin, 'joining', FORCE)), joiner.provider.whenSynced])
      expect(result.compacted).toBe(true)
      await until(() => joiner.text.toString() === text.toString(), `the joining client to have attempt ${attempt}'s text`)
      expect(joiner.errors).toEqual([])
      joiner.provider.destroy()
    }
    expect(await freshText(clients, 'joining')).toBe(text.toString())
  })

  it('racing compactions lose nothing and leave exactly one generation', async () => {
    await createDocument(admin, 'racing')
    const writer = openClient(clients, 'racing', 'alice')
    await writer.provider.whenSynced
    let compactedRuns = 0
    let lostRuns = 0
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 10; i++) {
        type(writer, `r${round}.${i}`)
        if (i % 3 === 0) await writer.provider.flush()
      }
      await writer.provider.flush()
      const results = await Promise.all([compactDocument(admin, 'racing', FORCE), compactDocument(admin, 'racing', FORCE), compactDocument(admin, 'racing', FORCE)])
      compactedRuns += results.filter((r) => r.compacted).length
      lostRuns += results.filter((r) => r.reason?.startsWith('another compaction')).length
      expect(results.some((r) => r.compacted)).toBe(true)

      const pointer = await pointerOf(admin, 'racing')
      expect(await chunkGenerations(admin, 'racing')).toEqual([pointer!.gen])
      expect(await markerGenerations(admin, 'racing')).toEqual([pointer!.gen])
      expect(await freshText(clients, 'racing')).toBe(writer.text.toString())
    }
    expect(words(writer.text.toString())).toHaveLength(50)
    expect(await logIds(admin, 'racing')).toEqual([])
    // The point of the test: runs really overlapped, and losers backed off.
    expect(lostRuns).toBeGreaterThan(0)
    expect(compactedRuns).toBeGreaterThanOrEqual(5)
    writer.provider.destroy()
  })
})
