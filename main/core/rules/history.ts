/**
 * Indexed reads of the account's history for the rule kinds. Every query is bounded by account,
 * event type and a time range, so it runs on the (account_id, type, ts) index and costs what the
 * window holds, not what the database holds. "Before the event" means strictly earlier in
 * (ts, id) order: the engine sees events one at a time in that order, and an event stored in the
 * same batch but not yet evaluated must not count as history.
 */
import type Database from 'better-sqlite3'

import { rowToEvent } from '../db/repos/events'
import type { Db } from '../db/open'
import type { StoredEvent } from '../model'

type Statement = Database.Statement<unknown[], unknown>

/** A row of seen_values. */
export interface SeenRow {
  first_ts: number
  last_ts: number
  count: number
}

/** Parsed events kept between evaluations: consecutive events share most of their window. */
const EVENT_CACHE = 5_000

/** Indexed reads and seen_values writes for one database, with prepared statements and a small event cache. */
export class History {
  private readonly statements = new Map<string, Statement>()
  private readonly cache = new Map<number, StoredEvent>()

  constructor(readonly db: Db) {}

  private stmt(sql: string): Statement {
    let s = this.statements.get(sql)
    if (!s) this.statements.set(sql, (s = this.db.prepare<unknown[], unknown>(sql)))
    return s
  }

  private static typeList(types: readonly string[]): string {
    return types.map(() => '?').join(',')
  }

  /**
   * Runs an id query (index only) and returns the events, parsing only those not cached. Stored
   * events never change; the type and ts check guards against an id reused after a deletion.
   */
  private load(sql: string, params: unknown[]): StoredEvent[] {
    const keys = this.stmt(sql).all(...params) as { id: number; type: string; ts: number }[]
    const missing = keys.filter((k) => {
      const hit = this.cache.get(k.id)
      return !hit || hit.ts !== k.ts || hit.type !== k.type
    })
    for (let i = 0; i < missing.length; i += 500) {
      const chunk = missing.slice(i, i + 500).map((k) => k.id)
      const rows = this.stmt(
        `SELECT * FROM events WHERE id IN (${chunk.map(() => '?').join(',')})`
      ).all(...chunk) as Parameters<typeof rowToEvent>[0][]
      for (const row of rows) {
        this.cache.delete(row.id)
        this.cache.set(row.id, rowToEvent(row))
      }
    }
    while (this.cache.size > EVENT_CACHE)
      this.cache.delete(this.cache.keys().next().value as number)
    return keys.map((k) => this.cache.get(k.id)).filter((e): e is StoredEvent => e !== undefined)
  }

  /** The cached copy of a stored event (adding it), so window queries hand back the same object. */
  prime(event: StoredEvent): StoredEvent {
    const hit = this.cache.get(event.id)
    if (hit && hit.ts === event.ts && hit.type === event.type) return hit
    this.cache.set(event.id, event)
    return event
  }

  /**
   * Events of these types from `fromTs` up to and including `event` itself, oldest first.
   * `inclusive: false` stops strictly before the event.
   */
  window(
    event: StoredEvent,
    types: readonly string[],
    fromTs: number,
    inclusive = true
  ): StoredEvent[] {
    const sql = `SELECT id, type, ts FROM events WHERE account_id = ? AND type IN (${History.typeList(types)})
      AND ts >= ? AND (ts < ? OR (ts = ? AND id ${inclusive ? '<=' : '<'} ?)) ORDER BY ts, id`
    return this.load(sql, [event.accountId, ...types, fromTs, event.ts, event.ts, event.id])
  }

  /** Full events of these types in [fromTs, toTs), oldest first. */
  between(
    accountId: string,
    types: readonly string[],
    fromTs: number,
    toTs: number
  ): StoredEvent[] {
    const sql = `SELECT id, type, ts FROM events WHERE account_id = ? AND type IN (${History.typeList(types)})
      AND ts >= ? AND ts < ? ORDER BY ts, id`
    return this.load(sql, [accountId, ...types, fromTs, toTs])
  }

  /** Type and timestamp only (index-only scan, no JSON) of events of these types in [fromTs, toTs). */
  typed(
    accountId: string,
    types: readonly string[],
    fromTs: number,
    toTs: number
  ): { type: string; ts: number }[] {
    const sql = `SELECT type, ts FROM events WHERE account_id = ? AND type IN (${History.typeList(types)})
      AND ts >= ? AND ts < ? ORDER BY ts`
    return this.stmt(sql).all(accountId, ...types, fromTs, toTs) as { type: string; ts: number }[]
  }

  /** Timestamps only (index-only scan, no JSON) of events of these types in [fromTs, toTs). */
  timestamps(accountId: string, types: readonly string[], fromTs: number, toTs: number): number[] {
    const sql = `SELECT ts FROM events WHERE account_id = ? AND type IN (${History.typeList(types)})
      AND ts >= ? AND ts < ? ORDER BY ts`
    return (
      this.stmt(sql)
        .pluck()
        .all(accountId, ...types, fromTs, toTs) as number[]
    ).slice()
  }

  /** Count of events of these types in [fromTs, event] (inclusive of the event), index only. */
  countUpTo(event: StoredEvent, types: readonly string[], fromTs: number): number {
    const sql = `SELECT count(*) FROM events WHERE account_id = ? AND type IN (${History.typeList(types)})
      AND ts >= ? AND (ts < ? OR (ts = ? AND id <= ?))`
    return this.stmt(sql)
      .pluck()
      .get(event.accountId, ...types, fromTs, event.ts, event.ts, event.id) as number
  }

  /** The newest events of these types strictly before the event (newest first). */
  previous(
    event: StoredEvent,
    types: readonly string[],
    fromTs: number,
    limit: number
  ): StoredEvent[] {
    const sql = `SELECT id, type, ts FROM events WHERE account_id = ? AND type IN (${History.typeList(types)})
      AND ts >= ? AND (ts < ? OR (ts = ? AND id < ?)) ORDER BY ts DESC, id DESC LIMIT ?`
    return this.load(sql, [event.accountId, ...types, fromTs, event.ts, event.ts, event.id, limit])
  }

  /** Earliest event timestamp of the account: how long we have been able to watch it. */
  accountSince(accountId: string): number | null {
    return this.stmt('SELECT min(ts) FROM events WHERE account_id = ?').pluck().get(accountId) as
      number | null
  }

  seen(accountId: string, field: string, value: string): SeenRow | undefined {
    return this.stmt(
      'SELECT first_ts, last_ts, count FROM seen_values WHERE account_id = ? AND field = ? AND value = ?'
    ).get(accountId, field, value) as SeenRow | undefined
  }

  /** Records a value as seen at ts (idempotent for first/last; count is a rough use counter). */
  remember(accountId: string, field: string, value: string, ts: number): void {
    this.stmt(
      `INSERT INTO seen_values (account_id, field, value, first_ts, last_ts, count) VALUES (?, ?, ?, ?, ?, 1)
       ON CONFLICT (account_id, field, value) DO UPDATE SET
         first_ts = min(first_ts, excluded.first_ts), last_ts = max(last_ts, excluded.last_ts), count = count + 1`
    ).run(accountId, field, value, ts, ts)
  }

  /** Values of a remembered set used since `sinceTs`, most recent first. */
  recentValues(accountId: string, field: string, sinceTs: number, limit: number): string[] {
    return this.stmt(
      'SELECT value FROM seen_values WHERE account_id = ? AND field = ? AND last_ts >= ? ORDER BY last_ts DESC LIMIT ?'
    )
      .pluck()
      .all(accountId, field, sinceTs, limit) as string[]
  }

  /** How many values of this remembered set were first seen in [fromTs, toTs]. */
  newValuesBetween(accountId: string, field: string, fromTs: number, toTs: number): number {
    return this.stmt(
      'SELECT count(*) FROM seen_values WHERE account_id = ? AND field = ? AND first_ts >= ? AND first_ts <= ?'
    )
      .pluck()
      .get(accountId, field, fromTs, toTs) as number
  }

  /**
   * The account's equity in USD at the event: the newest balance event that carries `equityUsd`,
   * else (live only) the sum of the current balance snapshot's USD values.
   */
  equityAt(event: StoredEvent, live: boolean): number | null {
    const rows = this.stmt(
      `SELECT json_extract(data, '$.equityUsd') FROM events WHERE account_id = ? AND type = 'balance.changed'
       AND ts <= ? AND json_extract(data, '$.equityUsd') IS NOT NULL ORDER BY ts DESC, id DESC LIMIT 1`
    )
      .pluck()
      .all(event.accountId, event.ts) as (number | null)[]
    const fromEvents = rows[0]
    if (typeof fromEvents === 'number' && fromEvents > 0) return fromEvents
    if (!live) return null
    const sum = this.stmt(
      'SELECT sum(usd_value) FROM balances WHERE account_id = ? AND usd_value IS NOT NULL'
    )
      .pluck()
      .get(event.accountId) as number | null
    return sum && sum > 0 ? sum : null
  }

  /** USD price of one unit of a currency from the balance snapshot, when known. */
  priceUsd(accountId: string, currency: string): number | null {
    const row = this.stmt(
      'SELECT total, usd_value FROM balances WHERE account_id = ? AND currency = ?'
    ).get(accountId, currency) as { total: number; usd_value: number | null } | undefined
    return row && row.usd_value !== null && row.total > 0 ? row.usd_value / row.total : null
  }

  /** Numeric values of a data field for events of these types in [fromTs, toTs), oldest first. */
  values(
    accountId: string,
    types: readonly string[],
    field: string,
    fromTs: number,
    toTs: number
  ): number[] {
    const sql = `SELECT json_extract(data, ?) v FROM events WHERE account_id = ? AND type IN (${History.typeList(types)})
      AND ts >= ? AND ts < ? ORDER BY ts`
    const out = this.stmt(sql)
      .pluck()
      .all(`$.${field}`, accountId, ...types, fromTs, toTs) as unknown[]
    return out.filter((v): v is number => typeof v === 'number' && Number.isFinite(v))
  }
}
