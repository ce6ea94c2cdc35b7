/**
 * The normalised event model. Every connector turns what an exchange reports into these events;
 * rules, history, alerts and reports only ever see this shape. Each event keeps the exchange's own
 * record id so an alert can point the trader (and the exchange's support) at the original record.
 */

export const EVENT_KINDS = [
  'login',
  'security',
  'key',
  'order',
  'fill',
  'balance',
  'position',
  'withdrawal',
  'deposit',
  'address',
  'transfer',
  'leverage'
] as const
export type EventKind = (typeof EVENT_KINDS)[number]

/**
 * Event types, `<kind>.<what>`. Rules select on these.
 * - login.success / login.failure
 * - security.twofa_disabled / security.twofa_enabled / security.password_changed / security.email_changed
 * - key.created / key.changed / key.removed / key.disabled / key.enabled (from access logs and key-list diffs)
 * - order.new / order.updated (status change), fill.new, withdrawal.new / withdrawal.updated,
 *   address.added / address.removed, transfer.new, leverage.changed, balance.changed, position.changed
 */
export type EventType = `${EventKind}.${string}`

export interface LoginData {
  ip: string
  success: boolean
  country?: string | null
  city?: string | null
  asn?: number | null
  asnOrg?: string | null
  /** hosting | tor | vpn | residential | unknown (from the shipped ASN classification). */
  network?: string | null
  userAgent?: string | null
  device?: string | null
}

export interface KeyData {
  keyId: string
  name?: string | null
  permissions: string[]
  ipWhitelist: string[]
  enabled?: boolean
  createdAt?: number | null
  /** True when this is the key Vigil itself holds for the account. */
  self?: boolean
  /** Previous state for key.changed. */
  before?: { permissions: string[]; ipWhitelist: string[]; enabled?: boolean }
  thirdParty?: boolean
}

export interface OrderData {
  orderId: string
  symbol: string
  side: 'buy' | 'sell'
  type: string
  status: string
  amount: number
  price?: number | null
  filled?: number | null
  notionalUsd?: number | null
  reduceOnly?: boolean
  /** Deribit `web` / `api` flags, OKX broker tag: where the order came from, when the exchange says. */
  origin?: 'web' | 'api' | null
  leverage?: number | null
}

export interface FillData {
  tradeId: string
  orderId?: string | null
  symbol: string
  side: 'buy' | 'sell'
  amount: number
  price: number
  notionalUsd?: number | null
  /** Last market price when the fill was observed, for off-market checks. */
  marketPrice?: number | null
}

export interface WithdrawalData {
  withdrawalId: string
  currency: string
  amount: number
  address: string
  network?: string | null
  status?: string | null
  amountUsd?: number | null
}

export interface AddressData {
  currency: string
  address: string
  label?: string | null
}

export interface TransferData {
  transferId: string
  currency: string
  amount: number
  to: string
  amountUsd?: number | null
}

export interface BalanceData {
  currency: string
  total: number
  previous?: number | null
  equityUsd?: number | null
}

export interface PositionData {
  symbol: string
  side: 'long' | 'short' | 'flat'
  size: number
  leverage?: number | null
}

export interface LeverageData {
  symbol: string
  leverage: number
  previous?: number | null
}

export type EventData =
  | LoginData
  | KeyData
  | OrderData
  | FillData
  | WithdrawalData
  | AddressData
  | TransferData
  | BalanceData
  | PositionData
  | LeverageData
  | Record<string, unknown>

/** What a connector emits. */
export interface NewEvent {
  accountId: string
  kind: EventKind
  type: EventType
  /** The exchange's own id of the record (order id, trade id, access-log id…). Unique per account and kind. */
  exchangeRecordId: string
  /** When it happened, per the exchange (ms since epoch). */
  ts: number
  data: EventData
}

/** A stored event. */
export interface StoredEvent extends NewEvent {
  id: number
  /** When Vigil first saw it (clock ms). */
  observedAt: number
  /** 'live' for events seen by polling, 'backfill' for history fetched when the account was added. */
  origin: 'live' | 'backfill'
}

export type Level = 'info' | 'low' | 'medium' | 'high' | 'critical'
export const LEVELS: Level[] = ['info', 'low', 'medium', 'high', 'critical']
export const levelRank = (level: Level): number => LEVELS.indexOf(level)

export interface AccountSummary {
  id: string
  exchange: string
  label: string
  /** Last 4 characters of the API key; the key itself and the secret are never returned. */
  keyHint: string
  hasSecret: boolean
  status: 'watching' | 'learning' | 'contained' | 'paused' | 'degraded' | 'error'
  lastPollAt: number | null
  lastError: string | null
  createdAt: number
}
