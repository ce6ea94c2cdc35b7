/**
 * match: the event itself is the finding (2FA disabled, a key gained withdraw). posture: the same
 * on key events, but one standing finding per key, so the daily posture check does not pile up
 * alerts for a key whose state has not changed.
 */
import type { KindEvaluator } from './types'

/** One event, one finding. */
export const evaluateMatch: KindEvaluator = (rule, view, env) => {
  if (!rule.test(rule.condition, view) || env.excepted(rule, view)) return null
  return {
    evidence: [view.event],
    reasoning: { matched: rule.doc.detection.condition },
    dedup: `e${view.event.id}`
  }
}

/** One standing finding per key (stable dedup key). */
export const evaluatePosture: KindEvaluator = (rule, view, env) => {
  if (!rule.test(rule.condition, view) || env.excepted(rule, view)) return null
  const key = String(view.get(String(rule.spec.key ?? 'data.keyId')) ?? 'unknown')
  return {
    evidence: [view.event],
    reasoning: {
      keyId: key,
      permissions: view.get('data.permissions') ?? [],
      ipWhitelist: view.get('data.ipWhitelist') ?? [],
      keyAgeDays: view.get('derived.keyAgeDays') ?? null,
      checkedOn: view.event.type
    },
    // Stable per key: the core keeps one standing posture finding per rule and key.
    dedup: `key:${key}`
  }
}
