/**
 * The scored replay report, `vigil-replay-report/1` (shared/spec/scenario-format.md). It is the
 * same object the test suite and the benchmarks consume, so its shape is a public contract.
 */
import type { AlertView, KillSwitchReport } from '../api/contract'
import type { Scenario } from './scenario'

export interface ReplayReport {
  format: 'vigil-replay-report/1'
  scenario: string
  pollSeconds: number
  attack: { events: number; observable: number; detected: number; missed: number[] }
  detections: {
    event: number
    at: number
    firstAlertAt: number
    ttdSeconds: number
    rules: string[]
  }[]
  alerts: {
    id: string
    rule: string
    level: string
    account: string
    at: number
    evidence: { event: number | null; exchangeRecordId: string }[]
    falseAlert: boolean
  }[]
  health: { id: string; rule: string; level: string; account: string; at: number; detail: string }[]
  falseAlerts: { live: number; history: number; historyAccountMonths: number }
  killSwitch: {
    fired: boolean
    at: number | null
    durationMs: number | null
    accounts: {
      account: string
      ordersCancelled: number
      ordersRemaining: number
      key: string
      errors: string[]
    }[]
  }
  summary: {
    detectionRate: number
    medianTtdSeconds: number | null
    falseAlertsPerAccountMonth: number
  }
}

type TimelineEvent = Scenario['timeline'][number]
type ExchangeId = Scenario['accounts'][number]['exchange']

/**
 * Whether the exchange can show the guardian this timeline event at all (the table in the
 * format spec). An event that is not observable is still played, and counted apart, not missed.
 */
export function isObservable(event: TimelineEvent, exchange: ExchangeId): boolean {
  switch (event.kind) {
    case 'login':
    case 'twofa_disabled':
    case 'password_changed':
    case 'email_changed':
    case 'api_key_created':
      return exchange === 'deribit'
    case 'api_key_changed':
    case 'api_key_removed':
      return exchange === 'deribit' || event.keyId === 'self'
    case 'address_added':
      return exchange !== 'okx'
    case 'transfer':
      return true
    case 'leverage':
      return exchange !== 'deribit'
    case 'fault':
      return false
    default:
      return true
  }
}

export const HEALTH_RULES = new Set([
  'guardian.rate_limited',
  'guardian.exchange_degraded',
  'guardian.poll_stalled'
])

export interface BuildReportInput {
  scenario: Scenario
  pollSeconds: number
  /** Scenario seconds of a clock time. */
  seconds: (at: number) => number
  liveAlerts: AlertView[]
  historyAlerts: AlertView[]
  /** Vigil account id → scenario account id. */
  accountIds: Map<string, string>
  /** Maps an exchange record id on a scenario account to the timeline event that created it. */
  originOf: (scenarioAccountId: string, recordId: string) => number | undefined
  /** Simulator read-back after the kill-switch. */
  openOrders: (scenarioAccountId: string) => number
  /** Simulator read-back of the account's keys: what is disabled or removed now. */
  keys?: (scenarioAccountId: string) => {
    enabled: boolean
    removed: boolean
    removedByTimeline: boolean
    /** The guardian's own key. */
    self?: boolean
  }[]
  killSwitch: KillSwitchReport | null
}

/**
 * The key outcome as the exchange shows it at the end, not as the client claimed: a key Vigil
 * removed is `revoked`, one it disabled is `disabled` (keys that containment disabled after the
 * kill-switch count too); keys only the exchange's web UI can revoke stay `manual-revoke-required`.
 */
function readBackKey(
  claimed: string,
  keys: { enabled: boolean; removed: boolean; removedByTimeline: boolean }[] | undefined
): string {
  if (!keys || claimed === 'manual-revoke-required') return claimed
  if (keys.some((k) => k.removed && !k.removedByTimeline)) return 'revoked'
  if (keys.some((k) => !k.enabled && !k.removed)) return 'disabled'
  return claimed === 'revoked' || claimed === 'disabled' ? 'unchanged' : claimed
}

/**
 * Scenario seconds after which the exchange shows the guardian nothing on an account: the
 * kill-switch deleted the guardian's own key there (Bybit's kill switch can only revoke the key
 * that calls it), as read back from the simulator. Attack events played later are not observable,
 * like events the exchange never exposes; null while the guardian keeps its access.
 */
function blindAfter(input: BuildReportInput, account: string): number | null {
  const ks = input.killSwitch
  if (!ks) return null
  const keys = input.keys?.(account)
  if (!keys?.some((k) => k.self && k.removed && !k.removedByTimeline)) return null
  return input.seconds(ks.finishedAt)
}

const rawId = (recordId: string): string => recordId.split('#')[0]!
const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits

export function buildReport(input: BuildReportInput): ReplayReport {
  const { scenario } = input
  const exchangeOf = new Map(scenario.accounts.map((a) => [a.id, a.exchange]))
  const attackIdx = scenario.timeline.flatMap((e, i) => (e.attack ? [i] : []))
  const blind = new Map(scenario.accounts.map((a) => [a.id, blindAfter(input, a.id)]))
  const observable = attackIdx.filter((i) => {
    const event = scenario.timeline[i]!
    const cutoff = blind.get(event.account) ?? null
    return (
      isObservable(event, exchangeOf.get(event.account)!) && (cutoff === null || event.at <= cutoff)
    )
  })

  const alerts: ReplayReport['alerts'] = []
  const health: ReplayReport['health'] = []
  const firstAlert = new Map<number, { at: number; rules: Set<string> }>()
  for (const alert of input.liveAlerts) {
    const account = input.accountIds.get(alert.accountId) ?? alert.accountId
    const at = round(input.seconds(alert.at))
    if (HEALTH_RULES.has(alert.rule)) {
      health.push({
        id: alert.id,
        rule: alert.rule,
        level: alert.level,
        account,
        at,
        detail: alert.explanation
      })
      continue
    }
    const evidence = alert.evidence.map((e) => ({
      event:
        input.originOf(
          input.accountIds.get(e.accountId) ?? e.accountId,
          rawId(e.exchangeRecordId)
        ) ?? null,
      exchangeRecordId: rawId(e.exchangeRecordId)
    }))
    const attackEvidence = evidence.filter(
      (e) => e.event !== null && scenario.timeline[e.event]?.attack
    )
    for (const e of attackEvidence) {
      const seen = firstAlert.get(e.event!)
      if (!seen || at < seen.at) firstAlert.set(e.event!, { at, rules: new Set([alert.rule]) })
      else if (at === seen.at) seen.rules.add(alert.rule)
    }
    alerts.push({
      id: alert.id,
      rule: alert.rule,
      level: alert.level,
      account,
      at,
      evidence,
      falseAlert: attackEvidence.length === 0
    })
  }

  const detections = observable
    .filter((i) => firstAlert.has(i))
    .map((i) => {
      const first = firstAlert.get(i)!
      const eventAt = scenario.timeline[i]!.at
      return {
        event: i,
        at: eventAt,
        firstAlertAt: first.at,
        ttdSeconds: round(Math.max(0, first.at - eventAt)),
        rules: [...first.rules].sort()
      }
    })
  const missed = observable.filter((i) => !firstAlert.has(i))

  const historyDays = (account: Scenario['accounts'][number]) =>
    (account.history ?? scenario.history)?.days ?? 30
  const historyAccountMonths = round(
    scenario.accounts.reduce((sum, a) => sum + historyDays(a) / 30, 0)
  )
  const historyFalse = input.historyAlerts.filter((a) => !HEALTH_RULES.has(a.rule)).length
  const liveFalse = alerts.filter((a) => a.falseAlert).length

  const ttds = detections.map((d) => d.ttdSeconds).sort((a, b) => a - b)
  const median =
    ttds.length === 0
      ? null
      : ttds.length % 2
        ? ttds[(ttds.length - 1) / 2]!
        : (ttds[ttds.length / 2 - 1]! + ttds[ttds.length / 2]!) / 2

  const ks = input.killSwitch
  return {
    format: 'vigil-replay-report/1',
    scenario: scenario.name,
    pollSeconds: input.pollSeconds,
    attack: {
      events: attackIdx.length,
      observable: observable.length,
      detected: detections.length,
      missed
    },
    detections,
    alerts,
    health,
    falseAlerts: { live: liveFalse, history: historyFalse, historyAccountMonths },
    killSwitch: {
      fired: ks !== null,
      at: ks ? round(input.seconds(ks.startedAt)) : null,
      durationMs: ks ? ks.durationMs : null,
      accounts: (ks?.accounts ?? []).map((a) => {
        const account = input.accountIds.get(a.account) ?? a.account
        return {
          account,
          ordersCancelled: a.ordersCancelled,
          ordersRemaining: input.openOrders(account),
          key: readBackKey(a.key, input.keys?.(account)),
          errors: a.errors
        }
      })
    },
    summary: {
      detectionRate: observable.length === 0 ? 1 : round(detections.length / observable.length, 3),
      medianTtdSeconds: median === null ? null : round(median),
      falseAlertsPerAccountMonth:
        historyAccountMonths > 0
          ? round((liveFalse + historyFalse) / historyAccountMonths, 3)
          : liveFalse + historyFalse
    }
  }
}
