/**
 * baseline: the event compared with the account's own history. The history part (a histogram, a
 * mean and standard deviation, a percentile) covers the window up to the start of the event's UTC
 * day and is cached per rule, account and day, so it is computed once a day from the index rather
 * than per event; only the "now" part (the last few minutes) is read per event. Until the account
 * has the minimum sample, the rule is learning and stays silent.
 */
import { englishText, msg } from '../../../api/messages'
import type { StoredEvent } from '../../model'
import { numberSetting, windowMs, type CompiledExpr, type CompiledRule } from '../compile'
import type { EventView } from '../fields'
import {
  DAY_MS,
  learnedState,
  readLearning,
  type Draft,
  type KindEnv,
  type KindEvaluator
} from './types'

interface Population {
  ts: number[]
  /** Finite numeric values of the requested field, in population order (only when asked for). */
  values: number[] | null
}

const caches = new WeakMap<CompiledRule, Map<string, Map<number, unknown>>>()

/**
 * Per compiled rule, per account and UTC day: history does not change under a finished day. (A
 * rule has one method, so account and day name its cache entry.)
 */
function cached<T>(rule: CompiledRule, accountId: string, day: number, make: () => T): T {
  let byAccount = caches.get(rule)
  if (!byAccount) caches.set(rule, (byAccount = new Map()))
  let byDay = byAccount.get(accountId)
  if (!byDay) byAccount.set(accountId, (byDay = new Map()))
  if (byDay.has(day)) return byDay.get(day) as T
  // Bounded: a long retro-scan visits one day after another.
  if (byDay.size > 1_000) byDay.clear()
  const value = make()
  byDay.set(day, value)
  return value
}

/** One UTC day of a population, and the day's write stamp when it was read (History.dayStamp). */
interface DayPiece extends Population {
  stamp: string
}

const pieces = new WeakMap<CompiledRule, Map<string, DayPiece>>()

/**
 * The population of a day still being gathered from the events the engine judges, so a finished
 * day need not be read back from SQL. `observed` counts every event of the rule's types seen for
 * that day: the piece stands in for a fresh read only if the day holds exactly that many.
 */
interface OpenPiece extends Population {
  observed: number
  sorted: boolean
}

const openPieces = new WeakMap<CompiledRule, Map<string, Map<number, OpenPiece>>>()

/** Methods whose history is a per-day population, and whether they need the field's values. */
const POPULATION_METHODS: Record<string, boolean> = {
  hour_profile: false,
  hour_activity: false,
  rate: false,
  acceleration: false,
  percentile: true
}

/** Adds a judged event to its day's open piece (every event of the rule's types, before any filter). */
function observe(rule: CompiledRule, view: EventView): void {
  const withValues = POPULATION_METHODS[String(rule.spec.method)]
  if (withValues === undefined) return
  let byAccount = openPieces.get(rule)
  if (!byAccount) openPieces.set(rule, (byAccount = new Map()))
  const event = view.event
  let open = byAccount.get(event.accountId)
  if (!open) byAccount.set(event.accountId, (open = new Map()))
  const day = dayStart(event.ts)
  let piece = open.get(day)
  if (!piece) {
    // Bounded: only days not yet used as history are open (today, and a late one now and then).
    if (open.size > 1_000) open.clear()
    open.set(day, (piece = { observed: 0, sorted: true, ts: [], values: withValues ? [] : null }))
  }
  piece.observed++
  if (!rule.test(rule.expr(rule.spec.population as string | undefined), view)) return
  const last = piece.ts[piece.ts.length - 1]
  if (last !== undefined && event.ts < last) piece.sorted = false
  piece.ts.push(event.ts)
  if (piece.values) {
    const x = view.get(String(rule.spec.field))
    if (typeof x === 'number' && Number.isFinite(x)) piece.values.push(x)
  }
}

/** The day's open piece if it saw every event the day now holds (then it is closed), else null. */
function closePiece(
  rule: CompiledRule,
  env: KindEnv,
  accountId: string,
  day: number
): Population | null {
  const open = openPieces.get(rule)?.get(accountId)
  const piece = open?.get(day)
  if (!open || !piece) return null
  open.delete(day)
  if (env.history.count(accountId, rule.types, day, day + DAY_MS) !== piece.observed) return null
  if (!piece.sorted) piece.ts.sort((a, b) => a - b)
  return { ts: piece.ts, values: piece.values }
}

/** Events matching the population expression in [from, to), read fresh. Type-only expressions skip the JSON. */
function readPopulation(
  rule: CompiledRule,
  env: KindEnv,
  accountId: string,
  from: number,
  to: number,
  field: string | null
): Population {
  const expr = rule.expr(rule.spec.population as string | undefined)
  if (expr.typeOnly && field === null) {
    const rows = env.history.typed(accountId, rule.types, from, to)
    const ts = rows
      .filter((r) =>
        rule.testWith(expr, (p) =>
          p === 'type' ? r.type : p === 'kind' ? r.type.split('.')[0] : undefined
        )
      )
      .map((r) => r.ts)
    return { ts, values: null }
  }
  const views = env.history
    .between(accountId, rule.types, from, to)
    .map((e) => env.view(e))
    .filter((v) => rule.test(expr, v))
  return {
    ts: views.map((v) => v.event.ts),
    values:
      field === null
        ? null
        : views
            .map((v) => v.get(field))
            .filter((x): x is number => typeof x === 'number' && Number.isFinite(x))
  }
}

/**
 * Events matching the population expression in [from, to), assembled from per-day pieces: a
 * finished day is read once, and read again only if events of that day were stored since (a
 * late poll, a backfill) or events were deleted. The daily baseline then costs the days not read
 * yet, instead of re-reading the whole window every day.
 */
function population(
  rule: CompiledRule,
  env: KindEnv,
  accountId: string,
  from: number,
  to: number,
  field: string | null
): Population {
  let cache = pieces.get(rule)
  if (!cache) pieces.set(rule, (cache = new Map()))
  if (cache.size > 20_000) cache.clear()
  const out: Population = { ts: [], values: field === null ? null : [] }
  for (let d = dayStart(from); d < to; d += DAY_MS) {
    const lo = Math.max(d, from)
    const hi = Math.min(d + DAY_MS, to)
    let piece: Population | undefined
    if (lo === d && hi === d + DAY_MS) {
      const key = `${accountId}|${d}|${field ?? ''}`
      const stamp = env.history.dayStamp(accountId, d)
      let cachedPiece = cache.get(key)
      if (!cachedPiece || cachedPiece.stamp !== stamp) {
        const gathered = field === valuesField(rule) ? closePiece(rule, env, accountId, d) : null
        cachedPiece = {
          ...(gathered ?? readPopulation(rule, env, accountId, lo, hi, field)),
          stamp
        }
        cache.set(key, cachedPiece)
      }
      piece = cachedPiece
    } else {
      // A partial day at the window's edge (a window that is not whole days): not cached.
      piece = readPopulation(rule, env, accountId, lo, hi, field)
    }
    for (const t of piece.ts) out.ts.push(t)
    if (out.values && piece.values) for (const v of piece.values) out.values.push(v)
  }
  return out
}

const dayStart = (ts: number) => Math.floor(ts / DAY_MS) * DAY_MS

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits

function meanSd(sum: number, sumSq: number, n: number): { mean: number; sd: number } {
  const mean = n > 0 ? sum / n : 0
  return { mean, sd: n > 0 ? Math.sqrt(Math.max(0, sumSq / n - mean * mean)) : 0 }
}

/*
 * Type-only conditions are counted from the index without reading a single JSON row: during an
 * attack the last minutes may hold thousands of orders, and this runs for each of them.
 */

/** The event types a type-only expression accepts. */
function matchingTypes(rule: CompiledRule, cond: CompiledExpr): string[] {
  return rule.types.filter((type) =>
    rule.testWith(cond, (p) =>
      p === 'type' ? type : p === 'kind' ? type.split('.')[0] : undefined
    )
  )
}

/** How many events match a type-only condition in (from, event]: one index range count. */
function recentCount(
  rule: CompiledRule,
  env: KindEnv,
  event: StoredEvent,
  from: number,
  cond: CompiledExpr
): number {
  if (!cond.typeOnly || env.hasExceptions) return recent(rule, env, event, from, cond).length
  const types = matchingTypes(rule, cond)
  return types.length ? env.history.countUpTo(event, types, from + 1) : 0
}

/** Events matching the condition in (from, event], the event included. */
function recent(
  rule: CompiledRule,
  env: KindEnv,
  event: StoredEvent,
  from: number,
  cond: CompiledExpr
): EventView[] {
  return env.history
    .window(event, rule.types, from + 1)
    .map((e) => env.view(e))
    .filter((v) => rule.test(cond, v) && !env.excepted(rule, v))
}

function hourHistogram(rule: CompiledRule, env: KindEnv, event: StoredEvent, span: number) {
  const day = dayStart(event.ts)
  return cached(rule, event.accountId, day, () => {
    const pop = population(rule, env, event.accountId, day - span, day, null)
    const hist = new Array<number>(24).fill(0)
    for (const ts of pop.ts) hist[new Date(ts).getUTCHours()]! += 1
    return { hist, n: pop.ts.length, firstTs: pop.ts[0] ?? null }
  })
}

type Method = (rule: CompiledRule, view: EventView, env: KindEnv) => Draft | null

const hourProfile: Method = (rule, view, env) => {
  const event = view.event
  const spec = rule.spec
  const span = windowMs(spec.window)
  const { hist, n, firstTs } = hourHistogram(rule, env, event, span)
  const state = learnedState(readLearning(spec.learning), n, firstTs, event, env)
  if (!state.learned) return null
  const hour = new Date(event.ts).getUTCHours()
  const s = numberSetting(spec, 'smoothingHours', 0) as number
  let pooled = 0
  for (let d = -s; d <= s; d++) pooled += hist[(((hour + d) % 24) + 24) % 24]!
  const probability = pooled / n
  const max = numberSetting(spec, 'maxProbability') as number
  if (probability >= max) return null
  const usual = hist
    .map((count, h) => ({ h, count }))
    .filter((x) => x.count > 0)
    .map((x) => x.h)
  return {
    evidence: [event],
    reasoning: {
      hourUtc: hour,
      observed: round(probability, 4),
      threshold: { lt: max },
      baseline: { samples: n, windowDays: span / DAY_MS, smoothingHours: s, activeHoursUtc: usual },
      learning: state
    },
    dedup: `h${Math.floor(event.ts / 3_600_000)}`
  }
}

const hourActivity: Method = (rule, view, env) => {
  const event = view.event
  const spec = rule.spec
  const span = windowMs(spec.window)
  const { hist, n, firstTs } = hourHistogram(rule, env, event, span)
  const state = learnedState(readLearning(spec.learning), n, firstTs, event, env)
  if (!state.learned) return null
  const hour = new Date(event.ts).getUTCHours()
  if (hist[hour]! > 0) return null
  return {
    evidence: [event],
    reasoning: {
      hourUtc: hour,
      observed: 0,
      threshold: { eq: 0 },
      baseline: {
        samples: n,
        windowDays: span / DAY_MS,
        activeHoursUtc: hist.flatMap((c, h) => (c > 0 ? [h] : []))
      },
      learning: state
    },
    dedup: `h${Math.floor(event.ts / 3_600_000)}`
  }
}

const rate: Method = (rule, view, env) => {
  const event = view.event
  const spec = rule.spec
  const span = windowMs(spec.window)
  const bucket = windowMs(spec.bucket)
  const day = dayStart(event.ts)
  const stats = cached(rule, event.accountId, day, () => {
    const pop = population(rule, env, event.accountId, day - span, day, null)
    const counts = new Map<number, number>()
    for (const ts of pop.ts)
      counts.set(Math.floor(ts / bucket), (counts.get(Math.floor(ts / bucket)) ?? 0) + 1)
    let sumSq = 0
    let max = 0
    for (const c of counts.values()) {
      sumSq += c * c
      max = Math.max(max, c)
    }
    const buckets = span / bucket
    return {
      n: pop.ts.length,
      firstTs: pop.ts[0] ?? null,
      max,
      ...meanSd(pop.ts.length, sumSq, buckets)
    }
  })
  const state = learnedState(readLearning(spec.learning), stats.n, stats.firstTs, event, env)
  if (!state.learned) return null
  const count = recentCount(rule, env, event, event.ts - bucket, rule.condition)
  const sigma = numberSetting(spec, 'sigma') as number
  const factor = numberSetting(spec, 'maxFactor', 0) as number
  const floor = numberSetting(spec, 'minValue', 0) as number
  const limit = Math.max(stats.mean + sigma * stats.sd, factor * stats.max)
  const over = (n: number) => n > limit && n >= floor
  // Fire on the event that crosses the limit, once per burst.
  if (!over(count) || over(count - 1)) return null
  const now = recent(rule, env, event, event.ts - bucket, rule.condition)
  return {
    evidence: now.map((v) => v.event),
    reasoning: {
      observed: now.length,
      bucketMinutes: bucket / 60_000,
      threshold: { gt: round(limit, 2), gte: floor },
      baseline: {
        mean: round(stats.mean, 4),
        stdev: round(stats.sd, 4),
        max: stats.max,
        samples: stats.n,
        windowDays: span / DAY_MS,
        sigma,
        maxFactor: factor
      },
      learning: state
    },
    dedup: `r${now[0]?.event.id ?? event.id}`
  }
}

const acceleration: Method = (rule, view, env) => {
  const event = view.event
  const spec = rule.spec
  const span = windowMs(spec.window)
  const bucket = windowMs(spec.bucket)
  const day = dayStart(event.ts)
  const stats = cached(rule, event.accountId, day, () => {
    const pop = population(rule, env, event.accountId, day - span, day, null)
    const counts = new Map<number, number>()
    for (const ts of pop.ts)
      counts.set(Math.floor(ts / bucket), (counts.get(Math.floor(ts / bucket)) ?? 0) + 1)
    // The second difference is non-zero only in the two buckets after a busy one.
    const touched = new Set<number>()
    for (const b of counts.keys()) for (let d = 0; d <= 2; d++) touched.add(b + d)
    let sum = 0
    let sumSq = 0
    const c = (b: number) => counts.get(b) ?? 0
    for (const b of touched) {
      const a = c(b) - 2 * c(b - 1) + c(b - 2)
      sum += a
      sumSq += a * a
    }
    return { n: pop.ts.length, firstTs: pop.ts[0] ?? null, ...meanSd(sum, sumSq, span / bucket) }
  })
  const state = learnedState(readLearning(spec.learning), stats.n, stats.firstTs, event, env)
  if (!state.learned) return null
  // Counts in the last three buckets, newest first: (t−b, t], (t−2b, t−b], (t−3b, t−2b].
  const upTo = [0, 1, 2, 3].map((k) =>
    k === 0 ? 0 : recentCount(rule, env, event, event.ts - k * bucket, rule.condition)
  )
  const c = [upTo[1]! - upTo[0]!, upTo[2]! - upTo[1]!, upTo[3]! - upTo[2]!]
  const a = c[0]! - 2 * c[1]! + c[2]!
  const sigma = numberSetting(spec, 'sigma') as number
  const floor = numberSetting(spec, 'minValue', 0) as number
  const limit = stats.mean + sigma * stats.sd
  const over = (x: number) => x > limit && x >= floor
  if (!over(a) || over(a - 1)) return null
  return {
    evidence: recent(rule, env, event, event.ts - bucket, rule.condition).map((v) => v.event),
    reasoning: {
      observed: a,
      perBucket: { now: c[0], before: c[1], beforeThat: c[2] },
      bucketMinutes: bucket / 60_000,
      threshold: { gt: round(limit, 2), gte: floor },
      baseline: {
        mean: round(stats.mean, 4),
        stdev: round(stats.sd, 4),
        samples: stats.n,
        windowDays: span / DAY_MS,
        sigma
      },
      learning: state
    },
    dedup: `a${event.id}`
  }
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0
  const pos = (sorted.length - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo)
}

const percentile: Method = (rule, view, env) => {
  const event = view.event
  const spec = rule.spec
  const field = String(spec.field)
  const value = view.get(field)
  if (typeof value !== 'number' || !Number.isFinite(value)) return null
  const span = windowMs(spec.window)
  const day = dayStart(event.ts)
  const q = (numberSetting(spec, 'percentile') as number) / 100
  const stats = cached(rule, event.accountId, day, () => {
    const pop = population(rule, env, event.accountId, day - span, day, field)
    const values = (pop.values ?? []).slice().sort((a, b) => a - b)
    return {
      n: values.length,
      firstTs: pop.ts[0] ?? null,
      p: quantile(values, q),
      max: values[values.length - 1] ?? 0
    }
  })
  const state = learnedState(readLearning(spec.learning), stats.n, stats.firstTs, event, env)
  const factor = numberSetting(spec, 'factor') as number
  const overBaseline = state.learned && value > factor * stats.p
  const share = numberSetting(spec, 'equityShare')
  let equity: number | null = null
  let overEquity = false
  // Equity only matters when the order is also unusual for the account (or it is still learning).
  if (share !== null && (!state.learned || value > stats.p)) {
    equity = env.history.equityAt(event, env.scope === 'live')
    // Large against equity only matters if it is also unusual for this account (or not yet known).
    overEquity = equity !== null && value > share * equity
  }
  if (!overBaseline && !overEquity) return null
  const fmt = (x: number) => `$${Math.round(x).toLocaleString('en-US')}`
  // A descriptor, so the translated explanations render the clause in their language.
  const whyMsg = overBaseline
    ? msg('why.sizeBaseline', {
        ratio: round(value / stats.p, 1),
        percentile: q * 100,
        value: fmt(stats.p),
        days: span / DAY_MS,
        factor
      })
    : msg('why.sizeEquity', {
        share: Math.round((value / (equity as number)) * 100),
        equity: fmt(equity as number),
        limit: Math.round((share as number) * 100)
      })
  const why = englishText(whyMsg)
  return {
    evidence: [event],
    reasoning: {
      observed: round(value, 2),
      threshold: {
        gt: round(factor * stats.p, 2),
        ...(share !== null ? { equityShare: share } : {})
      },
      reason: overBaseline ? 'baseline' : 'equity',
      why,
      whyMsg,
      baseline: {
        percentile: q * 100,
        value: round(stats.p, 2),
        max: round(stats.max, 2),
        samples: stats.n,
        windowDays: span / DAY_MS,
        factor
      },
      ...(equity !== null
        ? { equityUsd: round(equity, 2), shareOfEquity: round(value / equity, 4) }
        : {}),
      learning: state
    },
    dedup: `e${event.id}`
  }
}

const maximum: Method = (rule, view, env) => {
  const event = view.event
  const spec = rule.spec
  const field = String(spec.field)
  const value = view.get(field)
  if (typeof value !== 'number' || !Number.isFinite(value)) return null
  const floor = numberSetting(spec, 'minValue', 0) as number
  if (value < floor) return null
  const span = windowMs(spec.window)
  const expr = rule.expr(spec.population as string | undefined)
  const samples = env.history
    .window(event, rule.types, event.ts - span, false)
    .map((e) => env.view(e))
    .filter((v) => rule.test(expr, v) && typeof v.get(field) === 'number')
  const earlier = samples.map((v) => v.get(field) as number).filter((x) => Number.isFinite(x))
  const firstTs = samples[0]?.event.ts ?? null
  const state = learnedState(readLearning(spec.learning), earlier.length, firstTs, event, env)
  if (!state.learned) return null
  const max = earlier.length ? Math.max(...earlier) : 0
  if (value <= max) return null
  return {
    evidence: [event],
    reasoning: {
      observed: value,
      threshold: { gt: max, gte: floor },
      baseline: { max, samples: earlier.length, windowDays: span / DAY_MS },
      learning: state
    },
    dedup: `e${event.id}`
  }
}

const drawdown: Method = (rule, view, env) => {
  const event = view.event
  const spec = rule.spec
  const field = String(spec.field)
  const bucket = windowMs(spec.bucket)
  const expr = rule.expr(spec.population as string | undefined)
  const series = env.history
    .window(event, rule.types, event.ts - bucket + 1)
    .map((e) => env.view(e))
    .filter((v) => rule.test(expr, v))
  if (!series.some((v) => v.event.id === event.id)) series.push(view)
  const drop = numberSetting(spec, 'dropShare') as number
  let peak = 0
  let peakView: EventView | null = null
  let fired = false
  let current = 0
  for (const v of series) {
    const x = v.get(field)
    if (typeof x !== 'number' || !Number.isFinite(x)) continue
    if (x > peak) {
      peak = x
      peakView = v
    }
    const dd = peak > 0 ? (peak - x) / peak : 0
    if (v.event.id === event.id) current = dd
    else if (dd >= drop) fired = true
  }
  if (fired || current < drop || !peakView) return null
  // A fall in USD with every holding unchanged in quantity is the market moving, not theft.
  const decreased = series.filter((v) => v.get('derived.quantityDecreased') === true)
  if (decreased.length === 0) return null
  return {
    evidence: [...new Set([peakView, ...decreased, view])]
      .map((v) => v.event)
      .sort((a, b) => a.ts - b.ts || a.id - b.id),
    reasoning: {
      observed: round(current, 4),
      threshold: { gte: drop },
      peakUsd: round(peak, 2),
      nowUsd: round(Number(view.get(field)), 2),
      windowMinutes: bucket / 60_000,
      holdingsDecreased: [...new Set(decreased.map((v) => String(v.get('data.currency'))))]
    },
    dedup: `d${peakView.event.id}`
  }
}

const METHODS: Record<string, Method> = {
  hour_profile: hourProfile,
  hour_activity: hourActivity,
  rate,
  acceleration,
  percentile,
  max: maximum,
  drawdown
}

/** Runs the rule's baseline method (hour_profile, rate, acceleration, percentile, max, hour_activity, drawdown). */
/** The field an open piece gathers values of (percentile), or null. */
function valuesField(rule: CompiledRule): string | null {
  return POPULATION_METHODS[String(rule.spec.method)] ? String(rule.spec.field) : null
}

export const evaluateBaseline: KindEvaluator = (rule, view, env) => {
  observe(rule, view)
  if (!rule.test(rule.condition, view) || env.excepted(rule, view)) return null
  const method = METHODS[String(rule.spec.method)]
  return method ? method(rule, view, env) : null
}
