/**
 * Generic-connector paths the simulator's dialects cannot reach: learning that a call needs a
 * symbol (ccxt's ArgumentsRequired), exchanges that ignore the symbol on cancel-all (Kraken,
 * KuCoin), exchanges with only per-order cancel, orders that leave the book, halting faults and
 * malformed answers. The exchange here is a small scripted stand-in for ccxt's unified API (the
 * HTTP-level behaviour is covered against the simulator with real ccxt in the integration test).
 */
import type { Exchange } from 'ccxt'
import { describe, expect, it } from 'vitest'

import type { Cursors } from '../../../../main/core/exchanges/connector'
import { createGenericConnector } from '../../../../main/core/exchanges/generic'
import { silentLogger, type Clock } from '../../../../main/core/ports'

class ArgumentsRequired extends Error {
  override name = 'ArgumentsRequired'
}
class AuthenticationError extends Error {
  override name = 'AuthenticationError'
}
class OrderNotFound extends Error {
  override name = 'OrderNotFound'
}

const NOW = Date.UTC(2026, 10, 20, 12)
const clock = (): Clock & { t: number } => ({
  t: NOW,
  now() {
    return this.t
  },
  setTimeout(fn: () => void) {
    const h = setImmediate(fn)
    return () => clearImmediate(h)
  }
})

type Call = [string, ...unknown[]]
interface Order {
  id: string
  symbol: string
  side: 'buy' | 'sell'
  status: string
  amount: number
  price: number
  timestamp: number
}

/** A scripted exchange: orders and trades in memory, every unified call recorded. */
const stand = (
  id: string,
  has: Record<string, boolean>,
  overrides: Record<string, unknown> = {}
) => {
  const calls: Call[] = []
  const state = {
    balances: { ABC: 5, USDT: 100, XYZ: 0 } as Record<string, number>,
    open: [] as Order[],
    done: [] as Order[],
    trades: [] as Array<Record<string, unknown>>
  }
  const markets = Object.fromEntries(
    ['ABC/USDT', 'XYZ/USDT', 'DEF/USDT'].map((s) => {
      const [base, quote] = s.split('/')
      return [
        s,
        { id: s.replace('/', ''), symbol: s, base, quote, spot: true, active: true, type: 'spot' }
      ]
    })
  )
  const ex = {
    id,
    apiKey: 'KEY-ending-9f3a',
    has,
    markets,
    currencies: {},
    async loadMarkets() {
      calls.push(['loadMarkets'])
      return markets
    },
    async fetchBalance() {
      calls.push(['fetchBalance'])
      return { total: { ...state.balances } }
    },
    async fetchTickers(symbols: string[]) {
      calls.push(['fetchTickers', symbols])
      return Object.fromEntries(symbols.map((s) => [s, { symbol: s, last: 2 }]))
    },
    async fetchOpenOrders(symbol?: string, _since?: number, _limit?: number, params?: unknown) {
      calls.push(['fetchOpenOrders', symbol, params])
      return state.open.filter((o) => !symbol || o.symbol === symbol)
    },
    async fetchOrder(orderId: string, symbol: string) {
      calls.push(['fetchOrder', orderId, symbol])
      const o = [...state.done, ...state.open].find((x) => x.id === orderId)
      if (!o) throw new OrderNotFound('gone')
      return o
    },
    async fetchMyTrades(symbol?: string, since?: number) {
      calls.push(['fetchMyTrades', symbol, since])
      if (!symbol) throw new ArgumentsRequired(`${id} fetchMyTrades() requires a symbol argument`)
      return state.trades.filter(
        (t) => t.symbol === symbol && (t.timestamp as number) >= (since ?? 0)
      )
    },
    async cancelAllOrders(symbol?: string) {
      calls.push(['cancelAllOrders', symbol])
      const hit = state.open.filter((o) => !symbol || o.symbol === symbol)
      state.open = state.open.filter((o) => !hit.includes(o))
      state.done.push(...hit.map((o) => ({ ...o, status: 'canceled' })))
      return []
    },
    async cancelOrder(orderId: string, symbol: string) {
      calls.push(['cancelOrder', orderId, symbol])
      const o = state.open.find((x) => x.id === orderId)
      if (!o) throw new OrderNotFound(`${id} order ${orderId} not found`)
      state.open = state.open.filter((x) => x !== o)
      state.done.push({ ...o, status: 'canceled' })
      return o
    },
    async fetchWithdrawals() {
      calls.push(['fetchWithdrawals'])
      return []
    },
    async cancelAllOrdersAfter(ms: number) {
      calls.push(['cancelAllOrdersAfter', ms])
      return {}
    },
    async close() {},
    ...overrides
  }
  return { ex: ex as unknown as Exchange, calls, state, raw: ex }
}

const order = (id: string, symbol = 'ABC/USDT', ts = NOW - 1000): Order => ({
  id,
  symbol,
  side: 'buy',
  status: 'open',
  amount: 1,
  price: 2,
  timestamp: ts
})

const connect = (s: ReturnType<typeof stand>, c = clock()) =>
  createGenericConnector(
    s.ex,
    { id: 'acct', exchange: s.raw.id, selfKeyId: null },
    { clock: c, logger: silentLogger }
  )

describe('scopes', () => {
  it('learns that trades need a symbol and asks only markets of currencies held', async () => {
    const s = stand('fakex', { fetchBalance: true, fetchMyTrades: true, fetchTickers: true })
    s.state.trades.push(
      {
        id: 't1',
        order: 'o1',
        symbol: 'ABC/USDT',
        side: 'buy',
        amount: 1,
        price: 2,
        timestamp: NOW - 10
      },
      {
        id: 't1',
        order: 'o9',
        symbol: 'DEF/USDT',
        side: 'buy',
        amount: 1,
        price: 2,
        timestamp: NOW - 10
      }
    )
    const c = connect(s)
    const r = await c.poll({})
    expect(r.errors).toEqual([])
    const asked = s.calls.filter((x) => x[0] === 'fetchMyTrades').map((x) => x[1])
    // One probe without a symbol, then the markets of ABC (held) only: XYZ is zero, DEF unheld.
    expect(asked).toEqual([undefined, 'ABC/USDT'])
    expect(r.events.map((e) => [e.type, e.exchangeRecordId])).toEqual([['fill.new', 't1#ABC/USDT']])
    expect((r.events[0]!.data as { notionalUsd: number }).notionalUsd).toBe(2)
    expect(r.cursors['fills:ABC/USDT']).toBeDefined()
    expect(r.balances!.find((b) => b.currency === 'ABC')!.usdValue).toBe(10)

    // Once learned, no more probes; the same trade is not delivered twice.
    s.calls.length = 0
    const again = await c.poll(r.cursors)
    expect(again.events).toEqual([])
    expect(s.calls.filter((x) => x[0] === 'fetchMyTrades').map((x) => x[1])).toEqual(['ABC/USDT'])
  })

  it('a currency sold to zero keeps its market watched (the sell-off is the thing to see)', async () => {
    const s = stand('fakex', { fetchBalance: true, fetchMyTrades: true })
    const c = connect(s)
    const cursors: Cursors = (await c.poll({})).cursors
    s.state.balances.ABC = 0
    s.state.trades.push({
      id: 't2',
      symbol: 'ABC/USDT',
      side: 'sell',
      amount: 5,
      price: 2,
      timestamp: NOW + 5
    })
    const r = await c.poll(cursors)
    expect(r.events.map((e) => e.exchangeRecordId)).toEqual(['t2#ABC/USDT'])
  })
})

describe('orders', () => {
  it('an order leaving the book is looked up once and reported with its final status', async () => {
    const s = stand('fakex', { fetchBalance: true, fetchOpenOrders: true, fetchOrder: true })
    s.state.open.push(order('o1'))
    const c = connect(s)
    const first = await c.poll({})
    expect(first.events.map((e) => [e.type, e.exchangeRecordId])).toEqual([
      ['order.new', 'o1#ABC/USDT']
    ])
    expect(first.openOrders).toBe(1)
    s.state.open = []
    s.state.done.push({ ...order('o1'), status: 'canceled' })
    const second = await c.poll(first.cursors)
    expect(second.events.map((e) => [e.type, e.exchangeRecordId])).toEqual([
      ['order.updated', 'o1#ABC/USDT#canceled']
    ])
    expect(second.openOrders).toBe(0)
    const third = await c.poll({ ...first.cursors, ...second.cursors })
    expect(third.events).toEqual([])
  })

  it('without fetchOrder the status is honestly unknown ("gone")', async () => {
    const s = stand('fakex', { fetchBalance: true, fetchOpenOrders: true })
    s.state.open.push(order('o1'))
    const c = connect(s)
    const first = await c.poll({})
    s.state.open = []
    const second = await c.poll(first.cursors)
    expect(second.events.map((e) => e.exchangeRecordId)).toEqual(['o1#ABC/USDT#gone'])
    expect((second.events[0]!.data as { status: string }).status).toBe('gone')
  })

  it('a first poll without cursors absorbs old resting orders and reports fresh ones', async () => {
    const s = stand('fakex', { fetchBalance: true, fetchOpenOrders: true })
    s.state.open.push(
      order('old', 'ABC/USDT', NOW - 86_400_000),
      order('new', 'ABC/USDT', NOW - 1000)
    )
    const r = await connect(s).poll({})
    expect(r.events.map((e) => e.exchangeRecordId)).toEqual(['new#ABC/USDT'])
    expect(r.openOrders).toBe(2)
  })
})

describe('faults', () => {
  it('a malformed answer fails only its stream, which keeps its cursor', async () => {
    const s = stand('fakex', { fetchBalance: true, fetchOpenOrders: true, fetchMyTrades: true })
    s.raw.fetchOpenOrders = async () => '{"data":[{"ordId":' as never
    const r = await connect(s).poll({ orders: 'keep-me' })
    expect(r.errors.map((e) => [e.stream, e.fault.category])).toEqual([['orders', 'malformed']])
    expect(r.cursors.orders).toBe('keep-me')
    expect(r.openOrders).toBeUndefined()
    expect(r.balances).toBeDefined()
  })

  it('a rejected key stops the run: every later stream says why it was not read', async () => {
    const s = stand('fakex', { fetchBalance: true, fetchOpenOrders: true, fetchWithdrawals: true })
    s.raw.fetchBalance = async () => {
      throw new AuthenticationError('fakex {"code":401,"msg":"invalid key"}')
    }
    const r = await connect(s).poll({})
    expect(r.errors.map((e) => [e.stream, e.fault.category])).toEqual([
      ['balances', 'auth'],
      ['orders', 'auth'],
      ['withdrawals', 'auth']
    ])
    expect(r.errors[1]!.fault.message).toMatch(/^not read: /)
  })
})

describe('kill switch', () => {
  it('Kraken-style: one cancel-all without a symbol (the symbol would be ignored anyway)', async () => {
    const s = stand('kraken', { fetchOpenOrders: true, cancelAllOrders: true })
    s.state.open.push(order('o1'), order('o2', 'XYZ/USDT'))
    const r = await connect(s).killSwitch({ includeGuardianKey: false })
    expect(s.calls.filter((x) => x[0] === 'cancelAllOrders')).toEqual([
      ['cancelAllOrders', undefined]
    ])
    expect(r).toMatchObject({
      ordersCancelled: 2,
      ordersRemaining: 0,
      key: 'manual-revoke-required',
      contained: false,
      manualUrl: 'https://www.kraken.com/u/security/api'
    })
    expect(r.steps.find((x) => x.action === 'cancel-all')!.detail).toMatch(/ignores symbols/)
    expect(r.manualSteps.join(' ')).toMatch(/ending in …9f3a/)
  })

  it('learns a symbol requirement from ArgumentsRequired and cancels market by market', async () => {
    const s = stand('fakex', { fetchOpenOrders: true, cancelAllOrders: true })
    const cancelAll = s.raw.cancelAllOrders
    s.raw.cancelAllOrders = async (symbol?: string) => {
      if (!symbol) throw new ArgumentsRequired('fakex cancelAllOrders() requires a symbol argument')
      return cancelAll(symbol)
    }
    s.state.open.push(order('o1'), order('o2', 'XYZ/USDT'), order('o3', 'XYZ/USDT'))
    const r = await connect(s).killSwitch({ includeGuardianKey: true })
    expect(r.errors).toEqual([])
    expect(r.steps.map((x) => x.action)).toEqual([
      'read-orders',
      'cancel-all ABC/USDT',
      'cancel-all XYZ/USDT',
      'read-back-orders',
      'revoke-key'
    ])
    expect(r.ordersCancelled).toBe(3)
    expect(s.state.open).toEqual([])
    expect(r.manualSteps.join(' ')).toMatch(/Delete Vigil's own key too/)
  })

  it('no cancel-all, no batch cancel: one by one, an order already gone counts as done', async () => {
    const s = stand('fakex', { fetchOpenOrders: true, cancelOrder: true })
    s.state.open.push(order('o1'), order('o2'))
    const cancelOne = s.raw.cancelOrder
    s.raw.cancelOrder = async (orderId: string, symbol: string) => {
      if (orderId === 'o2') {
        s.state.open = s.state.open.filter((o) => o.id !== 'o2')
        throw new OrderNotFound('fakex order o2 not found')
      }
      return cancelOne(orderId, symbol)
    }
    const r = await connect(s).killSwitch({ includeGuardianKey: false })
    expect(r.errors).toEqual([])
    expect(r.ordersRemaining).toBe(0)
    expect(r.ordersCancelled).toBe(2)
    expect(r.steps.filter((x) => x.action.startsWith('cancel ')).every((x) => x.ok)).toBe(true)
  })

  it('orders that survive are reported with the manual step', async () => {
    const s = stand('fakex', { fetchOpenOrders: true, cancelAllOrders: true })
    s.raw.cancelAllOrders = async () => [] // accepted, but nothing happens
    s.state.open.push(order('o1'))
    const r = await connect(s).killSwitch({ includeGuardianKey: false })
    expect(r.ordersRemaining).toBe(1)
    expect(r.steps.map((x) => x.action)).toContain('cancel-all-retry')
    expect(r.manualSteps[0]).toMatch(/1 order is still open/)
  })
  it('an unconfirmed read-back is never reported as zero orders left', async () => {
    const s = stand('kraken', { fetchOpenOrders: true, cancelAllOrders: true })
    s.state.open.push(order('o1'), order('o2'))
    const list = s.raw.fetchOpenOrders
    let reads = 0
    s.raw.fetchOpenOrders = async (...args: Parameters<typeof list>) => {
      if (++reads > 1) throw Object.assign(new Error('fetch failed'), { name: 'NetworkError' })
      return list(...args)
    }
    const r = await connect(s).killSwitch({ includeGuardianKey: false })
    expect(r.ordersRemaining).toBe(2)
    expect(r.manualSteps[0]).toMatch(/could not confirm/)
    expect(r.errors.join(' ')).toMatch(/could not be reached/)
  })
})

describe('keys and dead-man', () => {
  it('cannot disable keys: says exactly what to do by hand', async () => {
    const s = stand('gate', { fetchBalance: true })
    const r = await connect(s).disableKeys(['k1', 'k1'])
    expect(r.disabled).toEqual([])
    expect(r.failed).toHaveLength(1)
    expect(r.failed[0]!.error).toMatch(/https:\/\/www\.gate\.com\/myaccount\/api_key_manage/)
  })

  it('arms the exchange timer through cancelAllOrdersAfter where it exists', async () => {
    const s = stand('kraken', { cancelAllOrdersAfter: true })
    const c = connect(s)
    expect(await c.deadMan(60_000)).toMatchObject({ armed: true })
    expect(s.calls).toContainEqual(['cancelAllOrdersAfter', 60_000])
    expect(await c.deadMan(0)).toMatchObject({ armed: false })
    const none = connect(stand('fakex', {}))
    expect(await none.deadMan(60_000)).toMatchObject({ armed: false })
  })
})
