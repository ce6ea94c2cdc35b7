/**
 * The generic connector: every ccxt exchange without a deep connector, through ccxt's unified API
 * only, as far as `exchange.has` allows. It cannot see logins or API keys (ccxt has no unified call
 * for either), so it watches the side effects of a compromise: orders, trades, withdrawals,
 * deposits, balances and positions. `generic-capabilities.ts` says so on the account screen.
 *
 * Streams and their cursors (encodings in `cursor.ts`; `<scope>` appears when the exchange needs a
 * symbol or a currency for the call, see "Scopes"):
 * - `balances`                  fetchBalance (+ tickers for USD values), snapshot, no cursor
 * - `positions`                 fetchPositions, cursor = JSON map symbol → "side:size:leverage"
 * - `orders`                    fetchOpenOrders per scope; cursor = JSON map scope → open orders,
 *                               so an order that leaves the book is noticed even when the
 *                               exchange's history does not list it
 * - `orders:closed[:<scope>]`   fetchOrders, else fetchClosedOrders + fetchCanceledOrders (ccxt's
 *                               "closed" means filled), window cursor
 * - `fills[:<scope>]`           fetchMyTrades, window cursor on the trade timestamp
 * - `withdrawals[:<CCY>]`,
 *   `deposits[:<CCY>]`          fetchWithdrawals / fetchDeposits (or fetchDepositsWithdrawals as
 *                               `transactions`), window cursor with a long overlap so status
 *                               changes of recent transfers are seen
 * - `activity`                  JSON: symbols traded and currencies held recently (what to ask
 *                               about on exchanges that need a symbol or a currency per call)
 *
 * Scopes. Exchanges differ in what a call without a symbol means: most answer for the whole
 * account; some throw ArgumentsRequired (Binance trades, Bitget, HTX contracts); Deribit answers
 * for one default currency. The connector starts from the reference table (`argumentNeeds`),
 * learns ArgumentsRequired at run time (ccxt throws it before any request), and then loops over
 * the symbols the account plausibly uses: configured symbols, symbols with open orders or recent
 * trades, and markets of currencies held now or recently. Symbols with recent activity, or whose
 * base or quote balance just moved, are read every poll; the rest every `coldEvery` polls, each
 * from its own cursor, so nothing is skipped, only read later.
 *
 * History is paged forward by time; where an exchange answers newest-first (OKX, Deribit's order
 * history) the read walks backward with ccxt's `until`, and says so when it cannot.
 *
 * Record ids start with the exchange's own id. Orders and trades add their market
 * (`<orderId>#BTC/USDT`, `<tradeId>#BTC/USDT`) because several exchanges number them per market
 * (Binance orderId, OKX tradeId), so the id alone could collide; later states add a further
 * suffix (`<orderId>#BTC/USDT#canceled`), as do transfers (`<withdrawalId>#ok`), as in the deep
 * connectors.
 */
import type { Exchange } from 'ccxt'
import { z } from 'zod'

import {
  ExchangeFault,
  type BalanceSnapshot,
  type Capability,
  type Connector,
  type ConnectorAccount,
  type ConnectorDeps,
  type Cursors,
  type KeySnapshot,
  type KillSwitchOptions,
  type PollResult,
  keyNotDisabled,
  type KeysDisabled
} from './connector'
import { decodeSnapshot, decodeWindow, encodeSnapshot, encodeWindow, WindowTracker } from './cursor'
import { classifyError, type ClassifyContext } from './errors'
import {
  parseBitgetAccountInfo,
  parseHtxApiKeys,
  parseHtxUid,
  parseKrakenApiKeyInfo
} from './key-info'
import {
  argumentNeeds,
  capabilitiesFor,
  exchangeFacts,
  hasCall,
  manualRevokeMsg,
  type ExchangeFacts,
  type GenericCall,
  type HasFlags
} from './generic-capabilities'
import {
  depositData,
  fillData,
  orderData,
  parseBalance,
  parseOrder,
  parseOrders,
  parsePositions,
  parseTrades,
  parseTransactions,
  positionData,
  tickerPrice,
  withdrawalData,
  type CcxtOrder,
  type CcxtPosition,
  type CcxtTrade,
  type CcxtTransaction,
  type MarketInfo
} from './generic-parse'
import { withRetry, type Attempted, type RetryOptions } from './retry'
import {
  finishEvents,
  newRun,
  HALTING,
  notReadFault,
  type RunContext as BaseRunContext
} from './stream-run'
import type { KillSwitchAccountResult } from '../../api/contract'
import type { EventKind, NewEvent } from '../model'
import type { Clock, Logger } from '../ports'
import { englishText, msg, type Message } from '../../api/messages'
import { startKillSwitchResult, type FailRecorder, type StepRecorder } from './kill-switch-result'

const DAY_MS = 24 * 60 * 60 * 1000
const MAX_BACKFILL_MS = 90 * DAY_MS
/** Symbols and currencies are remembered this long after their last activity. */
const ACTIVITY_TTL_MS = 30 * DAY_MS
/** Symbols active this recently are read every poll. */
const HOT_MS = DAY_MS
/** Counted as one US dollar each (close enough to value a balance or an order). */
const STABLE_USD: ReadonlySet<string> = new Set([
  'USD',
  'USDT',
  'USDC',
  'USDE',
  'FDUSD',
  'DAI',
  'TUSD',
  'USDP',
  'PYUSD',
  'BUSD',
  'ZUSD'
])
/** Quote currencies a held base is paired with when deriving symbols to ask about. */
const QUOTES: ReadonlySet<string> = new Set([...STABLE_USD, 'BTC', 'ETH', 'EUR'])
/** Streams whose permanent refusal (permission, unsupported) should not degrade the account. */
/** What a stream's records are called in a warning (catalog `records.<name>`). */
type Records =
  | 'balanceLines'
  | 'positions'
  | 'openOrders'
  | 'closedOrders'
  | 'trades'
  | 'withdrawals'
  | 'deposits'
  | 'transactions'

const OPTIONAL_STREAMS = ['positions', 'deposits', 'orders:closed']
/** How long an optional stream that the exchange refused stays off. */
const OPTIONAL_RETRY_MS = 60 * 60_000
/** Consecutive failures of an optional stream before it is rested. */
const OPTIONAL_FAILURES_BEFORE_REST = 3

/** Tuning for the generic connector; every field has a sensible default. */
export interface GenericConnectorOptions {
  /** Symbols always watched (unified, e.g. `BTC/USDT`), on top of the derived ones. */
  symbols?: string[]
  /** Currencies always watched on exchanges that need a currency per call. */
  currencies?: string[]
  /** Records asked per page (`limit`). Default 100. */
  pageSize?: number
  /** Pages per stream in one poll before reporting a gap. Default 10. */
  maxPagesPerPoll?: number
  /** Pages per stream during backfill. Default 200. */
  maxPagesBackfill?: number
  /** How far order and trade streams re-read behind their cursor. Default 10 s. */
  overlapMs?: number
  /** How far withdrawal and deposit streams re-read, to see status changes. Default 24 h. */
  transferOverlapMs?: number
  /** Where a poll starts for a stream that has no cursor yet. Default 5 min. */
  lookbackMs?: number
  /** Most symbols watched on exchanges that need a symbol per call. Default 40. */
  maxSymbols?: number
  /** Symbols without recent activity are read every Nth poll. Default 5; 1 = always. */
  coldEvery?: number
  /** Orders that left the book are looked up one by one at most this many per poll. Default 10. */
  maxOrderLookups?: number
  /** Orders per cancelOrders batch. Default 20. */
  batchSize?: number
  /** Kill-switch retries. Default 3 attempts, 250 ms doubling. */
  retry?: RetryOptions
  /** How long a USD price is reused. Default 60 s. */
  priceTtlMs?: number
  /** Minimum time between market reloads when an unknown symbol shows up. Default 10 min. */
  marketsReloadMs?: number
  /**
   * Where the exchange has a key endpoint Vigil reads (Kraken, Bitget, HTX; see
   * `generic-capabilities.ts`), keys are read at backfill and every Nth poll. Default 10.
   */
  keysEvery?: number
}

/** `ConnectorDeps` plus optional tuning. */
export interface GenericConnectorDeps extends ConnectorDeps {
  options?: GenericConnectorOptions
}

/** The generic connector, with the dead-man timer on exchanges that have one. */
export interface GenericConnector extends Connector {
  /**
   * Arms (timeoutMs > 0) or disarms (0) the exchange's own cancel-all timer through
   * `cancelAllOrdersAfter`; call it again before the timeout as a heartbeat. Never throws.
   */
  deadMan(timeoutMs: number): Promise<{ armed: boolean; detail: Message }>
}

type Scope = { key: string; symbol?: string; params?: Record<string, unknown> }
const ALL: Scope = { key: '*' }
const streamName = (base: string, scope: Scope): string =>
  scope.key === '*' ? base : `${base}:${scope.key}`

/** What the cursor keeps of an open order: enough to report it once it leaves the book. */
const compactSchema = z.object({
  s: z.string(),
  d: z.enum(['buy', 'sell']),
  t: z.string(),
  st: z.string(),
  a: z.number().nullable(),
  p: z.number().nullable(),
  f: z.number().nullable(),
  ts: z.number(),
  v: z.string(),
  /** Failed look-ups after it left the book. */
  m: z.number().optional()
})
type Compact = z.output<typeof compactSchema>
const openStateSchema = z.record(z.string(), z.record(z.string(), compactSchema))
type OpenState = z.output<typeof openStateSchema>
const isOpenState = (v: unknown): v is OpenState => openStateSchema.safeParse(v).success

const activitySchema = z.object({
  s: z.record(z.string(), z.number()),
  c: z.record(z.string(), z.number())
})
type Activity = z.output<typeof activitySchema>

const isStringMap = (v: unknown): v is Record<string, string> =>
  !!v &&
  typeof v === 'object' &&
  !Array.isArray(v) &&
  Object.values(v as object).every((x) => typeof x === 'string')

interface RunContext extends BaseRunContext {
  /** Streams that failed during a backfill get this start cursor, so no history is skipped. */
  failed: string[]
  includeCold: boolean
}

/** A version of an order that tells "something changed" apart from "nothing changed". */
const versionOf = (o: CcxtOrder): string =>
  `${o.status ?? 'open'}|${o.filled ?? ''}|${o.amount ?? ''}|${o.price ?? ''}`

const compact = (o: CcxtOrder, now: number): Compact => ({
  s: o.symbol,
  d: o.side,
  t: o.type ?? 'unknown',
  st: o.status ?? 'open',
  a: o.amount ?? null,
  p: o.price ?? null,
  f: o.filled ?? null,
  ts: o.timestamp ?? now,
  v: versionOf(o)
})

/**
 * An order's key and record id: the exchange's id plus the symbol, because some exchanges number
 * orders and trades per market (Binance orderId, OKX tradeId), so ids alone can collide.
 */
const ref = (o: { id: string; symbol: string }): string => `${o.id}#${o.symbol}`
/** The exchange's id back from a `ref`. */
const idOf = (key: string, c: Compact): string =>
  key.endsWith(`#${c.s}`) ? key.slice(0, key.length - c.s.length - 1) : key

const fromCompact = (key: string, c: Compact): CcxtOrder => ({
  id: idOf(key, c),
  symbol: c.s,
  side: c.d,
  type: c.t,
  status: c.st,
  amount: c.a,
  price: c.p,
  filled: c.f,
  timestamp: c.ts
})

/** ccxt error class name anywhere on the prototype chain (see errors.ts for why not instanceof). */
const isCcxtError = (error: unknown, name: string): boolean => {
  for (let p = error; p && typeof p === 'object'; p = Object.getPrototypeOf(p)) {
    const own = (p as { name?: unknown }).name
    const ctor = (p as { constructor?: { name?: string } }).constructor?.name
    if (own === name || ctor === name) return true
    if (p === Error.prototype) break
  }
  return false
}

/**
 * Creates the connector for one account on any ccxt exchange. `exchange` is a configured ccxt
 * instance (see `createCcxtFactory`).
 */
export const createGenericConnector = (
  exchange: Exchange,
  account: ConnectorAccount,
  deps: GenericConnectorDeps
): GenericConnector =>
  new GenericCcxtConnector(exchange, account, deps.clock, deps.logger, deps.options ?? {})

class GenericCcxtConnector implements GenericConnector {
  readonly exchange: string
  private readonly facts: ExchangeFacts
  private readonly name: string
  private readonly needsSymbol: Set<GenericCall>
  private readonly needsCode: Set<GenericCall>
  private readonly pageSize: number
  private readonly overlapMs: number
  private readonly transferOverlapMs: number
  private marketsLoadedAt: number | null = null
  private marketsTriedAt: number | null = null
  private marketsFailure: ExchangeFault | null = null
  private readonly prices = new Map<string, { value: number | null; at: number }>()
  /** Currencies with a non-zero balance at the last balance read. */
  private held: Set<string> | null = null
  /** Balances at the last read, and the currencies whose balance changed at that read. */
  private totals = new Map<string, number>()
  private moved = new Set<string>()
  /** Symbols and currencies with recent activity (mirrors the `activity` cursor). */
  private activity: Activity = { s: {}, c: {} }
  /** Optional streams the exchange refused, with when to try again. */
  private readonly resting = new Map<string, number>()
  private readonly optionalFailures = new Map<string, number>()
  private pollCount = 0
  /** HTX's uid, needed to list its keys (read once). */
  private htxUid: string | null = null
  /** Markets left out by the `maxSymbols` cap at the last count (logged when it changes). */
  private droppedSymbols = 0
  /** Open orders by scope as last read (kept for the kill switch's symbol list). */
  private openCache: OpenState = {}

  constructor(
    private readonly ccxt: Exchange,
    private readonly account: ConnectorAccount,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: GenericConnectorOptions
  ) {
    this.exchange = account.exchange || ccxt.id
    this.facts = exchangeFacts(this.exchange)
    this.name = this.facts.name
    const needs = argumentNeeds(this.exchange)
    this.needsSymbol = new Set(needs.symbol)
    this.needsCode = new Set(needs.code)
    this.pageSize = Math.max(1, Math.min(1000, options.pageSize ?? 100))
    this.overlapMs = Math.max(0, options.overlapMs ?? 10_000)
    this.transferOverlapMs = Math.max(this.overlapMs, options.transferOverlapMs ?? DAY_MS)
    guardResponses(ccxt, this.name)
  }

  private get has(): HasFlags {
    return (this.ccxt.has ?? {}) as HasFlags
  }

  private can(method: string): boolean {
    return hasCall(this.has, method) && typeof this.method(method) === 'function'
  }

  capabilities(): Capability[] {
    return capabilitiesFor(this.exchange, this.has)
  }

  // -------------------------------------------------------------------------------------------
  // Calls

  private method(name: string): unknown {
    return (this.ccxt as unknown as Record<string, unknown>)[name]
  }

  /** Calls a unified method by name; its result comes back unvalidated. */
  private async call(name: string, ...args: unknown[]): Promise<unknown> {
    const fn = this.method(name)
    if (typeof fn !== 'function')
      throw new ExchangeFault(
        'unsupported',
        msg('fault.exchange', { exchange: this.name, error: msg('fault.ccxt.noMethod', { name }) })
      )
    return (fn as (...a: unknown[]) => Promise<unknown>).apply(this.ccxt, args)
  }

  private classifyContext(stream?: string): ClassifyContext {
    return {
      stream,
      exchangeName: this.name,
      headers: (this.ccxt as { last_response_headers?: Record<string, unknown> })
        .last_response_headers,
      now: this.clock.now()
    }
  }

  private retry<T>(fn: () => Promise<T>, stream: string): Promise<Attempted<T>> {
    return withRetry(fn, this.clock, this.options.retry, () => this.classifyContext(stream))
  }

  // -------------------------------------------------------------------------------------------
  // Markets and prices

  /**
   * Loads markets once (every unified call needs them). A failed first load is remembered and
   * reported by every stream, which then keeps its cursor.
   */
  private async ensureMarkets(now: number, reload = false): Promise<void> {
    if (this.marketsLoadedAt !== null && !reload) return
    const every = this.options.marketsReloadMs ?? 10 * 60_000
    if (reload && this.marketsTriedAt !== null && now - this.marketsTriedAt < every) return
    const again = this.marketsTriedAt !== null
    this.marketsTriedAt = now
    try {
      // ccxt hands a failed first load's rejected promise back to every later loadMarkets();
      // only reload=true starts a fresh attempt.
      await this.ccxt.loadMarkets(reload || again)
      this.marketsLoadedAt = now
      this.marketsFailure = null
    } catch (error) {
      const fault = classifyError(error, this.classifyContext('markets'))
      if (this.marketsLoadedAt === null) this.marketsFailure = fault
      this.logger.warn(`${this.exchange}: could not load markets`, {
        account: this.account.id,
        error: fault.message
      })
    }
  }

  private marketInfo(symbol: string): MarketInfo | null {
    const m = (this.ccxt.markets ?? {})[symbol] as Record<string, unknown> | undefined
    if (!m) {
      const [base, rest] = symbol.split('/')
      const quote = rest?.split(':')[0] ?? null
      return base
        ? { base, quote, contractSize: null, inverse: false, contract: symbol.includes(':') }
        : null
    }
    return {
      base: typeof m.base === 'string' ? m.base : null,
      quote: typeof m.quote === 'string' ? m.quote : null,
      contractSize: typeof m.contractSize === 'number' ? m.contractSize : null,
      inverse: m.inverse === true,
      contract: m.contract === true
    }
  }

  private cachedUsd(currency: string | null): number | null {
    if (!currency) return null
    const code = currency.toUpperCase()
    if (STABLE_USD.has(code)) return 1
    return this.prices.get(code)?.value ?? null
  }

  /** The market that best prices `currency` in USD, by type (spot first). */
  private priceMarket(currency: string): { symbol: string; type: string } | null {
    const markets = Object.values(this.ccxt.markets ?? {}) as Array<Record<string, unknown>>
    const candidates = markets.filter(
      (m) =>
        m.base === currency &&
        typeof m.quote === 'string' &&
        ['USD', 'USDT', 'USDC'].includes(m.quote) &&
        m.active !== false &&
        typeof m.symbol === 'string'
    )
    const rank = (m: Record<string, unknown>): number =>
      (m.spot === true ? 0 : m.swap === true ? 10 : 20) +
      ['USD', 'USDT', 'USDC'].indexOf(String(m.quote))
    const best = candidates.sort((a, b) => rank(a) - rank(b))[0]
    return best ? { symbol: String(best.symbol), type: String(best.type ?? 'spot') } : null
  }

  /**
   * Refreshes USD prices for `currencies` where the cache expired: one fetchTickers call per
   * market type where the exchange has it, else a few fetchTicker calls. Never throws: a price
   * only adds a USD value.
   */
  private async refreshPrices(currencies: Iterable<string>, now: number): Promise<void> {
    const ttl = this.options.priceTtlMs ?? 60_000
    const wanted = new Map<string, { symbol: string; type: string }>()
    for (const c of currencies) {
      const code = c.toUpperCase()
      if (STABLE_USD.has(code)) continue
      const cached = this.prices.get(code)
      if (cached && now - cached.at < ttl) continue
      const m = this.priceMarket(code)
      if (m) wanted.set(code, m)
      else this.prices.set(code, { value: null, at: now })
    }
    if (!wanted.size) return
    const found = new Map<string, number | null>()
    if (this.can('fetchTickers')) {
      const byType = new Map<string, string[]>()
      for (const m of wanted.values()) byType.set(m.type, [...(byType.get(m.type) ?? []), m.symbol])
      for (const symbols of byType.values()) {
        try {
          const tickers = (await this.call('fetchTickers', symbols)) as Record<string, unknown>
          for (const [code, m] of wanted)
            if (tickers && typeof tickers === 'object' && m.symbol in tickers)
              found.set(code, tickerPrice(tickers[m.symbol]))
        } catch {
          // fall back to single tickers below
        }
      }
    }
    if (this.can('fetchTicker')) {
      let budget = 8
      for (const [code, m] of wanted) {
        if (found.get(code) != null || budget-- <= 0) continue
        try {
          found.set(code, tickerPrice(await this.call('fetchTicker', m.symbol)))
        } catch {
          found.set(code, null)
        }
      }
    }
    for (const code of wanted.keys()) {
      const value = found.get(code) ?? null
      // Keep a previous price through a failed refresh rather than dropping USD values.
      const previous = this.prices.get(code)?.value ?? null
      this.prices.set(code, { value: value ?? previous, at: now })
    }
  }

  // -------------------------------------------------------------------------------------------
  // Scopes

  private decodeActivity(value: unknown): Activity {
    if (typeof value !== 'string') return this.activity
    try {
      const parsed = activitySchema.safeParse(JSON.parse(value))
      return parsed.success ? parsed.data : this.activity
    } catch {
      return this.activity
    }
  }

  private noteSymbol(symbol: string, ts: number): void {
    if ((this.activity.s[symbol] ?? 0) < ts) this.activity.s[symbol] = ts
  }

  private noteCurrency(currency: string, ts: number): void {
    if ((this.activity.c[currency] ?? 0) < ts) this.activity.c[currency] = ts
  }

  private encodeActivity(now: number): string {
    const keep = (m: Record<string, number>): Record<string, number> =>
      Object.fromEntries(
        Object.entries(m)
          .filter(([, ts]) => ts >= now - ACTIVITY_TTL_MS)
          .sort(([a], [b]) => a.localeCompare(b))
      )
    this.activity = { s: keep(this.activity.s), c: keep(this.activity.c) }
    return JSON.stringify(this.activity)
  }

  private openSymbols(): Set<string> {
    const out = new Set<string>()
    for (const scope of Object.values(this.openCache))
      for (const o of Object.values(scope)) out.add(o.s)
    return out
  }

  /** Currencies to ask about on exchanges that need one per call. */
  private currencyUniverse(now: number): string[] {
    const out = new Set<string>(this.options.currencies ?? [])
    for (const c of this.held ?? []) out.add(c)
    for (const [c, ts] of Object.entries(this.activity.c))
      if (ts >= now - ACTIVITY_TTL_MS) out.add(c)
    return [...out].sort()
  }

  /**
   * Symbols to ask about on exchanges that need one per call, hot ones (configured, open orders,
   * recent trades) first, then markets of currencies held; at most `maxSymbols`.
   */
  private symbolUniverse(now: number): { hot: string[]; cold: string[]; dropped: number } {
    const markets = (this.ccxt.markets ?? {}) as Record<string, Record<string, unknown>>
    const valid = (s: string): boolean => s in markets
    const hot = new Set<string>()
    for (const s of this.options.symbols ?? []) hot.add(s)
    for (const s of this.openSymbols()) hot.add(s)
    for (const [s, ts] of Object.entries(this.activity.s)) if (ts >= now - HOT_MS) hot.add(s)
    const cold = new Set<string>()
    for (const [s, ts] of Object.entries(this.activity.s))
      if (ts >= now - ACTIVITY_TTL_MS && !hot.has(s)) cold.add(s)
    // Currencies held now or within the activity window: an attacker who sells a whole holding
    // leaves a zero balance, and that market is exactly the one to read.
    const held = new Set<string>(this.held ?? [])
    for (const [c, ts] of Object.entries(this.activity.c))
      if (ts >= now - ACTIVITY_TTL_MS) held.add(c)
    const derived: string[] = []
    for (const m of Object.values(markets)) {
      const base = m.base
      const quote = m.quote
      if (typeof base !== 'string' || typeof quote !== 'string' || typeof m.symbol !== 'string')
        continue
      if (m.active === false || !held.has(base)) continue
      if (!held.has(quote) && !QUOTES.has(quote)) continue
      const settle = typeof m.settle === 'string' ? m.settle : null
      if (m.spot !== true && !(m.contract === true && settle && held.has(settle))) continue
      derived.push(m.symbol)
    }
    // Spot before derivatives, then by name, so the cap keeps the most likely markets.
    derived.sort(
      (a, b) =>
        Number(markets[a]?.spot !== true) - Number(markets[b]?.spot !== true) || a.localeCompare(b)
    )
    for (const s of derived) {
      // A market whose base or quote balance just moved is read now, not on its cold turn.
      const m = markets[s]!
      if (this.moved.has(String(m.base)) || this.moved.has(String(m.quote))) hot.add(s)
      else if (!hot.has(s)) cold.add(s)
    }
    for (const s of hot) cold.delete(s)
    const max = Math.max(1, this.options.maxSymbols ?? 40)
    const hotList = [...hot].filter(valid)
    const coldList = [...cold].filter(valid)
    const room = Math.max(0, max - hotList.length)
    return {
      hot: hotList.slice(0, max),
      cold: coldList.slice(0, room),
      dropped: Math.max(0, hotList.length - max) + Math.max(0, coldList.length - room)
    }
  }

  /** The scopes a call is made in this run. */
  private scopesFor(call: GenericCall, ctx: { now: number; includeCold: boolean }): Scope[] {
    if (this.needsSymbol.has(call)) {
      const u = this.symbolUniverse(ctx.now)
      if (u.dropped > 0 && u.dropped !== this.droppedSymbols)
        this.logger.warn(`${this.exchange}: more markets than maxSymbols; some are not watched`, {
          account: this.account.id,
          dropped: u.dropped
        })
      this.droppedSymbols = u.dropped
      const list = ctx.includeCold ? [...u.hot, ...u.cold] : u.hot
      return list.map((symbol) => ({ key: symbol, symbol }))
    }
    const perCurrency =
      call === 'fetchWithdrawals' || call === 'fetchDeposits'
        ? this.needsCode.has(call)
        : !!this.facts.currencyParam &&
          ['fetchOpenOrders', 'fetchClosedOrders', 'fetchMyTrades'].includes(call)
    if (perCurrency) {
      return this.currencyUniverse(ctx.now).map((code) => ({
        key: code,
        params: this.facts.currencyParam
          ? { [this.facts.currencyParam]: this.currencyId(code) }
          : undefined
      }))
    }
    return [ALL]
  }

  private currencyId(code: string): string {
    const c = (this.ccxt.currencies ?? {})[code] as { id?: unknown } | undefined
    return typeof c?.id === 'string' ? c.id : code
  }

  /** Notes that a call needs a symbol (or code); true if this was news (the caller re-plans). */
  private learnNeeds(call: GenericCall, error: unknown): boolean {
    if (!isCcxtError(error, 'ArgumentsRequired')) return false
    const set =
      call === 'fetchWithdrawals' || call === 'fetchDeposits' ? this.needsCode : this.needsSymbol
    if (set.has(call)) return false
    set.add(call)
    this.logger.info(
      `${this.exchange}: ${call} needs a ${set === this.needsCode ? 'currency' : 'symbol'}; asking per ${set === this.needsCode ? 'currency' : 'symbol'}`,
      {
        account: this.account.id
      }
    )
    return true
  }

  // -------------------------------------------------------------------------------------------
  // Poll / backfill

  async backfill(options: {
    since: number
    onProgress?: (progress: number, message: string, descriptor?: Message) => void
  }): Promise<PollResult> {
    const now = this.clock.now()
    const since = Math.max(options.since, now - MAX_BACKFILL_MS)
    const steps = 6
    let done = 0
    const report = (message: Message): void =>
      options.onProgress?.(Math.min(0.99, done++ / steps), englishText(message), message)
    const ctx: RunContext = {
      ...newRun('backfill', now, since, {}, report),
      failed: [],
      includeCold: true
    }
    report(msg('progress.startOn', { exchange: this.name }))
    const result = await this.run(ctx)
    // A stream that failed keeps its starting point, so the next poll reads the whole window
    // instead of starting "now" and silently skipping the history it could not read.
    for (const name of ctx.failed) {
      if (result.cursors[name] !== undefined) continue
      if (name === 'positions') result.cursors[name] = encodeSnapshot({ kind: 'since', ts: since })
      else if (/^(fills|orders:closed|withdrawals|deposits|transactions)(:|$)/.test(name))
        result.cursors[name] = encodeWindow({ ts: since, keys: [] })
    }
    const read = msg('progress.read', { count: result.events.length, exchange: this.name })
    options.onProgress?.(1, englishText(read), read)
    return result
  }

  async poll(cursors: Cursors): Promise<PollResult> {
    const now = this.clock.now()
    this.pollCount++
    const every = Math.max(1, this.options.coldEvery ?? 5)
    const ctx: RunContext = {
      ...newRun('poll', now, now - (this.options.lookbackMs ?? 5 * 60_000), { ...cursors }),
      failed: [],
      includeCold: every === 1 || this.pollCount % every === 1 || this.held === null
    }
    return this.run(ctx)
  }

  private async run(ctx: RunContext): Promise<PollResult> {
    await this.ensureMarkets(ctx.now)
    this.activity = this.decodeActivity(ctx.cursors.activity)
    const state = decodeSnapshot<OpenState>(
      ctx.cursors.orders,
      { kind: 'since', ts: 0 },
      isOpenState
    )
    this.openCache = state.kind === 'state' ? state.state : this.openCache
    const result: PollResult = { events: ctx.events, cursors: ctx.cursors, errors: ctx.errors }

    ctx.progress?.(msg('progress.balances'))
    if (this.can('fetchBalance')) result.balances = await this.balances(ctx)
    if (this.can('fetchOpenOrders')) {
      ctx.progress?.(msg('progress.orders'))
      const open = await this.orders(ctx)
      if (open !== undefined) result.openOrders = open
    }
    if (this.can('fetchMyTrades')) {
      ctx.progress?.(msg('progress.trades'))
      await this.fills(ctx)
    }
    ctx.progress?.(msg('progress.withdrawalsDeposits'))
    await this.transfers(ctx)
    // Last: on a spot-only key the derivatives call fails, and must not stop the streams above
    // (ccxt even reports Binance's refusal as a rate limit once the key has worked before).
    if (this.can('fetchPositions')) {
      ctx.progress?.(msg('progress.positions'))
      await this.positions(ctx)
    }
    if (this.keysDue(ctx)) {
      ctx.progress?.(msg('progress.keys'))
      const keys = await this.guard(ctx, 'keys', () => this.readKeys(ctx.now))
      if (keys !== undefined) result.keys = keys
    }
    if (!ctx.halt) ctx.cursors.activity = this.encodeActivity(ctx.now)

    // The same record can arrive through two scopes (Deribit lists a linear contract under two
    // currencies): deliver it once.
    result.events = finishEvents(ctx.events)
    return result
  }

  /** Whether this run reads the key endpoint: backfill, the first poll and every `keysEvery`th. */
  private keysDue(ctx: RunContext): boolean {
    const method = this.facts.keyInfo?.method
    if (!method || typeof this.method(method) !== 'function') return false
    if (ctx.mode === 'backfill') return true
    const every = Math.max(1, this.options.keysEvery ?? 10)
    return every === 1 || this.pollCount % every === 1
  }

  /** Reads and validates the exchange's key endpoint (`key-info.ts`). */
  private async readKeys(now: number): Promise<KeySnapshot[]> {
    const method = this.facts.keyInfo?.method
    const own = typeof this.ccxt.apiKey === 'string' && this.ccxt.apiKey ? this.ccxt.apiKey : null
    switch (method) {
      case 'privatePostGetApiKeyInfo':
        return parseKrakenApiKeyInfo(await this.call(method))
      case 'privateSpotGetV2SpotAccountInfo':
        return parseBitgetAccountInfo(await this.call(method), own)
      case 'v2PrivateGetUserApiKey': {
        if (this.htxUid === null) this.htxUid = parseHtxUid(await this.call('v2PrivateGetUserUid'))
        return parseHtxApiKeys(await this.call(method, { uid: this.htxUid }), own, { now })
      }
      default:
        throw new ExchangeFault(
          'unsupported',
          msg('fault.exchange', { exchange: this.name, error: msg('fault.keysNotRead') }),
          'keys'
        )
    }
  }

  /**
   * Runs one read: returns its value, or records the classified fault (halting the run on auth,
   * rate-limit and maintenance faults) and returns undefined. Never throws.
   */
  private async guard<T>(
    ctx: RunContext,
    name: string,
    fn: () => Promise<T>
  ): Promise<T | undefined> {
    const optional = OPTIONAL_STREAMS.find((s) => name === s || name.startsWith(`${s}:`))
    const rest = optional ? this.resting.get(optional) : undefined
    if (rest !== undefined && ctx.now < rest) return undefined
    const fail = (fault: ExchangeFault): undefined => {
      ctx.errors.push({ stream: name, fault })
      if (ctx.mode === 'backfill') ctx.failed.push(name)
      return undefined
    }
    const blocked = notReadFault(ctx, name, this.marketsFailure)
    if (blocked) return fail(blocked)
    try {
      const value = await fn()
      if (optional) this.optionalFailures.delete(optional)
      return value
    } catch (error) {
      const fault = classifyError(error, this.classifyContext(name))
      if (HALTING.has(fault.category)) ctx.halt = fault
      // An optional stream the exchange refuses (no permission, not offered for this account
      // type, or failing poll after poll) is reported and then rested for a while, so it does
      // not keep the account marked degraded.
      if (optional) {
        const failures = (this.optionalFailures.get(optional) ?? 0) + 1
        this.optionalFailures.set(optional, failures)
        if (
          fault.category === 'permission' ||
          fault.category === 'unsupported' ||
          failures >= OPTIONAL_FAILURES_BEFORE_REST
        ) {
          this.resting.set(optional, ctx.now + OPTIONAL_RETRY_MS)
          this.optionalFailures.delete(optional)
        }
      }
      this.logger.warn(`${this.exchange}: stream failed`, {
        account: this.account.id,
        stream: name,
        category: fault.category,
        error: fault.message
      })
      return fail(fault)
    }
  }

  private warn(
    ctx: RunContext,
    stream: string,
    message: Message,
    category: 'malformed' | 'unknown' = 'unknown'
  ): void {
    ctx.errors.push({
      stream,
      fault: new ExchangeFault(
        category,
        msg('fault.exchange', { exchange: this.name, error: message }),
        stream
      )
    })
  }

  private skippedWarning(ctx: RunContext, stream: string, what: Records, skipped: number): void {
    if (skipped > 0)
      this.warn(
        ctx,
        stream,
        msg('fault.skipped', { count: skipped, what: msg(`records.${what}`) }),
        'malformed'
      )
  }

  private maxPages(ctx: RunContext): number {
    return ctx.mode === 'backfill'
      ? Math.max(1, this.options.maxPagesBackfill ?? 200)
      : Math.max(1, this.options.maxPagesPerPoll ?? 10)
  }

  /**
   * Reads a history call page by page forward from `since` (ccxt's unified paging by time): a
   * full page moves `since` to its newest record; records on the boundary are de-duplicated.
   *
   * Some exchanges answer newest-first inside the range (OKX, Deribit's order history): a full
   * page, then nothing new. Then the read walks backward with ccxt's unified `until` parameter
   * from the oldest record seen. Exchanges that ignore `until` too give the same page again;
   * `gap` then says `stalled` (only the newest page was reachable). `limit` means more pages
   * than one run reads.
   */
  private async pages<T>(
    ctx: RunContext,
    since: number,
    read: (since: number, limit: number, extra: Record<string, unknown>) => Promise<T[]>,
    tsOf: (item: T) => number,
    keyOf: (item: T) => string
  ): Promise<{ items: T[]; gap: 'limit' | 'stalled' | null }> {
    const byId = new Map<string, T>()
    const take = (rows: T[], accept: (r: T) => boolean = () => true): number => {
      let added = 0
      for (const r of rows) {
        if (!accept(r)) continue
        if (!byId.has(keyOf(r))) added++
        byId.set(keyOf(r), r)
      }
      return added
    }
    const max = this.maxPages(ctx)
    let from = since
    let previousFull = false
    let page = 0
    for (; page < max; page++) {
      const rows = await read(from, this.pageSize, {})
      const added = take(rows)
      // After a full page, a page without anything new means paging did not move forward.
      if (page > 0 && added === 0) {
        if (!previousFull) return { items: [...byId.values()], gap: null }
        break
      }
      const full = rows.length >= this.pageSize
      // Some exchanges cap `limit` below what we ask, so a short page is not proof of the end.
      // A backfill pays one more call per stream to be sure; a poll's window is short enough.
      if (!full && (ctx.mode === 'poll' || rows.length === 0))
        return { items: [...byId.values()], gap: null }
      previousFull = full
      from = Math.max(Math.max(...rows.map(tsOf)), from)
    }
    if (page >= max) return { items: [...byId.values()], gap: 'limit' }
    // Forward paging stalled: walk backward from the oldest record read.
    let until = Math.min(...[...byId.values()].map(tsOf)) - 1
    for (page++; page < max; page++) {
      if (until < since) return { items: [...byId.values()], gap: null }
      let rows: T[]
      try {
        rows = await read(since, this.pageSize, { until })
      } catch (error) {
        // An exchange that rejects `until` leaves us where we were; a refusal of the key or a
        // rate limit still fails the stream.
        const fault = classifyError(error)
        if (HALTING.has(fault.category)) throw error
        return { items: [...byId.values()], gap: 'stalled' }
      }
      const bound = until
      const added = take(rows, (r) => tsOf(r) <= bound && tsOf(r) >= since)
      if (added === 0) return { items: [...byId.values()], gap: 'stalled' }
      if (rows.length < this.pageSize) return { items: [...byId.values()], gap: null }
      until = Math.min(...rows.map(tsOf)) - 1
    }
    return { items: [...byId.values()], gap: 'limit' }
  }

  private gapWarning(
    ctx: RunContext,
    stream: string,
    what: Records,
    gap: 'limit' | 'stalled' | null
  ): void {
    if (gap === 'limit')
      this.warn(ctx, stream, msg('fault.pageLimit', { what: msg(`records.${what}`) }))
    else if (gap === 'stalled')
      this.warn(
        ctx,
        stream,
        msg('fault.pageStalled', { limit: this.pageSize, what: msg(`records.${what}`) })
      )
  }

  // -------------------------------------------------------------------------------------------
  // Streams

  private async balances(ctx: RunContext): Promise<BalanceSnapshot[] | undefined> {
    const lines = await this.guard(ctx, 'balances', async () => {
      const parsed = parseBalance(await this.call('fetchBalance'), 'balances', this.name)
      this.skippedWarning(ctx, 'balances', 'balanceLines', parsed.skipped)
      return parsed.items
    })
    if (!lines) return undefined
    this.held = new Set(lines.filter((l) => l.total !== 0).map((l) => l.currency))
    const totals = new Map(lines.map((l) => [l.currency, l.total]))
    this.moved = new Set(
      [...new Set([...totals.keys(), ...this.totals.keys()])].filter(
        (c) => (totals.get(c) ?? 0) !== (this.totals.get(c) ?? 0)
      )
    )
    // The first read has nothing to compare with: everything counts as moved once.
    if (this.totals.size === 0) this.moved = new Set(this.held)
    this.totals = totals
    for (const c of this.held) this.noteCurrency(c, ctx.now)
    const quotes = new Set<string>()
    for (const s of this.openSymbols()) {
      const q = this.marketInfo(s)?.quote
      if (q) quotes.add(q)
    }
    await this.refreshPrices([...this.held, ...quotes], ctx.now)
    return lines.map((l) => {
      const usd = l.total === 0 ? 0 : this.cachedUsd(l.currency)
      return { currency: l.currency, total: l.total, usdValue: usd === null ? null : l.total * usd }
    })
  }

  private async positions(ctx: RunContext): Promise<void> {
    const name = 'positions'
    const list = await this.guard(ctx, name, async () => {
      const parsed = parsePositions(await this.call('fetchPositions'), name, this.name)
      this.skippedWarning(ctx, name, 'positions', parsed.skipped)
      return parsed.items
    })
    if (!list) return
    const state: Record<string, string> = {}
    const bySymbol = new Map<string, CcxtPosition>()
    for (const p of list) {
      const size = Math.abs(p.contracts ?? 0)
      if (size === 0) continue
      bySymbol.set(p.symbol, p)
      state[p.symbol] = `${p.side === 'short' ? 'short' : 'long'}:${size}:${p.leverage ?? ''}`
      this.noteSymbol(p.symbol, ctx.now)
    }
    const previous = decodeSnapshot<Record<string, string>>(
      ctx.cursors[name],
      { kind: 'since', ts: ctx.since },
      isStringMap
    )
    const before = previous.kind === 'state' ? previous.state : {}
    for (const symbol of new Set([...Object.keys(before), ...Object.keys(state)])) {
      if (before[symbol] === state[symbol]) continue
      ctx.events.push({
        accountId: this.account.id,
        kind: 'position',
        type: 'position.changed',
        exchangeRecordId: `${symbol}#${ctx.now}`,
        ts: ctx.now,
        data: positionData(symbol, bySymbol.get(symbol) ?? null)
      })
    }
    ctx.cursors[name] = encodeSnapshot({ kind: 'state', state })
  }

  /** Reads open orders in `scopes`; learns a symbol requirement and re-plans once. */
  private async readOpen(
    ctx: RunContext,
    scopes: Scope[],
    stream: string,
    params: Record<string, unknown> = {}
  ): Promise<Map<string, CcxtOrder[] | undefined>> {
    const out = new Map<string, CcxtOrder[] | undefined>()
    for (const scope of scopes) {
      let relearn = false
      const orders = await this.guard(ctx, streamName(stream, scope), async () => {
        try {
          const raw = await this.call('fetchOpenOrders', scope.symbol, undefined, undefined, {
            ...scope.params,
            ...params
          })
          const parsed = parseOrders(raw, 'open orders', streamName(stream, scope), this.name)
          this.skippedWarning(ctx, streamName(stream, scope), 'openOrders', parsed.skipped)
          return parsed.items
        } catch (error) {
          if (scope === ALL && this.learnNeeds('fetchOpenOrders', error)) {
            relearn = true
            return []
          }
          throw error
        }
      })
      if (relearn) return this.readOpen(ctx, this.scopesFor('fetchOpenOrders', ctx), stream, params)
      out.set(scope.key, orders)
    }
    return out
  }

  /**
   * Orders: open orders per scope against the open-order state in the cursor, then recently
   * closed orders per scope (window cursors), then orders that left the book without showing up
   * in the closed list (looked up one by one where the exchange allows). Returns the open order
   * count when every scope was read.
   */
  private async orders(ctx: RunContext): Promise<number | undefined> {
    const previous = decodeSnapshot<OpenState>(
      ctx.cursors.orders,
      { kind: 'since', ts: ctx.since },
      isOpenState
    )
    const before: OpenState = previous.kind === 'state' ? previous.state : {}
    const known = new Map<string, { scope: string; c: Compact }>()
    for (const [scope, orders] of Object.entries(before))
      for (const [id, c] of Object.entries(orders)) known.set(id, { scope, c })

    const scopes = this.scopesFor('fetchOpenOrders', ctx)
    const read = await this.readOpen(ctx, scopes, 'orders')
    const next: OpenState = { ...before }
    const nowOpen = new Set<string>()
    const emitted = new Set<string>()
    let complete = true
    for (const [scope, orders] of read) {
      if (!orders) {
        complete = false
        continue
      }
      const fresh: Record<string, Compact> = {}
      for (const o of orders) {
        nowOpen.add(ref(o))
        this.noteSymbol(o.symbol, ctx.now)
        const prior = known.get(ref(o))?.c
        fresh[ref(o)] = compact(o, ctx.now)
        if (emitted.has(ref(o))) continue
        const data = orderData(
          o,
          this.marketInfo(o.symbol),
          this.cachedUsd(this.marketInfo(o.symbol)?.quote ?? null)
        )
        if (!prior) {
          // First sight of an open order. With no state for this scope yet (first read, new
          // symbol), an order older than the history window is the account's existing state:
          // absorbed silently in a poll, reported in a backfill.
          const firstRead = !(scope in before)
          const ts = o.timestamp ?? ctx.now
          if (ctx.mode === 'backfill' || !firstRead || ts >= ctx.since) {
            emitted.add(ref(o))
            ctx.events.push(this.orderEvent('order.new', ref(o), ts, data))
          }
        } else if (prior.v !== versionOf(o)) {
          emitted.add(ref(o))
          const label =
            o.lastUpdateTimestamp ?? `${o.filled ?? 0}/${o.amount ?? 0}@${o.price ?? ''}`
          ctx.events.push(
            this.orderEvent(
              'order.updated',
              `${ref(o)}#${o.status ?? 'open'}@${label}`,
              o.lastUpdateTimestamp ?? ctx.now,
              data
            )
          )
        }
      }
      next[scope] = fresh
    }
    // Closed orders in the window, per scope.
    const resolved = new Set<string>()
    const methods = this.historyMethods()
    if (methods.length) {
      for (const scope of this.scopesFor('fetchClosedOrders', ctx)) {
        await this.closedOrders(ctx, scope, methods, known, nowOpen, resolved, emitted)
        if (ctx.halt) break
      }
    }

    // Orders that left the book and were not in the closed list.
    let lookups = Math.max(0, this.options.maxOrderLookups ?? 10)
    for (const [scope, orders] of read) {
      if (!orders) continue
      for (const [key, c] of Object.entries(before[scope] ?? {})) {
        if (nowOpen.has(key) || resolved.has(key)) continue
        let final: CcxtOrder | null = null
        let lookupFailed = false
        if (this.can('fetchOrder') && lookups > 0 && !ctx.halt) {
          lookups--
          const got = await this.guard(ctx, streamName('orders:lookup', { key: c.s }), async () =>
            parseOrder(await this.call('fetchOrder', idOf(key, c), c.s), 'orders', this.name)
          )
          if (got === undefined) lookupFailed = true
          else final = got && got.status !== 'open' ? got : null
          if (got && got.status === 'open') {
            // Still open per the exchange (listed under another scope, or a stale list): keep it.
            next[scope] = { ...next[scope], [key]: c }
            continue
          }
        }
        if (lookupFailed && (c.m ?? 0) < 3) {
          next[scope] = { ...next[scope], [key]: { ...c, m: (c.m ?? 0) + 1 } }
          continue
        }
        const order = final ?? { ...fromCompact(key, c), status: 'gone' }
        const status = order.status ?? 'gone'
        if (emitted.has(key)) continue
        emitted.add(key)
        this.noteSymbol(order.symbol, ctx.now)
        const market = this.marketInfo(order.symbol)
        ctx.events.push(
          this.orderEvent(
            'order.updated',
            `${key}#${status}`,
            order.lastUpdateTimestamp ?? ctx.now,
            orderData(order, market, this.cachedUsd(market?.quote ?? null))
          )
        )
      }
    }
    // Nothing read: keep the stored state exactly as it was (it may be one we could not decode).
    if ([...read.values()].some((v) => v !== undefined)) {
      ctx.cursors.orders = encodeSnapshot({ kind: 'state', state: next })
      this.openCache = next
    }
    if (!complete) return undefined
    const ids = new Set<string>()
    for (const scope of Object.values(next)) for (const id of Object.keys(scope)) ids.add(id)
    return ids.size
  }

  private async closedOrders(
    ctx: RunContext,
    scope: Scope,
    methods: string[],
    known: Map<string, { scope: string; c: Compact }>,
    nowOpen: Set<string>,
    resolved: Set<string>,
    emitted: Set<string>
  ): Promise<void> {
    const name = streamName('orders:closed', scope)
    const stored = ctx.cursors[name]
    const tracker = new WindowTracker(
      decodeWindow(stored, { ts: ctx.since, keys: [] }),
      this.overlapMs
    )
    const floor = stored === undefined ? ctx.since : -Infinity
    let relearn = false
    const got = await this.guard(ctx, name, async () => {
      try {
        const byRef = new Map<string, CcxtOrder>()
        let gap: 'limit' | 'stalled' | null = null
        for (const method of methods) {
          const part = await this.pages(
            ctx,
            Math.max(0, tracker.windowStart),
            async (since, limit, extra) => {
              const parsed = parseOrders(
                await this.call(method, scope.symbol, since, limit, { ...scope.params, ...extra }),
                'order history',
                name,
                this.name
              )
              this.skippedWarning(ctx, name, 'closedOrders', parsed.skipped)
              return parsed.items
            },
            (o) => o.timestamp ?? 0,
            ref
          )
          gap = gap ?? part.gap
          for (const o of part.items)
            if (o.status !== 'open' && o.status != null) byRef.set(ref(o), o)
        }
        return { items: [...byRef.values()], gap }
      } catch (error) {
        if (scope === ALL && this.learnNeeds('fetchClosedOrders', error)) {
          relearn = true
          return { items: [], gap: null }
        }
        throw error
      }
    })
    if (relearn) {
      for (const s of this.scopesFor('fetchClosedOrders', ctx))
        await this.closedOrders(ctx, s, methods, known, nowOpen, resolved, emitted)
      return
    }
    if (!got) return
    const sorted = got.items.sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0))
    const events: NewEvent[] = []
    for (const o of sorted) {
      const status = o.status ?? 'closed'
      const ts = o.timestamp ?? ctx.now
      const priorVersion = tracker.deliveredPrefix(`${ref(o)}#`)
      const changed = tracker.observe(`${ref(o)}#${status}`, ts)
      if (!nowOpen.has(ref(o))) resolved.add(ref(o))
      this.noteSymbol(o.symbol, ts)
      if (!changed || emitted.has(ref(o)) || nowOpen.has(ref(o))) continue
      const market = this.marketInfo(o.symbol)
      const data = orderData(o, market, this.cachedUsd(market?.quote ?? null))
      if (known.has(ref(o)) || priorVersion) {
        emitted.add(ref(o))
        events.push(
          this.orderEvent('order.updated', `${ref(o)}#${status}`, o.lastUpdateTimestamp ?? ts, data)
        )
      } else if (ts >= floor) {
        // Placed and finished between two reads (a market order, an instant cancel): one event.
        emitted.add(ref(o))
        events.push(this.orderEvent('order.new', ref(o), ts, data))
      }
    }
    ctx.events.push(...events)
    ctx.cursors[name] = encodeWindow(tracker.next(ctx.now))
    this.gapWarning(ctx, name, 'closedOrders', got.gap)
  }

  /**
   * The calls that list finished orders. ccxt's `fetchClosedOrders` means *filled* on most
   * exchanges (OKX sends `state=filled`, Binance filters `closed`), so cancelled orders need
   * `fetchOrders` (every status) or `fetchCanceledOrders` as well.
   */
  private historyMethods(): string[] {
    if (this.has.fetchOrders === true && this.can('fetchOrders')) return ['fetchOrders']
    if (this.can('fetchCanceledAndClosedOrders')) return ['fetchCanceledAndClosedOrders']
    return ['fetchClosedOrders', 'fetchCanceledOrders'].filter((m) => this.can(m))
  }

  private orderEvent(
    type: 'order.new' | 'order.updated',
    recordId: string,
    ts: number,
    data: NewEvent['data']
  ): NewEvent {
    return {
      accountId: this.account.id,
      kind: 'order',
      type,
      exchangeRecordId: recordId,
      ts,
      data
    }
  }

  private async fills(
    ctx: RunContext,
    scopes = this.scopesFor('fetchMyTrades', ctx)
  ): Promise<void> {
    for (const scope of scopes) {
      const name = streamName('fills', scope)
      const stored = ctx.cursors[name]
      const tracker = new WindowTracker(
        decodeWindow(stored, { ts: ctx.since, keys: [] }),
        this.overlapMs
      )
      const floor = stored === undefined ? ctx.since : -Infinity
      let relearn = false
      const got = await this.guard(ctx, name, async () => {
        try {
          return await this.pages<CcxtTrade>(
            ctx,
            Math.max(0, tracker.windowStart),
            async (since, limit, extra) => {
              const parsed = parseTrades(
                await this.call('fetchMyTrades', scope.symbol, since, limit, {
                  ...this.historyParams(),
                  ...scope.params,
                  ...extra
                }),
                name,
                this.name
              )
              this.skippedWarning(ctx, name, 'trades', parsed.skipped)
              return parsed.items
            },
            (t) => t.timestamp,
            ref
          )
        } catch (error) {
          if (scope === ALL && this.learnNeeds('fetchMyTrades', error)) {
            relearn = true
            return { items: [], gap: null }
          }
          throw error
        }
      })
      if (relearn) return this.fills(ctx, this.scopesFor('fetchMyTrades', ctx))
      if (!got) continue
      const quotes = new Set<string>()
      for (const t of got.items) {
        const q = this.marketInfo(t.symbol)?.quote
        if (q) quotes.add(q)
      }
      await this.refreshPrices(quotes, ctx.now)
      const events: NewEvent[] = []
      for (const t of got.items.sort((a, b) => a.timestamp - b.timestamp)) {
        this.noteSymbol(t.symbol, t.timestamp)
        if (!tracker.observe(ref(t), t.timestamp) || t.timestamp < floor) continue
        const market = this.marketInfo(t.symbol)
        events.push({
          accountId: this.account.id,
          kind: 'fill',
          type: 'fill.new',
          exchangeRecordId: ref(t),
          ts: t.timestamp,
          data: fillData(
            t,
            market,
            this.cachedUsd(market?.quote ?? null),
            this.marketPrice(t.symbol)
          )
        })
      }
      ctx.events.push(...events)
      ctx.cursors[name] = encodeWindow(tracker.next(ctx.now))
      this.gapWarning(ctx, name, 'trades', got.gap)
    }
  }

  /** Extra parameters for history calls (Deribit answers newest-first unless asked). */
  private historyParams(): Record<string, unknown> {
    return this.exchange === 'deribit' ? { sorting: 'asc' } : {}
  }

  /** The cached USD price of a market's base, as a market price for off-market checks. */
  private marketPrice(symbol: string): number | null {
    const m = this.marketInfo(symbol)
    if (!m?.base || !m.quote) return null
    const base = this.cachedUsd(m.base)
    const quote = this.cachedUsd(m.quote)
    return base !== null && quote !== null && quote > 0 ? base / quote : null
  }

  private async transfers(ctx: RunContext): Promise<void> {
    const w = this.can('fetchWithdrawals')
    const d = this.can('fetchDeposits')
    if (w) await this.transactions(ctx, 'withdrawals', 'fetchWithdrawals')
    if (d) await this.transactions(ctx, 'deposits', 'fetchDeposits')
    if (!w && !d && this.can('fetchDepositsWithdrawals'))
      await this.transactions(ctx, 'transactions', 'fetchDepositsWithdrawals')
  }

  private async transactions(
    ctx: RunContext,
    base: 'withdrawals' | 'deposits' | 'transactions',
    method: 'fetchWithdrawals' | 'fetchDeposits' | 'fetchDepositsWithdrawals',
    scopes?: Scope[]
  ): Promise<void> {
    const call: GenericCall = method === 'fetchDeposits' ? 'fetchDeposits' : 'fetchWithdrawals'
    const list = scopes ?? this.scopesFor(call, ctx)
    for (const scope of list) {
      const name = streamName(base, scope)
      const stored = ctx.cursors[name]
      const tracker = new WindowTracker(
        decodeWindow(stored, { ts: ctx.since, keys: [] }),
        this.transferOverlapMs
      )
      const floor = stored === undefined ? ctx.since : -Infinity
      let relearn = false
      const got = await this.guard(ctx, name, async () => {
        try {
          return await this.pages<CcxtTransaction>(
            ctx,
            Math.max(0, tracker.windowStart),
            async (since, limit, extra) => {
              const parsed = parseTransactions(
                await this.call(method, scope === ALL ? undefined : scope.key, since, limit, extra),
                base,
                name,
                this.name
              )
              this.skippedWarning(ctx, name, base, parsed.skipped)
              return parsed.items
            },
            (t) => t.timestamp,
            (t) => `${t.type ?? ''}:${t.id}`
          )
        } catch (error) {
          if (scope === ALL && this.learnNeeds(call, error)) {
            relearn = true
            return { items: [], gap: null }
          }
          throw error
        }
      })
      if (relearn) return this.transactions(ctx, base, method, this.scopesFor(call, ctx))
      if (!got) continue
      const currencies = new Set(got.items.map((t) => t.currency))
      await this.refreshPrices(currencies, ctx.now)
      const events: NewEvent[] = []
      for (const t of got.items.sort((a, b) => a.timestamp - b.timestamp)) {
        this.noteCurrency(t.currency, t.timestamp)
        const kind: EventKind =
          base === 'deposits' || (base === 'transactions' && t.type === 'deposit')
            ? 'deposit'
            : 'withdrawal'
        const status = t.status ?? 'unknown'
        // Deposits and withdrawals share the `transactions` window; keys carry the kind.
        const key = `${kind === 'deposit' ? 'd' : 'w'}:${t.id}`
        const priorVersion = tracker.deliveredPrefix(`${key}@`)
        if (!tracker.observe(`${key}@${status}`, t.timestamp) || t.timestamp < floor) continue
        const usd = this.cachedUsd(t.currency)
        const data = kind === 'deposit' ? depositData(t, usd) : withdrawalData(t, usd)
        events.push(
          priorVersion
            ? {
                accountId: this.account.id,
                kind,
                type: `${kind}.updated`,
                exchangeRecordId: `${t.id}#${status}`,
                ts: t.updated ?? ctx.now,
                data
              }
            : {
                accountId: this.account.id,
                kind,
                type: `${kind}.new`,
                exchangeRecordId: t.id,
                ts: t.timestamp,
                data
              }
        )
      }
      ctx.events.push(...events)
      ctx.cursors[name] = encodeWindow(tracker.next(ctx.now))
      this.gapWarning(ctx, name, base, got.gap)
    }
  }

  // -------------------------------------------------------------------------------------------
  // Containment

  async disableKeys(keyIds: string[]): Promise<KeysDisabled> {
    const step = manualRevokeMsg(this.exchange, this.keyHint())
    return {
      disabled: [],
      failed: [...new Set(keyIds)].map((keyId) => keyNotDisabled(keyId, step))
    }
  }

  private keyHint(): string | null {
    const key = this.ccxt.apiKey
    return typeof key === 'string' && key.length > 4 ? `…${key.slice(-4)}` : null
  }

  /**
   * Every open order, read from the exchange (throws on failure): per scope as the exchange
   * needs, plus the trigger/algo list where the exchange keeps one apart.
   */
  private async listOpen(symbols: Iterable<string>, trigger: boolean): Promise<CcxtOrder[]> {
    const now = this.clock.now()
    const params = trigger ? { trigger: true } : {}
    let scopes: Scope[]
    if (this.needsSymbol.has('fetchOpenOrders')) {
      const u = this.symbolUniverse(now)
      scopes = [...new Set([...symbols, ...u.hot, ...u.cold])].map((s) => ({ key: s, symbol: s }))
    } else if (this.facts.currencyParam) {
      const settle = new Set(this.currencyUniverse(now))
      for (const m of Object.values(this.ccxt.markets ?? {}) as Array<Record<string, unknown>>)
        if (typeof m.settle === 'string' && settle.size < 20) settle.add(m.settle)
      scopes = [...settle].map((c) => ({
        key: c,
        params: { [this.facts.currencyParam!]: this.currencyId(c) }
      }))
    } else scopes = [ALL]
    const byId = new Map<string, CcxtOrder>()
    for (const scope of scopes) {
      let raw: unknown
      try {
        raw = await this.call('fetchOpenOrders', scope.symbol, undefined, undefined, {
          ...scope.params,
          ...params
        })
      } catch (error) {
        if (scope === ALL && this.learnNeeds('fetchOpenOrders', error))
          return this.listOpen(symbols, trigger)
        throw error
      }
      for (const o of parseOrders(raw, 'open orders', 'killSwitch', this.name).items)
        byId.set(o.id, o)
    }
    return [...byId.values()]
  }

  async killSwitch(options: KillSwitchOptions): Promise<KillSwitchAccountResult> {
    const { result, step, fail, manual } = startKillSwitchResult(
      {
        account: this.account.id,
        exchange: this.exchange,
        key: 'manual-revoke-required',
        manualUrl: this.facts.apiKeysUrl
      },
      options.onStep
    )
    const now = this.clock.now()
    await this.ensureMarkets(now)
    // Exchanges that need a symbol per call: know what the account holds before looking.
    if (
      this.held === null &&
      this.can('fetchBalance') &&
      (this.needsSymbol.has('fetchOpenOrders') ||
        this.needsSymbol.has('cancelAllOrders') ||
        this.facts.currencyParam)
    ) {
      const b = await this.retry(
        async () => parseBalance(await this.call('fetchBalance'), 'killSwitch', this.name),
        'killSwitch'
      )
      if (b.ok)
        this.held = new Set(b.value.items.filter((l) => l.total !== 0).map((l) => l.currency))
    }
    const passes = this.facts.separateTriggerOrders ? [false, true] : [false]
    const label = (trigger: boolean, base: string): string => (trigger ? `${base}-trigger` : base)

    const readOpen = async (trigger: boolean, action: string): Promise<CcxtOrder[] | null> => {
      const r = await this.retry(() => this.listOpen(this.openSymbols(), trigger), 'readBack')
      if (r.ok)
        step(
          action,
          true,
          r.attempts,
          msg(trigger ? 'ks.generic.triggerOrdersOpen' : 'ks.generic.openOrdersOpen', {
            count: r.value.length
          })
        )
      else {
        step(action, false, r.attempts, r.fault.msg)
        fail(
          msg(trigger ? 'ks.err.readTriggerOrders' : 'ks.err.readOpenOrders', {
            error: r.fault.msg
          })
        )
      }
      return r.ok ? r.value : null
    }

    /** One cancel round over `open` (the orders read just before); returns whether calls worked. */
    const cancelRound = async (
      trigger: boolean,
      open: CcxtOrder[] | null,
      round: string
    ): Promise<void> => {
      const params = trigger ? { trigger: true } : {}
      if (this.can('cancelAllOrders') && !trigger) {
        const perSymbol =
          this.needsSymbol.has('cancelAllOrders') && !this.facts.cancelAllIgnoresSymbol
        if (!perSymbol) {
          let needsSymbol = false
          const r = await this.retry(async () => {
            try {
              return await this.call('cancelAllOrders', undefined, params)
            } catch (error) {
              // ccxt throws ArgumentsRequired before sending anything: switch to per market.
              if (this.learnNeeds('cancelAllOrders', error)) {
                needsSymbol = true
                return null
              }
              throw error
            }
          }, 'cancelAll')
          if (!r.ok) {
            step(`cancel-all${round}`, false, r.attempts, r.fault.msg)
            fail(r.fault.msg)
            return
          }
          if (!needsSymbol) {
            step(
              `cancel-all${round}`,
              true,
              r.attempts,
              msg(
                this.facts.cancelAllIgnoresSymbol
                  ? 'ks.generic.cancelledEvery'
                  : 'ks.generic.acceptedCancelAll',
                { exchange: this.name }
              )
            )
            return
          }
        }
        const symbols = [...new Set((open ?? []).map((o) => o.symbol))].sort()
        if (open === null) {
          step(`cancel-all${round}`, false, 0, msg('ks.generic.marketsUnknown'))
          fail(msg('ks.err.cancelPerMarket'))
          return
        }
        for (const symbol of symbols) {
          const r = await this.retry(
            () => this.call('cancelAllOrders', symbol, params),
            'cancelAll'
          )
          step(
            `cancel-all ${symbol}${round}`,
            r.ok,
            r.attempts,
            r.ok ? msg('ks.generic.cancelledSymbol', { exchange: this.name, symbol }) : r.fault.msg
          )
          if (!r.ok) fail(msg('join.prefixed', { subject: symbol, error: r.fault.msg }))
        }
        if (!symbols.length) step(`cancel-all${round}`, true, 0, msg('ks.generic.noMarketOpen'))
        return
      }
      if (open === null) {
        step(
          label(trigger, `cancel${round}`),
          false,
          0,
          msg(trigger ? 'ks.generic.triggerUnread' : 'ks.generic.openUnread')
        )
        fail(msg(trigger ? 'ks.err.triggerUnread' : 'ks.err.openUnread'))
        return
      }
      if (!open.length) {
        step(
          label(trigger, `cancel${round}`),
          true,
          0,
          msg(trigger ? 'ks.generic.noTriggerToCancel' : 'ks.generic.noOpenToCancel')
        )
        return
      }
      const bySymbol = new Map<string, string[]>()
      for (const o of open) bySymbol.set(o.symbol, [...(bySymbol.get(o.symbol) ?? []), o.id])
      const size = Math.max(1, this.options.batchSize ?? 20)
      for (const [symbol, ids] of bySymbol) {
        if (this.can('cancelOrders')) {
          for (let i = 0; i < ids.length; i += size) {
            const batch = ids.slice(i, i + size)
            const r = await this.retry(
              () => this.call('cancelOrders', batch, symbol, params),
              'cancelOrders'
            )
            step(
              label(trigger, `cancel-batch ${symbol}${round}`),
              r.ok,
              r.attempts,
              r.ok
                ? msg(trigger ? 'ks.generic.askedTrigger' : 'ks.generic.askedOpen', {
                    exchange: this.name,
                    count: batch.length,
                    symbol
                  })
                : r.fault.msg
            )
            if (!r.ok) fail(msg('join.prefixed', { subject: symbol, error: r.fault.msg }))
          }
        } else {
          for (const id of ids) {
            const r = await this.retry(
              () => this.call('cancelOrder', id, symbol, params),
              'cancelOrder'
            )
            // An order that is already gone is what we wanted.
            const gone = !r.ok && /OrderNotFound|not found|does not exist/i.test(r.fault.message)
            step(
              label(trigger, `cancel ${id}${round}`),
              r.ok || gone,
              r.attempts,
              r.ok || gone ? msg('ks.generic.cancelledId', { id, symbol }) : r.fault.msg
            )
            if (!r.ok && !gone) fail(msg('join.prefixed', { subject: id, error: r.fault.msg }))
          }
        }
      }
    }

    let remaining: number | null = 0
    /** Orders last seen open in passes whose read-back failed. */
    let unconfirmed = 0
    for (const trigger of passes) {
      if (trigger && !this.can('fetchOpenOrders')) break
      const before = this.can('fetchOpenOrders')
        ? await readOpen(trigger, label(trigger, 'read-orders'))
        : null
      const beforeIds = new Set((before ?? []).map((o) => o.id))
      // Nothing listed: done, unless one cheap cancel-all call covers what a scoped read missed.
      const blanket =
        !trigger &&
        this.can('cancelAllOrders') &&
        (!this.needsSymbol.has('cancelAllOrders') || !!this.facts.cancelAllIgnoresSymbol)
      if (before && before.length === 0 && !blanket) continue
      await cancelRound(trigger, before, '')
      let after = this.can('fetchOpenOrders')
        ? await readOpen(trigger, label(trigger, 'read-back-orders'))
        : null
      let lastSeen = after?.length ?? before?.length ?? null
      if (after && after.length > 0) {
        await cancelRound(trigger, after, '-retry')
        after = await readOpen(trigger, label(trigger, 'read-back-orders-retry'))
        lastSeen = after?.length ?? lastSeen
      }
      if (after === null) {
        remaining = null
        unconfirmed += lastSeen ?? 1
      } else {
        const left = new Set(after.map((o) => o.id))
        result.ordersCancelled += [...beforeIds].filter((id) => !left.has(id)).length
        if (remaining !== null) remaining += after.length
      }
    }
    if (!this.can('fetchOpenOrders')) remaining = null

    if (options.closePositions) await this.closePositions(step, fail)

    // Unconfirmed is not zero: report the last count seen (at least one), because a zero here
    // reads as "orders confirmed gone" to the orchestrator.
    result.ordersRemaining = remaining ?? Math.max(1, unconfirmed)
    const hint = this.keyHint()
    const exchange = this.name
    if (remaining === null) manual(msg('manual.generic.unconfirmed', { exchange }))
    else if (remaining > 0) manual(msg('manual.generic.left', { count: remaining, exchange }))
    manual(manualRevokeMsg(this.exchange, hint))
    manual(
      options.includeGuardianKey
        ? hint
          ? msg('manual.generic.deleteOwnEnding', { ending: hint, exchange })
          : msg('manual.generic.deleteOwn', { exchange })
        : hint
          ? msg('manual.generic.keepOwnEnding', { ending: hint })
          : msg('manual.generic.keepOwn')
    )
    manual(msg('manual.generic.checkWithdrawals', { exchange }))
    step('revoke-key', false, 0, msg('ks.generic.noRevoke', { exchange }))
    this.logger.info(`${this.exchange}: kill switch finished`, {
      account: this.account.id,
      cancelled: result.ordersCancelled,
      remaining: result.ordersRemaining
    })
    return result
  }

  private async closePositions(step: StepRecorder, fail: FailRecorder): Promise<void> {
    if (!this.can('fetchPositions') || !this.can('createOrder')) {
      step('close-positions', false, 0, msg('ks.generic.noPositions', { exchange: this.name }))
      fail(msg('ks.err.closeByHand', { exchange: this.name }))
      return
    }
    const listed = await this.retry(
      async () =>
        parsePositions(await this.call('fetchPositions'), 'closePositions', this.name).items,
      'closePositions'
    )
    if (!listed.ok) {
      step('close-positions', false, listed.attempts, listed.fault.msg)
      fail(msg('ks.err.readPositions', { error: listed.fault.msg }))
      return
    }
    const open = listed.value.filter((p) => Math.abs(p.contracts ?? 0) > 0)
    if (!open.length) {
      step('close-positions', true, listed.attempts, msg('ks.noPositions'))
      return
    }
    for (const p of open) {
      const side = p.side === 'short' ? 'buy' : 'sell'
      const r = await this.retry(
        () =>
          this.call(
            'createOrder',
            p.symbol,
            'market',
            side,
            Math.abs(p.contracts ?? 0),
            undefined,
            { reduceOnly: true }
          ),
        'closePositions'
      )
      step(
        `close-position ${p.symbol}`,
        r.ok,
        r.attempts,
        r.ok ? msg('ks.closedReduceOnly', { symbol: p.symbol }) : r.fault.msg
      )
      if (!r.ok) fail(msg('ks.err.close', { symbol: p.symbol, error: r.fault.msg }))
    }
  }

  async deadMan(timeoutMs: number): Promise<{ armed: boolean; detail: Message }> {
    if (!this.can('cancelAllOrdersAfter'))
      return { armed: false, detail: msg('deadMan.none', { exchange: this.name }) }
    const r = await this.retry(
      () => this.call('cancelAllOrdersAfter', Math.max(0, Math.round(timeoutMs))),
      'deadMan'
    )
    if (!r.ok) return { armed: false, detail: r.fault.msg }
    return timeoutMs > 0
      ? {
          armed: true,
          detail: msg('deadMan.armed', {
            exchange: this.name,
            seconds: Math.round(timeoutMs / 1000)
          })
        }
      : { armed: false, detail: msg('deadMan.off', { exchange: this.name }) }
  }

  /** The Connector's heartbeat: arms (or with 0 disarms) the exchange's dead-man timer; throws when it cannot. */
  async heartbeat(timeoutSeconds: number): Promise<void> {
    const r = await this.deadMan(timeoutSeconds * 1000)
    if (timeoutSeconds > 0 && !r.armed)
      throw new ExchangeFault('unsupported', r.detail, 'heartbeat')
  }

  async close(): Promise<void> {
    const close = (this.ccxt as { close?: () => Promise<void> }).close
    if (typeof close === 'function') await close.call(this.ccxt).catch(() => {})
  }
}

/**
 * Makes a truncated or non-JSON body on a successful status an error. ccxt hands such a body back
 * as a string and its unified parsers turn that into an empty list, which would read as "no
 * orders" instead of "could not read".
 */
const guardResponses = (exchange: Exchange, name: string): void => {
  const target = exchange as unknown as {
    handleErrors: (...args: unknown[]) => unknown
    __vigilGuarded?: boolean
  }
  if (target.__vigilGuarded || typeof target.handleErrors !== 'function') return
  const original = target.handleErrors
  target.handleErrors = function (this: unknown, ...args: unknown[]): unknown {
    const out = original.apply(this, args)
    const [code, , , , , body, parsed] = args as [
      number,
      unknown,
      unknown,
      unknown,
      unknown,
      unknown,
      unknown
    ]
    if (
      parsed === undefined &&
      typeof code === 'number' &&
      code < 400 &&
      typeof body === 'string' &&
      /^\s*[[{<]/.test(body)
    )
      throw new ExchangeFault(
        'malformed',
        msg('fault.exchange', { exchange: name, error: msg('fault.notJson') })
      )
    return out
  }
  target.__vigilGuarded = true
}
