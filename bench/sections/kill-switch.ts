/**
 * Section `killSwitch` (issue 5): one account per deep exchange, each with N resting orders on the
 * simulator, contained by the real KillSwitch orchestration over the real connectors (real ccxt,
 * real HTTP), against the naive way on an identical fresh simulator in the same run: list open
 * orders, then ccxt `cancelOrder` one by one, one account after the other. Both are checked by
 * reading the simulated exchange's own state afterwards: no order may be left.
 *
 * Both sides start warm, as they would be when an alert fires: the connector has polled once (the
 * watcher always has), the naive client has loaded its markets. Only the containment is timed.
 */
import type { Exchange, Order } from 'ccxt'

import { openDatabase } from '../../main/core/db/open'
import { AuditLog } from '../../main/core/db/repos/audit'
import type { Connector } from '../../main/core/exchanges/connector'
import { classifyError } from '../../main/core/exchanges/errors'
import { KillSwitch, type KillSwitchTarget } from '../../main/core/kill-switch'
import { silentLogger, systemClock } from '../../main/core/ports'
import type { ExchangeId } from '../../main/replay/scenario'
import { startSimulator, type Simulator } from '../../main/simulator'
import {
  accountOf,
  benchScenario,
  ccxtFor,
  connectorAvailability,
  connectorFor,
  dialectAvailability,
  timeCalls,
  type CallTimes
} from '../lib/sim'
import { progress, round, since, type Skipped } from '../lib/stats'

/** Sizes of one kill-switch run. */
export interface KillSwitchBenchOptions {
  ordersPerAccount: number
}

export const KILL_SWITCH_FULL: KillSwitchBenchOptions = { ordersPerAccount: 200 }
export const KILL_SWITCH_QUICK: KillSwitchBenchOptions = { ordersPerAccount: 20 }

interface AccountOutcome {
  exchange: ExchangeId
  openBefore: number
  openAfter: number
}

/** Result of the kill-switch section. */
export interface KillSwitchResult {
  ordersPerAccount: number
  exchanges: ExchangeId[]
  missingDialects: ExchangeId[]
  missingConnectors: Record<string, string>
  killSwitch: {
    wallMs: number
    reportDurationMs: number
    accounts: (AccountOutcome & {
      /** This account's own containment time (accounts run in parallel). */
      ms: number
      /** Its ccxt calls during containment: count, limiter waits and HTTP time. */
      calls: CallTimes
      /** Requests the simulated exchange saw from this account during containment, by path. */
      paths: Record<string, number>
      contained: boolean
      key: string
      ordersCancelled: number
      ordersRemainingReported: number
      steps: number
    })[]
    requests: number
    ordersRemaining: number
  }
  naive: {
    wallMs: number
    accounts: (AccountOutcome & { wallMs: number; cancelCalls: number; retries: number })[]
    requests: number
    ordersRemaining: number
  }
  /** naive wall time ÷ kill-switch wall time (target ≥ 20). */
  speedup: number
}

const scenarioFor = (exchanges: ExchangeId[], orders: number) =>
  benchScenario('bench-kill-switch', exchanges, { days: 2, ordersPerDay: 5, openOrders: orders })

const roundCalls = (c: CallTimes | undefined): CallTimes => ({
  requests: c?.requests ?? 0,
  throttleMs: round(c?.throttleMs ?? Number.NaN, 1),
  httpMs: round(c?.httpMs ?? Number.NaN, 1)
})

const countPaths = (requests: readonly { method: string; path: string }[]) => {
  const out: Record<string, number> = {}
  for (const r of requests) out[`${r.method} ${r.path}`] = (out[`${r.method} ${r.path}`] ?? 0) + 1
  return out
}

/** Total resting orders on every bench account, read from the simulated exchanges themselves. */
const openOn = (sim: Simulator, exchange: ExchangeId): number => sim.openOrders(accountOf(exchange))

async function runKillSwitchSide(
  exchanges: ExchangeId[],
  orders: number
): Promise<KillSwitchResult['killSwitch']> {
  const sim = await startSimulator({ scenario: scenarioFor(exchanges, orders), clock: systemClock })
  const connectors: Connector[] = []
  const perAccount = new Map<ExchangeId, number>()
  const calls = new Map<ExchangeId, CallTimes>()
  try {
    const targets: KillSwitchTarget[] = []
    for (const exchange of exchanges) {
      const ex = await ccxtFor(sim, exchange)
      calls.set(exchange, timeCalls(ex))
      const c = connectorFor(ex, exchange, systemClock)
      if ('missing' in c) throw new Error(c.missing)
      connectors.push(c)
      // Time each account's containment on its own: the run's wall time is its slowest account.
      const timed: Connector = {
        exchange: c.exchange,
        capabilities: () => c.capabilities(),
        backfill: (o) => c.backfill(o),
        poll: (cursors) => c.poll(cursors),
        disableKeys: (ids) => c.disableKeys(ids),
        close: () => c.close(),
        killSwitch: async (options) => {
          const t = performance.now()
          try {
            return await c.killSwitch(options)
          } finally {
            perAccount.set(exchange, since(t))
          }
        }
      }
      targets.push({ accountId: accountOf(exchange), exchange, connector: timed })
    }
    // Warm, as a watched account is: markets loaded, key list and open orders known.
    await Promise.all(connectors.map((c) => c.poll({})))
    const before = exchanges.map((e) => openOn(sim, e))
    const db = openDatabase(':memory:')
    const killSwitch = new KillSwitch(db, new AuditLog(db), systemClock, silentLogger)
    const requestsBefore = sim.requests.count()
    for (const c of calls.values()) Object.assign(c, { requests: 0, throttleMs: 0, httpMs: 0 })
    progress(
      'killSwitch',
      `kill switch: ${exchanges.join(', ')} with ${before.join('/')} open orders`
    )
    const t = performance.now()
    const report = await killSwitch.fire({ targets, trigger: 'bench' })
    const wallMs = since(t)
    const requests = sim.requests.count() - requestsBefore
    const during = sim.requests.entries().slice(requestsBefore)
    db.close()
    const accounts = exchanges.map((exchange, i) => {
      const r = report.accounts.find((a) => a.account === accountOf(exchange))
      return {
        exchange,
        openBefore: before[i] as number,
        openAfter: openOn(sim, exchange),
        ms: round(perAccount.get(exchange) ?? Number.NaN, 1),
        calls: roundCalls(calls.get(exchange)),
        paths: countPaths(during.filter((r) => r.exchange === exchange)),
        contained: r?.contained ?? false,
        key: r?.key ?? 'unknown',
        ordersCancelled: r?.ordersCancelled ?? 0,
        ordersRemainingReported: r?.ordersRemaining ?? -1,
        steps: r?.steps.length ?? 0
      }
    })
    return {
      wallMs: round(wallMs, 1),
      reportDurationMs: report.durationMs,
      accounts,
      requests,
      ordersRemaining: accounts.reduce((n, a) => n + a.openAfter, 0)
    }
  } finally {
    await Promise.all(connectors.map((c) => c.close()))
    await sim.close()
  }
}

/** Calls `fn`, retrying what a careful script would retry (rate limits, blips) a few times. */
async function patiently<T>(fn: () => Promise<T>, onRetry: () => void): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn()
    } catch (error) {
      const fault = classifyError(error, {})
      if (attempt >= 8 || !['rate-limit', 'transient'].includes(fault.category)) throw error
      onRetry()
      await new Promise((r) => setTimeout(r, Math.min(2000, fault.retryAfterMs ?? 250 * attempt)))
    }
  }
}

/** Every open order of the account, market by market (no exchange lists all of them in one go). */
async function listOpen(
  ex: Exchange,
  onRetry: () => void
): Promise<{ id: string; symbol: string }[]> {
  const out: { id: string; symbol: string }[] = []
  const seen = new Set<string>()
  for (const symbol of Object.keys(ex.markets ?? {})) {
    const orders: Order[] = await patiently(() => ex.fetchOpenOrders(symbol), onRetry)
    for (const o of orders) {
      const id = String(o.id)
      if (seen.has(id)) continue
      seen.add(id)
      out.push({ id, symbol: o.symbol ?? symbol })
    }
  }
  return out
}

async function runNaiveSide(
  exchanges: ExchangeId[],
  orders: number
): Promise<KillSwitchResult['naive']> {
  const sim = await startSimulator({ scenario: scenarioFor(exchanges, orders), clock: systemClock })
  const clients: Exchange[] = []
  try {
    for (const exchange of exchanges) {
      const ex = await ccxtFor(sim, exchange)
      await ex.loadMarkets()
      clients.push(ex)
    }
    const requestsBefore = sim.requests.count()
    progress('killSwitch', `naive: ${exchanges.length} account(s), one cancelOrder per order`)
    const accounts: KillSwitchResult['naive']['accounts'] = []
    const t = performance.now()
    for (const [i, exchange] of exchanges.entries()) {
      const ex = clients[i] as Exchange
      const openBefore = openOn(sim, exchange)
      let retries = 0
      let cancelCalls = 0
      const start = performance.now()
      // Exchanges page their open-order lists (Bybit 20, OKX 100 per call): list again until
      // nothing is left, as any script that wants to be sure has to.
      for (let pass = 0; pass < 50; pass++) {
        const open = await listOpen(ex, () => retries++)
        if (open.length === 0) break
        for (const order of open) {
          await patiently(
            () => ex.cancelOrder(order.id, order.symbol),
            () => retries++
          )
          cancelCalls++
        }
      }
      accounts.push({
        exchange,
        openBefore,
        openAfter: openOn(sim, exchange),
        wallMs: round(since(start), 1),
        cancelCalls,
        retries
      })
    }
    const wallMs = since(t)
    return {
      wallMs: round(wallMs, 1),
      accounts,
      requests: sim.requests.count() - requestsBefore,
      ordersRemaining: accounts.reduce((n, a) => n + a.openAfter, 0)
    }
  } finally {
    await Promise.all(clients.map((c) => c.close?.().catch(() => {})))
    await sim.close()
  }
}

/** Runs the kill-switch section, or says why it cannot. */
export async function runKillSwitch(
  options: KillSwitchBenchOptions
): Promise<KillSwitchResult | Skipped> {
  const { dialects, missingDialects } = dialectAvailability()
  if (dialects.length === 0) return { skipped: 'no deep exchange has a simulator dialect' }
  // Which of them the core has a connector for: ask the registry on a throwaway simulator.
  const probe = await startSimulator({ scenario: scenarioFor(dialects, 0), clock: systemClock })
  let ready: ExchangeId[]
  let missingConnectors: Record<string, string>
  try {
    ;({ ready, missingConnectors } = await connectorAvailability(probe, dialects, systemClock))
  } finally {
    await probe.close()
  }
  if (ready.length === 0)
    return {
      skipped: `no core connector for any simulated exchange: ${JSON.stringify(missingConnectors)}`
    }
  progress(
    'killSwitch',
    `measuring ${ready.join(', ')}` +
      (missingDialects.length ? `; no dialect: ${missingDialects.join(', ')}` : '') +
      (Object.keys(missingConnectors).length
        ? `; no connector: ${Object.keys(missingConnectors).join(', ')}`
        : '')
  )
  const killSwitch = await runKillSwitchSide(ready, options.ordersPerAccount)
  const naive = await runNaiveSide(ready, options.ordersPerAccount)
  progress('killSwitch', `kill switch ${killSwitch.wallMs} ms, naive ${naive.wallMs} ms`)
  return {
    ordersPerAccount: options.ordersPerAccount,
    exchanges: ready,
    missingDialects,
    missingConnectors,
    killSwitch,
    naive,
    speedup: round(naive.wallMs / killSwitch.wallMs, 2)
  }
}
