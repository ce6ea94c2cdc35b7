/**
 * OKX v5 response shapes and their mapping to Vigil's event model. Pure: no I/O, no clock, so the
 * documented examples (`shared/fixtures/exchange-docs/okx-*.json` and the OKX docs examples ccxt
 * carries in `okx.js`) run through the same code the connector uses.
 *
 * Every response is validated before use. OKX wraps everything in `{code, msg, data: [...]}` and
 * writes every number as a string (`""` when absent). A response that does not match (a truncated
 * body, which ccxt hands back as a raw string; a missing `data`; a wrong field type) raises
 * `ExchangeFault('malformed')` for the stream that asked, and nothing from it is used.
 */
import { createHash } from 'node:crypto'

import { z } from 'zod'

import { ExchangeFault, type KeySnapshot } from './connector'
import { msg } from '../../api/messages'
import { badShape, faultKind, faultMessage, malformed, notJson } from './errors'
import type {
  BalanceData,
  FillData,
  LeverageData,
  OrderData,
  PositionData,
  TransferData,
  WithdrawalData
} from '../model'

/** How fault messages name the exchange. */
export const EXCHANGE_NAME = 'OKX'
/** OKX's API-key management page. */
export const OKX_API_KEYS_URL = 'https://www.okx.com/account/my-api'

/**
 * Broker tags ccxt puts on the orders it places (`tag`, and the `clOrdId` prefix):
 * `e847386590ce4dBC` in earlier releases and OKX's docs examples, `6b9ad766b55dBCDE` in 4.5.84.
 */
export const CCXT_BROKER_TAGS: ReadonlySet<string> = new Set([
  'e847386590ce4dBC',
  '6b9ad766b55dBCDE'
])

/** Stablecoins (and USD) valued at 1 USD. */
export const STABLE_USD: ReadonlySet<string> = new Set([
  'USD',
  'USDT',
  'USDC',
  'USDG',
  'DAI',
  'FDUSD'
])

// ---------------------------------------------------------------------------------------------
// Primitive schemas. OKX sends numbers as strings and `""` for "not applicable".

const toNumber = (v: unknown): unknown =>
  typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v

/** A required decimal (string or number). */
const dec = z.preprocess(toNumber, z.number().finite())
/** An optional decimal: `""`, null or absent → null. */
const optDec = z.preprocess(
  (v) => (v === '' || v === undefined ? null : toNumber(v)),
  z.number().finite().nullable()
)
/** A required non-empty id (OKX ids exceed 2^53, so they stay strings). */
/**
 * A decimal OKX sometimes writes with its currency appended (old withdrawal records:
 * `"fee": "0.01000000eth"`); anything unreadable is null rather than a failed stream.
 */
const looseDec = z.preprocess(
  (v) =>
    typeof v === 'string'
      ? v === '' || !Number.isFinite(parseFloat(v))
        ? null
        : parseFloat(v)
      : v === undefined
        ? null
        : v,
  z.number().finite().nullable()
)
const id = z.union([z.string().min(1), z.number()]).transform(String)
const optStr = z.string().nullish()

/**
 * Validates `raw` as OKX's envelope and returns its `data` items. `code` "2" (a batch that partly
 * failed) is accepted: the caller reads each item's `sCode`.
 */
export const parseData = <S extends z.ZodType>(
  item: S,
  raw: unknown,
  what: string,
  stream?: string
): z.output<S>[] => {
  if (typeof raw === 'string') throw malformed(notJson(what), stream, EXCHANGE_NAME)
  const parsed = z
    .object({ code: z.union([z.string(), z.number()]).transform(String), data: z.array(item) })
    .safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue ? issue.path.join('.') || 'response' : 'response'
    throw malformed(badShape(what, where), stream, EXCHANGE_NAME)
  }
  const { code, data } = parsed.data as { code: string; data: z.output<S>[] }
  if (code !== '0' && code !== '2')
    throw new ExchangeFault(
      'unknown',
      faultMessage(faultKind('unknown'), EXCHANGE_NAME, msg('fault.code', { code })),
      stream
    )
  return data
}

// ---------------------------------------------------------------------------------------------
// The key endpoint: GET /api/v5/account/config

const configSchema = z.object({
  uid: id,
  mainUid: optStr,
  label: optStr,
  // `""` when no IP is bound; several IPs are comma- (or space-) separated.
  ip: optStr,
  // Comma-separated `read_only`, `trade`, `withdraw`.
  perm: z.string(),
  type: optStr
})

/** One validated `account/config` entry. */
export type OkxConfig = z.output<typeof configSchema>

/**
 * The id Vigil reports for an OKX key. OKX's API names no key id and the API key itself must never
 * be stored or shown, so this is a one-way fingerprint of it (the simulator computes the same).
 */
export const okxKeyId = (apiKey: string | null | undefined): string =>
  apiKey
    ? `okx-key-${createHash('sha256').update(apiKey, 'utf8').digest('hex').slice(0, 12)}`
    : 'okx-key-unknown'

/** OKX permission names → Vigil's vocabulary. OKX documents funds transfer under "Trade". */
const PERMISSIONS: Readonly<Record<string, readonly string[]>> = {
  read_only: ['read'],
  trade: ['spot', 'futures', 'transfer'],
  withdraw: ['withdraw']
}

/**
 * Vigil's permission names for an OKX `perm` string, followed by the raw values as `okx:<perm>` so
 * nothing OKX said is lost (and an unknown future permission still shows).
 */
export const normalisePermissions = (perm: string): string[] => {
  const raw = perm
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
  const out: string[] = []
  for (const p of raw) for (const n of PERMISSIONS[p] ?? []) if (!out.includes(n)) out.push(n)
  for (const p of raw) if (!out.includes(`okx:${p}`)) out.push(`okx:${p}`)
  return out
}

/** OKX's `ip`: `""` = no binding; otherwise IPs separated by commas or spaces. */
export const parseIpList = (ip: string | null | undefined): string[] =>
  (ip ?? '')
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean)

/** What account/config says about the key and the account. */
export interface ParsedConfig {
  key: KeySnapshot
  uid: string
  /** True when `uid` differs from `mainUid` (a sub-account's key). */
  subAccount: boolean
}

/**
 * Parses `account/config` into the self key's snapshot. OKX reports no creation or expiry time
 * (keys without an IP binding are reportedly deleted after 14 days of inactivity, unverified).
 */
export const parseAccountConfig = (
  raw: unknown,
  apiKey: string | null | undefined,
  stream = 'keys'
): ParsedConfig => {
  const rows = parseData(configSchema, raw, 'account configuration', stream)
  const config = rows[0]
  if (!config)
    throw malformed(
      msg('fault.malformed.noEntry', { what: 'account configuration' }),
      stream,
      EXCHANGE_NAME
    )
  return {
    uid: config.uid,
    subAccount: !!config.mainUid && config.mainUid !== config.uid,
    key: {
      keyId: okxKeyId(apiKey),
      name: config.label ? config.label : null,
      permissions: normalisePermissions(config.perm),
      ipWhitelist: parseIpList(config.ip),
      enabled: true,
      self: true,
      createdAt: null,
      expiresAt: null,
      thirdParty: false
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Instruments as the connector knows them (from ccxt's loaded markets).

/** How to name and value an instrument. */
export interface InstrumentInfo {
  symbol: string
  spot: boolean
  inverse: boolean
  /** Base units (linear) or USD (inverse) per contract; 1 for spot. */
  contractSize: number
  base: string | null
  quote: string | null
}

/** Best-effort instrument for an id ccxt does not know (`A-B` spot, `A-B-SWAP` perpetual). */
export const guessInstrument = (instId: string): InstrumentInfo => {
  const parts = instId.split('-')
  const [base, quote] = [parts[0] ?? null, parts[1] ?? null]
  const swap = parts.at(-1) === 'SWAP'
  const inverse = swap && (quote === 'USD' || quote === null)
  return {
    symbol:
      base && quote
        ? swap
          ? `${base}/${quote}:${inverse ? base : quote}`
          : `${base}/${quote}`
        : instId,
    spot: !swap && parts.length === 2,
    inverse,
    // Unknown contract size: amounts stay in contracts.
    contractSize: 1,
    base,
    quote
  }
}

// ---------------------------------------------------------------------------------------------
// Orders: trade/orders-pending, trade/orders-history(-archive), trade/order

const orderSchema = z.object({
  instId: z.string().min(1),
  instType: optStr,
  ordId: id,
  clOrdId: optStr,
  tag: optStr,
  side: z.enum(['buy', 'sell']),
  ordType: z.string(),
  state: z.string().min(1),
  sz: dec,
  px: optDec,
  avgPx: optDec,
  accFillSz: optDec,
  lever: optDec,
  tgtCcy: optStr,
  reduceOnly: z.union([z.string(), z.boolean()]).nullish(),
  cTime: dec,
  uTime: dec
})
/** One validated OKX order. */
export type OkxOrder = z.output<typeof orderSchema>

/** Validates an order list (pending, history or a single order). */
export const parseOrders = (raw: unknown, what: string, stream: string): OkxOrder[] =>
  parseData(orderSchema, raw, what, stream)

/** OKX order states → Vigil's (Deribit's) vocabulary. */
export const orderStatus = (state: string): string =>
  state === 'live' || state === 'partially_filled'
    ? 'open'
    : state === 'filled'
      ? 'filled'
      : state === 'canceled' || state === 'mmp_canceled' || state === 'order_failed'
        ? 'cancelled'
        : state

/** Whether OKX still lists the order as resting. */
export const isOpenState = (state: string): boolean =>
  state === 'live' || state === 'partially_filled'

/** Orders ccxt placed carry its broker tag; OKX says nothing about the others' origin. */
export const orderOrigin = (o: { tag?: string | null; clOrdId?: string | null }): 'api' | null => {
  if (o.tag && CCXT_BROKER_TAGS.has(o.tag)) return 'api'
  for (const tag of CCXT_BROKER_TAGS) if (o.clOrdId?.startsWith(tag)) return 'api'
  return null
}

/** Amount in the instrument's units: base currency (spot, linear) or USD (inverse). */
const units = (info: InstrumentInfo, size: number): number =>
  info.spot ? size : size * info.contractSize

/** USD notional of `amount` (in base units, or USD for inverse) at `price`. */
export const notionalUsd = (
  info: InstrumentInfo,
  amount: number,
  price: number | null,
  quoteUsd: number | null
): number | null => {
  if (info.inverse) return amount
  if (price === null || quoteUsd === null) return null
  return amount * price * quoteUsd
}

/** What orderData needs beyond the order itself. */
export interface OrderContext {
  info: InstrumentInfo
  /** USD per unit of the quote currency, when known. */
  quoteUsd: number | null
  /** The market's last price when the order was seen, for off-market checks (fresh orders only). */
  marketPrice?: number | null
}

/** Maps an OKX order to OrderData (plus OKX's raw state, tag and order type). */
export const orderData = (
  o: OkxOrder,
  ctx: OrderContext
): OrderData & {
  marketPrice: number | null
  state: string
  ordType: string
  tag: string | null
} => {
  const marketOrder = o.ordType === 'market' || o.ordType === 'optimal_limit_ioc'
  // A spot market buy sized in the quote currency: the amount bought is only known once filled.
  const quoteSized = ctx.info.spot && marketOrder && o.side === 'buy' && o.tgtCcy === 'quote_ccy'
  const price = o.px ?? null
  const filled = o.accFillSz === null ? null : units(ctx.info, o.accFillSz)
  const amount = quoteSized ? (filled ?? (o.avgPx ? o.sz / o.avgPx : o.sz)) : units(ctx.info, o.sz)
  const valuePrice = o.avgPx || price || ctx.marketPrice || null
  return {
    orderId: o.ordId,
    symbol: ctx.info.symbol,
    side: o.side,
    type: marketOrder ? 'market' : 'limit',
    status: orderStatus(o.state),
    amount,
    price,
    filled,
    notionalUsd:
      quoteSized && ctx.quoteUsd !== null
        ? o.sz * ctx.quoteUsd
        : notionalUsd(ctx.info, amount, valuePrice, ctx.quoteUsd),
    reduceOnly: o.reduceOnly === true || o.reduceOnly === 'true',
    origin: orderOrigin(o),
    leverage: o.lever ?? null,
    marketPrice: ctx.marketPrice ?? null,
    state: o.state,
    ordType: o.ordType,
    tag: o.tag ? o.tag : null
  }
}

// ---------------------------------------------------------------------------------------------
// Fills: trade/fills (3 days), trade/fills-history (3 months)

const fillSchema = z.object({
  instId: z.string().min(1),
  instType: optStr,
  // `tradeId` is only unique per instrument; `billId` is unique per account.
  tradeId: id,
  billId: id,
  ordId: id.nullish(),
  side: z.enum(['buy', 'sell']),
  fillSz: dec,
  fillPx: dec,
  fillIdxPx: optDec,
  fillMarkPx: optDec,
  fee: optDec,
  feeCcy: optStr,
  execType: optStr,
  tag: optStr,
  ts: dec
})
/** One validated OKX fill. */
export type OkxFill = z.output<typeof fillSchema>

/** Validates a fills response. */
export const parseFills = (raw: unknown, stream: string): OkxFill[] =>
  parseData(fillSchema, raw, 'trade history', stream)

/**
 * The market price a fill is compared with: OKX's index price at execution (`fillIdxPx`, in USD,
 * so only comparable when the quote is a USD stablecoin) or, for perpetuals, the mark price.
 */
export const fillMarketPrice = (f: OkxFill, info: InstrumentInfo): number | null => {
  if (!info.spot && f.fillMarkPx) return f.fillMarkPx
  if (f.fillIdxPx && (info.inverse || (info.quote !== null && STABLE_USD.has(info.quote))))
    return f.fillIdxPx
  return null
}

/** Maps an OKX fill to FillData (`tradeId` is OKX's per-instrument id; `billId` the unique one). */
export const fillData = (
  f: OkxFill,
  info: InstrumentInfo,
  quoteUsd: number | null,
  marketPrice: number | null
): FillData & { billId: string; liquidity: string | null } => {
  const amount = units(info, f.fillSz)
  return {
    tradeId: f.tradeId,
    billId: f.billId,
    orderId: f.ordId ?? null,
    symbol: info.symbol,
    side: f.side,
    amount,
    price: f.fillPx,
    notionalUsd: notionalUsd(info, amount, f.fillPx, quoteUsd),
    marketPrice,
    liquidity: f.execType === 'T' ? 'taker' : f.execType === 'M' ? 'maker' : null
  }
}

// ---------------------------------------------------------------------------------------------
// Withdrawals and deposits: asset/withdrawal-history, asset/deposit-history

const withdrawalSchema = z.object({
  wdId: id,
  ccy: z.string().min(1),
  amt: dec,
  to: z.string(),
  chain: optStr,
  state: z.union([z.string(), z.number()]).transform(String),
  ts: dec,
  fee: looseDec,
  txId: optStr,
  tag: optStr,
  memo: optStr
})
/** One validated OKX withdrawal. */
export type OkxWithdrawal = z.output<typeof withdrawalSchema>

/** Validates a withdrawal-history response. */
export const parseWithdrawals = (raw: unknown, stream: string): OkxWithdrawal[] =>
  parseData(withdrawalSchema, raw, 'withdrawal history', stream)

/** OKX withdrawal states that will not change any more: success, canceled, failed. */
export const FINAL_WITHDRAWAL_STATES: ReadonlySet<string> = new Set(['2', '-2', '-1'])

/** OKX withdrawal state codes → words. */
export const withdrawalStatus = (state: string): string =>
  state === '2'
    ? 'completed'
    : state === '-2'
      ? 'cancelled'
      : state === '-1'
        ? 'failed'
        : state === '-3'
          ? 'cancelling'
          : ['4', '5', '6', '8', '9', '12'].includes(state)
            ? 'review'
            : 'pending'

/** `BTC-Bitcoin` → `Bitcoin`; `USDT-TRC20` → `TRC20`. */
const networkOf = (chain: string | null | undefined): string | null => {
  if (!chain) return null
  const dash = chain.indexOf('-')
  return dash >= 0 ? chain.slice(dash + 1) : chain
}

/** Maps an OKX withdrawal to WithdrawalData (raw state kept as `state`). */
export const withdrawalData = (
  w: OkxWithdrawal,
  usd: number | null
): WithdrawalData & { state: string; txId: string | null } => ({
  withdrawalId: w.wdId,
  currency: w.ccy,
  amount: w.amt,
  address: w.to,
  network: networkOf(w.chain),
  status: withdrawalStatus(w.state),
  amountUsd: usd === null ? null : w.amt * usd,
  state: w.state,
  txId: w.txId ? w.txId : null
})

const depositSchema = z.object({
  depId: id,
  ccy: z.string().min(1),
  amt: dec,
  from: optStr,
  to: optStr,
  chain: optStr,
  state: z.union([z.string(), z.number()]).transform(String),
  ts: dec,
  txId: optStr
})
/** One validated OKX deposit. */
export type OkxDeposit = z.output<typeof depositSchema>

/** Validates a deposit-history response. */
export const parseDeposits = (raw: unknown, stream: string): OkxDeposit[] =>
  parseData(depositSchema, raw, 'deposit history', stream)

/** Maps an OKX deposit to event data. */
export const depositData = (d: OkxDeposit, usd: number | null): Record<string, unknown> => ({
  depositId: d.depId,
  currency: d.ccy,
  amount: d.amt,
  address: d.to ?? null,
  from: d.from ?? null,
  network: networkOf(d.chain),
  // 0 waiting for confirmation, 1 credited, 2 successful (OKX).
  status: d.state === '2' ? 'completed' : d.state === '1' ? 'credited' : 'pending',
  amountUsd: usd === null ? null : d.amt * usd
})

// ---------------------------------------------------------------------------------------------
// Transfers: account/bills(-archive) with type 1

const billSchema = z.object({
  billId: id,
  ccy: z.string(),
  type: z.union([z.string(), z.number()]).transform(String),
  subType: z.union([z.string(), z.number()]).transform(String).nullish(),
  sz: optDec,
  balChg: optDec,
  ts: dec,
  notes: optStr,
  from: optStr,
  to: optStr
})
/** One validated OKX account bill. */
export type OkxBill = z.output<typeof billSchema>

/** Validates a bills response. */
export const parseBills = (raw: unknown, stream: string): OkxBill[] =>
  parseData(billSchema, raw, 'account bills', stream)

/** Where a transfer bill went, in Vigil's words when OKX's note says it. */
const transferTarget = (b: OkxBill): string => {
  const text = `${b.notes ?? ''} ${b.to ?? ''}`
  if (/sub[- ]?account/i.test(text)) return 'sub'
  if (/okx[- ]user|another okx user|internal/i.test(text)) return 'external-user'
  if (b.to === '6') return 'funding'
  if (b.to === '18') return 'trading'
  return b.to || b.notes || 'unknown'
}

/** Maps a transfer bill (type 1) to TransferData; `direction` says whether it left the account. */
export const transferData = (
  b: OkxBill,
  usd: number | null
): TransferData & { direction: 'in' | 'out'; notes: string | null } => {
  const change = b.balChg ?? b.sz ?? 0
  const amount = Math.abs(change)
  return {
    transferId: b.billId,
    currency: b.ccy,
    amount,
    to: transferTarget(b),
    amountUsd: usd === null ? null : amount * usd,
    direction: change < 0 || b.subType === '12' ? 'out' : 'in',
    notes: b.notes ? b.notes : null
  }
}

// ---------------------------------------------------------------------------------------------
// Balances: account/balance

const balanceSchema = z.object({
  totalEq: optDec,
  details: z.array(
    z.object({
      ccy: z.string().min(1),
      eq: optDec,
      cashBal: optDec,
      eqUsd: optDec
    })
  )
})

/** One currency's balance as Vigil uses it. */
export interface OkxBalance {
  currency: string
  total: number
  usdValue: number | null
}

/** Validates account/balance; equity (`eq`) is the total, `eqUsd` OKX's own USD value. */
export const parseBalances = (raw: unknown, stream = 'balances'): OkxBalance[] =>
  parseData(balanceSchema, raw, 'account balance', stream).flatMap((account) =>
    account.details.map((d) => ({
      currency: d.ccy,
      total: d.eq ?? d.cashBal ?? 0,
      usdValue: d.eqUsd ?? null
    }))
  )

/** A balance event's data (for tests and callers that want BalanceData). */
export const balanceData = (b: OkxBalance): BalanceData => ({
  currency: b.currency,
  total: b.total,
  equityUsd: b.usdValue
})

// ---------------------------------------------------------------------------------------------
// Positions and leverage: account/positions, account/leverage-info

const positionSchema = z.object({
  instId: z.string().min(1),
  instType: optStr,
  pos: dec,
  posSide: optStr,
  avgPx: optDec,
  lever: optDec,
  mgnMode: optStr,
  notionalUsd: optDec
})
/** One validated OKX position. */
export type OkxPosition = z.output<typeof positionSchema>

/** Validates account/positions. */
export const parsePositions = (raw: unknown, stream = 'positions'): OkxPosition[] =>
  parseData(positionSchema, raw, 'positions', stream)

/** Maps a position (or its absence: flat) to PositionData. */
export const positionData = (
  info: InstrumentInfo,
  p: OkxPosition | null
): PositionData & { notionalUsd: number | null } => {
  const size = p ? p.pos : 0
  const side =
    !p || size === 0
      ? 'flat'
      : p.posSide === 'long'
        ? 'long'
        : p.posSide === 'short'
          ? 'short'
          : size < 0
            ? 'short'
            : 'long'
  return {
    symbol: info.symbol,
    side,
    size: units(info, Math.abs(size)),
    leverage: p?.lever ?? null,
    notionalUsd: p?.notionalUsd ?? null
  }
}

const leverageSchema = z.object({
  instId: z.string().min(1),
  mgnMode: optStr,
  posSide: optStr,
  lever: dec
})

/** Validates account/leverage-info: instId → leverage (the highest when long and short differ). */
export const parseLeverage = (raw: unknown, stream = 'leverage'): Map<string, number> => {
  const out = new Map<string, number>()
  for (const row of parseData(leverageSchema, raw, 'leverage', stream))
    out.set(row.instId, Math.max(out.get(row.instId) ?? 0, row.lever))
  return out
}

/** LeverageData for a change seen between two reads. */
export const leverageData = (
  symbol: string,
  leverage: number,
  previous: number | null
): LeverageData => ({
  symbol,
  leverage,
  previous
})

// ---------------------------------------------------------------------------------------------
// Market data and kill-switch answers

const tickerSchema = z.object({ instId: z.string().min(1), last: optDec })

/** Validates market/tickers: instId → last price. */
export const parseTickers = (raw: unknown): Map<string, number> => {
  const out = new Map<string, number>()
  for (const t of parseData(tickerSchema, raw, 'tickers'))
    if (t.last !== null) out.set(t.instId, t.last)
  return out
}

const itemResultSchema = z.object({
  ordId: optStr,
  algoId: optStr,
  clOrdId: optStr,
  sCode: z.union([z.string(), z.number()]).transform(String),
  sMsg: optStr
})

/** One item of a batch answer (cancel-batch-orders, cancel-algos). */
export interface ItemResult {
  id: string
  ok: boolean
  /** The order was no longer open (already canceled, filled or unknown): nothing to do. */
  gone: boolean
  code: string
  message: string
}

/** Codes meaning "this order is not open any more". */
const GONE_CODES = new Set(['51400', '51401', '51402', '51603'])

/** Validates a batch answer and reports each item. */
export const parseItemResults = (raw: unknown, what: string, stream: string): ItemResult[] =>
  parseData(itemResultSchema, raw, what, stream).map((r) => ({
    id: r.ordId || r.algoId || r.clOrdId || '',
    ok: r.sCode === '0',
    gone: GONE_CODES.has(r.sCode),
    code: r.sCode,
    message: r.sMsg ?? ''
  }))

/** Whether an OKX error code means the order is not open any more. */
export const isGoneCode = (code: string | undefined): boolean => !!code && GONE_CODES.has(code)

const algoSchema = z.object({
  algoId: id,
  instId: z.string().min(1),
  ordType: z.string(),
  state: z.string(),
  side: optStr,
  sz: optDec,
  cTime: optDec,
  tag: optStr
})
/** One validated pending algo (trigger, conditional, …) order. */
export type OkxAlgoOrder = z.output<typeof algoSchema>

/** Validates trade/orders-algo-pending. */
export const parseAlgoOrders = (raw: unknown, stream: string): OkxAlgoOrder[] =>
  parseData(algoSchema, raw, 'pending algo orders', stream)

/** Validates trade/cancel-all-after: when the exchange will cancel everything (0 = disarmed). */
export const parseCancelAllAfter = (
  raw: unknown,
  stream = 'heartbeat'
): { triggerTime: number; ts: number | null } => {
  const rows = parseData(
    z.object({ triggerTime: dec, ts: optDec }),
    raw,
    'cancel-all-after answer',
    stream
  )
  const row = rows[0]
  if (!row)
    throw malformed(
      msg('fault.malformed.noEntry', { what: 'cancel-all-after answer' }),
      stream,
      EXCHANGE_NAME
    )
  return { triggerTime: row.triggerTime, ts: row.ts }
}

/** Narrowing helper for callers that catch: a fault raised by these parsers. */
export const isMalformed = (error: unknown): error is ExchangeFault =>
  error instanceof ExchangeFault && error.category === 'malformed'
