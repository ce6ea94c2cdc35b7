/**
 * The Binance dialect: spot `/api/v3`, wallet `/sapi/v1`, USDⓈ-M `/fapi/v1|v2|v3` (and an empty
 * COIN-M `/dapi/v1/exchangeInfo`, which ccxt loads by default), answered the way api.binance.com
 * and fapi.binance.com answer: `X-MBX-APIKEY` plus an HMAC-SHA256 `signature` over the parameters
 * as sent, `timestamp` / `recvWindow` checks, request weights counted per minute with 429 then 418
 * bans, and Binance's own `{"code":-2015,"msg":…}` error bodies so ccxt raises the classes it
 * would against the real exchange.
 *
 * The real constraints are kept because a connector that works here must work there:
 * `myTrades` / `allOrders` need a symbol; `openOrders` without a symbol costs 80 (USDⓈ-M 40);
 * cancelling everything is per symbol (`DELETE /api/v3/openOrders`, `/fapi/v1/allOpenOrders`,
 * `/fapi/v1/algoOpenOrders`); the withdrawal history spans at most 90 days per request and costs
 * 18 000 of the account's 180 000 UID weight per minute; spot trade and order history windows span
 * at most 24 h, USDⓈ-M ones 7 days; there is no API to revoke the key.
 *
 * The world keeps one balance per asset: the dialect shows it as the spot wallet; the USDⓈ-M
 * wallet carries positions and leverage only.
 */
import type { Permission } from '../../replay/scenario'
import type { MarketState } from '../markets'
import { roundTo } from '../markets'
import type { AccountState, KeyRecord, OrderRecord, World } from '../world'
import {
  binanceFlags,
  binanceKeyFingerprint,
  DEFAULT_RECV_WINDOW,
  MAX_RECV_WINDOW,
  splitSigned,
  timestampProblem,
  verifyBinanceSignature
} from './binance-auth'
import { WeightLimiter, type Charge, type Pool } from './binance-limits'
import {
  familyOf,
  plain,
  renderAddress,
  renderCoinConfig,
  renderInternalTransfer,
  renderSpotOrder,
  renderSpotSymbol,
  renderSpotTrade,
  renderSubTransfer,
  renderTicker24h,
  renderUsdmOrder,
  renderUsdmPosition,
  renderUsdmSymbol,
  renderUsdmTrade,
  renderWithdrawal,
  SPOT_RATE_LIMITS,
  spot,
  spotBalances,
  symbolId,
  USDM_RATE_LIMITS,
  type Family
} from './binance-render'
import type { Dialect, DialectContext, SimRequest, SimResponse } from './types'

const DAY = 86_400_000
const DEFAULT_LEVERAGE = 20

/** A Binance error answer: `{"code": <negative int>, "msg": "…"}` with its HTTP status. */
class ApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly status = 400,
    readonly headers: Record<string, string> = {}
  ) {
    super(message)
  }
}

const INVALID_KEY = (): ApiError =>
  new ApiError(-2015, 'Invalid API-key, IP, or permissions for action.', 401)
const mandatory = (name: string): ApiError =>
  new ApiError(-1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`)
const invalidValue = (name: string): ApiError =>
  new ApiError(-1130, `Data sent for parameter '${name}' is not valid.`)

interface Caller {
  account: AccountState
  key: KeyRecord
}

interface Call {
  request: SimRequest
  context: DialectContext
  world: World
  /** Query and form body together, as Binance reads them. */
  params: URLSearchParams
  /** Binance accounts this endpoint can see (public calls on the shared endpoint see all). */
  accounts: AccountState[]
  caller: Caller | null
  /** World clock ms. */
  now: number
}

interface Route {
  /** NONE = public; SIGNED = TRADE / USER_DATA (key, timestamp, signature). */
  security: 'NONE' | 'SIGNED'
  /** Permission a signed call needs beyond reading. */
  needs?: Permission
  weight: (call: Call) => Charge[]
  handler: (call: Call) => unknown
}

// ── per-simulator state (the dialect object itself is shared) ───────────────

interface Countdown {
  symbol: string
  deadline: number
  cancelTimer?: () => void
}

/**
 * A USDⓈ-M conditional order (Binance's algo service: STOP / TAKE_PROFIT and their MARKET
 * variants). It rests outside the order book until triggered, so it lives here, not in the world;
 * the simulated market never triggers it.
 */
interface AlgoOrder {
  algoId: number
  clientAlgoId: string
  symbol: string
  side: 'BUY' | 'SELL'
  orderType: string
  quantity: number
  triggerPrice: number
  price: number
  reduceOnly: boolean
  status: 'NEW' | 'CANCELED'
  createTime: number
  updateTime: number
}

interface DialectState {
  limiter: WeightLimiter
  /** accountId → USDⓈ-M countdownCancelAll timers. */
  countdowns: Map<string, Countdown[]>
  /** accountId → conditional orders. */
  algo: Map<string, AlgoOrder[]>
  nextAlgoId: number
}

const states = new WeakMap<World, DialectState>()
const stateOf = (world: World): DialectState => {
  let s = states.get(world)
  if (!s) {
    s = {
      limiter: new WeightLimiter(),
      countdowns: new Map(),
      algo: new Map(),
      nextAlgoId: 2_000_000
    }
    states.set(world, s)
  }
  return s
}

// ── parameters ───────────────────────────────────────────────────────────────

function str(call: Call, name: string): string | undefined
function str(call: Call, name: string, required: true): string
function str(call: Call, name: string, required = false): string | undefined {
  const value = call.params.get(name)
  if (value === null || value === '') {
    if (required) throw mandatory(name)
    return undefined
  }
  return value
}

function int(
  call: Call,
  name: string,
  options: { min?: number; max?: number } = {}
): number | undefined {
  const raw = str(call, name)
  if (raw === undefined) return undefined
  if (!/^-?\d+$/.test(raw))
    throw new ApiError(
      -1100,
      `Illegal characters found in parameter '${name}'; legal range is '^[0-9]{1,20}$'.`
    )
  const value = Number(raw)
  if (
    (options.min !== undefined && value < options.min) ||
    (options.max !== undefined && value > options.max)
  )
    throw invalidValue(name)
  return value
}

function decimal(call: Call, name: string): number | undefined {
  const raw = str(call, name)
  if (raw === undefined) return undefined
  if (!/^\d+(\.\d+)?$/.test(raw))
    throw new ApiError(
      -1100,
      `Illegal characters found in parameter '${name}'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'.`
    )
  return Number(raw)
}

const limitParam = (call: Call, fallback: number, max: number): number =>
  int(call, 'limit', { min: 1, max }) ?? fallback

// ── markets ──────────────────────────────────────────────────────────────────

interface Listed {
  market: MarketState
  account: AccountState
}

/** Markets a call can see in one family, by symbol id; the first account listing one sets its price. */
function listed(call: Call, family: Family): Map<string, Listed> {
  const out = new Map<string, Listed>()
  const accounts = call.caller ? [call.caller.account] : call.accounts
  for (const account of accounts)
    for (const market of account.markets.values())
      if (familyOf(market) === family && !out.has(symbolId(market)))
        out.set(symbolId(market), { market, account })
  return out
}

function symbolParam(call: Call, family: Family, required: true): MarketState
function symbolParam(call: Call, family: Family, required?: false): MarketState | undefined
function symbolParam(call: Call, family: Family, required = false): MarketState | undefined {
  const id = required ? str(call, 'symbol', true) : str(call, 'symbol')
  if (id === undefined) return undefined
  const hit = listed(call, family).get(id)
  if (!hit) throw new ApiError(-1121, 'Invalid symbol.')
  return hit.market
}

function callerOf(call: Call): Caller {
  if (!call.caller) throw new ApiError(-2014, 'API-key format invalid.', 401)
  return call.caller
}

const marketOf = (account: AccountState, symbol: string): MarketState | undefined =>
  account.markets.get(symbol)

const inFamily = (account: AccountState, family: Family) => (o: { symbol: string }) => {
  const m = marketOf(account, o.symbol)
  return m !== undefined && familyOf(m) === family
}

// ── history windows ──────────────────────────────────────────────────────────

/**
 * Resolves `startTime` / `endTime` the way Binance does for a history endpoint whose window is at
 * most `maxSpan` ms; `defaultSpan` applies when neither is sent (null = no default window).
 */
function timeWindow(
  call: Call,
  maxSpan: number,
  spanWords: string,
  defaultSpan: number | null
): { start: number | undefined; end: number | undefined } {
  let start = int(call, 'startTime', { min: 0 })
  let end = int(call, 'endTime', { min: 0 })
  if (start !== undefined && end !== undefined) {
    if (end < start) throw new ApiError(-1128, 'Combination of optional parameters invalid.')
    if (end - start > maxSpan)
      throw new ApiError(-1127, `More than ${spanWords} between startTime and endTime.`)
  } else if (defaultSpan !== null) {
    if (start !== undefined) end = start + defaultSpan
    else if (end !== undefined) start = end - defaultSpan
    else {
      end = call.now
      start = call.now - defaultSpan
    }
  }
  return { start, end }
}

const byNumericId = <T extends { id: string }>(a: T, b: T): number => Number(a.id) - Number(b.id)

/**
 * `allOrders` / `myTrades` selection: from an id (`orderId` / `fromId`) or a time window, ascending,
 * `limit` records; with neither, the most recent `limit`.
 */
function selectHistory<T extends { id: string; at: number }>(
  rows: T[],
  options: { fromId?: number; start?: number; end?: number; limit: number }
): T[] {
  const { fromId, start, end, limit } = options
  const selected = rows
    .filter(
      (r) =>
        (fromId === undefined || Number(r.id) >= fromId) &&
        (start === undefined || r.at >= start) &&
        (end === undefined || r.at <= end)
    )
    .sort(byNumericId)
  return fromId === undefined && start === undefined
    ? selected.slice(-limit)
    : selected.slice(0, limit)
}

// ── trading helpers ──────────────────────────────────────────────────────────

const stepOk = (value: number, step: number): boolean =>
  Math.abs(value / step - Math.round(value / step)) < 1e-6

function parseSide(call: Call): 'buy' | 'sell' {
  const side = str(call, 'side', true)
  if (side !== 'BUY' && side !== 'SELL') throw new ApiError(-1117, 'Invalid side.')
  return side === 'BUY' ? 'buy' : 'sell'
}

function parseType(call: Call): 'market' | 'limit' {
  const type = str(call, 'type', true)
  if (type === 'MARKET') return 'market'
  if (type === 'LIMIT') return 'limit'
  throw new ApiError(-1116, 'Invalid orderType.')
}

/** Places an order through the API with the caller's key; checks Binance's filters. */
function placeOrder(
  call: Call,
  family: Family
): { order: OrderRecord; fills: ReturnType<World['placeOrder']>['fills'] } {
  const { account, key } = callerOf(call)
  const market = symbolParam(call, family, true)
  const side = parseSide(call)
  const type = parseType(call)
  let amount = decimal(call, 'quantity')
  const quoteQty = decimal(call, 'quoteOrderQty')
  if (amount === undefined && type === 'market' && quoteQty !== undefined && family === 'spot')
    amount = roundTo(quoteQty / market.last, market.minAmount)
  if (amount === undefined) throw mandatory('quantity')
  if (amount <= 0 || !stepOk(amount, market.minAmount))
    throw new ApiError(-1013, 'Filter failure: LOT_SIZE')
  const price = decimal(call, 'price')
  if (type === 'limit') {
    if (price === undefined) throw mandatory('price')
    if (str(call, 'timeInForce') === undefined && family === 'spot') throw mandatory('timeInForce')
    if (price <= 0 || !stepOk(price, market.tick))
      throw new ApiError(-1013, 'Filter failure: PRICE_FILTER')
  }
  const reduceOnly = str(call, 'reduceOnly') === 'true'
  if (family === 'spot') {
    const cost = amount * (price ?? market.last)
    const free = (asset: string): number =>
      spotBalances(account).find((b) => b.asset === asset)?.free ?? 0
    if (side === 'buy' ? free(market.quote) < cost : free(market.base) < amount)
      throw new ApiError(-2010, 'Account has insufficient balance for requested action.')
  } else if (reduceOnly) {
    const size = account.positions.get(market.symbol)?.size ?? 0
    const reduces = side === 'buy' ? size < 0 && amount <= -size : size > 0 && amount <= size
    if (!reduces) throw new ApiError(-2022, 'ReduceOnly Order is rejected.')
  }
  return call.world.placeOrder(
    account,
    {
      symbol: market.symbol,
      side,
      type,
      amount,
      price: type === 'limit' ? price : undefined,
      reduceOnly,
      origin: 'api',
      keyId: key.id,
      label: str(call, 'newClientOrderId') ?? ''
    },
    call.now
  )
}

function findOrder(call: Call, family: Family, market: MarketState): OrderRecord | undefined {
  const { account } = callerOf(call)
  const id = str(call, 'orderId')
  const clientId = str(call, 'origClientOrderId')
  if (id === undefined && clientId === undefined) throw mandatory('orderId')
  return account.orders.find(
    (o) =>
      o.symbol === market.symbol &&
      inFamily(account, family)(o) &&
      (id !== undefined ? o.id === id : o.label === clientId)
  )
}

function leverageOf(account: AccountState, symbol: string): number {
  return account.leverage.get(symbol) ?? DEFAULT_LEVERAGE
}

/** Fires USDⓈ-M countdownCancelAll timers whose deadline passed (checked on every request). */
function runCountdowns(world: World, now: number): void {
  const { countdowns } = stateOf(world)
  for (const [accountId, timers] of countdowns) {
    const due = timers.filter((t) => t.deadline <= now)
    if (!due.length) continue
    const account = world.account(accountId)
    for (const t of due)
      world.cancelOrders(
        account,
        t.deadline,
        (o) => o.symbol === t.symbol && inFamily(account, 'usdm')(o)
      )
    countdowns.set(
      accountId,
      timers.filter((t) => t.deadline > now)
    )
  }
}

// ── weights ──────────────────────────────────────────────────────────────────

const w =
  (pool: Pool, weight: number, noSymbol?: number) =>
  (call: Call): Charge[] => [
    { pool, weight: noSymbol !== undefined && !call.params.get('symbol') ? noSymbol : weight }
  ]
const uid = (ip: number, uidWeight: number) => (): Charge[] => [
  { pool: 'sapi', weight: ip },
  { pool: 'sapiUid', weight: uidWeight }
]

// ── route table ──────────────────────────────────────────────────────────────

const ROUTES: Record<string, Route> = {}
const route = (key: string, r: Route): void => {
  ROUTES[key] = r
}
const pub = (weight: Route['weight'], handler: Route['handler']): Route => ({
  security: 'NONE',
  weight,
  handler
})
const signed = (weight: Route['weight'], handler: Route['handler'], needs?: Permission): Route => ({
  security: 'SIGNED',
  weight,
  handler,
  ...(needs ? { needs } : {})
})

const serverTime = (): number => Date.now()

// Spot public
route(
  'GET /api/v3/ping',
  pub(w('spot', 1), () => ({}))
)
route(
  'GET /api/v3/time',
  pub(w('spot', 1), () => ({ serverTime: serverTime() }))
)
route(
  'GET /api/v3/exchangeInfo',
  pub(w('spot', 20), (call) => ({
    timezone: 'UTC',
    serverTime: serverTime(),
    rateLimits: SPOT_RATE_LIMITS,
    exchangeFilters: [],
    symbols: [...listed(call, 'spot').values()].map(({ market }) => renderSpotSymbol(market))
  }))
)
route(
  'GET /api/v3/ticker/price',
  pub(w('spot', 2, 4), (call) => {
    const one = symbolParam(call, 'spot')
    const render = (m: MarketState) => ({ symbol: symbolId(m), price: spot(m.last, m.tick) })
    return one
      ? render(one)
      : [...listed(call, 'spot').values()].map(({ market }) => render(market))
  })
)
route(
  'GET /api/v3/ticker/24hr',
  pub(w('spot', 2, 80), (call) => {
    const one = symbolParam(call, 'spot')
    return one
      ? renderTicker24h(one, call.now)
      : [...listed(call, 'spot').values()].map(({ market }) => renderTicker24h(market, call.now))
  })
)
const depth = (family: Family) => (call: Call) => {
  const market = symbolParam(call, family, true)
  const levels = Math.min(limitParam(call, 100, 5000), 20)
  const fmt = (v: number) => (family === 'spot' ? spot(v, market.tick) : plain(v))
  const side = (sign: number) =>
    Array.from({ length: levels }, (_, i) => [
      fmt(market.last + sign * market.tick * (i + 1)),
      fmt(market.minAmount * 10 * (i + 1))
    ])
  return {
    lastUpdateId: call.now,
    ...(family === 'usdm' ? { E: call.now, T: call.now } : {}),
    bids: side(-1),
    asks: side(1)
  }
}
route('GET /api/v3/depth', pub(w('spot', 5), depth('spot')))

// Spot private
route(
  'GET /api/v3/account',
  signed(w('spot', 20), (call) => {
    const { account, key } = callerOf(call)
    const omitZero = str(call, 'omitZeroBalances') === 'true'
    const balances = spotBalances(account)
      .filter((b) => !omitZero || b.free + b.locked > 0)
      .map((b) => ({ asset: b.asset, free: spot(b.free), locked: spot(b.locked) }))
    const canTrade = key.permissions.includes('spot')
    return {
      makerCommission: 10,
      takerCommission: 10,
      buyerCommission: 0,
      sellerCommission: 0,
      commissionRates: {
        maker: '0.00100000',
        taker: '0.00100000',
        buyer: '0.00000000',
        seller: '0.00000000'
      },
      canTrade,
      canWithdraw: key.permissions.includes('withdraw'),
      canDeposit: true,
      brokered: false,
      requireSelfTradePrevention: false,
      preventSor: false,
      updateTime: call.now,
      accountType: 'SPOT',
      balances,
      permissions: ['SPOT'],
      uid: 100_000_000 + [...call.world.accounts.keys()].indexOf(account.id)
    }
  })
)
route(
  'GET /api/v3/openOrders',
  signed(w('spot', 6, 80), (call) => {
    const { account } = callerOf(call)
    const market = symbolParam(call, 'spot')
    return call.world
      .openOrders(account)
      .filter(inFamily(account, 'spot'))
      .filter((o) => !market || o.symbol === market.symbol)
      .sort(byNumericId)
      .map((o) => renderSpotOrder(account, o, marketOf(account, o.symbol)!, call.world.seed))
  })
)
route(
  'GET /api/v3/allOrders',
  signed(w('spot', 20), (call) => {
    const { account } = callerOf(call)
    const market = symbolParam(call, 'spot', true)
    const limit = limitParam(call, 500, 1000)
    const { start, end } = timeWindow(call, DAY, '24 hours', null)
    const fromId = int(call, 'orderId', { min: 0 })
    const rows = account.orders
      .filter((o) => o.symbol === market.symbol)
      .map((o) => ({ id: o.id, at: o.createdAt, o }))
    return selectHistory(rows, { fromId, start, end, limit }).map(({ o }) =>
      renderSpotOrder(account, o, market, call.world.seed)
    )
  })
)
route(
  'GET /api/v3/myTrades',
  signed(
    (call) => [{ pool: 'spot', weight: call.params.get('orderId') ? 5 : 20 }],
    (call) => {
      const { account } = callerOf(call)
      const market = symbolParam(call, 'spot', true)
      const limit = limitParam(call, 500, 1000)
      const fromId = int(call, 'fromId', { min: 0 })
      const orderId = str(call, 'orderId')
      if (fromId !== undefined && (call.params.has('startTime') || call.params.has('endTime')))
        throw new ApiError(-1128, 'Combination of optional parameters invalid.')
      const { start, end } = timeWindow(call, DAY, '24 hours', null)
      const rows = account.fills
        .filter(
          (f) => f.symbol === market.symbol && (orderId === undefined || f.orderId === orderId)
        )
        .map((f) => ({ id: f.id, at: f.timestamp, f }))
      return selectHistory(rows, { fromId, start, end, limit }).map(({ f }) =>
        renderSpotTrade(f, market)
      )
    }
  )
)
route(
  'GET /api/v3/order',
  signed(w('spot', 4), (call) => {
    const { account } = callerOf(call)
    const market = symbolParam(call, 'spot', true)
    const order = findOrder(call, 'spot', market)
    if (!order) throw new ApiError(-2013, 'Order does not exist.')
    return renderSpotOrder(account, order, market, call.world.seed)
  })
)
route(
  'POST /api/v3/order',
  signed(
    w('spot', 1),
    (call) => {
      const { account } = callerOf(call)
      const { order, fills } = placeOrder(call, 'spot')
      const market = marketOf(account, order.symbol)!
      const rendered = renderSpotOrder(account, order, market, call.world.seed)
      const base = {
        symbol: rendered.symbol,
        orderId: rendered.orderId,
        orderListId: -1,
        clientOrderId: rendered.clientOrderId,
        transactTime: call.now
      }
      const respType = str(call, 'newOrderRespType') ?? 'FULL'
      if (respType === 'ACK') return base
      const {
        time: _time,
        updateTime: _update,
        isWorking: _working,
        stopPrice: _stop,
        icebergQty: _ice,
        ...rest
      } = rendered
      const result = { ...rest, ...base, workingTime: order.createdAt }
      if (respType === 'RESULT') return result
      return {
        ...result,
        fills: fills.map((f) => ({
          price: spot(f.price, market.tick),
          qty: spot(f.amount, market.minAmount),
          commission: spot(f.fee),
          commissionAsset: f.feeCurrency,
          tradeId: Number(f.id)
        }))
      }
    },
    'spot'
  )
)
route(
  'DELETE /api/v3/order',
  signed(
    w('spot', 1),
    (call) => {
      const { account } = callerOf(call)
      const market = symbolParam(call, 'spot', true)
      const order = findOrder(call, 'spot', market)
      if (!order || order.status !== 'open') throw new ApiError(-2011, 'Unknown order sent.')
      call.world.cancelOrders(account, call.now, (o) => o === order)
      const rendered = renderSpotOrder(account, order, market, call.world.seed)
      return { ...rendered, origClientOrderId: rendered.clientOrderId, transactTime: call.now }
    },
    'spot'
  )
)
route(
  'DELETE /api/v3/openOrders',
  signed(
    w('spot', 1),
    (call) => {
      const { account } = callerOf(call)
      const market = symbolParam(call, 'spot', true)
      const cancelled = call.world.cancelOrders(
        account,
        call.now,
        (o) => o.symbol === market.symbol && inFamily(account, 'spot')(o)
      )
      // Binance answers -2011 when the symbol has nothing to cancel.
      if (!cancelled.length) throw new ApiError(-2011, 'Unknown order sent.')
      return cancelled.map((o) => {
        const rendered = renderSpotOrder(account, o, market, call.world.seed)
        return { ...rendered, origClientOrderId: rendered.clientOrderId, transactTime: call.now }
      })
    },
    'spot'
  )
)

// Wallet (/sapi)
route(
  'GET /sapi/v1/system/status',
  pub(w('sapi', 1), () => ({ status: 0, msg: 'normal' }))
)
route(
  'GET /sapi/v1/account/apiRestrictions',
  signed(w('sapi', 1), (call) => {
    const { key, account } = callerOf(call)
    const flags = binanceFlags(key.permissions, key.ipWhitelist)
    const trading = flags.enableSpotAndMarginTrading || flags.enableFutures
    return {
      ipRestrict: flags.ipRestrict,
      createTime: key.createdAt,
      enableReading: flags.enableReading,
      enableWithdrawals: flags.enableWithdrawals,
      enableInternalTransfer: flags.enableInternalTransfer,
      enableMargin: flags.enableMargin,
      enableFutures: flags.enableFutures,
      permitsUniversalTransfer: flags.permitsUniversalTransfer,
      enableVanillaOptions: flags.enableVanillaOptions,
      enableFixApiTrade: flags.enableFixApiTrade,
      enableFixReadOnly: flags.enableFixReadOnly,
      enableSpotAndMarginTrading: flags.enableSpotAndMarginTrading,
      enablePortfolioMarginTrading: flags.enablePortfolioMarginTrading,
      // Older schemas add this for keys without an IP restriction: when their trading right lapses.
      ...(!flags.ipRestrict && trading
        ? {
            tradingAuthorityExpirationTime:
              call.world.startAt + 30 * DAY + (account.seq.key % 7) * DAY
          }
        : {})
    }
  })
)
route(
  'GET /sapi/v1/capital/config/getall',
  signed(w('sapi', 10), (call) => {
    const { account } = callerOf(call)
    return spotBalances(account).map((b) => renderCoinConfig(b.asset, b))
  })
)
route(
  'GET /sapi/v1/margin/allPairs',
  signed(w('sapi', 1), () => [])
)
route(
  'GET /sapi/v1/margin/isolated/allPairs',
  signed(w('sapi', 10), () => [])
)
route(
  'GET /sapi/v1/capital/withdraw/history',
  signed(uid(1, 18_000), (call) => {
    const { account } = callerOf(call)
    const { start, end } = timeWindow(call, 90 * DAY, '90 days', 90 * DAY)
    const coin = str(call, 'coin')
    const status = int(call, 'status', { min: 0, max: 6 })
    const offset = int(call, 'offset', { min: 0 }) ?? 0
    const limit = limitParam(call, 1000, 1000)
    const ids = str(call, 'idList')?.split(',')
    const rows = [
      ...account.withdrawals.map((w) => ({ at: w.createdAt, row: renderWithdrawal(w) })),
      ...account.transfers
        .filter((t) => t.to === 'external-user')
        .map((t) => ({ at: t.createdAt, row: renderInternalTransfer(account, t, call.world.seed) }))
    ]
      .filter(({ at }) => (start === undefined || at >= start) && (end === undefined || at <= end))
      .filter(({ row }) => coin === undefined || row.coin === coin)
      .filter(({ row }) => status === undefined || row.status === status)
      .filter(({ row }) => !ids || ids.includes(String(row.id)))
      .sort((a, b) => b.at - a.at || Number(b.row.id) - Number(a.row.id))
    return rows.slice(offset, offset + limit).map(({ row }) => row)
  })
)
route(
  'GET /sapi/v1/capital/deposit/hisrec',
  signed(w('sapi', 1), (call) => {
    timeWindow(call, 90 * DAY, '90 days', 90 * DAY)
    limitParam(call, 1000, 1000)
    // The world has no deposits; the shape is an empty list, as for an account that never deposited.
    return []
  })
)
route(
  'GET /sapi/v1/capital/withdraw/address/list',
  signed(w('sapi', 10), (call) => {
    const { account } = callerOf(call)
    const coin = str(call, 'coin')
    return account.addressBook
      .filter((a) => coin === undefined || a.currency === coin)
      .map(renderAddress)
  })
)
route(
  'POST /sapi/v1/capital/withdraw/apply',
  signed(
    uid(1, 900),
    (call) => {
      const { account } = callerOf(call)
      const coin = str(call, 'coin', true)
      const address = str(call, 'address', true)
      const amount = decimal(call, 'amount')
      if (amount === undefined || amount <= 0) throw mandatory('amount')
      if ((account.balances.get(coin) ?? 0) < amount)
        throw new ApiError(-4026, 'User has insufficient balance')
      const record = call.world.withdraw(
        account,
        { currency: coin, amount, address, network: str(call, 'network') ?? null },
        call.now
      )
      return { id: String(record.id) }
    },
    'withdraw'
  )
)
route(
  'GET /sapi/v1/sub-account/universalTransfer',
  signed(w('sapi', 1), (call) => {
    const { account } = callerOf(call)
    const { start, end } = timeWindow(call, 30 * DAY, '30 days', 30 * DAY)
    const page = int(call, 'page', { min: 1 }) ?? 1
    const limit = limitParam(call, 500, 500)
    const rows = account.transfers
      .filter((t) => t.to === 'sub')
      .filter(
        (t) =>
          (start === undefined || t.createdAt >= start) && (end === undefined || t.createdAt <= end)
      )
      .sort((a, b) => b.createdAt - a.createdAt || b.id - a.id)
    return {
      result: rows
        .slice((page - 1) * limit, page * limit)
        .map((t) => renderSubTransfer(account, t)),
      totalCount: rows.length
    }
  })
)
route(
  'GET /sapi/v1/asset/transfer',
  signed(w('sapi', 1), (call) => {
    str(call, 'type', true)
    // Transfers between the account's own wallets are not modelled.
    return { total: 0, rows: [] }
  })
)

// USDⓈ-M public
route(
  'GET /fapi/v1/ping',
  pub(w('usdm', 1), () => ({}))
)
route(
  'GET /fapi/v1/time',
  pub(w('usdm', 1), () => ({ serverTime: serverTime() }))
)
route(
  'GET /fapi/v1/exchangeInfo',
  pub(w('usdm', 1), (call) => {
    const symbols = [...listed(call, 'usdm').values()].map(({ market }) =>
      renderUsdmSymbol(market, call.world.startAt - 800 * DAY)
    )
    const assets = [...new Set(symbols.map((s) => String(s.marginAsset)))].map((asset) => ({
      asset,
      marginAvailable: true,
      autoAssetExchange: '-10000'
    }))
    return {
      timezone: 'UTC',
      serverTime: serverTime(),
      futuresType: 'U_MARGINED',
      rateLimits: USDM_RATE_LIMITS,
      exchangeFilters: [],
      assets,
      symbols
    }
  })
)
const usdmPrice = (call: Call, m: MarketState) => ({
  symbol: symbolId(m),
  price: plain(m.last),
  time: call.now
})
route(
  'GET /fapi/v1/ticker/price',
  pub(w('usdm', 1, 2), (call) => {
    const one = symbolParam(call, 'usdm')
    return one
      ? usdmPrice(call, one)
      : [...listed(call, 'usdm').values()].map(({ market }) => usdmPrice(call, market))
  })
)
route(
  'GET /fapi/v2/ticker/price',
  pub(w('usdm', 1, 2), (call) => {
    const one = symbolParam(call, 'usdm')
    return one
      ? usdmPrice(call, one)
      : [...listed(call, 'usdm').values()].map(({ market }) => usdmPrice(call, market))
  })
)
route(
  'GET /fapi/v1/ticker/24hr',
  pub(w('usdm', 1, 40), (call) => {
    const one = symbolParam(call, 'usdm')
    return one
      ? renderTicker24h(one, call.now)
      : [...listed(call, 'usdm').values()].map(({ market }) => renderTicker24h(market, call.now))
  })
)
const premium = (call: Call, m: MarketState) => ({
  symbol: symbolId(m),
  markPrice: plain(m.last),
  indexPrice: plain(m.last),
  estimatedSettlePrice: plain(m.last),
  lastFundingRate: '0.00010000',
  interestRate: '0.00010000',
  nextFundingTime: (Math.floor(call.now / (8 * 3_600_000)) + 1) * 8 * 3_600_000,
  time: call.now
})
route(
  'GET /fapi/v1/premiumIndex',
  pub(w('usdm', 1, 10), (call) => {
    const one = symbolParam(call, 'usdm')
    return one
      ? premium(call, one)
      : [...listed(call, 'usdm').values()].map(({ market }) => premium(call, market))
  })
)
route('GET /fapi/v1/depth', pub(w('usdm', 5), depth('usdm')))

// USDⓈ-M private (every call needs the key's futures permission)
const usdmAccount = (call: Call, version: 2 | 3) => {
  const { account } = callerOf(call)
  const markets = [...account.markets.values()].filter((m) => familyOf(m) === 'usdm')
  let positions = markets.map((m) =>
    renderUsdmPosition(
      account,
      m,
      account.positions.get(m.symbol),
      leverageOf(account, m.symbol),
      call.now
    )
  )
  if (version === 3) {
    // v3 lists only symbols with a position or open orders, without leverage.
    positions = positions
      .filter((p) => Number(p.positionAmt) !== 0 || Number(p.openOrderInitialMargin) !== 0)
      .map(({ leverage: _l, isolated: _i, maxNotional: _m, ...rest }) => rest)
  }
  const settles = [...new Set(markets.map((m) => m.settle ?? m.quote))]
  const unrealized = positions.reduce((s, p) => s + Number(p.unrealizedProfit), 0)
  const initial = positions.reduce((s, p) => s + Number(p.initialMargin ?? 0), 0)
  const assets = settles.map((asset) => ({
    asset,
    walletBalance: '0.00000000',
    unrealizedProfit: plain(unrealized),
    marginBalance: plain(unrealized),
    maintMargin: '0.00000000',
    initialMargin: plain(initial),
    positionInitialMargin: plain(initial),
    openOrderInitialMargin: '0.00000000',
    crossWalletBalance: '0.00000000',
    crossUnPnl: plain(unrealized),
    availableBalance: '0.00000000',
    maxWithdrawAmount: '0.00000000',
    marginAvailable: true,
    updateTime: 0
  }))
  return {
    feeTier: 0,
    canTrade: true,
    canDeposit: true,
    canWithdraw: true,
    feeBurn: false,
    tradeGroupId: -1,
    updateTime: 0,
    multiAssetsMargin: false,
    totalInitialMargin: plain(initial),
    totalMaintMargin: '0.00000000',
    totalWalletBalance: '0.00000000',
    totalUnrealizedProfit: plain(unrealized),
    totalMarginBalance: plain(unrealized),
    totalPositionInitialMargin: plain(initial),
    totalOpenOrderInitialMargin: '0.00000000',
    totalCrossWalletBalance: '0.00000000',
    totalCrossUnPnl: plain(unrealized),
    availableBalance: '0.00000000',
    maxWithdrawAmount: '0.00000000',
    assets,
    positions
  }
}
route(
  'GET /fapi/v2/account',
  signed(w('usdm', 5), (call) => usdmAccount(call, 2), 'futures')
)
route(
  'GET /fapi/v3/account',
  signed(w('usdm', 5), (call) => usdmAccount(call, 3), 'futures')
)
const usdmBalance = (call: Call) =>
  (usdmAccount(call, 2).assets as Record<string, unknown>[]).map((a) => ({
    accountAlias: 'SgsR',
    asset: a.asset,
    balance: a.walletBalance,
    crossWalletBalance: a.crossWalletBalance,
    crossUnPnl: a.crossUnPnl,
    availableBalance: a.availableBalance,
    maxWithdrawAmount: a.maxWithdrawAmount,
    marginAvailable: true,
    updateTime: 0
  }))
route('GET /fapi/v2/balance', signed(w('usdm', 5), usdmBalance, 'futures'))
route('GET /fapi/v3/balance', signed(w('usdm', 5), usdmBalance, 'futures'))
const positionRisk = (version: 2 | 3) => (call: Call) => {
  const { account } = callerOf(call)
  const one = symbolParam(call, 'usdm')
  return [...account.markets.values()]
    .filter((m) => familyOf(m) === 'usdm' && (!one || m === one))
    .map((m) => {
      const lev = leverageOf(account, m.symbol)
      const p = renderUsdmPosition(account, m, account.positions.get(m.symbol), lev, call.now)
      return {
        symbol: p.symbol,
        positionAmt: p.positionAmt,
        entryPrice: p.entryPrice,
        breakEvenPrice: p.breakEvenPrice,
        markPrice: p.markPrice,
        unRealizedProfit: p.unrealizedProfit,
        liquidationPrice: '0',
        ...(version === 2
          ? {
              leverage: String(lev),
              maxNotionalValue: '1000000',
              marginType: 'cross',
              isAutoAddMargin: 'false'
            }
          : {
              initialMargin: p.initialMargin,
              maintMargin: p.maintMargin,
              positionInitialMargin: p.positionInitialMargin,
              openOrderInitialMargin: p.openOrderInitialMargin,
              adl: 0,
              bidNotional: '0',
              askNotional: '0'
            }),
        isolatedMargin: '0.00000000',
        notional: p.notional,
        marginAsset: m.settle ?? m.quote,
        isolatedWallet: '0',
        positionSide: 'BOTH',
        updateTime: p.updateTime
      }
    })
}
route('GET /fapi/v2/positionRisk', signed(w('usdm', 5), positionRisk(2), 'futures'))
route('GET /fapi/v3/positionRisk', signed(w('usdm', 5), positionRisk(3), 'futures'))
route(
  'GET /fapi/v1/symbolConfig',
  signed(
    w('usdm', 5),
    (call) => {
      const { account } = callerOf(call)
      const one = symbolParam(call, 'usdm')
      return [...account.markets.values()]
        .filter((m) => familyOf(m) === 'usdm' && (!one || m === one))
        .map((m) => ({
          symbol: symbolId(m),
          marginType: 'CROSSED',
          isAutoAddMargin: false,
          leverage: leverageOf(account, m.symbol),
          maxNotionalValue: '1000000'
        }))
    },
    'futures'
  )
)
route(
  'GET /fapi/v1/leverageBracket',
  signed(
    w('usdm', 1),
    (call) =>
      [...listed(call, 'usdm').values()].map(({ market }) => ({
        symbol: symbolId(market),
        notionalCoef: 1,
        brackets: [
          {
            bracket: 1,
            initialLeverage: 125,
            notionalCap: 50_000,
            notionalFloor: 0,
            maintMarginRatio: 0.004,
            cum: 0
          },
          {
            bracket: 2,
            initialLeverage: 50,
            notionalCap: 1_000_000,
            notionalFloor: 50_000,
            maintMarginRatio: 0.01,
            cum: 300
          }
        ]
      })),
    'futures'
  )
)
route(
  'GET /fapi/v1/openOrders',
  signed(
    w('usdm', 1, 40),
    (call) => {
      const { account } = callerOf(call)
      const market = symbolParam(call, 'usdm')
      return call.world
        .openOrders(account)
        .filter(inFamily(account, 'usdm'))
        .filter((o) => !market || o.symbol === market.symbol)
        .sort(byNumericId)
        .map((o) => renderUsdmOrder(account, o, marketOf(account, o.symbol)!, call.world.seed))
    },
    'futures'
  )
)
route(
  'GET /fapi/v1/allOrders',
  signed(
    w('usdm', 5),
    (call) => {
      const { account } = callerOf(call)
      const market = symbolParam(call, 'usdm', true)
      const limit = limitParam(call, 500, 1000)
      const fromId = int(call, 'orderId', { min: 0 })
      const { start, end } = timeWindow(
        call,
        7 * DAY,
        '7 days',
        fromId === undefined ? 7 * DAY : null
      )
      const rows = account.orders
        .filter((o) => o.symbol === market.symbol)
        .map((o) => ({ id: o.id, at: o.createdAt, o }))
      return selectHistory(rows, { fromId, start, end, limit }).map(({ o }) =>
        renderUsdmOrder(account, o, market, call.world.seed)
      )
    },
    'futures'
  )
)
route(
  'GET /fapi/v1/userTrades',
  signed(
    w('usdm', 5),
    (call) => {
      const { account } = callerOf(call)
      const market = symbolParam(call, 'usdm', true)
      const limit = limitParam(call, 500, 1000)
      const fromId = int(call, 'fromId', { min: 0 })
      if (fromId !== undefined && (call.params.has('startTime') || call.params.has('endTime')))
        throw new ApiError(-1128, 'Combination of optional parameters invalid.')
      const { start, end } = timeWindow(
        call,
        7 * DAY,
        '7 days',
        fromId === undefined ? 7 * DAY : null
      )
      const orderId = str(call, 'orderId')
      const rows = account.fills
        .filter(
          (f) => f.symbol === market.symbol && (orderId === undefined || f.orderId === orderId)
        )
        .map((f) => ({ id: f.id, at: f.timestamp, f }))
      return selectHistory(rows, { fromId, start, end, limit }).map(({ f }) =>
        renderUsdmTrade(f, market)
      )
    },
    'futures'
  )
)
route(
  'GET /fapi/v1/order',
  signed(
    w('usdm', 1),
    (call) => {
      const { account } = callerOf(call)
      const market = symbolParam(call, 'usdm', true)
      const order = findOrder(call, 'usdm', market)
      if (!order) throw new ApiError(-2013, 'Order does not exist.')
      return renderUsdmOrder(account, order, market, call.world.seed)
    },
    'futures'
  )
)
route(
  'POST /fapi/v1/order',
  signed(
    w('usdm', 1),
    (call) => {
      const { account } = callerOf(call)
      const { order } = placeOrder(call, 'usdm')
      return renderUsdmOrder(account, order, marketOf(account, order.symbol)!, call.world.seed)
    },
    'futures'
  )
)
route(
  'DELETE /fapi/v1/order',
  signed(
    w('usdm', 1),
    (call) => {
      const { account } = callerOf(call)
      const market = symbolParam(call, 'usdm', true)
      const order = findOrder(call, 'usdm', market)
      if (!order || order.status !== 'open') throw new ApiError(-2011, 'Unknown order sent.')
      call.world.cancelOrders(account, call.now, (o) => o === order)
      return renderUsdmOrder(account, order, market, call.world.seed)
    },
    'futures'
  )
)
const CANCEL_ALL_DONE = { code: 200, msg: 'The operation of cancel all open order is done.' }
route(
  'DELETE /fapi/v1/allOpenOrders',
  signed(
    w('usdm', 1),
    (call) => {
      const { account } = callerOf(call)
      const market = symbolParam(call, 'usdm', true)
      call.world.cancelOrders(
        account,
        call.now,
        (o) => o.symbol === market.symbol && inFamily(account, 'usdm')(o)
      )
      return CANCEL_ALL_DONE
    },
    'futures'
  )
)
// Conditional (algo) orders: created, listed and cancelled per symbol; they never trigger here.
const algoOf = (call: Call): AlgoOrder[] => {
  const { account } = callerOf(call)
  const state = stateOf(call.world)
  let list = state.algo.get(account.id)
  if (!list) state.algo.set(account.id, (list = []))
  return list
}
const renderAlgo = (o: AlgoOrder): Record<string, unknown> => ({
  algoId: o.algoId,
  clientAlgoId: o.clientAlgoId,
  algoType: 'CONDITIONAL',
  orderType: o.orderType,
  symbol: o.symbol,
  side: o.side,
  positionSide: 'BOTH',
  timeInForce: 'GTC',
  quantity: plain(o.quantity),
  algoStatus: o.status,
  triggerPrice: plain(o.triggerPrice),
  price: plain(o.price),
  icebergQuantity: null,
  selfTradePreventionMode: 'EXPIRE_MAKER',
  workingType: 'CONTRACT_PRICE',
  priceMatch: 'NONE',
  closePosition: false,
  priceProtect: false,
  reduceOnly: o.reduceOnly,
  createTime: o.createTime,
  updateTime: o.updateTime,
  triggerTime: 0,
  goodTillDate: 0
})
route(
  'POST /fapi/v1/algoOrder',
  signed(
    w('usdm', 1),
    (call) => {
      const market = symbolParam(call, 'usdm', true)
      if (str(call, 'algoType', true) !== 'CONDITIONAL') throw invalidValue('algoType')
      const type = str(call, 'type', true)
      if (!['STOP', 'STOP_MARKET', 'TAKE_PROFIT', 'TAKE_PROFIT_MARKET'].includes(type))
        throw new ApiError(-1116, 'Invalid orderType.')
      const side = parseSide(call) === 'buy' ? 'BUY' : 'SELL'
      const quantity = decimal(call, 'quantity')
      if (quantity === undefined || quantity <= 0 || !stepOk(quantity, market.minAmount))
        throw new ApiError(-1013, 'Filter failure: LOT_SIZE')
      const triggerPrice = decimal(call, 'triggerPrice')
      if (triggerPrice === undefined) throw mandatory('triggerPrice')
      const state = stateOf(call.world)
      const order: AlgoOrder = {
        algoId: ++state.nextAlgoId,
        clientAlgoId: str(call, 'clientAlgoId') ?? `algo${state.nextAlgoId}`,
        symbol: symbolId(market),
        side,
        orderType: type,
        quantity,
        triggerPrice,
        price: decimal(call, 'price') ?? 0,
        reduceOnly: str(call, 'reduceOnly') === 'true',
        status: 'NEW',
        createTime: call.now,
        updateTime: call.now
      }
      algoOf(call).push(order)
      return renderAlgo(order)
    },
    'futures'
  )
)
route(
  'GET /fapi/v1/openAlgoOrders',
  signed(
    w('usdm', 1, 40),
    (call) => {
      const market = symbolParam(call, 'usdm')
      return algoOf(call)
        .filter((o) => o.status === 'NEW' && (!market || o.symbol === symbolId(market)))
        .map(renderAlgo)
    },
    'futures'
  )
)
route(
  'DELETE /fapi/v1/algoOpenOrders',
  signed(
    w('usdm', 1),
    (call) => {
      const market = symbolParam(call, 'usdm', true)
      for (const o of algoOf(call))
        if (o.status === 'NEW' && o.symbol === symbolId(market)) {
          o.status = 'CANCELED'
          o.updateTime = call.now
        }
      return CANCEL_ALL_DONE
    },
    'futures'
  )
)
route(
  'DELETE /fapi/v1/algoOrder',
  signed(
    w('usdm', 1),
    (call) => {
      const id = int(call, 'algoId')
      const order = algoOf(call).find((o) => o.algoId === id && o.status === 'NEW')
      if (!order) throw new ApiError(-20124, 'Invalid algo id or it has been completed.')
      order.status = 'CANCELED'
      order.updateTime = call.now
      return { algoId: order.algoId, clientAlgoId: order.clientAlgoId, code: '200', msg: 'success' }
    },
    'futures'
  )
)
route(
  'POST /fapi/v1/leverage',
  signed(
    w('usdm', 1),
    (call) => {
      const { account } = callerOf(call)
      const market = symbolParam(call, 'usdm', true)
      const leverage = int(call, 'leverage')
      if (leverage === undefined) throw mandatory('leverage')
      if (leverage < 1 || leverage > 125)
        throw new ApiError(-4028, `Leverage ${leverage} is not valid`)
      call.world.setLeverage(account, market.symbol, leverage)
      return { leverage, maxNotionalValue: '1000000', symbol: symbolId(market) }
    },
    'futures'
  )
)
route(
  'POST /fapi/v1/countdownCancelAll',
  signed(
    w('usdm', 10),
    (call) => {
      const { account } = callerOf(call)
      const market = symbolParam(call, 'usdm', true)
      const countdown = int(call, 'countdownTime', { min: 0 })
      if (countdown === undefined) throw mandatory('countdownTime')
      const { countdowns } = stateOf(call.world)
      const timers = (countdowns.get(account.id) ?? []).filter((t) => {
        if (t.symbol !== market.symbol) return true
        t.cancelTimer?.()
        return false
      })
      if (countdown > 0) {
        const timer: Countdown = { symbol: market.symbol, deadline: call.now + countdown }
        // Fires on the clock even when nobody calls; requests also check overdue timers.
        timer.cancelTimer = call.context.schedule?.(
          () => runCountdowns(call.world, timer.deadline),
          countdown
        )
        timers.push(timer)
      }
      countdowns.set(account.id, timers)
      return { symbol: symbolId(market), countdownTime: String(countdown) }
    },
    'futures'
  )
)

// COIN-M: ccxt loads its market list by default; Vigil does not watch inverse contracts here.
route(
  'GET /dapi/v1/exchangeInfo',
  pub(w('coinm', 1), () => ({
    timezone: 'UTC',
    serverTime: serverTime(),
    rateLimits: USDM_RATE_LIMITS,
    exchangeFilters: [],
    symbols: []
  }))
)

// ── request handling ─────────────────────────────────────────────────────────

const json = (
  status: number,
  body: unknown,
  headers: Record<string, string> = {}
): SimResponse => ({
  status,
  headers: { 'content-type': 'application/json;charset=UTF-8', ...headers },
  body: JSON.stringify(body)
})

const errorResponse = (error: ApiError, headers: Record<string, string> = {}): SimResponse =>
  json(error.status, { code: error.code, msg: error.message }, { ...headers, ...error.headers })

function authenticate(call: Call, r: Route): Caller {
  const header = call.request.headers['x-mbx-apikey']
  const apiKey = Array.isArray(header) ? header[0] : header
  if (!apiKey || !/^[A-Za-z0-9]+$/.test(apiKey))
    throw new ApiError(-2014, 'API-key format invalid.', 401)
  const found = call.world.keyByClientId(apiKey)
  if (
    !found ||
    found.key.removed ||
    found.account.exchange !== 'binance' ||
    (call.request.endpointAccount !== null && found.account.id !== call.request.endpointAccount)
  )
    throw new ApiError(-2008, 'Invalid Api-Key ID.', 401)
  const { payload, signature } = splitSigned(call.request.rawQuery, call.request.body)
  const timestamp = int(call, 'timestamp')
  if (timestamp === undefined) throw mandatory('timestamp')
  const recvWindow = int(call, 'recvWindow') ?? DEFAULT_RECV_WINDOW
  if (recvWindow > MAX_RECV_WINDOW || recvWindow <= 0)
    throw new ApiError(-1131, 'recvWindow must be less than 60000')
  // Signatures carry the client's wall clock, not the scenario clock the world runs on.
  const problem = timestampProblem(timestamp, recvWindow, serverTime())
  if (problem) throw new ApiError(problem.code, problem.msg)
  if (!signature) throw mandatory('signature')
  if (!verifyBinanceSignature(payload, signature, found.key.secret))
    throw new ApiError(-1022, 'Signature for this request is not valid.')
  if (!found.key.enabled) throw INVALID_KEY()
  const perms = found.key.permissions
  if (!perms.includes('read') && r.security === 'SIGNED') throw INVALID_KEY()
  if (r.needs && !perms.includes(r.needs)) {
    // Binance refuses withdrawals without the permission in its own words; other calls get -2015.
    if (r.needs === 'withdraw')
      throw new ApiError(-1002, 'You are not authorized to execute this request.', 401)
    throw INVALID_KEY()
  }
  return { account: found.account, key: found.key }
}

function handle(request: SimRequest, context: DialectContext): SimResponse {
  const { world } = context
  const now = context.now()
  runCountdowns(world, now)
  const r = ROUTES[`${request.method} ${request.path}`]
  if (!r) {
    const known = Object.keys(ROUTES).some((k) => k.endsWith(` ${request.path}`))
    return known
      ? json(405, { code: -1000, msg: 'Request method not supported.' })
      : json(404, { code: -5000, msg: `Path ${request.path} not found.` })
  }
  const accounts = [...world.accounts.values()].filter(
    (a) =>
      a.exchange === 'binance' &&
      (request.endpointAccount === null || a.id === request.endpointAccount)
  )
  const params = new URLSearchParams(request.rawQuery)
  if (request.body && request.method !== 'GET') {
    for (const [k, v] of new URLSearchParams(request.body)) params.append(k, v)
  }
  const call: Call = { request, context, world, params, accounts, caller: null, now }
  // Weight is charged before anything else: Binance counts refused requests too.
  const identified = dialectIdentify(request, context)
  const scope = {
    ip:
      request.endpointAccount !== null
        ? `acct:${request.endpointAccount}`
        : `ip:${request.remoteAddress ?? '-'}`,
    uid: identified
  }
  const charges = r.weight(call)
  const limit = stateOf(world).limiter.charge(charges, scope, now)
  if (!limit.ok) {
    return {
      ...json(
        limit.status,
        { code: limit.code, msg: limit.msg },
        { ...limit.headers, 'retry-after': String(limit.retryAfterSeconds) }
      ),
      cost: 0
    }
  }
  // The request log records the IP weight (the budget a poller spends); UID weight is per account.
  const cost = charges.filter((c) => c.pool !== 'sapiUid').reduce((sum, c) => sum + c.weight, 0)
  try {
    if (r.security === 'SIGNED') call.caller = authenticate(call, r)
    const result = r.handler(call)
    return { ...json(200, result, limit.headers), cost }
  } catch (error) {
    if (error instanceof ApiError) return { ...errorResponse(error, limit.headers), cost }
    throw error
  }
}

function dialectIdentify(request: SimRequest, context: DialectContext): string | null {
  if (request.endpointAccount !== null) return request.endpointAccount
  const header = request.headers['x-mbx-apikey']
  const apiKey = Array.isArray(header) ? header[0] : header
  if (!apiKey) return null
  const found = context.world.keyByClientId(apiKey)
  return found && found.account.exchange === 'binance' ? found.account.id : null
}

/** Request weight of a call as the dialect charges it (for budget reports built from the request log). */
export function binanceWeight(
  method: string,
  path: string,
  params: URLSearchParams
): Charge[] | null {
  const r = ROUTES[`${method.toUpperCase()} ${path}`]
  if (!r) return null
  const fake = { params } as unknown as Call
  return r.weight(fake)
}

/** Paths the dialect answers, as `METHOD /path` (for tests and documentation). */
export const BINANCE_ROUTES: readonly string[] = Object.keys(ROUTES)

/** The Binance dialect: spot, wallet and USDⓈ-M REST as api.binance.com and fapi.binance.com answer. */
export const binanceDialect: Dialect = {
  exchange: 'binance',
  ids: {
    order: (seq) => String(seq),
    trade: (seq) => String(seq),
    // Binance names no key id: Vigil reports its key under a fingerprint of the API key.
    key: (key) => [binanceKeyFingerprint(key.clientId)],
    // What the connector reports a leverage change under: symbol and the new leverage.
    leverage: (market, leverage) => [`${symbolId(market)}:leverage:${leverage}`]
  },
  identify: dialectIdentify,
  handle,
  fault(fault) {
    switch (fault) {
      case 'http_429':
        return json(
          429,
          {
            code: -1003,
            msg: 'Too many requests; current limit of IP(127.0.0.1) is 6000 requests per minute. Please use the websocket for live updates to avoid polling the API.'
          },
          { 'retry-after': '5' }
        )
      case 'maintenance':
        return json(503, { code: 1, msg: 'System is under maintenance.' })
      case 'http_5xx':
        // Binance's CloudFront edge when the origin is down: an HTML page, not JSON.
        return {
          status: 502,
          headers: { 'content-type': 'text/html' },
          body: '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" "http://www.w3.org/TR/html4/loose.dtd">\n<HTML><HEAD><META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=iso-8859-1">\n<TITLE>ERROR: The request could not be satisfied</TITLE>\n</HEAD><BODY>\n<H1>502 ERROR</H1>\n<H2>The request could not be satisfied.</H2>\n<HR noshade size="1px">\nGenerated by cloudfront (CloudFront)\n</BODY></HTML>'
        }
      case 'malformed':
        // A body cut off mid-way: status 200, declared JSON, unparseable.
        return {
          status: 200,
          headers: { 'content-type': 'application/json;charset=UTF-8' },
          body: '{"makerCommission":10,"takerCommission":10,"balances":[{"asset":"BTC","free":"0.8'
        }
    }
  }
}
