/**
 * Kill-switch orchestration: contain any set of accounts in parallel, each with its exchange's
 * strategy (the connector's `killSwitch`), record every outcome in the append-only audit log, and
 * never claim more than the exchange confirmed on read-back. Firing while a run is under way joins
 * that run instead of starting a second one.
 */
import type { KillSwitchAccountResult, KillSwitchReport } from '../api/contract'
import { englishText, msg, type Message } from '../api/messages'
import {
  errorMsg,
  ExchangeFault,
  type Connector,
  type KillSwitchOptions
} from './exchanges/connector'
import type { Db } from './db/open'
import type { AuditLog } from './db/repos/audit'
import type { Clock, Logger } from './ports'

/** Longest a single account may take before it is reported as not contained. */
export const ACCOUNT_DEADLINE_MS = 30_000

export interface KillSwitchTarget {
  accountId: string
  exchange: string
  connector: Connector
}

export interface KillSwitchRequest {
  targets: KillSwitchTarget[]
  trigger: string
  incidentId?: string
  options?: Partial<KillSwitchOptions>
  onAccount?: (result: KillSwitchAccountResult) => void
}

const notContained = (t: KillSwitchTarget, error: Message): KillSwitchAccountResult => {
  const unreachable = msg('ks.contain.unreachable')
  const message = englishText(error)
  return {
    account: t.accountId,
    exchange: t.exchange,
    contained: false,
    ordersCancelled: 0,
    ordersRemaining: -1,
    key: 'unchanged',
    keysDisabled: [],
    keysRemoved: [],
    manualSteps: [englishText(unreachable)],
    manualStepMsgs: [unreachable],
    manualUrl: null,
    steps: [{ action: 'contain', ok: false, attempts: 1, detail: message, detailMsg: error }],
    errors: [message],
    errorMsgs: [error]
  }
}

export class KillSwitch {
  private running: Promise<KillSwitchReport> | null = null
  private seq = 0

  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly logger: Logger
  ) {}

  fire(request: KillSwitchRequest): Promise<KillSwitchReport> {
    if (this.running) return this.running
    this.running = this.run(request).finally(() => {
      this.running = null
    })
    return this.running
  }

  private async run(request: KillSwitchRequest): Promise<KillSwitchReport> {
    const startedAt = this.clock.now()
    const realStart = performance.now()
    const id = `ks-${startedAt}-${++this.seq}`
    this.db
      .prepare(
        'INSERT INTO kill_switch_runs (id, started_at, trigger, incident_id) VALUES (?, ?, ?, ?)'
      )
      .run(id, startedAt, request.trigger, request.incidentId ?? null)
    this.audit.append({
      at: startedAt,
      actor: request.trigger,
      action: 'kill-switch.fire',
      accountId: null,
      detail: {
        run: id,
        accounts: request.targets.map((t) => t.accountId),
        incident: request.incidentId ?? null
      }
    })
    const accounts = await Promise.all(
      request.targets.map(async (target) => {
        let result: KillSwitchAccountResult
        try {
          result = await withDeadline(
            target.connector.killSwitch({ includeGuardianKey: false, ...request.options }),
            ACCOUNT_DEADLINE_MS,
            msg('fault.deadline', {
              exchange: target.exchange,
              seconds: ACCOUNT_DEADLINE_MS / 1000
            })
          )
        } catch (error) {
          result = notContained(target, errorMsg(error))
        }
        result = containedAsFarAsTheApiAllows(result)
        this.audit.append({
          at: this.clock.now(),
          actor: request.trigger,
          action: 'kill-switch.account',
          accountId: target.accountId,
          detail: { run: id, ...result }
        })
        request.onAccount?.(result)
        return result
      })
    )
    const finishedAt = this.clock.now()
    const report: KillSwitchReport = {
      id,
      trigger: request.trigger,
      startedAt,
      finishedAt,
      durationMs: Math.round(performance.now() - realStart),
      accounts
    }
    this.db
      .prepare('UPDATE kill_switch_runs SET finished_at = ?, result = ? WHERE id = ?')
      .run(finishedAt, JSON.stringify(report), id)
    this.logger.info('kill-switch finished', {
      run: id,
      contained: accounts.filter((a) => a.contained).length,
      of: accounts.length,
      durationMs: report.durationMs
    })
    return report
  }

  /** Resolves when no run is under way (replays read back only after containment finished). */
  async whenIdle(): Promise<void> {
    await this.running?.catch(() => {})
  }

  last(): KillSwitchReport | null {
    const row = this.db
      .prepare(
        'SELECT result FROM kill_switch_runs WHERE finished_at IS NOT NULL ORDER BY started_at DESC, rowid DESC LIMIT 1'
      )
      .get() as { result: string } | undefined
    return row ? (JSON.parse(row.result) as KillSwitchReport) : null
  }

  /** The latest finished run that included this account. */
  lastFor(accountId: string): KillSwitchReport | null {
    const rows = this.db
      .prepare(
        'SELECT result FROM kill_switch_runs WHERE finished_at IS NOT NULL ORDER BY started_at DESC, rowid DESC LIMIT 50'
      )
      .all() as { result: string }[]
    for (const row of rows) {
      const report = JSON.parse(row.result) as KillSwitchReport
      if (report.accounts.some((a) => a.account === accountId)) return report
    }
    return null
  }

  get(id: string): KillSwitchReport | null {
    const row = this.db
      .prepare('SELECT result FROM kill_switch_runs WHERE id = ? AND finished_at IS NOT NULL')
      .get(id) as { result: string } | undefined
    return row ? (JSON.parse(row.result) as KillSwitchReport) : null
  }
}

/**
 * Where the exchange offers no way to revoke the key by API (Binance, OKX, Deribit when the key's
 * scope is too narrow), the account counts as contained once every order is confirmed gone on
 * read-back: nothing more can be done by API, and the report keeps `manual-revoke-required` with
 * the exact steps, so the claim stays honest while follow-on alerts stop re-firing the switch.
 */
export function containedAsFarAsTheApiAllows(
  result: KillSwitchAccountResult
): KillSwitchAccountResult {
  if (result.contained) return result
  // The read-back count is the authority: a step that failed and then succeeded on retry leaves a
  // failed entry in `steps`, but zero orders on the exchange is what containment means.
  const onlyTheKeyIsLeft =
    result.key === 'manual-revoke-required' &&
    result.ordersRemaining === 0 &&
    result.manualSteps.length > 0
  return onlyTheKeyIsLeft ? { ...result, contained: true } : result
}

function withDeadline<T>(promise: Promise<T>, ms: number, message: Message): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new ExchangeFault('transient', message)), ms)
    })
  ]).finally(() => clearTimeout(timer))
}
