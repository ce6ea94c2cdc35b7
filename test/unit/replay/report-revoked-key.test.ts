// A kill switch that deletes the guardian's own key (Bybit can only revoke the calling key)
// leaves the guardian blind on that account: attack events played afterwards are not observable.
import { describe, expect, it } from 'vitest'

import type { AlertView, KillSwitchReport } from '../../../main/api/contract'
import { buildReport, type BuildReportInput } from '../../../main/replay/report'
import { loadScenario } from '../../../main/replay/scenario'

const scenario = loadScenario(`${__dirname}/../../../../shared/scenarios/posture-bybit.json`)
const t0 = 1_700_000_000_000

const alert: AlertView = {
  id: 'a1',
  incidentId: 'i1',
  rule: 'funds.withdrawal_new_address',
  level: 'critical',
  accountId: 'vigil-by',
  at: t0 + 3800,
  scope: 'live',
  title: 'Withdrawal to a new address',
  explanation: '',
  reasoning: {},
  evidence: [
    {
      id: 1,
      accountId: 'vigil-by',
      kind: 'withdrawal',
      type: 'withdrawal.new',
      exchangeRecordId: '500002',
      ts: t0 + 3000,
      observedAt: t0 + 3800,
      origin: 'live',
      data: {}
    }
  ]
}

const killSwitch: KillSwitchReport = {
  id: 'ks-1',
  trigger: 'policy',
  startedAt: t0 + 3800,
  finishedAt: t0 + 3990,
  durationMs: 190,
  accounts: [
    {
      account: 'vigil-by',
      exchange: 'bybit',
      contained: true,
      ordersCancelled: 5,
      ordersRemaining: 0,
      key: 'revoked',
      keysDisabled: [],
      keysRemoved: ['1'],
      manualSteps: [],
      manualUrl: null,
      steps: [],
      errors: []
    }
  ]
}

const input = (selfRemoved: boolean): BuildReportInput => ({
  scenario,
  pollSeconds: 1,
  seconds: (at) => (at - t0) / 1000,
  liveAlerts: [alert],
  historyAlerts: [],
  accountIds: new Map([['vigil-by', 'by']]),
  originOf: (_account, record) => (record === '500002' ? 0 : undefined),
  openOrders: () => 0,
  keys: () => [
    { enabled: !selfRemoved, removed: selfRemoved, removedByTimeline: false, self: true }
  ],
  killSwitch
})

describe('buildReport after the guardian key was deleted by the kill switch', () => {
  it('counts later attack events as not observable, earlier ones as usual', () => {
    const report = buildReport(input(true))
    expect(report.attack).toEqual({ events: 6, observable: 1, detected: 1, missed: [] })
    expect(report.summary.detectionRate).toBe(1)
    expect(report.killSwitch.accounts[0]).toMatchObject({ key: 'revoked', ordersRemaining: 0 })
  })

  it('keeps every event observable while the guardian still has its key', () => {
    const report = buildReport(input(false))
    expect(report.attack).toEqual({
      events: 6,
      observable: 6,
      detected: 1,
      missed: [1, 2, 3, 4, 5]
    })
  })

  it('a key the timeline removed does not blind the report', () => {
    const report = buildReport({
      ...input(true),
      keys: () => [{ enabled: false, removed: true, removedByTimeline: true, self: true }]
    })
    expect(report.attack.observable).toBe(6)
  })
})
