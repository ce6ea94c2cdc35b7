import { describe, expect, it } from 'vitest'

import type { AlertView } from '../../../main/api/contract'
import { buildReport, isObservable } from '../../../main/replay/report'
import { loadScenario } from '../../../main/replay/scenario'

const scenario = loadScenario(`${__dirname}/../../../../shared/scenarios/takeover-deribit.json`)
const t0 = 1_700_000_000_000

const alert = (
  id: string,
  rule: string,
  at: number,
  records: string[],
  scope: 'live' | 'history' = 'live'
): AlertView => ({
  id,
  incidentId: 'i1',
  rule,
  level: 'critical',
  accountId: 'vigil-drb',
  at: t0 + at * 1000,
  scope,
  title: rule,
  explanation: '',
  reasoning: {},
  evidence: records.map((r, i) => ({
    id: i,
    accountId: 'vigil-drb',
    kind: 'login',
    type: 'login.failure',
    exchangeRecordId: r,
    ts: 0,
    observedAt: 0,
    origin: 'live',
    data: {}
  }))
})

// Record ids the simulator would have created for timeline events 0..8.
const origins = new Map(scenario.timeline.map((_, i) => [`rec-${i}`, i]))

describe('buildReport', () => {
  it('scores detections, time to detect, misses, false alerts and health notices', () => {
    const report = buildReport({
      scenario,
      pollSeconds: 1,
      seconds: (at) => (at - t0) / 1000,
      liveAlerts: [
        alert('a1', 'login.countries_burst', 3.4, ['rec-0', 'rec-1', 'rec-2']),
        alert('a2', 'login.failures_then_success', 4.9, ['rec-3', 'rec-4#x']),
        alert('a3', 'login.new_device', 5.2, ['unrelated']),
        alert('a4', 'guardian.rate_limited', 6, [])
      ],
      historyAlerts: [alert('h1', 'login.new_country', -100000, ['old'], 'history')],
      accountIds: new Map([['vigil-drb', 'drb']]),
      originOf: (account, record) => (account === 'drb' ? origins.get(record) : undefined),
      openOrders: () => 0,
      killSwitch: null
    })
    expect(report.format).toBe('vigil-replay-report/1')
    expect(report.attack).toEqual({ events: 9, observable: 9, detected: 5, missed: [5, 6, 7, 8] })
    expect(report.detections[0]).toEqual({
      event: 0,
      at: 2,
      firstAlertAt: 3.4,
      ttdSeconds: 1.4,
      rules: ['login.countries_burst']
    })
    expect(report.detections.find((d) => d.event === 4)).toMatchObject({
      firstAlertAt: 4.9,
      ttdSeconds: 0.9
    })
    expect(report.alerts.map((a) => [a.id, a.falseAlert])).toEqual([
      ['a1', false],
      ['a2', false],
      ['a3', true]
    ])
    expect(report.alerts[1]!.evidence[1]).toEqual({ event: 4, exchangeRecordId: 'rec-4' })
    expect(report.health.map((h) => h.rule)).toEqual(['guardian.rate_limited'])
    expect(report.falseAlerts).toEqual({ live: 1, history: 1, historyAccountMonths: 2 })
    expect(report.summary.detectionRate).toBe(0.556)
    expect(report.summary.falseAlertsPerAccountMonth).toBe(1)
    expect(report.killSwitch).toEqual({ fired: false, at: null, durationMs: null, accounts: [] })
  })

  it('knows what each exchange can show', () => {
    const login = {
      at: 1,
      account: 'x',
      kind: 'login',
      ip: '1.1.1.1',
      userAgent: 'ua',
      success: true,
      attack: true
    } as const
    expect(isObservable(login as never, 'deribit')).toBe(true)
    expect(isObservable(login as never, 'binance')).toBe(false)
    expect(
      isObservable({ at: 1, account: 'x', kind: 'api_key_removed', keyId: 'self' } as never, 'okx')
    ).toBe(true)
    expect(
      isObservable(
        { at: 1, account: 'x', kind: 'address_added', currency: 'BTC', address: 'a' } as never,
        'okx'
      )
    ).toBe(false)
    expect(
      isObservable(
        { at: 1, account: 'x', kind: 'leverage', symbol: 'BTC/USDT', leverage: 5 } as never,
        'deribit'
      )
    ).toBe(false)
  })
})
