/**
 * Bybit v5 response shapes and their mapping to Vigil's event model. Pure: no I/O, no clock, so
 * the documented examples (`shared/fixtures/exchange-docs/bybit-*.json`) run through the same code
 * the connector uses.
 *
 * Every response is validated before use. Bybit prints numbers as strings and uses `""` for
 * "none"; a response that does not match (a truncated body, which ccxt hands back as a raw
 * string; a missing `result`; a wrong field type) raises `ExchangeFault('malformed')` for the
 * stream that asked, and nothing from it is used.
 *
 * Documented quirks handled here:
 * - `query-api`: `ips: ["*"]` (or `[]`, `""`) means no IP binding; `readOnly: 1` wins over trade
 *   permission names (the current docs example combines both); `type: 2` is a key linked to a
 *   third-party app; `expiredAt` / `deadlineDay` only mean something for unbound keys
 *   (`deadlineDay: -2` with the epoch = no expiry); unknown permission groups and fields are
 *   ignored; `secret` is always `""` and never kept.
 * - `execution/list` mixes funding settlements (`execType: "Funding"`) with trades.
 * - `withdraw/query-address`: the field table says `createAt`, the example `createdAt` (seconds).
 * - `withdraw/query-record` lists transfers to other Bybit users as off-chain withdrawals
 *   (`withdrawType: 1`, `toAddress` = the receiving UID).
 */
import { z } from 'zod'

import { ExchangeFault, type KeySnapshot } from './connector'
import {
  badShape,
  classifyError,
  exchangeReason,
  malformed,
  notJson,
  type ClassifyContext
} from './errors'
import type {
  AddressData,
  FillData,
  LeverageData,
  OrderData,
  PositionData,
  TransferData,
  WithdrawalData
} from '../model'

/** How fault messages name the exchange. */
export const EXCHANGE_NAME = 'Bybit'
/** Bybit's API-key management page. */
export const BYBIT_API_KEYS_URL = 'https://www.bybit.com/app/user/api-management'

// ---------------------------------------------------------------------------------------------
// Primitives. Bybit sends numbers as strings and "" for none.

/** A number Bybit may send as a string; `""` and null become null. */
const optNum = z.preprocess(
  (v) =>
    v === '' || v === null || v === undefined
      ? null
      : typeof v === 'string' && Number.isFinite(Number(v))
        ? Number(v)
        : v,
  z.number().finite().nullable()
)
/** A required number (string or number). */
const num = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v),
  z.number().finite()
)
const id = z.union([z.string().min(1), z.number()]).transform(String)
const optStr = z.string().nullish()

/** Validates `raw` as a Bybit envelope whose `result` matches `result`. */
export const parseEnvelope = <S extends z.ZodType>(
  result: S,
  raw: unknown,
  what: string,
  stream?: string
): z.output<S> => {
  if (typeof raw === 'string') throw malformed(notJson(what), stream, EXCHANGE_NAME)
  const parsed = z
    .object({ retCode: z.union([z.literal(0), z.literal('0')]).optional(), result })
    .safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue ? issue.path.join('.') || 'response' : 'response'
    throw malformed(badShape(what, where), stream, EXCHANGE_NAME)
  }
  return (parsed.data as { result: z.output<S> }).result
}

const paged = <T extends z.ZodType>(row: T, listKey: 'list' | 'rows' = 'list') =>
  z.object({ [listKey]: z.array(row), nextPageCursor: optStr }).transform((r) => ({
    list: (r as Record<string, unknown>)[listKey] as z.output<T>[],
    next: (r.nextPageCursor as string | null | undefined) || null
  }))

// ---------------------------------------------------------------------------------------------
// Errors

/**
 * Classifies a failed Bybit call. On top of `classifyError`: Bybit's system-level 429 and retCode
 * 10006 are rate limits (ccxt already maps them), 10016 "under maintenance" is maintenance and
 * other 10016 / 10000 server errors are transient (ccxt calls them a generic ExchangeError).
 */
export const classifyBybit = (error: unknown, context: ClassifyContext = {}): ExchangeFault => {
  const fault = classifyError(error, { exchangeName: EXCHANGE_NAME, ...context })
  if (fault.category !== 'unknown' || !(error instanceof Error)) return fault
  const { code, text } = exchangeReason(error.message)
  if ((code === '10016' || code === '10000') && /maintenance/i.test(text ?? ''))
    return new ExchangeFault('maintenance', fault.msg, fault.stream, fault.retryAfterMs)
  if (code === '10016' || code === '10000' || code === '5004' || code === '10019')
    return new ExchangeFault('transient', fault.msg, fault.stream)
  if (code === '429')
    return new ExchangeFault('rate-limit', fault.msg, fault.stream, fault.retryAfterMs)
  return fault
}

/** Bybit's retCode inside a ccxt error message, if any. */
export const bybitCode = (error: unknown): string | undefined =>
  error instanceof Error ? exchangeReason(error.message).code : undefined

// ---------------------------------------------------------------------------------------------
// Key: GET /v5/user/query-api

const keyInfoSchema = z.object({
  id,
  note: optStr,
  apiKey: optStr,
  readOnly: num,
  permissions: z.record(z.string(), z.array(z.string()).nullish()).nullish(),
  // Documented as an array; tolerate a comma string.
  ips: z.union([z.array(z.string()), z.string().transform((s) => s.split(','))]).nullish(),
  type: optNum,
  deadlineDay: optNum,
  expiredAt: optStr,
  createdAt: optStr,
  isMaster: z.boolean().nullish(),
  userID: z.union([z.number(), z.string()]).nullish(),
  uta: optNum,
  unified: optNum
})

/** The calling key as Bybit describes it, normalised, with the raw permission groups kept. */
export interface BybitKeyInfo {
  snapshot: KeySnapshot
  /** Bybit's own permission groups, exactly as listed (for diagnostics and the UI). */
  rawPermissions: Record<string, string[]>
  readOnly: boolean
  isMaster: boolean
  /** Holds "Account Transfer", "Subaccount Transfer" or "Withdrawal": may delete or update itself. */
  canManageSelf: boolean
  /** Last four characters of the API key, for display. */
  apiKeyHint: string | null
  userId: string | null
}

/** Bybit's "no IP bound" encodings. */
const UNBOUND = new Set(['*', '', '0.0.0.0/0'])

/** ISO time (or ms string) → ms; null for missing, unparsable or the epoch placeholder. */
const time = (value: string | null | undefined): number | null => {
  if (!value) return null
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value)
  return Number.isFinite(ms) && ms > 0 ? ms : null
}

/**
 * Bybit permission groups → Vigil's vocabulary (`read`, `spot`, `futures`, `withdraw`,
 * `transfer`). Every key can read. `readOnly: 1` is authoritative: a read-only key gets `read`
 * only, whatever names its groups list.
 */
export const normalizeBybitPermissions = (
  readOnly: boolean,
  groups: Record<string, readonly string[] | null | undefined>
): string[] => {
  const out = ['read']
  if (readOnly) return out
  const group = (name: string): readonly string[] => groups[name] ?? []
  if (group('Spot').length > 0) out.push('spot')
  if (
    group('ContractTrade').length > 0 ||
    group('Derivatives').length > 0 ||
    group('Options').length > 0
  )
    out.push('futures')
  if (group('Wallet').includes('Withdraw')) out.push('withdraw')
  if (group('Wallet').some((p) => p === 'AccountTransfer' || p === 'SubMemberTransfer'))
    out.push('transfer')
  return out
}

/** Parses `query-api` into the self key's snapshot. */
export const parseKeyInfo = (raw: unknown, stream = 'keys'): BybitKeyInfo => {
  const k = parseEnvelope(keyInfoSchema, raw, 'API key information', stream)
  const groups: Record<string, string[]> = {}
  for (const [name, list] of Object.entries(k.permissions ?? {})) groups[name] = [...(list ?? [])]
  const readOnly = k.readOnly === 1
  const ips = (k.ips ?? []).map((ip) => ip.trim())
  const unbound = ips.length === 0 || ips.every((ip) => UNBOUND.has(ip))
  // expiredAt / deadlineDay only apply to unbound keys; -2 or the epoch mean "never".
  const expiry =
    k.deadlineDay !== null && k.deadlineDay !== undefined && k.deadlineDay < 0
      ? null
      : time(k.expiredAt)
  const wallet = groups.Wallet ?? []
  return {
    snapshot: {
      keyId: k.id,
      name: k.note ? k.note : null,
      permissions: normalizeBybitPermissions(readOnly, groups),
      ipWhitelist: unbound ? [] : ips.filter((ip) => !UNBOUND.has(ip)),
      enabled: true,
      self: true,
      createdAt: time(k.createdAt),
      expiresAt: expiry,
      thirdParty: k.type === 2
    },
    rawPermissions: groups,
    readOnly,
    isMaster: k.isMaster !== false,
    canManageSelf: wallet.some(
      (p) => p === 'AccountTransfer' || p === 'SubMemberTransfer' || p === 'Withdraw'
    ),
    apiKeyHint: k.apiKey ? (k.apiKey.length <= 4 ? '…' : `…${k.apiKey.slice(-4)}`) : null,
    userId: k.userID === null || k.userID === undefined ? null : String(k.userID)
  }
}

/** `delete-api` / `update-api` answered: `result: {}` (delete) or the key object (update). */
export const parseKeyChange = (
  raw: unknown,
  stream = 'killSwitch'
): { readOnly: boolean | null } => {
  const r = parseEnvelope(
    z.union([z.object({ readOnly: num }).loose(), z.object({}).loose()]),
    raw,
    'key change answer',
    stream
  )
  return { readOnly: 'readOnly' in r && typeof r.readOnly === 'number' ? r.readOnly === 1 : null }
}

// ---------------------------------------------------------------------------------------------
// Orders: /v5/order/realtime, /v5/order/history

const orderSchema = z.object({
  orderId: id,
  orderLinkId: optStr,
  symbol: z.string().min(1),
  side: z.enum(['Buy', 'Sell']),
  orderType: z.string(),
  orderStatus: z.string(),
  price: optNum,
  qty: num,
  avgPrice: optNum,
  cumExecQty: optNum,
  reduceOnly: z.boolean().nullish(),
  stopOrderType: optStr,
  triggerPrice: optNum,
  createdTime: num,
  updatedTime: num
})
/** One validated Bybit order. */
export type BybitOrder = z.output<typeof orderSchema>

/** Validates one page of orders. */
export const parseOrders = (
  raw: unknown,
  what: string,
  stream: string
): { list: BybitOrder[]; next: string | null } =>
  parseEnvelope(paged(orderSchema), raw, what, stream)

/** Vigil's status words for Bybit's order statuses. */
export const orderState = (status: string): string => {
  switch (status) {
    case 'New':
    case 'PartiallyFilled':
    case 'Untriggered':
    case 'Triggered':
    case 'Active':
      return 'open'
    case 'Filled':
      return 'filled'
    case 'Rejected':
      return 'rejected'
    case 'Cancelled':
    case 'PartiallyFilledCanceled':
    case 'Deactivated':
      return 'cancelled'
    default:
      return status.toLowerCase()
  }
}

/** A conditional (trigger / TP-SL) order, which spot `cancel-all` leaves alone by default. */
export const isConditional = (o: BybitOrder): boolean =>
  !!o.stopOrderType && o.stopOrderType !== 'UNKNOWN' && o.stopOrderType !== ''

/** What the connector knows about the market an order, fill or position is on. */
export interface MarketInfo {
  /** Unified ccxt symbol, e.g. `BTC/USDT:USDT`. */
  symbol: string
  category: 'spot' | 'linear' | 'inverse' | 'option'
  base: string | null
  quote: string | null
  /** USD per unit of the quote currency, when known. */
  quoteUsd: number | null
  /** Last known market price, for market orders without a price yet. */
  last: number | null
}

/** USD notional of `qty` at `price` on a market (inverse contracts are already USD). */
export const notionalUsd = (info: MarketInfo, qty: number, price: number | null): number | null => {
  if (info.category === 'inverse') return qty
  const p = price && price > 0 ? price : info.last
  if (!p || info.quoteUsd === null) return null
  return qty * p * info.quoteUsd
}

/** Maps a Bybit order to OrderData (with the symbol's leverage when known). */
export const orderData = (
  o: BybitOrder,
  info: MarketInfo,
  leverage: number | null
): OrderData & { conditional?: boolean; exchangeStatus: string } => {
  const price = o.price && o.price > 0 ? o.price : null
  const data: OrderData & { conditional?: boolean; exchangeStatus: string } = {
    orderId: o.orderId,
    symbol: info.symbol,
    side: o.side === 'Buy' ? 'buy' : 'sell',
    type: o.orderType.toLowerCase(),
    status: orderState(o.orderStatus),
    amount: o.qty,
    // Bybit prints a protective price on derivative market orders; it is not a limit price.
    price: o.orderType === 'Market' ? null : price,
    filled: o.cumExecQty ?? null,
    notionalUsd: notionalUsd(info, o.qty, o.avgPrice && o.avgPrice > 0 ? o.avgPrice : price),
    reduceOnly: o.reduceOnly ?? false,
    // Bybit does not say whether an order came from the website or the API.
    origin: null,
    leverage: info.category === 'spot' ? null : leverage,
    exchangeStatus: o.orderStatus
  }
  if (isConditional(o)) data.conditional = true
  return data
}

// ---------------------------------------------------------------------------------------------
// Executions: /v5/execution/list

const executionSchema = z.object({
  execId: id,
  orderId: optStr,
  symbol: z.string().min(1),
  side: z.enum(['Buy', 'Sell', '']).nullish(),
  execPrice: num,
  execQty: num,
  execTime: num,
  execType: z.string(),
  markPrice: optNum
})
/** One validated execution. */
export type BybitExecution = z.output<typeof executionSchema>

/** Validates one page of executions. */
export const parseExecutions = (
  raw: unknown,
  stream: string
): { list: BybitExecution[]; next: string | null } =>
  parseEnvelope(paged(executionSchema), raw, 'trade history', stream)

/** Execution types that are trades. Funding, settlement and delivery rows are not. */
const TRADE_EXEC_TYPES = new Set(['Trade', 'AdlTrade', 'BustTrade', 'BlockTrade'])

/** Whether an execution row is a trade (funding payments, `execType: "Funding"`, are not). */
export const isTradeExecution = (e: BybitExecution): boolean => TRADE_EXEC_TYPES.has(e.execType)

/** Maps a trade execution to FillData; the mark price is kept for off-market checks. */
export const fillData = (e: BybitExecution, info: MarketInfo): FillData => ({
  tradeId: e.execId,
  orderId: e.orderId || null,
  symbol: info.symbol,
  side: e.side === 'Sell' ? 'sell' : 'buy',
  amount: e.execQty,
  price: e.execPrice,
  notionalUsd: notionalUsd(info, e.execQty, e.execPrice),
  marketPrice: e.markPrice && e.markPrice > 0 ? e.markPrice : null
})

// ---------------------------------------------------------------------------------------------
// Positions: /v5/position/list

const positionSchema = z.object({
  symbol: z.string().min(1),
  side: z.string().nullish(),
  size: num,
  leverage: optNum,
  avgPrice: optNum,
  markPrice: optNum,
  seq: z.union([z.number(), z.string()]).nullish(),
  updatedTime: optNum
})
/** One validated position row. */
export type BybitPosition = z.output<typeof positionSchema>

/** Validates one page of positions. */
export const parsePositions = (
  raw: unknown,
  stream: string
): { list: BybitPosition[]; next: string | null } =>
  parseEnvelope(paged(positionSchema), raw, 'positions', stream)

/** Maps a position row (or its absence: flat) to PositionData. */
export const positionData = (symbol: string, p: BybitPosition | null): PositionData => ({
  symbol,
  side: !p || p.size === 0 || !p.side ? 'flat' : p.side === 'Sell' ? 'short' : 'long',
  size: p ? Math.abs(p.size) : 0,
  leverage: p?.leverage ?? null
})

/** Maps a leverage change to LeverageData. */
export const leverageData = (
  symbol: string,
  leverage: number,
  previous: number | null
): LeverageData => ({ symbol, leverage, previous })

// ---------------------------------------------------------------------------------------------
// Balances: /v5/account/wallet-balance, /v5/asset/transfer/query-account-coins-balance

const walletSchema = z.object({
  list: z.array(
    z.object({
      accountType: z.string(),
      coin: z.array(
        z.object({
          coin: z.string().min(1),
          equity: optNum,
          walletBalance: optNum,
          usdValue: optNum
        })
      )
    })
  )
})

/** One coin of the Unified Trading Account. */
export interface BybitCoinBalance {
  coin: string
  /** Equity (includes unrealised PnL) when reported, else wallet balance. */
  total: number
  usdValue: number | null
}

/** Validates wallet-balance and returns the coins of every listed account. */
export const parseWalletBalance = (raw: unknown, stream = 'balances'): BybitCoinBalance[] =>
  parseEnvelope(walletSchema, raw, 'wallet balance', stream).list.flatMap((a) =>
    a.coin.map((c) => ({
      coin: c.coin,
      total: c.equity ?? c.walletBalance ?? 0,
      usdValue: c.usdValue
    }))
  )

/** Validates a Funding-account balance answer. */
export const parseFundBalance = (
  raw: unknown,
  stream = 'balances'
): { coin: string; total: number }[] =>
  parseEnvelope(
    z.object({
      balance: z.array(z.object({ coin: z.string().min(1), walletBalance: optNum }))
    }),
    raw,
    'funding balance',
    stream
  ).balance.map((b) => ({ coin: b.coin, total: b.walletBalance ?? 0 }))

// ---------------------------------------------------------------------------------------------
// Withdrawals: /v5/asset/withdraw/query-record

const withdrawalSchema = z.object({
  withdrawId: id,
  coin: z.string().min(1),
  chain: optStr,
  amount: num,
  status: z.string(),
  toAddress: z.string(),
  txID: optStr,
  createTime: num,
  updateTime: optNum,
  withdrawType: optNum
})
/** One validated withdrawal record. */
export type BybitWithdrawal = z.output<typeof withdrawalSchema>

/** Validates one page of withdrawal records. */
export const parseWithdrawals = (
  raw: unknown,
  stream: string
): { list: BybitWithdrawal[]; next: string | null } =>
  parseEnvelope(paged(withdrawalSchema, 'rows'), raw, 'withdrawal history', stream)

/** Off-chain "withdrawals" are transfers to another Bybit user. */
export const isOffChain = (w: BybitWithdrawal): boolean => w.withdrawType === 1

/** Maps an on-chain withdrawal to WithdrawalData. */
export const withdrawalData = (w: BybitWithdrawal, usdPerUnit: number | null): WithdrawalData => ({
  withdrawalId: w.withdrawId,
  currency: w.coin,
  amount: w.amount,
  address: w.toAddress,
  network: w.chain || null,
  status: w.status,
  amountUsd: usdPerUnit === null ? null : w.amount * usdPerUnit
})

/** Maps an off-chain withdrawal (to another Bybit UID) to TransferData. */
export const offChainTransferData = (
  w: BybitWithdrawal,
  usdPerUnit: number | null
): TransferData & { toUid: string; kind: string } => ({
  transferId: w.withdrawId,
  currency: w.coin,
  amount: w.amount,
  to: 'external-user',
  toUid: w.toAddress,
  kind: 'internal-withdrawal',
  amountUsd: usdPerUnit === null ? null : w.amount * usdPerUnit
})

// ---------------------------------------------------------------------------------------------
// Transfers: universal (to sub-accounts) and internal (between own account types)

const universalSchema = z.object({
  transferId: id,
  coin: z.string().min(1),
  amount: num,
  fromMemberId: optStr,
  toMemberId: optStr,
  fromAccountType: optStr,
  toAccountType: optStr,
  timestamp: num,
  status: optStr
})
const internalSchema = universalSchema.omit({ fromMemberId: true, toMemberId: true })

/** One validated universal transfer. */
export type BybitUniversalTransfer = z.output<typeof universalSchema>
/** One validated internal transfer. */
export type BybitInternalTransfer = z.output<typeof internalSchema>

/** Validates one page of universal (sub-account) transfers. */
export const parseUniversalTransfers = (
  raw: unknown,
  stream: string
): { list: BybitUniversalTransfer[]; next: string | null } =>
  parseEnvelope(paged(universalSchema), raw, 'sub-account transfers', stream)

/** Validates one page of internal transfers (Unified ↔ Funding). */
export const parseInternalTransfers = (
  raw: unknown,
  stream: string
): { list: BybitInternalTransfer[]; next: string | null } =>
  parseEnvelope(paged(internalSchema), raw, 'internal transfers', stream)

/** Maps a universal transfer (master → sub-account, or back) to TransferData. */
export const universalTransferData = (
  t: BybitUniversalTransfer,
  selfUid: string | null,
  usdPerUnit: number | null
): TransferData & { toUid: string | null; fromUid: string | null; kind: string } => ({
  transferId: t.transferId,
  currency: t.coin,
  amount: t.amount,
  to: selfUid !== null && t.toMemberId === selfUid ? 'self' : 'sub',
  toUid: t.toMemberId ?? null,
  fromUid: t.fromMemberId ?? null,
  kind: 'sub-account',
  amountUsd: usdPerUnit === null ? null : t.amount * usdPerUnit
})

/**
 * Maps an internal transfer to TransferData: `to` is the receiving account type (`FUND`,
 * `UNIFIED`). A Unified → Funding move usually comes right before a withdrawal.
 */
export const internalTransferData = (
  t: BybitInternalTransfer,
  usdPerUnit: number | null
): TransferData & { from: string | null; kind: string; internal: true } => ({
  transferId: t.transferId,
  currency: t.coin,
  amount: t.amount,
  to: t.toAccountType ?? 'unknown',
  from: t.fromAccountType ?? null,
  kind: 'internal',
  internal: true,
  amountUsd: usdPerUnit === null ? null : t.amount * usdPerUnit
})

// ---------------------------------------------------------------------------------------------
// Withdrawal address book: /v5/asset/withdraw/query-address

const addressSchema = z
  .object({
    coin: z.string().min(1),
    chain: optStr,
    address: z.string().min(1),
    tag: optStr,
    remark: optStr,
    status: optNum,
    // The field table says createAt, the example createdAt; both are seconds.
    createAt: optNum,
    createdAt: optNum
  })
  .transform((a) => {
    const t = a.createAt ?? a.createdAt
    return {
      coin: a.coin,
      chain: a.chain || null,
      address: a.address,
      tag: a.tag || null,
      remark: a.remark || null,
      status: a.status ?? null,
      createdAt: t === null ? null : t < 1e11 ? t * 1000 : t
    }
  })
/** One validated address-book entry. */
export type BybitAddress = z.output<typeof addressSchema>

/** Validates one page of the withdrawal address book. */
export const parseAddresses = (
  raw: unknown,
  stream: string
): { list: BybitAddress[]; next: string | null } =>
  parseEnvelope(paged(addressSchema, 'rows'), raw, 'withdrawal address book', stream)

/**
 * Record id of an address: `<coin>:<address>` (Bybit gives entries no id); the chain qualifies
 * it after `#` because the same address may be whitelisted on several chains.
 */
export const addressRecordId = (a: { coin: string; address: string }): string =>
  `${a.coin}:${a.address}`

/** The snapshot key of an address-book entry. */
export const addressKey = (a: { coin: string; address: string; chain: string | null }): string =>
  `${a.coin}:${a.address}#${a.chain ?? ''}`

/**
 * Maps an entry to AddressData. `coin: "baseCoin"` is Bybit's universal address (any coin on
 * that chain); it keeps that name and is flagged.
 */
export const addressData = (
  a: BybitAddress
): AddressData & { chain: string | null; universal?: boolean } => ({
  currency: a.coin,
  address: a.address,
  label: a.remark,
  chain: a.chain,
  ...(a.coin === 'baseCoin' ? { universal: true } : {})
})

// ---------------------------------------------------------------------------------------------
// Small results

/** `cancel-all`: the orders Bybit accepted to cancel. */
export const parseCancelAll = (raw: unknown, stream = 'cancelAll'): string[] =>
  parseEnvelope(
    z.object({ list: z.array(z.object({ orderId: id })).nullish() }),
    raw,
    'cancel-all answer',
    stream
  ).list?.map((o) => o.orderId) ?? []

/** `market/tickers`: last prices by Bybit symbol. */
export const parseTickers = (raw: unknown): Map<string, number> => {
  const r = parseEnvelope(
    z.object({ list: z.array(z.object({ symbol: z.string(), lastPrice: optNum })) }),
    raw,
    'tickers'
  )
  const out = new Map<string, number>()
  for (const t of r.list) if (t.lastPrice && t.lastPrice > 0) out.set(t.symbol, t.lastPrice)
  return out
}
