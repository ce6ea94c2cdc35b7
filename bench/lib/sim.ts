/**
 * Simulator plumbing shared by the exchange sections: a scenario with one account per deep
 * exchange, which of those the simulator and the core can serve right now, and ccxt instances
 * and connectors built exactly as the core builds them (production factory, production registry).
 */
import type { Exchange } from 'ccxt'

import { createCcxtFactory } from '../../main/core/exchanges/ccxt-factory'
import type { Connector } from '../../main/core/exchanges/connector'
import { createConnector, DEEP_EXCHANGES } from '../../main/core/exchanges/registry'
import { silentLogger, type Clock } from '../../main/core/ports'
import { parseScenario, type ExchangeId, type Scenario } from '../../main/replay/scenario'
import { dialectFor } from '../../main/simulator/dialects'
import type { Simulator } from '../../main/simulator'

/** The deep exchanges, as the core lists them. */
export const DEEP: readonly ExchangeId[] = DEEP_EXCHANGES

/** Markets per exchange: a spot pair and a perpetual where the exchange has both. */
const MARKETS: Record<ExchangeId, string[]> = {
  deribit: ['BTC/USD:BTC', 'ETH/USD:ETH'],
  bybit: ['BTC/USDT', 'BTC/USDT:USDT'],
  binance: ['BTC/USDT', 'ETH/USDT'],
  okx: ['BTC/USDT', 'BTC/USDT:USDT']
}

const BALANCES: Record<ExchangeId, Record<string, number>> = {
  deribit: { BTC: 25, ETH: 300 },
  bybit: { USDT: 2_000_000, BTC: 20 },
  binance: { USDT: 2_000_000, BTC: 20, ETH: 300 },
  okx: { USDT: 2_000_000, BTC: 20 }
}

/** Account id used for an exchange in bench scenarios. */
export const accountOf = (exchange: ExchangeId): string => `bench-${exchange}`

/** What one account's generated past looks like. */
export interface HistoryShape {
  days: number
  ordersPerDay: number
  openOrders: number
  loginsPerDay?: number
}

/**
 * A `vigil-scenario/1` document with one account per listed exchange. The guardian key may trade
 * and read (so it can cancel); each account also holds one other key, the kind a kill switch
 * disables where the exchange allows it.
 */
export function benchScenario(
  name: string,
  exchanges: readonly ExchangeId[],
  history: HistoryShape,
  seed = 42
): Scenario {
  return parseScenario({
    format: 'vigil-scenario/1',
    name,
    seed,
    accounts: exchanges.map((exchange) => ({
      id: accountOf(exchange),
      exchange,
      key: {
        permissions: ['read', 'spot', 'futures'],
        ipWhitelist: ['84.17.32.10'],
        ageDays: 60
      },
      otherKeys: [{ permissions: ['read', 'spot'], ipWhitelist: [], ageDays: 200 }],
      balances: BALANCES[exchange],
      markets: MARKETS[exchange],
      history: {
        days: history.days,
        logins: { perDay: history.loginsPerDay ?? 2 },
        trading: {
          symbols: MARKETS[exchange],
          ordersPerDay: history.ordersPerDay,
          notionalUsd: [100, 2000],
          marketShare: 0.3,
          hours: [0, 23],
          openOrders: history.openOrders
        },
        withdrawals: { perMonth: 4 }
      }
    })),
    timeline: []
  })
}

/** Why an exchange cannot be benchmarked now, or null when it can. */
export interface Availability {
  /** Exchanges the simulator has a dialect for. */
  dialects: ExchangeId[]
  missingDialects: ExchangeId[]
}

/** Which deep exchanges the simulator serves (dialects registered at run time). */
export function dialectAvailability(): Availability {
  const dialects = DEEP.filter((e) => dialectFor(e) !== undefined)
  return { dialects, missingDialects: DEEP.filter((e) => !dialects.includes(e)) }
}

/** A ccxt instance from the production factory, pointed at the simulator for this account. */
export async function ccxtFor(sim: Simulator, exchange: ExchangeId): Promise<Exchange> {
  return createCcxtFactory().create(
    { exchange, endpoint: sim.endpointFor(exchange) },
    sim.credentials(accountOf(exchange))
  )
}

/**
 * The core's connector for an account, or the reason there is none (the registry refuses
 * exchanges whose connector is not written yet).
 */
export function connectorFor(
  exchange: Exchange,
  id: ExchangeId,
  clock: Clock
): Connector | { missing: string } {
  try {
    return createConnector(
      exchange,
      { id: accountOf(id), exchange: id, selfKeyId: null },
      { clock, logger: silentLogger }
    )
  } catch (error) {
    return { missing: (error as Error).message }
  }
}

/**
 * Which dialect-served exchanges also have a core connector. Builds (and discards) one throwaway
 * ccxt instance per exchange; no request is sent.
 */
export async function connectorAvailability(
  sim: Simulator,
  exchanges: readonly ExchangeId[],
  clock: Clock
): Promise<{ ready: ExchangeId[]; missingConnectors: Record<string, string> }> {
  const ready: ExchangeId[] = []
  const missingConnectors: Record<string, string> = {}
  for (const exchange of exchanges) {
    const c = connectorFor(await ccxtFor(sim, exchange), exchange, clock)
    if ('missing' in c) missingConnectors[exchange] = c.missing
    else ready.push(exchange)
  }
  return { ready, missingConnectors }
}

/**
 * A clock the bench moves by hand (polling at 10 s intervals without waiting 10 s), or lets run
 * with real time (`follow`) while something slow such as a backfill happens: exchange-side
 * limiters that add real time to the clock (the OKX dialect does) must never see it go back.
 */
export class ManualClock implements Clock {
  private followingSince: number | null = null

  constructor(public current: number) {}

  now(): number {
    // Whole milliseconds: exchanges reject fractional timestamps in parameters.
    return this.followingSince === null
      ? this.current
      : Math.floor(this.current + (performance.now() - this.followingSince))
  }

  /** Lets the clock run with real time until `freeze()`. */
  follow(): void {
    this.followingSince ??= performance.now()
  }

  /** Stops the clock where it is. */
  freeze(): void {
    this.current = this.now()
    this.followingSince = null
  }

  setTimeout(fn: () => void, ms: number): () => void {
    // Retry back-off in the core waits on this clock: let it pass at once (time moves by hand).
    void ms
    const h = setImmediate(fn)
    return () => clearImmediate(h)
  }
  advance(ms: number): void {
    this.freeze()
    this.current += ms
  }
}

/** Where a ccxt instance's time went: waiting for its own rate limiter, or on the wire. */
export interface CallTimes {
  /** HTTP requests sent. */
  requests: number
  /** Time spent waiting in ccxt's throttle (its client-side rate limiter). */
  throttleMs: number
  /** Time from sending a request to having its parsed answer (network + simulator + parsing). */
  httpMs: number
}

/**
 * Wraps `throttle` and `fetch` of one ccxt instance to time them. Both are ccxt's own seams
 * (every REST call goes `throttle` → `sign` → `fetch`); behaviour is unchanged.
 */
export function timeCalls(ex: Exchange): CallTimes {
  const times: CallTimes = { requests: 0, throttleMs: 0, httpMs: 0 }
  const throttle = ex.throttle.bind(ex)
  const fetch = ex.fetch.bind(ex)
  ex.throttle = (async (cost?: number) => {
    const t = performance.now()
    try {
      return await throttle(cost)
    } finally {
      times.throttleMs += performance.now() - t
    }
  }) as Exchange['throttle']
  ex.fetch = (async (...args: Parameters<Exchange['fetch']>) => {
    const t = performance.now()
    times.requests++
    try {
      return await fetch(...args)
    } finally {
      times.httpMs += performance.now() - t
    }
  }) as Exchange['fetch']
  return times
}
