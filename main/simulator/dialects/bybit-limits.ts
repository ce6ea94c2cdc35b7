/**
 * Bybit v5 rate limits as the exchange enforces them (bybit-exchange/docs
 * `docs/v5/rate-limit/rate-limit.mdx`):
 *
 * - Per UID and endpoint, a rolling window (1 s for "N/s" limits, 60 s for "N req/min"). Every
 *   private answer carries `X-Bapi-Limit`, `X-Bapi-Limit-Status` (requests left) and
 *   `X-Bapi-Limit-Reset-Timestamp`. Over the limit Bybit answers HTTP 200 with
 *   `{"retCode":10006,"retMsg":"Too many visits!"}` (ccxt: RateLimitExceeded).
 * - Per IP, 600 requests in any 5-second window; beyond that the IP is banned for at least 10
 *   minutes and every request gets HTTP 403 "access too frequent" (ccxt maps Bybit's 403 to
 *   RateLimitExceeded).
 *
 * Windows run on real (wall) time, not the scenario clock: ccxt's own throttle, which a correct
 * client relies on, spaces requests in real time too.
 */

/** A documented limit: `limit` requests per `windowMs`. */
export interface Limit {
  limit: number
  windowMs: number
}

const perSecond = (limit: number): Limit => ({ limit, windowMs: 1000 })
const perMinute = (limit: number): Limit => ({ limit, windowMs: 60_000 })

/** Limits by `METHOD path`; trade endpoints differ by category (`…#spot`). */
const LIMITS: Readonly<Record<string, Limit>> = {
  'GET /v5/order/realtime': perSecond(50),
  'GET /v5/order/history': perSecond(50),
  'GET /v5/execution/list': perSecond(50),
  'GET /v5/position/list': perSecond(50),
  'GET /v5/account/wallet-balance': perSecond(50),
  'GET /v5/account/info': perSecond(50),
  'GET /v5/asset/transfer/query-inter-transfer-list': perMinute(60),
  'GET /v5/asset/transfer/query-universal-transfer-list': perSecond(5),
  'GET /v5/asset/transfer/query-account-coins-balance': perSecond(5),
  'GET /v5/asset/deposit/query-record': perMinute(100),
  'GET /v5/asset/withdraw/query-record': perMinute(300),
  'GET /v5/asset/withdraw/query-address': perSecond(300),
  'GET /v5/asset/coin/query-info': perSecond(5),
  'GET /v5/user/query-api': perSecond(10),
  'POST /v5/order/create': perSecond(10),
  'POST /v5/order/create#spot': perSecond(20),
  'POST /v5/order/cancel': perSecond(10),
  'POST /v5/order/cancel#spot': perSecond(20),
  'POST /v5/order/cancel-all': perSecond(10),
  'POST /v5/order/cancel-all#spot': perSecond(20),
  'POST /v5/order/cancel-all#option': perSecond(1),
  'POST /v5/position/set-leverage': perSecond(10),
  'POST /v5/asset/transfer/inter-transfer': perMinute(60),
  'POST /v5/asset/withdraw/create': perSecond(5),
  'POST /v5/user/update-api': perSecond(5),
  'POST /v5/user/delete-api': perSecond(5)
}

/** Private endpoints without a documented specific limit get Bybit's default read/write limit. */
const DEFAULT_READ = perSecond(10)
const DEFAULT_WRITE = perSecond(5)

/** The limit an endpoint has, for a category where it matters. */
export function limitFor(method: string, path: string, category?: string | null): Limit {
  const base = `${method.toUpperCase()} ${path}`
  return (
    (category ? LIMITS[`${base}#${category}`] : undefined) ??
    LIMITS[base] ??
    (method.toUpperCase() === 'GET' ? DEFAULT_READ : DEFAULT_WRITE)
  )
}

/** The outcome of counting one request against its UID window. */
export interface UidVerdict {
  allowed: boolean
  headers: Record<string, string>
}

/** IP window: 600 requests in 5 s; a violation bans the IP for 10 minutes. */
export const IP_LIMIT = { limit: 600, windowMs: 5000, banMs: 10 * 60_000 } as const

/** Sliding windows for one simulator: per UID and endpoint, and per client IP. */
export class BybitRateLimiter {
  private readonly uid = new Map<string, number[]>()
  private readonly ip = new Map<string, number[]>()
  private readonly bannedUntil = new Map<string, number>()
  /** Requests refused per `account|METHOD path` (10006) and per IP (403), for diagnostics. */
  readonly refused = new Map<string, number>()

  constructor(private readonly nowMs: () => number = Date.now) {}

  /** Counts a request from `ip`; false when the IP is (or just became) banned. */
  admitIp(ip: string): boolean {
    const now = this.nowMs()
    const until = this.bannedUntil.get(ip)
    if (until !== undefined && until > now) {
      this.bump(`ip:${ip}`)
      return false
    }
    const list = this.window(this.ip, ip, now, IP_LIMIT.windowMs)
    list.push(now)
    if (list.length > IP_LIMIT.limit) {
      this.bannedUntil.set(ip, now + IP_LIMIT.banMs)
      this.bump(`ip:${ip}`)
      return false
    }
    return true
  }

  /**
   * Counts a request against its UID window. Refused requests do not count (Bybit only counts
   * what it serves), so a client that backs off recovers once the window has moved on.
   */
  admitUid(account: string, method: string, path: string, category?: string | null): UidVerdict {
    const now = this.nowMs()
    const { limit, windowMs } = limitFor(method, path, category)
    const key = `${account}|${method.toUpperCase()} ${path}${category ? `#${category}` : ''}`
    const list = this.window(this.uid, key, now, windowMs)
    if (list.length >= limit) {
      this.bump(`${account}|${method.toUpperCase()} ${path}`)
      return {
        allowed: false,
        headers: {
          'X-Bapi-Limit': String(limit),
          'X-Bapi-Limit-Status': '0',
          'X-Bapi-Limit-Reset-Timestamp': String(list[0]! + windowMs)
        }
      }
    }
    list.push(now)
    return {
      allowed: true,
      headers: {
        'X-Bapi-Limit': String(limit),
        'X-Bapi-Limit-Status': String(limit - list.length),
        'X-Bapi-Limit-Reset-Timestamp': String(now)
      }
    }
  }

  /** How many requests were refused for an account (10006) or an IP (`ip:<address>`, 403). */
  refusedCount(prefix: string): number {
    let n = 0
    for (const [k, v] of this.refused) if (k === prefix || k.startsWith(`${prefix}|`)) n += v
    return n
  }

  private bump(key: string): void {
    this.refused.set(key, (this.refused.get(key) ?? 0) + 1)
  }

  private window(map: Map<string, number[]>, key: string, now: number, ms: number): number[] {
    const list = map.get(key) ?? []
    let drop = 0
    while (drop < list.length && list[drop]! <= now - ms) drop++
    const kept = drop ? list.slice(drop) : list
    map.set(key, kept)
    return kept
  }
}
