/**
 * Every public scenario in shared/scenarios, replayed on the real core (real SQLite, real ccxt
 * over real HTTP to the simulator) at real speed: every observable attack event detected, the
 * false-alert budget kept, the kill-switch outcome read back from the simulator, and an incident
 * report that renders with those read-back results.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

import { describe, expect, it } from 'vitest'

import type { ReplayReport } from '../../../main/replay/report'
import { runReplay } from '../../../main/replay/run'
import { loadScenario } from '../../../main/replay/scenario'

const dir = resolve(__dirname, '../../../../shared/scenarios')

/** What each scenario's kill-switch must leave behind, read back from the simulator. */
const EXPECTED_KEY: Record<string, string | null> = {
  'takeover-deribit': 'disabled',
  'posture-bybit': 'revoked',
  'via-burst-binance': 'manual-revoke-required',
  'contra-trade-okx': 'manual-revoke-required',
  'quiet-month': null
}

describe('replay of every public scenario', () => {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()

  it('covers every scenario file we know the expected outcome of', () => {
    expect(files.map((f) => f.replace(/\.json$/, '')).sort()).toEqual(
      Object.keys(EXPECTED_KEY).sort()
    )
  })

  for (const file of files) {
    it(`${file}: every observable attack detected, quiet otherwise, containment read back, report renders`, async () => {
      const scenario = loadScenario(join(dir, file))
      const out = mkdtempSync(join(tmpdir(), `vigil-replay-${scenario.name}-`))
      const report: ReplayReport = await runReplay(scenario, { speed: 1, outDir: out })
      expect(report.format).toBe('vigil-replay-report/1')
      expect(report.attack.missed).toEqual([])
      expect(report.attack.detected).toBe(report.attack.observable)
      expect(report.summary.detectionRate).toBe(1)
      expect(report.summary.falseAlertsPerAccountMonth).toBeLessThanOrEqual(1)
      expect(report.falseAlerts.live).toBe(0)
      for (const alert of report.alerts) expect(alert.evidence.length).toBeGreaterThan(0)
      const expectedKey = EXPECTED_KEY[scenario.name]
      if (expectedKey === null) {
        expect(report.attack.events).toBe(0)
        expect(report.killSwitch.fired).toBe(false)
        return
      }
      expect(report.attack.observable).toBeGreaterThan(0)
      expect(report.killSwitch.fired).toBe(true)
      for (const account of report.killSwitch.accounts) {
        expect(account.ordersRemaining).toBe(0)
        expect(account.key).toBe(expectedKey)
      }
      expect(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'))).toEqual(report)
      const incidentReports = readdirSync(out).filter((f) => /^incident-.*\.md$/.test(f))
      expect(incidentReports.length).toBeGreaterThan(0)
      const texts = incidentReports.map((f) => readFileSync(join(out, f), 'utf8'))
      for (const text of texts) {
        expect(text).toContain('## 1. What happened')
        expect(text).toContain('## 5. What you still need to do by hand')
      }
      // The read-back table: account | contained | cancelled | remaining (read back) | key.
      expect(texts.some((t) => /\| \S+ \| (yes|NO) \| \d+ \| 0 \| [a-z-]+ \|/.test(t))).toBe(true)
    }, 150_000)
  }
})
