import { beforeEach, describe, expect, it, vi } from 'vitest'

import { denyWindowOpen, isExternalHttpsUrl, setupSecurity } from '../../../main/electron/security'
import {
  BrowserWindow,
  MockWebContents,
  app,
  resetElectronMock,
  session,
  shell
} from '../../support/mocks/electron'

vi.mock('electron', () => import('../../support/mocks/electron'))

const APP_PAGE = 'file:///opt/vigil/out/renderer/index.html'
const isTrusted = (url: string) => url.split('#')[0] === APP_PAGE

beforeEach(() => resetElectronMock())

describe('setupSecurity', () => {
  it('hardens every web contents created after it, windows included', () => {
    setupSecurity(isTrusted)
    const window = new BrowserWindow()
    expect(window.webContents.navigate('https://evil.example/')).toBe(false)
    expect(window.webContents.openWindow('https://evil.example/')).toBe('deny')
  })

  it("blocks navigation and redirects away from the app's page", () => {
    setupSecurity(isTrusted)
    const contents = new MockWebContents()
    app.emit('web-contents-created', {}, contents)
    for (const url of [
      'https://evil.example/',
      'file:///etc/passwd',
      'file:///opt/vigil/out/renderer/other.html',
      'javascript:alert(1)',
      'data:text/html,hi'
    ]) {
      expect(contents.navigate(url), url).toBe(false)
      expect(contents.navigate(url, 'will-redirect'), url).toBe(false)
    }
    expect(contents.navigate(`${APP_PAGE}#/history`)).toBe(true)
  })

  it('refuses webviews', () => {
    setupSecurity(isTrusted)
    const contents = new MockWebContents()
    app.emit('web-contents-created', {}, contents)
    expect(contents.attachWebview('https://evil.example/')).toBe(false)
  })

  it('denies every permission request and check', async () => {
    setupSecurity(isTrusted)
    const ses = session.defaultSession
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'hid']) {
      expect(await ses.requestPermission(permission), permission).toBe(false)
      expect(ses.permissionCheckHandler?.(null, permission, 'file://'), permission).toBe(false)
    }
  })

  it('dispose stops hardening new contents and removes the permission handlers', () => {
    const dispose = setupSecurity(isTrusted)
    dispose()
    expect(app.listenerCount('web-contents-created')).toBe(0)
    expect(session.defaultSession.permissionRequestHandler).toBeNull()
  })
})

describe('window.open', () => {
  it('never creates a window', () => {
    for (const url of ['https://www.deribit.com/account/BTC/api', APP_PAGE, 'about:blank']) {
      expect(denyWindowOpen({ url }).action).toBe('deny')
    }
  })

  it('hands plain https links to the system browser', () => {
    denyWindowOpen({ url: 'https://www.deribit.com/account/BTC/api' })
    expect(shell.openedExternal).toEqual(['https://www.deribit.com/account/BTC/api'])
  })

  it('drops every other scheme instead of handing it to the OS', () => {
    for (const url of [
      'http://example.com/',
      'file:///Applications/Calculator.app',
      'smb://attacker/share',
      'ms-msdt:/id PCWDiagnostic',
      'javascript:alert(1)',
      'https://user:pass@example.com/',
      'not a url'
    ]) {
      denyWindowOpen({ url })
      expect(isExternalHttpsUrl(url), url).toBe(false)
    }
    expect(shell.openedExternal).toEqual([])
  })
})
