/**
 * Learning state of one rule on one account, for the account screen ("learning" vs "watching"):
 * how many samples the account's own history holds against what the rule needs. Computed on
 * demand from the same sources evaluate() uses (seen_values for new_value rules, the indexed
 * window for baseline rules).
 */
import type { StoredEvent } from '../../model'
import { windowMs, type CompiledRule } from '../compile'
import { learnedState, readLearning, type KindEnv } from './types'

/** How far one rule has learned one account. */
export interface LearningStatus {
  ruleId: string
  learned: boolean
  samples: number
  minSamples: number
  /** Days between the first sample and `at`. */
  days: number
  minDays: number
  /** 'samples' (enough history), 'account-age' (watched long enough) or 'learning'. */
  via: string
}

/** Null for rules that need no learning (match, threshold, sequence, posture, geo_velocity). */
export function learningStatus(
  rule: CompiledRule,
  accountId: string,
  at: number,
  env: KindEnv
): LearningStatus | null {
  const spec = rule.spec
  if (!spec.learning) return null
  const learning = readLearning(spec.learning)
  // A stand-in for "an event now" so the same learnedState() judges it.
  const now = { accountId, ts: at, id: Number.MAX_SAFE_INTEGER } as StoredEvent
  let samples: number
  let first: number | null
  if (rule.kind === 'new_value') {
    const basis = env.history.seen(accountId, `nv:${String(spec.memory ?? rule.id)}#samples`, '*')
    samples = basis?.count ?? 0
    first = basis?.first_ts ?? null
  } else {
    const span = windowMs(spec.window)
    const expr = rule.expr(spec.population as string | undefined)
    const ts = expr.typeOnly
      ? env.history
          .typed(accountId, rule.types, at - span, at)
          .filter((r) =>
            rule.testWith(expr, (p) =>
              p === 'type' ? r.type : p === 'kind' ? r.type.split('.')[0] : undefined
            )
          )
          .map((r) => r.ts)
      : env.history
          .between(accountId, rule.types, at - span, at)
          .filter((e) => rule.test(expr, env.view(e)))
          .map((e) => e.ts)
    samples = ts.length
    first = ts[0] ?? null
  }
  const state = learnedState(learning, samples, first, now, env)
  return {
    ruleId: rule.id,
    learned: state.learned,
    samples,
    minSamples: state.minSamples,
    days: state.days,
    minDays: state.minDays,
    via: state.via
  }
}
