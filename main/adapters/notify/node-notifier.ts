/**
 * macOS and Windows desktop notifications through node-notifier (terminal-notifier on macOS,
 * SnoreToast on Windows), for the headless entry on a desktop. Inside Electron the shell's own
 * notifier is used instead.
 */
import nodeNotifier from 'node-notifier'

import type { Logger, NotificationHandle, NotificationRequest, Notifier } from '../../core/ports'
import { silentLogger } from '../../core/ports'

import { LivePopups, PopupHandle } from './popup-handle'

/** What node-notifier passes to its callback beside the response string. */
export interface NodeNotifierMetadata {
  activationType?: string
  activationValue?: string
  activationValueIndex?: string
  /** SnoreToast (Windows): the label of the clicked button. */
  button?: string
}

export type NodeNotifierCallback = (
  error: Error | null,
  response: string | undefined,
  metadata?: NodeNotifierMetadata
) => void

/** The part of node-notifier we use; injectable so the mapping is testable off macOS and Windows. */
export interface NodeNotifierBackend {
  notify(options: Record<string, unknown>, callback: NodeNotifierCallback): unknown
}

export interface NodeNotifierOptions {
  logger?: Logger
  /** Which dialect to speak; defaults to `process.platform`. */
  platform?: NodeJS.Platform
  backend?: NodeNotifierBackend
  /**
   * Windows AppUserModelID. Leave unset unless the installer registered it: Windows 10+ drops
   * toasts whose app id has no Start-menu shortcut.
   */
  windowsAppId?: string
  /** Absolute path of the icon. */
  icon?: string
  /** macOS: how long a popup waits for an answer before it is withdrawn (terminal-notifier's timeout). */
  timeoutSeconds?: number
}

const defaultBackend: NodeNotifierBackend = {
  notify: (options, callback) =>
    nodeNotifier.notify(options as nodeNotifier.Notification, (error, response, metadata) =>
      callback(error, response, metadata)
    )
}

/**
 * A Notifier over node-notifier with action buttons where the platform has them (macOS: a
 * button or a drop-down; Windows 8+: toast buttons). `wait: true` keeps the helper running so its
 * callback reports the answer, which is mapped back to the action id. A request with the same id
 * as a live popup replaces it (macOS `group`, Windows toast id).
 */
export class NodeNotifierNotifier implements Notifier {
  readonly supportsActions: boolean
  private readonly logger: Logger
  private readonly platform: NodeJS.Platform
  private readonly backend: NodeNotifierBackend
  private readonly windowsAppId: string | undefined
  private readonly icon: string | undefined
  private readonly timeoutSeconds: number
  private readonly live = new LivePopups<PopupHandle>()

  constructor(options: NodeNotifierOptions = {}) {
    this.logger = options.logger ?? silentLogger
    this.platform = options.platform ?? process.platform
    this.backend = options.backend ?? defaultBackend
    this.windowsAppId = options.windowsAppId
    this.icon = options.icon
    this.timeoutSeconds = options.timeoutSeconds ?? 600
    // node-notifier's Linux backend (notify-send) drops actions; use NotifySendNotifier there.
    this.supportsActions = this.platform === 'darwin' || this.platform === 'win32'
  }

  notify(request: NotificationRequest): NotificationHandle {
    const popup = new PopupHandle(() => {
      this.send({ remove: this.tag(request.id) }, () => {})
      popup.settle(null)
    })
    // The platform swaps the old popup for the new one by its tag, but the old helper process may
    // only report that at its timeout: hand the old handle over to the new popup now.
    this.live.claim(request.id, popup)?.settle(null)
    this.send(this.options(request), (error, response, metadata) => {
      if (error) {
        this.logger.warn('node-notifier could not show the notification', {
          id: request.id,
          error: error.message
        })
      }
      popup.settle(error ? null : mapNodeNotifierAnswer(request, response, metadata))
    })
    return popup
  }

  private options(request: NotificationRequest): Record<string, unknown> {
    const labels = this.supportsActions
      ? (request.actions ?? []).map((a) => buttonLabel(a.label))
      : []
    const common = { title: request.title, message: request.body, wait: true, icon: this.icon }
    if (this.platform === 'darwin') {
      return withoutUndefined({
        ...common,
        group: this.tag(request.id),
        timeout: this.timeoutSeconds,
        sound: request.urgency === 'critical' ? 'Basso' : false,
        ...(labels.length ? { actions: labels, closeLabel: 'Dismiss' } : {}),
        ...(labels.length > 1 ? { dropdownLabel: 'Respond' } : {})
      })
    }
    return withoutUndefined({
      ...common,
      id: this.tag(request.id),
      appID: this.windowsAppId,
      ...(labels.length ? { actions: labels } : {})
    })
  }

  /** macOS groups are strings; SnoreToast ids are numbers. */
  private tag(id: string): string | number {
    return this.platform === 'darwin' ? `vigil:${id}` : stableNumericId(id)
  }

  private send(options: Record<string, unknown>, callback: NodeNotifierCallback): void {
    try {
      this.backend.notify(options, callback)
    } catch (error) {
      callback(error instanceof Error ? error : new Error(String(error)), undefined)
    }
  }
}

/**
 * Maps node-notifier's answer to the port's: the chosen action's id, 'default' for a click on the
 * popup itself, null for closed / timed out / anything unknown.
 */
export function mapNodeNotifierAnswer(
  request: NotificationRequest,
  response: string | undefined,
  metadata: NodeNotifierMetadata | undefined
): string | null {
  const actions = request.actions ?? []
  if (metadata?.activationType === 'actionClicked') {
    const index = Number(metadata.activationValueIndex)
    const byIndex = Number.isInteger(index) ? actions[index] : undefined
    const byLabel = actions.find((a) => buttonLabel(a.label) === metadata.activationValue)
    return (byIndex ?? byLabel)?.id ?? null
  }
  if (metadata?.button) {
    return actions.find((a) => buttonLabel(a.label) === metadata.button)?.id ?? null
  }
  if (metadata?.activationType === 'contentsClicked' || response === 'activate') return 'default'
  return null
}

/**
 * node-notifier joins button labels with ',' (macOS) or ';' (Windows) into one argument, so a
 * separator inside a label would split the button in two.
 */
function buttonLabel(label: string): string {
  return label.replace(/[,;]/g, ' ')
}

/** node-notifier turns every key into a command-line flag, `undefined` included ("-appID undefined"). */
function withoutUndefined(options: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined))
}

/** A positive 31-bit id derived from the request id, the same in every run (FNV-1a). */
export function stableNumericId(id: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 1 || 1
}
