/**
 * The preload and main/electron/ipc.ts wired together through the electron mock: what the page
 * sees when it uses `window.vigil`. This is also what keeps the channel names in the preload and
 * in ipc.ts from drifting apart.
 */
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'

import type { Status } from '../../../main/api/contract'
import type { VigilApi } from '../../../main/api/types'
import { setupIpc } from '../../../main/electron/ipc'
import { isTrustedRendererUrl, type RendererEntry } from '../../../main/electron/renderer-url'
import {
  BrowserWindow,
  contextBridge,
  ipcRenderer,
  rendererSide,
  resetElectronMock
} from '../../support/mocks/electron'
import { createFakeVigil, sampleStatus, type FakeVigil } from '../../support/mocks/fake-vigil'

vi.mock('electron', () => import('../../support/mocks/electron'))

const entry: RendererEntry = { kind: 'file', file: resolve('/opt/vigil/out/renderer/index.html') }
const APP_URL = pathToFileURL(entry.file).href

let page: VigilApi
let vigil: FakeVigil
let window: BrowserWindow

beforeAll(async () => {
  resetElectronMock()
  await import('../../../preload/index')
  page = contextBridge.exposed.get('vigil') as VigilApi
})

beforeEach(async () => {
  resetElectronMock()
  vigil = createFakeVigil()
  window = new BrowserWindow()
  await window.loadURL(APP_URL)
  rendererSide.contents = window.webContents
  setupIpc({
    vigil,
    getWindow: () => window as never,
    isTrustedUrl: (url) => isTrustedRendererUrl(url, entry),
    logger: { warn: () => {} }
  })
})

describe('window.vigil over IPC', () => {
  it('call resolves with the validated output', async () => {
    await expect(page.call('status', {})).resolves.toEqual(sampleStatus())
  })

  it('a bad call rejects with the contract error the renderer can read', async () => {
    await expect(page.call('pause', { minutes: -1 })).rejects.toMatchObject({
      code: 'bad-request',
      path: 'minutes'
    })
  })

  it('pushes core events to on() listeners', () => {
    const seen: Status[] = []
    page.on('status', (status) => seen.push(status))
    vigil.setStatus({ tray: 'degraded', trayReason: 'OKX: rate-limited' })
    ipcRenderer.deliverToRenderer()
    expect(seen.map((s) => [s.tray, s.trayReason])).toEqual([['degraded', 'OKX: rate-limited']])
  })

  it('an embedded frame using the same preload is refused', async () => {
    rendererSide.frame = window.webContents.mainFrame.addChild(APP_URL)
    await expect(page.call('status', {})).rejects.toThrow(/untrusted IPC sender/)
    expect(vigil.calls).toEqual([])
  })
})
