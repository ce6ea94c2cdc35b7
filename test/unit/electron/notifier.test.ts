import { beforeEach, describe, expect, it, vi } from 'vitest'

import type { NotificationRequest } from '../../../main/core/ports'
import { createElectronNotifier, notificationRoute } from '../../../main/electron/notifier'
import { Notification, resetElectronMock } from '../../support/mocks/electron'

vi.mock('electron', () => import('../../support/mocks/electron'))

const alert: NotificationRequest = {
  id: 'inc-42',
  title: 'Login from a new country',
  body: 'Deribit main: login from 203.0.113.9 (NL)',
  urgency: 'critical',
  actions: [
    { id: 'kill-switch', label: 'Kill switch now' },
    { id: 'dismiss', label: 'This is me' }
  ]
}

let activated: NotificationRequest[]

beforeEach(() => {
  resetElectronMock()
  activated = []
})

const notifierFor = (platform: NodeJS.Platform) =>
  createElectronNotifier({ onActivate: (request) => activated.push(request), platform })

describe('notificationRoute', () => {
  it('opens the incident a notification is about', () => {
    expect(notificationRoute('inc-42')).toBe('/alerts/inc-42')
    expect(notificationRoute('inc-42-followup')).toBe('/alerts/inc-42')
    expect(notificationRoute('a/b?c#d')).toBe('/alerts/a%2Fb%3Fc%23d')
  })
})

describe('createElectronNotifier', () => {
  it('shows a native notification that stays up while critical', () => {
    notifierFor('darwin').notify(alert)
    const [shown] = Notification.visible()
    expect(shown.title).toBe(alert.title)
    expect(shown.body).toBe(alert.body)
    expect(shown.options.urgency).toBe('critical')
    expect(shown.options.timeoutType).toBe('never')
  })

  it('a click on the body answers "default" and opens the window on the alert', async () => {
    const handle = notifierFor('linux').notify(alert)
    Notification.visible()[0].click()
    expect(await handle.response).toBe('default')
    expect(activated.map((r) => notificationRoute(r.id))).toEqual(['/alerts/inc-42'])
  })

  it('offers the kill-switch button on macOS and Windows and answers with its id', async () => {
    for (const platform of ['darwin', 'win32'] as const) {
      resetElectronMock()
      const notifier = notifierFor(platform)
      expect(notifier.supportsActions).toBe(true)
      const handle = notifier.notify(alert)
      const [shown] = Notification.visible()
      expect(shown.actions).toEqual([
        { type: 'button', text: 'Kill switch now' },
        { type: 'button', text: 'This is me' }
      ])
      shown.pressAction(0)
      expect(await handle.response).toBe('kill-switch')
    }
  })

  it('shows no buttons on Linux and says so', () => {
    const notifier = notifierFor('linux')
    expect(notifier.supportsActions).toBe(false)
    notifier.notify(alert)
    expect(Notification.visible()[0].actions).toEqual([])
  })

  it('answers null when the user dismisses it', async () => {
    const handle = notifierFor('darwin').notify(alert)
    Notification.visible()[0].dismiss()
    expect(await handle.response).toBeNull()
    expect(activated).toEqual([])
  })

  it('replaces a notification with the same id instead of stacking another', async () => {
    const notifier = notifierFor('linux')
    const first = notifier.notify(alert)
    const second = notifier.notify({ ...alert, body: 'Now 3 logins' })
    expect(await first.response).toBeNull()
    expect(Notification.visible().map((n) => n.body)).toEqual(['Now 3 logins'])
    expect(Notification.instances.map((n) => n.id)).toEqual(['inc-42', 'inc-42'])

    // The replaced handle no longer owns the popup: closing it leaves the new one up.
    first.close()
    expect(Notification.visible().map((n) => n.body)).toEqual(['Now 3 logins'])
    second.close()
    expect(Notification.visible()).toEqual([])
    expect(await second.response).toBeNull()
  })

  it('keeps notifications with different ids side by side', () => {
    const notifier = notifierFor('linux')
    notifier.notify(alert)
    notifier.notify({ ...alert, id: 'inc-42-followup', title: 'Vigil kill-switch fired' })
    expect(Notification.visible().map((n) => n.id)).toEqual(['inc-42', 'inc-42-followup'])
  })
})
