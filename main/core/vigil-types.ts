/**
 * The public face of the core, shared by the Electron shell, the headless entry, the replay
 * harness and the tests. `createVigil(deps)` in `vigil.ts` returns a `Vigil`.
 */
import type { Input, MethodName, Output, Status } from '../api/contract'
import type { VigilEvents } from './events'
import type { Clock, Credentials, ExchangeFactory, Logger, Notifier, SecretStore } from './ports'

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
  /** Demo mode's hooks into the built-in simulator (fire drills, a spare account for the wizard). */
  demoControl?: DemoControl
}

export interface DemoControl {
  /** A simulated account the wizard can add; its credentials never cross the API. */
  spare: { exchange: string; label: string; endpoint: string; credentials: Credentials } | null
  attacks: { id: string; title: string }[]
  /** Plays a scripted attack on the simulator now; returns how many events it played. */
  attack(id: string): number
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
