/**
 * NotifySendNotifier against a real notification server: dunst under Xvfb.
 *
 *   xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- npx vitest run test/integration/adapters
 *
 * Isolation: every test starts its own private D-Bus session daemon (plain `dbus-daemon
 * --session`) and points notify-send and dunstctl at it. dunst is never started by hand: D-Bus
 * activates it on the test's first notification, with XDG_CONFIG_HOME (inherited from our
 * dbus-daemon) pointing at a dunstrc of the test's own. So every test gets a fresh dunst with an
 * empty history, and one test's popups cannot leak into another's counts.
 *
 * dunstctl facts these tests rely on (dunst 1.9):
 * - `dunstctl action N` acts on the N-th displayed notification: it invokes its default action,
 *   or its only action when there is no default, or else opens the context menu.
 * - `dunstctl context` opens the context menu through the `dmenu` command from dunstrc, which
 *   gets lines like `#Kill switch (title) [7,kill-switch]` and prints the chosen one.
 * - `dunstctl history` lists only *closed* notifications, hence `close-all` before reading it.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import type { LogFields, Logger, NotificationRequest } from '../../../main/core/ports'
import {
  NotifySendNotifier,
  type NotifySendOptions
} from '../../../main/adapters/notify/notify-send'
import {
  dunstMissing,
  startDunstSession,
  waitFor,
  type DunstSession
} from '../../support/dunst-session'

const missing = dunstMissing()
const SKIP_REASON = `missing ${missing.join(', ')}`
if (missing.length) console.warn(`[notify-send.test] skipped: ${SKIP_REASON}`)

let session: DunstSession
const notifiers: NotifySendNotifier[] = []

const dunstctl = (...args: string[]): string => session.dunstctl(...args)
const displayed = (): number => session.displayed()
const history = (): Array<{ summary: string; body: string }> => session.history()
const historyTitles = (): string[] => history().map((n) => n.summary)

function notifier(options: NotifySendOptions = {}): NotifySendNotifier {
  const created = new NotifySendNotifier({ env: session.env, ...options })
  notifiers.push(created)
  return created
}

const alert = (over: Partial<NotificationRequest> = {}): NotificationRequest => ({
  id: 'incident:acc-1:key-takeover',
  title: 'Vigil: possible key takeover',
  body: 'Deribit acc-1: new API key created from 203.0.113.9 <unknown ASN> & withdrawals enabled',
  urgency: 'critical',
  actions: [
    { id: 'kill-switch', label: 'Kill switch' },
    { id: 'snooze', label: 'Snooze 10 min' }
  ],
  ...over
})

describe.skipIf(missing.length > 0)(
  `NotifySendNotifier with dunst${missing.length ? ` (skipped: ${SKIP_REASON})` : ''}`,
  () => {
    beforeEach(async () => {
      session = await startDunstSession()
    })

    afterEach(async () => {
      for (const n of notifiers.splice(0)) n.closeAll()
      // Our own dbus-daemon; dunst loses its bus and exits with it.
      await session.stop()
    })

    it('shows the popup; after close-all, dunst history has the title and the response is null', async () => {
      const body = 'Key C:\\keys\\new from <203.0.113.9> & "AS64500"'
      const handle = notifier().notify(alert({ title: 'Vigil: shown popup', body }))
      await waitFor(() => displayed() === 1, 'the popup')

      dunstctl('close-all')
      await expect(handle.response).resolves.toBeNull()
      // The body arrives as written (markup escaped as text, backslashes intact).
      expect(history()).toEqual([
        {
          summary: 'Vigil: shown popup',
          body: 'Key C:\\keys\\new from &lt;203.0.113.9&gt; &amp; "AS64500"'
        }
      ])
    })

    it('declares action support', () => {
      expect(notifier().supportsActions).toBe(true)
    })

    it('dunstctl action 0 runs the default action, which answers "default" (a body click)', async () => {
      const handle = notifier().notify(alert())
      await waitFor(() => displayed() === 1, 'the popup')

      dunstctl('action', '0')
      await expect(handle.response).resolves.toBe('default')
      await waitFor(() => displayed() === 0, 'the popup to go')
    })

    it('resolves with the id of the action button the user picked', async () => {
      writeFileSync(join(session.dir, 'want'), 'kill-switch')
      const handle = notifier().notify(alert())
      await waitFor(() => displayed() === 1, 'the popup')

      dunstctl('context')
      await expect(handle.response).resolves.toBe('kill-switch')
      const menu = readFileSync(join(session.dir, 'menu.txt'), 'utf8')
      expect(menu).toContain('#Kill switch')
      expect(menu).toContain('#Snooze 10 min')
    })

    it('replaces a live popup with the same id in place instead of stacking', async () => {
      const n = notifier()
      const first = n.notify(alert({ title: 'Vigil: countdown 30 s' }))
      await waitFor(() => displayed() === 1, 'the first popup')
      const second = n.notify(alert({ title: 'Vigil: countdown 20 s' }))
      const third = n.notify(alert({ title: 'Vigil: countdown 10 s' }))

      // Give the replacements time to land; a stacked popup would show up as 2 or 3 here.
      const deadline = Date.now() + 1000
      while (Date.now() < deadline) {
        expect(displayed()).toBe(1)
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      first.close() // a replaced handle no longer owns the popup: no effect
      expect(displayed()).toBe(1)

      dunstctl('action', '0')
      // One popup, one answer: every handle for this id gets it.
      await expect(third.response).resolves.toBe('default')
      await expect(second.response).resolves.toBe('default')
      await expect(first.response).resolves.toBe('default')

      // Replaced in place: only the last text was ever closed, so only it reaches the history.
      dunstctl('close-all')
      const titles = historyTitles()
      expect(titles).toContain('Vigil: countdown 10 s')
      expect(titles).not.toContain('Vigil: countdown 30 s')
    })

    it('without -r support (close-and-show) still keeps a single popup per id', async () => {
      const n = notifier({ replace: 'close-and-show' })
      const first = n.notify(alert({ title: 'Vigil: old text' }))
      await waitFor(() => displayed() === 1, 'the first popup')
      const second = n.notify(alert({ title: 'Vigil: new text' }))

      // The old popup is closed first, so dunst files it in its history.
      await waitFor(() => historyTitles().includes('Vigil: old text'), 'the old popup to close')
      await waitFor(() => displayed() === 1, 'the new popup')
      dunstctl('action', '0')
      await expect(second.response).resolves.toBe('default')
      await expect(first.response).resolves.toBe('default')
    })

    it('close() takes the popup down and resolves null', async () => {
      const handle = notifier().notify(alert({ title: 'Vigil: to close' }))
      await waitFor(() => displayed() === 1, 'the popup')

      handle.close()
      await expect(handle.response).resolves.toBeNull()
      await waitFor(() => displayed() === 0, 'the popup to go')
      expect(historyTitles()).toContain('Vigil: to close')
    })

    it('a popup that expires resolves null', async () => {
      // Our dunstrc expires low-urgency popups after 1 s.
      const handle = notifier().notify(alert({ urgency: 'low', actions: [] }))
      await expect(handle.response).resolves.toBeNull()
      expect(displayed()).toBe(0)
    })

    it('shows a notification without actions and lets a click open the app', async () => {
      const handle = notifier().notify(
        alert({ id: 'info', title: 'Vigil: poll recovered', urgency: 'normal', actions: undefined })
      )
      await waitFor(() => displayed() === 1, 'the popup')
      dunstctl('action', '0')
      await expect(handle.response).resolves.toBe('default')
    })

    it('reports a missing notification server as null with a warning, not a crash', async () => {
      const warnings: Array<[string, LogFields | undefined]> = []
      const logger: Logger = {
        debug() {},
        info() {},
        warn: (message, fields) => warnings.push([message, fields]),
        error() {}
      }
      const handle = notifier({
        logger,
        env: { ...session.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/vigil-no-bus' }
      }).notify(alert())
      await expect(handle.response).resolves.toBeNull()
      expect(warnings).toHaveLength(1)
      expect(warnings[0]![0]).toBe(
        'No notification server answered; the notification was not shown'
      )
      expect(warnings[0]![1]).toMatchObject({ id: 'incident:acc-1:key-takeover' })
    })
  }
)
