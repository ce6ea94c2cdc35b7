/**
 * The sandboxed preload: exposes the API contract as `window.vigil` and nothing else. The page
 * gets exactly `call` and `on`; it never sees `ipcRenderer`, an IPC event object or a channel
 * name, so a compromised page cannot reach any other channel.
 *
 * The one value import besides `electron` is `methods.ts` (plain constants): a sandboxed preload
 * cannot `require` npm modules, and validation belongs in main anyway.
 *
 * @see https://www.electronjs.org/docs/latest/tutorial/security#20-do-not-expose-electron-apis-to-untrusted-web-content
 */
import { contextBridge, ipcRenderer } from 'electron'

import type { DispatchResult } from '../main/api/dispatch'
import { EVENT_NAMES } from '../main/api/methods'
import type {
  Input,
  MethodName,
  Output,
  VigilApi,
  VigilEventName,
  VigilEventPayload
} from '../main/api/types'

// Same literals as CALL_CHANNEL / EVENT_CHANNEL in main/electron/ipc.ts; a round-trip test
// (test/integration/electron/ipc-roundtrip.test.ts) fails if they drift apart.
const CALL_CHANNEL = 'vigil:call'
const EVENT_CHANNEL = 'vigil:event'

const isEventName = (name: unknown): name is VigilEventName =>
  (EVENT_NAMES as readonly unknown[]).includes(name)

const api = {
  /**
   * Calls one contract method. Rejects with the contract's `ApiError` as a plain object
   * (`{ code, message, path? }`): the context bridge copies only the message of an `Error`.
   */
  async call<M extends MethodName>(method: M, input: Input<M>): Promise<Output<M>> {
    // Main validated the output against the contract before sending it.
    const result = (await ipcRenderer.invoke(CALL_CHANNEL, method, input)) as DispatchResult
    if (result.ok) return result.value as Output<M>
    throw result.error
  },
  /** Subscribes to one pushed event; returns the unsubscribe function. */
  on<E extends VigilEventName>(event: E, listener: (payload: VigilEventPayload<E>) => void) {
    if (!isEventName(event)) throw new Error(`unknown event: ${String(event)}`)
    // The IPC event object stays here: handing it to the page would leak `sender` and friends.
    const forward = (_ipcEvent: unknown, name: unknown, payload: unknown): void => {
      if (name === event) listener(payload as VigilEventPayload<E>)
    }
    ipcRenderer.on(EVENT_CHANNEL, forward)
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, forward)
    }
  }
} satisfies VigilApi

contextBridge.exposeInMainWorld('vigil', api)
