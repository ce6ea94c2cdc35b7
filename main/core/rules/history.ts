/**
 * Reads of the account's history for the rule kinds, and the rules' memory of seen values.
 *
 * Two in-memory layers sit over SQLite, each exact rather than approximate:
 * - **Lanes**: per account and event type, every stored event from a coverage start onwards,
 *   sorted by (ts, id). Short windows (threshold bursts, baseline buckets, sequences) are answered
 *   from a lane by binary search; a window reaching before the lane's coverage, longer than
 *   LANE_MAX_SPAN_MS or larger than LANE_CAP falls back to the indexed query. Lanes learn about new
 *   events from `noteStored` (the core hands over what it just stored) and, as a safety net, from
 *   `sync()`, which compares the highest stored id with the highest id the lanes know.
 * - **Seen values**: seen_values rows are read once and then kept; `remember` updates the kept row
 *   and marks it dirty, and `flush()` writes every dirty row in one transaction. The engine
 *   flushes after each evaluate() and, inside `engine.batch()`, once per batch.
 *
 * "Before the event" means strictly earlier in (ts, id) order: the engine sees events one at a
 * time in that order, and an event stored in the same batch but not yet evaluated must not count
 * as history. Every SQL query is bounded by account, event type and a time range, so it runs on
 * the (account_id, type, ts) index and costs what the window holds, not what the database holds.
 */
import type Database from 'better-sqlite3'
import { LRUCache } from 'lru-cache'

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

/** A kept seen_values row with its key, and whether it still has to be written. */
interface SeenEntry extends SeenRow {
  accountId: string
  field: string
  value: string
  dirty: boolean
}

/** Parsed events kept between evaluations: consecutive events share most of their window. */
const EVENT_CACHE = 5_000
/** Windows longer than this go to SQL: lanes are for the recent past, not for baselines. */
export const LANE_MAX_SPAN_MS = 2 * 86_400_000
/** Most events one lane holds; a busier window is read from SQL. */
export const LANE_CAP = 20_000
/** Seen-value rows kept in memory; past this the clean ones are dropped (dirty ones are flushed first). */
const SEEN_CACHE = 100_000

/** Every stored event of one (account, type) with ts ≥ `from`, oldest first. */
interface Lane {
  from: number
  items: StoredEvent[]
  /** Longest span asked of this lane: how much of the past it keeps. */
  keep: number
  /** Newest event a window was asked for: the lane keeps `keep` before it. */
  asked: number
}

const DAY = 86_400_000

/** Strict (ts, id) order. */
const before = (a: StoredEvent, ts: number, id: number) => a.ts < ts || (a.ts === ts && a.id < id)

/** Index of the first item with ts ≥ `ts`. */
function lowerTs(items: readonly StoredEvent[], ts: number): number {
  let lo = 0
  let hi = items.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((items[mid] as StoredEvent).ts < ts) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Index of the first item not strictly before (ts, id). */
function lowerKey(items: readonly StoredEvent[], ts: number, id: number): number {
  let lo = 0
  let hi = items.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (before(items[mid] as StoredEvent, ts, id)) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Merges per-type slices (each sorted) into one (ts, id)-sorted list. */
function merge(parts: StoredEvent[][]): StoredEvent[] {
  const nonEmpty = parts.filter((p) => p.length > 0)
  if (nonEmpty.length <= 1) return nonEmpty[0] ?? []
  return nonEmpty.flat().sort((a, b) => a.ts - b.ts || a.id - b.id)
}

/** Indexed reads and seen_values memory for one database, with prepared statements and in-memory lanes. */
export class History {
  private readonly statements = new Map<string, Statement>()
  private readonly cache = new LRUCache<number, StoredEvent>({ max: EVENT_CACHE })
  /** account → event type → lane. */
  private readonly lanes = new Map<string, Map<string, Lane>>()
  /** Highest event id the lanes have accounted for (every lower id is in its lane, if it has one). */
  private knownMaxId: number | null = null
  /** account → remembered set → value → row (null: looked up, not stored). */
  private readonly seenRows = new Map<string, Map<string, Map<string, SeenEntry | null>>>()
  private seenSize = 0
  private readonly dirty: SeenEntry[] = []
  private readonly since = new Map<string, number | null>()
  /** Events stored per `account|UTC day` since tracking began (see dayStamp). */
  private readonly dayWrites = new Map<string, Map<number, number>>()
  private epoch = 0

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
    const found = new Map<number, StoredEvent>()
    const missing: number[] = []
    for (const k of keys) {
      const hit = this.cache.get(k.id)
      if (hit && hit.ts === k.ts && hit.type === k.type) found.set(k.id, hit)
      else missing.push(k.id)
    }
    for (let i = 0; i < missing.length; i += 500) {
      const chunk = missing.slice(i, i + 500)
      const rows = this.stmt(
        `SELECT * FROM events WHERE id IN (${chunk.map(() => '?').join(',')})`
      ).all(...chunk) as Parameters<typeof rowToEvent>[0][]
      for (const row of rows) {
        const event = rowToEvent(row)
        // The answer is assembled from `found`: a window larger than the cache is still whole.
        found.set(row.id, event)
        this.cache.set(row.id, event)
      }
    }
    return keys.map((k) => found.get(k.id)).filter((e): e is StoredEvent => e !== undefined)
  }

  /** The lane's copy of a stored event if it has one, so window queries hand back the same object. */
  prime(event: StoredEvent): StoredEvent {
    const lane = this.lanes.get(event.accountId)?.get(event.type)
    if (lane && event.ts >= lane.from) {
      const at = lowerKey(lane.items, event.ts, event.id)
      const hit = lane.items[at]
      if (hit && hit.id === event.id && hit.ts === event.ts) return hit
    }
    // Not in a lane: only a long window read from SQL could meet it again, and that is rare
    // enough not to pay for caching every new event.
    return event
  }

  /** The cached copy of an event read from SQL (adding it), shared by lanes and window reads. */
  private shared(event: StoredEvent): StoredEvent {
    const hit = this.cache.get(event.id)
    if (hit && hit.ts === event.ts && hit.type === event.type) return hit
    this.cache.set(event.id, event)
    return event
  }

  // ---- lanes ---------------------------------------------------------------------------------

  private maxStoredId(): number {
    return (this.stmt('SELECT max(id) FROM events').pluck().get() as number | null) ?? 0
  }

  /**
   * Events the core just stored (in one transaction, so their ids are the newest): added to the
   * lanes that exist, in (ts, id) order. Anything stored some other way is found by sync().
   */
  noteStored(events: readonly StoredEvent[]): void {
    if (events.length === 0) return
    if (this.knownMaxId === null) return // no lane yet: nothing to keep in step
    let low = Infinity
    let high = 0
    for (const e of events) {
      low = Math.min(low, e.id)
      high = Math.max(high, e.id)
    }
    // Only a run of ids right after what the lanes know; a gap before or inside it (another
    // writer, or only part of a batch handed over) is left to sync(), which reads by id.
    if (low !== this.knownMaxId + 1 || high - low + 1 !== events.length) return
    for (const e of events) {
      this.countWrite(e.accountId, e.ts)
      this.addToLane(e)
    }
    this.knownMaxId = high
  }

  /**
   * Brings the lanes up to date with the database: new rows (by id) are added to their lanes; a
   * highest id lower than known means rows were deleted, and the lanes start over.
   */
  sync(): void {
    if (this.knownMaxId === null) return
    const max = this.maxStoredId()
    if (max === this.knownMaxId) return
    if (max < this.knownMaxId) {
      this.dropLanes()
      return
    }
    const keys = this.stmt('SELECT id, account_id, type, ts FROM events WHERE id > ? ORDER BY id')
      .raw()
      .all(this.knownMaxId) as [number, string, string, number][]
    const wanted: number[] = []
    for (const [id, accountId, type, ts] of keys) {
      this.countWrite(accountId, ts)
      const since = this.since.get(accountId)
      if (since !== undefined && (since === null || ts < since)) this.since.set(accountId, ts)
      const lane = this.lanes.get(accountId)?.get(type)
      if (lane && ts >= lane.from) wanted.push(id)
    }
    for (let i = 0; i < wanted.length; i += 500) {
      const chunk = wanted.slice(i, i + 500)
      const rows = this.stmt(
        `SELECT * FROM events WHERE id IN (${chunk.map(() => '?').join(',')}) ORDER BY id`
      ).all(...chunk) as Parameters<typeof rowToEvent>[0][]
      for (const row of rows) this.addToLane(this.shared(rowToEvent(row)))
    }
    this.knownMaxId = max
  }

  private countWrite(accountId: string, ts: number): void {
    let days = this.dayWrites.get(accountId)
    if (!days) this.dayWrites.set(accountId, (days = new Map()))
    const day = ts - (ts % DAY)
    days.set(day, (days.get(day) ?? 0) + 1)
  }

  /**
   * A stamp that changes whenever events of this account and UTC day are stored or any event is
   * deleted, from now on: what a per-day aggregate computed now can be checked against later
   * instead of re-counting the day in SQL.
   */
  dayStamp(accountId: string, day: number): string {
    if (this.knownMaxId === null) this.knownMaxId = this.maxStoredId()
    return `${this.epoch}:${this.dayWrites.get(accountId)?.get(day) ?? 0}`
  }

  /** Forgets every lane (events were deleted: retention, a removed account). */
  dropLanes(): void {
    this.epoch++
    this.dayWrites.clear()
    this.lanes.clear()
    this.knownMaxId = null
    this.since.clear()
    this.cache.clear()
  }

  private addToLane(event: StoredEvent): void {
    const since = this.since.get(event.accountId)
    if (since !== undefined && (since === null || event.ts < since))
      this.since.set(event.accountId, event.ts)
    const lane = this.lanes.get(event.accountId)?.get(event.type)
    if (!lane || event.ts < lane.from) return
    const items = lane.items
    const last = items[items.length - 1]
    if (!last || before(last, event.ts, event.id)) items.push(event)
    else {
      const at = lowerKey(items, event.ts, event.id)
      if (items[at]?.id === event.id) return
      items.splice(at, 0, event)
    }
    this.trim(lane)
  }

  /** Keeps what the longest window asked of the lane needs, and at most LANE_CAP events. */
  private trim(lane: Lane): void {
    const items = lane.items
    // Events of a batch are stored before the first of them is judged: keep what the window of
    // the last judged event needs, not the newest stored one. Amortised: cut only once twice the
    // needed span (or the cap) is held.
    const stale = items.length > 0 && (items[0] as StoredEvent).ts < lane.asked - 2 * lane.keep
    if (!stale && items.length <= LANE_CAP) return
    let cutTs = lane.asked - lane.keep
    if (items.length - lowerTs(items, cutTs) > LANE_CAP / 2)
      cutTs = (items[items.length - Math.floor(LANE_CAP / 2)] as StoredEvent).ts
    if (cutTs <= lane.from) return
    const at = lowerTs(items, cutTs)
    items.splice(0, at)
    lane.from = cutTs
  }

  /**
   * The lane of (account, type) covering [fromTs, ∞), created or extended back from SQL when
   * affordable; null when the query should go to SQL.
   */
  private lane(accountId: string, type: string, fromTs: number, newestTs: number): Lane | null {
    const span = newestTs - fromTs
    if (!(span <= LANE_MAX_SPAN_MS)) return null
    let lane = this.lanes.get(accountId)?.get(type)
    if (!lane || lane.from > fromTs) {
      // Bring the lanes up to date before reading this one's missing start: sync() may add to
      // and trim this lane (moving its start) or drop every lane.
      this.sync()
      if (this.knownMaxId === null) this.knownMaxId = this.maxStoredId()
      lane = this.lanes.get(accountId)?.get(type)
      if (!lane || lane.from > fromTs) {
        const extended = this.extend(accountId, type, fromTs, lane)
        if (!extended) return null
        lane = extended
      }
    }
    if (span > lane.keep) lane.keep = span
    if (newestTs > lane.asked) lane.asked = newestTs
    return lane
  }

  /** Reads the events of (account, type) from `fromTs` up to the lane's start into the lane. */
  private extend(
    accountId: string,
    type: string,
    fromTs: number,
    lane: Lane | undefined
  ): Lane | null {
    const upTo = lane ? lane.from : Number.MAX_SAFE_INTEGER
    const count = this.stmt(
      'SELECT count(*) FROM events WHERE account_id = ? AND type = ? AND ts >= ? AND ts < ?'
    )
      .pluck()
      .get(accountId, type, fromTs, upTo) as number
    if (count + (lane?.items.length ?? 0) > LANE_CAP) return null
    const rows = this.stmt(
      'SELECT * FROM events WHERE account_id = ? AND type = ? AND ts >= ? AND ts < ? AND id <= ? ORDER BY ts, id'
    ).all(accountId, type, fromTs, upTo, this.knownMaxId) as Parameters<typeof rowToEvent>[0][]
    const loaded = rows.map((row) => this.shared(rowToEvent(row)))
    if (lane) {
      lane.items.unshift(...loaded)
      lane.from = fromTs
      return lane
    }
    const created: Lane = { from: fromTs, items: loaded, keep: 60_000, asked: 0 }
    let byType = this.lanes.get(accountId)
    if (!byType) this.lanes.set(accountId, (byType = new Map()))
    byType.set(type, created)
    return created
  }

  /** Per-type lanes for a query, or null when any type must go to SQL. */
  private lanesFor(
    accountId: string,
    types: readonly string[],
    fromTs: number,
    newestTs: number
  ): Lane[] | null {
    const out: Lane[] = []
    for (const type of types) {
      const lane = this.lane(accountId, type, fromTs, newestTs)
      if (!lane) return null
      out.push(lane)
    }
    return out
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
    const lanes = this.lanesFor(event.accountId, types, fromTs, event.ts)
    if (lanes) {
      const endId = inclusive ? event.id + 1 : event.id
      return merge(
        lanes.map((l) =>
          l.items.slice(lowerTs(l.items, fromTs), lowerKey(l.items, event.ts, endId))
        )
      )
    }
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

  /** How many events of these types are stored in [fromTs, toTs), index only. */
  count(accountId: string, types: readonly string[], fromTs: number, toTs: number): number {
    const sql = `SELECT count(*) FROM events WHERE account_id = ? AND type IN (${History.typeList(types)})
      AND ts >= ? AND ts < ?`
    return this.stmt(sql)
      .pluck()
      .get(accountId, ...types, fromTs, toTs) as number
  }

  /** Count of events of these types in [fromTs, event] (inclusive of the event), index only. */
  countUpTo(event: StoredEvent, types: readonly string[], fromTs: number): number {
    const lanes = this.lanesFor(event.accountId, types, fromTs, event.ts)
    if (lanes) {
      let n = 0
      for (const l of lanes)
        n += lowerKey(l.items, event.ts, event.id + 1) - lowerTs(l.items, fromTs)
      return n
    }
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
    const lanes = this.lanesFor(event.accountId, types, fromTs, event.ts)
    if (lanes) {
      const all = merge(
        lanes.map((l) =>
          l.items.slice(lowerTs(l.items, fromTs), lowerKey(l.items, event.ts, event.id))
        )
      )
      return all.slice(Math.max(0, all.length - limit)).reverse()
    }
    const sql = `SELECT id, type, ts FROM events WHERE account_id = ? AND type IN (${History.typeList(types)})
      AND ts >= ? AND (ts < ? OR (ts = ? AND id < ?)) ORDER BY ts DESC, id DESC LIMIT ?`
    return this.load(sql, [event.accountId, ...types, fromTs, event.ts, event.ts, event.id, limit])
  }

  /** Earliest event timestamp of the account: how long we have been able to watch it. */
  accountSince(accountId: string): number | null {
    if (this.since.has(accountId)) return this.since.get(accountId) ?? null
    const ts = this.stmt('SELECT min(ts) FROM events WHERE account_id = ?')
      .pluck()
      .get(accountId) as number | null
    // Kept only while lanes track new events (they lower it when an older event arrives).
    if (this.knownMaxId !== null) this.since.set(accountId, ts)
    return ts
  }

  /** The kept entry of a value (read from seen_values on first use). */
  private seenEntry(accountId: string, field: string, value: string): SeenEntry | null {
    let fields = this.seenRows.get(accountId)
    if (!fields) this.seenRows.set(accountId, (fields = new Map()))
    let values = fields.get(field)
    if (!values) fields.set(field, (values = new Map()))
    let entry = values.get(value)
    if (entry === undefined) {
      if (this.seenSize >= SEEN_CACHE) {
        this.shrinkSeen()
        return this.seenEntry(accountId, field, value)
      }
      const row = this.stmt(
        'SELECT first_ts, last_ts, count FROM seen_values WHERE account_id = ? AND field = ? AND value = ?'
      ).get(accountId, field, value) as SeenRow | undefined
      entry = row ? { ...row, accountId, field, value, dirty: false } : null
      values.set(value, entry)
      this.seenSize++
    }
    return entry
  }

  seen(accountId: string, field: string, value: string): SeenRow | undefined {
    const entry = this.seenEntry(accountId, field, value)
    return entry
      ? { first_ts: entry.first_ts, last_ts: entry.last_ts, count: entry.count }
      : undefined
  }

  /** Records a value as seen at ts (idempotent for first/last; count is a rough use counter). Written by flush(). */
  remember(accountId: string, field: string, value: string, ts: number): void {
    let entry = this.seenEntry(accountId, field, value)
    if (!entry) {
      entry = { first_ts: ts, last_ts: ts, count: 0, accountId, field, value, dirty: false }
      this.seenRows.get(accountId)?.get(field)?.set(value, entry)
    }
    if (ts < entry.first_ts) entry.first_ts = ts
    if (ts > entry.last_ts) entry.last_ts = ts
    entry.count++
    if (!entry.dirty) {
      entry.dirty = true
      this.dirty.push(entry)
    }
  }

  /** Writes every remembered value not yet stored, in one transaction. */
  flush(): void {
    if (this.dirty.length === 0) return
    const upsert = this.stmt(
      `INSERT INTO seen_values (account_id, field, value, first_ts, last_ts, count) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (account_id, field, value) DO UPDATE SET
         first_ts = excluded.first_ts, last_ts = excluded.last_ts, count = excluded.count`
    )
    const writeAll = () => {
      for (const e of this.dirty) {
        if (!e.dirty) continue
        upsert.run(e.accountId, e.field, e.value, e.first_ts, e.last_ts, e.count)
        e.dirty = false
      }
    }
    // In the engine's batch transaction already: a nested one would only add a savepoint.
    if (this.db.inTransaction) writeAll()
    else this.db.transaction(writeAll)()
    this.dirty.length = 0
  }

  /** Drops the seen values of an account from memory (its rows were deleted). */
  forgetAccount(accountId: string): void {
    const fields = this.seenRows.get(accountId)
    if (fields) {
      for (const values of fields.values()) {
        for (const e of values.values()) if (e) e.dirty = false
        this.seenSize -= values.size
      }
      this.seenRows.delete(accountId)
    }
    this.dropLanes()
  }

  /** Forgets every kept seen value, written or not (a rolled-back batch). */
  dropSeen(): void {
    this.seenRows.clear()
    this.seenSize = 0
    this.dirty.length = 0
  }

  private shrinkSeen(): void {
    this.flush()
    this.seenRows.clear()
    this.seenSize = 0
  }

  /** Values of a remembered set used since `sinceTs`, most recent first. */
  recentValues(accountId: string, field: string, sinceTs: number, limit: number): string[] {
    this.flush()
    return this.stmt(
      'SELECT value FROM seen_values WHERE account_id = ? AND field = ? AND last_ts >= ? ORDER BY last_ts DESC LIMIT ?'
    )
      .pluck()
      .all(accountId, field, sinceTs, limit) as string[]
  }

  /** How many values of this remembered set were first seen in [fromTs, toTs]. */
  newValuesBetween(accountId: string, field: string, fromTs: number, toTs: number): number {
    this.flush()
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
    const lanes = this.lanesFor(
      event.accountId,
      ['balance.changed'],
      event.ts - LANE_MAX_SPAN_MS,
      event.ts
    )
    const items = lanes?.[0]?.items
    if (items) {
      for (let i = lowerTs(items, event.ts + 1) - 1; i >= 0; i--) {
        const v = (items[i]?.data as { equityUsd?: unknown } | undefined)?.equityUsd
        if (v === null || v === undefined) continue
        if (typeof v === 'number' && v > 0) return v
        return live ? this.liveEquity(event.accountId) : null
      }
    }
    const rows = this.stmt(
      `SELECT json_extract(data, '$.equityUsd') FROM events WHERE account_id = ? AND type = 'balance.changed'
       AND ts <= ? AND json_extract(data, '$.equityUsd') IS NOT NULL ORDER BY ts DESC, id DESC LIMIT 1`
    )
      .pluck()
      .all(event.accountId, event.ts) as (number | null)[]
    const fromEvents = rows[0]
    if (typeof fromEvents === 'number' && fromEvents > 0) return fromEvents
    return live ? this.liveEquity(event.accountId) : null
  }

  /** The sum of the current balance snapshot's USD values. */
  private liveEquity(accountId: string): number | null {
    const sum = this.stmt(
      'SELECT sum(usd_value) FROM balances WHERE account_id = ? AND usd_value IS NOT NULL'
    )
      .pluck()
      .get(accountId) as number | null
    return sum && sum > 0 ? sum : null
  }

  /** USD price of one unit of a currency from the balance snapshot, when known. */
  priceUsd(accountId: string, currency: string): number | null {
    const row = this.stmt(
      'SELECT total, usd_value FROM balances WHERE account_id = ? AND currency = ?'
    ).get(accountId, currency) as { total: number; usd_value: number | null } | undefined
    return row && row.usd_value !== null && row.total > 0 ? row.usd_value / row.total : null
  }
}
