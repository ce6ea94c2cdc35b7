import { describe, expect, it } from 'vitest'

import { openDatabase } from '../../../main/core/db/open'
import { EventStore } from '../../../main/core/db/repos/events'
import { Incidents } from '../../../main/core/incidents'
import { applyRetention } from '../../../main/core/retention'

const DAY = 24 * 60 * 60 * 1000

describe('applyRetention', () => {
  it('drops old events but keeps every alert’s evidence and all recent history', () => {
    const db = openDatabase(':memory:')
    db.prepare(
      "INSERT INTO accounts (id, exchange, label, key_hint, created_at) VALUES ('acc', 'deribit', 'x', 'abcd', 0)"
    ).run()
    const now = 400 * DAY
    const store = new EventStore(db)
    const [oldEvidence, oldPlain, recent] = store.ingest(
      [
        {
          accountId: 'acc',
          kind: 'login',
          type: 'login.success',
          exchangeRecordId: 'old-evidence',
          ts: now - 200 * DAY,
          data: { ip: '1.1.1.1', success: true }
        },
        {
          accountId: 'acc',
          kind: 'login',
          type: 'login.success',
          exchangeRecordId: 'old-plain',
          ts: now - 200 * DAY,
          data: { ip: '1.1.1.1', success: true }
        },
        {
          accountId: 'acc',
          kind: 'login',
          type: 'login.success',
          exchangeRecordId: 'recent',
          ts: now - DAY,
          data: { ip: '1.1.1.1', success: true }
        }
      ],
      now,
      'backfill'
    )
    new Incidents(db).record(
      {
        ruleId: 'login.new_country',
        level: 'high',
        accountId: 'acc',
        family: 'login',
        title: 't',
        explanation: 'e',
        reasoning: {},
        evidence: [oldEvidence!.id],
        dedupKey: 'k',
        eventTs: oldEvidence!.ts,
        suggestKillSwitch: false
      },
      now,
      'history'
    )
    expect(applyRetention(db, 90, now)).toEqual({ events: 1, gaps: 0 })
    expect(
      store.getMany([oldEvidence!.id, oldPlain!.id, recent!.id]).map((e) => e.exchangeRecordId)
    ).toEqual(['old-evidence', 'recent'])
    expect(applyRetention(db, 90, now).events).toBe(0)
  })
})
