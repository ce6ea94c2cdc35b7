/**
 * Capabilities the core needs from its host. The Electron shell, the headless entry, the replay
 * harness and the tests each pass their own adapters to `createVigil(deps)`; the core never
 * reaches for a platform module itself.
 */
import type { Exchange } from 'ccxt'

/** API credentials. Lives only in the OS keychain and in memory of the main process. */
export interface Credentials {
  apiKey: string
  secret: string
  /** OKX, KuCoin, Bitget passphrase. */
  password?: string
}

/**
 * The OS keychain (or an in-memory stand-in for replays and tests). Keys are opaque slot names;
 * the core uses `account:<accountId>` and `channel:<channelId>`.
 */
export interface SecretStore {
  set(slot: string, value: string): Promise<void>
  get(slot: string): Promise<string | null>
  delete(slot: string): Promise<boolean>
}

export type NotificationUrgency = 'low' | 'normal' | 'critical'

export interface NotificationAction {
  id: string
  label: string
}

export interface NotificationRequest {
  /** Stable id: re-notifying with the same id replaces the popup instead of stacking another. */
  id: string
  title: string
  body: string
  urgency: NotificationUrgency
  actions?: NotificationAction[]
  /** The alert level behind it, when there is one (remote channels filter on it). */
  level?: 'info' | 'low' | 'medium' | 'high' | 'critical'
}

export interface NotificationHandle {
  /** Resolves with the action id the user chose, 'default' for a click on the body, or null when dismissed / expired / unsupported. */
  response: Promise<string | null>
  close(): void
}

export interface Notifier {
  /** Whether this platform can show action buttons (the kill-switch button). */
  readonly supportsActions: boolean
  notify(request: NotificationRequest): NotificationHandle
}

/** Time source. Replays run on a scenario clock that can be faster than real time. */
export interface Clock {
  now(): number
  /** Calls fn after `ms` milliseconds of clock time. Returns a cancel function. */
  setTimeout(fn: () => void, ms: number): () => void
}

export interface ExchangeTarget {
  /** ccxt exchange id, e.g. 'deribit'. */
  exchange: string
  /** Overrides the exchange's API host, e.g. the local simulator `http://127.0.0.1:PORT/deribit`. */
  endpoint?: string
}

/** Builds configured ccxt instances. Tests and replays point them at the simulator. */
export interface ExchangeFactory {
  create(target: ExchangeTarget, credentials: Credentials): Promise<Exchange>
}

export type LogFields = Record<string, unknown>

export interface Logger {
  debug(message: string, fields?: LogFields): void
  info(message: string, fields?: LogFields): void
  warn(message: string, fields?: LogFields): void
  error(message: string, fields?: LogFields): void
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const handle = setTimeout(fn, Math.max(0, ms))
    return () => clearTimeout(handle)
  }
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} }
