/**
 * The OKX v5 connector. OKX shows no logins and lists no API keys but the one that signs (its
 * `account/config`), cannot revoke that key over the API and has no cancel-all endpoint, so Vigil
 * infers a takeover from what the key does: orders, fills, withdrawals, transfers, leverage and
 * key-permission changes. Every stream is read through ccxt's implicit (raw) methods and validated
 * with zod before use (ccxt's unified parsers turn a missing `data` into an empty list).
 *
 * Streams and their cursors (see `cursor.ts` for the encodings):
 * - `keys`         account/config, snapshot every poll (no cursor)
 * - `balances`     account/balance, snapshot (OKX's own `eqUsd` as USD value)
 * - `orders`       trade/orders-pending + trade/orders-history(-archive) per instType, JSON
 *                  `{w: "<window cursor on cTime>", open: {ordId: "instId|state|accFillSz|uTime"}}`;
 *                  orders that left the pending list are looked up one by one (trade/order)
 * - `fills`        trade/fills (3 days) or trade/fills-history (3 months), window cursor on ts,
 *                  keyed by billId (tradeId is only unique per instrument)
 * - `withdrawals`  asset/withdrawal-history, JSON `{w, pending: {wdId: state}}` so state changes of
 *                  unfinished withdrawals are seen however old they are
 * - `deposits`     asset/deposit-history, window cursor on ts (read every `coldEvery` polls)
 * - `transfers`    account/bills(-archive) type 1, window cursor on ts keyed by billId
 * - `positions`    account/positions, JSON map instId → "pos:lever:mgnMode"
 * - `leverage`     account/leverage-info (cross margin, ≤ 20 instruments per call), JSON map
 *                  instId → leverage; OKX keeps no leverage history, so the first read is the baseline
 */
import type { Exchange } from 'ccxt'

import type { KillSwitchAccountResult } from '../../api/contract'
import type { NewEvent } from '../model'
import type { Clock, Logger } from '../ports'
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
import {
  decodeSnapshot,
  decodeWindow,
  encodeSnapshot,
  encodeWindow,
  WindowTracker,
  type WindowCursor
} from './cursor'
import { classifyError, exchangeErrorCode, type ClassifyContext } from './errors'
import {
  depositData,
  EXCHANGE_NAME,
  FINAL_WITHDRAWAL_STATES,
  fillData,
  fillMarketPrice,
  guessInstrument,
  isGoneCode,
  isOpenState,
  leverageData,
  OKX_API_KEYS_URL,
  orderData,
  parseAccountConfig,
  parseAlgoOrders,
  parseBalances,
  parseBills,
  parseCancelAllAfter,
  parseDeposits,
  parseFills,
  parseItemResults,
  parseLeverage,
  parseOrders,
  parsePositions,
  parseTickers,
  parseWithdrawals,
  positionData,
  STABLE_USD,
  transferData,
  withdrawalData,
  type InstrumentInfo,
  type OkxBill,
  type OkxDeposit,
  type OkxFill,
  type OkxOrder,
  type OkxPosition
} from './okx-parse'
import { withRetry, type Attempted, type RetryOptions } from './retry'
import { finishEvents, newRun, runStream, type RunContext, type StreamOutput } from './stream-run'
import { englishText, msg, type Message } from '../../api/messages'
import { startKillSwitchResult, type FailRecorder, type StepRecorder } from './kill-switch-result'

const DAY_MS = 24 * 60 * 60 * 1000
const MAX_BACKFILL_MS = 90 * DAY_MS
/** OKX: trade/fills covers 3 days, orders-history and account/bills 7 days. */
const FILLS_RECENT_MS = 3 * DAY_MS
const HISTORY_RECENT_MS = 7 * DAY_MS
/** OKX: at most 20 orders per cancel-batch-orders call, 10 per cancel-algos call. */
const CANCEL_BATCH = 20
const ALGO_CANCEL_BATCH = 10
/** Algo order types, one query each (OKX requires `ordType`; conditional and oco may share one). */
const ALGO_QUERIES = ['conditional,oco', 'trigger', 'move_order_stop', 'iceberg', 'twap'] as const
/** Withdrawals still unfinished after this long are no longer followed. */
const PENDING_WITHDRAWAL_MAX_MS = 30 * DAY_MS

/** Tuning for the OKX connector; every field has a sensible default. */
export interface OkxConnectorOptions {
  /** Records per page (OKX allows at most 100). Default 100. */
  pageSize?: number
  /** Pages per stream in one poll before reporting a gap. Default 20. */
  maxPagesPerPoll?: number
  /** Pages per stream during backfill. Default 500. */
  maxPagesBackfill?: number
  /** How far window streams re-read behind their cursor, for late-visible records. Default 2 s. */
  overlapMs?: number
  /** Where a poll starts for a stream that has no cursor yet (no backfill ran). Default 5 min. */
  lookbackMs?: number
  /** Deposits are read every Nth poll (they are never an attack signal by themselves). Default 5. */
  coldEvery?: number
  /** Orders that left the pending list looked up per poll (the rest wait for the next). Default 20. */
  maxOrderLookups?: number
  /** Orders and fills younger than this are compared with the current ticker. Default 60 s. */
  freshMs?: number
  /**
   * How far behind now a quiet stream's window may trail (records appear on OKX at once; this
   * covers clock skew). Default 2 min.
   */
  settleMs?: number
  /** How long tickers are reused. Default 5 s. */
  tickerTtlMs?: number
  /** Kill-switch retries. Default 3 attempts, 250 ms doubling. */
  retry?: RetryOptions
  /** How long before markets are reloaded when an unknown instrument shows up. Default 10 min. */
  marketsReloadMs?: number
}

/** `ConnectorDeps` plus optional OKX tuning. */
export interface OkxConnectorDeps extends ConnectorDeps {
  options?: OkxConnectorOptions
}

/** What OKX lets Vigil see and do, in plain words for the account screen. */
export const okxCapabilities = (): Capability[] => [
  {
    id: 'loginHistory',
    supported: false,
    note: 'OKX does not publish login history over its API: Vigil infers a takeover from orders, fills, withdrawals, transfers, leverage and changes to its own key.'
  },
  {
    id: 'keyList',
    supported: false,
    note: 'OKX only describes the key that asks (account/config), so a key someone else created on the account is invisible to Vigil. Check the API page on okx.com yourself.'
  },
  {
    id: 'selfKeyInfo',
    supported: true,
    note: "Vigil reads its own key's permissions (read, trade, withdraw) and IP binding every poll. OKX reports no creation or expiry date; keys with trade or withdraw rights and no IP binding are reportedly deleted after 14 days without use."
  },
  {
    id: 'revokeKey',
    supported: false,
    note: "OKX cannot revoke or disable your own API key over the API (only a master account can delete its sub-accounts' keys). The kill switch tells you exactly where to delete it on okx.com."
  },
  {
    id: 'cancelAll',
    supported: true,
    note: 'OKX has no cancel-all call: Vigil lists every open order and cancels them in batches of 20, then cancels trigger and other algo orders, and reads the open orders back to confirm.'
  },
  {
    id: 'orders',
    supported: true,
    note: "Open orders and order history for spot and perpetual swaps. Orders placed through ccxt carry its broker tag and show as API orders; OKX does not say where other orders came from. Canceled orders that never filled vanish from OKX's history after two hours."
  },
  {
    id: 'fills',
    supported: true,
    note: "Every fill, with OKX's index or mark price at execution for off-market checks."
  },
  {
    id: 'withdrawals',
    supported: true,
    note: 'Withdrawals (and their state changes), deposits and transfers out of the trading account.'
  },
  {
    id: 'addressBook',
    supported: false,
    note: 'OKX has no API for its withdrawal-address whitelist, so a newly added address only shows when a withdrawal goes to it.'
  },
  {
    id: 'positions',
    supported: true,
    note: 'Open positions, and leverage on your perpetual swaps (cross margin).'
  },
  {
    id: 'deadMan',
    supported: true,
    note: "OKX's cancel-all-after timer cancels every open order if Vigil stops renewing it (10–120 s). Off by default: it would also cancel your orders whenever this computer sleeps or loses its connection."
  }
]

/** OKX codes ccxt 4.5.84 leaves unmapped (generic ExchangeError) that mean auth or permission. */
const AUTH_CODES = new Set(['50119'])
const PERMISSION_CODES = new Set(['50120', '50121'])

const isStringMap = (v: unknown): v is Record<string, string> =>
  !!v &&
  typeof v === 'object' &&
  !Array.isArray(v) &&
  Object.values(v as object).every((x) => typeof x === 'string')

const isNumberMap = (v: unknown): v is Record<string, number> =>
  !!v &&
  typeof v === 'object' &&
  !Array.isArray(v) &&
  Object.values(v as object).every((x) => typeof x === 'number')

/** JSON cursors of the orders and withdrawals streams. */
interface OrdersCursor {
  w: WindowCursor
  open: Record<string, string>
  /** True when no order state was ever read (first poll without a backfill). */
  fresh: boolean
}

interface WithdrawalsCursor {
  w: WindowCursor
  pending: Record<string, string>
}

const decodeOrders = (value: unknown, since: number): OrdersCursor => {
  if (typeof value === 'string' && value.startsWith('{')) {
    try {
      const parsed = JSON.parse(value) as { w?: unknown; open?: unknown }
      if (typeof parsed.w === 'string' && isStringMap(parsed.open))
        return {
          w: decodeWindow(parsed.w, { ts: since, keys: [] }),
          open: parsed.open,
          fresh: false
        }
    } catch {
      // fall through
    }
  }
  return { w: decodeWindow(value, { ts: since, keys: [] }), open: {}, fresh: true }
}

const encodeOrders = (c: { w: WindowCursor; open: Record<string, string> }): string =>
  JSON.stringify({ w: encodeWindow(c.w), open: c.open })

const decodeWithdrawals = (value: unknown, since: number): WithdrawalsCursor => {
  if (typeof value === 'string' && value.startsWith('{')) {
    try {
      const parsed = JSON.parse(value) as { w?: unknown; pending?: unknown }
      if (typeof parsed.w === 'string' && isStringMap(parsed.pending))
        return { w: decodeWindow(parsed.w, { ts: since, keys: [] }), pending: parsed.pending }
    } catch {
      // fall through
    }
  }
  return { w: decodeWindow(value, { ts: since, keys: [] }), pending: {} }
}

const openState = (o: OkxOrder): string => `${o.instId}|${o.state}|${o.accFillSz ?? 0}|${o.uTime}`
const instOf = (state: string): string => state.split('|')[0] ?? ''

/** The OKX connector plus its optional dead-man heartbeat. */
export interface OkxConnector extends Connector {
  /**
   * Arms (or renews) OKX's cancel-all-after timer: if it is not renewed within `timeoutSeconds`
   * (10–120; 0 disarms), OKX cancels every open order. Returns when OKX will fire (0 = disarmed).
   */
  heartbeat(timeoutSeconds: number): Promise<{ triggerTime: number }>
  /**
   * Renews the timer every `everySeconds` (default a third of the timeout) until the returned
   * function is called; stopping does not disarm it, so OKX cancels everything once it runs out.
   */
  startHeartbeat(options: {
    timeoutSeconds: number
    everySeconds?: number
    onError?: (fault: ExchangeFault) => void
  }): () => void
}

/**
 * Creates the connector for one OKX account. `exchange` is a configured ccxt `okx` instance
 * (see `createCcxtFactory`) with apiKey, secret and password (the key's passphrase).
 */
export const createOkxConnector = (
  exchange: Exchange,
  account: ConnectorAccount,
  deps: OkxConnectorDeps
): OkxConnector =>
  new OkxConnectorImpl(exchange, account, deps.clock, deps.logger, deps.options ?? {})

class OkxConnectorImpl implements OkxConnector {
  readonly exchange = 'okx'
  private readonly pageSize: number
  private readonly overlapMs: number
  private marketsLoadedAt: number | null = null
  private marketsFailure: ExchangeFault | null = null
  /** USD per unit, from balances (eqUsd / eq) and tickers. */
  private readonly usd = new Map<string, { value: number; at: number }>()
  private tickers: { at: number; last: Map<string, number> } | null = null
  /** Currencies ever seen in a balance read: OKX omits zero balances, Vigil reports them as 0. */
  private readonly knownCurrencies = new Set<string>()
  private openIds = new Set<string>()
  private pollCount = 0
  private selfKey: KeySnapshot | null = null
  /** Swap instruments worth watching for leverage beyond the listed ones (positions, orders). */
  private readonly leverageWatch = new Set<string>()

  constructor(
    private readonly ccxt: Exchange,
    private readonly account: ConnectorAccount,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: OkxConnectorOptions
  ) {
    this.pageSize = Math.min(100, Math.max(1, options.pageSize ?? 100))
    this.overlapMs = Math.max(0, options.overlapMs ?? 2000)
  }

  capabilities(): Capability[] {
    return okxCapabilities()
  }

  // -------------------------------------------------------------------------------------------
  // Raw calls

  /** Calls a ccxt implicit method by name; the raw OKX envelope comes back unparsed. */
  private async call(
    method: string,
    params: Record<string, unknown> | unknown[] = {}
  ): Promise<unknown> {
    const fn = (this.ccxt as unknown as Record<string, unknown>)[method]
    if (typeof fn !== 'function')
      throw new ExchangeFault(
        'unsupported',
        msg('fault.exchange', {
          exchange: EXCHANGE_NAME,
          error: msg('fault.ccxt.noMethod', { name: method })
        })
      )
    return (fn as (p: unknown) => Promise<unknown>).call(this.ccxt, params)
  }

  private classifyContext(stream?: string): ClassifyContext {
    return {
      stream,
      exchangeName: EXCHANGE_NAME,
      headers: (this.ccxt as { last_response_headers?: Record<string, unknown> })
        .last_response_headers,
      now: this.clock.now()
    }
  }

  /** classifyError plus the OKX codes ccxt leaves generic (50119 unknown key, 50120 no permission). */
  private classify(error: unknown, stream?: string): ExchangeFault {
    const fault = classifyError(error, this.classifyContext(stream))
    if (fault.category !== 'unknown') return fault
    const code = exchangeErrorCode(error)
    if (code && AUTH_CODES.has(code)) return new ExchangeFault('auth', fault.msg, fault.stream)
    if (code && PERMISSION_CODES.has(code))
      return new ExchangeFault('permission', fault.msg, fault.stream)
    return fault
  }

  private retry<T>(fn: () => Promise<T>, stream: string): Promise<Attempted<T>> {
    return withRetry(
      fn,
      this.clock,
      this.options.retry,
      () => this.classifyContext(stream),
      (error) => this.classify(error, stream)
    )
  }

  // -------------------------------------------------------------------------------------------
  // Markets and prices

  private async ensureMarkets(now: number, reload = false): Promise<void> {
    const fresh = this.marketsLoadedAt !== null && !reload
    const tooSoon =
      this.marketsLoadedAt !== null &&
      now - this.marketsLoadedAt < (this.options.marketsReloadMs ?? 10 * 60_000)
    if (fresh || (reload && tooSoon)) return
    try {
      await this.ccxt.loadMarkets(reload)
      this.marketsLoadedAt = now
      this.marketsFailure = null
    } catch (error) {
      this.marketsFailure = this.classify(error, 'markets')
      this.logger.warn('okx: could not load markets', {
        account: this.account.id,
        error: this.marketsFailure.message
      })
    }
  }

  private instrument(instId: string): InstrumentInfo {
    const market = (
      this.ccxt.markets_by_id?.[instId] as Array<Record<string, unknown>> | undefined
    )?.[0]
    if (!market) return guessInstrument(instId)
    const contractSize = typeof market.contractSize === 'number' ? market.contractSize : 1
    return {
      symbol: String(market.symbol),
      spot: market.spot === true,
      inverse: market.inverse === true,
      contractSize,
      base: typeof market.base === 'string' ? market.base : null,
      quote: typeof market.quote === 'string' ? market.quote : null
    }
  }

  private async reloadMarketsFor(instIds: Iterable<string>, now: number): Promise<void> {
    for (const id of instIds) {
      if (!this.ccxt.markets_by_id?.[id]) {
        await this.ensureMarkets(now, true)
        return
      }
    }
  }

  /** instTypes the loaded markets cover (orders-history and fills-history require one). */
  private instTypes(): string[] {
    const markets = Object.values(this.ccxt.markets ?? {}) as Array<Record<string, unknown>>
    const types = new Set<string>()
    for (const m of markets) {
      if (m.spot === true) types.add('SPOT')
      else if (m.swap === true) types.add('SWAP')
      else if (m.future === true) types.add('FUTURES')
      else if (m.option === true) types.add('OPTION')
    }
    return types.size ? [...types].sort() : ['SPOT']
  }

  private swapIds(): string[] {
    const markets = Object.values(this.ccxt.markets ?? {}) as Array<Record<string, unknown>>
    return markets
      .filter((m) => m.swap === true && typeof m.id === 'string')
      .map((m) => m.id as string)
      .sort()
  }

  /** USD per unit of a currency when known (stablecoins, balances, tickers). */
  private usdOf(ccy: string | null): number | null {
    if (!ccy) return null
    const code = ccy.toUpperCase()
    if (STABLE_USD.has(code)) return 1
    const cached = this.usd.get(code)
    if (cached) return cached.value
    const last = this.tickers?.last.get(`${code}-USDT`) ?? this.tickers?.last.get(`${code}-USDC`)
    return last ?? null
  }

  /**
   * Reads spot (and swap) tickers at most every `tickerTtlMs`. Only costs the prices when it
   * fails: events still arrive, without market price or USD value.
   */
  private async refreshTickers(now: number): Promise<void> {
    if (this.tickers && now - this.tickers.at < (this.options.tickerTtlMs ?? 5000)) return
    const last = new Map<string, number>()
    try {
      for (const instType of this.instTypes().filter((t) => t === 'SPOT' || t === 'SWAP'))
        for (const [k, v] of parseTickers(await this.call('publicGetMarketTickers', { instType })))
          last.set(k, v)
      this.tickers = { at: now, last }
    } catch (error) {
      this.logger.warn('okx: tickers unavailable', {
        account: this.account.id,
        error: this.classify(error, 'tickers').message
      })
      this.tickers ??= { at: now, last }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Poll / backfill

  async backfill(options: {
    since: number
    onProgress?: (progress: number, message: string, descriptor?: Message) => void
  }): Promise<PollResult> {
    const now = this.clock.now()
    const since = Math.max(options.since, now - MAX_BACKFILL_MS)
    await this.ensureMarkets(now)
    const total = 9
    let done = 0
    const report = (message: Message): void =>
      options.onProgress?.(Math.min(1, done / total), englishText(message), message)
    const ctx: RunContext = newRun('backfill', now, since, {}, report)
    report(msg('progress.startOn', { exchange: 'OKX' }))
    const result = await this.run(ctx, true, () => {
      done++
    })
    // A stream that failed keeps its starting point, so the next poll reads the whole window
    // instead of starting "now" and silently skipping the history it could not read.
    const start = (name: string, value: string): void => {
      if (result.cursors[name] === undefined) result.cursors[name] = value
    }
    const window = encodeWindow({ ts: since, keys: [] })
    for (const s of ['fills', 'deposits', 'transfers']) start(s, window)
    start('orders', window)
    start('withdrawals', window)
    start('positions', encodeSnapshot({ kind: 'since', ts: since }))
    start('leverage', encodeSnapshot({ kind: 'since', ts: since }))
    const read = msg('progress.read', { count: result.events.length, exchange: 'OKX' })
    options.onProgress?.(1, englishText(read), read)
    return result
  }

  async poll(cursors: Cursors): Promise<PollResult> {
    const now = this.clock.now()
    this.pollCount++
    await this.ensureMarkets(now)
    const ctx: RunContext = newRun('poll', now, now - (this.options.lookbackMs ?? 5 * 60_000), {
      ...cursors
    })
    const every = Math.max(1, this.options.coldEvery ?? 5)
    return this.run(ctx, every === 1 || this.pollCount % every === 1)
  }

  private async run(
    ctx: RunContext,
    includeCold: boolean,
    onStreamDone: () => void = () => {}
  ): Promise<PollResult> {
    const result: PollResult = { events: ctx.events, cursors: ctx.cursors, errors: ctx.errors }
    // Orders and fills first: they carry the attack signals that need the shortest delay.
    ctx.progress?.(msg('progress.exchangeOrders', { exchange: EXCHANGE_NAME }))
    const orders = await this.stream(ctx, 'orders', () => this.orders(ctx), true)
    if (orders) result.openOrders = this.openIds.size
    onStreamDone()
    ctx.progress?.(msg('progress.exchangeFills', { exchange: EXCHANGE_NAME }))
    await this.stream(ctx, 'fills', () => this.fills(ctx), true)
    onStreamDone()
    await this.stream(ctx, 'keys', async () => {
      result.keys = [await this.readKey('keys')]
      return { events: [] }
    })
    onStreamDone()
    await this.stream(ctx, 'balances', async () => {
      result.balances = await this.balances()
      return { events: [] }
    })
    onStreamDone()
    ctx.progress?.(msg('progress.exchangeWithdrawals', { exchange: EXCHANGE_NAME }))
    await this.stream(ctx, 'withdrawals', () => this.withdrawals(ctx))
    onStreamDone()
    await this.stream(ctx, 'transfers', () => this.transfers(ctx))
    onStreamDone()
    // An exchange that lists only spot markets (a spot-only deployment, the simulator) has no
    // positions or leverage to read.
    const derivatives = this.marketsFailure !== null || this.instTypes().some((t) => t !== 'SPOT')
    if (derivatives) await this.stream(ctx, 'positions', () => this.positions(ctx), true)
    onStreamDone()
    if (derivatives) await this.stream(ctx, 'leverage', () => this.leverage(ctx), true)
    onStreamDone()
    if (includeCold) await this.stream(ctx, 'deposits', () => this.deposits(ctx))
    onStreamDone()
    result.events = finishEvents(ctx.events)
    return result
  }

  /**
   * Runs one stream: its events and cursor are committed only if the whole stream succeeded, so a
   * failed or malformed read loses nothing and is retried from the same cursor next time.
   */
  private stream(
    ctx: RunContext,
    name: string,
    fn: () => Promise<StreamOutput>,
    needsMarkets = false
  ): Promise<StreamOutput | undefined> {
    return runStream(ctx, name, fn, needsMarkets, {
      exchange: 'okx',
      accountId: this.account.id,
      logger: this.logger,
      classify: (error, stream) => this.classify(error, stream),
      marketsFailure: this.marketsFailure,
      // A market list that failed on auth, a rate limit or maintenance halts the run too.
      haltOnMarketsFailure: true
    })
  }

  private maxPages(ctx: RunContext): number {
    return ctx.mode === 'backfill'
      ? (this.options.maxPagesBackfill ?? 500)
      : (this.options.maxPagesPerPoll ?? 20)
  }

  /**
   * Reads pages newest first, following OKX's `after` cursor (an id or a timestamp), until a page
   * is short, `reachedOld` says the rest is older than needed, or the page budget runs out.
   */
  private async pages<T>(
    ctx: RunContext,
    method: string,
    params: Record<string, unknown>,
    parse: (raw: unknown) => T[],
    cursorOf: (row: T) => string,
    reachedOld: (rows: T[]) => boolean,
    label: Message
  ): Promise<{ rows: T[]; complete: boolean }> {
    const rows: T[] = []
    let after: string | undefined
    for (let page = 0; page < this.maxPages(ctx); page++) {
      const batch = parse(
        await this.call(method, {
          ...params,
          limit: String(this.pageSize),
          ...(after ? { after } : {})
        })
      )
      rows.push(...batch)
      if (page > 0) ctx.progress?.(msg('progress.records', { what: label, count: rows.length }))
      if (batch.length < this.pageSize || reachedOld(batch)) return { rows, complete: true }
      const next = cursorOf(batch[batch.length - 1]!)
      if (next === after) return { rows, complete: true }
      after = next
    }
    return { rows, complete: false }
  }

  /**
   * The window cursor to store. A quiet stream has no record to move its watermark, so after a
   * complete read it moves up to `settleMs` before now: records show up on OKX at once, and
   * without this a quiet stream would re-read (and pay for) its whole history window every poll.
   * The keys of the records just read are kept, so the overlap never re-delivers them.
   */
  private settle(tracker: WindowTracker, ctx: RunContext, complete: boolean): WindowCursor {
    const next = tracker.next(ctx.now)
    const floor = ctx.now - (this.options.settleMs ?? 120_000)
    if (!complete || next.ts >= floor) return next
    // A complete read fetched every record inside the old window, so `next.keys` holds all that
    // can still fall inside the new one.
    return { ts: floor, keys: next.keys }
  }

  private tooMany(stream: string, what: Message): ExchangeFault {
    return new ExchangeFault(
      'unknown',
      msg('fault.exchange', { exchange: EXCHANGE_NAME, error: msg('fault.pageLimit', { what }) }),
      stream
    )
  }

  // -------------------------------------------------------------------------------------------
  // Streams

  private async readKey(stream: string): Promise<KeySnapshot> {
    const parsed = parseAccountConfig(
      await this.call('privateGetAccountConfig'),
      this.ccxt.apiKey,
      stream
    )
    this.selfKey = parsed.key
    return parsed.key
  }

  private async balances(): Promise<BalanceSnapshot[]> {
    const rows = parseBalances(await this.call('privateGetAccountBalance'))
    const now = this.clock.now()
    const out: BalanceSnapshot[] = []
    for (const b of rows) {
      this.knownCurrencies.add(b.currency)
      if (b.usdValue !== null && b.total > 0)
        this.usd.set(b.currency.toUpperCase(), { value: b.usdValue / b.total, at: now })
      out.push({
        currency: b.currency,
        total: b.total,
        usdValue:
          b.usdValue ?? (this.usdOf(b.currency) === null ? null : b.total * this.usdOf(b.currency)!)
      })
    }
    // OKX leaves out currencies with nothing in them: one that was there before has gone to zero.
    for (const ccy of this.knownCurrencies)
      if (!rows.some((b) => b.currency === ccy)) out.push({ currency: ccy, total: 0, usdValue: 0 })
    return out
  }

  private async orders(ctx: RunContext): Promise<StreamOutput> {
    const name = 'orders'
    const previous = decodeOrders(ctx.cursors[name], ctx.since)
    const tracker = new WindowTracker(previous.w, this.overlapMs)
    const windowStart = ctx.mode === 'backfill' ? ctx.since : tracker.windowStart
    const pending = await this.pages(
      ctx,
      'privateGetTradeOrdersPending',
      {},
      (raw) => parseOrders(raw, 'open orders', name),
      (o) => o.ordId,
      () => false,
      msg('progress.exchangeOpenOrders', { exchange: EXCHANGE_NAME })
    )
    const archive = ctx.now - windowStart > HISTORY_RECENT_MS - 60_000
    let complete = pending.complete
    const history: OkxOrder[] = []
    for (const instType of this.instTypes()) {
      const read = await this.pages(
        ctx,
        archive ? 'privateGetTradeOrdersHistoryArchive' : 'privateGetTradeOrdersHistory',
        { instType, begin: String(Math.max(0, windowStart)) },
        (raw) => parseOrders(raw, `${instType} order history`, name),
        (o) => o.ordId,
        (rows) => rows.some((o) => o.cTime < windowStart),
        msg('progress.exchangeOrderHistory', { exchange: EXCHANGE_NAME, type: instType })
      )
      history.push(...read.rows)
      complete &&= read.complete
    }
    const byId = new Map<string, OkxOrder>()
    for (const o of [...history, ...pending.rows]) {
      const had = byId.get(o.ordId)
      if (!had || o.uTime >= had.uTime) byId.set(o.ordId, o)
    }
    const pendingIds = new Set(pending.rows.map((o) => o.ordId))
    await this.reloadMarketsFor(
      [...byId.values()].map((o) => o.instId),
      ctx.now
    )
    const fresh = [...byId.values()].some(
      (o) => ctx.now - o.cTime <= (this.options.freshMs ?? 60_000)
    )
    if (fresh && ctx.mode === 'poll') await this.refreshTickers(ctx.now)

    const events: NewEvent[] = []
    const open: Record<string, string> = {}
    const ordered = [...byId.values()].sort(
      (a, b) => a.cTime - b.cTime || (a.ordId < b.ordId ? -1 : 1)
    )
    for (const o of ordered) {
      const before = previous.open[o.ordId]
      const delivered = tracker.delivered(o.ordId)
      tracker.observe(o.ordId, o.cTime)
      if (pendingIds.has(o.ordId)) open[o.ordId] = openState(o)
      if (ctx.mode === 'backfill') {
        if (!delivered) events.push(this.orderEvent(o, ctx, 'new'))
      } else if (before === undefined) {
        // An order first seen now: new when placed inside the window; an older resting order on a
        // stream that never read order state before is the account's existing state.
        if (!delivered && (o.cTime >= windowStart || !previous.fresh))
          events.push(this.orderEvent(o, ctx, 'new'))
      } else if (before !== openState(o)) {
        events.push(this.orderEvent(o, ctx, 'updated'))
      }
      if (!isOpenState(o.state)) this.leverageWatchAdd(o)
    }
    // Orders that left the pending list without showing up in the history we read: ask for each.
    const vanished = Object.entries(previous.open).filter(([ordId]) => !byId.has(ordId))
    const budget = Math.max(0, this.options.maxOrderLookups ?? 20)
    for (const [ordId, state] of vanished.slice(budget)) open[ordId] = state
    for (const [ordId, state] of vanished.slice(0, budget)) {
      const instId = instOf(state)
      try {
        const [o] = parseOrders(
          await this.call('privateGetTradeOrder', { instId, ordId }),
          'order details',
          name
        )
        if (!o)
          throw new ExchangeFault(
            'malformed',
            msg('fault.exchange', {
              exchange: EXCHANGE_NAME,
              error: msg('fault.orderNotReturned', { id: ordId })
            }),
            name
          )
        if (isOpenState(o.state)) {
          open[ordId] = openState(o)
          if (openState(o) !== state) events.push(this.orderEvent(o, ctx, 'updated'))
        } else events.push(this.orderEvent(o, ctx, 'updated'))
      } catch (error) {
        const code = exchangeErrorCode(error)
        if (!isGoneCode(code)) throw error
        // OKX forgets canceled orders that never filled: gone means canceled.
        const info = this.instrument(instId)
        events.push({
          accountId: this.account.id,
          kind: 'order',
          type: 'order.updated',
          exchangeRecordId: `${ordId}#canceled`,
          ts: ctx.now,
          data: {
            orderId: ordId,
            symbol: info.symbol,
            side: 'buy',
            type: 'unknown',
            status: 'cancelled',
            amount: 0,
            state: 'canceled',
            note: 'OKX no longer lists this order (canceled without fills)'
          }
        })
      }
    }
    this.openIds = new Set(Object.keys(open))
    return {
      events,
      cursor: encodeOrders({ w: this.settle(tracker, ctx, complete), open }),
      warning:
        !complete || vanished.length > budget
          ? this.tooMany(name, msg('records.orders'))
          : undefined
    }
  }

  private orderEvent(o: OkxOrder, ctx: RunContext, kind: 'new' | 'updated'): NewEvent {
    const info = this.instrument(o.instId)
    // Only a just-placed order can be compared with the current market price.
    const isFresh = ctx.mode === 'poll' && ctx.now - o.cTime <= (this.options.freshMs ?? 60_000)
    const data = orderData(o, {
      info,
      quoteUsd: info.inverse ? 1 : this.usdOf(info.quote),
      marketPrice: isFresh ? (this.tickers?.last.get(o.instId) ?? null) : null
    })
    if (kind === 'new')
      return {
        accountId: this.account.id,
        kind: 'order',
        type: 'order.new',
        exchangeRecordId: o.ordId,
        ts: o.cTime,
        data
      }
    const suffix =
      o.state === 'live' || o.state === 'partially_filled'
        ? `${o.state}@${o.accFillSz ?? 0}@${o.uTime}`
        : o.state
    return {
      accountId: this.account.id,
      kind: 'order',
      type: 'order.updated',
      exchangeRecordId: `${o.ordId}#${suffix}`,
      ts: o.uTime,
      data
    }
  }

  private leverageWatchAdd(o: { instId: string }): void {
    if (o.instId.endsWith('-SWAP')) this.leverageWatch.add(o.instId)
  }

  private async fills(ctx: RunContext): Promise<StreamOutput> {
    const name = 'fills'
    const tracker = new WindowTracker(
      decodeWindow(ctx.cursors[name], { ts: ctx.since, keys: [] }),
      this.overlapMs
    )
    const windowStart = ctx.mode === 'backfill' ? ctx.since : tracker.windowStart
    const recent = ctx.now - windowStart < FILLS_RECENT_MS - 60_000
    const rows: OkxFill[] = []
    let complete = true
    const readOld = (batch: OkxFill[]): boolean => batch.some((f) => f.ts < windowStart)
    if (recent) {
      const read = await this.pages(
        ctx,
        'privateGetTradeFills',
        { begin: String(Math.max(0, windowStart)) },
        (raw) => parseFills(raw, name),
        (f) => f.billId,
        readOld,
        msg('progress.exchangeFills', { exchange: EXCHANGE_NAME })
      )
      rows.push(...read.rows)
      complete = read.complete
    } else {
      for (const instType of this.instTypes()) {
        const read = await this.pages(
          ctx,
          'privateGetTradeFillsHistory',
          { instType, begin: String(Math.max(0, windowStart)) },
          (raw) => parseFills(raw, name),
          (f) => f.billId,
          readOld,
          msg('progress.exchangeTypeFills', { exchange: EXCHANGE_NAME, type: instType })
        )
        rows.push(...read.rows)
        complete &&= read.complete
      }
    }
    await this.reloadMarketsFor(
      rows.map((f) => f.instId),
      ctx.now
    )
    const fresh = rows.some((f) => ctx.now - f.ts <= (this.options.freshMs ?? 60_000))
    if (fresh && ctx.mode === 'poll') await this.refreshTickers(ctx.now)
    const events: NewEvent[] = []
    const seen = new Set<string>()
    for (const f of rows.sort((a, b) => a.ts - b.ts)) {
      if (seen.has(f.billId)) continue
      seen.add(f.billId)
      if (f.ts < windowStart || !tracker.observe(f.billId, f.ts)) continue
      const info = this.instrument(f.instId)
      if (!info.spot) this.leverageWatch.add(f.instId)
      const isFresh = ctx.mode === 'poll' && ctx.now - f.ts <= (this.options.freshMs ?? 60_000)
      const market =
        fillMarketPrice(f, info) ?? (isFresh ? (this.tickers?.last.get(f.instId) ?? null) : null)
      events.push({
        accountId: this.account.id,
        kind: 'fill',
        type: 'fill.new',
        exchangeRecordId: f.billId,
        ts: f.ts,
        data: fillData(f, info, info.inverse ? 1 : this.usdOf(info.quote), market)
      })
    }
    return {
      events,
      cursor: encodeWindow(this.settle(tracker, ctx, complete)),
      warning: complete ? undefined : this.tooMany(name, msg('records.fills'))
    }
  }

  private async withdrawals(ctx: RunContext): Promise<StreamOutput> {
    const name = 'withdrawals'
    const previous = decodeWithdrawals(ctx.cursors[name], ctx.since)
    const tracker = new WindowTracker(previous.w, this.overlapMs)
    const windowStart = ctx.mode === 'backfill' ? ctx.since : tracker.windowStart
    // Unfinished withdrawals are followed until they finish, however far back they are.
    const pendingTs = Object.values(previous.pending)
      .map((v) => Number(v.split('@')[1]))
      .filter((t) => Number.isFinite(t) && t >= ctx.now - PENDING_WITHDRAWAL_MAX_MS)
    const from = Math.min(windowStart, ...pendingTs)
    const read = await this.pages(
      ctx,
      'privateGetAssetWithdrawalHistory',
      {},
      (raw) => parseWithdrawals(raw, name),
      (w) => String(w.ts),
      (rows) => rows.some((w) => w.ts < from),
      msg('progress.exchangeWithdrawalsOnly', { exchange: EXCHANGE_NAME })
    )
    const needUsd = read.rows.some((w) => w.ts >= from && this.usdOf(w.ccy) === null)
    if (needUsd && ctx.mode === 'poll') await this.refreshTickers(ctx.now)
    const events: NewEvent[] = []
    const pending: Record<string, string> = {}
    for (const w of read.rows.sort((a, b) => a.ts - b.ts)) {
      if (w.ts < from) continue
      const before = previous.pending[w.wdId]?.split('@')[0]
      const key = `${w.wdId}@${w.state}`
      const deliveredAny = tracker.deliveredPrefix(`${w.wdId}@`)
      const delivered = tracker.delivered(key)
      tracker.observe(key, w.ts)
      if (!FINAL_WITHDRAWAL_STATES.has(w.state)) pending[w.wdId] = `${w.state}@${w.ts}`
      const data = withdrawalData(w, this.usdOf(w.ccy))
      const isNew =
        ctx.mode === 'backfill'
          ? !delivered
          : before === undefined && !deliveredAny && w.ts >= windowStart
      if (isNew) {
        events.push({
          accountId: this.account.id,
          kind: 'withdrawal',
          type: 'withdrawal.new',
          exchangeRecordId: w.wdId,
          ts: w.ts,
          data
        })
      } else if (ctx.mode === 'poll' && (before ?? null) !== null && before !== w.state) {
        events.push({
          accountId: this.account.id,
          kind: 'withdrawal',
          type: 'withdrawal.updated',
          exchangeRecordId: `${w.wdId}#${w.state}`,
          ts: ctx.now,
          data
        })
      } else if (ctx.mode === 'poll' && before === undefined && deliveredAny && !delivered) {
        events.push({
          accountId: this.account.id,
          kind: 'withdrawal',
          type: 'withdrawal.updated',
          exchangeRecordId: `${w.wdId}#${w.state}`,
          ts: ctx.now,
          data
        })
      }
    }
    return {
      events,
      cursor: JSON.stringify({
        w: encodeWindow(this.settle(tracker, ctx, read.complete)),
        pending
      }),
      warning: read.complete ? undefined : this.tooMany(name, msg('records.withdrawals'))
    }
  }

  private async deposits(ctx: RunContext): Promise<StreamOutput> {
    const name = 'deposits'
    const tracker = new WindowTracker(
      decodeWindow(ctx.cursors[name], { ts: ctx.since, keys: [] }),
      this.overlapMs
    )
    const windowStart = ctx.mode === 'backfill' ? ctx.since : tracker.windowStart
    const read = await this.pages(
      ctx,
      'privateGetAssetDepositHistory',
      {},
      (raw) => parseDeposits(raw, name),
      (d) => String(d.ts),
      (rows) => rows.some((d) => d.ts < windowStart),
      msg('progress.exchangeDeposits', { exchange: EXCHANGE_NAME })
    )
    const events: NewEvent[] = []
    for (const d of read.rows.sort((a: OkxDeposit, b: OkxDeposit) => a.ts - b.ts)) {
      if (d.ts < windowStart) continue
      if (!tracker.observe(d.depId, d.ts)) continue
      events.push({
        accountId: this.account.id,
        kind: 'deposit',
        type: 'deposit.new',
        exchangeRecordId: d.depId,
        ts: d.ts,
        data: depositData(d, this.usdOf(d.ccy))
      })
    }
    return {
      events,
      cursor: encodeWindow(this.settle(tracker, ctx, read.complete)),
      warning: read.complete ? undefined : this.tooMany(name, msg('records.deposits'))
    }
  }

  private async transfers(ctx: RunContext): Promise<StreamOutput> {
    const name = 'transfers'
    const tracker = new WindowTracker(
      decodeWindow(ctx.cursors[name], { ts: ctx.since, keys: [] }),
      this.overlapMs
    )
    const windowStart = ctx.mode === 'backfill' ? ctx.since : tracker.windowStart
    const archive = ctx.now - windowStart > HISTORY_RECENT_MS - 60_000
    const read = await this.pages(
      ctx,
      archive ? 'privateGetAccountBillsArchive' : 'privateGetAccountBills',
      { type: '1', begin: String(Math.max(0, windowStart)) },
      (raw) => parseBills(raw, name),
      (b) => b.billId,
      (rows) => rows.some((b) => b.ts < windowStart),
      msg('progress.exchangeTransfers', { exchange: EXCHANGE_NAME })
    )
    const events: NewEvent[] = []
    for (const b of read.rows.sort((x: OkxBill, y: OkxBill) => x.ts - y.ts)) {
      if (b.type !== '1' || b.ts < windowStart) continue
      if (!tracker.observe(b.billId, b.ts)) continue
      const data = transferData(b, this.usdOf(b.ccy))
      events.push({
        accountId: this.account.id,
        kind: 'transfer',
        // Money coming in is not exfiltration: only transfers out are `transfer.new`.
        type: data.direction === 'out' ? 'transfer.new' : 'transfer.in',
        exchangeRecordId: b.billId,
        ts: b.ts,
        data
      })
    }
    return {
      events,
      cursor: encodeWindow(this.settle(tracker, ctx, read.complete)),
      warning: read.complete ? undefined : this.tooMany(name, msg('records.transfers'))
    }
  }

  private async positions(ctx: RunContext): Promise<StreamOutput> {
    const name = 'positions'
    const list = parsePositions(await this.call('privateGetAccountPositions'), name)
    const state: Record<string, string> = {}
    const byId = new Map<string, OkxPosition>()
    for (const p of list) {
      if (p.pos === 0) continue
      const key = p.posSide && p.posSide !== 'net' ? `${p.instId}:${p.posSide}` : p.instId
      byId.set(key, p)
      state[key] = `${p.pos}:${p.lever ?? ''}:${p.mgnMode ?? ''}`
      if (p.instId.endsWith('-SWAP')) this.leverageWatch.add(p.instId)
    }
    const previous = decodeSnapshot<Record<string, string>>(
      ctx.cursors[name],
      { kind: 'since', ts: ctx.since },
      isStringMap
    )
    const before = previous.kind === 'state' ? previous.state : {}
    const events: NewEvent[] = []
    for (const key of new Set([...Object.keys(before), ...Object.keys(state)])) {
      if (before[key] === state[key]) continue
      const instId = key.split(':')[0]!
      events.push({
        accountId: this.account.id,
        kind: 'position',
        type: 'position.changed',
        exchangeRecordId: `${key}#${ctx.now}`,
        ts: ctx.now,
        data: positionData(this.instrument(instId), byId.get(key) ?? null)
      })
    }
    return { events, cursor: encodeSnapshot({ kind: 'state', state }) }
  }

  private async leverage(ctx: RunContext): Promise<StreamOutput> {
    const name = 'leverage'
    const listed = this.swapIds()
    // Everything listed when that fits one call (the simulator, small accounts); else what the
    // account holds or traded.
    const ids = [...new Set([...(listed.length <= 20 ? listed : []), ...this.leverageWatch])].sort()
    const previous = decodeSnapshot<Record<string, number>>(
      ctx.cursors[name],
      { kind: 'since', ts: ctx.since },
      isNumberMap
    )
    const before = previous.kind === 'state' ? previous.state : {}
    if (ids.length === 0)
      return { events: [], cursor: encodeSnapshot({ kind: 'state', state: before }) }
    const now: Record<string, number> = {}
    for (let i = 0; i < ids.length; i += 20) {
      const chunk = ids.slice(i, i + 20)
      const read = parseLeverage(
        await this.call('privateGetAccountLeverageInfo', {
          instId: chunk.join(','),
          mgnMode: 'cross'
        }),
        name
      )
      for (const [instId, lever] of read) now[instId] = lever
    }
    const events: NewEvent[] = []
    if (previous.kind === 'state') {
      for (const [instId, lever] of Object.entries(now)) {
        const had = before[instId]
        if (had === undefined || had === lever) continue
        events.push({
          accountId: this.account.id,
          kind: 'leverage',
          type: 'leverage.changed',
          exchangeRecordId: `${instId}:lever:${lever}#${ctx.now}`,
          ts: ctx.now,
          data: { ...leverageData(this.instrument(instId).symbol, lever, had), mgnMode: 'cross' }
        })
      }
    }
    return { events, cursor: encodeSnapshot({ kind: 'state', state: { ...before, ...now } }) }
  }

  // -------------------------------------------------------------------------------------------
  // Containment

  async disableKeys(keyIds: string[]): Promise<KeysDisabled> {
    // OKX cannot disable or delete the calling key, and lists no other key.
    return {
      disabled: [],
      failed: [...new Set(keyIds)].map((keyId) =>
        keyNotDisabled(keyId, msg('keys.okx.cannotDisable', { url: OKX_API_KEYS_URL }))
      )
    }
  }

  /** Every open (non-algo) order, newest first, all pages. */
  private async readOpenOrders(stream: string): Promise<OkxOrder[]> {
    const out: OkxOrder[] = []
    let after: string | undefined
    for (let page = 0; page < 100; page++) {
      const rows = parseOrders(
        await this.call('privateGetTradeOrdersPending', {
          limit: String(this.pageSize),
          ...(after ? { after } : {})
        }),
        'open orders',
        stream
      )
      out.push(...rows)
      if (rows.length < this.pageSize) break
      after = rows[rows.length - 1]!.ordId
    }
    this.openIds = new Set(out.map((o) => o.ordId))
    return out
  }

  /** Every pending algo order (trigger, conditional, oco, trailing, iceberg, TWAP). */
  private async readAlgoOrders(stream: string) {
    const out: ReturnType<typeof parseAlgoOrders> = []
    for (const ordType of ALGO_QUERIES) {
      let after: string | undefined
      for (let page = 0; page < 100; page++) {
        const rows = parseAlgoOrders(
          await this.call('privateGetTradeOrdersAlgoPending', {
            ordType,
            limit: String(this.pageSize),
            ...(after ? { after } : {})
          }),
          stream
        )
        out.push(...rows)
        if (rows.length < this.pageSize) break
        after = rows[rows.length - 1]!.algoId
      }
    }
    return out
  }

  /**
   * Cancels in batches; an answer saying an order is already gone counts as done. Returns how many
   * this call cancelled and the failures worth reporting.
   */
  private async cancelBatches(
    items: { id: string; instId: string }[],
    kind: 'orders' | 'algos'
  ): Promise<{ cancelled: number; attempts: number; failed: Message[] }> {
    const size = kind === 'orders' ? CANCEL_BATCH : ALGO_CANCEL_BATCH
    const method =
      kind === 'orders' ? 'privatePostTradeCancelBatchOrders' : 'privatePostTradeCancelAlgos'
    const stream = kind === 'orders' ? 'cancelOrders' : 'cancelAlgos'
    let cancelled = 0
    let attempts = 0
    const failed: Message[] = []
    for (let i = 0; i < items.length; i += size) {
      const chunk = items.slice(i, i + size)
      const body = chunk.map((c) =>
        kind === 'orders' ? { instId: c.instId, ordId: c.id } : { instId: c.instId, algoId: c.id }
      )
      const r = await this.retry(async () => {
        try {
          return parseItemResults(await this.call(method, body), 'cancel answer', stream)
        } catch (error) {
          // OKX answers code "1" when every item failed; if they all failed because the orders
          // are already gone, that is success for a kill switch.
          if (isGoneCode(exchangeErrorCode(error)))
            return chunk.map((c) => ({
              id: c.id,
              ok: false,
              gone: true,
              code: '51400',
              message: ''
            }))
          throw error
        }
      }, stream)
      attempts += r.attempts
      if (!r.ok) {
        failed.push(r.fault.msg)
        continue
      }
      for (const item of r.value) {
        if (item.ok) cancelled++
        else if (!item.gone)
          failed.push(
            msg('fault.notCancelled', {
              exchange: EXCHANGE_NAME,
              id: item.id,
              reason: item.message || msg('fault.code', { code: item.code })
            })
          )
      }
    }
    return { cancelled, attempts, failed }
  }

  async killSwitch(options: KillSwitchOptions): Promise<KillSwitchAccountResult> {
    const { result, step, fail, manual } = startKillSwitchResult(
      {
        account: this.account.id,
        exchange: 'okx',
        key: 'manual-revoke-required',
        manualUrl: OKX_API_KEYS_URL
      },
      options.onStep
    )

    // 1. Regular orders: list, cancel in batches of 20, read back; one more round for leftovers.
    const cancelOrders = async (round: string): Promise<number | null> => {
      const listed = await this.retry(() => this.readOpenOrders('killSwitch'), 'killSwitch')
      if (!listed.ok) {
        step(`list-open-orders${round}`, false, listed.attempts, listed.fault.msg)
        fail(msg('ks.err.listOpenOrders', { error: listed.fault.msg }))
        return null
      }
      step(
        `list-open-orders${round}`,
        true,
        listed.attempts,
        msg('ks.openOrders', { count: listed.value.length })
      )
      if (listed.value.length === 0) return 0
      const r = await this.cancelBatches(
        listed.value.map((o) => ({ id: o.ordId, instId: o.instId })),
        'orders'
      )
      result.ordersCancelled += r.cancelled
      step(
        `cancel-orders${round}`,
        r.failed.length === 0,
        r.attempts,
        r.failed.length
          ? msg('ks.okx.cancelledFailed', {
              count: r.cancelled,
              batch: CANCEL_BATCH,
              failed: r.failed.length
            })
          : msg('ks.okx.cancelled', { count: r.cancelled, batch: CANCEL_BATCH })
      )
      for (const f of r.failed) fail(f)
      return listed.value.length - r.cancelled
    }
    const readBack = async (label: string): Promise<number | null> => {
      const r = await this.retry(() => this.readOpenOrders('readBack'), 'readBack')
      if (!r.ok) {
        step(label, false, r.attempts, r.fault.msg)
        fail(msg('ks.err.confirmOpenOrders', { error: r.fault.msg }))
        return null
      }
      step(label, r.value.length === 0, r.attempts, msg('ks.openLeft', { count: r.value.length }))
      return r.value.length
    }

    // 2. Algo orders (trigger, conditional, …) have their own ids and their own cancel call.
    let algosListed: number | null = null
    const cancelAlgos = async (round: string): Promise<number | null> => {
      const listed = await this.retry(() => this.readAlgoOrders('killSwitch'), 'killSwitch')
      if (!listed.ok) {
        step(`list-algo-orders${round}`, false, listed.attempts, listed.fault.msg)
        fail(msg('ks.err.listAlgo', { error: listed.fault.msg }))
        return null
      }
      step(
        `list-algo-orders${round}`,
        true,
        listed.attempts,
        msg('ks.okx.pendingAlgo', { count: listed.value.length })
      )
      algosListed = listed.value.length
      if (listed.value.length === 0) return 0
      const r = await this.cancelBatches(
        listed.value.map((a) => ({ id: a.algoId, instId: a.instId })),
        'algos'
      )
      result.ordersCancelled += r.cancelled
      step(
        `cancel-algo-orders${round}`,
        r.failed.length === 0,
        r.attempts,
        r.failed.length
          ? msg('ks.okx.cancelledAlgoFailed', {
              count: r.cancelled,
              batch: ALGO_CANCEL_BATCH,
              failed: r.failed.length
            })
          : msg('ks.okx.cancelledAlgo', { count: r.cancelled, batch: ALGO_CANCEL_BATCH })
      )
      for (const f of r.failed) fail(f)
      return listed.value.length - r.cancelled
    }
    const readBackAlgos = async (label: string): Promise<number | null> => {
      const r = await this.retry(() => this.readAlgoOrders('readBack'), 'readBack')
      if (!r.ok) {
        step(label, false, r.attempts, r.fault.msg)
        fail(msg('ks.err.confirmAlgo', { error: r.fault.msg }))
        return null
      }
      step(
        label,
        r.value.length === 0,
        r.attempts,
        msg('ks.okx.algoLeft', { count: r.value.length })
      )
      return r.value.length
    }

    await this.ensureMarkets(this.clock.now())
    await cancelOrders('')
    await cancelAlgos('')
    let orders = await readBack('read-back-orders')
    // Listing algo orders costs five throttled calls; when the first pass found none there is
    // nothing to confirm (regular orders, where an attacker acts, are always read back).
    let algos: number | null
    if (algosListed === 0) {
      algos = 0
      step('read-back-algo-orders', true, 0, msg('ks.okx.noAlgoPending'))
    } else algos = await readBackAlgos('read-back-algo-orders')
    if (orders === null || orders > 0) {
      await cancelOrders('-retry')
      orders = await readBack('read-back-orders-retry')
    }
    if (algos === null || algos > 0) {
      await cancelAlgos('-retry')
      algos = await readBackAlgos('read-back-algo-orders-retry')
    }

    // 3. Optional: close positions with reduce-only market orders.
    if (options.closePositions) await this.closePositions(step, fail)

    // 4. The key: OKX cannot revoke the calling key, nor list others. Read it so the steps name it.
    // The last poll's read names the key; only read it now when there is none (it costs a
    // heavily throttled call while the trader is waiting for containment).
    let key = this.selfKey
    let attempts = 0
    if (!key) {
      const read = await this.retry(() => this.readKey('killSwitch'), 'killSwitch')
      attempts = read.attempts
      if (read.ok) key = read.value
    }
    const named = key?.name ? msg('key.quoted', { name: key.name }) : msg('key.vigils')
    const label = this.ccxt.apiKey
      ? msg('key.ending', { key: named, ending: this.ccxt.apiKey.slice(-4) })
      : named
    const url = OKX_API_KEYS_URL
    step('revoke-key', false, attempts, msg('ks.okx.noRevoke', { key: label, url }))
    const leftOrders = orders ?? this.openIds.size
    const left = leftOrders + (algos ?? 0)
    if (orders === null || algos === null) manual(msg('manual.okx.unconfirmed'))
    else if (left > 0) manual(msg('manual.okx.left', { count: left }))
    if (left > 0 && result.errors.some((e) => /not allowed|permission/i.test(e)))
      manual(msg('manual.okx.noTradePermission'))
    manual(msg('manual.okx.deleteKey', { key: label, url }))
    manual(msg('manual.okx.otherKeys'))
    manual(msg('manual.okx.newKey'))
    result.ordersRemaining = left
    // Orders are confirmed gone, but the key stays usable until the trader deletes it.
    result.contained = false
    this.logger.info('okx: kill switch finished', {
      account: this.account.id,
      cancelled: result.ordersCancelled,
      remaining: result.ordersRemaining
    })
    return result
  }

  private async closePositions(step: StepRecorder, fail: FailRecorder): Promise<void> {
    const listed = await this.retry(
      async () => parsePositions(await this.call('privateGetAccountPositions'), 'closePositions'),
      'closePositions'
    )
    if (!listed.ok) {
      step('close-positions', false, listed.attempts, listed.fault.msg)
      fail(msg('ks.err.readPositions', { error: listed.fault.msg }))
      return
    }
    const open = listed.value.filter((p) => p.pos !== 0)
    if (!open.length) {
      step('close-positions', true, listed.attempts, msg('ks.noPositions'))
      return
    }
    for (const p of open) {
      const r = await this.retry(
        () =>
          this.call('privatePostTradeClosePosition', {
            instId: p.instId,
            mgnMode: p.mgnMode || 'cross',
            ...(p.posSide && p.posSide !== 'net' ? { posSide: p.posSide } : {})
          }),
        'closePositions'
      )
      step(
        `close-position ${p.instId}`,
        r.ok,
        r.attempts,
        r.ok ? msg('ks.closedAtMarket', { symbol: p.instId }) : r.fault.msg
      )
      if (!r.ok) fail(msg('ks.err.close', { symbol: p.instId, error: r.fault.msg }))
    }
  }

  // -------------------------------------------------------------------------------------------
  // Dead-man heartbeat

  async heartbeat(timeoutSeconds: number): Promise<{ triggerTime: number }> {
    const seconds = Math.round(timeoutSeconds)
    if (seconds !== 0 && (seconds < 10 || seconds > 120))
      throw new ExchangeFault(
        'unknown',
        msg('fault.exchange', { exchange: EXCHANGE_NAME, error: msg('fault.okx.deadManRange') }),
        'heartbeat'
      )
    try {
      // ccxt's unified call takes milliseconds and sends OKX whole seconds.
      const raw = await this.ccxt.cancelAllOrdersAfter(seconds * 1000)
      return { triggerTime: parseCancelAllAfter(raw, 'heartbeat').triggerTime }
    } catch (error) {
      throw this.classify(error, 'heartbeat')
    }
  }

  startHeartbeat(options: {
    timeoutSeconds: number
    everySeconds?: number
    onError?: (fault: ExchangeFault) => void
  }): () => void {
    const every = Math.max(1, options.everySeconds ?? Math.floor(options.timeoutSeconds / 3)) * 1000
    let stopped = false
    let cancel: (() => void) | null = null
    const beat = async (): Promise<void> => {
      if (stopped) return
      try {
        await this.heartbeat(options.timeoutSeconds)
      } catch (error) {
        options.onError?.(this.classify(error, 'heartbeat'))
      }
      if (!stopped) cancel = this.clock.setTimeout(() => void beat(), every)
    }
    void beat()
    return () => {
      stopped = true
      cancel?.()
    }
  }

  async close(): Promise<void> {
    const close = (this.ccxt as { close?: () => Promise<void> }).close
    if (typeof close === 'function') await close.call(this.ccxt).catch(() => {})
  }
}
