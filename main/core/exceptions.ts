/**
 * "This is me" exceptions and silences as the user manages them. Exceptions are rows the rule
 * engine reads (rule_exceptions); silences keep alerts from interrupting until they expire while
 * still recording them.
 */
import { randomBytes } from 'node:crypto'

import type { EventView, ExceptionView, SilenceView } from '../api/contract'
import type { Db } from './db/open'

/** Where each exception field's value sits in an event's data (enriched login fields included). */
const DATA_KEYS: Record<string, string[]> = {
  ip: ['ip'],
  country: ['country'],
  device: ['device'],
  asn: ['asn'],
  network: ['network'],
  symbol: ['symbol'],
  address: ['address'],
  keyId: ['keyId'],
  currency: ['currency'],
  to: ['to']
}

/** The value of `field` in the newest evidence event that has one. */
export function exceptionValueFrom(evidence: EventView[], field: string): string | null {
  for (const event of [...evidence].reverse()) {
    for (const key of DATA_KEYS[field] ?? []) {
      const value = event.data[key]
      if (value !== undefined && value !== null && value !== '') return String(value)
    }
  }
  return null
}

export class ExceptionsRepo {
  constructor(private readonly db: Db) {}

  list(): ExceptionView[] {
    return (
      this.db.prepare('SELECT * FROM rule_exceptions ORDER BY created_at').all() as {
        id: string
        rule_id: string | null
        account_id: string | null
        field: string
        value: string
        note: string | null
        created_at: number
      }[]
    ).map((r) => ({
      id: r.id,
      ruleId: r.rule_id,
      accountId: r.account_id,
      field: r.field,
      value: r.value,
      note: r.note,
      createdAt: r.created_at
    }))
  }

  add(e: Omit<ExceptionView, 'id'>): ExceptionView {
    const id = `ex-${randomBytes(4).toString('hex')}`
    this.db
      .prepare(
        'INSERT INTO rule_exceptions (id, rule_id, account_id, field, value, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)'
      )
      .run(id, e.ruleId, e.accountId, e.field, e.value, e.note, e.createdAt)
    return { id, ...e }
  }

  remove(id: string): boolean {
    return this.db.prepare('DELETE FROM rule_exceptions WHERE id = ?').run(id).changes > 0
  }
}

export class Silences {
  constructor(private readonly db: Db) {}

  list(now: number): SilenceView[] {
    return (
      this.db.prepare('SELECT * FROM silences WHERE until > ? ORDER BY until').all(now) as {
        id: string
        rule_id: string | null
        account_id: string | null
        until: number
        created_at: number
      }[]
    ).map((r) => ({
      id: r.id,
      ruleId: r.rule_id,
      accountId: r.account_id,
      until: r.until,
      createdAt: r.created_at
    }))
  }

  add(s: Omit<SilenceView, 'id'>): SilenceView {
    const id = `si-${randomBytes(4).toString('hex')}`
    this.db
      .prepare(
        'INSERT INTO silences (id, rule_id, account_id, until, created_at) VALUES (?, ?, ?, ?, ?)'
      )
      .run(id, s.ruleId, s.accountId, s.until, s.createdAt)
    return { id, ...s }
  }

  remove(id: string): boolean {
    return this.db.prepare('DELETE FROM silences WHERE id = ?').run(id).changes > 0
  }

  /** A silence with no rule covers every rule; one with no account covers every account. A rule silence also matches its family (`login.*`). */
  matches(ruleId: string, accountId: string, now: number): boolean {
    return this.list(now).some(
      (s) =>
        (s.accountId === null || s.accountId === accountId) &&
        (s.ruleId === null ||
          s.ruleId === ruleId ||
          (s.ruleId.endsWith('.*') && ruleId.startsWith(s.ruleId.slice(0, -1))))
    )
  }
}
