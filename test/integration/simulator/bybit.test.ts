// Real HTTP, real ccxt, no mocks: an unmodified ccxt bybit instance, pointed at the simulator,
// must see the scenario's world the way it would see api.bybit.com, with Bybit's constraints.
import { readFileSync } from 'node:fs'

import ccxt from 'ccxt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import type { Clock } from '../../../main/core/ports'
import { loadScenario, type Scenario } from '../../../main/replay/scenario'
import { buildWorld, rewriteApiUrls, startSimulator, type Simulator } from '../../../main/simulator'
import { bybitRefusals } from '../../../main/simulator/dialects/bybit'

const SCENARIO_FILE = '/work/shared/scenarios/posture-bybit.json'
const START = Date.parse('2026-11-20T12:00:00Z')
const DAY = 86_400_000

/** Scenario time that only moves when the test says so. */
class ManualClock implements Clock {
  constructor(private t: number) {}
  now(): number {
    return this.t
  }
  advance(ms: number): void {
    this.t += ms
  }
  setTimeout(fn: () => void, ms: number): () => void {
    const handle = setTimeout(fn, ms)
    return () => clearTimeout(handle)
  }
}

/**
 * posture-bybit plus a trade-only second account and one event of every kind Bybit exposes:
 * an order, transfers to a sub-account and to another user, an address, leverage, a change of
 * the guardian's key and a fault.
 */
function scenario(): Scenario {
  const doc = JSON.parse(readFileSync(SCENARIO_FILE, 'utf8')) as {
    accounts: unknown[]
    timeline: unknown[]
  }
  doc.accounts.push({
    id: 'trader',
    exchange: 'bybit',
    key: { permissions: ['read', 'spot'], ipWhitelist: ['84.17.32.10'], ageDays: 30 },
    balances: { USDT: 1000 },
    markets: ['BTC/USDT'],
    history: { days: 10, trading: { symbols: ['BTC/USDT'], ordersPerDay: 2, openOrders: 0 } }
  })
  doc.timeline.push(
    {
      at: 9,
      account: 'by',
      kind: 'order',
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'market',
      amount: 0.01
    },
    { at: 10, account: 'by', kind: 'transfer', currency: 'USDT', amount: 500, to: 'sub' },
    { at: 11, account: 'by', kind: 'transfer', currency: 'USDT', amount: 40, to: 'external-user' },
    {
      at: 12,
      account: 'by',
      kind: 'address_added',
      currency: 'USDT',
      address: 'TXnew00000000000000000000000000000'
    },
    { at: 13, account: 'by', kind: 'leverage', symbol: 'BTC/USDT:USDT', leverage: 50 },
    { at: 14, account: 'by', kind: 'api_key_changed', keyId: 'self', ipWhitelist: ['203.0.113.7'] },
    { at: 15, account: 'by', kind: 'fault', fault: 'http_429', seconds: 2 }
  )
  return loadScenario(doc)
}

type Bybit = InstanceType<typeof ccxt.bybit>

function bybitFor(
  sim: Simulator,
  credentials: { apiKey: string; secret: string },
  options: Record<string, unknown> = {}
): Bybit {
  const ex = new ccxt.bybit({
    ...credentials,
    enableRateLimit: false,
    options: { fetchMarkets: { types: ['spot', 'linear', 'inverse'] }, ...options }
  })
  ex.urls.api = rewriteApiUrls(ex.urls.api, sim.endpointFor('bybit'))
  return ex
}

interface Row {
  [k: string]: unknown
}
const result = (raw: unknown): Row => (raw as { result: Row }).result
const rows = (raw: unknown, key = 'list'): Row[] => result(raw)[key] as Row[]

describe('simulator: Bybit v5 dialect through ccxt', () => {
  const clock = new ManualClock(START)
  const spec = scenario()
  let sim: Simulator
  let ex: Bybit

  beforeAll(async () => {
    sim = await startSimulator({ scenario: spec, clock, startAt: START })
    ex = bybitFor(sim, sim.credentials('by'))
  })
  afterAll(async () => {
    await sim?.close()
  })

  it('serves markets, balances, tickers, positions and leverage the way ccxt expects', async () => {
    const markets = await ex.loadMarkets()
    expect(Object.keys(markets).sort()).toEqual(['BTC/USDT', 'BTC/USDT:USDT', 'ETH/USDT'])
    expect(markets['BTC/USDT:USDT']).toMatchObject({
      id: 'BTCUSDT',
      type: 'swap',
      linear: true,
      settle: 'USDT',
      contractSize: 1
    })
    expect(markets['BTC/USDT']).toMatchObject({ id: 'BTCUSDT', spot: true })
    const total = (await ex.fetchBalance()).total as unknown as Record<string, number>
    expect(total.USDT).toBe(15000)
    expect(total.BTC).toBe(0.3)
    expect((await ex.fetchTicker('BTC/USDT')).last).toBe(60000)
    const positions = await ex.fetchPositions()
    expect(positions).toHaveLength(1)
    expect(positions[0]).toMatchObject({ symbol: 'BTC/USDT:USDT', leverage: 3 })
    expect((await ex.fetchLeverage('BTC/USDT:USDT')).longLeverage).toBe(3)
  })

  it('serves the generated history: resting orders, trades with funding rows, withdrawals', async () => {
    const open = await ex.fetchOpenOrders('BTC/USDT:USDT')
    expect(open).toHaveLength(5)
    expect(sim.openOrders('by')).toBe(5)
    expect(open[0]!.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/)
    const executions = rows(await ex.privateGetV5ExecutionList({ category: 'linear', limit: 100 }))
    const types = new Set(executions.map((e) => e.execType))
    expect(types).toEqual(new Set(['Trade', 'Funding']))
    const funding = executions.find((e) => e.execType === 'Funding')!
    expect(Number(funding.execTime) % (8 * 3_600_000)).toBe(0)
    expect(funding).toMatchObject({ orderType: 'UNKNOWN', orderQty: '0' })
    const trade = executions.find((e) => e.execType === 'Trade')!
    expect(sim.world.account('by').fills.some((f) => f.id === trade.execId)).toBe(true)
    const withdrawals = await ex.fetchWithdrawals(undefined, START - 30 * DAY)
    expect(withdrawals.length).toBeGreaterThan(0)
    for (const w of withdrawals) expect(w).toMatchObject({ type: 'withdrawal', status: 'ok' })
  })

  it('keeps Bybit history rules: 7-day windows, unfilled cancelled orders only for 24 hours', async () => {
    await expect(
      ex.privateGetV5OrderHistory({
        category: 'linear',
        startTime: START - 8 * DAY,
        endTime: START
      })
    ).rejects.toBeInstanceOf(ccxt.BadRequest)
    const world = sim.world.account('by').orders
    const cancelledOld = world.filter(
      (o) => o.status === 'cancelled' && o.filled === 0 && START - o.updatedAt > DAY
    )
    expect(cancelledOld.length).toBeGreaterThan(0)
    const seen = new Set<string>()
    for (let end = START; end > START - 30 * DAY; end -= 7 * DAY) {
      let cursor: string | undefined
      do {
        const page = result(
          await ex.privateGetV5OrderHistory({
            category: 'linear',
            startTime: end - 7 * DAY,
            endTime: end,
            limit: 50,
            ...(cursor ? { cursor } : {})
          })
        )
        for (const o of page.list as Row[]) seen.add(String(o.orderId))
        cursor = (page.nextPageCursor as string) || undefined
      } while (cursor)
    }
    expect(cancelledOld.some((o) => seen.has(o.id))).toBe(false)
    const filled = world.filter((o) => o.status === 'filled' && o.createdAt > START - 30 * DAY)
    expect(filled.every((o) => seen.has(o.id))).toBe(true)
    // Linear lists need a symbol, base coin or settle coin.
    await expect(ex.privateGetV5OrderRealtime({ category: 'linear' })).rejects.toBeInstanceOf(
      ccxt.BadRequest
    )
  })

  it('describes the calling key only, like the documented example', async () => {
    const key = result(await ex.privateGetV5UserQueryApi())
    const { apiKey, secret } = sim.credentials('by')
    expect(key).toMatchObject({
      id: '1',
      apiKey,
      readOnly: 0,
      secret: '',
      ips: ['*'],
      type: 1,
      isMaster: true
    })
    expect((key.permissions as Row).Wallet).toEqual([
      'AccountTransfer',
      'SubMemberTransfer',
      'Withdraw'
    ])
    expect(key.deadlineDay as number).toBeGreaterThan(0)
    expect(JSON.stringify(key)).not.toContain(secret)
    const trader = bybitFor(sim, sim.credentials('trader'))
    const traderKey = result(await trader.privateGetV5UserQueryApi())
    expect(traderKey).toMatchObject({ readOnly: 0, ips: ['84.17.32.10'], deadlineDay: -2 })
    expect(traderKey.expiredAt).toBe('1970-01-01T00:00:00Z')
  })

  it('refuses what the key may not do, with the errors ccxt maps', async () => {
    const trader = bybitFor(sim, sim.credentials('trader'))
    // The address book needs the withdraw permission; managing a key needs transfer or withdraw.
    await expect(trader.privateGetV5AssetWithdrawQueryAddress()).rejects.toBeInstanceOf(
      ccxt.PermissionDenied
    )
    await expect(trader.privatePostV5UserUpdateApi({ readOnly: 1 })).rejects.toBeInstanceOf(
      ccxt.PermissionDenied
    )
    await expect(trader.privatePostV5UserDeleteApi()).rejects.toBeInstanceOf(ccxt.PermissionDenied)
    await expect(
      trader.privatePostV5OrderCancelAll({ category: 'linear', settleCoin: 'USDT' })
    ).rejects.toBeInstanceOf(ccxt.PermissionDenied)
    // Another account's key does not work on a pinned endpoint.
    const pinned = new ccxt.bybit({ ...sim.credentials('trader'), enableRateLimit: false })
    pinned.urls.api = rewriteApiUrls(pinned.urls.api, sim.endpointFor('bybit', 'by'))
    await expect(pinned.privateGetV5UserQueryApi()).rejects.toBeInstanceOf(ccxt.AuthenticationError)
  })

  it('rejects bad signatures, unknown keys and stale timestamps', async () => {
    const { apiKey } = sim.credentials('by')
    await expect(
      bybitFor(sim, { apiKey, secret: 'wrong' }).privateGetV5UserQueryApi()
    ).rejects.toBeInstanceOf(ccxt.AuthenticationError)
    await expect(
      bybitFor(sim, { apiKey: 'nobody', secret: 'x' }).privateGetV5UserQueryApi()
    ).rejects.toThrow(/10003|API key is invalid/)
    const stale = bybitFor(sim, sim.credentials('by'))
    stale.options.timeDifference = 60_000
    await expect(stale.privateGetV5UserQueryApi()).rejects.toBeInstanceOf(ccxt.InvalidNonce)
  })

  it('plays timeline events and makes them visible, mapped back by originOf', async () => {
    let at = 0
    const play = (i: number): void => {
      clock.advance((spec.timeline[i]!.at - at) * 1000)
      at = spec.timeline[i]!.at
      sim.apply(i)
    }
    for (let i = 0; i <= 11; i++) play(i)

    const withdrawals = rows(
      await ex.privateGetV5AssetWithdrawQueryRecord({
        withdrawType: 2,
        startTime: START,
        endTime: START + DAY
      }),
      'rows'
    )
    const byOrigin = new Map(withdrawals.map((w) => [sim.originOf('by', String(w.withdrawId)), w]))
    for (let i = 0; i < 6; i++)
      expect(byOrigin.get(i)).toMatchObject({
        coin: 'USDT',
        chain: 'TRX',
        toAddress: 'TXattacker0000000000000000000000000',
        status: 'Pending',
        withdrawType: 0
      })
    // A transfer to another Bybit user is an off-chain withdrawal to a UID.
    expect(byOrigin.get(8)).toMatchObject({ withdrawType: 1, amount: '40', chain: '' })
    expect(String(byOrigin.get(8)!.toAddress)).toMatch(/^\d+$/)

    const orders = rows(await ex.privateGetV5OrderHistory({ category: 'spot', startTime: START }))
    expect(orders).toHaveLength(1)
    expect(sim.originOf('by', String(orders[0]!.orderId))).toBe(6)
    expect(orders[0]).toMatchObject({ orderStatus: 'Filled', orderType: 'Market', price: '0' })
    const fills = rows(await ex.privateGetV5ExecutionList({ category: 'spot', startTime: START }))
    expect(sim.originOf('by', String(fills[0]!.execId))).toBe(6)

    const sub = rows(await ex.privateGetV5AssetTransferQueryUniversalTransferList())
    expect(sub).toHaveLength(1)
    expect(sim.originOf('by', String(sub[0]!.transferId))).toBe(7)

    const book = rows(await ex.privateGetV5AssetWithdrawQueryAddress(), 'rows')
    const added = book.find((a) => a.address === 'TXnew00000000000000000000000000000')!
    expect(added).toMatchObject({ coin: 'USDT', chain: 'TRX' })
    expect(Number(added.createdAt)).toBe(Math.floor((START + 12_000) / 1000))
    expect(sim.originOf('by', `USDT:${added.address as string}`)).toBe(9)

    const position = rows(
      await ex.privateGetV5PositionList({ category: 'linear', symbol: 'BTCUSDT' })
    )[0]!
    expect(position.leverage).toBe('50')
    expect(sim.originOf('by', String(position.seq))).toBe(10)

    const key = result(await ex.privateGetV5UserQueryApi())
    expect(key.ips).toEqual(['203.0.113.7'])
    expect(key.deadlineDay).toBe(-2)
    expect(sim.originOf('by', String(key.id))).toBe(11)
  })

  it('answers an injected 429 in Bybit’s gateway shape, then recovers', async () => {
    clock.advance(1000)
    sim.apply(12)
    await expect(ex.privateGetV5UserQueryApi()).rejects.toBeInstanceOf(ccxt.RateLimitExceeded)
    clock.advance(2500)
    await expect(ex.privateGetV5UserQueryApi()).resolves.toBeDefined()
  })

  it('renders every fault kind so ccxt raises what it raises against Bybit', async () => {
    const expectations: [string, (e: unknown) => void][] = [
      ['http_5xx', (e) => expect(e).toBeInstanceOf(ccxt.ExchangeNotAvailable)],
      ['maintenance', (e) => expect(String((e as Error).message)).toMatch(/10016.*maintenance/)],
      ['http_429', (e) => expect(e).toBeInstanceOf(ccxt.RateLimitExceeded)]
    ]
    for (const [fault, check] of expectations) {
      sim.setFault({ fault: fault as 'http_5xx', seconds: 1, account: 'by' })
      let error: unknown = null
      try {
        await ex.privateGetV5UserQueryApi()
      } catch (e) {
        error = e
      }
      check(error)
      clock.advance(1500)
    }
    sim.setFault({ fault: 'malformed', seconds: 1, account: 'by' })
    // ccxt hands a body it cannot parse back as a string: the connector must validate.
    expect(typeof (await ex.privateGetV5UserQueryApi())).toBe('string')
    clock.advance(1500)
    sim.setFault({ fault: 'timeout', seconds: 1, account: 'by' })
    const slow = bybitFor(sim, sim.credentials('by'))
    slow.timeout = 300
    await expect(slow.privateGetV5UserQueryApi()).rejects.toBeInstanceOf(ccxt.RequestTimeout)
    clock.advance(1500)
    await expect(ex.privateGetV5UserQueryApi()).resolves.toBeDefined()
  })

  it('cancels per category: spot keeps conditional orders unless asked, linear needs a settle coin', async () => {
    await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 50000)
    await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 49000, { triggerPrice: 49500 })
    const spotOpen = rows(await ex.privateGetV5OrderRealtime({ category: 'spot' }))
    expect(spotOpen.map((o) => o.orderStatus).sort()).toEqual(['New', 'Untriggered'])
    await expect(ex.privatePostV5OrderCancelAll({ category: 'linear' })).rejects.toBeInstanceOf(
      ccxt.BadRequest
    )
    const plain = rows(await ex.privatePostV5OrderCancelAll({ category: 'spot' }))
    expect(plain).toHaveLength(1)
    expect(rows(await ex.privateGetV5OrderRealtime({ category: 'spot' }))).toHaveLength(1)
    const stops = rows(
      await ex.privatePostV5OrderCancelAll({ category: 'spot', orderFilter: 'StopOrder' })
    )
    expect(stops).toHaveLength(1)
    const linear = rows(
      await ex.privatePostV5OrderCancelAll({ category: 'linear', settleCoin: 'USDT' })
    )
    expect(linear).toHaveLength(5)
    expect(sim.openOrders('by')).toBe(0)
  })

  it('inter-transfer moves coins to the Funding account; update-api downgrades the calling key', async () => {
    await ex.privatePostV5AssetTransferInterTransfer({
      transferId: 'selfTransfer_test-1',
      coin: 'USDT',
      amount: '1000',
      fromAccountType: 'UNIFIED',
      toAccountType: 'FUND'
    })
    const fund = result(
      await ex.privateGetV5AssetTransferQueryAccountCoinsBalance({ accountType: 'FUND' })
    )
    expect(fund.balance).toEqual([expect.objectContaining({ coin: 'USDT', walletBalance: '1000' })])
    const internal = rows(await ex.privateGetV5AssetTransferQueryInterTransferList())
    expect(internal[0]).toMatchObject({ fromAccountType: 'UNIFIED', toAccountType: 'FUND' })
    const updated = result(await ex.privatePostV5UserUpdateApi({ ips: '*' }))
    expect(updated.ips).toEqual(['*'])
    const down = result(await ex.privatePostV5UserUpdateApi({ readOnly: 1 }))
    expect(down.readOnly).toBe(1)
    expect(sim.keys('by').find((k) => k.self)!.permissions).toEqual(['read'])
    await expect(ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 50000)).rejects.toBeInstanceOf(
      ccxt.PermissionDenied
    )
    // Read-only now, so it no longer qualifies to manage itself.
    await expect(ex.privatePostV5UserDeleteApi()).rejects.toBeInstanceOf(ccxt.PermissionDenied)
  })

  it('delete-api deletes the calling key at once', async () => {
    const fresh = await startSimulator({ scenario: spec, clock, startAt: START })
    try {
      const own = bybitFor(fresh, fresh.credentials('by'))
      expect(result(await own.privatePostV5UserDeleteApi())).toEqual({})
      expect(fresh.keys('by').find((k) => k.self)).toMatchObject({ removed: true, enabled: false })
      await expect(own.privateGetV5UserQueryApi()).rejects.toBeInstanceOf(ccxt.AuthenticationError)
      await expect(own.privatePostV5UserDeleteApi()).rejects.toThrow(/10003/)
    } finally {
      await fresh.close()
    }
  })

  it('builds the same world from the same scenario and seed', () => {
    const a = buildWorld(spec, { seed: spec.seed, startAt: START })
    const b = buildWorld(spec, { seed: spec.seed, startAt: START })
    expect(a.snapshot()).toEqual(b.snapshot())
  })
})

describe('simulator: Bybit rate limits', () => {
  it('a client that overspends a UID limit gets 10006, with the limit headers', async () => {
    const clock = new ManualClock(START)
    const sim = await startSimulator({ scenario: scenario(), clock, startAt: START })
    try {
      const ex = bybitFor(sim, sim.credentials('by'))
      const started = Date.now()
      const outcomes = await Promise.allSettled(
        Array.from({ length: 30 }, () => ex.privateGetV5UserQueryApi())
      )
      const seconds = Math.ceil((Date.now() - started) / 1000)
      const refused = outcomes.filter((o) => o.status === 'rejected')
      // query-api allows 10 per second per UID (a loaded machine may spread the burst).
      expect(outcomes.filter((o) => o.status === 'fulfilled').length).toBeLessThanOrEqual(
        10 * seconds
      )
      expect(refused.length).toBeGreaterThan(0)
      for (const r of refused) {
        expect((r as PromiseRejectedResult).reason).toBeInstanceOf(ccxt.RateLimitExceeded)
        expect(String((r as PromiseRejectedResult).reason.message)).toContain('10006')
      }
      expect(bybitRefusals(sim.world, 'by')).toBe(refused.length)
      expect(ex.last_response_headers?.['X-Bapi-Limit']).toBe('10')
      // The request log counts every call.
      expect(sim.requests.count({ account: 'by', path: '/v5/user/query-api' })).toBe(30)
      // Other endpoints have their own windows.
      await expect(
        ex.privateGetV5AccountWalletBalance({ accountType: 'UNIFIED' })
      ).resolves.toBeDefined()
      await new Promise((r) => setTimeout(r, 1100))
      await expect(ex.privateGetV5UserQueryApi()).resolves.toBeDefined()
    } finally {
      await sim.close()
    }
  })

  it('more than 600 requests from one IP in 5 seconds get HTTP 403 and a ban', async () => {
    const clock = new ManualClock(START)
    const sim = await startSimulator({ scenario: scenario(), clock, startAt: START })
    try {
      const ex = bybitFor(sim, sim.credentials('by'))
      // Batches until the edge bans us (a loaded machine may need more than 620 requests).
      const results: PromiseSettledResult<unknown>[] = []
      for (let sent = 0; sent < 3000 && !results.some((r) => r.status === 'rejected'); sent += 155)
        results.push(
          ...(await Promise.allSettled(
            Array.from({ length: 155 }, () => ex.publicGetV5MarketTime())
          ))
        )
      const banned = results.filter((r) => r.status === 'rejected')
      expect(banned.length).toBeGreaterThan(0)
      expect(results.filter((r) => r.status === 'fulfilled').length).toBeGreaterThanOrEqual(600)
      for (const r of banned)
        expect((r as PromiseRejectedResult).reason).toBeInstanceOf(ccxt.RateLimitExceeded)
      // The ban outlasts the window: private calls are refused too.
      await expect(ex.privateGetV5UserQueryApi()).rejects.toBeInstanceOf(ccxt.RateLimitExceeded)
      expect(sim.requests.entries({ exchange: 'bybit' }).some((r) => r.status === 403)).toBe(true)
    } finally {
      await sim.close()
    }
  })
})
