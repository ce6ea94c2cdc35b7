/**
 * The only module the UI uses to reach main. Inside Electron the preload has put the contract on
 * `window.vigil`; anywhere else (the headless server's web UI) we speak HTTP with the bearer token.
 */
import type { VigilApi } from '../../../main/api/types'

import { createHttpTransport } from './http-transport'
import { createIpcTransport } from './ipc-transport'

export { ApiCallError, type ApiCallErrorCode } from './errors'

/** What the pages hold: the contract's call and on, whichever transport carries them. */
export type Client = VigilApi

export function createClient(win: Window = window): Client {
  // The preload's declaration says always present; in a browser tab it is not.
  const bridge = (win as { vigil?: VigilApi }).vigil
  return bridge ? createIpcTransport(bridge) : createHttpTransport({ win })
}
