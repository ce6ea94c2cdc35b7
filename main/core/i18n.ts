/**
 * The few sentences the core itself writes for the trader (notifications, the tray reason, health
 * notice titles) in the UI languages. English is the reference and stays word for word what it
 * was; Chinese follows settings.language ('system' reads the OS locale). Sentences the connectors
 * and the poller produce travel as message descriptors (../api/messages.ts) and are rendered
 * where they are shown.
 */
import type { Level } from './model'

export const CORE_LANGUAGES = ['en', 'zh-CN', 'zh-TW'] as const
export type CoreLanguage = (typeof CORE_LANGUAGES)[number]
export type LanguageSetting = 'system' | CoreLanguage

/** Maps a locale tag (BCP 47 or POSIX, e.g. `zh_TW.UTF-8`) to one of ours. */
export function languageOfLocale(tag: string | undefined | null): CoreLanguage | null {
  if (!tag) return null
  const lower = tag.toLowerCase().replace(/_/g, '-')
  if (lower.startsWith('zh')) return /hant|-tw|-hk|-mo/.test(lower) ? 'zh-TW' : 'zh-CN'
  if (lower.startsWith('en')) return 'en'
  return null
}

/**
 * The language to write in for a settings value. 'system' reads LC_ALL / LC_MESSAGES / LANG first
 * (what the user set for this session), then the locale Intl resolved.
 */
export function resolveCoreLanguage(
  setting: LanguageSetting | undefined,
  env: { locale?: string; vars?: Record<string, string | undefined> } = {}
): CoreLanguage {
  if (setting && setting !== 'system') return setting
  const vars = env.vars ?? process.env
  const posix = [vars.LC_ALL, vars.LC_MESSAGES, vars.LANG].find(
    (v) => v && v !== 'C' && v !== 'POSIX'
  )
  const locale = env.locale ?? Intl.DateTimeFormat().resolvedOptions().locale
  return languageOfLocale(posix) ?? languageOfLocale(locale) ?? 'en'
}

type Vars = Record<string, string | number>
type Catalog = Record<string, string>

const en: Catalog = {
  'level.info': 'Info',
  'level.low': 'Low',
  'level.medium': 'Medium',
  'level.high': 'High',
  'level.critical': 'Critical',
  'notify.killSwitch': 'Kill switch',
  'notify.killSwitchNow': 'Kill switch now',
  'notify.thisIsMe': 'This is me',
  'notify.countdown': 'Kill switch in {seconds} s unless you answer.',
  'notify.actAtOnce':
    '{title}. Vigil fired the kill-switch at once, as your policy says for {level} alerts.',
  'notify.countdownZero': '{title}. Vigil fired the kill-switch at once (countdown set to 0).',
  'notify.expiredFired':
    'Nobody answered within {seconds} s, so Vigil fired the kill-switch, as your policy says for {level} alerts.',
  'notify.notFiredTitle': 'Vigil did not fire the kill-switch',
  'notify.notFiredBody':
    'Nobody answered within {seconds} s. Your policy says to only notify; the incident stays open.',
  'notify.pressed': 'You pressed Kill switch on the notification.',
  'notify.firedTitle': 'Vigil kill-switch fired',
  'notify.failedTitle': 'Vigil kill-switch FAILED',
  'notify.failedBody': '{why}\nIt did not complete: {error}. Open Vigil and act by hand.',
  'ks.line': '{account}: {state} ({orders}; {key})',
  'ks.contained': 'contained',
  'ks.notContained': 'NOT contained',
  'ks.ordersNoneLeft': '{cancelled} orders cancelled, none left',
  'ks.ordersOpen': '{remaining} orders still open',
  'ks.revokeByHand': 'revoke the key by hand',
  'ks.key': 'key {key}',
  'ks.key.revoked': 'revoked',
  'ks.key.disabled': 'disabled',
  'ks.key.unchanged': 'unchanged',
  'tray.watching.one': 'Watching {count} account',
  'tray.watching.other': 'Watching {count} accounts',
  'tray.none': 'No accounts yet: add an API key',
  'tray.learning': 'Reading history and learning what is normal',
  'tray.contained': 'Contained: {labels}',
  'tray.open.one': '{count} open incident',
  'tray.open.other': '{count} open incidents',
  'tray.paused': 'Monitoring paused until {time}',
  'channel.testTitle': 'Vigil test message',
  'channel.testBody':
    'If you can read this, Vigil can reach you here when something happens on your exchange accounts.',
  'health.guardian.rate_limited': 'The exchange is rate-limiting Vigil',
  'health.guardian.exchange_degraded': 'Exchange errors: Vigil has a data gap',
  'health.guardian.poll_stalled': 'Vigil has not been able to poll this account',
  'health.key.auth_failing': 'The exchange refuses this API key'
}

const zhCN: Catalog = {
  'level.info': '信息',
  'level.low': '低',
  'level.medium': '中',
  'level.high': '高',
  'level.critical': '严重',
  'notify.killSwitch': '紧急熔断',
  'notify.killSwitchNow': '立即紧急熔断',
  'notify.thisIsMe': '这是我本人',
  'notify.countdown': '如果你不回应，{seconds} 秒后将执行紧急熔断。',
  'notify.actAtOnce': '{title}。按照你对{level}级告警的策略，Vigil 已立即执行紧急熔断。',
  'notify.countdownZero': '{title}。Vigil 已立即执行紧急熔断（倒计时设置为 0）。',
  'notify.expiredFired':
    '{seconds} 秒内无人回应，按照你对{level}级告警的策略，Vigil 已执行紧急熔断。',
  'notify.notFiredTitle': 'Vigil 未执行紧急熔断',
  'notify.notFiredBody': '{seconds} 秒内无人回应。你的策略设置为仅通知，事件仍保持未处理状态。',
  'notify.pressed': '你在通知上按下了紧急熔断。',
  'notify.firedTitle': 'Vigil 已执行紧急熔断',
  'notify.failedTitle': 'Vigil 紧急熔断失败',
  'notify.failedBody': '{why}\n未能完成：{error}。请打开 Vigil 手动处理。',
  'ks.line': '{account}：{state}（{orders}；{key}）',
  'ks.contained': '已遏制',
  'ks.notContained': '未遏制',
  'ks.ordersNoneLeft': '已撤销 {cancelled} 笔订单，无剩余',
  'ks.ordersOpen': '仍有 {remaining} 笔订单未撤销',
  'ks.revokeByHand': '请手动吊销密钥',
  'ks.key': '密钥{key}',
  'ks.key.revoked': '已吊销',
  'ks.key.disabled': '已停用',
  'ks.key.unchanged': '未变更',
  'tray.watching.one': '正在监控 {count} 个账户',
  'tray.watching.other': '正在监控 {count} 个账户',
  'tray.none': '还没有账户：请添加 API 密钥',
  'tray.learning': '正在读取历史记录并学习正常行为',
  'tray.contained': '已遏制：{labels}',
  'tray.open.one': '{count} 个未处理事件',
  'tray.open.other': '{count} 个未处理事件',
  'tray.paused': '监控已暂停，直到 {time}',
  'channel.testTitle': 'Vigil 测试消息',
  'channel.testBody': '如果您看到这条消息，说明交易所账户出现情况时 Vigil 可以通过这里联系到您。',
  'health.guardian.rate_limited': '交易所正在对 Vigil 限流',
  'health.guardian.exchange_degraded': '交易所出错：Vigil 存在数据缺口',
  'health.guardian.poll_stalled': 'Vigil 无法轮询此账户',
  'health.key.auth_failing': '交易所拒绝了此 API 密钥'
}

const zhTW: Catalog = {
  'level.info': '資訊',
  'level.low': '低',
  'level.medium': '中',
  'level.high': '高',
  'level.critical': '嚴重',
  'notify.killSwitch': '緊急熔斷',
  'notify.killSwitchNow': '立即緊急熔斷',
  'notify.thisIsMe': '這是我本人',
  'notify.countdown': '如果你沒有回應，{seconds} 秒後將執行緊急熔斷。',
  'notify.actAtOnce': '{title}。依照你對{level}等級警示的設定，Vigil 已立即執行緊急熔斷。',
  'notify.countdownZero': '{title}。Vigil 已立即執行緊急熔斷（倒數設為 0）。',
  'notify.expiredFired':
    '{seconds} 秒內沒有人回應，依照你對{level}等級警示的設定，Vigil 已執行緊急熔斷。',
  'notify.notFiredTitle': 'Vigil 沒有執行緊急熔斷',
  'notify.notFiredBody': '{seconds} 秒內沒有人回應。你的設定為僅通知，事件仍維持未處理。',
  'notify.pressed': '你在通知上按下了緊急熔斷。',
  'notify.firedTitle': 'Vigil 已執行緊急熔斷',
  'notify.failedTitle': 'Vigil 緊急熔斷失敗',
  'notify.failedBody': '{why}\n沒有完成：{error}。請開啟 Vigil 手動處理。',
  'ks.line': '{account}：{state}（{orders}；{key}）',
  'ks.contained': '已圍堵',
  'ks.notContained': '未圍堵',
  'ks.ordersNoneLeft': '已取消 {cancelled} 筆訂單，無剩餘',
  'ks.ordersOpen': '仍有 {remaining} 筆訂單未取消',
  'ks.revokeByHand': '請手動撤銷金鑰',
  'ks.key': '金鑰{key}',
  'ks.key.revoked': '已撤銷',
  'ks.key.disabled': '已停用',
  'ks.key.unchanged': '未變更',
  'tray.watching.one': '正在監控 {count} 個帳戶',
  'tray.watching.other': '正在監控 {count} 個帳戶',
  'tray.none': '還沒有帳戶：請新增 API 金鑰',
  'tray.learning': '正在讀取歷史紀錄並學習正常行為',
  'tray.contained': '已圍堵：{labels}',
  'tray.open.one': '{count} 個未處理事件',
  'tray.open.other': '{count} 個未處理事件',
  'tray.paused': '監控已暫停，直到 {time}',
  'channel.testTitle': 'Vigil 測試訊息',
  'channel.testBody': '如果您看到這則訊息，代表交易所帳戶發生狀況時 Vigil 可以透過這裡聯絡到您。',
  'health.guardian.rate_limited': '交易所正在對 Vigil 限流',
  'health.guardian.exchange_degraded': '交易所出錯：Vigil 有資料缺口',
  'health.guardian.poll_stalled': 'Vigil 無法輪詢這個帳戶',
  'health.key.auth_failing': '交易所拒絕了這把 API 金鑰'
}

const CATALOGS: Record<CoreLanguage, Catalog> = { en, 'zh-CN': zhCN, 'zh-TW': zhTW }

/** One core sentence in a language, `{name}` filled from vars (English when a key is missing). */
export function coreText(language: CoreLanguage, key: keyof typeof en, vars: Vars = {}): string {
  const template = CATALOGS[language][key] ?? en[key] ?? key
  return template.replace(/\{(\w+)\}/g, (m, name: string) =>
    name in vars ? String(vars[name]) : m
  )
}

/** The level word for notification titles ("High", "高"). */
export const levelText = (language: CoreLanguage, level: Level): string =>
  coreText(language, `level.${level}`)

/** `one` / `other` plural key for English; Chinese has one form. */
export const plural = (count: number): 'one' | 'other' => (count === 1 ? 'one' : 'other')
