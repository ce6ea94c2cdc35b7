/**
 * A Notifier for tests that behaves like a real one (same-id replacement, close, one answer per
 * popup, via the adapters' own PopupHandle) but shows nothing: it records every request and lets
 * the test play the user.
 */
import { LivePopups, PopupHandle } from '../../../main/adapters/notify/popup-handle'
import type { NotificationHandle, NotificationRequest, Notifier } from '../../../main/core/ports'

/** One notify() call as the recorder saw it. */
export class RecordedNotification extends PopupHandle {
  /** How it ended: the answer, null for closed/dismissed/replaced unanswered; undefined while live. */
  outcome: string | null | undefined = undefined
  /** True when the code under test called close() on it (not the "user"). */
  closedByCaller = false

  constructor(readonly request: NotificationRequest) {
    super(() => {
      this.closedByCaller = true
      this.settle(null)
    })
    void this.response.then((answer) => (this.outcome = answer))
  }
}

export class RecordingNotifier implements Notifier {
  readonly supportsActions: boolean
  /** Every notify() call in order, including replacements. */
  readonly notifications: RecordedNotification[] = []
  private readonly live = new LivePopups<RecordedNotification>()
  private waiters: Array<{
    match: (request: NotificationRequest) => boolean
    resolve: (recorded: RecordedNotification) => void
  }> = []

  /** @param options.supportsActions pretend to be a platform without buttons (e.g. console). */
  constructor(options: { supportsActions?: boolean } = {}) {
    this.supportsActions = options.supportsActions ?? true
  }

  /** The requests in order, for assertions. */
  get requests(): NotificationRequest[] {
    return this.notifications.map((n) => n.request)
  }

  notify(request: NotificationRequest): NotificationHandle {
    const recorded = new RecordedNotification(request)
    // Nothing ends the old popup here as a platform would, so hand it over at once.
    this.live.claim(request.id, recorded)?.settle(null)
    this.notifications.push(recorded)
    this.waiters = this.waiters.filter((waiter) => {
      if (!waiter.match(request)) return true
      waiter.resolve(recorded)
      return false
    })
    return recorded
  }

  /** The popup currently shown under `id` (the latest replacement), if any. */
  shown(id: string): RecordedNotification | undefined {
    return this.live.get(id)
  }

  /** Ids of the popups still on "screen", oldest first. */
  get liveIds(): string[] {
    return this.live.all().map((n) => n.request.id)
  }

  /**
   * Plays the user clicking `actionId` ('default' = the body) on the popup shown under `id`.
   * Throws when nothing is shown there or the popup offers no such action: a real desktop would
   * not let the user click it either.
   */
  choose(id: string, actionId: string): void {
    const popup = this.mustBeShown(id)
    const offered = popup.request.actions?.map((a) => a.id) ?? []
    if (!this.supportsActions && actionId !== 'default') {
      throw new Error(`this notifier has no action buttons; only 'default' can be chosen`)
    }
    if (actionId !== 'default' && !offered.includes(actionId)) {
      throw new Error(
        `notification "${id}" offers no action "${actionId}" (has: ${offered.join(', ') || 'none'})`
      )
    }
    popup.settle(actionId)
  }

  /** Plays the user dismissing (or the server expiring) the popup shown under `id`. */
  dismiss(id: string): void {
    this.mustBeShown(id).settle(null)
  }

  /** Resolves with the first notification, already recorded or still to come, matching `match`. */
  waitFor(
    match: (request: NotificationRequest) => boolean = () => true
  ): Promise<RecordedNotification> {
    const found = this.notifications.find((n) => match(n.request))
    if (found) return Promise.resolve(found)
    return new Promise((resolve) => this.waiters.push({ match, resolve }))
  }

  private mustBeShown(id: string): RecordedNotification {
    const popup = this.live.get(id)
    if (!popup) throw new Error(`no live notification with id "${id}"`)
    return popup
  }
}
