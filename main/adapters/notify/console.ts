import type { Logger, NotificationHandle, NotificationRequest, Notifier } from '../../core/ports'

import { PopupHandle } from './popup-handle'

/**
 * The notifier for machines without a desktop (a VPS next to the trader's bots): every
 * notification becomes one log line, at warn level when critical so it stands out in a journal.
 * Nobody can click a log line, so there are no actions and every response is null; the core's
 * response policy (countdown, then the default action) decides what happens next.
 */
export class ConsoleNotifier implements Notifier {
  readonly supportsActions = false

  constructor(private readonly options: { logger: Logger }) {}

  notify(request: NotificationRequest): NotificationHandle {
    const log = request.urgency === 'critical' ? this.options.logger.warn : this.options.logger.info
    log.call(this.options.logger, `Notification: ${request.title}`, {
      id: request.id,
      urgency: request.urgency,
      body: request.body,
      ...(request.actions?.length ? { actions: request.actions.map((a) => a.id) } : {})
    })
    const handle = new PopupHandle(() => {})
    handle.settle(null)
    return handle
  }
}
