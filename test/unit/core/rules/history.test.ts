/**
 * History's in-memory layers (per account/type lanes, write-behind seen values) must answer
 * exactly what the indexed SQL answers: every window read here is checked against a reference
 * query written independently in this file (row-value (ts, id) comparisons), on a real database
 * with the production schema, through notified writes, foreign writes, deletions and the engine.
 */
import { describe, expect, it, vi } from 'vitest'

import { openDatabase, type Db } from '../../../../main/core/db/open'
import { EventStore } from '../../../../main/core/db/repos/events'
import type { EventKind, EventType, NewEvent, StoredEvent } from '../../../../main/core/model'
import { createRuleEngine } from '../../../../main/core/rules/engine'
import { History, LANE_CAP, LANE_MAX_SPAN_MS } from '../../../../main/core/rules/history'

const T0 = Date.UTC(2026, 9, 1)
const SEC = 1_000
const MIN = 60_000
const HOUR = 3_600_000
const DAY = 86_400_000
const ACCOUNTS = ['a1', 'a2', 'a3']
/** History's parsed-event cache (EVENT_CACHE in history.ts, not exported). */
const EVENT_CACHE = 5_000

/** mulberry32: small, seeded, deterministic. */
function prng(seed: number) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
  const int = (n: number) => Math.floor(next() * n)
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T
  return { next, int, pick }
}

function freshDb(): Db {
  const db = openDatabase(':memory:')
  const insert = db.prepare(
    "INSERT INTO accounts (id, exchange, label, key_hint, created_at) VALUES (?, 'deribit', ?, 'x', 0)"
  )
  for (const id of ACCOUNTS) insert.run(id, id)
  return db
}

// ---- reference answers (plain SQL, written independently of history.ts) ----------------------

const ids = (events: readonly StoredEvent[]) => events.map((e) => e.id)
const marks = (types: readonly string[]) => types.map(() => '?').join(',')

function refWindow(
  db: Db,
  e: StoredEvent,
  types: readonly string[],
  from: number,
  inclusive: boolean
): number[] {
  return db
    .prepare(
      `SELECT id FROM events WHERE account_id = ? AND type IN (${marks(types)}) AND ts >= ?
       AND (ts, id) ${inclusive ? '<=' : '<'} (?, ?) ORDER BY ts, id`
    )
    .pluck()
    .all(e.accountId, ...types, from, e.ts, e.id) as number[]
}

function refCount(db: Db, e: StoredEvent, types: readonly string[], from: number): number {
  return db
    .prepare(
      `SELECT count(*) FROM events WHERE account_id = ? AND type IN (${marks(types)}) AND ts >= ?
       AND (ts, id) <= (?, ?)`
    )
    .pluck()
    .get(e.accountId, ...types, from, e.ts, e.id) as number
}

function refPrevious(
  db: Db,
  e: StoredEvent,
  types: readonly string[],
  from: number,
  limit: number
): number[] {
  return db
    .prepare(
      `SELECT id FROM events WHERE account_id = ? AND type IN (${marks(types)}) AND ts >= ?
       AND (ts, id) < (?, ?) ORDER BY ts DESC, id DESC LIMIT ?`
    )
    .pluck()
    .all(e.accountId, ...types, from, e.ts, e.id, limit) as number[]
}

/** The newest balance event at or before the event's ts carrying equityUsd: > 0 → it, else null. */
function refEquity(db: Db, e: StoredEvent): number | null {
  const rows = db
    .prepare(
      `SELECT data FROM events WHERE account_id = ? AND type = 'balance.changed' AND ts <= ?
       ORDER BY ts DESC, id DESC`
    )
    .pluck()
    .all(e.accountId, e.ts) as string[]
  for (const raw of rows) {
    const v = (JSON.parse(raw) as { equityUsd?: unknown }).equityUsd
    if (v === undefined || v === null) continue
    return typeof v === 'number' && v > 0 ? v : null
  }
  return null
}

// ---- the generated stream ------------------------------------------------------------------------

const TYPES: readonly { kind: EventKind; type: EventType }[] = [
  { kind: 'order', type: 'order.new' },
  { kind: 'order', type: 'order.new' },
  { kind: 'fill', type: 'fill.new' },
  { kind: 'balance', type: 'balance.changed' },
  { kind: 'login', type: 'login.failure' }
]
const TYPE_SETS: readonly (readonly string[])[] = [
  ['order.new'],
  ['fill.new'],
  ['balance.changed'],
  ['order.new', 'fill.new'],
  ['order.new', 'fill.new', 'balance.changed', 'login.failure'],
  ['login.failure', 'order.new']
]
const SPANS = [
  0,
  SEC,
  MIN,
  10 * MIN,
  HOUR,
  6 * HOUR,
  DAY,
  LANE_MAX_SPAN_MS - 1,
  LANE_MAX_SPAN_MS,
  LANE_MAX_SPAN_MS + 1,
  3 * DAY
]

/** A few thousand events: ties, out-of-order arrivals, duplicates, balance events with and without equity. */
function generate(seed: number, count: number): NewEvent[][] {
  const r = prng(seed)
  const batches: NewEvent[][] = []
  const made: NewEvent[] = []
  let cursor = T0
  let batch: NewEvent[] = []
  let batchSize = 1 + r.int(60)
  for (let i = 0; i < count; i++) {
    const roll = r.next()
    let event: NewEvent
    if (roll < 0.05 && made.length > 0) {
      event = { ...r.pick(made) } // a duplicate: the store ignores it
    } else {
      if (r.next() > 0.3) cursor += r.int(4 * MIN)
      const late = r.next() < 0.1
      const ts = late ? cursor - r.int(6 * HOUR) : cursor
      const { kind, type } = r.pick(TYPES)
      let data: Record<string, unknown>
      if (type === 'balance.changed') {
        const e = r.next()
        data = { currency: 'USDT', total: 1 }
        if (e < 0.4) data.equityUsd = 1_000 + r.int(100_000)
        else if (e < 0.5) data.equityUsd = 0
        else if (e < 0.55) data.equityUsd = null
      } else data = { symbol: r.pick(['BTC-PERP', 'ETH-PERP']), side: r.pick(['buy', 'sell']) }
      event = {
        accountId: r.pick(ACCOUNTS),
        kind,
        type,
        exchangeRecordId: `r${i}`,
        ts,
        data: data as NewEvent['data']
      }
      made.push(event)
    }
    batch.push(event)
    if (batch.length >= batchSize) {
      batches.push(batch)
      batch = []
      batchSize = 1 + r.int(60)
    }
  }
  if (batch.length > 0) batches.push(batch)
  return batches
}

/** Asks History every query kind about the event and checks each answer against the reference. */
function checkEvent(db: Db, history: History, e: StoredEvent, r: ReturnType<typeof prng>) {
  const types = r.pick(TYPE_SETS)
  const from = e.ts - r.pick(SPANS)
  const inclusive = r.next() < 0.5
  const limit = 1 + r.int(20)
  const where = `event ${e.id} (${e.accountId} ${e.type} ts ${e.ts - T0}) types ${types.join('+')} from -${e.ts - from}`
  expect(ids(history.window(e, types, from, inclusive)), `window ${inclusive} ${where}`).toEqual(
    refWindow(db, e, types, from, inclusive)
  )
  expect(history.countUpTo(e, types, from), `countUpTo ${where}`).toBe(refCount(db, e, types, from))
  expect(ids(history.previous(e, types, from, limit)), `previous ${limit} ${where}`).toEqual(
    refPrevious(db, e, types, from, limit)
  )
  expect(history.equityAt(e, false), `equityAt ${where}`).toBe(refEquity(db, e))
}

describe('History lanes answer exactly what SQL answers', () => {
  it('through notified and foreign writes, ties, late events, duplicates and long windows', () => {
    const db = freshDb()
    const store = new EventStore(db)
    const history = new History(db)
    const r = prng(7)
    const all: StoredEvent[] = []
    let pendingSync = false
    let noted = 0
    let foreign = 0
    let checked = 0
    for (const [n, batch] of generate(42, 3_000).entries()) {
      const stored = store.ingest(batch, T0, 'live')
      all.push(...stored)
      if (r.next() < 0.6) {
        history.noteStored(stored)
        noted++
      } else {
        pendingSync = true // a foreign writer: only sync() (the engine's batch start) finds these
        foreign++
      }
      // Now and then the sync is late: a notified batch after a foreign one is not contiguous.
      if (pendingSync && r.next() < 0.7) {
        history.sync()
        pendingSync = false
      }
      if (pendingSync || stored.length === 0) continue
      const sample = [r.pick(stored), r.pick(stored), r.pick(stored)]
      if (all.length > 0) sample.push(r.pick(all)) // an older event: lanes extend back or go to SQL
      for (const e of sample) checkEvent(db, history, e, r)
      checked += sample.length
      if (n % 25 === 24) {
        // Lanes left alone for a while, then asked again after a whole stretch of writes.
        const e = r.pick(all)
        checkEvent(db, history, e, r)
      }
    }
    history.sync()
    for (let i = 0; i < 200; i++) checkEvent(db, history, r.pick(all), r)
    // The stream must actually hold what the test claims to exercise.
    const stats = db
      .prepare(
        `SELECT count(*) n, count(DISTINCT ts) t, max(ts) - min(ts) span,
          sum(type = 'balance.changed' AND json_extract(data, '$.equityUsd') > 0) eq,
          sum(type = 'balance.changed' AND json_extract(data, '$.equityUsd') = 0) zero,
          sum(type = 'balance.changed' AND json_type(data, '$.equityUsd') IS NULL) absent
         FROM events`
      )
      .get() as Record<string, number>
    expect(stats.n).toBeLessThan(3_000) // duplicates were ignored
    expect(stats.t).toBeLessThan(stats.n) // ties
    expect(stats.span).toBeGreaterThan(LANE_MAX_SPAN_MS)
    expect(stats.eq).toBeGreaterThan(0)
    expect(stats.zero).toBeGreaterThan(0)
    expect(stats.absent).toBeGreaterThan(0)
    expect(all.some((e, i) => i > 0 && e.ts < (all[i - 1] as StoredEvent).ts)).toBe(true)
    expect(noted).toBeGreaterThan(10)
    expect(foreign).toBeGreaterThan(10)
    expect(checked).toBeGreaterThan(300)
  })

  it('goes to SQL for a window holding more than LANE_CAP events, and stays exact past the cap', () => {
    const db = freshDb()
    const store = new EventStore(db)
    const history = new History(db)
    const prepared: string[] = []
    const prepare = db.prepare.bind(db)
    vi.spyOn(db, 'prepare').mockImplementation(((sql: string) => {
      prepared.push(sql)
      return prepare(sql)
    }) as typeof db.prepare)
    const order = (i: number, ts: number): NewEvent => ({
      accountId: 'a3',
      kind: 'order',
      type: 'order.new',
      exchangeRecordId: `o${i}`,
      ts,
      data: { symbol: 'BTC-PERP', side: 'buy' } as NewEvent['data']
    })
    const first = store.ingest([order(0, T0), order(1, T0 + SEC)], T0, 'live')
    const lone = first[1] as StoredEvent
    // A lane exists (short window), then the core stores a flood and notifies it.
    expect(ids(history.window(lone, ['order.new'], lone.ts - MIN))).toEqual(ids(first))
    const flood: NewEvent[] = []
    for (let i = 0; i < LANE_CAP + 2_000; i++) flood.push(order(i + 2, T0 + MIN + (i >> 2) * 50))
    const stored = store.ingest(flood, T0, 'live')
    history.noteStored(stored)
    const last = stored[stored.length - 1] as StoredEvent
    const middle = stored[Math.floor(stored.length / 2)] as StoredEvent
    const r = prng(3)
    for (const e of [last, middle, lone, stored[3] as StoredEvent])
      for (const span of [0, 50, SEC, MIN, 10 * MIN, HOUR, 3 * DAY]) {
        const from = e.ts - span
        for (const inclusive of [true, false]) {
          expect(ids(history.window(e, ['order.new'], from, inclusive))).toEqual(
            refWindow(db, e, ['order.new'], from, inclusive)
          )
        }
        expect(history.countUpTo(e, ['order.new'], from)).toBe(refCount(db, e, ['order.new'], from))
        const limit = 1 + r.int(30)
        expect(ids(history.previous(e, ['order.new'], from, limit))).toEqual(
          refPrevious(db, e, ['order.new'], from, limit)
        )
      }
    // A window within LANE_MAX_SPAN_MS but over LANE_CAP events goes to SQL (a type list, not one
    // lane's type): seen on a History of its own, where nothing else prepared that query.
    const from = last.ts - HOUR
    expect(refCount(db, last, ['order.new'], from)).toBeGreaterThan(LANE_CAP)
    prepared.length = 0
    const own = new History(db)
    expect(ids(own.window(last, ['order.new'], from))).toEqual(
      refWindow(db, last, ['order.new'], from, true)
    )
    expect(prepared.some((sql) => /type IN \(\?\)\s+AND ts >= \? AND \(ts < \?/.test(sql))).toBe(
      true
    )
    vi.restoreAllMocks()
  })

  const flood = (db: Db, n: number, start: number, step: number): StoredEvent[] => {
    const batch: NewEvent[] = []
    for (let i = 0; i < n; i++)
      batch.push({
        accountId: 'a1',
        kind: 'order',
        type: 'order.new',
        exchangeRecordId: `f${start}-${i}`,
        ts: start + i * step,
        data: { symbol: 'BTC-PERP', side: 'buy' } as NewEvent['data']
      })
    return new EventStore(db).ingest(batch, start, 'live')
  }

  // Before 0ab739b, load() trimmed its event cache before reading the answer back from it: a
  // window answered by SQL kept only the newest EVENT_CACHE events (every LANE_CAP fallback).
  it('a window answered by SQL keeps every event, not only the newest EVENT_CACHE', () => {
    const db = freshDb()
    const stored = flood(db, EVENT_CACHE + 1_000, T0, 10)
    const last = stored[stored.length - 1] as StoredEvent
    const from = last.ts - 3 * DAY // longer than LANE_MAX_SPAN_MS: SQL
    const ref = refWindow(db, last, ['order.new'], from, true)
    expect(ref).toHaveLength(EVENT_CACHE + 1_000)
    expect(ids(new History(db).window(last, ['order.new'], from))).toEqual(ref)
  })

  // A write neither noted nor synced, found by sync() while a lane is being extended, may trim
  // that lane; the extension must read from the lane's start after the sync, or a hole opens.
  it('leaves to sync() a batch handed over with a gap (part of what was stored)', () => {
    const db = freshDb()
    const history = new History(db)
    const s = flood(db, 10, T0, MIN)
    const at = (i: number) => s[i] as StoredEvent
    history.window(at(9), ['order.new'], at(0).ts) // lane from T0
    const more = flood(db, 6, T0 + 10 * MIN, MIN)
    history.noteStored(more.filter((_, i) => i !== 2)) // one stored event not handed over
    history.sync() // as the engine does when the next batch starts
    const last = more[5] as StoredEvent
    expect(ids(history.window(last, ['order.new'], T0))).toEqual(
      refWindow(db, last, ['order.new'], T0, true)
    )
  })

  it('extending a lane while an unsynced write is pending leaves no hole', () => {
    const db = freshDb()
    const history = new History(db)
    const s = flood(db, 61, T0, MIN)
    const at = (i: number) => s[i] as StoredEvent
    history.window(at(5), ['order.new'], at(5).ts - MIN) // lane from T0+4m, keep 1m
    history.window(at(60), ['order.new'], at(60).ts - MIN) // asked moves to T0+60m
    flood(db, 1, T0 + 61 * MIN, MIN) // foreign write: neither noteStored nor sync
    const from = T0 + 3 * MIN // before the lane's start: the lane is extended
    expect(ids(history.window(at(60), ['order.new'], from))).toEqual(
      refWindow(db, at(60), ['order.new'], from, true)
    ) // 58 events; the lane answers 3
  })
})

describe('History after deletions', () => {
  const load = () => {
    const db = freshDb()
    const store = new EventStore(db)
    const history = new History(db)
    const r = prng(11)
    const all: StoredEvent[] = []
    for (const batch of generate(5, 1_500)) {
      const stored = store.ingest(batch, T0, 'live')
      history.noteStored(stored)
      all.push(...stored)
      if (stored.length > 0) checkEvent(db, history, r.pick(stored), r) // lanes exist and are warm
    }
    return { db, store, history, r, all }
  }
  const remaining = (db: Db, all: readonly StoredEvent[]) => {
    const alive = new Set(db.prepare('SELECT id FROM events').pluck().all() as number[])
    return all.filter((e) => alive.has(e.id))
  }

  it('drops lanes after retention deleted the oldest events', () => {
    const { db, history, r, all } = load()
    const cutoff = T0 + DAY
    const removed = db.prepare('DELETE FROM events WHERE ts < ?').run(cutoff).changes
    expect(removed).toBeGreaterThan(100)
    history.dropLanes()
    const alive = remaining(db, all)
    for (let i = 0; i < 300; i++) checkEvent(db, history, r.pick(alive), r)
  })

  it('notices through sync() that the newest events were deleted behind its back', () => {
    const { db, store, history, r, all } = load()
    const max = db.prepare('SELECT max(id) FROM events').pluck().get() as number
    db.prepare('DELETE FROM events WHERE id > ?').run(max - 150)
    history.sync()
    let alive = remaining(db, all)
    // The newest survivors first: their windows held the deleted events.
    for (const e of alive.slice(-100)) checkEvent(db, history, e, r)
    for (let i = 0; i < 100; i++) checkEvent(db, history, r.pick(alive), r)
    // And it keeps step with new writes afterwards.
    for (const batch of generate(99, 300)) {
      const stored = store.ingest(
        batch.map((e) => ({ ...e, exchangeRecordId: `n${e.exchangeRecordId}` })),
        T0,
        'live'
      )
      history.noteStored(stored)
      all.push(...stored)
    }
    alive = remaining(db, all)
    for (const e of alive.slice(-100)) checkEvent(db, history, e, r)
  })
})

describe('seen values', () => {
  const rowOf = (db: Db, accountId: string, field: string, value: string) =>
    db
      .prepare(
        'SELECT first_ts, last_ts, count FROM seen_values WHERE account_id = ? AND field = ? AND value = ?'
      )
      .get(accountId, field, value)

  it('are visible at once, stored only by flush(), with first = min, last = max, count = n', () => {
    const db = freshDb()
    const history = new History(db)
    const times = [T0 + 5 * MIN, T0 + MIN, T0 + 9 * MIN, T0 + 3 * MIN]
    for (const ts of times) history.remember('a1', 'data.symbol', 'BTC-PERP', ts)
    history.remember('a2', 'data.symbol', 'BTC-PERP', T0)
    const expected = { first_ts: T0 + MIN, last_ts: T0 + 9 * MIN, count: 4 }
    expect(history.seen('a1', 'data.symbol', 'BTC-PERP')).toEqual(expected)
    expect(history.seen('a1', 'data.symbol', 'ETH-PERP')).toBeUndefined()
    expect(rowOf(db, 'a1', 'data.symbol', 'BTC-PERP')).toBeUndefined()
    history.flush()
    expect(rowOf(db, 'a1', 'data.symbol', 'BTC-PERP')).toEqual(expected)
    expect(rowOf(db, 'a2', 'data.symbol', 'BTC-PERP')).toEqual({
      first_ts: T0,
      last_ts: T0,
      count: 1
    })
    // More after a flush: the row is updated, as the old per-call upsert would have left it.
    history.remember('a1', 'data.symbol', 'BTC-PERP', T0)
    history.flush()
    expect(rowOf(db, 'a1', 'data.symbol', 'BTC-PERP')).toEqual({
      ...expected,
      first_ts: T0,
      count: 5
    })
    // A fresh History (a restart) reads the stored row and carries on from it.
    const again = new History(db)
    again.remember('a1', 'data.symbol', 'BTC-PERP', T0 + HOUR)
    expect(again.seen('a1', 'data.symbol', 'BTC-PERP')).toEqual({
      first_ts: T0,
      last_ts: T0 + HOUR,
      count: 6
    })
  })

  it('recentValues and newValuesBetween see values not flushed yet', () => {
    const db = freshDb()
    const history = new History(db)
    history.remember('a1', 'derived.country', 'DE', T0)
    history.remember('a1', 'derived.country', 'FR', T0 + HOUR)
    history.remember('a1', 'derived.country', 'DE', T0 + 2 * HOUR)
    history.remember('a1', 'derived.country', 'RU', T0 + 30 * MIN)
    history.remember('a2', 'derived.country', 'US', T0 + 3 * HOUR)
    expect(history.recentValues('a1', 'derived.country', T0 + 30 * MIN, 10)).toEqual([
      'DE',
      'FR',
      'RU'
    ])
    expect(history.recentValues('a1', 'derived.country', T0, 2)).toEqual(['DE', 'FR'])
    expect(history.newValuesBetween('a1', 'derived.country', T0 + MIN, T0 + HOUR)).toBe(2)
    expect(history.newValuesBetween('a1', 'derived.country', T0, T0 + 3 * HOUR)).toBe(3)
    history.remember('a1', 'derived.country', 'JP', T0 + 4 * HOUR)
    expect(history.newValuesBetween('a1', 'derived.country', T0, T0 + 5 * HOUR)).toBe(4)
  })

  it('forgetAccount drops the memory of an account whose rows were deleted, and only that', () => {
    const db = freshDb()
    const history = new History(db)
    history.remember('a1', 'data.symbol', 'BTC-PERP', T0)
    history.remember('a2', 'data.symbol', 'BTC-PERP', T0)
    history.flush()
    history.remember('a1', 'data.symbol', 'ETH-PERP', T0) // dirty, not flushed
    db.prepare('DELETE FROM seen_values WHERE account_id = ?').run('a1')
    history.forgetAccount('a1')
    expect(history.seen('a1', 'data.symbol', 'BTC-PERP')).toBeUndefined()
    expect(history.seen('a1', 'data.symbol', 'ETH-PERP')).toBeUndefined()
    expect(history.seen('a2', 'data.symbol', 'BTC-PERP')).toEqual({
      first_ts: T0,
      last_ts: T0,
      count: 1
    })
    history.flush()
    expect(
      db.prepare("SELECT count(*) FROM seen_values WHERE account_id = 'a1'").pluck().get()
    ).toBe(0)
    history.remember('a1', 'data.symbol', 'BTC-PERP', T0 + MIN)
    expect(history.seen('a1', 'data.symbol', 'BTC-PERP')).toEqual({
      first_ts: T0 + MIN,
      last_ts: T0 + MIN,
      count: 1
    })
  })
})

describe('dayStamp', () => {
  const order = (accountId: string, ts: number, id: string): NewEvent => ({
    accountId,
    kind: 'order',
    type: 'order.new',
    exchangeRecordId: id,
    ts,
    data: {} as NewEvent['data']
  })

  it('changes when an event of that account and UTC day is stored (noted or synced) or events are deleted, and only then', () => {
    const db = freshDb()
    const store = new EventStore(db)
    const history = new History(db)
    const day = Date.UTC(2026, 9, 3)
    store.ingest([order('a1', day + HOUR, 's0')], day, 'live')
    const first = history.dayStamp('a1', day)
    const other = history.dayStamp('a1', day + DAY)
    const otherAccount = history.dayStamp('a2', day)

    // Noted by the core: the stamp moves at once.
    history.noteStored(store.ingest([order('a1', day + 23 * HOUR, 's1')], day, 'live'))
    const afterNoted = history.dayStamp('a1', day)
    expect(afterNoted).not.toBe(first)
    expect(history.dayStamp('a1', day + DAY)).toBe(other)
    expect(history.dayStamp('a2', day)).toBe(otherAccount)

    // Written behind History's back (midnight exactly belongs to the next day): found by sync().
    store.ingest([order('a1', day + DAY, 's2')], day, 'live')
    expect(history.dayStamp('a1', day + DAY)).toBe(other)
    history.sync()
    expect(history.dayStamp('a1', day + DAY)).not.toBe(other)
    expect(history.dayStamp('a1', day)).toBe(afterNoted)

    // A duplicate the store ignores changes nothing.
    history.noteStored(store.ingest([order('a1', day + HOUR, 's0')], day, 'live'))
    history.sync()
    expect(history.dayStamp('a1', day)).toBe(afterNoted)

    // Deletions start every stamp over.
    db.prepare('DELETE FROM events WHERE ts < ?').run(day + 2 * HOUR)
    history.dropLanes()
    expect(history.dayStamp('a1', day)).not.toBe(afterNoted)
  })
})

describe('through the engine', () => {
  /** Background trading with bursts of same-side market orders and of failed logins. */
  function stream(): NewEvent[] {
    const r = prng(2026)
    const out: NewEvent[] = []
    let ts = T0
    let n = 0
    const push = (accountId: string, kind: EventKind, type: EventType, data: unknown) =>
      out.push({
        accountId,
        kind,
        type,
        exchangeRecordId: `e${n++}`,
        ts,
        data: data as NewEvent['data']
      })
    for (let i = 0; i < 900; i++) {
      ts += r.next() < 0.2 ? 0 : r.int(6 * MIN)
      const accountId = r.pick(['a1', 'a2'])
      const roll = r.next()
      const order = (type: string, side = r.pick(['buy', 'sell'])) => ({
        symbol: r.pick(['BTC-PERP', 'ETH-PERP', r.next() < 0.05 ? 'DOGE-PERP' : 'BTC-PERP']),
        side,
        type,
        amount: 1 + r.int(5),
        price: 100
      })
      if (roll < 0.03) {
        const side = r.pick(['buy', 'sell'])
        for (let k = 0; k < 12; k++) {
          ts += r.int(4 * SEC)
          push(accountId, 'order', 'order.new', order('market', side))
        }
      } else if (roll < 0.06) {
        for (let k = 0; k < 7; k++) {
          ts += r.int(MIN)
          push(accountId, 'login', 'login.failure', {
            ip: '45.155.205.17',
            success: false,
            country: 'RU'
          })
        }
      } else if (roll < 0.6)
        push(accountId, 'order', 'order.new', order(r.pick(['limit', 'market'])))
      else if (roll < 0.85) push(accountId, 'fill', 'fill.new', order('limit'))
      else
        push(accountId, 'balance', 'balance.changed', {
          currency: 'USDT',
          total: 1,
          equityUsd: 10_000 + r.int(1_000)
        })
    }
    return out
  }

  const key = (f: { ruleId: string; dedupKey: string; evidence: number[] }) =>
    `${f.ruleId} ${f.dedupKey} ${f.evidence.join(',')}`

  it('finds the same one event at a time as in batches with noteStored', () => {
    const events = stream()
    const run = (batched: boolean) => {
      const db = freshDb()
      const store = new EventStore(db)
      const engine = createRuleEngine({ db, rulesDir: 'resources/rules' })
      const found: string[] = []
      if (!batched) {
        for (const e of events)
          for (const s of store.ingest([e], e.ts, 'live'))
            found.push(...engine.evaluate(s, { scope: 'live' }).map(key))
      } else {
        const r = prng(1)
        for (let i = 0; i < events.length;) {
          const size = 1 + r.int(40)
          const slice = events.slice(i, i + size)
          i += size
          const stored = store.ingest(slice, (slice[slice.length - 1] as NewEvent).ts, 'live')
          engine.noteStored(stored)
          engine.batch(() => {
            for (const s of stored) found.push(...engine.evaluate(s, { scope: 'live' }).map(key))
          })
        }
      }
      const seen = db.prepare('SELECT * FROM seen_values ORDER BY account_id, field, value').all()
      return { found, seen }
    }
    const single = run(false)
    const batched = run(true)
    const rules = new Set(single.found.map((k) => k.split(' ')[0]))
    expect(rules).toContain('trade.same_side_market_burst')
    expect(rules).toContain('login.failed_burst')
    expect(batched.found).toEqual(single.found)
    expect(batched.seen).toEqual(single.seen)
  })
})
