import { resolve } from 'node:path'

import { describe, expect, it } from 'vitest'

import { runReplay } from '../../../main/replay/run'
import { loadScenario } from '../../../main/replay/scenario'

const scenarioFile = resolve(__dirname, '../../../../shared/scenarios/takeover-deribit.json')

describe('replay: takeover-deribit (real core, real ccxt, real HTTP, real SQLite)', () => {
  it('detects every observable attack event, fires the kill-switch and contains the account', async () => {
    const report = await runReplay(loadScenario(scenarioFile), { speed: 1 })
    expect(report.format).toBe('vigil-replay-report/1')
    expect(report.attack.missed).toEqual([])
    expect(report.attack.detected).toBe(report.attack.observable)
    expect(report.summary.detectionRate).toBe(1)
    expect(report.summary.medianTtdSeconds).not.toBeNull()
    expect(report.falseAlerts.live).toBe(0)
    expect(report.killSwitch.fired).toBe(true)
    expect(report.killSwitch.accounts).toHaveLength(1)
    const [account] = report.killSwitch.accounts
    expect(account!.ordersRemaining).toBe(0)
    expect(account!.ordersCancelled).toBeGreaterThan(0)
    // The attacker's key, created after the kill-switch, is disabled by containment (read back).
    expect(['disabled', 'revoked']).toContain(account!.key)
    for (const alert of report.alerts) expect(alert.evidence.length).toBeGreaterThan(0)
  }, 90_000)
})
