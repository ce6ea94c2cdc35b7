/**
 * The incident report a trader can send to the exchange's support, in the order of an API
 * security investigation: what happened (a timeline with times, IPs, countries, devices, orders,
 * fills, withdrawals), the likely cause, the impact, what Vigil did (with what the exchange
 * confirmed on read-back), what is left to do by hand, and recommendations.
 */
import type { AlertView, EventView, IncidentView, KillSwitchReport } from '../api/contract'
import { formatMessage, type Message } from '../api/messages'
import type { Db } from './db/open'
import { levelText, type CoreLanguage } from './i18n'
import type { Level } from './model'
import { AccountsRepo } from './db/repos/accounts'
import { AuditLog } from './db/repos/audit'
import { auditActorMsg, auditEntryMsg } from './audit-text'
import { Incidents } from './incidents'
import { KillSwitch } from './kill-switch'
import { silentLogger, systemClock } from './ports'

export interface IncidentReport {
  format: 'vigil-incident-report/1'
  generatedAt: number
  incident: IncidentView
  account: { id: string; exchange: string; label: string; keyHint: string } | null
  timeline: { at: number; type: string; exchangeRecordId: string; summary: string }[]
  alerts: {
    id: string
    rule: string
    level: string
    at: number
    title: string
    explanation: string
    reasoning: Record<string, unknown>
  }[]
  likelyCause: string[]
  impact: {
    orders: number
    fills: number
    notionalUsd: number
    withdrawals: { currency: string; amount: number; address: string }[]
    keysCreated: string[]
    countries: string[]
    ips: string[]
  }
  /**
   * The audit log around the incident: `actor` and `action` as recorded (codes), `actorText` and
   * `detail` in the report's language, built from the entry's structured data.
   */
  actions: { at: number; actor: string; action: string; actorText: string; detail: string }[]
  killSwitch: KillSwitchReport | null
  remaining: string[]
  recommendations: string[]
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z')

/** One line in plain words for a stored event (the values are the exchange's, as recorded). */
export function describeEvent(e: EventView, language: CoreLanguage = 'en'): string {
  if (language !== 'en') return describeEventZh(e, language)
  const d = e.data as Record<string, unknown>
  const s = (k: string) => (d[k] === undefined || d[k] === null ? '' : String(d[k]))
  switch (e.kind) {
    case 'login':
      return `${e.type === 'login.failure' ? 'Failed login' : 'Login'} from ${s('ip')}${s('country') ? ` (${s('country')}${s('asnOrg') ? `, ${s('asnOrg')}` : ''})` : ''}${s('device') || s('userAgent') ? ` with ${s('device') || s('userAgent')}` : ''}`
    case 'security':
      return e.type.replace('security.', '').replace(/_/g, ' ')
    case 'key':
      return `API key ${s('keyId')} ${e.type.replace('key.', '')}${Array.isArray(d.permissions) ? ` (permissions: ${(d.permissions as string[]).join(', ') || 'none'}; IP whitelist: ${Array.isArray(d.ipWhitelist) && (d.ipWhitelist as string[]).length ? (d.ipWhitelist as string[]).join(', ') : 'none'})` : ''}`
    case 'order':
      return `${s('type')} ${s('side')} ${s('amount')} ${s('symbol')}${s('price') ? ` @ ${s('price')}` : ''} (${s('status')}${s('origin') ? `, via ${s('origin')}` : ''})`
    case 'fill':
      return `fill: ${s('side')} ${s('amount')} ${s('symbol')} @ ${s('price')}`
    case 'withdrawal':
      return `withdrawal of ${s('amount')} ${s('currency')} to ${s('address')}${s('status') ? ` (${s('status')})` : ''}`
    case 'address':
      return `withdrawal address ${s('address')} (${s('currency')}) ${e.type.replace('address.', '')}`
    case 'transfer':
      return `transfer of ${s('amount')} ${s('currency')} to ${s('to')}`
    case 'balance':
      return `${s('currency')} balance ${s('previous')} → ${s('total')}`
    default:
      return e.type
  }
}

type Texts = {
  causes: [string, string, string, string, string, string]
  unknownCause: string
  notContained: (account: string, why: string) => string
  seeBelow: string
  ordersOpen: (account: string, count: number) => string
  notFired: string
  contactSupport: (exchange: string | null) => string
  recommendations: string[]
  twofaDisabled: string
}

/** The kill-switch's key outcome words, as the renderer shows them. */
const KEY_OUTCOME: Record<CoreLanguage, Record<string, string>> = {
  en: {},
  'zh-CN': {
    revoked: '已吊销',
    disabled: '已停用',
    'manual-revoke-required': '需手动吊销',
    unchanged: '未变更'
  },
  'zh-TW': {
    revoked: '已撤銷',
    disabled: '已停用',
    'manual-revoke-required': '需手動撤銷',
    unchanged: '未變更'
  }
}

const TEXTS: Record<CoreLanguage, Texts> = {
  en: {
    causes: [
      'Credential stuffing or password guessing against the exchange login, followed by a successful login: the account password (and possibly the 2FA code) is likely known to the attacker.',
      'A login from a place, network or device this account has never used: the web session or password may be compromised (phishing, a stolen browser cookie or malware).',
      'Account security settings were changed (2FA, password or e-mail): typical of an attacker taking over the account after logging in.',
      'API keys were created or widened: the attacker is preparing persistent access through the API.',
      'Trading that does not match this account (new symbols, bursts, off-market prices): typical of a leaked trading API key used for contra-trades against the attacker’s own orders (as in the 3Commas/FTX and Binance VIA cases).',
      'Funds are moving to addresses or in patterns this account has not used: a withdrawal-enabled key or the web session is being used to move money out.'
    ],
    unknownCause:
      'Vigil saw activity that does not match this account’s history; the evidence below is what it was based on.',
    notContained: (account, why) => `${account} is NOT contained: ${why}`,
    seeBelow: 'see the steps below',
    ordersOpen: (account, count) =>
      `${account}: ${count} orders are still open on the exchange; cancel them by hand.`,
    notFired:
      'The kill-switch was not fired for this incident. If this was not you, fire it now from Vigil, then revoke the key on the exchange.',
    contactSupport: (exchange) =>
      `Contact ${exchange ?? 'the exchange'} support at once about the withdrawals listed below (quote the record ids) and ask them to freeze them.`,
    recommendations: [
      'Rotate every API key on this account: create new keys only after the account is secure, and store them only in Vigil (the OS keychain).',
      'Give trading keys no withdraw or transfer permission; keep withdrawals to the web UI with 2FA.',
      'Bind every key to the fixed IP addresses of the machines that use it.',
      'Enable 2FA (a hardware key or an authenticator app, not SMS) and change the exchange password; check the account e-mail address.',
      'Turn on the exchange’s withdrawal address whitelist and its waiting period for new addresses.',
      'Scan the trading machine and browser for malware and malicious extensions; never enter keys into third-party sites you have not vetted.'
    ],
    twofaDisabled: '2FA was disabled during the incident: re-enable it before anything else.'
  },
  'zh-CN': {
    causes: [
      '有人在交易所登录页面进行撞库或猜测密码，随后登录成功：攻击者很可能已经掌握账户密码（也可能包括双重验证码）。',
      '出现了来自此账户从未使用过的地点、网络或设备的登录：网页会话或密码可能已泄露（钓鱼、浏览器 Cookie 被盗或恶意软件）。',
      '账户安全设置被更改（双重验证、密码或邮箱）：这是攻击者登录后接管账户的典型做法。',
      '有 API 密钥被创建或权限被扩大：攻击者正在准备通过 API 长期控制账户。',
      '出现与此账户不符的交易（新交易对、密集下单、偏离市价的价格）：这是交易 API 密钥泄露后被用来与攻击者自己的订单对敲的典型手法（如 3Commas/FTX 和币安 VIA 事件）。',
      '资金正在转往此账户从未用过的地址，或以从未有过的方式转出：有人正在利用具有提现权限的密钥或网页会话转走资金。'
    ],
    unknownCause: 'Vigil 发现了与此账户历史不符的活动；判断依据见下方证据。',
    notContained: (account, why) => `${account} 未被遏制：${why}`,
    seeBelow: '请参见下方步骤',
    ordersOpen: (account, count) => `${account}：交易所上仍有 ${count} 笔未成交订单，请手动撤销。`,
    notFired:
      '此事件未触发紧急熔断。如果不是你本人操作，请立即在 Vigil 中触发紧急熔断，然后到交易所吊销该密钥。',
    contactSupport: (exchange) =>
      `请立即联系 ${exchange ?? '交易所'} 客服，说明下方列出的提现（请提供记录 ID），并要求冻结这些提现。`,
    recommendations: [
      '轮换此账户的所有 API 密钥：确认账户安全后再创建新密钥，并且只保存在 Vigil（系统钥匙串）中。',
      '交易密钥不要开启提现或划转权限；提现只在开启双重验证的网页端进行。',
      '将每个密钥绑定到使用它的机器的固定 IP 地址。',
      '开启双重验证（硬件密钥或验证器 App，不要用短信），并修改交易所登录密码；检查账户绑定的邮箱地址。',
      '开启交易所的提现地址白名单，以及新地址的等待期。',
      '扫描交易电脑和浏览器中的恶意软件和恶意扩展；切勿将密钥输入未经核实的第三方网站。'
    ],
    twofaDisabled: '事件期间双重验证被关闭：请先重新开启双重验证，再做其他操作。'
  },
  'zh-TW': {
    causes: [
      '有人在交易所登入頁面進行撞庫或猜測密碼，隨後登入成功：攻擊者很可能已經掌握帳戶密碼（也可能包括雙重驗證碼）。',
      '出現了來自此帳戶從未使用過的地點、網路或裝置的登入：網頁工作階段或密碼可能已外洩（網路釣魚、瀏覽器 Cookie 遭竊或惡意軟體）。',
      '帳戶安全設定遭到變更（雙重驗證、密碼或電子郵件）：這是攻擊者登入後接管帳戶的典型手法。',
      '有 API 金鑰被建立或權限被擴大：攻擊者正在準備透過 API 長期控制帳戶。',
      '出現與此帳戶不符的交易（新交易對、密集下單、偏離市價的價格）：這是交易 API 金鑰外洩後被用來與攻擊者自己的訂單對敲的典型手法（如 3Commas/FTX 與幣安 VIA 事件）。',
      '資金正在轉往此帳戶從未用過的地址，或以從未有過的方式轉出：有人正在利用具有提領權限的金鑰或網頁工作階段轉走資金。'
    ],
    unknownCause: 'Vigil 發現了與此帳戶歷史不符的活動；判斷依據見下方證據。',
    notContained: (account, why) => `${account} 未被圍堵：${why}`,
    seeBelow: '請參閱下方步驟',
    ordersOpen: (account, count) => `${account}：交易所上仍有 ${count} 筆未成交訂單，請手動取消。`,
    notFired:
      '此事件沒有啟動緊急熔斷。如果不是你本人操作，請立即在 Vigil 中啟動緊急熔斷，然後到交易所撤銷該金鑰。',
    contactSupport: (exchange) =>
      `請立即聯絡 ${exchange ?? '交易所'} 客服，說明下方列出的提領（請提供紀錄 ID），並要求凍結這些提領。`,
    recommendations: [
      '輪換此帳戶的所有 API 金鑰：確認帳戶安全後再建立新金鑰，並且只儲存在 Vigil（系統鑰匙圈）中。',
      '交易金鑰不要開啟提領或轉帳權限；提領只在開啟雙重驗證的網頁端進行。',
      '將每把金鑰綁定到使用它的機器的固定 IP 位址。',
      '開啟雙重驗證（硬體金鑰或驗證器 App，不要用簡訊），並變更交易所登入密碼；檢查帳戶綁定的電子郵件地址。',
      '開啟交易所的提領地址白名單，以及新地址的等待期。',
      '掃描交易電腦與瀏覽器中的惡意軟體與惡意擴充功能；切勿將金鑰輸入未經查核的第三方網站。'
    ],
    twofaDisabled: '事件期間雙重驗證遭到關閉：請先重新開啟雙重驗證，再進行其他操作。'
  }
}

const EVENT_ZH = {
  'zh-CN': {
    loginFailed: '登录失败',
    login: '登录',
    device: '设备',
    key: 'API 密钥',
    permissions: '权限',
    whitelist: 'IP 白名单',
    none: '无',
    order: '订单',
    via: '来源',
    fill: '成交',
    withdrawal: '提现',
    to: '至',
    address: '提现地址',
    transfer: '划转',
    balance: '余额',
    verbs: {
      created: '已创建',
      deleted: '已删除',
      removed: '已删除',
      added: '已添加',
      updated: '已更新',
      disabled: '已停用'
    } as Record<string, string>
  },
  'zh-TW': {
    loginFailed: '登入失敗',
    login: '登入',
    device: '裝置',
    key: 'API 金鑰',
    permissions: '權限',
    whitelist: 'IP 白名單',
    none: '無',
    order: '訂單',
    via: '來源',
    fill: '成交',
    withdrawal: '提領',
    to: '至',
    address: '提領地址',
    transfer: '轉帳',
    balance: '餘額',
    verbs: {
      created: '已建立',
      deleted: '已刪除',
      removed: '已刪除',
      added: '已新增',
      updated: '已更新',
      disabled: '已停用'
    } as Record<string, string>
  }
}

function describeEventZh(e: EventView, language: 'zh-CN' | 'zh-TW'): string {
  const w = EVENT_ZH[language]
  const d = e.data as Record<string, unknown>
  const s = (k: string) => (d[k] === undefined || d[k] === null ? '' : String(d[k]))
  const verb = (v: string) => w.verbs[v] ?? v
  const list = (v: unknown) =>
    Array.isArray(v) && (v as string[]).length ? (v as string[]).join(', ') : w.none
  switch (e.kind) {
    case 'login':
      return `${e.type === 'login.failure' ? w.loginFailed : w.login}：${s('ip')}${s('country') ? `（${s('country')}${s('asnOrg') ? `，${s('asnOrg')}` : ''}）` : ''}${s('device') || s('userAgent') ? `，${w.device}：${s('device') || s('userAgent')}` : ''}`
    case 'key':
      return `${w.key} ${s('keyId')} ${verb(e.type.replace('key.', ''))}${Array.isArray(d.permissions) ? `（${w.permissions}：${list(d.permissions)}；${w.whitelist}：${list(d.ipWhitelist)}）` : ''}`
    case 'order':
      return `${w.order}：${s('type')} ${s('side')} ${s('amount')} ${s('symbol')}${s('price') ? ` @ ${s('price')}` : ''}（${s('status')}${s('origin') ? `，${w.via}：${s('origin')}` : ''}）`
    case 'fill':
      return `${w.fill}：${s('side')} ${s('amount')} ${s('symbol')} @ ${s('price')}`
    case 'withdrawal':
      return `${w.withdrawal} ${s('amount')} ${s('currency')} ${w.to} ${s('address')}${s('status') ? `（${s('status')}）` : ''}`
    case 'address':
      return `${w.address} ${s('address')}（${s('currency')}）${verb(e.type.replace('address.', ''))}`
    case 'transfer':
      return `${w.transfer} ${s('amount')} ${s('currency')} ${w.to} ${s('to')}`
    case 'balance':
      return `${s('currency')} ${w.balance} ${s('previous')} → ${s('total')}`
    default:
      return describeEvent(e)
  }
}

const CAUSES: RegExp[] = [
  /^login\.(countries_burst|failed_burst|failures_then_success)/,
  /^login\.(new_country|impossible_travel|anonymous_network|new_device)/,
  /^security\./,
  /^key\.(new_key|permissions_escalated|ip_whitelist_removed)/,
  /^trade\./,
  /^funds\./
]

export function buildIncidentReport(
  db: Db,
  incidentId: string,
  now = Date.now(),
  language: CoreLanguage = 'en'
): IncidentReport {
  const text = TEXTS[language]
  const incidents = new Incidents(db)
  const incident = incidents.getIncident(incidentId)
  if (!incident) throw new Error(`no incident with id ${incidentId}`)
  const alerts: AlertView[] = incidents.alertsOf(incidentId)
  const accountRecord = new AccountsRepo(db).get(incident.accountId)
  const evidence = new Map<number, EventView>()
  for (const a of alerts) for (const e of a.evidence) evidence.set(e.id, e)
  const events = [...evidence.values()].sort((a, b) => a.ts - b.ts || a.id - b.id)

  const runs = new KillSwitch(db, new AuditLog(db), systemClock, silentLogger)
  // An incident raised after the account was contained is covered by that earlier run.
  const killSwitch = incident.killSwitchRunId
    ? runs.get(incident.killSwitchRunId)
    : runs.lastFor(incident.accountId)
  const audit = new AuditLog(db)
    .list(2000)
    .filter(
      (e) =>
        e.accountId === incident.accountId || (e.accountId === null && e.at >= incident.openedAt)
    )
    .filter((e) => e.at >= incident.openedAt - 60_000)
    .reverse()

  const rules = new Set(alerts.map((a) => a.rule))
  const likelyCause = CAUSES.flatMap((re, i) =>
    [...rules].some((r) => re.test(r)) ? [text.causes[i]!] : []
  )
  if (likelyCause.length === 0) likelyCause.push(text.unknownCause)

  const data = (e: EventView) => e.data as Record<string, unknown>
  const withdrawals = events
    .filter((e) => e.kind === 'withdrawal')
    .map((e) => ({
      currency: String(data(e).currency),
      amount: Number(data(e).amount),
      address: String(data(e).address)
    }))
  const impact = {
    orders: events.filter((e) => e.kind === 'order').length,
    fills: events.filter((e) => e.kind === 'fill').length,
    notionalUsd: Math.round(
      events
        .filter((e) => e.kind === 'order' || e.kind === 'fill')
        .reduce((sum, e) => sum + (Number(data(e).notionalUsd) || 0), 0)
    ),
    withdrawals,
    keysCreated: [
      ...new Set(events.filter((e) => e.type === 'key.created').map((e) => String(data(e).keyId)))
    ],
    countries: [
      ...new Set(
        events
          .filter((e) => e.kind === 'login')
          .map((e) => data(e).country)
          .filter(Boolean)
          .map(String)
      )
    ],
    ips: [
      ...new Set(
        events
          .filter((e) => e.kind === 'login')
          .map((e) => data(e).ip)
          .filter(Boolean)
          .map(String)
      )
    ]
  }

  const remaining: string[] = []
  for (const a of killSwitch?.accounts ?? []) {
    // Connectors send their errors and manual steps as descriptors next to the English text
    // (runs recorded before that have only the English).
    const errors = localTexts(language, a.errors, a.errorMsgs)
    if (!a.contained)
      remaining.push(
        text.notContained(a.account, errors.join(language === 'en' ? '; ' : '；') || text.seeBelow)
      )
    if (a.ordersRemaining > 0) remaining.push(text.ordersOpen(a.account, a.ordersRemaining))
    const url = a.manualUrl ? ` (${a.manualUrl})` : ''
    remaining.push(
      ...localTexts(language, a.manualSteps, a.manualStepMsgs).map(
        (s) => `${a.account}${language === 'en' ? ': ' : '：'}${s}${url}`
      )
    )
  }
  if (!killSwitch) remaining.push(text.notFired)
  if (withdrawals.length) remaining.push(text.contactSupport(accountRecord?.exchange ?? null))

  const recommendations = [...text.recommendations]
  if (rules.has('security.2fa_disabled')) recommendations.unshift(text.twofaDisabled)

  return {
    format: 'vigil-incident-report/1',
    generatedAt: now,
    incident,
    account: accountRecord
      ? {
          id: accountRecord.id,
          exchange: accountRecord.exchange,
          label: accountRecord.label,
          keyHint: accountRecord.keyHint
        }
      : null,
    timeline: events.map((e) => ({
      at: e.ts,
      type: e.type,
      exchangeRecordId: e.exchangeRecordId.split('#')[0]!,
      summary: describeEvent(e, language)
    })),
    alerts: alerts.map((a) => ({
      id: a.id,
      rule: a.rule,
      level: a.level,
      at: a.at,
      title: (language !== 'en' && a.i18n?.[language]?.title) || a.title,
      explanation: (language !== 'en' && a.i18n?.[language]?.explanation) || a.explanation,
      reasoning: a.reasoning
    })),
    likelyCause,
    impact,
    actions: audit.map((e) => {
      const what = auditEntryMsg(e.action, e.detail)
      return {
        at: e.at,
        actor: e.actor,
        action: e.action,
        actorText: formatMessage(language, auditActorMsg(e.actor)),
        detail: what ? formatMessage(language, what) : rawDetail(e.action, e.detail)
      }
    }),
    killSwitch,
    remaining,
    recommendations
  }
}

/** English texts, or their descriptors rendered in the language when every one has one. */
function localTexts(
  language: CoreLanguage,
  english: string[],
  descriptors: Message[] | undefined
): string[] {
  if (language === 'en' || !descriptors || descriptors.length !== english.length) return english
  return descriptors.map((d, i) => formatMessage(language, d, english[i]))
}

/** An action this build has no sentence for: its code and detail as recorded. */
function rawDetail(action: string, detail: Record<string, unknown>): string {
  const fields = Object.entries(detail)
    .filter(([, v]) => v !== null && v !== undefined && (typeof v !== 'object' || Array.isArray(v)))
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : String(v)}`)
    .join('; ')
  return fields ? `${action} (${fields})` : action
}

const escapeCell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ')

type MarkdownTexts = {
  title: string
  incident: string
  account: string
  accountLine: (label: string, exchange: string, hint: string) => string
  keyOutcome: Record<string, string>
  status: Record<string, string>
  opened: (opened: string, updated: string) => string
  generated: string
  h1: string
  timelineHead: string
  alerts: string
  h2: string
  h3: string
  orders: (orders: number, fills: number, notional: string) => string
  withdrawals: string
  keysCreated: string
  none: string
  ips: (ips: string, countries: string) => string
  unknown: string
  h4: string
  killSwitch: (id: string, trigger: string, at: string, ms: number) => string
  ksHead: string
  yes: string
  no: string
  h5: string
  nothing: string
  h6: string
  sep: string
}

const MARKDOWN: Record<CoreLanguage, MarkdownTexts> = {
  en: {
    title: 'Vigil incident report',
    incident: 'Incident',
    account: 'Account',
    accountLine: (label, exchange, hint) => `${label} on ${exchange} (API key …${hint})`,
    keyOutcome: {},
    status: {},
    opened: (opened, updated) => `- Opened: ${opened}; last activity ${updated}`,
    generated: 'Report generated',
    h1: '## 1. What happened',
    timelineHead: '| time (UTC) | event | exchange record id |',
    alerts: '### Alerts',
    h2: '## 2. Likely cause',
    h3: '## 3. Impact',
    orders: (orders, fills, notional) =>
      `- Orders in the evidence: ${orders}; fills: ${fills}; notional ≈ ${notional} USD`,
    withdrawals: 'Withdrawals',
    keysCreated: 'API keys created',
    none: 'none',
    ips: (ips, countries) => `- Login IPs: ${ips} (countries: ${countries})`,
    unknown: 'unknown',
    h4: '## 4. What Vigil did',
    killSwitch: (id, trigger, at, ms) => `Kill-switch ${id} (${trigger}) at ${at}, ${ms} ms:`,
    ksHead: '| account | contained | orders cancelled | orders remaining (read back) | key |',
    yes: 'yes',
    no: 'NO',
    h5: '## 5. What you still need to do by hand',
    nothing: 'Nothing: every step was confirmed by the exchange.',
    h6: '## 6. Recommendations',
    sep: ': '
  },
  'zh-CN': {
    title: 'Vigil 事件报告',
    incident: '事件',
    account: '账户',
    accountLine: (label, exchange, hint) => `${exchange} 上的 ${label}（API 密钥 …${hint}）`,
    keyOutcome: KEY_OUTCOME['zh-CN'],
    status: { open: '未处理', acknowledged: '已确认', resolved: '已解决', contained: '已遏制' },
    opened: (opened, updated) => `- 开始时间：${opened}；最后活动 ${updated}`,
    generated: '报告生成时间',
    h1: '## 1. 发生了什么',
    timelineHead: '| 时间（UTC） | 事件 | 交易所记录 ID |',
    alerts: '### 告警',
    h2: '## 2. 可能原因',
    h3: '## 3. 影响',
    orders: (orders, fills, notional) =>
      `- 证据中的订单：${orders} 笔；成交：${fills} 笔；名义金额 ≈ ${notional} USD`,
    withdrawals: '提现',
    keysCreated: '新建的 API 密钥',
    none: '无',
    ips: (ips, countries) => `- 登录 IP：${ips}（国家/地区：${countries}）`,
    unknown: '未知',
    h4: '## 4. Vigil 做了什么',
    killSwitch: (id, trigger, at, ms) => `紧急熔断 ${id}（${trigger}），${at}，耗时 ${ms} 毫秒：`,
    ksHead: '| 账户 | 已遏制 | 已撤销订单 | 剩余订单（回读确认） | 密钥 |',
    yes: '是',
    no: '否',
    h5: '## 5. 你仍需手动完成的事项',
    nothing: '无：每一步都已得到交易所确认。',
    h6: '## 6. 建议',
    sep: '：'
  },
  'zh-TW': {
    title: 'Vigil 事件報告',
    incident: '事件',
    account: '帳戶',
    accountLine: (label, exchange, hint) => `${exchange} 上的 ${label}（API 金鑰 …${hint}）`,
    keyOutcome: KEY_OUTCOME['zh-TW'],
    status: { open: '未處理', acknowledged: '已確認', resolved: '已解決', contained: '已圍堵' },
    opened: (opened, updated) => `- 開始時間：${opened}；最後活動 ${updated}`,
    generated: '報告產生時間',
    h1: '## 1. 發生了什麼',
    timelineHead: '| 時間（UTC） | 事件 | 交易所紀錄 ID |',
    alerts: '### 警示',
    h2: '## 2. 可能原因',
    h3: '## 3. 影響',
    orders: (orders, fills, notional) =>
      `- 證據中的訂單：${orders} 筆；成交：${fills} 筆；名目金額 ≈ ${notional} USD`,
    withdrawals: '提領',
    keysCreated: '新建立的 API 金鑰',
    none: '無',
    ips: (ips, countries) => `- 登入 IP：${ips}（國家/地區：${countries}）`,
    unknown: '未知',
    h4: '## 4. Vigil 做了什麼',
    killSwitch: (id, trigger, at, ms) => `緊急熔斷 ${id}（${trigger}），${at}，耗時 ${ms} 毫秒：`,
    ksHead: '| 帳戶 | 已圍堵 | 已取消訂單 | 剩餘訂單（回讀確認） | 金鑰 |',
    yes: '是',
    no: '否',
    h5: '## 5. 你仍需手動完成的事項',
    nothing: '無：每一步都已獲得交易所確認。',
    h6: '## 6. 建議',
    sep: '：'
  }
}

/**
 * The report as Markdown in a UI language. Headings, table headers and Vigil's own sentences are
 * translated, and so are the connectors' manual steps and errors where they came as descriptors;
 * what the exchange wrote (record ids, its own error text) is kept.
 * The fixed sentences inside `r` come from `buildIncidentReport`'s language.
 */
export function incidentReportMarkdown(r: IncidentReport, language: CoreLanguage = 'en'): string {
  const m = MARKDOWN[language]
  const zh = language === 'en' ? null : language
  const incidentTitle = (zh && r.incident.i18n?.[zh]?.title) || r.incident.title
  const out: string[] = []
  out.push(`# ${m.title}${m.sep}${incidentTitle}`)
  out.push('')
  out.push(
    `- ${m.incident}${m.sep}${r.incident.id} (${zh ? levelText(zh, r.incident.level) : r.incident.level}, ${m.status[r.incident.status] ?? r.incident.status})`
  )
  if (r.account)
    out.push(
      `- ${m.account}${m.sep}${m.accountLine(r.account.label, r.account.exchange, r.account.keyHint)}`
    )
  out.push(m.opened(iso(r.incident.openedAt), iso(r.incident.updatedAt)))
  out.push(`- ${m.generated}${m.sep}${iso(r.generatedAt)}`)
  out.push('')
  out.push(m.h1)
  out.push('')
  out.push(m.timelineHead)
  out.push('|---|---|---|')
  for (const t of r.timeline)
    out.push(`| ${iso(t.at)} | ${escapeCell(t.summary)} | ${escapeCell(t.exchangeRecordId)} |`)
  out.push('')
  out.push(m.alerts)
  out.push('')
  for (const a of r.alerts) {
    const level = zh ? levelText(zh, a.level as Level) : a.level
    out.push(`- **${level}** ${a.title} (${a.rule}, ${iso(a.at)})${m.sep}${a.explanation}`)
  }
  out.push('')
  out.push(m.h2)
  out.push('')
  for (const c of r.likelyCause) out.push(`- ${c}`)
  out.push('')
  out.push(m.h3)
  out.push('')
  out.push(m.orders(r.impact.orders, r.impact.fills, r.impact.notionalUsd.toLocaleString('en-US')))
  out.push(
    `- ${m.withdrawals}${m.sep}${r.impact.withdrawals.length ? r.impact.withdrawals.map((w) => `${w.amount} ${w.currency} → ${w.address}`).join('; ') : m.none}`
  )
  out.push(
    `- ${m.keysCreated}${m.sep}${r.impact.keysCreated.length ? r.impact.keysCreated.join(', ') : m.none}`
  )
  if (r.impact.ips.length)
    out.push(m.ips(r.impact.ips.join(', '), r.impact.countries.join(', ') || m.unknown))
  out.push('')
  out.push(m.h4)
  out.push('')
  if (r.killSwitch) {
    out.push(
      m.killSwitch(
        r.killSwitch.id,
        r.killSwitch.trigger,
        iso(r.killSwitch.startedAt),
        r.killSwitch.durationMs
      )
    )
    out.push('')
    out.push(m.ksHead)
    out.push('|---|---|---|---|---|')
    for (const a of r.killSwitch.accounts)
      out.push(
        `| ${a.account} | ${a.contained ? m.yes : m.no} | ${a.ordersCancelled} | ${a.ordersRemaining} | ${m.keyOutcome[a.key] ?? a.key} |`
      )
    out.push('')
  }
  for (const a of r.actions)
    out.push(`- ${iso(a.at)} ${a.actorText}${m.sep}${a.detail || a.action}`)
  out.push('')
  out.push(m.h5)
  out.push('')
  for (const s of r.remaining.length ? r.remaining : [m.nothing]) out.push(`- ${s}`)
  out.push('')
  out.push(m.h6)
  out.push('')
  for (const s of r.recommendations) out.push(`- ${s}`)
  out.push('')
  return out.join('\n')
}
