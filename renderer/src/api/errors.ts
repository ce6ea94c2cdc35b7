import type { Message } from '../../../main/api/messages'
import type { ApiError } from '../../../main/api/types'

/** Codes a call can fail with: the contract's own, plus what only a transport can see. */
export type ApiCallErrorCode = ApiError['code'] | 'unauthorized' | 'network'

/** What every failed call throws, whichever transport carried it, so pages handle one shape. */
export class ApiCallError extends Error {
  readonly code: ApiCallErrorCode
  readonly path?: string
  /** The message as a descriptor, when main sent one: shown in the window's language. */
  readonly msg?: Message

  constructor(code: ApiCallErrorCode, message: string, path?: string, msg?: Message) {
    super(message)
    this.name = 'ApiCallError'
    this.code = code
    this.path = path
    if (msg) this.msg = msg
  }
}

const KNOWN_CODES: readonly ApiCallErrorCode[] = [
  'bad-request',
  'not-found',
  'conflict',
  'unavailable',
  'internal',
  'unauthorized',
  'network'
]

/** Turns whatever a transport threw into an ApiCallError, keeping a code when one is there. */
export function toApiCallError(error: unknown): ApiCallError {
  if (error instanceof ApiCallError) return error
  if (typeof error === 'object' && error !== null) {
    const { code, message, path, msg } = error as {
      code?: unknown
      message?: unknown
      path?: unknown
      msg?: unknown
    }
    const known = KNOWN_CODES.find((c) => c === code)
    const text = typeof message === 'string' ? stripIpcPrefix(message) : 'unknown error'
    const descriptor =
      msg && typeof msg === 'object' && typeof (msg as Message).code === 'string'
        ? (msg as Message)
        : undefined
    return new ApiCallError(
      known ?? 'internal',
      text,
      typeof path === 'string' ? path : undefined,
      descriptor
    )
  }
  return new ApiCallError('internal', typeof error === 'string' ? error : 'unknown error')
}

// Electron wraps errors thrown by ipcMain.handle as "Error invoking remote method 'x': Error: …";
// the trader only needs the last part.
function stripIpcPrefix(message: string): string {
  const match = /^Error invoking remote method '[^']*': (?:\w*Error: )?(.*)$/s.exec(message)
  return match ? match[1] : message
}
