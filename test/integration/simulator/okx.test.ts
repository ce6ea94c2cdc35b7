// Real HTTP, real ccxt, no mocks: an unmodified ccxt okx instance, pointed at the simulator, must
// see the scenario's world the way it would see okx.com, including OKX's constraints and errors.
import ccxt from 'ccxt'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'

import type { Clock } from '../../../main/core/ports'
import { loadScenario, type Scenario } from '../../../main/replay/scenario'
import { rewriteApiUrls, startSimulator, type Simulator } from '../../../main/simulator'
import { okxKeyFingerprint } from '../../../main/simulator/dialects/okx-auth'

const START = Date.parse('2026-11-20T12:00:00Z')
const CONFIG = '/api/v5/account/config'

/** Scenario time that moves only when the test says so; timers fire as it passes them. */
class ManualClock implements Clock {
  private timers: { at: number; fn: () => void; seq: number }[] = []
  private seq = 0
  constructor(private t: number) {}
  now(): number {
    return this.t
  }
  setTimeout(fn: () => void, ms: number): () => void {
    const timer = { at: this.t + Math.max(0, ms), fn, seq: ++this.seq }
    this.timers.push(timer)
    return () => {
      this.timers = this.timers.filter((x) => x !== timer)
    }
  }
  advance(ms: number): void {
    const until = this.t + ms
    for (;;) {
      const due = this.timers
        .filter((x) => x.at <= until)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0]
      if (!due) break
      this.timers = this.timers.filter((x) => x !== due)
      this.t = Math.max(this.t, due.at)
      due.fn()
    }
    this.t = until
  }
}

/** contra-trade-okx plus a perpetual, leverage history, and the other kinds OKX can show. */
function scenario(): Scenario {
  return loadScenario({
    format: 'vigil-scenario/1',
    name: 'okx-sim-test',
    seed: 11,
    accounts: [
      {
        id: 'okx1',
        exchange: 'okx',
        key: { permissions: ['read', 'spot', 'futures'], ipWhitelist: [], ageDays: 120 },
        balances: { USDT: 50000, BTC: 1.2 },
        markets: ['BTC/USDT', 'ETH/USDT', 'DMG/USDT', 'BTC/USDT:USDT']
      },
      {
        id: 'okx2',
        exchange: 'okx',
        key: { permissions: ['read'], ipWhitelist: ['84.17.32.10'], ageDays: 30 },
        balances: { USDT: 1000 },
        markets: ['BTC/USDT'],
        history: { days: 5, trading: { symbols: ['BTC/USDT'], openOrders: 0 } }
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
        kind: 'leverage',
        symbol: 'BTC/USDT:USDT',
        leverage: 50,
        attack: true
      },
      {
        at: 5,
        account: 'okx1',
        kind: 'transfer',
        currency: 'USDT',
        amount: 5000,
        to: 'sub',
        attack: true
      },
      {
        at: 6,
        account: 'okx1',
        kind: 'withdrawal',
        currency: 'BTC',
        amount: 0.5,
        address: 'bc1qattacker0000000000000000000000000000',
        attack: true
      },
      {
        at: 7,
        account: 'okx1',
        kind: 'api_key_changed',
        keyId: 'self',
        permissions: ['read', 'spot', 'withdraw'],
        ipWhitelist: ['203.0.113.7'],
        attack: true
      },
      { at: 8, account: 'okx1', kind: 'cancel', orderId: 'all' },
      { at: 9, account: 'okx1', kind: 'fault', fault: 'http_429', seconds: 2 },
      { at: 20, account: 'okx1', kind: 'api_key_removed', keyId: 'self', attack: true }
    ]
  })
}

type Okx = InstanceType<typeof ccxt.okx>

function okxFor(
  sim: Simulator,
  credentials: { apiKey: string; secret: string; password?: string },
  endpoint?: string
): Okx {
  const ex = new ccxt.okx({
    ...credentials,
    enableRateLimit: false,
    options: { fetchMarkets: { types: ['spot', 'swap'] } }
  })
  ex.urls.api = rewriteApiUrls(ex.urls.api, endpoint ?? sim.endpointFor('okx'))
  return ex
}

const errorOf = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => null,
    (error: unknown) => error
  )

describe('simulator: OKX v5 dialect through ccxt', () => {
  const clock = new ManualClock(START)
  const plan = scenario()
  let sim: Simulator
  let ex: Okx
  // The manual clock only moves when told: give each test fresh rate-limit windows.
  beforeEach(() => {
    clock.advance(2_001)
  })
  /** Clock ms of the timeline's second 0 (set when the first event is played). */
  let base = 0
  const played = new Set<number>()
  const playUntil = (second: number): void => {
    base ||= clock.now()
    plan.timeline.forEach((e, i) => {
      if (played.has(i) || e.at > second) return
      const due = base + e.at * 1000
      if (due > clock.now()) clock.advance(due - clock.now())
      played.add(i)
      sim.apply(i)
    })
    const end = base + second * 1000
    if (end > clock.now()) clock.advance(end - clock.now())
  }

  beforeAll(async () => {
    sim = await startSimulator({ scenario: plan, clock, startAt: START })
    ex = okxFor(sim, sim.credentials('okx1'), sim.endpointFor('okx', 'okx1'))
  })
  afterAll(async () => {
    await sim?.close()
  })

  it('needs the passphrase: credentials include it, and ccxt refuses to sign without it', async () => {
    const credentials = sim.credentials('okx1')
    expect(credentials.password).toMatch(/^[A-Za-z0-9]{16}$/)
    const { password: _password, ...withoutPassword } = credentials
    await expect(okxFor(sim, withoutPassword).fetchBalance()).rejects.toBeInstanceOf(
      ccxt.AuthenticationError
    )
  })

  it('serves spot and perpetual markets, balances and tickers', async () => {
    const markets = await ex.loadMarkets()
    expect(Object.keys(markets).sort()).toEqual([
      'BTC/USDT',
      'BTC/USDT:USDT',
      'DMG/USDT',
      'ETH/USDT'
    ])
    expect(markets['BTC/USDT:USDT']).toMatchObject({
      id: 'BTC-USDT-SWAP',
      swap: true,
      linear: true,
      settle: 'USDT',
      contractSize: 1
    })
    expect(markets['DMG/USDT']).toMatchObject({ id: 'DMG-USDT', spot: true })
    const balance = await ex.fetchBalance()
    expect(balance.total).toMatchObject({ BTC: 1.2, USDT: 50000 })
    expect((await ex.fetchTicker('BTC/USDT')).last).toBe(60000)
    // Resting spot bids hold quote currency: free + used = total.
    const amounts = (kind: 'free' | 'used'): Record<string, number> =>
      balance[kind] as unknown as Record<string, number>
    expect(amounts('free').USDT! + amounts('used').USDT!).toBeCloseTo(50000, 6)
  })

  it('answers account/config like the documented example: all strings, perm list, ip "" = none', async () => {
    const [account] = await ex.fetchAccounts()
    const info = account!.info as Record<string, unknown>
    expect(info).toMatchObject({
      label: 'vigil',
      ip: '',
      perm: 'read_only,trade',
      type: '0',
      acctLv: '2'
    })
    expect(info.uid).toMatch(/^\d+$/)
    expect(info.mainUid).toBe(info.uid)
    const other = okxFor(sim, sim.credentials('okx2'))
    const [second] = await other.fetchAccounts()
    expect(second!.info).toMatchObject({ perm: 'read_only', ip: '84.17.32.10' })
    expect((second!.info as { uid: string }).uid).not.toBe(info.uid)
  })

  it('serves the generated history: resting orders, finished orders, fills, withdrawals', async () => {
    const open = await ex.fetchOpenOrders()
    expect(open).toHaveLength(4)
    expect(sim.openOrders('okx1')).toBe(4)
    for (const o of open) {
      expect(o.status).toBe('open')
      expect(o.timestamp).toBeLessThan(START)
      expect(o.id).toMatch(/^\d{18}$/)
    }
    const closed = await ex.fetchClosedOrders('BTC/USDT')
    expect(closed.length).toBeGreaterThan(10)
    // The trader's own bots run ccxt (broker tag); orders from the web UI carry no tag.
    const tags = new Set([...open, ...closed].map((o) => (o.info as { tag: string }).tag))
    expect(tags).toEqual(new Set(['e847386590ce4dBC', '']))
    const fills = await ex.fetchMyTrades()
    expect(fills.length).toBe(100)
    const f = fills[0]!.info as Record<string, string>
    expect(f.billId).toMatch(/^\d{18}$/)
    expect(Number(f.fillIdxPx)).toBeGreaterThan(0)
    // OKX's history endpoints need instType.
    await expect(ex.privateGetTradeOrdersHistory({})).rejects.toBeInstanceOf(ccxt.BadRequest)
    const withdrawals = await ex.fetchWithdrawals()
    expect(withdrawals.length).toBeGreaterThan(0)
    expect(withdrawals.every((w) => w.status === 'ok' && (w.timestamp as number) < START)).toBe(
      true
    )
    const leverage = await ex.fetchLeverage('BTC/USDT:USDT')
    expect(leverage.longLeverage).toBe(5)
  })

  it('rejects bad secrets, passphrases, unknown keys and sandbox headers as AuthenticationError', async () => {
    const { apiKey, secret, password } = sim.credentials('okx1')
    const badSecret = errorOf(okxFor(sim, { apiKey, secret: 'wrong', password }).fetchBalance())
    expect(await badSecret).toBeInstanceOf(ccxt.AuthenticationError)
    expect(String(await badSecret)).toContain('50113')
    const badPass = await errorOf(okxFor(sim, { apiKey, secret, password: 'nope' }).fetchBalance())
    expect(badPass).toBeInstanceOf(ccxt.AuthenticationError)
    expect(String(badPass)).toContain('50105')
    const unknown = await errorOf(
      okxFor(sim, { apiKey: 'nobody', secret, password }).privateGetAccountConfig()
    )
    expect(unknown).toBeInstanceOf(ccxt.AuthenticationError)
    expect(String(unknown)).toContain('50111')
    // Another account's key on an endpoint pinned to okx1.
    const okx2 = sim.credentials('okx2')
    await expect(
      okxFor(sim, okx2, sim.endpointFor('okx', 'okx1')).privateGetAccountConfig()
    ).rejects.toBeInstanceOf(ccxt.AuthenticationError)
    const demo = okxFor(sim, sim.credentials('okx1'))
    demo.setSandboxMode(true)
    demo.urls.api = rewriteApiUrls(demo.urls.api, sim.endpointFor('okx'))
    const sandbox = await errorOf(demo.privateGetAccountConfig())
    expect(sandbox).toBeInstanceOf(ccxt.AuthenticationError)
    expect(String(sandbox)).toContain('50101')
  })

  it('places orders through ccxt with its broker tag, batches of at most 20, no cancel-all', async () => {
    const order = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 50000)
    expect(order.id).toMatch(/^\d{18}$/)
    const listed = (await ex.fetchOpenOrders('BTC/USDT')).find((o) => o.id === order.id)!
    expect(listed.info).toMatchObject({ tag: '6b9ad766b55dBCDE', state: 'live' })
    expect(listed.clientOrderId).toMatch(/^6b9ad766b55dBCDE/)
    expect(ex.has.cancelAllOrders).toBe(false)
    await expect(ex.cancelAllOrders()).rejects.toBeInstanceOf(ccxt.NotSupported)
    const cancelled = await ex.cancelOrders([order.id as string], 'BTC/USDT')
    expect(cancelled[0]!.id).toBe(order.id)
    expect(sim.openOrders('okx1')).toBe(4)
    // Cancelling it again: every item failed ("1"), the item's code is "already canceled".
    await expect(ex.cancelOrders([order.id as string], 'BTC/USDT')).rejects.toBeInstanceOf(
      ccxt.OrderNotFound
    )
    const tooMany = Array.from({ length: 21 }, (_, i) => ({
      instId: 'BTC-USDT',
      ordId: String(i + 1)
    }))
    await expect(ex.privatePostTradeCancelBatchOrders(tooMany)).rejects.toBeInstanceOf(
      ccxt.BadRequest
    )
    // Insufficient balance, lot size.
    await expect(ex.createOrder('BTC/USDT', 'limit', 'buy', 10, 50000)).rejects.toBeInstanceOf(
      ccxt.InsufficientFunds
    )
    await expect(
      ex.privatePostTradeOrder({
        instId: 'DMG-USDT',
        tdMode: 'cash',
        side: 'buy',
        ordType: 'limit',
        sz: '1.5',
        px: '0.01'
      })
    ).rejects.toBeInstanceOf(ccxt.InvalidOrder)
  })

  it('keeps trigger orders apart (algo ids, their own list and cancel call)', async () => {
    const trigger = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 40000, {
      triggerPrice: 41000
    })
    const algos = await ex.fetchOpenOrders(undefined, undefined, undefined, { trigger: true })
    expect(algos.map((o) => o.id)).toEqual([trigger.id])
    expect(algos[0]!.info).toMatchObject({ ordType: 'trigger', state: 'live', triggerPx: '41000' })
    expect(await ex.fetchOpenOrders()).toHaveLength(4)
    await ex.cancelOrders([trigger.id as string], 'BTC/USDT', { trigger: true })
    expect(await ex.fetchOpenOrders(undefined, undefined, undefined, { trigger: true })).toEqual([])
    await expect(ex.privateGetTradeOrdersAlgoPending({})).rejects.toBeInstanceOf(ccxt.BadRequest)
  })

  it('makes the timeline visible, each record mapped back by originOf', async () => {
    playUntil(8)
    // The attack order crossed the book at once: filled at its own price, far above the market.
    const closed = await ex.fetchClosedOrders('DMG/USDT')
    expect(closed).toHaveLength(1)
    expect(closed[0]).toMatchObject({ side: 'buy', price: 0.09, filled: 20000, status: 'closed' })
    expect((closed[0]!.info as { tag: string }).tag).toBe('')
    expect(sim.originOf('okx1', closed[0]!.id as string)).toBe(1)
    const fills = await ex.fetchMyTrades('DMG/USDT')
    expect(fills).toHaveLength(1)
    expect(fills[0]!.info).toMatchObject({ fillPx: '0.09', fillIdxPx: '0.05' })
    expect(sim.originOf('okx1', (fills[0]!.info as { billId: string }).billId)).toBe(1)

    // Leverage: OKX has no history, so the connector names the change `<instId>:lever:<value>`.
    expect((await ex.fetchLeverage('BTC/USDT:USDT')).longLeverage).toBe(50)
    expect(sim.originOf('okx1', 'BTC-USDT-SWAP:lever:50#1')).toBe(2)

    const transfers = await ex.fetchTransfers()
    const transfer = transfers.find((t) => t.timestamp === base + 5000)!
    expect(transfer).toMatchObject({ currency: 'USDT', amount: 5000 })
    expect((transfer.info as { notes: string }).notes).toBe('To sub-account')
    expect(sim.originOf('okx1', transfer.id as string)).toBe(3)

    const withdrawal = (await ex.fetchWithdrawals('BTC')).find(
      (w) => w.address === 'bc1qattacker0000000000000000000000000000'
    )!
    expect(withdrawal).toMatchObject({ amount: 0.5, status: 'pending', timestamp: base + 6000 })
    expect(sim.originOf('okx1', withdrawal.id as string)).toBe(4)

    const [account] = await ex.fetchAccounts()
    expect(account!.info).toMatchObject({ perm: 'read_only,withdraw,trade', ip: '203.0.113.7' })
    const keyId = okxKeyFingerprint(sim.credentials('okx1').apiKey)
    expect(sim.originOf('okx1', `${keyId}#changed`)).toBe(5)

    // cancel all (event 6), then the timeline's rate-limit fault (event 7).
    expect(sim.openOrders('okx1')).toBe(0)
    playUntil(9)
    await expect(ex.fetchBalance()).rejects.toBeInstanceOf(ccxt.RateLimitExceeded)
    clock.advance(2_001)
    const total = (await ex.fetchBalance()).total as unknown as Record<string, number>
    expect(total.USDT).toBeLessThan(50000)
  })

  it('drops canceled orders that never filled from history after two hours, like OKX', async () => {
    const before = await ex.privateGetTradeOrdersHistory({ instType: 'SPOT', state: 'canceled' })
    const ids = (before as { data: { ordId: string }[] }).data.map((o) => o.ordId)
    expect(ids.length).toBeGreaterThanOrEqual(4)
    clock.advance(2 * 3_600_000 + 1000)
    await ex.fetchBalance()
    const after = (await ex.privateGetTradeOrdersHistory({
      instType: 'SPOT',
      state: 'canceled'
    })) as {
      data: { ordId: string }[]
    }
    expect(after.data.filter((o) => ids.includes(o.ordId))).toEqual([])
    await expect(ex.fetchOrder(ids[0]!, 'BTC/USDT')).rejects.toBeInstanceOf(ccxt.OrderNotFound)
  })

  it('rate-limits per endpoint with HTTP 429 / 50011 and counts the requests', async () => {
    const since = clock.now()
    const errors: unknown[] = []
    for (let i = 0; i < 7; i++) errors.push(await errorOf(ex.privateGetAccountConfig()))
    // account/config: 5 requests per 2 s.
    expect(errors.slice(0, 5)).toEqual([null, null, null, null, null])
    expect(errors[5]).toBeInstanceOf(ccxt.RateLimitExceeded)
    expect(String(errors[5])).toContain('50011')
    const statuses = sim.requests
      .entries({ account: 'okx1', path: CONFIG, since })
      .map((r) => r.status)
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429])
    // Other endpoints have their own budgets.
    await expect(ex.fetchBalance()).resolves.toBeDefined()
    clock.advance(2_001)
    await expect(ex.privateGetAccountConfig()).resolves.toBeDefined()

    // Batch calls weigh one per order: 300 orders per 2 s on cancel-batch-orders.
    const batch = Array.from({ length: 20 }, (_, i) => ({
      instId: 'BTC-USDT',
      ordId: String(i + 1)
    }))
    for (let i = 0; i < 15; i++)
      expect(await errorOf(ex.privatePostTradeCancelBatchOrders(batch))).toBeInstanceOf(
        ccxt.OrderNotFound
      )
    expect(await errorOf(ex.privatePostTradeCancelBatchOrders(batch))).toBeInstanceOf(
      ccxt.RateLimitExceeded
    )
    // Public endpoints count per IP.
    const pub = new ccxt.okx({ enableRateLimit: false })
    pub.urls.api = rewriteApiUrls(pub.urls.api, sim.endpointFor('okx'))
    let limited: unknown = null
    for (let i = 0; i < 21 && !limited; i++)
      limited = await errorOf(pub.publicGetMarketTickers({ instType: 'SPOT' }))
    expect(limited).toBeInstanceOf(ccxt.RateLimitExceeded)
    clock.advance(2_001)
  })

  it('a key without the Trade permission gets OKX 50120', async () => {
    const readOnly = okxFor(sim, sim.credentials('okx2'))
    const refused = await errorOf(readOnly.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 50000))
    expect(refused).toBeInstanceOf(ccxt.ExchangeError)
    expect(String(refused)).toContain('50120')
    await expect(readOnly.fetchOpenOrders()).resolves.toBeDefined()
  })

  it('runs the cancel-all-after dead-man timer: renewed it waits, left alone it cancels', async () => {
    const other = okxFor(sim, sim.credentials('okx2'))
    // okx2 is read-only: arming needs Trade.
    await expect(other.cancelAllOrdersAfter(60_000)).rejects.toBeInstanceOf(ccxt.ExchangeError)
    await expect(ex.cancelAllOrdersAfter(5_000)).rejects.toBeInstanceOf(ccxt.BadRequest)
    // One call per second: the refused one counted too.
    await expect(ex.cancelAllOrdersAfter(60_000)).rejects.toBeInstanceOf(ccxt.RateLimitExceeded)
    clock.advance(1_100)
    await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 50000)
    await ex.createOrder('BTC/USDT', 'limit', 'sell', 0.01, 70000)
    expect(sim.openOrders('okx1')).toBe(2)
    const armed = (await ex.cancelAllOrdersAfter(30_000)) as { data: { triggerTime: string }[] }
    expect(Number(armed.data[0]!.triggerTime)).toBe(clock.now() + 30_000)
    clock.advance(20_000)
    await ex.cancelAllOrdersAfter(30_000) // renewed
    clock.advance(20_000)
    expect(sim.openOrders('okx1')).toBe(2)
    clock.advance(10_001)
    expect(sim.openOrders('okx1')).toBe(0)
    // Disarmed with 0: nothing happens later.
    await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 50000)
    await ex.cancelAllOrdersAfter(30_000)
    clock.advance(1_100)
    const off = (await ex.cancelAllOrdersAfter(0)) as { data: { triggerTime: string }[] }
    expect(off.data[0]!.triggerTime).toBe('0')
    clock.advance(60_000)
    expect(sim.openOrders('okx1')).toBe(1)
  })

  it('injects faults in OKX’s own shapes', async () => {
    const inject = async (
      fault: 'http_429' | 'http_5xx' | 'timeout' | 'malformed' | 'maintenance',
      call: () => Promise<unknown>
    ): Promise<unknown> => {
      sim.setFault({ fault, seconds: 2, account: 'okx1' })
      try {
        return await call().then(
          (value) => value,
          (error: unknown) => error
        )
      } finally {
        clock.advance(2_001)
      }
    }
    expect(await inject('http_429', () => ex.fetchBalance())).toBeInstanceOf(ccxt.RateLimitExceeded)
    const down = await inject('http_5xx', () => ex.fetchOpenOrders())
    expect(down).toBeInstanceOf(ccxt.ExchangeNotAvailable)
    ex.timeout = 300
    const hung = await inject('timeout', () => ex.privateGetAccountConfig())
    ex.timeout = 10_000
    expect(hung).toBeInstanceOf(ccxt.RequestTimeout)
    const garbled = await inject('malformed', () => ex.privateGetAccountConfig())
    expect(typeof garbled).toBe('string')
    expect(() => JSON.parse(garbled as string)).toThrow(SyntaxError)
    const maintenance = await inject('maintenance', () => ex.fetchMyTrades())
    expect(maintenance).toBeInstanceOf(ccxt.OnMaintenance)
    await expect(ex.fetchBalance()).resolves.toBeDefined()
  })

  it('a removed key fails with AuthenticationError', async () => {
    playUntil(20)
    await expect(ex.fetchBalance()).rejects.toBeInstanceOf(ccxt.AuthenticationError)
  })
})
