import { describe, expect, it } from 'vitest'
import { planLog, type LogEntry } from './log.js'

const bytes = (...values: number[]) => Buffer.from(values)

describe('planLog', () => {
  it('passes single updates through with their IDs', () => {
    const plan = planLog([{ id: 'a', data: { update: bytes(1, 2) } }])
    expect(plan.updates).toEqual([{ ids: ['a'], update: bytes(1, 2) }])
    expect(plan.invalid).toEqual([])
    expect(plan.incomplete).toEqual([])
  })

  it('assembles a complete group in part order, whatever the read order', () => {
    const entries: LogEntry[] = [
      { id: 'p2', data: { update: bytes(5), group: 'g', part: 2, parts: 3 } },
      { id: 'p0', data: { update: bytes(1, 2), group: 'g', part: 0, parts: 3 } },
      { id: 'p1', data: { update: bytes(3, 4), group: 'g', part: 1, parts: 3 } },
    ]
    const plan = planLog(entries)
    expect(plan.updates).toHaveLength(1)
    expect(plan.updates[0]!.ids).toEqual(['p0', 'p1', 'p2'])
    expect(Array.from(plan.updates[0]!.update)).toEqual([1, 2, 3, 4, 5])
  })

  it('leaves a group with a missing part in the log', () => {
    const plan = planLog([
      { id: 'p0', data: { update: bytes(1), group: 'g', part: 0, parts: 2 } },
      { id: 'x', data: { update: bytes(9) } },
    ])
    expect(plan.incomplete).toEqual(['p0'])
    expect(plan.updates.map((u) => u.ids)).toEqual([['x']])
  })

  it('leaves a group with a duplicated part alone rather than guess', () => {
    const plan = planLog([
      { id: 'a', data: { update: bytes(1), group: 'g', part: 0, parts: 2 } },
      { id: 'b', data: { update: bytes(2), group: 'g', part: 0, parts: 2 } },
    ])
    expect(plan.updates).toEqual([])
    expect(plan.incomplete.sort()).toEqual(['a', 'b'])
  })

  it('marks records without bytes or with impossible part numbers invalid', () => {
    const plan = planLog([
      { id: 'none', data: { author: 'x' } },
      { id: 'text', data: { update: 'not bytes' } },
      { id: 'range', data: { update: bytes(1), group: 'g', part: 3, parts: 2 } },
    ])
    expect(plan.invalid.map((entry) => entry.ids[0])).toEqual(['none', 'text', 'range'])
    expect(plan.invalid[0]!.reason).toMatch(/no update field/)
    expect(plan.invalid[1]!.reason).toMatch(/not bytes/)
    expect(plan.invalid[2]!.reason).toMatch(/out of range/)
    expect(plan.updates).toEqual([])
  })
})
