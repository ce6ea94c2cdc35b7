/**
 * sequence: ordered steps inside a window, e.g. "≥ 3 failed logins, then a success". The last
 * step's event triggers the check; earlier steps are looked up in the window before it, newest
 * first, so the most recent run of failures is the one that counts.
 */
import type { StoredEvent } from '../../model'
import { numberSetting, windowMs } from '../compile'
import type { EventView } from '../fields'
import type { KindEvaluator } from './types'

interface Step {
  name: string
  match: string
  min: number
}

/** Checks the steps when the event completes the last one. */
export const evaluateSequence: KindEvaluator = (rule, view, env) => {
  const event = view.event
  const spec = rule.spec
  const steps = ((spec.steps as Record<string, unknown>[]) ?? []).map((s): Step => ({
    name: String(s.name),
    match: String(s.match),
    min: numberSetting(s, 'min', 1) as number
  }))
  const last = steps[steps.length - 1]
  if (!last || !rule.test(rule.condition, view) || !rule.test(rule.expr(last.match), view))
    return null
  if (env.excepted(rule, view)) return null
  const span = windowMs(spec.window)
  const earlier: EventView[] = env.history
    .window(event, rule.types, event.ts - span + 1, false)
    .map((e) => env.view(e))
    .filter((v) => rule.test(rule.condition, v) && !env.excepted(rule, v))

  // Walk the steps backwards: step i must happen before the events chosen for step i + 1.
  const chosen: { step: string; events: StoredEvent[] }[] = [{ step: last.name, events: [event] }]
  let boundary = earlier.length
  for (let i = steps.length - 2; i >= 0; i--) {
    const step = steps[i] as Step
    const matcher = rule.expr(step.match)
    const matched: number[] = []
    for (let j = 0; j < boundary; j++)
      if (rule.test(matcher, earlier[j] as EventView)) matched.push(j)
    if (matched.length < step.min) return null
    // The latest `min` events fix the order; every matching event before the boundary is evidence.
    boundary = matched[matched.length - step.min] as number
    chosen.unshift({ step: step.name, events: matched.map((j) => (earlier[j] as EventView).event) })
  }
  const evidence = chosen.flatMap((c) => c.events).sort((a, b) => a.ts - b.ts || a.id - b.id)
  const differ = (spec.differ as string[] | undefined) ?? []
  const differing: Record<string, string[]> = {}
  for (const field of differ) {
    const values = new Set(
      evidence
        .map((e) => env.view(e).get(field))
        .filter((x) => x !== null && x !== undefined)
        .map(String)
    )
    if (values.size > 1) differing[field] = [...values]
  }
  if (differ.length > 0 && Object.keys(differing).length === 0) return null
  return {
    evidence,
    reasoning: {
      steps: chosen.map((c) => ({ step: c.step, count: c.events.length })),
      threshold: Object.fromEntries(steps.map((s) => [s.name, { gte: s.min }])),
      windowMinutes: span / 60_000,
      ...(differ.length
        ? { differ: differing, differValues: Object.values(differing)[0] ?? [] }
        : {})
    },
    dedup: `s${evidence[0]?.id ?? event.id}`
  }
}
