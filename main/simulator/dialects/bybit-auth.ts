/**
 * Bybit v5 request signatures and API-key permissions.
 *
 * Signed string: `timestamp + apiKey + recvWindow + (GET: the query string exactly as sent | POST:
 * the JSON body)`, HMAC-SHA256 with the secret, hex (shared/reference/exchanges.md section 5;
 * ccxt bybit `sign()`). Headers: `X-BAPI-API-KEY`, `X-BAPI-TIMESTAMP` (ms), `X-BAPI-RECV-WINDOW`,
 * `X-BAPI-SIGN`. Bybit accepts a request when `serverTime - recvWindow <= timestamp < serverTime
 * + 1000` (bybit-exchange/docs `docs/v5/guide.mdx`).
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'

import type { Permission } from '../../replay/scenario'

/** What goes into a Bybit v5 signature. */
export interface BybitSignatureInput {
  secret: string
  timestamp: string
  apiKey: string
  recvWindow: string
  /** GET: the raw query string (no `?`); POST: the raw JSON body. */
  payload: string
}

/** The hex HMAC-SHA256 signature Bybit expects. */
export function bybitSignature(input: BybitSignatureInput): string {
  return createHmac('sha256', input.secret)
    .update(`${input.timestamp}${input.apiKey}${input.recvWindow}${input.payload}`)
    .digest('hex')
}

/** The four signing headers, as sent (null when any is missing). */
export interface BybitAuthHeaders {
  apiKey: string
  timestamp: string
  recvWindow: string
  signature: string
}

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name]
  return Array.isArray(value) ? value[0] : value
}

/** Just the API key header, for attributing a request before verifying it. */
export const bybitApiKeyOf = (headers: IncomingHttpHeaders): string | undefined =>
  header(headers, 'x-bapi-api-key') || undefined

/**
 * Reads the signing headers. Bybit's recv window defaults to 5000 ms when the header is absent;
 * ccxt always sends it.
 */
export function parseBybitAuthHeaders(headers: IncomingHttpHeaders): BybitAuthHeaders | null {
  const apiKey = header(headers, 'x-bapi-api-key')
  const timestamp = header(headers, 'x-bapi-timestamp')
  const signature = header(headers, 'x-bapi-sign')
  const recvWindow = header(headers, 'x-bapi-recv-window') ?? '5000'
  if (!apiKey || !timestamp || !signature) return null
  return { apiKey, timestamp, recvWindow, signature }
}

/** Constant-time check of a request's signature. */
export function verifyBybitSignature(
  auth: BybitAuthHeaders,
  request: { secret: string; method: string; rawQuery: string; body: string }
): boolean {
  const payload = request.method.toUpperCase() === 'GET' ? request.rawQuery : request.body
  const expected = Buffer.from(
    bybitSignature({
      secret: request.secret,
      timestamp: auth.timestamp,
      apiKey: auth.apiKey,
      recvWindow: auth.recvWindow,
      payload
    }),
    'utf8'
  )
  const given = Buffer.from(auth.signature.toLowerCase(), 'utf8')
  return expected.length === given.length && timingSafeEqual(expected, given)
}

/**
 * Bybit's timestamp rule: `serverTime - recvWindow <= timestamp < serverTime + 1000`. Returns
 * null when the timestamp is acceptable, else the reason Bybit gives (code 10002).
 */
export function timestampProblem(auth: BybitAuthHeaders, serverTime: number): string | null {
  const ts = Number(auth.timestamp)
  const window = Number(auth.recvWindow)
  if (!/^\d+$/.test(auth.timestamp) || !Number.isFinite(window) || window <= 0)
    return 'invalid request, please check your timestamp and recv_window param'
  if (ts >= serverTime - window && ts < serverTime + 1000) return null
  return `invalid request, please check your server timestamp or recv_window param. req_timestamp[${ts}],server_timestamp[${serverTime}],recv_window[${window}]`
}

// ── permissions ──────────────────────────────────────────────────────────────

/** Bybit's permission groups, in the order `query-api` lists them (docs example, 2026 revision). */
export const PERMISSION_GROUPS = [
  'ContractTrade',
  'Spot',
  'Wallet',
  'Options',
  'Derivatives',
  'CopyTrading',
  'BlockTrade',
  'Exchange',
  'NFT',
  'Affiliate',
  'Earn'
] as const

/** A key's permissions in Bybit's shape: group → permission names. */
export type BybitPermissions = Record<string, string[]>

/**
 * The scenario's neutral permissions as Bybit would show them. `futures` covers contract trading
 * (ContractTrade + Derivatives), `transfer` both transfer kinds, `withdraw` the master-only
 * `Withdraw`; a key without any write permission is read-only.
 */
export function bybitPermissionsOf(permissions: readonly Permission[]): {
  readOnly: 0 | 1
  permissions: BybitPermissions
} {
  const has = (p: Permission): boolean => permissions.includes(p)
  const out: BybitPermissions = Object.fromEntries(PERMISSION_GROUPS.map((g) => [g, []]))
  if (has('futures')) {
    out.ContractTrade = ['Order', 'Position']
    out.Derivatives = ['DerivativesTrade']
  }
  if (has('spot')) out.Spot = ['SpotTrade']
  const wallet: string[] = []
  if (has('transfer')) wallet.push('AccountTransfer', 'SubMemberTransfer')
  if (has('withdraw')) wallet.push('Withdraw')
  out.Wallet = wallet
  const writes = has('spot') || has('futures') || has('transfer') || has('withdraw')
  return { readOnly: writes ? 0 : 1, permissions: out }
}

/**
 * The neutral permissions a Bybit permission object grants (what `update-api` writes back into
 * the world). `readOnly: 1` removes every write permission, whatever the groups say.
 */
export function neutralPermissionsOf(
  readOnly: number,
  permissions: BybitPermissions
): Permission[] {
  const out: Permission[] = ['read']
  if (readOnly === 1) return out
  const group = (name: string): string[] => permissions[name] ?? []
  if (group('Spot').includes('SpotTrade')) out.push('spot')
  if (
    group('ContractTrade').length > 0 ||
    group('Derivatives').includes('DerivativesTrade') ||
    group('Options').includes('OptionsTrade')
  )
    out.push('futures')
  if (group('Wallet').includes('Withdraw')) out.push('withdraw')
  if (group('Wallet').some((p) => p === 'AccountTransfer' || p === 'SubMemberTransfer'))
    out.push('transfer')
  return out
}

/** What an endpoint needs beyond a valid key. */
export type Requirement =
  | 'read'
  | 'spot'
  | 'futures'
  | 'withdraw'
  | 'transfer'
  | 'subTransfer'
  /** delete-api / update-api: "Account Transfer", "Subaccount Transfer" or "Withdrawal". */
  | 'manageKey'

/** Whether a key with these neutral permissions meets an endpoint's requirement. */
export function allows(permissions: readonly Permission[], requirement: Requirement): boolean {
  const has = (p: Permission): boolean => permissions.includes(p)
  switch (requirement) {
    case 'read':
      return true
    case 'spot':
      return has('spot')
    case 'futures':
      return has('futures')
    case 'withdraw':
      return has('withdraw')
    case 'transfer':
    case 'subTransfer':
      return has('transfer')
    case 'manageKey':
      return has('transfer') || has('withdraw')
  }
}

/** Bybit's "no IP bound" encodings in `ips`. */
export const isUnbound = (ips: readonly string[]): boolean =>
  ips.length === 0 || ips.every((ip) => ip === '*' || ip === '')
