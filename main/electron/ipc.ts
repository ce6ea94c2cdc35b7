/**
 * The Electron transport of the API contract, and the only module that touches `ipcMain`.
 *
 * One channel carries every call: the sender is checked first, then `dispatch()` validates the
 * input against the contract and returns an `{ ok, value | error }` result. Events go the other
 * way on one channel, to our window only.
 */
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron'

import { dispatch, type DispatchResult } from '../api/dispatch'
import { EVENT_NAMES } from '../api/methods'
import type { Logger } from '../core/ports'
import type { Vigil } from '../core/vigil-types'

/** Renderer → main: `invoke(CALL_CHANNEL, method, input)`. The preload uses the same literal. */
export const CALL_CHANNEL = 'vigil:call'
/** Main → renderer: `send(EVENT_CHANNEL, eventName, payload)`. The preload uses the same literal. */
export const EVENT_CHANNEL = 'vigil:event'

type SenderEvent = Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>

/**
 * Whether an IPC message comes from our main window's top-level frame showing our own page.
 * Rejects sub-frames (an embedded page must not borrow the window's privileges), other windows
 * and web contents (devtools, anything created later), frames already gone, and any URL other
 * than the app's page (the window was somehow navigated away).
 *
 * @see https://www.electronjs.org/docs/latest/tutorial/security#17-validate-the-sender-of-all-ipc-messages
 */
export function isTrustedSender(
  event: SenderEvent,
  window: BrowserWindow | null,
  isTrustedUrl: (url: string) => boolean
): boolean {
  if (!window || window.isDestroyed()) return false
  const contents = window.webContents
  if (event.sender.id !== contents.id) return false
  // The frame must be the top-level frame itself (a sub-frame has its own routing id).
  const frame = event.senderFrame
  const main = contents.mainFrame
  if (!frame || frame.processId !== main.processId || frame.routingId !== main.routingId) {
    return false
  }
  return isTrustedUrl(frame.url)
}

export interface IpcOptions {
  vigil: Pick<Vigil, 'handlers' | 'events'>
  /** The main window, or null before it exists / after it is gone. */
  getWindow: () => BrowserWindow | null
  isTrustedUrl: (url: string) => boolean
  logger: Pick<Logger, 'warn'>
}

/**
 * Registers the call handler and forwards core events to the window. Returns the disposer.
 */
export function setupIpc({ vigil, getWindow, isTrustedUrl, logger }: IpcOptions): () => void {
  ipcMain.handle(
    CALL_CHANNEL,
    async (event, method: unknown, input: unknown): Promise<DispatchResult> => {
      if (!isTrustedSender(event, getWindow(), isTrustedUrl)) {
        // Log where it came from, never what it carried: the input may hold an API secret.
        logger.warn('IPC call from an untrusted sender rejected', {
          url: event.senderFrame?.url ?? null,
          method: typeof method === 'string' ? method.slice(0, 100) : typeof method
        })
        throw new Error('untrusted IPC sender')
      }
      if (typeof method !== 'string') {
        return { ok: false, error: { code: 'bad-request', message: 'method must be a string' } }
      }
      return dispatch(vigil, method, input)
    }
  )

  const unsubscribe = EVENT_NAMES.map((name) =>
    vigil.events.on(name, (payload) => {
      const window = getWindow()
      if (!window || window.isDestroyed()) return
      // Only our page may receive pushes; if the window shows anything else, drop them.
      if (!isTrustedUrl(window.webContents.mainFrame.url)) return
      window.webContents.send(EVENT_CHANNEL, name, payload)
    })
  )

  return () => {
    ipcMain.removeHandler(CALL_CHANNEL)
    for (const off of unsubscribe) off()
  }
}
