/**
 * The whole alert path on a real desktop: the core on the simulator raises a critical alert,
 * the notify-send adapter shows it in dunst (under Xvfb), and either the trader presses
 * "Kill switch" in the popup or the countdown runs out; the kill-switch then runs against the
 * simulator and a follow-up notification says what happened.
 */
import { resolve } from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { NotifySendNotifier } from '../../../main/adapters/notify/notify-send'
import { dispatch } from '../../../main/api/dispatch'
import { createCcxtFactory } from '../../../main/core/exchanges/ccxt-factory'
import { silentLogger } from '../../../main/core/ports'
import { MemorySecretStore } from '../../../main/core/secrets/memory-store'
import { createVigil } from '../../../main/core/vigil'
import { ScenarioClock } from '../../../main/replay/clock'
import { loadScenario } from '../../../main/replay/scenario'
import { startSimulator } from '../../../main/simulator'
import {
  dunstMissing,
  startDunstSession,
  waitFor,
  type DunstSession
} from '../../support/dunst-session'

const missing = dunstMissing()
const scenario = loadScenario(
  resolve(__dirname, '../../../../shared/scenarios/takeover-deribit.json')
)
// 2FA disabled: one critical alert, nothing else needed.
const twofaIndex = scenario.timeline.findIndex((e) => e.kind === 'twofa_disabled')

let dunst: DunstSession
let stopAll: (() => Promise<void>) | null = null

async function setup(countdownSeconds: number) {
  const clock = new ScenarioClock(Date.now(), 1)
  const sim = await startSimulator({ scenario, clock, startAt: clock.startAt })
  const notifier = new NotifySendNotifier({ env: dunst.env, logger: silentLogger })
  const vigil = await createVigil({
    dataDir: ':memory:',
    secrets: new MemorySecretStore(),
    notifier,
    exchanges: createCcxtFactory(),
    rulesDir: resolve(__dirname, '../../../resources/rules'),
    clock,
    mode: 'headless'
  })
  await vigil.handlers['settings.update']({
    policy: {
      levels: {
        info: 'history',
        low: 'history',
        medium: 'history',
        high: 'history',
        critical: 'ask'
      },
      countdownSeconds,
      defaultAction: 'fire'
    }
  })
  const credentials = sim.credentials('drb')
  const added = await dispatch(vigil, 'accounts.add', {
    exchange: 'deribit',
    label: 'drb',
    apiKey: credentials.apiKey,
    secret: credentials.secret,
    endpoint: sim.endpointFor('deribit'),
    pollSeconds: 1
  })
  if (!added.ok) throw new Error(added.error.message)
  await vigil.start()
  await Promise.all([...vigil.internals.watchers.values()].map((w) => w.firstPollDone))
  clock.begin()
  stopAll = async () => {
    notifier.closeAll()
    await vigil.stop()
    await sim.close()
  }
  const ordersBefore = sim.openOrders('drb')
  sim.apply(twofaIndex)
  return { sim, vigil, ordersBefore }
}

describe.skipIf(missing.length > 0)(
  `alert → dunst notification → kill-switch${missing.length ? ` (skipped: missing ${missing.join(', ')})` : ''}`,
  () => {
    beforeEach(async () => {
      dunst = await startDunstSession()
    })
    afterEach(async () => {
      await stopAll?.()
      stopAll = null
      await dunst.stop()
    })

    it('fires the kill-switch when the trader presses the popup button', async () => {
      const { sim, vigil, ordersBefore } = await setup(600)
      expect(ordersBefore).toBeGreaterThan(0)
      await waitFor(() => dunst.displayed() === 1, 'the alert popup', 15_000)
      dunst.want('kill-switch')
      dunst.dunstctl('context')
      await waitFor(
        () => sim.openOrders('drb') === 0,
        'the simulator to have no open orders',
        15_000
      )
      await vigil.internals.killSwitch.whenIdle()
      expect(vigil.internals.killSwitch.last()!.trigger).toBe('user: notification button')
      await waitFor(() => dunst.displayed() >= 1, 'the follow-up popup', 10_000)
      dunst.dunstctl('close-all')
      expect(dunst.history().map((n) => n.summary)).toContain('Vigil kill-switch fired')
    }, 60_000)

    it('fires by itself when the countdown expires, then says why in a follow-up', async () => {
      const { sim, vigil } = await setup(2)
      await waitFor(() => dunst.displayed() === 1, 'the alert popup', 15_000)
      await waitFor(
        () => sim.openOrders('drb') === 0,
        'the countdown to fire the kill-switch',
        20_000
      )
      await vigil.internals.killSwitch.whenIdle()
      expect(vigil.internals.killSwitch.last()!.trigger).toBe('policy: countdown expired')
      await waitFor(
        () => {
          dunst.dunstctl('close-all')
          return dunst
            .history()
            .some(
              (n) =>
                n.summary === 'Vigil kill-switch fired' && /Nobody answered within 2 s/.test(n.body)
            )
        },
        'the follow-up popup',
        10_000
      )
    }, 60_000)
  }
)
