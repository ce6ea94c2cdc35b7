/**
 * The Binance connector (spot and USDⓈ-M futures). Binance shows no logins, no key list and offers
 * no key revocation to a normal account, so Vigil infers compromise from what the key does:
 * orders, fills, balance moves, withdrawals, transfers, withdrawal-address changes, leverage and
 * changes to the key's own permissions. Every stream is read through ccxt's implicit (raw) methods
 * and validated (`binance-parse.ts`).
 *
 * Binance's API makes "watch everything" expensive: trade and order history is per symbol (weight
 * 20 each on spot), open orders without a symbol cost 80 (USDⓈ-M 40), the withdrawal history costs
 * 18 000 of the account's 180 000 per-minute UID weight. So the connector reads cheap snapshots every
 * poll and lets them decide what else to read:
 * - every poll: the key's permissions (`apiRestrictions`, 1), the spot wallet (`account`, 20), the
 *   USDⓈ-M account (`/fapi/v2/account`, 5: positions, leverage, open-order margin) when the key may
 *   trade futures, and the withdrawal-address list (10);
 * - a balance move names the symbols to read: when both assets of a market moved, that market
 *   traded (a new asset such as VIA appearing next to a BTC move reveals VIA/BTC, which is then
 *   watched from now on); a locked amount that moved reveals new or cancelled resting orders (open
 *   orders are swept at once); a move no market explains (a withdrawal, transfer or deposit) reads
 *   the wallet history;
 * - on a schedule: all open orders (spot, USDⓈ-M, conditional) every minute, each watched symbol's
 *   fills in rotation within 10 % of the documented weight limit, the wallet history every 10 min.
 * Each read is charged against a per-minute ledger of Binance's documented weights (synchronised
 * with the `X-MBX-USED-WEIGHT-1M` headers) so the connector stays within budget at any interval.
 *
 * Streams and cursors (see `cursor.ts` for the shared encodings):
 * - `keys` (snapshot, no cursor), `balances` (snapshot; cursor `assets` = assets last non-zero)
 * - `positions` USDⓈ-M positions and leverage, JSON map symbol → "amount|leverage"
 * - `orders:<spot|usdm>:<SYMBOL>` JSON `{last, floor, open: {orderId: "STATUS:executedQty"}}`
 * - `fills:<spot|usdm>:<SYMBOL>` `"<lastTradeId>@<floorTs>"` (id cursor; trades only grow)
 * - `withdrawals`, `deposits` window cursors on the exchange time (3-day overlap for status changes)
 * - `transfers` sub-account transfers, window cursor; `addresses` snapshot (`since:<ts>` until read)
 */
import type { Exchange } from 'ccxt'

import type { KillSwitchAccountResult } from '../../api/contract'
import type { NewEvent } from '../model'
import type { Clock, Logger } from '../ports'
import {
  addressData,
  addressKey,
  addressRecordId,
  AUTH_CODES,
  BINANCE_API_MANAGEMENT_URL,
  binanceKeyId,
  depositRecordId,
  EXCHANGE_NAME,
  fillData,
  FINAL_STATUSES,
  hint,
  internalTransferData,
  isInternalTransfer,
  KEY_GONE_CODE,
  keySnapshot,
  NOTHING_TO_CANCEL_CODE,
  orderData,
  parseAddressList,
  parseAlgoOrders,
  parseApiRestrictions,
  parseCancelDone,
  parseDeposits,
  parseOrders,
  parseSpotAccount,
  parseSubTransfers,
  parseTickerPrices,
  parseTrades,
  parseUsdmAccount,
  parseWithdrawals,
  positionData,
  subTransferData,
  usdPrice,
  withdrawalData,
  type ApiRestrictions,
  type BinanceOrder,
  type BinanceTrade,
  type MarketInfo,
  type SpotBalance,
  type UsdmAccount
} from './binance-parse'
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
  decodeId,
  decodeSnapshot,
  decodeWindow,
  encodeId,
  encodeSnapshot,
  encodeWindow,
  WindowTracker
} from './cursor'
import {
  classifyError,
  exchangeErrorCode,
  exchangeReason,
  faultMessage,
  redact,
  type ClassifyContext
} from './errors'
import { withRetry, type Attempted, type RetryOptions } from './retry'
import { finishEvents, newRun, runStream, type RunContext, type StreamOutput } from './stream-run'
import { englishText, msg, type Message } from '../../api/messages'
import { startKillSwitchResult, type FailRecorder, type StepRecorder } from './kill-switch-result'

const MINUTE_MS = 60_000
const DAY_MS = 86_400_000
const MAX_BACKFILL_MS = 90 * DAY_MS
/** USDⓈ-M order and trade history answers at most 7 days per request. */
const USDM_WINDOW_MS = 7 * DAY_MS
/** The withdrawal and deposit histories answer at most 90 days per request. */
const WALLET_WINDOW_MS = 90 * DAY_MS
/** Sub-account transfers: at most 30 days per request. */
const TRANSFER_WINDOW_MS = 30 * DAY_MS
const PAGE = 1000
const EPSILON = 1e-12

/** Tuning for the Binance connector; every field has a sensible default. */
export interface BinanceConnectorOptions {
  /**
   * Share of each documented weight limit that routine reads (the fills rotation) may use, default
   * 0.1. Snapshots and triggered reads may use up to half; the kill switch up to 80 %.
   */
  budgetShare?: number
  /** How often every open order is listed (spot 80, USDⓈ-M 40 + 40 weight). Default 60 s. */
  sweepMs?: number
  /** Longest gap between two fills reads of a watched symbol, budget permitting. Default 60 s. */
  rotationMs?: number
  /** Withdrawal, deposit and transfer history without a trigger. Default 10 min. */
  walletSweepMs?: number
  /** Shortest gap between two triggered wallet reads (each costs 18 000 UID weight). Default 10 s. */
  walletMinGapMs?: number
  /** How long spot and USDⓈ-M prices are reused. Default 60 s (5 s when valuing new fills). */
  pricesTtlMs?: number
  /** Re-read window for trade and order history not yet seen by id. Default 5 min. */
  lookbackMs?: number
  /** Overlap for wallet histories, whose rows change status after they appear. Default 3 days. */
  walletOverlapMs?: number
  /** Assets whose pairs with held assets are watched from the start. */
  majors?: string[]
  /** Extra unified symbols to watch always (spot `BTC/USDT`, USDⓈ-M `BTC/USDT:USDT`). */
  symbols?: string[]
  /** Symbols per market type read during backfill at most. Default 40. */
  maxBackfillSymbols?: number
  /** Kill-switch retries. Default 3 attempts, 250 ms doubling. */
  retry?: RetryOptions
  /** Least time between two market reloads for an unknown symbol. Default 10 min. */
  marketsReloadMs?: number
}

/** `ConnectorDeps` plus optional Binance tuning. */
export interface BinanceConnectorDeps extends ConnectorDeps {
  options?: BinanceConnectorOptions
}

/** What Binance lets Vigil see and do, in plain words for the account screen. */
export const binanceCapabilities = (): Capability[] => [
  {
    id: 'loginHistory',
    supported: false,
    note: 'Binance does not publish login history over its API: Vigil infers compromise from orders, trades, balance moves, withdrawals and changes to its own key.'
  },
  {
    id: 'keyList',
    supported: false,
    note: "Binance's API shows only the key Vigil uses, never the account's other keys: a key someone else created is invisible until it trades or withdraws."
  },
  {
    id: 'selfKeyInfo',
    supported: true,
    note: "Vigil reads its own key's permissions, creation time and whether it is bound to IP addresses (Binance does not say which addresses)."
  },
  {
    id: 'revokeKey',
    supported: false,
    note: 'Binance has no API to delete or disable a key on a normal account. The kill switch stops trusting the key and tells you exactly where to delete it on binance.com.'
  },
  {
    id: 'cancelAll',
    supported: true,
    note: 'Binance cancels per symbol: Vigil lists every open order (spot, USDⓈ-M and conditional), cancels each symbol, then reads the open orders back to confirm.'
  },
  {
    id: 'orders',
    supported: true,
    note: "Orders on every symbol the account holds, trades or has orders on. Binance's history is per symbol, so a trade on a new symbol is found through the balance move it causes."
  },
  {
    id: 'fills',
    supported: true,
    note: 'Trades per symbol (spot and USDⓈ-M), read when balances or positions move and at least every minute within the rate-limit budget.'
  },
  {
    id: 'withdrawals',
    supported: true,
    note: 'Withdrawals and transfers to other Binance users, read when a balance drops and every 10 minutes (Binance allows only a few of these reads per minute).'
  },
  {
    id: 'addressBook',
    supported: true,
    note: 'The withdrawal address list is compared every poll; addresses present when the account was added are the baseline, later additions raise an alert.'
  },
  {
    id: 'positions',
    supported: true,
    note: 'USDⓈ-M positions and leverage, when the key may read futures. COIN-M contracts are not watched.'
  },
  {
    id: 'deadMan',
    supported: false,
    note: "Binance's countdown cancel exists only for USDⓈ-M futures and per symbol; Vigil does not rely on it."
  }
]

type Family = 'spot' | 'usdm'
type Pool = 'spot' | 'sapi' | 'uid' | 'usdm'
type Tier = 'essential' | 'scheduled' | 'triggered' | 'routine'

/** Documented request-weight limits per minute. */
const LIMITS: Readonly<Record<Pool, number>> = {
  spot: 6000,
  sapi: 12_000,
  uid: 180_000,
  usdm: 2400
}

interface Endpoint {
  /** ccxt implicit method. */
  method: string
  pool: Pool
  /** Binance's documented weight (IP). */
  weight: number
  /** UID weight, for /sapi endpoints weighted per account. */
  uid?: number
  /** ccxt's own limiter cost, where its table disagrees with the documented weight. */
  ccxtCost?: { path: string; api: string; httpMethod: string; cost: number }
}

const EP = {
  apiRestrictions: { method: 'sapiGetAccountApiRestrictions', pool: 'sapi', weight: 1 },
  spotAccount: { method: 'privateGetAccount', pool: 'spot', weight: 20 },
  spotPrices: { method: 'publicGetTickerPrice', pool: 'spot', weight: 4 },
  spotOpenAll: { method: 'privateGetOpenOrders', pool: 'spot', weight: 80 },
  spotAllOrders: { method: 'privateGetAllOrders', pool: 'spot', weight: 20 },
  spotMyTrades: { method: 'privateGetMyTrades', pool: 'spot', weight: 20 },
  spotCancelAll: { method: 'privateDeleteOpenOrders', pool: 'spot', weight: 1 },
  usdmAccount: { method: 'fapiPrivateV2GetAccount', pool: 'usdm', weight: 5 },
  usdmPrices: { method: 'fapiPublicGetTickerPrice', pool: 'usdm', weight: 2 },
  usdmOpenAll: { method: 'fapiPrivateGetOpenOrders', pool: 'usdm', weight: 40 },
  usdmAlgoAll: { method: 'fapiPrivateGetOpenAlgoOrders', pool: 'usdm', weight: 40 },
  usdmAllOrders: { method: 'fapiPrivateGetAllOrders', pool: 'usdm', weight: 5 },
  usdmUserTrades: { method: 'fapiPrivateGetUserTrades', pool: 'usdm', weight: 5 },
  usdmCancelAll: { method: 'fapiPrivateDeleteAllOpenOrders', pool: 'usdm', weight: 1 },
  usdmCancelAlgo: { method: 'fapiPrivateDeleteAlgoOpenOrders', pool: 'usdm', weight: 1 },
  usdmOrder: { method: 'fapiPrivatePostOrder', pool: 'usdm', weight: 1 },
  withdrawals: { method: 'sapiGetCapitalWithdrawHistory', pool: 'sapi', weight: 1, uid: 18_000 },
  deposits: { method: 'sapiGetCapitalDepositHisrec', pool: 'sapi', weight: 1 },
  subTransfers: { method: 'sapiGetSubAccountUniversalTransfer', pool: 'sapi', weight: 1 },
  addresses: {
    method: 'sapiGetCapitalWithdrawAddressList',
    pool: 'sapi',
    weight: 10,
    // ccxt charges 10 (= IP weight 100) for a call Binance documents at weight 10.
    ccxtCost: { path: 'capital/withdraw/address/list', api: 'sapi', httpMethod: 'GET', cost: 1 }
  }
} as const satisfies Record<string, Endpoint>

/** Thrown when the weight ledger defers a read to a later poll: not a fault, nothing is lost. */
class Deferred extends Error {
  constructor(readonly pool: Pool) {
    super(`deferred: ${pool} weight budget`)
  }
}

/**
 * Weight spent per pool in the trailing minute, by the connector's own count and by what the
 * exchange reported in its usage headers (another client on the same IP counts too).
 */
class WeightLedger {
  private readonly spent: Record<Pool, { t: number; w: number }[]> = {
    spot: [],
    sapi: [],
    uid: [],
    usdm: []
  }
  private readonly observed: Partial<Record<Pool, { minute: number; used: number }>> = {}

  constructor(private readonly shares: Readonly<Record<Tier, number>>) {}

  used(pool: Pool, now: number): number {
    const list = this.spent[pool]
    while (list.length && list[0]!.t <= now - MINUTE_MS) list.shift()
    const own = list.reduce((sum, e) => sum + e.w, 0)
    const seen = this.observed[pool]
    return seen && seen.minute === Math.floor(now / MINUTE_MS) ? Math.max(own, seen.used) : own
  }

  allows(pool: Pool, weight: number, tier: Tier, now: number): boolean {
    return this.used(pool, now) + weight <= LIMITS[pool] * this.shares[tier]
  }

  charge(pool: Pool, weight: number, now: number): void {
    this.spent[pool].push({ t: now, w: weight })
  }

  observe(pool: Pool, used: number, now: number): void {
    this.observed[pool] = { minute: Math.floor(now / MINUTE_MS), used }
  }
}

/** Faults that make further calls in the same poll pointless. */
const HALTING: ReadonlySet<string> = new Set(['auth', 'rate-limit', 'maintenance', 'transient'])

interface OrdersCursor {
  last: number
  floor: number
  open: Record<string, string>
}

const isOrdersCursor = (v: unknown): v is OrdersCursor =>
  !!v &&
  typeof v === 'object' &&
  typeof (v as OrdersCursor).last === 'number' &&
  typeof (v as OrdersCursor).floor === 'number' &&
  !!(v as OrdersCursor).open &&
  typeof (v as OrdersCursor).open === 'object'

const decodeOrders = (value: unknown, floor: number): OrdersCursor => {
  if (typeof value === 'string') {
    try {
      const parsed: unknown = JSON.parse(value)
      if (isOrdersCursor(parsed)) return parsed
    } catch {
      // fall through
    }
  }
  return { last: -1, floor, open: {} }
}

const isStringArray = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((x) => typeof x === 'string')
const isStringMap = (v: unknown): v is Record<string, string> =>
  !!v &&
  typeof v === 'object' &&
  !Array.isArray(v) &&
  Object.values(v as object).every((x) => typeof x === 'string')

const streamKey = (family: Family, symbolId: string): string => `${family}:${symbolId}`

/**
 * Creates the connector for one Binance account. `exchange` is a configured ccxt `binance`
 * instance (see `createCcxtFactory`); its `apiKey` identifies Vigil's own key.
 */
export const createBinanceConnector = (
  exchange: Exchange,
  account: ConnectorAccount,
  deps: BinanceConnectorDeps
): Connector => new BinanceConnector(exchange, account, deps.clock, deps.logger, deps.options ?? {})

class BinanceConnector implements Connector {
  readonly exchange = 'binance'
  private readonly ledger: WeightLedger
  private readonly keyId: string
  private marketsLoadedAt: number | null = null
  private marketsFailure: ExchangeFault | null = null
  private flags: ApiRestrictions | null = null
  private readonly prices: Record<Family, { map: Map<string, number>; at: number }> = {
    spot: { map: new Map(), at: -Infinity },
    usdm: { map: new Map(), at: -Infinity }
  }
  /** Spot wallet at the last successful read (null until read in this process). */
  private spotPrev: Map<string, SpotBalance> | null = null
  /** USDⓈ-M account at the last successful read. */
  private usdmPrev: UsdmAccount | null = null
  /** Symbols whose orders and fills are read (`spot:BTCUSDT`, `usdm:BTCUSDT`). */
  private readonly watched = new Set<string>()
  /** Symbols with something new to read, and why; cleared once both reads succeeded. */
  private readonly dirty = new Map<string, string>()
  /** Open order ids per symbol as last listed. */
  private readonly openIds = new Map<string, Set<string>>()
  private algoOpen = 0
  private lastSweep = -Infinity
  private sweepNow = false
  private readonly lastFills = new Map<string, number>()
  private lastWallet = -Infinity
  private walletDirty = false
  /** When the kill switch stopped trusting the key; reported once as `key.untrusted`. */
  private untrusted: { at: number; reported: boolean } | null = null
  private restored = false

  constructor(
    private readonly ccxt: Exchange,
    private readonly account: ConnectorAccount,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: BinanceConnectorOptions
  ) {
    const share = Math.min(1, Math.max(0.01, options.budgetShare ?? 0.1))
    this.ledger = new WeightLedger({
      essential: 0.8,
      scheduled: Math.max(share, 0.5),
      triggered: Math.max(share, 0.5),
      routine: share
    })
    this.keyId = binanceKeyId(this.ccxt.apiKey || account.id)
    // Spot and USDⓈ-M only: COIN-M and margin pair lists cost requests Vigil does not need.
    const opts = this.ccxt.options as Record<string, unknown>
    opts.fetchMarkets = { types: ['spot', 'linear'] }
    opts.fetchMargins = false
    opts.fetchCurrencies = false
    opts.warnOnFetchOpenOrdersWithoutSymbol = false
    // Binance counts weight per minute, so ccxt's rolling-window limiter (1200 cost = 6000 weight
    // per 60 s) models it; the default leaky bucket spaces every call out (200 ms after a weight-20
    // read), which adds seconds to each poll without protecting anything the ledger does not.
    const limited = this.ccxt as unknown as {
      enableRateLimit?: boolean
      rateLimit?: number
      tokenBucket?: Record<string, unknown>
      initThrottler?: () => void
    }
    if (
      limited.enableRateLimit &&
      limited.tokenBucket &&
      typeof limited.initThrottler === 'function'
    ) {
      limited.tokenBucket = {
        ...limited.tokenBucket,
        algorithm: 'rollingWindow',
        windowSize: MINUTE_MS,
        rateLimit: limited.rateLimit ?? 50
      }
      limited.initThrottler()
    }
  }

  capabilities(): Capability[] {
    return binanceCapabilities()
  }

  // -------------------------------------------------------------------------------------------
  // Raw calls

  private classifyContext(stream?: string): ClassifyContext {
    return {
      stream,
      exchangeName: EXCHANGE_NAME,
      headers: (this.ccxt as { last_response_headers?: Record<string, unknown> })
        .last_response_headers,
      now: this.clock.now()
    }
  }

  /**
   * Classifies a failure. Binance's key errors are authentication failures whatever class ccxt
   * picked: ccxt turns -2015 into DDoSProtection once a call has succeeded, and off binance.com
   * hosts it does not know -2008 ("Invalid Api-Key ID", a deleted key) at all.
   */
  private fault(error: unknown, stream?: string): ExchangeFault {
    if (error instanceof ExchangeFault) return classifyError(error, { stream })
    const code = exchangeErrorCode(error)
    if (code && AUTH_CODES.has(code)) {
      const text = exchangeReason(error instanceof Error ? error.message : '').text
      const reason = text
        ? msg('fault.reasonCode', { reason: redact(text, 120), code })
        : msg('fault.code', { code })
      return code === '-1002'
        ? new ExchangeFault(
            'permission',
            faultMessage(msg('fault.binance.permission'), EXCHANGE_NAME, reason),
            stream
          )
        : new ExchangeFault(
            'auth',
            faultMessage(msg('fault.binance.auth'), EXCHANGE_NAME, reason),
            stream
          )
    }
    return classifyError(error, this.classifyContext(stream))
  }

  /** Reads the weight Binance says this IP (or account) has used, after each answer. */
  private syncWeight(ep: Endpoint): void {
    const headers = (this.ccxt as { last_response_headers?: Record<string, unknown> })
      .last_response_headers
    if (!headers) return
    const now = this.clock.now()
    for (const [name, value] of Object.entries(headers)) {
      const n = Number(value)
      if (!Number.isFinite(n)) continue
      const lower = name.toLowerCase()
      if (lower === 'x-mbx-used-weight-1m' && (ep.pool === 'spot' || ep.pool === 'usdm'))
        this.ledger.observe(ep.pool, n, now)
      else if (lower === 'x-sapi-used-ip-weight-1m') this.ledger.observe('sapi', n, now)
      else if (lower === 'x-sapi-used-uid-weight-1m') this.ledger.observe('uid', n, now)
    }
  }

  /** Calls an endpoint if the weight budget for `tier` allows it; the raw answer comes back unparsed. */
  private async call(ep: Endpoint, params: Record<string, unknown>, tier: Tier): Promise<unknown> {
    const now = this.clock.now()
    if (!this.ledger.allows(ep.pool, ep.weight, tier, now)) throw new Deferred(ep.pool)
    if (ep.uid !== undefined && !this.ledger.allows('uid', ep.uid, tier, now))
      throw new Deferred('uid')
    this.ledger.charge(ep.pool, ep.weight, now)
    if (ep.uid !== undefined) this.ledger.charge('uid', ep.uid, now)
    let answer: unknown
    if (ep.ccxtCost) {
      const c = ep.ccxtCost
      answer = await this.ccxt.request(c.path, c.api, c.httpMethod, params, undefined, undefined, {
        cost: c.cost
      })
    } else {
      const fn = (this.ccxt as unknown as Record<string, unknown>)[ep.method]
      if (typeof fn !== 'function')
        throw new ExchangeFault(
          'unsupported',
          msg('fault.exchange', {
            exchange: EXCHANGE_NAME,
            error: msg('fault.ccxt.noMethod', { name: ep.method })
          })
        )
      answer = await (fn as (p: Record<string, unknown>) => Promise<unknown>).call(
        this.ccxt,
        params
      )
    }
    this.syncWeight(ep)
    return answer
  }

  private retry<T>(fn: () => Promise<T>, stream: string): Promise<Attempted<T>> {
    return withRetry(
      fn,
      this.clock,
      this.options.retry,
      () => this.classifyContext(stream),
      (error) => this.fault(error, stream)
    )
  }

  // -------------------------------------------------------------------------------------------
  // Markets and prices

  private async ensureMarkets(now: number, reload = false): Promise<void> {
    const tooSoon =
      this.marketsLoadedAt !== null &&
      now - this.marketsLoadedAt < (this.options.marketsReloadMs ?? 10 * MINUTE_MS)
    if (this.marketsLoadedAt !== null && (!reload || tooSoon)) return
    try {
      await this.ccxt.loadMarkets(reload || this.marketsFailure !== null)
      this.marketsLoadedAt = now
      this.marketsFailure = null
    } catch (error) {
      this.marketsFailure = this.fault(error, 'markets')
      this.logger.warn('binance: could not load markets', {
        account: this.account.id,
        error: this.marketsFailure.message
      })
    }
  }

  private marketsOf(family: Family): Array<Record<string, unknown>> {
    return (Object.values(this.ccxt.markets ?? {}) as Array<Record<string, unknown>>).filter((m) =>
      family === 'spot' ? m.spot === true : m.linear === true && m.swap === true
    )
  }

  private market(family: Family, id: string): Record<string, unknown> | undefined {
    const list = this.ccxt.markets_by_id?.[id] as Array<Record<string, unknown>> | undefined
    return list?.find((m) =>
      family === 'spot' ? m.spot === true : m.linear === true && m.swap === true
    )
  }

  private usd(asset: string): number | null {
    return usdPrice(asset, this.prices.spot.map)
  }

  private info(family: Family, id: string): MarketInfo {
    const m = this.market(family, id)
    const base = typeof m?.base === 'string' ? m.base : id
    const quote = typeof m?.quote === 'string' ? m.quote : ''
    const symbol = typeof m?.symbol === 'string' ? m.symbol : id
    const leverage =
      family === 'usdm'
        ? (this.usdmPrev?.positions.find((p) => p.symbol === id)?.leverage ?? null)
        : null
    return {
      symbol,
      base,
      quote,
      quoteUsd: quote ? this.usd(quote) : null,
      last: this.prices[family].map.get(id) ?? null,
      leverage
    }
  }

  /** Refreshes a family's prices when older than `maxAgeMs`; a failure only costs USD values. */
  private async refreshPrices(ctx: RunContext, family: Family, maxAgeMs: number): Promise<void> {
    const p = this.prices[family]
    if (ctx.now - p.at < maxAgeMs || ctx.halt) return
    try {
      const raw = await this.call(
        family === 'spot' ? EP.spotPrices : EP.usdmPrices,
        {},
        'scheduled'
      )
      p.map = parseTickerPrices(raw, `prices:${family}`)
      p.at = ctx.now
    } catch (error) {
      if (error instanceof Deferred) return
      const fault = this.fault(error, `prices:${family}`)
      if (HALTING.has(fault.category)) {
        ctx.halt = fault
        ctx.errors.push({ stream: `prices:${family}`, fault })
      }
    }
  }

  private futuresEnabled(): boolean {
    return this.flags?.enableFutures === true && this.marketsOf('usdm').length > 0
  }

  // -------------------------------------------------------------------------------------------
  // Backfill and poll

  async backfill(options: {
    since: number
    onProgress?: (progress: number, message: string, descriptor?: Message) => void
  }): Promise<PollResult> {
    const now = this.clock.now()
    const since = Math.max(options.since, now - MAX_BACKFILL_MS)
    const report = (p: number, message: Message): void =>
      options.onProgress?.(Math.min(1, Math.max(0, p)), englishText(message), message)
    report(0, msg('progress.startOn', { exchange: 'Binance' }))
    await this.ensureMarkets(now)
    const ctx: RunContext = newRun(
      'backfill',
      now,
      since,
      { meta: JSON.stringify({ since }) },
      (message) => report(0.05, message)
    )
    this.restored = true
    const result = await this.run(ctx, (done, total, message) =>
      report(0.05 + 0.9 * (done / Math.max(1, total)), message)
    )
    // A stream that failed keeps its starting point: the next poll reads the whole window instead
    // of starting "now" and silently skipping history it could not read.
    const start = (name: string, value: string): void => {
      if (result.cursors[name] === undefined) result.cursors[name] = value
    }
    for (const key of this.watched) {
      start(`orders:${key}`, JSON.stringify({ last: -1, floor: since, open: {} }))
      start(`fills:${key}`, encodeId({ lastId: -1, floorTs: since }))
    }
    for (const s of ['withdrawals', 'deposits', 'transfers'])
      start(s, encodeWindow({ ts: since, keys: [] }))
    start('addresses', encodeSnapshot({ kind: 'since', ts: since }))
    report(1, msg('progress.read', { count: result.events.length, exchange: 'Binance' }))
    return result
  }

  async poll(cursors: Cursors): Promise<PollResult> {
    const now = this.clock.now()
    await this.ensureMarkets(now)
    const meta = (() => {
      try {
        const parsed = JSON.parse(String(cursors.meta ?? '{}')) as { since?: unknown }
        return typeof parsed.since === 'number' ? parsed.since : null
      } catch {
        return null
      }
    })()
    const ctx: RunContext = newRun(
      'poll',
      now,
      meta ?? now - (this.options.lookbackMs ?? 5 * MINUTE_MS),
      { ...cursors }
    )
    if (!this.restored) {
      // A fresh process: watch what the cursors name and read each once, in case anything
      // happened while Vigil was not running.
      this.restored = true
      for (const name of Object.keys(cursors)) {
        const m = /^fills:(spot|usdm):(.+)$/.exec(name)
        if (!m) continue
        this.watched.add(`${m[1]}:${m[2]}`)
        this.dirty.set(`${m[1]}:${m[2]}`, 'restart')
      }
      this.walletDirty = true
    }
    return this.run(ctx)
  }

  private async run(
    ctx: RunContext,
    progress: (done: number, total: number, message: Message) => void = () => {}
  ): Promise<PollResult> {
    const result: PollResult = { events: ctx.events, cursors: ctx.cursors, errors: ctx.errors }
    const backfill = ctx.mode === 'backfill'

    await this.stream(ctx, 'keys', async () => {
      try {
        result.keys = await this.readKey()
      } catch (error) {
        // "Invalid Api-Key ID": the key was deleted. An empty inventory lets the core record it.
        if (!backfill && exchangeErrorCode(error) === KEY_GONE_CODE) result.keys = []
        throw error
      }
      return { events: [] }
    })
    const read: { spot?: SpotBalance[]; usdm?: UsdmAccount } = {}
    await this.stream(ctx, 'balances', async () => {
      read.spot = parseSpotAccount(await this.call(EP.spotAccount, {}, 'essential'))
      return { events: [] }
    })
    const futures = this.futuresEnabled()
    if (futures)
      await this.stream(ctx, 'positions', async () => {
        const account = parseUsdmAccount(
          await this.call(EP.usdmAccount, {}, 'essential'),
          'positions'
        )
        read.usdm = account
        return this.positions(ctx, account)
      })
    await this.refreshPrices(ctx, 'spot', this.options.pricesTtlMs ?? MINUTE_MS)
    if (futures) await this.refreshPrices(ctx, 'usdm', this.options.pricesTtlMs ?? MINUTE_MS)
    if (read.spot) {
      this.spotTriggers(ctx, read.spot)
      result.balances = this.balanceSnapshot(ctx, read.spot, read.usdm ?? this.usdmPrev)
    }
    if (read.usdm) this.usdmTriggers(ctx, read.usdm)

    // Open orders: every minute, at once when a locked amount moved, and always in a backfill.
    const sweepDue =
      backfill || this.sweepNow || ctx.now - this.lastSweep >= (this.options.sweepMs ?? MINUTE_MS)
    if (sweepDue) {
      const counted = await this.sweepOpenOrders(ctx, futures)
      if (counted !== null) result.openOrders = counted
    }

    if (backfill) this.chooseBackfillSymbols(read.spot ?? [], read.usdm ?? null, futures)
    for (const symbol of this.options.symbols ?? []) this.watchUnified(symbol)

    // Per-symbol history: everything watched in a backfill; what moved (then the rotation) in a poll.
    // USDⓈ-M history answers -2015 to a key without futures permission: not asked then.
    const readable = (k: string): boolean => futures || k.startsWith('spot:')
    const targets = (backfill ? [...this.watched] : [...this.dirty.keys()]).filter(
      (k) => this.watched.has(k) && readable(k)
    )
    let done = 0
    const total = targets.length + 3
    for (const key of targets) {
      progress(done++, total, msg('progress.ordersTrades', { market: key.replace(':', ' ') }))
      await this.symbolHistory(ctx, key)
    }
    if (!backfill) await this.rotate(ctx, readable)

    // Wallet history: backfill, a balance no market explains, or the 10-minute sweep.
    const sinceWallet = ctx.now - this.lastWallet
    const walletDue =
      backfill ||
      (this.walletDirty && sinceWallet >= (this.options.walletMinGapMs ?? 10_000)) ||
      sinceWallet >= (this.options.walletSweepMs ?? 10 * MINUTE_MS)
    progress(done++, total, msg('progress.withdrawalsDepositsTransfers'))
    if (walletDue) await this.wallet(ctx)
    progress(done++, total, msg('progress.addressList'))
    await this.stream(ctx, 'addresses', () => this.addresses(ctx))
    progress(done, total, msg('progress.finished'))

    if (this.untrusted && !this.untrusted.reported && result.keys?.length) {
      this.untrusted.reported = true
      const k = result.keys[0]!
      ctx.events.push({
        accountId: this.account.id,
        kind: 'key',
        type: 'key.untrusted',
        exchangeRecordId: `${k.keyId}#untrusted`,
        ts: this.untrusted.at,
        data: {
          keyId: k.keyId,
          permissions: k.permissions,
          ipWhitelist: k.ipWhitelist,
          self: true,
          reason:
            'The kill switch fired. Binance cannot revoke keys over its API: treat everything this key does as hostile until it is deleted on binance.com.'
        }
      })
    }
    result.events = finishEvents(ctx.events)
    return result
  }

  /**
   * Runs one stream: its events and cursor are committed only if it succeeded, so a failed or
   * malformed read loses nothing and is retried from the same cursor next time. A read the weight
   * budget defers is not a failure either: it stays pending.
   */
  private async stream(
    ctx: RunContext,
    name: string,
    fn: () => Promise<StreamOutput>,
    needsMarkets = false
  ): Promise<boolean> {
    const out = await runStream(ctx, name, fn, needsMarkets, {
      exchange: 'binance',
      accountId: this.account.id,
      logger: this.logger,
      classify: (error, stream) => this.fault(error, stream),
      marketsFailure: this.marketsFailure,
      halting: HALTING,
      ignore: (error, stream) => {
        if (!(error instanceof Deferred)) return false
        this.logger.debug('binance: read deferred by the weight budget', {
          account: this.account.id,
          stream,
          pool: error.pool
        })
        return true
      }
    })
    return out !== undefined
  }

  // -------------------------------------------------------------------------------------------
  // Key

  /** The guardian key; `[]` when Binance says the key no longer exists (deleted). */
  private async readKey(): Promise<KeySnapshot[]> {
    this.flags = parseApiRestrictions(await this.call(EP.apiRestrictions, {}, 'essential'))
    return [keySnapshot(this.flags, this.keyId)]
  }

  // -------------------------------------------------------------------------------------------
  // Balances, positions and the triggers they raise

  private balanceSnapshot(
    ctx: RunContext,
    spot: SpotBalance[],
    usdm: UsdmAccount | null
  ): BalanceSnapshot[] {
    const totals = new Map<string, number>()
    for (const b of spot) totals.set(b.asset, (totals.get(b.asset) ?? 0) + b.free + b.locked)
    for (const a of usdm?.assets ?? [])
      totals.set(a.asset, (totals.get(a.asset) ?? 0) + (a.marginBalance ?? a.walletBalance))
    // Report assets that are held or were held last time (so a sale to zero is seen), not the
    // hundreds of zero rows Binance lists.
    const before = decodeSnapshot<string[]>(
      ctx.cursors.assets,
      { kind: 'since', ts: 0 },
      isStringArray
    )
    const previously = new Set(before.kind === 'state' ? before.state : [])
    const out: BalanceSnapshot[] = []
    const held: string[] = []
    for (const [currency, total] of [...totals].sort(([a], [b]) => a.localeCompare(b))) {
      if (Math.abs(total) <= EPSILON && !previously.has(currency)) continue
      if (Math.abs(total) > EPSILON) held.push(currency)
      const usd = this.usd(currency)
      out.push({ currency, total, usdValue: usd === null ? null : total * usd })
    }
    ctx.cursors.assets = encodeSnapshot({ kind: 'state', state: held })
    return out
  }

  /**
   * What a spot wallet change says: markets whose two assets both moved traded; a locked amount
   * that moved means resting orders came or went; a move no market explains is wallet activity.
   */
  private spotTriggers(ctx: RunContext, current: SpotBalance[]): void {
    const now = new Map(current.map((b) => [b.asset, b]))
    const prev = this.spotPrev
    this.spotPrev = now
    if (!prev || ctx.mode === 'backfill') return
    const changed = new Set<string>()
    const lockedMoved = new Set<string>()
    const totalMoved = new Set<string>()
    for (const asset of new Set([...now.keys(), ...prev.keys()])) {
      const a = now.get(asset) ?? { asset, free: 0, locked: 0 }
      const b = prev.get(asset) ?? { asset, free: 0, locked: 0 }
      const tol = (x: number): number => Math.max(EPSILON, Math.abs(x) * 1e-9)
      const freeMoved = Math.abs(a.free - b.free) > tol(b.free)
      const locked = Math.abs(a.locked - b.locked) > tol(b.locked)
      const total = Math.abs(a.free + a.locked - b.free - b.locked) > tol(b.free + b.locked)
      if (freeMoved || locked) changed.add(asset)
      if (locked) lockedMoved.add(asset)
      if (total) totalMoved.add(asset)
    }
    if (!changed.size) return
    const covered = new Set<string>()
    for (const m of this.marketsOf('spot')) {
      const base = String(m.base)
      const quote = String(m.quote)
      if (!totalMoved.has(base) || !totalMoved.has(quote)) continue
      const key = streamKey('spot', String(m.id))
      this.watched.add(key)
      this.dirty.set(key, `${base} and ${quote} balances moved`)
      covered.add(base)
      covered.add(quote)
    }
    if (lockedMoved.size) this.sweepNow = true
    if ([...totalMoved].some((a) => !covered.has(a))) this.walletDirty = true
  }

  /** Positions or open-order margin that moved name the USDⓈ-M symbols to read. */
  private usdmTriggers(ctx: RunContext, current: UsdmAccount): void {
    const prev = this.usdmPrev
    this.usdmPrev = current
    if (!prev || ctx.mode === 'backfill') return
    const before = new Map(prev.positions.map((p) => [`${p.symbol}|${p.positionSide ?? ''}`, p]))
    for (const p of current.positions) {
      const b = before.get(`${p.symbol}|${p.positionSide ?? ''}`)
      const moved =
        !b ||
        b.positionAmt !== p.positionAmt ||
        (b.openOrderInitialMargin ?? 0) !== (p.openOrderInitialMargin ?? 0)
      if (!moved) continue
      if (!b && p.positionAmt === 0 && !(p.openOrderInitialMargin ?? 0)) continue
      const key = streamKey('usdm', p.symbol)
      this.watched.add(key)
      this.dirty.set(key, 'position or open-order margin moved')
    }
  }

  /** Position and leverage changes from the USDⓈ-M account, against the `positions` cursor. */
  private positions(ctx: RunContext, account: UsdmAccount): StreamOutput {
    const name = 'positions'
    const previous = decodeSnapshot<Record<string, string>>(
      ctx.cursors[name],
      { kind: 'since', ts: ctx.since },
      isStringMap
    )
    const before = previous.kind === 'state' ? previous.state : {}
    const state: Record<string, string> = {}
    const events: NewEvent[] = []
    const first = previous.kind === 'since'
    for (const p of account.positions) {
      const key =
        p.positionSide && p.positionSide !== 'BOTH' ? `${p.symbol}:${p.positionSide}` : p.symbol
      const leverage = p.leverage ?? null
      const active = p.positionAmt !== 0 || (p.openOrderInitialMargin ?? 0) > 0
      const known = before[key]
      // Keep every symbol that ever mattered; untouched symbols at default settings are noise.
      if (!active && known === undefined && !first) {
        if (leverage !== null) state[key] = `0|${leverage}`
        continue
      }
      state[key] = `${p.positionAmt}|${leverage ?? ''}`
      const [amt, lev] = (known ?? '|').split('|')
      const symbol = this.info('usdm', p.symbol).symbol
      if (known === undefined ? active : Number(amt) !== p.positionAmt)
        events.push({
          accountId: this.account.id,
          kind: 'position',
          type: 'position.changed',
          exchangeRecordId: `usdm:${key}#${ctx.now}`,
          ts: ctx.now,
          data: positionData(symbol, p)
        })
      const previousLev = lev ? Number(lev) : null
      if (leverage !== null && (known === undefined ? active : previousLev !== leverage))
        events.push({
          accountId: this.account.id,
          kind: 'leverage',
          type: 'leverage.changed',
          exchangeRecordId: `${p.symbol}:leverage:${leverage}#${known === undefined ? 'baseline' : ctx.now}`,
          ts: ctx.now,
          data: { symbol, leverage, previous: previousLev }
        })
    }
    return { events, cursor: encodeSnapshot({ kind: 'state', state }) }
  }

  // -------------------------------------------------------------------------------------------
  // Which symbols to watch

  private watchUnified(symbol: string): void {
    const m = this.ccxt.markets?.[symbol] as Record<string, unknown> | undefined
    if (!m || typeof m.id !== 'string') return
    if (m.spot === true) this.watched.add(streamKey('spot', m.id))
    else if (m.linear === true && m.swap === true) this.watched.add(streamKey('usdm', m.id))
  }

  /**
   * Binance lists no "symbols this account traded". Backfill reads the markets between held
   * assets and the majors (with at least one side held), the symbols with open orders and the
   * open positions, most likely first, capped by `maxBackfillSymbols`.
   */
  private chooseBackfillSymbols(
    spot: SpotBalance[],
    usdm: UsdmAccount | null,
    futures: boolean
  ): void {
    const held = new Set(spot.filter((b) => b.free + b.locked > EPSILON).map((b) => b.asset))
    const majors = new Set(this.options.majors ?? ['USDT', 'USDC', 'FDUSD', 'BTC', 'ETH', 'BNB'])
    const pool = new Set([...held, ...majors])
    const cap = this.options.maxBackfillSymbols ?? 40
    const ranked = this.marketsOf('spot')
      .filter((m) => m.active !== false)
      .map((m) => ({ id: String(m.id), base: String(m.base), quote: String(m.quote) }))
      .filter(
        (m) => pool.has(m.base) && pool.has(m.quote) && (held.has(m.base) || held.has(m.quote))
      )
      .map((m) => ({ ...m, score: Number(held.has(m.base)) * 2 + Number(held.has(m.quote)) }))
      .sort((a, b) => b.score - a.score || a.id.localeCompare(b.id))
      .slice(0, cap)
    for (const m of ranked) this.watched.add(streamKey('spot', m.id))
    if (!futures) return
    const usdmPicked = this.marketsOf('usdm')
      .map((m) => ({ id: String(m.id), base: String(m.base) }))
      .filter((m) => held.has(m.base))
      .slice(0, cap)
    for (const m of usdmPicked) this.watched.add(streamKey('usdm', m.id))
    for (const p of usdm?.positions ?? [])
      if (p.positionAmt !== 0 || (p.openOrderInitialMargin ?? 0) > 0)
        this.watched.add(streamKey('usdm', p.symbol))
  }

  // -------------------------------------------------------------------------------------------
  // Open orders

  /**
   * Lists every open order (spot, USDⓈ-M and conditional). New ids or vanished ones mark their
   * symbol for an orders read. Returns the total when every list was read, else null.
   */
  private async sweepOpenOrders(ctx: RunContext, futures: boolean): Promise<number | null> {
    let total = 0
    let complete = true
    const lists: Array<[Family, Endpoint]> = [['spot', EP.spotOpenAll]]
    if (futures) lists.push(['usdm', EP.usdmOpenAll])
    for (const [family, ep] of lists) {
      const ok = await this.stream(ctx, `openOrders:${family}`, async () => {
        const open = parseOrders(
          await this.call(ep, {}, 'scheduled'),
          'open orders',
          `openOrders:${family}`
        )
        this.noteOpen(family, open, ctx.mode === 'backfill')
        total += open.length
        return { events: [] }
      })
      complete &&= ok
    }
    if (futures) {
      const ok = await this.stream(ctx, 'openOrders:conditional', async () => {
        const algo = parseAlgoOrders(
          await this.call(EP.usdmAlgoAll, {}, 'scheduled'),
          'openOrders:conditional'
        )
        this.algoOpen = algo.length
        total += algo.length
        for (const o of algo) this.watched.add(streamKey('usdm', o.symbol))
        return { events: [] }
      })
      complete &&= ok
    }
    if (complete) {
      this.lastSweep = ctx.now
      this.sweepNow = false
    }
    return complete ? total : null
  }

  private noteOpen(family: Family, open: BinanceOrder[], backfill: boolean): void {
    const bySymbol = new Map<string, Set<string>>()
    for (const o of open) {
      const key = streamKey(family, o.symbol)
      if (!bySymbol.has(key)) bySymbol.set(key, new Set())
      bySymbol.get(key)!.add(o.orderId)
    }
    const keys = new Set([
      ...bySymbol.keys(),
      ...[...this.openIds.keys()].filter((k) => k.startsWith(`${family}:`))
    ])
    for (const key of keys) {
      const now = bySymbol.get(key) ?? new Set<string>()
      const before = this.openIds.get(key) ?? new Set<string>()
      const differs = now.size !== before.size || [...now].some((id) => !before.has(id))
      if (now.size) this.watched.add(key)
      if (differs && !backfill) this.dirty.set(key, 'open orders changed')
      this.openIds.set(key, now)
    }
  }

  private openOrderCount(): number {
    let n = this.algoOpen
    for (const ids of this.openIds.values()) n += ids.size
    return n
  }

  // -------------------------------------------------------------------------------------------
  // Per-symbol history

  /** Reads a symbol's orders and fills; it stays pending until both reads succeeded. */
  private async symbolHistory(ctx: RunContext, key: string): Promise<void> {
    const [family, symbolId] = key.split(':') as [Family, string]
    const tier: Tier = 'triggered'
    const orders = await this.stream(
      ctx,
      `orders:${key}`,
      () => this.orders(ctx, family, symbolId, tier),
      true
    )
    const fills = await this.stream(
      ctx,
      `fills:${key}`,
      () => this.fills(ctx, family, symbolId, tier),
      true
    )
    if (orders && fills) this.dirty.delete(key)
    else if (!this.dirty.has(key)) this.dirty.set(key, 'previous read did not complete')
  }

  /** Reads one watched symbol's fills, the one read longest ago, when the routine budget allows. */
  private async rotate(ctx: RunContext, readable: (key: string) => boolean): Promise<void> {
    const every = this.options.rotationMs ?? MINUTE_MS
    const due = [...this.watched]
      .filter((k) => !this.dirty.has(k) && readable(k))
      .map((k) => ({ k, at: this.lastFills.get(k) ?? -Infinity }))
      .filter(({ at }) => ctx.now - at >= every)
      .sort((a, b) => a.at - b.at)
    for (const { k } of due.slice(0, 2)) {
      const [family, symbolId] = k.split(':') as [Family, string]
      const before = ctx.events.length
      const ok = await this.stream(
        ctx,
        `fills:${k}`,
        () => this.fills(ctx, family, symbolId, 'routine'),
        true
      )
      if (!ok) break
      // New fills the balance did not reveal (they netted out): read the orders too.
      if (ctx.events.length > before) await this.symbolHistory(ctx, k)
    }
  }

  private async orders(
    ctx: RunContext,
    family: Family,
    symbolId: string,
    tier: Tier
  ): Promise<StreamOutput> {
    const name = `orders:${family}:${symbolId}`
    const lookback = this.options.lookbackMs ?? 5 * MINUTE_MS
    // A symbol first watched while polling reads its last day: older trades on it predate Vigil.
    const cursor = decodeOrders(
      ctx.cursors[name],
      ctx.mode === 'backfill' ? ctx.since : ctx.now - DAY_MS
    )
    const rows = new Map<string, BinanceOrder>()
    const ep = family === 'spot' ? EP.spotAllOrders : EP.usdmAllOrders
    const add = (list: BinanceOrder[]): void => {
      for (const o of list) if (o.symbol === symbolId) rows.set(o.orderId, o)
    }
    const openIds = Object.keys(cursor.open).map(Number).filter(Number.isFinite)
    if (cursor.last >= 0) {
      // By id: everything from the oldest order still open, so status changes are seen too.
      let from = Math.min(cursor.last + 1, ...openIds)
      for (;;) {
        const page = parseOrders(
          await this.call(ep, { symbol: symbolId, orderId: from, limit: PAGE }, tier),
          'order history',
          name
        )
        add(page)
        if (page.length < PAGE) break
        from = Math.max(...page.map((o) => Number(o.orderId))) + 1
      }
    } else {
      // Never read by id: by time from the cursor's floor (USDⓈ-M answers 7 days per request).
      const start =
        ctx.mode === 'backfill' ? cursor.floor : Math.min(cursor.floor, ctx.now - lookback)
      await this.byTime(family, start, ctx.now, async (window) => {
        let from: number | null = null
        for (;;) {
          const params: Record<string, unknown> =
            from === null
              ? {
                  symbol: symbolId,
                  startTime: window.start,
                  ...(window.end ? { endTime: window.end } : {}),
                  limit: PAGE
                }
              : { symbol: symbolId, orderId: from, limit: PAGE }
          const page = parseOrders(await this.call(ep, params, tier), 'order history', name)
          add(page)
          if (page.length < PAGE) break
          from = Math.max(...page.map((o) => Number(o.orderId))) + 1
        }
      })
    }
    // Resting orders older than the history window are still the account's current state.
    if (ctx.mode === 'backfill')
      for (const id of this.openIds.get(streamKey(family, symbolId)) ?? [])
        if (!rows.has(id)) {
          const page = parseOrders(
            await this.call(ep, { symbol: symbolId, orderId: Number(id), limit: 1 }, tier),
            'order',
            name
          )
          add(page.filter((o) => o.orderId === id))
        }
    await this.refreshPrices(ctx, family, rows.size ? 5000 : Infinity)
    const info = this.info(family, symbolId)
    const events: NewEvent[] = []
    const open = { ...cursor.open }
    let last = cursor.last
    for (const o of [...rows.values()].sort((a, b) => Number(a.orderId) - Number(b.orderId))) {
      const n = Number(o.orderId)
      const state = `${o.status}:${o.executedQty}`
      const base = `${o.orderId}#${family}:${symbolId}`
      if (n > cursor.last && cursor.open[o.orderId] === undefined) {
        events.push({
          accountId: this.account.id,
          kind: 'order',
          type: 'order.new',
          exchangeRecordId: base,
          ts: o.time,
          data: orderData(o, info)
        })
      } else if (open[o.orderId] !== undefined && open[o.orderId] !== state) {
        events.push({
          accountId: this.account.id,
          kind: 'order',
          type: 'order.updated',
          exchangeRecordId: FINAL_STATUSES.has(o.status)
            ? `${base}#${o.status}`
            : `${base}#${o.status}@${o.executedQty}`,
          ts: o.updateTime,
          data: orderData(o, info)
        })
      }
      if (FINAL_STATUSES.has(o.status)) delete open[o.orderId]
      else open[o.orderId] = state
      if (n > last) last = n
    }
    this.openIds.set(streamKey(family, symbolId), new Set(Object.keys(open)))
    const floor = last >= 0 ? cursor.floor : Math.max(cursor.floor, ctx.now - lookback)
    return { events, cursor: JSON.stringify({ last, floor, open }) }
  }

  private async fills(
    ctx: RunContext,
    family: Family,
    symbolId: string,
    tier: Tier
  ): Promise<StreamOutput> {
    const name = `fills:${family}:${symbolId}`
    const lookback = this.options.lookbackMs ?? 5 * MINUTE_MS
    const cursor = decodeId(ctx.cursors[name], {
      lastId: -1,
      floorTs: ctx.mode === 'backfill' ? ctx.since : ctx.now - DAY_MS
    })
    const ep = family === 'spot' ? EP.spotMyTrades : EP.usdmUserTrades
    const trades = new Map<string, BinanceTrade>()
    const add = (list: BinanceTrade[]): void => {
      for (const t of list)
        if (t.symbol === symbolId && Number(t.id) > cursor.lastId) trades.set(t.id, t)
    }
    const pageFrom = async (fromId: number): Promise<void> => {
      for (let from = fromId; ;) {
        const page = parseTrades(
          await this.call(ep, { symbol: symbolId, fromId: from, limit: PAGE }, tier),
          name
        )
        add(page)
        if (page.length < PAGE) break
        from = Math.max(...page.map((t) => Number(t.id))) + 1
      }
    }
    if (cursor.lastId >= 0) await pageFrom(cursor.lastId + 1)
    else {
      const start =
        ctx.mode === 'backfill' ? cursor.floorTs : Math.min(cursor.floorTs, ctx.now - lookback)
      await this.byTime(family, start, ctx.now, async (window) => {
        const page = parseTrades(
          await this.call(
            ep,
            {
              symbol: symbolId,
              startTime: window.start,
              ...(window.end ? { endTime: window.end } : {}),
              limit: PAGE
            },
            tier
          ),
          name
        )
        add(page)
        if (page.length === PAGE) await pageFrom(Math.max(...page.map((t) => Number(t.id))) + 1)
      })
    }
    this.lastFills.set(streamKey(family, symbolId), ctx.now)
    const sorted = [...trades.values()].sort((a, b) => Number(a.id) - Number(b.id))
    if (sorted.length) await this.refreshPrices(ctx, family, 5000)
    const info = this.info(family, symbolId)
    const market = this.prices[family].map.get(symbolId) ?? null
    const events: NewEvent[] = sorted.map((t) => ({
      accountId: this.account.id,
      kind: 'fill',
      type: 'fill.new',
      exchangeRecordId: `${t.id}#${family}:${symbolId}`,
      ts: t.time,
      data: fillData(t, info, market)
    }))
    const lastId = sorted.length ? Number(sorted.at(-1)!.id) : cursor.lastId
    const floorTs = lastId >= 0 ? cursor.floorTs : Math.max(cursor.floorTs, ctx.now - lookback)
    return { events, cursor: encodeId({ lastId, floorTs }) }
  }

  /**
   * Walks [start, end] in the windows a family's history allows: spot takes `startTime` alone
   * (ascending from it), USDⓈ-M at most 7 days per request.
   */
  private async byTime(
    family: Family,
    start: number,
    end: number,
    read: (window: { start: number; end: number | null }) => Promise<void>
  ): Promise<void> {
    if (family === 'spot') return read({ start, end: null })
    for (let from = start; from <= end; from += USDM_WINDOW_MS)
      await read({ start: from, end: Math.min(end, from + USDM_WINDOW_MS - 1) })
  }

  // -------------------------------------------------------------------------------------------
  // Wallet

  private async wallet(ctx: RunContext): Promise<void> {
    const okW = await this.stream(ctx, 'withdrawals', () => this.withdrawals(ctx))
    const okD = await this.stream(ctx, 'deposits', () => this.deposits(ctx))
    const okT = await this.stream(ctx, 'transfers', () => this.subTransfers(ctx))
    if (okW && okD && okT) {
      this.lastWallet = ctx.now
      this.walletDirty = false
    }
  }

  private walletWindow(ctx: RunContext, name: string): WindowTracker {
    // The same overlap in backfill and polls: the cursor keeps the keys inside it.
    return new WindowTracker(
      decodeWindow(ctx.cursors[name], { ts: ctx.since, keys: [] }),
      this.options.walletOverlapMs ?? 3 * DAY_MS
    )
  }

  private async withdrawals(ctx: RunContext): Promise<StreamOutput> {
    const name = 'withdrawals'
    const tracker = this.walletWindow(ctx, name)
    const startTime = Math.max(ctx.now - WALLET_WINDOW_MS + 1000, tracker.windowStart, 0)
    const rows = []
    for (let offset = 0; ; offset += PAGE) {
      const page = parseWithdrawals(
        await this.call(
          EP.withdrawals,
          {
            startTime,
            endTime: Math.min(startTime + WALLET_WINDOW_MS, ctx.now + DAY_MS),
            offset,
            limit: PAGE
          },
          ctx.mode === 'backfill' ? 'triggered' : 'scheduled'
        ),
        name
      )
      rows.push(...page)
      if (page.length < PAGE) break
    }
    const events: NewEvent[] = []
    for (const w of rows.sort((a, b) => a.applyTime - b.applyTime || Number(a.id) - Number(b.id))) {
      const key = `${w.id}@${w.status}`
      const prior = tracker.deliveredPrefix(`${w.id}@`)
      if (!tracker.observe(key, w.applyTime)) continue
      const usd = this.usd(w.coin)
      if (isInternalTransfer(w)) {
        if (prior) continue
        events.push({
          accountId: this.account.id,
          kind: 'transfer',
          type: 'transfer.new',
          exchangeRecordId: `${w.id}#internal`,
          ts: w.applyTime,
          data: internalTransferData(w, usd)
        })
        continue
      }
      const data = withdrawalData(w, usd)
      events.push(
        prior
          ? {
              accountId: this.account.id,
              kind: 'withdrawal',
              type: 'withdrawal.updated',
              exchangeRecordId: `${w.id}#${data.status}`,
              ts: w.completeTime ?? ctx.now,
              data
            }
          : {
              accountId: this.account.id,
              kind: 'withdrawal',
              type: 'withdrawal.new',
              exchangeRecordId: w.id,
              ts: w.applyTime,
              data
            }
      )
    }
    return { events, cursor: encodeWindow(tracker.next(ctx.now)) }
  }

  private async deposits(ctx: RunContext): Promise<StreamOutput> {
    const name = 'deposits'
    const tracker = this.walletWindow(ctx, name)
    const startTime = Math.max(ctx.now - WALLET_WINDOW_MS + 1000, tracker.windowStart, 0)
    const rows = []
    for (let offset = 0; ; offset += PAGE) {
      const page = parseDeposits(
        await this.call(
          EP.deposits,
          {
            startTime,
            endTime: Math.min(startTime + WALLET_WINDOW_MS, ctx.now + DAY_MS),
            offset,
            limit: PAGE
          },
          'scheduled'
        ),
        name
      )
      rows.push(...page)
      if (page.length < PAGE) break
    }
    const events: NewEvent[] = []
    for (const d of rows.sort((a, b) => a.insertTime - b.insertTime)) {
      const recordId = depositRecordId(d)
      const prior = tracker.deliveredPrefix(`${recordId}@`)
      if (!tracker.observe(`${recordId}@${d.status}`, d.insertTime) || prior) continue
      const usd = this.usd(d.coin)
      events.push({
        accountId: this.account.id,
        kind: 'deposit',
        type: 'deposit.new',
        exchangeRecordId: recordId,
        ts: d.insertTime,
        data: {
          depositId: recordId,
          currency: d.coin,
          amount: d.amount,
          address: d.address ?? null,
          network: d.network ?? null,
          amountUsd: usd !== null ? d.amount * usd : null
        }
      })
    }
    return { events, cursor: encodeWindow(tracker.next(ctx.now)) }
  }

  private async subTransfers(ctx: RunContext): Promise<StreamOutput> {
    const name = 'transfers'
    const tracker = new WindowTracker(
      decodeWindow(ctx.cursors[name], { ts: ctx.since, keys: [] }),
      this.options.lookbackMs ?? 5 * MINUTE_MS
    )
    const events: NewEvent[] = []
    const rows = []
    for (let from = Math.max(0, tracker.windowStart); from <= ctx.now; from += TRANSFER_WINDOW_MS) {
      for (let page = 1; ; page++) {
        const list = parseSubTransfers(
          await this.call(
            EP.subTransfers,
            {
              startTime: from,
              endTime: Math.min(from + TRANSFER_WINDOW_MS - 1, ctx.now + MINUTE_MS),
              page,
              limit: 500
            },
            'scheduled'
          ),
          name
        )
        rows.push(...list)
        if (list.length < 500) break
      }
    }
    for (const t of rows.sort((a, b) => a.createTimeStamp - b.createTimeStamp)) {
      if (!tracker.observe(t.tranId, t.createTimeStamp)) continue
      events.push({
        accountId: this.account.id,
        kind: 'transfer',
        type: 'transfer.new',
        exchangeRecordId: `${t.tranId}#sub`,
        ts: t.createTimeStamp,
        data: subTransferData(t, this.usd(t.asset))
      })
    }
    return { events, cursor: encodeWindow(tracker.next(ctx.now)) }
  }

  /**
   * The withdrawal address list has no creation times, so changes are found by comparison. The
   * first read is the baseline (`address.seen`): addresses present when the account was added
   * are the trader's; later ones are `address.added`.
   */
  private async addresses(ctx: RunContext): Promise<StreamOutput> {
    const name = 'addresses'
    const list = parseAddressList(
      await this.call(EP.addresses, {}, ctx.mode === 'backfill' ? 'essential' : 'scheduled'),
      name
    )
    const previous = decodeSnapshot<string[]>(
      ctx.cursors[name],
      { kind: 'since', ts: ctx.since },
      isStringArray
    )
    const events: NewEvent[] = []
    const current = new Map(list.map((a) => [addressKey(a), a]))
    if (previous.kind === 'since') {
      for (const a of list)
        events.push({
          accountId: this.account.id,
          kind: 'address',
          type: 'address.seen',
          exchangeRecordId: `${addressRecordId(a)}#seen`,
          ts: ctx.now,
          data: addressData(a)
        })
    } else {
      const before = new Set(previous.state)
      for (const [key, a] of current)
        if (!before.has(key))
          events.push({
            accountId: this.account.id,
            kind: 'address',
            type: 'address.added',
            exchangeRecordId: addressRecordId(a),
            ts: ctx.now,
            data: addressData(a)
          })
      for (const key of before) {
        if (current.has(key)) continue
        const [coin = '', network = '', address = '', tag = ''] = key.split('|')
        events.push({
          accountId: this.account.id,
          kind: 'address',
          type: 'address.removed',
          exchangeRecordId: `${coin}:${address}#${network}${tag ? `:${tag}` : ''}#removed@${ctx.now}`,
          ts: ctx.now,
          data: {
            currency: coin,
            address: tag ? `${address}:${tag}` : address,
            label: null,
            network
          }
        })
      }
    }
    return { events, cursor: encodeSnapshot({ kind: 'state', state: [...current.keys()].sort() }) }
  }

  // -------------------------------------------------------------------------------------------
  // Containment

  async disableKeys(keyIds: string[]): Promise<KeysDisabled> {
    return {
      disabled: [],
      failed: [...new Set(keyIds)].map((keyId) =>
        keyNotDisabled(
          keyId,
          msg('keys.binance.cannotDisable', { url: BINANCE_API_MANAGEMENT_URL })
        )
      )
    }
  }

  /** Every open order (spot, USDⓈ-M, conditional) per symbol, read from the exchange. */
  private async listOpen(
    futures: boolean,
    stream: string
  ): Promise<{ spot: Map<string, number>; usdm: Map<string, number>; algo: Map<string, number> }> {
    const group = (symbols: string[]): Map<string, number> => {
      const out = new Map<string, number>()
      for (const s of symbols) out.set(s, (out.get(s) ?? 0) + 1)
      return out
    }
    const spot = parseOrders(
      await this.call(EP.spotOpenAll, {}, 'essential'),
      'open orders',
      stream
    )
    this.noteOpen('spot', spot, true)
    let usdm: BinanceOrder[] = []
    let algo: { symbol: string }[] = []
    if (futures) {
      usdm = parseOrders(await this.call(EP.usdmOpenAll, {}, 'essential'), 'open orders', stream)
      this.noteOpen('usdm', usdm, true)
      algo = parseAlgoOrders(await this.call(EP.usdmAlgoAll, {}, 'essential'), stream)
      this.algoOpen = algo.length
    }
    return {
      spot: group(spot.map((o) => o.symbol)),
      usdm: group(usdm.map((o) => o.symbol)),
      algo: group(algo.map((o) => o.symbol))
    }
  }

  async killSwitch(options: KillSwitchOptions): Promise<KillSwitchAccountResult> {
    const { result, step, fail, manual } = startKillSwitchResult(
      {
        account: this.account.id,
        exchange: 'binance',
        key: 'manual-revoke-required',
        manualUrl: BINANCE_API_MANAGEMENT_URL
      },
      options.onStep
    )
    const now = this.clock.now()
    await this.ensureMarkets(now)
    // Whether the key may touch futures decides which lists exist; unknown = try them.
    if (!this.flags) {
      const k = await this.retry(() => this.readKey(), 'killSwitch')
      if (!k.ok) step('read-key', false, k.attempts, k.fault.msg)
    }
    const futures = this.flags ? this.futuresEnabled() : this.marketsOf('usdm').length > 0

    type Listing = Awaited<ReturnType<BinanceConnector['listOpen']>>
    const count = (l: Listing): number =>
      [...l.spot.values(), ...l.usdm.values(), ...l.algo.values()].reduce((a, b) => a + b, 0)
    const list = async (label: string): Promise<Listing | null> => {
      const r = await this.retry(() => this.listOpen(futures, 'killSwitch'), 'killSwitch')
      if (r.ok) {
        const n = count(r.value)
        step(
          label,
          true,
          r.attempts,
          msg('ks.openOnSymbols', {
            count: n,
            symbols: new Set([
              ...r.value.spot.keys(),
              ...r.value.usdm.keys(),
              ...r.value.algo.keys()
            ]).size
          })
        )
        return r.value
      }
      step(label, false, r.attempts, r.fault.msg)
      fail(msg('ks.err.listOpenOrders', { error: r.fault.msg }))
      return null
    }
    /** Cancels one symbol's orders of one kind; "nothing to cancel" counts as done. */
    const cancel = async (
      kind: 'spot' | 'usdm' | 'algo',
      symbol: string,
      expected: number
    ): Promise<void> => {
      const ep =
        kind === 'spot' ? EP.spotCancelAll : kind === 'usdm' ? EP.usdmCancelAll : EP.usdmCancelAlgo
      const label = `cancel-${kind} ${symbol}`
      const r = await this.retry(async () => {
        try {
          const raw = await this.call(ep, { symbol }, 'essential')
          if (kind === 'spot') return parseOrders(raw, 'cancel answer', 'killSwitch').length
          parseCancelDone(raw, 'killSwitch')
          return expected
        } catch (error) {
          if (exchangeErrorCode(error) === NOTHING_TO_CANCEL_CODE) return 0
          throw error
        }
      }, 'killSwitch')
      if (r.ok) {
        result.ordersCancelled += r.value
        const code =
          kind === 'spot'
            ? 'ks.binance.cancelledSpot'
            : kind === 'usdm'
              ? 'ks.binance.cancelledUsdm'
              : 'ks.binance.cancelledAlgo'
        step(label, true, r.attempts, msg(code, { count: r.value, symbol }))
      } else {
        step(label, false, r.attempts, r.fault.msg)
        fail(msg('ks.err.cancelSymbol', { symbol, kind, error: r.fault.msg }))
      }
    }
    const cancelAll = async (l: Listing): Promise<void> => {
      for (const [symbol, n] of l.spot) await cancel('spot', symbol, n)
      for (const [symbol, n] of l.usdm) await cancel('usdm', symbol, n)
      for (const [symbol, n] of l.algo) await cancel('algo', symbol, n)
    }

    // 1. List, cancel per symbol, read back; one more round if anything is left.
    let listing = await list('list-open-orders')
    if (listing && count(listing) > 0) {
      await cancelAll(listing)
      listing = await list('read-back-orders')
      if (listing && count(listing) > 0) {
        await cancelAll(listing)
        listing = await list('read-back-orders-retry')
      }
    } else if (listing) step('cancel', true, 0, msg('ks.nothingToCancel'))

    // 2. Optional: close USDⓈ-M positions with reduce-only market orders.
    if (options.closePositions && futures) await this.closePositions(step, fail)

    // 3. The key: Binance cannot revoke it over the API. Stop trusting it and say what to do.
    this.untrusted ??= { at: now, reported: false }
    const keyName = msg('key.id', { id: hint(this.ccxt.apiKey || '') })
    step('revoke-key', false, 0, msg('ks.binance.noRevoke', { key: keyName }))
    step('mark-key-untrusted', true, 0, msg('ks.binance.untrusted', { key: keyName }))

    // 4. Report what is done and what remains, in words the trader can act on.
    const remaining = listing ? count(listing) : null
    // Unconfirmed: the last count seen, never a zero nobody read back (-1 = unknown).
    const known = this.openOrderCount()
    result.ordersRemaining = remaining ?? (known > 0 ? known : -1)
    if (remaining === null) manual(msg('manual.binance.unconfirmed'))
    else if (remaining > 0) manual(msg('manual.binance.left', { count: remaining }))
    manual(
      msg('manual.binance.deleteKey', {
        key: keyName,
        url: BINANCE_API_MANAGEMENT_URL,
        ending: hint(this.ccxt.apiKey || '').slice(1)
      })
    )
    manual(msg('manual.binance.otherKeys'))
    manual(msg('manual.binance.checkWithdrawals'))
    manual(msg('manual.binance.newKey'))
    result.key = 'manual-revoke-required'
    result.contained = false
    this.logger.info('binance: kill switch finished', {
      account: this.account.id,
      cancelled: result.ordersCancelled,
      remaining: result.ordersRemaining
    })
    return result
  }

  private async closePositions(step: StepRecorder, fail: FailRecorder): Promise<void> {
    const listed = await this.retry(
      async () =>
        parseUsdmAccount(await this.call(EP.usdmAccount, {}, 'essential'), 'closePositions'),
      'closePositions'
    )
    if (!listed.ok) {
      step('close-positions', false, listed.attempts, listed.fault.msg)
      fail(msg('ks.err.readPositions', { error: listed.fault.msg }))
      return
    }
    const open = listed.value.positions.filter((p) => p.positionAmt !== 0)
    if (!open.length) {
      step('close-positions', true, listed.attempts, msg('ks.noUsdmPositions'))
      return
    }
    for (const p of open) {
      const r = await this.retry(
        () =>
          this.call(
            EP.usdmOrder,
            {
              symbol: p.symbol,
              side: p.positionAmt > 0 ? 'SELL' : 'BUY',
              type: 'MARKET',
              quantity: String(Math.abs(p.positionAmt)),
              reduceOnly: 'true',
              ...(p.positionSide && p.positionSide !== 'BOTH'
                ? { positionSide: p.positionSide }
                : {})
            },
            'essential'
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

  async close(): Promise<void> {
    const close = (this.ccxt as { close?: () => Promise<void> }).close
    if (typeof close === 'function') await close.call(this.ccxt).catch(() => {})
  }
}
