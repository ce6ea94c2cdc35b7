/**
 * Bounded retries for the kill switch and containment: a few quick attempts on faults that a
 * retry can fix (network, timeouts, rate limits), none on faults it cannot (auth, permission,
 * malformed answers), so a kill switch neither gives up on a blip nor hammers a refusing exchange.
 */
import type { ExchangeFault } from './connector'
import { classifyError, isRetryable, type ClassifyContext } from './errors'
import type { Clock } from '../ports'

/** How hard `withRetry` tries. */
export interface RetryOptions {
  /** Total attempts including the first (default 3). */
  attempts?: number
  /** First delay in ms, doubled each time (default 250). */
  baseDelayMs?: number
  /** Upper bound for one delay, also for a server's Retry-After (default 2000). */
  maxDelayMs?: number
}

/** The outcome of `withRetry`: the value, or the classified fault, with the attempts used. */
export type Attempted<T> =
  { ok: true; value: T; attempts: number } | { ok: false; fault: ExchangeFault; attempts: number }

/** Waits on the injected clock so replays on a fast scenario clock do not stall. */
export const sleep = (clock: Clock, ms: number): Promise<void> =>
  new Promise((resolve) => {
    clock.setTimeout(resolve, ms)
  })

/**
 * Runs `fn` up to `attempts` times while it fails with a retryable fault. Never throws: the result
 * says whether it worked, how many attempts it took, and the classified fault otherwise.
 * `context()` is read after each failure (e.g. to pick up the last response headers); a connector
 * with its own error codes passes `classify` instead, so maintenance and server errors it knows
 * about are retried the same way.
 */
export const withRetry = async <T>(
  fn: () => Promise<T>,
  clock: Clock,
  options: RetryOptions = {},
  context: () => ClassifyContext = () => ({}),
  classify: (error: unknown) => ExchangeFault = (error) => classifyError(error, context())
): Promise<Attempted<T>> => {
  const attempts = Math.max(1, options.attempts ?? 3)
  const base = options.baseDelayMs ?? 250
  const cap = options.maxDelayMs ?? 2000
  let fault: ExchangeFault | null = null
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      return { ok: true, value: await fn(), attempts: attempt }
    } catch (error) {
      fault = classify(error)
      if (!isRetryable(fault) || attempt === attempts)
        return { ok: false, fault, attempts: attempt }
      const backoff = base * 2 ** (attempt - 1)
      await sleep(clock, Math.min(cap, Math.max(backoff, fault.retryAfterMs ?? 0)))
    }
  }
  // Unreachable: the loop always returns; kept for the type checker.
  return { ok: false, fault: fault!, attempts }
}
