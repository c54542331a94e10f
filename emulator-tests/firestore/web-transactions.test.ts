import { afterAll, describe, expect, it } from 'vitest'
import { deleteDoc, doc, getDocFromServer, runTransaction, setDoc, updateDoc, type DocumentData, type Firestore } from 'firebase/firestore'
import { Clients, uniqueProjectId } from '../support/clients.js'
import { expectFirestoreError } from '../support/snapshots.js'

const clients = new Clients(uniqueProjectId())
afterAll(() => clients.close())

const main = clients.web()
const other = clients.web()

/** The document's data as the server has it, read by a client of its own. */
const reader = clients.web()
async function serverData(path: string): Promise<DocumentData | undefined> {
  return (await getDocFromServer(doc(reader, path))).data()
}

/** A transaction that adds one to `n` of a document; returns the value it wrote. */
function incrementInTransaction(db: Firestore, path: string): Promise<number> {
  return runTransaction(
    db,
    async (tx) => {
      const snapshot = await tx.get(doc(db, path))
      const next = ((snapshot.data()?.['n'] as number | undefined) ?? 0) + 1
      tx.set(doc(db, path), { n: next })
      return next
    },
    { maxAttempts: 20 },
  )
}

describe('web SDK transactions', () => {
  it('reads, modifies and writes, and returns the update function result', async () => {
    await setDoc(doc(main, 'tx/rmw'), { n: 41, keep: 'yes' })
    const result = await runTransaction(main, async (tx) => {
      const snapshot = await tx.get(doc(main, 'tx/rmw'))
      expect(snapshot.exists()).toBe(true)
      tx.update(doc(main, 'tx/rmw'), { n: (snapshot.data()?.['n'] as number) + 1 })
      return 'done'
    })
    expect(result).toBe('done')
    expect(await serverData('tx/rmw')).toEqual({ n: 42, keep: 'yes' })
  })

  it('writes several documents atomically, including a delete', async () => {
    await setDoc(doc(main, 'tx/from'), { balance: 100 })
    await setDoc(doc(main, 'tx/to'), { balance: 0 })
    await setDoc(doc(main, 'tx/log'), { entries: 0 })
    await runTransaction(main, async (tx) => {
      const from = await tx.get(doc(main, 'tx/from'))
      const to = await tx.get(doc(main, 'tx/to'))
      tx.update(doc(main, 'tx/from'), { balance: (from.data()?.['balance'] as number) - 30 })
      tx.update(doc(main, 'tx/to'), { balance: (to.data()?.['balance'] as number) + 30 })
      tx.delete(doc(main, 'tx/log'))
    })
    expect(await serverData('tx/from')).toEqual({ balance: 70 })
    expect(await serverData('tx/to')).toEqual({ balance: 30 })
    expect(await serverData('tx/log')).toBeUndefined()
  })

  it('reads a missing document as not existing, then creates it', async () => {
    const created = await runTransaction(main, async (tx) => {
      const snapshot = await tx.get(doc(main, 'tx/fresh'))
      expect(snapshot.exists()).toBe(false)
      tx.set(doc(main, 'tx/fresh'), { createdBy: 'transaction' })
      return !snapshot.exists()
    })
    expect(created).toBe(true)
    expect(await serverData('tx/fresh')).toEqual({ createdBy: 'transaction' })
  })

  it('concurrent transactions from several clients on one counter all count', async () => {
    const dbs = [main, other, clients.web(), clients.web()]
    const n = 10
    await setDoc(doc(main, 'tx/counter'), { n: 0 })
    const results = await Promise.all(Array.from({ length: n }, (_, i) => incrementInTransaction(dbs[i % dbs.length]!, 'tx/counter')))
    expect(await serverData('tx/counter')).toEqual({ n })
    // Each transaction saw a different value: none overwrote another.
    expect([...results].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i + 1))
  })

  it('an error thrown by the update function fails the transaction, is not retried and writes nothing', async () => {
    await setDoc(doc(main, 'tx/untouched'), { n: 1 })
    let attempts = 0
    const failure = runTransaction(main, async (tx) => {
      attempts++
      const snapshot = await tx.get(doc(main, 'tx/untouched'))
      tx.update(doc(main, 'tx/untouched'), { n: (snapshot.data()?.['n'] as number) + 1 })
      tx.set(doc(main, 'tx/never'), { n: 1 })
      throw new Error('application says no')
    })
    await expect(failure).rejects.toThrow('application says no')
    expect(attempts).toBe(1)
    expect(await serverData('tx/untouched')).toEqual({ n: 1 })
    expect(await serverData('tx/never')).toBeUndefined()
  })

  it('an update of a missing document inside a transaction fails with not-found', async () => {
    await expectFirestoreError(
      runTransaction(main, async (tx) => {
        tx.update(doc(main, 'tx/absent'), { n: 1 })
      }),
      'not-found',
    )
    expect(await serverData('tx/absent')).toBeUndefined()
  })
})

// Each retry waits for the SDK's backoff (about a second), so these run side by side.
describe.concurrent('web SDK transactions: retried after another client writes what they read', () => {
  it('is retried when another client changes a document it read, and ends with the right value', async () => {
    await setDoc(doc(main, 'tx/contended'), { n: 1 })
    let attempts = 0
    const result = await runTransaction(main, async (tx) => {
      attempts++
      const snapshot = await tx.get(doc(main, 'tx/contended'))
      const n = snapshot.data()?.['n'] as number
      // On the first attempt, another client changes the document after the read.
      if (attempts === 1) await updateDoc(doc(other, 'tx/contended'), { n: 100 })
      tx.update(doc(main, 'tx/contended'), { n: n * 2 })
      return n
    })
    expect(attempts).toBe(2)
    expect(result).toBe(100)
    expect(await serverData('tx/contended')).toEqual({ n: 200 })
  })

  it('is retried when a document it read only (and did not write) is changed meanwhile', async () => {
    await setDoc(doc(main, 'tx/price'), { value: 10 })
    await setDoc(doc(main, 'tx/order'), { total: 0 })
    let attempts = 0
    await runTransaction(main, async (tx) => {
      attempts++
      const price = (await tx.get(doc(main, 'tx/price'))).data()?.['value'] as number
      if (attempts === 1) await updateDoc(doc(other, 'tx/price'), { value: 12 })
      tx.set(doc(main, 'tx/order'), { total: price * 3 })
    })
    expect(attempts).toBe(2)
    expect(await serverData('tx/order')).toEqual({ total: 36 })
  })

  it('is retried when another client creates a document it read as missing', async () => {
    let attempts = 0
    const result = await runTransaction(main, async (tx) => {
      attempts++
      const snapshot = await tx.get(doc(main, 'tx/race'))
      if (attempts === 1) await setDoc(doc(other, 'tx/race'), { owner: 'other' })
      if (!snapshot.exists()) tx.set(doc(main, 'tx/race'), { owner: 'main' })
      return snapshot.exists() ? (snapshot.data()['owner'] as string) : 'main'
    })
    expect(attempts).toBe(2)
    expect(result).toBe('other')
    expect(await serverData('tx/race')).toEqual({ owner: 'other' })
  })

  it('is retried when another client deletes a document it read', async () => {
    await setDoc(doc(main, 'tx/vanishing'), { n: 5 })
    let attempts = 0
    const existed = await runTransaction(main, async (tx) => {
      attempts++
      const snapshot = await tx.get(doc(main, 'tx/vanishing'))
      if (attempts === 1) await deleteDoc(doc(other, 'tx/vanishing'))
      tx.set(doc(main, 'tx/vanishing-seen'), { existed: snapshot.exists() })
      return snapshot.exists()
    })
    expect(attempts).toBe(2)
    expect(existed).toBe(false)
    expect(await serverData('tx/vanishing-seen')).toEqual({ existed: false })
  })
})
