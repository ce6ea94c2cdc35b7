/**
 * World records rendered as Deribit API v2 objects (field names and value conventions from
 * docs.deribit.com examples, ccxt's recorded responses and shared/fixtures/exchange-docs).
 */
import { createHash } from 'node:crypto'

import { countryName } from '../geo'
import { usdPriceOf, type MarketState } from '../markets'
import type {
  AccessLogEntry,
  AccountState,
  AddressRecord,
  FillRecord,
  KeyRecord,
  OrderRecord,
  PositionRecord,
  TransferRecord,
  WithdrawalRecord
} from '../world'
import { formatScope, scopeOf } from './deribit-auth'

/** Deribit's instrument name for a market: `BTC-PERPETUAL`, `BTC_USDC-PERPETUAL`, `ETH_USDC`. */
export function instrumentName(market: MarketState): string {
  if (market.type === 'spot') return `${market.base}_${market.quote}`
  return market.inverse ? `${market.base}-PERPETUAL` : `${market.base}_${market.quote}-PERPETUAL`
}

/** Deribit's `kind` of a market. */
export const kindOf = (market: MarketState): 'future' | 'spot' =>
  market.type === 'spot' ? 'spot' : 'future'

/** Whether a market belongs to a Deribit currency (`currency=BTC` covers BTC-PERPETUAL and BTC_USDC). */
export const inCurrency = (market: MarketState, currency: string): boolean =>
  currency === 'any' || market.base === currency || market.settle === currency

const LONG_NAMES: Readonly<Record<string, [string, string]>> = {
  BTC: ['Bitcoin', 'BITCOIN'],
  ETH: ['Ethereum', 'ETHER'],
  USDC: ['USD Coin', 'ERC20'],
  USDT: ['Tether', 'ERC20'],
  SOL: ['Solana', 'SOL'],
  XRP: ['XRP', 'XRP']
}

export function renderCurrency(code: string): Record<string, unknown> {
  const [long, coinType] = LONG_NAMES[code] ?? [code, code]
  const fee = code === 'BTC' ? 0.0001 : code === 'ETH' ? 0.0012 : 1
  return {
    currency: code,
    currency_long: long,
    coin_type: coinType,
    withdrawal_fee: fee,
    min_withdrawal_fee: fee,
    min_confirmations: 1,
    fee_precision: 4,
    withdrawal_priorities: [],
    apr: 0,
    in_cross_collateral_pool: code === 'BTC' || code === 'ETH' || code === 'USDC',
    network_fee: fee,
    network_currency: code
  }
}

export function renderInstrument(
  market: MarketState,
  instrumentId: number,
  created: number
): Record<string, unknown> {
  const base = {
    tick_size: market.tick,
    tick_size_steps: [],
    taker_commission: 0.0005,
    maker_commission: 0,
    base_currency: market.base,
    counter_currency: market.quote,
    quote_currency: market.quote,
    min_trade_amount: market.minAmount,
    kind: kindOf(market),
    is_active: true,
    instrument_name: instrumentName(market),
    instrument_id: instrumentId,
    creation_timestamp: created,
    expiration_timestamp: 32503708800000,
    contract_size: market.contractSize,
    block_trade_commission: 0.00025,
    block_trade_min_trade_amount: market.minAmount * 20,
    block_trade_tick_size: market.tick,
    price_index: `${market.base.toLowerCase()}_${market.inverse ? 'usd' : market.quote.toLowerCase()}`,
    rfq: false
  }
  if (market.type === 'spot') return { ...base, settlement_currency: market.quote }
  return {
    ...base,
    settlement_period: 'perpetual',
    settlement_currency: market.settle,
    future_type: market.inverse ? 'reversed' : 'linear',
    instrument_type: market.inverse ? 'reversed' : 'linear',
    max_leverage: 50,
    max_liquidation_commission: 0.0075
  }
}

export function renderTicker(market: MarketState, now: number): Record<string, unknown> {
  const last = market.last
  return {
    timestamp: now,
    stats: { volume: 1250.5, price_change: 0, low: last * 0.98, high: last * 1.02 },
    state: 'open',
    settlement_price: last,
    open_interest: 1_000_000,
    min_price: last * 0.95,
    max_price: last * 1.05,
    mark_price: last,
    last_price: last,
    instrument_name: instrumentName(market),
    index_price: last,
    estimated_delivery_price: last,
    best_bid_price: last - market.tick,
    best_bid_amount: market.minAmount * 100,
    best_ask_price: last + market.tick,
    best_ask_amount: market.minAmount * 100,
    ...(market.type === 'swap' ? { funding_8h: 0, current_funding: 0, interest_value: 0 } : {})
  }
}

export function renderBookSummary(market: MarketState, now: number): Record<string, unknown> {
  const last = market.last
  return {
    instrument_name: instrumentName(market),
    base_currency: market.base,
    quote_currency: market.quote,
    creation_timestamp: now,
    last,
    mark_price: last,
    mid_price: last,
    bid_price: last - market.tick,
    ask_price: last + market.tick,
    low: last * 0.98,
    high: last * 1.02,
    volume: 1250.5,
    volume_usd: 1250.5 * last * usdPriceOf(market.quote),
    open_interest: 1_000_000,
    price_change: 0,
    estimated_delivery_price: last
  }
}

/** Fees paid per order id, computed once per response rather than once per order. */
export function commissions(fills: readonly FillRecord[]): Map<string, number> {
  const out = new Map<string, number>()
  for (const f of fills) out.set(f.orderId, (out.get(f.orderId) ?? 0) + f.fee)
  return out
}

export function renderOrder(
  order: OrderRecord,
  market: MarketState,
  fees: ReadonlyMap<string, number>
): Record<string, unknown> {
  const commission = fees.get(order.id) ?? 0
  return {
    web: order.origin === 'web',
    api: order.origin === 'api',
    time_in_force: 'good_til_cancelled',
    reduce_only: order.reduceOnly,
    replaced: false,
    risk_reducing: false,
    post_only: false,
    mmp: false,
    is_liquidation: false,
    is_rebalance: false,
    price: order.price ?? 'market_price',
    order_type: order.type,
    order_state: order.status,
    order_id: order.id,
    max_show: order.amount,
    last_update_timestamp: order.updatedAt,
    label: order.label,
    instrument_name: instrumentName(market),
    filled_amount: order.filled,
    direction: order.side,
    creation_timestamp: order.createdAt,
    average_price: order.averagePrice,
    amount: order.amount,
    commission: Number(commission.toPrecision(8)),
    profit_loss: 0,
    ...(order.status === 'cancelled' ? { cancel_reason: 'user_request' } : {})
  }
}

export function renderTrade(
  fill: FillRecord,
  market: MarketState,
  order: OrderRecord | undefined
): Record<string, unknown> {
  return {
    trade_seq: fill.seq,
    trade_id: fill.id,
    timestamp: fill.timestamp,
    tick_direction: 0,
    state: order?.status ?? 'filled',
    self_trade: false,
    reduce_only: order?.reduceOnly ?? false,
    post_only: false,
    price: fill.price,
    order_type: order?.type ?? 'limit',
    order_id: fill.orderId,
    matching_id: null,
    mark_price: fill.marketPrice,
    index_price: fill.marketPrice,
    liquidity: fill.liquidity,
    label: order?.label ?? '',
    instrument_name: instrumentName(market),
    fee_currency: fill.feeCurrency,
    fee: fill.fee,
    direction: fill.side,
    amount: fill.amount,
    api: order?.origin === 'api'
  }
}

/** An access-log entry with the event under both `log` (schema) and `result` (docs example). */
export function renderAccessLog(entry: AccessLogEntry): Record<string, unknown> {
  return {
    timestamp: entry.timestamp,
    result: entry.event,
    log: entry.event,
    ip: entry.ip,
    id: entry.id,
    country: countryName(entry.country),
    city: entry.city,
    ...(entry.data === undefined ? {} : { data: entry.data })
  }
}

/**
 * A key as `list_api_keys` shows it. Deribit's docs example includes `client_secret`; we keep the
 * field (clients must cope with it) but fill it with a decoy, never the real secret.
 */
export function renderKey(key: KeyRecord): Record<string, unknown> {
  return {
    timestamp: key.createdAt,
    max_scope: formatScope(scopeOf(key.permissions)),
    id: key.id,
    enabled: key.enabled,
    default: key.self,
    client_secret: decoySecret(key.clientId),
    client_id: key.clientId,
    name: key.name,
    enabled_features: [],
    ip_whitelist: key.ipWhitelist
  }
}

/** A stable, secret-looking value that is not any key's secret. */
export function decoySecret(clientId: string): string {
  return createHash('sha256')
    .update(`vigil-simulator-decoy:${clientId}`)
    .digest('base64url')
    .slice(0, 43)
}

export function renderWithdrawal(w: WithdrawalRecord): Record<string, unknown> {
  return {
    address: w.address,
    amount: w.amount,
    confirmed_timestamp: w.state === 'completed' ? w.updatedAt : null,
    created_timestamp: w.createdAt,
    currency: w.currency,
    fee: w.fee,
    id: w.id,
    priority: 1,
    state: w.state,
    transaction_id: w.txid,
    updated_timestamp: w.updatedAt
  }
}

export function renderAddress(a: AddressRecord): Record<string, unknown> {
  return {
    address: a.address,
    currency: a.currency,
    label: a.label,
    type: 'withdrawal',
    creation_timestamp: a.createdAt,
    // New withdrawal addresses become usable after 72 h by default.
    waiting_timestamp: a.createdAt + 72 * 3_600_000,
    agreed: true,
    personal: true,
    info_required: false,
    requires_confirmation: false
  }
}

export function renderTransfer(t: TransferRecord): Record<string, unknown> {
  return {
    id: t.id,
    amount: t.amount,
    created_timestamp: t.createdAt,
    updated_timestamp: t.createdAt,
    currency: t.currency,
    direction: 'payment',
    other_side: t.to === 'sub' ? 'subaccount_1' : 'external_user',
    state: 'confirmed',
    type: t.to === 'sub' ? 'subaccount' : 'user'
  }
}

export function renderPosition(
  position: PositionRecord,
  market: MarketState,
  leverage: number | undefined
): Record<string, unknown> {
  const size = position.size
  const price = market.last
  const sizeCurrency = market.inverse ? size / price : size
  const notional = Math.abs(sizeCurrency)
  const lev = leverage ?? 10
  const pnl = market.inverse
    ? position.averagePrice === 0
      ? 0
      : size / position.averagePrice - size / price
    : size * (price - position.averagePrice)
  return {
    average_price: position.averagePrice,
    delta: sizeCurrency,
    direction: size > 0 ? 'buy' : size < 0 ? 'sell' : 'zero',
    estimated_liquidation_price: null,
    floating_profit_loss: Number(pnl.toPrecision(8)),
    index_price: price,
    initial_margin: notional / lev,
    instrument_name: instrumentName(market),
    interest_value: 0,
    kind: kindOf(market),
    leverage: lev,
    maintenance_margin: (notional / lev) * 0.5,
    mark_price: price,
    open_orders_margin: 0,
    realized_funding: 0,
    realized_profit_loss: 0,
    settlement_price: price,
    size,
    size_currency: sizeCurrency,
    total_profit_loss: Number(pnl.toPrecision(8))
  }
}

/** One currency's account summary (what `get_account_summary` returns). */
export function renderSummary(account: AccountState, currency: string): Record<string, unknown> {
  const balance = account.balances.get(currency) ?? 0
  return {
    currency,
    balance,
    equity: balance,
    margin_balance: balance,
    available_funds: balance,
    available_withdrawal_funds: Math.max(0, balance),
    initial_margin: 0,
    maintenance_margin: 0,
    projected_initial_margin: 0,
    projected_maintenance_margin: 0,
    total_pl: 0,
    session_upl: 0,
    session_rpl: 0,
    futures_pl: 0,
    futures_session_upl: 0,
    futures_session_rpl: 0,
    options_pl: 0,
    options_session_upl: 0,
    options_session_rpl: 0,
    options_delta: 0,
    options_gamma: 0,
    options_vega: 0,
    options_theta: 0,
    delta_total: 0,
    fee_balance: 0,
    spot_reserve: 0,
    portfolio_margining_enabled: false,
    cross_collateral_enabled: false,
    margin_model: 'segregated_sm',
    limits: {
      non_matching_engine: { rate: 20, burst: 100 },
      matching_engine: { rate: 5, burst: 20 }
    }
  }
}
