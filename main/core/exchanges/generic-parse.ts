/**
 * Validation of ccxt's unified structures (orders, trades, transactions, balances, positions,
 * tickers) and their mapping to Vigil's event data, for the generic connector. Pure: no I/O.
 *
 * ccxt's unified parsers are lenient across 100+ exchanges: a field an exchange does not send
 * comes back `undefined`, and a response of the wrong shape can come back as a raw string or an
 * empty list. So:
 * - a response that is not the container we expect (a list of orders, a balance object) raises
 *   `ExchangeFault('malformed')` for the stream, which then keeps its cursor;
 * - inside a valid list, a record without the fields Vigil keys on (id, symbol, side, timestamp)
 *   is skipped and counted, and the stream reports how many it skipped, so one odd record cannot
 *   block a stream forever, nor vanish without a word;
 * - fields Vigil only displays (price, fee, network) are optional.
 */
import { z } from 'zod'

import type { ExchangeFault } from './connector'
import { msg, type Message } from '../../api/messages'
import { malformed, notJson } from './errors'
import type { FillData, OrderData, PositionData, WithdrawalData } from '../model'

// ccxt gives numbers, but numeric strings appear where an exchange sent one and ccxt kept it.
const num = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v),
  z.number().finite()
)
const optNum = num.nullish().catch(undefined)
const id = z.union([z.string().min(1), z.number()]).transform(String)
const optStr = z.string().nullish().catch(undefined)
const side = z.preprocess(
  (v) => (typeof v === 'string' ? v.toLowerCase() : v),
  z.enum(['buy', 'sell'])
)

const orderSchema = z.object({
  id,
  symbol: z.string().min(1),
  side,
  type: optStr,
  status: optStr,
  amount: optNum,
  price: optNum,
  average: optNum,
  filled: optNum,
  cost: optNum,
  timestamp: optNum,
  lastUpdateTimestamp: optNum,
  lastTradeTimestamp: optNum,
  reduceOnly: z.boolean().nullish().catch(undefined)
})
/** One validated ccxt order. */
export type CcxtOrder = z.output<typeof orderSchema>

const tradeSchema = z.object({
  id,
  order: id.nullish().catch(undefined),
  symbol: z.string().min(1),
  side,
  amount: num,
  price: num,
  cost: optNum,
  timestamp: num
})
/** One validated ccxt trade (fill). */
export type CcxtTrade = z.output<typeof tradeSchema>

const transactionSchema = z.object({
  id: id.nullish().catch(undefined),
  txid: optStr,
  type: optStr,
  currency: z.string().min(1),
  amount: num,
  address: optStr,
  addressTo: optStr,
  addressFrom: optStr,
  network: optStr,
  status: optStr,
  timestamp: num,
  updated: optNum
})
/** One validated ccxt deposit or withdrawal; `id` falls back to the transaction hash. */
export type CcxtTransaction = Omit<z.output<typeof transactionSchema>, 'id'> & { id: string }

const positionSchema = z.object({
  symbol: z.string().min(1),
  side: optStr,
  contracts: optNum,
  contractSize: optNum,
  leverage: optNum,
  notional: optNum
})
/** One validated ccxt position. */
export type CcxtPosition = z.output<typeof positionSchema>

/** A list read where some records were unusable. */
export interface Parsed<T> {
  items: T[]
  /** Records skipped because a field Vigil keys on was missing or of the wrong type. */
  skipped: number
}

/** What is wrong with a response that is not a list (or object), `what` naming the call. */
const describe = (raw: unknown, what: string): Message =>
  typeof raw === 'string'
    ? notJson(what)
    : raw === null || raw === undefined
      ? msg('fault.malformed.empty', { what })
      : msg('fault.malformed.notList', { what, got: typeof raw })

const parseList = <T>(
  schema: z.ZodType<T>,
  raw: unknown,
  what: string,
  stream: string,
  exchangeName: string
): Parsed<T> => {
  if (!Array.isArray(raw)) throw malformed(describe(raw, what), stream, exchangeName)
  const items: T[] = []
  let skipped = 0
  for (const entry of raw) {
    const r = schema.safeParse(entry)
    if (r.success) items.push(r.data)
    else skipped++
  }
  return { items, skipped }
}

/** Validates the result of fetchOpenOrders / fetchClosedOrders / fetchOrders. */
export const parseOrders = (
  raw: unknown,
  what: string,
  stream: string,
  exchangeName: string
): Parsed<CcxtOrder> => parseList(orderSchema, raw, what, stream, exchangeName)

/** Validates the result of fetchOrder (one order). */
export const parseOrder = (
  raw: unknown,
  stream: string,
  exchangeName: string
): CcxtOrder | null => {
  const r = orderSchema.safeParse(raw)
  if (r.success) return r.data
  if (raw === null || typeof raw !== 'object')
    throw malformed(describe(raw, 'order'), stream, exchangeName)
  return null
}

/** Validates the result of fetchMyTrades. */
export const parseTrades = (
  raw: unknown,
  stream: string,
  exchangeName: string
): Parsed<CcxtTrade> => parseList(tradeSchema, raw, 'trades', stream, exchangeName)

/**
 * Validates the result of fetchWithdrawals / fetchDeposits / fetchDepositsWithdrawals. A record
 * with neither an id nor a transaction hash cannot be told apart from the next one: skipped.
 */
export const parseTransactions = (
  raw: unknown,
  what: string,
  stream: string,
  exchangeName: string
): Parsed<CcxtTransaction> => {
  const parsed = parseList(transactionSchema, raw, what, stream, exchangeName)
  const items: CcxtTransaction[] = []
  let skipped = parsed.skipped
  for (const t of parsed.items) {
    const key = t.id ?? t.txid
    if (key) items.push({ ...t, id: key })
    else skipped++
  }
  return { items, skipped }
}

/** Validates the result of fetchPositions. */
export const parsePositions = (
  raw: unknown,
  stream: string,
  exchangeName: string
): Parsed<CcxtPosition> => parseList(positionSchema, raw, 'positions', stream, exchangeName)

/** A balance line: currency and total held (free + used). */
export interface BalanceLine {
  currency: string
  total: number
}

const balanceSchema = z.object({
  total: z.record(z.string(), z.unknown()).optional(),
  free: z.record(z.string(), z.unknown()).optional(),
  used: z.record(z.string(), z.unknown()).optional()
})

/**
 * Validates the result of fetchBalance. ccxt's `total` map is the source; exchanges that report
 * only free and used get their sum. Currencies with a non-numeric total are skipped and counted.
 */
export const parseBalance = (
  raw: unknown,
  stream: string,
  exchangeName: string
): Parsed<BalanceLine> => {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw malformed(
      typeof raw === 'string'
        ? notJson('balance')
        : msg('fault.malformed.notObject', { what: 'balance' }),
      stream,
      exchangeName
    )
  const r = balanceSchema.safeParse(raw)
  if (!r.success)
    throw malformed(msg('fault.malformed.shape', { what: 'balance' }), stream, exchangeName)
  const { total, free, used } = r.data
  if (!total && !free && !used)
    throw malformed(msg('fault.malformed.noTotals', { what: 'balance' }), stream, exchangeName)
  const read = (v: unknown): number | null => {
    const p = num.safeParse(v)
    return p.success ? p.data : null
  }
  const items: BalanceLine[] = []
  let skipped = 0
  const codes = new Set([
    ...Object.keys(total ?? {}),
    ...Object.keys(free ?? {}),
    ...Object.keys(used ?? {})
  ])
  for (const currency of codes) {
    const t = total?.[currency]
    let value = t === undefined || t === null ? null : read(t)
    if (value === null && (t === undefined || t === null)) {
      const f = read(free?.[currency])
      const u = read(used?.[currency])
      value = f === null && u === null ? null : (f ?? 0) + (u ?? 0)
    }
    if (value === null) {
      if (t !== undefined && t !== null) skipped++
      continue
    }
    items.push({ currency, total: value })
  }
  items.sort((a, b) => a.currency.localeCompare(b.currency))
  return { items, skipped }
}

/**
 * The last price from a ccxt ticker (last, else close, else the bid/ask mid), or null.
 * Never throws: a ticker only adds a USD value.
 */
export const tickerPrice = (raw: unknown): number | null => {
  if (!raw || typeof raw !== 'object') return null
  const t = raw as Record<string, unknown>
  const pick = (v: unknown): number | null => {
    const p = num.safeParse(v)
    return p.success && p.data > 0 ? p.data : null
  }
  const last = pick(t.last) ?? pick(t.close)
  if (last !== null) return last
  const bid = pick(t.bid)
  const ask = pick(t.ask)
  return bid !== null && ask !== null ? (bid + ask) / 2 : (pick(t.markPrice) ?? pick(t.indexPrice))
}

// ---------------------------------------------------------------------------------------------
// Mapping to event data

/** What the mappers need to know about a market (from ccxt's `markets`). */
export interface MarketInfo {
  base: string | null
  quote: string | null
  contractSize: number | null
  inverse: boolean
  contract: boolean
}

/** Size × price in USD: linear and spot in quote units, inverse contracts in their face value. */
export const notionalUsd = (
  market: MarketInfo | null,
  amount: number | null | undefined,
  price: number | null | undefined,
  usdPerQuote: number | null
): number | null => {
  if (amount === null || amount === undefined || usdPerQuote === null) return null
  const size = Math.abs(amount) * (market?.contract ? (market.contractSize ?? 1) : 1)
  if (market?.inverse) return size * usdPerQuote
  if (price === null || price === undefined || !(price > 0)) return null
  return size * price * usdPerQuote
}

/** ccxt order → OrderData (origin unknown: ccxt's unified order does not say web vs API). */
export const orderData = (
  o: CcxtOrder,
  market: MarketInfo | null,
  usdPerQuote: number | null
): OrderData => {
  const price = o.price ?? null
  return {
    orderId: o.id,
    symbol: o.symbol,
    side: o.side,
    type: o.type ?? 'unknown',
    status: o.status ?? 'unknown',
    amount: o.amount ?? 0,
    price,
    filled: o.filled ?? null,
    notionalUsd: notionalUsd(market, o.amount, o.average || price, usdPerQuote),
    reduceOnly: o.reduceOnly ?? false,
    origin: null,
    leverage: null
  }
}

/** ccxt trade → FillData. `marketPrice` is the cached ticker price of the market, when known. */
export const fillData = (
  t: CcxtTrade,
  market: MarketInfo | null,
  usdPerQuote: number | null,
  marketPrice: number | null
): FillData => ({
  tradeId: t.id,
  orderId: t.order ?? null,
  symbol: t.symbol,
  side: t.side,
  amount: t.amount,
  price: t.price,
  notionalUsd: notionalUsd(market, t.amount, t.price, usdPerQuote),
  marketPrice
})

/** ccxt withdrawal → WithdrawalData. */
export const withdrawalData = (t: CcxtTransaction, usd: number | null): WithdrawalData => ({
  withdrawalId: t.id,
  currency: t.currency,
  amount: Math.abs(t.amount),
  address: t.addressTo ?? t.address ?? '',
  network: t.network ?? null,
  status: t.status ?? null,
  amountUsd: usd === null ? null : Math.abs(t.amount) * usd
})

/** ccxt deposit → deposit event data (same fields as the deep connectors' deposits). */
export const depositData = (t: CcxtTransaction, usd: number | null): Record<string, unknown> => ({
  depositId: t.id,
  currency: t.currency,
  amount: Math.abs(t.amount),
  address: t.addressTo ?? t.address ?? null,
  from: t.addressFrom ?? null,
  network: t.network ?? null,
  status: t.status ?? null,
  amountUsd: usd === null ? null : Math.abs(t.amount) * usd
})

/** ccxt position (or its absence) → PositionData. */
export const positionData = (symbol: string, p: CcxtPosition | null): PositionData => {
  const size = Math.abs(p?.contracts ?? 0)
  return {
    symbol,
    side: !p || size === 0 ? 'flat' : p.side === 'short' ? 'short' : 'long',
    size,
    leverage: p?.leverage ?? null
  }
}

/** Whether a fault came from response validation (for tests and callers that branch on it). */
export const isMalformed = (fault: ExchangeFault): boolean => fault.category === 'malformed'
