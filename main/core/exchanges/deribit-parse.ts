/**
 * Deribit response shapes and their mapping to Vigil's event model. Pure: no I/O, no clock, so
 * every documented example (`shared/fixtures/exchange-docs/deribit-*.json`) can be run through the
 * same code the connector uses.
 *
 * Every response is validated before use. A response that does not match (truncated JSON, which
 * ccxt hands back as a raw string; a missing `result`; a wrong field type) raises
 * `ExchangeFault('malformed')` for the stream that asked, and nothing from it is used.
 */
import { z } from 'zod'

import { ExchangeFault, type KeySnapshot } from './connector'
import { badShape, malformed, notJson } from './errors'
import type {
  AddressData,
  EventKind,
  EventType,
  FillData,
  KeyData,
  LoginData,
  NewEvent,
  OrderData,
  PositionData,
  WithdrawalData
} from '../model'

/** How fault messages name the exchange. */
export const EXCHANGE_NAME = 'Deribit'
/** Deribit's API-key management page (the currency segment does not matter for keys). */
export const DERIBIT_API_KEYS_URL = 'https://www.deribit.com/account/BTC/api'

// ---------------------------------------------------------------------------------------------
// Primitive schemas. Deribit sends JSON numbers, but ccxt re-quotes every number as a string when
// a body holds an integer beyond 2^53, so numeric fields accept numeric strings too.

const num = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v),
  z.number().finite()
)
const id = z.union([z.string().min(1), z.number()]).transform(String)
const optNum = num.nullish()
const optStr = z.string().nullish()
const optBool = z.boolean().nullish()

/** Validates `raw` as a JSON-RPC envelope whose `result` matches `result`. */
export const parseResult = <S extends z.ZodType>(
  result: S,
  raw: unknown,
  what: string,
  stream?: string
): z.output<S> => {
  if (typeof raw === 'string') throw malformed(notJson(what), stream, EXCHANGE_NAME)
  const parsed = z.object({ result }).safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue ? issue.path.join('.') || 'response' : 'response'
    throw malformed(badShape(what, where), stream, EXCHANGE_NAME)
  }
  return (parsed.data as { result: z.output<S> }).result
}

// ---------------------------------------------------------------------------------------------
// Access log: private/get_access_log

const accessLogEntrySchema = z
  .object({
    id,
    timestamp: num,
    ip: optStr,
    country: optStr,
    city: optStr,
    // The docs' example names the event field `result`; the OpenAPI schema names it `log`.
    log: optStr,
    result: optStr,
    data: z.unknown().optional(),
    // Not part of Deribit's schema; accepted when a simulator or a future API version adds it.
    user_agent: optStr
  })
  .refine((e) => typeof (e.log ?? e.result) === 'string', { message: 'entry has no event value' })

/** One validated access-log entry (either documented field name for the event). */
export type AccessLogEntry = z.output<typeof accessLogEntrySchema>

/** Both documented envelopes: `result: [...]` (schema) and `result: {records_total, data}` (example). */
const accessLogResultSchema = z.union([
  z.array(accessLogEntrySchema),
  z.object({ data: z.array(accessLogEntrySchema), records_total: optNum })
])

/** Validates a get_access_log response in either documented envelope and returns its entries. */
export const parseAccessLog = (raw: unknown, stream = 'accessLog'): AccessLogEntry[] => {
  const result = parseResult(accessLogResultSchema, raw, 'access log', stream)
  return Array.isArray(result) ? result : result.data
}

/** Values Deribit's own docs use as placeholders for an unknown location. */
const PLACEHOLDER_PLACE = /^(local (country|town|city)|unknown|n\/a|-|\?)$/i
const place = (value: string | null | undefined): string | null => {
  const v = value?.trim()
  return v && !PLACEHOLDER_PLACE.test(v) ? v : null
}

const ACCESS_LOG_EVENTS: Record<string, { kind: EventKind; type: EventType; change?: string }> = {
  success: { kind: 'login', type: 'login.success' },
  failure: { kind: 'login', type: 'login.failure' },
  changed_email: { kind: 'security', type: 'security.email_changed' },
  changed_password: { kind: 'security', type: 'security.password_changed' },
  disabled_tfa: { kind: 'security', type: 'security.twofa_disabled' },
  enabled_tfa: { kind: 'security', type: 'security.twofa_enabled' },
  enabled_subaccount_login: { kind: 'security', type: 'security.subaccount_login_enabled' },
  disabled_subaccount_login: { kind: 'security', type: 'security.subaccount_login_disabled' },
  new_api_key: { kind: 'key', type: 'key.created', change: 'created' },
  removed_api_key: { kind: 'key', type: 'key.removed', change: 'removed' },
  changed_scope: { kind: 'key', type: 'key.changed', change: 'scope' },
  changed_whitelist: { kind: 'key', type: 'key.changed', change: 'ip_whitelist' },
  disabled_api_key: { kind: 'key', type: 'key.disabled', change: 'disabled' },
  enabled_api_key: { kind: 'key', type: 'key.enabled', change: 'enabled' },
  reset_api_key: { kind: 'key', type: 'key.changed', change: 'secret_reset' }
}

/** Last four characters of an identifier, for display: full client ids are key material. */
export const hint = (value: string): string => (value.length <= 4 ? '…' : '…' + value.slice(-4))

/** What the connector knows about a key, to fill in access-log key events. */
export interface KnownKey {
  snapshot: KeySnapshot
  clientId: string | null
}

/**
 * Maps one access-log entry to an event. Unknown event values are kept as `security.unknown`
 * with the raw value, so a new Deribit event kind is visible instead of dropped.
 *
 * Record ids: the access-log id for login and security events. Key events carry
 * `<logId>#<value>` because kind `key` is shared with the core's key-list diffs, which use the
 * key's own id as record id; both are Deribit ids and would otherwise collide.
 */
export const accessLogEvent = (
  entry: AccessLogEntry,
  accountId: string,
  findKey: (ref: string) => KnownKey | undefined = () => undefined
): NewEvent => {
  const value = (entry.log ?? entry.result ?? '').trim()
  const known = ACCESS_LOG_EVENTS[value]
  const ip = entry.ip?.trim() ?? ''
  const country = place(entry.country)
  const city = place(entry.city)
  const base = { accountId, ts: entry.timestamp, exchangeRecordId: entry.id }
  if (known?.kind === 'login') {
    const data: LoginData = { ip, success: value === 'success', country, city }
    if (entry.user_agent) data.userAgent = entry.user_agent
    return { ...base, kind: 'login', type: known.type, data }
  }
  if (known?.kind === 'key') {
    const ref =
      typeof entry.data === 'string' || typeof entry.data === 'number' ? String(entry.data) : null
    const key = ref ? findKey(ref) : undefined
    const data: KeyData & Record<string, unknown> = {
      keyId: key?.snapshot.keyId ?? 'unknown',
      name: key?.snapshot.name ?? null,
      permissions: key?.snapshot.permissions ?? [],
      ipWhitelist: key?.snapshot.ipWhitelist ?? [],
      self: key?.snapshot.self ?? false,
      source: 'access_log',
      change: known.change,
      ip,
      country,
      city
    }
    if (key?.snapshot.createdAt) data.createdAt = key.snapshot.createdAt
    if (ref) data.clientIdHint = hint(key?.clientId ?? ref)
    return {
      ...base,
      exchangeRecordId: `${entry.id}#${value}`,
      kind: 'key',
      type: known.type,
      data
    }
  }
  if (known)
    return {
      ...base,
      kind: 'security',
      type: known.type,
      data: { ip, country, city, event: value }
    }
  return {
    ...base,
    kind: 'security',
    type: 'security.unknown',
    data: { ip, country, city, event: 'unknown', raw: value.slice(0, 100) }
  }
}

// ---------------------------------------------------------------------------------------------
// Keys: private/list_api_keys. `client_secret` is deliberately absent from the schema: zod drops
// unknown fields, so the secret Deribit's example shows never leaves this function.

const apiKeySchema = z.object({
  id,
  client_id: optStr,
  name: optStr,
  max_scope: z.string(),
  enabled: z.boolean(),
  timestamp: optNum,
  ip_whitelist: z.array(z.string()).nullish(),
  enabled_features: z.array(z.string()).nullish()
})

/** A validated key list: snapshots for the core, client ids for in-memory lookups only. */
export interface ParsedKeys {
  keys: KeySnapshot[]
  /** keyId → client id, kept in memory only to resolve access-log references. */
  clientIds: Map<string, string>
}

/**
 * Parses the key list. `self` is the key whose `client_id` equals the API key Vigil signs with
 * (or whose id is the one the core already recorded as Vigil's).
 */
export const parseApiKeys = (
  raw: unknown,
  self: { clientId: string | null; keyId: string | null },
  stream = 'keys'
): ParsedKeys => {
  const rows = parseResult(z.array(apiKeySchema), raw, 'API key list', stream)
  const clientIds = new Map<string, string>()
  const keys = rows.map((k): KeySnapshot => {
    if (k.client_id) clientIds.set(k.id, k.client_id)
    return {
      keyId: k.id,
      name: k.name ? k.name : null,
      // `max_scope` is a space-separated list of `area:level` pairs.
      permissions: k.max_scope.split(/\s+/).filter(Boolean),
      // Absent whitelist = no IP restriction.
      ipWhitelist: (k.ip_whitelist ?? []).map((ip) => ip.trim()).filter(Boolean),
      enabled: k.enabled,
      self:
        (!!self.clientId && k.client_id === self.clientId) || (!!self.keyId && k.id === self.keyId),
      createdAt: k.timestamp ?? null,
      expiresAt: null,
      thirdParty: false
    }
  })
  return { keys, clientIds }
}

/**
 * Result of disable/enable/remove_api_key: the key object, or a security-key / 2FA challenge
 * Vigil cannot answer.
 */
const keyActionSchema = z.union([
  z.looseObject({ security_key_authorization_required: z.literal(true) }),
  z.object({ id, enabled: z.boolean() }),
  z.literal('ok'),
  z.string()
])

/** What a key-management call achieved. */
export type KeyActionOutcome =
  { kind: 'key'; enabled: boolean } | { kind: 'challenge' } | { kind: 'ok' }

/** Validates a disable/enable/remove_api_key answer; a challenge means a human must finish it. */
export const parseKeyAction = (raw: unknown, stream = 'disableKey'): KeyActionOutcome => {
  const r = parseResult(keyActionSchema, raw, 'key change answer', stream)
  if (typeof r === 'string') return { kind: 'ok' }
  if ('security_key_authorization_required' in r) return { kind: 'challenge' }
  return { kind: 'key', enabled: r.enabled }
}

/** Whether an error (or its JSON body) is Deribit asking for a security key / 2FA or refusing scope. */
export const manualActionReason = (error: unknown): 'challenge' | 'scope' | 'tfa' | null => {
  const text = error instanceof Error ? error.message : typeof error === 'string' ? error : ''
  if (/security_key_authorization_required|"challenge"/.test(text)) return 'challenge'
  if (/scope_exceeded|"code"\s*:\s*13403\b/.test(text)) return 'scope'
  if (/tfa_required|"code"\s*:\s*13003\b/.test(text)) return 'tfa'
  return null
}

// ---------------------------------------------------------------------------------------------
// Orders: get_open_orders_by_currency, get_order_history_by_currency

const orderSchema = z.object({
  order_id: id,
  instrument_name: z.string(),
  direction: z.enum(['buy', 'sell']),
  order_type: z.string(),
  order_state: z.string(),
  amount: num,
  // Market orders report `"price": "market_price"`.
  price: z.union([num, z.string()]).nullish(),
  average_price: optNum,
  filled_amount: optNum,
  creation_timestamp: num,
  last_update_timestamp: num,
  reduce_only: optBool,
  web: optBool,
  api: optBool,
  label: optStr
})
/** One validated Deribit order. */
export type DeribitOrder = z.output<typeof orderSchema>

/** Some Deribit versions wrap history as `{orders: [...]}`; accept both. */
const ordersResultSchema = z.union([
  z.array(orderSchema),
  z.object({ orders: z.array(orderSchema) }).transform((r) => r.orders)
])

/** Validates an open-orders or order-history response. */
export const parseOrders = (raw: unknown, what: string, stream: string): DeribitOrder[] =>
  parseResult(ordersResultSchema, raw, what, stream)

/** How to value an instrument in USD. */
export interface InstrumentInfo {
  symbol: string
  /** Inverse contracts (BTC-PERPETUAL): `amount` is already USD. */
  inverse: boolean
  option: boolean
  base: string | null
}

/** Where an order was placed, from Deribit's `web` / `api` flags; null when neither is set. */
export const orderOrigin = (o: {
  web?: boolean | null
  api?: boolean | null
}): 'web' | 'api' | null => (o.web ? 'web' : o.api ? 'api' : null)

/** USD notional of `amount` on `instrument`, when it can be computed without another request. */
export const notionalUsd = (
  info: InstrumentInfo,
  amount: number,
  price: number | null | undefined,
  indexUsd: number | null | undefined
): number | null => {
  if (info.inverse) return amount
  if (info.option) return indexUsd ? amount * indexUsd : null
  const p = price ?? indexUsd
  return p ? amount * p : null
}

/** Maps a Deribit order to the event model's OrderData, with its USD notional when computable. */
export const orderData = (
  o: DeribitOrder,
  info: InstrumentInfo,
  indexUsd: number | null
): OrderData => {
  const price = typeof o.price === 'number' ? o.price : null
  return {
    orderId: o.order_id,
    symbol: info.symbol,
    side: o.direction,
    type: o.order_type,
    status: o.order_state,
    amount: o.amount,
    price,
    filled: o.filled_amount ?? null,
    notionalUsd: notionalUsd(info, o.amount, o.average_price || price, indexUsd),
    reduceOnly: o.reduce_only ?? false,
    origin: orderOrigin(o),
    leverage: null
  }
}

// ---------------------------------------------------------------------------------------------
// Fills: get_user_trades_by_currency(_and_time)

const tradeSchema = z.object({
  trade_id: id,
  order_id: id.nullish(),
  instrument_name: z.string(),
  direction: z.enum(['buy', 'sell']),
  amount: num,
  price: num,
  timestamp: num,
  index_price: optNum,
  mark_price: optNum
})
/** One validated Deribit trade (fill). */
export type DeribitTrade = z.output<typeof tradeSchema>

const tradesResultSchema = z.union([
  z.object({ trades: z.array(tradeSchema), has_more: optBool }),
  z.array(tradeSchema).transform((trades) => ({ trades, has_more: false }))
])

/** Validates a user-trades response; `hasMore` says whether another page exists. */
export const parseTrades = (
  raw: unknown,
  stream: string
): { trades: DeribitTrade[]; hasMore: boolean } => {
  const r = parseResult(tradesResultSchema, raw, 'trade history', stream)
  return { trades: r.trades, hasMore: r.has_more ?? false }
}

/** Maps a Deribit trade to FillData; the mark (else index) price is kept for off-market checks. */
export const fillData = (
  t: DeribitTrade,
  info: InstrumentInfo,
  indexUsd: number | null
): FillData => ({
  tradeId: t.trade_id,
  orderId: t.order_id ?? null,
  symbol: info.symbol,
  side: t.direction,
  amount: t.amount,
  price: t.price,
  notionalUsd: notionalUsd(info, t.amount, t.price, t.index_price ?? indexUsd),
  marketPrice: t.mark_price ?? t.index_price ?? null
})

// ---------------------------------------------------------------------------------------------
// Withdrawals: get_withdrawals

const withdrawalSchema = z.object({
  id,
  currency: z.string(),
  address: z.string(),
  amount: num,
  state: z.string(),
  created_timestamp: num,
  updated_timestamp: optNum,
  fee: optNum,
  transaction_id: optStr
})
/** One validated Deribit withdrawal. */
export type DeribitWithdrawal = z.output<typeof withdrawalSchema>

const withdrawalsResultSchema = z.object({ count: optNum, data: z.array(withdrawalSchema) })

/** Validates a get_withdrawals response (`{count, data}`). */
export const parseWithdrawals = (raw: unknown, stream: string): DeribitWithdrawal[] =>
  parseResult(withdrawalsResultSchema, raw, 'withdrawal history', stream).data

/** Maps a Deribit withdrawal to WithdrawalData, valued in USD when an index price is known. */
export const withdrawalData = (w: DeribitWithdrawal, indexUsd: number | null): WithdrawalData => ({
  withdrawalId: w.id,
  currency: w.currency,
  amount: w.amount,
  address: w.address,
  network: null,
  status: w.state,
  amountUsd: indexUsd ? w.amount * indexUsd : null
})

// ---------------------------------------------------------------------------------------------
// Address book: get_address_book (type withdrawal)

const addressSchema = z.object({
  address: z.string().min(1),
  currency: optStr,
  label: optStr,
  type: optStr,
  creation_timestamp: optNum
})
/** One validated address-book entry. */
export type DeribitAddress = z.output<typeof addressSchema>

/** Validates a get_address_book response. */
export const parseAddressBook = (raw: unknown, stream: string): DeribitAddress[] =>
  parseResult(z.array(addressSchema), raw, 'address book', stream)

/** Record id of an address-book entry: `<currency>:<address>` (Deribit gives entries no id). */
export const addressRecordId = (currency: string, address: string): string =>
  `${currency}:${address}`

/** Maps an address-book entry to AddressData. */
export const addressData = (currency: string, a: DeribitAddress): AddressData => ({
  currency,
  address: a.address,
  label: a.label ?? null
})

// ---------------------------------------------------------------------------------------------
// Balances: get_account_summaries / get_account_summary

const summarySchema = z.object({
  currency: z.string(),
  balance: optNum,
  equity: optNum
})

const summariesResultSchema = z.union([
  z.object({ summaries: z.array(summarySchema) }).transform((r) => r.summaries),
  z.array(summarySchema),
  summarySchema.transform((s) => [s])
])

/** One currency's balance as Vigil uses it. */
export interface DeribitSummary {
  currency: string
  /** Equity when reported (includes open PnL), else wallet balance. */
  total: number
}

/** Validates get_account_summaries (or a single get_account_summary) and returns per-currency totals. */
export const parseSummaries = (raw: unknown, stream = 'balances'): DeribitSummary[] =>
  parseResult(summariesResultSchema, raw, 'account summary', stream).map((s) => ({
    currency: s.currency,
    total: s.equity ?? s.balance ?? 0
  }))

// ---------------------------------------------------------------------------------------------
// Positions: get_positions

const positionSchema = z.object({
  instrument_name: z.string(),
  size: num,
  direction: z.enum(['buy', 'sell', 'zero']).nullish(),
  leverage: optNum,
  kind: optStr,
  index_price: optNum
})
/** One validated Deribit position. */
export type DeribitPosition = z.output<typeof positionSchema>

/** Validates a get_positions response. */
export const parsePositions = (raw: unknown, stream = 'positions'): DeribitPosition[] =>
  parseResult(z.array(positionSchema), raw, 'positions', stream)

/** Maps a position (or its absence: flat) to PositionData. */
export const positionData = (symbol: string, p: DeribitPosition | null): PositionData => ({
  symbol,
  side:
    !p || p.size === 0 || p.direction === 'zero'
      ? 'flat'
      : p.direction === 'sell' || p.size < 0
        ? 'short'
        : 'long',
  size: p ? Math.abs(p.size) : 0,
  leverage: p?.leverage ?? null
})

// ---------------------------------------------------------------------------------------------
// Small results

/** cancel_all / cancel_all_by_currency answer: the number of cancelled orders. */
export const parseCancelCount = (raw: unknown, stream = 'cancelAll'): number =>
  parseResult(num, raw, 'cancel-all answer', stream)

/** Validates public/get_index_price and returns the USD index. */
export const parseIndexPrice = (raw: unknown): number =>
  parseResult(z.object({ index_price: num }), raw, 'index price').index_price

/** public/ticker: the underlying's index price. */
export const parseTickerIndex = (raw: unknown): number =>
  parseResult(z.object({ index_price: num }), raw, 'ticker').index_price

/** get_currencies: the currency ids Deribit lists. */
export const parseCurrencies = (raw: unknown): string[] =>
  parseResult(z.array(z.object({ currency: z.string() })), raw, 'currency list').map(
    (c) => c.currency
  )

/** Narrowing helper for callers that catch: a fault raised by these parsers. */
export const isMalformed = (error: unknown): error is ExchangeFault =>
  error instanceof ExchangeFault && error.category === 'malformed'
