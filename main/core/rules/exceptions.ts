/**
 * "This is me" exceptions (rule_exceptions rows): a field and value, optionally limited to one
 * rule (or a family, `login.*`) and/or one account. An excepted event is invisible to that rule:
 * it cannot trigger a finding and does not count toward a threshold or a sequence. The table is
 * tiny, so it is compared with what was compiled on every evaluation; the core need not notify
 * the engine.
 */
import type { Db } from '../db/open'
import type { EventView } from './fields'
import { compileFieldTest } from './operators'

/** Exception field names offered by the UI, mapped to event fields. Dotted paths also work. */
export const EXCEPTION_FIELDS: Record<string, string> = {
  ip: 'data.ip',
  country: 'derived.country',
  device: 'derived.device',
  asn: 'derived.asn',
  network: 'derived.network',
  symbol: 'data.symbol',
  address: 'data.address',
  keyId: 'data.keyId',
  currency: 'data.currency',
  to: 'data.to'
}

interface ExceptionRow {
  id: string
  rule_id: string | null
  account_id: string | null
  field: string
  value: string
}

interface CompiledException {
  ruleId: string | null
  accountId: string | null
  test: (view: EventView) => boolean
}

function compileException(row: ExceptionRow): CompiledException | null {
  const path =
    EXCEPTION_FIELDS[row.field] ?? (/^(data|derived)\./.test(row.field) ? row.field : null)
  if (!path) return null
  const wanted = row.value.trim().toLowerCase()
  const cidr =
    path === 'data.ip' && wanted.includes('/') ? compileFieldTest(`${path}|cidr`, wanted) : null
  return {
    ruleId: row.rule_id,
    accountId: row.account_id,
    test: (view) => {
      if (cidr) return cidr(view.get)
      const actual = view.get(path)
      const values = Array.isArray(actual) ? actual : [actual]
      // Case-insensitive: the trader types "de" or a checksummed address by hand.
      return values.some((v) => v !== null && v !== undefined && String(v).toLowerCase() === wanted)
    }
  }
}

/** The rule_exceptions table, compiled, re-read when it changes. */
export class Exceptions {
  private fingerprint = ''
  private list: CompiledException[] = []
  private readonly probe
  private readonly read

  constructor(db: Db) {
    // The whole (small) table as one string: exact, so an edited value is never missed.
    this.probe = db
      .prepare(
        `SELECT coalesce(group_concat(id || char(31) || coalesce(rule_id, '') || char(31) ||
           coalesce(account_id, '') || char(31) || field || char(31) || value, char(30)), '')
         FROM (SELECT * FROM rule_exceptions ORDER BY id)`
      )
      .pluck()
    this.read = db.prepare('SELECT id, rule_id, account_id, field, value FROM rule_exceptions')
  }

  /** Re-reads the table if it changed since the last call. */
  refresh(force = false): void {
    const fp = this.probe.get() as string
    if (!force && fp === this.fingerprint) return
    this.fingerprint = fp
    this.list = (this.read.all() as ExceptionRow[])
      .map(compileException)
      .filter((e): e is CompiledException => e !== null)
  }

  /** True when an exception covers this event for this rule. */
  covers(ruleId: string, view: EventView): boolean {
    for (const e of this.list) {
      if (
        e.ruleId &&
        e.ruleId !== ruleId &&
        !(e.ruleId.endsWith('*') && ruleId.startsWith(e.ruleId.slice(0, -1)))
      ) {
        continue
      }
      if (e.accountId && e.accountId !== view.event.accountId) continue
      if (e.test(view)) return true
    }
    return false
  }

  get size(): number {
    return this.list.length
  }
}
