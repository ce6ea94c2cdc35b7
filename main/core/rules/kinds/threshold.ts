/**
 * threshold: count, distinct count, sum or ratio of matching events in a sliding window, per
 * account and optional group. A finding is raised when the triggering event makes a limit true
 * that was false without it, so a burst of 40 failed logins is one finding, not 36.
 */
import type { StoredEvent } from '../../model'
import { numberSetting, windowMs, type CompiledRule } from '../compile'
import type { EventView } from '../fields'
import { compare, type KindEvaluator } from './types'

interface Limit {
  over: 'window' | 'event'
  op: 'gt' | 'gte' | 'lt' | 'lte'
  value: number
  of?: 'equity'
  minCount: number
}

const limitsOf = new WeakMap<Record<string, unknown>, Limit[]>()

/** The rule's limits, parsed once per resolved spec. */
function readLimits(spec: Record<string, unknown>): Limit[] {
  let limits = limitsOf.get(spec)
  if (!limits) limitsOf.set(spec, (limits = parseLimits(spec)))
  return limits
}

function parseLimits(spec: Record<string, unknown>): Limit[] {
  return ((spec.limits as Record<string, unknown>[]) ?? []).map((l) => {
    const op = (['gt', 'gte', 'lt', 'lte'] as const).find(
      (k) => l[k] !== undefined && l[k] !== null
    )
    if (!op) throw new Error('limit has no comparison')
    return {
      over: (l.over as Limit['over']) ?? 'window',
      op,
      value: numberSetting(l, op) as number,
      of: l.of as Limit['of'],
      minCount: numberSetting(l, 'minCount', 0) as number
    }
  })
}

function metric(rule: CompiledRule, views: EventView[], spec: Record<string, unknown>): number {
  const field = spec.field as string | undefined
  switch (spec.metric) {
    case 'distinct':
      return new Set(
        views
          .map((v) => v.get(field as string))
          .filter((x) => x !== null && x !== undefined)
          .map(String)
      ).size
    case 'sum':
      return views.reduce((acc, v) => {
        const x = v.get(field as string)
        return acc + (typeof x === 'number' && Number.isFinite(x) ? x : 0)
      }, 0)
    case 'ratio': {
      if (views.length === 0) return 0
      const ratioOf = rule.expr(spec.ratioOf as string)
      return views.filter((v) => rule.test(ratioOf, v)).length / views.length
    }
    default:
      return views.length
  }
}

const NO_GROUP: readonly string[] = []

/** Whether a window member has the event's values of the group-by fields. */
function sameGroup(v: EventView, groupBy: readonly string[], group: readonly string[]): boolean {
  for (let i = 0; i < groupBy.length; i++)
    if (String(v.get(groupBy[i] as string) ?? null) !== group[i]) return false
  return true
}

/** Aggregates the window ending at the event and fires on a limit the event crosses. */
export const evaluateThreshold: KindEvaluator = (rule, view, env) => {
  const event = view.event
  if (!rule.test(rule.condition, view) || env.excepted(rule, view)) return null
  const spec = rule.spec
  const span = windowMs(spec.window)
  const groupBy = (spec.groupBy as string[] | undefined) ?? NO_GROUP
  const group = groupBy.length ? groupBy.map((f) => String(view.get(f) ?? null)) : NO_GROUP
  const members: EventView[] = []
  for (const e of env.history.window(event, rule.types, event.ts - span + 1)) {
    if (e.id === event.id) continue
    const v = env.view(e)
    if (rule.test(rule.condition, v) && sameGroup(v, groupBy, group) && !env.excepted(rule, v))
      members.push(v)
  }
  const withEvent = [...members, view]
  const now = metric(rule, withEvent, spec)
  const before = metric(rule, members, spec)
  let equity: number | null | undefined
  const field = spec.field as string | undefined
  for (const limit of readLimits(spec)) {
    const raw = limit.over === 'event' ? Number(view.get(field as string) ?? NaN) : now
    if (!Number.isFinite(raw)) continue
    let observed = raw
    let previous = limit.over === 'event' ? null : before
    if (limit.of === 'equity') {
      equity ??= env.history.equityAt(event, env.scope === 'live')
      if (!equity) continue
      observed = raw / equity
      previous = previous === null ? null : previous / equity
    }
    const holdsNow = compare(limit.op, observed, limit.value) && withEvent.length >= limit.minCount
    const heldBefore =
      previous !== null &&
      compare(limit.op, previous, limit.value) &&
      members.length >= limit.minCount
    if (!holdsNow || heldBefore) continue
    const evidence: StoredEvent[] = limit.over === 'event' ? [event] : withEvent.map((v) => v.event)
    const distinct =
      spec.metric === 'distinct' && field
        ? [
            ...new Set(
              withEvent
                .map((v) => v.get(field))
                .filter((x) => x !== null && x !== undefined)
                .map(String)
            )
          ]
        : null
    return {
      evidence,
      reasoning: {
        metric: spec.metric ?? 'count',
        field: field ?? null,
        observed: raw,
        count: withEvent.length,
        threshold: {
          [limit.op]: limit.value,
          over: limit.over,
          ...(limit.of ? { of: limit.of } : {})
        },
        ...(limit.minCount ? { minCount: limit.minCount } : {}),
        ...(limit.of === 'equity' ? { equityUsd: equity, shareOfEquity: observed } : {}),
        windowMinutes: span / 60_000,
        ...(groupBy.length
          ? { group: Object.fromEntries(groupBy.map((f) => [f, view.get(f) ?? null])) }
          : {}),
        ...(distinct ? { values: distinct } : {})
      },
      dedup: limit.over === 'event' ? `e${event.id}` : `w${evidence[0]?.id ?? event.id}`
    }
  }
  return null
}
