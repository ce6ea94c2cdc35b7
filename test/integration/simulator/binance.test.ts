// Real HTTP, real ccxt, no mocks: unmodified ccxt binance instances, pointed at the simulator, must
// see the scenario's world the way they would see api.binance.com and fapi.binance.com, including
// Binance's errors, request weights, 429 / 418 answers and fault shapes.
import ccxt from 'ccxt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { binanceKeyId } from '../../../main/core/exchanges/binance-parse'
import type { Clock } from '../../../main/core/ports'
import { loadScenario, type Scenario } from '../../../main/replay/scenario'
import { rewriteApiUrls, startSimulator, type Simulator } from '../../../main/simulator'

const START = Date.parse('2026-03-02T12:00:00Z')
const DAY = 86_400_000

/** Scenario time that only moves when the test says so. */
class ManualClock implements Clock {
  constructor(public t: number) {}
  now(): number {
    return this.t
  }
  advance(ms: number): void {
    this.t += ms
  }
  setTimeout(fn: () => void, ms: number): () => void {
    const handle = setTimeout(fn, Math.min(ms, 10))
    return () => clearTimeout(handle)
  }
}

/** via-burst plus a futures account with wallet activity on its timeline. */
function scenario(): Scenario {
  return loadScenario({
    format: 'vigil-scenario/1',
    name: 'binance-dialect',
    seed: 11,
    accounts: [
      {
        id: 'main',
        exchange: 'binance',
        key: { permissions: ['read', 'spot'], ipWhitelist: [], ageDays: 200 },
        balances: { USDT: 20000, BTC: 0.8, ETH: 6, LTC: 40 },
        markets: ['BTC/USDT', 'ETH/USDT', 'LTC/BTC', 'VIA/BTC']
      },
      {
        id: 'fut',
        exchange: 'binance',
        key: {
          permissions: ['read', 'spot', 'futures', 'withdraw', 'transfer'],
          ipWhitelist: ['84.17.32.10'],
          ageDays: 40
        },
        balances: { USDT: 50000, BTC: 1 },
        markets: ['BTC/USDT', 'BTC/USDT:USDT', 'ETH/USDT:USDT'],
        history: {
          days: 20,
          trading: {
            symbols: ['BTC/USDT:USDT'],
            ordersPerDay: 6,
            notionalUsd: [500, 3000],
            marketShare: 0.3,
            hours: [0, 23],
            openOrders: 3,
            leverage: 5
          },
          withdrawals: {
            perMonth: 4,
            addresses: ['bc1qhome0000000000000000000000000000000'],
            amountUsd: [500, 2000]
          }
        }
      }
    ],
    history: {
      days: 45,
      trading: {
        symbols: ['BTC/USDT', 'ETH/USDT'],
        ordersPerDay: 20,
        notionalUsd: [200, 3000],
        marketShare: 0.2,
        hours: [8, 22],
        openOrders: 6
      }
    },
    timeline: [
      {
        at: 1,
        account: 'main',
        kind: 'order',
        symbol: 'VIA/BTC',
        side: 'buy',
        type: 'market',
        amount: 4000,
        attack: true
      },
      {
        at: 2,
        account: 'fut',
        kind: 'leverage',
        symbol: 'BTC/USDT:USDT',
        leverage: 50,
        attack: true
      },
      {
        at: 3,
        account: 'fut',
        kind: 'address_added',
        currency: 'BTC',
        address: 'bc1qattacker0000000000000000000000000000',
        attack: true
      },
      {
        at: 4,
        account: 'fut',
        kind: 'withdrawal',
        currency: 'BTC',
        amount: 0.5,
        address: 'bc1qattacker0000000000000000000000000000',
        attack: true
      },
      {
        at: 5,
        account: 'fut',
        kind: 'transfer',
        currency: 'USDT',
        amount: 900,
        to: 'sub',
        attack: true
      },
      {
        at: 6,
        account: 'fut',
        kind: 'transfer',
        currency: 'USDT',
        amount: 700,
        to: 'external-user',
        attack: true
      },
      {
        at: 7,
        account: 'main',
        kind: 'api_key_changed',
        keyId: 'self',
        permissions: ['read', 'spot', 'withdraw'],
        attack: true
      },
      { at: 8, account: 'main', kind: 'api_key_removed', keyId: 'self', attack: true }
    ]
  })
}

type Binance = InstanceType<typeof ccxt.binance>

function binanceFor(sim: Simulator, account: string, endpoint?: string): Binance {
  const ex = new ccxt.binance({
    ...sim.credentials(account),
    enableRateLimit: false,
    options: { warnOnFetchOpenOrdersWithoutSymbol: false }
  })
  ex.urls.api = rewriteApiUrls(ex.urls.api, endpoint ?? sim.endpointFor('binance'))
  return ex
}

/** The error ccxt raised, for class and body checks. */
async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p
  } catch (error) {
    return error as Error
  }
  throw new Error('expected the call to fail')
}

const usedWeight = (ex: Binance): number =>
  Number((ex.last_response_headers as Record<string, string>)['X-Mbx-Used-Weight-1m'])

describe('simulator: Binance dialect through ccxt', () => {
  const clock = new ManualClock(START)
  let sim: Simulator
  let main: Binance
  let fut: Binance

  beforeAll(async () => {
    sim = await startSimulator({ scenario: scenario(), clock, startAt: START })
    main = binanceFor(sim, 'main')
    fut = binanceFor(sim, 'fut')
  })
  afterAll(async () => {
    await sim?.close()
  })

  it('serves spot and USDⓈ-M markets, balances and prices', async () => {
    const markets = await fut.loadMarkets()
    expect(Object.keys(markets).sort()).toEqual(
      ['BTC/USDT', 'BTC/USDT:USDT', 'ETH/USDT', 'ETH/USDT:USDT', 'LTC/BTC', 'VIA/BTC'].sort()
    )
    expect(markets['BTC/USDT:USDT']).toMatchObject({
      id: 'BTCUSDT',
      swap: true,
      linear: true,
      settle: 'USDT'
    })
    expect(markets['VIA/BTC']).toMatchObject({ id: 'VIABTC', spot: true })
    const balance = await main.fetchBalance()
    expect(balance.total).toMatchObject({ USDT: 20000, BTC: 0.8, ETH: 6, LTC: 40 })
    // Resting orders lock part of the balance, as on Binance.
    expect(
      Object.values(balance.used as unknown as Record<string, number>).some((v) => v > 0)
    ).toBe(true)
    expect((await main.fetchTicker('VIA/BTC')).last).toBeCloseTo(0.00002)
    expect(await main.fetchTime()).toBeGreaterThan(0)
  })

  it('needs a symbol for trade history and counts the documented weights', async () => {
    await expect(main.fetchMyTrades()).rejects.toThrow(/requires a symbol/)
    const raw = await failure(main.privateGetMyTrades({}))
    expect(raw.message).toContain('-1102')
    const trades = await main.fetchMyTrades('BTC/USDT', undefined, 1000)
    expect(trades.length).toBeGreaterThan(100)
    expect(trades.every((t) => t.symbol === 'BTC/USDT')).toBe(true)
    const before = usedWeight(main)
    await main.fetchOpenOrders('BTC/USDT')
    expect(usedWeight(main) - before).toBe(6)
    const all = await main.fetchOpenOrders()
    expect(all).toHaveLength(sim.openOrders('main'))
    expect(usedWeight(main) - before).toBe(6 + 80)
    const orders = await main.fetchOrders('ETH/USDT', undefined, 1000)
    expect(orders.some((o) => o.status === 'open')).toBe(true)
    expect(orders.some((o) => o.status === 'closed')).toBe(true)
    // Spot history windows span at most 24 hours.
    const wide = await failure(
      main.privateGetAllOrders({ symbol: 'BTCUSDT', startTime: START - 3 * DAY, endTime: START })
    )
    expect(wide.message).toContain('-1127')
    // The request log carries each request's weight.
    expect(sim.requests.cost({ path: '/api/v3/openOrders' })).toBe(6 + 80)
  })

  it('reports the key the way /sapi/v1/account/apiRestrictions does', async () => {
    const restrictions = (await main.sapiGetAccountApiRestrictions()) as Record<string, unknown>
    expect(Object.keys(restrictions)).toEqual(
      expect.arrayContaining([
        'ipRestrict',
        'createTime',
        'enableReading',
        'enableWithdrawals',
        'enableInternalTransfer',
        'enableMargin',
        'enableFutures',
        'permitsUniversalTransfer',
        'enableVanillaOptions',
        'enableFixApiTrade',
        'enableFixReadOnly',
        'enableSpotAndMarginTrading',
        'enablePortfolioMarginTrading'
      ])
    )
    expect(restrictions).toMatchObject({
      ipRestrict: false,
      enableSpotAndMarginTrading: true,
      enableFutures: false
    })
    // Unrestricted trading keys carry the (optional) expiry of their trading authority.
    expect(typeof restrictions.tradingAuthorityExpirationTime).toBe('number')
    // Withdrawals without the permission: Binance's own words, which ccxt calls PermissionDenied.
    const perm = await failure(
      main.sapiPostCapitalWithdrawApply({ coin: 'BTC', address: 'bc1qx', amount: 0.1 })
    )
    expect(perm.name).toBe('PermissionDenied')
    expect(perm.message).toContain('You are not authorized to execute this request.')
    const bound = (await fut.sapiGetAccountApiRestrictions()) as Record<string, unknown>
    expect(bound).toMatchObject({ ipRestrict: true, enableFutures: true, enableWithdrawals: true })
    expect(bound.tradingAuthorityExpirationTime).toBeUndefined()
  })

  it('serves positions, leverage and the wallet history with its 90-day window', async () => {
    const positions = await fut.fetchPositions()
    expect(positions.some((p) => p.symbol === 'BTC/USDT:USDT')).toBe(true)
    const lev = await fut.fetchLeverages(['BTC/USDT:USDT'])
    expect(lev['BTC/USDT:USDT']?.longLeverage).toBe(5)
    const withdrawals = await fut.fetchWithdrawals()
    expect(withdrawals.length).toBeGreaterThan(0)
    const raw = (await fut.sapiGetCapitalWithdrawHistory()) as Array<Record<string, unknown>>
    expect(raw[0]!.applyTime).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/)
    const tooWide = await failure(
      fut.sapiGetCapitalWithdrawHistory({ startTime: START - 100 * DAY, endTime: START })
    )
    expect(tooWide.name).toBe('BadRequest')
    expect(tooWide.message).toContain('-1127')
    const book = (await fut.sapiGetCapitalWithdrawAddressList()) as Array<Record<string, unknown>>
    expect(book).toEqual([
      expect.objectContaining({
        address: 'bc1qhome0000000000000000000000000000000',
        coin: 'BTC',
        whiteStatus: true
      })
    ])
  })

  it('makes each timeline event visible and attributable', async () => {
    clock.advance(1000)
    const buy = sim.apply(0)
    const trades = await main.fetchMyTrades('VIA/BTC')
    expect(trades).toHaveLength(1)
    expect(sim.originOf('main', String(trades[0]!.id))).toBe(0)
    expect(sim.originOf('main', String(trades[0]!.order))).toBe(0)
    expect(buy.records).toContain(trades[0]!.order)

    clock.advance(1000)
    sim.apply(1)
    const account = (await fut.fapiPrivateV2GetAccount()) as {
      positions: Array<Record<string, string>>
    }
    expect(account.positions.find((p) => p.symbol === 'BTCUSDT')!.leverage).toBe('50')
    expect(sim.originOf('fut', 'BTCUSDT:leverage:50')).toBe(1)

    clock.advance(1000)
    sim.apply(2)
    const book = (await fut.sapiGetCapitalWithdrawAddressList()) as Array<{ address: string }>
    expect(book.map((a) => a.address)).toContain('bc1qattacker0000000000000000000000000000')
    expect(sim.originOf('fut', 'BTC:bc1qattacker0000000000000000000000000000')).toBe(2)

    clock.advance(1000)
    sim.apply(3)
    clock.advance(1000)
    sim.apply(4)
    clock.advance(1000)
    sim.apply(5)
    const history = (await fut.sapiGetCapitalWithdrawHistory()) as Array<Record<string, unknown>>
    const attacker = history.find((w) => w.address === 'bc1qattacker0000000000000000000000000000')!
    expect(attacker).toMatchObject({ coin: 'BTC', transferType: 0 })
    expect(sim.originOf('fut', String(attacker.id))).toBe(3)
    const internal = history.find((w) => w.transferType === 1)!
    expect(internal).toMatchObject({ coin: 'USDT', amount: '700.00000000' })
    expect(sim.originOf('fut', String(internal.id))).toBe(5)
    const subs = (await fut.sapiGetSubAccountUniversalTransfer()) as {
      result: Array<Record<string, unknown>>
    }
    expect(subs.result).toHaveLength(1)
    expect(sim.originOf('fut', String(subs.result[0]!.tranId))).toBe(4)

    clock.advance(1000)
    sim.apply(6)
    const changed = (await main.sapiGetAccountApiRestrictions()) as Record<string, unknown>
    expect(changed.enableWithdrawals).toBe(true)
    const self = sim.keys('main').find((k) => k.self)!
    // Binance names no key id: Vigil reports a fingerprint, which the simulator registers too.
    expect(sim.originOf('main', binanceKeyId(self.clientId))).toBe(6)
  })

  it("answers Binance's own errors, which ccxt maps to its classes", async () => {
    // Futures without the futures permission: -2015. ccxt calls it AuthenticationError on a fresh
    // instance, DDoSProtection once the instance has succeeded before (its temporary-ban guess).
    const fresh = binanceFor(sim, 'main')
    const noFutures = await failure(fresh.fapiPrivateV2GetAccount())
    expect(noFutures.name).toBe('AuthenticationError')
    expect(noFutures.message).toContain('-2015')
    expect((await failure(main.fapiPrivateV2GetAccount())).name).toBe('DDoSProtection')
    // With the permission, Binance checks the balance.
    const poor = await failure(
      fut.sapiPostCapitalWithdrawApply({ coin: 'BTC', address: 'bc1qx', amount: 100 })
    )
    expect(poor.message).toContain('-4026')
    // A wrong secret: -1022.
    const forged = new ccxt.binance({
      apiKey: sim.credentials('fut').apiKey,
      secret: 'not-the-secret',
      enableRateLimit: false
    })
    forged.urls.api = rewriteApiUrls(forged.urls.api, sim.endpointFor('binance'))
    const bad = await failure(forged.privateGetAccount())
    expect(bad.name).toBe('AuthenticationError')
    expect(bad.message).toContain('-1022')
    // A clock 20 s behind: outside the 10 s recvWindow ccxt sends.
    const late = binanceFor(sim, 'fut')
    late.options.timeDifference = 20_000
    const skew = await failure(late.privateGetAccount())
    expect(skew.name).toBe('InvalidNonce')
    expect(skew.message).toContain('-1021')
    // After the timeline removed the key: "Invalid Api-Key ID".
    clock.advance(1000)
    sim.apply(7)
    const gone = await failure(main.privateGetAccount())
    expect(gone.message).toContain('-2008')
    expect(gone.message).toContain('Invalid Api-Key ID.')
  })

  it('cancels per symbol (spot and USDⓈ-M), -2011 when nothing is left, and runs countdowns', async () => {
    await fut.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 50000)
    const spotOpen = await fut.fetchOpenOrders()
    expect(spotOpen.map((o) => o.symbol)).toEqual(['BTC/USDT'])
    expect(await fut.cancelAllOrders('BTC/USDT')).toHaveLength(1)
    const nothing = await failure(fut.cancelAllOrders('BTC/USDT'))
    expect(nothing.message).toContain('-2011')
    const futOpen = await fut.fetchOpenOrders('BTC/USDT:USDT')
    expect(futOpen.length).toBeGreaterThan(0)
    await fut.cancelAllOrders('BTC/USDT:USDT')
    expect(await fut.fetchOpenOrders('BTC/USDT:USDT')).toHaveLength(0)
    // Cancelling an empty USDⓈ-M symbol is fine on Binance ({"code":200}).
    await fut.cancelAllOrders('BTC/USDT:USDT')
    expect(await fut.fapiPrivateGetOpenAlgoOrders()).toEqual([])
    // Conditional orders live in the algo service and are cancelled per symbol there.
    const algo = (await fut.fapiPrivatePostAlgoOrder({
      algoType: 'CONDITIONAL',
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'STOP_MARKET',
      quantity: '0.01',
      triggerPrice: '40000'
    })) as Record<string, unknown>
    expect(algo).toMatchObject({ algoType: 'CONDITIONAL', algoStatus: 'NEW', symbol: 'BTCUSDT' })
    expect(await fut.fapiPrivateGetOpenAlgoOrders({ symbol: 'BTCUSDT' })).toHaveLength(1)
    await fut.fapiPrivateDeleteAlgoOpenOrders({ symbol: 'BTCUSDT' })
    expect(await fut.fapiPrivateGetOpenAlgoOrders()).toEqual([])
    expect(sim.openOrders('fut')).toBe(0)
    // A limit order rests; countdownCancelAll cancels it once the clock passes the deadline.
    await fut.createOrder('BTC/USDT:USDT', 'limit', 'buy', 0.01, 50000)
    expect(sim.openOrders('fut')).toBe(1)
    await fut.fapiPrivatePostCountdownCancelAll({ symbol: 'BTCUSDT', countdownTime: 5000 })
    clock.advance(6000)
    await new Promise((r) => setTimeout(r, 50))
    expect(sim.openOrders('fut')).toBe(0)
  })

  it('answers faults in Binance shapes', async () => {
    const cases: Array<[Parameters<Simulator['setFault']>[0]['fault'], string]> = [
      ['http_429', 'DDoSProtection'],
      ['http_5xx', 'ExchangeNotAvailable'],
      ['maintenance', 'OnMaintenance']
    ]
    for (const [kind, name] of cases) {
      sim.setFault({ fault: kind, seconds: 5, account: 'fut' })
      const error = await failure(fut.fetchBalance())
      expect(error.name, kind).toBe(name)
      sim.clearFaults()
    }
    sim.setFault({ fault: 'malformed', seconds: 5, account: 'fut' })
    expect(typeof (await fut.privateGetAccount())).toBe('string')
    sim.clearFaults()
    sim.setFault({ fault: 'timeout', seconds: 5, account: 'fut' })
    const slow = binanceFor(sim, 'fut')
    slow.timeout = 300
    expect((await failure(slow.privateGetAccount())).name).toBe('RequestTimeout')
    sim.clearFaults()
    expect((await fut.fetchBalance()).total).toBeDefined()
  })

  it('answers an overspending client with 429, then bans it with 418', async () => {
    // A client on its own endpoint (its own "IP"), so the other tests keep their budget.
    const greedy = binanceFor(sim, 'fut', sim.endpointFor('binance', 'fut'))
    let ok = 0
    let first: Error | null = null
    for (let i = 0; i < 200 && !first; i++) {
      try {
        await greedy.privateGetOpenOrders()
        ok++
      } catch (error) {
        first = error as Error
      }
    }
    expect(ok).toBe(Math.floor(6000 / 80))
    expect(first!.name).toBe('DDoSProtection')
    expect(first!.message).toContain('429')
    expect(first!.message).toContain('-1003')
    expect((greedy.last_response_headers as Record<string, string>)['Retry-After']).toMatch(/^\d+$/)
    let banned: Error | null = null
    for (let i = 0; i < 10 && !banned; i++) {
      const e = await failure(greedy.privateGetOpenOrders())
      if (e.message.includes('418')) banned = e
    }
    expect(banned!.name).toBe('DDoSProtection')
    expect(banned!.message).toContain('IP banned until')
    // The ban outlives the minute window; it ends after its Retry-After.
    clock.advance(61_000)
    expect((await failure(greedy.privateGetOpenOrders())).message).toContain('418')
    clock.advance(2 * 60_000)
    await expect(greedy.privateGetOpenOrders()).resolves.toBeDefined()
  })
})
