import type { Message } from '../../../api/messages'
import type { Cursors } from '../../exchanges/connector'
import type { AccountSummary } from '../../model'
import type { Db } from '../open'

export interface AccountRecord {
  id: string
  exchange: string
  label: string
  endpoint: string | null
  keyHint: string
  selfKeyId: string | null
  status: AccountSummary['status']
  pollSeconds: number
  cursors: Cursors
  options: AccountOptions
  lastPollAt: number | null
  lastError: string | null
  /**
   * `lastError` as a descriptor, rendered in the reader's language; null when the error has none
   * (rows written before it was stored). Setting `lastError` without it clears it.
   */
  lastErrorMsg: Message | null
  containedAt: number | null
  createdAt: number
}

export interface AccountOptions {
  /** Set once backfill and the retro-scan have finished. */
  backfilledAt?: number
  /** Whether the key needs a passphrase stored with it. */
  hasPassword?: boolean
  /** Dead-man heartbeat timeout in seconds (exchange cancels all orders if Vigil goes silent). */
  deadManSeconds?: number
}

interface AccountRow {
  id: string
  exchange: string
  label: string
  endpoint: string | null
  key_hint: string
  self_key_id: string | null
  status: AccountSummary['status']
  poll_seconds: number
  cursors: string
  options: string
  last_poll_at: number | null
  last_error: string | null
  last_error_msg: string | null
  contained_at: number | null
  created_at: number
}

/** A stored descriptor, or null when there is none or it is not one (a damaged row). */
const parseMessage = (json: string | null): Message | null => {
  if (!json) return null
  try {
    const m = JSON.parse(json) as unknown
    return m && typeof m === 'object' && typeof (m as Message).code === 'string'
      ? (m as Message)
      : null
  } catch {
    return null
  }
}

const fromRow = (r: AccountRow): AccountRecord => ({
  id: r.id,
  exchange: r.exchange,
  label: r.label,
  endpoint: r.endpoint,
  keyHint: r.key_hint,
  selfKeyId: r.self_key_id,
  status: r.status,
  pollSeconds: r.poll_seconds,
  cursors: JSON.parse(r.cursors),
  options: JSON.parse(r.options),
  lastPollAt: r.last_poll_at,
  lastError: r.last_error,
  lastErrorMsg: parseMessage(r.last_error_msg),
  containedAt: r.contained_at,
  createdAt: r.created_at
})

/** Accounts as stored. Holds no secret: those live in the OS keychain under `account:<id>`. */
export class AccountsRepo {
  constructor(private readonly db: Db) {}

  insert(
    a: Pick<
      AccountRecord,
      'id' | 'exchange' | 'label' | 'endpoint' | 'keyHint' | 'pollSeconds' | 'createdAt' | 'options'
    >
  ): void {
    this.db
      .prepare(
        `INSERT INTO accounts (id, exchange, label, endpoint, key_hint, poll_seconds, options, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
      )
      .run(
        a.id,
        a.exchange,
        a.label,
        a.endpoint,
        a.keyHint,
        a.pollSeconds,
        JSON.stringify(a.options),
        a.createdAt
      )
  }

  list(): AccountRecord[] {
    return (
      this.db.prepare('SELECT * FROM accounts ORDER BY created_at, id').all() as AccountRow[]
    ).map(fromRow)
  }

  get(id: string): AccountRecord | undefined {
    const row = this.db.prepare('SELECT * FROM accounts WHERE id = ?').get(id) as
      AccountRow | undefined
    return row && fromRow(row)
  }

  /** Removes the account and everything stored for it. */
  remove(id: string): boolean {
    return this.db.transaction(() => {
      for (const table of ['alert_evidence', 'alerts', 'incidents']) {
        if (table === 'alert_evidence') {
          this.db
            .prepare(
              'DELETE FROM alert_evidence WHERE alert_id IN (SELECT id FROM alerts WHERE account_id = ?)'
            )
            .run(id)
        } else this.db.prepare(`DELETE FROM ${table} WHERE account_id = ?`).run(id)
      }
      this.db.prepare('DELETE FROM seen_values WHERE account_id = ?').run(id)
      return this.db.prepare('DELETE FROM accounts WHERE id = ?').run(id).changes > 0
    })()
  }

  update(
    id: string,
    patch: Partial<
      Pick<
        AccountRecord,
        | 'status'
        | 'cursors'
        | 'selfKeyId'
        | 'lastPollAt'
        | 'lastError'
        | 'lastErrorMsg'
        | 'containedAt'
        | 'options'
        | 'pollSeconds'
        | 'keyHint'
      >
    >
  ): void {
    const columns: Record<string, string> = {
      status: 'status',
      cursors: 'cursors',
      selfKeyId: 'self_key_id',
      lastPollAt: 'last_poll_at',
      lastError: 'last_error',
      lastErrorMsg: 'last_error_msg',
      containedAt: 'contained_at',
      options: 'options',
      pollSeconds: 'poll_seconds',
      keyHint: 'key_hint'
    }
    // A new English error without its descriptor must not keep showing the old descriptor.
    if (patch.lastError !== undefined && patch.lastErrorMsg === undefined)
      patch = { ...patch, lastErrorMsg: null }
    const sets: string[] = []
    const values: unknown[] = []
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) continue
      sets.push(`${columns[key]} = ?`)
      values.push(
        key === 'cursors' || key === 'options' || (key === 'lastErrorMsg' && value !== null)
          ? JSON.stringify(value)
          : value
      )
    }
    if (sets.length === 0) return
    this.db.prepare(`UPDATE accounts SET ${sets.join(', ')} WHERE id = ?`).run(...values, id)
  }
}
