/**
 * The engine's building blocks and its contract with the core: conditions and modifiers,
 * overrides (rule-wide and per account), "this is me" exceptions picked up without a restart,
 * health rules never raised by evaluate(), and incremental evaluation on indexed history.
 */
import { describe, expect, it } from 'vitest'

import { openDatabase, type Db } from '../../../../main/core/db/open'
import { EventStore } from '../../../../main/core/db/repos/events'
import type { NewEvent } from '../../../../main/core/model'
import { createRuleEngine, type RuleEngineOptions } from '../../../../main/core/rules/engine'
import { capabilities } from '../../../../main/core/rules/fields'
import { History } from '../../../../main/core/rules/history'
import type { Finding } from '../../../../main/core/rules/types'
import {
  BlockResults,
  compileBlock,
  compileCondition,
  compileFieldTest
} from '../../../../main/core/rules/operators'

const T0 = Date.UTC(2026, 9, 1)
const MIN = 60_000

function setup(options: Partial<RuleEngineOptions> = {}) {
  const db = openDatabase(':memory:')
  for (const id of ['a1', 'a2']) {
    db.prepare(
      "INSERT INTO accounts (id, exchange, label, key_hint, created_at) VALUES (?, 'deribit', ?, 'x', 0)"
    ).run(id, id)
  }
  const engine = createRuleEngine({ db, rulesDir: 'resources/rules', ...options })
  const store = new EventStore(db)
  let n = 0
  const push = (event: Omit<NewEvent, 'exchangeRecordId'>, scope: 'live' | 'history' = 'live') =>
    store
      .ingest(
        [{ ...event, exchangeRecordId: `r${++n}` }],
        event.ts,
        scope === 'live' ? 'live' : 'backfill'
      )
      .flatMap((e) => engine.evaluate(e, { scope }))
  return { db, engine, push }
}

const failure = (
  accountId: string,
  ts: number,
  ip = '45.155.205.17'
): Omit<NewEvent, 'exchangeRecordId'> => ({
  accountId,
  kind: 'login',
  type: 'login.failure',
  ts,
  data: { ip, success: false, country: 'RU' }
})

/** A new BTC/USDT order of account a1 worth `usd` (limit buy unless told otherwise). */
const orderOf = (
  ts: number,
  usd: number,
  o: { type?: string; side?: string } = {}
): Omit<NewEvent, 'exchangeRecordId'> => ({
  accountId: 'a1',
  kind: 'order',
  type: 'order.new',
  ts,
  data: {
    orderId: `o${ts}`,
    symbol: 'BTC/USDT',
    side: o.side ?? 'buy',
    type: o.type ?? 'limit',
    status: 'open',
    amount: usd / 50_000,
    price: 50_000
  } as NewEvent['data']
})

const read =
  (fields: Record<string, unknown>) =>
  (path: string): unknown =>
    fields[path]

describe('field modifiers', () => {
  it.each([
    ['data.ip', '1.2.3.4', { 'data.ip': '1.2.3.4' }, true],
    ['data.ip', ['5.6.7.8', '1.2.3.4'], { 'data.ip': '1.2.3.4' }, true],
    ['data.permissions', 'withdraw', { 'data.permissions': ['read', 'withdraw'] }, true],
    ['data.ua|contains', 'python', { 'data.ua': 'python-requests/2.31' }, true],
    ['data.ua|startswith', 'Mozilla', { 'data.ua': 'python-requests/2.31' }, false],
    ['data.ua|endswith', '2.31', { 'data.ua': 'python-requests/2.31' }, true],
    ['data.ua|re', '^python-\\w+/', { 'data.ua': 'python-requests/2.31' }, true],
    ['data.amount|gt', 5, { 'data.amount': 6 }, true],
    ['data.amount|gte', 5, { 'data.amount': 5 }, true],
    ['data.amount|lt', 5, { 'data.amount': null }, false],
    ['data.amount|lte', 5, { 'data.amount': '4.5' }, true],
    ['data.country|exists', true, { 'data.country': null }, false],
    ['data.country|exists', false, {}, true],
    ['data.ipWhitelist|empty', true, { 'data.ipWhitelist': [] }, true],
    ['data.permissions|all', ['read', 'trade'], { 'data.permissions': ['read'] }, false],
    ['data.ip|cidr', '185.220.100.0/22', { 'data.ip': '185.220.101.4' }, true],
    ['data.ip|cidr', '10.0.0.0/8', { 'data.ip': '185.220.101.4' }, false],
    ['data.enabled', false, { 'data.enabled': false }, true],
    ['data.leverage', 20, { 'data.leverage': '20' }, true]
  ])('%s: %j against %j → %s', (key, expected, fields, result) => {
    expect(compileFieldTest(key, expected)(read(fields))).toBe(result)
  })

  it('treats a map as AND and a list of maps as OR', () => {
    const and = compileBlock({ type: 'login.failure', 'data.country': 'RU' })
    const or = compileBlock([{ type: 'login.failure' }, { 'data.country': 'RU' }])
    const ev = read({ type: 'login.success', 'data.country': 'RU' })
    expect(and(ev)).toBe(false)
    expect(or(ev)).toBe(true)
  })
})

describe('conditions', () => {
  const names = ['selection', 'selection_a', 'selection_b', 'filter_x', 'filter_y']
  const evalWith = (expr: string, truth: Record<string, boolean>) => {
    const blocks = names.map((n) => () => truth[n] ?? false)
    const reader = () => undefined
    return compileCondition(expr, names)(reader, new BlockResults(reader).use(blocks, 0))
  }

  it('gives not > and > or precedence, as Sigma does', () => {
    expect(evalWith('selection or selection_a and not filter_x', { selection: true })).toBe(true)
    expect(
      evalWith('(selection or selection_a) and not filter_x', { selection: true, filter_x: true })
    ).toBe(false)
    expect(evalWith('not not selection', { selection: true })).toBe(true)
  })

  it('supports 1 of / all of patterns and them', () => {
    expect(evalWith('selection and 1 of selection_*', { selection: true, selection_b: true })).toBe(
      true
    )
    expect(evalWith('all of selection_*', { selection_a: true })).toBe(false)
    expect(evalWith('selection and not 1 of filter_*', { selection: true, filter_y: true })).toBe(
      false
    )
    expect(evalWith('1 of them', { filter_y: true })).toBe(true)
  })

  it.each([
    ['selection and', /ends too early/],
    ['(selection', /missing "\)"/],
    ['selection )', /unexpected/],
    ['selektion', /unknown block/],
    ['1 of nothing_*', /matches no block/],
    ['selection; drop', /unexpected/]
  ])('rejects %s', (expr, message) => {
    expect(() => compileCondition(expr, names)).toThrow(message)
  })
})

describe('permission capabilities', () => {
  it.each([
    [
      ['read', 'spot', 'withdraw'],
      ['read', 'trade', 'withdraw']
    ],
    [
      ['account:read_write', 'trade:read', 'wallet:read_write'],
      ['read', 'withdraw']
    ],
    [
      ['account:read', 'trade:read_write', 'wallet:read'],
      ['read', 'trade']
    ],
    [
      [
        'enableReading',
        'enableSpotAndMarginTrading',
        'enableWithdrawals',
        'enableInternalTransfer'
      ],
      ['read', 'trade', 'withdraw', 'transfer']
    ],
    [
      ['read_only', 'trade'],
      ['read', 'trade']
    ],
    [
      ['SpotTrade', 'AccountTransfer', 'Withdraw'],
      ['trade', 'withdraw', 'transfer']
    ],
    [
      ['order', 'orderCancel'],
      ['read', 'trade']
    ]
  ])('%j → %j', (permissions, caps) => {
    expect(capabilities(permissions)).toEqual(caps)
  })
})

describe('overrides', () => {
  it('applies rule-wide params and levels', () => {
    const { push, engine } = setup({
      overrides: { 'login.failed_burst': { level: 'critical', params: { minFailures: 3 } } }
    })
    expect(engine.loadErrors()).toEqual([])
    expect(engine.list().find((r) => r.id === 'login.failed_burst')).toMatchObject({
      level: 'critical',
      params: { minFailures: 3, windowMinutes: 10 }
    })
    const findings = [0, 1, 2].flatMap((i) => push(failure('a1', T0 + i * MIN)))
    expect(findings.filter((f) => f.ruleId === 'login.failed_burst').map((f) => f.level)).toEqual([
      'critical'
    ])
  })

  it('applies per-account settings to that account only', () => {
    const { push } = setup({
      overrides: { 'login.failed_burst': { accounts: { a2: { enabled: false } } } }
    })
    const fired = (account: string) =>
      [0, 1, 2, 3, 4]
        .flatMap((i) => push(failure(account, T0 + i * MIN)))
        .filter((f) => f.ruleId === 'login.failed_burst').length
    expect(fired('a1')).toBe(1)
    expect(fired('a2')).toBe(0)
  })

  it('reports invalid overrides and keeps the shipped settings', () => {
    const { engine, push } = setup({
      overrides: {
        'login.failed_burst': { params: { minFailures: 'many' } },
        'login.no_such_rule': { enabled: false },
        'login.new_country': { params: { typo: 1 } }
      } as never
    })
    const messages = engine.loadErrors().map((e) => `${e.file}: ${e.message}`)
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^overrides: login.failed_burst: param minFailures must be a number/),
        expect.stringMatching(/^overrides: login.new_country: params.typo: no such param/),
        'overrides: login.no_such_rule: no such rule'
      ])
    )
    const fired = [0, 1, 2, 3, 4].flatMap((i) => push(failure('a1', T0 + i * MIN)))
    expect(fired.filter((f) => f.ruleId === 'login.failed_burst')).toHaveLength(1)
  })

  it('judges an event already judged under the old settings by the new ones', () => {
    // The same stored event object is judged twice; what its view remembered of the first
    // judgement (block results) must not survive the new threshold.
    const { db, engine } = setup()
    const [event] = new EventStore(db).ingest(
      [
        {
          ...orderOf(T0, 1_000),
          exchangeRecordId: 'o1',
          data: { ...orderOf(T0, 1_000).data, price: 51_500, marketPrice: 50_000 }
        } as NewEvent
      ],
      T0,
      'live'
    )
    const offMarket = () =>
      engine
        .evaluate(event!, { scope: 'live' })
        .filter((f) => f.ruleId === 'trade.off_market_price')
    // 3 % away: ordinary at the shipped limit, off-market at 1 %.
    expect(offMarket()).toHaveLength(0)
    engine.setOverrides({ 'trade.off_market_price': { params: { maxDeviation: 0.01 } } })
    expect(offMarket()).toHaveLength(1)
  })

  it('can be replaced at run time', () => {
    const { engine } = setup()
    engine.setOverrides({ 'trade.size_outlier': { enabled: false } })
    expect(engine.list().find((r) => r.id === 'trade.size_outlier')?.enabled).toBe(false)
    engine.setOverrides({})
    expect(engine.list().find((r) => r.id === 'trade.size_outlier')?.enabled).toBe(true)
  })
})

describe('exceptions ("this is me")', () => {
  const addException = (
    db: Db,
    id: string,
    field: string,
    value: string,
    ruleId: string | null = null,
    accountId: string | null = null
  ) =>
    db
      .prepare(
        'INSERT INTO rule_exceptions (id, rule_id, account_id, field, value, created_at) VALUES (?, ?, ?, ?, ?, 0)'
      )
      .run(id, ruleId, accountId, field, value)

  it('is picked up without telling the engine, and removed the same way', () => {
    const { db, push } = setup()
    addException(db, 'x1', 'ip', '45.155.0.0/16', 'login.*')
    const burst = (start: number) =>
      [0, 1, 2, 3, 4]
        .flatMap((i) => push(failure('a1', start + i * MIN)))
        .filter((f) => f.ruleId === 'login.failed_burst')
    expect(burst(T0)).toHaveLength(0)
    db.prepare("DELETE FROM rule_exceptions WHERE id = 'x1'").run()
    expect(burst(T0 + 3_600_000)).toHaveLength(1)
  })

  it('notices an edited value', () => {
    const { db, push } = setup()
    addException(db, 'x1', 'ip', '45.155.205.18', 'login.failed_burst')
    db.prepare("UPDATE rule_exceptions SET value = '45.155.205.17' WHERE id = 'x1'").run()
    const fired = [0, 1, 2, 3, 4].flatMap((i) => push(failure('a1', T0 + i * MIN)))
    expect(fired.filter((f) => f.ruleId === 'login.failed_burst')).toEqual([])
  })

  it('is limited to its account', () => {
    const { db, push } = setup()
    addException(db, 'x1', 'ip', '45.155.205.17', null, 'a2')
    const fired = [0, 1, 2, 3, 4].flatMap((i) => push(failure('a1', T0 + i * MIN)))
    expect(fired.some((f) => f.ruleId === 'login.failed_burst')).toBe(true)
  })
})

describe('repeats of a reported situation', () => {
  const offMarket = (ts: number): Omit<NewEvent, 'exchangeRecordId'> => ({
    accountId: 'a1',
    kind: 'fill',
    type: 'fill.new',
    ts,
    data: {
      tradeId: `t${ts}`,
      symbol: 'DMG/USDT',
      side: 'buy',
      amount: 1,
      price: 0.09,
      marketPrice: 0.05
    }
  })

  it('are dropped by default and returned marked with reportDuplicates', () => {
    const quiet = setup()
    const loud = setup({ reportDuplicates: true })
    const rule = (fs: Finding[]) => fs.filter((f) => f.ruleId === 'trade.off_market_price')
    const a = [0, 1, 2].flatMap((i) => rule(quiet.push(offMarket(T0 + i * 1000))))
    const b = [0, 1, 2].flatMap((i) => rule(loud.push(offMarket(T0 + i * 1000))))
    expect(a).toHaveLength(1)
    expect(b.map((f) => Boolean((f as { duplicate?: boolean }).duplicate))).toEqual([
      false,
      true,
      true
    ])
    expect(new Set(b.map((f) => f.dedupKey)).size).toBe(1)
  })
})

describe('learning state', () => {
  it('reports per rule whether the account has learned enough', () => {
    const { push, engine } = setup()
    const login = (ts: number) =>
      push(
        {
          accountId: 'a1',
          kind: 'login',
          type: 'login.success',
          ts,
          data: { ip: '91.64.12.5', success: true, country: 'DE' }
        },
        'history'
      )
    const state = (at: number) =>
      engine.learning('a1', at).find((s) => s.ruleId === 'login.new_country')
    login(T0)
    expect(state(T0 + MIN)).toMatchObject({ learned: false, samples: 1, minSamples: 5, minDays: 7 })
    for (let d = 1; d <= 8; d++) login(T0 + d * 86_400_000)
    expect(state(T0 + 9 * 86_400_000)).toMatchObject({ learned: true, samples: 9, via: 'samples' })
    const rate = engine.learning('a1', T0).find((s) => s.ruleId === 'trade.order_rate_spike')
    expect(rate).toMatchObject({ learned: false, samples: 0, minSamples: 50 })
    // Rules without a baseline report nothing.
    expect(engine.learning('a1', T0).some((s) => s.ruleId === 'login.failed_burst')).toBe(false)
  })
})

describe('batches', () => {
  const login = (ts: number, id: string): NewEvent => ({
    accountId: 'a1',
    kind: 'login',
    type: 'login.success',
    exchangeRecordId: id,
    ts,
    data: { ip: '91.64.12.5', success: true, country: 'DE' }
  })
  const samples = (engine: ReturnType<typeof setup>['engine'], at: number) =>
    engine.learning('a1', at).find((s) => s.ruleId === 'login.new_country')?.samples

  it('commits the events stored in a batch together with what the rules learned from them', () => {
    const { db, engine } = setup()
    const store = new EventStore(db)
    engine.batch(() => {
      const stored = store.ingest([login(T0, 'l1'), login(T0 + MIN, 'l2')], T0 + MIN, 'live')
      engine.noteStored(stored)
      for (const e of stored) engine.evaluate(e, { scope: 'live' })
    })
    expect(db.prepare('SELECT count(*) FROM events').pluck().get()).toBe(2)
    expect(
      db.prepare("SELECT count FROM seen_values WHERE field LIKE '%#samples'").pluck().get()
    ).toBe(2)
    expect(samples(engine, T0 + 2 * MIN)).toBe(2)
  })

  it('rolls back a batch that throws, and forgets what the rules learned in it', () => {
    const { db, engine } = setup()
    const store = new EventStore(db)
    expect(() =>
      engine.batch(() => {
        const stored = store.ingest([login(T0, 'l1'), login(T0 + MIN, 'l2')], T0 + MIN, 'live')
        engine.noteStored(stored)
        for (const e of stored) engine.evaluate(e, { scope: 'live' })
        throw new Error('the poll failed half-way')
      })
    ).toThrow('the poll failed half-way')
    expect(db.prepare('SELECT count(*) FROM events').pluck().get()).toBe(0)
    expect(db.prepare('SELECT count(*) FROM seen_values').pluck().get()).toBe(0)
    expect(samples(engine, T0 + 2 * MIN)).toBe(0)
    // The same events stored again are judged as new, and learned once.
    engine.batch(() => {
      const stored = store.ingest([login(T0, 'l1'), login(T0 + MIN, 'l2')], T0 + MIN, 'live')
      engine.noteStored(stored)
      for (const e of stored) engine.evaluate(e, { scope: 'live' })
    })
    expect(samples(engine, T0 + 2 * MIN)).toBe(2)
  })
})

describe('health rules', () => {
  it('are listed with their thresholds and never raised by evaluate()', () => {
    const { engine, push } = setup()
    const health = engine
      .list()
      .filter((r) => r.kind === 'health')
      .map((r) => r.id)
    expect(health.sort()).toEqual([
      'guardian.exchange_degraded',
      'guardian.poll_stalled',
      'guardian.rate_limited',
      'key.auth_failing'
    ])
    const findings = [0, 1, 2, 3, 4, 5].flatMap((i) => push(failure('a1', T0 + i * 1000)))
    expect(findings.filter((f) => health.includes(f.ruleId))).toEqual([])
  })
})

describe('incremental evaluation', () => {
  it('reads history through the (account, type, ts) index', () => {
    const { db } = setup()
    const plan = (sql: string) =>
      (
        db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all('a1', 'order.new', 0, 1, 1, 1) as {
          detail: string
        }[]
      )
        .map((r) => r.detail)
        .join(' | ')
    // Counting the last minutes of orders, and finding a window's ids, read the index alone.
    expect(
      plan(
        `SELECT count(*) FROM events WHERE account_id = ? AND type IN (?) AND ts >= ? AND (ts < ? OR (ts = ? AND id <= ?))`
      )
    ).toMatch(/USING COVERING INDEX events_account_type_ts/)
    expect(
      plan(
        `SELECT id, type, ts FROM events WHERE account_id = ? AND type IN (?) AND ts >= ? AND (ts < ? OR (ts = ? AND id <= ?)) ORDER BY ts, id`
      )
    ).toMatch(/USING COVERING INDEX events_account_type_ts/)
    expect(new History(db).accountSince('a1')).toBeNull()
  })

  it('builds daily baselines from the events it judged exactly as from a fresh read of the database', () => {
    // One engine judges 16 days of orders and keeps each day's population as it goes; a second
    // engine, created on the same database just before the last order, reads every day from SQL.
    const DAY = 86_400_000
    const { db, engine, push } = setup()
    const r = (() => {
      let x = 7
      return () => (x = (x * 48271) % 2147483647) / 2147483647
    })()
    const order = (ts: number, usd: number, type: string) =>
      orderOf(ts, usd, { type, side: r() < 0.5 ? 'buy' : 'sell' })
    for (let d = 16; d >= 1; d--)
      for (let i = 0; i < 40; i++) {
        // Busy UTC hours 8–17 only, sizes spread over two orders of magnitude.
        const ts =
          T0 - d * DAY + (8 + Math.floor(r() * 10)) * 3_600_000 + Math.floor(r() * 3_600_000)
        push(order(ts, 200 + Math.floor(r() * 20_000), r() < 0.2 ? 'market' : 'limit'))
      }
    // A market order out of hours and far larger than usual: two baselines (one counting orders by
    // type alone, one reading their sizes) judge it.
    const last = order(T0 + 3 * 3_600_000, 400_000, 'market')
    const store = new EventStore(db)
    const stored = store.ingest([{ ...last, exchangeRecordId: 'last' }], last.ts, 'live')
    const fresh = createRuleEngine({ db, rulesDir: 'resources/rules' })
    const strip = (f: Finding) => ({
      ruleId: f.ruleId,
      reasoning: f.reasoning,
      evidence: f.evidence
    })
    const judged = engine.evaluate(stored[0]!, { scope: 'live' }).map(strip)
    const reread = fresh.evaluate(stored[0]!, { scope: 'live' }).map(strip)
    expect(judged.map((f) => f.ruleId)).toEqual(
      expect.arrayContaining(['trade.size_outlier', 'trade.market_order_off_hours'])
    )
    expect(judged).toEqual(reread)
  })

  it('lets a late event of a finished day into the next daily baseline', () => {
    // Orders of $1,000 for 10 days: the 99th percentile is $1,000, so $20,000 is 20× (limit 10×).
    const DAY = 86_400_000
    const run = (late: boolean) => {
      const { db, push } = setup({
        overrides: { 'trade.size_outlier': { params: { equityShare: null } } }
      })
      const order = (ts: number, usd: number) => orderOf(ts, usd)
      for (let d = 10; d >= 1; d--)
        for (let h = 0; h < 24; h += 2) push(order(T0 - d * DAY + h * 3_600_000, 1_000))
      // The first order of day T0 fixes that day's baseline (days T0-30 … T0-1).
      push(order(T0 + MIN, 1_000))
      if (late) {
        // Stored behind the engine's back, dated yesterday: large orders a slow poll delivered late.
        const store = new EventStore(db)
        store.ingest(
          Array.from({ length: 60 }, (_, i) => ({
            ...order(T0 - DAY + i * MIN, 100_000),
            exchangeRecordId: `late${i}`
          })),
          T0 + 2 * MIN,
          'live'
        )
      }
      return push(order(T0 + DAY + MIN, 20_000)).filter((f) => f.ruleId === 'trade.size_outlier')
    }
    expect(run(false)).toHaveLength(1)
    // With the late orders the percentile is $100,000: $20,000 is ordinary.
    expect(run(true)).toHaveLength(0)
  })

  it('reads no more from SQLite per event with 120 days of history than with 35', () => {
    // Work, not time (timing belongs in the bench): rows SQLite hands back while 200 new orders
    // are judged, counted on the prepared statements themselves.
    const rowsForOneEvent = (days: number) => {
      const { db, engine } = setup()
      const store = new EventStore(db)
      const history: NewEvent[] = []
      for (let i = 0; i < days * 200; i++) {
        const ts = T0 - days * 86_400_000 + i * Math.floor(86_400_000 / 200)
        history.push({
          accountId: 'a1',
          kind: 'order',
          type: 'order.new',
          exchangeRecordId: `h${i}`,
          ts,
          data: {
            orderId: `h${i}`,
            symbol: 'BTC/USDT',
            side: 'buy',
            type: 'limit',
            status: 'open',
            amount: 0.01,
            price: 60_000,
            notionalUsd: 600
          }
        })
      }
      store.ingest(history, T0, 'backfill')
      // Warm the per-day baseline caches, as the retro-scan or the first live event would.
      const warm = store.ingest(
        [{ ...history[0]!, exchangeRecordId: 'warm', ts: T0 + 1000 }],
        T0,
        'live'
      )
      engine.evaluate(warm[0]!, { scope: 'live' })
      const events = store.ingest(
        Array.from({ length: 200 }, (_, i) => ({
          ...history[0]!,
          exchangeRecordId: `l${i}`,
          ts: T0 + 60_000 * (i + 2)
        })),
        T0,
        'live'
      )
      const statement = Object.getPrototypeOf(db.prepare('SELECT 1')) as {
        all: (...args: unknown[]) => unknown[]
        get: (...args: unknown[]) => unknown
      }
      let rows = 0
      const realAll = statement.all
      const realGet = statement.get
      statement.all = function (this: unknown, ...args: unknown[]) {
        const out = realAll.apply(this, args)
        rows += out.length
        return out
      }
      statement.get = function (this: unknown, ...args: unknown[]) {
        const out = realGet.apply(this, args)
        if (out !== undefined) rows += 1
        return out
      }
      try {
        for (const e of events) engine.evaluate(e, { scope: 'live' })
      } finally {
        statement.all = realAll
        statement.get = realGet
      }
      return rows / events.length
    }
    // Both histories are past every rule's learning period, so the same rules do the same work.
    const small = rowsForOneEvent(35)
    const large = rowsForOneEvent(120)
    expect(small).toBeGreaterThan(0)
    // 24,000 stored orders must not make one evaluation read more than 7,000 do.
    expect(large).toBeLessThanOrEqual(small)
  })
})
