/**
 * What the core asks of an exchange. One connector per account wraps a configured ccxt instance
 * and turns what the exchange reports into normalised events (`../model.ts`). The core owns
 * storage, diffing of key and balance snapshots, scheduling and rules; connectors only talk to
 * the exchange and classify what goes wrong.
 */
import type { KillSwitchAccountResult } from '../../api/contract'
import { englishText, verbatim, type Message } from '../../api/messages'
import type { NewEvent } from '../model'
import type { Clock, Logger } from '../ports'

/** Why a call failed, in the terms the poller acts on. */
export type FaultCategory =
  | 'auth' // the key is invalid, expired or removed
  | 'permission' // the key lacks a permission for this call
  | 'rate-limit' // 429 / 418: back off
  | 'transient' // 5xx, timeout, network: retry with jitter
  | 'maintenance' // the exchange says it is down for maintenance
  | 'malformed' // the response could not be parsed or has the wrong shape
  | 'unsupported' // the exchange cannot do this at all
  | 'unknown'

/**
 * A classified failure. `msg` is the message as a descriptor (the kind of failure in words, then
 * the exchange's own reason verbatim); `message` is its English text. A plain string is kept as
 * written in every language (used for the few connector-internal faults not worth translating).
 */
export class ExchangeFault extends Error {
  readonly msg: Message
  constructor(
    readonly category: FaultCategory,
    message: string | Message,
    readonly stream?: string,
    readonly retryAfterMs?: number
  ) {
    const descriptor = typeof message === 'string' ? verbatim(message) : message
    super(englishText(descriptor))
    this.msg = descriptor
    this.name = 'ExchangeFault'
  }
}

/**
 * What `disableKeys` did: the keys it disabled, and why each other key was not (in English and
 * as a descriptor, rendered where it is shown).
 */
export interface KeysDisabled {
  disabled: string[]
  failed: { keyId: string; error: string; errorMsg?: Message }[]
}

/** A key `disableKeys` could not disable, with its reason. */
export const keyNotDisabled = (keyId: string, reason: Message): KeysDisabled['failed'][number] => ({
  keyId,
  error: englishText(reason),
  errorMsg: reason
})

/** An error that is not an exchange's fault, carrying its sentence as a descriptor. */
export class MessageError extends Error {
  constructor(readonly msg: Message) {
    super(englishText(msg))
    this.name = 'MessageError'
  }
}

/** Any thrown value as a descriptor: a fault's own, or its text as written. */
export const errorMsg = (error: unknown): Message =>
  error instanceof ExchangeFault || error instanceof MessageError
    ? error.msg
    : verbatim(error instanceof Error ? error.message : String(error))

/** One key as the exchange reports it. `self` marks the key Vigil holds. */
export interface KeySnapshot {
  keyId: string
  name: string | null
  permissions: string[]
  ipWhitelist: string[]
  enabled: boolean
  self: boolean
  createdAt: number | null
  expiresAt: number | null
  /** Linked to a third-party app (Bybit `type: 2`). */
  thirdParty: boolean
}

export interface BalanceSnapshot {
  currency: string
  total: number
  usdValue: number | null
}

/** Opaque per-stream positions (last ids / timestamps) the connector resumes from. Persisted by the core. */
export type Cursors = Record<string, string | number | null>

export interface StreamError {
  stream: string
  fault: ExchangeFault
}

export interface PollResult {
  events: NewEvent[]
  cursors: Cursors
  /**
   * Complete key inventory as the exchange lists it (all keys on Deribit, the own key elsewhere),
   * or undefined when this poll did not read keys (or could not).
   */
  keys?: KeySnapshot[]
  /** Complete balances, or undefined when not read this time. */
  balances?: BalanceSnapshot[]
  /** Open order count as read from the exchange this poll, when read. */
  openOrders?: number
  /** Streams that failed this poll; the others still delivered. */
  errors: StreamError[]
}

export interface Capability {
  id:
    | 'loginHistory'
    | 'keyList'
    | 'selfKeyInfo'
    | 'revokeKey'
    | 'cancelAll'
    | 'orders'
    | 'fills'
    | 'withdrawals'
    | 'addressBook'
    | 'positions'
    | 'deadMan'
  supported: boolean
  note: string
}

export interface KillSwitchOptions {
  /** Also revoke the key Vigil itself uses (it then cannot watch the account any more). */
  includeGuardianKey: boolean
  /** Keys known to belong to the trader that should stay (none by default: contain everything). */
  keepKeyIds?: string[]
  /** Close positions with reduce-only market orders. Off by default. */
  closePositions?: boolean
  /** Called after each step for live progress. */
  onStep?: (step: KillSwitchAccountResult['steps'][number]) => void
}

/** Backfill progress in [0, 1] with its line in English and as a descriptor. */
export type BackfillProgress = (progress: number, message: string, msg?: Message) => void

export interface ConnectorAccount {
  id: string
  exchange: string
  /** The exchange's id for the key Vigil holds, once known. */
  selfKeyId: string | null
}

export interface Connector {
  readonly exchange: string
  capabilities(): Capability[]
  /**
   * Reads up to `days` of history (paged), reporting progress in [0, 1]. Returns events and the
   * cursors to continue from.
   */
  backfill(options: { since: number; onProgress?: BackfillProgress }): Promise<PollResult>
  /** One incremental poll from the given cursors. Never throws for a single stream's failure. */
  poll(cursors: Cursors): Promise<PollResult>
  /** Disables (or removes) the given keys where the API allows; used by continuous containment. */
  disableKeys(keyIds: string[]): Promise<KeysDisabled>
  killSwitch(options: KillSwitchOptions): Promise<KillSwitchAccountResult>
  /**
   * Dead-man heartbeat where the exchange has one (cancel-all-after): every call re-arms a timer
   * after which the exchange cancels all orders; 0 disarms it. Absent when unsupported.
   */
  heartbeat?(timeoutSeconds: number): Promise<unknown>
  close(): Promise<void>
}

export interface ConnectorDeps {
  clock: Clock
  logger: Logger
}
