/**
 * The poller against a misbehaving exchange: for each fault kind of the scenario format, the
 * watcher keeps running, records a data gap, raises no compromise alert for the fault itself, and
 * after recovery every event is stored exactly once.
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
import { RecordingNotifier } from '../../support/fakes/recording-notifier'

const base = loadScenario(resolve(__dirname, '../../../../shared/scenarios/takeover-deribit.json'))
const scenario = loadScenario({
  ...JSON.parse(JSON.stringify(base)),
  name: 'faults',
  policy: { autoKillSwitch: 'off' }
})
const loginIndexes = scenario.timeline.flatMap((e, i) => (e.kind === 'login' ? [i] : []))

const KINDS = ['http_429', 'http_5xx', 'timeout', 'malformed', 'maintenance'] as const

describe('watcher under exchange faults', () => {
  for (const fault of KINDS) {
    it(`${fault}: no crash, a data gap, and every event exactly once after recovery`, async () => {
      const clock = new ScenarioClock(Date.now(), 1)
      const sim = await startSimulator({ scenario, clock, startAt: clock.startAt })
      const vigil = await createVigil({
        dataDir: ':memory:',
        secrets: new MemorySecretStore(),
        notifier: new RecordingNotifier(),
        exchanges: createCcxtFactory({ timeoutMs: 1500 }),
        rulesDir: resolve(__dirname, '../../../resources/rules'),
        clock,
        mode: 'headless'
      })
      try {
        const credentials = sim.credentials('drb')
        const added = await dispatch(vigil, 'accounts.add', {
          exchange: 'deribit',
          label: 'drb',
          apiKey: credentials.apiKey,
          secret: credentials.secret,
          endpoint: sim.endpointFor('deribit'),
          pollSeconds: 0.5
        })
        if (!added.ok) throw new Error(added.error.message)
        const accountId = (added.value as { id: string }).id
        const watcher = vigil.internals.watchers.get(accountId)!
        await vigil.start()
        await watcher.firstPollDone
        clock.begin()
        const storedBefore = watcher.storedCount()
        sim.setFault({ fault, seconds: 3 })
        // The exchange records these while it misbehaves towards us.
        for (const i of loginIndexes.slice(0, 2)) sim.apply(i)
        await new Promise((r) => setTimeout(r, 3500))
        for (const i of loginIndexes.slice(2)) sim.apply(i)
        sim.clearFaults()
        await new Promise((r) => setTimeout(r, 2500))
        await watcher.pollNow()
        await watcher.pollNow()
        const logins = vigil.internals.events.query({ accountId, kinds: ['login'], limit: 5000 })
        const live = logins.filter((e) => e.origin === 'live')
        expect(live.map((e) => e.exchangeRecordId).sort()).toEqual(
          loginIndexes
            .map((i) =>
              sim.world
                .account('drb')
                .accessLog.find((r) => sim.originOf('drb', r.id) === i)!
                .id.toString()
            )
            .sort()
        )
        expect(new Set(logins.map((e) => e.exchangeRecordId)).size).toBe(logins.length)
        expect(watcher.storedCount()).toBeGreaterThan(storedBefore)
        const gaps = vigil.internals.db
          .prepare('SELECT * FROM data_gaps WHERE account_id = ?')
          .all(accountId) as { to_ts: number | null; reason: string }[]
        expect(gaps.length).toBeGreaterThan(0)
        expect(gaps.every((g) => g.to_ts !== null)).toBe(true)
        const account = vigil.internals.accounts.get(accountId)!
        expect(account.status).not.toBe('error')
        const faultAlerts = vigil.internals.incidents
          .allAlerts('live')
          .filter((a) => a.evidence.length === 0 && !a.rule.startsWith('guardian.'))
        expect(faultAlerts).toEqual([])
      } finally {
        await vigil.stop()
        await sim.close()
      }
    }, 60_000)
  }
})
