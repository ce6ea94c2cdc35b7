/**
 * The Bybit connector against the real local simulator, over real HTTP, through unmodified ccxt
 * built by the production factory: backfill, live polling with idempotent cursors while the
 * posture-bybit scenario (plus one event of every other kind Bybit exposes) plays, every fault
 * kind, rate limiting, and the kill switch read back from the simulator itself.
 */
import { readFileSync } from 'node:fs'

import ccxt from 'ccxt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { createBybitConnector } from '../../../../main/core/exchanges/bybit'
import { createCcxtFactory } from '../../../../main/core/exchanges/ccxt-factory'
import type { Connector, Cursors, PollResult } from '../../../../main/core/exchanges/connector'
import type { NewEvent } from '../../../../main/core/model'
import { silentLogger, type Clock } from '../../../../main/core/ports'
import { loadScenario, type Scenario } from '../../../../main/replay/scenario'
import { rewriteApiUrls, startSimulator, type Simulator } from '../../../../main/simulator'
import { bybitRefusals } from '../../../../main/simulator/dialects/bybit'

const SCENARIO = '/work/shared/scenarios/posture-bybit.json'
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

/** posture-bybit, a spot-only trader account, and one event of every other kind Bybit shows. */
function scenario(): Scenario {
  const doc = JSON.parse(readFileSync(SCENARIO, 'utf8')) as {
    accounts: unknown[]
    timeline: unknown[]
  }
  doc.accounts.push({
    id: 'trader',
    exchange: 'bybit',
    key: { permissions: ['read', 'spot'], ipWhitelist: ['84.17.32.10'], ageDays: 30 },
    balances: { USDT: 5000 },
    markets: ['BTC/USDT'],
    history: { days: 10, trading: { symbols: ['BTC/USDT'], ordersPerDay: 3, openOrders: 2 } }
  })
  doc.timeline.push(
    // 6: a market order on the perpetual, 7: transfer to a sub-account, 8: to another user,
    // 9: a new whitelisted address, 10: leverage, 11: the guardian key bound to an IP.
    {
      at: 9,
      account: 'by',
      kind: 'order',
      symbol: 'BTC/USDT:USDT',
      side: 'buy',
      type: 'market',
      amount: 0.05
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
    { at: 13, account: 'by', kind: 'leverage', symbol: 'BTC/USDT:USDT', leverage: 25 },
    { at: 14, account: 'by', kind: 'api_key_changed', keyId: 'self', ipWhitelist: ['203.0.113.7'] }
  )
  return loadScenario(doc)
}

const clock = new TestClock(Date.UTC(2026, 10, 20, 12))
let sim: Simulator
let connector: Connector
let cursors: Cursors = {}
/** Every event delivered so far, to prove each record arrives exactly once. */
const delivered: NewEvent[] = []
const rawId = (e: NewEvent): string => e.exchangeRecordId.split('#')[0]!

const poll = async (): Promise<PollResult> => {
  const result = await connector.poll(cursors)
  cursors = { ...cursors, ...result.cursors }
  delivered.push(...result.events)
  return result
}

/** Plays timeline events, one second apart. */
const play = (...indices: number[]): void => {
  for (const i of indices) {
    clock.advance(1000)
    sim.apply(i)
  }
  clock.advance(500)
}

/** Lets the slow streams (transfers, address book, Funding balance) come due. */
const slowDue = (): void => clock.advance(5000)

const connectorFor = async (account: string, timeoutMs?: number): Promise<Connector> => {
  const exchange = await createCcxtFactory({ timeoutMs }).create(
    { exchange: 'bybit', endpoint: sim.endpointFor('bybit') },
    sim.credentials(account)
  )
  return createBybitConnector(
    exchange,
    { id: account, exchange: 'bybit', selfKeyId: null },
    { clock, logger: silentLogger, options: { retry: { attempts: 3, baseDelayMs: 10 } } }
  )
}

beforeAll(async () => {
  sim = await startSimulator({ scenario: scenario(), clock, startAt: clock.now() })
  connector = await connectorFor('by', 1500)
})

afterAll(async () => {
  await connector?.close()
  await sim?.close()
})

describe('Bybit connector against the simulator (posture-bybit)', () => {
  it('backfills the history with progress, key posture, balances, a baseline address book', async () => {
    const progress: number[] = []
    const result = await connector.backfill({
      since: clock.now() - 90 * DAY,
      onProgress: (p) => progress.push(p)
    })
    expect(result.errors).toEqual([])
    cursors = result.cursors
    delivered.push(...result.events)

    const count = (type: string) => result.events.filter((e) => e.type === type).length
    expect(count('order.new')).toBeGreaterThan(300)
    expect(count('fill.new')).toBeGreaterThan(300)
    expect(count('withdrawal.new')).toBeGreaterThan(0)
    // The address already whitelisted when the account is added is the baseline, not new.
    expect(count('address.seen')).toBe(1)
    expect(count('address.added')).toBe(0)
    // The leverage in force is recorded once as the baseline.
    expect(result.events.filter((e) => e.type === 'leverage.changed').map((e) => e.data)).toEqual([
      { symbol: 'BTC/USDT:USDT', leverage: 3, previous: null }
    ])
    expect(count('position.changed')).toBe(1)

    // Funding settlements are in the same list as trades; none became a fill.
    const fills = result.events.filter((e) => e.type === 'fill.new')
    const worldFills = new Set(sim.world.account('by').fills.map((f) => f.id))
    expect(fills.every((f) => worldFills.has(f.exchangeRecordId))).toBe(true)
    const windowStart = clock.now() - 90 * DAY
    expect(fills).toHaveLength(
      sim.world.account('by').fills.filter((f) => f.timestamp >= windowStart).length
    )
    const order = result.events.find(
      (e) => e.type === 'order.new' && (e.data as { symbol: string }).symbol === 'BTC/USDT:USDT'
    )!
    expect(order.data).toMatchObject({ leverage: 3, origin: null })
    expect((order.data as { notionalUsd: number }).notionalUsd).toBeGreaterThan(0)
    const withdrawal = result.events.find((e) => e.type === 'withdrawal.new')!
    expect((withdrawal.data as { amountUsd: number }).amountUsd).toBeGreaterThan(400)

    expect(result.openOrders).toBe(sim.openOrders('by'))
    expect(result.keys).toEqual([
      {
        keyId: sim.keys('by').find((k) => k.self)!.id,
        name: 'vigil',
        permissions: ['read', 'spot', 'futures', 'withdraw', 'transfer'],
        ipWhitelist: [],
        enabled: true,
        self: true,
        createdAt: expect.any(Number),
        expiresAt: expect.any(Number),
        thirdParty: false
      }
    ])
    const usdt = result.balances!.find((b) => b.currency === 'USDT')!
    expect(usdt.total).toBeGreaterThan(14000)
    expect(result.balances!.find((b) => b.currency === 'BTC')).toMatchObject({
      total: 0.3,
      usdValue: 18000
    })

    expect(progress.length).toBeGreaterThan(5)
    expect(progress.at(-1)).toBe(1)
    expect(progress.every((p, i) => i === 0 || p >= progress[i - 1]!)).toBe(true)
    expect(Object.keys(cursors).sort()).toEqual(
      [
        'addresses',
        'fills:linear:USDT',
        'fills:spot',
        'open:linear:USDT',
        'open:spot',
        'orders:linear:USDT',
        'orders:spot',
        'positions',
        'transfers:internal',
        'transfers:sub',
        'withdrawals'
      ].sort()
    )
    clock.advance(1000)
    const again = await poll()
    expect(again.errors).toEqual([])
    expect(again.events).toEqual([])
  }, 90_000)

  it('sees the burst of withdrawals once, however often it polls', async () => {
    play(0, 1, 2)
    const first = await poll()
    expect(first.errors).toEqual([])
    expect(first.events.map((e) => [e.type, sim.originOf('by', rawId(e))])).toEqual([
      ['withdrawal.new', 0],
      ['withdrawal.new', 1],
      ['withdrawal.new', 2]
    ])
    expect(first.events[0]!.data).toMatchObject({
      currency: 'USDT',
      amount: 60,
      amountUsd: 60,
      address: 'TXattacker0000000000000000000000000',
      network: 'TRX',
      status: 'Pending'
    })
    play(3, 4, 5)
    const second = await poll()
    expect(second.events.map((e) => sim.originOf('by', rawId(e)))).toEqual([3, 4, 5])
    clock.advance(1000)
    expect((await poll()).events).toEqual([])
  }, 30_000)

  it('sees an order with its fill, transfers, a new address, leverage and a key change', async () => {
    play(6)
    const order = await poll()
    expect(order.errors).toEqual([])
    const types = order.events.map((e) => e.type)
    expect(types).toEqual(expect.arrayContaining(['order.new', 'fill.new', 'position.changed']))
    const newOrder = order.events.find((e) => e.type === 'order.new')!
    expect(sim.originOf('by', rawId(newOrder))).toBe(6)
    expect(newOrder.data).toMatchObject({
      symbol: 'BTC/USDT:USDT',
      side: 'buy',
      type: 'market',
      status: 'filled',
      amount: 0.05,
      leverage: 3
    })
    const fill = order.events.find((e) => e.type === 'fill.new')!
    expect(sim.originOf('by', rawId(fill))).toBe(6)
    expect(fill.data).toMatchObject({ marketPrice: 60000, price: 60000 })

    play(7, 8, 9)
    slowDue()
    const moves = await poll()
    expect(moves.errors).toEqual([])
    const byType = (type: string) => moves.events.filter((e) => e.type === type)
    expect(
      byType('transfer.new')
        .map((e) => [sim.originOf('by', rawId(e)), (e.data as { to: string }).to])
        .sort()
    ).toEqual([
      [7, 'sub'],
      [8, 'external-user']
    ])
    expect(byType('address.added')).toHaveLength(1)
    expect(byType('address.added')[0]!.data).toMatchObject({
      currency: 'USDT',
      address: 'TXnew00000000000000000000000000000',
      chain: 'TRX'
    })
    expect(sim.originOf('by', rawId(byType('address.added')[0]!))).toBe(9)
    // The transfer to another user left the balance: the snapshot shows it.
    const usdt = (r: PollResult) => r.balances!.find((b) => b.currency === 'USDT')!.total
    expect(usdt(moves)).toBeCloseTo(usdt(order) - 500 - 40, 6)

    play(10, 11)
    const changes = await poll()
    expect(changes.errors).toEqual([])
    const leverage = changes.events.filter((e) => e.type === 'leverage.changed')
    expect(leverage.map((e) => e.data)).toEqual([
      { symbol: 'BTC/USDT:USDT', leverage: 25, previous: 3 }
    ])
    expect(sim.originOf('by', rawId(leverage[0]!))).toBe(10)
    // The key change shows in the key snapshot (the core diffs it into key.changed).
    expect(changes.keys![0]!.ipWhitelist).toEqual(['203.0.113.7'])
    expect(changes.keys![0]!.expiresAt).toBeNull()
    clock.advance(1000)
    slowDue()
    expect((await poll()).events).toEqual([])
  }, 30_000)

  it('notices a resting order that was cancelled outside the window it reads', async () => {
    const account = sim.world.account('by')
    const resting = sim.world.openOrders(account)[0]!
    expect(resting.createdAt).toBeLessThan(sim.startAt)
    sim.world.cancelOrders(account, clock.now(), (o) => o === resting)
    clock.advance(1000)
    const result = await poll()
    expect(result.events.map((e) => [e.type, e.exchangeRecordId])).toEqual([
      ['order.updated', `${resting.id}#cancelled`]
    ])
    expect(result.openOrders).toBe(sim.openOrders('by'))
    clock.advance(1000)
    expect((await poll()).events).toEqual([])
  }, 30_000)

  it.each([
    ['http_429', 'rate-limit'],
    ['http_5xx', 'transient'],
    ['timeout', 'transient'],
    ['maintenance', 'maintenance'],
    ['malformed', 'malformed']
  ] as const)(
    '%s: no crash, cursors kept, then everything arrives exactly once',
    async (fault, category) => {
      sim.setFault({ fault, seconds: 5, account: 'by' })
      const account = sim.world.account('by')
      // Written straight into the world while the exchange misbehaves.
      const w = sim.world.withdraw(
        account,
        {
          currency: 'USDT',
          amount: 12,
          address: 'TXattacker0000000000000000000000000',
          network: 'TRC20'
        },
        clock.now()
      )
      const { order, fills } = sim.world.placeOrder(
        account,
        { symbol: 'BTC/USDT:USDT', side: 'sell', type: 'market', amount: 0.01, origin: 'api' },
        clock.now()
      )
      const during = { ...cursors }
      const broken = await poll()
      expect(broken.events).toEqual([])
      expect(broken.errors.length).toBeGreaterThan(0)
      expect(broken.errors[0]!.fault.category).toBe(category)
      if (category === 'malformed') {
        // Malformed is not halting: every stream tried and failed on its own.
        expect(broken.errors.length).toBeGreaterThan(5)
        expect(broken.errors.every((e) => e.fault.category === 'malformed')).toBe(true)
      }
      expect(broken.cursors).toEqual(during)
      expect(broken.keys).toBeUndefined()

      clock.advance(6000)
      const recovered = await poll()
      expect(recovered.errors).toEqual([])
      expect(
        recovered.events
          .filter((e) => e.type !== 'position.changed')
          .map((e) => [e.type, e.exchangeRecordId])
          .sort()
      ).toEqual(
        [
          ['withdrawal.new', String(w.id)],
          ['order.new', order.id],
          ['fill.new', fills[0]!.id]
        ].sort()
      )
      clock.advance(1000)
      expect((await poll()).events).toEqual([])
    },
    30_000
  )

  it('an overspending client gets Bybit’s rate-limit answer, classified rate-limit, and recovers', async () => {
    // Someone else with the same key (same UID) keeps the query-api window full while we poll.
    const rogue = new ccxt.bybit({ ...sim.credentials('by'), enableRateLimit: false })
    rogue.urls.api = rewriteApiUrls(rogue.urls.api, sim.endpointFor('bybit'))
    const refusedBefore = bybitRefusals(sim.world, 'by')
    let burning = true
    const burn = (async () => {
      // Paced at ~25 requests a second for as long as our poll runs (however slow the machine):
      // far above query-api's 10/s per UID, far below the IP limit of 600 in 5 s, which would ban
      // the whole test. A deadline keeps a stuck poll from burning forever.
      const deadline = Date.now() + 20_000
      while (burning && Date.now() < deadline) {
        await Promise.allSettled(Array.from({ length: 5 }, () => rogue.privateGetV5UserQueryApi()))
        await new Promise((r) => setTimeout(r, 200))
      }
    })()
    while (bybitRefusals(sim.world, 'by') === refusedBefore)
      await new Promise((r) => setTimeout(r, 10))
    clock.advance(1000)
    const limited = await poll()
    burning = false
    await burn
    expect(limited.errors[0]).toMatchObject({ stream: 'keys' })
    expect(limited.errors[0]!.fault.category).toBe('rate-limit')
    expect(limited.errors[0]!.fault.retryAfterMs).toBeGreaterThan(0)
    expect(limited.errors.every((e) => e.fault.category === 'rate-limit')).toBe(true)
    expect(limited.events).toEqual([])
    await new Promise((r) => setTimeout(r, 1100))
    clock.advance(1000)
    const ok = await poll()
    expect(ok.errors).toEqual([])
  }, 30_000)

  it('delivered every record exactly once across backfill and polls', () => {
    const ids = delivered.map((e) => `${e.kind}|${e.exchangeRecordId}`)
    expect(new Set(ids).size).toBe(ids.length)
    const attack = delivered.filter((e) => e.type === 'withdrawal.new' && e.ts >= sim.startAt)
    expect(attack.map((e) => sim.originOf('by', rawId(e))).slice(0, 6)).toEqual([0, 1, 2, 3, 4, 5])
  })

  it('kill switch: every category and order kind cancelled, the key deleted, read back', async () => {
    // A spot conditional order: Bybit's spot cancel-all leaves those unless asked for them.
    const ex = new ccxt.bybit({ ...sim.credentials('by'), enableRateLimit: false })
    ex.urls.api = rewriteApiUrls(ex.urls.api, sim.endpointFor('bybit'))
    await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 40000, { triggerPrice: 41000 })
    await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 40000)
    // A withdrawal under way while the kill switch runs (no poll saw it yet).
    clock.advance(1000)
    const late = sim.world.withdraw(
      sim.world.account('by'),
      {
        currency: 'USDT',
        amount: 33,
        address: 'TXattacker0000000000000000000000000',
        network: 'TRC20'
      },
      clock.now()
    )
    const before = sim.openOrders('by')
    expect(before).toBeGreaterThanOrEqual(6)
    const steps: string[] = []
    const result = await connector.killSwitch({
      includeGuardianKey: false,
      onStep: (s) => steps.push(s.action)
    })
    expect(result.errors).toEqual([])
    expect(sim.openOrders('by')).toBe(0)
    expect(result.ordersCancelled).toBe(before)
    expect(result.ordersRemaining).toBe(0)
    expect(steps).toEqual([
      'read-key',
      'read-open-orders',
      'cancel-all spot Order',
      'cancel-all spot StopOrder',
      'cancel-all linear:USDT',
      'read-back-orders',
      'final-read',
      'delete-key'
    ])
    const self = sim.keys('by').find((k) => k.self)!
    expect(self).toMatchObject({ removed: true, enabled: false })
    expect(result).toMatchObject({
      key: 'revoked',
      keysRemoved: [self.id],
      contained: true,
      manualUrl: 'https://www.bybit.com/app/user/api-management'
    })
    expect(result.steps.at(-1)!.detail).toMatch(/can no longer watch/)
    expect(result.manualSteps.join(' ')).toContain('https://www.bybit.com/app/user/api-management')

    // Firing again is harmless: nothing can be called any more, the outcome stands.
    const calls = sim.requests.count({ account: 'by' })
    const again = await connector.killSwitch({ includeGuardianKey: false })
    expect(again).toMatchObject({ key: 'revoked', contained: true, ordersRemaining: 0, errors: [] })
    expect(sim.requests.count({ account: 'by' })).toBe(calls)
    // The next poll delivers the last read made before the delete, says why it is blind from
    // now on, reports the key gone, and calls nothing.
    clock.advance(1000)
    const after = await poll()
    expect(
      after.events.filter((e) => e.kind === 'withdrawal').map((e) => [e.type, e.exchangeRecordId])
    ).toEqual([['withdrawal.new', String(late.id)]])
    // The two orders placed above, and their cancellation by the kill switch.
    expect(after.events.filter((e) => e.type === 'order.new')).toHaveLength(2)
    expect(after.events.filter((e) => e.type === 'order.updated').length).toBeGreaterThanOrEqual(2)
    expect(after.keys).toEqual([])
    expect(after.errors[0]!.fault.category).toBe('auth')
    expect(after.errors[0]!.fault.message).toMatch(/deleted its own API key/)
    expect(sim.requests.count({ account: 'by' })).toBe(calls)
    clock.advance(1000)
    const later = await poll()
    expect(later.events).toEqual([])
    expect(later.keys).toEqual([])
    expect(sim.requests.count({ account: 'by' })).toBe(calls)
  }, 60_000)

  it('kill switch with a trade-only key: cancels what it may, then hands over exact manual steps', async () => {
    const trader = await connectorFor('trader')
    try {
      await trader.backfill({ since: clock.now() - 20 * DAY })
      expect(sim.openOrders('trader')).toBe(2)
      const result = await trader.killSwitch({ includeGuardianKey: false })
      expect(sim.openOrders('trader')).toBe(0)
      expect(result.ordersRemaining).toBe(0)
      expect(result.key).toBe('manual-revoke-required')
      expect(result.contained).toBe(false)
      expect(result.steps.find((s) => s.action === 'revoke-key')!.detail).toMatch(
        /no transfer or withdrawal permission/
      )
      expect(result.manualSteps.join(' ')).toMatch(
        /https:\/\/www\.bybit\.com\/app\/user\/api-management.*delete/
      )
      expect(sim.keys('trader').every((k) => !k.removed && k.enabled)).toBe(true)

      // Someone deletes the key on the website: Bybit answers 10003, the key list is empty.
      const key = sim.world.selfKey(sim.world.account('trader'))
      key.removed = true
      key.enabled = false
      clock.advance(1000)
      const gone = await trader.poll({})
      expect(gone.keys).toEqual([])
      expect(gone.errors[0]).toMatchObject({ stream: 'keys' })
      expect(gone.errors[0]!.fault.category).toBe('auth')
      expect(gone.errors.every((e) => e.fault.category === 'auth')).toBe(true)
    } finally {
      await trader.close()
    }
  }, 60_000)
})
