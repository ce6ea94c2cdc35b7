/**
 * The public face of the core, shared by the Electron shell, the headless entry, the replay
 * harness and the tests. `createVigil(deps)` in `vigil.ts` returns a `Vigil`.
 */
import type { Input, MethodName, Output, Status } from '../api/contract'
import type { VigilEvents } from './events'
import type { Clock, ExchangeFactory, Logger, Notifier, SecretStore } from './ports'

export interface VigilDeps {
  /** Folder for vigil.db. ':memory:' keeps everything in memory (replays, tests). */
  dataDir: string
  secrets: SecretStore
  notifier: Notifier
  exchanges: ExchangeFactory
  /** Folder of shipped rule YAML files (resources/rules). */
  rulesDir: string
  clock?: Clock
  logger?: Logger
  mode: 'electron' | 'headless'
  demo?: boolean
  /** Overrides every account's poll interval (replays). */
  pollSecondsOverride?: number
}

/** Handlers for every contract method; inputs are already validated by `dispatch`. */
export type VigilHandlers = {
  [M in MethodName]: (input: Output<M> extends never ? never : Input<M>) => Promise<Output<M>>
}

export interface Vigil {
  readonly events: VigilEvents
  readonly handlers: VigilHandlers
  /** Starts polling every account. */
  start(): Promise<void>
  /** Stops polling and timers and closes the database. */
  stop(): Promise<void>
  status(): Status
}

export type { MethodName }
