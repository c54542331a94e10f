import { afterAll, describe, expect, it } from 'vitest'
import { collection, doc, getDoc, onSnapshot, query, setDoc, where } from 'firebase/firestore'
import { Clients, uniqueProjectId } from '../support/clients.js'

const clients = new Clients(uniqueProjectId())
afterAll(() => clients.close())

describe('smoke', () => {
  it('admin writes, web reads and listens', async () => {
    const admin = clients.admin()
    const web = clients.web()
    await admin.doc('rooms/r1').set({ n: 1, name: 'one' })
    const snap = await getDoc(doc(web, 'rooms/r1'))
    expect(snap.data()).toEqual({ n: 1, name: 'one' })
    const seen: number[] = []
    const done = new Promise<void>((resolve) => {
      const unsub = onSnapshot(query(collection(web, 'rooms'), where('n', '>', 0)), (s) => {
        seen.push(s.size)
        if (s.size === 2) { unsub(); resolve() }
      })
    })
    await setDoc(doc(web, 'rooms/r2'), { n: 2 })
    await done
    expect(seen.at(-1)).toBe(2)
    const adminRead = await admin.collection('rooms').where('n', '>=', 2).get()
    expect(adminRead.docs.map((d) => d.id)).toEqual(['r2'])
  })
})
