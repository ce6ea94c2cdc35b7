import { describe, expect, it } from 'vitest'

import {
  decodeId,
  decodeSnapshot,
  decodeWindow,
  encodeId,
  encodeSnapshot,
  encodeWindow,
  WindowTracker
} from '../../../../main/core/exchanges/cursor'

const isList = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((x) => typeof x === 'string')

describe('cursor codecs', () => {
  it('round-trip and fall back on garbage', () => {
    expect(
      decodeWindow(encodeWindow({ ts: 1700, keys: ['a@1', 'b@2'] }), { ts: 0, keys: [] })
    ).toEqual({ ts: 1700, keys: ['a@1', 'b@2'] })
    expect(decodeWindow('1700|', { ts: 0, keys: [] })).toEqual({ ts: 1700, keys: [] })
    expect(decodeWindow(1234, { ts: 0, keys: [] })).toEqual({ ts: 1234, keys: [] })
    expect(decodeWindow('nonsense', { ts: 9, keys: [] })).toEqual({ ts: 9, keys: [] })
    expect(decodeWindow(null, { ts: 9, keys: [] })).toEqual({ ts: 9, keys: [] })
    expect(
      decodeId(encodeId({ lastId: 45, floorTs: 1575876682576 }), { lastId: -1, floorTs: 0 })
    ).toEqual({ lastId: 45, floorTs: 1575876682576 })
    expect(decodeId(45, { lastId: -1, floorTs: 0 })).toEqual({ lastId: 45, floorTs: 0 })
    expect(decodeId('x@y', { lastId: -1, floorTs: 5 })).toEqual({ lastId: -1, floorTs: 5 })
    expect(
      decodeSnapshot(
        encodeSnapshot({ kind: 'state', state: ['a', 'b'] }),
        { kind: 'since', ts: 0 },
        isList
      )
    ).toEqual({ kind: 'state', state: ['a', 'b'] })
    expect(decodeSnapshot('since:77', { kind: 'since', ts: 0 }, isList)).toEqual({
      kind: 'since',
      ts: 77
    })
    expect(decodeSnapshot('{"not":"a list"}', { kind: 'since', ts: 3 }, isList)).toEqual({
      kind: 'since',
      ts: 3
    })
  })
})

describe('WindowTracker', () => {
  it('delivers each record version once, re-reading a short overlap', () => {
    const first = new WindowTracker({ ts: 1000, keys: [] }, 50)
    expect(first.windowStart).toBe(950)
    expect(first.observe('a', 1000)).toBe(true)
    expect(first.observe('b', 1010)).toBe(true)
    expect(first.observe('old', 900)).toBe(false)
    const c1 = first.next()
    expect(c1).toEqual({ ts: 1010, keys: ['a', 'b'] })

    // Next read sees a and b again (overlap), plus c that became visible late with an older ts.
    const second = new WindowTracker(c1, 50)
    expect(second.observe('a', 1000)).toBe(false)
    expect(second.observe('b', 1010)).toBe(false)
    expect(second.observe('c', 990)).toBe(true)
    expect(second.deliveredPrefix('b')).toBe(true)
    expect(second.next()).toEqual({ ts: 1010, keys: ['c', 'a', 'b'] })
  })

  it('does not let a future timestamp push the window past records still to come', () => {
    const t = new WindowTracker({ ts: 1000, keys: [] }, 10)
    expect(t.observe('future', 5000)).toBe(true)
    const c = t.next(2000)
    expect(c).toEqual({ ts: 2000, keys: ['future'] })
    const later = new WindowTracker(c, 10)
    expect(later.observe('future', 5000)).toBe(false)
    expect(later.observe('late', 2500)).toBe(true)
  })

  it('keeps its position when nothing new arrives', () => {
    const t = new WindowTracker({ ts: 500, keys: ['x'] }, 0)
    expect(t.next()).toEqual({ ts: 500, keys: ['x'] })
  })
})
