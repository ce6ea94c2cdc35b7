/**
 * The Binance connector against the real local simulator, over real HTTP, through unmodified ccxt
 * built by the production factory: backfill, live polling with idempotent cursors while the
 * via-burst scenario plays, every fault kind with recovery, the weight budget at the default
 * interval, rate limiting, the kill switch read back from the simulator, and a futures account
 * with wallet, leverage and key changes.
 */
import { readFileSync } from 'node:fs'

import ccxt from 'ccxt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { createBinanceConnector } from '../../../../main/core/exchanges/binance'
import { binanceKeyId, IP_RESTRICTED } from '../../../../main/core/exchanges/binance-parse'
import { createCcxtFactory } from '../../../../main/core/exchanges/ccxt-factory'
import type { Connector, Cursors, PollResult } from '../../../../main/core/exchanges/connector'
import type { NewEvent } from '../../../../main/core/model'
import { silentLogger, type Clock } from '../../../../main/core/ports'
import { loadScenario } from '../../../../main/replay/scenario'
import { rewriteApiUrls, startSimulator, type Simulator } from '../../../../main/simulator'

const VIA_BURST = '/work/shared/scenarios/via-burst-binance.json'
const DAY = 86_400_000
const MINUTE = 60_000

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

const rawId = (e: NewEvent): string => e.exchangeRecordId.split('#')[0]!

/** One connector with its cursors, recording everything it delivers. */
class Harness {
  cursors: Cursors = {}
  readonly delivered: NewEvent[] = []
  constructor(
    readonly connector: Connector,
    readonly clock: TestClock
  ) {}
  async backfill(): Promise<PollResult> {
    const result = await this.connector.backfill({ since: this.clock.now() - 90 * DAY })
    this.cursors = result.cursors
    this.delivered.push(...result.events)
    return result
  }
  async poll(): Promise<PollResult> {
    const result = await this.connector.poll(this.cursors)
    this.cursors = { ...this.cursors, ...result.cursors }
    this.delivered.push(...result.events)
    return result
  }
  once(): void {
    const ids = this.delivered.map((e) => `${e.kind}|${e.exchangeRecordId}`)
    const dup = ids.filter((id, i) => ids.indexOf(id) !== i)
    expect(dup).toEqual([])
  }
}

const connectorFor = async (
  sim: Simulator,
  clock: TestClock,
  account: string,
  endpoint?: string
): Promise<Harness> => {
  const exchange = await createCcxtFactory({ timeoutMs: 1500 }).create(
    { exchange: 'binance', endpoint: endpoint ?? sim.endpointFor('binance') },
    sim.credentials(account)
  )
  const connector = createBinanceConnector(
    exchange,
    { id: account, exchange: 'binance', selfKeyId: null },
    { clock, logger: silentLogger }
  )
  return new Harness(connector, clock)
}

/** via-burst plus small market buys to play during each kind of fault. */
const FAULTS = ['http_429', 'http_5xx', 'timeout', 'malformed', 'maintenance'] as const
function viaBurstWithFaultOrders() {
  const doc = JSON.parse(readFileSync(VIA_BURST, 'utf8')) as { timeline: unknown[] }
  FAULTS.forEach((_, i) =>
    doc.timeline.push({
      at: 20 + i,
      account: 'main',
      kind: 'order',
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'market',
      amount: 0.001
    })
  )
  // 10: an order and 11: a new withdrawal address, played while one answer is malformed.
  doc.timeline.push(
    {
      at: 30,
      account: 'main',
      kind: 'order',
      symbol: 'ETH/USDT',
      side: 'buy',
      type: 'market',
      amount: 0.01
    },
    {
      at: 31,
      account: 'main',
      kind: 'address_added',
      currency: 'ETH',
      address: '0x00000000000000000000000000000000000a77ac'
    }
  )
  return loadScenario(doc)
}

describe('Binance connector against the simulator (via-burst-binance)', () => {
  const clock = new TestClock(Date.UTC(2026, 10, 20, 12))
  let sim: Simulator
  let h: Harness

  beforeAll(async () => {
    sim = await startSimulator({ scenario: viaBurstWithFaultOrders(), clock, startAt: clock.now() })
    h = await connectorFor(sim, clock, 'main')
  })
  afterAll(async () => {
    await h?.connector.close()
    await sim?.close()
  })

  /** Plays timeline events one second apart, as the scenario's clock would. */
  const play = (...indices: number[]): void => {
    for (const i of indices) {
      clock.advance(1000)
      sim.apply(i)
    }
    clock.advance(500)
  }

  it('backfills 45 days of history with progress, its own key and valued balances', async () => {
    const progress: number[] = []
    const result = await h.connector.backfill({
      since: clock.now() - 90 * DAY,
      onProgress: (p) => progress.push(p)
    })
    h.cursors = result.cursors
    h.delivered.push(...result.events)
    expect(result.errors).toEqual([])

    const types = new Set(result.events.map((e) => e.type))
    for (const t of ['order.new', 'fill.new', 'address.seen']) expect(types, t).toContain(t)
    const orders = result.events.filter((e) => e.type === 'order.new')
    const symbols = new Set(orders.map((e) => (e.data as { symbol: string }).symbol))
    expect([...symbols].sort()).toEqual(['BTC/USDT', 'ETH/USDT'])
    expect(orders.every((e) => e.ts < sim.startAt && e.ts >= sim.startAt - 46 * DAY)).toBe(true)
    expect(orders.every((e) => ((e.data as { notionalUsd: number }).notionalUsd ?? 0) > 0)).toBe(
      true
    )
    expect(new Set(orders.map((e) => (e.data as { origin: string }).origin))).toEqual(
      new Set(['web', 'api'])
    )
    const fills = result.events.filter((e) => e.type === 'fill.new')
    expect(fills.length).toBeGreaterThan(500)
    expect(fills.every((e) => e.exchangeRecordId.includes('#spot:'))).toBe(true)
    expect(result.openOrders).toBe(sim.openOrders('main'))
    expect(result.openOrders).toBe(6)

    const self = result.keys!
    expect(self).toHaveLength(1)
    expect(self[0]).toMatchObject({
      keyId: binanceKeyId(sim.credentials('main').apiKey),
      self: true,
      ipWhitelist: [],
      enabled: true
    })
    expect(self[0]!.permissions).toEqual(expect.arrayContaining(['read', 'spot']))
    expect(self[0]!.permissions).not.toContain('withdraw')
    expect(self[0]!.createdAt).toBe(sim.keys('main').find((k) => k.self)!.createdAt)
    expect(JSON.stringify(result)).not.toContain(sim.credentials('main').apiKey)
    const balances = Object.fromEntries(result.balances!.map((b) => [b.currency, b]))
    expect(balances.BTC).toMatchObject({ total: 0.8, usdValue: 48000 })
    expect(balances.LTC!.usdValue).toBeCloseTo(3200, 0)

    expect(progress.length).toBeGreaterThan(3)
    expect(progress.at(-1)).toBe(1)
    expect(progress.every((p, i) => i === 0 || p >= progress[i - 1]!)).toBe(true)
    expect(Object.keys(h.cursors)).toEqual(
      expect.arrayContaining([
        'fills:spot:BTCUSDT',
        'orders:spot:ETHUSDT',
        'fills:spot:LTCBTC',
        'withdrawals',
        'deposits',
        'transfers',
        'addresses'
      ])
    )
    // VIA is not held: nothing to read on VIA/BTC yet.
    expect(h.cursors['fills:spot:VIABTC']).toBeUndefined()
    clock.advance(1000)
    const again = await h.poll()
    expect(again.errors).toEqual([])
    expect(again.events).toEqual([])
  }, 60_000)

  it('sees each attack order and fill once, attributed, however often it polls', async () => {
    for (const i of [0, 1, 2, 3, 4]) {
      play(i)
      const r = await h.poll()
      expect(r.errors).toEqual([])
      const order = r.events.find((e) => e.type === 'order.new')!
      const fill = r.events.find((e) => e.type === 'fill.new')!
      expect(order, `event ${i}`).toBeDefined()
      expect(fill, `event ${i}`).toBeDefined()
      expect(sim.originOf('main', rawId(order))).toBe(i)
      expect(sim.originOf('main', rawId(fill))).toBe(i)
      expect(order.data).toMatchObject({ type: 'market', status: 'filled', origin: 'api' })
      expect((fill.data as { marketPrice: number }).marketPrice).toBeGreaterThan(0)
      clock.advance(1000)
      expect((await h.poll()).events).toEqual([])
    }
    const via = h.delivered.filter((e) => (e.data as { symbol?: string }).symbol === 'VIA/BTC')
    expect(via.filter((e) => e.type === 'fill.new')).toHaveLength(3)
    // VIA/BTC was found through the balance move and is watched from now on.
    expect(h.cursors['fills:spot:VIABTC']).toBeDefined()
    const eth = h.delivered.find(
      (e) => e.type === 'order.new' && sim.originOf('main', rawId(e)) === 1
    )!
    expect((eth.data as { notionalUsd: number }).notionalUsd).toBeCloseTo(18000)
    h.once()
  }, 60_000)

  it('stays within 10 % of the documented weight limits at the default 10 s interval', async () => {
    const since = clock.now() + 1
    const polls = 13
    for (let i = 0; i < polls; i++) {
      clock.advance(10_000)
      expect((await h.poll()).errors).toEqual([])
    }
    const minutes = (polls * 10_000) / MINUTE
    const entries = sim.requests.entries({ exchange: 'binance', since })
    const weight = (prefix: string): number =>
      entries.filter((r) => r.path.startsWith(prefix)).reduce((s, r) => s + (r.cost ?? 0), 0)
    const perMinute = {
      requests: entries.length / minutes,
      spot: weight('/api/') / minutes,
      sapi: weight('/sapi/') / minutes,
      usdm: weight('/fapi/') / minutes,
      uid:
        (entries.filter((r) => r.path === '/sapi/v1/capital/withdraw/history').length * 18_000) /
        minutes
    }
    if (process.env.VIGIL_VERBOSE_TESTS)
      process.stderr.write(
        `binance budget per minute at 10 s: ${JSON.stringify(perMinute)} by path ${JSON.stringify(sim.requests.byPath({ since }))}\n`
      )
    expect(perMinute.spot).toBeLessThanOrEqual(600)
    expect(perMinute.sapi).toBeLessThanOrEqual(1200)
    expect(perMinute.usdm).toBeLessThanOrEqual(240)
    expect(perMinute.uid).toBeLessThanOrEqual(18_000)
    // Every watched symbol's fills were still read within that time (the rotation).
    const fills = entries.filter((r) => r.path === '/api/v3/myTrades').length
    expect(fills).toBeGreaterThanOrEqual(4)
  }, 60_000)

  it('survives each fault kind and delivers the order placed during it exactly once after', async () => {
    for (const [k, fault] of FAULTS.entries()) {
      clock.advance(1000)
      sim.setFault({ fault, seconds: 3, account: 'main' })
      sim.apply(5 + k)
      const during = await h.poll()
      expect(during.errors.length, fault).toBeGreaterThan(0)
      expect(
        during.events.filter((e) => e.kind === 'order'),
        fault
      ).toEqual([])
      const category = during.errors[0]!.fault.category
      expect(category, fault).toBe(
        {
          http_429: 'rate-limit',
          http_5xx: 'transient',
          timeout: 'transient',
          malformed: 'malformed',
          maintenance: 'maintenance'
        }[fault]
      )
      clock.advance(4000)
      const after = await h.poll()
      expect(after.errors, fault).toEqual([])
      const order = after.events.find((e) => e.type === 'order.new')
      expect(order, fault).toBeDefined()
      expect(sim.originOf('main', rawId(order!))).toBe(5 + k)
      clock.advance(1000)
      expect((await h.poll()).events, fault).toEqual([])
    }
    h.once()
  }, 90_000)

  it('a malformed answer fails only its own stream: the others deliver, its cursor stays', async () => {
    const book = sim.world.account('main').addressBook
    const cursorBefore = h.cursors.addresses
    // The exchange starts answering the address list with an entry that has no address.
    book.push({
      currency: 'BTC',
      address: '',
      network: null,
      label: 'broken',
      createdAt: clock.now()
    })
    play(10, 11)
    const r = await h.poll()
    expect(r.errors.map((e) => [e.stream, e.fault.category])).toEqual([['addresses', 'malformed']])
    expect(
      r.events.filter((e) => e.type === 'order.new').map((e) => sim.originOf('main', rawId(e)))
    ).toEqual([10])
    expect(r.cursors.addresses).toBe(cursorBefore)
    // Once the answer is whole again, the address added meanwhile arrives, once.
    book.splice(
      book.findIndex((a) => a.address === ''),
      1
    )
    clock.advance(1000)
    const fixed = await h.poll()
    expect(fixed.errors).toEqual([])
    const added = fixed.events.filter((e) => e.type === 'address.added')
    expect(added.map((e) => sim.originOf('main', rawId(e)))).toEqual([11])
    clock.advance(1000)
    expect((await h.poll()).events).toEqual([])
    h.once()
  }, 30_000)

  it('an overspending client gets the IP 429 then 418; the connector classifies it rate-limit', async () => {
    const greedy = new ccxt.binance({
      ...sim.credentials('main'),
      enableRateLimit: false,
      options: { warnOnFetchOpenOrdersWithoutSymbol: false }
    })
    greedy.urls.api = rewriteApiUrls(greedy.urls.api, sim.endpointFor('binance'))
    const statuses: string[] = []
    for (let i = 0; i < 120; i++) {
      try {
        await greedy.privateGetOpenOrders()
      } catch (error) {
        statuses.push((error as Error).message.includes(' 418 ') ? '418' : '429')
        if (statuses.at(-1) === '418') break
      }
    }
    expect(statuses[0]).toBe('429')
    expect(statuses.at(-1)).toBe('418')
    clock.advance(1000)
    const r = await h.poll()
    expect(r.errors.length).toBeGreaterThan(0)
    expect(r.errors[0]!.fault.category).toBe('rate-limit')
    expect(r.errors[0]!.fault.retryAfterMs).toBeGreaterThan(0)
    // The ban lifts; nothing was lost meanwhile.
    clock.advance(3 * MINUTE)
    expect((await h.poll()).errors).toEqual([])
    h.once()
  }, 60_000)

  it('a restarted connector resumes from the stored cursors without repeating anything', async () => {
    const restarted = await connectorFor(sim, clock, 'main')
    restarted.cursors = { ...h.cursors }
    clock.advance(1000)
    const r = await restarted.poll()
    expect(r.errors).toEqual([])
    expect(r.events).toEqual([])
    // It read every symbol the cursors name once (VIA/BTC included), then goes quiet.
    const paths = sim.requests.entries({ exchange: 'binance', since: clock.now() })
    expect(paths.filter((e) => e.path === '/api/v3/myTrades').length).toBeGreaterThanOrEqual(4)
    clock.advance(1000)
    expect((await restarted.poll()).events).toEqual([])
    await restarted.connector.close()
  }, 30_000)

  it('kill switch: cancels every symbol, reads back zero, marks the key; twice is harmless', async () => {
    expect(sim.openOrders('main')).toBe(6)
    // Binance's edge fails for 200 ms: the first listing is retried after a back-off on the clock.
    const plainTimeout = clock.setTimeout.bind(clock)
    clock.setTimeout = (fn: () => void, ms?: number): (() => void) => {
      clock.advance(ms ?? 0)
      return plainTimeout(fn)
    }
    sim.setFault({ fault: 'http_5xx', seconds: 0.2, account: 'main' })
    const first = await h.connector.killSwitch({ includeGuardianKey: false }).finally(() => {
      clock.setTimeout = plainTimeout
    })
    expect(first.steps[0]).toMatchObject({ action: 'list-open-orders', ok: true, attempts: 2 })
    expect(first).toMatchObject({
      account: 'main',
      exchange: 'binance',
      ordersCancelled: 6,
      ordersRemaining: 0,
      key: 'manual-revoke-required',
      manualUrl: 'https://www.binance.com/en/my/settings/api-management',
      errors: [],
      contained: false
    })
    expect(sim.openOrders('main')).toBe(0)
    expect(first.steps.map((s) => s.action)).toEqual(
      expect.arrayContaining([
        'list-open-orders',
        'cancel-spot BTCUSDT',
        'cancel-spot ETHUSDT',
        'read-back-orders',
        'mark-key-untrusted'
      ])
    )
    expect(first.manualSteps.join(' ')).toContain(
      'https://www.binance.com/en/my/settings/api-management'
    )
    expect(sim.keys('main').find((k) => k.self)).toMatchObject({ enabled: true, removed: false })

    const second = await h.connector.killSwitch({ includeGuardianKey: true })
    expect(second).toMatchObject({
      ordersCancelled: 0,
      ordersRemaining: 0,
      key: 'manual-revoke-required',
      errors: []
    })

    clock.advance(1000)
    const marked = await h.poll()
    expect(marked.events.map((e) => e.type)).toEqual(['key.untrusted'])
    clock.advance(1000)
    expect((await h.poll()).events).toEqual([])
    h.once()
  }, 60_000)
})

describe('Binance connector: USDⓈ-M, wallet and key changes', () => {
  const clock = new TestClock(Date.UTC(2026, 10, 21, 9))
  let sim: Simulator
  let h: Harness
  const ATTACKER = 'bc1qattacker0000000000000000000000000000'

  beforeAll(async () => {
    const scenario = loadScenario({
      format: 'vigil-scenario/1',
      name: 'binance-futures',
      seed: 21,
      accounts: [
        {
          id: 'fut',
          exchange: 'binance',
          key: {
            permissions: ['read', 'spot', 'futures', 'transfer'],
            ipWhitelist: ['84.17.32.10'],
            ageDays: 40
          },
          balances: { USDT: 50000, BTC: 1 },
          markets: ['BTC/USDT', 'BTC/USDT:USDT', 'ETH/USDT:USDT']
        }
      ],
      history: {
        days: 20,
        trading: {
          symbols: ['BTC/USDT:USDT', 'BTC/USDT'],
          ordersPerDay: 6,
          notionalUsd: [500, 3000],
          marketShare: 0.3,
          hours: [0, 23],
          openOrders: 4,
          leverage: 5
        },
        withdrawals: {
          perMonth: 4,
          addresses: ['bc1qhome0000000000000000000000000000000'],
          amountUsd: [500, 2000]
        }
      },
      timeline: [
        {
          at: 1,
          account: 'fut',
          kind: 'order',
          symbol: 'BTC/USDT:USDT',
          side: 'buy',
          type: 'market',
          amount: 0.2
        },
        { at: 2, account: 'fut', kind: 'leverage', symbol: 'BTC/USDT:USDT', leverage: 50 },
        { at: 3, account: 'fut', kind: 'address_added', currency: 'BTC', address: ATTACKER },
        {
          at: 4,
          account: 'fut',
          kind: 'withdrawal',
          currency: 'BTC',
          amount: 0.5,
          address: ATTACKER
        },
        { at: 5, account: 'fut', kind: 'transfer', currency: 'USDT', amount: 900, to: 'sub' },
        {
          at: 6,
          account: 'fut',
          kind: 'transfer',
          currency: 'USDT',
          amount: 700,
          to: 'external-user'
        },
        {
          at: 7,
          account: 'fut',
          kind: 'api_key_changed',
          keyId: 'self',
          ipWhitelist: [],
          permissions: ['read', 'spot', 'futures', 'transfer', 'withdraw']
        },
        {
          at: 8,
          account: 'fut',
          kind: 'order',
          symbol: 'ETH/USDT:USDT',
          side: 'sell',
          type: 'limit',
          amount: 1,
          price: 3300
        },
        { at: 9, account: 'fut', kind: 'cancel', orderId: 'all' },
        { at: 10, account: 'fut', kind: 'api_key_removed', keyId: 'self' }
      ]
    })
    sim = await startSimulator({ scenario, clock, startAt: clock.now() })
    h = await connectorFor(sim, clock, 'fut')
  })
  afterAll(async () => {
    await h?.connector.close()
    await sim?.close()
  })

  /** Plays an event and polls; `gap` lets wallet reads (at most one per 10 s) come due. */
  const step = async (index: number, gap = 1000): Promise<PollResult> => {
    clock.advance(gap)
    sim.apply(index)
    clock.advance(200)
    const r = await h.poll()
    expect(r.errors, `event ${index}`).toEqual([])
    return r
  }
  const of = (r: PollResult, type: string): NewEvent[] => r.events.filter((e) => e.type === type)

  it('backfills futures history, positions, leverage and the address baseline', async () => {
    const result = await h.backfill()
    expect(result.errors).toEqual([])
    const types = new Set(result.events.map((e) => e.type))
    for (const t of ['order.new', 'fill.new', 'withdrawal.new', 'address.seen', 'leverage.changed'])
      expect(types, t).toContain(t)
    expect(types).not.toContain('address.added')
    const futuresOrders = result.events.filter(
      (e) => e.type === 'order.new' && (e.data as { symbol: string }).symbol === 'BTC/USDT:USDT'
    )
    expect(futuresOrders.length).toBeGreaterThan(10)
    expect(futuresOrders.every((e) => (e.data as { leverage: number }).leverage === 5)).toBe(true)
    expect(result.openOrders).toBe(sim.openOrders('fut'))
    expect(result.keys![0]).toMatchObject({ ipWhitelist: [IP_RESTRICTED] })
    expect(result.keys![0]!.permissions).toEqual(expect.arrayContaining(['futures', 'transfer']))
    clock.advance(1000)
    expect((await h.poll()).events).toEqual([])
  }, 60_000)

  it('sees a futures market order, its position and a leverage change', async () => {
    const order = await step(0)
    expect(of(order, 'order.new').map((e) => sim.originOf('fut', rawId(e)))).toEqual([0])
    expect(of(order, 'fill.new')).toHaveLength(1)
    // The position the history left moved by the 0.2 bought, as the simulator holds it.
    const held = sim.world.account('fut').positions.get('BTC/USDT:USDT')!.size
    const position = of(order, 'position.changed')
    expect(position).toHaveLength(1)
    expect(position[0]!.data).toMatchObject({
      symbol: 'BTC/USDT:USDT',
      side: held > 0 ? 'long' : 'short',
      size: Math.abs(held)
    })
    const lev = await step(1)
    const changed = of(lev, 'leverage.changed')
    expect(changed).toHaveLength(1)
    expect(changed[0]!.data).toMatchObject({ symbol: 'BTC/USDT:USDT', leverage: 50, previous: 5 })
    expect(sim.originOf('fut', rawId(changed[0]!))).toBe(1)
  }, 30_000)

  it('sees the new address (added, not seen), the withdrawal and both transfers', async () => {
    const address = await step(2)
    expect(
      of(address, 'address.added').map((e) => [rawId(e), sim.originOf('fut', rawId(e))])
    ).toEqual([[`BTC:${ATTACKER}`, 2]])
    const withdrawal = await step(3, 11_000)
    const w = of(withdrawal, 'withdrawal.new')
    expect(w).toHaveLength(1)
    expect(w[0]!.data).toMatchObject({ currency: 'BTC', amount: 0.5, address: ATTACKER })
    expect((w[0]!.data as { amountUsd: number }).amountUsd).toBeCloseTo(30000)
    expect(sim.originOf('fut', rawId(w[0]!))).toBe(3)
    const sub = await step(4, 11_000)
    expect(of(sub, 'transfer.new').map((e) => [e.data, sim.originOf('fut', rawId(e))])).toEqual([
      [expect.objectContaining({ to: 'sub', currency: 'USDT', amount: 900 }), 4]
    ])
    const external = await step(5, 11_000)
    expect(
      of(external, 'transfer.new').map((e) => [e.data, sim.originOf('fut', rawId(e))])
    ).toEqual([
      [expect.objectContaining({ to: 'external-user', currency: 'USDT', amount: 700 }), 5]
    ])
    expect(of(external, 'withdrawal.new')).toEqual([])
  }, 30_000)

  it("reports its own key's changes, resting and cancelled futures orders, and a deleted key", async () => {
    const key = await step(6)
    expect(key.keys![0]).toMatchObject({ ipWhitelist: [] })
    expect(key.keys![0]!.permissions).toContain('withdraw')
    const rest = await step(7)
    expect(of(rest, 'order.new').map((e) => [e.data, sim.originOf('fut', rawId(e))])).toEqual([
      [expect.objectContaining({ symbol: 'ETH/USDT:USDT', status: 'new', type: 'limit' }), 7]
    ])
    const cancel = await step(8)
    const updated = of(cancel, 'order.updated')
    expect(updated.length).toBeGreaterThan(1)
    expect(updated.every((e) => (e.data as { status: string }).status === 'canceled')).toBe(true)
    expect(updated.every((e) => sim.originsOf('fut', rawId(e)).includes(8))).toBe(true)
    clock.advance(1000)
    sim.apply(9)
    const gone = await h.poll()
    expect(gone.keys).toEqual([])
    expect(gone.errors[0]!.fault.category).toBe('auth')
    expect(gone.errors[0]!.fault.message).toContain('-2008')
    h.once()
  }, 30_000)
})

describe('Binance connector: USDⓈ-M budget and kill switch with positions', () => {
  const clock = new TestClock(Date.UTC(2026, 10, 22, 15))
  let sim: Simulator
  let h: Harness

  beforeAll(async () => {
    const scenario = loadScenario({
      format: 'vigil-scenario/1',
      name: 'binance-usdm-kill',
      seed: 4,
      accounts: [
        {
          id: 'f',
          exchange: 'binance',
          key: {
            permissions: ['read', 'spot', 'futures'],
            ipWhitelist: ['84.17.32.10'],
            ageDays: 60
          },
          balances: { USDT: 30000, BTC: 0.5, ETH: 3 },
          markets: ['BTC/USDT', 'ETH/USDT', 'BTC/USDT:USDT', 'ETH/USDT:USDT']
        }
      ],
      history: {
        days: 30,
        trading: {
          symbols: ['BTC/USDT:USDT', 'ETH/USDT:USDT', 'BTC/USDT'],
          ordersPerDay: 10,
          notionalUsd: [300, 2000],
          marketShare: 0.4,
          hours: [0, 23],
          openOrders: 5,
          leverage: 10
        }
      },
      timeline: []
    })
    sim = await startSimulator({ scenario, clock, startAt: clock.now() })
    h = await connectorFor(sim, clock, 'f')
  })
  afterAll(async () => {
    await h?.connector.close()
    await sim?.close()
  })

  it('stays within 10 % of the USDⓈ-M limit too at the default 10 s interval', async () => {
    expect((await h.backfill()).errors).toEqual([])
    const since = clock.now() + 1
    for (let i = 0; i < 13; i++) {
      clock.advance(10_000)
      expect((await h.poll()).errors).toEqual([])
    }
    const minutes = (13 * 10_000) / MINUTE
    const entries = sim.requests.entries({ exchange: 'binance', since })
    const weight = (prefix: string): number =>
      entries.filter((r) => r.path.startsWith(prefix)).reduce((s, r) => s + (r.cost ?? 0), 0)
    const perMinute = {
      requests: entries.length / minutes,
      spot: weight('/api/') / minutes,
      sapi: weight('/sapi/') / minutes,
      usdm: weight('/fapi/') / minutes
    }
    if (process.env.VIGIL_VERBOSE_TESTS)
      process.stderr.write(
        `binance (spot + USDⓈ-M) budget per minute at 10 s: ${JSON.stringify(perMinute)} by path ${JSON.stringify(sim.requests.byPath({ since }))}\n`
      )
    expect(perMinute.spot).toBeLessThanOrEqual(600)
    expect(perMinute.sapi).toBeLessThanOrEqual(1200)
    expect(perMinute.usdm).toBeLessThanOrEqual(240)
    h.once()
  }, 60_000)

  it('cancels spot and USDⓈ-M orders per symbol and closes positions when asked', async () => {
    const account = sim.world.account('f')
    const positions = () => [...account.positions.values()].filter((p) => p.size !== 0)
    expect(positions().length).toBeGreaterThan(0)
    expect(sim.openOrders('f')).toBe(5)
    // A conditional (algo) stop order rests outside the book: the kill switch cancels it too.
    const trader = new ccxt.binance({ ...sim.credentials('f'), enableRateLimit: false })
    trader.urls.api = rewriteApiUrls(trader.urls.api, sim.endpointFor('binance'))
    await trader.fapiPrivatePostAlgoOrder({
      algoType: 'CONDITIONAL',
      symbol: 'ETHUSDT',
      side: 'SELL',
      type: 'STOP_MARKET',
      quantity: '1',
      triggerPrice: '2500'
    })
    expect(await trader.fapiPrivateGetOpenAlgoOrders()).toHaveLength(1)
    const result = await h.connector.killSwitch({ includeGuardianKey: false, closePositions: true })
    expect(result.errors).toEqual([])
    expect(result.steps.map((s) => s.action)).toContain('cancel-algo ETHUSDT')
    expect(await trader.fapiPrivateGetOpenAlgoOrders()).toEqual([])
    expect(result.ordersCancelled).toBe(6)
    expect(result.ordersRemaining).toBe(0)
    expect(sim.openOrders('f')).toBe(0)
    expect(positions()).toEqual([])
    expect(
      result.steps.filter((s) => s.action.startsWith('close-position')).every((s) => s.ok)
    ).toBe(true)
    expect(result.key).toBe('manual-revoke-required')
  }, 30_000)
})
