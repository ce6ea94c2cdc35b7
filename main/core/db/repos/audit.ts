import type { Db } from '../open'

export interface AuditEntry {
  id: number
  at: number
  actor: string
  action: string
  accountId: string | null
  detail: Record<string, unknown>
}

/**
 * The append-only audit log: who or what did what, when. Triggers in the schema refuse updates
 * and deletes, so a bug (or an attacker with the app's database handle) cannot rewrite history.
 */
export class AuditLog {
  constructor(private readonly db: Db) {}

  append(entry: Omit<AuditEntry, 'id'>): void {
    this.db
      .prepare(
        'INSERT INTO audit_log (at, actor, action, account_id, detail) VALUES (?, ?, ?, ?, ?)'
      )
      .run(entry.at, entry.actor, entry.action, entry.accountId, JSON.stringify(entry.detail))
  }

  list(limit = 500): AuditEntry[] {
    const rows = this.db.prepare('SELECT * FROM audit_log ORDER BY id DESC LIMIT ?').all(limit) as {
      id: number
      at: number
      actor: string
      action: string
      account_id: string | null
      detail: string
    }[]
    return rows.map((r) => ({
      id: r.id,
      at: r.at,
      actor: r.actor,
      action: r.action,
      accountId: r.account_id,
      detail: JSON.parse(r.detail)
    }))
  }
}
