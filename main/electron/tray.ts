/**
 * The tray: what Vigil is doing at a glance (icon and tooltip per state, with the reason) and the
 * few things a trader needs without opening the window, above all the kill switch.
 */
import { join } from 'node:path'

import { Menu, Tray, app, dialog, nativeImage, type MenuItemConstructorOptions } from 'electron'

import type { Status } from '../api/contract'
import type { Logger } from '../core/ports'
import type { Vigil } from '../core/vigil-types'

export type TrayState = Status['tray']

/** Plain-language name of each state, shown in the menu header and the tooltip. */
export const TRAY_STATE_LABELS: Record<TrayState, string> = {
  watching: 'Watching',
  learning: 'Learning your normal activity',
  alert: 'Alert',
  contained: 'Contained',
  paused: 'Paused',
  degraded: 'Degraded'
}

/** Icon file per state in `resources/tray/` (each with an @2x variant, drawn by generate.mjs). */
export const TRAY_ICON_FILES: Record<TrayState, string> = {
  watching: 'watching.png',
  learning: 'learning.png',
  alert: 'alert.png',
  contained: 'contained.png',
  paused: 'paused.png',
  degraded: 'degraded.png'
}

/** What the menu items do. The tray module supplies them; tests pass recorders. */
export interface TrayActions {
  open(): void
  /** Asks for confirmation, then fires the kill switch on every account. */
  killSwitchAll(): void
  pause(minutes: number): void
  resume(): void
  setOpenAtLogin(enabled: boolean): void
  quit(): void
}

export interface TrayMenuOptions {
  openAtLogin: boolean
  /** `app.setLoginItemSettings` works on macOS and Windows only. */
  loginItemSupported: boolean
}

/** The tooltip: state and the core's reason for it (e.g. "Deribit: login from a new country"). */
export function trayTooltip(status: Pick<Status, 'tray' | 'trayReason'>): string {
  const label = TRAY_STATE_LABELS[status.tray]
  return status.trayReason ? `Vigil: ${label}. ${status.trayReason}` : `Vigil: ${label}`
}

/**
 * The tray menu for a status. Pure (no Electron calls), so each state's menu is unit-tested.
 * Start at login is opt-in: it is off until the user ticks it.
 */
export function buildTrayMenuTemplate(
  status: Pick<Status, 'tray' | 'trayReason' | 'paused' | 'accounts'>,
  actions: TrayActions,
  options: TrayMenuOptions
): MenuItemConstructorOptions[] {
  const template: MenuItemConstructorOptions[] = [
    { id: 'state', label: `Vigil: ${TRAY_STATE_LABELS[status.tray]}`, enabled: false }
  ]
  if (status.trayReason) {
    template.push({ id: 'reason', label: status.trayReason, enabled: false })
  }
  template.push(
    { type: 'separator' },
    { id: 'open', label: 'Open Vigil', click: () => actions.open() },
    {
      id: 'kill-switch',
      label: 'Kill switch: all accounts…',
      // Nothing to cancel or revoke without an account.
      enabled: status.accounts > 0,
      click: () => actions.killSwitchAll()
    },
    { type: 'separator' }
  )
  if (status.paused) {
    template.push({ id: 'resume', label: 'Resume watching', click: () => actions.resume() })
  } else {
    template.push(
      { id: 'pause-15', label: 'Pause for 15 minutes', click: () => actions.pause(15) },
      { id: 'pause-60', label: 'Pause for 1 hour', click: () => actions.pause(60) }
    )
  }
  template.push({ type: 'separator' })
  if (options.loginItemSupported) {
    template.push(
      {
        id: 'open-at-login',
        label: 'Start at login',
        type: 'checkbox',
        checked: options.openAtLogin,
        click: (item) => actions.setOpenAtLogin(item.checked)
      },
      { type: 'separator' }
    )
  }
  template.push({ id: 'quit', label: 'Quit Vigil', click: () => actions.quit() })
  return template
}

/** Text of the kill-switch confirmation; the trader must know what cannot be undone. */
export function killSwitchConfirmation(accounts: number): Electron.MessageBoxOptions {
  const plural = accounts === 1 ? 'account' : 'accounts'
  return {
    type: 'warning',
    title: 'Kill switch',
    message: `Fire the kill switch on all ${accounts} ${plural}?`,
    detail:
      'Vigil will cancel every open order and revoke or disable the API keys where the ' +
      'exchange allows it. Keys that cannot be revoked over the API are no longer used, and ' +
      'you get the steps to finish by hand. This cannot be undone from Vigil.',
    buttons: ['Cancel', 'Fire kill switch'],
    defaultId: 0,
    cancelId: 0,
    noLink: true
  }
}

export interface TrayOptions {
  vigil: Pick<Vigil, 'handlers' | 'events' | 'status'>
  /** Folder holding the icons (`resources/tray`). */
  iconDir: string
  showWindow(): void
  quit(): void
  logger: Pick<Logger, 'error'>
  platform?: NodeJS.Platform
}

/** Creates the tray and keeps it in step with the core's 'status' events. Returns the disposer. */
export function setupTray({
  vigil,
  iconDir,
  showWindow,
  quit,
  logger,
  platform = process.platform
}: TrayOptions): () => void {
  const loginItemSupported = platform === 'darwin' || platform === 'win32'
  let status = vigil.status()
  const tray = new Tray(icon(status.tray))
  let iconState = status.tray
  let renderedKey = ''

  const actions: TrayActions = {
    open: showWindow,
    killSwitchAll: () => void fireKillSwitch(),
    pause: (minutes) => void run('pause', () => vigil.handlers.pause({ minutes })),
    // The contract's pause with 0 minutes ends a pause.
    resume: () => void run('resume', () => vigil.handlers.pause({ minutes: 0 })),
    setOpenAtLogin(enabled) {
      // `args` is for Windows; macOS reports a login launch through `wasOpenedAtLogin`.
      app.setLoginItemSettings({ openAtLogin: enabled, args: ['--hidden'] })
      render()
    },
    quit
  }

  function icon(state: TrayState): Electron.NativeImage {
    return nativeImage.createFromPath(join(iconDir, TRAY_ICON_FILES[state]))
  }

  function render(): void {
    const openAtLogin = loginItemSupported && app.getLoginItemSettings().openAtLogin
    // Status events can come every poll; rebuild only when what the tray shows has changed.
    const key = JSON.stringify([
      status.tray,
      status.trayReason,
      status.paused,
      status.accounts,
      openAtLogin
    ])
    if (key === renderedKey) return
    renderedKey = key
    if (status.tray !== iconState) {
      iconState = status.tray
      tray.setImage(icon(status.tray))
    }
    tray.setToolTip(trayTooltip(status))
    tray.setContextMenu(
      Menu.buildFromTemplate(
        buildTrayMenuTemplate(status, actions, { openAtLogin, loginItemSupported })
      )
    )
  }

  async function run(what: string, action: () => Promise<Status>): Promise<void> {
    try {
      status = await action()
      render()
    } catch (error) {
      logger.error(`tray: ${what} failed`, { error: String(error) })
    }
  }

  async function fireKillSwitch(): Promise<void> {
    const accounts = vigil.status().accounts
    const { response } = await dialog.showMessageBox(killSwitchConfirmation(accounts))
    if (response !== 1) return
    try {
      await vigil.handlers['killSwitch.fire']({ reason: 'Fired from the tray menu' })
    } catch (error) {
      dialog.showErrorBox('Kill switch failed', String(error))
    }
    // The report (what was cancelled, what is left to do by hand) is in the window.
    showWindow()
  }

  const off = vigil.events.on('status', (next) => {
    status = next
    render()
  })
  // Windows and some Linux trays open the window on a plain click.
  tray.on('click', showWindow)
  render()

  return () => {
    off()
    tray.destroy()
  }
}
