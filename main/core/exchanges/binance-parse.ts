/**
 * Binance response shapes (spot `/api/v3`, wallet `/sapi/v1`, USDⓈ-M `/fapi`) and their mapping to
 * Vigil's event model. Pure: no I/O, no clock, so the documented examples
 * (`shared/fixtures/exchange-docs/binance-*.json`) run through the same code the connector uses.
 *
 * Every response is validated before use. One that does not match (a truncated body, which ccxt
 * hands back as a raw string; a missing field; a wrong type) raises `ExchangeFault('malformed')`
 * for the stream that asked, and nothing from it is used.
 *
 * Binance quirks handled here:
 * - decimals arrive as strings (`"0.00100000"`); ids and times as numbers;
 * - wallet times (`applyTime`, `completeTime`) are `"YYYY-MM-DD HH:mm:ss"` strings in UTC;
 * - `apiRestrictions` reports IP binding only as `ipRestrict: true|false` (no address list), and
 *   `tradingAuthorityExpirationTime` only in some schema versions;
 * - withdrawals to another Binance user show up in the withdrawal history with `transferType: 1`;
 * - orders name no origin, but Binance's own front ends prefix their client order ids
 *   (`web_`, `and_`, `ios_`, …).
 */
import { createHash } from 'node:crypto'

import { z } from 'zod'

import { msg } from '../../api/messages'
import type { KeySnapshot } from './connector'
import { badShape, malformed, notJson } from './errors'
import type {
  AddressData,
  FillData,
  OrderData,
  PositionData,
  TransferData,
  WithdrawalData
} from '../model'

/** How fault messages name the exchange. */
export const EXCHANGE_NAME = 'Binance'
/** Binance's API-key management page (where a key must be deleted by hand). */
export const BINANCE_API_MANAGEMENT_URL = 'https://www.binance.com/en/my/settings/api-management'

/**
 * The stable id Vigil reports for the key it holds. Binance names no key id, and the API key
 * itself must not be stored or shown, so it is a one-way fingerprint. Keep in sync with
 * `binanceKeyFingerprint` in simulator/dialects/binance-auth.ts.
 */
export const binanceKeyId = (apiKey: string): string =>
  `binance-key-${createHash('sha256').update(apiKey, 'utf8').digest('hex').slice(0, 12)}`

/** Last four characters of an identifier, for display. */
export const hint = (value: string): string => (value.length <= 4 ? '…' : '…' + value.slice(-4))

// ---------------------------------------------------------------------------------------------
// Primitive schemas

const num = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v),
  z.number().finite()
)
const optNum = num.nullish()
const id = z.union([z.string().min(1), z.number()]).transform(String)
const optStr = z.string().nullish()
const bool = z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean())

/** Parses Binance's UTC wallet time `2024-05-05 15:38:56` (or a millisecond number) to ms. */
export const walletTime = (value: string | number): number | null => {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?Z?$/.exec(
    value.trim()
  )
  if (m) {
    const [, y, mo, d, h, mi, s, ms] = m
    return Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s!, ms ? Number(ms.padEnd(3, '0')) : 0)
  }
  return /^\d+$/.test(value.trim()) ? Number(value) : null
}
const wallet = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const t = walletTime(v)
  if (t === null) {
    ctx.addIssue({ code: 'custom', message: 'not a Binance wallet time' })
    return z.NEVER
  }
  return t
})

/** Validates a raw ccxt answer (parsed JSON, or the body string when it did not parse). */
export const parseBody = <S extends z.ZodType>(
  schema: S,
  raw: unknown,
  what: string,
  stream?: string
): z.output<S> => {
  if (typeof raw === 'string') throw malformed(notJson(what), stream, EXCHANGE_NAME)
  const parsed = schema.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue ? issue.path.join('.') || 'response' : 'response'
    throw malformed(badShape(what, where), stream, EXCHANGE_NAME)
  }
  return parsed.data
}

// ---------------------------------------------------------------------------------------------
// Key: GET /sapi/v1/account/apiRestrictions

const apiRestrictionsSchema = z.object({
  ipRestrict: bool,
  createTime: optNum,
  enableReading: bool,
  enableWithdrawals: bool.nullish(),
  enableInternalTransfer: bool.nullish(),
  enableMargin: bool.nullish(),
  enableFutures: bool.nullish(),
  permitsUniversalTransfer: bool.nullish(),
  enableVanillaOptions: bool.nullish(),
  enableFixApiTrade: bool.nullish(),
  enableFixReadOnly: bool.nullish(),
  enableSpotAndMarginTrading: bool.nullish(),
  enablePortfolioMarginTrading: bool.nullish(),
  tradingAuthorityExpirationTime: optNum
})
/** One validated apiRestrictions answer. */
export type ApiRestrictions = z.output<typeof apiRestrictionsSchema>

/** Validates `GET /sapi/v1/account/apiRestrictions`. */
export const parseApiRestrictions = (raw: unknown, stream = 'keys'): ApiRestrictions =>
  parseBody(apiRestrictionsSchema, raw, 'API key permissions', stream)

/** Binance flag → Vigil's permission vocabulary (read / spot / futures / withdraw / transfer …). */
const NORMALISED: ReadonlyArray<[keyof ApiRestrictions, string]> = [
  ['enableReading', 'read'],
  ['enableSpotAndMarginTrading', 'spot'],
  ['enableMargin', 'margin'],
  ['enableFutures', 'futures'],
  ['enableVanillaOptions', 'options'],
  // Portfolio-margin trading trades spot margin and futures from one account.
  ['enablePortfolioMarginTrading', 'margin'],
  ['enableWithdrawals', 'withdraw'],
  ['enableInternalTransfer', 'transfer'],
  ['permitsUniversalTransfer', 'transfer'],
  ['enableFixApiTrade', 'fix-trade'],
  ['enableFixReadOnly', 'fix-read']
]

/**
 * The key's permissions: Vigil's vocabulary first, then every enabled Binance flag verbatim as
 * `binance:<flag>` so nothing the exchange reports is lost.
 */
export const keyPermissions = (flags: ApiRestrictions): string[] => {
  const normalised = NORMALISED.filter(([flag]) => flags[flag] === true).map(([, p]) => p)
  const raw = NORMALISED.filter(([flag]) => flags[flag] === true).map(([flag]) => `binance:${flag}`)
  return [...new Set(normalised), ...raw]
}

/**
 * What `ipWhitelist` holds for a Binance key. Binance reports only whether the key is
 * IP-restricted, never the addresses: "no binding" is `ipRestrict: false` (an empty list, which
 * the rules read as open); a bound key gets a placeholder entry so it does not look open.
 */
export const IP_RESTRICTED = 'binance:ip-restricted'

/** The guardian key as a KeySnapshot (Binance reports only the key that signs the request). */
export const keySnapshot = (flags: ApiRestrictions, keyId: string): KeySnapshot => ({
  keyId,
  name: null,
  permissions: keyPermissions(flags),
  ipWhitelist: flags.ipRestrict ? [IP_RESTRICTED] : [],
  enabled: true,
  self: true,
  createdAt: flags.createTime ?? null,
  expiresAt: flags.tradingAuthorityExpirationTime ?? null,
  thirdParty: false
})

// ---------------------------------------------------------------------------------------------
// Markets and prices

const tickerPriceSchema = z.array(z.object({ symbol: z.string(), price: num }))

/** `GET /api/v3/ticker/price` / `/fapi/v1/ticker/price` without a symbol: symbol id → price. */
export const parseTickerPrices = (raw: unknown, stream = 'prices'): Map<string, number> =>
  new Map(parseBody(tickerPriceSchema, raw, 'prices', stream).map((t) => [t.symbol, t.price]))

/** Assets valued at 1 USD. */
export const STABLE_USD: ReadonlySet<string> = new Set([
  'USD',
  'USDT',
  'USDC',
  'FDUSD',
  'TUSD',
  'BUSD',
  'DAI',
  'USDP'
])

/**
 * USD per unit of `asset` from spot prices: stablecoins are 1; otherwise its USDT / USDC / FDUSD
 * pair, or its BTC / ETH / BNB pair times that asset's USD price. Null when nothing prices it.
 */
export const usdPrice = (
  asset: string,
  prices: ReadonlyMap<string, number>,
  depth = 0
): number | null => {
  const code = asset.toUpperCase()
  if (STABLE_USD.has(code)) return 1
  for (const quote of ['USDT', 'USDC', 'FDUSD']) {
    const p = prices.get(code + quote)
    if (p && p > 0) return p
  }
  if (depth > 0) return null
  for (const bridge of ['BTC', 'ETH', 'BNB']) {
    if (bridge === code) continue
    const bridgeUsd = (): number | null => usdPrice(bridge, prices, depth + 1)
    const direct = prices.get(code + bridge)
    if (direct && direct > 0) {
      const b = bridgeUsd()
      if (b) return direct * b
    }
    const inverse = prices.get(bridge + code)
    if (inverse && inverse > 0) {
      const b = bridgeUsd()
      if (b) return b / inverse
    }
  }
  return null
}

// ---------------------------------------------------------------------------------------------
// Balances: GET /api/v3/account, GET /fapi/v2/account

const spotAccountSchema = z.object({
  balances: z.array(z.object({ asset: z.string().min(1), free: num, locked: num })),
  canTrade: z.boolean().nullish(),
  canWithdraw: z.boolean().nullish(),
  updateTime: optNum
})
/** One asset of the spot wallet. */
export interface SpotBalance {
  asset: string
  free: number
  locked: number
}

/** Validates `GET /api/v3/account` and returns the spot wallet. */
export const parseSpotAccount = (raw: unknown, stream = 'balances'): SpotBalance[] =>
  parseBody(spotAccountSchema, raw, 'spot account', stream).balances

const usdmPositionSchema = z.object({
  symbol: z.string().min(1),
  positionAmt: num,
  entryPrice: optNum,
  leverage: optNum,
  unrealizedProfit: optNum,
  openOrderInitialMargin: optNum,
  positionSide: optStr,
  updateTime: optNum
})
const usdmAccountSchema = z.object({
  assets: z.array(
    z.object({
      asset: z.string().min(1),
      walletBalance: num,
      unrealizedProfit: optNum,
      marginBalance: optNum
    })
  ),
  positions: z.array(usdmPositionSchema)
})
/** One validated USDⓈ-M account (v2: positions carry leverage). */
export type UsdmAccount = z.output<typeof usdmAccountSchema>
/** One validated USDⓈ-M position line. */
export type UsdmPosition = z.output<typeof usdmPositionSchema>

/** Validates `GET /fapi/v2/account`. */
export const parseUsdmAccount = (raw: unknown, stream = 'usdm'): UsdmAccount =>
  parseBody(usdmAccountSchema, raw, 'USDⓈ-M account', stream)

/** Maps a USDⓈ-M position line to PositionData (hedge-mode legs keep their own sign). */
export const positionData = (symbol: string, p: UsdmPosition | null): PositionData => ({
  symbol,
  side: !p || p.positionAmt === 0 ? 'flat' : p.positionAmt < 0 ? 'short' : 'long',
  size: p ? Math.abs(p.positionAmt) : 0,
  leverage: p?.leverage ?? null
})

// ---------------------------------------------------------------------------------------------
// Orders: GET /api/v3/allOrders | openOrders | order, GET /fapi/v1/allOrders | openOrders | order

const orderSchema = z.object({
  symbol: z.string().min(1),
  orderId: id,
  clientOrderId: optStr,
  price: num,
  origQty: num,
  executedQty: num,
  cummulativeQuoteQty: optNum,
  cumQuote: optNum,
  avgPrice: optNum,
  status: z.string().min(1),
  type: z.string().min(1),
  side: z.enum(['BUY', 'SELL']),
  reduceOnly: z.boolean().nullish(),
  time: num,
  updateTime: num
})
/** One validated Binance order (spot and USDⓈ-M share these fields). */
export type BinanceOrder = z.output<typeof orderSchema>

/** Validates a list of orders (`allOrders`, `openOrders`, a spot cancel-all answer). */
export const parseOrders = (raw: unknown, what: string, stream: string): BinanceOrder[] =>
  parseBody(z.array(orderSchema), raw, what, stream)

/** Validates a single order (`GET order`). */
export const parseOrder = (raw: unknown, stream: string): BinanceOrder =>
  parseBody(orderSchema, raw, 'order', stream)

/** Statuses after which an order never changes again. */
export const FINAL_STATUSES: ReadonlySet<string> = new Set([
  'FILLED',
  'CANCELED',
  'EXPIRED',
  'REJECTED',
  'EXPIRED_IN_MATCH'
])

/** Client-order-id prefixes Binance's own website and apps use. */
const FRONT_END = /^(web_|and_|ios_|electron_|mac_|win_|android_|app_)/i

/**
 * Where an order came from, by its client order id: Binance's website and apps prefix theirs;
 * anything else was sent through the API. Null when the exchange gave no id.
 */
export const orderOrigin = (clientOrderId: string | null | undefined): 'web' | 'api' | null =>
  !clientOrderId ? null : FRONT_END.test(clientOrderId) ? 'web' : 'api'

/** What the connector knows to value an order or a fill. */
export interface MarketInfo {
  /** Unified ccxt symbol, e.g. `BTC/USDT` or `BTC/USDT:USDT`. */
  symbol: string
  base: string
  quote: string
  /** USD per unit of the quote currency, when known. */
  quoteUsd: number | null
  /** Last price, when known (unfilled market orders are valued at it). */
  last: number | null
  /** Current leverage (USDⓈ-M only). */
  leverage: number | null
}

/** Maps an order to OrderData with its USD notional when computable. */
export const orderData = (o: BinanceOrder, info: MarketInfo): OrderData => {
  const filledQuote = o.cummulativeQuoteQty ?? o.cumQuote ?? null
  const price = o.price > 0 ? o.price : null
  // Executed value first (a filled market order), then the limit, then the last price.
  const quoteValue =
    filledQuote !== null && filledQuote > 0 && o.executedQty >= o.origQty
      ? filledQuote
      : o.origQty * (price ?? (o.avgPrice && o.avgPrice > 0 ? o.avgPrice : (info.last ?? NaN)))
  return {
    orderId: o.orderId,
    symbol: info.symbol,
    side: o.side === 'BUY' ? 'buy' : 'sell',
    type: o.type.toLowerCase(),
    status: o.status.toLowerCase(),
    amount: o.origQty,
    price,
    filled: o.executedQty,
    notionalUsd:
      info.quoteUsd !== null && Number.isFinite(quoteValue) ? quoteValue * info.quoteUsd : null,
    reduceOnly: o.reduceOnly ?? false,
    origin: orderOrigin(o.clientOrderId),
    leverage: info.leverage
  }
}

// ---------------------------------------------------------------------------------------------
// Fills: GET /api/v3/myTrades, GET /fapi/v1/userTrades

const tradeSchema = z.object({
  symbol: z.string().min(1),
  id,
  orderId: id,
  price: num,
  qty: num,
  quoteQty: optNum,
  commission: optNum,
  commissionAsset: optStr,
  time: num,
  // Spot says isBuyer, USDⓈ-M says buyer and side.
  isBuyer: z.boolean().nullish(),
  buyer: z.boolean().nullish(),
  side: z.enum(['BUY', 'SELL']).nullish()
})
/** One validated Binance trade. */
export type BinanceTrade = z.output<typeof tradeSchema>

/** Validates a trade list. */
export const parseTrades = (raw: unknown, stream: string): BinanceTrade[] =>
  parseBody(
    z
      .array(tradeSchema)
      .refine((rows) => rows.every((t) => t.isBuyer != null || t.buyer != null || t.side != null), {
        message: 'trade without a side'
      }),
    raw,
    'trade history',
    stream
  )

/** Maps a trade to FillData; `marketPrice` is the last price when Vigil saw it. */
export const fillData = (
  t: BinanceTrade,
  info: MarketInfo,
  marketPrice: number | null
): FillData => {
  const buy = t.side ? t.side === 'BUY' : (t.isBuyer ?? t.buyer) === true
  const quote = t.quoteQty ?? t.qty * t.price
  return {
    tradeId: t.id,
    orderId: t.orderId,
    symbol: info.symbol,
    side: buy ? 'buy' : 'sell',
    amount: t.qty,
    price: t.price,
    notionalUsd: info.quoteUsd !== null ? quote * info.quoteUsd : null,
    marketPrice
  }
}

// ---------------------------------------------------------------------------------------------
// Wallet: withdrawals, deposits, address list, sub-account transfers

const withdrawalSchema = z.object({
  id: id,
  amount: num,
  transactionFee: optNum,
  coin: z.string().min(1),
  status: num,
  address: z.string(),
  addressTag: optStr,
  txId: optStr,
  applyTime: wallet,
  network: optStr,
  transferType: optNum,
  completeTime: wallet.nullish()
})
/** One validated withdrawal-history row. */
export type BinanceWithdrawal = z.output<typeof withdrawalSchema>

/** Validates `GET /sapi/v1/capital/withdraw/history`. */
export const parseWithdrawals = (raw: unknown, stream = 'withdrawals'): BinanceWithdrawal[] =>
  parseBody(z.array(withdrawalSchema), raw, 'withdrawal history', stream)

const WITHDRAWAL_STATUS: Readonly<Record<number, string>> = {
  0: 'email_sent',
  1: 'cancelled',
  2: 'awaiting_approval',
  3: 'rejected',
  4: 'processing',
  5: 'failed',
  6: 'completed'
}
/** Binance's numeric withdrawal status in words. */
export const withdrawalStatus = (status: number): string =>
  WITHDRAWAL_STATUS[status] ?? `status_${status}`

/** `transferType: 1` rows are transfers to another Binance user, not on-chain withdrawals. */
export const isInternalTransfer = (w: BinanceWithdrawal): boolean => w.transferType === 1

/** Maps a withdrawal row to WithdrawalData, valued in USD when a price is known. */
export const withdrawalData = (w: BinanceWithdrawal, usd: number | null): WithdrawalData => ({
  withdrawalId: w.id,
  currency: w.coin,
  amount: w.amount,
  address: w.addressTag ? `${w.address}:${w.addressTag}` : w.address,
  network: w.network ?? null,
  status: withdrawalStatus(w.status),
  amountUsd: usd !== null ? w.amount * usd : null
})

/** Maps an internal transfer (a withdrawal to another Binance user) to TransferData. */
export const internalTransferData = (
  w: BinanceWithdrawal,
  usd: number | null
): TransferData & { address: string } => ({
  transferId: w.id,
  currency: w.coin,
  amount: w.amount,
  to: 'external-user',
  amountUsd: usd !== null ? w.amount * usd : null,
  address: w.address
})

const depositSchema = z.object({
  id: id.nullish(),
  amount: num,
  coin: z.string().min(1),
  network: optStr,
  status: num,
  address: optStr,
  addressTag: optStr,
  txId: optStr,
  insertTime: num,
  transferType: optNum
})
/** One validated deposit-history row. */
export type BinanceDeposit = z.output<typeof depositSchema>

/** Validates `GET /sapi/v1/capital/deposit/hisrec`. */
export const parseDeposits = (raw: unknown, stream = 'deposits'): BinanceDeposit[] =>
  parseBody(z.array(depositSchema), raw, 'deposit history', stream)

/** A deposit's record id: Binance's id, else its transaction id (older rows have no id). */
export const depositRecordId = (d: BinanceDeposit): string =>
  d.id ?? `${d.coin}:${d.txId ?? ''}:${d.insertTime}`

const addressSchema = z.object({
  address: z.string().min(1),
  addressTag: optStr,
  coin: z.string().min(1),
  name: optStr,
  network: optStr,
  origin: optStr,
  originType: optStr,
  whiteStatus: z.boolean().nullish()
})
/** One validated withdrawal-address entry. */
export type BinanceAddress = z.output<typeof addressSchema>

/** Validates `GET /sapi/v1/capital/withdraw/address/list`. */
export const parseAddressList = (raw: unknown, stream = 'addresses'): BinanceAddress[] =>
  parseBody(z.array(addressSchema), raw, 'withdrawal address list', stream)

/** A stable key for an address entry (the same address may be saved on several networks). */
export const addressKey = (a: BinanceAddress): string =>
  `${a.coin}|${a.network ?? ''}|${a.address}|${a.addressTag ?? ''}`

/**
 * Record id of an address entry: `<coin>:<address>`, qualified by the network after `#` (the
 * address list gives entries no id).
 */
export const addressRecordId = (a: BinanceAddress): string =>
  `${a.coin}:${a.address}#${a.network ?? ''}${a.addressTag ? `:${a.addressTag}` : ''}`

/** Maps an address entry to AddressData. */
export const addressData = (a: BinanceAddress): AddressData & Record<string, unknown> => ({
  currency: a.coin,
  address: a.addressTag ? `${a.address}:${a.addressTag}` : a.address,
  label: a.name || null,
  network: a.network ?? null,
  whitelisted: a.whiteStatus ?? null
})

const subTransferSchema = z.object({
  result: z
    .array(
      z.object({
        tranId: id,
        fromEmail: optStr,
        toEmail: optStr,
        asset: z.string().min(1),
        amount: num,
        createTimeStamp: num,
        fromAccountType: optStr,
        toAccountType: optStr,
        status: optStr
      })
    )
    .nullish()
    .transform((r) => r ?? []),
  totalCount: optNum
})
/** One validated master → sub-account transfer. */
export type BinanceSubTransfer = z.output<typeof subTransferSchema>['result'][number]

/** Validates `GET /sapi/v1/sub-account/universalTransfer` (`result` is absent when empty). */
export const parseSubTransfers = (raw: unknown, stream = 'transfers'): BinanceSubTransfer[] =>
  parseBody(subTransferSchema, raw, 'sub-account transfers', stream).result

/** Maps a sub-account transfer to TransferData (out of this account: to a sub-account). */
export const subTransferData = (
  t: BinanceSubTransfer,
  usd: number | null
): TransferData & Record<string, unknown> => ({
  transferId: t.tranId,
  currency: t.asset,
  amount: t.amount,
  to: 'sub',
  amountUsd: usd !== null ? t.amount * usd : null,
  toAccount: t.toEmail ?? null,
  status: t.status ?? null
})

// ---------------------------------------------------------------------------------------------
// Kill-switch answers

/** `GET /fapi/v1/openAlgoOrders`: conditional orders; only their symbols matter here. */
export const parseAlgoOrders = (
  raw: unknown,
  stream: string
): { algoId: string; symbol: string }[] =>
  parseBody(
    z.union([
      z.array(z.looseObject({ algoId: id, symbol: z.string().min(1) })),
      z
        .looseObject({ orders: z.array(z.looseObject({ algoId: id, symbol: z.string().min(1) })) })
        .transform((r) => r.orders)
    ]),
    raw,
    'conditional orders',
    stream
  ).map((o) => ({ algoId: o.algoId, symbol: o.symbol }))

/** `DELETE /fapi/v1/allOpenOrders` / `algoOpenOrders`: `{"code": 200, "msg": "…done."}`. */
export const parseCancelDone = (raw: unknown, stream: string): void => {
  const r = parseBody(z.looseObject({ code: num, msg: optStr }), raw, 'cancel answer', stream)
  if (r.code !== 200 && r.code !== 0)
    throw malformed(
      msg('fault.malformed.code', { what: 'cancel answer', code: r.code }),
      stream,
      EXCHANGE_NAME
    )
}

/** Binance error codes that mean the key itself is not accepted. */
export const AUTH_CODES: ReadonlySet<string> = new Set([
  '-2008',
  '-2014',
  '-2015',
  '-1022',
  '-1002',
  '-1099'
])
/** "Invalid Api-Key ID": the key does not exist (deleted). */
export const KEY_GONE_CODE = '-2008'
/** "Unknown order sent": nothing (left) to cancel. */
export const NOTHING_TO_CANCEL_CODE = '-2011'
