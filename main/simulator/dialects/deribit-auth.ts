/**
 * Deribit's `deri-hmac-sha256` request signatures and API-key scopes.
 *
 * Signed string: `ts \n nonce \n METHOD \n URI(with query) \n body \n`, HMAC-SHA256 with the
 * client secret, hex (shared/reference/exchanges.md section 5; ccxt deribit `sign()`).
 */
import { createHmac, timingSafeEqual } from 'node:crypto'

import type { Permission } from '../../replay/scenario'

export interface DeribitSignatureInput {
  secret: string
  timestamp: string
  nonce: string
  method: string
  /** Path and query as signed, e.g. `/api/v2/private/get_access_log?count=10`. */
  uri: string
  body?: string
}

/** The hex signature Deribit expects for a request. */
export function deribitSignature(input: DeribitSignatureInput): string {
  const payload = `${input.timestamp}\n${input.nonce}\n${input.method.toUpperCase()}\n${input.uri}\n${input.body ?? ''}\n`
  return createHmac('sha256', input.secret).update(payload).digest('hex')
}

export interface DeribitAuthorization {
  clientId: string
  timestamp: string
  signature: string
  nonce: string
}

/** Parses `deri-hmac-sha256 id=…,ts=…,sig=…,nonce=…`; null when it is not that scheme. */
export function parseDeribitAuthorization(header: string | undefined): DeribitAuthorization | null {
  if (!header) return null
  const match = /^deri-hmac-sha256\s+(.+)$/i.exec(header.trim())
  if (!match) return null
  const fields = new Map<string, string>()
  for (const part of match[1].split(',')) {
    const eq = part.indexOf('=')
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim())
  }
  const clientId = fields.get('id')
  const timestamp = fields.get('ts')
  const signature = fields.get('sig')
  const nonce = fields.get('nonce') ?? ''
  if (!clientId || !timestamp || !signature || !/^\d+$/.test(timestamp)) return null
  return { clientId, timestamp, signature, nonce }
}

/** Constant-time check of a parsed Authorization against the secret and the request. */
export function verifyDeribitSignature(
  auth: DeribitAuthorization,
  request: { secret: string; method: string; uri: string; body?: string }
): boolean {
  const expected = Buffer.from(
    deribitSignature({ ...request, timestamp: auth.timestamp, nonce: auth.nonce }),
    'utf8'
  )
  const given = Buffer.from(auth.signature.toLowerCase(), 'utf8')
  return expected.length === given.length && timingSafeEqual(expected, given)
}

export type ScopeArea = 'account' | 'trade' | 'wallet' | 'block_trade'
export type ScopeLevel = 'none' | 'read' | 'read_write'
export type Scope = Record<ScopeArea, ScopeLevel>

const RANK: Record<ScopeLevel, number> = { none: 0, read: 1, read_write: 2 }

/**
 * Deribit scopes for the format's neutral permissions. The format has no "manage keys"
 * permission, so any write permission implies `account:read_write` (what a guardian key needs to
 * disable keys); a pure read key can only read.
 */
export function scopeOf(permissions: readonly Permission[]): Scope {
  const has = (p: Permission): boolean => permissions.includes(p)
  const read = has('read')
  const writes = has('spot') || has('futures') || has('withdraw') || has('transfer')
  const level = (write: boolean): ScopeLevel => (write ? 'read_write' : read ? 'read' : 'none')
  return {
    account: level(writes),
    trade: level(has('spot') || has('futures')),
    wallet: level(has('withdraw') || has('transfer')),
    block_trade: read ? 'read' : 'none'
  }
}

/** Deribit's `max_scope` string: space-separated `area:level` pairs. */
export function formatScope(scope: Scope): string {
  return (Object.keys(scope) as ScopeArea[])
    .filter((area) => scope[area] !== 'none')
    .map((area) => `${area}:${scope[area]}`)
    .join(' ')
}

export const scopeAllows = (scope: Scope, area: ScopeArea, level: ScopeLevel): boolean =>
  RANK[scope[area]] >= RANK[level]

/** True when `target` reaches further than `caller` in any area (Deribit: `scope_exceeded`). */
export function scopeExceeds(target: Scope, caller: Scope): boolean {
  return (Object.keys(target) as ScopeArea[]).some(
    (area) => RANK[target[area]] > RANK[caller[area]]
  )
}
