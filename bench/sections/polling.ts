/**
 * Section `polling` (issue 3): what watching costs each exchange's rate limits, and how long the
 * first backfill of a busy account takes.
 *
 * Per deep exchange with a simulator dialect and a core connector: a fresh simulator holding one
 * busy account (400 orders a day for 90 days). The connector backfills 90 days (timed, with ccxt's
 * own rate limiter on, as in production), then polls at the default 10 s interval on a clock the
 * bench advances by hand, while the account keeps trading at the same rate. Requests are counted
 * from the simulator's request log; Binance weights from the `X-MBX-USED-WEIGHT-1M` family of
 * headers the simulator sends. Each is compared with the exchange's documented limit
 * (`../lib/limits.ts`). For the polls ccxt's limiter is switched off: it only spaces calls in real
 * time and does not change which calls are made, and the simulated minutes would otherwise cost
 * real minutes.
 */
import type { Exchange } from 'ccxt'

import type { Connector, Cursors } from '../../main/core/exchanges/connector'
import type { ExchangeId } from '../../main/replay/scenario'
import { startSimulator, type Simulator } from '../../main/simulator'
import { amountForUsd } from '../../main/simulator/markets'
import {
  BINANCE_HEADERS,
  BINANCE_POOLS,
  binancePool,
  BYBIT_IP_LIMIT,
  bybitEndpointLimit,
  DERIBIT_LIMIT,
  okxEndpointLimit,
  perMinute
} from '../lib/limits'
import {
  accountOf,
  benchScenario,
  ccxtFor,
  connectorFor,
  dialectAvailability,
  ManualClock,
  timeCalls
} from '../lib/sim'
import { progress, round, since, type Skipped } from '../lib/stats'

const DAY_MS = 86_400_000
const POLL_MS = 10_000

/** Sizes of one polling run. */
export interface PollingOptions {
  /** Polls counted (10 s each): 60 = ten simulated minutes. */
  polls: number
  /** Days of history to backfill. */
  backfillDays: number
  ordersPerDay: number
}

/**
 * The default backfills 30 days: 90 days of a busy account take the simulator ~1 min (Deribit)
 * to ~3.5 min (OKX) per exchange on a 2-core machine, far past the bench's 5-minute budget.
 * `--backfill-days 90` measures the full window.
 */
export const POLLING_FULL: PollingOptions = { polls: 60, backfillDays: 30, ordersPerDay: 400 }
export const POLLING_QUICK: PollingOptions = { polls: 12, backfillDays: 3, ordersPerDay: 400 }

interface LimitUse {
  /** What was compared with what. */
  limit: string
  observedPerMinute: number
  limitPerMinute: number
  share: number
}

/** One exchange's polling and backfill numbers. */
export interface ExchangePolling {
  polls: number
  simulatedSeconds: number
  requests: number
  requestsPerMinute: number
  byPath: Record<string, number>
  /** Every limit checked; `share` is the largest of them. */
  limits: LimitUse[]
  share: number
  pollErrors: number
  /** Distinct stream errors seen while polling (stream: category message), with counts. */
  pollErrorKinds: Record<string, number>
  backfill: {
    days: number
    ordersPerDay: number
    ms: number
    /** Mean wall time per request (grows with the history each page is cut from). */
    msPerRequest: number
    /** Of `ms`: waiting in ccxt's own rate limiter, and on HTTP (network, simulator, parsing). */
    throttleMs: number
    httpMs: number
    events: number
    requests: number
    byPath: Record<string, number>
    errors: string[]
  }
}

/** Result of the polling section. */
export interface PollingResult {
  pollSeconds: number
  /** How requests and limits were counted. */
  method: string
  missingDialects: ExchangeId[]
  exchanges: Record<string, ExchangePolling | Skipped>
  /** The largest share of any exchange's limit (target ≤ 0.10). */
  maxShare: number
}

interface Response {
  at: number
  url: string
  headers: Record<string, string>
}

/** Keeps every response's headers (ccxt's documented hook for raw responses). */
function recordResponses(ex: Exchange, clock: ManualClock, into: Response[]): void {
  const original = ex.onRestResponse.bind(ex)
  ex.onRestResponse = (status, text, url, method, headers, body, reqHeaders, reqBody) => {
    into.push({ at: clock.now(), url, headers: headers as Record<string, string> })
    return original(status, text, url, method, headers, body, reqHeaders, reqBody)
  }
}

const countPaths = (requests: readonly { method: string; path: string }[]) => {
  const out: Record<string, number> = {}
  for (const r of requests) out[`${r.method} ${r.path}`] = (out[`${r.method} ${r.path}`] ?? 0) + 1
  return out
}

/** Places a market order now, as the account's own bots keep doing while Vigil watches. */
function trade(sim: Simulator, exchange: ExchangeId, n: number, now: number): void {
  const account = sim.world.account(accountOf(exchange))
  const symbols = [...account.markets.keys()]
  const symbol = symbols[n % symbols.length] as string
  const market = sim.world.market(account, symbol)
  sim.world.placeOrder(
    account,
    {
      symbol,
      side: n % 2 ? 'sell' : 'buy',
      type: 'market',
      amount: amountForUsd(market, 500, market.last),
      origin: 'api'
    },
    now
  )
}

function limitsFor(
  exchange: ExchangeId,
  requests: readonly { method: string; path: string }[],
  responses: readonly Response[],
  minutes: number
): LimitUse[] {
  const use = (limit: string, observed: number, limitPerMinute: number): LimitUse => ({
    limit,
    observedPerMinute: round(observed, 2),
    limitPerMinute: round(limitPerMinute, 2),
    share: round(observed / limitPerMinute, 4)
  })
  const perEndpoint = new Map<string, number>()
  for (const r of requests) {
    const key = `${r.method} ${r.path}`
    perEndpoint.set(key, (perEndpoint.get(key) ?? 0) + 1)
  }
  switch (exchange) {
    case 'deribit':
      return [
        use(
          '20 req/s per account (500 credits each, 10 000/s refill)',
          requests.length / minutes,
          perMinute(DERIBIT_LIMIT)
        )
      ]
    case 'bybit': {
      const out = [
        use('600 req / 5 s per IP', requests.length / minutes, perMinute(BYBIT_IP_LIMIT))
      ]
      for (const [key, n] of perEndpoint) {
        const [method, path] = key.split(' ') as [string, string]
        const limit = bybitEndpointLimit(method, path)
        if (limit)
          out.push(
            use(`${key}: ${limit.count}/${limit.seconds} s per UID`, n / minutes, perMinute(limit))
          )
      }
      return out
    }
    case 'binance': {
      // Used weight per pool and clock minute: the highest header value seen in that minute.
      const used = new Map<string, number>()
      for (const r of responses) {
        const window = Math.floor(r.at / 60_000)
        const path = new URL(r.url).pathname.replace(/^.*?(\/(?:api|sapi|fapi)\/)/, '$1')
        const pools: [string, string | undefined][] = [
          [binancePool(path), r.headers['X-Mbx-Used-Weight-1m'] ?? r.headers['X-Mbx-Used-Weight']],
          ...Object.entries(BINANCE_HEADERS).map(
            ([header, pool]) => [pool, r.headers[header]] as [string, string | undefined]
          )
        ]
        for (const [pool, value] of pools) {
          if (value === undefined) continue
          const key = `${pool}|${window}`
          used.set(key, Math.max(used.get(key) ?? 0, Number(value)))
        }
      }
      const total = new Map<string, number>()
      for (const [key, w] of used) {
        const pool = key.split('|')[0] as string
        total.set(pool, (total.get(pool) ?? 0) + w)
      }
      if (total.size === 0) return [use('no weight headers seen', Number.NaN, 1)]
      return [...total].map(([pool, w]) =>
        use(
          `${pool} weight ${BINANCE_POOLS[pool]}/min`,
          w / minutes,
          BINANCE_POOLS[pool] ?? Number.NaN
        )
      )
    }
    case 'okx': {
      const out: LimitUse[] = []
      for (const [key, n] of perEndpoint) {
        const [method, path] = key.split(' ') as [string, string]
        const limit = okxEndpointLimit(method, path)
        out.push(
          limit
            ? use(`${key}: ${limit.count}/${limit.seconds} s`, n / minutes, perMinute(limit))
            : use(`${key}: limit not in table`, n / minutes, Number.NaN)
        )
      }
      return out
    }
  }
}

async function measureExchange(
  exchange: ExchangeId,
  options: PollingOptions
): Promise<ExchangePolling | Skipped> {
  const start = Date.UTC(2026, 10, 20, 12, 0, 0)
  const clock = new ManualClock(start)
  const scenario = benchScenario(
    `bench-polling-${exchange}`,
    [exchange],
    { days: options.backfillDays, ordersPerDay: options.ordersPerDay, openOrders: 10 },
    7
  )
  let t = performance.now()
  const sim = await startSimulator({ scenario, clock, startAt: start })
  progress(
    'polling',
    `${exchange}: simulator with ${options.backfillDays} days of history in ${round(since(t) / 1000, 1)} s`
  )
  let connector: Connector | null = null
  try {
    const ex = await ccxtFor(sim, exchange)
    const responses: Response[] = []
    recordResponses(ex, clock, responses)
    const calls = timeCalls(ex)
    const c = connectorFor(ex, exchange, clock)
    if ('missing' in c) return { skipped: c.missing }
    connector = c

    // Backfill, as when the account is added: ccxt's limiter on, real time.
    clock.follow()
    t = performance.now()
    const before = sim.requests.count()
    const backfill = await c.backfill({ since: start - options.backfillDays * DAY_MS })
    const backfillMs = since(t)
    const { throttleMs, httpMs } = calls
    // Counted polls start on a minute boundary, so Binance's per-minute weight windows are
    // whole minutes of counted polls only.
    clock.freeze()
    clock.advance(60_000 - ((clock.now() + 20_000) % 60_000))
    const backfillRequests = sim.requests.count() - before
    const backfillPaths = countPaths(sim.requests.entries().slice(before))
    progress(
      'polling',
      `${exchange}: backfill ${backfill.events.length} events, ${backfillRequests} requests in ${round(backfillMs / 1000, 1)} s`
    )
    let cursors: Cursors = backfill.cursors

    // Polls every 10 s of clock time; the first one after the backfill is not counted.
    ex.enableRateLimit = false
    let pollErrors = 0
    let pollErrorKinds: Record<string, number> = {}
    const tradeEvery = Math.max(1, Math.round(DAY_MS / options.ordersPerDay / POLL_MS))
    const poll = async (i: number) => {
      clock.advance(POLL_MS)
      if (i % tradeEvery === 0) trade(sim, exchange, i, clock.now())
      const r = await c.poll(cursors)
      cursors = { ...cursors, ...r.cursors }
      pollErrors += r.errors.length
      for (const e of r.errors) {
        const kind = `${e.stream}: ${e.fault.category} ${e.fault.message}`.slice(0, 160)
        pollErrorKinds[kind] = (pollErrorKinds[kind] ?? 0) + 1
      }
    }
    await poll(0)
    pollErrors = 0
    pollErrorKinds = {}
    const from = clock.now() + 1
    responses.length = 0
    for (let i = 1; i <= options.polls; i++) await poll(i)
    const counted = sim.requests.entries({ since: from })
    const minutes = (options.polls * POLL_MS) / 60_000
    const byPath = countPaths(counted)
    const limits = limitsFor(exchange, counted, responses, minutes)
    const share = Math.max(...limits.map((l) => l.share).filter((s) => Number.isFinite(s)))
    return {
      polls: options.polls,
      simulatedSeconds: (options.polls * POLL_MS) / 1000,
      requests: counted.length,
      requestsPerMinute: round(counted.length / minutes, 2),
      byPath,
      limits,
      share: round(share, 4),
      pollErrors,
      pollErrorKinds,
      backfill: {
        days: options.backfillDays,
        ordersPerDay: options.ordersPerDay,
        ms: round(backfillMs, 0),
        msPerRequest: round(backfillMs / Math.max(1, backfillRequests), 1),
        throttleMs: round(throttleMs, 0),
        httpMs: round(httpMs, 0),
        events: backfill.events.length,
        requests: backfillRequests,
        byPath: backfillPaths,
        errors: backfill.errors.map((e) => `${e.stream}: ${e.fault.category} ${e.fault.message}`)
      }
    }
  } finally {
    await connector?.close()
    await sim.close()
  }
}

/** Runs the polling section, or says why it cannot. */
export async function runPolling(options: PollingOptions): Promise<PollingResult | Skipped> {
  const { dialects, missingDialects } = dialectAvailability()
  if (dialects.length === 0) return { skipped: 'no deep exchange has a simulator dialect' }
  const exchanges: Record<string, ExchangePolling | Skipped> = {}
  for (const e of missingDialects) exchanges[e] = { skipped: `no simulator dialect for ${e}` }
  // One exchange at a time: the simulator shares this process, so concurrent backfills would
  // slow each other down and blur every exchange's number.
  for (const exchange of dialects) {
    try {
      const r = await measureExchange(exchange, options)
      exchanges[exchange] = r
      if (!('skipped' in r))
        progress(
          'polling',
          `${exchange}: ${r.requestsPerMinute} req/min, ${round(r.share * 100, 2)} % of its limit`
        )
    } catch (error) {
      exchanges[exchange] = { skipped: `failed: ${(error as Error).message}` }
    }
  }
  const shares = Object.values(exchanges).flatMap((r) => ('share' in r ? [r.share] : []))
  return {
    pollSeconds: POLL_MS / 1000,
    method:
      `${options.polls} counted polls at 10 s of clock time after one uncounted poll, requests from the simulator's request log ` +
      "(public calls included), the account placing a market order every ~3.6 min (400 a day); limits from the exchanges' " +
      'documentation (bench/lib/limits.ts): Deribit 20 req/s, Bybit 600 req/5 s per IP and per-UID endpoint limits, Binance ' +
      'weight per pool from the X-MBX-USED-WEIGHT-1M / X-SAPI-USED-*-WEIGHT-1M headers, OKX per-endpoint limits; share = the ' +
      "largest observed/limit per minute. Backfill timed with ccxt's limiter on; throttleMs/httpMs are sums over calls.",
    missingDialects,
    exchanges,
    maxShare: shares.length ? Math.max(...shares) : Number.NaN
  }
}
