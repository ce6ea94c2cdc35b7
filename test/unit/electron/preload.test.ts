import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'

import type { VigilApi } from '../../../main/api/types'
import {
  MockWebContents,
  contextBridge,
  ipcMain,
  ipcRenderer,
  rendererSide,
  resetElectronMock
} from '../../support/mocks/electron'

vi.mock('electron', () => import('../../support/mocks/electron'))

let exposedKeys: string[] = []
let exposed: Record<string, unknown> = {}

// The preload exposes its API once, when it is evaluated. It reaches ipcRenderer through the
// mock's live bindings, so resetting the mock between tests still reaches the current instance.
beforeAll(async () => {
  resetElectronMock()
  await import('../../../preload/index')
  exposedKeys = [...contextBridge.exposed.keys()]
  exposed = contextBridge.exposed.get('vigil') as Record<string, unknown>
})

beforeEach(() => {
  resetElectronMock()
  rendererSide.contents = new MockWebContents()
})

describe('preload', () => {
  it('exposes exactly call and on, as functions, under window.vigil', async () => {
    expect(exposedKeys).toEqual(['vigil'])
    const api = exposed
    expect(Object.keys(api).sort()).toEqual(['call', 'on'])
    expect(typeof api.call).toBe('function')
    expect(typeof api.on).toBe('function')
    // Nothing that would hand the page a raw IPC channel.
    expect(api).not.toHaveProperty('ipcRenderer')
    expect(api).not.toHaveProperty('invoke')
    expect(api).not.toHaveProperty('send')
  })

  it('call sends method and input on the one call channel and resolves with the value', async () => {
    ipcMain.handle('vigil:call', (_event, method, input) => ({
      ok: true,
      value: { method, input }
    }))
    const api = exposed as unknown as VigilApi
    await expect(api.call('pause', { minutes: 15 })).resolves.toEqual({
      method: 'pause',
      input: { minutes: 15 }
    })
    expect(ipcRenderer.invoked.map((i) => i.channel)).toEqual(['vigil:call'])
  })

  it("call rejects with the contract's error as a plain object", async () => {
    ipcMain.handle('vigil:call', () => ({
      ok: false,
      error: { code: 'bad-request', message: 'minutes: too big', path: 'minutes' }
    }))
    const api = exposed as unknown as VigilApi
    const error = await api.call('pause', { minutes: 99_999 }).catch((e: unknown) => e)
    expect(error).toEqual({ code: 'bad-request', message: 'minutes: too big', path: 'minutes' })
  })

  it('on delivers only its own event, without the IPC event object, until unsubscribed', async () => {
    const api = exposed as unknown as VigilApi
    const received: unknown[][] = []
    const off = api.on('status', (...args) => received.push(args))
    const contents = rendererSide.contents!

    contents.send('vigil:event', 'status', { tray: 'alert' })
    contents.send('vigil:event', 'alert', { other: true })
    contents.send('some-other-channel', 'status', { tray: 'paused' })
    ipcRenderer.deliverToRenderer()
    expect(received).toEqual([[{ tray: 'alert' }]])

    off()
    contents.send('vigil:event', 'status', { tray: 'watching' })
    ipcRenderer.deliverToRenderer()
    expect(received).toHaveLength(1)
    expect(ipcRenderer.listenerCount('vigil:event')).toBe(0)
  })

  it('on refuses event names outside the contract', async () => {
    const api = exposed
    const on = api.on as (event: string, listener: () => void) => () => void
    expect(() => on('__proto__', () => {})).toThrow(/unknown event/)
    expect(() => on('vigil:call', () => {})).toThrow(/unknown event/)
    expect(ipcRenderer.listenerCount('vigil:event')).toBe(0)
  })
})
