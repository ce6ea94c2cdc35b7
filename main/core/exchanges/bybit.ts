/**
 * The Bybit v5 connector. Bybit publishes no login or security history over its API, and shows a
 * key only itself (`query-api`), so Vigil watches the account through its side effects: orders,
 * trades, positions and leverage, withdrawals, transfers, the withdrawal address book, balances
 * and its own key's permissions. It reads every stream through raw v5 calls so each response is
 * validated before use (see `bybit-parse.ts`).
 *
 * Streams and cursors (encodings in `cursor.ts`):
 * - `keys`                 GET /v5/user/query-api, the calling key, every poll (no cursor)
 * - `balances`             wallet-balance (Unified) every poll + Funding account when due
 * - `orders:<scope>`       order/realtime (open) + order/history (7-day windows, paged by cursor),
 *                          window cursor on updatedTime; `open:<scope>` keeps the open ids so an
 *                          order that leaves the open list is looked up by id
 * - `fills:<scope>`        execution/list (7-day windows), funding rows skipped, window cursor
 * - `positions`            position/list per settle coin (open positions) and, when due, per
 *                          watched symbol (for leverage without a position); JSON state cursor
 * - `withdrawals`          withdraw/query-record (30-day windows, on- and off-chain), window cursor
 * - `transfers:sub`        universal transfers to sub-accounts (7-day windows, needs a transfer
 *                          permission)
 * - `transfers:internal`   Unified ↔ Funding transfers (7-day windows, 60 calls/min), when due
 * - `addresses`            withdraw/query-address (needs the withdraw permission), JSON state
 *
 * A scope is a category Bybit lists orders by: `spot`, `linear:<settle coin>`, `inverse`.
 *
 * Request cost: calls are paced by ccxt's throttle with costs taken from Bybit's documented
 * per-UID limits (bybit-exchange/docs `docs/v5/rate-limit/rate-limit.mdx`) at 80 % of the limit;
 * ccxt's own table still assumes the older, lower limits for several of these endpoints.
 */
import type { Exchange } from 'ccxt'

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
import {
  addressData,
  addressKey,
  addressRecordId,
  BYBIT_API_KEYS_URL,
  bybitCode,
  classifyBybit,
  EXCHANGE_NAME,
  fillData,
  internalTransferData,
  isConditional,
  isOffChain,
  isTradeExecution,
  leverageData,
  offChainTransferData,
  orderData,
  orderState,
  parseAddresses,
  parseCancelAll,
  parseExecutions,
  parseFundBalance,
  parseInternalTransfers,
  parseKeyChange,
  parseKeyInfo,
  parseOrders,
  parsePositions,
  parseTickers,
  parseUniversalTransfers,
  parseWalletBalance,
  parseWithdrawals,
  positionData,
  universalTransferData,
  withdrawalData,
  type BybitAddress,
  type BybitKeyInfo,
  type BybitOrder,
  type BybitPosition,
  type BybitWithdrawal,
  type MarketInfo
} from './bybit-parse'
import type { ClassifyContext } from './errors'
import { withRetry, type Attempted, type RetryOptions } from './retry'
import {
  finishEvents,
  newRun,
  runStream,
  type RunContext as BaseRunContext,
  type StreamOutput
} from './stream-run'
import type { KillSwitchAccountResult } from '../../api/contract'
import type { NewEvent } from '../model'
import type { Clock, Logger } from '../ports'
import { englishText, msg, type Message } from '../../api/messages'
import { startKillSwitchResult } from './kill-switch-result'

const DAY_MS = 24 * 60 * 60 * 1000
const WEEK_MS = 7 * DAY_MS
const MONTH_MS = 30 * DAY_MS
const MAX_BACKFILL_MS = 90 * DAY_MS
/** How late a record may still show up in Bybit's history after its own timestamp. */
const SETTLE_MS = 30_000
const STABLE_USD = new Set(['USD', 'USDT', 'USDC', 'USDE', 'DAI', 'FDUSD'])

/**
 * Least time between two calls to the same endpoint, in ms: Bybit's documented per-UID limit at
 * 80 % (50/s → 25, 10/s → 125, 5/s → 250, 60/min → 1250). Spacing per endpoint lets a poll make
 * its one call to each endpoint at once, while a backfill paging through one endpoint keeps under
 * its limit. ccxt's own table still assumes older, lower limits for several of these endpoints
 * and would charge every later call of the poll for them.
 */
const COST = {
  fast: 25, // order/realtime, order/history, execution/list, position/list, wallet-balance (50/s)
  key: 125, // query-api (10/s)
  fund: 250, // query-account-coins-balance (5/s)
  withdrawals: 250, // withdraw/query-record (300/min)
  addresses: 25, // withdraw/query-address (300/s; 50/s here)
  universal: 250, // query-universal-transfer-list (5/s)
  internal: 1250, // query-inter-transfer-list (60/min)
  cancelSpot: 63, // cancel-all spot (20/s)
  cancelFutures: 125, // cancel-all linear / inverse (10/s)
  manageKey: 250, // delete-api / update-api (5/s)
  public: 0 // tickers (only the IP limit, 600 / 5 s, which ccxt's 20 ms pacing respects)
} as const

/** Tuning for the Bybit connector; every field has a sensible default. */
export interface BybitConnectorOptions {
  /** Pages per stream in one poll before reporting a gap. Default 20. */
  maxPagesPerPoll?: number
  /** Pages per stream during backfill. Default 500. */
  maxPagesBackfill?: number
  /** How far each window stream re-reads behind its cursor. Default 2 s. */
  overlapMs?: number
  /** Where a poll starts for a stream without a cursor (no backfill ran). Default 5 min. */
  lookbackMs?: number
  /**
   * Slow streams (Funding balance, internal transfers, leverage of symbols without a position)
   * are read at most this often. Default 5 s.
   */
  slowEveryMs?: number
  /** Days of transfer history read on backfill (each 7-day window costs a rate-limited call). Default 30. */
  transferBackfillDays?: number
  /** Kill-switch retries. Default 3 attempts, 250 ms doubling. */
  retry?: RetryOptions
  /** How long spot prices (for USD values) are reused. Default 60 s. */
  priceTtlMs?: number
  /** How long before markets are reloaded when an unknown symbol shows up. Default 10 min. */
  marketsReloadMs?: number
}

/** `ConnectorDeps` plus optional Bybit tuning. */
export interface BybitConnectorDeps extends ConnectorDeps {
  options?: BybitConnectorOptions
}

/** What Bybit lets Vigil see and do, in plain words for the account screen. */
export const bybitCapabilities = (): Capability[] => [
  {
    id: 'loginHistory',
    supported: false,
    note: 'Bybit does not publish login or security history over its API: Vigil infers a compromise from orders, trades, withdrawals, transfers, address-book and key changes.'
  },
  {
    id: 'keyList',
    supported: false,
    note: "Bybit shows an API key only itself: Vigil sees its own key's permissions, IP binding and expiry, but not other keys on the account."
  },
  {
    id: 'selfKeyInfo',
    supported: true,
    note: "Vigil reads its own key's permissions, IP binding, expiry and whether it is linked to a third-party app, and notices when the key is changed or deleted."
  },
  {
    id: 'revokeKey',
    supported: true,
    note: "The kill switch deletes Vigil's own key when it holds a transfer or withdrawal permission (Bybit requires one to manage a key); after that Vigil can no longer watch the account. Other keys must be deleted on Bybit's API management page."
  },
  {
    id: 'cancelAll',
    supported: true,
    note: 'Bybit cancels per product: spot (normal and conditional orders separately), USDT and USDC contracts per settlement coin, and inverse contracts. Vigil reads the open orders back afterwards.'
  },
  {
    id: 'orders',
    supported: true,
    note: 'Open orders and order history for spot and contracts. Bybit does not say whether an order came from the website or the API, and keeps cancelled orders without fills for 24 hours only.'
  },
  {
    id: 'fills',
    supported: true,
    note: 'Every trade; funding payments on contracts are recognised and not counted as trades.'
  },
  {
    id: 'withdrawals',
    supported: true,
    note: 'On-chain withdrawals, transfers to other Bybit users, transfers to sub-accounts and moves between the Unified and Funding accounts (which usually come right before a withdrawal).'
  },
  {
    id: 'addressBook',
    supported: true,
    note: "The withdrawal address book, only if Vigil's key has the withdrawal permission (Bybit's rule). Addresses already there when the account is added are the baseline, not new."
  },
  {
    id: 'positions',
    supported: true,
    note: 'Open contract positions with size and leverage, and leverage changes on symbols the account trades.'
  },
  {
    id: 'deadMan',
    supported: false,
    note: "Bybit's disconnect-cancel (DCP) is only for institutional clients and needs a live WebSocket, so there is no timer that cancels orders if this computer goes offline."
  }
]

interface RunContext extends BaseRunContext {
  /** Bybit's retCode of the halting failure (10003 = the key no longer exists). */
  haltCode?: string
  transientFailures?: number
  slowDue: boolean
}

/** A category Bybit lists orders by. */
interface Scope {
  name: string
  category: 'spot' | 'linear' | 'inverse'
  params: Record<string, string>
}

const isStringArray = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((x) => typeof x === 'string')
const isStringMap = (v: unknown): v is Record<string, string> =>
  !!v &&
  typeof v === 'object' &&
  !Array.isArray(v) &&
  Object.values(v as object).every((x) => typeof x === 'string')

/**
 * Creates the connector for one Bybit account. `exchange` is a configured ccxt `bybit` instance
 * (see `createCcxtFactory`).
 */
export const createBybitConnector = (
  exchange: Exchange,
  account: ConnectorAccount,
  deps: BybitConnectorDeps
): Connector => new BybitConnector(exchange, account, deps.clock, deps.logger, deps.options ?? {})

class BybitConnector implements Connector {
  readonly exchange = 'bybit'
  private readonly overlapMs: number
  private marketsLoadedAt: number | null = null
  private marketsFailure: ExchangeFault | null = null
  private prices = new Map<string, number>()
  private pricesAt: number | null = null
  /** The last successful read of our own key. */
  private key: BybitKeyInfo | null = null
  /** Set once the kill switch deleted our key: every call with it fails from then on. */
  private revoked: { at: number; keyId: string } | null = null
  /** Linear/inverse symbols (`<category>:<id>`) the account trades: their leverage is watched. */
  private readonly watched = new Set<string>()
  /** Last known leverage per `<category>:<id>` (for order data). */
  private readonly leverage = new Map<string, number>()
  private readonly openIds = new Map<string, Set<string>>()
  private fund: Map<string, number> | null = null
  private slowAt: number | null = null
  /** Streams the key may not read (permission refused), until this time. */
  private readonly refusedUntil = new Map<string, number>()
  private lastOrdersConfirmed: number | null = null
  /** The cursors as last handed to the core, for a final read before the key is deleted. */
  private lastCursors: Cursors = {}
  /** What that final read found, delivered by the next poll. */
  private finalSweep: PollResult | null = null
  /** Derivative order events → `<category>:<symbol>`, to fill in leverage read later in the run. */
  private readonly leverageKeys = new WeakMap<NewEvent, string>()
  /** Earliest real time the next call to each endpoint may go out. */
  private readonly nextSlot = new Map<string, number>()

  constructor(
    private readonly ccxt: Exchange,
    private readonly account: ConnectorAccount,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: BybitConnectorOptions
  ) {
    this.overlapMs = Math.max(0, options.overlapMs ?? 2000)
  }

  capabilities(): Capability[] {
    return bybitCapabilities()
  }

  // -------------------------------------------------------------------------------------------
  // Raw calls

  /**
   * One raw v5 call (`path` without the leading slash). Goes through ccxt's signing, error
   * mapping and throttle, with the documented cost of the endpoint.
   */
  private async call(
    path: string,
    method: 'GET' | 'POST',
    params: Record<string, unknown>,
    spacingMs: number,
    api: 'private' | 'public' = 'private'
  ): Promise<unknown> {
    // Reserve the endpoint's next slot before waiting, so concurrent callers (a poll and the kill
    // switch) queue instead of both going at once. Real time: Bybit counts real seconds.
    const now = Date.now()
    const slot = Math.max(now, this.nextSlot.get(path) ?? 0)
    this.nextSlot.set(path, slot + spacingMs)
    if (slot > now) await new Promise((resolve) => setTimeout(resolve, slot - now))
    const request = (this.ccxt as unknown as { request: (...args: unknown[]) => Promise<unknown> })
      .request
    // Cost 1: ccxt's global 20 ms pacing keeps the whole client far below Bybit's IP limit.
    return request.call(this.ccxt, path, api, method, params, undefined, undefined, { cost: 1 })
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

  private classify(error: unknown, stream?: string): ExchangeFault {
    const context = this.classifyContext(stream)
    const fault = classifyBybit(error, context)
    if (fault.category !== 'rate-limit' || fault.retryAfterMs !== undefined) return fault
    // Bybit says when the window resets instead of sending Retry-After.
    const reset = Number(context.headers?.['X-Bapi-Limit-Reset-Timestamp'])
    const wait = Number.isFinite(reset) && reset > 0 ? reset - Date.now() : NaN
    return Number.isFinite(wait) && wait > 0 && wait < 60_000
      ? new ExchangeFault(fault.category, fault.msg, fault.stream, Math.ceil(wait))
      : fault
  }

  private retry<T>(fn: () => Promise<T>, stream: string): Promise<Attempted<T>> {
    // Bybit's own codes decide what is maintenance or a server error, and so what is retried.
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
    const tooSoon =
      this.marketsLoadedAt !== null &&
      now - this.marketsLoadedAt < (this.options.marketsReloadMs ?? 10 * 60_000)
    if ((this.marketsLoadedAt !== null && !reload) || (reload && tooSoon)) return
    try {
      await this.ccxt.loadMarkets(reload)
      this.marketsLoadedAt = now
      this.marketsFailure = null
    } catch (error) {
      this.marketsFailure = this.classify(error, 'markets')
      this.logger.warn('bybit: could not load markets', {
        account: this.account.id,
        error: this.marketsFailure.message
      })
    }
  }

  private markets(): Array<Record<string, unknown>> {
    return Object.values(this.ccxt.markets ?? {}) as Array<Record<string, unknown>>
  }

  /** The categories to read orders in, from the loaded markets. */
  private scopes(): Scope[] {
    const markets = this.markets()
    const out: Scope[] = []
    if (markets.some((m) => m.spot === true))
      out.push({ name: 'spot', category: 'spot', params: { category: 'spot' } })
    const settles = new Set<string>()
    for (const m of markets)
      if (m.contract === true && m.linear === true && typeof m.settleId === 'string')
        settles.add(m.settleId)
    for (const settle of [...settles].sort())
      out.push({
        name: `linear:${settle}`,
        category: 'linear',
        params: { category: 'linear', settleCoin: settle }
      })
    if (markets.some((m) => m.contract === true && m.inverse === true))
      out.push({ name: 'inverse', category: 'inverse', params: { category: 'inverse' } })
    return out
  }

  /** Settle coins of inverse markets (cancel-all on inverse needs one). */
  private inverseSettles(): string[] {
    const out = new Set<string>()
    for (const m of this.markets())
      if (m.contract === true && m.inverse === true && typeof m.settleId === 'string')
        out.add(m.settleId)
    return [...out].sort()
  }

  private findMarket(category: string, id: string): Record<string, unknown> | undefined {
    const list = this.ccxt.markets_by_id?.[id] as Array<Record<string, unknown>> | undefined
    return list?.find((m) =>
      category === 'spot'
        ? m.spot === true
        : category === 'linear'
          ? m.linear === true && m.contract === true
          : category === 'inverse'
            ? m.inverse === true && m.contract === true
            : m.option === true
    )
  }

  private info(category: MarketInfo['category'], id: string): MarketInfo {
    const m = this.findMarket(category, id)
    const base = typeof m?.base === 'string' ? m.base : null
    const quote = typeof m?.quote === 'string' ? m.quote : null
    const quoteUsd = quote ? this.usd(quote) : null
    const baseUsd = base ? this.usd(base) : null
    return {
      symbol: typeof m?.symbol === 'string' ? m.symbol : `${category}:${id}`,
      category,
      base,
      quote,
      quoteUsd,
      last: baseUsd !== null && quoteUsd ? baseUsd / quoteUsd : null
    }
  }

  private unknownSymbols(category: string, ids: string[]): boolean {
    return ids.some((id) => !this.findMarket(category, id))
  }

  /** USD per unit of a coin, from spot prices; null when unknown. */
  private usd(coin: string): number | null {
    const c = coin.toUpperCase()
    if (STABLE_USD.has(c)) return 1
    return this.prices.get(c) ?? null
  }

  /** Refreshes spot prices (one public call) when they are older than the TTL. */
  private async refreshPrices(now: number): Promise<void> {
    if (this.pricesAt !== null && now - this.pricesAt < (this.options.priceTtlMs ?? 60_000)) return
    try {
      const tickers = parseTickers(
        await this.call('v5/market/tickers', 'GET', { category: 'spot' }, COST.public, 'public')
      )
      for (const m of this.markets()) {
        if (m.spot !== true || typeof m.id !== 'string' || typeof m.base !== 'string') continue
        const quote = String(m.quote)
        const last = tickers.get(m.id)
        if (last && STABLE_USD.has(quote)) this.prices.set(m.base, last)
      }
      this.pricesAt = now
    } catch (error) {
      // Prices only feed USD values; a failure costs those, never a stream.
      this.logger.warn('bybit: could not read prices', {
        account: this.account.id,
        error: this.classify(error).message
      })
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
    const scopes = this.scopes()
    const total = 6 + scopes.length * 2
    let done = 0
    const report = (message: Message) =>
      options.onProgress?.(Math.min(1, done / total), englishText(message), message)
    const ctx: RunContext = {
      ...newRun('backfill', now, since, {}, report),
      slowDue: true
    }
    report(msg('progress.startOn', { exchange: 'Bybit' }))
    const result = await this.run(ctx, scopes, () => {
      done++
    })
    // A stream that failed keeps its starting point, so the next poll reads the whole window
    // instead of starting "now" and silently skipping the history it could not read.
    const start = (name: string, value: string): void => {
      if (result.cursors[name] === undefined) result.cursors[name] = value
    }
    for (const s of scopes) {
      start(`orders:${s.name}`, encodeWindow({ ts: since, keys: [] }))
      start(`fills:${s.name}`, encodeWindow({ ts: since, keys: [] }))
    }
    for (const name of ['withdrawals', 'transfers:sub', 'transfers:internal'])
      start(name, encodeWindow({ ts: since, keys: [] }))
    start('positions', encodeSnapshot({ kind: 'since', ts: since }))
    // An address book that cannot be read yet (no withdraw permission) gets its baseline when it
    // first can: entries created before the account was added are not new.
    start('addresses', encodeSnapshot({ kind: 'since', ts: now }))
    const read = msg('progress.read', { count: result.events.length, exchange: 'Bybit' })
    options.onProgress?.(1, englishText(read), read)
    this.lastCursors = { ...result.cursors }
    return result
  }

  async poll(cursors: Cursors): Promise<PollResult> {
    const now = this.clock.now()
    if (this.revoked) {
      // The last read before the key was deleted is delivered once, then nothing more can come.
      const sweep = this.finalSweep
      this.finalSweep = null
      const blind = this.revokedResult()
      return sweep ? { ...sweep, keys: [], errors: [...sweep.errors, ...blind.errors] } : blind
    }
    await this.ensureMarkets(now)
    const slowEvery = this.options.slowEveryMs ?? 5000
    const slowDue = this.slowAt === null || now - this.slowAt >= slowEvery
    const ctx: RunContext = {
      ...newRun('poll', now, now - (this.options.lookbackMs ?? 5 * 60_000), { ...cursors }),
      slowDue
    }
    const result = await this.run(ctx, this.scopes())
    if (slowDue && !ctx.halt) this.slowAt = now
    this.lastCursors = { ...this.lastCursors, ...cursors, ...result.cursors }
    return result
  }

  /** After the kill switch deleted our key there is nothing left to read: say so, call nothing. */
  private revokedResult(): PollResult {
    const fault = new ExchangeFault(
      'auth',
      msg('fault.exchange', {
        exchange: EXCHANGE_NAME,
        error: msg('fault.bybitKeyDeleted', { at: new Date(this.revoked!.at).toISOString() })
      }),
      'keys'
    )
    return { events: [], cursors: {}, keys: [], errors: [{ stream: 'keys', fault }] }
  }

  private async run(
    ctx: RunContext,
    scopes: Scope[],
    onStreamDone: () => void = () => {}
  ): Promise<PollResult> {
    const result: PollResult = { events: ctx.events, cursors: ctx.cursors, errors: ctx.errors }
    await this.refreshPrices(ctx.now)

    await this.stream(ctx, 'keys', async () => {
      result.keys = await this.readKeys('keys')
      return { events: [] }
    })
    if (ctx.halt?.category === 'auth' && ctx.haltCode === '10003' && this.key) {
      // Bybit answers 10003 for a key that no longer exists: our key was deleted.
      result.keys = []
    }
    onStreamDone()
    await this.stream(ctx, 'balances', async () => {
      result.balances = await this.balances(ctx)
      return { events: [] }
    })
    onStreamDone()

    let allOrdersRead = true
    for (const scope of scopes) {
      ctx.progress?.(msg('progress.ordersTrades', { market: scope.name }))
      const orders = await this.stream(
        ctx,
        `orders:${scope.name}`,
        () => this.orders(ctx, scope),
        true
      )
      if (!orders) allOrdersRead = false
      onStreamDone()
      await this.stream(ctx, `fills:${scope.name}`, () => this.fills(ctx, scope), true)
      onStreamDone()
    }
    ctx.progress?.(msg('progress.positionsLeverage'))
    await this.stream(ctx, 'positions', () => this.positions(ctx, scopes), true)
    onStreamDone()
    ctx.progress?.(msg('progress.withdrawalsTransfers'))
    await this.stream(ctx, 'withdrawals', () => this.withdrawals(ctx))
    onStreamDone()
    // A new whitelisted address and a transfer to a sub-account are early signs of a drain:
    // read them every poll (both endpoints allow far more than one call a second).
    if (this.mayRead('transfers:sub', ctx.now))
      await this.stream(ctx, 'transfers:sub', () => this.universalTransfers(ctx))
    onStreamDone()
    if (this.mayRead('addresses', ctx.now))
      await this.stream(ctx, 'addresses', () => this.addressBook(ctx))
    onStreamDone()
    // Internal transfers allow 60 calls a minute: read them when the slow streams are due.
    if (ctx.slowDue) await this.stream(ctx, 'transfers:internal', () => this.internalTransfers(ctx))
    onStreamDone()
    if (allOrdersRead) {
      let open = 0
      for (const s of scopes) open += this.openIds.get(s.name)?.size ?? 0
      result.openOrders = open
    }
    // Orders read before the positions carry the leverage known after them.
    for (const e of ctx.events) {
      const key = this.leverageKeys.get(e)
      const data = e.data as { leverage?: number | null }
      if (key && (data.leverage === null || data.leverage === undefined))
        data.leverage = this.leverage.get(key) ?? null
    }
    // At equal times a leverage setting comes first: an order placed then used it.
    const rank = (e: NewEvent): number => (e.kind === 'leverage' ? 0 : 1)
    result.events = finishEvents(ctx.events, (a, b) => rank(a) - rank(b))
    return result
  }

  /** Whether a permission-gated stream may be read now (the key has it and was not refused). */
  private mayRead(stream: string, now: number): boolean {
    const until = this.refusedUntil.get(stream)
    if (until !== undefined && until > now) return false
    const perms = this.key?.snapshot.permissions
    if (!perms) return true
    if (stream === 'addresses') return perms.includes('withdraw')
    if (stream === 'transfers:sub') return perms.includes('transfer')
    return true
  }

  /**
   * Runs one stream: its events and cursors are committed only if the whole stream succeeded, so
   * a failed or malformed read loses nothing and is retried from the same cursor next time.
   */
  private stream(
    ctx: RunContext,
    name: string,
    fn: () => Promise<StreamOutput>,
    needsMarkets = false
  ): Promise<StreamOutput | undefined> {
    return runStream(ctx, name, fn, needsMarkets, {
      exchange: 'bybit',
      accountId: this.account.id,
      logger: this.logger,
      classify: (error, stream) => this.classify(error, stream),
      marketsFailure: this.marketsFailure,
      onFailure: (run, fault, error, halts) => {
        // A second transport failure in one run halts it too: an exchange that times out answers
        // no stream, and waiting out the timeout once per stream would stall the poll for minutes.
        if (fault.category === 'transient') run.transientFailures = (run.transientFailures ?? 0) + 1
        const halt = halts || (run.transientFailures ?? 0) >= 2
        if (halt) run.haltCode = bybitCode(error)
        if (fault.category === 'permission' && (name === 'addresses' || name === 'transfers:sub'))
          this.refusedUntil.set(name, run.now + 60 * 60_000)
        return halt
      }
    })
  }

  /** Reads pages until the cursor runs out; false when `maxPages` stopped it early. */
  private async pages<T>(
    ctx: RunContext,
    fetch: (cursor: string | undefined) => Promise<{ list: T[]; next: string | null }>,
    into: T[]
  ): Promise<boolean> {
    const maxPages =
      ctx.mode === 'backfill'
        ? (this.options.maxPagesBackfill ?? 500)
        : (this.options.maxPagesPerPoll ?? 20)
    let cursor: string | undefined
    for (let page = 0; page < maxPages; page++) {
      const r = await fetch(cursor)
      into.push(...r.list)
      if (!r.next || r.list.length === 0) return true
      cursor = r.next
    }
    return false
  }

  /**
   * Reads `[from, to]` in windows of `span` (Bybit's per-call maximum), newest window first,
   * each paged by cursor. Returns the rows and whether every page was read.
   */
  private async windows<T>(
    ctx: RunContext,
    from: number,
    to: number,
    span: number,
    fetch: (
      start: number,
      end: number,
      cursor: string | undefined
    ) => Promise<{ list: T[]; next: string | null }>
  ): Promise<{ rows: T[]; complete: boolean }> {
    const rows: T[] = []
    let complete = true
    for (let end = to; end >= from; end -= span + 1) {
      const start = Math.max(from, end - span)
      const ok = await this.pages(ctx, (cursor) => fetch(start, end, cursor), rows)
      complete &&= ok
      if (start === from) break
    }
    return { rows, complete }
  }

  /**
   * The window cursor to store. A window read completely up to now cannot gain records older
   * than a short settling time, so the watermark moves up to `now - SETTLE_MS` even when no record
   * came; otherwise a quiet stream would re-read its whole history, 7 days per call, every poll.
   */
  private nextWindow(tracker: WindowTracker, ctx: RunContext, complete: boolean): string {
    const next = tracker.next(ctx.now)
    if (complete) next.ts = Math.max(next.ts, ctx.now - SETTLE_MS)
    return encodeWindow(next)
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

  private async readKeys(stream: string): Promise<KeySnapshot[]> {
    const info = parseKeyInfo(await this.call('v5/user/query-api', 'GET', {}, COST.key), stream)
    this.key = info
    return [info.snapshot]
  }

  private async balances(ctx: RunContext): Promise<BalanceSnapshot[]> {
    const unified = parseWalletBalance(
      await this.call('v5/account/wallet-balance', 'GET', { accountType: 'UNIFIED' }, COST.fast),
      'balances'
    )
    if (ctx.slowDue || this.fund === null) {
      const fund = parseFundBalance(
        await this.call(
          'v5/asset/transfer/query-account-coins-balance',
          'GET',
          { accountType: 'FUND' },
          COST.fund
        ),
        'balances'
      )
      this.fund = new Map(fund.map((f) => [f.coin, f.total]))
    }
    const totals = new Map<string, { total: number; usd: number | null }>()
    for (const c of unified) {
      if (c.usdValue !== null && c.total !== 0 && !STABLE_USD.has(c.coin))
        this.prices.set(c.coin, c.usdValue / c.total)
      totals.set(c.coin, { total: c.total, usd: c.usdValue })
    }
    for (const [coin, amount] of this.fund ?? []) {
      const price = this.usd(coin)
      const had = totals.get(coin) ?? { total: 0, usd: 0 }
      totals.set(coin, {
        total: had.total + amount,
        usd: had.usd === null || price === null ? null : had.usd + amount * price
      })
    }
    return [...totals].map(([currency, v]) => ({ currency, total: v.total, usdValue: v.usd }))
  }

  private async orders(ctx: RunContext, scope: Scope): Promise<StreamOutput> {
    const name = `orders:${scope.name}`
    const openName = `open:${scope.name}`
    const tracker = new WindowTracker(
      decodeWindow(ctx.cursors[name], { ts: ctx.since, keys: [] }),
      this.overlapMs
    )
    const previousOpen = decodeSnapshot<string[]>(
      ctx.cursors[openName],
      { kind: 'since', ts: ctx.since },
      isStringArray
    )
    const open: BybitOrder[] = []
    let complete = await this.pages(
      ctx,
      async (cursor) =>
        parseOrders(
          await this.call(
            'v5/order/realtime',
            'GET',
            { ...scope.params, limit: 50, ...(cursor ? { cursor } : {}) },
            COST.fast
          ),
          `${scope.name} open orders`,
          name
        ),
      open
    )
    const history = await this.windows(
      ctx,
      Math.max(0, tracker.windowStart),
      ctx.now + 60_000,
      WEEK_MS,
      async (start, end, cursor) =>
        parseOrders(
          await this.call(
            'v5/order/history',
            'GET',
            {
              ...scope.params,
              startTime: start,
              endTime: end,
              limit: 50,
              ...(cursor ? { cursor } : {})
            },
            COST.fast
          ),
          `${scope.name} order history`,
          name
        )
    )
    complete &&= history.complete
    const byId = new Map<string, BybitOrder>()
    for (const o of [...open, ...history.rows]) {
      const had = byId.get(o.orderId)
      if (!had || o.updatedTime >= had.updatedTime) byId.set(o.orderId, o)
    }
    const openIds = new Set(open.map((o) => o.orderId))
    // An order that left the open list without showing up in this window (created before it):
    // ask for it by id. Not found yet (Bybit's history lags): keep it and ask again next time.
    const pending: string[] = []
    if (previousOpen.kind === 'state') {
      const missing = previousOpen.state.filter((id) => !openIds.has(id) && !byId.has(id))
      for (const [i, id] of missing.entries()) {
        if (i >= 20) {
          pending.push(id)
          continue
        }
        const found = parseOrders(
          await this.call(
            'v5/order/history',
            'GET',
            { category: scope.category, orderId: id },
            COST.fast
          ),
          `${scope.name} order ${id}`,
          name
        ).list
        if (found.length) for (const o of found) byId.set(o.orderId, o)
        else pending.push(id)
      }
    }
    if (
      this.unknownSymbols(
        scope.category,
        [...byId.values()].map((o) => o.symbol)
      )
    )
      await this.ensureMarkets(ctx.now, true)
    const events: NewEvent[] = []
    for (const o of [...byId.values()].sort((a, b) => a.updatedTime - b.updatedTime)) {
      const key = `${o.orderId}@${o.updatedTime}`
      const priorVersion = tracker.deliveredPrefix(`${o.orderId}@`)
      let changed = tracker.observe(key, o.updatedTime)
      // Backfill reports every resting order, however old: they are the account's current state.
      if (ctx.mode === 'backfill' && openIds.has(o.orderId) && !tracker.delivered(key))
        changed = true
      // An order looked up by id after leaving the open list changed now, whatever its stamp.
      if (
        !changed &&
        previousOpen.kind === 'state' &&
        previousOpen.state.includes(o.orderId) &&
        !openIds.has(o.orderId) &&
        !priorVersion
      )
        changed = true
      if (!changed) continue
      if (scope.category !== 'spot') this.watched.add(`${scope.category}:${o.symbol}`)
      const isNew =
        ctx.mode === 'backfill' || (!priorVersion && o.createdTime >= tracker.windowStart)
      const info = this.info(scope.category, o.symbol)
      const leverageKey = `${scope.category}:${o.symbol}`
      const data = orderData(o, info, this.leverage.get(leverageKey) ?? null)
      const state = orderState(o.orderStatus)
      const event: NewEvent = isNew
        ? {
            accountId: this.account.id,
            kind: 'order',
            type: 'order.new',
            exchangeRecordId: o.orderId,
            ts: o.createdTime,
            data
          }
        : {
            accountId: this.account.id,
            kind: 'order',
            type: 'order.updated',
            exchangeRecordId: `${o.orderId}#${state === 'open' ? `open@${o.updatedTime}` : state}`,
            ts: o.updatedTime,
            data
          }
      if (scope.category !== 'spot') this.leverageKeys.set(event, leverageKey)
      events.push(event)
    }
    this.openIds.set(scope.name, openIds)
    const nextOpen = [...new Set([...openIds, ...pending])].sort()
    return {
      events,
      cursors: {
        [name]: this.nextWindow(tracker, ctx, complete),
        [openName]: encodeSnapshot({ kind: 'state', state: nextOpen })
      },
      warning: complete
        ? undefined
        : this.tooMany(name, msg('records.ordersOf', { of: scope.name }))
    }
  }

  private async fills(ctx: RunContext, scope: Scope): Promise<StreamOutput> {
    const name = `fills:${scope.name}`
    const tracker = new WindowTracker(
      decodeWindow(ctx.cursors[name], { ts: ctx.since, keys: [] }),
      this.overlapMs
    )
    const { rows, complete } = await this.windows(
      ctx,
      Math.max(0, tracker.windowStart),
      ctx.now + 60_000,
      WEEK_MS,
      async (start, end, cursor) =>
        parseExecutions(
          await this.call(
            'v5/execution/list',
            'GET',
            {
              ...scope.params,
              startTime: start,
              endTime: end,
              limit: 100,
              ...(cursor ? { cursor } : {})
            },
            COST.fast
          ),
          name
        )
    )
    // Funding settlements share the list with trades; they are payments, not trades.
    const trades = rows.filter(isTradeExecution)
    if (
      this.unknownSymbols(
        scope.category,
        trades.map((t) => t.symbol)
      )
    )
      await this.ensureMarkets(ctx.now, true)
    const events: NewEvent[] = []
    const seen = new Set<string>()
    for (const t of trades.sort((a, b) => a.execTime - b.execTime)) {
      if (seen.has(t.execId)) continue
      seen.add(t.execId)
      if (!tracker.observe(t.execId, t.execTime)) continue
      if (scope.category !== 'spot') this.watched.add(`${scope.category}:${t.symbol}`)
      events.push({
        accountId: this.account.id,
        kind: 'fill',
        type: 'fill.new',
        exchangeRecordId: t.execId,
        ts: t.execTime,
        data: fillData(t, this.info(scope.category, t.symbol))
      })
    }
    return {
      events,
      cursors: { [name]: this.nextWindow(tracker, ctx, complete) },
      warning: complete
        ? undefined
        : this.tooMany(name, msg('records.tradesOf', { of: scope.name }))
    }
  }

  private async positions(ctx: RunContext, scopes: Scope[]): Promise<StreamOutput> {
    const name = 'positions'
    const rows: { category: 'linear' | 'inverse'; p: BybitPosition }[] = []
    const listed = new Set<string>()
    for (const scope of scopes) {
      if (scope.category === 'spot') continue
      const list: BybitPosition[] = []
      await this.pages(
        ctx,
        async (cursor) =>
          parsePositions(
            await this.call(
              'v5/position/list',
              'GET',
              { ...scope.params, limit: 200, ...(cursor ? { cursor } : {}) },
              COST.fast
            ),
            name
          ),
        list
      )
      for (const p of list) {
        rows.push({ category: scope.category, p })
        listed.add(`${scope.category}:${p.symbol}`)
      }
    }
    // Leverage of traded symbols without an open position: only a per-symbol query shows it.
    if (ctx.slowDue) {
      const extra = [...this.watched]
        .filter((k) => !listed.has(k))
        .sort()
        .slice(0, 10)
      for (const key of extra) {
        const [category, symbol] = key.split(':') as ['linear' | 'inverse', string]
        const r = parsePositions(
          await this.call('v5/position/list', 'GET', { category, symbol }, COST.fast),
          name
        )
        for (const p of r.list) {
          rows.push({ category, p })
          listed.add(`${category}:${p.symbol}`)
        }
      }
    }
    const previous = decodeSnapshot<Record<string, string>>(
      ctx.cursors[name],
      { kind: 'since', ts: ctx.since },
      isStringMap
    )
    const before = previous.kind === 'state' ? previous.state : {}
    const state: Record<string, string> = {}
    // Keep what was not read this time (leverage of quiet symbols), marking closed positions flat.
    for (const [key, value] of Object.entries(before)) {
      const [, , lev, seq] = value.split(':')
      state[key] = listed.has(key) ? value : `flat:0:${lev ?? ''}:${seq ?? ''}`
    }
    const events: NewEvent[] = []
    const byKey = new Map<string, BybitPosition>()
    for (const r of rows) byKey.set(`${r.category}:${r.p.symbol}`, r.p)
    for (const [key, p] of byKey) {
      const side = p.size === 0 || !p.side ? 'flat' : p.side === 'Sell' ? 'short' : 'long'
      state[key] = `${side}:${Math.abs(p.size)}:${p.leverage ?? ''}:${p.seq ?? ''}`
      if (p.leverage !== null && p.leverage !== undefined) this.leverage.set(key, p.leverage)
      if (p.size !== 0) this.watched.add(key)
    }
    for (const key of new Set([...Object.keys(before), ...Object.keys(state)])) {
      const [category, symbolId] = key.split(':') as ['linear' | 'inverse', string]
      const info = this.info(category, symbolId)
      const [oldSide, oldSize, oldLev] = (before[key] ?? '').split(':')
      const [newSide, newSize, newLev, newSeq] = (state[key] ?? '').split(':')
      const row = byKey.get(key) ?? null
      if (
        `${oldSide ?? 'flat'}:${oldSize ?? '0'}` !== `${newSide}:${newSize}` &&
        !(before[key] === undefined && newSide === 'flat')
      ) {
        events.push({
          accountId: this.account.id,
          kind: 'position',
          type: 'position.changed',
          exchangeRecordId: `${key}#${ctx.now}`,
          ts: ctx.now,
          data: positionData(info.symbol, newSide === 'flat' ? null : row)
        })
      }
      const lev = newLev ? Number(newLev) : null
      const prev = oldLev ? Number(oldLev) : null
      const first = before[key] === undefined
      // A symbol's leverage the first time it is seen (backfill: the baseline; later: a symbol
      // the account just started to trade, whose leverage may have been set for the attack),
      // then every change.
      if (lev !== null && (first || prev !== lev)) {
        const seq = newSeq && Number(newSeq) > 0 ? newSeq : null
        const stamp = row?.updatedTime ?? ctx.now
        events.push({
          accountId: this.account.id,
          kind: 'leverage',
          type: 'leverage.changed',
          exchangeRecordId: seq ? `${seq}#${key}` : `${key}@${stamp}#leverage`,
          ts: first ? stamp : ctx.now,
          data: leverageData(info.symbol, lev, first ? null : prev)
        })
      }
    }
    return { events, cursors: { [name]: encodeSnapshot({ kind: 'state', state }) } }
  }

  private async withdrawals(ctx: RunContext): Promise<StreamOutput> {
    const name = 'withdrawals'
    const tracker = new WindowTracker(
      decodeWindow(ctx.cursors[name], { ts: ctx.since, keys: [] }),
      this.overlapMs
    )
    // Re-read the last 30 days every time: a withdrawal's status changes after it was created.
    const to = ctx.now + 60_000
    const from = Math.max(0, Math.min(tracker.windowStart, to - MONTH_MS))
    const { rows, complete } = await this.windows(
      ctx,
      from,
      to,
      MONTH_MS,
      async (start, end, cursor) =>
        parseWithdrawals(
          await this.call(
            'v5/asset/withdraw/query-record',
            'GET',
            {
              withdrawType: 2,
              startTime: start,
              endTime: end,
              limit: 50,
              ...(cursor ? { cursor } : {})
            },
            COST.withdrawals
          ),
          name
        )
    )
    const events: NewEvent[] = []
    const stamp = (w: BybitWithdrawal): number => w.updateTime ?? w.createTime
    for (const w of rows.sort((a, b) => stamp(a) - stamp(b))) {
      const ts = stamp(w)
      const key = `${w.withdrawId}@${ts}`
      const priorVersion = tracker.deliveredPrefix(`${w.withdrawId}@`)
      if (!tracker.observe(key, ts)) continue
      const isNew =
        ctx.mode === 'backfill' || (!priorVersion && w.createTime >= tracker.windowStart)
      const usd = this.usd(w.coin)
      if (isOffChain(w)) {
        // A transfer to another Bybit user; only its creation matters.
        if (!isNew) continue
        events.push({
          accountId: this.account.id,
          kind: 'transfer',
          type: 'transfer.new',
          exchangeRecordId: w.withdrawId,
          ts: w.createTime,
          data: offChainTransferData(w, usd)
        })
        continue
      }
      const data = withdrawalData(w, usd)
      events.push(
        isNew
          ? {
              accountId: this.account.id,
              kind: 'withdrawal',
              type: 'withdrawal.new',
              exchangeRecordId: w.withdrawId,
              ts: w.createTime,
              data
            }
          : {
              accountId: this.account.id,
              kind: 'withdrawal',
              type: 'withdrawal.updated',
              exchangeRecordId: `${w.withdrawId}#${w.status}`,
              ts,
              data
            }
      )
    }
    return {
      events,
      cursors: { [name]: this.nextWindow(tracker, ctx, complete) },
      warning: complete ? undefined : this.tooMany(name, msg('records.withdrawals'))
    }
  }

  private transferFrom(ctx: RunContext, tracker: WindowTracker): number {
    const floor =
      ctx.mode === 'backfill'
        ? ctx.now - (this.options.transferBackfillDays ?? 30) * DAY_MS
        : Number.NEGATIVE_INFINITY
    return Math.max(0, tracker.windowStart, floor)
  }

  private async universalTransfers(ctx: RunContext): Promise<StreamOutput> {
    const name = 'transfers:sub'
    const tracker = new WindowTracker(
      decodeWindow(ctx.cursors[name], { ts: ctx.since, keys: [] }),
      this.overlapMs
    )
    const { rows, complete } = await this.windows(
      ctx,
      this.transferFrom(ctx, tracker),
      ctx.now + 60_000,
      WEEK_MS,
      async (start, end, cursor) =>
        parseUniversalTransfers(
          await this.call(
            'v5/asset/transfer/query-universal-transfer-list',
            'GET',
            { startTime: start, endTime: end, limit: 50, ...(cursor ? { cursor } : {}) },
            COST.universal
          ),
          name
        )
    )
    const events: NewEvent[] = []
    for (const t of rows.sort((a, b) => a.timestamp - b.timestamp)) {
      if (!tracker.observe(t.transferId, t.timestamp)) continue
      events.push({
        accountId: this.account.id,
        kind: 'transfer',
        type: 'transfer.new',
        exchangeRecordId: t.transferId,
        ts: t.timestamp,
        data: universalTransferData(t, this.key?.userId ?? null, this.usd(t.coin))
      })
    }
    return {
      events,
      cursors: { [name]: this.nextWindow(tracker, ctx, complete) },
      warning: complete ? undefined : this.tooMany(name, msg('records.subAccountTransfers'))
    }
  }

  private async internalTransfers(ctx: RunContext): Promise<StreamOutput> {
    const name = 'transfers:internal'
    const tracker = new WindowTracker(
      decodeWindow(ctx.cursors[name], { ts: ctx.since, keys: [] }),
      this.overlapMs
    )
    const { rows, complete } = await this.windows(
      ctx,
      this.transferFrom(ctx, tracker),
      ctx.now + 60_000,
      WEEK_MS,
      async (start, end, cursor) =>
        parseInternalTransfers(
          await this.call(
            'v5/asset/transfer/query-inter-transfer-list',
            'GET',
            { startTime: start, endTime: end, limit: 50, ...(cursor ? { cursor } : {}) },
            COST.internal
          ),
          name
        )
    )
    const events: NewEvent[] = []
    for (const t of rows.sort((a, b) => a.timestamp - b.timestamp)) {
      if (!tracker.observe(t.transferId, t.timestamp)) continue
      events.push({
        accountId: this.account.id,
        kind: 'transfer',
        type: 'transfer.new',
        exchangeRecordId: t.transferId,
        ts: t.timestamp,
        data: internalTransferData(t, this.usd(t.coin))
      })
    }
    return {
      events,
      cursors: { [name]: this.nextWindow(tracker, ctx, complete) },
      warning: complete ? undefined : this.tooMany(name, msg('records.internalTransfers'))
    }
  }

  private async addressBook(ctx: RunContext): Promise<StreamOutput> {
    const name = 'addresses'
    const list: BybitAddress[] = []
    await this.pages(
      ctx,
      async (cursor) =>
        parseAddresses(
          await this.call(
            'v5/asset/withdraw/query-address',
            'GET',
            { limit: 50, ...(cursor ? { cursor } : {}) },
            COST.addresses
          ),
          name
        ),
      list
    )
    const previous = decodeSnapshot<string[]>(
      ctx.cursors[name],
      { kind: 'since', ts: ctx.since },
      isStringArray
    )
    const events: NewEvent[] = []
    const current = new Map(list.map((a) => [addressKey(a), a]))
    const event = (a: BybitAddress, type: 'address.seen' | 'address.added'): NewEvent => ({
      accountId: this.account.id,
      kind: 'address',
      type,
      exchangeRecordId:
        type === 'address.seen'
          ? `${addressRecordId(a)}#seen:${a.chain ?? ''}`
          : `${addressRecordId(a)}#added:${a.chain ?? ''}@${a.createdAt ?? ctx.now}`,
      ts: a.createdAt ?? ctx.now,
      data: addressData(a)
    })
    if (previous.kind === 'since') {
      // First read: what is already there is the trader's existing book (baseline). In a poll,
      // entries created after the account was added (or, without any backfill, within the
      // lookback) count as added.
      for (const a of current.values()) {
        const added = ctx.mode === 'poll' && (a.createdAt ?? -Infinity) >= previous.ts
        events.push(event(a, added ? 'address.added' : 'address.seen'))
      }
    } else {
      const before = new Set(previous.state)
      for (const [key, a] of current) if (!before.has(key)) events.push(event(a, 'address.added'))
      for (const key of before) {
        if (current.has(key)) continue
        const [id, chain] = key.split('#')
        const [coin, ...rest] = (id ?? '').split(':')
        events.push({
          accountId: this.account.id,
          kind: 'address',
          type: 'address.removed',
          exchangeRecordId: `${id}#removed:${chain ?? ''}@${ctx.now}`,
          ts: ctx.now,
          data: { currency: coin ?? '', address: rest.join(':'), label: null, chain: chain || null }
        })
      }
    }
    return {
      events,
      cursors: { [name]: encodeSnapshot({ kind: 'state', state: [...current.keys()].sort() }) }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Containment

  async disableKeys(keyIds: string[]): Promise<KeysDisabled> {
    const selfId = this.key?.snapshot.keyId ?? this.account.selfKeyId
    return {
      disabled: [],
      failed: [...new Set(keyIds)].map((keyId) =>
        keyNotDisabled(
          keyId,
          keyId === selfId
            ? msg('keys.bybit.ownKey')
            : msg('keys.bybit.cannotDisable', { id: keyId, url: BYBIT_API_KEYS_URL })
        )
      )
    }
  }

  /** Open orders per scope, read from the exchange (throws on failure). */
  private async readOpen(scope: Scope): Promise<BybitOrder[]> {
    const list: BybitOrder[] = []
    const ctx = { mode: 'poll' } as RunContext
    await this.pages(
      ctx,
      async (cursor) =>
        parseOrders(
          await this.call(
            'v5/order/realtime',
            'GET',
            { ...scope.params, limit: 50, ...(cursor ? { cursor } : {}) },
            COST.fast
          ),
          `${scope.name} open orders`,
          'readBack'
        ),
      list
    )
    this.openIds.set(scope.name, new Set(list.map((o) => o.orderId)))
    return list
  }

  /**
   * cancel-all calls for one scope: spot needs one call per order kind (it cancels normal orders
   * only by default); contracts cancel every kind per settle coin.
   */
  private cancelCalls(scope: Scope, open: BybitOrder[] | null): Record<string, string>[] {
    if (scope.category === 'spot') {
      const kinds = new Set<string>(
        (open ?? []).map((o) =>
          !isConditional(o) ? 'Order' : o.stopOrderType === 'tpslOrder' ? 'tpslOrder' : 'StopOrder'
        )
      )
      const filters = ['Order', 'StopOrder', 'tpslOrder'].filter(
        (f) => open === null || kinds.has(f)
      )
      return filters.map((f) => ({ category: 'spot', orderFilter: f }))
    }
    if (scope.category === 'linear') return [{ ...scope.params }]
    return this.inverseSettles().map((settle) => ({ category: 'inverse', settleCoin: settle }))
  }

  /**
   * Contains the account: cancels every open order per category and order kind, reads them back,
   * then deletes Vigil's own key (downgrading it to read-only if the delete fails). Bybit's API
   * can revoke only the key that makes the call, which is the one the attacker holds when Vigil's
   * key leaked, so containment revokes it whatever `includeGuardianKey` says; Vigil can then no
   * longer watch the account, and the result says so. Fired again, it calls nothing and reports
   * the outcome it confirmed.
   */
  async killSwitch(options: KillSwitchOptions): Promise<KillSwitchAccountResult> {
    const { result, step, fail, manual } = startKillSwitchResult(
      {
        account: this.account.id,
        exchange: 'bybit',
        key: 'unchanged',
        manualUrl: BYBIT_API_KEYS_URL
      },
      options.onStep
    )

    // Fired again after our key was deleted: nothing can be called; report what was confirmed.
    if (this.revoked) {
      step(
        'key-already-deleted',
        true,
        0,
        msg('ks.bybit.alreadyDeleted', {
          id: this.revoked.keyId,
          at: new Date(this.revoked.at).toISOString()
        })
      )
      result.key = 'revoked'
      result.keysRemoved.push(this.revoked.keyId)
      result.ordersRemaining = this.lastOrdersConfirmed ?? this.countKnownOpen()
      result.contained = this.lastOrdersConfirmed === 0
      if (!result.contained) manual(msg('manual.bybit.unconfirmedEvery'))
      manual(msg('manual.bybit.otherKeys', { url: BYBIT_API_KEYS_URL }))
      return result
    }

    await this.ensureMarkets(this.clock.now())
    const scopes = this.scopes()

    // 0. Our key's permissions decide what Vigil may cancel and whether it may delete itself.
    const keyRead = await this.retry(() => this.readKeys('killSwitch'), 'killSwitch')
    if (keyRead.ok) {
      const info = this.key!
      step(
        'read-key',
        true,
        keyRead.attempts,
        info.readOnly
          ? msg('ks.bybit.keyReadOnly', { id: info.snapshot.keyId })
          : msg('ks.bybit.keyPermissions', {
              id: info.snapshot.keyId,
              permissions: info.snapshot.permissions
            })
      )
    } else {
      step('read-key', false, keyRead.attempts, keyRead.fault.msg)
      fail(msg('ks.err.readOwnKey', { error: keyRead.fault.msg }))
    }
    const info = keyRead.ok ? this.key : null
    const mayCancel = (scope: Scope): boolean =>
      !info ||
      (!info.readOnly &&
        info.snapshot.permissions.includes(scope.category === 'spot' ? 'spot' : 'futures'))

    // 1. See what is open, cancel per category (and per order kind where Bybit needs it), read
    //    back; one more round if anything is left.
    const readAll = async (
      label: string
    ): Promise<{ total: number | null; open: Map<string, BybitOrder[] | null> }> => {
      const open = new Map<string, BybitOrder[] | null>()
      let total: number | null = 0
      for (const scope of scopes) {
        const r = await this.retry(() => this.readOpen(scope), 'readBack')
        open.set(scope.name, r.ok ? r.value : null)
        if (r.ok) {
          if (total !== null) total += r.value.length
        } else {
          total = null
          step(`${label} ${scope.name}`, false, r.attempts, r.fault.msg)
          fail(msg('ks.err.readOpenOrders', { error: r.fault.msg }))
        }
      }
      if (total !== null)
        step(
          label,
          label === 'read-open-orders' || total === 0,
          1,
          msg('ks.openOrders', { count: total })
        )
      return { total, open }
    }
    const cancelRound = async (
      round: string,
      current: Map<string, BybitOrder[] | null>
    ): Promise<void> => {
      for (const scope of scopes) {
        const open = current.get(scope.name) ?? null
        if (open !== null && open.length === 0) continue
        if (!mayCancel(scope)) {
          step(
            `cancel-all ${scope.name}${round}`,
            false,
            0,
            msg(
              scope.category === 'spot'
                ? 'ks.bybit.mayNotTradeSpot'
                : 'ks.bybit.mayNotTradeContracts'
            )
          )
          continue
        }
        for (const params of this.cancelCalls(scope, open)) {
          const label = `cancel-all ${scope.name}${params.orderFilter ? ` ${params.orderFilter}` : ''}${scope.category === 'inverse' ? ` ${params.settleCoin}` : ''}${round}`
          const r = await this.retry(
            async () =>
              parseCancelAll(
                await this.call(
                  'v5/order/cancel-all',
                  'POST',
                  params,
                  scope.category === 'spot' ? COST.cancelSpot : COST.cancelFutures
                ),
                'cancelAll'
              ),
            'cancelAll'
          )
          if (r.ok) {
            result.ordersCancelled += r.value.length
            step(
              label,
              true,
              r.attempts,
              msg('ks.cancelled', { exchange: 'Bybit', count: r.value.length })
            )
          } else {
            step(label, false, r.attempts, r.fault.msg)
            fail(r.fault.msg)
          }
        }
      }
    }
    const before = await readAll('read-open-orders')
    await cancelRound('', before.open)
    let back = await readAll('read-back-orders')
    if (back.total === null || back.total > 0) {
      await cancelRound('-retry', back.open)
      back = await readAll('read-back-orders-retry')
    }
    const remaining = back.total
    this.lastOrdersConfirmed = remaining

    // 2. The key. Bybit lets a master key delete (or downgrade) only itself, and only when it
    //    holds a transfer or withdrawal permission. Deleting it last: afterwards nothing can be read.
    let keyDone: 'revoked' | 'disabled' | null = null
    if (info && info.readOnly) {
      step('revoke-key', false, 0, msg('ks.bybit.readOnlyNoRevoke'))
    } else if (info && (!info.canManageSelf || !info.isMaster)) {
      step(
        'revoke-key',
        false,
        0,
        msg(!info.isMaster ? 'ks.bybit.subAccount' : 'ks.bybit.noTransferPermission')
      )
    } else if (info) {
      const keyId = info.snapshot.keyId
      // A last look before going blind: whatever happened since the last poll (a withdrawal
      // under way while the kill switch ran) is still recorded, and delivered by the next poll.
      if (Object.keys(this.lastCursors).length > 0) {
        const sweep = await this.poll(this.lastCursors)
        this.finalSweep = sweep
        step(
          'final-read',
          sweep.errors.length === 0,
          1,
          msg('ks.bybit.finalRead', { count: sweep.events.length })
        )
      }
      const del = await this.retry(
        async () =>
          parseKeyChange(
            await this.call('v5/user/delete-api', 'POST', {}, COST.manageKey),
            'killSwitch'
          ),
        'killSwitch'
      )
      if (del.ok) {
        // Read back: Bybit must now refuse the deleted key (10003).
        const check = await this.confirmDeleted()
        if (check === 'deleted') {
          keyDone = 'revoked'
          this.revoked = { at: this.clock.now(), keyId }
          result.keysRemoved.push(keyId)
          step(
            'delete-key',
            true,
            del.attempts,
            info.apiKeyHint
              ? msg('ks.bybit.deletedHint', { id: keyId, hint: info.apiKeyHint })
              : msg('ks.bybit.deleted', { id: keyId })
          )
        } else {
          step(
            'delete-key',
            false,
            del.attempts,
            msg('ks.bybit.deleteUnconfirmed', { reason: check })
          )
          fail(msg('ks.err.ownKeyStillWorks', { id: keyId }))
        }
      } else {
        step('delete-key', false, del.attempts, del.fault.msg)
        fail(del.fault.msg)
      }
      if (keyDone === null && !(!del.ok && del.fault.category === 'auth')) {
        // Could not delete: at least take every write permission away.
        const down = await this.retry(
          async () =>
            parseKeyChange(
              await this.call('v5/user/update-api', 'POST', { readOnly: 1 }, COST.manageKey),
              'killSwitch'
            ),
          'killSwitch'
        )
        if (down.ok) {
          const again = await this.retry(() => this.readKeys('killSwitch'), 'killSwitch')
          if (again.ok && this.key?.readOnly) {
            keyDone = 'disabled'
            result.keysDisabled.push(keyId)
            step('downgrade-key', true, down.attempts, msg('ks.bybit.downgraded', { id: keyId }))
          } else {
            step('downgrade-key', false, down.attempts, msg('ks.bybit.downgradeUnconfirmed'))
          }
        } else {
          step('downgrade-key', false, down.attempts, down.fault.msg)
          fail(down.fault.msg)
        }
      }
    }

    // Still watching: the next poll reads from the core's cursors; the sweep is not needed.
    if (keyDone !== 'revoked') this.finalSweep = null

    // 3. Report what is done and what remains, in words the trader can act on.
    // Unconfirmed counts report the last known number, not zero: better to over-state what is left.
    result.ordersRemaining = remaining ?? this.countKnownOpen()
    const url = BYBIT_API_KEYS_URL
    if (remaining === null) manual(msg('manual.bybit.unconfirmed'))
    else if (remaining > 0) manual(msg('manual.bybit.left', { count: remaining }))
    if (keyDone === 'revoked') {
      result.key = 'revoked'
      manual(msg('manual.bybit.otherKeys', { url }))
    } else if (keyDone === 'disabled') {
      result.key = 'disabled'
      manual(msg('manual.bybit.readOnlyStillExists', { url }))
    } else {
      result.key = 'manual-revoke-required'
      manual(msg('manual.bybit.revokeByHand', { url }))
    }
    result.contained = remaining === 0 && keyDone !== null
    this.logger.info('bybit: kill switch finished', {
      account: this.account.id,
      contained: result.contained,
      cancelled: result.ordersCancelled,
      remaining: result.ordersRemaining,
      key: result.key
    })
    return result
  }

  /** After delete-api, query-api with the same key must fail with 10003. */
  private async confirmDeleted(): Promise<'deleted' | Message> {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.call('v5/user/query-api', 'GET', {}, COST.key)
        return msg('ks.bybit.queryStillAnswers')
      } catch (error) {
        const fault = this.classify(error, 'killSwitch')
        if (fault.category === 'auth') return 'deleted'
        if (fault.category !== 'transient' && fault.category !== 'rate-limit') return fault.msg
      }
    }
    return msg('ks.bybit.notReadBack')
  }

  private countKnownOpen(): number {
    let n = 0
    for (const ids of this.openIds.values()) n += ids.size
    return n
  }

  async close(): Promise<void> {
    const close = (this.ccxt as { close?: () => Promise<void> }).close
    if (typeof close === 'function') await close.call(this.ccxt).catch(() => {})
  }
}
