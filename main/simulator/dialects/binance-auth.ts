/**
 * Binance request signatures, timestamp windows and API-key permission flags.
 *
 * Binance signs `totalParams`: the query string concatenated with the request body, HMAC-SHA256
 * with the secret, hex, sent as the last parameter `signature=` (shared/reference/exchanges.md
 * section 5; ccxt binance `sign()`: GET/DELETE put everything in the query, POST/PUT in a
 * form-urlencoded body). The signed bytes are the parameters exactly as sent, so the verifier works
 * on the raw strings, never on re-encoded parameters.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'

import type { Permission } from '../../replay/scenario'

/** The hex HMAC-SHA256 signature Binance expects for `payload` (the parameters as sent). */
export function binanceSignature(payload: string, secret: string): string {
  return createHmac('sha256', secret).update(payload).digest('hex')
}

/** A request's signed parameters split from its signature. */
export interface SignedPayload {
  /** What the client signed: query and body without the `signature` parameter, concatenated. */
  payload: string
  /** The signature sent, or null when there is none. */
  signature: string | null
}

const stripSignature = (raw: string): { rest: string; signature: string | null } => {
  const parts = raw === '' ? [] : raw.split('&')
  let signature: string | null = null
  const rest = parts.filter((part) => {
    if (!part.startsWith('signature=')) return true
    const value = part.slice('signature='.length)
    try {
      signature = decodeURIComponent(value)
    } catch {
      signature = value
    }
    return false
  })
  return { rest: rest.join('&'), signature }
}

/**
 * Separates the signature from a request's query and body. Binance accepts the signature in
 * either place; `totalParams` is the query followed directly by the body.
 */
export function splitSigned(rawQuery: string, body: string): SignedPayload {
  const query = stripSignature(rawQuery)
  const form = stripSignature(body)
  return { payload: query.rest + form.rest, signature: query.signature ?? form.signature }
}

/** Constant-time check of a signature against the secret. */
export function verifyBinanceSignature(
  payload: string,
  signature: string,
  secret: string
): boolean {
  const expected = Buffer.from(binanceSignature(payload, secret), 'utf8')
  const given = Buffer.from(signature.toLowerCase(), 'utf8')
  return expected.length === given.length && timingSafeEqual(expected, given)
}

/** Binance's recvWindow default when a request sends none (ms). */
export const DEFAULT_RECV_WINDOW = 5000
/** The largest recvWindow Binance accepts (ms). */
export const MAX_RECV_WINDOW = 60_000
/** How far a client's clock may run ahead of the server's (Binance: 1000 ms). */
export const MAX_AHEAD_MS = 1000

/** Why a timestamp is refused, as Binance words it; null when it is accepted. */
export function timestampProblem(
  timestamp: number,
  recvWindow: number,
  serverTime: number
): { code: number; msg: string } | null {
  if (timestamp - serverTime > MAX_AHEAD_MS)
    return {
      code: -1021,
      msg: "Timestamp for this request was 1000ms ahead of the server's time."
    }
  if (serverTime - timestamp > recvWindow)
    return { code: -1021, msg: 'Timestamp for this request is outside of the recvWindow.' }
  return null
}

/** The permission flags `GET /sapi/v1/account/apiRestrictions` reports. */
export interface ApiRestrictionFlags {
  ipRestrict: boolean
  enableReading: boolean
  enableWithdrawals: boolean
  enableInternalTransfer: boolean
  enableMargin: boolean
  enableFutures: boolean
  permitsUniversalTransfer: boolean
  enableVanillaOptions: boolean
  enableFixApiTrade: boolean
  enableFixReadOnly: boolean
  enableSpotAndMarginTrading: boolean
  enablePortfolioMarginTrading: boolean
}

/**
 * Binance flags for the format's neutral permissions. `transfer` covers both of Binance's
 * transfer switches (internal transfers and universal transfers between wallets); a reading key
 * also gets FIX read-only, as in Binance's documented example.
 */
export function binanceFlags(
  permissions: readonly Permission[],
  ipWhitelist: readonly string[]
): ApiRestrictionFlags {
  const has = (p: Permission): boolean => permissions.includes(p)
  return {
    ipRestrict: ipWhitelist.length > 0,
    enableReading: has('read'),
    enableWithdrawals: has('withdraw'),
    enableInternalTransfer: has('transfer'),
    enableMargin: false,
    enableFutures: has('futures'),
    permitsUniversalTransfer: has('transfer'),
    enableVanillaOptions: false,
    enableFixApiTrade: false,
    enableFixReadOnly: has('read'),
    enableSpotAndMarginTrading: has('spot'),
    enablePortfolioMarginTrading: false
  }
}

/**
 * The stable id Vigil reports for a Binance key. Binance's API names no key id, and the API key
 * string itself must not be stored or shown, so the connector and the simulator both use this
 * one-way fingerprint. Keep in sync with `binanceKeyId` in core/exchanges/binance-parse.ts.
 */
export function binanceKeyFingerprint(apiKey: string): string {
  return `binance-key-${createHash('sha256').update(apiKey, 'utf8').digest('hex').slice(0, 12)}`
}
