import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

import { beforeEach, describe, expect, it, vi } from 'vitest'

import type { RendererEntry } from '../../../main/electron/renderer-url'
import {
  buildContentSecurityPolicy,
  createMainWindow,
  getMainWindowOptions,
  setupContentSecurityPolicy
} from '../../../main/electron/window'
import type { BrowserWindow } from '../../support/mocks/electron'
import { app, resetElectronMock, session } from '../../support/mocks/electron'

vi.mock('electron', () => import('../../support/mocks/electron'))

const indexFile = resolve('/opt/vigil/out/renderer/index.html')
const entry: RendererEntry = { kind: 'file', file: indexFile }
const indexUrl = pathToFileURL(indexFile).href

beforeEach(() => resetElectronMock())

describe('getMainWindowOptions', () => {
  const options = getMainWindowOptions('/opt/vigil/out/preload/index.js')
  const prefs = options.webPreferences ?? {}

  it('isolates and sandboxes the renderer', () => {
    expect(prefs.contextIsolation).toBe(true)
    expect(prefs.sandbox).toBe(true)
    expect(prefs.nodeIntegration).toBe(false)
    expect(prefs.nodeIntegrationInWorker).toBe(false)
    expect(prefs.nodeIntegrationInSubFrames).toBe(false)
  })

  it('keeps web security on and the risky features off', () => {
    expect(prefs.webSecurity).toBe(true)
    expect(prefs.allowRunningInsecureContent).toBe(false)
    expect(prefs.experimentalFeatures).toBe(false)
    expect(prefs.webviewTag).toBe(false)
    expect(prefs.navigateOnDragDrop).toBe(false)
    expect(prefs).not.toHaveProperty('enableBlinkFeatures')
  })

  it('loads our preload and stays hidden until the first paint', () => {
    expect(prefs.preload).toBe('/opt/vigil/out/preload/index.js')
    expect(options.show).toBe(false)
  })
})

describe('Content-Security-Policy', () => {
  it('allows nothing remote and no inline script in the built app', () => {
    const policy = buildContentSecurityPolicy(entry)
    expect(policy).toContain("default-src 'none'")
    expect(policy).toContain("script-src 'self';")
    expect(policy).toContain("connect-src 'self';")
    expect(policy).toContain("object-src 'none'")
    expect(policy).toContain("frame-ancestors 'none'")
    expect(policy).toContain("style-src 'self';")
    expect(policy).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/)
  })

  it('lets the dev server run its HMR socket and React preamble, nothing more', () => {
    const policy = buildContentSecurityPolicy({ kind: 'url', origin: 'http://localhost:5173' })
    expect(policy).toContain("script-src 'self' 'unsafe-inline'")
    expect(policy).toContain("connect-src 'self' ws://localhost:5173")
    expect(policy).not.toContain('unsafe-eval')
  })

  it("adds the header to the app's own page and leaves other responses alone", async () => {
    setupContentSecurityPolicy(session.defaultSession as never, entry)
    const ours = await session.defaultSession.receiveHeaders(indexUrl, { 'X-Test': ['1'] })
    expect(ours['Content-Security-Policy']).toEqual([buildContentSecurityPolicy(entry)])
    expect(ours['X-Test']).toEqual(['1'])

    const other = await session.defaultSession.receiveHeaders('https://example.com/', {})
    expect(other).not.toHaveProperty('Content-Security-Policy')
  })
})

describe('createMainWindow', () => {
  const create = (showOnReady = true) =>
    createMainWindow({ entry, preloadPath: '/p/preload.js', showOnReady })

  it("loads the app's page and shows it once ready", () => {
    const main = create()
    const window = main.window as unknown as BrowserWindow
    expect(window.webContents.loadedUrls).toEqual([indexUrl])
    expect(window.isVisible()).toBe(false)
    window.becomeReady()
    expect(window.isVisible()).toBe(true)
  })

  it('stays in the tray when launched at login', () => {
    const window = create(false).window as unknown as BrowserWindow
    window.becomeReady()
    expect(window.isVisible()).toBe(false)
  })

  it('hides to the tray on close instead of closing', () => {
    const window = create().window as unknown as BrowserWindow
    window.show()
    window.close()
    expect(window.isDestroyed()).toBe(false)
    expect(window.isVisible()).toBe(false)
  })

  it('really closes when the app quits', () => {
    const window = create().window as unknown as BrowserWindow
    app.quit()
    expect(window.isDestroyed()).toBe(true)
  })

  it('show(route) restores, focuses and opens the route', () => {
    const main = create()
    const window = main.window as unknown as BrowserWindow
    window.minimize()
    main.show('/alerts/inc-7')
    expect(window.isMinimized()).toBe(false)
    expect(window.isVisible()).toBe(true)
    expect(window.isFocused()).toBe(true)
    expect(window.webContents.getURL()).toBe(`${indexUrl}#/alerts/inc-7`)
  })

  it('comes back when the dock icon is clicked (macOS activate)', () => {
    const window = create().window as unknown as BrowserWindow
    app.emit('activate')
    expect(window.isVisible()).toBe(true)
  })

  it('dispose destroys the window and stops listening to the app', () => {
    const main = create()
    main.dispose()
    expect((main.window as unknown as BrowserWindow).isDestroyed()).toBe(true)
    expect(app.listenerCount('before-quit')).toBe(0)
    expect(app.listenerCount('activate')).toBe(0)
  })
})
