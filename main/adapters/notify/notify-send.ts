/**
 * Linux desktop notifications with action buttons through libnotify's `notify-send`. Electron's
 * Notification is not available to the headless entry, and node-notifier's Linux backend drops
 * actions, so this adapter drives `notify-send -A … --wait` itself and reads the chosen action
 * from its stdout.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'

import type {
  LogFields,
  Logger,
  NotificationAction,
  NotificationHandle,
  NotificationRequest,
  Notifier
} from '../../core/ports'
import { silentLogger } from '../../core/ports'

import { findExecutable } from './find-executable'
import { LivePopups, PopupHandle } from './popup-handle'

/** What the installed `notify-send` understands; read from `notify-send --help`. */
export interface NotifySendFeatures {
  /** `-A/--action`: action buttons, answered on stdout (libnotify ≥ 0.7.10). */
  actions: boolean
  /** `-p/--print-id`: prints the server's notification id. */
  printId: boolean
  /** `-r/--replace-id`: replaces an existing notification in place. */
  replaceId: boolean
}

/**
 * How a same-id notification takes over a live one:
 * - 'replace-id': update the popup in place (`-r <server id>`), no flicker, no second popup;
 * - 'close-and-show': close the old popup, then show the new one (for libnotify without `-r`);
 * - 'auto': 'replace-id' when this notify-send has `-p`/`-r` and `stdbuf` exists, else the other.
 */
export type ReplaceMode = 'auto' | 'replace-id' | 'close-and-show'

export interface NotifySendOptions {
  logger?: Logger
  /** Shown by the notification server as the sender (`-a`). */
  appName?: string
  /**
   * Label of the body-click action. Every popup registers a `default` action, so a click on the
   * body answers 'default' (the port's contract) and can never fire a destructive action: dunst,
   * for instance, runs the only action a popup has when it is clicked and there is no default.
   */
  defaultActionLabel?: string
  /** Icon name or absolute path (`-i`). */
  icon?: string
  replace?: ReplaceMode
  /** The `notify-send` executable. */
  command?: string
  /** Environment for the child processes (DISPLAY, DBUS_SESSION_BUS_ADDRESS); defaults to ours. */
  env?: NodeJS.ProcessEnv
  /** Overrides the detection from `notify-send --help`. */
  features?: Partial<NotifySendFeatures>
}

/**
 * A Notifier over `notify-send`. Each popup is one `notify-send --wait` process:
 * - its stdout carries the server id (`-p`) and then the chosen action id, which resolves
 *   `response`; an exit without an action (closed, expired, server gone) resolves null;
 * - `close()` sends SIGINT, on which notify-send closes the popup and exits;
 * - a request whose id matches a live popup replaces it in place with `-r <server id>`; the old
 *   process is stopped with SIGTERM (which leaves the popup for the new process) and the old
 *   handle's response follows the new popup.
 */
export class NotifySendNotifier implements Notifier {
  readonly supportsActions: boolean
  private readonly logger: Logger
  private readonly appName: string
  private readonly defaultActionLabel: string
  private readonly icon: string | undefined
  private readonly command: string
  private readonly env: NodeJS.ProcessEnv
  private readonly features: NotifySendFeatures
  private readonly mode: 'replace-id' | 'close-and-show'
  /** `stdbuf -oL`: notify-send block-buffers stdout into a pipe, which would hide the id until exit. */
  private readonly lineBuffer: string | null
  private readonly live = new LivePopups<NotifySendPopup>()
  private readonly context: PopupContext

  constructor(options: NotifySendOptions = {}) {
    this.logger = options.logger ?? silentLogger
    this.appName = options.appName ?? 'Vigil'
    this.defaultActionLabel = options.defaultActionLabel ?? 'Open'
    this.icon = options.icon
    this.command = options.command ?? 'notify-send'
    this.env = options.env ?? process.env
    this.features = { ...detectNotifySendFeatures(this.command, this.env), ...options.features }
    this.lineBuffer = findExecutable('stdbuf', this.env.PATH)
    const canReplace = this.features.printId && this.features.replaceId && this.lineBuffer !== null
    const requested = options.replace ?? 'auto'
    this.mode = requested === 'auto' ? (canReplace ? 'replace-id' : 'close-and-show') : requested
    if (this.mode === 'replace-id' && !canReplace) {
      throw new Error('notify-send replace mode "replace-id" needs notify-send -p/-r and stdbuf')
    }
    this.supportsActions = this.features.actions
    this.context = {
      logger: this.logger,
      printsId: this.mode === 'replace-id',
      spawn: (request, replaceId) => this.spawnPopup(request, replaceId)
    }
  }

  notify(request: NotificationRequest): NotificationHandle {
    const popup = new NotifySendPopup(request, this.context)
    const previous = this.live.claim(request.id, popup)
    if (previous) void popup.takeOver(previous, this.mode)
    else popup.show()
    return popup
  }

  /** Closes every popup this notifier still shows; for shutdown and tests. */
  closeAll(): void {
    for (const popup of this.live.all()) popup.interrupt()
  }

  private spawnPopup(request: NotificationRequest, replaceId: number | null): ChildProcess {
    const printId = this.mode === 'replace-id'
    const args = buildNotifySendArgs(request, {
      appName: this.appName,
      defaultActionLabel: this.defaultActionLabel,
      icon: this.icon,
      actions: this.features.actions,
      printId,
      replaceId
    })
    const [command, argv] =
      printId && this.lineBuffer
        ? [this.lineBuffer, ['-oL', this.command, ...args]]
        : [this.command, args]
    return spawn(command, argv, { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] })
  }
}

/** What a popup needs from its notifier. */
interface PopupContext {
  logger: Logger
  /** Whether notify-send prints the server id first (replace-id mode). */
  printsId: boolean
  spawn(request: NotificationRequest, replaceId: number | null): ChildProcess
}

/** One notify-send process and the popup it owns. */
class NotifySendPopup extends PopupHandle {
  /** The server's id for the popup, or null once it is known there will be none. */
  readonly serverId: Promise<number | null>
  /** Resolves when the process is gone (or was never started). */
  readonly exited: Promise<void>
  private resolveServerId!: (id: number | null) => void
  private resolveExited!: () => void
  private child: ChildProcess | undefined
  private cancelled = false
  private killedByUs = false

  constructor(
    private readonly request: NotificationRequest,
    private readonly context: PopupContext
  ) {
    super(() => this.interrupt())
    this.serverId = new Promise((resolve) => (this.resolveServerId = resolve))
    this.exited = new Promise((resolve) => (this.resolveExited = resolve))
  }

  /** Shows the popup, reusing the predecessor's server id when one is given. */
  show(replaceId: number | null = null): void {
    if (this.cancelled) return this.finish(null)
    const child = this.context.spawn(this.request, replaceId)
    this.child = child
    if (!this.context.printsId) this.resolveServerId(null)

    let stdout = ''
    let stderr = ''
    let idSeen = false
    let warned = false
    let action: string | null = null
    const warn = (message: string, fields: LogFields = {}): void => {
      if (warned) return
      warned = true
      this.context.logger.warn(message, { id: this.request.id, stderr: stderr.trim(), ...fields })
    }
    // Without a reachable server, `notify-send --wait` prints id 0 and then waits forever.
    const giveUp = (): void => {
      warn('No notification server answered; the notification was not shown')
      this.signal('SIGTERM')
    }
    const offered = new Set(['default', ...(this.request.actions ?? []).map((a) => a.id)])
    const readLines = (final: boolean): void => {
      const lines = stdout.split('\n')
      stdout = final ? '' : (lines.pop() ?? '')
      for (const line of lines.map((l) => l.trim()).filter(Boolean)) {
        if (this.context.printsId && !idSeen) {
          idSeen = true
          const id = Number.parseInt(line, 10)
          if (Number.isSafeInteger(id) && id > 0) this.resolveServerId(id)
          else giveUp()
        } else if (action === null && offered.has(line)) {
          action = line
        } else {
          this.context.logger.debug('notify-send printed an unexpected line', {
            id: this.request.id,
            line
          })
        }
      }
    }
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
      readLines(false)
    })
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      if (stderr.length < 4096) stderr += chunk
      if (/could not connect|failed to connect|cannot autolaunch/i.test(stderr)) giveUp()
    })
    child.on('error', (error) => {
      this.context.logger.warn('Could not run notify-send; the notification was not shown', {
        id: this.request.id,
        error: error.message
      })
      this.finish(null)
    })
    child.on('close', (code, signal) => {
      readLines(true)
      if (!this.killedByUs && (code !== 0 || signal)) {
        warn('notify-send failed; the notification may not have been shown', { code, signal })
      }
      this.finish(action)
    })
  }

  /** Takes the place of `previous` (same request id) once its server id is known. */
  async takeOver(previous: NotifySendPopup, mode: 'replace-id' | 'close-and-show'): Promise<void> {
    const serverId = await previous.serverId
    if (mode === 'replace-id' && serverId !== null && !this.cancelled) {
      previous.detach()
      this.show(serverId)
      return
    }
    previous.interrupt()
    await previous.exited
    this.show()
  }

  /** Closes the popup: notify-send closes its notification on SIGINT and exits. */
  interrupt(): void {
    if (!this.child) {
      // Not shown yet (waiting for the popup it replaces): never show it.
      this.cancelled = true
      this.settle(null)
      return
    }
    // Wait for the id line: notify-send installs its SIGINT handler right after printing it, and
    // an earlier SIGINT would kill it with the popup left on screen.
    void this.serverId.then(() => this.signal('SIGINT'))
  }

  /** Stops the process but leaves the popup on screen for the popup replacing it. */
  detach(): void {
    this.signal('SIGTERM')
  }

  private signal(signal: NodeJS.Signals): void {
    const child = this.child
    if (!child || child.exitCode !== null || child.signalCode !== null) return
    this.killedByUs = true
    child.kill(signal)
  }

  private finish(action: string | null): void {
    this.resolveServerId(null)
    this.settle(action)
    this.resolveExited()
  }
}

/** Options for {@link buildNotifySendArgs}. */
export interface NotifySendArgsOptions {
  appName: string
  defaultActionLabel: string
  icon?: string
  /** Whether this notify-send has `-A` (else the popup is shown without buttons or waiting). */
  actions: boolean
  printId: boolean
  replaceId: number | null
}

/**
 * The notify-send argument list for a request. Exported for tests: the argv is the whole
 * contract with notify-send, and no shell is involved, so titles need no shell quoting.
 */
export function buildNotifySendArgs(
  request: NotificationRequest,
  options: NotifySendArgsOptions
): string[] {
  const args: string[] = []
  if (options.actions) {
    const actions = request.actions ?? []
    for (const action of actions) {
      assertAction(action)
      args.push('-A', `${action.id}=${action.label}`)
    }
    if (!actions.some((a) => a.id === 'default')) {
      args.push('-A', `default=${options.defaultActionLabel}`)
    }
    args.push('--wait')
  }
  args.push('-a', options.appName, '-u', request.urgency)
  if (options.icon) args.push('-i', options.icon)
  if (options.printId) args.push('-p')
  if (options.replaceId !== null) args.push('-r', String(options.replaceId))
  // `--` so a title starting with '-' is not read as an option. notify-send unescapes the body
  // (g_strcompress: `\n`, `\\` …), and most servers read it as markup; text from exchanges must
  // arrive as written, never as formatting or links.
  args.push('--', request.title, escapeMarkup(request.body).replace(/\\/g, '\\\\'))
  return args
}

/**
 * Action ids travel as `id=label` and come back alone on a stdout line; notify-send silently
 * drops an action whose label is blank, which would hide the kill-switch button.
 */
function assertAction(action: NotificationAction): void {
  if (!/^[A-Za-z0-9_.:-]+$/.test(action.id)) {
    throw new Error(`Notification action id "${action.id}" must match [A-Za-z0-9_.:-]+`)
  }
  if (!action.label.trim()) throw new Error(`Notification action "${action.id}" has no label`)
}

/** Escapes the body for servers with the `body-markup` capability (dunst, GNOME, KDE). */
export function escapeMarkup(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** Reads which options this notify-send supports from its `--help`. */
export function parseNotifySendHelp(help: string): NotifySendFeatures {
  return {
    actions: /--action\b/.test(help) && /--wait\b/.test(help),
    printId: /--print-id\b/.test(help),
    replaceId: /--replace-id\b/.test(help)
  }
}

function detectNotifySendFeatures(command: string, env: NodeJS.ProcessEnv): NotifySendFeatures {
  try {
    const help = execFileSync(command, ['--help'], { env, encoding: 'utf8', timeout: 5000 })
    return parseNotifySendHelp(help)
  } catch {
    // Missing or broken binary: show nothing fancy; notify() will report the failure per popup.
    return { actions: false, printId: false, replaceId: false }
  }
}
