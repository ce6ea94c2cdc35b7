/**
 * Data retention: events older than the trader's retention period are deleted, except the ones an
 * alert points to as evidence (an incident must keep explaining itself). Learned values
 * (seen_values) and the audit log are kept: they are small, and forgetting them would turn old,
 * known countries or addresses into false "new" alerts.
 */
import type { Db } from './db/open'

const DAY_MS = 24 * 60 * 60 * 1000

export function applyRetention(
  db: Db,
  retentionDays: number,
  now: number
): { events: number; gaps: number } {
  const cutoff = now - retentionDays * DAY_MS
  return db.transaction(() => {
    const events = db
      .prepare(
        'DELETE FROM events WHERE ts < ? AND id NOT IN (SELECT event_id FROM alert_evidence)'
      )
      .run(cutoff).changes
    const gaps = db
      .prepare('DELETE FROM data_gaps WHERE to_ts IS NOT NULL AND to_ts < ?')
      .run(cutoff).changes
    return { events, gaps }
  })()
}
