import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { describe, expect, it } from 'vitest'

import { ConsoleNotifier } from '../../../../main/adapters/notify/console'
import { NodeNotifierNotifier } from '../../../../main/adapters/notify/node-notifier'
import { NotifySendNotifier } from '../../../../main/adapters/notify/notify-send'
import {
  choosePlatformNotifier,
  createPlatformNotifier
} from '../../../../main/adapters/notify/select'
import { silentLogger } from '../../../../main/core/ports'

/** A PATH directory holding an executable `notify-send` that prints libnotify 0.8's help. */
function pathWithNotifySend(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-path-'))
  const script = join(dir, 'notify-send')
  writeFileSync(
    script,
    '#!/bin/sh\necho "  -A, --action=[NAME=]Text...  -w, --wait  -p, --print-id  -r, --replace-id=ID"\n'
  )
  chmodSync(script, 0o755)
  return dir
}

const emptyPath = mkdtempSync(join(tmpdir(), 'vigil-empty-path-'))
const desktop = {
  DISPLAY: ':99',
  DBUS_SESSION_BUS_ADDRESS: 'unix:path=/tmp/bus',
  PATH: pathWithNotifySend()
}

describe('choosePlatformNotifier', () => {
  it('uses notify-send on a Linux desktop with D-Bus and notify-send', () => {
    expect(choosePlatformNotifier('linux', desktop).kind).toBe('notify-send')
    expect(
      choosePlatformNotifier('linux', {
        ...desktop,
        DISPLAY: undefined,
        WAYLAND_DISPLAY: 'wayland-0'
      }).kind
    ).toBe('notify-send')
  })

  it('counts $XDG_RUNTIME_DIR/bus as a session bus', () => {
    const runtime = mkdtempSync(join(tmpdir(), 'vigil-runtime-'))
    mkdirSync(join(runtime, 'bus'))
    const env = { ...desktop, DBUS_SESSION_BUS_ADDRESS: undefined, XDG_RUNTIME_DIR: runtime }
    expect(choosePlatformNotifier('linux', env).kind).toBe('notify-send')
  })

  it('falls back to the console and says why', () => {
    expect(choosePlatformNotifier('linux', { ...desktop, DISPLAY: undefined })).toEqual({
      kind: 'console',
      reason: 'no desktop session (neither DISPLAY nor WAYLAND_DISPLAY is set)'
    })
    expect(
      choosePlatformNotifier('linux', { ...desktop, DBUS_SESSION_BUS_ADDRESS: undefined }).reason
    ).toMatch(/no D-Bus session bus/)
    expect(choosePlatformNotifier('linux', { ...desktop, PATH: emptyPath }).reason).toMatch(
      /apt-get install libnotify-bin/
    )
    expect(choosePlatformNotifier('freebsd', {}).kind).toBe('console')
  })

  it('uses node-notifier on macOS and Windows', () => {
    expect(choosePlatformNotifier('darwin', {}).kind).toBe('node-notifier')
    expect(choosePlatformNotifier('win32', {}).kind).toBe('node-notifier')
  })
})

describe('createPlatformNotifier', () => {
  it('builds the chosen notifier and logs the choice', () => {
    const infos: string[] = []
    const logger = { ...silentLogger, info: (message: string) => infos.push(message) }
    expect(createPlatformNotifier({ logger, platform: 'linux', env: desktop })).toBeInstanceOf(
      NotifySendNotifier
    )
    expect(createPlatformNotifier({ logger, platform: 'darwin', env: {} })).toBeInstanceOf(
      NodeNotifierNotifier
    )
    expect(createPlatformNotifier({ logger, platform: 'linux', env: {} })).toBeInstanceOf(
      ConsoleNotifier
    )
    expect(infos).toEqual([
      'Notifications: notify-send (desktop session with notify-send)',
      'Notifications: node-notifier (darwin desktop)',
      'Notifications: console (no desktop session (neither DISPLAY nor WAYLAND_DISPLAY is set))'
    ])
  })
})
