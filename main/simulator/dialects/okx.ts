/**
 * The OKX v5 dialect: `GET|POST /api/v5/<path>` answered with OKX's `{code, msg, data}` envelope,
 * `OK-ACCESS-*` signatures and the passphrase verified, errors as OKX's own codes and HTTP statuses
 * so ccxt raises the classes it would against okx.com (50111/50113/50105 → AuthenticationError,
 * 50011 + HTTP 429 → RateLimitExceeded, 50001 → OnMaintenance, …).
 *
 * Covers what ccxt's okx class and Vigil's connector call: instruments, tickers, books, currencies,
 * balances, account config (the key endpoint), positions, leverage (read and set), account bills
 * (transfers), pending / historical / single orders, fills (3 days and 3 months), order placement
 * (single and batch, ccxt's default), cancel (single and batch, at most 20), algo orders
 * (place, list, cancel at most 10), the dead-man switch `trade/cancel-all-after`, withdrawals and
 * their history, deposit history, transfers.
 *
 * Constraints kept from the real exchange: OKX has no cancel-all endpoint; `orders-history` and
 * `fills-history` need `instType`; canceled orders with no fill disappear from history after two
 * hours; per-endpoint rate limits (per key for private calls, per IP for public ones, batch calls
 * weighted per order) answer HTTP 429 with code 50011; a key without the Trade or Withdraw
 * permission gets 50120; requests signed more than 30 s away from the server clock get 50102.
 * OKX lists no withdrawal-address whitelist over its API, so none is served.
 */
import type { MarketState } from '../markets'
import type { AccountState, KeyRecord, OrderRecord, World } from '../world'
import {
  okxPerms,
  parseOkxTimestamp,
  passphraseMatches,
  readOkxHeaders,
  verifyOkxSignature,
  okxKeyFingerprint
} from './okx-auth'
import {
  instIdOf,
  instTypeOf,
  numericId,
  okxNum,
  orderTag,
  renderBalance,
  renderConfig,
  renderCurrency,
  renderFill,
  renderInstrument,
  renderOrder,
  renderPosition,
  renderTicker,
  renderTradeBill,
  renderTransferBill,
  renderWithdrawal,
  uidOf
} from './okx-render'
import type { Dialect, DialectContext, SimRequest, SimResponse } from './types'

const API_PREFIX = '/api/v5/'
const DAY_MS = 86_400_000
const HOUR_MS = 3_600_000
/** OKX rejects requests whose timestamp is more than 30 s away from its clock. */
const MAX_SKEW_MS = 30_000
const INST_TYPES = ['SPOT', 'MARGIN', 'SWAP', 'FUTURES', 'OPTION'] as const
const ALGO_TYPES = ['conditional', 'oco', 'trigger', 'move_order_stop', 'iceberg', 'twap'] as const

/** An OKX error: `{code, msg, data: []}` with the HTTP status OKX uses for it. */
class OkxError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 200,
    readonly headers: Record<string, string> = {}
  ) {
    super(message)
  }
}

const paramError = (name: string): OkxError => new OkxError('51000', `Parameter ${name} error`, 400)
const paramEmpty = (name: string): OkxError =>
  new OkxError('50014', `Parameter ${name} can not be empty`, 400)

/** A response whose envelope code is decided by the handler (batch calls: "0", "1" or "2"). */
class Envelope {
  constructor(
    readonly code: string,
    readonly data: unknown[],
    readonly msg = ''
  ) {}
}

interface Caller {
  account: AccountState
  key: KeyRecord
}

interface AlgoOrder {
  algoId: string
  accountId: string
  instId: string
  symbol: string
  side: 'buy' | 'sell'
  ordType: string
  sz: string
  tdMode: string
  triggerPx: string
  orderPx: string
  tpTriggerPx: string
  slTriggerPx: string
  tag: string
  algoClOrdId: string
  state: 'live' | 'canceled'
  cTime: number
  uTime: number
}

interface DeadMan {
  triggerAt: number
  tag: string
  cancelTimer: (() => void) | null
}

/** Per-world dialect state (rate-limit windows, dead-man timers, algo orders, client ids). */
interface OkxState {
  hits: Map<string, { t: number; w: number }[]>
  /** The rate limiter's clock (see `limiterNow`). */
  limiter: { clock: number; real: number; now: number }
  deadMan: Map<string, DeadMan>
  algos: AlgoOrder[]
  algoSeq: number
  /** `<accountId>|<ordId>` → client order id. */
  clOrdIds: Map<string, string>
}

const STATES = new WeakMap<World, OkxState>()

function stateOf(world: World): OkxState {
  let state = STATES.get(world)
  if (!state) {
    state = {
      hits: new Map(),
      limiter: { clock: Number.NaN, real: 0, now: Number.NEGATIVE_INFINITY },
      deadMan: new Map(),
      algos: [],
      algoSeq: 0,
      clOrdIds: new Map()
    }
    STATES.set(world, state)
  }
  return state
}

interface Call {
  request: SimRequest
  context: DialectContext
  state: OkxState
  query: URLSearchParams
  /** Parsed JSON body (POST), else undefined. */
  body: unknown
  /** Accounts whose markets this call sees (public calls on the shared endpoint see all). */
  accounts: AccountState[]
  caller: Caller | null
}

type Handler = (call: Call) => unknown[] | Envelope

type Access = 'public' | 'read' | 'trade' | 'withdraw'

interface Limit {
  /** Requests (or items, for weighted batch calls) per window. */
  count: number
  windowMs: number
  /** Batch endpoints count each order in the body (OKX: "300 orders per 2 seconds"). */
  perItem?: boolean
}

interface Route {
  access: Access
  limit: Limit
  handler: Handler
}

// ── parameters ───────────────────────────────────────────────────────────────

function q(call: Call, name: string): string | undefined
function q(call: Call, name: string, required: true): string
function q(call: Call, name: string, required = false): string | undefined {
  const value = call.query.get(name)
  if (value === null || value === '') {
    if (required) throw paramEmpty(name)
    return undefined
  }
  return value
}

function qInt(call: Call, name: string): number | undefined {
  const raw = q(call, name)
  if (raw === undefined) return undefined
  if (!/^\d+$/.test(raw)) throw paramError(name)
  return Number(raw)
}

function limitOf(call: Call): number {
  const raw = q(call, 'limit')
  if (raw === undefined) return 100
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw paramError('limit')
  return Math.min(100, Number(raw))
}

function instTypeParam(call: Call, required: boolean): string | undefined {
  const value = required ? q(call, 'instType', true) : q(call, 'instType')
  if (value !== undefined && !(INST_TYPES as readonly string[]).includes(value))
    throw paramError('instType')
  return value
}

const field = (item: unknown, name: string): string | undefined => {
  if (!item || typeof item !== 'object' || Array.isArray(item)) return undefined
  const value = (item as Record<string, unknown>)[name]
  if (value === undefined || value === null || value === '') return undefined
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined
}

const bodyObject = (call: Call): Record<string, unknown> => {
  if (!call.body || typeof call.body !== 'object' || Array.isArray(call.body))
    throw new OkxError('50000', 'Body can not be empty', 400)
  return call.body as Record<string, unknown>
}

const bodyArray = (call: Call, max: number, what: string): unknown[] => {
  const items = Array.isArray(call.body) ? call.body : call.body ? [call.body] : []
  if (items.length === 0) throw new OkxError('50000', 'Body can not be empty', 400)
  if (items.length > max) throw new OkxError('51000', `Parameter ${what} error`, 400)
  return items
}

/** Numeric order of OKX ids (they are decimal strings longer than 2^53). */
const idCompare = (a: string, b: string): number => {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) {
    const x = BigInt(a)
    const y = BigInt(b)
    return x < y ? -1 : x > y ? 1 : 0
  }
  return a < b ? -1 : a > b ? 1 : 0
}

/**
 * OKX's id paging over rows sorted newest first: `after` = records older than that id, `before`
 * = records newer than it (the ones closest to it), at most `limit`.
 */
function pageById<T>(call: Call, rows: T[], idOf: (row: T) => string): T[] {
  const limit = limitOf(call)
  const after = q(call, 'after')
  const before = q(call, 'before')
  let selected = rows
  if (after !== undefined) {
    const at = rows.findIndex((r) => idOf(r) === after)
    selected = at >= 0 ? rows.slice(at + 1) : rows.filter((r) => idCompare(idOf(r), after) < 0)
  }
  if (before !== undefined) {
    const at = selected.findIndex((r) => idOf(r) === before)
    const newer =
      at >= 0 ? selected.slice(0, at) : selected.filter((r) => idCompare(idOf(r), before) > 0)
    return newer.slice(Math.max(0, newer.length - limit))
  }
  return selected.slice(0, limit)
}

/** Time paging (withdrawal and deposit history): `after`/`before` are millisecond timestamps. */
function pageByTime<T>(call: Call, rows: T[], tsOf: (row: T) => number): T[] {
  const after = qInt(call, 'after')
  const before = qInt(call, 'before')
  const limit = limitOf(call)
  const selected = rows.filter(
    (r) => (after === undefined || tsOf(r) < after) && (before === undefined || tsOf(r) > before)
  )
  return before !== undefined && after === undefined
    ? selected.slice(Math.max(0, selected.length - limit))
    : selected.slice(0, limit)
}

/** `begin` / `end` filters (inclusive, milliseconds) on a timestamp. */
function inRange(call: Call, ts: number): boolean {
  const begin = qInt(call, 'begin')
  const end = qInt(call, 'end')
  return (begin === undefined || ts >= begin) && (end === undefined || ts <= end)
}

// ── markets ──────────────────────────────────────────────────────────────────

interface Listed {
  market: MarketState
  account: AccountState
}

/** Markets the call can see by instId; the first account listing one supplies its price. */
function listedMarkets(call: Call): Map<string, Listed> {
  const out = new Map<string, Listed>()
  for (const account of call.accounts) {
    for (const market of account.markets.values()) {
      const id = instIdOf(market)
      if (!out.has(id)) out.set(id, { market, account })
    }
  }
  return out
}

function marketOf(account: AccountState, instId: string | undefined): MarketState {
  if (instId === undefined) throw paramEmpty('instId')
  for (const market of account.markets.values()) if (instIdOf(market) === instId) return market
  throw new OkxError('51001', `Instrument ID ${instId} does not exist`)
}

const marketBySymbol = (account: AccountState, symbol: string): MarketState => {
  const market = account.markets.get(symbol)
  if (!market) throw new OkxError('51001', 'Instrument ID does not exist')
  return market
}

function currenciesOf(accounts: readonly AccountState[]): string[] {
  const codes = new Set<string>()
  for (const account of accounts) {
    for (const market of account.markets.values()) {
      codes.add(market.base)
      codes.add(market.settle ?? market.quote)
      if (market.type === 'spot') codes.add(market.quote)
    }
    for (const asset of account.balances.keys()) codes.add(asset)
  }
  codes.delete('USD')
  return [...codes].sort()
}

// ── private helpers ──────────────────────────────────────────────────────────

function callerOf(call: Call): Caller {
  if (!call.caller)
    throw new OkxError('50103', 'Request header "OK-ACCESS-KEY" can not be empty', 401)
  return call.caller
}

const newestFirst = (a: OrderRecord, b: OrderRecord): number =>
  b.createdAt - a.createdAt || idCompare(b.id, a.id)

function orderExtras(call: Call, account: AccountState, order: OrderRecord) {
  return {
    tag: orderTag(order),
    clOrdId: call.state.clOrdIds.get(`${account.id}|${order.id}`) ?? '',
    fills: account.fills.filter((f) => f.orderId === order.id),
    leverage: account.leverage.get(order.symbol)
  }
}

function renderOrders(
  call: Call,
  account: AccountState,
  orders: readonly OrderRecord[]
): unknown[] {
  return orders.map((o) =>
    renderOrder(o, marketBySymbol(account, o.symbol), orderExtras(call, account, o))
  )
}

/** Whether OKX still returns a finished order: canceled orders with no fill vanish after two hours. */
const retained = (order: OrderRecord, now: number): boolean =>
  !(order.status === 'cancelled' && order.filled === 0 && order.updatedAt < now - 2 * HOUR_MS)

function matchesInst(call: Call, market: MarketState): boolean {
  const instType = q(call, 'instType')
  const instId = q(call, 'instId')
  return (
    (instType === undefined || instType === instTypeOf(market)) &&
    (instId === undefined || instId === instIdOf(market))
  )
}

function orderHistory(call: Call, days: number): unknown[] {
  const { account } = callerOf(call)
  instTypeParam(call, true)
  const now = call.context.now()
  const from = now - days * DAY_MS
  const state = q(call, 'state')
  const ordType = q(call, 'ordType')
  const orders = account.orders
    .filter((o) => o.status !== 'open')
    .filter((o) => o.createdAt >= from || o.updatedAt >= from)
    .filter((o) => retained(o, now))
    .filter((o) => matchesInst(call, marketBySymbol(account, o.symbol)))
    .filter((o) => state === undefined || renderStateOf(o) === state)
    .filter((o) => ordType === undefined || ordType.split(',').includes(o.type))
    .filter((o) => inRange(call, o.createdAt))
    .sort(newestFirst)
  return renderOrders(
    call,
    account,
    pageById(call, orders, (o) => o.id)
  )
}

const renderStateOf = (o: OrderRecord): string =>
  o.status === 'open'
    ? o.filled > 0
      ? 'partially_filled'
      : 'live'
    : o.status === 'filled'
      ? 'filled'
      : 'canceled'

function fills(call: Call, days: number, instTypeRequired: boolean): unknown[] {
  const { account } = callerOf(call)
  instTypeParam(call, instTypeRequired)
  const now = call.context.now()
  const ordId = q(call, 'ordId')
  const orders = new Map(account.orders.map((o) => [o.id, o]))
  const rows = account.fills
    .filter((f) => f.timestamp >= now - days * DAY_MS && f.timestamp <= now)
    .filter((f) => matchesInst(call, marketBySymbol(account, f.symbol)))
    .filter((f) => ordId === undefined || f.orderId === ordId)
    .filter((f) => inRange(call, f.timestamp))
    .sort((a, b) => b.timestamp - a.timestamp || idCompare(b.id, a.id))
  return pageById(call, rows, (f) => f.id).map((f) => {
    const order = orders.get(f.orderId)
    return renderFill(f, marketBySymbol(account, f.symbol), {
      tag: order ? orderTag(order) : '',
      clOrdId: call.state.clOrdIds.get(`${account.id}|${f.orderId}`) ?? ''
    })
  })
}

/** Trading-account bills: transfers (type 1) and trades (type 2), newest first. */
function bills(call: Call, days: number): unknown[] {
  const { account } = callerOf(call)
  const now = call.context.now()
  const type = q(call, 'type')
  const ccy = q(call, 'ccy')
  const from = now - days * DAY_MS
  const rows: { id: string; ts: number; ccy: string; render: () => unknown }[] = []
  if (type === undefined || type === '1') {
    // Running balance after each transfer, walking back from today's balance.
    const transfers = [...account.transfers].sort((a, b) => b.createdAt - a.createdAt)
    const running = new Map<string, number>()
    for (const t of transfers) {
      const after = running.get(t.currency) ?? account.balances.get(t.currency) ?? 0
      running.set(t.currency, after + t.amount)
      rows.push({
        id: String(t.id),
        ts: t.createdAt,
        ccy: t.currency,
        render: () => renderTransferBill(t, after)
      })
    }
  }
  if (type === undefined || type === '2') {
    for (const f of account.fills) {
      const market = marketBySymbol(account, f.symbol)
      const code = market.type === 'spot' ? market.base : (market.settle ?? market.quote)
      rows.push({ id: f.id, ts: f.timestamp, ccy: code, render: () => renderTradeBill(f, market) })
    }
  }
  const selected = rows
    .filter((r) => r.ts >= from && r.ts <= now && (ccy === undefined || r.ccy === ccy))
    .filter((r) => inRange(call, r.ts))
    .sort((a, b) => b.ts - a.ts || idCompare(b.id, a.id))
  return pageById(call, selected, (r) => r.id).map((r) => r.render())
}

/** Funds held by open orders, per currency (spot only: derivatives use margin). */
function frozenFunds(account: AccountState): Map<string, number> {
  const out = new Map<string, number>()
  for (const o of account.orders) {
    if (o.status !== 'open' || o.price === null) continue
    const market = account.markets.get(o.symbol)
    if (!market || market.type !== 'spot') continue
    const rest = o.amount - o.filled
    if (o.side === 'buy') out.set(market.quote, (out.get(market.quote) ?? 0) + rest * o.price)
    else out.set(market.base, (out.get(market.base) ?? 0) + rest)
  }
  return out
}

// ── orders ───────────────────────────────────────────────────────────────────

interface ItemResult {
  ok: boolean
  data: Record<string, unknown>
}

const itemError = (code: string, msg: string, extra: Record<string, unknown>): ItemResult => ({
  ok: false,
  data: { ...extra, sCode: code, sMsg: msg }
})

function placeItem(call: Call, item: unknown): ItemResult {
  const { account, key } = callerOf(call)
  const now = call.context.now()
  const clOrdId = field(item, 'clOrdId') ?? ''
  const tag = field(item, 'tag') ?? ''
  const base = { clOrdId, ordId: '', tag, ts: String(now) }
  if (clOrdId.length > 32 || !/^[A-Za-z0-9]*$/.test(clOrdId))
    return itemError('51000', 'Parameter clOrdId error', base)
  if (tag.length > 16) return itemError('51000', 'Parameter tag error', base)
  const instId = field(item, 'instId')
  let market: MarketState
  try {
    market = marketOf(account, instId)
  } catch (error) {
    if (error instanceof OkxError) return itemError(error.code, error.message, base)
    throw error
  }
  const side = field(item, 'side')
  if (side !== 'buy' && side !== 'sell') return itemError('51000', 'Parameter side error', base)
  const tdMode = field(item, 'tdMode')
  if (
    market.type === 'spot'
      ? tdMode !== 'cash' && tdMode !== 'cross' && tdMode !== 'isolated'
      : tdMode !== 'cross' && tdMode !== 'isolated'
  )
    return itemError('51000', 'Parameter tdMode error', base)
  const ordType = field(item, 'ordType')
  const market_ = ordType === 'market' || ordType === 'optimal_limit_ioc'
  if (!market_ && !['limit', 'post_only', 'fok', 'ioc'].includes(ordType ?? ''))
    return itemError('51000', 'Parameter ordType error', base)
  const sz = Number(field(item, 'sz'))
  if (!(sz > 0)) return itemError('51000', 'Parameter sz error', base)
  const pxRaw = field(item, 'px')
  const px = pxRaw === undefined ? undefined : Number(pxRaw)
  if (!market_ && !(px !== undefined && px > 0))
    return itemError('51000', 'Parameter px error', base)
  const tgtCcy = field(item, 'tgtCcy')
  const quoteSized = market.type === 'spot' && market_ && side === 'buy' && tgtCcy === 'quote_ccy'
  const amount = quoteSized
    ? sz / market.last
    : market.type === 'spot'
      ? sz
      : sz * market.contractSize
  if (!quoteSized) {
    const steps = amount / market.minAmount
    if (Math.abs(steps - Math.round(steps)) > 1e-9)
      return itemError('51121', 'Order quantity must be a multiple of the lot size.', base)
  }
  if (amount < market.minAmount - 1e-12)
    return itemError('51020', 'Order amount should be greater than the min available amount.', base)
  if (market.type === 'spot') {
    const cost = amount * (px ?? market.last)
    const held = frozenFunds(account)
    const free = (asset: string): number =>
      (account.balances.get(asset) ?? 0) - (held.get(asset) ?? 0)
    if (side === 'buy' ? free(market.quote) < cost : free(market.base) < amount)
      return itemError('51008', 'Order failed. Insufficient balance.', base)
  }
  const { order } = call.context.world.placeOrder(
    account,
    {
      symbol: market.symbol,
      side,
      type: market_ ? 'market' : 'limit',
      amount,
      price: market_ ? undefined : px,
      reduceOnly:
        field(item, 'reduceOnly') === 'true' ||
        (item as { reduceOnly?: unknown }).reduceOnly === true,
      origin: 'api',
      keyId: key.id,
      label: tag
    },
    now
  )
  if (clOrdId) call.state.clOrdIds.set(`${account.id}|${order.id}`, clOrdId)
  return { ok: true, data: { ...base, ordId: order.id, sCode: '0', sMsg: 'Order placed' } }
}

function cancelItem(call: Call, item: unknown): ItemResult {
  const { account } = callerOf(call)
  const now = call.context.now()
  const ordId = field(item, 'ordId')
  const clOrdId = field(item, 'clOrdId')
  const base = { clOrdId: clOrdId ?? '', ordId: ordId ?? '', ts: String(now) }
  if (ordId === undefined && clOrdId === undefined)
    return itemError('51003', 'Either client order ID or order ID is required.', base)
  let market: MarketState
  try {
    market = marketOf(account, field(item, 'instId'))
  } catch (error) {
    if (error instanceof OkxError) return itemError(error.code, error.message, base)
    throw error
  }
  const order = account.orders.find(
    (o) =>
      o.symbol === market.symbol &&
      (ordId !== undefined
        ? o.id === ordId
        : call.state.clOrdIds.get(`${account.id}|${o.id}`) === clOrdId)
  )
  if (!order || !retained(order, now))
    return itemError('51400', 'Cancellation failed as the order does not exist.', base)
  const ids = {
    ...base,
    ordId: order.id,
    clOrdId: call.state.clOrdIds.get(`${account.id}|${order.id}`) ?? ''
  }
  if (order.status === 'cancelled')
    return itemError('51401', 'Cancellation failed as the order is already canceled.', ids)
  if (order.status === 'filled')
    return itemError('51402', 'Cancellation failed as the order is already completed.', ids)
  call.context.world.cancelOrders(account, now, (o) => o === order)
  return { ok: true, data: { ...ids, sCode: '0', sMsg: '' } }
}

/** OKX's batch envelope: "0" all succeeded, "1" all failed, "2" some failed. */
function batch(results: ItemResult[], single = false): Envelope {
  const failed = results.filter((r) => !r.ok).length
  const code = failed === 0 ? '0' : failed === results.length ? '1' : '2'
  const msg =
    code === '0'
      ? ''
      : single
        ? 'Operation failed.'
        : code === '1'
          ? 'All operations failed'
          : 'Bulk operation partially succeeded.'
  return new Envelope(
    code,
    results.map((r) => r.data),
    msg
  )
}

// ── algo orders ──────────────────────────────────────────────────────────────

function renderAlgo(
  a: AlgoOrder,
  market: MarketState,
  leverage: number | undefined
): Record<string, unknown> {
  return {
    activePx: '',
    actualPx: '',
    actualSide: '',
    actualSz: '0',
    algoClOrdId: a.algoClOrdId,
    algoId: a.algoId,
    amendPxOnTriggerType: '0',
    attachAlgoOrds: [],
    cTime: String(a.cTime),
    callbackRatio: '',
    callbackSpread: '',
    ccy: '',
    clOrdId: '',
    closeFraction: '',
    failCode: '',
    instId: a.instId,
    instType: instTypeOf(market),
    isTradeBorrowMode: '',
    last: okxNum(market.last),
    lever: market.type === 'spot' ? '' : okxNum(leverage ?? 10),
    linkedOrd: { ordId: '' },
    moveTriggerPx: '',
    ordId: '',
    ordIdList: [],
    ordPx: a.orderPx,
    ordType: a.ordType,
    posSide: market.type === 'spot' ? '' : 'net',
    pxLimit: '',
    pxSpread: '',
    pxVar: '',
    quickMgnType: '',
    reduceOnly: 'false',
    side: a.side,
    slOrdPx: '',
    slTriggerPx: a.slTriggerPx,
    slTriggerPxType: a.slTriggerPx ? 'last' : '',
    state: a.state,
    sz: a.sz,
    szLimit: '',
    tag: a.tag,
    tdMode: a.tdMode,
    tgtCcy: '',
    timeInterval: '',
    tpOrdPx: '',
    tpTriggerPx: a.tpTriggerPx,
    tpTriggerPxType: a.tpTriggerPx ? 'last' : '',
    triggerPx: a.triggerPx,
    triggerPxType: a.triggerPx ? 'last' : '',
    triggerTime: '',
    uTime: String(a.uTime)
  }
}

function algoTypesParam(call: Call): string[] {
  const raw = q(call, 'ordType', true)
  const types = raw.split(',')
  const valid =
    types.every((t) => (ALGO_TYPES as readonly string[]).includes(t)) &&
    (types.length === 1 || types.every((t) => t === 'conditional' || t === 'oco'))
  if (!valid) throw paramError('ordType')
  return types
}

// ── dead-man switch ──────────────────────────────────────────────────────────

/** Cancels every open order of an account whose cancel-all-after timer has run out. */
function fireDeadMen(context: DialectContext, state: OkxState): void {
  const now = context.now()
  for (const [accountId, timer] of state.deadMan) {
    if (timer.triggerAt > now) continue
    state.deadMan.delete(accountId)
    timer.cancelTimer?.()
    const account = context.world.accounts.get(accountId)
    if (account) context.world.cancelOrders(account, timer.triggerAt)
  }
}

function armDeadMan(call: Call, account: AccountState, seconds: number, tag: string): number {
  const { state, context } = call
  const previous = state.deadMan.get(account.id)
  previous?.cancelTimer?.()
  state.deadMan.delete(account.id)
  if (seconds === 0) return 0
  const armedAt = context.now()
  const timer: DeadMan = { triggerAt: armedAt + seconds * 1000, tag, cancelTimer: null }
  state.deadMan.set(account.id, timer)
  const schedule = context.schedule
  if (schedule) {
    const wake = (delay: number): void => {
      timer.cancelTimer = schedule(() => {
        if (state.deadMan.get(account.id) !== timer) return
        const now = context.now()
        if (now >= timer.triggerAt) fireDeadMen(context, state)
        // A clock that has not moved at all is frozen or fake: every request still checks the
        // timer, so stop waking up instead of spinning.
        else if (now > armedAt) wake(timer.triggerAt - now)
      }, delay)
    }
    wake(seconds * 1000)
  }
  return timer.triggerAt
}

// ── routes ───────────────────────────────────────────────────────────────────

const perSeconds = (count: number, seconds: number, perItem = false): Limit => ({
  count,
  windowMs: seconds * 1000,
  perItem
})

const pub = (limit: Limit, handler: Handler): Route => ({ access: 'public', limit, handler })
const read = (limit: Limit, handler: Handler): Route => ({ access: 'read', limit, handler })
const trade = (limit: Limit, handler: Handler): Route => ({ access: 'trade', limit, handler })

const ROUTES: Record<string, Route> = {
  'GET public/time': pub(perSeconds(10, 2), (call) => [{ ts: String(call.context.now()) }]),
  'GET system/status': pub(perSeconds(1, 5), () => []),
  'GET public/instruments': pub(perSeconds(20, 2), (call) => {
    const instType = instTypeParam(call, true)
    const instId = q(call, 'instId')
    const listed = call.context.world.startAt - 400 * DAY_MS
    return [...listedMarkets(call).values()]
      .filter(({ market }) => instTypeOf(market) === instType)
      .filter(({ market }) => instId === undefined || instIdOf(market) === instId)
      .map(({ market }) => renderInstrument(market, listed))
  }),
  'GET market/tickers': pub(perSeconds(20, 2), (call) => {
    const instType = instTypeParam(call, true)
    return [...listedMarkets(call).values()]
      .filter(({ market }) => instTypeOf(market) === instType)
      .map(({ market }) => renderTicker(market, call.context.now()))
  }),
  'GET market/ticker': pub(perSeconds(20, 2), (call) => {
    const instId = q(call, 'instId', true)
    const hit = listedMarkets(call).get(instId)
    if (!hit) throw new OkxError('51001', `Instrument ID ${instId} does not exist`)
    return [renderTicker(hit.market, call.context.now())]
  }),
  'GET market/books': pub(perSeconds(40, 2), (call) => {
    const instId = q(call, 'instId', true)
    const hit = listedMarkets(call).get(instId)
    if (!hit) throw new OkxError('51001', `Instrument ID ${instId} does not exist`)
    const depth = Math.min(400, qInt(call, 'sz') ?? 1)
    const { market } = hit
    const levels = (sign: number): string[][] =>
      Array.from({ length: Math.min(depth, 20) }, (_, i) => [
        okxNum(market.last + sign * market.tick * (i + 1)),
        okxNum(10 * (i + 1)),
        '0',
        '1'
      ])
    return [{ asks: levels(1), bids: levels(-1), ts: String(call.context.now()) }]
  }),

  'GET asset/currencies': read(perSeconds(6, 1), (call) => {
    const wanted = q(call, 'ccy')?.split(',')
    return currenciesOf([callerOf(call).account])
      .filter((c) => !wanted || wanted.includes(c))
      .flatMap(renderCurrency)
  }),
  // Everything sits in the trading account; the funding account is empty.
  'GET asset/balances': read(perSeconds(6, 1), () => []),
  'GET account/balance': read(perSeconds(10, 2), (call) => {
    const { account } = callerOf(call)
    const wanted = q(call, 'ccy')?.split(',') ?? null
    return [renderBalance(account, wanted, frozenFunds(account), call.context.now())]
  }),
  'GET account/config': read(perSeconds(5, 2), (call) => {
    const { account, key } = callerOf(call)
    return [renderConfig(key, uidOf(call.context.world.seed, account.id))]
  }),
  'GET account/positions': read(perSeconds(10, 2), (call) => {
    const { account } = callerOf(call)
    const instType = instTypeParam(call, false)
    const instIds = q(call, 'instId')?.split(',')
    return [...account.positions.values()]
      .filter((p) => p.size !== 0)
      .map((p) => ({ p, market: marketBySymbol(account, p.symbol) }))
      .filter(({ market }) => instType === undefined || instType === instTypeOf(market))
      .filter(({ market }) => !instIds || instIds.includes(instIdOf(market)))
      .map(({ p, market }) =>
        renderPosition(p, market, account.leverage.get(p.symbol), call.context.now())
      )
  }),
  'GET account/leverage-info': read(perSeconds(20, 2), (call) => {
    const { account } = callerOf(call)
    const mgnMode = q(call, 'mgnMode', true)
    if (mgnMode !== 'cross' && mgnMode !== 'isolated') throw paramError('mgnMode')
    const ids = q(call, 'instId', true).split(',')
    if (ids.length > 20) throw paramError('instId')
    return ids.map((instId) => {
      const market = marketOf(account, instId)
      // Spot has no leverage outside margin trading; OKX answers 1 there.
      const lever = market.type === 'spot' ? 1 : (account.leverage.get(market.symbol) ?? 10)
      return { instId, mgnMode, posSide: 'net', lever: okxNum(lever) }
    })
  }),
  'POST account/set-leverage': trade(perSeconds(20, 2), (call) => {
    const { account } = callerOf(call)
    const body = bodyObject(call)
    const market = marketOf(account, field(body, 'instId'))
    const mgnMode = field(body, 'mgnMode')
    if (mgnMode !== 'cross' && mgnMode !== 'isolated') throw paramError('mgnMode')
    const lever = Number(field(body, 'lever'))
    if (!(lever >= 1)) throw paramError('lever')
    if (market.type === 'spot' || lever > 100)
      throw new OkxError(
        '59102',
        'Leverage exceeds the maximum leverage. Please adjust the leverage.'
      )
    call.context.world.setLeverage(account, market.symbol, lever)
    return [
      {
        instId: instIdOf(market),
        lever: okxNum(lever),
        mgnMode,
        posSide: field(body, 'posSide') ?? 'net'
      }
    ]
  }),
  'GET account/bills': read(perSeconds(5, 1), (call) => bills(call, 7)),
  'GET account/bills-archive': read(perSeconds(5, 2), (call) => bills(call, 92)),

  'GET trade/orders-pending': read(perSeconds(60, 2), (call) => {
    const { account } = callerOf(call)
    instTypeParam(call, false)
    const state = q(call, 'state')
    const ordType = q(call, 'ordType')
    const orders = call.context.world
      .openOrders(account)
      .filter((o) => matchesInst(call, marketBySymbol(account, o.symbol)))
      .filter((o) => state === undefined || renderStateOf(o) === state)
      .filter((o) => ordType === undefined || ordType.split(',').includes(o.type))
      .sort(newestFirst)
    return renderOrders(
      call,
      account,
      pageById(call, orders, (o) => o.id)
    )
  }),
  'GET trade/orders-history': read(perSeconds(40, 2), (call) => orderHistory(call, 7)),
  'GET trade/orders-history-archive': read(perSeconds(20, 2), (call) => orderHistory(call, 92)),
  'GET trade/order': read(perSeconds(60, 2), (call) => {
    const { account } = callerOf(call)
    const market = marketOf(account, q(call, 'instId'))
    const ordId = q(call, 'ordId')
    const clOrdId = q(call, 'clOrdId')
    if (ordId === undefined && clOrdId === undefined)
      throw new OkxError('51003', 'Either client order ID or order ID is required.')
    const order = account.orders.find(
      (o) =>
        o.symbol === market.symbol &&
        (ordId !== undefined
          ? o.id === ordId
          : call.state.clOrdIds.get(`${account.id}|${o.id}`) === clOrdId)
    )
    if (!order || !retained(order, call.context.now()))
      throw new OkxError('51603', 'Order does not exist')
    return renderOrders(call, account, [order])
  }),
  'GET trade/fills': read(perSeconds(60, 2), (call) => fills(call, 3, false)),
  'GET trade/fills-history': read(perSeconds(10, 2), (call) => fills(call, 92, true)),
  'POST trade/order': trade(perSeconds(60, 2), (call) =>
    batch([placeItem(call, bodyObject(call))], true)
  ),
  'POST trade/batch-orders': trade(perSeconds(300, 2, true), (call) =>
    batch(bodyArray(call, 20, 'data').map((item) => placeItem(call, item)))
  ),
  'POST trade/cancel-order': trade(perSeconds(60, 2), (call) =>
    batch([cancelItem(call, bodyObject(call))], true)
  ),
  'POST trade/cancel-batch-orders': trade(perSeconds(300, 2, true), (call) =>
    batch(bodyArray(call, 20, 'data').map((item) => cancelItem(call, item)))
  ),
  'POST trade/cancel-all-after': trade(perSeconds(1, 1), (call) => {
    const { account } = callerOf(call)
    const body = bodyObject(call)
    const raw = field(body, 'timeOut')
    if (raw === undefined) throw paramEmpty('timeOut')
    const seconds = Number(raw)
    if (!Number.isInteger(seconds) || (seconds !== 0 && (seconds < 10 || seconds > 120)))
      throw paramError('timeOut')
    const tag = field(body, 'tag') ?? ''
    const triggerAt = armDeadMan(call, account, seconds, tag)
    return [{ triggerTime: String(triggerAt), tag, ts: String(call.context.now()) }]
  }),
  'GET trade/orders-algo-pending': read(perSeconds(20, 2), (call) => {
    const { account } = callerOf(call)
    const types = algoTypesParam(call)
    const algoId = q(call, 'algoId')
    const rows = call.state.algos
      .filter((a) => a.accountId === account.id && a.state === 'live' && types.includes(a.ordType))
      .filter((a) => algoId === undefined || a.algoId === algoId)
      .filter((a) => matchesInst(call, marketBySymbol(account, a.symbol)))
      .sort((a, b) => idCompare(b.algoId, a.algoId))
    return pageById(call, rows, (a) => a.algoId).map((a) =>
      renderAlgo(a, marketBySymbol(account, a.symbol), account.leverage.get(a.symbol))
    )
  }),
  'GET trade/orders-algo-history': read(perSeconds(20, 2), (call) => {
    const { account } = callerOf(call)
    const types = algoTypesParam(call)
    const state = q(call, 'state')
    const algoId = q(call, 'algoId')
    if (state === undefined && algoId === undefined) throw paramEmpty('state')
    const rows = call.state.algos
      .filter((a) => a.accountId === account.id && a.state !== 'live' && types.includes(a.ordType))
      .filter(
        (a) =>
          (state === undefined || a.state === state) &&
          (algoId === undefined || a.algoId === algoId)
      )
      .sort((a, b) => idCompare(b.algoId, a.algoId))
    return pageById(call, rows, (a) => a.algoId).map((a) =>
      renderAlgo(a, marketBySymbol(account, a.symbol), account.leverage.get(a.symbol))
    )
  }),
  'POST trade/order-algo': trade(perSeconds(20, 2), (call) => {
    const { account } = callerOf(call)
    const body = bodyObject(call)
    const market = marketOf(account, field(body, 'instId'))
    const side = field(body, 'side')
    if (side !== 'buy' && side !== 'sell') throw paramError('side')
    const ordType = field(body, 'ordType')
    if (!(ALGO_TYPES as readonly string[]).includes(ordType ?? '')) throw paramError('ordType')
    const sz = field(body, 'sz')
    if (!(Number(sz) > 0)) throw paramError('sz')
    const now = call.context.now()
    const algo: AlgoOrder = {
      algoId: String(4_000_000_000_000_000_000n + BigInt(++call.state.algoSeq)),
      accountId: account.id,
      instId: instIdOf(market),
      symbol: market.symbol,
      side,
      ordType: ordType!,
      sz: sz!,
      tdMode: field(body, 'tdMode') ?? (market.type === 'spot' ? 'cash' : 'cross'),
      triggerPx: field(body, 'triggerPx') ?? '',
      orderPx: field(body, 'orderPx') ?? '',
      tpTriggerPx: field(body, 'tpTriggerPx') ?? '',
      slTriggerPx: field(body, 'slTriggerPx') ?? '',
      tag: field(body, 'tag') ?? '',
      algoClOrdId: field(body, 'algoClOrdId') ?? field(body, 'clOrdId') ?? '',
      state: 'live',
      cTime: now,
      uTime: now
    }
    call.state.algos.push(algo)
    return [
      {
        algoClOrdId: algo.algoClOrdId,
        algoId: algo.algoId,
        clOrdId: '',
        sCode: '0',
        sMsg: 'Order placed',
        tag: algo.tag
      }
    ]
  }),
  'POST trade/cancel-algos': trade(perSeconds(20, 2), (call) => {
    const { account } = callerOf(call)
    const now = call.context.now()
    const results = bodyArray(call, 10, 'data').map((item): ItemResult => {
      const algoId = field(item, 'algoId') ?? ''
      const algo = call.state.algos.find(
        (a) =>
          a.accountId === account.id && a.algoId === algoId && a.instId === field(item, 'instId')
      )
      if (!algo)
        return itemError('51400', 'Cancellation failed as the order does not exist.', { algoId })
      if (algo.state !== 'live')
        return itemError('51401', 'Cancellation failed as the order is already canceled.', {
          algoId
        })
      algo.state = 'canceled'
      algo.uTime = now
      return { ok: true, data: { algoId, sCode: '0', sMsg: '' } }
    })
    return batch(results)
  }),

  'GET asset/withdrawal-history': read(perSeconds(6, 1), (call) => {
    const { account } = callerOf(call)
    const ccy = q(call, 'ccy')
    const wdId = q(call, 'wdId')
    const state = q(call, 'state')
    const rows = account.withdrawals
      .filter(
        (w) =>
          (ccy === undefined || w.currency === ccy) && (wdId === undefined || String(w.id) === wdId)
      )
      .filter((w) => state === undefined || (w.state === 'completed' ? '2' : '0') === state)
      .sort((a, b) => b.createdAt - a.createdAt || b.id - a.id)
    return pageByTime(call, rows, (w) => w.createdAt).map((w) => renderWithdrawal(w, account))
  }),
  // The simulated world has no deposits: the shape is served, empty.
  'GET asset/deposit-history': read(perSeconds(6, 1), (call) => {
    callerOf(call)
    limitOf(call)
    return []
  }),
  'POST asset/withdrawal': {
    access: 'withdraw',
    limit: perSeconds(6, 1),
    handler: (call) => {
      const { account } = callerOf(call)
      const body = bodyObject(call)
      const ccy = field(body, 'ccy')
      if (ccy === undefined) throw paramEmpty('ccy')
      const amt = Number(field(body, 'amt'))
      if (!(amt > 0)) throw paramError('amt')
      const toAddr = field(body, 'toAddr')
      if (toAddr === undefined) throw paramEmpty('toAddr')
      const dest = field(body, 'dest')
      if (dest !== '3' && dest !== '4') throw paramError('dest')
      if ((account.balances.get(ccy) ?? 0) < amt)
        throw new OkxError('58350', 'Insufficient balance.')
      const chain = field(body, 'chain')
      const record = call.context.world.withdraw(
        account,
        { currency: ccy, amount: amt, address: toAddr, network: chain ?? null },
        call.context.now()
      )
      return [{ amt: okxNum(amt), wdId: String(record.id), ccy, clientId: '', chain: chain ?? '' }]
    }
  },
  'POST asset/transfer': trade(perSeconds(1, 1), (call) => {
    const { account } = callerOf(call)
    const body = bodyObject(call)
    const ccy = field(body, 'ccy')
    if (ccy === undefined) throw paramEmpty('ccy')
    const amt = Number(field(body, 'amt'))
    if (!(amt > 0)) throw paramError('amt')
    const type = field(body, 'type') ?? '0'
    const from = field(body, 'from') ?? ''
    const to = field(body, 'to') ?? ''
    if ((account.balances.get(ccy) ?? 0) < amt) throw new OkxError('58350', 'Insufficient balance.')
    // Only transfers that leave the account are modelled; moves between its own funding and
    // trading accounts change nothing in the simulated (single-balance) account.
    const transId =
      type === '1'
        ? String(
            call.context.world.transfer(
              account,
              { currency: ccy, amount: amt, to: 'sub' },
              call.context.now()
            ).id
          )
        : numericId('transfer', account.id, call.context.now(), ccy, amt).slice(0, 9)
    return [{ transId, ccy, clientId: field(body, 'clientId') ?? '', from, amt: okxNum(amt), to }]
  }),
  'GET asset/transfer-state': read(perSeconds(10, 1), (call) => {
    const { account } = callerOf(call)
    const transId = q(call, 'transId', true)
    const t = account.transfers.find((x) => String(x.id) === transId)
    if (!t) return []
    return [
      {
        amt: okxNum(t.amount),
        ccy: t.currency,
        clientId: '',
        from: '6',
        instId: '',
        state: 'success',
        subAcct: t.to === 'sub' ? 'sub-account' : '',
        to: '6',
        toInstId: '',
        transId,
        type: t.to === 'sub' ? '1' : '0'
      }
    ]
  })
}

// ── request handling ─────────────────────────────────────────────────────────

const JSON_HEADERS = { 'content-type': 'application/json' }

function envelope(
  code: string,
  msg: string,
  data: unknown[],
  extra: Record<string, unknown> = {}
): string {
  return JSON.stringify({ code, data, msg, ...extra })
}

function errorResponse(error: OkxError): SimResponse {
  return {
    status: error.status,
    headers: { ...JSON_HEADERS, ...error.headers },
    body: envelope(error.code, error.message, [])
  }
}

function authenticate(request: SimRequest, context: DialectContext, requestPath: string): Caller {
  if (request.headers['x-simulated-trading'] === '1')
    throw new OkxError('50101', 'APIKey does not match current environment.', 401)
  const h = readOkxHeaders(request.headers)
  if (h.key === null)
    throw new OkxError('50103', 'Request header "OK-ACCESS-KEY" can not be empty.', 401)
  if (h.passphrase === null)
    throw new OkxError('50104', 'Request header "OK-ACCESS-PASSPHRASE" can not be empty.', 401)
  if (h.sign === null)
    throw new OkxError('50106', 'Request header "OK-ACCESS-SIGN" can not be empty.', 401)
  if (h.timestamp === null)
    throw new OkxError('50107', 'Request header "OK-ACCESS-TIMESTAMP" can not be empty.', 401)
  const ts = parseOkxTimestamp(h.timestamp)
  if (ts === null) throw new OkxError('50112', 'Invalid OK-ACCESS-TIMESTAMP', 401)
  // ccxt signs with the wall clock; the scenario clock may run elsewhere (replays, tests):
  // either is accepted as "the server's time".
  if (Math.abs(ts - Date.now()) > MAX_SKEW_MS && Math.abs(ts - context.now()) > MAX_SKEW_MS)
    throw new OkxError('50102', 'Timestamp request expired', 401)
  const found = context.world.keyByClientId(h.key)
  if (
    !found ||
    found.key.removed ||
    found.account.exchange !== 'okx' ||
    (request.endpointAccount !== null && found.account.id !== request.endpointAccount)
  )
    throw new OkxError('50111', 'Invalid OK-ACCESS-KEY', 401)
  if (!passphraseMatches(h.passphrase, found.key.passphrase))
    throw new OkxError('50105', 'Request header "OK-ACCESS-PASSPHRASE" incorrect.', 401)
  const ok = verifyOkxSignature(h.sign, {
    secret: found.key.secret,
    timestamp: h.timestamp,
    method: request.method,
    requestPath,
    body: request.method === 'GET' ? '' : request.body
  })
  if (!ok) throw new OkxError('50113', 'Invalid Sign', 401)
  if (!found.key.enabled) throw new OkxError('50111', 'Invalid OK-ACCESS-KEY', 401)
  return { account: found.account, key: found.key }
}

function allowed(key: KeyRecord, access: Access): boolean {
  if (access === 'public' || access === 'read') return true
  const perms = okxPerms(key.permissions)
  return access === 'trade' ? perms.includes('trade') : perms.includes('withdraw')
}

/**
 * Time for rate-limit windows: the scenario clock while it runs (a replay at 10× speed must not
 * make a 1 s poller look ten times too fast), plus the real time that passes while it stands still
 * (a replay's clock is frozen while the guardian reads history, and a test clock moves only when
 * told), never going backwards.
 */
function limiterNow(context: DialectContext, state: OkxState): number {
  const clock = context.now()
  const real = performance.now()
  const l = state.limiter
  if (clock !== l.clock) {
    l.clock = clock
    l.real = real
  }
  l.now = Math.max(l.now, clock + (real - l.real))
  return l.now
}

/** Counts a request against its endpoint's window; throws OKX's 429 when over the limit. */
function rateLimit(call: Call, name: string, limit: Limit): void {
  const who = call.caller
    ? `acct:${call.caller.account.id}`
    : `ip:${call.request.remoteAddress ?? '-'}`
  const bucket = `${who}|${name}`
  const now = limiterNow(call.context, call.state)
  const weight = limit.perItem && Array.isArray(call.body) ? Math.max(1, call.body.length) : 1
  const hits = (call.state.hits.get(bucket) ?? []).filter((h) => h.t > now - limit.windowMs)
  const used = hits.reduce((sum, h) => sum + h.w, 0)
  if (used + weight > limit.count) {
    call.state.hits.set(bucket, hits)
    const oldest = hits[0]?.t ?? now
    const retry = Math.max(1, Math.ceil((oldest + limit.windowMs - now) / 1000))
    throw new OkxError('50011', 'Too Many Requests', 429, { 'retry-after': String(retry) })
  }
  hits.push({ t: now, w: weight })
  call.state.hits.set(bucket, hits)
}

function handle(request: SimRequest, context: DialectContext): SimResponse {
  const state = stateOf(context.world)
  try {
    fireDeadMen(context, state)
    if (!request.path.startsWith(API_PREFIX))
      return { status: 404, headers: JSON_HEADERS, body: envelope('404', 'Not Found', []) }
    const sub = request.path.slice(API_PREFIX.length)
    const name = `${request.method} ${sub}`
    const route = Object.hasOwn(ROUTES, name) ? ROUTES[name] : undefined
    if (!route) {
      const other = Object.keys(ROUTES).some((k) => k.endsWith(` ${sub}`))
      if (other) throw new OkxError('50115', 'Invalid request method.', 405)
      return { status: 404, headers: JSON_HEADERS, body: envelope('404', 'Not Found', []) }
    }
    let body: unknown
    if (request.method !== 'GET' && request.body.trim() !== '') {
      const type = String(request.headers['content-type'] ?? '')
      if (!type.includes('application/json'))
        throw new OkxError(
          '50006',
          'Invalid Content-Type, please use "application/json" format',
          400
        )
      try {
        body = JSON.parse(request.body)
      } catch {
        throw new OkxError('50002', 'Json data format error', 400)
      }
    }
    const okxAccounts = [...context.world.accounts.values()].filter((a) => a.exchange === 'okx')
    const visible =
      request.endpointAccount === null
        ? okxAccounts
        : okxAccounts.filter((a) => a.id === request.endpointAccount)
    const call: Call = {
      request,
      context,
      state,
      query: request.query,
      body,
      accounts: visible,
      caller: null
    }
    if (route.access !== 'public') {
      const requestPath =
        request.path +
        (request.method === 'GET' && request.rawQuery !== '' ? `?${request.rawQuery}` : '')
      call.caller = authenticate(request, context, requestPath)
      call.accounts = [call.caller.account]
      if (!allowed(call.caller.key, route.access))
        throw new OkxError('50120', "API key doesn't have permission", 401)
    }
    rateLimit(call, name, route.limit)
    const result = route.handler(call)
    const inTime = String(context.now() * 1000)
    const text =
      result instanceof Envelope
        ? envelope(result.code, result.msg, result.data, { inTime, outTime: inTime })
        : envelope('0', '', result)
    return { status: 200, headers: JSON_HEADERS, body: text }
  } catch (error) {
    if (error instanceof OkxError) return errorResponse(error)
    throw error
  }
}

/** Ids as OKX shapes them: 18-digit decimal order ids and bill ids that grow with time. */
const ORDER_BASE = 600_000_000_000_000_000n
const BILL_BASE = 700_000_000_000_000_000n

export const okxDialect: Dialect = {
  exchange: 'okx',
  needsPassword: true,
  ids: {
    order: (seq) => String(ORDER_BASE + BigInt(seq)),
    trade: (seq) => String(BILL_BASE + BigInt(seq)),
    // OKX names no key id: Vigil reports its key under a fingerprint of the API key.
    key: (key) => [okxKeyFingerprint(key.clientId)],
    // OKX has no leverage history: the connector reports a change as `<instId>:lever:<value>`.
    leverage: (market, leverage) => [`${instIdOf(market)}:lever:${okxNum(leverage)}`]
  },
  identify(request, context) {
    if (request.endpointAccount !== null) return request.endpointAccount
    const key = readOkxHeaders(request.headers).key
    return key ? (context.world.keyByClientId(key)?.account.id ?? null) : null
  },
  handle,
  fault(fault) {
    switch (fault) {
      case 'http_429':
        return {
          status: 429,
          headers: { ...JSON_HEADERS, 'retry-after': '1' },
          body: JSON.stringify({ msg: 'Too Many Requests', code: '50011' })
        }
      case 'maintenance':
        return {
          status: 503,
          headers: JSON_HEADERS,
          body: envelope('50001', 'Service temporarily unavailable. Try again later', [])
        }
      case 'http_5xx':
        return {
          status: 500,
          headers: JSON_HEADERS,
          body: envelope('50026', 'System error. Try again later', [])
        }
      case 'malformed':
        // A body cut off mid-way: status 200, declared JSON, unparseable.
        return {
          status: 200,
          headers: JSON_HEADERS,
          body: '{"code":"0","data":[{"accFillSz":"0","instId":"BTC-US'
        }
    }
  }
}
