/**
 * The seam between the detection engine and the rest of the core. The core ingests events,
 * then hands each newly stored event (in timestamp order) to `RuleEngine.evaluate`, and turns
 * every `Finding` into an alert grouped into an incident.
 */
import type { Message } from '../../api/messages'
import type { Level, StoredEvent } from '../model'

export interface Finding {
  ruleId: string
  level: Level
  accountId: string
  /** Rule family for incident grouping: the part of the id before the first dot ('login', 'trade', …). */
  family: string
  title: string
  /** Plain-language explanation for the trader, with the numbers filled in. */
  explanation: string
  /** Threshold, observed value, baseline numbers, window: the reasoning behind the alert. */
  reasoning: Record<string, unknown>
  /** Stored event ids that make up the evidence, oldest first. */
  evidence: number[]
  /** Same key = same alert; used to deduplicate repeated findings. */
  dedupKey: string
  /** Timestamp (ms) of the event that triggered the finding. */
  eventTs: number
  /** Whether the rule suggests the kill-switch (rule `action: suggest-kill-switch`). */
  suggestKillSwitch: boolean
  /**
   * The same situation (dedup key) was already reported: the core adds this finding's evidence to
   * the existing alert rather than raising a new one.
   */
  duplicate?: boolean
  /** Title and explanation in Chinese (resources/rules/i18n), rendered with the same values. */
  i18n?: Record<'zh-CN' | 'zh-TW', { title: string; explanation: string }>
}

export interface EvaluateContext {
  /** 'live' when the event came from polling, 'history' during the retro-scan of backfilled events. */
  scope: 'live' | 'history'
}

export interface RuleEngine {
  /** Rules as loaded (after settings overrides), for the UI. */
  list(): RuleSummary[]
  /** Errors from rule files that were rejected at load; the other rules keep running. */
  loadErrors(): { file: string; message: string; msg?: Message }[]
  /** Evaluate one newly stored event against every enabled rule. Incremental: reads bounded history only. */
  evaluate(event: StoredEvent, context: EvaluateContext): Finding[]
}

export interface RuleSummary {
  id: string
  title: string
  description: string
  level: Level
  kind: string
  enabled: boolean
  status: string
  params: Record<string, unknown>
  falsepositives: string[]
  /** Title, description and false positives in Chinese, where the rule is translated. */
  i18n?: Partial<
    Record<'zh-CN' | 'zh-TW', { title: string; description: string; falsepositives?: string[] }>
  >
}
