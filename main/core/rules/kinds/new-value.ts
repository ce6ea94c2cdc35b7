/**
 * new_value: a value (country, device, key id, symbol, address…) this account has not used within
 * the history window. Values live in seen_values (primary-key lookup per event), and a rule only
 * judges once the account has a learned baseline: the first logins and symbols of a freshly added
 * account are the baseline, not "new".
 */
import type { Level } from '../../model'
import { numberSetting, windowMs, type CompiledExpr, type CompiledRule } from '../compile'
import type { EventView } from '../fields'
import { DAY_MS, learnedState, readLearning, type KindEvaluator } from './types'

const SEP = '\u001f'

/** What a rule's spec resolves to, read once per compiled rule rather than per event. */
interface Prepared {
  learn: CompiledExpr
  fields: string[]
  memory: string
  samplesKey: string
  basis: CompiledExpr | null
  /** How long a value must have been known before it counts as known (0: at once). */
  trustAfter: number
}

const prepared = new WeakMap<CompiledRule, Prepared>()

function prepare(rule: CompiledRule): Prepared {
  let p = prepared.get(rule)
  if (!p) {
    const spec = rule.spec
    const memory = `nv:${String(spec.memory ?? rule.id)}`
    const basis = (spec.learning as { basis?: string } | undefined)?.basis
    p = {
      learn: rule.expr(spec.learn as string | undefined),
      fields: spec.fields as string[],
      memory,
      samplesKey: `${memory}#samples`,
      basis: basis === undefined ? null : rule.expr(basis),
      trustAfter: trustAfterMs(spec.trustAfter as Record<string, unknown> | undefined)
    }
    prepared.set(rule, p)
  }
  return p
}

/** The trust period; a zero-length one (the user's setting) means known from the first sighting. */
function trustAfterMs(spec: Record<string, unknown> | undefined): number {
  return spec && Object.values(spec).some((v) => Number(v) > 0) ? windowMs(spec) : 0
}

/** The event's value of the rule's fields (joined), or null when one is missing. */
function valueOf(fields: readonly string[], view: EventView): string | null {
  let value = ''
  for (let i = 0; i < fields.length; i++) {
    const part = view.get(fields[i] as string)
    if (part === null || part === undefined || part === '') return null
    value = i === 0 ? String(part) : value + SEP + String(part)
  }
  return value
}

/** Judges the event's value against the account's memory, then teaches the memory. */
export const evaluateNewValue: KindEvaluator = (rule, view, env) => {
  const event = view.event
  const spec = rule.spec
  const { learn: learnExpr, fields, memory, samplesKey, basis, trustAfter } = prepare(rule)
  const alertable = rule.test(rule.condition, view)
  const learn = rule.test(learnExpr, view)
  if (!alertable && !learn) return null
  const value = valueOf(fields, view)
  if (value === null) return null
  const { history } = env
  const span = windowMs(spec.window)

  let draft = null
  if (alertable && !env.excepted(rule, view)) {
    const row = history.seen(event.accountId, memory, value)
    // Arrival order, not first_ts: the same key reported by the key list and later by the
    // access log (with an earlier timestamp) is one key, not two.
    const known =
      row !== undefined &&
      row.last_ts >= event.ts - span &&
      (trustAfter === 0 || event.ts - row.first_ts >= trustAfter)
    if (!known) {
      const basis = history.seen(event.accountId, samplesKey, '*')
      const state = learnedState(
        readLearning(spec.learning),
        basis?.count ?? 0,
        basis?.first_ts ?? null,
        event,
        env
      )
      if (state.learned) {
        let level: Level | undefined
        let recent = 1
        const escalate = spec.escalate as Record<string, unknown> | undefined
        if (escalate) {
          recent =
            history.newValuesBetween(
              event.accountId,
              memory,
              event.ts - windowMs(escalate.window),
              event.ts
            ) + 1
          if (recent >= (numberSetting(escalate, 'count') as number))
            level = escalate.level as Level
        }
        const knownValues = history.recentValues(event.accountId, memory, event.ts - span, 10)
        const dedupSpan = spec.dedup ? windowMs(spec.dedup) : null
        draft = {
          evidence: [event],
          reasoning: {
            value: Object.fromEntries(fields.map((f) => [f, view.get(f)])),
            newValue: fields.map((f) => String(view.get(f))).join(' / '),
            lastSeen: row ? row.last_ts : null,
            known: knownValues.map((v) => v.split(SEP).join(' / ')),
            historyDays: span / DAY_MS,
            learning: state,
            ...(escalate ? { newValuesInWindow: recent, escalated: level !== undefined } : {})
          },
          dedup: dedupSpan
            ? `v${value}:${Math.floor(event.ts / dedupSpan)}`
            : `v${value}:${event.id}`,
          ...(level ? { level } : {})
        }
      }
    }
  }
  if (learn) {
    history.remember(event.accountId, memory, value, event.ts)
    if (basis === null || rule.test(basis, view)) {
      history.remember(event.accountId, samplesKey, '*', event.ts)
    }
  }
  return draft
}
