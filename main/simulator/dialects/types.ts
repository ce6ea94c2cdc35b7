/**
 * What a dialect is: one exchange's REST API (paths, parameters, response shapes, signature
 * checks, error bodies) over the shared, exchange-agnostic World.
 *
 * Adding an exchange (Bybit, Binance, OKX):
 * 1. Create `dialects/<exchange>.ts` exporting a `Dialect` (see `deribit.ts` for a complete one).
 *    Read ccxt's `node_modules/ccxt/js/src/<exchange>.js` (`sign()`, `handleErrors()`, the
 *    methods the connector calls) so an unmodified ccxt instance works against it.
 * 2. Register it in `dialects/index.ts`. The server then routes `/<exchange>/…` to it and
 *    `endpointFor('<exchange>')` stops throwing.
 * 3. Render faults in that exchange's own error shape (`fault()`), verify its signatures against
 *    the vectors in shared/reference/exchanges.md 5.1, and add an integration test with real ccxt.
 */
import type { IncomingHttpHeaders } from 'node:http'

import type { ExchangeId, FaultKind } from '../../replay/scenario'
import type { IdScheme, World } from '../world'

/** One HTTP request, with the dialect's prefix (`/deribit`) already removed from `path`. */
export interface SimRequest {
  method: string
  /** e.g. `/api/v2/private/get_access_log` */
  path: string
  /** The query string exactly as sent, without `?` (signatures cover it byte for byte). */
  rawQuery: string
  query: URLSearchParams
  headers: IncomingHttpHeaders
  body: string
  /** The account named by an account-scoped endpoint (`/acct/<id>/deribit`), else null. */
  endpointAccount: string | null
  /** The client's address as the socket saw it. */
  remoteAddress: string | null
}

export interface SimResponse {
  status: number
  headers?: Record<string, string>
  body: string
  /** Rate-limit cost the exchange charged for this request (Binance's request weight), if any. */
  cost?: number
}

export interface DialectContext {
  world: World
  /** Clock ms. */
  now(): number
  /**
   * Runs `fn` after `ms` of clock time (exchange-side timers such as OKX's cancel-all-after);
   * returns a cancel function. Pending timers are dropped when the server closes.
   */
  schedule?(fn: () => void, ms: number): () => void
}

export interface Dialect {
  readonly exchange: ExchangeId
  /** How this exchange shapes order and trade ids. */
  readonly ids: IdScheme
  /**
   * The account a request belongs to, judged from its credentials without verifying them, for
   * request counters and fault scoping. Null for public or unrecognisable requests.
   */
  identify(request: SimRequest, context: DialectContext): string | null
  /** Answers a request (never throws for bad input: it returns the exchange's error body). */
  handle(request: SimRequest, context: DialectContext): SimResponse
  /** The exchange's response during an injected fault (`timeout` is handled by the server: no answer). */
  fault(fault: Exclude<FaultKind, 'timeout'>, context: DialectContext): SimResponse
  /** Credentials a ccxt instance needs beyond apiKey/secret (OKX passphrase). */
  readonly needsPassword?: boolean
}
