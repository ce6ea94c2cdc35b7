import type { VigilApi } from '../main/api/types'

declare global {
  interface Window {
    /** The API contract, exposed by the preload in Electron. Absent in the headless build. */
    vigil: VigilApi
  }
}

export {}
