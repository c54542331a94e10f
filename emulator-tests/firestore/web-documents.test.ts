import { afterAll, describe, expect, it } from 'vitest'
import type { Firestore as AdminFirestore } from 'firebase-admin/firestore'
import {
  addDoc,
  arrayRemove,
  arrayUnion,
  Bytes,
  collection,
  deleteDoc,
  deleteField,
  doc,
  DocumentReference,
  FieldPath,
  GeoPoint,
  getDoc,
  getDocFromServer,
  increment,
  serverTimestamp,
  setDoc,
  Timestamp,
  updateDoc,
  vector,
  VectorValue,
  writeBatch,
  type DocumentData,
} from 'firebase/firestore'
import { Clients, uniqueProjectId } from '../support/clients.js'
import { expectFirestoreError, isSynced, recordDoc, withTimeout } from '../support/snapshots.js'

const clients = new Clients(uniqueProjectId())
afterAll(() => clients.close())

const writer = clients.web()
/** A second client, so reads come from the server rather than the writer's cache. */
const reader = clients.web()

let adminReader: AdminFirestore | undefined
/** An Admin SDK reading integers as BigInt: tells integers from doubles, which the web SDK cannot. */
function typedReader(): AdminFirestore {
  if (!adminReader) {
    adminReader = clients.admin()
    adminReader.settings({ useBigInt: true })
  }
  return adminReader
}

/** The document's data as the server has it, read by the second client. */
async function serverData(path: string): Promise<DocumentData | undefined> {
  return (await getDocFromServer(doc(reader, path))).data()
}

describe('web SDK: writing and reading documents', () => {
  it('setDoc replaces the whole document', async () => {
    const ref = doc(writer, 'replace/d')
    await setDoc(ref, { a: 1, b: { c: 2 } })
    await setDoc(ref, { b: { d: 3 } })
    expect(await serverData('replace/d')).toEqual({ b: { d: 3 } })
  })

  it('setDoc with merge keeps untouched fields and merges nested maps', async () => {
    const ref = doc(writer, 'merge/d')
    await setDoc(ref, { a: 1, nested: { x: 1, y: 2 }, keep: true })
    await setDoc(ref, { a: 2, nested: { y: 20, z: 30 } }, { merge: true })
    expect(await serverData('merge/d')).toEqual({ a: 2, nested: { x: 1, y: 20, z: 30 }, keep: true })
  })

  it('setDoc with merge creates a missing document', async () => {
    await setDoc(doc(writer, 'merge/created'), { n: 1 }, { merge: true })
    expect(await serverData('merge/created')).toEqual({ n: 1 })
  })

  it('setDoc with mergeFields writes only the listed fields, replacing a listed map whole', async () => {
    const ref = doc(writer, 'mergeFields/d')
    await setDoc(ref, { a: 1, b: 1, nested: { x: 1, y: 1 }, other: { p: 1, q: 1 } })
    await setDoc(ref, { a: 2, b: 2, nested: { x: 2 }, other: { p: 2 } }, { mergeFields: ['a', 'nested', new FieldPath('other', 'p')] })
    expect(await serverData('mergeFields/d')).toEqual({ a: 2, b: 1, nested: { x: 2 }, other: { p: 2, q: 1 } })
  })

  it('setDoc with merge and deleteField removes the field', async () => {
    const ref = doc(writer, 'merge/deleting')
    await setDoc(ref, { a: 1, b: 2, nested: { x: 1, y: 2 } })
    await setDoc(ref, { b: deleteField(), nested: { y: deleteField() } }, { merge: true })
    expect(await serverData('merge/deleting')).toEqual({ a: 1, nested: { x: 1 } })
  })

  it('updateDoc changes nested fields by dotted path and leaves their siblings', async () => {
    const ref = doc(writer, 'update/nested')
    await setDoc(ref, { a: { b: { c: 1, keep: 'yes' }, sibling: 1 }, top: 1 })
    await updateDoc(ref, { 'a.b.c': 2, 'a.new': 'n' })
    await updateDoc(ref, 'top', 3, 'a.sibling', deleteField())
    expect(await serverData('update/nested')).toEqual({ a: { b: { c: 2, keep: 'yes' }, new: 'n' }, top: 3 })
  })

  it('updateDoc replaces a whole map given as a value, unlike a dotted path', async () => {
    const ref = doc(writer, 'update/map')
    await setDoc(ref, { m: { x: 1, y: 2 } })
    await updateDoc(ref, { m: { z: 3 } })
    expect(await serverData('update/map')).toEqual({ m: { z: 3 } })
  })

  it('updateDoc with FieldPath addresses field names holding dots and special characters', async () => {
    const ref = doc(writer, 'update/special')
    await setDoc(ref, { plain: 0 })
    const names = ['with.dot', 'back`tick', 'back\\slash', 'space here', 'ünïcødé ✓', '123', '$dollar', 'a-b']
    for (const [i, name] of names.entries()) await updateDoc(ref, new FieldPath(name), i)
    await updateDoc(ref, new FieldPath('outer.key', 'inner`key'), 'deep')
    const data = await serverData('update/special')
    expect(data).toEqual({
      plain: 0,
      ...Object.fromEntries(names.map((name, i) => [name, i])),
      'outer.key': { 'inner`key': 'deep' },
    })
    // A dotted string path is a nested path, not a field named with a dot.
    await updateDoc(ref, 'with.dot', 'nested')
    const after = await serverData('update/special')
    expect(after?.['with.dot']).toBe(0)
    expect(after?.['with']).toEqual({ dot: 'nested' })
  })

  it('updateDoc of a missing document fails with not-found and creates nothing', async () => {
    await expectFirestoreError(updateDoc(doc(writer, 'update/missing'), { a: 1 }), 'not-found')
    expect((await getDocFromServer(doc(reader, 'update/missing'))).exists()).toBe(false)
  })

  it('deleteDoc removes the document; getDoc of a missing document says it does not exist', async () => {
    const ref = doc(writer, 'deleting/d')
    await setDoc(ref, { a: 1 })
    expect((await getDocFromServer(doc(reader, 'deleting/d'))).exists()).toBe(true)
    await deleteDoc(ref)
    const snap = await getDoc(doc(reader, 'deleting/d'))
    expect(snap.exists()).toBe(false)
    expect(snap.data()).toBeUndefined()
    expect(snap.metadata.fromCache).toBe(false)
    // Deleting a missing document succeeds.
    await deleteDoc(doc(writer, 'deleting/never-existed'))
  })

  it('addDoc creates documents with distinct 20-character auto IDs', async () => {
    const first = await addDoc(collection(writer, 'auto'), { n: 1 })
    const second = await addDoc(collection(writer, 'auto'), { n: 2 })
    expect(first.id).toMatch(/^[A-Za-z0-9]{20}$/)
    expect(second.id).toMatch(/^[A-Za-z0-9]{20}$/)
    expect(first.id).not.toBe(second.id)
    expect(await serverData(`auto/${first.id}`)).toEqual({ n: 1 })
    expect(await serverData(`auto/${second.id}`)).toEqual({ n: 2 })
  })
})

describe('web SDK: value types round-trip', () => {
  it('every value type comes back as written', async () => {
    const micros = new Timestamp(1_700_000_000, 123_456_000)
    const bytes = Bytes.fromUint8Array(new Uint8Array([0, 1, 2, 253, 254, 255]))
    const data = {
      nullValue: null,
      yes: true,
      no: false,
      int: 42,
      negativeInt: -7,
      zero: 0,
      double: 3.5,
      negativeZero: -0,
      nan: NaN,
      infinity: Infinity,
      negativeInfinity: -Infinity,
      maxSafe: Number.MAX_SAFE_INTEGER,
      minSafe: Number.MIN_SAFE_INTEGER,
      tiny: Number.MIN_VALUE,
      huge: Number.MAX_VALUE,
      timestamp: micros,
      beforeEpoch: new Timestamp(-1_000_000, 500_000),
      date: new Date(Date.UTC(2024, 1, 29, 12, 30, 45, 678)),
      empty: '',
      unicode: 'héllo wörld ✓ 日本語 🙂👩‍👩‍👧 \u{10FFFF} e\u0301',
      bytes,
      emptyBytes: Bytes.fromUint8Array(new Uint8Array([])),
      ref: doc(writer, 'some/other/deep/doc'),
      geo: new GeoPoint(-33.8688, 151.2093),
      array: [1, 'two', null, { three: [3] }, true],
      emptyArray: [],
      map: { a: { b: { c: { d: 'deep' } } }, list: [{ x: 1 }] },
      emptyMap: {},
      vec: vector([1, 2.5, -3]),
    }
    await setDoc(doc(writer, 'types/all'), data)
    const snap = await getDocFromServer(doc(reader, 'types/all'))
    const got = snap.data()!

    expect(got['nullValue']).toBeNull()
    expect(got['yes']).toBe(true)
    expect(got['no']).toBe(false)
    expect(got['int']).toBe(42)
    expect(got['negativeInt']).toBe(-7)
    expect(Object.is(got['zero'], 0)).toBe(true)
    expect(got['double']).toBe(3.5)
    expect(Object.is(got['negativeZero'], -0)).toBe(true)
    expect(got['nan']).toBeNaN()
    expect(got['infinity']).toBe(Infinity)
    expect(got['negativeInfinity']).toBe(-Infinity)
    expect(got['maxSafe']).toBe(Number.MAX_SAFE_INTEGER)
    expect(got['minSafe']).toBe(Number.MIN_SAFE_INTEGER)
    expect(got['tiny']).toBe(Number.MIN_VALUE)
    expect(got['huge']).toBe(Number.MAX_VALUE)
    expect(got['timestamp']).toBeInstanceOf(Timestamp)
    expect((got['timestamp'] as Timestamp).isEqual(micros)).toBe(true)
    expect((got['beforeEpoch'] as Timestamp).isEqual(new Timestamp(-1_000_000, 500_000))).toBe(true)
    expect((got['date'] as Timestamp).toMillis()).toBe(Date.UTC(2024, 1, 29, 12, 30, 45, 678))
    expect(got['empty']).toBe('')
    expect(got['unicode']).toBe(data.unicode)
    expect(got['bytes']).toBeInstanceOf(Bytes)
    expect((got['bytes'] as Bytes).isEqual(bytes)).toBe(true)
    expect((got['emptyBytes'] as Bytes).toUint8Array()).toHaveLength(0)
    expect(got['ref']).toBeInstanceOf(DocumentReference)
    expect((got['ref'] as DocumentReference).path).toBe('some/other/deep/doc')
    expect((got['geo'] as GeoPoint).isEqual(new GeoPoint(-33.8688, 151.2093))).toBe(true)
    expect(got['array']).toEqual([1, 'two', null, { three: [3] }, true])
    expect(got['emptyArray']).toEqual([])
    expect(got['map']).toEqual({ a: { b: { c: { d: 'deep' } } }, list: [{ x: 1 }] })
    expect(got['emptyMap']).toEqual({})
    expect(got['vec']).toBeInstanceOf(VectorValue)
    expect((got['vec'] as VectorValue).toArray()).toEqual([1, 2.5, -3])
    expect(Object.keys(got).sort()).toEqual(Object.keys(data).sort())
  })

  it('integers stay integers and doubles stay doubles on the server', async () => {
    await setDoc(doc(writer, 'types/numbers'), { int: 7, double: 7.25, negativeZero: -0, big: Number.MAX_SAFE_INTEGER })
    const data = (await typedReader().doc('types/numbers').get()).data()!
    expect(data['int']).toBe(7n)
    expect(data['double']).toBe(7.25)
    expect(Object.is(data['negativeZero'], -0)).toBe(true)
    expect(data['big']).toBe(BigInt(Number.MAX_SAFE_INTEGER))
  })

  it('timestamps keep microseconds (Firestore drops finer precision)', async () => {
    await setDoc(doc(writer, 'types/precision'), { t: new Timestamp(1_600_000_000, 987_654_321) })
    const t = (await serverData('types/precision'))?.['t'] as Timestamp
    expect(t.seconds).toBe(1_600_000_000)
    expect(t.nanoseconds).toBe(987_654_000)
  })
})

describe('web SDK: field transforms', () => {
  it('serverTimestamp shows as null or an estimate locally, then resolves to the commit time', async () => {
    const ref = doc(writer, 'transforms/serverTime')
    await setDoc(ref, { t: Timestamp.fromMillis(0) })
    const recorder = recordDoc(ref, { includeMetadataChanges: true })
    try {
      await recorder.waitFor((s) => s.exists() && isSynced(s), 'the initial synced snapshot')
      const before = Date.now()
      const write = updateDoc(ref, { t: serverTimestamp() })
      const local = await recorder.waitFor((s) => s.metadata.hasPendingWrites, 'a local snapshot with the pending write')
      expect(local.data()?.['t']).toBeNull()
      const estimate = local.data({ serverTimestamps: 'estimate' })?.['t'] as Timestamp
      expect(estimate).toBeInstanceOf(Timestamp)
      expect(Math.abs(estimate.toMillis() - before)).toBeLessThan(5_000)
      expect((local.data({ serverTimestamps: 'previous' })?.['t'] as Timestamp).toMillis()).toBe(0)
      await write
      const synced = await recorder.waitFor((s) => !s.metadata.hasPendingWrites && !s.metadata.fromCache, 'the acknowledged snapshot')
      const resolved = synced.data()?.['t'] as Timestamp
      expect(resolved).toBeInstanceOf(Timestamp)
      expect(Math.abs(resolved.toMillis() - Date.now())).toBeLessThan(60_000)
      expect(((await serverData('transforms/serverTime'))?.['t'] as Timestamp).isEqual(resolved)).toBe(true)
    } finally {
      recorder.stop()
    }
  })

  it('serverTimestamp in nested fields and in several documents of a batch is the same commit time', async () => {
    const batch = writeBatch(writer)
    batch.set(doc(writer, 'transforms/st1'), { at: serverTimestamp(), nested: { at: serverTimestamp() } })
    batch.set(doc(writer, 'transforms/st2'), { at: serverTimestamp() })
    await batch.commit()
    const one = await serverData('transforms/st1')
    const two = await serverData('transforms/st2')
    const at = one?.['at'] as Timestamp
    expect(at).toBeInstanceOf(Timestamp)
    expect(at.isEqual(one?.['nested']['at'] as Timestamp)).toBe(true)
    expect(at.isEqual(two?.['at'] as Timestamp)).toBe(true)
  })

  it('increment adds integers as integers, and gives a double when either side is a double', async () => {
    const ref = doc(writer, 'transforms/counter')
    await setDoc(ref, { ints: 10, mixed: 10, doubles: 0.5, text: 'not a number' })
    await updateDoc(ref, { ints: increment(5), mixed: increment(0.25), doubles: increment(2), text: increment(3), missing: increment(4) })
    await updateDoc(ref, { ints: increment(-20) })
    expect(await serverData('transforms/counter')).toEqual({ ints: -5, mixed: 10.25, doubles: 2.5, text: 3, missing: 4 })
    const typed = (await typedReader().doc('transforms/counter').get()).data()!
    expect(typed['ints']).toBe(-5n)
    expect(typed['mixed']).toBe(10.25)
    expect(typed['doubles']).toBe(2.5)
    expect(typed['missing']).toBe(4n)
  })

  it('increment by a whole double gives a double on the server', async () => {
    const ref = doc(writer, 'transforms/wholeDouble')
    await setDoc(ref, { n: 1.5 })
    await updateDoc(ref, { n: increment(1.5) })
    const typed = (await typedReader().doc('transforms/wholeDouble').get()).data()!
    expect(typed['n']).toBe(3)
    expect(typeof typed['n']).toBe('number')
  })

  it('arrayUnion adds only missing elements and arrayRemove removes every equal element', async () => {
    const ref = doc(writer, 'transforms/arrays')
    await setDoc(ref, { tags: ['a', 'b', 'a', 1, { k: 1 }], other: 'scalar' })
    await updateDoc(ref, { tags: arrayUnion('b', 'c', { k: 1 }, { k: 2 }, 'c'), other: arrayUnion('x'), fresh: arrayUnion(1, 1, 2) })
    expect(await serverData('transforms/arrays')).toEqual({
      tags: ['a', 'b', 'a', 1, { k: 1 }, 'c', { k: 2 }],
      other: ['x'],
      fresh: [1, 2],
    })
    await updateDoc(ref, { tags: arrayRemove('a', { k: 1 }, 'absent'), other: arrayRemove('x'), missing: arrayRemove('y') })
    expect(await serverData('transforms/arrays')).toEqual({ tags: ['b', 1, 'c', { k: 2 }], other: [], fresh: [1, 2], missing: [] })
  })
})

describe('web SDK: batches and write errors', () => {
  it('a batch applies all its writes', async () => {
    await setDoc(doc(writer, 'batch/ok-updated'), { v: 0 })
    await setDoc(doc(writer, 'batch/ok-deleted'), { v: 0 })
    const batch = writeBatch(writer)
    batch.set(doc(writer, 'batch/ok-set'), { v: 1 })
    batch.update(doc(writer, 'batch/ok-updated'), { v: increment(2) })
    batch.delete(doc(writer, 'batch/ok-deleted'))
    await batch.commit()
    expect(await serverData('batch/ok-set')).toEqual({ v: 1 })
    expect(await serverData('batch/ok-updated')).toEqual({ v: 2 })
    expect(await serverData('batch/ok-deleted')).toBeUndefined()
  })

  it('a batch with one failing write applies none of them', async () => {
    await setDoc(doc(writer, 'batch/atomic-existing'), { v: 'before' })
    const batch = writeBatch(writer)
    batch.set(doc(writer, 'batch/atomic-new'), { v: 'new' })
    batch.set(doc(writer, 'batch/atomic-existing'), { v: 'after' })
    batch.update(doc(writer, 'batch/atomic-missing'), { v: 1 })
    await expectFirestoreError(batch.commit(), 'not-found')
    expect(await serverData('batch/atomic-new')).toBeUndefined()
    expect(await serverData('batch/atomic-existing')).toEqual({ v: 'before' })
    // The writer's own view reverts too.
    expect((await getDoc(doc(writer, 'batch/atomic-existing'))).data()).toEqual({ v: 'before' })
  })

  it('a document over 1 MiB is refused with invalid-argument', async () => {
    const ref = doc(writer, 'limits/too-big')
    await expectFirestoreError(setDoc(ref, { blob: 'x'.repeat(1_048_576) }), 'invalid-argument')
    expect(await serverData('limits/too-big')).toBeUndefined()
    // Just under the limit is fine.
    await setDoc(doc(writer, 'limits/just-fits'), { blob: 'x'.repeat(1_000_000) })
    expect((await serverData('limits/just-fits'))?.['blob']).toHaveLength(1_000_000)
  })

  it('a batch of more than 500 writes is accepted: commits are limited by request size, not write count', async () => {
    // Firestore's documented limits no longer cap the writes of a commit at 500 (neither
    // SDK checks it); what remains is the 10 MiB request size, tested below.
    const batch = writeBatch(writer)
    for (let i = 0; i < 600; i++) batch.set(doc(writer, `limits/many-${i}`), { i })
    await batch.commit()
    expect(await serverData('limits/many-0')).toEqual({ i: 0 })
    expect(await serverData('limits/many-599')).toEqual({ i: 599 })
  })

  it('a batch over 10 MiB in total is refused with invalid-argument and writes nothing', async () => {
    // A client of its own: the SDK sends its writes in order, so a stuck batch would hold up the others.
    const heavyWriter = clients.web()
    const batch = writeBatch(heavyWriter)
    const blob = 'y'.repeat(1_000_000)
    for (let i = 0; i < 12; i++) batch.set(doc(heavyWriter, `limits/heavy-${i}`), { blob })
    await withTimeout(expectFirestoreError(batch.commit(), 'invalid-argument'), 15_000, 'the oversized batch to be refused')
    expect(await serverData('limits/heavy-0')).toBeUndefined()
    expect(await serverData('limits/heavy-11')).toBeUndefined()
  })

  it('the writer keeps working after a refused write', async () => {
    await expectFirestoreError(updateDoc(doc(writer, 'recover/missing'), { a: 1 }), 'not-found')
    await setDoc(doc(writer, 'recover/ok'), { a: 1 })
    expect(await serverData('recover/ok')).toEqual({ a: 1 })
  })
})
