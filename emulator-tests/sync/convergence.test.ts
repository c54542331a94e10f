import { afterAll, describe, expect, it } from 'vitest'
import { Clients, uniqueProjectId } from '../support/clients.js'
import { converged, openPeer, prng, serverDoc, sleep, texts, type Peer } from './helpers.js'

const clients = new Clients(uniqueProjectId())
afterAll(() => clients.close())

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'

/**
 * `operations` random edits spread over the peers: mostly inserts of 1-6 characters, some
 * deletes of 1-8, at random positions of whatever that peer sees at the time, with short
 * awaits in between so remote updates arrive in the middle of local editing.
 */
async function coEdit(peers: readonly Peer[], operations: number, seed: number): Promise<void> {
  const random = prng(seed)
  const pick = (n: number) => Math.floor(random() * n)
  for (let i = 0; i < operations; i++) {
    const { text } = peers[pick(peers.length)]!
    const length = text.length
    if (length > 0 && random() < 0.3) {
      const at = pick(length)
      text.delete(at, Math.min(length - at, 1 + pick(8)))
    } else {
      const word = Array.from({ length: 1 + pick(6) }, () => ALPHABET[pick(ALPHABET.length)]).join('')
      text.insert(pick(length + 1), word)
    }
    if (random() < 0.25) await sleep(pick(15))
  }
}

describe('concurrent co-editing', () => {
  it.each([
    { peers: 2, operations: 400, seed: 1 },
    { peers: 5, operations: 500, seed: 2 },
  ])('$peers clients, $operations random edits (seed $seed), converge; a fresh client gets the same text', async ({ peers: count, operations, seed }) => {
    const docId = `converge-${count}`
    const peers = Array.from({ length: count }, () => openPeer(clients, docId, { flushDelayMs: 30 }))
    await Promise.all(peers.map((peer) => peer.provider.whenSynced))

    await coEdit(peers, operations, seed)
    await Promise.all(peers.map((peer) => peer.provider.flush()))
    const text = await converged(peers)

    expect(text.length).toBeGreaterThan(100)
    expect(new Set(texts(peers)).size).toBe(1)
    // The server holds exactly the converged state.
    expect((await serverDoc(clients.admin(), docId)).getText('content').toString()).toBe(text)

    const fresh = openPeer(clients, docId)
    await fresh.provider.whenSynced
    expect(fresh.text.toString()).toBe(text)
    expect(fresh.provider.status).toBe('synced')
    for (const peer of [...peers, fresh]) {
      expect(peer.errors).toEqual([])
      peer.provider.destroy()
    }
  })
})
