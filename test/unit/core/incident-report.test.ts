import { describe, expect, it } from 'vitest'

import { openDatabase } from '../../../main/core/db/open'
import { AccountsRepo } from '../../../main/core/db/repos/accounts'
import { AuditLog } from '../../../main/core/db/repos/audit'
import { EventStore } from '../../../main/core/db/repos/events'
import { buildIncidentReport, incidentReportMarkdown } from '../../../main/core/incident-report'
import { Incidents } from '../../../main/core/incidents'
import { containedAsFarAsTheApiAllows, KillSwitch } from '../../../main/core/kill-switch'
import { silentLogger, systemClock } from '../../../main/core/ports'
import type { Connector } from '../../../main/core/exchanges/connector'

function seeded() {
  const db = openDatabase(':memory:')
  new AccountsRepo(db).insert({
    id: 'acc',
    exchange: 'deribit',
    label: 'Main',
    endpoint: null,
    keyHint: 'abcd',
    pollSeconds: 1,
    createdAt: 0,
    options: {}
  })
  const stored = new EventStore(db).ingest(
    [
      {
        accountId: 'acc',
        kind: 'login',
        type: 'login.failure',
        exchangeRecordId: '101',
        ts: 1000,
        data: { ip: '45.155.205.17', success: false, country: 'RU' }
      },
      {
        accountId: 'acc',
        kind: 'login',
        type: 'login.success',
        exchangeRecordId: '102',
        ts: 2000,
        data: { ip: '185.220.101.4', success: true, country: 'DE', device: 'Chrome / Windows' }
      },
      {
        accountId: 'acc',
        kind: 'withdrawal',
        type: 'withdrawal.new',
        exchangeRecordId: '500003#unconfirmed',
        ts: 3000,
        data: {
          withdrawalId: '500003',
          currency: 'BTC',
          amount: 2.4,
          address: 'bc1qattacker',
          status: 'unconfirmed'
        }
      }
    ],
    5000,
    'live'
  )
  const incidents = new Incidents(db)
  const base = { accountId: 'acc', reasoning: { threshold: 3 }, suggestKillSwitch: true }
  const first = incidents.record(
    {
      ...base,
      ruleId: 'login.failures_then_success',
      level: 'critical',
      family: 'login',
      title: 'Failed logins followed by a successful one',
      explanation: '1 failure then success',
      evidence: [stored[0]!.id, stored[1]!.id],
      dedupKey: 'a',
      eventTs: 2000
    },
    6000,
    'live'
  )!
  const later = incidents.record(
    {
      ...base,
      ruleId: 'funds.withdrawal_new_address',
      level: 'critical',
      family: 'funds',
      title: 'Withdrawal to a new address',
      explanation: '2.4 BTC to a new address',
      evidence: [stored[2]!.id],
      dedupKey: 'b',
      eventTs: 3000
    },
    9000,
    'live'
  )!
  return { db, first, later }
}

const connector = (result: Partial<Awaited<ReturnType<Connector['killSwitch']>>>): Connector =>
  ({
    killSwitch: async () => ({
      account: 'acc',
      exchange: 'deribit',
      contained: true,
      ordersCancelled: 3,
      ordersRemaining: 0,
      key: 'disabled',
      keysDisabled: ['2'],
      keysRemoved: [],
      manualSteps: [],
      manualUrl: null,
      steps: [],
      errors: [],
      ...result
    })
  }) as unknown as Connector

describe('incident report', () => {
  it('tells the story in the investigation order with record ids, cause, impact and read-back results', async () => {
    const { db, first } = seeded()
    const ks = new KillSwitch(db, new AuditLog(db), systemClock, silentLogger)
    const run = await ks.fire({
      targets: [{ accountId: 'acc', exchange: 'deribit', connector: connector({}) }],
      trigger: 'policy: countdown expired',
      incidentId: first.incident.id
    })
    new Incidents(db).linkKillSwitch(first.incident.id, run.id)
    const report = buildIncidentReport(db, first.incident.id, 10_000)
    expect(report.timeline.map((t) => t.exchangeRecordId)).toEqual(['101', '102'])
    expect(report.timeline[1]!.summary).toBe('Login from 185.220.101.4 (DE) with Chrome / Windows')
    expect(report.likelyCause.join(' ')).toMatch(/Credential stuffing/)
    expect(report.impact.ips).toEqual(['45.155.205.17', '185.220.101.4'])
    expect(report.killSwitch!.accounts[0]).toMatchObject({ ordersRemaining: 0, key: 'disabled' })
    const md = incidentReportMarkdown(report)
    for (const heading of [
      '## 1. What happened',
      '## 2. Likely cause',
      '## 3. Impact',
      '## 4. What Vigil did',
      '## 5. What you still need to do by hand',
      '## 6. Recommendations'
    ]) {
      expect(md).toContain(heading)
    }
    expect(md).toContain('| acc | yes | 3 | 0 | disabled |')
  })

  it('lists what remains by hand and covers later incidents with the earlier containment', async () => {
    const { db, later } = seeded()
    const ks = new KillSwitch(db, new AuditLog(db), systemClock, silentLogger)
    await ks.fire({
      targets: [
        {
          accountId: 'acc',
          exchange: 'binance',
          connector: connector({
            key: 'manual-revoke-required',
            manualSteps: ['Delete the API key ending abcd'],
            manualUrl: 'https://www.binance.com/en/my/settings/api-management'
          })
        }
      ],
      trigger: 'user'
    })
    const report = buildIncidentReport(db, later.incident.id)
    expect(report.killSwitch).not.toBeNull()
    expect(report.remaining.join('\n')).toContain(
      'Delete the API key ending abcd (https://www.binance.com/en/my/settings/api-management)'
    )
    expect(report.remaining.join('\n')).toMatch(/support at once about the withdrawals/)
    expect(report.impact.withdrawals).toEqual([
      { currency: 'BTC', amount: 2.4, address: 'bc1qattacker' }
    ])
    expect(report.timeline[0]!.exchangeRecordId).toBe('500003')
  })

  it('writes the report in Chinese (zh-CN and zh-TW) with the same rows and record ids; English stays the default', async () => {
    const { db, first, later } = seeded()
    const ks = new KillSwitch(db, new AuditLog(db), systemClock, silentLogger)
    await ks.fire({
      targets: [
        {
          accountId: 'acc',
          exchange: 'binance',
          connector: connector({
            key: 'manual-revoke-required',
            manualSteps: ['Delete the API key ending abcd'],
            manualUrl: 'https://www.binance.com/en/my/settings/api-management'
          })
        }
      ],
      trigger: 'user',
      incidentId: first.incident.id
    })
    const english = incidentReportMarkdown(buildIncidentReport(db, later.incident.id, 10_000))
    expect(
      incidentReportMarkdown(buildIncidentReport(db, later.incident.id, 10_000, 'en'), 'en')
    ).toBe(english)
    expect(english).toContain('## 1. What happened')
    expect(english).toContain('| acc | yes | 3 | 0 | manual-revoke-required |')

    const headings = {
      'zh-CN': [
        '# Vigil 事件报告：',
        '## 1. 发生了什么',
        '| 时间（UTC） | 事件 | 交易所记录 ID |',
        '## 2. 可能原因',
        '## 3. 影响',
        '## 4. Vigil 做了什么',
        '| 账户 | 已遏制 | 已撤销订单 | 剩余订单（回读确认） | 密钥 |',
        '## 5. 你仍需手动完成的事项',
        '## 6. 建议',
        '| 1970-01-01T00:00:03Z | 提现 2.4 BTC 至 bc1qattacker（unconfirmed） | 500003 |',
        '| acc | 是 | 3 | 0 | 需手动吊销 |',
        '- 提现：2.4 BTC → bc1qattacker',
        '资金正在转往此账户从未用过的地址',
        '请立即联系 deribit 客服',
        // what the connector wrote stays as written
        'acc：Delete the API key ending abcd (https://www.binance.com/en/my/settings/api-management)'
      ],
      'zh-TW': [
        '# Vigil 事件報告：',
        '## 1. 發生了什麼',
        '| 時間（UTC） | 事件 | 交易所紀錄 ID |',
        '## 2. 可能原因',
        '## 3. 影響',
        '## 4. Vigil 做了什麼',
        '| 帳戶 | 已圍堵 | 已取消訂單 | 剩餘訂單（回讀確認） | 金鑰 |',
        '## 5. 你仍需手動完成的事項',
        '## 6. 建議',
        '| 1970-01-01T00:00:03Z | 提領 2.4 BTC 至 bc1qattacker（unconfirmed） | 500003 |',
        '| acc | 是 | 3 | 0 | 需手動撤銷 |',
        '- 提領：2.4 BTC → bc1qattacker',
        '資金正在轉往此帳戶從未用過的地址',
        '請立即聯絡 deribit 客服',
        'acc：Delete the API key ending abcd (https://www.binance.com/en/my/settings/api-management)'
      ]
    } as const
    const rows = (md: string) => md.split('\n').filter((l) => l.startsWith('| ')).length
    for (const language of ['zh-CN', 'zh-TW'] as const) {
      const report = buildIncidentReport(db, later.incident.id, 10_000, language)
      const md = incidentReportMarkdown(report, language)
      for (const text of headings[language]) expect(md).toContain(text)
      expect(md).not.toContain('What happened')
      expect(report.timeline.map((t) => t.exchangeRecordId)).toEqual(['500003'])
      expect(rows(md)).toBe(rows(english))
      expect(report.recommendations).toHaveLength(6)
    }
    const login = buildIncidentReport(db, first.incident.id, 10_000, 'zh-TW')
    expect(login.timeline.map((t) => t.exchangeRecordId)).toEqual(['101', '102'])
    expect(login.timeline[1]!.summary).toBe('登入：185.220.101.4（DE），裝置：Chrome / Windows')
    expect(login.likelyCause.join(' ')).toMatch(/撞庫/)
  })

  it('names a missing incident', () => {
    expect(() => buildIncidentReport(seeded().db, 'nope')).toThrow(/no incident with id nope/)
  })
})

describe('containedAsFarAsTheApiAllows', () => {
  const base = {
    account: 'a',
    exchange: 'okx',
    contained: false,
    ordersCancelled: 4,
    ordersRemaining: 0,
    key: 'manual-revoke-required' as const,
    keysDisabled: [],
    keysRemoved: [],
    manualSteps: ['Delete the API key ending abcd at https://www.okx.com/account/my-api'],
    manualUrl: 'https://www.okx.com/account/my-api',
    steps: [
      { action: 'cancel orders', ok: true, attempts: 1, detail: '' },
      { action: 'revoke key', ok: false, attempts: 1, detail: 'not possible by API' }
    ],
    errors: []
  }
  it('counts an account contained when only the manual key revocation is left', () => {
    expect(containedAsFarAsTheApiAllows(base).contained).toBe(true)
  })
  it('never when orders remain or are unknown, or no manual steps are given', () => {
    expect(containedAsFarAsTheApiAllows({ ...base, ordersRemaining: 2 }).contained).toBe(false)
    expect(containedAsFarAsTheApiAllows({ ...base, ordersRemaining: -1 }).contained).toBe(false)
    expect(containedAsFarAsTheApiAllows({ ...base, manualSteps: [] }).contained).toBe(false)
    expect(containedAsFarAsTheApiAllows({ ...base, key: 'unchanged' }).contained).toBe(false)
  })

  it('trusts the read-back over a step that failed once and succeeded on retry', () => {
    const retried = {
      ...base,
      steps: [
        { action: 'list-open-orders', ok: false, attempts: 3, detail: 'HTTP 500' },
        ...base.steps
      ]
    }
    expect(containedAsFarAsTheApiAllows(retried).contained).toBe(true)
  })
})
