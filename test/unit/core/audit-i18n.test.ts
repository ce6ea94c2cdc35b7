/**
 * The incident report's list of what was done (the audit log) is rendered from each entry's
 * structured data in the report's language: who acted, what they did, with ids, labels and the
 * reasons connectors gave (as descriptors) inside the translated sentence.
 */
import { describe, expect, it } from 'vitest'

import type { KillSwitchAccountResult } from '../../../main/api/contract'
import { msg } from '../../../main/api/messages'
import { auditActorMsg, auditEntryMsg } from '../../../main/core/audit-text'
import { openDatabase } from '../../../main/core/db/open'
import { AccountsRepo } from '../../../main/core/db/repos/accounts'
import { AuditLog } from '../../../main/core/db/repos/audit'
import { keyNotDisabled, type Connector } from '../../../main/core/exchanges/connector'
import { buildIncidentReport, incidentReportMarkdown } from '../../../main/core/incident-report'
import { Incidents } from '../../../main/core/incidents'
import { KillSwitch } from '../../../main/core/kill-switch'
import { silentLogger, systemClock } from '../../../main/core/ports'

/** Three Latin words in a row: an English sentence (or template) left in a Chinese text. */
const ENGLISH = /\b[A-Za-z]{2,}[,:]?\s+[A-Za-z]{2,}[,:]?\s+[A-Za-z]{2,}\b/
const withoutUrls = (s: string) => s.replace(/https?:\/\/\S+/g, '')

async function report(language: 'en' | 'zh-CN' | 'zh-TW') {
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
  const recorded = new Incidents(db).record(
    {
      accountId: 'acc',
      ruleId: 'key.created',
      level: 'critical',
      family: 'key',
      title: 'New API key',
      explanation: 'x',
      reasoning: {},
      evidence: [],
      dedupKey: 'k',
      eventTs: 1,
      suggestKillSwitch: true
    },
    Date.now() - 1000,
    'live'
  )!
  const audit = new AuditLog(db)
  const at = Date.now()
  audit.append({
    at,
    actor: 'containment',
    action: 'key.disable',
    accountId: 'acc',
    detail: {
      disabled: ['7'],
      failed: [keyNotDisabled('3', msg('keys.deribit.ownKey'))]
    }
  })
  audit.append({
    at,
    actor: 'user',
    action: 'account.update',
    accountId: 'acc',
    detail: { pollSeconds: 30, deadManSeconds: 60 }
  })
  audit.append({
    at,
    actor: 'user',
    action: 'rule.update',
    accountId: 'acc',
    detail: { ruleId: 'key.created', enabled: false }
  })
  const result: KillSwitchAccountResult = {
    account: 'acc',
    exchange: 'deribit',
    contained: true,
    ordersCancelled: 2,
    ordersRemaining: 0,
    key: 'disabled',
    steps: [],
    errors: [],
    manualSteps: [],
    manualUrl: null,
    durationMs: 1
  } as unknown as KillSwitchAccountResult
  await new KillSwitch(db, audit, systemClock, silentLogger).fire({
    targets: [
      {
        accountId: 'acc',
        exchange: 'deribit',
        connector: { killSwitch: async () => result } as unknown as Connector
      }
    ],
    trigger: 'user: notification button',
    incidentId: recorded.incident.id
  })
  const built = buildIncidentReport(db, recorded.incident.id, Date.now(), language)
  return { built, markdown: incidentReportMarkdown(built, language) }
}

describe('audit log in the incident report', () => {
  it('zh-CN: every action is a Chinese sentence built from the entry, ids verbatim', async () => {
    const { built, markdown } = await report('zh-CN')
    const byAction = Object.fromEntries(built.actions.map((a) => [a.action, a]))
    expect(Object.keys(byAction).sort()).toEqual([
      'account.update',
      'key.disable',
      'kill-switch.account',
      'kill-switch.fire',
      'rule.update'
    ])
    expect(byAction['key.disable']).toMatchObject({
      actor: 'containment',
      actorText: '持续遏制',
      detail:
        '已停用新密钥：7；无法停用 3：这是 Vigil 自己使用的密钥；停用它会停止所有监控。如需停用，请在紧急熔断中选择包括 Vigil 自己的密钥。'
    })
    expect(byAction['account.update']!.detail).toBe(
      '已更改账户设置：每 30 秒轮询一次、失联自动撤单心跳 60 秒'
    )
    expect(byAction['rule.update']!.detail).toBe('已更改规则 key.created：已停用')
    expect(byAction['kill-switch.fire']!.actorText).toBe('你（通知按钮）')
    expect(byAction['kill-switch.fire']!.detail).toMatch(
      /^已因事件 \S+ 对 1 个账户触发紧急熔断 \S+$/
    )
    expect(byAction['kill-switch.account']!.detail).toMatch(
      /^紧急熔断 \S+ 在此账户上的结果：已遏制；已撤销 2 笔订单，剩余 0 笔（回读确认）；密钥 已停用$/
    )
    for (const a of built.actions) {
      expect(withoutUrls(a.detail), a.detail).not.toMatch(ENGLISH)
      expect(a.detail).toMatch(/[\u4e00-\u9fff]/)
      expect(a.actorText).toMatch(/[\u4e00-\u9fff]/)
    }
    expect(markdown).toContain('- ')
    expect(markdown).toContain('持续遏制：已停用新密钥：7')
  })

  it('zh-TW and English render the same entries', async () => {
    const tw = (await report('zh-TW')).built.actions
    expect(tw.find((a) => a.action === 'account.update')!.detail).toBe(
      '已變更帳戶設定：每 30 秒輪詢一次、斷線自動撤單心跳 60 秒'
    )
    const en = (await report('en')).built.actions
    expect(en.find((a) => a.action === 'key.disable')!.detail).toBe(
      "Disabled new keys: 7; Could not disable 3: This is the key Vigil itself uses; disabling it would stop all monitoring. Use the kill switch with 'include Vigil's key' to do that."
    )
    expect(en.find((a) => a.action === 'kill-switch.fire')!.actorText).toBe(
      'you (notification button)'
    )
  })

  it('actors: known triggers translated, a typed reason verbatim, unknown actors as written', () => {
    expect(auditActorMsg('user: drill')).toEqual(msg('audit.actor.userReason', { reason: 'drill' }))
    expect(auditActorMsg('policy: countdown expired')).toEqual(msg('audit.actor.countdownExpired'))
    expect(auditActorMsg('robot')).toEqual({ code: 'text', vars: { text: 'robot' } })
    expect(auditEntryMsg('something.new', { a: 1 })).toBeNull()
  })
})
