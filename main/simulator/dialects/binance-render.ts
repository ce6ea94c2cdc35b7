/**
 * World records rendered as Binance REST objects: spot `/api/v3`, wallet `/sapi/v1` and USDⓈ-M
 * `/fapi`. Field names, order and value conventions follow developers.binance.com examples and the
 * response comments in ccxt's binance.js (decimal strings, spot amounts with 8 decimals, numeric
 * order and trade ids, withdrawal times as `"YYYY-MM-DD HH:mm:ss"` UTC strings).
 */
import { usdPriceOf, type MarketState } from '../markets'
import { token } from '../prng'
import type {
  AccountState,
  AddressRecord,
  FillRecord,
  OrderRecord,
  PositionRecord,
  TransferRecord,
  WithdrawalRecord
} from '../world'

/** Which Binance API family lists a market. */
export type Family = 'spot' | 'usdm' | 'coinm'

/** Spot and USDⓈ-M markets: spot pairs and linear perpetuals; inverse contracts are COIN-M. */
export const familyOf = (market: MarketState): Family =>
  market.type === 'spot' ? 'spot' : market.inverse ? 'coinm' : 'usdm'

/** Binance's symbol id: `BTCUSDT` for the spot pair and the USDⓈ-M perpetual alike. */
export const symbolId = (market: MarketState): string => `${market.base}${market.quote}`

/** Decimal places a step needs (1e-9 → 9, 0.5 → 1, 10 → 0). */
export function decimalsOf(step: number): number {
  if (!(step > 0)) return 0
  let decimals = 0
  while (
    decimals < 16 &&
    Math.abs(Math.round(step * 10 ** decimals) - step * 10 ** decimals) > 1e-9
  )
    decimals++
  return decimals
}

/** A fixed-decimal string without binary noise. */
export const fixed = (value: number, decimals: number): string =>
  (Math.abs(value) < 10 ** -(decimals + 1) ? 0 : value).toFixed(decimals)

/** Spot shows every amount with 8 decimals (more when a tick is finer). */
export const spot = (value: number, step = 1e-8): string =>
  fixed(value, Math.max(8, decimalsOf(step)))

/** USDⓈ-M shows plain decimals. */
export const plain = (value: number): string => String(Number(value.toPrecision(12)))

const pad = (n: number): string => String(n).padStart(2, '0')

/** Binance's wallet time format, `2024-05-05 15:38:56`, in UTC (the pitfall ccxt parses as UTC). */
export function walletTime(ms: number): string {
  const d = new Date(ms)
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
}

const HEX = '0123456789abcdef'
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/**
 * The order's client id: what the trader's client sent (kept in `label`), else what Binance's own
 * front ends generate (`web_…` from the website; API orders without one get a random 22-char id).
 */
export function clientOrderId(account: AccountState, order: OrderRecord, seed: number): string {
  if (order.label) return order.label
  return order.origin === 'web'
    ? `web_${token(32, HEX, seed, account.id, order.id, 'client-order-id')}`
    : token(22, ALNUM, seed, account.id, order.id, 'client-order-id')
}

/** Binance's order status for a world order. */
export function orderStatus(order: OrderRecord): string {
  if (order.status === 'filled') return 'FILLED'
  if (order.status === 'cancelled') return 'CANCELED'
  return order.filled > 0 ? 'PARTIALLY_FILLED' : 'NEW'
}

// ── markets ──────────────────────────────────────────────────────────────────

/** A spot market as `GET /api/v3/exchangeInfo` lists it (filters from the world's tick and step). */
export function renderSpotSymbol(market: MarketState): Record<string, unknown> {
  const tick = spot(market.tick, market.tick)
  const step = spot(market.minAmount, market.minAmount)
  return {
    symbol: symbolId(market),
    status: 'TRADING',
    baseAsset: market.base,
    baseAssetPrecision: 8,
    quoteAsset: market.quote,
    quotePrecision: 8,
    quoteAssetPrecision: 8,
    baseCommissionPrecision: 8,
    quoteCommissionPrecision: 8,
    orderTypes: [
      'LIMIT',
      'LIMIT_MAKER',
      'MARKET',
      'STOP_LOSS',
      'STOP_LOSS_LIMIT',
      'TAKE_PROFIT',
      'TAKE_PROFIT_LIMIT'
    ],
    icebergAllowed: true,
    ocoAllowed: true,
    otoAllowed: true,
    quoteOrderQtyMarketAllowed: true,
    allowTrailingStop: true,
    cancelReplaceAllowed: true,
    isSpotTradingAllowed: true,
    isMarginTradingAllowed: false,
    filters: [
      {
        filterType: 'PRICE_FILTER',
        minPrice: tick,
        maxPrice: spot(1_000_000, market.tick),
        tickSize: tick
      },
      {
        filterType: 'LOT_SIZE',
        minQty: step,
        maxQty: spot(9_000_000, market.minAmount),
        stepSize: step
      },
      { filterType: 'ICEBERG_PARTS', limit: 10 },
      {
        filterType: 'MARKET_LOT_SIZE',
        minQty: spot(0),
        maxQty: spot(9_000_000, market.minAmount),
        stepSize: spot(0)
      },
      { filterType: 'TRAILING_DELTA', minTrailingAboveDelta: 10, maxTrailingAboveDelta: 2000 },
      {
        filterType: 'NOTIONAL',
        minNotional: spot(1 / usdPriceOf(market.quote)),
        applyMinToMarket: true,
        maxNotional: spot(9_000_000),
        applyMaxToMarket: false,
        avgPriceMins: 5
      },
      { filterType: 'MAX_NUM_ORDERS', maxNumOrders: 200 },
      { filterType: 'MAX_NUM_ALGO_ORDERS', maxNumAlgoOrders: 5 }
    ],
    permissions: [],
    permissionSets: [['SPOT']],
    defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
    allowedSelfTradePreventionModes: ['EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH']
  }
}

/** A linear perpetual as `GET /fapi/v1/exchangeInfo` lists it. */
export function renderUsdmSymbol(
  market: MarketState,
  onboardDate: number
): Record<string, unknown> {
  const priceDecimals = decimalsOf(market.tick)
  const qtyDecimals = decimalsOf(market.minAmount)
  return {
    symbol: symbolId(market),
    pair: symbolId(market),
    contractType: 'PERPETUAL',
    deliveryDate: 4133404800000,
    onboardDate,
    status: 'TRADING',
    maintMarginPercent: '2.5000',
    requiredMarginPercent: '5.0000',
    baseAsset: market.base,
    quoteAsset: market.quote,
    marginAsset: market.settle ?? market.quote,
    pricePrecision: priceDecimals,
    quantityPrecision: qtyDecimals,
    baseAssetPrecision: 8,
    quotePrecision: 8,
    underlyingType: 'COIN',
    underlyingSubType: [],
    settlePlan: 0,
    triggerProtect: '0.0500',
    liquidationFee: '0.012500',
    marketTakeBound: '0.05',
    maxMoveOrderLimit: 10000,
    filters: [
      {
        filterType: 'PRICE_FILTER',
        minPrice: plain(market.tick),
        maxPrice: plain(market.last * 100),
        tickSize: plain(market.tick)
      },
      {
        filterType: 'LOT_SIZE',
        minQty: plain(market.minAmount),
        maxQty: '1000',
        stepSize: plain(market.minAmount)
      },
      {
        filterType: 'MARKET_LOT_SIZE',
        minQty: plain(market.minAmount),
        maxQty: '120',
        stepSize: plain(market.minAmount)
      },
      { filterType: 'MAX_NUM_ORDERS', limit: 200 },
      { filterType: 'MAX_NUM_ALGO_ORDERS', limit: 10 },
      { filterType: 'MIN_NOTIONAL', notional: '5' },
      {
        filterType: 'PERCENT_PRICE',
        multiplierUp: '1.0500',
        multiplierDown: '0.9500',
        multiplierDecimal: '4'
      }
    ],
    orderTypes: [
      'LIMIT',
      'MARKET',
      'STOP',
      'STOP_MARKET',
      'TAKE_PROFIT',
      'TAKE_PROFIT_MARKET',
      'TRAILING_STOP_MARKET'
    ],
    timeInForce: ['GTC', 'IOC', 'FOK', 'GTX', 'GTD']
  }
}

/** The documented spot rate limits, as exchangeInfo lists them. */
export const SPOT_RATE_LIMITS = [
  { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
  { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100 },
  { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 200000 },
  { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 61000 }
]
/** The documented USDⓈ-M rate limits, as exchangeInfo lists them. */
export const USDM_RATE_LIMITS = [
  { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 2400 },
  { rateLimitType: 'ORDERS', interval: 'MINUTE', intervalNum: 1, limit: 1200 },
  { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 300 }
]

/** `GET /api/v3/ticker/24hr` (and the USDⓈ-M one) for a market that has not moved all day. */
export function renderTicker24h(market: MarketState, now: number): Record<string, unknown> {
  const p = (v: number): string => (familyOf(market) === 'spot' ? spot(v, market.tick) : plain(v))
  return {
    symbol: symbolId(market),
    priceChange: p(0),
    priceChangePercent: '0.000',
    weightedAvgPrice: p(market.last),
    prevClosePrice: p(market.last),
    lastPrice: p(market.last),
    lastQty: p(market.minAmount),
    bidPrice: p(market.last - market.tick),
    bidQty: p(market.minAmount * 10),
    askPrice: p(market.last + market.tick),
    askQty: p(market.minAmount * 10),
    openPrice: p(market.last),
    highPrice: p(market.last),
    lowPrice: p(market.last),
    volume: p(market.minAmount * 1000),
    quoteVolume: p(market.minAmount * 1000 * market.last),
    openTime: now - 86_400_000,
    closeTime: now,
    firstId: 1,
    lastId: 1000,
    count: 1000
  }
}

// ── orders and trades ────────────────────────────────────────────────────────

/** A spot order as `allOrders` / `openOrders` / `order` return it. */
export function renderSpotOrder(
  account: AccountState,
  order: OrderRecord,
  market: MarketState,
  seed: number
): Record<string, unknown> {
  const amount = (v: number): string => spot(v, market.minAmount)
  const price = (v: number): string => spot(v, market.tick)
  return {
    symbol: symbolId(market),
    orderId: Number(order.id),
    orderListId: -1,
    clientOrderId: clientOrderId(account, order, seed),
    price: price(order.price ?? 0),
    origQty: amount(order.amount),
    executedQty: amount(order.filled),
    cummulativeQuoteQty: spot(order.filled * order.averagePrice),
    status: orderStatus(order),
    timeInForce: 'GTC',
    type: order.type.toUpperCase(),
    side: order.side.toUpperCase(),
    stopPrice: price(0),
    icebergQty: amount(0),
    time: order.createdAt,
    updateTime: order.updatedAt,
    isWorking: true,
    workingTime: order.createdAt,
    origQuoteOrderQty: spot(0),
    selfTradePreventionMode: 'EXPIRE_MAKER'
  }
}

/** A spot fill as `GET /api/v3/myTrades` returns it. */
export function renderSpotTrade(fill: FillRecord, market: MarketState): Record<string, unknown> {
  return {
    symbol: symbolId(market),
    id: Number(fill.id),
    orderId: Number(fill.orderId),
    orderListId: -1,
    price: spot(fill.price, market.tick),
    qty: spot(fill.amount, market.minAmount),
    quoteQty: spot(fill.amount * fill.price),
    commission: spot(fill.fee),
    commissionAsset: fill.feeCurrency,
    time: fill.timestamp,
    isBuyer: fill.side === 'buy',
    isMaker: fill.liquidity === 'M',
    isBestMatch: true
  }
}

/** A USDⓈ-M order as `/fapi/v1/allOrders` / `openOrders` / `order` return it. */
export function renderUsdmOrder(
  account: AccountState,
  order: OrderRecord,
  market: MarketState,
  seed: number
): Record<string, unknown> {
  const type = order.type.toUpperCase()
  return {
    orderId: Number(order.id),
    symbol: symbolId(market),
    status: orderStatus(order),
    clientOrderId: clientOrderId(account, order, seed),
    price: plain(order.price ?? 0),
    avgPrice: plain(order.averagePrice),
    origQty: plain(order.amount),
    executedQty: plain(order.filled),
    cumQuote: plain(order.filled * order.averagePrice),
    timeInForce: 'GTC',
    type,
    reduceOnly: order.reduceOnly,
    closePosition: false,
    side: order.side.toUpperCase(),
    positionSide: 'BOTH',
    stopPrice: '0',
    workingType: 'CONTRACT_PRICE',
    priceProtect: false,
    origType: type,
    priceMatch: 'NONE',
    selfTradePreventionMode: 'EXPIRE_MAKER',
    goodTillDate: 0,
    time: order.createdAt,
    updateTime: order.updatedAt
  }
}

/** A USDⓈ-M fill as `GET /fapi/v1/userTrades` returns it. */
export function renderUsdmTrade(fill: FillRecord, market: MarketState): Record<string, unknown> {
  return {
    buyer: fill.side === 'buy',
    commission: plain(fill.fee),
    commissionAsset: fill.feeCurrency,
    id: Number(fill.id),
    maker: fill.liquidity === 'M',
    orderId: Number(fill.orderId),
    price: plain(fill.price),
    qty: plain(fill.amount),
    quoteQty: plain(fill.amount * fill.price),
    realizedPnl: '0',
    side: fill.side.toUpperCase(),
    positionSide: 'BOTH',
    symbol: symbolId(market),
    time: fill.timestamp
  }
}

// ── balances and positions ───────────────────────────────────────────────────

/** Free and locked amounts per asset: open spot orders lock the quote (buys) or the base (sells). */
export function spotBalances(
  account: AccountState
): { asset: string; free: number; locked: number }[] {
  const assets = new Set<string>(account.balances.keys())
  for (const m of account.markets.values()) {
    if (familyOf(m) !== 'spot') continue
    assets.add(m.base)
    assets.add(m.quote)
  }
  const locked = new Map<string, number>()
  for (const o of account.orders) {
    if (o.status !== 'open') continue
    const m = account.markets.get(o.symbol)
    if (!m || familyOf(m) !== 'spot') continue
    const remaining = o.amount - o.filled
    const [asset, amount] =
      o.side === 'buy' ? [m.quote, remaining * (o.price ?? m.last)] : [m.base, remaining]
    locked.set(asset, (locked.get(asset) ?? 0) + amount)
  }
  return [...assets].sort().map((asset) => {
    const total = account.balances.get(asset) ?? 0
    const held = Math.min(Math.max(0, total), locked.get(asset) ?? 0)
    return { asset, free: Math.max(0, total - held), locked: held }
  })
}

/** A USDⓈ-M position line (v2 shape; v3 drops `leverage` and `isolated`). */
export function renderUsdmPosition(
  account: AccountState,
  market: MarketState,
  position: PositionRecord | undefined,
  leverage: number,
  now: number
): Record<string, unknown> {
  const size = position?.size ?? 0
  const entry = position?.averagePrice ?? 0
  const notional = size * market.last
  const openMargin = account.orders
    .filter((o) => o.status === 'open' && o.symbol === market.symbol)
    .reduce((sum, o) => sum + ((o.amount - o.filled) * (o.price ?? market.last)) / leverage, 0)
  return {
    symbol: symbolId(market),
    initialMargin: plain(Math.abs(notional) / leverage + openMargin),
    maintMargin: plain(Math.abs(notional) * 0.004),
    unrealizedProfit: plain(size * (market.last - entry)),
    positionInitialMargin: plain(Math.abs(notional) / leverage),
    openOrderInitialMargin: plain(openMargin),
    leverage: String(leverage),
    isolated: false,
    entryPrice: plain(entry),
    breakEvenPrice: plain(entry),
    maxNotional: '1000000',
    bidNotional: '0',
    askNotional: '0',
    positionSide: 'BOTH',
    positionAmt: plain(size),
    notional: plain(notional),
    markPrice: plain(market.last),
    updateTime: size !== 0 ? now : 0
  }
}

// ── wallet ───────────────────────────────────────────────────────────────────

/** The network Binance would name for an address, by its format. */
export function networkOf(coin: string, address: string, given: string | null): string {
  if (given) return given
  if (/^0x[0-9a-fA-F]{40}$/.test(address)) return 'ETH'
  if (/^T[1-9A-HJ-NP-Za-km-z]{25,}$/.test(address)) return 'TRX'
  if (/^(bc1|[13])/.test(address) && coin === 'BTC') return 'BTC'
  if (/^(ltc1|[LM])/.test(address) && coin === 'LTC') return 'LTC'
  return coin
}

/** Withdrawal status codes: 0 email sent, 2 awaiting approval, 4 processing, 6 completed. */
export function renderWithdrawal(w: WithdrawalRecord): Record<string, unknown> {
  const completed = w.state === 'completed'
  return {
    id: String(w.id),
    amount: spot(w.amount),
    transactionFee: spot(w.fee),
    coin: w.currency,
    status: completed ? 6 : 4,
    address: w.address,
    addressTag: '',
    txId: w.txid ?? '',
    applyTime: walletTime(w.createdAt),
    network: networkOf(w.currency, w.address, w.network),
    transferType: 0,
    info: '',
    confirmNo: completed ? 3 : 0,
    walletType: 0,
    txKey: '',
    ...(completed ? { completeTime: walletTime(w.updatedAt) } : {})
  }
}

/**
 * A transfer to another Binance user as the withdrawal history shows it: `transferType: 1`
 * (internal transfer), settled at once, with the recipient's Binance deposit address.
 */
export function renderInternalTransfer(
  account: AccountState,
  t: TransferRecord,
  seed: number
): Record<string, unknown> {
  const address =
    t.currency === 'BTC'
      ? `bc1q${token(38, '023456789acdefghjklmnpqrstuvwxyz', seed, account.id, 'recipient', t.id)}`
      : `0x${token(40, HEX, seed, account.id, 'recipient', t.id)}`
  return {
    id: String(t.id),
    amount: spot(t.amount),
    transactionFee: spot(0),
    coin: t.currency,
    status: 6,
    address,
    addressTag: '',
    txId: `Internal transfer ${800_000_000 + t.id}`,
    applyTime: walletTime(t.createdAt),
    network: networkOf(t.currency, address, null),
    transferType: 1,
    info: '',
    confirmNo: 0,
    walletType: 0,
    txKey: '',
    completeTime: walletTime(t.createdAt)
  }
}

/** An entry of `GET /sapi/v1/capital/withdraw/address/list` (every saved address is whitelisted). */
export function renderAddress(a: AddressRecord): Record<string, unknown> {
  return {
    address: a.address,
    addressTag: '',
    coin: a.currency,
    name: a.label,
    network: networkOf(a.currency, a.address, a.network),
    origin: a.label,
    originType: 'others',
    whiteStatus: true
  }
}

/** A master → sub-account transfer in `GET /sapi/v1/sub-account/universalTransfer`. */
export function renderSubTransfer(
  account: AccountState,
  t: TransferRecord
): Record<string, unknown> {
  return {
    tranId: t.id,
    fromEmail: `${account.id}@example.com`,
    toEmail: `${account.id}_sub1_virtual@example.com`,
    asset: t.currency,
    amount: spot(t.amount),
    createTimeStamp: t.createdAt,
    fromAccountType: 'SPOT',
    toAccountType: 'SPOT',
    status: 'SUCCESS',
    clientTranId: ''
  }
}

const COIN_NAMES: Readonly<Record<string, string>> = {
  BTC: 'Bitcoin',
  ETH: 'Ethereum',
  USDT: 'TetherUS',
  USDC: 'USD Coin',
  LTC: 'Litecoin',
  BNB: 'BNB',
  SOL: 'Solana',
  XRP: 'XRP',
  VIA: 'Viacoin'
}

/** `GET /sapi/v1/capital/config/getall`: one coin with its default network. */
export function renderCoinConfig(
  coin: string,
  balance: { free: number; locked: number }
): Record<string, unknown> {
  const network = coin === 'USDT' || coin === 'USDC' ? 'ETH' : coin
  return {
    coin,
    depositAllEnable: true,
    withdrawAllEnable: true,
    name: COIN_NAMES[coin] ?? coin,
    free: spot(balance.free),
    locked: spot(balance.locked),
    freeze: '0',
    withdrawing: '0',
    ipoing: '0',
    ipoable: '0',
    storage: '0',
    isLegalMoney: false,
    trading: true,
    networkList: [
      {
        network,
        coin,
        withdrawIntegerMultiple: '0.00000001',
        isDefault: true,
        depositEnable: true,
        withdrawEnable: true,
        depositDesc: '',
        withdrawDesc: '',
        specialTips: '',
        name: COIN_NAMES[coin] ?? coin,
        resetAddressStatus: false,
        addressRegex: '^.+$',
        memoRegex: '',
        withdrawFee: coin === 'BTC' ? '0.0001' : coin === 'ETH' ? '0.0012' : '1',
        withdrawMin: '0.001',
        withdrawMax: '9999999',
        minConfirm: 1,
        unLockConfirm: 2,
        sameAddress: false,
        estimatedArrivalTime: 5,
        busy: false
      }
    ]
  }
}
