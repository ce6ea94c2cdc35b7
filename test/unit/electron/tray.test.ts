import { existsSync } from 'node:fs'
import { resolve } from 'node:path'

import { beforeEach, describe, expect, it, vi } from 'vitest'

import type { Status } from '../../../main/api/contract'
import {
  TRAY_ICON_FILES,
  buildTrayMenuTemplate,
  setupTray,
  trayTooltip,
  type TrayActions
} from '../../../main/electron/tray'
import { Menu, Tray, app, dialog, resetElectronMock } from '../../support/mocks/electron'
import { createFakeVigil, sampleStatus } from '../../support/mocks/fake-vigil'

vi.mock('electron', () => import('../../support/mocks/electron'))

const ICON_DIR = resolve('resources/tray')
const STATES: Status['tray'][] = [
  'watching',
  'learning',
  'alert',
  'contained',
  'paused',
  'degraded'
]

/** Records which action each menu item triggers. */
function recordingActions(): TrayActions & { log: string[] } {
  const log: string[] = []
  return {
    log,
    open: () => log.push('open'),
    killSwitchAll: () => log.push('kill-switch'),
    pause: (minutes) => log.push(`pause ${minutes}`),
    resume: () => log.push('resume'),
    setOpenAtLogin: (enabled) => log.push(`login ${enabled}`),
    quit: () => log.push('quit')
  }
}

const menuFor = (status: Status, openAtLogin = false, loginItemSupported = true) => {
  const actions = recordingActions()
  const menu = Menu.buildFromTemplate(
    buildTrayMenuTemplate(status, actions, { openAtLogin, loginItemSupported }) as never
  )
  return { menu, actions }
}

const ids = (menu: Menu) => menu.items.filter((i) => i.id).map((i) => i.id)

beforeEach(() => resetElectronMock())

describe('tray icons', () => {
  it('ships a 1x and @2x icon for every state', () => {
    for (const state of STATES) {
      const file = resolve(ICON_DIR, TRAY_ICON_FILES[state])
      expect(existsSync(file), file).toBe(true)
      expect(existsSync(file.replace(/\.png$/, '@2x.png')), file).toBe(true)
    }
  })
})

describe('buildTrayMenuTemplate', () => {
  it.each(STATES)('%s: header names the state and gives the reason', (tray) => {
    const reason = `reason for ${tray}`
    const { menu } = menuFor(sampleStatus({ tray, trayReason: reason, paused: tray === 'paused' }))
    const header = menu.getMenuItemById('state')
    expect(header?.label).toMatch(/^Vigil: /)
    expect(header?.enabled).toBe(false)
    expect(menu.getMenuItemById('reason')?.label).toBe(reason)
    expect(ids(menu)).toContain('open')
    expect(ids(menu)).toContain('kill-switch')
    expect(ids(menu)).toContain('quit')
  })

  it('offers pause for 15 min and 1 h while watching, and resume while paused', () => {
    const watching = menuFor(sampleStatus())
    expect(ids(watching.menu)).toEqual(expect.arrayContaining(['pause-15', 'pause-60']))
    expect(ids(watching.menu)).not.toContain('resume')
    watching.menu.getMenuItemById('pause-15')?.click()
    watching.menu.getMenuItemById('pause-60')?.click()
    expect(watching.actions.log).toEqual(['pause 15', 'pause 60'])

    const paused = menuFor(sampleStatus({ tray: 'paused', paused: true }))
    expect(ids(paused.menu)).toContain('resume')
    expect(ids(paused.menu)).not.toContain('pause-15')
    paused.menu.getMenuItemById('resume')?.click()
    expect(paused.actions.log).toEqual(['resume'])
  })

  it('routes open, kill switch and quit to their actions', () => {
    const { menu, actions } = menuFor(sampleStatus({ tray: 'alert' }))
    for (const id of ['open', 'kill-switch', 'quit']) menu.getMenuItemById(id)?.click()
    expect(actions.log).toEqual(['open', 'kill-switch', 'quit'])
  })

  it('disables the kill switch when there is no account', () => {
    const { menu, actions } = menuFor(sampleStatus({ accounts: 0 }))
    const item = menu.getMenuItemById('kill-switch')
    expect(item?.enabled).toBe(false)
    item?.click()
    expect(actions.log).toEqual([])
  })

  it('start at login is an opt-in checkbox, and absent where unsupported (Linux)', () => {
    const off = menuFor(sampleStatus(), false)
    const item = off.menu.getMenuItemById('open-at-login')
    expect(item?.type).toBe('checkbox')
    expect(item?.checked).toBe(false)
    item?.click()
    expect(off.actions.log).toEqual(['login true'])

    expect(menuFor(sampleStatus(), true).menu.getMenuItemById('open-at-login')?.checked).toBe(true)
    expect(ids(menuFor(sampleStatus(), false, false).menu)).not.toContain('open-at-login')
  })

  it('the tooltip says why', () => {
    expect(trayTooltip({ tray: 'degraded', trayReason: 'Binance: rate-limited' })).toBe(
      'Vigil: Degraded. Binance: rate-limited'
    )
    expect(trayTooltip({ tray: 'watching', trayReason: '' })).toBe('Vigil: Watching')
  })
})

describe('setupTray', () => {
  const setup = (platform: NodeJS.Platform = 'darwin') => {
    const vigil = createFakeVigil()
    const log: string[] = []
    const errors: string[] = []
    const dispose = setupTray({
      vigil,
      iconDir: ICON_DIR,
      showWindow: () => log.push('show'),
      quit: () => log.push('quit'),
      logger: { error: (message) => errors.push(message) },
      platform
    })
    const tray = Tray.instances[0]
    const item = (id: string) => tray.contextMenu?.getMenuItemById(id)
    return { vigil, log, errors, dispose, tray, item }
  }

  it('shows the icon and tooltip of the current state', () => {
    const { tray } = setup()
    expect(tray.image.path).toBe(resolve(ICON_DIR, 'watching.png'))
    expect(tray.image.isEmpty()).toBe(false)
    expect(tray.toolTip).toBe('Vigil: Watching. Watching 2 accounts')
  })

  it('follows status events: icon, tooltip and menu', () => {
    const { tray, vigil } = setup()
    vigil.setStatus({ tray: 'alert', trayReason: 'Deribit: API key created from a new IP' })
    expect(tray.image.path).toBe(resolve(ICON_DIR, 'alert.png'))
    expect(tray.toolTip).toBe('Vigil: Alert. Deribit: API key created from a new IP')
    expect(tray.contextMenu?.getMenuItemById('reason')?.label).toBe(
      'Deribit: API key created from a new IP'
    )
  })

  it('does not rebuild the menu when nothing it shows has changed', () => {
    const { tray, vigil } = setup()
    const menu = tray.contextMenu
    vigil.setStatus({ openIncidents: 0 })
    expect(tray.contextMenu).toBe(menu)
  })

  it('pauses and resumes through the core', async () => {
    const { vigil, item, tray } = setup()
    item('pause-15')?.click()
    await vi.waitFor(() => expect(tray.image.path).toBe(resolve(ICON_DIR, 'paused.png')))
    tray.contextMenu?.getMenuItemById('resume')?.click()
    await vi.waitFor(() => expect(tray.image.path).toBe(resolve(ICON_DIR, 'watching.png')))
    expect(vigil.calls).toEqual([
      { method: 'pause', input: { minutes: 15 } },
      { method: 'pause', input: { minutes: 0 } }
    ])
  })

  it('asks before firing the kill switch, and does nothing on Cancel', async () => {
    const { vigil, item } = setup()
    item('kill-switch')?.click()
    await vi.waitFor(() => expect(dialog.messageBoxes).toHaveLength(1))
    expect(dialog.messageBoxes[0].message).toBe('Fire the kill switch on all 2 accounts?')
    expect(dialog.messageBoxes[0].cancelId).toBe(0)
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(vigil.calls).toEqual([])
  })

  it('fires the kill switch on every account once confirmed, then shows the report', async () => {
    const { vigil, item, log } = setup()
    dialog.responses.push(1)
    item('kill-switch')?.click()
    await vi.waitFor(() => expect(log).toEqual(['show']))
    expect(vigil.calls).toEqual([
      { method: 'killSwitch.fire', input: { reason: 'Fired from the tray menu' } }
    ])
  })

  it('turns start at login on and off', () => {
    const { item } = setup('win32')
    item('open-at-login')?.click()
    expect(app.loginItemSettings.openAtLogin).toBe(true)
    expect(item('open-at-login')?.checked).toBe(true)
    item('open-at-login')?.click()
    expect(app.loginItemSettings.openAtLogin).toBe(false)
  })

  it('opens the window on a click on the icon, and quits from the menu', () => {
    const { tray, item, log } = setup()
    tray.emit('click')
    item('quit')?.click()
    expect(log).toEqual(['show', 'quit'])
  })

  it('dispose removes the icon and stops following status', () => {
    const { tray, vigil, dispose } = setup()
    dispose()
    expect(tray.isDestroyed()).toBe(true)
    vigil.setStatus({ tray: 'alert' })
    expect(tray.image.path).toBe(resolve(ICON_DIR, 'watching.png'))
  })
})
