/**
 * The core's own sentences in the trader's language: settings.language ('system' from the OS
 * locale), notifications, the tray reason, backfill progress, capability sentences; and the API
 * output (through dispatch and its zod contract) carrying the Chinese texts of alerts, incidents,
 * rules and posture findings stored by the real engine on SQLite.
 */
import { resolve } from 'node:path'

import { describe, expect, it } from 'vitest'

import { dispatch } from '../../../main/api/dispatch'
import type { AlertView, IncidentView, RuleView } from '../../../main/api/contract'
import { capabilityNoteI18n, withNoteI18n } from '../../../main/core/exchanges/capability-text'
import { formatMessage, msg } from '../../../main/api/messages'
import { coreText, languageOfLocale, resolveCoreLanguage } from '../../../main/core/i18n'
import type { RecordedAlert } from '../../../main/core/incidents'
import { silentLogger } from '../../../main/core/ports'
import { ResponsePolicy } from '../../../main/core/response'
import { createRuleEngine } from '../../../main/core/rules/engine'
import { MemorySecretStore } from '../../../main/core/secrets/memory-store'
import { createVigil, postureOf } from '../../../main/core/vigil'
import { FakeClock } from '../../support/fakes/fake-clock'
import { RecordingNotifier } from '../../support/fakes/recording-notifier'

const RULES_DIR = resolve('resources/rules')

describe('language resolution', () => {
  it('maps locales: zh-TW / zh-HK / Hant to Traditional, other zh to Simplified, else English', () => {
    expect(languageOfLocale('zh-TW')).toBe('zh-TW')
    expect(languageOfLocale('zh_HK.UTF-8')).toBe('zh-TW')
    expect(languageOfLocale('zh-Hant-SG')).toBe('zh-TW')
    expect(languageOfLocale('zh-CN')).toBe('zh-CN')
    expect(languageOfLocale('zh_SG.UTF-8')).toBe('zh-CN')
    expect(languageOfLocale('de-DE')).toBeNull()
  })

  it("'system' reads LANG, then Intl's locale; explicit settings win", () => {
    expect(resolveCoreLanguage('system', { vars: { LANG: 'zh_TW.UTF-8' }, locale: 'en-US' })).toBe(
      'zh-TW'
    )
    expect(resolveCoreLanguage('system', { vars: { LANG: 'C' }, locale: 'zh-CN' })).toBe('zh-CN')
    expect(resolveCoreLanguage('system', { vars: {}, locale: 'fr-FR' })).toBe('en')
    expect(resolveCoreLanguage('zh-CN', { vars: { LANG: 'en_US.UTF-8' } })).toBe('zh-CN')
  })

  it('backfill progress lines are descriptors, rendered in each language', () => {
    const done = msg('progress.done', { count: 42 })
    expect(formatMessage('zh-CN', done)).toBe('历史记录读取完成：42 个事件')
    expect(formatMessage('en', done)).toBe('History read: 42 events')
    const read = msg('progress.read', { count: 7, exchange: 'OKX' })
    expect(formatMessage('zh-TW', read)).toBe('已從 OKX 讀取 7 筆歷史事件')
  })
})

const recorded = (): RecordedAlert => {
  const incident: IncidentView = {
    id: 'i1',
    accountId: 'acc',
    family: 'login',
    level: 'high',
    status: 'open',
    scope: 'live',
    title: 'Login from a new country',
    openedAt: 0,
    updatedAt: 0,
    alertCount: 1,
    rules: ['login.new_country'],
    killSwitchRunId: null
  }
  const i18n = {
    'zh-CN': { title: '从新国家登录', explanation: '从 RU 登录成功。' },
    'zh-TW': { title: '從新國家登入', explanation: '從 RU 登入成功。' }
  }
  return {
    incident,
    escalated: true,
    alert: {
      id: 'a1',
      incidentId: 'i1',
      rule: 'login.new_country',
      level: 'critical',
      accountId: 'acc',
      at: 0,
      scope: 'live',
      title: 'Login from a new country',
      explanation: 'Successful login from RU.',
      reasoning: {},
      i18n
    },
    finding: {
      ruleId: 'login.new_country',
      level: 'critical',
      accountId: 'acc',
      family: 'login',
      title: 'Login from a new country',
      explanation: 'Successful login from RU.',
      reasoning: {},
      evidence: [1],
      dedupKey: 'x',
      eventTs: 0,
      suggestKillSwitch: true,
      i18n
    }
  }
}

describe('notifications follow settings.language', () => {
  const run = (language: 'en' | 'zh-CN' | 'zh-TW', countdownSeconds = 30) => {
    const clock = new FakeClock()
    const notifier = new RecordingNotifier()
    const response = new ResponsePolicy({
      clock,
      logger: silentLogger,
      notifier,
      policy: () => ({
        levels: {
          info: 'history',
          low: 'notify',
          medium: 'notify',
          high: 'notify',
          critical: 'ask'
        },
        countdownSeconds,
        defaultAction: 'notify-only'
      }),
      fire: async () => 'acc: contained',
      isContained: () => false,
      isPaused: () => false,
      accountLabel: () => 'Main (deribit)',
      onCountdownsChanged: () => {},
      language: () => language
    })
    response.handle(recorded())
    return { clock, notifier, response }
  }

  it('English stays word for word', () => {
    const { notifier, response } = run('en')
    const n = notifier.shown('i1')!.request
    expect(n.title).toBe('Critical: Login from a new country')
    expect(n.body).toBe(
      'Main (deribit): Successful login from RU.\nKill switch in 30 s unless you answer.'
    )
    expect(n.actions!.map((a) => a.label)).toEqual(['Kill switch now', 'This is me'])
    response.dispose()
  })

  it('zh-CN: translated title, explanation, countdown, buttons and follow-up', async () => {
    const { clock, notifier, response } = run('zh-CN')
    const n = notifier.shown('i1')!.request
    expect(n.title).toBe('严重：从新国家登录')
    expect(n.body).toBe('Main (deribit)：从 RU 登录成功。\n如果你不回应，30 秒后将执行紧急熔断。')
    expect(n.actions!.map((a) => a.label)).toEqual(['立即紧急熔断', '这是我本人'])
    clock.advance(30_000)
    const followUp = await notifier.waitFor((r) => r.id === 'i1-followup')
    expect(followUp.request.title).toBe('Vigil 未执行紧急熔断')
    expect(followUp.request.body).toContain('30 秒内无人回应')
    response.dispose()
  })

  it('zh-TW: Traditional Chinese', () => {
    const { notifier, response } = run('zh-TW')
    const n = notifier.shown('i1')!.request
    expect(n.title).toBe('嚴重：從新國家登入')
    expect(n.body).toContain('秒後將執行緊急熔斷')
    response.dispose()
  })

  it('act at once says so in Chinese', async () => {
    const { notifier, response } = run('zh-CN', 0)
    const followUp = await notifier.waitFor((r) => r.id === 'i1-followup')
    expect(followUp.request.title).toBe('Vigil 已执行紧急熔断')
    expect(followUp.request.body).toContain('Vigil 已立即执行紧急熔断（倒计时设置为 0）')
    response.dispose()
  })
})

describe('capability sentences', () => {
  it('one sentence per capability and answer in every language, with the exchange name', () => {
    expect(capabilityNoteI18n('loginHistory', false, 'Binance')).toEqual({
      en: 'Binance does not publish login history over its API, so login rules cannot run.',
      'zh-CN': 'Binance 未通过 API 提供登录记录，因此登录类规则无法运行。',
      'zh-TW': 'Binance 沒有透過 API 提供登入紀錄，因此登入類規則無法執行。'
    })
    const ids = [
      'loginHistory',
      'keyList',
      'selfKeyInfo',
      'revokeKey',
      'cancelAll',
      'orders',
      'fills',
      'withdrawals',
      'addressBook',
      'positions',
      'deadMan'
    ]
    for (const id of ids)
      for (const supported of [true, false])
        expect(capabilityNoteI18n(id, supported, 'X')).toBeTruthy()
    const [c] = withNoteI18n([{ id: 'deadMan', supported: true, note: 'detail' }], 'OKX')
    expect(c!.note).toBe('detail')
    expect(c!.noteI18n!['zh-CN']).toContain('OKX 支持失联自动撤单')
  })
})

describe('API output carries the Chinese texts (real engine and SQLite, through dispatch)', () => {
  const setup = async () => {
    const clock = new FakeClock()
    const vigil = await createVigil({
      dataDir: ':memory:',
      secrets: new MemorySecretStore(),
      notifier: new RecordingNotifier(),
      exchanges: { create: async () => Promise.reject(new Error('offline')) } as never,
      rulesDir: RULES_DIR,
      clock,
      mode: 'headless'
    })
    return { vigil, clock }
  }

  it('alerts and incidents keep zh titles and explanations; rules.list has them too', async () => {
    const { vigil, clock } = await setup()
    const { db, events, incidents } = vigil.internals
    db.prepare(
      "INSERT INTO accounts (id, exchange, label, key_hint, created_at) VALUES ('acc1', 'deribit', 'Main', 'abcd', 0)"
    ).run()
    const engine = createRuleEngine({ db, rulesDir: RULES_DIR })
    const [stored] = events.ingest(
      [
        {
          accountId: 'acc1',
          kind: 'security',
          type: 'security.twofa_disabled',
          exchangeRecordId: 's1',
          ts: clock.now(),
          data: {}
        }
      ],
      clock.now(),
      'live'
    )
    const [finding] = engine.evaluate(stored!, { scope: 'live' })
    expect(finding!.i18n!['zh-CN'].title).toBe('双重验证已关闭')
    const rec = incidents.record(finding!, clock.now(), 'live')!

    const got = await dispatch(vigil, 'incidents.get', { incidentId: rec.incident.id })
    if (!got.ok) throw new Error(got.error.message)
    const value = got.value as { incident: IncidentView; alerts: AlertView[] }
    expect(value.incident.i18n).toEqual({
      'zh-CN': { title: '双重验证已关闭' },
      'zh-TW': { title: '雙重驗證已關閉' }
    })
    expect(value.alerts[0]!.title).toBe('Two-factor authentication disabled')
    expect(value.alerts[0]!.i18n!['zh-CN']).toEqual({
      title: '双重验证已关闭',
      explanation: '此账户的双重验证已被关闭。如果不是你本人操作，说明账户已落入他人之手。'
    })
    expect(value.alerts[0]!.i18n!['zh-TW']!.explanation).toContain('雙重驗證已被關閉')
    // Kept out of the reasoning the trader reads and exports.
    expect(value.alerts[0]!.reasoning).not.toHaveProperty('_i18n')

    const list = await dispatch(vigil, 'incidents.list', {})
    if (!list.ok) throw new Error(list.error.message)
    expect((list.value as IncidentView[])[0]!.i18n?.['zh-TW']?.title).toBe('雙重驗證已關閉')

    const rules = await dispatch(vigil, 'rules.list', {})
    if (!rules.ok) throw new Error(rules.error.message)
    const rule = (rules.value as RuleView[]).find((r) => r.id === 'funds.large_withdrawal')!
    expect(rule.i18n?.['zh-CN']?.title).toBe('大额提现')
    expect(rule.i18n?.['zh-TW']?.falsepositives).toEqual(['把存款移到冷錢包。'])
    await vigil.stop()
  })

  it('tray reason follows settings.language; exchanges.list has display names', async () => {
    const { vigil } = await setup()
    const en = await dispatch(vigil, 'status', {})
    expect(en.ok && (en.value as { trayReason: string }).trayReason).toBe(
      coreText('en', 'tray.none')
    )
    expect(coreText('en', 'tray.none')).toBe('No accounts yet: add an API key')
    await dispatch(vigil, 'settings.update', { language: 'zh-TW' })
    const zh = await dispatch(vigil, 'status', {})
    expect(zh.ok && (zh.value as { trayReason: string }).trayReason).toBe(
      '還沒有帳戶：請新增 API 金鑰'
    )
    const exchanges = await dispatch(vigil, 'exchanges.list', {})
    if (!exchanges.ok) throw new Error(exchanges.error.message)
    const names = new Map(
      (exchanges.value as { id: string; name: string }[]).map((e) => [e.id, e.name])
    )
    expect(names.get('okx')).toBe('OKX')
    expect(names.get('binance')).toBe('Binance')
    expect(names.get('coinbaseexchange')).toBe('Coinbase Exchange')
    await vigil.stop()
  })

  it('posture findings of the add-key check carry zh title and fix', () => {
    const posture = postureOf(
      [
        {
          keyId: 'k1',
          name: null,
          permissions: ['read', 'withdraw'],
          ipWhitelist: [],
          enabled: true,
          self: true,
          createdAt: null
        } as never
      ],
      RULES_DIR,
      Date.UTC(2026, 0, 1)
    )
    const withdraw = posture.find((p) => p.rule === 'key.posture.withdraw_enabled')!
    expect(withdraw.title).toBe('API key can withdraw funds')
    expect(withdraw.i18n?.['zh-CN']?.title).toBe('API 密钥可以提现')
    expect(withdraw.i18n?.['zh-CN']?.fix).toMatch(/^API 密钥 k1 拥有提现权限/)
    expect(withdraw.i18n?.['zh-TW']?.fix).toMatch(/^API 金鑰 k1 具有提領權限/)
  })
})
