/**
 * Every shipped rule file, and every fixture in test/fixtures/rules/<rule-id>/{positive,negative},
 * run through the real engine on a real SQLite database: events are stored with EventStore.ingest
 * (backfilled history first, then evaluated in ts order as the retro-scan does; live events one
 * by one) and evaluated with engine.evaluate.
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

import { parse } from 'yaml'
import { describe, expect, it } from 'vitest'

import { openDatabase, type Db } from '../../../../main/core/db/open'
import { EventStore } from '../../../../main/core/db/repos/events'
import { createEnricher } from '../../../../main/core/enrich'
import type { NewEvent, StoredEvent } from '../../../../main/core/model'
import { createRuleEngine } from '../../../../main/core/rules/engine'
import { ruleFileName } from '../../../../main/core/rules/load'
import { ruleSchema } from '../../../../main/core/rules/schema'
import type { Finding } from '../../../../main/core/rules/types'
import type { Fixture, FixtureEvent } from '../../../fixtures/rules/build'

const RULES_DIR = resolve('resources/rules')
const FIXTURES_DIR = resolve('test/fixtures/rules')

/** The catalogue in shared/spec/rules.md: every id must ship. */
const CATALOGUE = [
  'login.new_country',
  'login.impossible_travel',
  'login.countries_burst',
  'login.anonymous_network',
  'login.new_device',
  'login.unusual_hour',
  'login.failed_burst',
  'login.failures_then_success',
  'security.2fa_disabled',
  'security.password_or_email_changed',
  'key.new_key',
  'key.permissions_escalated',
  'key.ip_whitelist_removed',
  'key.posture.withdraw_enabled',
  'key.posture.no_ip_whitelist',
  'key.posture.old_key',
  'key.auth_failing',
  'trade.new_symbol',
  'trade.order_rate_spike',
  'trade.order_acceleration',
  'trade.size_outlier',
  'trade.market_order_off_hours',
  'trade.same_side_market_burst',
  'trade.off_market_price',
  'trade.losing_burst',
  'trade.leverage_spike',
  'funds.withdrawal_new_address',
  'funds.withdrawal_burst',
  'funds.small_transfer_burst',
  'funds.large_withdrawal',
  'funds.address_book_changed',
  'funds.equity_drawdown',
  'funds.probe_order',
  'guardian.poll_stalled',
  'guardian.exchange_degraded',
  'guardian.rate_limited'
]

// One enricher for the whole file, as in the app: the ASN table loads once.
const enricher = createEnricher()

interface FixtureRun {
  db: Db
  findings: (Finding & { index: number })[]
  engine: ReturnType<typeof createRuleEngine>
}

/** Stores and evaluates a fixture's events the way the core does; returns every finding. */
function runFixture(fixture: Fixture, rulesDir = RULES_DIR): FixtureRun {
  const db = openDatabase(':memory:')
  const accounts = new Set(fixture.events.map((e) => e.accountId))
  accounts.add('acc1')
  for (const id of accounts) {
    db.prepare(
      "INSERT INTO accounts (id, exchange, label, key_hint, created_at) VALUES (?, 'deribit', ?, 'abcd', 0)"
    ).run(id, id)
  }
  for (const b of fixture.setup?.balances ?? []) {
    db.prepare(
      'INSERT INTO balances (account_id, currency, total, usd_value, updated_at) VALUES (?, ?, ?, ?, 0)'
    ).run('acc1', b.currency, b.total, b.usdValue)
  }
  fixture.setup?.exceptions?.forEach((x, i) => {
    db.prepare(
      'INSERT INTO rule_exceptions (id, rule_id, account_id, field, value, created_at) VALUES (?, ?, ?, ?, ?, 0)'
    ).run(`x${i}`, x.ruleId ?? null, x.accountId ?? null, x.field, x.value)
  })
  const engine = createRuleEngine({
    db,
    rulesDir,
    enricher,
    overrides: fixture.setup?.overrides as never,
    onError: (ruleId, _event, error) => {
      throw new Error(`${ruleId}: ${error.message}`)
    }
  })
  const store = new EventStore(db)
  const indexOf = new Map<number, number>()
  const findings: FixtureRun['findings'] = []
  const strip = ({ origin: _origin, ...event }: FixtureEvent): NewEvent => event
  const evaluate = (stored: StoredEvent[], scope: 'live' | 'history') => {
    for (const event of stored) {
      for (const f of engine.evaluate(event, { scope }))
        findings.push({ ...f, index: indexOf.get(event.id) ?? -1 })
    }
  }
  // Backfill: stored in one go, then the retro-scan in (ts, id) order.
  const backfill = fixture.events
    .map((e, i) => ({ e, i }))
    .filter(({ e }) => e.origin === 'backfill')
  // Backfilled history is observed when the account is added, after its newest record.
  const observedAt = Math.max(0, ...backfill.map(({ e }) => e.ts))
  const stored = store.ingest(
    backfill.map(({ e }) => strip(e)),
    observedAt,
    'backfill'
  )
  stored.forEach((s, k) => indexOf.set(s.id, backfill[k]!.i))
  evaluate(
    [...stored].sort((a, b) => a.ts - b.ts || a.id - b.id),
    'history'
  )
  // Live: one poll per event.
  fixture.events.forEach((e, i) => {
    if (e.origin === 'backfill') return
    const live = store.ingest([strip(e)], e.ts, 'live')
    for (const s of live) indexOf.set(s.id, i)
    evaluate(live, 'live')
  })
  return { db, findings, engine }
}

function loadFixtures(): { rule: string; kind: string; name: string; fixture: Fixture }[] {
  const out: { rule: string; kind: string; name: string; fixture: Fixture }[] = []
  for (const rule of readdirSync(FIXTURES_DIR)) {
    if (rule.endsWith('.ts')) continue
    for (const kind of ['positive', 'negative']) {
      let files: string[]
      try {
        files = readdirSync(join(FIXTURES_DIR, rule, kind)).filter((f) => f.endsWith('.json'))
      } catch {
        continue
      }
      for (const name of files) {
        const fixture = JSON.parse(
          readFileSync(join(FIXTURES_DIR, rule, kind, name), 'utf8')
        ) as Fixture
        out.push({ rule, kind, name, fixture })
      }
    }
  }
  return out
}

const fixtures = loadFixtures()

describe('shipped rule files', () => {
  const files = readdirSync(RULES_DIR).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))

  it.each(files)('%s validates against the schema and is named after its id', (file) => {
    const doc = parse(readFileSync(join(RULES_DIR, file), 'utf8'))
    const result = ruleSchema.safeParse(doc)
    expect(result.success, result.success ? '' : JSON.stringify(result.error.issues)).toBe(true)
    expect(file).toBe(ruleFileName(result.data!.id))
  })

  it('has unique ids, covers the whole catalogue and loads without errors', () => {
    const ids = files.map(
      (f) => (parse(readFileSync(join(RULES_DIR, f), 'utf8')) as { id: string }).id
    )
    expect(new Set(ids).size).toBe(ids.length)
    expect([...ids].sort()).toEqual([...CATALOGUE].sort())
    const engine = createRuleEngine({ db: openDatabase(':memory:'), rulesDir: RULES_DIR })
    expect(engine.loadErrors()).toEqual([])
    expect(
      engine
        .list()
        .map((r) => r.id)
        .sort()
    ).toEqual([...CATALOGUE].sort())
  })

  it.each(CATALOGUE)('%s has positive and negative fixtures', (id) => {
    const mine = fixtures.filter((f) => f.rule === id)
    expect(mine.some((f) => f.kind === 'positive')).toBe(true)
    expect(mine.some((f) => f.kind === 'negative')).toBe(true)
    for (const f of mine) expect(f.fixture.rule).toBe(id)
  })

  it('rejects a malformed file with the file and field path, and keeps the other rules', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-rules-'))
    copyFileSync(join(RULES_DIR, 'login_failed_burst.yaml'), join(dir, 'login_failed_burst.yaml'))
    copyFileSync(
      join(RULES_DIR, 'security_2fa_disabled.yaml'),
      join(dir, 'security_2fa_disabled.yaml')
    )
    const broken = readFileSync(join(RULES_DIR, 'login_new_country.yaml'), 'utf8').replace(
      'level: high',
      'level: severe'
    )
    writeFileSync(join(dir, 'login_new_country.yaml'), broken)
    writeFileSync(
      join(dir, 'wrong_name.yaml'),
      readFileSync(join(RULES_DIR, 'funds_withdrawal_burst.yaml'))
    )
    writeFileSync(join(dir, 'not_yaml.yaml'), 'id: [unclosed')
    const engine = createRuleEngine({ db: openDatabase(':memory:'), rulesDir: dir })
    const errors = engine.loadErrors()
    expect(errors).toHaveLength(3)
    expect(errors.find((e) => e.file === 'login_new_country.yaml')?.message).toMatch(/^level: /)
    expect(errors.find((e) => e.file === 'wrong_name.yaml')?.message).toMatch(
      /funds_withdrawal_burst\.yaml/
    )
    expect(errors.find((e) => e.file === 'not_yaml.yaml')?.message).toMatch(/^YAML/)
    expect(
      engine
        .list()
        .map((r) => r.id)
        .sort()
    ).toEqual(['login.failed_burst', 'security.2fa_disabled'])
  })
})

describe.each(fixtures.map((f) => [`${f.rule} ${f.kind}/${f.name}`, f] as const))(
  'fixture %s',
  (_label, f) => {
    it(f.fixture.description, () => {
      const { findings, engine } = runFixture(f.fixture)
      const mine = findings.filter((x) => x.ruleId === f.rule)
      const e = f.fixture.expect
      for (const finding of findings) {
        // Every finding, of any rule, must be complete and explain itself.
        expect(finding.family).toBe(finding.ruleId.split('.')[0])
        expect(finding.dedupKey.startsWith(`${finding.ruleId}:${finding.accountId}:`)).toBe(true)
        expect(finding.evidence.length).toBeGreaterThan(0)
        expect(finding.explanation).not.toMatch(/[{}]/)
        expect(finding.reasoning).toHaveProperty('params')
      }
      if (e.health) {
        const rule = engine.list().find((r) => r.id === f.rule)
        expect(rule?.kind).toBe('health')
        expect(rule?.params).toMatchObject(e.health)
      }
      if (!e.fires) {
        expect(mine.map((x) => x.explanation)).toEqual([])
        return
      }
      expect(mine.length).toBeGreaterThan(0)
      const first = mine[0]!
      if (e.findings !== undefined) expect(mine).toHaveLength(e.findings)
      if (e.level) expect(first.level).toBe(e.level)
      if (e.levels) expect(mine.map((x) => x.level)).toEqual(e.levels)
      if (e.triggeredBy !== undefined) expect(first.index).toBe(e.triggeredBy)
      if (e.evidence !== undefined) expect(first.evidence).toHaveLength(e.evidence)
      if (e.explanation) expect(first.explanation).toContain(e.explanation)
      expect(first.explanation).not.toContain('(unknown)')
      // The retro-scan must see it too: the same events, all backfilled, evaluated as history.
      if (!e.liveOnly) {
        const asHistory = runFixture({
          ...f.fixture,
          events: f.fixture.events.map((x) => ({ ...x, origin: 'backfill' as const }))
        })
        expect(asHistory.findings.filter((x) => x.ruleId === f.rule).length).toBeGreaterThan(0)
      }
      expect(first.suggestKillSwitch).toBe(
        (parse(readFileSync(join(RULES_DIR, ruleFileName(f.rule)), 'utf8')) as { action: string })
          .action === 'suggest-kill-switch'
      )
    })
  }
)
