/**
 * The built main bundle (`out/main/index.js`), booted under plain Node with the electron mock in
 * place of Electron and the real core behind it (SQLite in a temp folder). This checks what only
 * the build can get wrong: paths computed from the bundle's own location (preload, renderer,
 * rules, tray icons) and the externalised native modules loading.
 *
 * The OS keychain is replaced by one that is "locked", so the test never touches a real keychain
 * and the shell's warning path runs.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import Module, { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'

import * as electron from '../../support/mocks/electron'

vi.mock('electron', () => import('../../support/mocks/electron'))

const built = resolve('out/main/index.js')

class LockedKeychainEntry {
  private fail(): Promise<never> {
    return Promise.reject(new Error('Platform secure storage failure: the keychain is locked'))
  }
  setPassword(): Promise<never> {
    return this.fail()
  }
  getPassword(): Promise<never> {
    return this.fail()
  }
  deleteCredential(): Promise<never> {
    return this.fail()
  }
  deletePassword(): Promise<never> {
    return this.fail()
  }
}

type Loader = (request: string, parent: unknown, isMain: boolean) => unknown
const moduleInternals = Module as unknown as { _load: Loader }

describe.skipIf(!existsSync(built))('built Electron main (out/main/index.js)', () => {
  let dataDir: string
  let originalLoad: Loader
  const originalStderrWrite = process.stderr.write
  const stderr: string[] = []

  beforeAll(async () => {
    electron.resetElectronMock()
    dataDir = mkdtempSync(join(tmpdir(), 'vigil-built-main-'))
    process.env.VIGIL_DATA_DIR = dataDir
    // The bundle logs to stderr; keep it for assertions instead of the test output.
    process.stderr.write = ((chunk: string | Uint8Array) => {
      stderr.push(String(chunk))
      if (process.env.VIGIL_VERBOSE_TESTS) originalStderrWrite.call(process.stderr, chunk)
      return true
    }) as typeof process.stderr.write
    originalLoad = moduleInternals._load
    moduleInternals._load = function (request, parent, isMain) {
      if (request === 'electron') return electron
      if (request === '@napi-rs/keyring') return { AsyncEntry: LockedKeychainEntry }
      return originalLoad.call(this, request, parent, isMain)
    }
    createRequire(import.meta.url)(built)
    electron.app.becomeReady()
    await vi.waitFor(() => expect(electron.BrowserWindow.instances).toHaveLength(1), {
      timeout: 15_000
    })
  }, 30_000)

  afterAll(() => {
    process.stderr.write = originalStderrWrite
    moduleInternals._load = originalLoad
    delete process.env.VIGIL_DATA_DIR
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('points the window at the built preload and renderer', () => {
    const window = electron.BrowserWindow.instances[0]
    const preload = (window.options.webPreferences as { preload: string }).preload
    expect(preload).toBe(resolve('out/preload/index.js'))
    expect(existsSync(preload)).toBe(true)
    expect(window.webContents.getURL()).toBe(pathToFileURL(resolve('out/renderer/index.html')).href)
  })

  it('shows the tray with a real icon file', () => {
    const [tray] = electron.Tray.instances
    expect(tray.image.path).toBe(resolve('resources/tray/watching.png'))
    expect(tray.image.isEmpty()).toBe(false)
  })

  it('answers a call from the window through the real core', async () => {
    const contents = electron.BrowserWindow.instances[0].webContents
    const result = await electron.ipcMain.invoke(
      'vigil:call',
      { sender: contents, senderFrame: contents.mainFrame },
      'status',
      {}
    )
    expect(result).toMatchObject({ ok: true, value: { mode: 'electron', accounts: 0 } })
    expect(existsSync(join(dataDir, 'vigil.db'))).toBe(true)
  })

  it('warns that the keychain is unusable instead of failing silently', async () => {
    await vi.waitFor(() => expect(electron.dialog.messageBoxes).toHaveLength(1))
    expect(electron.dialog.messageBoxes[0].message).toMatch(/keychain/)
    expect(electron.dialog.errorBoxes).toEqual([])
    expect(stderr.join('')).toMatch(/ERROR keychain check failed/)
  })

  it('quits cleanly: core stopped, window closed', async () => {
    electron.app.quit()
    await vi.waitFor(() => expect(electron.app.quitRequested).toBe(true))
    expect(electron.BrowserWindow.instances[0].isDestroyed()).toBe(true)
    expect(electron.ipcMain.handlers.size).toBe(0)
  })
})
