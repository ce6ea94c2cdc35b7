/**
 * Binance's request-weight limits as the simulator enforces them.
 *
 * Every REST call costs a documented weight, counted per IP in fixed one-minute windows, with one
 * budget per API family: spot `/api` (6000), `/sapi` (12 000 per IP plus 180 000 per account for
 * UID-weighted endpoints such as the withdrawal history) and USDⓈ-M `/fapi` (2400). Each answer
 * reports the window's usage in `X-MBX-USED-WEIGHT-1M` (`X-SAPI-USED-IP-WEIGHT-1M`,
 * `X-SAPI-USED-UID-WEIGHT-1M` on /sapi). A call that would exceed a budget gets HTTP 429 with
 * code -1003 and `Retry-After`; a client that keeps calling after 429s is banned with HTTP 418 for
 * 2 minutes, doubling per repeat ban up to 3 days (developers.binance.com "LIMITS").
 */

/** A weight budget. */
export type Pool = 'spot' | 'sapi' | 'sapiUid' | 'usdm' | 'coinm'

/** Documented request-weight limits per minute. */
export const WEIGHT_LIMITS: Readonly<Record<Pool, number>> = {
  spot: 6000,
  sapi: 12_000,
  sapiUid: 180_000,
  usdm: 2400,
  coinm: 2400
}

/** One charge of a request against a pool. */
export interface Charge {
  pool: Pool
  weight: number
}

/** Requests answered with 429 in one window before the IP is banned. */
export const REJECTIONS_BEFORE_BAN = 5
const FIRST_BAN_MS = 2 * 60_000
const MAX_BAN_MS = 3 * 86_400_000
const MINUTE = 60_000

interface Bucket {
  window: number
  used: number
  rejected: number
  bannedUntil: number
  bans: number
}

/** What the limiter decided for one request. */
export type LimitOutcome =
  | { ok: true; headers: Record<string, string> }
  | {
      ok: false
      status: 429 | 418
      code: number
      msg: string
      retryAfterSeconds: number
      headers: Record<string, string>
    }

const HEADER: Readonly<Record<Pool, string[]>> = {
  spot: ['x-mbx-used-weight', 'x-mbx-used-weight-1m'],
  usdm: ['x-mbx-used-weight-1m'],
  coinm: ['x-mbx-used-weight-1m'],
  sapi: ['x-sapi-used-ip-weight-1m'],
  sapiUid: ['x-sapi-used-uid-weight-1m']
}

/** Per-IP (and per-account for UID pools) request-weight accounting in clock time. */
export class WeightLimiter {
  private readonly buckets = new Map<string, Bucket>()

  private bucket(pool: Pool, scope: string, now: number): Bucket {
    const key = `${pool}|${scope}`
    const window = Math.floor(now / MINUTE)
    let b = this.buckets.get(key)
    if (!b) {
      b = { window, used: 0, rejected: 0, bannedUntil: 0, bans: 0 }
      this.buckets.set(key, b)
    }
    if (b.window !== window) {
      b.window = window
      b.used = 0
      b.rejected = 0
    }
    return b
  }

  /** Weight used in the current window (for diagnostics and tests). */
  used(pool: Pool, scope: string, now: number): number {
    return this.bucket(pool, scope, now).used
  }

  /**
   * Charges a request. `ipScope` keys the per-IP pools, `uidScope` the per-account one. Nothing is
   * charged when any pool refuses.
   */
  charge(
    charges: readonly Charge[],
    scopes: { ip: string; uid: string | null },
    now: number
  ): LimitOutcome {
    const entries = charges
      .filter((c) => c.pool !== 'sapiUid' || scopes.uid !== null)
      .map((c) => ({
        charge: c,
        bucket: this.bucket(c.pool, c.pool === 'sapiUid' ? (scopes.uid ?? '') : scopes.ip, now)
      }))
    const headers = (): Record<string, string> => {
      const out: Record<string, string> = {}
      for (const { charge, bucket } of entries)
        for (const name of HEADER[charge.pool]) out[name] = String(bucket.used)
      return out
    }
    const banned = entries.find(({ bucket }) => bucket.bannedUntil > now)
    if (banned) {
      const until = banned.bucket.bannedUntil
      return {
        ok: false,
        status: 418,
        code: -1003,
        msg: `Way too much request weight used; IP banned until ${until}. Please use WebSocket Streams for live updates to avoid bans.`,
        retryAfterSeconds: Math.max(1, Math.ceil((until - now) / 1000)),
        headers: headers()
      }
    }
    const over = entries.find(
      ({ charge, bucket }) => bucket.used + charge.weight > WEIGHT_LIMITS[charge.pool]
    )
    if (over) {
      const { charge, bucket } = over
      bucket.rejected++
      const untilNextWindow = Math.max(1, Math.ceil(((bucket.window + 1) * MINUTE - now) / 1000))
      // UID budgets only answer 429; IP budgets ban a client that ignores the 429s.
      if (charge.pool !== 'sapiUid' && bucket.rejected > REJECTIONS_BEFORE_BAN) {
        const duration = Math.min(MAX_BAN_MS, FIRST_BAN_MS * 2 ** bucket.bans)
        bucket.bans++
        bucket.bannedUntil = now + duration
        return {
          ok: false,
          status: 418,
          code: -1003,
          msg: `Way too much request weight used; IP banned until ${bucket.bannedUntil}. Please use WebSocket Streams for live updates to avoid bans.`,
          retryAfterSeconds: Math.ceil(duration / 1000),
          headers: headers()
        }
      }
      return {
        ok: false,
        status: 429,
        code: -1003,
        msg: `Too much request weight used; current limit is ${WEIGHT_LIMITS[charge.pool]} request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.`,
        retryAfterSeconds: untilNextWindow,
        headers: headers()
      }
    }
    for (const { charge, bucket } of entries) bucket.used += charge.weight
    return { ok: true, headers: headers() }
  }
}
