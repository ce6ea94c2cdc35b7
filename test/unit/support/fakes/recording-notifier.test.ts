import { describe, expect, it } from 'vitest'

import { RecordingNotifier } from '../../../support/fakes/recording-notifier'
import type { NotificationRequest } from '../../../../main/core/ports'

const alert: NotificationRequest = {
  id: 'incident:1',
  title: 'Possible key takeover',
  body: 'Deribit acc-1',
  urgency: 'critical',
  actions: [{ id: 'kill-switch', label: 'Kill switch' }]
}

describe('RecordingNotifier', () => {
  it('records requests and lets the test choose an action', async () => {
    const notifier = new RecordingNotifier()
    const handle = notifier.notify(alert)
    expect(notifier.requests).toEqual([alert])
    expect(notifier.liveIds).toEqual(['incident:1'])

    notifier.choose('incident:1', 'kill-switch')
    await expect(handle.response).resolves.toBe('kill-switch')
    expect(notifier.notifications[0]!.outcome).toBe('kill-switch')
    expect(notifier.liveIds).toEqual([])
  })

  it('replaces same-id popups like a real desktop: one popup, one answer', async () => {
    const notifier = new RecordingNotifier()
    const first = notifier.notify(alert)
    const second = notifier.notify({ ...alert, body: 'countdown 10 s' })
    expect(notifier.liveIds).toEqual(['incident:1'])
    expect(notifier.shown('incident:1')?.request.body).toBe('countdown 10 s')

    first.close() // replaced: no effect
    notifier.choose('incident:1', 'default')
    await expect(second.response).resolves.toBe('default')
    await expect(first.response).resolves.toBe('default')
    expect(notifier.notifications[0]!.closedByCaller).toBe(false)
  })

  it('close() and dismiss() answer null; unknown ids and actions throw', async () => {
    const notifier = new RecordingNotifier()
    const closed = notifier.notify(alert)
    closed.close()
    await expect(closed.response).resolves.toBeNull()
    expect(notifier.notifications[0]!.closedByCaller).toBe(true)

    const dismissed = notifier.notify({ ...alert, id: 'other' })
    expect(() => notifier.choose('other', 'launch-missiles')).toThrow(/offers no action/)
    notifier.dismiss('other')
    await expect(dismissed.response).resolves.toBeNull()
    expect(() => notifier.choose('other', 'default')).toThrow(/no live notification/)
  })

  it('waitFor resolves with past or future notifications', async () => {
    const notifier = new RecordingNotifier({ supportsActions: false })
    notifier.notify(alert)
    await expect(notifier.waitFor((r) => r.id === 'incident:1')).resolves.toMatchObject({
      request: alert
    })
    const later = notifier.waitFor((r) => r.id === 'later')
    notifier.notify({ ...alert, id: 'later' })
    await expect(later).resolves.toMatchObject({ request: { id: 'later' } })
    expect(() => notifier.choose('later', 'kill-switch')).toThrow(/no action buttons/)
  })
})
