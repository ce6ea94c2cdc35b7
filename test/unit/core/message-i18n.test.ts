/**
 * Sentences the connectors, the kill switch and the poller produce travel as message descriptors
 * and are rendered in the reader's language where they are shown: a Binance kill switch on the
 * simulator (steps, manual steps, errors) through the renderer's helper and the incident report,
 * the connectors' backfill progress lines, health-notice details, an account's lastError (the
 * exchange's own text verbatim inside a translated sentence) and trade.size_outlier's {why}.
 */
import { resolve } from 'node:path'

import * as ccxt from 'ccxt'
import { afterEach, describe, expect, it } from 'vitest'

import { dispatch } from '../../../main/api/dispatch'
import type {
  AccountView,
  KillSwitchAccountResult,
  KillSwitchReport
} from '../../../main/api/contract'
import { englishText, formatMessage, msg, type Message } from '../../../main/api/messages'
import { openDatabase } from '../../../main/core/db/open'
import { AccountsRepo } from '../../../main/core/db/repos/accounts'
import { AuditLog } from '../../../main/core/db/repos/audit'
import { createCcxtFactory } from '../../../main/core/exchanges/ccxt-factory'
import type { Connector, PollResult } from '../../../main/core/exchanges/connector'
import { classifyError } from '../../../main/core/exchanges/errors'
import { buildIncidentReport, incidentReportMarkdown } from '../../../main/core/incident-report'
import { Incidents } from '../../../main/core/incidents'
import { KillSwitch } from '../../../main/core/kill-switch'
import { silentLogger, systemClock } from '../../../main/core/ports'
import type { EventView } from '../../../main/core/rules/fields'
import { findingI18n, loadRuleTranslations } from '../../../main/core/rules/i18n'
import { MemorySecretStore } from '../../../main/core/secrets/memory-store'
import { createVigil } from '../../../main/core/vigil'
import { AccountWatcher, type HealthNotice } from '../../../main/core/watcher'
import { ScenarioClock } from '../../../main/replay/clock'
import { loadScenario } from '../../../main/replay/scenario'
import { startSimulator } from '../../../main/simulator'
import { watchSimulatedAccount } from '../../support/sim-account'
import { messageText, messageTexts } from '../../../renderer/src/i18n/message'
import { FakeClock } from '../../support/fakes/fake-clock'
import { RecordingNotifier } from '../../support/fakes/recording-notifier'

const RULES_DIR = resolve(__dirname, '../../../resources/rules')

/** Three Latin words in a row: an English sentence (or template) left in a Chinese text. */
const ENGLISH = /\b[A-Za-z]{2,}[,:]?\s+[A-Za-z]{2,}[,:]?\s+[A-Za-z]{2,}\b/
const withoutUrls = (s: string) => s.replace(/https?:\/\/\S+/g, '')
const expectChinese = (texts: string[]) => {
  expect(texts.length).toBeGreaterThan(0)
  for (const t of texts) {
    expect(withoutUrls(t), t).not.toMatch(ENGLISH)
    expect(t, t).toMatch(/[\u4e00-\u9fff]/)
  }
}

describe('a kill switch on the simulator, in Chinese', () => {
  const base = loadScenario(
    resolve(__dirname, '../../../../shared/scenarios/via-burst-binance.json')
  )
  const scenario = loadScenario({
    ...JSON.parse(JSON.stringify(base)),
    name: 'ks-i18n',
    timeline: [],
    history: { ...base.history, days: 3, trading: { ...base.history!.trading, openOrders: 4 } }
  })
  let stop: (() => Promise<void>) | null = null
  afterEach(async () => {
    await stop?.()
    stop = null
  })

  it('Binance: steps, manual steps and progress lines render in zh-CN / zh-TW with no English template left', async () => {
    const clock = new ScenarioClock(Date.now(), 1)
    const sim = await startSimulator({ scenario, clock, startAt: clock.startAt })
    const vigil = await createVigil({
      dataDir: ':memory:',
      secrets: new MemorySecretStore(),
      notifier: new RecordingNotifier(),
      exchanges: createCcxtFactory(),
      rulesDir: RULES_DIR,
      clock,
      mode: 'headless'
    })
    stop = async () => (await vigil.stop(), await sim.close())
    const progress: { message: string; msg?: Message }[] = []
    vigil.events.on('account', (a: AccountView) => {
      if (a.backfill) progress.push({ message: a.backfill.message, msg: a.backfill.msg })
    })
    await watchSimulatedAccount(vigil, sim, {
      exchange: 'binance',
      label: 'main',
      pollSeconds: 30
    })

    // Backfill progress: every line came with a descriptor, connector lines included.
    expect(progress.every((p) => p.msg)).toBe(true)
    const codes = new Set(progress.map((p) => p.msg!.code))
    expect(codes).toContain('progress.startOn')
    expect(codes).toContain('progress.ordersTrades')
    expect(codes).toContain('progress.done')
    for (const p of progress) expect(englishText(p.msg!)).toBe(p.message)
    expectChinese(progress.map((p) => formatMessage('zh-CN', p.msg!)))
    expectChinese(progress.map((p) => messageText(p.msg, p.message, 'zh-TW')))

    const fired = await dispatch(vigil, 'killSwitch.fire', { reason: 'drill' })
    if (!fired.ok) throw new Error(fired.error.message)
    const [account] = (fired.value as KillSwitchReport).accounts
    expect(account!.manualSteps.length).toBeGreaterThan(0)
    expect(account!.manualStepMsgs).toHaveLength(account!.manualSteps.length)
    expect(account!.steps.every((s) => s.detailMsg)).toBe(true)
    // English stays what it was: each text is its descriptor rendered in English.
    account!.manualStepMsgs!.forEach((m, i) => expect(englishText(m)).toBe(account!.manualSteps[i]))
    account!.steps.forEach((s) => expect(englishText(s.detailMsg!)).toBe(s.detail))

    // The window (renderer helper) in both Chinese languages.
    for (const language of ['zh-CN', 'zh-TW'] as const) {
      expectChinese(messageTexts(account!.manualStepMsgs, account!.manualSteps, language))
      expectChinese(account!.steps.map((s) => messageText(s.detailMsg, s.detail, language)))
    }
    expect(messageTexts(account!.manualStepMsgs, account!.manualSteps, 'en')).toEqual(
      account!.manualSteps
    )

    // The incident report in zh-TW, from the same result.
    const md = await reportFor(account!, 'zh-TW')
    const manual = md.split('\n').filter((l) => l.startsWith('- acc：'))
    expect(manual).toHaveLength(account!.manualSteps.length)
    expect(manual.join('\n')).toContain('刪除 Vigil 使用的 API 金鑰')
    expect(manual.join('\n')).toContain('https://www.binance.com')
    for (const line of manual) expect(withoutUrls(line), line).not.toMatch(ENGLISH)
  })
})

/** The incident report of a fresh incident covered by a run that returned `result`. */
async function reportFor(
  result: KillSwitchAccountResult,
  language: 'zh-CN' | 'zh-TW'
): Promise<string> {
  const db = openDatabase(':memory:')
  new AccountsRepo(db).insert({
    id: 'acc',
    exchange: 'binance',
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
      ruleId: 'funds.withdrawal_new_address',
      level: 'critical',
      family: 'funds',
      title: 'Withdrawal to a new address',
      explanation: 'x',
      reasoning: {},
      evidence: [],
      dedupKey: 'k',
      eventTs: 1,
      suggestKillSwitch: true
    },
    2,
    'live'
  )!
  const connector = { killSwitch: async () => ({ ...result, account: 'acc' }) }
  const ks = new KillSwitch(db, new AuditLog(db), systemClock, silentLogger)
  await ks.fire({
    targets: [
      { accountId: 'acc', exchange: 'binance', connector: connector as unknown as Connector }
    ],
    trigger: 'user'
  })
  return incidentReportMarkdown(
    buildIncidentReport(db, recorded.incident.id, 10_000, language),
    language
  )
}

describe('health notices and lastError', () => {
  const authError = () =>
    new ccxt.AuthenticationError(
      'deribit {"jsonrpc":"2.0","error":{"message":"invalid_credentials","code":13004}}'
    )

  const watch = async (errors: PollResult['errors']) => {
    const db = openDatabase(':memory:')
    const accounts = new AccountsRepo(db)
    accounts.insert({
      id: 'acc',
      exchange: 'deribit',
      label: 'Main',
      endpoint: null,
      keyHint: 'abcd',
      pollSeconds: 30,
      createdAt: 0,
      options: { backfilledAt: 1 }
    })
    const notices: HealthNotice[] = []
    const connector = {
      exchange: 'deribit',
      poll: async (): Promise<PollResult> => ({ events: [], cursors: {}, errors })
    } as unknown as Connector
    const clock = new FakeClock()
    const watcher = new AccountWatcher(
      db,
      accounts,
      'acc',
      connector,
      clock,
      silentLogger,
      {
        ingest: () => [],
        retroScan: () => {},
        onBackfillProgress: () => {},
        onHealth: (_a, n) => notices.push(n),
        onPolled: () => {}
      },
      { authFailThreshold: 1, degradedAfterMs: 0, stalledAfterIntervals: 0 }
    )
    await watcher.pollNow()
    return { notices, watcher, account: accounts.get('acc')! }
  }

  it('auth failing: the detail is Chinese around the exchange’s own message, which stays verbatim', async () => {
    const fault = classifyError(authError(), { exchangeName: 'Deribit', stream: 'keys' })
    const { notices, account } = await watch([{ stream: 'keys', fault }])
    const auth = notices.find((n) => n.rule === 'key.auth_failing')!
    expect(auth.detail).toBe(
      '1 polls in a row were refused: Deribit: the exchange rejected the API key (invalid, expired, disabled or removed) (invalid_credentials, code 13004)'
    )
    expect(formatMessage('zh-CN', auth.detailMsg)).toBe(
      '连续 1 次轮询被拒绝：Deribit：交易所拒绝了 API 密钥（无效、已过期、已停用或已删除）（invalid_credentials，错误码 13004）'
    )
    expect(formatMessage('zh-TW', auth.detailMsg)).toContain('連續 1 次輪詢遭到拒絕')

    // lastError: English stored as before; the descriptor renders the sentence in Chinese.
    expect(account.lastError).toBe(
      'keys: Deribit: the exchange rejected the API key (invalid, expired, disabled or removed) (invalid_credentials, code 13004)'
    )
    const zh = messageText(account.lastErrorMsg, account.lastError!, 'zh-CN')
    expect(zh).toBe(
      'keys：Deribit：交易所拒绝了 API 密钥（无效、已过期、已停用或已删除）（invalid_credentials，错误码 13004）'
    )
    expect(zh).toContain('invalid_credentials')
  })

  it('rate limited, degraded and stalled details in zh-CN', async () => {
    const limited = classifyError(
      new ccxt.RateLimitExceeded('deribit {"error":{"message":"too_many_requests","code":10028}}'),
      { exchangeName: 'Deribit', stream: 'orders:BTC' }
    )
    const down = classifyError(new ccxt.ExchangeNotAvailable('deribit GET https://x 503'), {
      exchangeName: 'Deribit',
      stream: 'fills:BTC'
    })
    const { notices, account } = await watch([
      { stream: 'orders:BTC', fault: limited },
      { stream: 'fills:BTC', fault: down }
    ])
    const zh = Object.fromEntries(notices.map((n) => [n.rule, formatMessage('zh-CN', n.detailMsg)]))
    expect(zh['guardian.rate_limited']).toMatch(
      /^deribit 要求 Vigil 降低请求频率；轮询间隔已延长至每 \d+ 秒一次$/
    )
    expect(zh['guardian.exchange_degraded']).toBe(
      'deribit 已持续出错 0 分钟：Vigil 缺少这段时间的数据'
    )
    expect(zh['guardian.poll_stalled']).toMatch(/^已有 \d+ 秒没有成功轮询$/)
    expectChinese(Object.values(zh))
    expect(messageText(account.lastErrorMsg, account.lastError!, 'zh-TW')).toBe(
      'orders:BTC：Deribit：交易所正在限制我們的請求頻率（too_many_requests，錯誤碼 10028）；fills:BTC：Deribit：無法連線到交易所，或交易所沒有及時回應'
    )
  })
})

describe('trade.size_outlier {why}', () => {
  const { translations } = loadRuleTranslations(RULES_DIR)
  const view = {
    get: (path: string) => (path === 'data.symbol' ? 'BTC/USDT' : undefined)
  } as unknown as EventView

  it('the clause the baseline writes is rendered in each language', () => {
    const whyMsg = msg('why.sizeBaseline', {
      ratio: 12.5,
      percentile: 99,
      value: '$4,000',
      days: 30,
      factor: 10
    })
    const reasoning = { observed: 50_000, why: englishText(whyMsg), whyMsg }
    expect(reasoning.why).toBe(
      "12.5× this account's 99th percentile of $4,000 over the last 30 days (limit 10×)"
    )
    const { i18n } = findingI18n(translations, 'trade.size_outlier', reasoning, {}, view)
    expect(i18n!['zh-CN'].explanation).toBe(
      'BTC/USDT 上一笔价值 $50,000 的订单：达到本账户过去 30 天第 99 百分位（$4,000）的 12.5 倍（上限 10 倍）。'
    )
    expect(i18n!['zh-TW'].explanation).toContain('達到這個帳戶過去 30 天第 99 百分位')
    expectChinese([i18n!['zh-CN'].explanation, i18n!['zh-TW'].explanation])

    const equity = msg('why.sizeEquity', { share: 35, equity: '$100,000', limit: 20 })
    const byEquity = findingI18n(
      translations,
      'trade.size_outlier',
      { observed: 35_000, why: englishText(equity), whyMsg: equity },
      {},
      view
    )
    expect(englishText(equity)).toBe("35 % of the account's equity of $100,000 (limit 20 %)")
    expect(byEquity.i18n!['zh-TW'].explanation).toContain('佔帳戶權益 $100,000 的 35%（上限 20%）')
  })
})
