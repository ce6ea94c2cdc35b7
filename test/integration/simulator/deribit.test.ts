// Real HTTP, real ccxt, no mocks: an unmodified ccxt deribit instance, pointed at the simulator,
// must see the scenario's world the way it would see deribit.com.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

import ccxt from 'ccxt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import type { Clock } from '../../../main/core/ports'
import { loadScenario, type Scenario } from '../../../main/replay/scenario'
import { buildWorld, rewriteApiUrls, startSimulator, type Simulator } from '../../../main/simulator'

const SCENARIO_FILE = join(__dirname, '../../../../shared/scenarios/takeover-deribit.json')
const START = Date.parse('2026-03-02T12:00:00Z')
const ACCESS_LOG = '/api/v2/private/get_access_log'

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

/** The takeover scenario plus two orders (a market dump and a resting bid) and a timeline fault. */
function scenarioWithOrders(): Scenario {
  const doc = JSON.parse(readFileSync(SCENARIO_FILE, 'utf8')) as { timeline: unknown[] }
  doc.timeline.push(
    {
      at: 11,
      account: 'drb',
      kind: 'order',
      symbol: 'BTC/USD:BTC',
      side: 'sell',
      type: 'market',
      amount: 20000,
      attack: true
    },
    {
      at: 12,
      account: 'drb',
      kind: 'order',
      symbol: 'BTC/USD:BTC',
      side: 'buy',
      type: 'limit',
      amount: 1000,
      price: 50000,
      attack: true
    },
    { at: 13, account: 'drb', kind: 'fault', fault: 'http_429', seconds: 3 }
  )
  return loadScenario(doc)
}

type Deribit = InstanceType<typeof ccxt.deribit>

function deribitFor(
  sim: Simulator,
  credentials: { apiKey: string; secret: string },
  endpoint?: string
): Deribit {
  const ex = new ccxt.deribit({ ...credentials, enableRateLimit: false })
  ex.urls.api = rewriteApiUrls(ex.urls.api, endpoint ?? sim.endpointFor('deribit'))
  return ex
}

interface AccessEntry {
  id: number
  timestamp: number
  ip: string
  country: string
  city: string
  log: string
  result: string
  data?: string
}

describe('simulator: Deribit dialect through ccxt', () => {
  const clock = new ManualClock(START)
  const scenario = scenarioWithOrders()
  let sim: Simulator
  let ex: Deribit

  const accessLog = async (
    params: Record<string, unknown> = {}
  ): Promise<{ records_total: number; data: AccessEntry[] }> => {
    const response = (await ex.privateGetGetAccessLog(params)) as {
      result: { records_total: number; data: AccessEntry[] }
    }
    return response.result
  }

  beforeAll(async () => {
    sim = await startSimulator({ scenario, clock, startAt: START })
    ex = deribitFor(sim, sim.credentials('drb'))
  })
  afterAll(async () => {
    await sim?.close()
  })

  it('serves markets, balances and tickers', async () => {
    const markets = await ex.loadMarkets()
    expect(Object.keys(markets).sort()).toEqual(['BTC/USD:BTC', 'ETH/USD:ETH'])
    expect(markets['BTC/USD:BTC']).toMatchObject({
      id: 'BTC-PERPETUAL',
      swap: true,
      inverse: true,
      settle: 'BTC',
      contractSize: 10
    })
    const balance = await ex.fetchBalance()
    expect(balance.total).toMatchObject({ BTC: 2.5, ETH: 30 })
    const ticker = await ex.fetchTicker('BTC/USD:BTC')
    expect(ticker.last).toBe(60000)
    const positions = await ex.fetchPositions()
    expect(positions.every((p) => p.symbol === 'BTC/USD:BTC' && p.leverage === 5)).toBe(true)
  })

  it('serves the generated history: resting orders, fills, closed orders, withdrawals', async () => {
    const open = await ex.fetchOpenOrders()
    expect(open).toHaveLength(3)
    expect(sim.openOrders('drb')).toBe(3)
    for (const order of open) {
      expect(order.status).toBe('open')
      expect(order.timestamp).toBeLessThan(START)
      expect(typeof order.info.web).toBe('boolean')
      expect(order.info.api).toBe(!order.info.web)
    }
    const trades = await ex.fetchMyTrades()
    expect(trades).toHaveLength(10) // Deribit's default page
    expect(trades[0].id).toMatch(/^BTC-\d+$/)
    const all = await ex.fetchMyTrades(undefined, START - 60 * 86_400_000, 1000)
    expect(all.length).toBeGreaterThan(100)
    // The default page holds the newest trades (ccxt re-sorts them oldest first).
    const newest = Math.max(...all.map((t) => t.timestamp as number))
    expect(trades[9].timestamp).toBe(newest)
    expect(all.every((t) => (t.timestamp as number) < START)).toBe(true)
    const closed = await ex.fetchClosedOrders()
    const origins = new Set(closed.map((o) => (o.info.api ? 'api' : 'web')))
    expect(origins).toEqual(new Set(['api', 'web']))
    const withdrawals = await ex.fetchWithdrawals('BTC')
    expect(withdrawals.length).toBeGreaterThan(0)
    for (const w of withdrawals) {
      expect(w).toMatchObject({
        type: 'withdrawal',
        currency: 'BTC',
        status: 'ok',
        address: 'bc1qhomewallet00000000000000000000000000'
      })
      expect(w.timestamp).toBeLessThan(START)
    }
  })

  it('serves the access log in the documented envelope, with both log and result, paged', async () => {
    const raw = (await ex.privateGetGetAccessLog({ count: 5 })) as Record<string, unknown>
    expect(raw).toMatchObject({ jsonrpc: '2.0', testnet: false })
    expect(raw.usOut as number).toBeGreaterThanOrEqual(raw.usIn as number)
    expect(raw.usDiff).toBe((raw.usOut as number) - (raw.usIn as number))
    const page = await accessLog({ count: 5 })
    expect(page.data).toHaveLength(5)
    for (const entry of page.data) {
      expect(entry.log).toBe(entry.result)
      expect(Object.keys(entry)).toEqual(
        expect.arrayContaining(['id', 'ip', 'timestamp', 'country', 'city', 'log', 'result'])
      )
    }
    const ids = page.data.map((e) => e.id)
    expect(ids).toEqual([...ids].sort((a, b) => b - a))
    const everything = await accessLog({ count: 1000 })
    expect(everything.data).toHaveLength(everything.records_total)
    const second = await accessLog({ count: 5, offset: 5 })
    expect(second.data.map((e) => e.id)).toEqual(everything.data.slice(5, 10).map((e) => e.id))
    expect(everything.data.every((e) => e.timestamp < START)).toBe(true)
    expect(new Set(everything.data.map((e) => e.result))).toEqual(
      new Set(['success', 'failure', 'new_api_key'])
    )
  })

  it('lists API keys like the documented example, never with the real secret', async () => {
    const { apiKey, secret } = sim.credentials('drb')
    const { result } = (await ex.privateGetListApiKeys()) as { result: Record<string, unknown>[] }
    expect(result).toHaveLength(1)
    expect(result[0]).toMatchObject({
      client_id: apiKey,
      enabled: true,
      default: true,
      ip_whitelist: ['84.17.32.10']
    })
    expect(result[0].max_scope).toContain('account:read_write')
    expect(result[0].client_secret).not.toBe(secret)
    expect(JSON.stringify(result)).not.toContain(secret)
  })

  it('rejects bad signatures and unknown keys with errors ccxt maps to AuthenticationError', async () => {
    const { apiKey } = sim.credentials('drb')
    await expect(
      deribitFor(sim, { apiKey, secret: 'wrong-secret' }).fetchBalance()
    ).rejects.toBeInstanceOf(ccxt.AuthenticationError)
    await expect(
      deribitFor(sim, { apiKey: 'nobody', secret: 'x' }).privateGetGetAccessLog()
    ).rejects.toBeInstanceOf(ccxt.AuthenticationError)
  })

  it('plays timeline events and makes them visible through ccxt, mapped back by originOf', async () => {
    const before = (await accessLog()).records_total
    let at = 0
    for (let i = 0; i < 11; i++) {
      clock.advance((scenario.timeline[i].at - at) * 1000)
      at = scenario.timeline[i].at
      sim.apply(i)
    }
    const log = await accessLog({ count: 20 })
    expect(log.records_total).toBe(before + 7)
    const byOrigin = new Map(log.data.map((e) => [sim.originOf('drb', e.id), e]))
    const failedFrom = ['45.155.205.17', '193.32.162.8', '103.152.220.4', '185.220.101.4']
    failedFrom.forEach((ip, i) =>
      expect(byOrigin.get(i)).toMatchObject({ result: 'failure', log: 'failure', ip })
    )
    expect(byOrigin.get(4)).toMatchObject({
      result: 'success',
      log: 'success',
      ip: '185.220.101.4',
      country: 'Germany'
    })
    expect(byOrigin.get(4)?.timestamp).toBe(START + 4000)
    expect(byOrigin.get(5)).toMatchObject({ result: 'disabled_tfa', ip: '185.220.101.4' })
    expect(byOrigin.get(6)).toMatchObject({ result: 'new_api_key' })

    const keys = (
      (await ex.privateGetListApiKeys()) as {
        result: { id: number; client_id: string; max_scope: string }[]
      }
    ).result
    const attacker = keys.find((k) => k.client_id !== sim.credentials('drb').apiKey)
    expect(attacker).toBeDefined()
    expect(sim.originOf('drb', attacker!.id)).toBe(6)
    expect(sim.originOf('drb', attacker!.client_id)).toBe(6)
    expect(byOrigin.get(6)?.data).toBe(attacker!.client_id)
    // The core qualifies some record ids (`<id>#<what>`); they resolve to the record's origin.
    expect(sim.originOf('drb', `${byOrigin.get(6)!.id}#new_api_key`)).toBe(6)
    expect(sim.originOf('drb', `${attacker!.id}#seen`)).toBe(6)

    const book = (
      (await ex.privateGetGetAddressBook({ currency: 'BTC', type: 'withdrawal' })) as {
        result: { address: string }[]
      }
    ).result
    const added = book.find((a) => a.address === 'bc1qattacker0000000000000000000000000000')
    expect(added).toBeDefined()
    expect(sim.originOf('drb', added!.address)).toBe(7)
    expect(sim.originOf('drb', `BTC:${added!.address}`)).toBe(7)

    const withdrawal = (await ex.fetchWithdrawals('BTC')).find(
      (w) => w.address === 'bc1qattacker0000000000000000000000000000'
    )
    expect(withdrawal).toMatchObject({ amount: 2.4, status: 'pending', timestamp: START + 10_000 })
    expect(sim.originOf('drb', withdrawal!.id as string)).toBe(8)
    // 2.5 - 2.4, less the taker fee of the market order (event 9) already applied.
    expect((await ex.fetchBalance()).BTC.total).toBeCloseTo(0.1, 3)

    const dump = (await ex.fetchClosedOrders()).find(
      (o) => sim.originOf('drb', o.id as string) === 9
    )
    expect(dump).toMatchObject({
      side: 'sell',
      type: 'market',
      status: 'closed',
      amount: 20000,
      filled: 20000
    })
    expect(dump!.info).toMatchObject({ api: true, web: false })
    const fills = await ex.fetchMyTrades(undefined, START, 100)
    expect(fills).toHaveLength(1)
    expect(fills[0]).toMatchObject({ order: dump!.id, side: 'sell', price: 60000 })
    expect(sim.originOf('drb', fills[0].id as string)).toBe(9)

    const open = await ex.fetchOpenOrders()
    expect(open).toHaveLength(4)
    const bid = open.find((o) => sim.originOf('drb', o.id as string) === 10)
    expect(bid).toMatchObject({
      side: 'buy',
      type: 'limit',
      price: 50000,
      amount: 1000,
      status: 'open'
    })
    expect(sim.originOf('drb', 'BTC-1')).toBeUndefined()
  })

  it('cancels everything with cancelAllOrders and the simulator reads the count back', async () => {
    const [result] = await ex.cancelAllOrders()
    expect((result.info as { result: number }).result).toBe(4)
    expect(sim.openOrders('drb')).toBe(0)
    expect(await ex.fetchOpenOrders()).toEqual([])
  })

  it('disables a key: it then fails with AuthenticationError, and the access log says so', async () => {
    const attacker = sim.keys('drb').find((k) => k.ref === 'k-attacker')!
    const key = sim.world.keyByRef(sim.world.account('drb'), 'k-attacker')!
    const asAttacker = deribitFor(sim, { apiKey: key.clientId, secret: key.secret })
    expect(
      ((await asAttacker.privateGetGetAccessLog({ count: 1 })) as { result: unknown }).result
    ).toBeDefined()

    const { result } = (await ex.privateGetDisableApiKey({ id: attacker.id })) as {
      result: { id: number; enabled: boolean }
    }
    expect(result).toMatchObject({ id: Number(attacker.id), enabled: false })
    expect(sim.keys('drb').find((k) => k.ref === 'k-attacker')).toMatchObject({
      enabled: false,
      removed: false
    })
    await expect(asAttacker.privateGetGetAccessLog({ count: 1 })).rejects.toBeInstanceOf(
      ccxt.AuthenticationError
    )
    expect((await accessLog({ count: 1 })).data[0]).toMatchObject({
      result: 'disabled_api_key',
      data: key.clientId
    })

    await ex.privateGetEnableApiKey({ id: attacker.id })
    expect(
      ((await asAttacker.privateGetGetAccessLog({ count: 1 })) as { result: unknown }).result
    ).toBeDefined()
    await ex.privateGetRemoveApiKey({ id: attacker.id })
    await expect(asAttacker.privateGetGetAccessLog({ count: 1 })).rejects.toBeInstanceOf(
      ccxt.AuthenticationError
    )
    expect(sim.keys('drb').find((k) => k.ref === 'k-attacker')).toMatchObject({ removed: true })
    const listed = ((await ex.privateGetListApiKeys()) as { result: unknown[] }).result
    expect(listed).toHaveLength(1)
  })

  it('creates orders through ccxt (buy/sell)', async () => {
    const order = await ex.createOrder('BTC/USD:BTC', 'limit', 'buy', 100, 55000)
    expect(order).toMatchObject({ status: 'open', side: 'buy', price: 55000, amount: 100 })
    expect(order.info).toMatchObject({ api: true, web: false })
    const market = await ex.createOrder('BTC/USD:BTC', 'market', 'sell', 50)
    expect(market.status).toBe('closed')
    expect(market.trades).toHaveLength(1)
    expect(sim.openOrders('drb')).toBe(1)
    await ex.cancelOrder(order.id as string)
    expect(sim.openOrders('drb')).toBe(0)
  })

  it('counts requests per account and path', () => {
    const calls = sim.requests.count({ account: 'drb', path: ACCESS_LOG })
    expect(calls).toBeGreaterThanOrEqual(9)
    expect(sim.requests.byPath({ account: 'drb' })[ACCESS_LOG]).toBe(calls)
    // Public calls belong to no account: one market load per ccxt instance that needed markets.
    expect(sim.requests.count({ account: null, path: '/api/v2/public/get_instruments' })).toBe(2)
    expect(sim.requests.count({ account: 'drb', path: '/api/v2/public/get_instruments' })).toBe(0)
  })

  it('injects faults in Deribit’s own error shapes', async () => {
    const inject = async (
      fault: 'http_429' | 'http_5xx' | 'timeout' | 'malformed' | 'maintenance',
      call: () => Promise<unknown>
    ): Promise<unknown> => {
      sim.setFault({ fault, seconds: 2, account: 'drb' })
      try {
        return await call().then(
          (value) => value,
          (error: unknown) => error
        )
      } finally {
        clock.advance(2_001)
      }
    }
    const rateLimited = await inject('http_429', () => ex.fetchBalance())
    expect(rateLimited).toBeInstanceOf(ccxt.DDoSProtection)
    expect((await ex.fetchBalance()).BTC.total).toBeCloseTo(0.1, 3) // the fault window is over

    const down = await inject('http_5xx', () => ex.fetchOpenOrders())
    expect(down).toBeInstanceOf(ccxt.ExchangeNotAvailable)
    expect(down).toBeInstanceOf(ccxt.NetworkError)

    ex.timeout = 300
    const hung = await inject('timeout', () => ex.privateGetGetAccessLog({ count: 1 }))
    ex.timeout = 10_000
    expect(hung).toBeInstanceOf(ccxt.RequestTimeout)

    const garbled = await inject('malformed', () => ex.privateGetGetAccessLog({ count: 1 }))
    expect(typeof garbled).toBe('string') // ccxt hands back the body it could not parse
    expect(() => JSON.parse(garbled as string)).toThrow(SyntaxError)

    const maintenance = await inject('maintenance', () => ex.fetchMyTrades())
    expect(maintenance).toBeInstanceOf(ccxt.OnMaintenance)
    expect(maintenance).toBeInstanceOf(ccxt.ExchangeNotAvailable)

    // Public market data fails too while the account's exchange is down.
    sim.setFault({ fault: 'http_5xx', seconds: 1, account: 'drb' })
    await expect(ex.fetchTicker('BTC/USD:BTC')).rejects.toBeInstanceOf(ccxt.ExchangeNotAvailable)
    clock.advance(1_001)

    // A timeline fault event does the same.
    sim.apply(11)
    await expect(ex.fetchBalance()).rejects.toBeInstanceOf(ccxt.DDoSProtection)
    clock.advance(3_001)
    await expect(ex.fetchBalance()).resolves.toBeDefined()
    expect(
      sim.requests
        .entries({ account: 'drb' })
        .some((r) => r.fault === 'timeout' && r.status === null)
    ).toBe(true)
  })

  it('lets the guardian disable its own key, after which its calls fail', async () => {
    const self = sim.keys('drb').find((k) => k.self)!
    await ex.privateGetDisableApiKey({ id: self.id })
    await expect(ex.fetchBalance()).rejects.toBeInstanceOf(ccxt.AuthenticationError)
  })

  it('refuses exchanges it has no dialect for', () => {
    expect(() => sim.endpointFor('kraken' as never)).toThrow(/dialect not yet supported: kraken/)
  })
})

describe('simulator: key scopes', () => {
  it('a read-only key cannot manage keys or cancel; a narrower key cannot disable a wider one', async () => {
    const doc = JSON.parse(readFileSync(SCENARIO_FILE, 'utf8')) as {
      accounts: { key: { permissions: string[] } }[]
    }
    doc.accounts[0].key.permissions = ['read']
    const scenario = loadScenario(doc)
    const clock = new ManualClock(START)
    const sim = await startSimulator({ scenario, clock })
    try {
      const ex = deribitFor(sim, sim.credentials('drb'), sim.endpointFor('deribit', 'drb'))
      expect((await ex.fetchOpenOrders()).length).toBe(3)
      await expect(ex.cancelAllOrders()).rejects.toBeInstanceOf(ccxt.PermissionDenied)
      sim.apply(6) // the attacker's key (read, futures, withdraw)
      const attacker = sim.keys('drb').find((k) => k.ref === 'k-attacker')!
      await expect(ex.privateGetDisableApiKey({ id: attacker.id })).rejects.toBeInstanceOf(
        ccxt.PermissionDenied
      )
      expect(sim.openOrders('drb')).toBe(3)
    } finally {
      await sim.close()
    }

    // quiet-month's Deribit key is read + futures; give the account an older read + withdraw key.
    const quiet = JSON.parse(readFileSync(join(SCENARIO_FILE, '../quiet-month.json'), 'utf8')) as {
      accounts: { otherKeys?: unknown[] }[]
    }
    quiet.accounts[0].otherKeys = [{ permissions: ['read', 'withdraw'], ageDays: 10 }]
    const wider = loadScenario(quiet)
    const sim2 = await startSimulator({ scenario: wider, clock: new ManualClock(START) })
    try {
      const ex = deribitFor(sim2, sim2.credentials('drb'))
      const other = sim2.keys('drb').find((k) => k.ref === 'other-1')!
      await expect(ex.privateGetDisableApiKey({ id: other.id })).rejects.toThrow(/scope_exceeded/)
    } finally {
      await sim2.close()
    }
  })
})

describe('simulator: generated history', () => {
  const scenario = loadScenario(SCENARIO_FILE)

  it('is a pure function of scenario and seed', () => {
    const a = buildWorld(scenario, { seed: 3, startAt: START }).snapshot()
    const b = buildWorld(scenario, { seed: 3, startAt: START }).snapshot()
    const c = buildWorld(scenario, { seed: 4, startAt: START }).snapshot()
    expect(b).toEqual(a)
    expect(c).not.toEqual(a)
  })

  it('lies before the start, inside the configured hours', () => {
    const world = buildWorld(scenario, { seed: scenario.seed, startAt: START })
    const account = world.account('drb')
    const from = START - 60 * 86_400_000
    for (const entry of account.accessLog) {
      expect(entry.timestamp).toBeGreaterThanOrEqual(from)
      expect(entry.timestamp).toBeLessThan(START)
      const hour = new Date(entry.timestamp).getUTCHours()
      expect(hour).toBeGreaterThanOrEqual(7)
      expect(hour).toBeLessThanOrEqual(23)
    }
    for (const order of account.orders) {
      expect(order.createdAt).toBeLessThan(START)
      expect(order.updatedAt).toBeLessThan(START)
      expect(new Date(order.createdAt).getUTCHours()).toBeGreaterThanOrEqual(8)
      expect(new Date(order.createdAt).getUTCHours()).toBeLessThanOrEqual(22)
    }
    // About 10 orders and 2 logins a day over 60 days.
    expect(account.orders.length).toBeGreaterThan(450)
    expect(account.orders.length).toBeLessThan(750)
    expect(
      account.accessLog.filter((e) => e.event === 'success' || e.event === 'failure').length
    ).toBeGreaterThan(80)
    expect(account.orders.filter((o) => o.status === 'open')).toHaveLength(3)
    expect(account.leverage.get('BTC/USD:BTC')).toBe(5)
  })
})
