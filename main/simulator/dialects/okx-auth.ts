/**
 * OKX v5 request signatures, API-key permissions and the key fingerprint Vigil reports.
 *
 * Signed string: `timestamp + METHOD + requestPath(+ "?" + query for GET) + body`, HMAC-SHA256
 * with the secret, base64; headers `OK-ACCESS-KEY`, `OK-ACCESS-SIGN`, `OK-ACCESS-TIMESTAMP`
 * (ISO-8601 with milliseconds) and `OK-ACCESS-PASSPHRASE` in plain text
 * (shared/reference/exchanges.md section 5; ccxt okx `sign()`).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'

import type { Permission } from '../../replay/scenario'

export interface OkxSignatureInput {
  secret: string
  /** `OK-ACCESS-TIMESTAMP` exactly as sent, e.g. `2023-11-14T22:13:20.000Z`. */
  timestamp: string
  method: string
  /** Path with the query for GET, e.g. `/api/v5/account/config` or `/api/v5/trade/fills?limit=5`. */
  requestPath: string
  /** The JSON body exactly as sent (POST), else empty. */
  body?: string
}

/** The base64 signature OKX expects for a request. */
export function okxSignature(input: OkxSignatureInput): string {
  const payload = `${input.timestamp}${input.method.toUpperCase()}${input.requestPath}${input.body ?? ''}`
  return createHmac('sha256', input.secret).update(payload).digest('base64')
}

/** The four OK-ACCESS-* headers, each possibly missing. */
export interface OkxAuthHeaders {
  key: string | null
  sign: string | null
  timestamp: string | null
  passphrase: string | null
}

const header = (headers: IncomingHttpHeaders, name: string): string | null => {
  const value = headers[name]
  const text = Array.isArray(value) ? value[0] : value
  return text === undefined || text === '' ? null : text
}

/** Reads the OK-ACCESS-* headers (Node lower-cases header names). */
export function readOkxHeaders(headers: IncomingHttpHeaders): OkxAuthHeaders {
  return {
    key: header(headers, 'ok-access-key'),
    sign: header(headers, 'ok-access-sign'),
    timestamp: header(headers, 'ok-access-timestamp'),
    passphrase: header(headers, 'ok-access-passphrase')
  }
}

/** Constant-time comparison of a sent signature with the expected one. */
export function verifyOkxSignature(sign: string, input: OkxSignatureInput): boolean {
  const expected = Buffer.from(okxSignature(input), 'utf8')
  const given = Buffer.from(sign, 'utf8')
  return expected.length === given.length && timingSafeEqual(expected, given)
}

/** Constant-time passphrase check (OKX sends it in plain text). */
export function passphraseMatches(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8')
  const b = Buffer.from(expected, 'utf8')
  return a.length === b.length && timingSafeEqual(a, b)
}

/** OKX's timestamp format: ISO-8601 UTC with milliseconds. */
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

/** Milliseconds of an `OK-ACCESS-TIMESTAMP`, or null when it is not in OKX's format. */
export function parseOkxTimestamp(value: string): number | null {
  if (!ISO_MS.test(value)) return null
  const ms = Date.parse(value)
  return Number.isFinite(ms) ? ms : null
}

/** OKX permission names for the scenario format's neutral permissions. */
export type OkxPerm = 'read_only' | 'trade' | 'withdraw'

/**
 * The `perm` list of a key. Every OKX key can read; "Trade" also covers funds transfers between
 * accounts (OKX documents `POST /asset/transfer` under the Trade permission).
 */
export function okxPerms(permissions: readonly Permission[]): OkxPerm[] {
  const out: OkxPerm[] = ['read_only']
  if (permissions.includes('withdraw')) out.push('withdraw')
  if (permissions.some((p) => p === 'spot' || p === 'futures' || p === 'transfer'))
    out.push('trade')
  return out
}

/**
 * The stable id Vigil reports for an OKX key. OKX's API names no key id at all, and the API key
 * string itself must not be stored or shown, so both the connector and the simulator use this
 * one-way fingerprint of it. Keep in sync with `okxKeyId` in core/exchanges/okx-parse.ts.
 */
export function okxKeyFingerprint(apiKey: string): string {
  return `okx-key-${createHash('sha256').update(apiKey, 'utf8').digest('hex').slice(0, 12)}`
}
