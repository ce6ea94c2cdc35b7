/**
 * Audit-log entries in words, built from the entry's structured data (action, actor, detail) as
 * message descriptors, so the incident report can list what was done in its own language. Ids,
 * labels, symbols, rule ids and setting names are evidence and stay verbatim inside the sentence.
 */
import {
  joinMessages,
  msg,
  verbatim,
  type Message,
  type MessageCode,
  type MessageVar
} from '../api/messages'

/** Who acted: the user, continuous containment, or the kill-switch trigger the core recorded. */
const ACTORS: Record<string, MessageCode> = {
  user: 'audit.actor.user',
  containment: 'audit.actor.containment',
  'policy: act at once': 'audit.actor.atOnce',
  'policy: countdown 0': 'audit.actor.countdownZero',
  'policy: countdown expired': 'audit.actor.countdownExpired',
  'user: notification button': 'audit.actor.notificationButton',
  'user: kill-switch button': 'audit.actor.button'
}

/** The actor of an audit entry as a descriptor (`user: <reason>` keeps the reason verbatim). */
export const auditActorMsg = (actor: string): Message => {
  const code = ACTORS[actor]
  if (code) return msg(code)
  if (actor.startsWith('user: ')) return msg('audit.actor.userReason', { reason: actor.slice(6) })
  return verbatim(actor)
}

const KEY_OUTCOMES = new Set(['revoked', 'disabled', 'manual-revoke-required', 'unchanged'])

const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v))
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : [])
const isMessage = (v: unknown): v is Message =>
  !!v && typeof v === 'object' && typeof (v as Message).code === 'string'

/**
 * What an audit entry did, as one descriptor, or null for an action this build does not know (the
 * caller then lists the raw detail).
 */
export function auditEntryMsg(action: string, detail: Record<string, unknown>): Message | null {
  switch (action) {
    case 'kill-switch.fire': {
      const count = strings(detail.accounts).length
      return detail.incident
        ? msg('audit.ks.fireIncident', {
            run: str(detail.run),
            count,
            incident: str(detail.incident)
          })
        : msg('audit.ks.fire', { run: str(detail.run), count })
    }
    case 'kill-switch.account': {
      if (typeof detail.contained !== 'boolean') return null
      const key = str(detail.key)
      return msg('audit.ks.account', {
        run: str(detail.run),
        result: msg('audit.ks.result', {
          state: msg(detail.contained ? 'audit.ks.contained' : 'audit.ks.notContained'),
          cancelled: Number(detail.ordersCancelled) || 0,
          remaining: Number(detail.ordersRemaining) || 0,
          key: KEY_OUTCOMES.has(key)
            ? msg(
                `audit.ks.key.${key as 'revoked' | 'disabled' | 'manual-revoke-required' | 'unchanged'}`
              )
            : key
        })
      })
    }
    case 'key.disable': {
      const disabled = strings(detail.disabled)
      const failed = Array.isArray(detail.failed)
        ? (detail.failed as { keyId?: unknown; error?: unknown; errorMsg?: unknown }[])
        : []
      const parts: Message[] = []
      if (disabled.length) parts.push(msg('audit.key.disabled', { keys: disabled }))
      for (const f of failed)
        parts.push(
          msg('audit.key.notDisabled', {
            key: str(f.keyId),
            error: isMessage(f.errorMsg) ? f.errorMsg : str(f.error)
          })
        )
      return joinMessages(parts)
    }
    case 'account.add':
      return msg('audit.account.add', { label: str(detail.label), exchange: str(detail.exchange) })
    case 'account.rearm':
      return msg('audit.account.rearm', { ending: str(detail.keyHint) })
    case 'account.update': {
      const changes: MessageVar[] = []
      if (typeof detail.pollSeconds === 'number')
        changes.push(msg('audit.account.poll', { seconds: detail.pollSeconds }))
      if (typeof detail.deadManSeconds === 'number' && detail.deadManSeconds > 0)
        changes.push(msg('audit.account.deadMan', { seconds: detail.deadManSeconds }))
      else if ('deadManSeconds' in detail) changes.push(msg('audit.account.deadManOff'))
      return changes.length
        ? msg('audit.account.updateWith', { changes: changes as Message[] })
        : msg('audit.account.update')
    }
    case 'account.remove':
      return msg('audit.account.remove')
    case 'incident.acknowledge':
      return msg('audit.incident.acknowledge', { id: str(detail.incidentId) })
    case 'incident.export':
      return msg('audit.incident.export', {
        id: str(detail.incidentId),
        format: str(detail.format)
      })
    case 'settings.update':
      return msg('audit.settings.update', { keys: strings(detail.keys) })
    case 'channel.add':
      return msg('audit.channel.add', { name: str(detail.name), kind: str(detail.kind) })
    case 'channel.remove':
      return msg('audit.channel.remove', { id: str(detail.id) })
    case 'rule.update': {
      const changes: Message[] = []
      if (detail.enabled === true) changes.push(msg('audit.rule.enabled'))
      if (detail.enabled === false) changes.push(msg('audit.rule.disabled'))
      if (detail.level) changes.push(msg('audit.rule.level', { level: str(detail.level) }))
      if (strings(detail.params).length)
        changes.push(msg('audit.rule.params', { names: strings(detail.params) }))
      const rule = str(detail.ruleId)
      return changes.length
        ? msg('audit.rule.updateWith', { rule, changes })
        : msg('audit.rule.update', { rule })
    }
    case 'exception.add': {
      const vars = { field: str(detail.field), value: str(detail.value) }
      return detail.ruleId
        ? msg('audit.exception.addRule', { ...vars, rule: str(detail.ruleId) })
        : msg('audit.exception.add', vars)
    }
    case 'exception.remove':
      return msg('audit.exception.remove', { id: str(detail.exceptionId) })
    case 'silence.add': {
      const until =
        typeof detail.until === 'number'
          ? new Date(detail.until).toISOString().replace('.000Z', 'Z')
          : str(detail.until)
      return detail.ruleId
        ? msg('audit.silence.addRule', { rule: str(detail.ruleId), until })
        : msg('audit.silence.add', { until })
    }
    case 'demo.attack':
      return msg('audit.demo.attack', { attack: str(detail.attack) })
    case 'monitoring.pause':
      return msg('audit.monitoring.pause', { minutes: Number(detail.minutes) || 0 })
    case 'monitoring.resume':
      return msg('audit.monitoring.resume')
    default:
      return null
  }
}
