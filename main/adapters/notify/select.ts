import { existsSync } from 'node:fs'
import { join } from 'node:path'

import type { Logger, Notifier } from '../../core/ports'

import { ConsoleNotifier } from './console'
import { findExecutable } from './find-executable'
import { NodeNotifierNotifier } from './node-notifier'
import { NotifySendNotifier } from './notify-send'

export type NotifierKind = 'notify-send' | 'node-notifier' | 'console'

export interface PlatformNotifierOptions {
  logger: Logger
  /** Defaults to `process.platform`; tests pass others. */
  platform?: NodeJS.Platform
  /** Defaults to `process.env`; tests pass others. */
  env?: NodeJS.ProcessEnv
}

/**
 * Decides which notifier can reach the user on this machine, and why. Pure apart from looking
 * for executables and the D-Bus socket, so it is testable on any host.
 */
export function choosePlatformNotifier(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env
): { kind: NotifierKind; reason: string } {
  if (platform === 'darwin' || platform === 'win32') {
    return { kind: 'node-notifier', reason: `${platform} desktop` }
  }
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) {
    return {
      kind: 'console',
      reason: 'no desktop session (neither DISPLAY nor WAYLAND_DISPLAY is set)'
    }
  }
  // libdbus and GDBus fall back to $XDG_RUNTIME_DIR/bus when the variable is unset (systemd
  // user sessions), so that socket counts as a session bus too.
  const runtimeBus = env.XDG_RUNTIME_DIR ? join(env.XDG_RUNTIME_DIR, 'bus') : undefined
  if (!env.DBUS_SESSION_BUS_ADDRESS && !(runtimeBus && existsSync(runtimeBus))) {
    return { kind: 'console', reason: 'no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset)' }
  }
  if (!findExecutable('notify-send', env.PATH)) {
    return {
      kind: 'console',
      reason: 'notify-send is not installed (Debian/Ubuntu: apt-get install libnotify-bin)'
    }
  }
  return { kind: 'notify-send', reason: 'desktop session with notify-send' }
}

/**
 * The notifier for this machine: notify-send on a Linux desktop, node-notifier on macOS and
 * Windows, log lines anywhere else (headless servers). The choice and its reason are logged, so
 * a trader who gets no popups can see why.
 */
export function createPlatformNotifier(options: PlatformNotifierOptions): Notifier {
  const { logger } = options
  const platform = options.platform ?? process.platform
  const env = options.env ?? process.env
  const { kind, reason } = choosePlatformNotifier(platform, env)
  logger.info(`Notifications: ${kind} (${reason})`)
  switch (kind) {
    case 'notify-send':
      return new NotifySendNotifier({ logger, env })
    case 'node-notifier':
      return new NodeNotifierNotifier({ logger, platform })
    case 'console':
      return new ConsoleNotifier({ logger })
  }
}
