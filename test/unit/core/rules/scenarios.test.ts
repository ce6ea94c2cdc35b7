/**
 * The shared scenarios (shared/scenarios/*.json), replayed at the engine level: a generated
 * history shaped like the scenario's `history` (what a connector would backfill), retro-scanned,
 * then the live timeline as events. This is where the false-alert budget is tested: quiet-month
 * must stay at ≤ 1 finding per account-month at level ≥ low, and the attack timelines must be
 * caught by the rules the catalogue says.
 */
import { describe, expect, it } from 'vitest'

import { openDatabase } from '../../../../main/core/db/open'
import { EventStore } from '../../../../main/core/db/repos/events'
import { createEnricher } from '../../../../main/core/enrich'
import { levelRank, type NewEvent, type StoredEvent } from '../../../../main/core/model'
import { createRuleEngine } from '../../../../main/core/rules/engine'
import type { Finding } from '../../../../main/core/rules/types'

const MIN = 60_000
const HOUR = 60 * MIN
const DAY = 24 * HOUR
const T0 = Date.UTC(2026, 10, 2, 13, 0, 0)
const PRICES: Record<string, number> = {
  BTC: 60_000,
  ETH: 3_000,
  LTC: 80,
  VIA: 0.00025 * 60_000,
  DMG: 0.05
}

const enricher = createEnricher()

function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

interface HistorySpec {
  days: number
  logins?: {
    perDay: number
    homes: { ip: string; country: string }[]
    userAgents: string[]
    hours: [number, number]
    failRate: number
  }
  trading?: {
    symbols: string[]
    ordersPerDay: number
    notionalUsd: [number, number]
    marketShare: number
    hours: [number, number]
    leverage?: number
  }
  withdrawals?: { perMonth: number; addresses: string[]; amountUsd: [number, number] }
}

interface AccountSpec {
  id: string
  key: { permissions: string[]; ipWhitelist: string[]; ageDays: number }
  history: HistorySpec
}

let seq = 0
const rid = (p: string) => `${p}${++seq}`

const quoteUsd = (symbol: string) => {
  const quote = symbol.split('/')[1]!.split(':')[0]!
  return quote.startsWith('USD') ? 1 : (PRICES[quote] ?? 1)
}

/** What the connectors would backfill for an account shaped like the scenario's history. */
function generateHistory(account: AccountSpec, seed: number): NewEvent[] {
  const rand = prng(seed)
  const out: NewEvent[] = []
  const base = { accountId: account.id }
  const h = account.history
  const at = (day: number, [h0, h1]: [number, number]) =>
    T0 - day * DAY + Math.floor((h0 + rand() * (h1 - h0 + 1)) * HOUR) - (T0 % DAY) + 0
  out.push({
    ...base,
    kind: 'key',
    type: 'key.seen',
    exchangeRecordId: 'self#seen',
    ts: T0 - account.key.ageDays * DAY,
    data: {
      keyId: 'self',
      permissions: account.key.permissions,
      ipWhitelist: account.key.ipWhitelist,
      enabled: true,
      self: true,
      createdAt: T0 - account.key.ageDays * DAY
    }
  })
  for (let day = h.days; day >= 1; day--) {
    if (h.logins) {
      const l = h.logins
      for (let i = 0; i < l.perDay; i++) {
        const home = l.homes[Math.floor(rand() * l.homes.length)]!
        const success = rand() >= l.failRate
        out.push({
          ...base,
          kind: 'login',
          type: success ? 'login.success' : 'login.failure',
          exchangeRecordId: rid('log'),
          ts: at(day, l.hours),
          data: {
            ip: home.ip,
            country: home.country,
            success,
            userAgent: l.userAgents[Math.floor(rand() * l.userAgents.length)]
          }
        })
      }
    }
    if (h.trading) {
      const t = h.trading
      const n = Math.round(t.ordersPerDay * (0.7 + rand() * 0.6))
      for (let i = 0; i < n; i++) {
        const symbol = t.symbols[Math.floor(rand() * t.symbols.length)]!
        const market = rand() < t.marketShare
        const side = rand() < 0.5 ? 'buy' : 'sell'
        const notional = t.notionalUsd[0] + rand() * (t.notionalUsd[1] - t.notionalUsd[0])
        const basePrice = PRICES[symbol.split('/')[0]!]! / quoteUsd(symbol)
        const price = basePrice * (1 + (rand() - 0.5) * 0.002)
        const ts = at(day, t.hours)
        const orderId = rid('o')
        out.push({
          ...base,
          kind: 'order',
          type: 'order.new',
          exchangeRecordId: orderId,
          ts,
          data: {
            orderId,
            symbol,
            side,
            type: market ? 'market' : 'limit',
            status: market ? 'closed' : 'open',
            amount: notional / (price * quoteUsd(symbol)),
            price,
            notionalUsd: notional,
            origin: 'api',
            leverage: t.leverage ?? null
          }
        })
        if (market || rand() < 0.5) {
          out.push({
            ...base,
            kind: 'fill',
            type: 'fill.new',
            exchangeRecordId: rid('f'),
            ts: ts + (market ? 200 : Math.floor(rand() * HOUR)),
            data: {
              tradeId: rid('t'),
              orderId,
              symbol,
              side,
              amount: notional / (price * quoteUsd(symbol)),
              price,
              notionalUsd: notional,
              marketPrice: price * (1 + (rand() - 0.5) * 0.001)
            }
          })
        }
      }
    }
    if (h.withdrawals && rand() < h.withdrawals.perMonth / 30) {
      const w = h.withdrawals
      const amountUsd = w.amountUsd[0] + rand() * (w.amountUsd[1] - w.amountUsd[0])
      out.push({
        ...base,
        kind: 'withdrawal',
        type: 'withdrawal.new',
        exchangeRecordId: rid('w'),
        ts: at(day, [9, 20]),
        data: {
          withdrawalId: rid('wd'),
          currency: 'BTC',
          amount: amountUsd / PRICES.BTC!,
          address: w.addresses[0],
          amountUsd,
          status: 'ok'
        }
      })
    }
  }
  return out
}

interface Run {
  history: Finding[]
  live: (Finding & { at: number })[]
  perEventMs: number
}

/** Backfill + retro-scan, then the live timeline one poll at a time. */
function run(
  accounts: AccountSpec[],
  timeline: { at: number; account: string; events: (ts: number) => NewEvent[] }[],
  seed: number
): Run {
  seq = 0
  const db = openDatabase(':memory:')
  for (const a of accounts) {
    db.prepare(
      "INSERT INTO accounts (id, exchange, label, key_hint, created_at) VALUES (?, 'deribit', ?, 'abcd', 0)"
    ).run(a.id, a.id)
  }
  const engine = createRuleEngine({
    db,
    rulesDir: 'resources/rules',
    enricher,
    onError: (ruleId, _e, error) => {
      throw new Error(`${ruleId}: ${error.message}`)
    }
  })
  const store = new EventStore(db)
  const history: Finding[] = []
  const started = performance.now()
  let evaluated = 0
  for (const [i, account] of accounts.entries()) {
    const events = generateHistory(account, seed + i).map((e) =>
      e.kind === 'login' ? { ...e, data: enricher.enrichLogin(e.data as never) } : e
    )
    const stored = store.ingest(events, T0, 'backfill').sort((a, b) => a.ts - b.ts || a.id - b.id)
    for (const e of stored) history.push(...engine.evaluate(e, { scope: 'history' }))
    evaluated += stored.length
  }
  const perEventMs = (performance.now() - started) / Math.max(1, evaluated)
  const live: Run['live'] = []
  for (const step of timeline) {
    const stored: StoredEvent[] = store.ingest(
      step.events(T0 + step.at * 1000),
      T0 + step.at * 1000,
      'live'
    )
    for (const e of stored)
      live.push(...engine.evaluate(e, { scope: 'live' }).map((f) => ({ ...f, at: step.at })))
  }
  return { history, live, perEventMs }
}

const login =
  (account: string, ip: string, userAgent: string, success = true) =>
  (ts: number): NewEvent[] => [
    {
      accountId: account,
      kind: 'login',
      type: success ? 'login.success' : 'login.failure',
      exchangeRecordId: rid('live'),
      ts,
      data: enricher.enrichLogin({ ip, success, userAgent })
    }
  ]

const order =
  (
    account: string,
    symbol: string,
    side: 'buy' | 'sell',
    type: string,
    amount: number,
    price?: number,
    marketPrice?: number
  ) =>
  (ts: number): NewEvent[] => {
    const p = price ?? PRICES[symbol.split('/')[0]!]! / quoteUsd(symbol)
    const orderId = rid('lo')
    const events: NewEvent[] = [
      {
        accountId: account,
        kind: 'order',
        type: 'order.new',
        exchangeRecordId: orderId,
        ts,
        data: {
          orderId,
          symbol,
          side,
          type,
          status: 'open',
          amount,
          price: p,
          notionalUsd: amount * p * quoteUsd(symbol),
          origin: 'api'
        }
      }
    ]
    if (type === 'market' || marketPrice !== undefined) {
      events.push({
        accountId: account,
        kind: 'fill',
        type: 'fill.new',
        exchangeRecordId: rid('lf'),
        ts: ts + 300,
        data: {
          tradeId: rid('lt'),
          orderId,
          symbol,
          side,
          amount,
          price: p,
          notionalUsd: amount * p * quoteUsd(symbol),
          marketPrice: marketPrice ?? p
        }
      })
    }
    return events
  }

const withdrawal =
  (account: string, currency: string, amount: number, address: string) =>
  (ts: number): NewEvent[] => [
    {
      accountId: account,
      kind: 'withdrawal',
      type: 'withdrawal.new',
      exchangeRecordId: rid('lw'),
      ts,
      data: {
        withdrawalId: rid('lwd'),
        currency,
        amount,
        address,
        amountUsd: amount * (PRICES[currency] ?? 1),
        status: 'pending'
      }
    }
  ]

const atLeastLow = (f: Finding) => levelRank(f.level) >= levelRank('low')
const rules = (fs: Finding[]) => [...new Set(fs.map((f) => f.ruleId))].sort()

describe('quiet-month: two ordinary accounts for 90 days stay quiet', () => {
  const safari = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Safari/17.5'
  const accounts: AccountSpec[] = [
    {
      id: 'drb',
      key: { permissions: ['read', 'futures'], ipWhitelist: ['84.17.32.10'], ageDays: 30 },
      history: {
        days: 90,
        logins: {
          perDay: 3,
          homes: [
            { ip: '84.17.32.10', country: 'DE' },
            { ip: '91.64.12.5', country: 'DE' }
          ],
          userAgents: [safari],
          hours: [6, 23],
          failRate: 0.03
        },
        trading: {
          symbols: ['BTC/USD:BTC'],
          ordersPerDay: 12,
          notionalUsd: [1000, 8000],
          marketShare: 0.3,
          hours: [7, 23],
          leverage: 4
        }
      }
    },
    {
      id: 'bn',
      key: { permissions: ['read', 'spot'], ipWhitelist: ['84.17.32.10'], ageDays: 30 },
      history: {
        days: 90,
        trading: {
          symbols: ['BTC/USDT', 'ETH/USDT'],
          ordersPerDay: 25,
          notionalUsd: [100, 4000],
          marketShare: 0.25,
          hours: [7, 23]
        }
      }
    }
  ]
  const timeline = [
    { at: 2, account: 'drb', events: login('drb', '91.64.12.5', safari) },
    { at: 4, account: 'bn', events: order('bn', 'BTC/USDT', 'buy', 'limit', 0.02, 60_000) }
  ]

  it.each([5, 6, 7])('seed %i: ≤ 1 finding per account-month at level ≥ low', (seed) => {
    const result = run(accounts, timeline, seed)
    const accountMonths = (2 * 90) / 30
    const history = result.history.filter(atLeastLow)
    const live = result.live.filter(atLeastLow)
    const report = [...history, ...live].map((f) => `${f.accountId} ${f.ruleId}: ${f.explanation}`)
    if (process.env.VIGIL_VERBOSE_TESTS)
      process.stderr.write(`seed ${seed}:\n${report.join('\n')}\n`)
    expect(history.length + live.length, report.join('\n')).toBeLessThanOrEqual(accountMonths)
    expect(live, report.join('\n')).toEqual([])
    // Incremental evaluation: the retro-scan of ~6,000 events stays fast per event.
    expect(result.perEventMs).toBeLessThan(5)
  })
})

describe('takeover-deribit', () => {
  const firefox = 'Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0'
  const py = 'python-requests/2.31'
  const accounts: AccountSpec[] = [
    {
      id: 'drb',
      key: {
        permissions: ['read', 'futures', 'withdraw'],
        ipWhitelist: ['84.17.32.10'],
        ageDays: 60
      },
      history: {
        days: 60,
        logins: {
          perDay: 2,
          homes: [{ ip: '84.17.32.10', country: 'DE' }],
          userAgents: [firefox],
          hours: [7, 23],
          failRate: 0.02
        },
        trading: {
          symbols: ['BTC/USD:BTC'],
          ordersPerDay: 10,
          notionalUsd: [1000, 20000],
          marketShare: 0.3,
          hours: [8, 22],
          leverage: 5
        },
        withdrawals: {
          perMonth: 1,
          addresses: ['bc1qhomewallet00000000000000000000000000'],
          amountUsd: [1000, 5000]
        }
      }
    }
  ]
  const attacker = 'bc1qattacker0000000000000000000000000000'
  const timeline = [
    { at: 2, account: 'drb', events: login('drb', '45.155.205.17', py, false) },
    { at: 2, account: 'drb', events: login('drb', '193.32.162.8', py, false) },
    { at: 3, account: 'drb', events: login('drb', '103.152.220.4', py, false) },
    { at: 3, account: 'drb', events: login('drb', '185.220.101.4', py, false) },
    {
      at: 4,
      account: 'drb',
      events: login('drb', '185.220.101.4', 'Mozilla/5.0 (Windows NT 10.0) Chrome/120.0')
    },
    {
      at: 6,
      account: 'drb',
      events: (ts: number): NewEvent[] => [
        {
          accountId: 'drb',
          kind: 'security',
          type: 'security.twofa_disabled',
          exchangeRecordId: 'tfa',
          ts,
          data: { ip: '185.220.101.4' }
        }
      ]
    },
    {
      at: 7,
      account: 'drb',
      events: (ts: number): NewEvent[] => [
        {
          accountId: 'drb',
          kind: 'key',
          type: 'key.created',
          exchangeRecordId: 'k-attacker',
          ts,
          data: {
            keyId: 'k-attacker',
            permissions: ['read', 'futures', 'withdraw'],
            ipWhitelist: [],
            enabled: true,
            self: false,
            createdAt: ts
          }
        }
      ]
    },
    {
      at: 9,
      account: 'drb',
      events: (ts: number): NewEvent[] => [
        {
          accountId: 'drb',
          kind: 'address',
          type: 'address.added',
          exchangeRecordId: 'addr',
          ts,
          data: { currency: 'BTC', address: attacker }
        }
      ]
    },
    { at: 10, account: 'drb', events: withdrawal('drb', 'BTC', 2.4, attacker) }
  ]

  it('is caught by the takeover rules, with critical findings before the withdrawal', () => {
    const result = run(accounts, timeline, 3)
    if (process.env.VIGIL_VERBOSE_TESTS) {
      process.stderr.write(
        result.live.map((f) => `t+${f.at} [${f.level}] ${f.ruleId}: ${f.explanation}`).join('\n') +
          '\n'
      )
    }
    expect(rules(result.live)).toEqual(
      expect.arrayContaining([
        'funds.address_book_changed',
        'funds.large_withdrawal',
        'funds.withdrawal_new_address',
        'key.new_key',
        'key.posture.no_ip_whitelist',
        'key.posture.withdraw_enabled',
        'login.anonymous_network',
        'login.countries_burst',
        'login.failures_then_success',
        'login.new_device',
        'security.2fa_disabled'
      ])
    )
    const firstCritical = result.live.find((f) => f.level === 'critical')
    expect(firstCritical?.at).toBeLessThanOrEqual(4)
    // History: the guardian key's withdraw permission is a standing posture finding, not an alert.
    const historyAlerts = result.history.filter(
      (f) => atLeastLow(f) && !f.ruleId.startsWith('key.posture.')
    )
    expect(historyAlerts.map((f) => `${f.ruleId}: ${f.explanation}`)).toEqual([])
  })
})

describe('via-burst-binance', () => {
  it('flags the never-traded pairs, escalating to critical', () => {
    const accounts: AccountSpec[] = [
      {
        id: 'main',
        key: { permissions: ['read', 'spot'], ipWhitelist: [], ageDays: 200 },
        history: {
          days: 45,
          trading: {
            symbols: ['BTC/USDT', 'ETH/USDT'],
            ordersPerDay: 20,
            notionalUsd: [200, 3000],
            marketShare: 0.2,
            hours: [8, 22]
          }
        }
      }
    ]
    const result = run(
      accounts,
      [
        { at: 2, account: 'main', events: order('main', 'LTC/BTC', 'sell', 'market', 40) },
        { at: 3, account: 'main', events: order('main', 'ETH/USDT', 'sell', 'market', 6) },
        { at: 5, account: 'main', events: order('main', 'VIA/BTC', 'buy', 'market', 4000) },
        { at: 6, account: 'main', events: order('main', 'VIA/BTC', 'buy', 'market', 3500) },
        { at: 8, account: 'main', events: order('main', 'VIA/BTC', 'buy', 'market', 3000) }
      ],
      7
    )
    const newSymbol = result.live.filter((f) => f.ruleId === 'trade.new_symbol')
    expect(newSymbol.map((f) => [f.at, f.level])).toEqual([
      [2, 'high'],
      [5, 'critical']
    ])
    expect(rules(result.live)).toContain('trade.size_outlier')
    expect(
      result.history.filter((f) => atLeastLow(f) && !f.ruleId.startsWith('key.posture.'))
    ).toEqual([])
  })
})

describe('contra-trade-okx', () => {
  it('flags the illiquid pair and the off-market buys', () => {
    const accounts: AccountSpec[] = [
      {
        id: 'okx1',
        key: { permissions: ['read', 'spot'], ipWhitelist: [], ageDays: 120 },
        history: {
          days: 30,
          trading: {
            symbols: ['BTC/USDT', 'ETH/USDT'],
            ordersPerDay: 20,
            notionalUsd: [100, 2000],
            marketShare: 0.1,
            hours: [9, 23]
          }
        }
      }
    ]
    const result = run(
      accounts,
      [0.09, 0.095, 0.1, 0.1, 0.105].map((price, i) => ({
        at: 3 + i,
        account: 'okx1',
        events: order('okx1', 'DMG/USDT', 'buy', 'limit', 20_000, price, 0.05)
      })),
      11
    )
    expect(rules(result.live)).toEqual(
      expect.arrayContaining(['trade.new_symbol', 'trade.off_market_price'])
    )
    expect(result.live.filter((f) => f.ruleId === 'trade.off_market_price')).toHaveLength(1)
    expect(
      result.history.filter((f) => atLeastLow(f) && !f.ruleId.startsWith('key.posture.'))
    ).toEqual([])
  })
})

describe('posture-bybit', () => {
  it('reports the key posture and the burst of small withdrawals to a new address', () => {
    const accounts: AccountSpec[] = [
      {
        id: 'by',
        key: {
          permissions: ['read', 'spot', 'futures', 'withdraw', 'transfer'],
          ipWhitelist: [],
          ageDays: 400
        },
        history: {
          days: 30,
          trading: {
            symbols: ['BTC/USDT:USDT'],
            ordersPerDay: 30,
            notionalUsd: [500, 5000],
            marketShare: 0.3,
            hours: [0, 23],
            leverage: 3
          }
        }
      }
    ]
    const address = 'TXattacker0000000000000000000000000'
    const result = run(
      accounts,
      [60, 70, 80, 90, 95, 99].map((amount, i) => ({
        at: 3 + i,
        account: 'by',
        events: withdrawal('by', 'USDT', amount, address)
      })),
      21
    )
    expect(rules(result.history)).toEqual([
      'key.posture.no_ip_whitelist',
      'key.posture.old_key',
      'key.posture.withdraw_enabled'
    ])
    expect(rules(result.live)).toEqual([
      'funds.small_transfer_burst',
      'funds.withdrawal_burst',
      'funds.withdrawal_new_address'
    ])
    expect(result.live.find((f) => f.ruleId === 'funds.withdrawal_new_address')?.at).toBe(3)
  })
})
