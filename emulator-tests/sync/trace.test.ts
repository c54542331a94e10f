import { afterAll, describe, expect, it } from 'vitest'
import { Clients, uniqueProjectId } from '../support/clients.js'
import { applyToString, applyTxn, loadTrace } from '../support/traces.js'
import { openPeer, readLog, until } from './helpers.js'

const clients = new Clients(uniqueProjectId())
afterAll(() => clients.close())

/** Transactions per slice: each slice is typed by one client, then handed to the other. */
const SLICE = 5_000

describe('the automerge-paper trace', () => {
  it('replayed in slices alternating between two providers ends at the trace content everywhere', { timeout: 120_000 }, async () => {
    const trace = loadTrace('automerge-paper')
    const count = trace.txns.length
    const expected = count === trace.txns.length ? trace.endContent : applyToString(trace.startContent, trace.txns, 0, count)

    const docId = 'trace-automerge-paper'
    const a = openPeer(clients, docId)
    const b = openPeer(clients, docId)
    await Promise.all([a.provider.whenSynced, b.provider.whenSynced])
    a.text.insert(0, trace.startContent)

    const started = Date.now()
    for (let from = 0, turn = 0; from < count; from += SLICE, turn++) {
      const [writer, reader] = turn % 2 === 0 ? [a, b] : [b, a]
      // The trace is sequential: each slice starts from everything before it.
      await until(() => writer.text.length === reader.text.length && writer.text.toString() === reader.text.toString(), `slice ${turn} handed over`, 20_000)
      const to = Math.min(count, from + SLICE)
      for (let i = from; i < to; i++) applyTxn(writer.text, trace.txns[i]!)
      await writer.provider.flush()
    }
    await until(() => a.text.toString() === expected && b.text.toString() === expected, 'both at the trace end', 20_000)
    const replayMs = Date.now() - started

    const fresh = openPeer(clients, docId)
    await fresh.provider.whenSynced
    expect(fresh.text.toString()).toBe(expected)
    expect(a.text.toString()).toBe(expected)
    expect(b.text.toString()).toBe(expected)
    const records = (await readLog(clients.admin(), docId)).length
    // About one record per slice: flush() writes a slice as one merged update.
    expect(records).toBeLessThanOrEqual(2 * Math.ceil(count / SLICE) + 2)
    console.info(`automerge-paper: ${count} txns replayed in ${replayMs} ms, ${records} update records`)
    for (const peer of [a, b, fresh]) {
      expect(peer.errors).toEqual([])
      peer.provider.destroy()
    }
  })
})
