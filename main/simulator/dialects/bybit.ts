/**
 * The Bybit v5 dialect: `GET|POST /v5/...` answered with Bybit's envelope
 * `{retCode, retMsg, result, retExtInfo, time}`, `X-BAPI-*` HMAC signatures verified as Bybit does
 * (timestamp inside the recv window, then the signature), Bybit's own error codes (so ccxt raises
 * AuthenticationError for 10003/10004/33004, PermissionDenied for 10005, RateLimitExceeded for
 * 10006 and HTTP 403/429), and Bybit's documented constraints:
 *
 * - `query-api` describes the calling key only; `delete-api` deletes the calling key and
 *   `update-api` modifies it, both only for keys holding a transfer or withdraw permission; a
 *   deleted key fails every later call with 10003.
 * - order history, executions and transfer lists take at most 7-day windows (withdrawals and
 *   deposits 30 days), page by an opaque cursor, and order history hides cancelled orders after
 *   24 hours and unfilled ones after 7 days.
 * - `cancel-all` works per category; linear and inverse need a symbol, base coin or settle coin;
 *   on spot it cancels normal orders only unless `orderFilter` says otherwise.
 * - the withdrawal address book needs the withdraw permission; universal transfers need
 *   "SubMemberTransfer".
 * - rate limits per UID and endpoint, and per IP (see `bybit-limits.ts`).
 *
 * The world has one balance per coin; the dialect splits it into the Unified Trading Account and
 * the Funding account by the internal transfers made through `inter-transfer`.
 */
import type { Permission } from '../../replay/scenario'
import { roundTo, type MarketState } from '../markets'
import type { AccountState, KeyRecord, OrderRecord, World } from '../world'
import {
  allows,
  bybitApiKeyOf,
  isUnbound,
  neutralPermissionsOf,
  parseBybitAuthHeaders,
  timestampProblem,
  verifyBybitSignature,
  type BybitPermissions,
  type Requirement
} from './bybit-auth'
import { BybitRateLimiter } from './bybit-limits'
import {
  bybitIds,
  categoryOf,
  chainOf,
  DAY_MS,
  fundingRows,
  num,
  renderAddress,
  renderCoinInfo,
  renderExecution,
  renderInstrument,
  renderKey,
  renderOffChainTransfer,
  renderOrder,
  renderPosition,
  renderTicker,
  renderUniversalTransfer,
  renderWithdrawal,
  symbolOf,
  uidOf,
  usdOf,
  type Category,
  type Conditional
} from './bybit-render'
import type { Dialect, DialectContext, SimRequest, SimResponse } from './types'

/** A Bybit error: HTTP 200 with a non-zero `retCode`, unless `status` says otherwise. */
class BybitError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly status = 200,
    readonly headers: Record<string, string> = {}
  ) {
    super(message)
  }
}

const paramsError = (reason: string): BybitError => new BybitError(10001, reason)

/** An internal (UTA ↔ Funding) transfer made through `inter-transfer`. */
interface InterTransfer {
  transferId: string
  coin: string
  amount: number
  from: string
  to: string
  at: number
}

/** Dialect-owned state per simulator (the world knows nothing of Bybit's account split). */
interface BybitState {
  limiter: BybitRateLimiter
  /** accountId → coin → amount held in the Funding account. */
  fund: Map<string, Map<string, number>>
  interTransfers: Map<string, InterTransfer[]>
  /** `${accountId}|${orderId}` → trigger details of conditional orders. */
  conditional: Map<string, Conditional>
}

const states = new WeakMap<World, BybitState>()

function stateOf(world: World): BybitState {
  let s = states.get(world)
  if (!s) {
    s = {
      limiter: new BybitRateLimiter(),
      fund: new Map(),
      interTransfers: new Map(),
      conditional: new Map()
    }
    states.set(world, s)
  }
  return s
}

/**
 * Requests Bybit refused for rate limits in this simulator: `account` counts 10006 answers for a
 * UID, `ip:<address>` the 403s for a banned IP. For tests and budget diagnostics.
 */
export function bybitRefusals(world: World, key: string): number {
  return stateOf(world).limiter.refusedCount(key)
}

interface Caller {
  account: AccountState
  key: KeyRecord
  uid: number
}

interface Call {
  request: SimRequest
  context: DialectContext
  state: BybitState
  /** Query parameters (GET) or the JSON body (POST), as strings where scalar. */
  params: Map<string, unknown>
  /** Accounts whose markets this call sees. */
  accounts: AccountState[]
  caller: Caller | null
  now: number
}

// ── parameters ───────────────────────────────────────────────────────────────

function str(call: Call, name: string): string | undefined {
  const v = call.params.get(name)
  if (v === undefined || v === null || v === '') return undefined
  return typeof v === 'string'
    ? v
    : typeof v === 'number' || typeof v === 'boolean'
      ? String(v)
      : undefined
}

function required(call: Call, name: string): string {
  const v = str(call, name)
  if (v === undefined) throw paramsError(`Missing some parameters that must be filled in: ${name}`)
  return v
}

function int(call: Call, name: string, fallback?: number): number | undefined {
  const raw = str(call, name)
  if (raw === undefined) return fallback
  if (!/^-?\d+$/.test(raw)) throw paramsError(`params error: ${name} must be an integer`)
  return Number(raw)
}

function decimal(call: Call, name: string): number | undefined {
  const raw = str(call, name)
  if (raw === undefined) return undefined
  const v = Number(raw)
  if (!Number.isFinite(v)) throw paramsError(`params error: ${name} must be a number`)
  return v
}

function limitParam(call: Call, fallback: number, max: number): number {
  const limit = int(call, 'limit', fallback)!
  if (limit < 1 || limit > max) throw paramsError(`params error: limit must be in [1, ${max}]`)
  return limit
}

const CATEGORIES = ['spot', 'linear', 'inverse', 'option'] as const

function categoryParam(call: Call): Category | 'option' {
  const c = str(call, 'category')
  if (c === undefined) throw paramsError('Missing some parameters that must be filled in: category')
  if (!(CATEGORIES as readonly string[]).includes(c)) throw paramsError('Illegal category')
  return c as Category | 'option'
}

/** Opaque page cursor: base64 of `{"offset":N}` (Bybit's are base64 JSON too). */
const encodeCursor = (offset: number): string =>
  Buffer.from(JSON.stringify({ offset })).toString('base64')

function decodeCursor(call: Call): number {
  const raw = str(call, 'cursor')
  if (raw === undefined) return 0
  try {
    const parsed = JSON.parse(Buffer.from(decodeURIComponent(raw), 'base64').toString('utf8')) as {
      offset?: unknown
    }
    if (typeof parsed.offset === 'number' && parsed.offset >= 0) return parsed.offset
  } catch {
    // fall through
  }
  throw paramsError('params error: cursor invalid')
}

/** One page of `rows`, with Bybit's `nextPageCursor` ("" on the last page). */
function page<T>(call: Call, rows: T[], limit: number): { list: T[]; nextPageCursor: string } {
  const offset = decodeCursor(call)
  const list = rows.slice(offset, offset + limit)
  const next = offset + limit < rows.length ? encodeCursor(offset + limit) : ''
  return { list, nextPageCursor: next }
}

/**
 * Bybit's time-window rule: neither bound → the last `maxDays`; one bound → `maxDays` from it;
 * both → at most `maxDays` apart.
 */
function timeWindow(call: Call, maxDays: number): { start: number; end: number } {
  const span = maxDays * DAY_MS
  const start = int(call, 'startTime')
  const end = int(call, 'endTime')
  if (start !== undefined && end !== undefined) {
    if (end < start) throw paramsError('params error: endTime must not be before startTime')
    if (end - start > span)
      throw paramsError(`params error: the time range must not exceed ${maxDays} days`)
    return { start, end }
  }
  if (start !== undefined) return { start, end: start + span }
  if (end !== undefined) return { start: end - span, end }
  return { start: call.now - span, end: call.now }
}

// ── markets ──────────────────────────────────────────────────────────────────

interface Listed {
  market: MarketState
  account: AccountState
}

/** Markets visible to the call, keyed `category|symbol` (first account listing one wins). */
function listed(call: Call): Map<string, Listed> {
  const out = new Map<string, Listed>()
  for (const account of call.accounts) {
    for (const market of account.markets.values()) {
      const key = `${categoryOf(market)}|${symbolOf(market)}`
      if (!out.has(key)) out.set(key, { market, account })
    }
  }
  return out
}

function marketIn(account: AccountState, category: string, symbol: string): MarketState {
  for (const m of account.markets.values())
    if (categoryOf(m) === category && symbolOf(m) === symbol) return m
  throw paramsError('params error: symbol invalid')
}

const marketOf = (account: AccountState, symbol: string): MarketState => {
  const m = account.markets.get(symbol)
  if (!m) throw new BybitError(10016, 'Server error.')
  return m
}

function callerOf(call: Call): Caller {
  if (!call.caller) throw new BybitError(10003, 'API key is invalid.')
  return call.caller
}

/** The market filters Bybit applies to orders, executions and positions. */
function matches(call: Call, market: MarketState, category: string): boolean {
  if (categoryOf(market) !== category) return false
  const symbol = str(call, 'symbol')
  if (symbol !== undefined) return symbolOf(market) === symbol
  const base = str(call, 'baseCoin')
  if (base !== undefined) return market.base === base
  const settle = str(call, 'settleCoin')
  if (settle !== undefined) return market.settle === settle
  return true
}

/**
 * Linear queries (and inverse cancel-all) refuse to run without a symbol, baseCoin or settleCoin.
 */
function requireScope(call: Call, category: string, allowBase = true, inverseToo = false): void {
  if (category === 'spot' && str(call, 'settleCoin') !== undefined)
    throw paramsError('params error: settleCoin is not supported for spot')
  if (category !== 'linear' && !(inverseToo && category === 'inverse')) return
  if (str(call, 'symbol') || (allowBase && str(call, 'baseCoin')) || str(call, 'settleCoin')) return
  throw paramsError(
    `Missing some parameters that must be filled in, symbol${allowBase ? ', baseCoin' : ''} or settleCoin`
  )
}

// ── wallet split ─────────────────────────────────────────────────────────────

/** Coins in the Funding account, never more than the world's balance (withdrawals drain it). */
function fundOf(call: Call, account: AccountState): Map<string, number> {
  let fund = call.state.fund.get(account.id)
  if (!fund) call.state.fund.set(account.id, (fund = new Map()))
  for (const [coin, amount] of fund) {
    const total = account.balances.get(coin) ?? 0
    if (amount > total) fund.set(coin, Math.max(0, total))
  }
  return fund
}

function conditionalOf(
  call: Call,
  account: AccountState,
  order: OrderRecord
): Conditional | undefined {
  return call.state.conditional.get(`${account.id}|${order.id}`)
}

/** Whether an order matches Bybit's `orderFilter` (undefined: every kind). */
function filterMatches(
  call: Call,
  account: AccountState,
  order: OrderRecord,
  filter: string | undefined
): boolean {
  if (filter === undefined) return true
  const c = conditionalOf(call, account, order)
  if (filter === 'Order') return c === undefined
  if (filter === 'StopOrder') return c?.filter === 'StopOrder'
  if (filter === 'tpslOrder') return c?.filter === 'tpslOrder'
  return false
}

function feesByOrder(account: AccountState): Map<string, number> {
  const out = new Map<string, number>()
  for (const f of account.fills) out.set(f.orderId, (out.get(f.orderId) ?? 0) + f.fee)
  return out
}

// ── handlers ─────────────────────────────────────────────────────────────────

type Handler = (call: Call) => unknown

interface Route {
  /** Signed endpoints; public ones take no key. */
  auth: boolean
  need?: Requirement
  /** Rate-limit windows differ by category on trade endpoints. */
  byCategory?: boolean
  retMsg?: string
  handler: Handler
}

const pub = (handler: Handler): Route => ({ auth: false, handler })
const priv = (
  need: Requirement,
  handler: Handler,
  extra: Partial<Omit<Route, 'auth' | 'need' | 'handler'>> = {}
): Route => ({ auth: true, need, handler, ...extra })

function openOrders(call: Call, account: AccountState): OrderRecord[] {
  return call.context.world.openOrders(account)
}

function orderRows(call: Call, account: AccountState, orders: OrderRecord[]): unknown[] {
  const fees = feesByOrder(account)
  return orders.map((o) =>
    renderOrder(
      o,
      marketOf(account, o.symbol),
      fees.get(o.id) ?? 0,
      conditionalOf(call, account, o)
    )
  )
}

function placeOrder(call: Call): unknown {
  const { account, key } = callerOf(call)
  const { world } = call.context
  const category = categoryParam(call)
  if (category === 'option') throw new BybitError(10001, 'params error: options are not simulated')
  const market = marketIn(account, category, required(call, 'symbol'))
  const need: Requirement = category === 'spot' ? 'spot' : 'futures'
  if (!allows(key.permissions, need))
    throw new BybitError(10005, 'Permission denied, please check your API key permissions.')
  const sideRaw = required(call, 'side')
  if (sideRaw !== 'Buy' && sideRaw !== 'Sell') throw paramsError('params error: side invalid')
  const side = sideRaw === 'Buy' ? 'buy' : 'sell'
  const typeRaw = required(call, 'orderType')
  if (typeRaw !== 'Market' && typeRaw !== 'Limit')
    throw paramsError('params error: orderType invalid')
  const type = typeRaw === 'Market' ? 'market' : 'limit'
  let qty = decimal(call, 'qty')
  if (qty === undefined || qty <= 0) throw paramsError('params error: qty invalid')
  const price = decimal(call, 'price')
  if (type === 'limit' && (price === undefined || price <= 0))
    throw paramsError('params error: price invalid')
  if (category === 'spot' && type === 'market') {
    // Spot market buys are sized in the quote coin unless marketUnit says otherwise.
    const unit = str(call, 'marketUnit') ?? (side === 'buy' ? 'quoteCoin' : 'baseCoin')
    if (unit === 'quoteCoin') qty = roundTo(qty / market.last, market.minAmount)
  }
  if (market.type === 'spot') {
    const cost = qty * (price ?? market.last)
    const short =
      side === 'buy'
        ? (account.balances.get(market.quote) ?? 0) < cost
        : (account.balances.get(market.base) ?? 0) < qty
    if (short) throw new BybitError(170131, 'Insufficient balance.')
  }
  const trigger = decimal(call, 'triggerPrice')
  const filter = str(call, 'orderFilter')
  const conditional = trigger !== undefined && trigger > 0
  const { order } = world.placeOrder(
    account,
    {
      symbol: market.symbol,
      side,
      type,
      amount: qty,
      price: type === 'limit' ? price : undefined,
      reduceOnly: call.params.get('reduceOnly') === true || str(call, 'reduceOnly') === 'true',
      origin: 'api',
      keyId: key.id,
      label: str(call, 'orderLinkId') ?? ''
    },
    call.now,
    conditional ? { kind: 'rest' } : { kind: 'auto' }
  )
  if (conditional) {
    call.state.conditional.set(`${account.id}|${order.id}`, {
      triggerPrice: trigger,
      filter: filter === 'tpslOrder' ? 'tpslOrder' : 'StopOrder'
    })
  }
  return { orderId: order.id, orderLinkId: order.label }
}

function cancelOrders(call: Call): unknown {
  const { account } = callerOf(call)
  const category = categoryParam(call)
  if (category === 'option') return { list: [], success: '1' }
  requireScope(call, category, true, true)
  // Spot cancels normal orders unless told otherwise; futures cancel every kind by default.
  const filter = str(call, 'orderFilter') ?? (category === 'spot' ? 'Order' : undefined)
  let targets = openOrders(call, account).filter(
    (o) =>
      matches(call, marketOf(account, o.symbol), category) &&
      filterMatches(call, account, o, filter === 'OpenOrder' ? 'Order' : filter)
  )
  if (category !== 'spot' && targets.length > 500) {
    // Bybit cancels up to 500 futures orders per call, picked at random; we pick the oldest.
    targets = targets.slice(0, 500)
  }
  const ids = new Set(targets.map((o) => o.id))
  call.context.world.cancelOrders(account, call.now, (o) => ids.has(o.id))
  return { list: targets.map((o) => ({ orderId: o.id, orderLinkId: o.label })), success: '1' }
}

function withdrawalRows(call: Call, account: AccountState): { at: number; row: unknown }[] {
  const type = int(call, 'withdrawType', 0)
  const coin = str(call, 'coin')
  const id = str(call, 'withdrawID')
  const uid = callerOf(call).uid
  const rows: { at: number; row: Record<string, unknown> }[] = []
  if (type === 0 || type === 2)
    for (const w of account.withdrawals) rows.push({ at: w.createdAt, row: renderWithdrawal(w) })
  if (type === 1 || type === 2)
    for (const t of account.transfers)
      if (t.to === 'external-user')
        rows.push({ at: t.createdAt, row: renderOffChainTransfer(t, uid + 404_404) })
  return rows.filter(
    (r) =>
      (coin === undefined || r.row.coin === coin) && (id === undefined || r.row.withdrawId === id)
  )
}

const PUBLIC: Record<string, Route> = {
  'GET /v5/market/time': pub((call) => ({
    timeSecond: String(Math.floor(call.now / 1000)),
    timeNano: `${call.now}000000`
  })),
  'GET /v5/market/instruments-info': pub((call) => {
    const category = categoryParam(call)
    // ccxt also asks for pre-launch contracts: there are none.
    if (str(call, 'status') === 'PreLaunch' || category === 'option')
      return { category, list: [], nextPageCursor: '' }
    const rows = [...listed(call).values()]
      .filter(({ market }) => matches(call, market, category))
      .map(({ market }) => renderInstrument(market))
    const limit = limitParam(call, category === 'spot' ? 500 : 500, 1000)
    return { category, ...page(call, rows, limit) }
  }),
  'GET /v5/market/tickers': pub((call) => {
    const category = categoryParam(call)
    if (category === 'option') return { category, list: [] }
    const list = [...listed(call).values()]
      .filter(({ market }) => matches(call, market, category))
      .map(({ market }) => renderTicker(market, call.now))
    if (str(call, 'symbol') && list.length === 0) throw paramsError('Not supported symbols')
    return { category, list }
  }),
  'GET /v5/market/orderbook': pub((call) => {
    const category = categoryParam(call)
    const hit = [...listed(call).values()].find(
      ({ market }) => categoryOf(market) === category && symbolOf(market) === str(call, 'symbol')
    )
    if (!hit) throw paramsError('params error: symbol invalid')
    const { market } = hit
    const levels = (sign: number): string[][] =>
      Array.from({ length: 5 }, (_, i) => [
        num(market.last + sign * market.tick * (i + 1)),
        num(market.minAmount * 10 * (i + 1))
      ])
    return {
      s: symbolOf(market),
      b: levels(-1),
      a: levels(1),
      ts: call.now,
      u: 1,
      seq: 1,
      cts: call.now
    }
  })
}

const PRIVATE: Record<string, Route> = {
  // ── account and keys ──────────────────────────────────────────────────────
  'GET /v5/user/query-api': priv(
    'read',
    (call) => {
      const { account, key, uid } = callerOf(call)
      return renderKey(key, {
        uid,
        expiresAt: expiryOf(call.context.world, key),
        now: call.now,
        unified: account.exchange === 'bybit'
      })
    },
    { retMsg: '' }
  ),
  'POST /v5/user/delete-api': priv(
    'manageKey',
    (call) => {
      const { key } = callerOf(call)
      // "The API key used to call this interface will be invalid immediately."
      key.removed = true
      key.enabled = false
      return {}
    },
    { retMsg: '' }
  ),
  'POST /v5/user/update-api': priv(
    'manageKey',
    (call) => {
      const { account, key, uid } = callerOf(call)
      const readOnlyRaw = call.params.get('readOnly')
      const permissions = call.params.get('permissions')
      const ips = call.params.get('ips')
      const change: { permissions?: Permission[]; ipWhitelist?: string[] } = {}
      if (
        readOnlyRaw !== undefined &&
        readOnlyRaw !== null &&
        ![0, 1, '0', '1'].includes(readOnlyRaw as never)
      )
        throw paramsError('params error: readOnly must be 0 or 1')
      const readOnly =
        readOnlyRaw === undefined || readOnlyRaw === null ? null : Number(readOnlyRaw)
      if (permissions !== undefined && (typeof permissions !== 'object' || permissions === null))
        throw paramsError('params error: permissions must be an object')
      if (readOnly !== null || permissions !== undefined) {
        const current = renderKey(key, { uid, expiresAt: null, now: call.now, unified: true })
        const merged = {
          ...(current.permissions as BybitPermissions),
          ...((permissions ?? {}) as BybitPermissions)
        }
        change.permissions = neutralPermissionsOf(readOnly ?? (current.readOnly as number), merged)
      }
      if (ips !== undefined) {
        const list =
          typeof ips === 'string' ? ips.split(',') : Array.isArray(ips) ? ips.map(String) : null
        if (!list) throw paramsError('params error: ips invalid')
        const trimmed = list.map((ip) => ip.trim()).filter(Boolean)
        change.ipWhitelist = isUnbound(trimmed) ? [] : trimmed
      }
      call.context.world.changeKey(key, change)
      return renderKey(key, {
        uid,
        expiresAt: expiryOf(call.context.world, key),
        now: call.now,
        unified: account.exchange === 'bybit'
      })
    },
    { retMsg: '' }
  ),
  'GET /v5/account/info': priv('read', () => ({
    unifiedMarginStatus: 6,
    marginMode: 'REGULAR_MARGIN',
    isMasterTrader: false,
    spotHedgingStatus: 'OFF',
    updatedTime: '1697078946000',
    dcpStatus: 'OFF',
    timeWindow: 10,
    smpGroup: 0
  })),
  'GET /v5/account/wallet-balance': priv('read', (call) => {
    const { account } = callerOf(call)
    const type = required(call, 'accountType')
    if (type !== 'UNIFIED') throw paramsError('accountType only support UNIFIED')
    const wanted = str(call, 'coin')?.split(',')
    const fund = fundOf(call, account)
    const upl = new Map<string, number>()
    for (const p of account.positions.values()) {
      const m = marketOf(account, p.symbol)
      if (!m.settle || m.inverse || p.size === 0) continue
      upl.set(m.settle, (upl.get(m.settle) ?? 0) + p.size * (m.last - p.averagePrice))
    }
    const coins = [...account.balances.entries()]
      .map(([coin, total]) => ({ coin, wallet: total - (fund.get(coin) ?? 0) }))
      .filter(({ coin, wallet }) => (wanted ? wanted.includes(coin) : wallet !== 0))
      .map(({ coin, wallet }) => {
        const equity = wallet + (upl.get(coin) ?? 0)
        const usd = equity * usdOf(account, coin)
        return {
          coin,
          equity: num(equity),
          usdValue: num(usd),
          walletBalance: num(wallet),
          free: '',
          locked: '0',
          spotHedgingQty: '0',
          borrowAmount: '0',
          availableToWithdraw: '',
          accruedInterest: '0',
          totalOrderIM: '0',
          totalPositionIM: '0',
          totalPositionMM: '0',
          unrealisedPnl: num(upl.get(coin) ?? 0),
          cumRealisedPnl: '0',
          bonus: '0',
          marginCollateral: true,
          collateralSwitch: true,
          availableToBorrow: ''
        }
      })
    const total = coins.reduce((sum, c) => sum + Number(c.usdValue), 0)
    return {
      list: [
        {
          accountType: 'UNIFIED',
          totalEquity: num(total),
          totalWalletBalance: num(total),
          totalMarginBalance: num(total),
          totalAvailableBalance: num(total),
          totalPerpUPL: '0',
          totalInitialMargin: '0',
          totalInitialMarginByMp: '0',
          totalMaintenanceMargin: '0',
          totalMaintenanceMarginByMp: '0',
          accountIMRate: '0',
          accountIMRateByMp: '0',
          accountMMRate: '0',
          accountMMRateByMp: '0',
          accountLTV: '0',
          coin: coins
        }
      ]
    }
  }),
  'GET /v5/asset/transfer/query-account-coins-balance': priv(
    'read',
    (call) => {
      const { account, uid } = callerOf(call)
      const type = required(call, 'accountType')
      const wanted = str(call, 'coin')?.split(',')
      if (type === 'UNIFIED' && !wanted)
        throw paramsError('coin is required for accountType UNIFIED')
      const fund = fundOf(call, account)
      const amounts =
        type === 'FUND'
          ? [...fund.entries()]
          : type === 'UNIFIED'
            ? [...account.balances.entries()].map(
                ([c, v]) => [c, v - (fund.get(c) ?? 0)] as [string, number]
              )
            : []
      return {
        memberId: String(uid),
        accountType: type,
        balance: amounts
          .filter(([coin, v]) => (wanted ? wanted.includes(coin) : v !== 0))
          .map(([coin, v]) => ({
            coin,
            walletBalance: num(v),
            transferBalance: num(v),
            bonus: ''
          }))
      }
    },
    { retMsg: 'success' }
  ),
  'GET /v5/asset/coin/query-info': priv(
    'read',
    (call) => {
      const { account } = callerOf(call)
      const codes = new Set<string>(['BTC', 'ETH', 'USDT', 'USDC'])
      for (const m of account.markets.values()) {
        codes.add(m.base)
        codes.add(m.quote)
        if (m.settle) codes.add(m.settle)
      }
      for (const c of account.balances.keys()) codes.add(c)
      codes.delete('USD')
      const coin = str(call, 'coin')
      return {
        rows: [...codes]
          .sort()
          .filter((c) => coin === undefined || c === coin)
          .map(renderCoinInfo)
      }
    },
    { retMsg: 'success' }
  ),

  // ── orders ────────────────────────────────────────────────────────────────
  'GET /v5/order/realtime': priv('read', (call) => {
    const { account } = callerOf(call)
    const category = categoryParam(call)
    if (category === 'option') return { category, list: [], nextPageCursor: '' }
    const orderId = str(call, 'orderId')
    const linkId = str(call, 'orderLinkId')
    if (!orderId && !linkId) requireScope(call, category)
    const openOnly = int(call, 'openOnly', 0)
    const filter = str(call, 'orderFilter')
    let orders = account.orders.filter((o) => {
      const market = marketOf(account, o.symbol)
      if (categoryOf(market) !== category) return false
      if (orderId) return o.id === orderId
      if (linkId) return o.label === linkId
      return matches(call, market, category) && filterMatches(call, account, o, filter)
    })
    if (!orderId && !linkId) {
      // openOnly=1: the most recent 500 closed orders instead of the open ones.
      orders =
        openOnly === 1
          ? orders
              .filter((o) => o.status !== 'open')
              .sort((a, b) => b.updatedAt - a.updatedAt)
              .slice(0, 500)
          : orders.filter((o) => o.status === 'open').sort((a, b) => b.createdAt - a.createdAt)
    }
    const limit = limitParam(call, 20, 50)
    return { category, ...page(call, orderRows(call, account, orders), limit) }
  }),
  'GET /v5/order/history': priv('read', (call) => {
    const { account } = callerOf(call)
    const category = categoryParam(call)
    if (category === 'option') return { category, list: [], nextPageCursor: '' }
    const orderId = str(call, 'orderId')
    const linkId = str(call, 'orderLinkId')
    const filter = str(call, 'orderFilter')
    const status = str(call, 'orderStatus')
    const now = call.now
    // Retention: unfilled cancelled orders for 24 hours, other closed ones for 7 days, orders
    // with fills for good.
    const retained = (o: OrderRecord): boolean =>
      o.filled > 0 ||
      (o.status === 'cancelled' && now - o.updatedAt <= DAY_MS) ||
      (o.status !== 'cancelled' && now - o.updatedAt <= 7 * DAY_MS)
    let orders: OrderRecord[]
    if (orderId || linkId) {
      orders = account.orders.filter(
        (o) =>
          categoryOf(marketOf(account, o.symbol)) === category &&
          (orderId ? o.id === orderId : o.label === linkId) &&
          o.status !== 'open' &&
          retained(o)
      )
    } else {
      const { start, end } = timeWindow(call, 7)
      orders = account.orders.filter((o) => {
        const market = marketOf(account, o.symbol)
        return (
          o.status !== 'open' &&
          matches(call, market, category) &&
          filterMatches(call, account, o, filter) &&
          o.createdAt >= start &&
          o.createdAt <= end &&
          retained(o)
        )
      })
    }
    const rows = orderRows(
      call,
      account,
      orders.sort((a, b) => b.createdAt - a.createdAt)
    ).filter((r) => status === undefined || (r as { orderStatus: string }).orderStatus === status)
    const limit = limitParam(call, 20, 50)
    return { category, ...page(call, rows, limit) }
  }),
  'POST /v5/order/create': priv('read', placeOrder, { byCategory: true }),
  'POST /v5/order/cancel': priv(
    'read',
    (call) => {
      const { account, key } = callerOf(call)
      const category = categoryParam(call)
      if (!allows(key.permissions, category === 'spot' ? 'spot' : 'futures'))
        throw new BybitError(10005, 'Permission denied, please check your API key permissions.')
      const id = str(call, 'orderId')
      const linkId = str(call, 'orderLinkId')
      const order = account.orders.find(
        (o) =>
          o.status === 'open' &&
          categoryOf(marketOf(account, o.symbol)) === category &&
          (id ? o.id === id : linkId ? o.label === linkId : false)
      )
      if (!order)
        throw category === 'spot'
          ? new BybitError(170213, 'Order does not exist.')
          : new BybitError(110001, 'Order does not exist')
      call.context.world.cancelOrders(account, call.now, (o) => o === order)
      return { orderId: order.id, orderLinkId: order.label }
    },
    { byCategory: true }
  ),
  'POST /v5/order/cancel-all': priv(
    'read',
    (call) => {
      const { key } = callerOf(call)
      const category = categoryParam(call)
      if (!allows(key.permissions, category === 'spot' ? 'spot' : 'futures'))
        throw new BybitError(10005, 'Permission denied, please check your API key permissions.')
      return cancelOrders(call)
    },
    { byCategory: true }
  ),
  'GET /v5/execution/list': priv('read', (call) => {
    const { account, uid } = callerOf(call)
    const category = categoryParam(call)
    if (category === 'option') return { category, list: [], nextPageCursor: '' }
    const orderId = str(call, 'orderId')
    const execType = str(call, 'execType')
    const { start, end } = timeWindow(call, 7)
    const orders = new Map(account.orders.map((o) => [o.id, o]))
    const rows: { at: number; id: string; row: unknown }[] = []
    for (const f of account.fills) {
      const market = marketOf(account, f.symbol)
      if (orderId ? f.orderId !== orderId : !matches(call, market, category)) continue
      if (categoryOf(market) !== category) continue
      if (!orderId && (f.timestamp < start || f.timestamp > end)) continue
      if (execType !== undefined && execType !== 'Trade') continue
      rows.push({
        at: f.timestamp,
        id: f.id,
        row: renderExecution(f, market, orders.get(f.orderId))
      })
    }
    if (!orderId && (execType === undefined || execType === 'Funding')) {
      for (const market of account.markets.values()) {
        if (!matches(call, market, category)) continue
        for (const r of fundingRows(account, market, uid, call.now))
          if (r.execTime >= start && r.execTime <= end)
            rows.push({ at: r.execTime, id: String(r.row.execId), row: r.row })
      }
    }
    rows.sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1))
    const limit = limitParam(call, 50, 100)
    return {
      category,
      ...page(
        call,
        rows.map((r) => r.row),
        limit
      )
    }
  }),

  // ── positions ─────────────────────────────────────────────────────────────
  'GET /v5/position/list': priv('read', (call) => {
    const { account } = callerOf(call)
    const category = categoryParam(call)
    if (category === 'spot') throw paramsError('Illegal category')
    if (category === 'option') return { category, list: [], nextPageCursor: '' }
    requireScope(call, category, false)
    const symbol = str(call, 'symbol')
    const rows = [...account.markets.values()]
      .filter((m) => categoryOf(m) === category && matches(call, m, category))
      .map((m) => ({ market: m, position: account.positions.get(m.symbol) }))
      // Without a symbol Bybit lists open positions only.
      .filter(({ position }) => symbol !== undefined || (position?.size ?? 0) !== 0)
      .map(({ market, position }) => {
        const changes = account.leverageChanges.filter((c) => c.symbol === market.symbol)
        return renderPosition(
          position,
          market,
          account.leverage.get(market.symbol),
          changes[changes.length - 1],
          account
        )
      })
    const limit = limitParam(call, 20, 200)
    return { category, ...page(call, rows, limit) }
  }),
  'POST /v5/position/set-leverage': priv('futures', (call) => {
    const { account } = callerOf(call)
    const category = categoryParam(call)
    if (category !== 'linear' && category !== 'inverse') throw paramsError('Illegal category')
    const market = marketIn(account, category, required(call, 'symbol'))
    const buy = decimal(call, 'buyLeverage')
    const sell = decimal(call, 'sellLeverage')
    if (buy === undefined || sell === undefined || buy < 1 || buy > 100 || buy !== sell)
      throw paramsError('params error: buyLeverage and sellLeverage must be equal, in [1, 100]')
    if (account.leverage.get(market.symbol) === buy)
      throw new BybitError(110043, 'Set leverage not modified')
    call.context.world.setLeverage(account, market.symbol, buy, call.now)
    return {}
  }),

  // ── wallet ────────────────────────────────────────────────────────────────
  'GET /v5/asset/withdraw/query-record': priv(
    'read',
    (call) => {
      const { account } = callerOf(call)
      const { start, end } = timeWindow(call, 30)
      const byId = str(call, 'withdrawID') !== undefined
      const rows = withdrawalRows(call, account)
        .filter((r) => byId || (r.at >= start && r.at <= end))
        .sort((a, b) => b.at - a.at)
        .map((r) => r.row)
      const limit = limitParam(call, 50, 50)
      const { list, nextPageCursor } = page(call, rows, limit)
      return { rows: list, nextPageCursor }
    },
    { retMsg: 'success' }
  ),
  'GET /v5/asset/deposit/query-record': priv(
    'read',
    (call) => {
      timeWindow(call, 30)
      return { rows: [], nextPageCursor: '' }
    },
    { retMsg: 'success' }
  ),
  'GET /v5/asset/withdraw/query-address': priv(
    'withdraw',
    (call) => {
      const { account } = callerOf(call)
      const coin = str(call, 'coin')
      const chain = str(call, 'chain')
      const rows = account.addressBook
        .filter(
          (a) =>
            (coin === undefined || a.currency === coin) &&
            (chain === undefined || chainOf(a.currency, a.network) === chain)
        )
        .sort((a, b) => b.createdAt - a.createdAt)
        .map(renderAddress)
      const limit = limitParam(call, 50, 50)
      const { list, nextPageCursor } = page(call, rows, limit)
      return { rows: list, nextPageCursor }
    },
    { retMsg: 'success' }
  ),
  'POST /v5/asset/withdraw/create': priv(
    'withdraw',
    (call) => {
      const { account } = callerOf(call)
      const coin = required(call, 'coin')
      const address = required(call, 'address')
      const amount = decimal(call, 'amount')
      if (amount === undefined || amount <= 0) throw new BybitError(131215, 'Amount error')
      if ((account.balances.get(coin) ?? 0) < amount)
        throw new BybitError(131212, 'Insufficient balance')
      const fund = fundOf(call, account)
      const held = fund.get(coin) ?? 0
      if (held > 0) fund.set(coin, Math.max(0, held - amount))
      const chain = str(call, 'chain')
      const record = call.context.world.withdraw(
        account,
        { currency: coin, amount, address, network: chain ?? null },
        call.now
      )
      return { id: String(record.id) }
    },
    { retMsg: 'success' }
  ),
  'GET /v5/asset/transfer/query-universal-transfer-list': priv(
    'subTransfer',
    (call) => {
      const { account, uid } = callerOf(call)
      const { start, end } = timeWindow(call, 7)
      const coin = str(call, 'coin')
      const rows = account.transfers
        .filter(
          (t) =>
            t.to === 'sub' &&
            t.createdAt >= start &&
            t.createdAt <= end &&
            (coin === undefined || t.currency === coin)
        )
        .sort((a, b) => b.createdAt - a.createdAt)
        .map((t) => renderUniversalTransfer(t, uid, uid + 1))
      const limit = limitParam(call, 20, 50)
      return page(call, rows, limit)
    },
    { retMsg: 'success' }
  ),
  'GET /v5/asset/transfer/query-inter-transfer-list': priv(
    'read',
    (call) => {
      const { account } = callerOf(call)
      const { start, end } = timeWindow(call, 7)
      const coin = str(call, 'coin')
      const rows = (call.state.interTransfers.get(account.id) ?? [])
        .filter(
          (t) =>
            Math.floor(t.at / 1000) >= Math.floor(start / 1000) &&
            Math.floor(t.at / 1000) <= Math.floor(end / 1000) &&
            (coin === undefined || t.coin === coin)
        )
        .sort((a, b) => b.at - a.at)
        .map((t) => ({
          transferId: t.transferId,
          coin: t.coin,
          amount: num(t.amount),
          fromAccountType: t.from,
          toAccountType: t.to,
          timestamp: String(t.at),
          status: 'SUCCESS'
        }))
      const limit = limitParam(call, 20, 50)
      return page(call, rows, limit)
    },
    { retMsg: 'success' }
  ),
  'POST /v5/asset/transfer/inter-transfer': priv(
    'transfer',
    (call) => {
      const { account } = callerOf(call)
      const transferId = required(call, 'transferId')
      const coin = required(call, 'coin')
      const amount = decimal(call, 'amount')
      const from = required(call, 'fromAccountType')
      const to = required(call, 'toAccountType')
      const types = ['UNIFIED', 'FUND']
      if (!types.includes(from) || !types.includes(to))
        throw new BybitError(131204, 'Account info error')
      if (from === to)
        throw new BybitError(131211, "fromAccountType can't be the same as toAccountType")
      if (amount === undefined || amount <= 0) throw new BybitError(131215, 'Amount error')
      const list = call.state.interTransfers.get(account.id) ?? []
      if (list.some((t) => t.transferId === transferId))
        throw new BybitError(131214, 'TransferId exist')
      const fund = fundOf(call, account)
      const total = account.balances.get(coin) ?? 0
      const inFund = fund.get(coin) ?? 0
      const available = from === 'FUND' ? inFund : total - inFund
      if (available < amount) throw new BybitError(131212, 'Insufficient balance')
      fund.set(coin, from === 'FUND' ? inFund - amount : inFund + amount)
      list.push({ transferId, coin, amount, from, to, at: call.now })
      call.state.interTransfers.set(account.id, list)
      return { transferId, status: 'SUCCESS' }
    },
    { retMsg: 'success' }
  )
}

// ── request handling ─────────────────────────────────────────────────────────

/** Unbound keys expire (Bybit: 90 days without an IP binding); we place it 66 days after start. */
function expiryOf(world: World, key: KeyRecord): number | null {
  return isUnbound(key.ipWhitelist) ? world.startAt + 66 * DAY_MS : null
}

function envelope(
  context: DialectContext,
  payload: { retCode: number; retMsg: string; result: unknown }
): string {
  return JSON.stringify({ ...payload, retExtInfo: {}, time: context.now() })
}

function errorResponse(context: DialectContext, error: BybitError): SimResponse {
  return {
    status: error.status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...error.headers },
    body: envelope(context, { retCode: error.code, retMsg: error.message, result: {} })
  }
}

function parseParams(request: SimRequest): Map<string, unknown> {
  if (request.method === 'POST') {
    if (request.body.trim() === '') return new Map()
    let parsed: unknown
    try {
      parsed = JSON.parse(request.body)
    } catch {
      throw paramsError('request body is not valid JSON')
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
      throw paramsError('request body must be a JSON object')
    return new Map(Object.entries(parsed as Record<string, unknown>))
  }
  return new Map(request.query.entries())
}

function authenticate(request: SimRequest, context: DialectContext): Caller {
  const auth = parseBybitAuthHeaders(request.headers)
  if (!auth) {
    throw new BybitError(
      10003,
      'empty value: apiTimestamp[] apiKey[] apiSignature[]: openapi sign params error!'
    )
  }
  const found = context.world.keyByClientId(auth.apiKey)
  if (
    !found ||
    found.key.removed ||
    found.account.exchange !== 'bybit' ||
    (request.endpointAccount !== null && found.account.id !== request.endpointAccount)
  )
    throw new BybitError(10003, 'API key is invalid.')
  // Bybit's server clock is real time; the scenario clock (which may run fast or in the past) is
  // accepted too, so replays with a shifted clock still sign correctly.
  const late = timestampProblem(auth, Date.now())
  if (late && timestampProblem(auth, context.now())) throw new BybitError(10002, late)
  const ok = verifyBybitSignature(auth, {
    secret: found.key.secret,
    method: request.method,
    rawQuery: request.rawQuery,
    body: request.body
  })
  if (!ok) {
    const payload = request.method === 'GET' ? request.rawQuery : request.body
    throw new BybitError(
      10004,
      `error sign! origin_string[${auth.timestamp}${auth.apiKey}${auth.recvWindow}${payload}]`
    )
  }
  if (!found.key.enabled) throw new BybitError(10003, 'API key is invalid.')
  const expires = expiryOf(context.world, found.key)
  if (expires !== null && context.now() > expires)
    throw new BybitError(33004, 'Your api key has expired.')
  const index = [...context.world.accounts.keys()].indexOf(found.account.id)
  return { account: found.account, key: found.key, uid: uidOf(index) }
}

function handle(request: SimRequest, context: DialectContext): SimResponse {
  const state = stateOf(context.world)
  try {
    if (!state.limiter.admitIp(request.remoteAddress ?? 'unknown')) {
      // The IP limit is enforced at Bybit's edge: a bare 403, no JSON envelope.
      return {
        status: 403,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: '403 Forbidden: access too frequent'
      }
    }
    const routeKey = `${request.method} ${request.path}`
    const route = PUBLIC[routeKey] ?? PRIVATE[routeKey]
    if (!route) {
      if (request.method !== 'GET' && request.method !== 'POST')
        throw new BybitError(10017, 'Route not found', 400)
      throw new BybitError(10017, 'Route not found', 404)
    }
    const bybitAccounts = [...context.world.accounts.values()].filter((a) => a.exchange === 'bybit')
    const visible =
      request.endpointAccount === null
        ? bybitAccounts
        : bybitAccounts.filter((a) => a.id === request.endpointAccount)
    const call: Call = {
      request,
      context,
      state,
      params: new Map(),
      accounts: visible,
      caller: null,
      now: context.now()
    }
    let limitHeaders: Record<string, string> = {}
    if (route.auth) {
      const caller = authenticate(request, context)
      call.caller = caller
      call.accounts = [caller.account]
      call.params = parseParams(request)
      const category = route.byCategory ? (str(call, 'category') ?? null) : null
      const verdict = state.limiter.admitUid(
        caller.account.id,
        request.method,
        request.path,
        category
      )
      limitHeaders = verdict.headers
      if (!verdict.allowed) throw new BybitError(10006, 'Too many visits!', 200, verdict.headers)
      if (route.need && !allows(caller.key.permissions, route.need))
        throw new BybitError(
          10005,
          'Permission denied, please check your API key permissions.',
          200,
          limitHeaders
        )
    } else {
      call.params = parseParams(request)
    }
    let result: unknown
    try {
      result = route.handler(call)
    } catch (error) {
      if (error instanceof BybitError && Object.keys(error.headers).length === 0)
        throw new BybitError(error.code, error.message, error.status, limitHeaders)
      throw error
    }
    return {
      status: 200,
      headers: { 'content-type': 'application/json; charset=utf-8', ...limitHeaders },
      body: envelope(context, { retCode: 0, retMsg: route.retMsg ?? 'OK', result })
    }
  } catch (error) {
    if (error instanceof BybitError) return errorResponse(context, error)
    throw error
  }
}

/** The Bybit v5 dialect, registered in `dialects/index.ts`. */
export const bybitDialect: Dialect = {
  exchange: 'bybit',
  ids: bybitIds,
  identify(request, context) {
    if (request.endpointAccount !== null) return request.endpointAccount
    const apiKey = bybitApiKeyOf(request.headers)
    if (!apiKey) return null
    const found = context.world.keyByClientId(apiKey)
    return found && found.account.exchange === 'bybit' ? found.account.id : null
  },
  handle,
  fault(fault, context) {
    switch (fault) {
      case 'http_429':
        // Bybit's "system level frequency protection": HTTP 429 from the gateway, no envelope.
        return {
          status: 429,
          headers: { 'content-type': 'text/plain; charset=utf-8' },
          body: 'Too Many Requests'
        }
      case 'maintenance':
        return {
          status: 503,
          headers: { 'content-type': 'application/json; charset=utf-8' },
          body: envelope(context, {
            retCode: 10016,
            retMsg: 'Server is under maintenance. Please try again later.',
            result: {}
          })
        }
      case 'http_5xx':
        // The CDN's page when the API behind it is down: HTML, not JSON.
        return {
          status: 502,
          headers: { 'content-type': 'text/html' },
          body: '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n'
        }
      case 'malformed':
        // A body cut off mid-way: status 200, declared JSON, unparseable.
        return {
          status: 200,
          headers: { 'content-type': 'application/json; charset=utf-8' },
          body: '{"retCode":0,"retMsg":"OK","result":{"category":"linear","list":[{"symbol":"BTCUSDT","orderId":"'
        }
    }
  }
}
