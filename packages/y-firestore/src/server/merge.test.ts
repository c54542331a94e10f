import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { mergeLog } from './merge.js'

/** The updates a Y.Doc emits while `edit` runs, one per transaction. */
function capture(doc: Y.Doc, edit: () => void): Uint8Array[] {
  const updates: Uint8Array[] = []
  const onUpdate = (update: Uint8Array) => updates.push(update)
  doc.on('update', onUpdate)
  edit()
  doc.off('update', onUpdate)
  return updates
}

function textOf(state: Uint8Array): string {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, state)
  return doc.getText('content').toString()
}

describe('mergeLog', () => {
  it('merges a base state and updates into one state with the same text', () => {
    const source = new Y.Doc()
    source.getText('content').insert(0, 'hello')
    const base = Y.encodeStateAsUpdate(source)
    const updates = capture(source, () => {
      source.getText('content').insert(5, ' world')
      source.getText('content').insert(0, '> ')
    }).map((update, i) => ({ ids: [`u${i}`], update }))
    const result = mergeLog(base, updates)
    expect(textOf(result.state)).toBe('> hello world')
    expect(result.absorbed.map((u) => u.ids[0])).toEqual(['u0', 'u1'])
    expect(result.rejected).toEqual([])
    expect(Y.decodeStateVector(result.stateVector)).toEqual(Y.decodeStateVector(Y.encodeStateVector(source)))
  })

  it('rejects an update that does not decode and absorbs the rest', () => {
    const source = new Y.Doc()
    const [good] = capture(source, () => source.getText('content').insert(0, 'ok'))
    const result = mergeLog(undefined, [
      { ids: ['bad'], update: new TextEncoder().encode('garbage') },
      { ids: ['good'], update: good! },
    ])
    expect(result.rejected).toHaveLength(1)
    expect(result.rejected[0]!.ids).toEqual(['bad'])
    expect(result.rejected[0]!.reason).toMatch(/does not decode/)
    expect(result.absorbed.map((u) => u.ids[0])).toEqual(['good'])
    expect(textOf(result.state)).toBe('ok')
  })

  it('merges updates given in any order, applying them by createdAt, then client and clock', () => {
    const source = new Y.Doc()
    const text = source.getText('content')
    const updates = capture(source, () => {
      for (let i = 0; i < 300; i++) text.insert(i % 7 === 0 ? 0 : text.length, String(i % 10))
    }).map((update, i) => ({ ids: [`u${i}`], update, at: i < 150 ? 1000 : 2000 + i }))
    const shuffled = [...updates].reverse()
    const result = mergeLog(undefined, shuffled)
    expect(textOf(result.state)).toBe(text.toString())
    expect(result.absorbed.map((u) => u.ids[0])).toEqual(updates.map((u) => u.ids[0]))
  })

  it('garbage-collects deleted content', () => {
    const source = new Y.Doc()
    const updates = capture(source, () => {
      source.getText('content').insert(0, 'x'.repeat(10_000))
      source.getText('content').delete(0, 9_990)
    }).map((update, i) => ({ ids: [`u${i}`], update }))
    const result = mergeLog(undefined, updates)
    expect(textOf(result.state)).toBe('x'.repeat(10))
    expect(result.state.length).toBeLessThan(200)
  })

  it('refuses to merge over a base that does not decode', () => {
    expect(() => mergeLog(new Uint8Array([1, 1, 5]), [])).toThrow(/snapshot does not decode/)
  })
})
