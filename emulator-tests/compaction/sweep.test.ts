import { afterAll, describe, expect, it } from 'vitest'
import { FieldValue } from 'firebase-admin/firestore'
import * as Y from 'yjs'
import { paths } from '@quire/y-firestore'
import { compactDocument, removeAbandonedGenerations, snapshotsPath, sweep } from '@quire/y-firestore/server'
import { Clients, uniqueProjectId } from '../support/clients.js'
import { captureUpdates, chunkGenerations, createDocument, freshText, logIds, markerGenerations, writeUpdates } from './helpers.js'

const clients = new Clients(uniqueProjectId())
afterAll(() => clients.close())
const admin = clients.admin()

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function writeText(docId: string, text: string): Promise<void> {
  const doc = new Y.Doc()
  await writeUpdates(admin, docId, captureUpdates(doc, () => doc.getText('content').insert(0, text)))
}

describe('sweep', () => {
  it('compacts idle logs, whatever their size, and leaves active ones', async () => {
    await Promise.all(['idle-1', 'idle-2', 'active'].map((id) => createDocument(admin, id)))
    await writeText('idle-1', 'one')
    await writeText('idle-2', 'two')
    await writeText('active', 'old edit')
    await sleep(1500)
    await writeText('active', 'new edit')
    // An `updates` collection elsewhere is not a document log and is ignored.
    await admin.collection('elsewhere/x/updates').add({ createdAt: FieldValue.serverTimestamp() })

    const results = await sweep(admin, { idleMs: 1000 })

    expect(results.map((r) => r.docId).sort()).toEqual(['idle-1', 'idle-2'])
    expect(results.every((r) => r.compacted && r.absorbed === 1)).toBe(true)
    expect(await logIds(admin, 'idle-1')).toEqual([])
    expect(await logIds(admin, 'active')).toHaveLength(2)
    expect(await freshText(clients, 'idle-2')).toBe('two')
    expect(await sweep(admin, { idleMs: 1000 })).toEqual([])
  })

  it('stops at its limit and goes on past documents it cannot compact', async () => {
    // A project of its own: the documents of the other tests would count towards the limit.
    const own = new Clients(uniqueProjectId())
    const db = own.admin()
    for (const id of ['deleted-doc', 'limit-1', 'limit-2', 'limit-3']) {
      if (id !== 'deleted-doc') await createDocument(db, id)
      const doc = new Y.Doc()
      await writeUpdates(db, id, captureUpdates(doc, () => doc.getText('content').insert(0, id)))
    }
    const results = await sweep(db, { idleMs: 0, limit: 3 })
    expect(results).toHaveLength(3)
    expect(results[0]).toMatchObject({ docId: 'deleted-doc', compacted: false, reason: 'document deleted-doc does not exist' })
    expect(results.filter((r) => r.compacted)).toHaveLength(2)
    const rest = await sweep(db, { idleMs: 0, limit: 5 })
    expect(rest.filter((r) => r.compacted).map((r) => r.docId)).toEqual(['limit-3'])
    await own.close()
  })

  it('rejects bad options', async () => {
    await expect(sweep(admin, { idleMs: -1 })).rejects.toThrow(/idleMs/)
    await expect(sweep(admin, { idleMs: 0, limit: 0 })).rejects.toThrow(/limit/)
  })
})

describe('abandoned generations', () => {
  it('removes a generation a crashed run left, never the current one', async () => {
    await createDocument(admin, 'crashed')
    await writeText('crashed', 'kept')
    const current = await compactDocument(admin, 'crashed', { force: true })
    // What a run that died between writing its chunks and moving the pointer leaves behind.
    await admin.doc(`${snapshotsPath('crashed')}/orphan`).set({ chunks: 1, bytes: 3, createdAt: FieldValue.serverTimestamp() })
    await admin.doc(`${paths.chunksPath('crashed', 'orphan')}/${paths.chunkId(0)}`).set({ data: Buffer.from([0, 0, 0]) })
    expect(await chunkGenerations(admin, 'crashed')).toEqual([current.gen, 'orphan'].sort())

    expect(await removeAbandonedGenerations(admin, 'crashed')).toEqual([]) // too young to be abandoned
    expect(await removeAbandonedGenerations(admin, 'crashed', 0)).toEqual(['orphan'])

    expect(await chunkGenerations(admin, 'crashed')).toEqual([current.gen])
    expect(await markerGenerations(admin, 'crashed')).toEqual([current.gen])
    expect(await freshText(clients, 'crashed')).toBe('kept')
  })
})
