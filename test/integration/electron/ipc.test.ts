/**
 * main/electron/ipc.ts with the hand-written electron mock and the real `dispatch()`: every
 * rejection path of the sender check, and what reaches the core once a sender is accepted.
 */
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

import { beforeEach, describe, expect, it, vi } from 'vitest'

import { CALL_CHANNEL, EVENT_CHANNEL, setupIpc } from '../../../main/electron/ipc'
import { isTrustedRendererUrl, type RendererEntry } from '../../../main/electron/renderer-url'
import type { MockWebContents } from '../../support/mocks/electron'
import {
  BrowserWindow,
  MockWebFrameMain,
  ipcMain,
  resetElectronMock
} from '../../support/mocks/electron'
import { createFakeVigil, sampleStatus, type FakeVigil } from '../../support/mocks/fake-vigil'

vi.mock('electron', () => import('../../support/mocks/electron'))

const entry: RendererEntry = { kind: 'file', file: resolve('/opt/vigil/out/renderer/index.html') }
const APP_URL = pathToFileURL(entry.file).href

let vigil: FakeVigil
let window: BrowserWindow
let warnings: Array<{ message: string; fields?: Record<string, unknown> }>
let dispose: () => void

beforeEach(async () => {
  resetElectronMock()
  vigil = createFakeVigil()
  window = new BrowserWindow()
  await window.loadURL(`${APP_URL}#/dashboard`)
  warnings = []
  dispose = setupIpc({
    vigil,
    getWindow: () => window as never,
    isTrustedUrl: (url) => isTrustedRendererUrl(url, entry),
    logger: { warn: (message, fields) => warnings.push({ message, fields }) }
  })
})

/** Invokes the call channel as `sender` / `senderFrame` would. */
const call = (
  method: unknown,
  input: unknown,
  from: { sender: MockWebContents; senderFrame: MockWebFrameMain | null } = {
    sender: window.webContents,
    senderFrame: window.webContents.mainFrame
  }
) => ipcMain.invoke(CALL_CHANNEL, from, method, input)

describe('sender check', () => {
  it("accepts our window's main frame on our page", async () => {
    await expect(call('status', {})).resolves.toEqual({ ok: true, value: sampleStatus() })
    expect(warnings).toEqual([])
  })

  it('rejects a sub-frame of our window, even one showing our page', async () => {
    const frame = window.webContents.mainFrame.addChild(APP_URL)
    await expect(
      call('status', {}, { sender: window.webContents, senderFrame: frame })
    ).rejects.toThrow(/untrusted IPC sender/)
  })

  it('rejects another window, even one showing our page', async () => {
    const other = new BrowserWindow()
    await other.loadURL(APP_URL)
    await expect(
      call('status', {}, { sender: other.webContents, senderFrame: other.webContents.mainFrame })
    ).rejects.toThrow(/untrusted IPC sender/)
  })

  it('rejects a frame claiming our web contents that is not its main frame', async () => {
    const impostor = new MockWebFrameMain(APP_URL)
    await expect(
      call('status', {}, { sender: window.webContents, senderFrame: impostor })
    ).rejects.toThrow(/untrusted IPC sender/)
  })

  it('rejects our window once it shows a foreign URL', async () => {
    for (const url of [
      'https://evil.example/',
      pathToFileURL(resolve('/tmp/evil/index.html')).href,
      'about:blank'
    ]) {
      await window.loadURL(url)
      await expect(call('status', {}), url).rejects.toThrow(/untrusted IPC sender/)
    }
  })

  it('rejects a frame that is gone, and any call once the window is destroyed', async () => {
    await expect(
      call('status', {}, { sender: window.webContents, senderFrame: null })
    ).rejects.toThrow(/untrusted IPC sender/)
    window.destroy()
    await expect(call('status', {})).rejects.toThrow(/untrusted IPC sender/)
  })

  it('never runs the core for a rejected sender, and logs no input', async () => {
    const other = new BrowserWindow()
    await other.loadURL('https://evil.example/')
    const secret = 'S3CRET-api-secret-value'
    await expect(
      call(
        'accounts.add',
        { exchange: 'deribit', label: 'x', apiKey: 'k', secret },
        { sender: other.webContents, senderFrame: other.webContents.mainFrame }
      )
    ).rejects.toThrow()
    expect(vigil.calls).toEqual([])
    expect(warnings).toHaveLength(1)
    expect(warnings[0].fields).toEqual({ url: 'https://evil.example/', method: 'accounts.add' })
    expect(JSON.stringify(warnings)).not.toContain(secret)
  })
})

describe('dispatch through IPC', () => {
  it('bad input comes back as a bad-request error and never reaches the core', async () => {
    const result = await call('pause', { minutes: 'soon' })
    expect(result).toMatchObject({ ok: false, error: { code: 'bad-request', path: 'minutes' } })
    expect(await call('pause', { minutes: 5, extra: true })).toMatchObject({
      ok: false,
      error: { code: 'bad-request' }
    })
    expect(vigil.calls).toEqual([])
  })

  it('an unknown method is not-found', async () => {
    for (const method of ['nope', '__proto__', 'constructor', 'status.toString']) {
      expect(await call(method, {}), method).toMatchObject({
        ok: false,
        error: { code: 'not-found' }
      })
    }
  })

  it('a method that is not a string is a bad request', async () => {
    expect(await call({ toString: 'status' }, {})).toMatchObject({
      ok: false,
      error: { code: 'bad-request' }
    })
  })

  it("passes the core's own failures through as values", async () => {
    expect(await call('rules.list', {})).toMatchObject({
      ok: false,
      error: { code: 'unavailable' }
    })
  })

  it('valid input reaches the core parsed', async () => {
    const result = await call('pause', { minutes: 15 })
    expect(result).toMatchObject({ ok: true, value: { paused: true, tray: 'paused' } })
    expect(vigil.calls).toEqual([{ method: 'pause', input: { minutes: 15 } }])
  })
})

describe('events', () => {
  it('forwards core events to our window on the event channel', () => {
    vigil.setStatus({ tray: 'alert' })
    expect(window.webContents.sent).toEqual([
      { channel: EVENT_CHANNEL, args: ['status', sampleStatus({ tray: 'alert' })] }
    ])
  })

  it('sends nothing while the window shows a foreign page, or after it is gone', async () => {
    await window.loadURL('https://evil.example/')
    vigil.setStatus({ tray: 'alert' })
    expect(window.webContents.sent).toEqual([])
    window.destroy()
    expect(() => vigil.setStatus({ tray: 'watching' })).not.toThrow()
  })

  it('dispose removes the handler and stops forwarding', async () => {
    dispose()
    await expect(call('status', {})).rejects.toThrow(/No handler/)
    vigil.setStatus({ tray: 'alert' })
    expect(window.webContents.sent).toEqual([])
  })
})
