/**
 * The composition root, booted against the electron mock with the core replaced by the fake:
 * single-instance behaviour, start-up order, notification routing and a clean quit.
 */
import { resolve } from 'node:path'

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import type { VigilDeps } from '../../../main/core/vigil-types'
import type * as ElectronMock from '../../support/mocks/electron'
import type { FakeVigil } from '../../support/mocks/fake-vigil'

vi.mock('electron', () => import('../../support/mocks/electron'))

const boot = vi.hoisted(() => ({
  deps: null as VigilDeps | null,
  vigil: null as FakeVigil | null,
  keychainOk: true,
  errors: [] as string[]
}))

// Record the shell's log instead of writing to stderr.
vi.mock('../../../main/adapters/log/console-logger', () => ({
  createConsoleLogger: () => ({
    debug() {},
    info() {},
    warn() {},
    error: (message: string) => boot.errors.push(message)
  })
}))

vi.mock('../../../main/core/vigil', async () => {
  const { createFakeVigil } = await import('../../support/mocks/fake-vigil')
  return {
    createVigil: async (deps: VigilDeps) => {
      boot.deps = deps
      boot.vigil = createFakeVigil()
      return boot.vigil
    }
  }
})
vi.mock('../../../main/core/secrets/keyring-store', () => ({
  KeyringSecretStore: class {
    async verify(): Promise<void> {
      if (!boot.keychainOk) throw new Error('The OS keychain is locked.')
    }
  }
}))
vi.mock('../../../main/core/exchanges/ccxt-factory', () => ({
  createCcxtFactory: () => ({
    create: async () => {
      throw new Error('no exchanges in this test')
    }
  })
}))

let electron: typeof ElectronMock

/** Loads main/electron/index.ts afresh, as a new process would, on a fresh electron mock. */
async function launch(options: { lockAvailable?: boolean } = {}): Promise<void> {
  vi.resetModules()
  // The same module instance index.ts gets for 'electron' (the mock registry outlives the reset).
  electron = (await import('electron')) as unknown as typeof ElectronMock
  electron.resetElectronMock()
  electron.app.singleInstanceLockAvailable = options.lockAvailable ?? true
  await import('../../../main/electron/index')
}

async function launchReady(beforeReady?: () => void): Promise<ElectronMock.BrowserWindow> {
  await launch()
  beforeReady?.()
  electron.app.becomeReady()
  await vi.waitFor(() => expect(boot.vigil?.lifecycle).toEqual(['started']))
  const [window] = electron.BrowserWindow.instances
  return window
}

const DATA_DIR = resolve('/tmp/vigil-electron-index-test')

beforeEach(() => {
  boot.deps = null
  boot.vigil = null
  boot.keychainOk = true
  boot.errors = []
  process.env.VIGIL_DATA_DIR = DATA_DIR
})
afterEach(() => {
  delete process.env.VIGIL_DATA_DIR
})

describe('single instance', () => {
  it('a second Vigil quits at once and starts nothing', async () => {
    await launch({ lockAvailable: false })
    expect(electron.app.quitRequested).toBe(true)
    electron.app.becomeReady()
    await new Promise((r) => setTimeout(r, 20))
    expect(boot.deps).toBeNull()
    expect(electron.BrowserWindow.instances).toEqual([])
    expect(electron.Tray.instances).toEqual([])
  })

  it('launching again brings the running window forward', async () => {
    const window = await launchReady()
    window.hide()
    electron.app.launchSecondInstance()
    expect(window.isVisible()).toBe(true)
    expect(window.isFocused()).toBe(true)
  })
})

describe('start-up', () => {
  it('refuses to start under test without VIGIL_DATA_DIR', async () => {
    delete process.env.VIGIL_DATA_DIR
    await launch()
    expect(electron.app.exitCode).toBe(1)
    expect(boot.errors).toEqual(['refusing to start under test without VIGIL_DATA_DIR'])
    electron.app.becomeReady()
    await new Promise((r) => setTimeout(r, 20))
    expect(boot.deps).toBeNull()
    expect(electron.app.hasSingleInstanceLock).toBe(false)
  })

  it('wires the core with VIGIL_DATA_DIR as user data, the shipped rules and electron mode', async () => {
    await launchReady()
    const deps = boot.deps!
    // userData holds the Chromium profile and the single-instance lock too.
    expect(electron.app.getPath('userData')).toBe(DATA_DIR)
    expect(deps.dataDir).toBe(DATA_DIR)
    expect(deps.mode).toBe('electron')
    expect(deps.rulesDir).toBe(resolve('resources/rules'))
    expect(deps.notifier.supportsActions).toBe(process.platform !== 'linux')
  })

  it('hardens the window, and registers IPC and the tray before creating it', async () => {
    let readyBeforeWindow: boolean | null = null
    const window = await launchReady(() =>
      electron.app.on('web-contents-created', () => {
        readyBeforeWindow ??=
          electron.ipcMain.handlers.has('vigil:call') && electron.Tray.instances.length === 1
      })
    )
    expect(readyBeforeWindow).toBe(true)
    expect(electron.ipcMain.handlers.has('vigil:call')).toBe(true)
    expect(electron.Tray.instances).toHaveLength(1)
    expect(electron.Tray.instances[0].image.isEmpty()).toBe(false)
    expect(window.options).toMatchObject({
      webPreferences: { contextIsolation: true, sandbox: true, nodeIntegration: false }
    })
    expect(window.webContents.navigate('https://evil.example/')).toBe(false)
    expect(window.webContents.openWindow('https://evil.example/')).toBe('deny')
    expect(await electron.session.defaultSession.requestPermission('media')).toBe(false)
    expect(window.webContents.getURL()).toMatch(/^file:.*\/renderer\/index\.html$/)
  })

  it('warns when the keychain cannot be used, and keeps running', async () => {
    boot.keychainOk = false
    await launchReady()
    await vi.waitFor(() => expect(electron.dialog.messageBoxes).toHaveLength(1))
    expect(electron.dialog.messageBoxes[0].detail).toBe('The OS keychain is locked.')
    expect(boot.errors).toEqual(['keychain check failed'])
    expect(electron.app.quitRequested).toBe(false)
  })
})

describe('notifications', () => {
  it('a click opens the window on the incident', async () => {
    const window = await launchReady()
    boot.deps!.notifier.notify({ id: 'inc-9', title: 't', body: 'b', urgency: 'critical' })
    electron.Notification.visible()[0].click()
    expect(window.isVisible()).toBe(true)
    expect(window.webContents.getURL()).toMatch(/index\.html#\/alerts\/inc-9$/)
  })
})

describe('quit', () => {
  it('stops the core, removes the tray and IPC, and closes the window for real', async () => {
    const window = await launchReady()
    electron.app.quit()
    await vi.waitFor(() => expect(electron.app.quitRequested).toBe(true))
    expect(boot.vigil?.lifecycle).toEqual(['started', 'stopped'])
    expect(electron.Tray.instances[0].isDestroyed()).toBe(true)
    expect(electron.ipcMain.handlers.has('vigil:call')).toBe(false)
    expect(window.isDestroyed()).toBe(true)
  })
})
