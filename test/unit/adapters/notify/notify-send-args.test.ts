import { describe, expect, it } from 'vitest'

import {
  buildNotifySendArgs,
  escapeMarkup,
  parseNotifySendHelp
} from '../../../../main/adapters/notify/notify-send'
import type { NotificationRequest } from '../../../../main/core/ports'

const request: NotificationRequest = {
  id: 'incident:1',
  title: '-r 5 looks like an option',
  body: 'IP <203.0.113.9> & "ASN"',
  urgency: 'critical',
  actions: [
    { id: 'kill-switch', label: 'Kill switch = now' },
    { id: 'snooze', label: 'Snooze' }
  ]
}
const base = {
  appName: 'Vigil',
  defaultActionLabel: 'Open',
  actions: true,
  printId: true,
  replaceId: null
}

describe('buildNotifySendArgs', () => {
  it('passes actions, a default body-click action, wait, app, urgency and the id flags', () => {
    expect(buildNotifySendArgs(request, { ...base, replaceId: 42 })).toEqual([
      '-A',
      'kill-switch=Kill switch = now',
      '-A',
      'snooze=Snooze',
      '-A',
      'default=Open',
      '--wait',
      '-a',
      'Vigil',
      '-u',
      'critical',
      '-p',
      '-r',
      '42',
      '--',
      '-r 5 looks like an option',
      'IP &lt;203.0.113.9&gt; &amp; "ASN"'
    ])
  })

  it("keeps the caller's own default action instead of adding one", () => {
    const args = buildNotifySendArgs(
      { ...request, actions: [{ id: 'default', label: 'Show alert' }] },
      base
    )
    expect(args.filter((a) => a.startsWith('default='))).toEqual(['default=Show alert'])
  })

  it('shows a plain popup when notify-send has no actions', () => {
    const args = buildNotifySendArgs(request, { ...base, actions: false, printId: false })
    expect(args).not.toContain('-A')
    expect(args).not.toContain('--wait')
    expect(args.slice(0, 4)).toEqual(['-a', 'Vigil', '-u', 'critical'])
  })

  it('doubles backslashes, which notify-send would otherwise unescape', () => {
    const args = buildNotifySendArgs({ ...request, body: 'C:\\new\\tab' }, base)
    expect(args.at(-1)).toBe('C:\\\\new\\\\tab')
  })

  it('refuses a blank label, which notify-send would drop with its button', () => {
    expect(() =>
      buildNotifySendArgs({ ...request, actions: [{ id: 'kill-switch', label: '  ' }] }, base)
    ).toThrow(/no label/)
  })

  it('refuses action ids that would not survive the id=label round trip', () => {
    expect(() =>
      buildNotifySendArgs({ ...request, actions: [{ id: 'a=b', label: 'x' }] }, base)
    ).toThrow(/action id/)
    expect(() =>
      buildNotifySendArgs({ ...request, actions: [{ id: 'two\nlines', label: 'x' }] }, base)
    ).toThrow(/action id/)
  })
})

describe('escapeMarkup', () => {
  it('turns markup from exchange data into text', () => {
    expect(escapeMarkup('<a href="https://evil">x</a> &amp;')).toBe(
      '&lt;a href="https://evil"&gt;x&lt;/a&gt; &amp;amp;'
    )
  })
})

describe('parseNotifySendHelp', () => {
  it('reads libnotify 0.8 help (actions, print-id, replace-id)', () => {
    const help = `Application Options:
  -u, --urgency=LEVEL   Specifies the urgency level (low, normal, critical).
  -p, --print-id        Print the notification ID.
  -r, --replace-id=REPLACE_ID  The ID of the notification to replace.
  -w, --wait            Wait for the notification to be closed before exiting.
  -A, --action=[NAME=]Text...  Specifies the actions to display to the user.`
    expect(parseNotifySendHelp(help)).toEqual({ actions: true, printId: true, replaceId: true })
  })

  it('reads an old libnotify without actions', () => {
    const help = `  -u, --urgency=LEVEL  Specifies the urgency level\n  -t, --expire-time=TIME  timeout`
    expect(parseNotifySendHelp(help)).toEqual({ actions: false, printId: false, replaceId: false })
  })
})
