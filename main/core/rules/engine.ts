/**
 * The detection engine. It loads the shipped YAML rules, compiles them with the user's
 * overrides, and checks each newly stored event against the rules that read its type, using only
 * bounded history: a short window of the same account's events (kept in memory, else an indexed
 * SQLite range), a remembered value, a per-day baseline built from the events already judged.
 * Nothing is rescanned per event, so a retro-scan of 90 days and a live poll cost the same per
 * event. The core runs each poll's events through batch(): one transaction, one write of what
 * the rules learned.
 */
import { LRUCache } from 'lru-cache'

import { msg } from '../../api/messages'
import type { Db } from '../db/open'
import { MessageError } from '../exchanges/connector'
import type { Enricher } from '../enrich'
import type { Level, StoredEvent } from '../model'
import { compileRule, resolveParams, type CompiledRule, type ParamValue } from './compile'
import { Exceptions } from './exceptions'
import { renderExplanation } from './explain'
import { findingI18n, loadRuleTranslations, ruleSummaryI18n } from './i18n'
import { EventView, type FieldContext } from './fields'
import { History } from './history'
import { evaluateBaseline } from './kinds/baseline'
import { evaluateGeoVelocity } from './kinds/geo-velocity'
import { evaluateMatch, evaluatePosture } from './kinds/match'
import { evaluateNewValue } from './kinds/new-value'
import { evaluateSequence } from './kinds/sequence'
import { evaluateThreshold } from './kinds/threshold'
import { learningStatus, type LearningStatus } from './kinds/learning'
import type { KindEnv, KindEvaluator } from './kinds/types'
import { formatIssues, loadRules, ruleFileName, type RuleLoadError } from './load'
import { ruleOverridesSchema, type RuleDoc, type RuleKind, type RuleOverrides } from './schema'
import type { EvaluateContext, Finding, RuleEngine, RuleSummary } from './types'

/** What createRuleEngine() needs from the core. */
export interface RuleEngineOptions {
  db: Db
  /** Folder of rule YAML files (resources/rules). */
  rulesDir: string
  /** Offline enrichment for logins the core stored without country / ASN / device. */
  enricher?: Enricher
  /** User settings per rule: enabled, level, params, and per-account enabled / params. */
  overrides?: RuleOverrides
  /**
   * Return repeats of an already reported situation too, marked `duplicate`, so the caller can add
   * their events to the existing alert's evidence (the core does; tests of single rules do not).
   */
  reportDuplicates?: boolean
  /** Called when one rule throws on one event; the other rules still run. */
  onError?: (ruleId: string, event: StoredEvent, error: Error) => void
}

/** The engine with the extras the core and the settings UI use. */
export interface VigilRuleEngine extends RuleEngine {
  /** Replaces the user overrides (settings changed); invalid entries are reported in loadErrors(). */
  setOverrides(overrides: RuleOverrides): void
  /** Re-reads rule_exceptions now (it is also re-read automatically when it changes). */
  refreshExceptions(): void
  /** Shipped rule documents as loaded, for the rules screen and tests. */
  rules(): readonly RuleDoc[]
  /**
   * Learning state of every enabled rule that needs a baseline, for one account at time `at`
   * (the account is "learning" while any of them is not learned yet).
   */
  learning(accountId: string, at: number): LearningStatus[]
  /**
   * Runs `fn` (which stores a batch of events and calls evaluate() for each) as one unit, in one
   * SQLite transaction: exceptions and stored events are re-read once at the start and learned
   * values are written once at the end, instead of per event. If `fn` throws, everything it
   * stored rolls back. Nested calls join the outer batch.
   */
  batch<T>(fn: () => T): T
  /** Events the core just stored, so the engine's in-memory windows need not read them back. */
  noteStored(events: readonly StoredEvent[]): void
  /** Stored events were deleted (retention, a removed account): in-memory windows start over. */
  historyChanged(accountId?: string): void
}

const EVALUATORS: Record<RuleKind, KindEvaluator | null> = {
  match: evaluateMatch,
  posture: evaluatePosture,
  threshold: evaluateThreshold,
  sequence: evaluateSequence,
  new_value: evaluateNewValue,
  baseline: evaluateBaseline,
  geo_velocity: evaluateGeoVelocity,
  // Health rules only carry thresholds the core reads through list(); there is no event to judge.
  health: null
}

interface Entry {
  doc: RuleDoc
  base: CompiledRule
  accounts: Map<string, CompiledRule>
}

const DEDUP_MEMORY = 50_000

/** The rule-level dedup suffix (`dedup:` in the rule file), or null to keep the kind's own. */
function ruleDedup(rule: CompiledRule, view: EventView): string | null {
  if (!rule.dedup) return null
  const by = rule.dedup.by.map((f) => String(view.get(f) ?? '')).join('|')
  return `p${by}:${Math.floor(view.event.ts / rule.dedup.ms)}`
}

/**
 * Creates the engine. Rule files that fail to load or compile are left out and reported through
 * loadErrors(); so are invalid overrides (the rule then runs with its shipped settings).
 */
export function createRuleEngine(options: RuleEngineOptions): VigilRuleEngine {
  const { db, enricher } = options
  const history = new History(db)
  const exceptions = new Exceptions(db)
  const loaded = loadRules(options.rulesDir)
  const i18n = loadRuleTranslations(options.rulesDir)
  loaded.errors.push(...i18n.errors)
  const fileErrors: RuleLoadError[] = [...loaded.errors]
  let overrideErrors: RuleLoadError[] = []
  let overrides: RuleOverrides = {}
  const entries = new Map<string, Entry>()
  const byType = new Map<string, Entry[]>()
  const emitted = new LRUCache<string, true>({ max: DEDUP_MEMORY })

  // Views outlive one call: consecutive events share most of their windows, and a view keeps its
  // derived values and block results. Keyed by the event object History hands out (its lanes and
  // cache keep the recent ones alive), so a view lives exactly as long as its event is in use.
  // Started over whenever the rules are compiled again: a view's block results are per rule.
  let views = new WeakMap<StoredEvent, EventView>()

  const compileEntry = (doc: RuleDoc): Entry | null => {
    const o = overrides[doc.id]
    // The rule's memo slot in every view: its place in the rule set, the same for its variants.
    const slot = loaded.rules.indexOf(doc)
    try {
      return {
        doc,
        base: compileRule(doc, resolveParams(doc, o?.params), { ...o, slot }),
        accounts: new Map()
      }
    } catch (error) {
      if (o) {
        overrideErrors.push({
          file: 'overrides',
          message: `${doc.id}: ${(error as Error).message}`,
          ...(error instanceof MessageError
            ? { msg: msg('rules.invalid', { rule: doc.id, reason: error.msg }) }
            : {})
        })
        try {
          return {
            doc,
            base: compileRule(doc, resolveParams(doc), { slot }),
            accounts: new Map()
          }
        } catch {
          // Fall through: the shipped file itself is broken, reported below.
        }
      }
      fileErrors.push({ file: ruleFileName(doc.id), message: (error as Error).message })
      return null
    }
  }

  const build = () => {
    entries.clear()
    byType.clear()
    views = new WeakMap()
    for (const doc of loaded.rules) {
      const entry = compileEntry(doc)
      if (!entry) continue
      entries.set(doc.id, entry)
      for (const type of doc.source.types) {
        const list = byType.get(type) ?? []
        list.push(entry)
        byType.set(type, list)
      }
    }
    for (const id of Object.keys(overrides)) {
      if (!loaded.rules.some((r) => r.id === id)) {
        overrideErrors.push({ file: 'overrides', message: `${id}: no such rule` })
      }
    }
  }

  const setOverrides = (next: RuleOverrides) => {
    overrideErrors = []
    const parsed = ruleOverridesSchema.safeParse(next)
    if (parsed.success) overrides = parsed.data
    else {
      overrides = {}
      overrideErrors.push({ file: 'overrides', message: formatIssues(parsed.error.issues) })
    }
    // Compile errors of shipped files are recomputed by build(); keep only the load errors.
    fileErrors.splice(loaded.errors.length)
    build()
  }

  /** The rule as it applies to one account (per-account overrides compiled on first use). */
  const forAccount = (entry: Entry, accountId: string): CompiledRule => {
    const o = overrides[entry.doc.id]?.accounts?.[accountId]
    if (!o) return entry.base
    let compiled = entry.accounts.get(accountId)
    if (!compiled) {
      try {
        const params = resolveParams(entry.doc, overrides[entry.doc.id]?.params, o.params)
        compiled = compileRule(entry.doc, params, {
          enabled: o.enabled ?? entry.base.enabled,
          level: entry.base.level,
          slot: loaded.rules.indexOf(entry.doc)
        })
      } catch (error) {
        overrideErrors.push({
          file: 'overrides',
          message: `${entry.doc.id} (${accountId}): ${(error as Error).message}`
        })
        compiled = entry.base
      }
      entry.accounts.set(accountId, compiled)
    }
    return compiled
  }

  /** True the first time a dedup key is seen by this engine (the core's alerts table dedups across restarts). */
  const firstTime = (key: string): boolean => {
    if (emitted.has(key)) return false
    emitted.set(key, true)
    return true
  }

  setOverrides(options.overrides ?? {})

  // Prices are re-read once per batch (or lone evaluate() call); a view computes each derived value once.
  const prices = new Map<string, number | null>()
  const fieldContext: FieldContext = {
    enricher,
    priceUsd(accountId, currency) {
      const key = `${accountId}|${currency}`
      if (!prices.has(key)) prices.set(key, history.priceUsd(accountId, currency))
      return prices.get(key) ?? null
    }
  }
  const viewOf = (e: StoredEvent): EventView => {
    let v = views.get(e)
    if (!v) views.set(e, (v = new EventView(e, fieldContext)))
    return v
  }
  const makeEnv = (scope: EvaluateContext['scope']): KindEnv => {
    return {
      history,
      scope,
      view: viewOf,
      excepted: (rule, v) => exceptions.size > 0 && exceptions.covers(rule.id, v),
      hasExceptions: exceptions.size > 0
    }
  }

  let depth = 0
  // One environment per scope and batch: exceptions are re-read when a batch starts.
  let envs: Partial<Record<EvaluateContext['scope'], KindEnv>> = {}
  const inner = <T>(fn: () => T): T => {
    depth++
    try {
      return fn()
    } finally {
      depth--
    }
  }
  // The outermost batch is one SQLite transaction: what the caller stores in it (the events)
  // and what the rules learn from them commit together, once.
  const outer = db.transaction(<T>(fn: () => T): T => {
    exceptions.refresh()
    history.sync()
    // Prices come from the balance snapshot, which a batch of events does not change.
    prices.clear()
    envs = {}
    const result = inner(fn)
    history.flush()
    return result
  })
  const batch = <T>(fn: () => T): T => {
    if (depth > 0) return inner(fn)
    try {
      return outer(fn) as T
    } catch (error) {
      // Rolled back: what memory holds of this batch (lanes, learned values) is not stored.
      history.dropLanes()
      history.dropSeen()
      throw error
    }
  }

  const evaluate = (event: StoredEvent, context: EvaluateContext): Finding[] => {
    const candidates = byType.get(event.type)
    if (!candidates?.length) return []
    if (depth === 0) return batch(() => evaluate(event, context))
    const env = (envs[context.scope] ??= makeEnv(context.scope))
    const current = env.view(history.prime(event))
    const findings: Finding[] = []
    for (const entry of candidates) {
      const rule = forAccount(entry, event.accountId)
      const evaluator = EVALUATORS[rule.kind]
      if (!rule.enabled || !evaluator) continue
      try {
        const draft = evaluator(rule, current, env)
        if (!draft) continue
        const dedupKey = `${rule.id}:${event.accountId}:${ruleDedup(rule, current) ?? draft.dedup}`
        // A repeat of a situation already reported is still returned, marked, so the core can add
        // its events to the existing alert's evidence instead of losing them.
        const duplicate = !firstTime(dedupKey)
        if (duplicate && !options.reportDuplicates) continue
        const evidence = [...new Map(draft.evidence.map((e) => [e.id, e])).values()].sort(
          (a, b) => a.ts - b.ts || a.id - b.id
        )
        const fields = rule.doc.fields
          ? Object.fromEntries(rule.doc.fields.map((f) => [f, current.get(f) ?? null]))
          : undefined
        const reasoning: Record<string, unknown> = {
          rule: rule.id,
          kind: rule.kind,
          scope: context.scope,
          ...draft.reasoning,
          ...(fields ? { fields } : {}),
          params: rule.params,
          evidenceRecords: evidence.map((e) => ({
            id: e.id,
            type: e.type,
            exchangeRecordId: e.exchangeRecordId,
            ts: e.ts
          }))
        }
        const level: Level = draft.level ?? rule.level
        findings.push({
          ruleId: rule.id,
          level,
          accountId: event.accountId,
          family: rule.family,
          title: rule.doc.title,
          explanation: renderExplanation(rule.doc.explanation, reasoning, rule.params, current),
          ...findingI18n(i18n.translations, rule.id, reasoning, rule.params, current),
          reasoning,
          evidence: evidence.map((e) => e.id),
          dedupKey,
          eventTs: event.ts,
          suggestKillSwitch: rule.doc.action === 'suggest-kill-switch',
          ...(duplicate ? { duplicate: true } : {})
        })
      } catch (error) {
        options.onError?.(rule.id, event, error as Error)
      }
    }
    return findings
  }

  const summary = (entry: Entry): RuleSummary => {
    const rule = entry.base
    return {
      id: rule.id,
      title: entry.doc.title,
      description: entry.doc.description,
      level: rule.level,
      kind: rule.kind,
      enabled: rule.enabled,
      status: entry.doc.status,
      params: { ...(rule.params as Record<string, ParamValue>) },
      falsepositives: [...entry.doc.falsepositives],
      ...ruleSummaryI18n(i18n.translations, rule.id)
    }
  }

  return {
    list: () => [...entries.values()].map(summary),
    loadErrors: () => [...fileErrors, ...overrideErrors],
    evaluate,
    batch,
    noteStored: (events) => history.noteStored(events),
    historyChanged: (accountId) =>
      accountId === undefined ? history.dropLanes() : history.forgetAccount(accountId),
    setOverrides,
    refreshExceptions: () => exceptions.refresh(true),
    rules: () => loaded.rules,
    learning(accountId, at) {
      prices.clear()
      const env = makeEnv('live')
      return [...entries.values()]
        .map((entry) => forAccount(entry, accountId))
        .filter((rule) => rule.enabled)
        .map((rule) => learningStatus(rule, accountId, at, env))
        .filter((s): s is LearningStatus => s !== null)
    }
  }
}
