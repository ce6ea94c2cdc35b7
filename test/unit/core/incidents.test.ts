import { describe, expect, it } from 'vitest'

import { openDatabase } from '../../../main/core/db/open'
import { GROUPING_WINDOW_MS, Incidents, REPEAT_INTERVAL_MS } from '../../../main/core/incidents'
import type { Level } from '../../../main/core/model'
import type { Finding } from '../../../main/core/rules/types'

const finding = (over: Partial<Finding> = {}): Finding => ({
  ruleId: 'login.new_device',
  level: 'medium' as Level,
  accountId: 'acc',
  family: 'login',
  title: 'Login from a new device',
  explanation: 'x',
  reasoning: {},
  evidence: [],
  dedupKey: 'k1',
  eventTs: 1000,
  suggestKillSwitch: false,
  ...over
})

describe('Incidents', () => {
  it('groups an account family into one incident, dedups repeats and escalates on a higher level', () => {
    const incidents = new Incidents(openDatabase(':memory:'))
    const a = incidents.record(finding(), 10_000, 'live')!
    expect(a.escalated).toBe(true)
    expect(incidents.record(finding(), 11_000, 'live')).toBeNull()
    const b = incidents.record(
      finding({ ruleId: 'login.anonymous_network', dedupKey: 'k2' }),
      12_000,
      'live'
    )!
    expect(b.incident.id).toBe(a.incident.id)
    expect(b.escalated).toBe(false)
    const c = incidents.record(
      finding({
        ruleId: 'login.countries_burst',
        level: 'critical',
        dedupKey: 'k3',
        title: 'Many countries'
      }),
      13_000,
      'live'
    )!
    expect(c.escalated).toBe(true)
    expect(c.incident).toMatchObject({
      id: a.incident.id,
      level: 'critical',
      title: 'Many countries',
      alertCount: 3
    })
    const other = incidents.record(
      finding({ family: 'funds', ruleId: 'funds.withdrawal_new_address', dedupKey: 'k4' }),
      14_000,
      'live'
    )!
    expect(other.incident.id).not.toBe(a.incident.id)
  })

  it('reminds about a still-active incident only after the repeat interval, and opens a new one after the grouping window', () => {
    const incidents = new Incidents(openDatabase(':memory:'))
    const first = incidents.record(finding(), 0, 'live')!
    incidents.markNotified(first.incident.id, 0)
    expect(
      incidents.record(finding({ dedupKey: 'b' }), REPEAT_INTERVAL_MS - 1, 'live')!.escalated
    ).toBe(false)
    const reminder = incidents.record(finding({ dedupKey: 'c' }), REPEAT_INTERVAL_MS + 1, 'live')!
    expect(reminder).toMatchObject({ escalated: true, incident: { id: first.incident.id } })
    const later = incidents.record(
      finding({ dedupKey: 'd' }),
      REPEAT_INTERVAL_MS + 1 + GROUPING_WINDOW_MS + 1,
      'live'
    )!
    expect(later.incident.id).not.toBe(first.incident.id)
  })

  it('adds the events of a repeated situation to the existing alert instead of dropping them', () => {
    const db = openDatabase(':memory:')
    db.prepare(
      "INSERT INTO accounts (id, exchange, label, key_hint, created_at) VALUES ('acc', 'okx', 'x', 'abcd', 0)"
    ).run()
    const ids = ['1', '2', '3'].map(
      (r) =>
        (
          db
            .prepare(
              "INSERT INTO events (account_id, kind, type, record_id, ts, observed_at, origin, data) VALUES ('acc', 'order', 'order.new', ?, 1, 1, 'live', '{}') RETURNING id"
            )
            .get(r) as { id: number }
        ).id
    )
    const incidents = new Incidents(db)
    const first = incidents.record(
      finding({
        ruleId: 'trade.off_market_price',
        family: 'trade',
        dedupKey: 'sym',
        evidence: [ids[0]!]
      }),
      1000,
      'live'
    )!
    expect(
      incidents.record(
        finding({
          ruleId: 'trade.off_market_price',
          family: 'trade',
          dedupKey: 'sym',
          evidence: [ids[1]!],
          duplicate: true
        }),
        2000,
        'live'
      )
    ).toBeNull()
    expect(
      incidents.record(
        finding({
          ruleId: 'trade.off_market_price',
          family: 'trade',
          dedupKey: 'sym',
          evidence: [ids[1]!, ids[2]!],
          duplicate: true
        }),
        3000,
        'live'
      )
    ).toBeNull()
    const [alert] = incidents.alertsOf(first.incident.id)
    expect(alert!.evidence.map((e) => e.exchangeRecordId)).toEqual(['1', '2', '3'])
    expect(incidents.alertsOf(first.incident.id)).toHaveLength(1)
    expect(incidents.getIncident(first.incident.id)!.updatedAt).toBe(3000)
  })

  it('keeps past findings from the retro-scan apart from live incidents', () => {
    const incidents = new Incidents(openDatabase(':memory:'))
    incidents.record(finding(), 10_000, 'history')
    incidents.record(finding(), 10_000, 'live')
    expect(incidents.list({ scope: 'history' })).toHaveLength(1)
    expect(incidents.list({ scope: 'live' })).toHaveLength(1)
    expect(incidents.openCount()).toBe(1)
  })
})
