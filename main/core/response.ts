/**
 * The response policy: what happens when an alert is raised. Per level it is history only,
 * notify, ask (a notification with a kill-switch button and a countdown whose default action
 * runs when nobody answers), or act at once. One notification per incident: a new alert in an
 * incident that is already on screen replaces it (same id) only when the level goes up.
 */
import type { Policy } from '../api/contract'
import { coreText, levelText, type CoreLanguage } from './i18n'
import type { RecordedAlert } from './incidents'
import { levelRank, type Level } from './model'
import type { Clock, Logger, NotificationHandle, Notifier } from './ports'

export const KILL_SWITCH_ACTION = 'kill-switch'
export const DISMISS_ACTION = 'dismiss'

export interface Countdown {
  incidentId: string
  level: Level
  endsAt: number
  action: 'fire' | 'notify-only'
  cancel: () => void
}

export interface ResponseDeps {
  clock: Clock
  logger: Logger
  notifier: Notifier
  policy: () => Policy
  /** Fires the kill-switch for an incident; resolves with a one-line summary for the follow-up. */
  fire: (incidentId: string, trigger: string) => Promise<string>
  isContained: (accountId: string) => boolean
  isPaused: () => boolean
  accountLabel: (accountId: string) => string
  onCountdownsChanged: () => void
  /** Language of notifications (settings.language resolved); English when absent. */
  language?: () => CoreLanguage
}

export class ResponsePolicy {
  private readonly countdowns = new Map<string, Countdown>()
  private readonly handles = new Map<string, NotificationHandle>()

  constructor(private readonly deps: ResponseDeps) {}

  private lang(): CoreLanguage {
    return this.deps.language?.() ?? 'en'
  }

  private text(key: Parameters<typeof coreText>[1], vars?: Record<string, string | number>) {
    return coreText(this.lang(), key, vars)
  }

  /** The level as written in a sentence: 'high' in English, '高' in Chinese. */
  private levelInText(level: Level): string {
    return this.lang() === 'en' ? level : levelText(this.lang(), level)
  }

  activeCountdowns(): Countdown[] {
    return [...this.countdowns.values()]
  }

  cancelCountdown(incidentId: string, by: string): boolean {
    const c = this.countdowns.get(incidentId)
    if (!c) return false
    c.cancel()
    this.countdowns.delete(incidentId)
    this.deps.logger.info('countdown cancelled', { incident: incidentId, by })
    this.deps.onCountdownsChanged()
    return true
  }

  /** Decide and start the response for a newly recorded live alert. */
  handle(recorded: RecordedAlert): void {
    const { incident, alert, finding } = recorded
    if (!recorded.escalated) return
    if (this.deps.isPaused()) return
    const health = incident.family === 'guardian'
    let action = this.deps.policy().levels[alert.level]
    // Health notices tell the trader Vigil's view is impaired; they never fire the kill-switch.
    if (health && (action === 'ask' || action === 'act')) action = 'notify'
    // An account that is already contained gets no second kill-switch from follow-on alerts.
    if (this.deps.isContained(alert.accountId) && (action === 'ask' || action === 'act'))
      action = 'notify'
    const account = this.deps.accountLabel(alert.accountId)
    const lang = this.lang()
    const local = lang === 'en' ? undefined : alert.i18n?.[lang]
    const sep = lang === 'en' ? ': ' : '：'
    const title = `${levelText(lang, alert.level)}${sep}${local?.title ?? alert.title}`
    const body = `${account}${sep}${local?.explanation ?? alert.explanation}`
    switch (action) {
      case 'history':
        return
      case 'notify':
        this.show(incident.id, title, body, alert.level, !health && finding.suggestKillSwitch)
        return
      case 'ask':
        this.ask(recorded, title, body)
        return
      case 'act':
        void this.fireAndFollowUp(
          incident.id,
          'policy: act at once',
          this.text('notify.actAtOnce', { title, level: this.levelInText(alert.level) })
        )
        return
    }
  }

  private show(
    incidentId: string,
    title: string,
    body: string,
    level: Level,
    withKillSwitch: boolean
  ): NotificationHandle {
    this.handles.get(incidentId)?.close()
    const handle = this.deps.notifier.notify({
      id: incidentId,
      title,
      body,
      level,
      urgency:
        levelRank(level) >= levelRank('high') ? 'critical' : level === 'info' ? 'low' : 'normal',
      actions:
        withKillSwitch && this.deps.notifier.supportsActions
          ? [{ id: KILL_SWITCH_ACTION, label: this.text('notify.killSwitch') }]
          : undefined
    })
    this.handles.set(incidentId, handle)
    void handle.response.then((choice) => {
      if (choice === KILL_SWITCH_ACTION)
        void this.fireAndFollowUp(
          incidentId,
          'user: notification button',
          this.text('notify.pressed')
        )
    })
    return handle
  }

  private ask(recorded: RecordedAlert, title: string, body: string): void {
    const { incident, alert } = recorded
    if (this.countdowns.has(incident.id)) return
    const policy = this.deps.policy()
    const seconds = policy.countdownSeconds
    if (seconds <= 0) {
      void this.fireAndFollowUp(
        incident.id,
        'policy: countdown 0',
        this.text('notify.countdownZero', { title })
      )
      return
    }
    const endsAt = this.deps.clock.now() + seconds * 1000
    this.handles.get(incident.id)?.close()
    const handle = this.deps.notifier.notify({
      id: incident.id,
      level: alert.level,
      title,
      body: `${body}\n${this.text('notify.countdown', { seconds })}`,
      urgency: 'critical',
      actions: [
        { id: KILL_SWITCH_ACTION, label: this.text('notify.killSwitchNow') },
        { id: DISMISS_ACTION, label: this.text('notify.thisIsMe') }
      ]
    })
    this.handles.set(incident.id, handle)
    const cancelTimer = this.deps.clock.setTimeout(() => {
      if (!this.countdowns.delete(incident.id)) return
      this.deps.onCountdownsChanged()
      handle.close()
      if (policy.defaultAction === 'fire') {
        void this.fireAndFollowUp(
          incident.id,
          'policy: countdown expired',
          this.text('notify.expiredFired', { seconds, level: this.levelInText(alert.level) })
        )
      } else {
        this.deps.notifier.notify({
          id: `${incident.id}-followup`,
          title: this.text('notify.notFiredTitle'),
          body: this.text('notify.notFiredBody', { seconds }),
          urgency: 'normal'
        })
      }
    }, seconds * 1000)
    this.countdowns.set(incident.id, {
      incidentId: incident.id,
      level: alert.level,
      endsAt,
      action: policy.defaultAction,
      cancel: cancelTimer
    })
    this.deps.onCountdownsChanged()
    void handle.response.then((choice) => {
      if (!this.countdowns.has(incident.id)) return
      if (choice === KILL_SWITCH_ACTION) {
        this.cancelCountdown(incident.id, 'user')
        void this.fireAndFollowUp(
          incident.id,
          'user: notification button',
          this.text('notify.pressed')
        )
      } else if (choice === DISMISS_ACTION || choice === 'default') {
        // Any interaction stops the countdown: the trader is here and decides in the window.
        this.cancelCountdown(incident.id, 'user')
      }
    })
  }

  private async fireAndFollowUp(incidentId: string, trigger: string, why: string): Promise<void> {
    try {
      const summary = await this.deps.fire(incidentId, trigger)
      this.deps.notifier.notify({
        id: `${incidentId}-followup`,
        title: this.text('notify.firedTitle'),
        body: `${why}\n${summary}`,
        urgency: 'critical',
        level: 'critical'
      })
    } catch (error) {
      this.deps.logger.error('kill-switch failed', {
        incident: incidentId,
        error: (error as Error).message
      })
      this.deps.notifier.notify({
        id: `${incidentId}-followup`,
        title: this.text('notify.failedTitle'),
        body: this.text('notify.failedBody', { why, error: (error as Error).message }),
        urgency: 'critical',
        level: 'critical'
      })
    }
  }

  dispose(): void {
    for (const c of this.countdowns.values()) c.cancel()
    this.countdowns.clear()
    for (const h of this.handles.values()) h.close()
    this.handles.clear()
  }
}
