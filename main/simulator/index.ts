/**
 * The local exchange simulator: a scenario's accounts with their generated history, served over
 * real HTTP in each exchange's own REST dialect so that unmodified ccxt talks to it. The replay,
 * the demo, fire drills and the integration tests all start it here.
 *
 * ```ts
 * const sim = await startSimulator({ scenario, clock, startAt })
 * const ex = new ccxt.deribit(sim.credentials('drb'))
 * ex.urls.api = rewriteApiUrls(ex.urls.api, sim.endpointFor('deribit'))
 * sim.apply(0) // play timeline event 0 into the world
 * ```
 */
import type { Clock } from '../core/ports'
import type { ExchangeId, Permission, Scenario } from '../replay/scenario'
import { scenarioStartAt } from '../replay/scenario'
import { dialectFor } from './dialects'
import { FaultBoard, type FaultSpec } from './faults'
import { generateHistory, seedHistory } from './history'
import { startServer, type RequestLog } from './server'
import { applyEvent, SimulatorError, type AppliedEvent } from './timeline'
import { plainIds, World } from './world'

export { FaultBoard, type FaultKind, type FaultSpec } from './faults'
export { RequestLog, type RequestFilter, type RequestRecord } from './server'
export { SimulatorError, type AppliedEvent } from './timeline'
export { World } from './world'

export interface StartSimulatorOptions {
  scenario: Scenario
  /** The world's time source (ms). Replays pass their scenario clock. */
  clock: Clock
  /** Clock ms of scenario second 0; default the scenario's `startAt`, else `clock.now()`. */
  startAt?: number
  /** Overrides the scenario's seed (to vary the generated history). */
  seed?: number
}

/** The guardian's credentials for an account, as a ccxt constructor takes them. */
export interface SimCredentials {
  apiKey: string
  secret: string
  /** Only for exchanges with a passphrase (OKX). */
  password?: string
}

/** One API key as the simulated exchange holds it (read back, never trusted from a client). */
export interface KeyStatus {
  /** The exchange's key id (Deribit's numeric `id`, as a string). */
  id: string
  /** The API key string (Deribit `client_id`). */
  clientId: string
  enabled: boolean
  removed: boolean
  /** The guardian's own key. */
  self: boolean
  /** The scenario's reference: `self`, `other-N`, or an `api_key_created` keyId (`k-<index>` when none). */
  ref: string
  permissions: Permission[]
  ipWhitelist: string[]
  createdAt: number
}

export interface Simulator {
  /** Base URL, `http://127.0.0.1:<port>`. */
  readonly url: string
  readonly scenario: Scenario
  /** Clock ms of scenario second 0; all generated history lies before it. */
  readonly startAt: number
  readonly seed: number
  /** The simulated state, for tests and diagnostics. Clients must go through HTTP. */
  readonly world: World
  /** Requests seen, per account and path. */
  readonly requests: RequestLog
  /**
   * The base URL to give ccxt as its API host, e.g. `${url}/deribit`. With `accountId` the
   * endpoint is pinned to that account (public calls then see only its markets and prices).
   * Throws for exchanges whose dialect is not written yet.
   */
  endpointFor(exchange: ExchangeId, accountId?: string): string
  /** The guardian key's credentials for an account. */
  credentials(accountId: string): SimCredentials
  /** Plays timeline event `timelineIndex` into the world at the clock's current time. */
  apply(timelineIndex: number): AppliedEvent
  /** The timeline event that created a record (by the id the exchange reports), if any. */
  originOf(accountId: string, recordId: string | number): number | undefined
  /** Every timeline event that created or touched a record, creator first. */
  originsOf(accountId: string, recordId: string | number): number[]
  /** Open orders on the account right now. */
  openOrders(accountId: string): number
  /** Every key of the account, including disabled and removed ones. */
  keys(accountId: string): KeyStatus[]
  /** Makes the exchange misbehave for `seconds` of clock time (all accounts when `account` is omitted). */
  setFault(fault: FaultSpec): void
  /** Fails a share `rate` of requests (of one account, or all) with a transient 5xx, reproducibly. */
  setFlaky(rate: number, options?: { seed?: number; account?: string }): void
  clearFaults(): void
  close(): Promise<void>
}

/**
 * Builds the world a scenario starts from: accounts, keys, markets, balances and the generated
 * history. Pure: the same scenario, seed and start time give an identical world.
 */
export function buildWorld(scenario: Scenario, options: { seed: number; startAt: number }): World {
  const world = new World(scenario, {
    ...options,
    idScheme: (exchange) => dialectFor(exchange)?.ids ?? plainIds
  })
  for (const account of scenario.accounts) {
    seedHistory(world, account.id, generateHistory(scenario, account.id, options))
  }
  return world
}

/**
 * Rewrites a ccxt `urls.api` value (a string or a nested map of URLs) to point at `endpoint`,
 * keeping each URL's path so signatures stay valid.
 */
export function rewriteApiUrls<T>(api: T, endpoint: string): T {
  if (typeof api === 'string') return api.replace(/^https?:\/\/[^/]+/, endpoint) as T
  if (api !== null && typeof api === 'object') {
    return Object.fromEntries(
      Object.entries(api).map(([k, v]) => [k, rewriteApiUrls(v, endpoint)])
    ) as T
  }
  return api
}

/** Starts the simulator on a free 127.0.0.1 port. */
export async function startSimulator(options: StartSimulatorOptions): Promise<Simulator> {
  const { scenario, clock } = options
  const startAt = options.startAt ?? scenarioStartAt(scenario, clock.now())
  const seed = options.seed ?? scenario.seed
  const world = buildWorld(scenario, { seed, startAt })
  const faults = new FaultBoard()
  const server = await startServer({ world, faults, clock })
  const applied = new Set<number>()

  return {
    url: server.url,
    scenario,
    startAt,
    seed,
    world,
    requests: server.requests,
    endpointFor(exchange, accountId) {
      if (!dialectFor(exchange)) {
        throw new SimulatorError(
          `simulator dialect not yet supported: ${exchange} (available: deribit)`
        )
      }
      if (accountId !== undefined) {
        if (world.account(accountId).exchange !== exchange) {
          throw new SimulatorError(`account "${accountId}" is not on ${exchange}`)
        }
        return `${server.url}/acct/${encodeURIComponent(accountId)}/${exchange}`
      }
      return `${server.url}/${exchange}`
    },
    credentials(accountId) {
      const account = world.account(accountId)
      const key = world.selfKey(account)
      const needsPassword =
        dialectFor(account.exchange)?.needsPassword ?? account.exchange === 'okx'
      return {
        apiKey: key.clientId,
        secret: key.secret,
        ...(needsPassword ? { password: key.passphrase } : {})
      }
    },
    apply(timelineIndex) {
      const event = scenario.timeline[timelineIndex]
      if (!event)
        throw new SimulatorError(
          `no timeline event ${timelineIndex} (timeline has ${scenario.timeline.length})`
        )
      if (applied.has(timelineIndex))
        throw new SimulatorError(`timeline event ${timelineIndex} was already applied`)
      applied.add(timelineIndex)
      return applyEvent(world, faults, timelineIndex, event, clock.now())
    },
    originOf: (accountId, recordId) => world.originsOf(accountId, recordId)[0],
    originsOf: (accountId, recordId) => world.originsOf(accountId, recordId),
    openOrders: (accountId) => world.openOrders(world.account(accountId)).length,
    keys: (accountId) =>
      world.account(accountId).keys.map((k) => ({
        id: String(k.id),
        clientId: k.clientId,
        enabled: k.enabled,
        removed: k.removed,
        self: k.self,
        ref: k.ref,
        permissions: [...k.permissions],
        ipWhitelist: [...k.ipWhitelist],
        createdAt: k.createdAt
      })),
    setFault(fault) {
      const exchange = fault.account === undefined ? null : world.account(fault.account).exchange
      faults.set(fault, clock.now(), exchange)
    },
    setFlaky(rate, options = {}) {
      faults.setFlaky(rate, options.seed ?? seed, options.account)
    },
    clearFaults: () => faults.clear(),
    close: () => server.close()
  }
}
