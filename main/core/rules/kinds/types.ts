/**
 * What every rule kind receives and returns. A kind evaluator looks at one event (already known
 * to be of a type the rule reads) and returns a draft finding or null; the engine adds the
 * rule-wide parts (title, explanation, family, dedup prefix, exceptions).
 */
import type { Level, StoredEvent } from '../../model'
import type { CompiledRule } from '../compile'
import type { EventView } from '../fields'
import type { History } from '../history'

/** What a kind evaluator may use besides the rule and the event. */
export interface KindEnv {
  history: History
  scope: 'live' | 'history'
  /** A view of another event (window members), sharing the engine's field context. */
  view(event: StoredEvent): EventView
  /** True when a "this is me" exception covers this event for this rule. */
  excepted(rule: CompiledRule, view: EventView): boolean
  /** False when no exception exists: counts may then come straight from the index. */
  hasExceptions: boolean
}

/** A finding before the engine adds title, explanation, family and the dedup prefix. */
export interface Draft {
  /** Evidence events, oldest first; the triggering event is normally the last. */
  evidence: StoredEvent[]
  reasoning: Record<string, unknown>
  /** Unique within the rule and account; the engine prefixes rule id and account. */
  dedup: string
  /** Overrides the rule's level (escalation). */
  level?: Level
}

/** One rule kind: a draft finding for this event, or null. */
export type KindEvaluator = (rule: CompiledRule, view: EventView, env: KindEnv) => Draft | null

/** Milliseconds in a day. */
export const DAY_MS = 86_400_000

/** Learning thresholds as resolved from a rule's `learning` block. */
export interface Learning {
  minSamples: number
  minDays: number
  liveAfterAccountDays: number | null
}

const learnings = new WeakMap<object, Learning>()
const NO_LEARNING: Learning = { minSamples: 0, minDays: 0, liveAfterAccountDays: null }

/** Reads a resolved `learning` block (once per block object); missing numbers mean no requirement. */
export function readLearning(spec: unknown): Learning {
  if (!spec || typeof spec !== 'object') return NO_LEARNING
  let learning = learnings.get(spec)
  if (!learning) learnings.set(spec, (learning = parseLearning(spec as Record<string, unknown>)))
  return learning
}

function parseLearning(l: Record<string, unknown>): Learning {
  const n = (v: unknown, d: number) => (typeof v === 'number' && Number.isFinite(v) ? v : d)
  return {
    minSamples: n(l.minSamples, 0),
    minDays: n(l.minDays, 0),
    liveAfterAccountDays: typeof l.liveAfterAccountDays === 'number' ? l.liveAfterAccountDays : null
  }
}

/**
 * Whether an account has learned enough: samples and span from its own history, or (live only)
 * an account watched long enough that having no samples is itself the baseline.
 */
export function learnedState(
  learning: Learning,
  samples: number,
  firstSampleTs: number | null,
  event: StoredEvent,
  env: KindEnv
): {
  learned: boolean
  samples: number
  minSamples: number
  days: number
  minDays: number
  via: string
} {
  const days = firstSampleTs === null ? 0 : Math.max(0, (event.ts - firstSampleTs) / DAY_MS)
  let via = 'learning'
  if (samples >= learning.minSamples && days >= learning.minDays) via = 'samples'
  else if (env.scope === 'live' && learning.liveAfterAccountDays !== null) {
    const since = env.history.accountSince(event.accountId)
    if (since !== null && event.ts - since >= learning.liveAfterAccountDays * DAY_MS)
      via = 'account-age'
  }
  return {
    learned: via !== 'learning',
    samples,
    minSamples: learning.minSamples,
    days: Math.round(days * 10) / 10,
    minDays: learning.minDays,
    via
  }
}

/** Comparison operators of limits and thresholds. */
export function compare(op: 'gt' | 'gte' | 'lt' | 'lte', value: number, limit: number): boolean {
  return op === 'gt'
    ? value > limit
    : op === 'gte'
      ? value >= limit
      : op === 'lt'
        ? value < limit
        : value <= limit
}
