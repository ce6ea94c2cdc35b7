/**
 * Cursor codecs shared by connectors. The core persists cursors as opaque strings or numbers; the
 * formats here are the connectors' contract with their own future selves, so they stay readable
 * and backwards compatible.
 */

/**
 * A time-window cursor: the newest exchange timestamp delivered, plus the keys of records already
 * delivered inside the overlap window ending there. Re-reading a short overlap catches records
 * that become visible slightly after their own timestamp; the keys stop them being delivered
 * twice. Encoded as `"<ts>|<key>,<key>,…"`.
 */
export interface WindowCursor {
  ts: number
  keys: string[]
}

/** Keys kept per cursor at most; a longer list only costs store-level deduplication. */
const MAX_KEYS = 500

/** Serialises a window cursor (keeps at most the newest MAX_KEYS keys). */
export const encodeWindow = (cursor: WindowCursor): string =>
  `${Math.round(cursor.ts)}|${cursor.keys.slice(-MAX_KEYS).join(',')}`

/** Parses a window cursor; anything unreadable yields `fallback` (never throws). */
export const decodeWindow = (value: unknown, fallback: WindowCursor): WindowCursor => {
  if (typeof value === 'number' && Number.isFinite(value)) return { ts: value, keys: [] }
  if (typeof value !== 'string') return fallback
  const bar = value.indexOf('|')
  const ts = Number(bar >= 0 ? value.slice(0, bar) : value)
  if (!Number.isFinite(ts)) return fallback
  const rest = bar >= 0 ? value.slice(bar + 1) : ''
  return { ts, keys: rest ? rest.split(',').filter(Boolean) : [] }
}

/**
 * Tracks one stream's window while records come in. `changed` says whether a record must be
 * delivered; `next` gives the cursor to store once the whole stream read succeeded.
 */
export class WindowTracker {
  private readonly seen: Set<string>
  private readonly fetched = new Map<string, number>()
  private maxTs: number

  constructor(
    readonly previous: WindowCursor,
    readonly overlapMs: number
  ) {
    this.seen = new Set(previous.keys)
    this.maxTs = previous.ts
  }

  /** Oldest timestamp the stream must read back to. */
  get windowStart(): number {
    return this.previous.ts - this.overlapMs
  }

  /** Whether a record key was delivered by an earlier read. */
  delivered(key: string): boolean {
    return this.seen.has(key)
  }

  /** Any earlier-delivered key starting with `prefix` (e.g. any version of an order). */
  deliveredPrefix(prefix: string): boolean {
    for (const k of this.seen) if (k.startsWith(prefix)) return true
    return false
  }

  /** Notes a fetched record; returns true when it is new or changed since the last delivery. */
  observe(key: string, ts: number): boolean {
    this.fetched.set(key, ts)
    if (ts > this.maxTs) this.maxTs = ts
    return ts >= this.windowStart && !this.seen.has(key)
  }

  /**
   * The cursor to store. `notAfter` (the local clock) caps the watermark: a record stamped in the
   * future (clock skew, or an exchange that pre-dates a state change) must not push the window
   * past records that have yet to appear. Records above the cap stay listed as delivered.
   */
  next(notAfter = Number.POSITIVE_INFINITY): WindowCursor {
    const ts = Math.max(this.previous.ts, Math.min(this.maxTs, notAfter))
    const keep = [...this.fetched]
      .filter(([, t]) => t >= ts - this.overlapMs)
      .sort((a, b) => a[1] - b[1])
      .map(([k]) => k)
    // Keys delivered before but not re-fetched this time still count when the window did not move.
    if (ts === this.previous.ts)
      for (const k of this.previous.keys) if (!this.fetched.has(k)) keep.unshift(k)
    return { ts, keys: keep }
  }
}

/**
 * Access-log style cursor: the highest record id delivered (ids only grow), with a timestamp
 * floor used before any record was seen. Encoded as `"<lastId>@<floorTs>"`; lastId -1 = none yet.
 */
export interface IdCursor {
  lastId: number
  floorTs: number
}

/** Serialises an id cursor. */
export const encodeId = (c: IdCursor): string => `${c.lastId}@${Math.round(c.floorTs)}`

/** Parses an id cursor; a bare number is a last id; anything unreadable yields `fallback`. */
export const decodeId = (value: unknown, fallback: IdCursor): IdCursor => {
  if (typeof value === 'number' && Number.isFinite(value)) return { lastId: value, floorTs: 0 }
  if (typeof value !== 'string') return fallback
  const [id, floor] = value.split('@')
  const lastId = Number(id)
  const floorTs = Number(floor ?? 0)
  return Number.isFinite(lastId) && Number.isFinite(floorTs) ? { lastId, floorTs } : fallback
}

/**
 * Snapshot cursor for state-like streams (address book, positions): either `since:<ts>` (not read
 * yet: on first read, report items created at or after ts and absorb older ones silently) or a
 * JSON object of the last state read.
 */
export type SnapshotCursor<T> = { kind: 'since'; ts: number } | { kind: 'state'; state: T }

/** Serialises a snapshot cursor. */
export const encodeSnapshot = <T>(c: SnapshotCursor<T>): string =>
  c.kind === 'since' ? `since:${Math.round(c.ts)}` : JSON.stringify(c.state)

/** Parses a snapshot cursor, checking the stored state's type; anything else yields `fallback`. */
export const decodeSnapshot = <T>(
  value: unknown,
  fallback: SnapshotCursor<T>,
  isState: (v: unknown) => v is T
): SnapshotCursor<T> => {
  if (typeof value !== 'string') return fallback
  if (value.startsWith('since:')) {
    const ts = Number(value.slice(6))
    return Number.isFinite(ts) ? { kind: 'since', ts } : fallback
  }
  try {
    const parsed: unknown = JSON.parse(value)
    return isState(parsed) ? { kind: 'state', state: parsed } : fallback
  } catch {
    return fallback
  }
}
