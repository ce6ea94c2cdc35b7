/**
 * Chinese texts of the shipped rules. They live next to the rules in
 * resources/rules/i18n/<language>.yaml, keyed by rule id, so the rule files themselves stay
 * English-only. The engine renders a finding's explanation once per language with the same
 * values as the English one; the English text stays the reference (alerts store it, exports and
 * notifications in English use it).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

import { parse } from 'yaml'
import { z } from 'zod'

import { formatMessage, type Message } from '../../api/messages'
import type { EventView } from './fields'
import { formatIssues } from './load'
import { renderExplanation } from './explain'

/** Languages rule texts are translated into (English is the rule file itself). */
export const RULE_LANGUAGES = ['zh-CN', 'zh-TW'] as const
export type RuleLanguage = (typeof RULE_LANGUAGES)[number]

const text = z.string().trim().min(1)

export const ruleTranslationSchema = z
  .object({
    title: text,
    description: text,
    explanation: text,
    falsepositives: z.array(text).optional()
  })
  .strict()
export type RuleTranslation = z.infer<typeof ruleTranslationSchema>

export const ruleTranslationFileSchema = z.record(z.string().min(1), ruleTranslationSchema)

/** Every translation file, by language; a language whose file is missing or invalid is absent. */
export type RuleTranslations = Partial<Record<RuleLanguage, Record<string, RuleTranslation>>>

/** Finding texts in every rule language. */
export type FindingI18n = Record<RuleLanguage, { title: string; explanation: string }>

export interface RuleSummaryI18n {
  title: string
  description: string
  falsepositives?: string[]
}

const CJK = '\\u2e80-\\u9fff\\uf900-\\ufaff\\uff00-\\uffef'
const FOLDED_SPACE = new RegExp(`([${CJK}])[ \\t]+(?=[${CJK}])`, 'g')

/**
 * YAML folds a line break into a space; between two Chinese characters that space is wrong, so it
 * is dropped. Spaces next to Latin text and placeholders stay.
 */
export const joinFolded = (s: string): string => s.replace(FOLDED_SPACE, '$1')

const normalise = (t: RuleTranslation): RuleTranslation => ({
  title: joinFolded(t.title),
  description: joinFolded(t.description),
  explanation: joinFolded(t.explanation),
  ...(t.falsepositives ? { falsepositives: t.falsepositives.map(joinFolded) } : {})
})

/** The folder of translation files for a rules folder. */
export const ruleI18nDir = (rulesDir: string): string => join(rulesDir, 'i18n')

/**
 * Reads and validates resources/rules/i18n/*.yaml. A broken file is reported and its language is
 * left out: findings then carry only the languages that loaded, and the UI falls back to English.
 */
export function loadRuleTranslations(rulesDir: string): {
  translations: RuleTranslations
  errors: { file: string; message: string }[]
} {
  const translations: RuleTranslations = {}
  const errors: { file: string; message: string }[] = []
  for (const language of RULE_LANGUAGES) {
    const file = `i18n/${language}.yaml`
    let raw: unknown
    try {
      raw = parse(readFileSync(join(ruleI18nDir(rulesDir), `${language}.yaml`), 'utf8'), {
        uniqueKeys: true
      })
    } catch (error) {
      const e = error as NodeJS.ErrnoException
      if (e.code !== 'ENOENT') errors.push({ file, message: `YAML: ${e.message.split('\n')[0]}` })
      continue
    }
    const parsed = ruleTranslationFileSchema.safeParse(raw)
    if (!parsed.success) {
      errors.push({ file, message: formatIssues(parsed.error.issues) })
      continue
    }
    translations[language] = Object.fromEntries(
      Object.entries(parsed.data).map(([id, t]) => [id, normalise(t)])
    )
  }
  return { translations, errors }
}

/** Every `{placeholder}` (with its `:style`) in a template, sorted and unique. */
export function placeholders(template: string): string[] {
  return [
    ...new Set([...template.matchAll(/\{([A-Za-z0-9_.]+(?::[a-z]+)?)\}/g)].map((m) => m[1]!))
  ].sort()
}

// Words the engine fills in from event fields ("market buy order", "failed", "vpn"), in Chinese.
const WORDS: Record<RuleLanguage, Record<string, string>> = {
  'zh-CN': {
    market: '市价',
    limit: '限价',
    stop: '止损',
    buy: '买入',
    sell: '卖出',
    order: '订单',
    fill: '成交',
    withdrawal: '提现',
    transfer: '划转',
    deposit: '充值',
    successful: '成功',
    failed: '失败',
    hosting: '托管/云服务器',
    tor: 'Tor',
    vpn: 'VPN',
    residential: '家庭宽带',
    unknown: '未知',
    read: '读取',
    trade: '交易',
    withdraw: '提现',
    none: '无',
    '(unknown)': '（未知）'
  },
  'zh-TW': {
    market: '市價',
    limit: '限價',
    stop: '停損',
    buy: '買進',
    sell: '賣出',
    order: '訂單',
    fill: '成交',
    withdrawal: '提領',
    transfer: '劃轉',
    deposit: '入金',
    successful: '成功',
    failed: '失敗',
    hosting: '主機代管/雲端',
    tor: 'Tor',
    vpn: 'VPN',
    residential: '家用網路',
    unknown: '未知',
    read: '讀取',
    trade: '交易',
    withdraw: '提領',
    none: '無',
    '(unknown)': '（未知）'
  }
}

/** Placeholders whose value is one of the words above (or a list / phrase of them). */
const WORD_PATHS = new Set([
  'derived.action',
  'derived.outcome',
  'derived.network',
  'data.side',
  'group.data.side',
  'derived.capabilitiesAdded'
])

const translateWords = (language: RuleLanguage, rendered: string, joiner: string): string => {
  const words = WORDS[language]
  const parts = rendered.split(/(, | )/)
  if (!parts.every((p, i) => i % 2 === 1 || p in words)) return rendered
  return parts.map((p, i) => (i % 2 === 1 ? (p === ', ' ? '、' : joiner) : words[p]!)).join('')
}

const isMessage = (value: unknown): value is Message =>
  !!value &&
  typeof value === 'object' &&
  typeof (value as Message).code === 'string' &&
  !Array.isArray(value)

/** Renders a translated template with the same values as the English explanation. */
export function renderTranslated(
  language: RuleLanguage,
  template: string,
  reasoning: Record<string, unknown>,
  params: Record<string, unknown>,
  view: EventView
): string {
  return template.replace(/\{([A-Za-z0-9_.]+)(?::([a-z]+))?\}/g, (match, path: string) => {
    // A clause the rule's code wrote comes with its descriptor next to it (`why` → `whyMsg`).
    const descriptor = reasoning[`${path}Msg`]
    if (isMessage(descriptor)) return formatMessage(language, descriptor)
    const rendered = renderExplanation(match, reasoning, params, view)
    if (rendered === '(unknown)') return WORDS[language]['(unknown)']!
    if (rendered === 'none' && !WORD_PATHS.has(path)) return WORDS[language].none!
    return WORD_PATHS.has(path) ? translateWords(language, rendered, '') : rendered
  })
}

/** The finding's title and explanation in every language the rule is translated into. */
export function findingI18n(
  translations: RuleTranslations,
  ruleId: string,
  reasoning: Record<string, unknown>,
  params: Record<string, unknown>,
  view: EventView
): { i18n?: FindingI18n } {
  const out: Partial<FindingI18n> = {}
  for (const language of RULE_LANGUAGES) {
    const t = translations[language]?.[ruleId]
    if (!t) continue
    out[language] = {
      title: t.title,
      explanation: renderTranslated(language, t.explanation, reasoning, params, view)
    }
  }
  return Object.keys(out).length === RULE_LANGUAGES.length ? { i18n: out as FindingI18n } : {}
}

/** A rule's title, description and false positives in every language it is translated into. */
export function ruleSummaryI18n(
  translations: RuleTranslations,
  ruleId: string
): { i18n?: Partial<Record<RuleLanguage, RuleSummaryI18n>> } {
  const out: Partial<Record<RuleLanguage, RuleSummaryI18n>> = {}
  for (const language of RULE_LANGUAGES) {
    const t = translations[language]?.[ruleId]
    if (!t) continue
    out[language] = {
      title: t.title,
      description: t.description,
      ...(t.falsepositives ? { falsepositives: [...t.falsepositives] } : {})
    }
  }
  return Object.keys(out).length ? { i18n: out } : {}
}
