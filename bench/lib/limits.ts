/**
 * The exchanges' documented rate limits the polling budget is judged against (issue 3). Each entry
 * names its source; where an exchange limits per endpoint, the busiest endpoint decides.
 *
 * - Deribit: non-matching-engine requests cost 500 credits from a pool refilled at 10 000 credits/s
 *   (max 50 000): a sustained 20 requests per second per account (docs.deribit.com "Rate Limits").
 * - Bybit v5: 600 requests per 5 s per IP for every endpoint together, and per UID a per-endpoint
 *   limit (bybit-exchange/docs `docs/v5/rate-limit/rate-limit.mdx`; the same table the simulator
 *   enforces). Endpoints not listed get the default 10/s (GET) or 5/s (POST).
 * - Binance: request weight per minute per IP: spot `/api` 6000, `/sapi` 12 000 (and 180 000 per
 *   account for UID-weighted endpoints), USDⓈ-M `/fapi` 2400 (developers.binance.com "LIMITS").
 *   Weights are read from the `X-MBX-USED-WEIGHT-1M` / `X-SAPI-USED-*-WEIGHT-1M` headers.
 * - OKX v5: per endpoint, per key for private calls and per IP for public ones (each endpoint's
 *   "Rate Limit" line in the OKX v5 API reference), e.g. 5/2 s for account/config, 60/2 s for
 *   trade/orders-pending. Endpoints not listed here are reported with an unknown limit.
 */

/** A limit of `count` requests (or weight) per `seconds`. */
export interface RateLimit {
  count: number
  seconds: number
}

const per = (count: number, seconds: number): RateLimit => ({ count, seconds })

/** Requests per minute a limit allows. */
export const perMinute = (l: RateLimit): number => (l.count * 60) / l.seconds

/** Deribit: sustained non-matching-engine requests per account. */
export const DERIBIT_LIMIT = per(20, 1)

/** Bybit: all requests from one IP. */
export const BYBIT_IP_LIMIT = per(600, 5)

const BYBIT_ENDPOINTS: Record<string, RateLimit> = {
  'GET /v5/order/realtime': per(50, 1),
  'GET /v5/order/history': per(50, 1),
  'GET /v5/execution/list': per(50, 1),
  'GET /v5/position/list': per(50, 1),
  'GET /v5/account/wallet-balance': per(50, 1),
  'GET /v5/account/info': per(50, 1),
  'GET /v5/asset/transfer/query-inter-transfer-list': per(60, 60),
  'GET /v5/asset/transfer/query-universal-transfer-list': per(5, 1),
  'GET /v5/asset/transfer/query-account-coins-balance': per(5, 1),
  'GET /v5/asset/deposit/query-record': per(100, 60),
  'GET /v5/asset/withdraw/query-record': per(300, 60),
  'GET /v5/asset/withdraw/query-address': per(300, 1),
  'GET /v5/asset/coin/query-info': per(5, 1),
  'GET /v5/user/query-api': per(10, 1),
  'POST /v5/order/cancel-all': per(10, 1),
  'POST /v5/order/cancel': per(10, 1)
}

/** Bybit's per-UID limit for one endpoint (`METHOD /path`); public market data is per IP only. */
export function bybitEndpointLimit(method: string, path: string): RateLimit | null {
  if (path.startsWith('/v5/market/')) return null
  return BYBIT_ENDPOINTS[`${method} ${path}`] ?? (method === 'GET' ? per(10, 1) : per(5, 1))
}

/** Binance weight pools and their per-minute limits. */
export const BINANCE_POOLS: Record<string, number> = {
  spot: 6000,
  sapi: 12_000,
  sapiUid: 180_000,
  usdm: 2400
}

/** Response headers that report a pool's used weight in the current minute. */
export const BINANCE_HEADERS: Record<string, string> = {
  'X-Sapi-Used-Ip-Weight-1m': 'sapi',
  'X-Sapi-Used-Uid-Weight-1m': 'sapiUid'
}

/** The pool a Binance request path charges, for the `X-MBX-USED-WEIGHT-1M` header. */
export const binancePool = (path: string): string =>
  path.startsWith('/fapi') ? 'usdm' : path.startsWith('/sapi') ? 'sapi' : 'spot'

const OKX_ENDPOINTS: Record<string, RateLimit> = {
  'GET /api/v5/public/time': per(10, 2),
  'GET /api/v5/public/instruments': per(20, 2),
  'GET /api/v5/market/tickers': per(20, 2),
  'GET /api/v5/market/ticker': per(20, 2),
  'GET /api/v5/asset/currencies': per(6, 1),
  'GET /api/v5/asset/balances': per(6, 1),
  'GET /api/v5/account/balance': per(10, 2),
  'GET /api/v5/account/config': per(5, 2),
  'GET /api/v5/account/positions': per(10, 2),
  'GET /api/v5/account/leverage-info': per(20, 2),
  'GET /api/v5/account/bills': per(5, 1),
  'GET /api/v5/account/bills-archive': per(5, 2),
  'GET /api/v5/trade/orders-pending': per(60, 2),
  'GET /api/v5/trade/orders-history': per(40, 2),
  'GET /api/v5/trade/orders-history-archive': per(20, 2),
  'GET /api/v5/trade/order': per(60, 2),
  'GET /api/v5/trade/fills': per(60, 2),
  'GET /api/v5/trade/fills-history': per(10, 2),
  'GET /api/v5/trade/orders-algo-pending': per(20, 2),
  'GET /api/v5/trade/orders-algo-history': per(20, 2),
  'GET /api/v5/asset/withdrawal-history': per(6, 1),
  'GET /api/v5/asset/deposit-history': per(6, 1),
  'GET /api/v5/asset/transfer-state': per(10, 1),
  'POST /api/v5/trade/cancel-batch-orders': per(300, 2),
  'POST /api/v5/trade/cancel-algos': per(20, 2),
  'POST /api/v5/trade/cancel-all-after': per(1, 1)
}

/** OKX's documented limit for one endpoint (`METHOD /api/v5/...`), or null when not listed. */
export const okxEndpointLimit = (method: string, path: string): RateLimit | null =>
  OKX_ENDPOINTS[`${method} ${path}`] ?? null
