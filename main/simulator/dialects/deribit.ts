/**
 * The Deribit API v2 dialect: `GET /api/v2/{public|private}/<method>?<params>` answered with
 * JSON-RPC envelopes, `deri-hmac-sha256` signatures verified, errors as Deribit's JSON-RPC error
 * bodies so ccxt raises the same classes it would against deribit.com.
 *
 * Covers what ccxt's deribit class and Vigil's connector call: currencies, instruments, ticker,
 * order book, account summaries, positions, open orders, order history, user trades, withdrawals,
 * deposits, transfers, address book, access log, API keys (list / disable / enable / remove),
 * buy / sell / cancel / cancel_all*, withdraw.
 */
import type { MarketState } from '../markets'
import type { AccountState, FillRecord, KeyRecord, OrderRecord } from '../world'
import {
  parseDeribitAuthorization,
  scopeAllows,
  scopeExceeds,
  scopeOf,
  verifyDeribitSignature,
  type Scope,
  type ScopeArea,
  type ScopeLevel
} from './deribit-auth'
import {
  commissions,
  inCurrency,
  instrumentName,
  kindOf,
  renderAccessLog,
  renderAddress,
  renderBookSummary,
  renderCurrency,
  renderInstrument,
  renderKey,
  renderOrder,
  renderPosition,
  renderSummary,
  renderTicker,
  renderTrade,
  renderTransfer,
  renderWithdrawal
} from './deribit-render'
import type { Dialect, DialectContext, SimRequest, SimResponse } from './types'

const API_PREFIX = '/api/v2/'

/** A Deribit JSON-RPC error; codes from ccxt deribit's `exceptions` table. */
class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: Record<string, unknown>,
    readonly status = 400
  ) {
    super(message)
  }
}

const invalidParams = (param: string, reason: string): RpcError =>
  new RpcError(-32602, 'Invalid params', { reason, param })

interface Caller {
  account: AccountState
  key: KeyRecord
  scope: Scope
}

interface Call {
  request: SimRequest
  context: DialectContext
  params: URLSearchParams
  /** Accounts whose markets this call sees (public calls on the shared endpoint see all). */
  accounts: AccountState[]
  caller: Caller | null
}

type Handler = (call: Call) => unknown

// ── parameters ───────────────────────────────────────────────────────────────

function str(call: Call, name: string): string | undefined
function str(call: Call, name: string, required: true): string
function str(call: Call, name: string, required = false): string | undefined {
  const value = call.params.get(name)
  if (value === null || value === '') {
    if (required) throw invalidParams(name, 'value required')
    return undefined
  }
  return value
}

function int(
  call: Call,
  name: string,
  options: { fallback: number; min?: number; max?: number }
): number
function int(
  call: Call,
  name: string,
  options: { fallback?: undefined; min?: number; max?: number }
): number | undefined
function int(
  call: Call,
  name: string,
  options: { fallback?: number; min?: number; max?: number }
): number | undefined {
  const raw = str(call, name)
  if (raw === undefined) return options.fallback
  if (!/^-?\d+$/.test(raw)) throw invalidParams(name, 'must be an integer')
  const value = Number(raw)
  if (options.min !== undefined && value < options.min)
    throw invalidParams(name, `must be ≥ ${options.min}`)
  if (options.max !== undefined && value > options.max)
    throw invalidParams(name, `must be ≤ ${options.max}`)
  return value
}

function num(call: Call, name: string): number | undefined {
  const raw = str(call, name)
  if (raw === undefined) return undefined
  const value = Number(raw)
  if (!Number.isFinite(value)) throw invalidParams(name, 'must be a number')
  return value
}

const bool = (call: Call, name: string, fallback: boolean): boolean => {
  const raw = str(call, name)
  return raw === undefined ? fallback : raw === 'true'
}

function paging(
  call: Call,
  defaults: { count: number; max: number }
): { offset: number; count: number } {
  return {
    offset: int(call, 'offset', { fallback: 0, min: 0 }),
    count: int(call, 'count', { fallback: defaults.count, min: 1, max: defaults.max })
  }
}

// ── markets and currencies ───────────────────────────────────────────────────

interface Listed {
  market: MarketState
  account: AccountState
}

/** Markets the call can see, by instrument name; the first account listing one supplies its price. */
function listedMarkets(call: Call): Map<string, Listed> {
  const out = new Map<string, Listed>()
  for (const account of call.accounts) {
    for (const market of account.markets.values()) {
      const name = instrumentName(market)
      if (!out.has(name)) out.set(name, { market, account })
    }
  }
  return out
}

function currencies(accounts: readonly AccountState[]): string[] {
  const codes = new Set<string>(['BTC'])
  for (const account of accounts) {
    for (const market of account.markets.values()) {
      codes.add(market.base)
      if (market.settle) codes.add(market.settle)
      if (market.type === 'spot') codes.add(market.quote)
    }
    for (const asset of account.balances.keys()) codes.add(asset)
  }
  codes.delete('USD')
  return [...codes].sort()
}

function currencyParam(call: Call, options: { any?: boolean } = {}): string {
  const currency = str(call, 'currency', true)
  if (options.any && currency === 'any') return currency
  if (!currencies(call.accounts).includes(currency))
    throw invalidParams('currency', 'invalid currency')
  return currency
}

function instrumentParam(call: Call, account?: AccountState): MarketState {
  const name = str(call, 'instrument_name', true)
  const markets = account
    ? [...account.markets.values()]
    : [...listedMarkets(call).values()].map((l) => l.market)
  const market = markets.find((m) => instrumentName(m) === name)
  if (!market) throw invalidParams('instrument_name', 'instrument not found')
  return market
}

function kindMatches(call: Call, market: MarketState): boolean {
  const kind = str(call, 'kind')
  return kind === undefined || kind === 'any' || kind === kindOf(market)
}

// ── private helpers ──────────────────────────────────────────────────────────

function callerOf(call: Call): Caller {
  if (!call.caller) throw new RpcError(13009, 'unauthorized', { reason: 'authorization required' })
  return call.caller
}

const marketOf = (account: AccountState, symbol: string): MarketState => {
  const market = account.markets.get(symbol)
  if (!market) throw new RpcError(10001, 'error', { reason: `unknown market ${symbol}` })
  return market
}

function renderOrders(account: AccountState, orders: readonly OrderRecord[]): unknown[] {
  const fees = commissions(account.fills)
  return orders.map((o) => renderOrder(o, marketOf(account, o.symbol), fees))
}

function renderTrades(account: AccountState, fills: readonly FillRecord[]): unknown[] {
  const orders = new Map(account.orders.map((o) => [o.id, o]))
  return fills.map((f) => renderTrade(f, marketOf(account, f.symbol), orders.get(f.orderId)))
}

const newestFirst = <T extends { createdAt: number }>(a: T, b: T): number =>
  b.createdAt - a.createdAt

const tradeNumber = (id: string): number => Number(id.slice(id.lastIndexOf('-') + 1))

/**
 * User trades with Deribit's filters: time range, id / seq range, sorting (`default` = newest
 * first) and `count` (default 10) with `has_more`.
 */
function tradesResult(
  call: Call,
  fills: FillRecord[],
  byInstrument: boolean,
  byTime: boolean
): unknown {
  const { account } = callerOf(call)
  const count = int(call, 'count', { fallback: 10, min: 1, max: 1000 })
  const start = int(call, 'start_timestamp', {})
  if (byTime && start === undefined) throw invalidParams('start_timestamp', 'value required')
  const end = int(call, 'end_timestamp', {})
  const sorting = str(call, 'sorting') ?? 'default'
  if (!['asc', 'desc', 'default'].includes(sorting))
    throw invalidParams('sorting', 'must be asc, desc or default')
  let selected = fills.filter(
    (f) =>
      (start === undefined || f.timestamp >= start) && (end === undefined || f.timestamp <= end)
  )
  if (byInstrument) {
    const startSeq = int(call, 'start_seq', {})
    const endSeq = int(call, 'end_seq', {})
    selected = selected.filter(
      (f) =>
        (startSeq === undefined || f.seq >= startSeq) && (endSeq === undefined || f.seq <= endSeq)
    )
  } else {
    const startId = str(call, 'start_id')
    const endId = str(call, 'end_id')
    selected = selected.filter(
      (f) =>
        (startId === undefined || tradeNumber(f.id) >= tradeNumber(startId)) &&
        (endId === undefined || tradeNumber(f.id) <= tradeNumber(endId))
    )
  }
  selected.sort(
    (a, b) =>
      (sorting === 'asc' ? 1 : -1) *
      (a.timestamp - b.timestamp || tradeNumber(a.id) - tradeNumber(b.id))
  )
  return {
    trades: renderTrades(account, selected.slice(0, count)),
    has_more: selected.length > count
  }
}

function orderHistory(call: Call, filter: (market: MarketState) => boolean): unknown[] {
  const { account } = callerOf(call)
  const { offset, count } = paging(call, { count: 20, max: 10_000 })
  const includeUnfilled = bool(call, 'include_unfilled', false)
  const orders = account.orders
    .filter((o) => o.status !== 'open' && (includeUnfilled || o.filled > 0))
    .filter((o) => filter(marketOf(account, o.symbol)))
    .sort((a, b) => b.updatedAt - a.updatedAt)
  return renderOrders(account, orders.slice(offset, offset + count))
}

function keyParam(call: Call): KeyRecord {
  const { account } = callerOf(call)
  const id = int(call, 'id', {})
  if (id === undefined) throw invalidParams('id', 'value required')
  const key = account.keys.find((k) => k.id === id && !k.removed)
  if (!key) throw invalidParams('id', 'api key not found')
  return key
}

/** Where a key-management call comes from, for the access log: the guardian's own address. */
function callerIp(call: Call, key: KeyRecord): string {
  return (
    key.ipWhitelist.find((ip) => !ip.includes('/')) ?? call.request.remoteAddress ?? '127.0.0.1'
  )
}

function manageKey(call: Call, action: 'disable' | 'enable' | 'remove'): KeyRecord {
  const caller = callerOf(call)
  const target = keyParam(call)
  // Deribit refuses to manage a key that can do more than the caller (scope_exceeded).
  if (target !== caller.key && scopeExceeds(scopeOf(target.permissions), caller.scope)) {
    throw new RpcError(13403, 'scope_exceeded', {
      reason: 'target key has a wider scope than the caller'
    })
  }
  const now = call.context.now()
  const event =
    action === 'disable'
      ? 'disabled_api_key'
      : action === 'enable'
        ? 'enabled_api_key'
        : 'removed_api_key'
  if (action === 'remove') target.removed = true
  target.enabled = action === 'enable'
  call.context.world.addAccessLog(
    caller.account,
    { event, ip: callerIp(call, caller.key), data: target.clientId },
    now
  )
  return target
}

function placeOrder(call: Call, side: 'buy' | 'sell'): unknown {
  const { account, key } = callerOf(call)
  const { world } = call.context
  const market = instrumentParam(call, account)
  const amount = num(call, 'amount')
  if (amount === undefined || amount <= 0) throw invalidParams('amount', 'value required')
  const steps = amount / market.minAmount
  if (Math.abs(steps - Math.round(steps)) > 1e-9) {
    throw new RpcError(10027, 'non_integer_contract_amount', {
      reason: `must be a multiple of ${market.minAmount}`
    })
  }
  const type = str(call, 'type') ?? 'limit'
  if (type !== 'limit' && type !== 'market')
    throw invalidParams('type', 'only limit and market orders are simulated')
  const price = num(call, 'price')
  if (type === 'limit' && (price === undefined || price <= 0))
    throw invalidParams('price', 'value required')
  if (market.type === 'spot') {
    const cost = amount * (price ?? market.last)
    const short =
      side === 'buy'
        ? (account.balances.get(market.quote) ?? 0) < cost
        : (account.balances.get(market.base) ?? 0) < amount
    if (short) throw new RpcError(10009, 'not_enough_funds')
  }
  const { order, fills } = world.placeOrder(
    account,
    {
      symbol: market.symbol,
      side,
      type,
      amount,
      price: type === 'limit' ? price : undefined,
      reduceOnly: bool(call, 'reduce_only', false),
      origin: 'api',
      keyId: key.id,
      label: str(call, 'label') ?? ''
    },
    call.context.now()
  )
  return {
    order: renderOrder(
      order,
      market,
      commissions(account.fills.filter((f) => f.orderId === order.id))
    ),
    trades: renderTrades(account, fills)
  }
}

// ── method tables ────────────────────────────────────────────────────────────

const PUBLIC: Record<string, Handler> = {
  get_time: (call) => call.context.now(),
  test: () => ({ version: '1.2.26' }),
  hello: () => ({ version: '1.2.26' }),
  status: () => ({ locked: 'false', locked_indices: [] }),
  get_currencies: (call) => currencies(call.accounts).map(renderCurrency),
  get_instruments: (call) => {
    const currency = str(call, 'currency') ?? 'any'
    if (currency !== 'any' && !currencies(call.accounts).includes(currency))
      throw invalidParams('currency', 'invalid currency')
    return [...listedMarkets(call).values()]
      .map((l, i) => ({ ...l, id: i + 1 }))
      .filter(({ market }) => inCurrency(market, currency) && kindMatches(call, market))
      .map(({ market, id }) =>
        renderInstrument(market, id, call.context.world.startAt - 400 * 86_400_000)
      )
  },
  get_instrument: (call) => {
    const market = instrumentParam(call)
    return renderInstrument(market, 1, call.context.world.startAt - 400 * 86_400_000)
  },
  ticker: (call) => renderTicker(instrumentParam(call), call.context.now()),
  get_order_book: (call) => {
    const market = instrumentParam(call)
    const depth = int(call, 'depth', { fallback: 5, min: 1, max: 10_000 })
    const levels = (sign: number): number[][] =>
      Array.from({ length: Math.min(depth, 20) }, (_, i) => [
        market.last + sign * market.tick * (i + 1),
        market.minAmount * 10 * (i + 1)
      ])
    return {
      ...renderTicker(market, call.context.now()),
      bids: levels(-1),
      asks: levels(1),
      change_id: call.context.now()
    }
  },
  get_book_summary_by_currency: (call) => {
    const currency = currencyParam(call)
    return [...listedMarkets(call).values()]
      .filter(({ market }) => inCurrency(market, currency) && kindMatches(call, market))
      .map(({ market }) => renderBookSummary(market, call.context.now()))
  },
  get_book_summary_by_instrument: (call) => [
    renderBookSummary(instrumentParam(call), call.context.now())
  ]
}

interface PrivateMethod {
  scope: [ScopeArea, ScopeLevel]
  handler: Handler
}

const read = (area: ScopeArea, handler: Handler): PrivateMethod => ({
  scope: [area, 'read'],
  handler
})
const write = (area: ScopeArea, handler: Handler): PrivateMethod => ({
  scope: [area, 'read_write'],
  handler
})

const PRIVATE: Record<string, PrivateMethod> = {
  get_account_summaries: read('account', (call) => {
    const { account } = callerOf(call)
    return {
      id: 100_000 + [...call.context.world.accounts.keys()].indexOf(account.id),
      username: account.id,
      system_name: account.id,
      email: `${account.id}@example.com`,
      type: 'main',
      creation_timestamp: call.context.world.startAt - 800 * 86_400_000,
      security_keys_enabled: false,
      summaries: currencies([account]).map((c) => renderSummary(account, c))
    }
  }),
  get_account_summary: read('account', (call) =>
    renderSummary(callerOf(call).account, currencyParam(call))
  ),
  get_subaccounts: read('account', (call) => {
    const { account } = callerOf(call)
    return [
      {
        id: 100_000,
        username: account.id,
        system_name: account.id,
        email: `${account.id}@example.com`,
        type: 'main',
        login_enabled: true,
        is_password: true,
        security_keys_enabled: false,
        security_keys_assignments: [],
        receive_notifications: false
      }
    ]
  }),
  get_positions: read('trade', (call) => {
    const { account } = callerOf(call)
    const currency = str(call, 'currency') ?? 'any'
    return [...account.positions.values()]
      .filter((p) => p.size !== 0)
      .map((p) => ({ p, market: marketOf(account, p.symbol) }))
      .filter(({ market }) => inCurrency(market, currency) && kindMatches(call, market))
      .map(({ p, market }) => renderPosition(p, market, account.leverage.get(p.symbol)))
  }),
  get_position: read('trade', (call) => {
    const { account } = callerOf(call)
    const market = instrumentParam(call, account)
    const position = account.positions.get(market.symbol) ?? {
      symbol: market.symbol,
      size: 0,
      averagePrice: 0
    }
    return renderPosition(position, market, account.leverage.get(market.symbol))
  }),
  get_open_orders: read('trade', (call) => {
    const { account } = callerOf(call)
    return renderOrders(
      account,
      call.context.world
        .openOrders(account)
        .filter((o) => kindMatches(call, marketOf(account, o.symbol)))
    )
  }),
  get_open_orders_by_currency: read('trade', (call) => {
    const { account } = callerOf(call)
    const currency = currencyParam(call, { any: true })
    const orders = call.context.world.openOrders(account).filter((o) => {
      const market = marketOf(account, o.symbol)
      return inCurrency(market, currency) && kindMatches(call, market)
    })
    return renderOrders(account, orders)
  }),
  get_open_orders_by_instrument: read('trade', (call) => {
    const { account } = callerOf(call)
    const market = instrumentParam(call, account)
    return renderOrders(
      account,
      call.context.world.openOrders(account).filter((o) => o.symbol === market.symbol)
    )
  }),
  get_order_history_by_currency: read('trade', (call) => {
    const currency = currencyParam(call, { any: true })
    return orderHistory(call, (m) => inCurrency(m, currency) && kindMatches(call, m))
  }),
  get_order_history_by_instrument: read('trade', (call) => {
    const market = instrumentParam(call, callerOf(call).account)
    return orderHistory(call, (m) => m === market)
  }),
  get_order_state: read('trade', (call) => {
    const { account } = callerOf(call)
    const id = str(call, 'order_id', true)
    const order = account.orders.find((o) => o.id === id)
    if (!order) throw new RpcError(10004, 'order_not_found')
    return renderOrder(
      order,
      marketOf(account, order.symbol),
      commissions(account.fills.filter((f) => f.orderId === order.id))
    )
  }),
  get_user_trades_by_currency: read('trade', (call) => {
    const { account } = callerOf(call)
    const currency = currencyParam(call, { any: true })
    const fills = account.fills.filter((f) => {
      const m = marketOf(account, f.symbol)
      return inCurrency(m, currency) && kindMatches(call, m)
    })
    return tradesResult(call, fills, false, false)
  }),
  get_user_trades_by_currency_and_time: read('trade', (call) => {
    const { account } = callerOf(call)
    const currency = currencyParam(call, { any: true })
    const fills = account.fills.filter((f) => {
      const m = marketOf(account, f.symbol)
      return inCurrency(m, currency) && kindMatches(call, m)
    })
    return tradesResult(call, fills, false, true)
  }),
  get_user_trades_by_instrument: read('trade', (call) => {
    const { account } = callerOf(call)
    const market = instrumentParam(call, account)
    return tradesResult(
      call,
      account.fills.filter((f) => f.symbol === market.symbol),
      true,
      false
    )
  }),
  get_user_trades_by_instrument_and_time: read('trade', (call) => {
    const { account } = callerOf(call)
    const market = instrumentParam(call, account)
    return tradesResult(
      call,
      account.fills.filter((f) => f.symbol === market.symbol),
      true,
      true
    )
  }),
  get_user_trades_by_order: read('trade', (call) => {
    const { account } = callerOf(call)
    const id = str(call, 'order_id', true)
    return renderTrades(
      account,
      account.fills.filter((f) => f.orderId === id)
    )
  }),
  get_withdrawals: read('wallet', (call) => {
    const { account } = callerOf(call)
    const currency = currencyParam(call)
    const { offset, count } = paging(call, { count: 10, max: 1000 })
    const all = account.withdrawals.filter((w) => w.currency === currency).sort(newestFirst)
    return { count: all.length, data: all.slice(offset, offset + count).map(renderWithdrawal) }
  }),
  get_deposits: read('wallet', (call) => {
    currencyParam(call)
    return { count: 0, data: [] }
  }),
  get_transfers: read('wallet', (call) => {
    const { account } = callerOf(call)
    const currency = currencyParam(call)
    const { offset, count } = paging(call, { count: 10, max: 1000 })
    const all = account.transfers.filter((t) => t.currency === currency).sort(newestFirst)
    return { count: all.length, data: all.slice(offset, offset + count).map(renderTransfer) }
  }),
  get_address_book: read('wallet', (call) => {
    const { account } = callerOf(call)
    const currency = currencyParam(call)
    const type = str(call, 'type', true)
    if (!['transfer', 'withdrawal', 'deposit_source'].includes(type))
      throw invalidParams('type', 'must be transfer, withdrawal or deposit_source')
    if (type !== 'withdrawal') return []
    return account.addressBook.filter((a) => a.currency === currency).map(renderAddress)
  }),
  add_to_address_book: write('wallet', (call) => {
    const { account } = callerOf(call)
    const currency = currencyParam(call)
    const address = str(call, 'address', true)
    const entry = call.context.world.addAddress(
      account,
      { currency, address, label: str(call, 'label') ?? '' },
      call.context.now()
    )
    return renderAddress(entry)
  }),
  withdraw: write('wallet', (call) => {
    const { account } = callerOf(call)
    const currency = currencyParam(call)
    const address = str(call, 'address', true)
    const amount = num(call, 'amount')
    if (amount === undefined || amount <= 0) throw invalidParams('amount', 'value required')
    if ((account.balances.get(currency) ?? 0) < amount)
      throw new RpcError(10009, 'not_enough_funds')
    return renderWithdrawal(
      call.context.world.withdraw(account, { currency, amount, address }, call.context.now())
    )
  }),
  get_access_log: read('account', (call) => {
    const { account } = callerOf(call)
    const { offset, count } = paging(call, { count: 10, max: 1000 })
    const all = [...account.accessLog].sort((a, b) => b.id - a.id)
    return {
      records_total: all.length,
      data: all.slice(offset, offset + count).map(renderAccessLog)
    }
  }),
  list_api_keys: read('account', (call) =>
    callerOf(call)
      .account.keys.filter((k) => !k.removed)
      .map(renderKey)
  ),
  disable_api_key: write('account', (call) => renderKey(manageKey(call, 'disable'))),
  enable_api_key: write('account', (call) => renderKey(manageKey(call, 'enable'))),
  remove_api_key: write('account', (call) => {
    manageKey(call, 'remove')
    return 'ok'
  }),
  buy: write('trade', (call) => placeOrder(call, 'buy')),
  sell: write('trade', (call) => placeOrder(call, 'sell')),
  cancel: write('trade', (call) => {
    const { account } = callerOf(call)
    const id = str(call, 'order_id', true)
    const order = account.orders.find((o) => o.id === id)
    if (!order) throw new RpcError(10004, 'order_not_found')
    if (order.status !== 'open') throw new RpcError(11044, 'not_open_order')
    call.context.world.cancelOrders(account, call.context.now(), (o) => o === order)
    return renderOrder(
      order,
      marketOf(account, order.symbol),
      commissions(account.fills.filter((f) => f.orderId === order.id))
    )
  }),
  cancel_all: write('trade', (call) => {
    const { account } = callerOf(call)
    return call.context.world.cancelOrders(account, call.context.now()).length
  }),
  cancel_all_by_currency: write('trade', (call) => {
    const { account } = callerOf(call)
    const currency = currencyParam(call, { any: true })
    return call.context.world.cancelOrders(account, call.context.now(), (o) => {
      const m = marketOf(account, o.symbol)
      return inCurrency(m, currency) && kindMatches(call, m)
    }).length
  }),
  cancel_all_by_instrument: write('trade', (call) => {
    const { account } = callerOf(call)
    const market = instrumentParam(call, account)
    return call.context.world.cancelOrders(
      account,
      call.context.now(),
      (o) => o.symbol === market.symbol
    ).length
  })
}

// ── request handling ─────────────────────────────────────────────────────────

/** JSON-RPC envelope with Deribit's microsecond timing fields. */
function envelope(
  context: DialectContext,
  startedAt: bigint,
  payload: Record<string, unknown>
): string {
  const usIn = context.now() * 1000
  const usDiff = Math.max(1, Number((process.hrtime.bigint() - startedAt) / 1000n))
  return JSON.stringify({
    jsonrpc: '2.0',
    ...payload,
    usIn,
    usOut: usIn + usDiff,
    usDiff,
    testnet: false
  })
}

function errorResponse(context: DialectContext, startedAt: bigint, error: RpcError): SimResponse {
  const body = envelope(context, startedAt, {
    error: { message: error.message, code: error.code, ...(error.data ? { data: error.data } : {}) }
  })
  return { status: error.status, headers: { 'content-type': 'application/json' }, body }
}

function authenticate(request: SimRequest, context: DialectContext, signedUri: string): Caller {
  const auth = parseDeribitAuthorization(request.headers.authorization)
  if (!auth)
    throw new RpcError(13009, 'unauthorized', {
      reason: 'missing or malformed Authorization header'
    })
  const found = context.world.keyByClientId(auth.clientId)
  if (!found || found.key.removed) throw new RpcError(13004, 'invalid_credentials')
  if (request.endpointAccount !== null && found.account.id !== request.endpointAccount) {
    throw new RpcError(13004, 'invalid_credentials')
  }
  const ok = verifyDeribitSignature(auth, {
    secret: found.key.secret,
    method: request.method,
    uri: signedUri,
    body: request.body
  })
  if (!ok) throw new RpcError(13009, 'unauthorized', { reason: 'invalid signature' })
  if (!found.key.enabled)
    throw new RpcError(13004, 'invalid_credentials', { reason: 'api key disabled' })
  return { account: found.account, key: found.key, scope: scopeOf(found.key.permissions) }
}

function handle(request: SimRequest, context: DialectContext): SimResponse {
  const startedAt = process.hrtime.bigint()
  try {
    if (!request.path.startsWith(API_PREFIX))
      throw new RpcError(-32601, 'Method not found', undefined, 404)
    const [scope, method, ...rest] = request.path.slice(API_PREFIX.length).split('/')
    const deribitAccounts = [...context.world.accounts.values()].filter(
      (a) => a.exchange === 'deribit'
    )
    const visible =
      request.endpointAccount === null
        ? deribitAccounts
        : deribitAccounts.filter((a) => a.id === request.endpointAccount)
    const call: Call = { request, context, params: request.query, accounts: visible, caller: null }
    let result: unknown
    if (scope === 'public' && rest.length === 0 && Object.hasOwn(PUBLIC, method)) {
      result = PUBLIC[method](call)
    } else if (scope === 'private' && rest.length === 0 && Object.hasOwn(PRIVATE, method)) {
      const entry = PRIVATE[method]
      const signedUri = request.path + (request.rawQuery === '' ? '' : `?${request.rawQuery}`)
      const caller = authenticate(request, context, signedUri)
      const [area, level] = entry.scope
      if (!scopeAllows(caller.scope, area, level)) {
        throw new RpcError(13021, 'forbidden', {
          reason: `insufficient scope, requires ${area}:${level}`
        })
      }
      result = entry.handler({ ...call, accounts: [caller.account], caller })
    } else {
      throw new RpcError(-32601, 'Method not found', undefined, 404)
    }
    return {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: envelope(context, startedAt, { result })
    }
  } catch (error) {
    if (error instanceof RpcError) return errorResponse(context, startedAt, error)
    throw error
  }
}

export const deribitDialect: Dialect = {
  exchange: 'deribit',
  ids: {
    order: (seq, market) => `${market.settle ?? market.base}-${seq}`,
    trade: (seq, market) => `${market.settle ?? market.base}-${seq}`
  },
  identify(request, context) {
    if (request.endpointAccount !== null) return request.endpointAccount
    const auth = parseDeribitAuthorization(request.headers.authorization)
    return auth ? (context.world.keyByClientId(auth.clientId)?.account.id ?? null) : null
  },
  handle,
  fault(fault, context) {
    const started = process.hrtime.bigint()
    switch (fault) {
      case 'http_429':
        return errorResponse(
          context,
          started,
          new RpcError(10028, 'too_many_requests', undefined, 429)
        )
      case 'maintenance':
        return errorResponse(
          context,
          started,
          new RpcError(11051, 'system_maintenance', undefined, 503)
        )
      case 'http_5xx':
        // What Deribit's edge returns when the backend is down: an HTML page, not JSON-RPC.
        return {
          status: 502,
          headers: { 'content-type': 'text/html' },
          body: '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n'
        }
      case 'malformed':
        // A body cut off mid-way: status 200, declared JSON, unparseable.
        return {
          status: 200,
          headers: { 'content-type': 'application/json' },
          body: '{"jsonrpc":"2.0","result":{"records_total":12,"data":[{"timestamp":17'
        }
    }
  }
}
