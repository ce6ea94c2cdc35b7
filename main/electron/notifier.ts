/**
 * The core's `Notifier` port over Electron's native `Notification`. Action buttons (the
 * kill-switch) appear where Electron supports them: macOS (signed app, alert style) and Windows
 * toasts. On Linux only a click on the body comes back, and the core knows it through
 * `supportsActions`.
 */
import { Notification } from 'electron'

import type { NotificationHandle, NotificationRequest, Notifier } from '../core/ports'

export interface ElectronNotifierOptions {
  /**
   * Called when the user clicks the notification or one of its buttons, to bring the window up
   * on what it was about.
   */
  onActivate(request: NotificationRequest): void
  /** Icon shown in the popup (Linux and Windows; macOS always uses the app icon). */
  icon?: string
  platform?: NodeJS.Platform
}

/**
 * The in-app route for a notification. The core (`core/response.ts`) ids each notification by
 * its incident: the incident id itself, or `<incidentId>-followup` for the kill-switch outcome.
 * The renderer shows an incident at `#/alerts/<incidentId>`.
 */
export function notificationRoute(notificationId: string): string {
  const incidentId = notificationId.replace(/-followup$/, '')
  return `/alerts/${encodeURIComponent(incidentId)}`
}

/** Creates the Electron notifier. */
export function createElectronNotifier({
  onActivate,
  icon,
  platform = process.platform
}: ElectronNotifierOptions): Notifier {
  const supportsActions = platform === 'darwin' || platform === 'win32'
  // Live notifications by request id. Holding the reference also keeps the object from being
  // garbage-collected while shown, which would silently drop its click and action events.
  const live = new Map<string, Notification>()

  return {
    supportsActions,
    notify(request: NotificationRequest): NotificationHandle {
      // Same id: replace the popup rather than stack another. macOS and Windows also replace
      // natively through `id`; Linux needs the explicit close.
      live.get(request.id)?.close()

      const actions = supportsActions ? (request.actions ?? []) : []
      const notification = new Notification({
        id: request.id,
        title: request.title,
        body: request.body,
        urgency: request.urgency,
        // A critical alert stays on screen until the user answers it.
        timeoutType: request.urgency === 'critical' ? 'never' : 'default',
        ...(icon ? { icon } : {}),
        actions: actions.map((action) => ({ type: 'button' as const, text: action.label }))
      })

      let settle: (response: string | null) => void = () => {}
      const response = new Promise<string | null>((resolve) => {
        let settled = false
        settle = (value) => {
          if (settled) return
          settled = true
          if (live.get(request.id) === notification) live.delete(request.id)
          resolve(value)
        }
      })

      notification.on('click', () => {
        settle('default')
        onActivate(request)
      })
      notification.on('action', (details) => {
        settle(actions[details.actionIndex]?.id ?? null)
        onActivate(request)
      })
      notification.on('close', () => settle(null))
      notification.on('failed', () => settle(null))

      live.set(request.id, notification)
      notification.show()

      return {
        response,
        close() {
          // Once replaced, this handle no longer owns the popup: closing by the shared id
          // (Windows tag, macOS identifier) would take down its successor.
          if (live.get(request.id) === notification) notification.close()
          settle(null)
        }
      }
    }
  }
}
