/**
 * The OKX connector against the real local simulator, over real HTTP, through unmodified ccxt
 * built by the production factory: backfill, live polling with idempotent cursors while a
 * scenario plays, every fault kind (a window of failures, then recovery, then every record exactly
 * once), rate limiting, the kill switch read back from the simulator (fired twice), and the
 * cancel-all-after heartbeat.
 */
import { createServer, request as httpRequest, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

import ccxt from 'ccxt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { createCcxtFactory } from '../../../../main/core/exchanges/ccxt-factory'
import type { Cursors, PollResult } from '../../../../main/core/exchanges/connector'
import { createOkxConnector, type OkxConnector } from '../../../../main/core/exchanges/okx'
import { okxKeyId } from '../../../../main/core/exchanges/okx-parse'
import type { NewEvent } from '../../../../main/core/model'
import { silentLogger, type Clock } from '../../../../main/core/ports'
import { loadScenario, type Scenario } from '../../../../main/replay/scenario'
import { rewriteApiUrls, startSimulator, type Simulator } from '../../../../main/simulator'

const DAY = 86_400_000
const START = Date.UTC(2026, 10, 20, 12)

/**
 * Scenario time moves only when the test says so. Short waits (retry backoff) pass at once; long
 * timers (OKX's cancel-all-after, the heartbeat) fire when `advance` passes them.
 */
class TestClock implements Clock {
  private timers: { at: number; fn: () => void }[] = []
  constructor(public current: number) {}
  now(): number {
    return this.current
  }
  setTimeout(fn: () => void, ms: number): () => void {
    if (ms < 5000) {
      const h = setImmediate(fn)
      return () => clearImmediate(h)
    }
    const timer = { at: this.current + ms, fn }
    this.timers.push(timer)
    return () => {
      this.timers = this.timers.filter((t) => t !== timer)
    }
  }
  /** Whether a long timer is due at exactly `at` (to wait for an async loop to re-arm). */
  hasTimerAt(at: number): boolean {
    return this.timers.some((t) => t.at === at)
  }
  advance(ms: number): void {
    const until = this.current + ms
    for (;;) {
      const due = this.timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0]
      if (!due) break
      this.timers = this.timers.filter((t) => t !== due)
      this.current = Math.max(this.current, due.at)
      due.fn()
    }
    this.current = until
  }
}

function scenario(): Scenario {
  return loadScenario({
    format: 'vigil-scenario/1',
    name: 'okx-connector-test',
    seed: 11,
    accounts: [
      {
        id: 'okx1',
        exchange: 'okx',
        key: { permissions: ['read', 'spot', 'futures'], ipWhitelist: [], ageDays: 120 },
        balances: { USDT: 50000, BTC: 1.2 },
        markets: ['BTC/USDT', 'ETH/USDT', 'DMG/USDT', 'BTC/USDT:USDT']
      }
    ],
    history: {
      days: 30,
      trading: {
        symbols: ['BTC/USDT', 'ETH/USDT', 'BTC/USDT:USDT'],
        ordersPerDay: 20,
        notionalUsd: [100, 2000],
        marketShare: 0.1,
        hours: [9, 23],
        openOrders: 4,
        leverage: 5
      }
    },
    timeline: [
      { at: 2, account: 'okx1', kind: 'price', symbol: 'DMG/USDT', last: 0.05 },
      {
        at: 3,
        account: 'okx1',
        kind: 'order',
        symbol: 'DMG/USDT',
        side: 'buy',
        type: 'limit',
        amount: 20000,
        price: 0.09,
        attack: true
      },
      {
        at: 4,
        account: 'okx1',
        kind: 'order',
        symbol: 'BTC/USDT:USDT',
        side: 'buy',
        type: 'market',
        amount: 0.5,
        attack: true
      },
      {
        at: 5,
        account: 'okx1',
        kind: 'leverage',
        symbol: 'BTC/USDT:USDT',
        leverage: 50,
        attack: true
      },
      {
        at: 6,
        account: 'okx1',
        kind: 'transfer',
        currency: 'USDT',
        amount: 5000,
        to: 'sub',
        attack: true
      },
      {
        at: 7,
        account: 'okx1',
        kind: 'withdrawal',
        currency: 'BTC',
        amount: 0.5,
        address: 'bc1qattacker0000000000000000000000000000',
        attack: true
      },
      {
        at: 8,
        account: 'okx1',
        kind: 'api_key_changed',
        keyId: 'self',
        permissions: ['read', 'spot', 'withdraw'],
        ipWhitelist: ['203.0.113.7'],
        attack: true
      },
      { at: 9, account: 'okx1', kind: 'cancel', orderId: 'all' }
    ]
  })
}

const clock = new TestClock(START)
let sim: Simulator
let connector: OkxConnector
let cursors: Cursors = {}
/** Every event delivered so far, to prove each record arrives exactly once. */
const delivered: NewEvent[] = []
const rawId = (e: NewEvent): string => e.exchangeRecordId.split('#')[0]!
const origin = (e: NewEvent): number | undefined => sim.originOf('okx1', rawId(e))

const poll = async (c: OkxConnector = connector): Promise<PollResult> => {
  const result = await c.poll(cursors)
  cursors = { ...cursors, ...result.cursors }
  delivered.push(...result.events)
  return result
}

/** Plays timeline events, each at its own second after `base`. */
let base = 0
const play = (...indices: number[]): void => {
  const plan = sim.scenario.timeline
  base ||= clock.now()
  for (const i of indices) {
    const due = base + plan[i]!.at * 1000
    if (due > clock.now()) clock.advance(due - clock.now())
    sim.apply(i)
  }
  clock.advance(500)
}

const until = async (pred: () => boolean, ms = 5000): Promise<void> => {
  const end = Date.now() + ms
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 5))
  }
}

const make = async (endpoint: string, timeoutMs?: number): Promise<OkxConnector> => {
  const exchange = await createCcxtFactory({ timeoutMs }).create(
    { exchange: 'okx', endpoint },
    sim.credentials('okx1')
  )
  return createOkxConnector(
    exchange,
    { id: 'okx1', exchange: 'okx', selfKeyId: null },
    { clock, logger: silentLogger }
  )
}

beforeAll(async () => {
  sim = await startSimulator({ scenario: scenario(), clock, startAt: START })
  connector = await make(sim.endpointFor('okx'), 1500)
})

afterAll(async () => {
  await connector?.close()
  await sim?.close()
})

describe('OKX connector against the simulator', () => {
  it('backfills 30 days with progress, the key, balances and every open order', async () => {
    const progress: number[] = []
    const result = await connector.backfill({
      since: clock.now() - 90 * DAY,
      onProgress: (p) => progress.push(p)
    })
    expect(result.errors).toEqual([])
    cursors = result.cursors
    delivered.push(...result.events)
    const counts: Record<string, number> = {}
    for (const e of result.events) counts[e.type] = (counts[e.type] ?? 0) + 1
    if (process.env.VIGIL_VERBOSE_TESTS)
      process.stderr.write(`okx backfill: ${JSON.stringify(counts)}\n`)
    expect(counts['order.new']).toBeGreaterThan(400)
    expect(counts['fill.new']).toBeGreaterThan(300)
    expect(counts['withdrawal.new']).toBeGreaterThanOrEqual(1)
    const past = result.events.filter((e) => e.kind !== 'position')
    expect(past.every((e) => e.ts < START && e.ts >= START - 31 * DAY)).toBe(true)
    // The swap history left a position open: reported as it stands now.
    expect(counts['position.changed']).toBe(1)
    const orders = result.events.filter((e) => e.type === 'order.new')
    // History orders from the trader's ccxt bots carry its broker tag; web orders do not.
    const origins = new Set(orders.map((e) => (e.data as { origin: string | null }).origin))
    expect(origins).toEqual(new Set(['api', null]))
    expect(orders.every((e) => (e.data as { notionalUsd: number }).notionalUsd > 0)).toBe(true)
    const swap = orders.find((e) => (e.data as { symbol: string }).symbol === 'BTC/USDT:USDT')!
    expect(swap.data).toMatchObject({ leverage: 5 })
    expect(result.openOrders).toBe(sim.openOrders('okx1'))
    expect(result.openOrders).toBe(4)

    expect(result.keys).toEqual([
      {
        keyId: okxKeyId(sim.credentials('okx1').apiKey),
        name: 'vigil',
        permissions: ['read', 'spot', 'futures', 'transfer', 'okx:read_only', 'okx:trade'],
        ipWhitelist: [],
        enabled: true,
        self: true,
        createdAt: null,
        expiresAt: null,
        thirdParty: false
      }
    ])
    expect(result.balances).toEqual(
      expect.arrayContaining([
        { currency: 'BTC', total: 1.2, usdValue: 72000 },
        { currency: 'USDT', total: 50000, usdValue: 50000 }
      ])
    )
    expect(JSON.stringify(result)).not.toContain(sim.credentials('okx1').apiKey)
    expect(progress.length).toBeGreaterThan(5)
    expect(progress.at(-1)).toBe(1)
    expect(progress.every((p, i) => i === 0 || p >= progress[i - 1]!)).toBe(true)
    expect(Object.keys(cursors).sort()).toEqual([
      'deposits',
      'fills',
      'leverage',
      'orders',
      'positions',
      'transfers',
      'withdrawals'
    ])

    clock.advance(1000)
    const again = await poll()
    expect(again.errors).toEqual([])
    expect(again.events).toEqual([])
  }, 60_000)

  it('measures the requests of one quiet poll cycle', async () => {
    clock.advance(1000)
    const before = sim.requests.count({ account: 'okx1' })
    const since = clock.now()
    const result = await poll()
    expect(result.errors).toEqual([])
    const perPath = sim.requests.byPath({ since })
    const total = sim.requests.count({ account: 'okx1' }) - before
    if (process.env.VIGIL_VERBOSE_TESTS)
      process.stderr.write(`okx quiet poll: ${total} requests ${JSON.stringify(perPath)}\n`)
    // orders-pending, orders-history ×2 (SPOT, SWAP), fills, config, balance, withdrawals, bills,
    // positions, leverage-info; deposits only every 5th poll.
    expect(total).toBeLessThanOrEqual(11)
    expect(perPath['/api/v5/account/config']).toBe(1)
  })

  it('sees the contra-trade order and its fill once, off the market, placed by another client', async () => {
    play(0, 1)
    const first = await poll()
    expect(first.errors).toEqual([])
    const order = first.events.find((e) => e.type === 'order.new')!
    const fill = first.events.find((e) => e.type === 'fill.new')!
    expect(order.data).toMatchObject({
      symbol: 'DMG/USDT',
      side: 'buy',
      type: 'limit',
      status: 'filled',
      price: 0.09,
      amount: 20000,
      notionalUsd: 1800,
      marketPrice: 0.05,
      origin: null
    })
    expect(fill.data).toMatchObject({
      symbol: 'DMG/USDT',
      price: 0.09,
      marketPrice: 0.05,
      amount: 20000
    })
    expect(origin(order)).toBe(1)
    expect(origin(fill)).toBe(1)
    clock.advance(1000)
    expect((await poll()).events).toEqual([])
  }, 30_000)

  it('sees the perpetual position, the leverage change, the transfer and the withdrawal', async () => {
    play(2)
    const opened = await poll()
    expect(opened.errors).toEqual([])
    expect(opened.events.map((e) => e.type).sort()).toEqual([
      'fill.new',
      'order.new',
      'position.changed'
    ])
    const before = sim.world.account('okx1').positions.get('BTC/USDT:USDT')!.size - 0.5
    expect(opened.events.find((e) => e.type === 'position.changed')!.data).toMatchObject({
      symbol: 'BTC/USDT:USDT',
      side: before + 0.5 > 0 ? 'long' : 'short',
      size: Math.abs(before + 0.5),
      leverage: 5
    })
    expect(opened.events.filter((e) => e.kind !== 'position').every((e) => origin(e) === 2)).toBe(
      true
    )

    play(3)
    const leverage = await poll()
    const change = leverage.events.find((e) => e.type === 'leverage.changed')!
    expect(change.data).toMatchObject({ symbol: 'BTC/USDT:USDT', leverage: 50, previous: 5 })
    expect(origin(change)).toBe(3)

    play(4, 5)
    const money = await poll()
    const transfer = money.events.find((e) => e.type === 'transfer.new')!
    expect(transfer.data).toMatchObject({
      currency: 'USDT',
      amount: 5000,
      to: 'sub',
      amountUsd: 5000
    })
    expect(origin(transfer)).toBe(4)
    const withdrawal = money.events.find((e) => e.type === 'withdrawal.new')!
    expect(withdrawal.data).toMatchObject({
      currency: 'BTC',
      amount: 0.5,
      address: 'bc1qattacker0000000000000000000000000000',
      status: 'pending'
    })
    expect((withdrawal.data as { amountUsd: number }).amountUsd).toBeCloseTo(30000, 6)
    expect(origin(withdrawal)).toBe(5)
    expect(money.balances!.find((b) => b.currency === 'USDT')!.total).toBeLessThan(50000)
    clock.advance(1000)
    expect((await poll()).events).toEqual([])
  }, 30_000)

  it('reports the key change through the key snapshot, and cancellations as order updates', async () => {
    play(6)
    const changed = await poll()
    expect(changed.keys![0]).toMatchObject({
      permissions: [
        'read',
        'withdraw',
        'spot',
        'futures',
        'transfer',
        'okx:read_only',
        'okx:withdraw',
        'okx:trade'
      ],
      ipWhitelist: ['203.0.113.7']
    })
    expect(sim.originOf('okx1', changed.keys![0]!.keyId)).toBe(6)

    play(7)
    const cancelled = await poll()
    const updates = cancelled.events.filter((e) => e.type === 'order.updated')
    expect(updates).toHaveLength(4)
    expect(updates.every((e) => e.exchangeRecordId.endsWith('#canceled') && origin(e) === 7)).toBe(
      true
    )
    expect(cancelled.openOrders).toBe(0)
    clock.advance(1000)
    expect((await poll()).events).toEqual([])
  }, 30_000)

  it.each(['http_429', 'http_5xx', 'timeout', 'malformed', 'maintenance'] as const)(
    'a %s window loses nothing and duplicates nothing',
    async (fault) => {
      clock.advance(3000)
      const account = sim.world.account('okx1')
      sim.setFault({ fault, seconds: 5, account: 'okx1' })
      // Records that appear while the exchange misbehaves (written straight into the world).
      const key = sim.world.selfKey(account)
      const { order, fills } = sim.world.placeOrder(
        account,
        {
          symbol: 'ETH/USDT',
          side: 'sell',
          type: 'market',
          amount: 0.1,
          origin: 'api',
          keyId: key.id
        },
        clock.now()
      )
      const w = sim.world.withdraw(
        account,
        { currency: 'USDT', amount: 10, address: 'TXYZattacker00000000000000000000000' },
        clock.now()
      )
      const frozen = { ...cursors }
      const broken = await poll()
      expect(broken.events).toEqual([])
      expect(broken.errors.length).toBeGreaterThan(0)
      const expected =
        fault === 'http_429'
          ? 'rate-limit'
          : fault === 'malformed'
            ? 'malformed'
            : fault === 'maintenance'
              ? 'maintenance'
              : 'transient'
      expect(broken.errors[0]!.fault.category).toBe(expected)
      // Failed streams keep their cursors: nothing is skipped.
      for (const e of broken.errors) expect(cursors[e.stream]).toEqual(frozen[e.stream])

      clock.advance(6000)
      const recovered = await poll()
      expect(recovered.errors).toEqual([])
      const ids = recovered.events.map((e) => e.exchangeRecordId).sort()
      expect(ids).toEqual([order.id, fills[0]!.id, String(w.id)].sort())
      clock.advance(1000)
      expect((await poll()).events).toEqual([])
    },
    30_000
  )

  it('a malformed answer on one endpoint fails that stream only; the others deliver', async () => {
    // A real HTTP proxy in front of the simulator that cuts one endpoint's bodies short.
    let garble = true
    const proxy: Server = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const target = new URL(req.url ?? '/', sim.url)
        const up = httpRequest(
          target,
          { method: req.method, headers: { ...req.headers, host: target.host } },
          (upRes) => {
            const body: Buffer[] = []
            upRes.on('data', (c: Buffer) => body.push(c))
            upRes.on('end', () => {
              let text = Buffer.concat(body).toString('utf8')
              if (garble && target.pathname.endsWith('/asset/withdrawal-history'))
                text = text.slice(0, 25)
              res.writeHead(upRes.statusCode ?? 502, { 'content-type': 'application/json' })
              res.end(text)
            })
          }
        )
        up.end(Buffer.concat(chunks))
      })
    })
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()))
    const port = (proxy.address() as AddressInfo).port
    const viaProxy = await make(`http://127.0.0.1:${port}/okx`)
    try {
      clock.advance(3000)
      const account = sim.world.account('okx1')
      const w = sim.world.withdraw(
        account,
        { currency: 'USDT', amount: 11, address: 'TXYZother0000000000000000000000000' },
        clock.now()
      )
      const t = sim.world.transfer(
        account,
        { currency: 'USDT', amount: 12, to: 'external-user' },
        clock.now()
      )
      const before = cursors.withdrawals
      const partial = await poll(viaProxy)
      expect(partial.errors.map((e) => [e.stream, e.fault.category])).toEqual([
        ['withdrawals', 'malformed']
      ])
      expect(partial.events.map((e) => [e.type, e.exchangeRecordId])).toEqual([
        ['transfer.new', String(t.id)]
      ])
      expect(partial.events[0]!.data).toMatchObject({ to: 'external-user' })
      expect(cursors.withdrawals).toBe(before)
      garble = false
      clock.advance(1000)
      const fixed = await poll(viaProxy)
      expect(fixed.errors).toEqual([])
      expect(fixed.events.map((e) => [e.type, e.exchangeRecordId])).toEqual([
        ['withdrawal.new', String(w.id)]
      ])
    } finally {
      await viaProxy.close()
      await new Promise<void>((r) => proxy.close(() => r()))
    }
  }, 30_000)

  it('an overspending client gets OKX 429 / 50011, classified as rate-limit', async () => {
    // Without ccxt's own throttle, polling as fast as possible runs into account/config's
    // 5 requests per 2 seconds.
    const fast = new ccxt.okx({
      ...sim.credentials('okx1'),
      enableRateLimit: false,
      options: { fetchMarkets: { types: ['spot', 'swap'] } }
    })
    fast.urls.api = rewriteApiUrls(fast.urls.api, sim.endpointFor('okx'))
    const greedy = createOkxConnector(
      fast,
      { id: 'okx1', exchange: 'okx', selfKeyId: null },
      { clock, logger: silentLogger }
    )
    clock.advance(3000)
    let limited: PollResult | null = null
    for (let i = 0; i < 8 && !limited; i++) {
      const r = await greedy.poll({ ...cursors })
      if (r.errors.some((e) => e.fault.category === 'rate-limit')) limited = r
    }
    expect(limited).not.toBeNull()
    const fault = limited!.errors.find((e) => e.fault.category === 'rate-limit')!.fault
    expect(fault.message).toMatch(/rate-limiting.*50011/)
    expect(fault.retryAfterMs).toBeGreaterThan(0)
    expect(
      sim.requests.entries({ account: 'okx1' }).some((r) => r.status === 429 && r.fault === null)
    ).toBe(true)
    await greedy.close()
    clock.advance(3000)
  }, 30_000)

  it('delivered every record exactly once across backfill and polls', () => {
    const ids = delivered.map((e) => `${e.kind}|${e.exchangeRecordId}`)
    expect(new Set(ids).size).toBe(ids.length)
  })

  it('kill switch: batches of 20, the algo pass, read back from the simulator; firing twice is harmless', async () => {
    const { apiKey, secret, password } = sim.credentials('okx1')
    const trader = new ccxt.okx({
      apiKey,
      secret,
      password,
      enableRateLimit: true,
      options: { fetchMarkets: { types: ['spot', 'swap'] } }
    })
    trader.urls.api = rewriteApiUrls(trader.urls.api, sim.endpointFor('okx'))
    clock.advance(3000)
    for (let i = 0; i < 45; i++) {
      await trader.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 30000 + i)
      if (i % 15 === 14) clock.advance(2100)
    }
    await trader.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 40000, { triggerPrice: 41000 })
    await trader.createOrder('BTC/USDT', 'limit', 'sell', 0.001, 90000, { triggerPrice: 89000 })
    expect(sim.openOrders('okx1')).toBe(45)
    clock.advance(3000)
    const steps: string[] = []
    const result = await connector.killSwitch({
      includeGuardianKey: false,
      onStep: (s) => steps.push(s.action)
    })
    expect(result.errors).toEqual([])
    expect(sim.openOrders('okx1')).toBe(0)
    expect(
      await trader.fetchOpenOrders(undefined, undefined, undefined, { trigger: true })
    ).toEqual([])
    expect(result.ordersCancelled).toBe(47)
    expect(result.ordersRemaining).toBe(0)
    expect(result.key).toBe('manual-revoke-required')
    expect(result.manualUrl).toBe('https://www.okx.com/account/my-api')
    expect(result.manualSteps.join('\n')).toContain('https://www.okx.com/account/my-api')
    expect(result.manualSteps.join('\n')).not.toContain(apiKey)
    expect(result.contained).toBe(false)
    expect(steps.slice(0, 4)).toEqual([
      'list-open-orders',
      'cancel-orders',
      'list-algo-orders',
      'cancel-algo-orders'
    ])
    expect(steps).toContain('read-back-orders')
    // 45 orders in batches of at most 20: three cancel-batch-orders calls.
    const batches = sim.requests.entries({
      account: 'okx1',
      path: '/api/v5/trade/cancel-batch-orders'
    })
    expect(batches.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(3)

    clock.advance(3000)
    const again = await connector.killSwitch({ includeGuardianKey: false })
    expect(again.errors).toEqual([])
    expect(again.ordersCancelled).toBe(0)
    expect(again.ordersRemaining).toBe(0)
    expect(again.key).toBe('manual-revoke-required')
    expect(sim.openOrders('okx1')).toBe(0)
    // The guardian keeps watching: the cancellations arrive as order updates.
    clock.advance(3000)
    const after = await poll()
    expect(after.errors).toEqual([])
    expect(after.openOrders).toBe(0)
    await trader.close()
  }, 60_000)

  it('kill switch on a flaky exchange: retries, still every order gone', async () => {
    const { apiKey, secret, password } = sim.credentials('okx1')
    const trader = new ccxt.okx({
      apiKey,
      secret,
      password,
      enableRateLimit: false,
      options: { fetchMarkets: { types: ['spot', 'swap'] } }
    })
    trader.urls.api = rewriteApiUrls(trader.urls.api, sim.endpointFor('okx'))
    clock.advance(3000)
    for (let i = 0; i < 25; i++)
      await trader.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 31000 + i)
    clock.advance(3000)
    sim.setFlaky(0.3, { seed: 7, account: 'okx1' })
    try {
      const result = await connector.killSwitch({ includeGuardianKey: false })
      expect(sim.openOrders('okx1')).toBe(0)
      expect(result.ordersRemaining).toBe(0)
      expect(result.steps.some((s) => s.attempts > 1)).toBe(true)
    } finally {
      sim.clearFaults()
    }
    await trader.close()
  }, 60_000)

  it('heartbeat: orders stay while it runs; once it stops, OKX cancels them after the timeout', async () => {
    const { apiKey, secret, password } = sim.credentials('okx1')
    const trader = new ccxt.okx({
      apiKey,
      secret,
      password,
      enableRateLimit: false,
      options: { fetchMarkets: { types: ['spot', 'swap'] } }
    })
    trader.urls.api = rewriteApiUrls(trader.urls.api, sim.endpointFor('okx'))
    clock.advance(3000)
    await trader.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 30000)
    await trader.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 30001)
    const open = sim.openOrders('okx1')
    expect(open).toBeGreaterThanOrEqual(2)
    const path = '/api/v5/trade/cancel-all-after'
    const beats = (): number =>
      sim.requests.entries({ account: 'okx1', path }).filter((r) => r.status === 200).length
    const start = beats()
    const stop = connector.startHeartbeat({ timeoutSeconds: 30, everySeconds: 10 })
    // Each beat re-arms its 10 s timer once OKX has answered.
    await until(() => beats() === start + 1 && clock.hasTimerAt(clock.now() + 10_000))
    for (let i = 1; i <= 6; i++) {
      clock.advance(10_000)
      await until(() => beats() === start + 1 + i && clock.hasTimerAt(clock.now() + 10_000))
    }
    // 60 s with a 30 s timeout: the renewals kept the orders alive.
    expect(sim.openOrders('okx1')).toBe(open)
    stop()
    clock.advance(29_000)
    expect(sim.openOrders('okx1')).toBe(open)
    clock.advance(1_001)
    expect(sim.openOrders('okx1')).toBe(0)
    expect(beats()).toBe(start + 7)
    // A direct call reports when OKX will fire; 0 disarms.
    await expect(connector.heartbeat(5)).rejects.toThrow(/10–120/)
    const armed = await connector.heartbeat(60)
    expect(armed.triggerTime).toBe(clock.now() + 60_000)
    clock.advance(1100)
    expect((await connector.heartbeat(0)).triggerTime).toBe(0)
    await trader.close()
  }, 60_000)
})
