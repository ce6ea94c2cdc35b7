/**
 * The one gate every call passes through, whatever the transport: look up the method, parse the
 * input with its schema, run the handler, and check the output against its schema before it
 * leaves the main process. Errors come back as values (`ApiError`), never as raw exceptions
 * across the boundary.
 */
import type { z } from 'zod'

import type { Vigil } from '../core/vigil-types'
import { contract, type ApiError, type MethodName } from './contract'
import { englishText, type Message } from './messages'

export type DispatchResult = { ok: true; value: unknown } | { ok: false; error: ApiError }

/** Errors a handler throws on purpose to say what went wrong in the caller's terms. */
export class ApiFailure extends Error {
  /** The message as a descriptor, when it was given as one (English text in `message`). */
  readonly msg?: Message
  constructor(
    readonly code: ApiError['code'],
    message: string | Message,
    readonly path?: string
  ) {
    super(typeof message === 'string' ? message : englishText(message))
    if (typeof message !== 'string') this.msg = message
    this.name = 'ApiFailure'
  }
}

export const isMethod = (name: string): name is MethodName =>
  Object.prototype.hasOwnProperty.call(contract, name)

const formatPath = (path: PropertyKey[]): string =>
  path.reduce<string>(
    (acc, part) =>
      typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part),
    ''
  )

export function zodToApiError(error: z.ZodError): ApiError {
  const issue = error.issues[0]
  const path = issue ? formatPath(issue.path) : ''
  return {
    code: 'bad-request',
    message: `${path || 'input'}: ${issue?.message ?? 'invalid'}`,
    path
  }
}

export async function dispatch(
  vigil: Pick<Vigil, 'handlers'>,
  method: string,
  input: unknown
): Promise<DispatchResult> {
  if (!isMethod(method))
    return {
      ok: false,
      error: { code: 'not-found', message: `unknown method: ${method.slice(0, 100)}` }
    }
  const spec = contract[method]
  const parsed = spec.input.safeParse(input ?? {})
  if (!parsed.success) return { ok: false, error: zodToApiError(parsed.error) }
  try {
    const handler = vigil.handlers[method] as (input: unknown) => Promise<unknown>
    const value = await handler(parsed.data)
    const checked = spec.output.safeParse(value)
    if (!checked.success) {
      // An output that breaks the contract is our bug; say so without leaking what it contained.
      return {
        ok: false,
        error: {
          code: 'internal',
          message: `response of ${method} broke the contract at ${formatPath(checked.error.issues[0]?.path ?? [])}`
        }
      }
    }
    return { ok: true, value: checked.data }
  } catch (error) {
    if (error instanceof ApiFailure)
      return {
        ok: false,
        error: {
          code: error.code,
          message: error.message,
          path: error.path,
          ...(error.msg ? { msg: error.msg } : {})
        }
      }
    return {
      ok: false,
      error: {
        code: 'internal',
        message: error instanceof Error ? error.message : 'internal error'
      }
    }
  }
}
