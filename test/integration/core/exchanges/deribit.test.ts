/**
 * The Deribit connector against the real local simulator, over real HTTP, through unmodified ccxt
 * built by the production factory: backfill, live polling with idempotent cursors while the
 * takeover scenario plays, faults, and the kill switch read back from the simulator itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { createCcxtFactory } from '../../../../main/core/exchanges/ccxt-factory'
import type { Connector, Cursors, PollResult } from '../../../../main/core/exchanges/connector'
import { createDeribitConnector } from '../../../../main/core/exchanges/deribit'
import type { NewEvent } from '../../../../main/core/model'
import { silentLogger, type Clock } from '../../../../main/core/ports'
import { loadScenario } from '../../../../main/replay/scenario'
import { startSimulator, type Simulator } from '../../../../main/simulator'

const SCENARIO = '/work/shared/scenarios/takeover-deribit.json'
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

/** Plays timeline events one second apart, as the scenario's clock would. */
const play = (...indices: number[]): void => {
  for (const i of indices) {
    clock.advance(1000)
    sim.apply(i)
  }
  clock.advance(500)
}

beforeAll(async () => {
  const scenario = loadScenario(SCENARIO)
  sim = await startSimulator({ scenario, clock, startAt: clock.now() })
  const exchange = await createCcxtFactory().create(
    { exchange: 'deribit', endpoint: sim.endpointFor('deribit') },
    sim.credentials('drb')
  )
  connector = createDeribitConnector(
    exchange,
    { id: 'drb', exchange: 'deribit', selfKeyId: null },
    { clock, logger: silentLogger }
  )
})

afterAll(async () => {
  await connector?.close()
  await sim?.close()
})

describe('Deribit connector against the simulator (takeover-deribit)', () => {
  it('backfills 60 days of history with progress, keys and balances', async () => {
    const progress: number[] = []
    const result = await connector.backfill({
      since: clock.now() - 90 * DAY,
      onProgress: (p) => progress.push(p)
    })
    expect(result.errors).toEqual([])
    cursors = result.cursors
    delivered.push(...result.events)
    if (process.env.VIGIL_VERBOSE_TESTS) {
      const counts: Record<string, number> = {}
      for (const e of result.events) counts[e.type] = (counts[e.type] ?? 0) + 1
      process.stderr.write(
        `backfill: ${JSON.stringify(counts)}\ncursors: ${JSON.stringify(cursors).slice(0, 2000)}\n`
      )
    }

    const types = new Set(result.events.map((e) => e.type))
    for (const t of ['login.success', 'order.new', 'fill.new', 'withdrawal.new'])
      expect(types, t).toContain(t)
    const logins = result.events.filter((e) => e.kind === 'login')
    expect(logins.length).toBeGreaterThan(60)
    expect(logins.every((e) => e.ts < sim.startAt && e.ts >= sim.startAt - 61 * DAY)).toBe(true)
    expect(logins.find((e) => e.type === 'login.success')!.data).toMatchObject({
      ip: '84.17.32.10'
    })

    const orders = result.events.filter((e) => e.type === 'order.new')
    expect(orders.every((e) => (e.data as { symbol: string }).symbol === 'BTC/USD:BTC')).toBe(true)
    expect(orders.some((e) => (e.data as { notionalUsd: number }).notionalUsd > 0)).toBe(true)
    expect(result.openOrders).toBe(sim.openOrders('drb'))
    expect(result.openOrders).toBeGreaterThan(0)

    const self = result.keys!.find((k) => k.self)!
    expect(self).toBeDefined()
    expect(self.keyId).toBe(sim.keys('drb').find((k) => k.self)!.id)
    expect(self.ipWhitelist).toEqual(['84.17.32.10'])
    expect(result.balances!.find((b) => b.currency === 'BTC')!.total).toBeGreaterThan(0)

    expect(progress.length).toBeGreaterThan(3)
    expect(progress.at(-1)).toBe(1)
    expect(progress.every((p, i) => i === 0 || p >= progress[i - 1]!)).toBe(true)
    expect(Object.keys(cursors)).toEqual(
      expect.arrayContaining([
        'accessLog',
        'positions',
        'orders:BTC',
        'fills:BTC',
        'withdrawals:BTC',
        'addresses:BTC'
      ])
    )
    // Nothing new right after the backfill.
    clock.advance(1000)
    const again = await poll()
    expect(again.errors).toEqual([])
    expect(again.events).toEqual([])
  }, 60_000)

  it('sees the credential-stuffing logins once, however often it polls', async () => {
    play(0, 1, 2, 3)
    const first = await poll()
    expect(first.errors).toEqual([])
    const failures = first.events.filter((e) => e.type === 'login.failure')
    expect(failures.map((e) => (e.data as { ip: string }).ip).sort()).toEqual(
      ['103.152.220.4', '185.220.101.4', '193.32.162.8', '45.155.205.17'].sort()
    )
    expect(failures.map((e) => sim.originOf('drb', rawId(e))).sort()).toEqual([0, 1, 2, 3])
    clock.advance(1000)
    expect((await poll()).events).toEqual([])
  }, 30_000)

  it('sees the successful login, 2FA disabled and the new API key', async () => {
    play(4, 5)
    const login = await poll()
    expect(login.events.map((e) => e.type)).toEqual(['login.success', 'security.twofa_disabled'])
    expect(login.events[0]!.data).toMatchObject({ ip: '185.220.101.4', success: true })

    play(6)
    const created = await poll()
    const attacker = sim.keys('drb').find((k) => k.ref === 'k-attacker')!
    const keyEvent = created.events.find((e) => e.type === 'key.created')!
    expect(keyEvent).toBeDefined()
    expect(keyEvent.exchangeRecordId).toMatch(/^\d+#new_api_key$/)
    expect(sim.originOf('drb', rawId(keyEvent))).toBe(6)
    expect(keyEvent.data).toMatchObject({ keyId: attacker.id, self: false })
    expect(JSON.stringify(keyEvent)).not.toContain(attacker.clientId)
    expect(created.keys!.map((k) => k.keyId)).toContain(attacker.id)
    expect(created.keys!.find((k) => k.keyId === attacker.id)).toMatchObject({
      enabled: true,
      self: false,
      ipWhitelist: []
    })
    clock.advance(1000)
    expect((await poll()).events).toEqual([])
  }, 30_000)

  it('sees the new withdrawal address and the withdrawal', async () => {
    play(7)
    const address = await poll()
    expect(address.events.map((e) => [e.type, e.exchangeRecordId])).toEqual([
      ['address.added', 'BTC:bc1qattacker0000000000000000000000000000']
    ])
    play(8)
    const withdrawal = await poll()
    const w = withdrawal.events.filter((e) => e.kind === 'withdrawal')
    expect(w).toHaveLength(1)
    expect(w[0]).toMatchObject({
      type: 'withdrawal.new',
      data: { currency: 'BTC', amount: 2.4, address: 'bc1qattacker0000000000000000000000000000' }
    })
    expect(sim.originOf('drb', rawId(w[0]!))).toBe(8)
    clock.advance(1000)
    expect((await poll()).events).toEqual([])
  }, 30_000)

  it('delivered every record exactly once across backfill and polls', () => {
    const ids = delivered.map((e) => `${e.kind}|${e.exchangeRecordId}`)
    expect(new Set(ids).size).toBe(ids.length)
    const attackLogs = delivered.filter(
      (e) => e.ts >= sim.startAt && (e.kind === 'login' || e.kind === 'security')
    )
    expect(attackLogs).toHaveLength(6)
  })

  it('a malformed or rate-limited exchange loses nothing', async () => {
    sim.setFault({ fault: 'malformed', seconds: 5, account: 'drb' })
    // A login while the exchange answers garbage must still arrive once it recovers. (Written
    // straight into the simulated world: the scenario's timeline is used up by now.)
    const account = sim.world.account('drb')
    const missed = sim.world.login(
      account,
      { ip: '9.9.9.9', userAgent: null, success: true },
      clock.now()
    )
    const during = { ...cursors }
    const broken = await poll()
    expect(broken.events).toEqual([])
    expect(broken.errors.length).toBeGreaterThan(5)
    expect(broken.errors.every((e) => e.fault.category === 'malformed')).toBe(true)
    expect(broken.cursors).toEqual(during)

    clock.advance(6000)
    sim.setFault({ fault: 'http_429', seconds: 2, account: 'drb' })
    const limited = await poll()
    expect(limited.errors[0]!.fault.category).toBe('rate-limit')
    expect(limited.errors.every((e) => e.fault.category === 'rate-limit')).toBe(true)

    clock.advance(3000)
    const recovered = await poll()
    expect(recovered.errors).toEqual([])
    expect(recovered.events.map((e) => [e.type, e.exchangeRecordId])).toEqual([
      ['login.success', String(missed.id)]
    ])
    clock.advance(1000)
    expect((await poll()).events).toEqual([])
  }, 30_000)

  it('kill switch: no open orders and every other key disabled, read back from the simulator', async () => {
    const before = sim.openOrders('drb')
    expect(before).toBeGreaterThan(0)
    const steps: string[] = []
    const result = await connector.killSwitch({
      includeGuardianKey: false,
      onStep: (s) => steps.push(s.action)
    })
    expect(result.errors).toEqual([])
    expect(sim.openOrders('drb')).toBe(0)
    expect(result.ordersCancelled).toBe(before)
    expect(result.ordersRemaining).toBe(0)
    const keys = sim.keys('drb')
    const attacker = keys.find((k) => k.ref === 'k-attacker')!
    expect(attacker.enabled).toBe(false)
    expect(keys.filter((k) => !k.self && !k.removed).every((k) => !k.enabled)).toBe(true)
    expect(keys.find((k) => k.self)!.enabled).toBe(true)
    expect(result.keysDisabled).toContain(attacker.id)
    expect(result.key).toBe('disabled')
    expect(result.contained).toBe(true)
    expect(result.manualSteps).toEqual([])
    expect(steps[0]).toBe('cancel-all')
    expect(steps).toContain('read-back-keys')

    // Firing again is harmless: nothing to cancel or disable, still contained.
    const again = await connector.killSwitch({ includeGuardianKey: false })
    expect(again.errors).toEqual([])
    expect(again.ordersCancelled).toBe(0)
    expect(again.keysDisabled).toEqual([])
    expect(again.key).toBe('unchanged')
    expect(again.contained).toBe(true)
    expect(sim.openOrders('drb')).toBe(0)
    expect(sim.keys('drb').find((k) => k.self)!.enabled).toBe(true)

    // The access log now shows the disable; the guardian keeps watching.
    clock.advance(1000)
    const after = await poll()
    expect(after.errors).toEqual([])
    expect(after.events.map((e) => e.type)).toContain('key.disabled')
    expect(after.openOrders).toBe(0)
  }, 60_000)
})
