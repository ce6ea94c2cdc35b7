/**
 * One watcher per account: backfill and retro-scan once, then poll on the account's interval.
 * A failing stream never stops the others, a failing poll never stops the loop, and every window
 * that could not be read is recorded as a data gap rather than silently skipped.
 */
import { englishText, joinMessages, msg, type Message } from '../api/messages'
import {
  errorMsg,
  type Connector,
  type Cursors,
  type ExchangeFault,
  type PollResult
} from './exchanges/connector'
import type { Db } from './db/open'
import type { AccountRecord, AccountsRepo } from './db/repos/accounts'
import { EventStore } from './db/repos/events'
import { diffBalances, diffKeys, postureEvents } from './inventory'
import type { NewEvent, StoredEvent } from './model'
import type { Clock, Logger } from './ports'

export const BACKFILL_DAYS = 90
const DAY_MS = 24 * 60 * 60 * 1000
const MAX_BACKOFF_MS = 60_000

export interface WatcherHooks {
  /** Enrich and store events, then evaluate them; returns what was newly stored. */
  ingest(account: AccountRecord, events: NewEvent[], origin: StoredEvent['origin']): StoredEvent[]
  /** Run the retro-scan over backfilled events (already stored). */
  retroScan(account: AccountRecord, events: StoredEvent[], onProgress: (p: number) => void): void
  /** Called after key snapshot diffing produced events, with the events. */
  onKeyEvents?(account: AccountRecord, events: StoredEvent[]): void
  /** `msg` is the line as a descriptor, for the reader's language. */
  onBackfillProgress(
    accountId: string,
    progress: number,
    message: string,
    done: boolean,
    msg?: Message
  ): void
  onHealth(account: AccountRecord, notice: HealthNotice): void
  onPolled(account: AccountRecord, result: PollResult): void
}

/** `detail` is English; `detailMsg` the same sentence as a descriptor (exchange text verbatim). */
export type HealthNotice = { detail: string; detailMsg: Message } & (
  | { rule: 'guardian.rate_limited' }
  | { rule: 'guardian.exchange_degraded'; sinceMs: number }
  | { rule: 'guardian.poll_stalled'; sinceMs: number }
  | { rule: 'key.auth_failing'; consecutive: number }
)

const detail = (message: Message): { detail: string; detailMsg: Message } => ({
  detail: englishText(message),
  detailMsg: message
})

export interface WatcherOptions {
  pollSecondsOverride?: number
  authFailThreshold?: number
  degradedAfterMs?: number
  stalledAfterIntervals?: number
}

export class AccountWatcher {
  private cancelTimer: (() => void) | null = null
  private stopped = false
  private running: Promise<void> | null = null
  private backoffMs = 0
  private consecutiveAuth = 0
  private firstFailureAt: number | null = null
  private lastSuccessAt: number | null = null
  private openGaps = new Set<string>()
  private notified = new Set<string>()
  private firstPoll!: () => void
  private postureDay: string | null = null
  /** Resolves after the first successful incremental poll (backfill done). */
  readonly firstPollDone: Promise<void>
  private readonly events: EventStore

  constructor(
    private readonly db: Db,
    private readonly accounts: AccountsRepo,
    private readonly accountId: string,
    private readonly connector: Connector,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly hooks: WatcherHooks,
    private readonly options: WatcherOptions = {}
  ) {
    this.events = new EventStore(db)
    this.firstPollDone = new Promise((resolve) => (this.firstPoll = resolve))
  }

  get account(): AccountRecord {
    const a = this.accounts.get(this.accountId)
    if (!a) throw new Error(`account ${this.accountId} no longer exists`)
    return a
  }

  get intervalMs(): number {
    return (this.options.pollSecondsOverride ?? this.account.pollSeconds) * 1000
  }

  get connectorRef(): Connector {
    return this.connector
  }

  /** Stores the account's last error in English and as a descriptor (rendered where shown). */
  private setError(
    accountId: string,
    error: Message | null,
    patch: Parameters<AccountsRepo['update']>[1] = {}
  ): void {
    this.accounts.update(accountId, {
      ...patch,
      lastError: error ? englishText(error) : null,
      lastErrorMsg: error
    })
  }

  private progress(accountId: string, p: number, line: Message, done = false): void {
    this.hooks.onBackfillProgress(accountId, p, englishText(line), done, line)
  }

  start(): void {
    this.stopped = false
    this.schedule(0)
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.cancelTimer?.()
    this.cancelTimer = null
    await this.running?.catch(() => {})
  }

  /** Runs one cycle now (tests, "poll now" in the UI). */
  async pollNow(): Promise<void> {
    this.cancelTimer?.()
    await this.cycle()
  }

  private schedule(ms: number): void {
    if (this.stopped) return
    this.cancelTimer?.()
    this.cancelTimer = this.clock.setTimeout(() => {
      const wasBackfilled = !!this.accounts.get(this.accountId)?.options.backfilledAt
      this.running = this.cycle().finally(() => {
        this.running = null
        const justBackfilled =
          !wasBackfilled && !!this.accounts.get(this.accountId)?.options.backfilledAt
        // Right after backfill, poll at once: what happened while history was read must not wait an interval.
        this.schedule(justBackfilled ? 0 : this.intervalMs + this.backoffMs)
      })
    }, ms)
  }

  private async cycle(): Promise<void> {
    if (this.stopped) return
    const account = this.accounts.get(this.accountId)
    if (!account) return
    if (account.status === 'paused') return
    try {
      if (!account.options.backfilledAt) await this.backfill(account)
      else await this.poll(account)
    } catch (error) {
      // A bug or an unexpected exchange answer must not kill the loop; record it and go on.
      this.logger.error('poll cycle failed', {
        account: this.accountId,
        error: (error as Error).message
      })
      this.setError(this.accountId, errorMsg(error))
    }
  }

  private async backfill(account: AccountRecord): Promise<void> {
    const now = this.clock.now()
    this.progress(account.id, 0, msg('progress.start'))
    const result = await this.connector.backfill({
      since: now - BACKFILL_DAYS * DAY_MS,
      onProgress: (p, message, line) =>
        this.hooks.onBackfillProgress(account.id, p * 0.7, message, false, line)
    })
    const fatal = result.errors.find((e) => e.fault.category === 'auth')
    if (fatal && result.events.length === 0 && !result.keys) {
      this.setError(account.id, fatal.fault.msg, { status: 'error' })
      this.progress(account.id, 0, fatal.fault.msg)
      this.noteFailure(account, result)
      return
    }
    const stored: StoredEvent[] = []
    if (result.keys) {
      const self = result.keys.find((k) => k.self)
      if (self) this.accounts.update(account.id, { selfKeyId: self.keyId })
      stored.push(
        ...this.hooks.ingest(account, diffKeys(this.db, account.id, result.keys, now), 'backfill')
      )
    }
    if (result.balances) diffBalances(this.db, account.id, result.balances, now)
    // Like keys, the address book as found when the account is added is the baseline, not news.
    const baseline = result.events.map((e) =>
      e.type === 'address.added' ? { ...e, type: 'address.seen' as const } : e
    )
    stored.push(
      ...this.hooks.ingest(
        account,
        baseline.sort((a, b) => a.ts - b.ts),
        'backfill'
      )
    )
    stored.sort((a, b) => a.ts - b.ts || a.id - b.id)
    this.progress(account.id, 0.7, msg('progress.checkingCount', { count: stored.length }))
    this.hooks.retroScan(account, stored, (p) =>
      this.progress(account.id, 0.7 + 0.3 * p, msg('progress.checking'))
    )
    for (const e of result.errors) this.openGap(account.id, e.stream, e.fault, now)
    this.setError(account.id, joinMessages(result.errors.map((e) => e.fault.msg)), {
      cursors: result.cursors,
      options: { ...account.options, backfilledAt: now },
      status: account.status === 'error' ? 'learning' : account.status,
      lastPollAt: now
    })
    this.progress(account.id, 1, msg('progress.done', { count: stored.length }), true)
    this.hooks.onPolled(this.account, result)
  }

  private async poll(account: AccountRecord): Promise<void> {
    const now = this.clock.now()
    const result = await this.connector.poll(account.cursors)
    const current = this.accounts.get(account.id)
    if (!current) return
    if (result.keys) {
      const keyEvents = this.hooks.ingest(
        current,
        diffKeys(this.db, account.id, result.keys, now),
        'live'
      )
      if (keyEvents.length) this.hooks.onKeyEvents?.(current, keyEvents)
    }
    const balanceEvents = result.balances
      ? diffBalances(this.db, account.id, result.balances, now)
      : []
    this.hooks.ingest(
      current,
      [...result.events, ...balanceEvents].sort((a, b) => a.ts - b.ts),
      'live'
    )
    const day = new Date(now).toISOString().slice(0, 10)
    if (this.postureDay !== day) {
      this.postureDay = day
      this.hooks.ingest(current, postureEvents(this.db, account.id, now), 'live')
    }
    this.mergeCursors(account.id, account.cursors, result.cursors)
    const delivered =
      result.errors.length === 0 || result.events.length > 0 || result.keys !== undefined
    this.setError(
      account.id,
      joinMessages(
        result.errors.map((e) => msg('join.prefixed', { subject: e.stream, error: e.fault.msg }))
      ),
      { lastPollAt: delivered ? now : (current.lastPollAt ?? undefined) }
    )
    if (result.errors.length) this.noteFailure(current, result)
    else this.noteSuccess(current, now)
    await this.beat(current)
    this.hooks.onPolled(this.account, result)
    this.firstPoll()
  }

  /** Re-arms the exchange's dead-man timer after each poll, when the trader turned it on. */
  private async beat(account: AccountRecord): Promise<void> {
    const seconds = account.options.deadManSeconds
    if (!seconds || !this.connector.heartbeat || account.status === 'paused') return
    try {
      await this.connector.heartbeat(seconds)
    } catch (error) {
      this.logger.warn('dead-man heartbeat failed', {
        account: account.id,
        reason: (error as Error).message
      })
      this.setError(account.id, msg('account.heartbeat', { error: errorMsg(error) }))
    }
  }

  /** Turns the dead-man timer off (a graceful stop must not make the exchange cancel everything). */
  async disarm(): Promise<void> {
    const account = this.accounts.get(this.accountId)
    if (!account?.options.deadManSeconds || !this.connector.heartbeat) return
    await this.connector.heartbeat(0).catch((error: unknown) =>
      this.logger.warn('could not disarm the dead-man timer', {
        account: this.accountId,
        reason: (error as Error).message
      })
    )
  }

  private mergeCursors(accountId: string, before: Cursors, after: Cursors): void {
    this.accounts.update(accountId, { cursors: { ...before, ...after } })
  }

  private noteSuccess(account: AccountRecord, now: number): void {
    this.backoffMs = 0
    this.consecutiveAuth = 0
    this.firstFailureAt = null
    this.lastSuccessAt = now
    this.notified.clear()
    for (const stream of this.openGaps) {
      this.db
        .prepare(
          'UPDATE data_gaps SET to_ts = ? WHERE account_id = ? AND stream = ? AND to_ts IS NULL'
        )
        .run(now, account.id, stream)
    }
    this.openGaps.clear()
    if (account.status === 'degraded' || account.status === 'error')
      this.accounts.update(account.id, { status: 'watching' })
  }

  private openGap(accountId: string, stream: string, fault: ExchangeFault, now: number): void {
    if (this.openGaps.has(stream)) return
    this.openGaps.add(stream)
    this.db
      .prepare(
        'INSERT INTO data_gaps (account_id, stream, from_ts, reason, reason_msg) VALUES (?, ?, ?, ?, ?)'
      )
      .run(
        accountId,
        stream,
        this.lastSuccessAt ?? now,
        `${fault.category}: ${fault.message}`,
        JSON.stringify(fault.msg)
      )
  }

  private noteFailure(account: AccountRecord, result: PollResult): void {
    const now = this.clock.now()
    this.firstFailureAt ??= now
    for (const e of result.errors) this.openGap(account.id, e.stream, e.fault, now)
    const categories = new Set(result.errors.map((e) => e.fault.category))
    if (categories.has('rate-limit')) {
      const retry = result.errors.find((e) => e.fault.retryAfterMs)?.fault.retryAfterMs
      this.backoffMs = Math.min(
        MAX_BACKOFF_MS,
        Math.max(retry ?? 0, this.backoffMs ? this.backoffMs * 2 : this.intervalMs)
      )
      this.notifyOnce(account, {
        rule: 'guardian.rate_limited',
        ...detail(
          msg('health.rateLimited', {
            exchange: account.exchange,
            seconds: Math.round((this.intervalMs + this.backoffMs) / 1000)
          })
        )
      })
    } else {
      // Transient faults: retry on the next interval with a little jitter so accounts do not sync up.
      this.backoffMs = Math.min(MAX_BACKOFF_MS, Math.round(this.intervalMs * 0.2 * Math.random()))
    }
    const allAuth =
      result.errors.length > 0 &&
      result.errors.every((e) => e.fault.category === 'auth' || e.fault.category === 'permission')
    if (allAuth && result.events.length === 0) {
      this.consecutiveAuth++
      const threshold = this.options.authFailThreshold ?? 3
      if (this.consecutiveAuth >= threshold) {
        this.notifyOnce(account, {
          rule: 'key.auth_failing',
          ...detail(
            msg('health.authFailing', {
              count: this.consecutiveAuth,
              error: result.errors[0]!.fault.msg
            })
          ),
          consecutive: this.consecutiveAuth
        })
        if (account.status !== 'contained') this.accounts.update(account.id, { status: 'error' })
      }
    }
    const degradedAfter = this.options.degradedAfterMs ?? 10 * 60 * 1000
    const down = [...categories].some(
      (c) => c === 'transient' || c === 'maintenance' || c === 'malformed'
    )
    if (down && now - this.firstFailureAt >= degradedAfter) {
      this.notifyOnce(account, {
        rule: 'guardian.exchange_degraded',
        ...detail(
          msg('health.degraded', {
            exchange: account.exchange,
            minutes: Math.round((now - this.firstFailureAt) / 60000)
          })
        ),
        sinceMs: this.firstFailureAt
      })
      if (account.status === 'watching' || account.status === 'learning')
        this.accounts.update(account.id, { status: 'degraded' })
    }
    const stalledAfter = (this.options.stalledAfterIntervals ?? 5) * this.intervalMs
    const since = this.lastSuccessAt ?? account.lastPollAt ?? account.createdAt
    if (now - since >= stalledAfter) {
      this.notifyOnce(account, {
        rule: 'guardian.poll_stalled',
        ...detail(msg('health.stalled', { seconds: Math.round((now - since) / 1000) })),
        sinceMs: since
      })
    }
  }

  private notifyOnce(account: AccountRecord, notice: HealthNotice): void {
    if (this.notified.has(notice.rule)) return
    this.notified.add(notice.rule)
    this.hooks.onHealth(account, notice)
  }

  /** Stored events of this account (used by tests). */
  storedCount(): number {
    return this.events.count(this.accountId)
  }
}
