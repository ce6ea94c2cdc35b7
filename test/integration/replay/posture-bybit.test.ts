import { resolve } from 'node:path'

import { describe, expect, it } from 'vitest'

import { runReplay } from '../../../main/replay/run'
import { loadScenario } from '../../../main/replay/scenario'

const scenarioFile = resolve(__dirname, '../../../../shared/scenarios/posture-bybit.json')

describe('replay: posture-bybit (real core, real ccxt, real HTTP, real SQLite)', () => {
  it('detects the first withdrawal to a new address, fires the kill switch and deletes the key', async () => {
    const report = await runReplay(loadScenario(scenarioFile), { speed: 1 })
    expect(report.format).toBe('vigil-replay-report/1')
    // The kill switch deletes the guardian's own key (Bybit's only revocable key): the
    // withdrawals played after that are not observable.
    expect(report.attack.events).toBe(6)
    expect(report.attack.observable).toBeGreaterThanOrEqual(1)
    expect(report.attack.observable).toBeLessThanOrEqual(2)
    // The second withdrawal (t=4) happens while the kill switch runs; the connector's last read
    // before the delete still delivers it, but no rule fires on a second withdrawal to an
    // address that the first one made known (funds.withdrawal_new_address learns it, and
    // funds.withdrawal_burst needs more than two).
    expect(report.attack.missed.every((i) => i === 1)).toBe(true)
    expect(report.detections[0]).toMatchObject({ event: 0 })
    expect(report.detections[0]!.rules).toContain('funds.withdrawal_new_address')
    expect(report.falseAlerts).toMatchObject({ live: 0, history: 0 })
    expect(report.killSwitch.fired).toBe(true)
    const [account] = report.killSwitch.accounts
    expect(account).toMatchObject({ account: 'by', ordersRemaining: 0, key: 'revoked', errors: [] })
    expect(account!.ordersCancelled).toBe(5)
    for (const alert of report.alerts) expect(alert.evidence.length).toBeGreaterThan(0)
  }, 120_000)
})
