/**
 * The generic connector's validation of ccxt's unified structures: malformed responses become a
 * `malformed` fault (never a crash), odd records are skipped and counted, display-only fields are
 * optional, and the mapping to event data is exact.
 */
import { describe, expect, it } from 'vitest'

import { ExchangeFault } from '../../../../main/core/exchanges/connector'
import {
  depositData,
  fillData,
  notionalUsd,
  orderData,
  parseBalance,
  parseOrder,
  parseOrders,
  parsePositions,
  parseTrades,
  parseTransactions,
  positionData,
  tickerPrice,
  withdrawalData,
  type MarketInfo
} from '../../../../main/core/exchanges/generic-parse'

const spot: MarketInfo = {
  base: 'BTC',
  quote: 'USDT',
  contractSize: null,
  inverse: false,
  contract: false
}
const linear: MarketInfo = { ...spot, contract: true, contractSize: 0.01 }
const inverse: MarketInfo = {
  base: 'BTC',
  quote: 'USD',
  contractSize: 10,
  inverse: true,
  contract: true
}

const fault = (fn: () => unknown): ExchangeFault => {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(ExchangeFault)
    return error as ExchangeFault
  }
  throw new Error('expected a fault')
}

describe('malformed responses', () => {
  it.each([
    ['a truncated body ccxt handed back as a string', '{"result":[{"order_id":'],
    ['nothing', undefined],
    ['null', null],
    ['an object instead of a list', { result: [] }],
    ['a number', 42]
  ])('list parsers turn %s into a malformed fault for the stream', (_what, raw) => {
    for (const parse of [
      () => parseOrders(raw, 'open orders', 'orders', 'Kraken'),
      () => parseTrades(raw, 'fills', 'Kraken'),
      () => parseTransactions(raw, 'withdrawals', 'withdrawals', 'Kraken'),
      () => parsePositions(raw, 'positions', 'Kraken')
    ]) {
      const f = fault(parse)
      expect(f.category).toBe('malformed')
      expect(f.message).toMatch(/^Kraken: /)
      expect(f.stream).toBeDefined()
    }
  })

  it('balance: a string, a list or an object without totals is malformed', () => {
    for (const raw of ['<html>502</html>', [], {}, { info: {} }, null]) {
      const f = fault(() => parseBalance(raw, 'balances', 'Gate'))
      expect(f.category).toBe('malformed')
      expect(f.stream).toBe('balances')
    }
  })

  it('fetchOrder: a non-object is malformed, an object of the wrong shape is "unknown order"', () => {
    expect(fault(() => parseOrder('oops', 'orders', 'X')).category).toBe('malformed')
    expect(parseOrder({ id: '1' }, 'orders', 'X')).toBeNull()
  })
})

describe('records', () => {
  it('orders: keyed fields required, the rest optional; numeric strings and upper-case sides read', () => {
    const r = parseOrders(
      [
        { id: 'a1', symbol: 'BTC/USDT', side: 'BUY', amount: '0.5', price: '30000', timestamp: 1 },
        { id: 7, symbol: 'ETH/USDT', side: 'sell', type: 'market', status: 'closed' },
        { id: 'x', symbol: 'BTC/USDT' }, // no side
        { symbol: 'BTC/USDT', side: 'buy' }, // no id
        { id: 'y', symbol: '', side: 'buy' }, // empty symbol
        { id: 'z', symbol: 'BTC/USDT', side: 'buy', price: 'n/a', filled: {} }, // junk display fields
        'not an order'
      ],
      'open orders',
      'orders',
      'X'
    )
    expect(r.skipped).toBe(4)
    expect(r.items.map((o) => o.id)).toEqual(['a1', '7', 'z'])
    expect(r.items[0]).toMatchObject({ side: 'buy', amount: 0.5, price: 30000 })
    expect(r.items[2]!.price).toBeUndefined()
    expect(r.items[2]!.filled).toBeUndefined()
  })

  it('trades need id, symbol, side, amount, price and time', () => {
    const r = parseTrades(
      [
        {
          id: 't1',
          order: 'o1',
          symbol: 'BTC/USDT',
          side: 'buy',
          amount: 1,
          price: 2,
          timestamp: 3
        },
        { id: 't2', symbol: 'BTC/USDT', side: 'buy', amount: 1, price: 2 },
        { id: 't3', symbol: 'BTC/USDT', side: 'buy', amount: null, price: 2, timestamp: 3 }
      ],
      'fills',
      'X'
    )
    expect(r.items.map((t) => t.id)).toEqual(['t1'])
    expect(r.skipped).toBe(2)
  })

  it('transactions fall back to the transaction hash; neither id nor hash is skipped', () => {
    const r = parseTransactions(
      [
        { id: 'w1', currency: 'BTC', amount: 1, timestamp: 5, status: 'ok', addressTo: 'bc1q' },
        { txid: '0xabc', currency: 'ETH', amount: '2', timestamp: 6 },
        { currency: 'ETH', amount: 2, timestamp: 6 },
        { id: 'w4', currency: 'ETH', amount: 2 }
      ],
      'withdrawals',
      'withdrawals',
      'X'
    )
    expect(r.items.map((t) => t.id)).toEqual(['w1', '0xabc'])
    expect(r.skipped).toBe(2)
  })

  it('balance: total map, or free + used, and unreadable totals counted', () => {
    const r = parseBalance(
      {
        total: { BTC: 1.5, ETH: '2', USDT: 0, BAD: 'lots', NIL: null },
        free: { NIL: 1, ONLYFREE: 3 },
        used: { NIL: 0.5 }
      },
      'balances',
      'X'
    )
    expect(r.items).toEqual([
      { currency: 'BTC', total: 1.5 },
      { currency: 'ETH', total: 2 },
      { currency: 'NIL', total: 1.5 },
      { currency: 'ONLYFREE', total: 3 },
      { currency: 'USDT', total: 0 }
    ])
    expect(r.skipped).toBe(1)
  })

  it('positions need a symbol', () => {
    const r = parsePositions(
      [{ symbol: 'BTC/USDT:USDT', side: 'short', contracts: 3, leverage: 10 }, { side: 'long' }],
      'positions',
      'X'
    )
    expect(r.items).toHaveLength(1)
    expect(r.skipped).toBe(1)
    expect(positionData('BTC/USDT:USDT', r.items[0]!)).toEqual({
      symbol: 'BTC/USDT:USDT',
      side: 'short',
      size: 3,
      leverage: 10
    })
    expect(positionData('ETH/USDT:USDT', null)).toMatchObject({ side: 'flat', size: 0 })
  })

  it('ticker price: last, else close, else the mid, else mark; never throws', () => {
    expect(tickerPrice({ last: 10 })).toBe(10)
    expect(tickerPrice({ last: null, close: '11' })).toBe(11)
    expect(tickerPrice({ bid: 9, ask: 11 })).toBe(10)
    expect(tickerPrice({ markPrice: 12 })).toBe(12)
    expect(tickerPrice({ last: 0 })).toBeNull()
    expect(tickerPrice('garbage')).toBeNull()
    expect(tickerPrice(undefined)).toBeNull()
  })
})

describe('event data', () => {
  it('notional in USD: spot, linear contracts with a contract size, inverse face value', () => {
    expect(notionalUsd(spot, 0.5, 30000, 1)).toBe(15000)
    expect(notionalUsd(linear, 100, 30000, 1)).toBe(30000)
    expect(notionalUsd(inverse, 50, 30000, 1)).toBe(500)
    expect(notionalUsd({ ...spot, quote: 'BTC' }, 10, 0.002, 60000)).toBeCloseTo(1200)
    expect(notionalUsd(spot, 1, null, 1)).toBeNull()
    expect(notionalUsd(spot, 1, 100, null)).toBeNull()
  })

  it('orders, fills, withdrawals and deposits map to the deep connectors’ shapes', () => {
    const [o] = parseOrders(
      [
        {
          id: 'o1',
          symbol: 'BTC/USDT',
          side: 'buy',
          type: 'limit',
          status: 'open',
          amount: 2,
          price: 100,
          filled: 0.5
        }
      ],
      'open orders',
      'orders',
      'X'
    ).items
    expect(orderData(o!, spot, 1)).toEqual({
      orderId: 'o1',
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'limit',
      status: 'open',
      amount: 2,
      price: 100,
      filled: 0.5,
      notionalUsd: 200,
      reduceOnly: false,
      origin: null,
      leverage: null
    })
    const [t] = parseTrades(
      [
        {
          id: 't1',
          order: 'o1',
          symbol: 'BTC/USDT',
          side: 'sell',
          amount: 1,
          price: 100,
          timestamp: 1
        }
      ],
      'fills',
      'X'
    ).items
    expect(fillData(t!, spot, 1, 101)).toEqual({
      tradeId: 't1',
      orderId: 'o1',
      symbol: 'BTC/USDT',
      side: 'sell',
      amount: 1,
      price: 100,
      notionalUsd: 100,
      marketPrice: 101
    })
    const [w, d] = parseTransactions(
      [
        {
          id: 'w1',
          currency: 'BTC',
          amount: -0.5,
          timestamp: 1,
          addressTo: 'bc1q',
          network: 'BTC',
          status: 'pending'
        },
        {
          id: 'd1',
          currency: 'BTC',
          amount: 1,
          timestamp: 2,
          address: 'bc1mine',
          addressFrom: 'bc1them'
        }
      ],
      'transactions',
      'transactions',
      'X'
    ).items
    expect(withdrawalData(w!, 60000)).toEqual({
      withdrawalId: 'w1',
      currency: 'BTC',
      amount: 0.5,
      address: 'bc1q',
      network: 'BTC',
      status: 'pending',
      amountUsd: 30000
    })
    expect(depositData(d!, null)).toEqual({
      depositId: 'd1',
      currency: 'BTC',
      amount: 1,
      address: 'bc1mine',
      from: 'bc1them',
      network: null,
      status: null,
      amountUsd: null
    })
  })
})
