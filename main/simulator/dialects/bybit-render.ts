/**
 * World records rendered as Bybit v5 objects. Field names, value conventions (numbers as strings,
 * `Buy`/`Sell`, ms timestamps as strings) and quirks follow the bybit-exchange/docs examples,
 * shared/fixtures/exchange-docs/bybit-*.json and the example responses ccxt carries in
 * `js/src/bybit.js`.
 */
import { createHash } from 'node:crypto'

import { roundTo, usdPriceOf, type MarketState } from '../markets'
import type {
  AccountState,
  AddressRecord,
  FillRecord,
  IdScheme,
  KeyRecord,
  LeverageChange,
  OrderRecord,
  PositionRecord,
  TransferRecord,
  WithdrawalRecord
} from '../world'
import { bybitPermissionsOf, isUnbound } from './bybit-auth'

/** One day in ms. */
export const DAY_MS = 86_400_000

/** Bybit's product category of a market. */
export type Category = 'spot' | 'linear' | 'inverse'

/** The category a market is listed under. */
export const categoryOf = (market: MarketState): Category =>
  market.type === 'spot' ? 'spot' : market.inverse ? 'inverse' : 'linear'

/**
 * Bybit's symbol: `BTCUSDT` (spot and USDT perpetual share it; the category tells them apart),
 * `BTCPERP` for USDC perpetuals, `BTCUSD` for inverse perpetuals.
 */
export function symbolOf(market: MarketState): string {
  if (market.type === 'swap' && !market.inverse && market.settle === 'USDC')
    return `${market.base}PERP`
  return `${market.base}${market.quote}`
}

/** Decimal string without exponent or binary noise, as Bybit prints numbers. */
export function num(value: number): string {
  if (!Number.isFinite(value)) return '0'
  const v = Number(value.toPrecision(12))
  if (v !== 0 && Math.abs(v) < 1e-6) return v.toFixed(12).replace(/\.?0+$/, '')
  return String(v)
}

/** A UUID-shaped id whose last group is the world's sequence number (so it stays traceable). */
function uuidFrom(seq: number, salt: string): string {
  const h = createHash('sha256').update(`${salt}:${seq}`).digest('hex')
  const tail = seq.toString(16).padStart(12, '0')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${tail}`
}

/** Bybit order ids and execution ids are UUIDs. */
export const bybitIds: IdScheme = {
  order: (seq) => uuidFrom(seq, 'bybit-order'),
  trade: (seq) => uuidFrom(seq, 'bybit-exec')
}

/** The account's Bybit UID (stable per scenario account order). */
export const uidOf = (accountIndex: number): number => 52_013_000 + accountIndex * 1_337 + 7

const LAUNCH = 1_585_526_400_000 // 2020-03-30, Bybit's USDT perpetual launch

// ── markets ──────────────────────────────────────────────────────────────────

/** `/v5/market/instruments-info` row. */
export function renderInstrument(market: MarketState): Record<string, unknown> {
  const category = categoryOf(market)
  const tick = num(market.tick)
  if (category === 'spot') {
    return {
      symbol: symbolOf(market),
      baseCoin: market.base,
      quoteCoin: market.quote,
      innovation: '0',
      status: 'Trading',
      marginTrading: 'utaOnly',
      stTag: '0',
      lotSizeFilter: {
        basePrecision: num(market.minAmount),
        quotePrecision: '0.0000001',
        minOrderQty: num(market.minAmount),
        maxOrderQty: '1000000',
        minOrderAmt: '1',
        maxOrderAmt: '4000000'
      },
      priceFilter: { tickSize: tick },
      riskParameters: { priceLimitRatioX: '0.05', priceLimitRatioY: '0.05' }
    }
  }
  // Inverse contracts are 1 USD each: ccxt reads the contract size from minOrderQty.
  const step = category === 'inverse' ? '1' : num(market.minAmount)
  return {
    symbol: symbolOf(market),
    contractType: category === 'inverse' ? 'InversePerpetual' : 'LinearPerpetual',
    status: 'Trading',
    baseCoin: market.base,
    quoteCoin: market.quote,
    launchTime: String(LAUNCH),
    deliveryTime: '0',
    deliveryFeeRate: '',
    priceScale: String(Math.max(0, -Math.floor(Math.log10(market.tick)))),
    leverageFilter: { minLeverage: '1', maxLeverage: '100.00', leverageStep: '0.01' },
    priceFilter: { minPrice: tick, maxPrice: '1999999.8', tickSize: tick },
    lotSizeFilter: {
      maxOrderQty: '1190.000',
      minOrderQty: step,
      qtyStep: step,
      postOnlyMaxOrderQty: '1190.000',
      maxMktOrderQty: '500.000',
      minNotionalValue: category === 'linear' ? '5' : ''
    },
    unifiedMarginTrade: true,
    fundingInterval: 480,
    settleCoin: market.settle,
    copyTrading: 'both',
    upperFundingRate: '0.005',
    lowerFundingRate: '-0.005',
    isPreListing: false,
    preListingInfo: null
  }
}

/** `/v5/market/tickers` row. */
export function renderTicker(market: MarketState, now: number): Record<string, unknown> {
  const last = market.last
  const base = {
    symbol: symbolOf(market),
    bid1Price: num(last - market.tick),
    bid1Size: num(market.minAmount * 100),
    ask1Price: num(last + market.tick),
    ask1Size: num(market.minAmount * 100),
    lastPrice: num(last),
    prevPrice24h: num(last),
    price24hPcnt: '0',
    highPrice24h: num(last * 1.02),
    lowPrice24h: num(last * 0.98),
    turnover24h: num(1250.5 * last),
    volume24h: '1250.5'
  }
  if (market.type === 'spot')
    return { ...base, usdIndexPrice: num(last * usdPriceOf(market.quote)) }
  return {
    ...base,
    indexPrice: num(last),
    markPrice: num(last),
    prevPrice1h: num(last),
    openInterest: '50000',
    openInterestValue: num(50000 * last),
    fundingRate: '0.0001',
    nextFundingTime: String(Math.ceil(now / (8 * 3_600_000)) * 8 * 3_600_000),
    predictedDeliveryPrice: '',
    basisRate: '',
    deliveryFeeRate: '',
    deliveryTime: '0',
    basis: ''
  }
}

/** One coin of `/v5/asset/coin/query-info` (ccxt loads it with `loadMarkets` when keys are set). */
export function renderCoinInfo(code: string): Record<string, unknown> {
  const chains: Record<string, [string, string]> = {
    BTC: ['BTC', '0.0002'],
    ETH: ['ETH', '0.0012'],
    USDT: ['TRX', '1'],
    USDC: ['ETH', '1']
  }
  const [chain, fee] = chains[code] ?? [code, '0.1']
  return {
    name: code,
    coin: code,
    remainAmount: '150000',
    chains: [
      {
        chainType: chain,
        confirmation: '10',
        withdrawFee: fee,
        depositMin: '0',
        withdrawMin: fee,
        chain,
        chainDeposit: '1',
        chainWithdraw: '1',
        minAccuracy: '8',
        withdrawPercentageFee: '0',
        contractAddress: '',
        safeConfirmNumber: '10'
      }
    ]
  }
}

// ── orders and executions ────────────────────────────────────────────────────

/** A conditional order's extra state (kept by the dialect; the world has no trigger orders). */
export interface Conditional {
  triggerPrice: number
  /** 'StopOrder' for futures and spot conditional orders, 'tpslOrder' for spot TP/SL. */
  filter: 'StopOrder' | 'tpslOrder'
}

function orderStatus(order: OrderRecord, conditional: boolean): string {
  if (order.status === 'open')
    return conditional ? 'Untriggered' : order.filled > 0 ? 'PartiallyFilled' : 'New'
  if (order.status === 'filled') return 'Filled'
  if (conditional) return 'Deactivated'
  return order.filled > 0 ? 'PartiallyFilledCanceled' : 'Cancelled'
}

/** `/v5/order/realtime` and `/v5/order/history` row. */
export function renderOrder(
  order: OrderRecord,
  market: MarketState,
  fee: number,
  conditional: Conditional | undefined
): Record<string, unknown> {
  const category = categoryOf(market)
  const status = orderStatus(order, conditional !== undefined)
  // Market orders carry Bybit's protective limit price on derivatives and "0" on spot.
  const price =
    order.price ??
    (category === 'spot'
      ? 0
      : roundTo(market.last * (order.side === 'buy' ? 1.05 : 0.95), market.tick))
  const cumValue = market.inverse
    ? order.averagePrice
      ? order.filled / order.averagePrice
      : 0
    : order.filled * order.averagePrice
  const leaves = order.status === 'open' ? order.amount - order.filled : 0
  const feeCurrency = market.settle ?? (order.side === 'buy' ? market.base : market.quote)
  return {
    orderId: order.id,
    orderLinkId: order.label,
    blockTradeId: '',
    symbol: symbolOf(market),
    price: num(price),
    qty: num(order.amount),
    side: order.side === 'buy' ? 'Buy' : 'Sell',
    isLeverage: category === 'spot' ? '0' : '',
    positionIdx: 0,
    orderStatus: status,
    ...(category === 'spot' ? {} : { createType: 'CreateByUser' }),
    cancelType: order.status === 'cancelled' ? 'CancelByUser' : 'UNKNOWN',
    rejectReason: 'EC_NoError',
    avgPrice: order.averagePrice ? num(order.averagePrice) : category === 'spot' ? '0' : '',
    leavesQty: num(leaves),
    leavesValue: num(leaves * (order.price ?? market.last)),
    cumExecQty: num(order.filled),
    cumExecValue: num(cumValue),
    cumExecFee: num(fee),
    timeInForce: order.type === 'market' ? 'IOC' : 'GTC',
    orderType: order.type === 'market' ? 'Market' : 'Limit',
    stopOrderType: conditional ? (conditional.filter === 'tpslOrder' ? 'tpslOrder' : 'Stop') : '',
    orderIv: '',
    marketUnit: category === 'spot' && order.type === 'market' ? 'baseCoin' : '',
    triggerPrice: conditional ? num(conditional.triggerPrice) : '0',
    takeProfit: '',
    stopLoss: '',
    tpslMode: category === 'spot' ? '' : 'UNKNOWN',
    ocoTriggerBy: '',
    tpLimitPrice: '',
    slLimitPrice: '',
    tpTriggerBy: '',
    slTriggerBy: '',
    triggerDirection: conditional ? (conditional.triggerPrice >= market.last ? 1 : 2) : 0,
    triggerBy: conditional ? 'LastPrice' : '',
    lastPriceOnCreated: category === 'spot' ? '' : num(market.last),
    basePrice: category === 'spot' ? num(market.last) : '',
    reduceOnly: order.reduceOnly,
    closeOnTrigger: false,
    placeType: '',
    smpType: 'None',
    smpGroup: 0,
    smpOrderId: '',
    createdTime: String(order.createdAt),
    updatedTime: String(order.updatedAt),
    cumFeeDetail: fee ? { [feeCurrency]: num(fee) } : {}
  }
}

/** `/v5/execution/list` row for a trade. */
export function renderExecution(
  fill: FillRecord,
  market: MarketState,
  order: OrderRecord | undefined
): Record<string, unknown> {
  const value = market.inverse ? fill.amount / fill.price : fill.amount * fill.price
  return {
    symbol: symbolOf(market),
    orderId: fill.orderId,
    orderLinkId: order?.label ?? '',
    side: fill.side === 'buy' ? 'Buy' : 'Sell',
    orderPrice: num(order?.price ?? fill.price),
    orderQty: num(order?.amount ?? fill.amount),
    leavesQty: '0',
    ...(market.type === 'spot' ? {} : { createType: 'CreateByUser' }),
    orderType: order?.type === 'market' ? 'Market' : 'Limit',
    stopOrderType: 'UNKNOWN',
    execFee: num(fill.fee),
    execFeeV2: '',
    execId: fill.id,
    execPrice: num(fill.price),
    execQty: num(fill.amount),
    execType: 'Trade',
    execValue: num(value),
    execTime: String(fill.timestamp),
    feeCurrency: market.type === 'spot' ? fill.feeCurrency : '',
    isMaker: fill.liquidity === 'M',
    feeRate: fill.liquidity === 'M' ? '0.0002' : '0.0005',
    tradeIv: '',
    markIv: '',
    markPrice: num(fill.marketPrice),
    indexPrice: '',
    underlyingPrice: '',
    blockTradeId: '',
    closedSize: '0',
    seq: fill.seq,
    extraFees: ''
  }
}

const FUNDING_MS = 8 * 3_600_000

/**
 * Funding settlements of a linear or inverse market, as `execution/list` reports them: one
 * `execType: "Funding"` row per 8-hour mark at which the account held a position. Derived from the
 * fills (the world has no funding ledger), so the rows are deterministic.
 */
export function fundingRows(
  account: AccountState,
  market: MarketState,
  uid: number,
  now: number
): { execTime: number; row: Record<string, unknown> }[] {
  if (market.type === 'spot') return []
  const fills = account.fills
    .filter((f) => f.symbol === market.symbol)
    .sort((a, b) => a.timestamp - b.timestamp)
  if (fills.length === 0) return []
  const out: { execTime: number; row: Record<string, unknown> }[] = []
  let size = 0
  let i = 0
  let n = 0
  for (
    let t = Math.ceil(fills[0]!.timestamp / FUNDING_MS) * FUNDING_MS;
    t <= now;
    t += FUNDING_MS
  ) {
    while (i < fills.length && fills[i]!.timestamp <= t) {
      const f = fills[i++]!
      size += f.side === 'buy' ? f.amount : -f.amount
    }
    size = Number(size.toPrecision(12))
    if (size === 0) continue
    n++
    const price = market.last
    const value = market.inverse ? Math.abs(size) / price : Math.abs(size) * price
    const fee = value * 0.0001
    const id = createHash('sha256')
      .update(`funding:${account.id}:${market.symbol}:${t}`)
      .digest('hex')
    out.push({
      execTime: t,
      row: {
        symbol: symbolOf(market),
        orderType: 'UNKNOWN',
        underlyingPrice: '',
        orderLinkId: '',
        orderId: `${t / 1000}-${n}-${uid}-1-2`,
        stopOrderType: 'UNKNOWN',
        execTime: String(t),
        feeCurrency: '',
        createType: '',
        feeRate: '0.0001',
        tradeIv: '',
        blockTradeId: '',
        markPrice: num(price),
        execPrice: num(price),
        markIv: '',
        orderQty: '0',
        orderPrice: '0',
        execValue: num(value),
        closedSize: '0',
        execType: 'Funding',
        seq: 0,
        side: size > 0 ? 'Sell' : 'Buy',
        indexPrice: '',
        leavesQty: '0',
        isMaker: false,
        execFee: num(fee),
        execFeeV2: '',
        execId: `${id.slice(0, 8)}-${id.slice(8, 12)}-5${id.slice(13, 16)}-9${id.slice(17, 20)}-${id.slice(20, 32)}`,
        execQty: num(Math.abs(size)),
        extraFees: ''
      }
    })
  }
  return out
}

// ── positions ────────────────────────────────────────────────────────────────

/**
 * `/v5/position/list` row. `seq` is the id of the last leverage change on the symbol (Bybit moves
 * the position's seq with settings such as leverage), -1 when none happened.
 */
export function renderPosition(
  position: PositionRecord | undefined,
  market: MarketState,
  leverage: number | undefined,
  lastChange: LeverageChange | undefined,
  account: AccountState
): Record<string, unknown> {
  const size = position?.size ?? 0
  const avg = position?.averagePrice ?? 0
  const price = market.last
  const lev = leverage ?? 10
  const value = market.inverse ? (avg ? Math.abs(size) / avg : 0) : Math.abs(size) * avg
  const pnl = market.inverse ? (avg ? size / avg - size / price : 0) : size * (price - avg)
  const fills = account.fills.filter((f) => f.symbol === market.symbol)
  const created = fills.length ? Math.min(...fills.map((f) => f.timestamp)) : (lastChange?.at ?? 0)
  const updated = Math.max(
    fills.length ? Math.max(...fills.map((f) => f.timestamp)) : 0,
    lastChange?.at ?? 0
  )
  return {
    positionIdx: 0,
    riskId: 1,
    riskLimitValue: '2000000',
    symbol: symbolOf(market),
    side: size > 0 ? 'Buy' : size < 0 ? 'Sell' : '',
    size: num(Math.abs(size)),
    avgPrice: num(avg),
    positionValue: num(value),
    tradeMode: 0,
    positionStatus: 'Normal',
    autoAddMargin: 0,
    adlRankIndicator: size === 0 ? 0 : 2,
    leverage: num(lev),
    breakEvenPrice: num(avg),
    positionBalance: num(value / lev),
    markPrice: num(price),
    liqPrice: '',
    bustPrice: '',
    positionMM: num((value / lev) * 0.5),
    positionMMByMp: num((value / lev) * 0.5),
    positionIM: num(value / lev),
    positionIMByMp: num(value / lev),
    tpslMode: 'Full',
    takeProfit: '0',
    stopLoss: '0',
    trailingStop: '0',
    unrealisedPnl: num(pnl),
    curRealisedPnl: '0',
    cumRealisedPnl: '0',
    sessionAvgPrice: '',
    seq: lastChange?.id ?? -1,
    isReduceOnly: false,
    mmrSysUpdatedTime: '',
    leverageSysUpdatedTime: '',
    createdTime: String(created),
    updatedTime: String(updated)
  }
}

// ── wallet ───────────────────────────────────────────────────────────────────

const CHAINS: Readonly<Record<string, string>> = {
  BTC: 'BTC',
  ETH: 'ETH',
  USDT: 'TRX',
  USDC: 'ETH'
}

/** Bybit's chain name for a withdrawal network (TRC20 → TRX, ERC20 → ETH, …). */
export function chainOf(currency: string, network: string | null): string {
  const map: Record<string, string> = { TRC20: 'TRX', ERC20: 'ETH', BEP20: 'BSC', BRC20: 'BTC' }
  if (network) return map[network.toUpperCase()] ?? network.toUpperCase()
  return CHAINS[currency] ?? currency
}

/** `/v5/asset/withdraw/query-record` row for an on-chain withdrawal. */
export function renderWithdrawal(w: WithdrawalRecord): Record<string, unknown> {
  return {
    coin: w.currency,
    chain: chainOf(w.currency, w.network),
    amount: num(w.amount),
    txID: w.txid ?? '',
    status: w.state === 'completed' ? 'success' : 'Pending',
    toAddress: w.address,
    tag: '',
    withdrawFee: num(w.fee),
    createTime: String(w.createdAt),
    updateTime: String(w.updatedAt),
    withdrawId: String(w.id),
    withdrawType: 0,
    fee: '',
    tax: '',
    taxRate: '',
    taxType: ''
  }
}

/**
 * A transfer to another Bybit user: Bybit books it as an off-chain withdrawal (`withdrawType: 1`)
 * whose `toAddress` is the receiving UID.
 */
export function renderOffChainTransfer(t: TransferRecord, toUid: number): Record<string, unknown> {
  return {
    coin: t.currency,
    chain: '',
    amount: num(t.amount),
    txID: '',
    status: 'success',
    toAddress: String(toUid),
    tag: '',
    withdrawFee: '0',
    createTime: String(t.createdAt),
    updateTime: String(t.createdAt),
    withdrawId: String(t.id),
    withdrawType: 1,
    fee: '',
    tax: '',
    taxRate: '',
    taxType: ''
  }
}

/** `/v5/asset/transfer/query-universal-transfer-list` row (master → sub-account). */
export function renderUniversalTransfer(
  t: TransferRecord,
  uid: number,
  subUid: number
): Record<string, unknown> {
  return {
    transferId: String(t.id),
    coin: t.currency,
    amount: num(t.amount),
    timestamp: String(t.createdAt),
    status: 'SUCCESS',
    fromAccountType: 'UNIFIED',
    toAccountType: 'UNIFIED',
    fromMemberId: String(uid),
    toMemberId: String(subUid)
  }
}

/**
 * `/v5/asset/withdraw/query-address` row. The docs' field table says `createAt`; the docs'
 * example (what the API returns) says `createdAt`, in seconds, as a string. We serve the example.
 */
export function renderAddress(a: AddressRecord): Record<string, unknown> {
  return {
    coin: a.currency,
    chain: chainOf(a.currency, a.network),
    address: a.address,
    tag: '',
    remark: a.label,
    status: 0,
    addressType: 0,
    verified: 1,
    createdAt: String(Math.floor(a.createdAt / 1000))
  }
}

// ── keys ─────────────────────────────────────────────────────────────────────

/**
 * `/v5/user/query-api` result for the calling key. Keys without an IP binding show `ips: ["*"]`
 * and expire (Bybit: 90 days without a binding); bound keys show `deadlineDay: -2` and the epoch
 * as `expiredAt`, as in the docs' current example.
 */
export function renderKey(
  key: KeyRecord,
  info: { uid: number; expiresAt: number | null; now: number; unified: boolean }
): Record<string, unknown> {
  const { readOnly, permissions } = bybitPermissionsOf(key.permissions)
  const unbound = isUnbound(key.ipWhitelist)
  const expires = unbound ? info.expiresAt : null
  return {
    id: String(key.id),
    note: key.name,
    apiKey: key.clientId,
    readOnly,
    secret: '',
    permissions,
    ips: unbound ? ['*'] : [...key.ipWhitelist],
    type: 1,
    deadlineDay: expires === null ? -2 : Math.max(0, Math.ceil((expires - info.now) / DAY_MS)),
    expiredAt: new Date(expires ?? 0).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    createdAt: new Date(key.createdAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    unified: 0,
    uta: info.unified ? 1 : 0,
    userID: info.uid,
    inviterID: 0,
    vipLevel: 'No VIP',
    mktMakerLevel: '0',
    affiliateID: 0,
    rsaPublicKey: '',
    isMaster: true,
    parentUid: '0',
    kycLevel: 'LEVEL_1',
    kycRegion: '',
    userIDInt64: String(info.uid),
    inviterIDInt64: '0',
    affiliateIDInt64: '0'
  }
}

/** The USD value of one unit of `coin` on this account (its USDT market if listed, else reference). */
export function usdOf(account: AccountState, coin: string): number {
  for (const m of account.markets.values()) {
    if (m.type === 'spot' && m.base === coin && (m.quote === 'USDT' || m.quote === 'USDC'))
      return m.last
  }
  return usdPriceOf(coin)
}
