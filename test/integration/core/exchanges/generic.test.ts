/**
 * The generic connector (ccxt's unified API only) against the real local simulator, over real
 * HTTP, through unmodified ccxt built by the production factory. Three dialects exercise its three
 * shapes of exchange:
 * - Deribit: calls without a symbol answer for one currency (per-currency scopes), withdrawals need
 *   a currency code, one-call cancel-all;
 * - Binance: trades and closed orders need a symbol (per-symbol scopes learned from balances and
 *   activity), cancel-all needs a symbol;
 * - OKX: no cancelAllOrders at all (open orders cancelled in batches, then trigger orders).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { createCcxtFactory } from '../../../../main/core/exchanges/ccxt-factory'
import type { Cursors, PollResult } from '../../../../main/core/exchanges/connector'
import {
  createGenericConnector,
  type GenericConnector
} from '../../../../main/core/exchanges/generic'
import type { NewEvent } from '../../../../main/core/model'
import { silentLogger, type Clock } from '../../../../main/core/ports'
import { loadScenario } from '../../../../main/replay/scenario'
import { startSimulator, type Simulator } from '../../../../main/simulator'

const DAY = 86_400_000

/** Scenario time moves only when the test says so; waits (retry backoff) pass at once. */
class TestClock implements Clock {
  constructor(public current: number) {}
  now(): number {
    return this.current
  }
  setTimeout(fn: () => void): () => void {
    const h = setImmediate(fn)
    return () => clearImmediate(h)
  }
  advance(ms: number): void {
    this.current += ms
  }
}

/** One simulator + generic connector per scenario, with the cursor bookkeeping of the watcher. */
const harness = (file: string, accountId: string, exchangeId: string) => {
  const clock = new TestClock(Date.UTC(2026, 10, 20, 12))
  const h = {
    clock,
    sim: undefined as unknown as Simulator,
    connector: undefined as unknown as GenericConnector,
    cursors: {} as Cursors,
    delivered: [] as NewEvent[],
    async start(): Promise<void> {
      const scenario = loadScenario(file)
      h.sim = await startSimulator({ scenario, clock, startAt: clock.now() })
      const exchange = await createCcxtFactory().create(
        { exchange: exchangeId, endpoint: h.sim.endpointFor(exchangeId as 'deribit') },
        h.sim.credentials(accountId)
      )
      h.connector = createGenericConnector(
        exchange,
        { id: accountId, exchange: exchangeId, selfKeyId: null },
        { clock, logger: silentLogger }
      )
    },
    async backfill(): Promise<PollResult> {
      const progress: number[] = []
      const result = await h.connector.backfill({
        since: clock.now() - 90 * DAY,
        onProgress: (p) => progress.push(p)
      })
      expect(progress.at(-1)).toBe(1)
      expect(progress.every((p, i) => i === 0 || p >= progress[i - 1]!)).toBe(true)
      h.cursors = { ...result.cursors }
      h.delivered.push(...result.events)
      return result
    },
    async poll(): Promise<PollResult> {
      const result = await h.connector.poll(h.cursors)
      h.cursors = { ...h.cursors, ...result.cursors }
      h.delivered.push(...result.events)
      return result
    },
    /** Plays timeline events one second apart, as the scenario's clock would. */
    play(...indices: number[]): void {
      for (const i of indices) {
        clock.advance(1000)
        h.sim.apply(i)
      }
      clock.advance(500)
    },
    async stop(): Promise<void> {
      await h.connector?.close()
      await h.sim?.close()
    },
    rawId: (e: NewEvent): string => e.exchangeRecordId.split('#')[0]!,
    /** Every record delivered exactly once. */
    expectOnce(): void {
      const ids = h.delivered.map((e) => `${e.kind}|${e.exchangeRecordId}`)
      const dupes = ids.filter((id, i) => ids.indexOf(id) !== i)
      expect(dupes).toEqual([])
    },
    counts(events: NewEvent[]): Record<string, number> {
      const out: Record<string, number> = {}
      for (const e of events) out[e.type] = (out[e.type] ?? 0) + 1
      return out
    }
  }
  return h
}

const verbose = (label: string, value: unknown): void => {
  if (process.env.VIGIL_VERBOSE_TESTS)
    process.stderr.write(`${label}: ${JSON.stringify(value).slice(0, 3000)}\n`)
}

describe('generic connector against the Deribit dialect (takeover-deribit)', () => {
  const h = harness('/work/shared/scenarios/takeover-deribit.json', 'drb', 'deribit')
  beforeAll(() => h.start())
  afterAll(() => h.stop())

  it('reports what it can and cannot see', () => {
    const caps = Object.fromEntries(h.connector.capabilities().map((c) => [c.id, c]))
    expect(caps.loginHistory!.supported).toBe(false)
    expect(caps.revokeKey!.supported).toBe(false)
    expect(caps.cancelAll!.supported).toBe(true)
    expect(caps.withdrawals!.note).toMatch(/per currency/)
  })

  it('backfills orders, fills, withdrawals and balances per currency', async () => {
    const result = await h.backfill()
    verbose('deribit backfill', { counts: h.counts(result.events), errors: result.errors })
    // Deribit's order history ignores `since` and answers newest-first: through ccxt's unified
    // API only the newest page per currency is reachable, and the connector says so.
    expect(result.errors.map((e) => e.stream)).toEqual(['orders:closed:BTC'])
    expect(result.errors[0]!.fault.message).toMatch(/only the newest 100 closed orders/)
    const types = new Set(result.events.map((e) => e.type))
    for (const t of ['order.new', 'fill.new', 'withdrawal.new']) expect(types, t).toContain(t)
    // No login or key events: ccxt's unified API has no such call.
    expect(result.events.some((e) => e.kind === 'login' || e.kind === 'key')).toBe(false)
    expect(result.keys).toBeUndefined()
    expect(result.openOrders).toBe(h.sim.openOrders('drb'))
    expect(result.openOrders).toBeGreaterThan(0)
    const btc = result.balances!.find((b) => b.currency === 'BTC')!
    expect(btc.total).toBeGreaterThan(0)
    expect(btc.usdValue).toBeGreaterThan(btc.total * 1000)
    // Every fill and every order in the simulated history arrives, each once.
    const world = h.sim.world.account('drb')
    const fills = result.events.filter((e) => e.type === 'fill.new')
    expect(fills.map(h.rawId).sort()).toEqual(world.fills.map((f) => f.id).sort())
    const orders = new Set(result.events.filter((e) => e.type === 'order.new').map(h.rawId))
    const worldOrders = [...world.orders].sort((a, b) => b.createdAt - a.createdAt)
    expect(worldOrders.filter((o) => !orders.has(o.id)).every((o) => o.status !== 'open')).toBe(
      true
    )
    expect([...orders].every((id) => worldOrders.some((o) => o.id === id))).toBe(true)
    expect(orders.size).toBeGreaterThanOrEqual(100)
    expect(fills.some((e) => ((e.data as { notionalUsd: number }).notionalUsd ?? 0) > 0)).toBe(true)
    expect(Object.keys(h.cursors)).toEqual(
      expect.arrayContaining(['orders', 'fills:BTC', 'withdrawals:BTC', 'activity'])
    )
    h.clock.advance(1000)
    const again = await h.poll()
    expect(again.errors).toEqual([])
    expect(again.events).toEqual([])
  }, 60_000)

  it('sees the attacker withdrawal once, however often it polls', async () => {
    h.play(0, 1, 2, 3, 4, 5, 6, 7)
    const quiet = await h.poll()
    expect(quiet.errors).toEqual([])
    // Logins, 2FA, keys and the address book are invisible to the unified API.
    expect(quiet.events).toEqual([])
    h.play(8)
    const w = await h.poll()
    expect(w.errors).toEqual([])
    const withdrawals = w.events.filter((e) => e.kind === 'withdrawal')
    expect(withdrawals).toHaveLength(1)
    expect(withdrawals[0]).toMatchObject({
      type: 'withdrawal.new',
      data: { currency: 'BTC', amount: 2.4, address: 'bc1qattacker0000000000000000000000000000' }
    })
    expect(h.sim.originOf('drb', h.rawId(withdrawals[0]!))).toBe(8)
    h.clock.advance(1000)
    expect((await h.poll()).events).toEqual([])
    h.expectOnce()
  }, 30_000)

  it('a malformed or rate-limited exchange loses nothing', async () => {
    h.sim.setFault({ fault: 'malformed', seconds: 5, account: 'drb' })
    const during = { ...h.cursors }
    const broken = await h.poll()
    expect(broken.events).toEqual([])
    expect(broken.errors.length).toBeGreaterThan(2)
    expect(broken.errors.every((e) => e.fault.category === 'malformed')).toBe(true)
    expect(broken.cursors).toEqual(during)
    h.clock.advance(6000)
    h.sim.setFault({ fault: 'http_429', seconds: 2, account: 'drb' })
    const limited = await h.poll()
    expect(limited.errors[0]!.fault.category).toBe('rate-limit')
    h.clock.advance(3000)
    const recovered = await h.poll()
    expect(recovered.errors).toEqual([])
    h.expectOnce()
  }, 30_000)

  it('kill switch: no open orders left, key left to the trader with exact steps', async () => {
    const before = h.sim.openOrders('drb')
    expect(before).toBeGreaterThan(0)
    const steps: string[] = []
    const result = await h.connector.killSwitch({
      includeGuardianKey: false,
      onStep: (s) => steps.push(s.action)
    })
    verbose('deribit kill switch', result)
    expect(result.errors).toEqual([])
    expect(h.sim.openOrders('drb')).toBe(0)
    expect(result.ordersCancelled).toBe(before)
    expect(result.ordersRemaining).toBe(0)
    expect(result.key).toBe('manual-revoke-required')
    expect(result.contained).toBe(false)
    expect(result.manualUrl).toBe('https://www.deribit.com/account/BTC/api')
    expect(result.manualSteps.join('\n')).toContain('https://www.deribit.com/account/BTC/api')
    expect(steps).toEqual(
      expect.arrayContaining(['read-orders', 'cancel-all', 'read-back-orders', 'revoke-key'])
    )
    // Keys are untouched: the generic connector never manages keys.
    expect(h.sim.keys('drb').every((k) => k.removed || k.enabled)).toBe(true)

    const again = await h.connector.killSwitch({ includeGuardianKey: true })
    expect(again.errors).toEqual([])
    expect(again.ordersCancelled).toBe(0)
    expect(again.ordersRemaining).toBe(0)
    expect(again.manualSteps.join('\n')).toMatch(/Delete Vigil's own key/)
    h.clock.advance(1000)
    const after = await h.poll()
    expect(after.errors).toEqual([])
    expect(after.openOrders).toBe(0)
    // The cancelled orders are reported once each as updates.
    const cancelled = after.events.filter((e) => e.type === 'order.updated')
    expect(cancelled.length).toBe(before)
    expect(cancelled.every((e) => /#(canceled|cancelled|gone)$/.test(e.exchangeRecordId))).toBe(
      true
    )
    h.clock.advance(1000)
    expect((await h.poll()).events).toEqual([])
    h.expectOnce()
  }, 60_000)
})

describe('generic connector against the Binance dialect (via-burst-binance)', () => {
  const h = harness('/work/shared/scenarios/via-burst-binance.json', 'main', 'binance')
  beforeAll(() => h.start())
  afterAll(() => h.stop())
  /** ccxt reports Binance's refusal of the futures call (spot-only key) as a rate limit. */
  const positionsOnly = (r: PollResult): void =>
    expect(r.errors.filter((e) => e.stream !== 'positions')).toEqual([])

  it('backfills per symbol: markets of the balances held, each with its own cursor', async () => {
    const result = await h.backfill()
    verbose('binance backfill', {
      counts: h.counts(result.events),
      errors: result.errors.map((e) => [e.stream, e.fault.message])
    })
    positionsOnly(result)
    const world = h.sim.world.account('main')
    // Paging is by time. The simulator numbers some history fills out of time order (real
    // Binance trade ids grow with time), so a page boundary can skip a handful of them.
    const fills = result.events.filter((e) => e.type === 'fill.new')
    const fillIds = new Set(world.fills.map((f) => f.id))
    expect(fills.every((e) => fillIds.has(h.rawId(e)))).toBe(true)
    expect(fills.length).toBeGreaterThanOrEqual(world.fills.length * 0.99)
    const orders = result.events.filter((e) => e.type === 'order.new')
    expect(orders.map(h.rawId).sort()).toEqual(world.orders.map((o) => o.id).sort())
    // Per-market ids carry their market: Binance numbers orders and trades per symbol.
    expect(orders.every((e) => /^\d+#[A-Z]+\/[A-Z]+$/.test(e.exchangeRecordId))).toBe(true)
    expect(result.openOrders).toBe(h.sim.openOrders('main'))
    expect(Object.keys(h.cursors)).toEqual(
      expect.arrayContaining(['fills:BTC/USDT', 'fills:LTC/BTC', 'orders:closed:ETH/USDT'])
    )
    const usdt = result.balances!.find((b) => b.currency === 'USDT')!
    expect(usdt.usdValue).toBe(usdt.total)
    expect(result.balances!.find((b) => b.currency === 'BTC')!.usdValue).toBeGreaterThan(1000)
    h.clock.advance(1000)
    const again = await h.poll()
    positionsOnly(again)
    expect(again.events).toEqual([])
  }, 60_000)

  it('sees the sell-off and the VIA buys, a market it never traded, once each', async () => {
    h.play(0, 1, 2, 3, 4)
    const p = await h.poll()
    verbose(
      'binance poll',
      p.events.map((e) => [e.type, e.exchangeRecordId])
    )
    positionsOnly(p)
    const origins = (type: string): number[] =>
      p.events
        .filter((e) => e.type === type)
        .map((e) => h.sim.originOf('main', h.rawId(e))!)
        .sort()
    expect(origins('order.new')).toEqual([0, 1, 2, 3, 4])
    expect(origins('fill.new')).toEqual([0, 1, 2, 3, 4])
    const via = p.events.filter(
      (e) => e.type === 'fill.new' && e.exchangeRecordId.endsWith('#VIA/BTC')
    )
    expect(via).toHaveLength(3)
    expect((via[0]!.data as { notionalUsd: number }).notionalUsd).toBeGreaterThan(0)
    h.clock.advance(1000)
    const again = await h.poll()
    positionsOnly(again)
    expect(again.events).toEqual([])
    h.expectOnce()
  }, 60_000)

  it('kill switch cancels per symbol (Binance needs one) and reads back zero', async () => {
    const before = h.sim.openOrders('main')
    expect(before).toBeGreaterThan(0)
    const steps: string[] = []
    const result = await h.connector.killSwitch({
      includeGuardianKey: false,
      onStep: (s) => steps.push(s.action)
    })
    verbose('binance kill switch', result.steps)
    expect(result.errors).toEqual([])
    expect(h.sim.openOrders('main')).toBe(0)
    expect(result.ordersCancelled).toBe(before)
    expect(result.ordersRemaining).toBe(0)
    expect(steps.filter((s) => s.startsWith('cancel-all ')).length).toBeGreaterThan(0)
    expect(steps).not.toContain('cancel-all')
    expect(result.key).toBe('manual-revoke-required')
    expect(result.manualUrl).toBe('https://www.binance.com/en/my/settings/api-management')

    const again = await h.connector.killSwitch({ includeGuardianKey: false })
    expect(again.errors).toEqual([])
    expect(again.ordersCancelled).toBe(0)
    h.clock.advance(1000)
    const after = await h.poll()
    positionsOnly(after)
    expect(after.openOrders).toBe(0)
    const cancelled = after.events.filter((e) => e.type === 'order.updated')
    expect(cancelled).toHaveLength(before)
    expect(cancelled.every((e) => e.exchangeRecordId.endsWith('#canceled'))).toBe(true)
    h.clock.advance(1000)
    expect((await h.poll()).events).toEqual([])
    h.expectOnce()
  }, 60_000)
})

describe('generic connector against the OKX dialect (contra-trade-okx)', () => {
  const h = harness('/work/shared/scenarios/contra-trade-okx.json', 'okx1', 'okx')
  beforeAll(() => h.start())
  afterAll(() => h.stop())

  it('backfills, paging backward where OKX answers newest-first', async () => {
    const result = await h.backfill()
    verbose('okx backfill', {
      counts: h.counts(result.events),
      errors: result.errors.map((e) => [e.stream, e.fault.message])
    })
    expect(result.errors).toEqual([])
    const world = h.sim.world.account('okx1')
    // Through the unified API OKX lists filled orders of the last 7 days (orders-history) and
    // keeps cancelled orders without fills for 2 hours; older ones are out of reach.
    const orders = new Set(result.events.filter((e) => e.type === 'order.new').map(h.rawId))
    const reachable = world.orders.filter(
      (o) =>
        o.status === 'open' || (o.status === 'filled' && o.createdAt >= h.clock.now() - 7 * DAY)
    )
    expect(reachable.filter((o) => !orders.has(o.id))).toEqual([])
    expect([...orders].every((id) => world.orders.some((o) => o.id === id))).toBe(true)
    expect(result.events.filter((e) => e.type === 'fill.new')).toHaveLength(world.fills.length)
    expect(result.openOrders).toBe(h.sim.openOrders('okx1'))
    h.clock.advance(1000)
    const again = await h.poll()
    expect(again.errors).toEqual([])
    expect(again.events).toEqual([])
  }, 60_000)

  it('sees the contra-trade orders once each', async () => {
    h.play(0, 1, 2, 3, 4, 5)
    const p = await h.poll()
    expect(p.errors).toEqual([])
    const orders = p.events.filter((e) => e.type === 'order.new')
    expect(orders.map((e) => h.sim.originOf('okx1', h.rawId(e))).sort()).toEqual([1, 2, 3, 4, 5])
    expect(orders.every((e) => (e.data as { symbol: string }).symbol === 'DMG/USDT')).toBe(true)
    h.clock.advance(1000)
    expect((await h.poll()).events).toEqual([])
    h.expectOnce()
  }, 60_000)

  it('kill switch without cancelAllOrders: batches, then the trigger-order pass', async () => {
    const before = h.sim.openOrders('okx1')
    expect(before).toBeGreaterThan(0)
    const steps: string[] = []
    const result = await h.connector.killSwitch({
      includeGuardianKey: false,
      onStep: (s) => steps.push(s.action)
    })
    verbose('okx kill switch', result.steps)
    expect(result.errors).toEqual([])
    expect(h.sim.openOrders('okx1')).toBe(0)
    expect(result.ordersCancelled).toBe(before)
    expect(steps.some((s) => s.startsWith('cancel-batch '))).toBe(true)
    expect(steps).toContain('read-orders-trigger')
    expect(steps).not.toContain('cancel-all')
    expect(result.key).toBe('manual-revoke-required')
    expect(result.manualSteps[0]).toContain('https://www.okx.com/account/my-api')
    h.clock.advance(1000)
    const after = await h.poll()
    expect(after.errors).toEqual([])
    expect(after.openOrders).toBe(0)
    expect(after.events.filter((e) => e.type === 'order.updated')).toHaveLength(before)
    h.expectOnce()
  }, 60_000)
})
