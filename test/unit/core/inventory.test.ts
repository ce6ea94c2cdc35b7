import { describe, expect, it } from 'vitest'

import { openDatabase } from '../../../main/core/db/open'
import type { KeySnapshot } from '../../../main/core/exchanges/connector'
import { diffBalances, diffKeys, postureEvents } from '../../../main/core/inventory'

const setup = () => {
  const db = openDatabase(':memory:')
  db.prepare(
    "INSERT INTO accounts (id, exchange, label, key_hint, created_at) VALUES ('a', 'deribit', 'x', 'abcd', 0)"
  ).run()
  return db
}

const key = (keyId: string, over: Partial<KeySnapshot> = {}): KeySnapshot => ({
  keyId,
  name: null,
  permissions: ['read', 'trade'],
  ipWhitelist: ['84.17.32.10'],
  enabled: true,
  self: false,
  createdAt: 1000,
  expiresAt: null,
  thirdParty: false,
  ...over
})

describe('diffKeys', () => {
  it('treats the first snapshot as the baseline: keys already there are seen, not created', () => {
    const db = setup()
    const events = diffKeys(db, 'a', [key('1', { self: true }), key('2')], 5000)
    expect(events.map((e) => e.type)).toEqual(['key.seen', 'key.seen'])
    expect(diffKeys(db, 'a', [key('1', { self: true }), key('2')], 6000)).toEqual([])
  })

  it('reports a new key, a permission change, a disable and a removal exactly once each', () => {
    const db = setup()
    diffKeys(db, 'a', [key('1', { self: true }), key('2')], 5000)
    const created = diffKeys(
      db,
      'a',
      [key('1', { self: true }), key('2'), key('3', { ipWhitelist: [] })],
      6000
    )
    expect(created.map((e) => [e.type, e.exchangeRecordId])).toEqual([['key.created', '3']])
    const changed = diffKeys(
      db,
      'a',
      [
        key('1', { self: true }),
        key('2', { permissions: ['read', 'trade', 'withdraw'] }),
        key('3', { ipWhitelist: [] })
      ],
      7000
    )
    expect(changed).toHaveLength(1)
    expect(changed[0]!.type).toBe('key.changed')
    expect(changed[0]!.data).toMatchObject({
      before: { permissions: ['read', 'trade'] },
      permissions: ['read', 'trade', 'withdraw']
    })
    expect(changed[0]!.exchangeRecordId.split('#')[0]).toBe('2')
    const disabled = diffKeys(
      db,
      'a',
      [
        key('1', { self: true }),
        key('2', { permissions: ['read', 'trade', 'withdraw'] }),
        key('3', { ipWhitelist: [], enabled: false })
      ],
      8000
    )
    expect(disabled.map((e) => e.type)).toEqual(['key.disabled'])
    const removed = diffKeys(db, 'a', [key('1', { self: true })], 9000)
    expect(removed.map((e) => [e.type, e.exchangeRecordId.split('#')[0]])).toEqual([
      ['key.removed', '2'],
      ['key.removed', '3']
    ])
    expect(diffKeys(db, 'a', [key('1', { self: true })], 10000)).toEqual([])
  })

  it('emits one posture event per live key and day', () => {
    const db = setup()
    diffKeys(db, 'a', [key('1', { self: true }), key('2')], 5000)
    const day1 = postureEvents(db, 'a', Date.UTC(2026, 0, 1, 10))
    const sameDay = postureEvents(db, 'a', Date.UTC(2026, 0, 1, 20))
    expect(day1).toHaveLength(2)
    expect(sameDay.map((e) => e.exchangeRecordId)).toEqual(day1.map((e) => e.exchangeRecordId))
    expect(postureEvents(db, 'a', Date.UTC(2026, 0, 2, 1))[0]!.exchangeRecordId).not.toBe(
      day1[0]!.exchangeRecordId
    )
  })
})

describe('diffBalances', () => {
  it('is silent on the first snapshot and reports changes with account equity', () => {
    const db = setup()
    expect(diffBalances(db, 'a', [{ currency: 'BTC', total: 1, usdValue: 60000 }], 1)).toEqual([])
    expect(diffBalances(db, 'a', [{ currency: 'BTC', total: 1, usdValue: 60000 }], 2)).toEqual([])
    const moved = diffBalances(
      db,
      'a',
      [
        { currency: 'BTC', total: 0.1, usdValue: 6000 },
        { currency: 'ETH', total: 2, usdValue: 6000 }
      ],
      3
    )
    expect(moved.map((e) => e.data)).toEqual([
      { currency: 'BTC', total: 0.1, previous: 1, usdValue: 6000, equityUsd: 12000 },
      { currency: 'ETH', total: 2, previous: 0, usdValue: 6000, equityUsd: 12000 }
    ])
  })
})
