/**
 * Chinese rule texts (resources/rules/i18n): every shipped rule is translated into both languages
 * with exactly the English template's placeholders, and the real engine on a real SQLite
 * database renders them into every finding and rule summary.
 */
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

import { describe, expect, it } from 'vitest'

import { openDatabase } from '../../../../main/core/db/open'
import { EventStore } from '../../../../main/core/db/repos/events'
import { createEnricher } from '../../../../main/core/enrich'
import type { NewEvent } from '../../../../main/core/model'
import { createRuleEngine } from '../../../../main/core/rules/engine'
import {
  joinFolded,
  loadRuleTranslations,
  placeholders,
  RULE_LANGUAGES
} from '../../../../main/core/rules/i18n'
import { loadRules } from '../../../../main/core/rules/load'
import type { Finding } from '../../../../main/core/rules/types'
import type { Fixture, FixtureEvent } from '../../../fixtures/rules/build'

const RULES_DIR = resolve('resources/rules')
const FIXTURES_DIR = resolve('test/fixtures/rules')
const { rules } = loadRules(RULES_DIR)
const { translations, errors } = loadRuleTranslations(RULES_DIR)
const enricher = createEnricher()
const CJK = /[\u4e00-\u9fff]/

describe('rule translations', () => {
  it('load without errors', () => {
    expect(errors).toEqual([])
    expect(rules.length).toBeGreaterThan(30)
  })

  for (const language of RULE_LANGUAGES) {
    describe(language, () => {
      it('translates every shipped rule and nothing else', () => {
        const ids = Object.keys(translations[language] ?? {}).sort()
        expect(ids).toEqual(rules.map((r) => r.id).sort())
      })

      for (const rule of rules) {
        it(`${rule.id}: same placeholders as the English template, Chinese text`, () => {
          const t = translations[language]![rule.id]!
          expect(placeholders(t.explanation)).toEqual(placeholders(rule.explanation))
          expect(placeholders(t.title)).toEqual(placeholders(rule.title))
          expect(placeholders(t.description)).toEqual([])
          for (const text of [t.title, t.description, t.explanation]) expect(text).toMatch(CJK)
          expect(t.falsepositives?.length).toBe(rule.falsepositives.length)
        })
      }
    })
  }

  it('Traditional Chinese is its own text, not the Simplified one', () => {
    const same = rules.filter(
      (r) => translations['zh-TW']![r.id]!.explanation === translations['zh-CN']![r.id]!.explanation
    )
    expect(same).toEqual([])
    expect(translations['zh-TW']!['funds.large_withdrawal']!.title).toBe('大額提領')
    expect(translations['zh-CN']!['funds.large_withdrawal']!.title).toBe('大额提现')
  })

  it('joins folded lines between Chinese characters without a space, keeps other spaces', () => {
    expect(joinFolded('超过 {maxCount} 笔即触发，\n这是')).toBe('超过 {maxCount} 笔即触发，\n这是')
    expect(joinFolded('触发， 这是 API 密钥')).toBe('触发，这是 API 密钥')
    expect(translations['zh-CN']!['guardian.poll_stalled']!.description).not.toMatch(/。 /)
  })

  it('reports a broken file and leaves that language out', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-i18n-'))
    mkdirSync(join(dir, 'i18n'))
    writeFileSync(join(dir, 'i18n', 'zh-CN.yaml'), 'login.x:\n  title: 标题\n')
    writeFileSync(join(dir, 'i18n', 'zh-TW.yaml'), 'login.x: [unclosed\n')
    const loaded = loadRuleTranslations(dir)
    expect(loaded.translations).toEqual({})
    expect(loaded.errors.map((e) => e.file)).toEqual(['i18n/zh-CN.yaml', 'i18n/zh-TW.yaml'])
    expect(loaded.errors[0]!.message).toMatch(/login\.x\.description/)
  })

  it('a rules folder without translations loads with none and no error', () => {
    const loaded = loadRuleTranslations(mkdtempSync(join(tmpdir(), 'vigil-i18n-')))
    expect(loaded).toEqual({ translations: {}, errors: [] })
  })
})

/** Runs one fixture through the real engine (backfill retro-scan, then live events). */
function findingsOf(fixture: Fixture): Finding[] {
  const db = openDatabase(':memory:')
  for (const id of new Set(['acc1', ...fixture.events.map((e) => e.accountId)])) {
    db.prepare(
      "INSERT INTO accounts (id, exchange, label, key_hint, created_at) VALUES (?, 'deribit', ?, 'abcd', 0)"
    ).run(id, id)
  }
  for (const b of fixture.setup?.balances ?? []) {
    db.prepare(
      'INSERT INTO balances (account_id, currency, total, usd_value, updated_at) VALUES (?, ?, ?, ?, 0)'
    ).run('acc1', b.currency, b.total, b.usdValue)
  }
  const engine = createRuleEngine({
    db,
    rulesDir: RULES_DIR,
    enricher,
    overrides: fixture.setup?.overrides as never
  })
  const store = new EventStore(db)
  const strip = ({ origin: _origin, ...event }: FixtureEvent): NewEvent => event
  const out: Finding[] = []
  const backfill = fixture.events.filter((e) => e.origin === 'backfill')
  const stored = store.ingest(
    backfill.map(strip),
    Math.max(0, ...backfill.map((e) => e.ts)),
    'backfill'
  )
  for (const e of [...stored].sort((a, b) => a.ts - b.ts || a.id - b.id))
    out.push(...engine.evaluate(e, { scope: 'history' }))
  for (const e of fixture.events.filter((x) => x.origin !== 'backfill'))
    for (const s of store.ingest([strip(e)], e.ts, 'live'))
      out.push(...engine.evaluate(s, { scope: 'live' }))
  db.close()
  return out
}

// Health rules only carry thresholds for the core's own notices: no event ever fires them.
const health = new Set(
  createRuleEngine({ db: openDatabase(':memory:'), rulesDir: RULES_DIR })
    .list()
    .filter((r) => r.kind === 'health')
    .map((r) => r.id)
)
const positives = readdirSync(FIXTURES_DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory() && !health.has(d.name))
  .flatMap((d) => {
    const dir = join(FIXTURES_DIR, d.name, 'positive')
    try {
      return readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .slice(0, 1)
        .map((f) => ({ name: `${d.name}/${f}`, path: join(dir, f) }))
    } catch {
      return []
    }
  })

describe('findings carry Chinese title and explanation (real engine, SQLite :memory:)', () => {
  it('has positive fixtures to run', () => expect(positives.length).toBeGreaterThan(25))

  for (const { name, path } of positives) {
    it(name, () => {
      const fixture = JSON.parse(readFileSync(path, 'utf8')) as Fixture
      const findings = findingsOf(fixture).filter((f) => f.ruleId === fixture.rule)
      expect(findings.length).toBeGreaterThan(0)
      for (const f of findings) {
        for (const language of RULE_LANGUAGES) {
          const t = f.i18n![language]
          expect(t.title).toBe(translations[language]![f.ruleId]!.title)
          expect(t.explanation).toMatch(CJK)
          expect(t.explanation).not.toMatch(/\{[A-Za-z0-9_.:]+\}/)
          // The same values as the English text: every number in it shows up in the Chinese one.
          for (const n of f.explanation.match(/\d[\d,.]*\d|\d/g) ?? [])
            expect(t.explanation, `${language}: ${n}`).toContain(n)
        }
      }
    })
  }

  it('login.new_country reads naturally in both languages', () => {
    const fixture = JSON.parse(
      readFileSync(
        join(FIXTURES_DIR, 'login.new_country/positive/success-from-new-country.json'),
        'utf8'
      )
    ) as Fixture
    const [f] = findingsOf(fixture).filter((x) => x.ruleId === 'login.new_country')
    expect(f!.explanation).toMatch(/^Successful login from RU \(IP [\d.]+\)/)
    expect(f!.i18n!['zh-CN'].explanation).toMatch(
      /^从 RU（IP [\d.]+）登录成功，本账户在过去 90 天内从未从这个国家登录过。此前出现过的国家：DE。$/
    )
    expect(f!.i18n!['zh-TW'].explanation).toMatch(/^從 RU（IP [\d.]+）登入成功，/)
    expect(f!.i18n!['zh-CN'].title).toBe('从本账户未曾出现的国家登录')
  })

  it('rule summaries carry the translated title, description and false positives', () => {
    const engine = createRuleEngine({ db: openDatabase(':memory:'), rulesDir: RULES_DIR })
    const summary = engine.list().find((r) => r.id === 'funds.large_withdrawal')!
    expect(summary.title).toBe('Large withdrawal')
    expect(summary.i18n?.['zh-CN']).toEqual({
      title: '大额提现',
      description: translations['zh-CN']!['funds.large_withdrawal']!.description,
      falsepositives: ['将积蓄转入冷钱包。']
    })
    expect(summary.i18n?.['zh-TW']?.title).toBe('大額提領')
    expect(engine.loadErrors()).toEqual([])
  })
})
