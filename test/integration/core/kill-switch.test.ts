import { resolve } from 'node:path'

import { afterEach, describe, expect, it } from 'vitest'

import { dispatch } from '../../../main/api/dispatch'
import type { KillSwitchReport } from '../../../main/api/contract'
import { createCcxtFactory } from '../../../main/core/exchanges/ccxt-factory'
import { MemorySecretStore } from '../../../main/core/secrets/memory-store'
import { createVigil } from '../../../main/core/vigil'
import { ScenarioClock } from '../../../main/replay/clock'
import { loadScenario } from '../../../main/replay/scenario'
import { startSimulator } from '../../../main/simulator'
import { watchSimulatedAccount } from '../../support/sim-account'
import { RecordingNotifier } from '../../support/fakes/recording-notifier'

const base = loadScenario(resolve(__dirname, '../../../../shared/scenarios/takeover-deribit.json'))
// Many resting orders and an extra key, so containment has real work to do.
const scenario = loadScenario({
  ...JSON.parse(JSON.stringify(base)),
  name: 'kill-switch-drill',
  timeline: [],
  accounts: base.accounts.map((a) => ({
    ...a,
    otherKeys: [{ permissions: ['read', 'futures'], ipWhitelist: [], ageDays: 10 }]
  })),
  history: { ...base.history, trading: { ...base.history!.trading, openOrders: 40 } }
})

async function setup() {
  const clock = new ScenarioClock(Date.now(), 1)
  const sim = await startSimulator({ scenario, clock, startAt: clock.startAt })
  const vigil = await createVigil({
    dataDir: ':memory:',
    secrets: new MemorySecretStore(),
    notifier: new RecordingNotifier(),
    exchanges: createCcxtFactory(),
    rulesDir: resolve(__dirname, '../../../resources/rules'),
    clock,
    mode: 'headless'
  })
  const accountId = await watchSimulatedAccount(vigil, sim, {
    exchange: 'deribit',
    label: 'drb',
    pollSeconds: 30
  })
  clock.begin()
  return { sim, vigil, accountId, stop: async () => (await vigil.stop(), await sim.close()) }
}

let cleanup: (() => Promise<void>) | null = null
afterEach(async () => {
  await cleanup?.()
  cleanup = null
})

const fire = async (vigil: Awaited<ReturnType<typeof setup>>['vigil']) => {
  const result = await dispatch(vigil, 'killSwitch.fire', { reason: 'drill' })
  if (!result.ok) throw new Error(result.error.message)
  return result.value as KillSwitchReport
}

describe('kill-switch against the simulator', () => {
  it('contains the account although 30 % of responses fail, and says which steps needed retries', async () => {
    const s = await setup()
    cleanup = s.stop
    expect(s.sim.openOrders('drb')).toBe(40)
    s.sim.setFlaky(0.3, { seed: 7 })
    const report = await fire(s.vigil)
    s.sim.clearFaults()
    const [account] = report.accounts
    expect(account!.contained).toBe(true)
    expect(s.sim.openOrders('drb')).toBe(0)
    expect(
      s.sim
        .keys('drb')
        .filter((k) => !k.self)
        .every((k) => !k.enabled)
    ).toBe(true)
    expect(s.sim.keys('drb').find((k) => k.self)!.enabled).toBe(true)
    expect(account!.steps.some((step) => step.attempts > 1)).toBe(true)
    expect(s.sim.requests.count({ account: 'drb' })).toBeGreaterThan(0)
    const status = await dispatch(s.vigil, 'accounts.list', {})
    expect((status as { value: { status: string }[] }).value[0]!.status).toBe('contained')
  }, 60_000)

  it('reports an exchange that is down for good as not contained instead of claiming success', async () => {
    const s = await setup()
    cleanup = s.stop
    s.sim.setFault({ fault: 'http_5xx', seconds: 3600 })
    const report = await fire(s.vigil)
    const [account] = report.accounts
    expect(account!.contained).toBe(false)
    expect(account!.errors.length).toBeGreaterThan(0)
    expect(account!.ordersRemaining).not.toBe(0)
    expect(s.sim.openOrders('drb')).toBe(40)
    const audit = s.vigil.internals.audit.list().filter((e) => e.action === 'kill-switch.account')
    expect(audit[0]!.detail).toMatchObject({ contained: false })
  }, 60_000)

  it('is idempotent: firing twice leaves the same contained state and cancels nothing twice', async () => {
    const s = await setup()
    cleanup = s.stop
    const first = await fire(s.vigil)
    const second = await fire(s.vigil)
    expect(first.accounts[0]!.ordersCancelled).toBe(40)
    expect(second.accounts[0]).toMatchObject({
      contained: true,
      ordersCancelled: 0,
      ordersRemaining: 0
    })
    expect(s.sim.openOrders('drb')).toBe(0)
  }, 60_000)

  it('keeps the account contained until the trader re-arms it with a key that passes the check', async () => {
    const s = await setup()
    cleanup = s.stop
    await fire(s.vigil)
    const wrong = await dispatch(s.vigil, 'accounts.rearm', {
      accountId: s.accountId,
      apiKey: 'nope',
      secret: 'wrong'
    })
    expect(wrong).toMatchObject({ ok: false, error: { code: 'bad-request' } })
    const list = async () =>
      (
        (await dispatch(s.vigil, 'accounts.list', {})) as {
          value: { status: string; keyHint: string }[]
        }
      ).value[0]!
    expect((await list()).status).toBe('contained')
    const credentials = s.sim.credentials('drb')
    const rearmed = await dispatch(s.vigil, 'accounts.rearm', {
      accountId: s.accountId,
      apiKey: credentials.apiKey,
      secret: credentials.secret
    })
    expect(rearmed).toMatchObject({ ok: true, value: { status: 'watching' } })
    expect((await list()).keyHint).toBe(credentials.apiKey.slice(-4))
    const audit = s.vigil.internals.audit.list().map((e) => e.action)
    expect(audit).toContain('account.rearm')
  }, 60_000)
})
