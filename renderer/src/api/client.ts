/**
 * The only module the UI uses to reach main. Inside Electron the preload has put the contract on
 * `window.vigil`; anywhere else (the headless server's web UI) we speak HTTP with the bearer token.
 */
import type { VigilApi } from '../../../main/api/types'

import { createHttpTransport } from './http-transport'
import { createIpcTransport } from './ipc-transport'

export { ApiCallError, type ApiCallErrorCode } from './errors'
export type { VigilApi }

export type TransportKind = 'ipc' | 'http'

export interface Client extends VigilApi {
  transport: TransportKind
}

export function createClient(win: Window = window): Client {
  // The preload's declaration says always present; in a browser tab it is not.
  const bridge = (win as { vigil?: VigilApi }).vigil
  const api = bridge ? createIpcTransport(bridge) : createHttpTransport({ win })
  return {
    transport: bridge ? 'ipc' : 'http',
    call: api.call,
    on: api.on
  }
}
