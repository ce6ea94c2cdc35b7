import type { VigilApi } from '../../../main/api/types'

import { toApiCallError } from './errors'

/**
 * Electron: the preload exposes the contract as `window.vigil`. We only normalise errors so the
 * pages see the same ApiCallError as over HTTP.
 */
export function createIpcTransport(bridge: VigilApi): VigilApi {
  return {
    async call(method, input) {
      try {
        return await bridge.call(method, input)
      } catch (error) {
        throw toApiCallError(error)
      }
    },
    on(event, listener) {
      return bridge.on(event, listener)
    }
  }
}
