import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  average,
  collection,
  collectionGroup,
  count,
  doc,
  getAggregateFromServer,
  getCountFromServer,
  limit,
  orderBy,
  query,
  sum,
  where,
  writeBatch,
  type DocumentData,
  type Query,
} from 'firebase/firestore'
import { Clients, uniqueProjectId } from '../support/clients.js'

const clients = new Clients(uniqueProjectId())
afterAll(() => clients.close())

const writer = clients.web()
const reader = clients.web()

/** Numeric `v` on some documents, non-numbers and missing values on others. */
const SCORES: Record<string, DocumentData> = {
  s1: { v: 1, team: 'a', stats: { points: 10 } },
  s2: { v: 2, team: 'a', stats: { points: 20 } },
  s3: { v: 3.5, team: 'b', stats: { points: 0.5 } },
  s4: { v: 'text', team: 'b' },
  s5: { team: 'b', stats: {} },
  s6: { v: null, team: 'c' },
  s7: { v: 10, team: 'c', stats: { points: -5 } },
}

beforeAll(async () => {
  const batch = writeBatch(writer)
  for (const [id, data] of Object.entries(SCORES)) batch.set(doc(writer, 'scores', id), data)
  batch.set(doc(writer, 'special/nan'), { v: NaN })
  batch.set(doc(writer, 'special/one'), { v: 1 })
  batch.set(doc(writer, 'infinite/plus'), { v: Infinity })
  batch.set(doc(writer, 'infinite/minus'), { v: -Infinity })
  batch.set(doc(writer, 'groups/g1/entries/e1'), { v: 4 })
  batch.set(doc(writer, 'groups/g2/entries/e2'), { v: 6 })
  await batch.commit()
})

const scores = () => collection(reader, 'scores')

/** count, sum and average of `v` over a query, in one request. */
async function summary(q: Query): Promise<{ count: number; total: number; mean: number | null }> {
  const snapshot = await getAggregateFromServer(q, { count: count(), total: sum('v'), mean: average('v') })
  return { count: snapshot.data().count, total: snapshot.data().total, mean: snapshot.data().mean }
}

describe('web SDK aggregation queries', () => {
  it('getCountFromServer counts every document of a collection', async () => {
    const snapshot = await getCountFromServer(scores())
    expect(snapshot.data().count).toBe(7)
  })

  it('sum and average skip non-numbers and nulls', async () => {
    const snapshot = await getAggregateFromServer(scores(), { total: sum('v') })
    expect(snapshot.data().total).toBe(16.5)
    expect((await getAggregateFromServer(scores(), { mean: average('v') })).data().mean).toBe(4.125)
  })

  it('with sum or average in the request, only documents that contain their fields are included', async () => {
    // s5 lacks v: the count beside sum('v') leaves it out (null and 'text' still count).
    expect(await summary(scores())).toEqual({ count: 6, total: 16.5, mean: 4.125 })
    expect((await getAggregateFromServer(scores(), { count: count() })).data().count).toBe(7)
  })

  it('sum of integers only is exact; average of integers is a fraction', async () => {
    expect(await summary(query(scores(), where('team', '==', 'a')))).toEqual({ count: 2, total: 3, mean: 1.5 })
  })

  it('sum and average mix integers and doubles', async () => {
    expect(await summary(query(scores(), where('team', 'in', ['a', 'b'])))).toEqual({ count: 4, total: 6.5, mean: 6.5 / 3 })
  })

  it('sum and average of a nested field by path', async () => {
    const snapshot = await getAggregateFromServer(scores(), { total: sum('stats.points'), mean: average('stats.points') })
    expect(snapshot.data()).toEqual({ total: 25.5, mean: 25.5 / 4 })
  })

  it('over a field no document has: sum is 0 and average is null', async () => {
    expect((await getAggregateFromServer(scores(), { total: sum('nope') })).data().total).toBe(0)
    expect((await getAggregateFromServer(scores(), { mean: average('nope') })).data().mean).toBeNull()
    const together = await getAggregateFromServer(scores(), { count: count(), total: sum('nope'), mean: average('nope') })
    expect(together.data()).toEqual({ count: 0, total: 0, mean: null })
  })

  it('over no documents at all: count 0, sum 0, average null', async () => {
    expect(await summary(collection(reader, 'nothing-here'))).toEqual({ count: 0, total: 0, mean: null })
    expect(await summary(query(scores(), where('team', '==', 'nobody')))).toEqual({ count: 0, total: 0, mean: null })
  })

  it('aggregations respect filters', async () => {
    expect(await summary(query(scores(), where('v', '>', 1)))).toEqual({ count: 3, total: 15.5, mean: 15.5 / 3 })
    expect((await getCountFromServer(query(scores(), where('v', '==', null)))).data().count).toBe(1)
    expect((await getCountFromServer(query(scores(), where('team', '!=', 'b')))).data().count).toBe(4)
  })

  it('aggregations apply to the documents a limit keeps', async () => {
    expect((await getCountFromServer(query(scores(), limit(2)))).data().count).toBe(2)
    expect((await getCountFromServer(query(scores(), limit(100)))).data().count).toBe(7)
    // Ordered by v (null, 1, 2, 3.5, 10, 'text'), the first three: null, 1 and 2.
    expect(await summary(query(scores(), orderBy('v'), limit(3)))).toEqual({ count: 3, total: 3, mean: 1.5 })
    // Numbers above 1 by value: 2 and 3.5.
    expect(await summary(query(scores(), where('v', '>', 1), limit(2)))).toEqual({ count: 2, total: 5.5, mean: 2.75 })
  })

  it('an orderBy leaves out documents lacking the field from the aggregation', async () => {
    expect((await getCountFromServer(query(scores(), orderBy('v')))).data().count).toBe(6)
    expect((await getCountFromServer(query(scores(), orderBy('stats')))).data().count).toBe(5)
  })

  it('NaN makes sum and average NaN; opposite infinities sum to NaN', async () => {
    const special = await summary(collection(reader, 'special'))
    expect(special.count).toBe(2)
    expect(special.total).toBeNaN()
    expect(special.mean).toBeNaN()
    const infinite = await summary(collection(reader, 'infinite'))
    expect(infinite.total).toBeNaN()
    expect(infinite.mean).toBeNaN()
    const plus = await summary(query(collection(reader, 'infinite'), where('v', '>', 0)))
    expect(plus).toEqual({ count: 1, total: Infinity, mean: Infinity })
  })

  it('aggregations over a collection group', async () => {
    expect(await summary(collectionGroup(reader, 'entries'))).toEqual({ count: 2, total: 10, mean: 5 })
  })

  it('count reflects writes made just before it', async () => {
    const before = (await getCountFromServer(collection(reader, 'growing'))).data().count
    await writeBatch(writer).set(doc(writer, 'growing/one'), { v: 1 }).set(doc(writer, 'growing/two'), { v: 2 }).commit()
    expect((await getCountFromServer(collection(reader, 'growing'))).data().count).toBe(before + 2)
  })
})
