/**
 * Dead-man heartbeat, opt-in per account: while Vigil polls, the exchange's cancel-all-after
 * timer is re-armed; when Vigil dies, the exchange cancels the orders by itself after the
 * timeout. Shown on the OKX dialect, whose simulator implements cancel-all-after.
 */
import { resolve } from 'node:path'

import { describe, expect, it } from 'vitest'

import { dispatch } from '../../../main/api/dispatch'
import { createCcxtFactory } from '../../../main/core/exchanges/ccxt-factory'
import { MemorySecretStore } from '../../../main/core/secrets/memory-store'
import { createVigil } from '../../../main/core/vigil'
import { ScenarioClock } from '../../../main/replay/clock'
import { loadScenario } from '../../../main/replay/scenario'
import { startSimulator } from '../../../main/simulator'
import { watchSimulatedAccount } from '../../support/sim-account'
import { RecordingNotifier } from '../../support/fakes/recording-notifier'

const base = loadScenario(resolve(__dirname, '../../../../shared/scenarios/contra-trade-okx.json'))
const scenario = loadScenario({
  ...JSON.parse(JSON.stringify(base)),
  name: 'dead-man',
  timeline: []
})
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('dead-man heartbeat', () => {
  it('keeps orders while Vigil polls, and the exchange cancels them once Vigil goes silent', async () => {
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
    try {
      const accountId = await watchSimulatedAccount(vigil, sim, {
        exchange: 'okx',
        label: 'okx1',
        pollSeconds: 2
      })
      clock.begin()
      const tooShort = await dispatch(vigil, 'accounts.update', { accountId, deadManSeconds: 4 })
      expect(tooShort).toMatchObject({ ok: false, error: { path: 'deadManSeconds' } })
      const armed = await dispatch(vigil, 'accounts.update', { accountId, deadManSeconds: 10 })
      expect(armed).toMatchObject({ ok: true, value: { deadManSeconds: 10 } })
      const orders = sim.openOrders('okx1')
      expect(orders).toBeGreaterThan(0)
      await sleep(13_000)
      expect(sim.openOrders('okx1')).toBe(orders)
      // The guardian's machine "dies": polling stops without the graceful disarm.
      await vigil.internals.watchers.get(accountId)!.stop()
      await sleep(12_000)
      expect(sim.openOrders('okx1')).toBe(0)
    } finally {
      await vigil.stop()
      await sim.close()
    }
  }, 90_000)

  it('is refused where the exchange has no dead-man timer', async () => {
    const deribit = loadScenario(
      resolve(__dirname, '../../../../shared/scenarios/takeover-deribit.json')
    )
    const clock = new ScenarioClock(Date.now(), 1)
    const sim = await startSimulator({ scenario: deribit, clock, startAt: clock.startAt })
    const vigil = await createVigil({
      dataDir: ':memory:',
      secrets: new MemorySecretStore(),
      notifier: new RecordingNotifier(),
      exchanges: createCcxtFactory(),
      rulesDir: resolve(__dirname, '../../../resources/rules'),
      clock,
      mode: 'headless'
    })
    try {
      const c = sim.credentials('drb')
      const added = await dispatch(vigil, 'accounts.add', {
        exchange: 'deribit',
        label: 'drb',
        apiKey: c.apiKey,
        secret: c.secret,
        endpoint: sim.endpointFor('deribit'),
        pollSeconds: 10
      })
      const accountId = (added as { value: { id: string } }).value.id
      const refused = await dispatch(vigil, 'accounts.update', { accountId, deadManSeconds: 60 })
      expect(refused).toMatchObject({
        ok: false,
        error: { code: 'bad-request', path: 'deadManSeconds' }
      })
    } finally {
      await vigil.stop()
      await sim.close()
    }
  }, 60_000)
})
