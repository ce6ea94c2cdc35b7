/**
 * A private desktop notification session for tests: its own `dbus-daemon --session` whose
 * D-Bus-activated dunst reads a dunstrc of the test's own, so every test gets a fresh dunst with
 * an empty history and one test's popups cannot leak into another's counts. Needs DISPLAY (Xvfb).
 *
 * dunstctl facts relied on (dunst 1.9):
 * - `dunstctl action N` acts on the N-th displayed notification: its default action, or its only
 *   action when there is no default, or else the context menu.
 * - `dunstctl context` opens the context menu through the `dmenu` command from dunstrc, which gets
 *   lines like `#Kill switch (title) [7,kill-switch]` and prints the chosen one; our stand-in
 *   `dmenu` picks the line of the action id written with `want()`.
 * - `dunstctl history` lists only *closed* notifications, hence `close-all` before reading it.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'

import { findExecutable } from '../../main/adapters/notify/find-executable'

/** Why a dunst test cannot run here, or an empty list when it can. */
export const dunstMissing = (): string[] =>
  [
    !process.env.DISPLAY && 'DISPLAY (run under xvfb-run)',
    !process.env.DBUS_SESSION_BUS_ADDRESS &&
      'DBUS_SESSION_BUS_ADDRESS (run under dbus-run-session)',
    ...['notify-send', 'dunst', 'dunstctl', 'dbus-daemon', 'stdbuf']
      .filter((tool) => !findExecutable(tool))
      .map((tool) => `${tool} on PATH (apt-get install libnotify-bin dunst dbus coreutils)`)
  ].filter((reason): reason is string => Boolean(reason))

export interface DunstSession {
  dir: string
  env: NodeJS.ProcessEnv
  bus: ChildProcess
  dunstctl(...args: string[]): string
  displayed(): number
  /** The closed notifications dunst remembers, newest first. */
  history(): Array<{ summary: string; body: string }>
  /** Which action id the context-menu stand-in will choose next. */
  want(actionId: string): void
  stop(): Promise<void>
}

export async function startDunstSession(): Promise<DunstSession> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-dunst-'))
  mkdirSync(join(dir, 'config', 'dunst'), { recursive: true })
  const pick = join(dir, 'pick.sh')
  writeFileSync(
    pick,
    `#!/bin/sh\ncat > "${dir}/menu.txt"\ngrep -F -- ",$(cat "${dir}/want")]" "${dir}/menu.txt" | head -n 1\n`
  )
  chmodSync(pick, 0o755)
  writeFileSync(
    join(dir, 'config', 'dunst', 'dunstrc'),
    `[global]\n    dmenu = ${pick}\n\n[urgency_low]\n    timeout = 1\n`
  )
  const bus = spawn('dbus-daemon', ['--session', '--nofork', '--print-address=1'], {
    env: { ...process.env, XDG_CONFIG_HOME: join(dir, 'config') },
    stdio: ['ignore', 'pipe', 'ignore']
  })
  const address = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: bus.stdout! })
    lines.once('line', (line) => resolve(line.trim()))
    bus.once('error', reject)
    bus.once('exit', (code) => reject(new Error(`dbus-daemon exited early (${code})`)))
  })
  const env = { ...process.env, DBUS_SESSION_BUS_ADDRESS: address }
  const dunstctl = (...args: string[]) =>
    execFileSync('dunstctl', args, { env, encoding: 'utf8' }).trim()
  return {
    dir,
    env,
    bus,
    dunstctl,
    displayed: () => Number(dunstctl('count', 'displayed')),
    history: () => {
      const parsed = JSON.parse(dunstctl('history')) as {
        data: Array<Array<{ summary: { data: string }; body: { data: string } }>>
      }
      return parsed.data.flat().map((n) => ({ summary: n.summary.data, body: n.body.data }))
    },
    want: (actionId) => writeFileSync(join(dir, 'want'), actionId),
    async stop() {
      bus.kill('SIGTERM')
      await new Promise((resolve) => bus.once('exit', resolve))
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

export async function waitFor(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
