/**
 * Findings become alerts, and alerts are grouped into incidents (per account and rule family) so
 * the trader gets one notification per situation, not one per event. Alerts are deduplicated by
 * the rule's dedup key: the same situation seen on the next poll does not alert twice.
 */
import type { AlertView, IncidentView } from '../api/contract'
import type { Db } from './db/open'
import { EventStore } from './db/repos/events'
import { levelRank, type Level } from './model'
import type { Finding } from './rules/types'

/** An open incident that keeps producing alerts is notified again only after this long. */
export const REPEAT_INTERVAL_MS = 4 * 60 * 60 * 1000

/** Findings for the same account and family within this window join the open incident. */
export const GROUPING_WINDOW_MS = 6 * 60 * 60 * 1000

interface IncidentRow {
  id: string
  account_id: string
  family: string
  level: Level
  status: IncidentView['status']
  scope: IncidentView['scope']
  title: string
  opened_at: number
  updated_at: number
  last_notified_at: number | null
  kill_switch_run_id: string | null
  i18n: string | null
}

interface AlertRow {
  id: string
  seq: number
  incident_id: string
  rule_id: string
  level: Level
  account_id: string
  at: number
  event_ts: number
  scope: AlertView['scope']
  title: string
  explanation: string
  reasoning: string
  i18n: string | null
}

export interface RecordedAlert {
  alert: Omit<AlertView, 'evidence'>
  incident: IncidentView
  /** True when this alert opened the incident or raised its level: worth a (replacing) notification. */
  escalated: boolean
  finding: Finding
}

/** The finding's title per language, as stored with its incident (null without translations). */
const titleI18n = (finding: Finding): string | null =>
  finding.i18n
    ? JSON.stringify(
        Object.fromEntries(Object.entries(finding.i18n).map(([l, t]) => [l, { title: t.title }]))
      )
    : null

export class Incidents {
  private readonly events: EventStore

  constructor(private readonly db: Db) {
    this.events = new EventStore(db)
  }

  private nextSeq(): number {
    const row = this.db.prepare('SELECT coalesce(max(seq), 0) + 1 AS n FROM alerts').get() as {
      n: number
    }
    return row.n
  }

  /** Stores a finding as an alert. Returns null when it duplicates an existing alert. */
  record(finding: Finding, at: number, scope: 'live' | 'history'): RecordedAlert | null {
    return this.db.transaction((): RecordedAlert | null => {
      const dedupKey = `${scope}:${finding.accountId}:${finding.dedupKey}`
      const existing = this.db
        .prepare('SELECT id, incident_id FROM alerts WHERE dedup_key = ?')
        .get(dedupKey) as { id: string; incident_id: string } | undefined
      if (existing) {
        // The same situation again: its events join the alert's evidence (nothing is lost, nothing re-notified).
        const link = this.db.prepare(
          'INSERT OR IGNORE INTO alert_evidence (alert_id, event_id) VALUES (?, ?)'
        )
        let added = 0
        for (const eventId of finding.evidence) added += link.run(existing.id, eventId).changes
        if (added > 0) {
          this.db
            .prepare('UPDATE incidents SET updated_at = max(updated_at, ?) WHERE id = ?')
            .run(scope === 'live' ? at : finding.eventTs, existing.incident_id)
        }
        return null
      }
      const open = this.db
        .prepare(
          `SELECT * FROM incidents WHERE account_id = ? AND family = ? AND scope = ? AND status != 'resolved'
           AND updated_at >= ? ORDER BY updated_at DESC LIMIT 1`
        )
        .get(
          finding.accountId,
          finding.family,
          scope,
          (scope === 'live' ? at : finding.eventTs) - GROUPING_WINDOW_MS
        ) as IncidentRow | undefined
      const seq = this.nextSeq()
      let incidentId: string
      let escalated: boolean
      const stamp = scope === 'live' ? at : finding.eventTs
      if (open) {
        incidentId = open.id
        const raise = levelRank(finding.level) > levelRank(open.level)
        // Still going on long after the trader was told: remind once per repeat interval.
        const stale =
          open.last_notified_at !== null && stamp - open.last_notified_at >= REPEAT_INTERVAL_MS
        escalated = raise || stale
        this.db
          .prepare(
            'UPDATE incidents SET level = ?, title = ?, i18n = ?, updated_at = ? WHERE id = ?'
          )
          .run(
            raise ? finding.level : open.level,
            raise ? finding.title : open.title,
            raise ? titleI18n(finding) : open.i18n,
            Math.max(open.updated_at, stamp),
            open.id
          )
      } else {
        incidentId = `i${seq}`
        escalated = true
        this.db
          .prepare(
            `INSERT INTO incidents (id, account_id, family, level, status, scope, title, i18n, opened_at, updated_at)
             VALUES (?, ?, ?, ?, 'open', ?, ?, ?, ?, ?)`
          )
          .run(
            incidentId,
            finding.accountId,
            finding.family,
            finding.level,
            scope,
            finding.title,
            titleI18n(finding),
            stamp,
            stamp
          )
      }
      const alertId = `a${seq}`
      this.db
        .prepare(
          `INSERT INTO alerts (id, seq, incident_id, rule_id, level, account_id, at, event_ts, scope, title, explanation, reasoning, dedup_key, i18n)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
        )
        .run(
          alertId,
          seq,
          incidentId,
          finding.ruleId,
          finding.level,
          finding.accountId,
          at,
          finding.eventTs,
          scope,
          finding.title,
          finding.explanation,
          JSON.stringify(finding.reasoning),
          dedupKey,
          finding.i18n ? JSON.stringify(finding.i18n) : null
        )
      const link = this.db.prepare(
        'INSERT OR IGNORE INTO alert_evidence (alert_id, event_id) VALUES (?, ?)'
      )
      for (const eventId of finding.evidence) link.run(alertId, eventId)
      const incident = this.getIncident(incidentId)!
      return {
        alert: {
          id: alertId,
          incidentId,
          rule: finding.ruleId,
          level: finding.level,
          accountId: finding.accountId,
          at,
          scope,
          title: finding.title,
          explanation: finding.explanation,
          reasoning: finding.reasoning,
          ...(finding.i18n ? { i18n: finding.i18n } : {})
        },
        incident,
        escalated,
        finding
      }
    })()
  }

  getIncident(id: string): IncidentView | undefined {
    const row = this.db.prepare('SELECT * FROM incidents WHERE id = ?').get(id) as
      IncidentRow | undefined
    return row && this.toView(row)
  }

  private toView(row: IncidentRow): IncidentView {
    const stats = this.db
      .prepare(
        'SELECT count(*) n, group_concat(DISTINCT rule_id) rules FROM alerts WHERE incident_id = ?'
      )
      .get(row.id) as { n: number; rules: string | null }
    return {
      id: row.id,
      accountId: row.account_id,
      family: row.family,
      level: row.level,
      status: row.status,
      scope: row.scope,
      title: row.title,
      openedAt: row.opened_at,
      updatedAt: row.updated_at,
      alertCount: stats.n,
      rules: stats.rules ? stats.rules.split(',') : [],
      killSwitchRunId: row.kill_switch_run_id,
      ...(row.i18n ? { i18n: JSON.parse(row.i18n) as IncidentView['i18n'] } : {})
    }
  }

  list(
    filter: { scope?: 'live' | 'history'; accountId?: string; limit?: number } = {}
  ): IncidentView[] {
    const where: string[] = []
    const params: unknown[] = []
    if (filter.scope) {
      where.push('scope = ?')
      params.push(filter.scope)
    }
    if (filter.accountId) {
      where.push('account_id = ?')
      params.push(filter.accountId)
    }
    const rows = this.db
      .prepare(
        `SELECT * FROM incidents ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY updated_at DESC LIMIT ?`
      )
      .all(...params, filter.limit ?? 200) as IncidentRow[]
    return rows.map((r) => this.toView(r))
  }

  alertsOf(incidentId: string): AlertView[] {
    const rows = this.db
      .prepare('SELECT * FROM alerts WHERE incident_id = ? ORDER BY seq')
      .all(incidentId) as AlertRow[]
    return rows.map((r) => this.alertView(r))
  }

  /** Every alert, oldest first (for replay reports and exports). */
  allAlerts(scope?: 'live' | 'history'): AlertView[] {
    const rows = (
      scope
        ? this.db.prepare('SELECT * FROM alerts WHERE scope = ? ORDER BY seq').all(scope)
        : this.db.prepare('SELECT * FROM alerts ORDER BY seq').all()
    ) as AlertRow[]
    return rows.map((r) => this.alertView(r))
  }

  private alertView(r: AlertRow): AlertView {
    const ids = (
      this.db.prepare('SELECT event_id FROM alert_evidence WHERE alert_id = ?').all(r.id) as {
        event_id: number
      }[]
    ).map((e) => e.event_id)
    return {
      id: r.id,
      incidentId: r.incident_id,
      rule: r.rule_id,
      level: r.level,
      accountId: r.account_id,
      at: r.at,
      scope: r.scope,
      title: r.title,
      explanation: r.explanation,
      reasoning: JSON.parse(r.reasoning),
      ...(r.i18n ? { i18n: JSON.parse(r.i18n) as AlertView['i18n'] } : {}),
      evidence: this.events
        .getMany(ids)
        .map((e) => ({ ...e, data: e.data as Record<string, unknown> }))
    }
  }

  getAlert(id: string): AlertView | undefined {
    const row = this.db.prepare('SELECT * FROM alerts WHERE id = ?').get(id) as AlertRow | undefined
    return row && this.alertView(row)
  }

  setStatus(id: string, status: IncidentView['status'], at: number): void {
    this.db
      .prepare('UPDATE incidents SET status = ?, updated_at = max(updated_at, ?) WHERE id = ?')
      .run(status, at, id)
  }

  linkKillSwitch(id: string, runId: string): void {
    this.db
      .prepare("UPDATE incidents SET kill_switch_run_id = ?, status = 'contained' WHERE id = ?")
      .run(runId, id)
  }

  markNotified(id: string, at: number): void {
    this.db.prepare('UPDATE incidents SET last_notified_at = ? WHERE id = ?').run(at, id)
  }

  openCount(accountId?: string): number {
    const row = accountId
      ? this.db
          .prepare(
            "SELECT count(*) n FROM incidents WHERE scope = 'live' AND status = 'open' AND account_id = ? AND family != 'guardian'"
          )
          .get(accountId)
      : this.db
          .prepare(
            "SELECT count(*) n FROM incidents WHERE scope = 'live' AND status = 'open' AND family != 'guardian'"
          )
          .get()
    return (row as { n: number }).n
  }
}
