/**
 * new_value: a value (country, device, key id, symbol, address…) this account has not used within
 * the history window. Values live in seen_values (primary-key lookup per event), and a rule only
 * judges once the account has a learned baseline: the first logins and symbols of a freshly added
 * account are the baseline, not "new".
 */
import type { Level } from '../../model'
import { numberSetting, windowMs } from '../compile'
import { DAY_MS, learnedState, readLearning, type KindEvaluator } from './types'

const SEP = '\u001f'

/** Judges the event's value against the account's memory, then teaches the memory. */
export const evaluateNewValue: KindEvaluator = (rule, view, env) => {
  const event = view.event
  const spec = rule.spec
  const alertable = rule.test(rule.condition, view)
  const learn = rule.test(rule.expr(spec.learn as string | undefined), view)
  if (!alertable && !learn) return null
  const fields = spec.fields as string[]
  const parts = fields.map((f) => view.get(f))
  if (parts.some((p) => p === null || p === undefined || p === '')) return null
  const value = parts.map(String).join(SEP)
  const memory = `nv:${String(spec.memory ?? rule.id)}`
  const samplesKey = `${memory}#samples`
  const { history } = env
  const span = windowMs(spec.window)

  let draft = null
  if (alertable && !env.excepted(rule, view)) {
    const row = history.seen(event.accountId, memory, value)
    // Arrival order, not first_ts: the same key reported by the key list and later by the
    // access log (with an earlier timestamp) is one key, not two.
    // A zero-length trust period (the user's setting) means known from the first sighting.
    const trustSpec = spec.trustAfter as Record<string, unknown> | undefined
    const trustAfter =
      trustSpec && Object.values(trustSpec).some((v) => Number(v) > 0) ? windowMs(trustSpec) : 0
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
            value: Object.fromEntries(fields.map((f, i) => [f, parts[i]])),
            newValue: parts.map(String).join(' / '),
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
    const basis = (spec.learning as { basis?: string } | undefined)?.basis
    if (basis === undefined || rule.test(rule.expr(basis), view)) {
      history.remember(event.accountId, samplesKey, '*', event.ts)
    }
  }
  return draft
}
