/**
 * The per-run machinery the deep connectors share: one poll or backfill reads many streams, each
 * committed only when it succeeded, and the first fault that makes further calls pointless halts
 * the rest of the run (every later stream then reports "not read" and keeps its cursor).
 */
import { msg, type Message } from '../../api/messages'
import { ExchangeFault, type Cursors, type StreamError } from './connector'
import type { NewEvent } from '../model'
import type { Logger } from '../ports'

/** Faults that make further calls in the same run pointless. */
export const HALTING: ReadonlySet<string> = new Set(['auth', 'rate-limit', 'maintenance'])

/** What one stream read: its events, the cursor(s) to commit, and a gap to report. */
export interface StreamOutput {
  events: NewEvent[]
  /** The stream's own cursor, committed under the stream's name. */
  cursor?: string | number | null
  /** Cursors to commit when the stream succeeded (by name), for streams that keep several. */
  cursors?: Record<string, string>
  /** Streams that produced part of their data but must report a gap. */
  warning?: ExchangeFault
}

/** The state of one poll or backfill. */
export interface RunContext {
  mode: 'poll' | 'backfill'
  now: number
  /** Start of history for streams without a cursor. */
  since: number
  cursors: Cursors
  events: NewEvent[]
  errors: StreamError[]
  /** A fault that makes further calls this run pointless (auth, rate limit, maintenance). */
  halt: ExchangeFault | null
  progress?: (message: Message) => void
}

/**
 * Why a stream is not read this run: the halting fault, or the failed market list it needs.
 * `null` when it may be read.
 */
export function notReadFault(
  ctx: RunContext,
  name: string,
  marketsFailure: ExchangeFault | null
): ExchangeFault | null {
  if (ctx.halt)
    return new ExchangeFault(
      ctx.halt.category,
      msg('fault.notRead', { error: ctx.halt.msg }),
      name,
      ctx.halt.retryAfterMs
    )
  if (marketsFailure)
    return new ExchangeFault(
      marketsFailure.category,
      msg('fault.notReadMarkets', { error: marketsFailure.msg }),
      name,
      marketsFailure.retryAfterMs
    )
  return null
}

/** How one connector runs its streams; the real differences between connectors. */
export interface StreamRunOptions<C extends RunContext> {
  /** Log prefix, e.g. `'okx'`. */
  exchange: string
  accountId: string
  logger: Logger
  /** Classifies a stream's failure. */
  classify: (error: unknown, stream: string) => ExchangeFault
  /** The failed market list, checked only for streams that need markets. */
  marketsFailure: ExchangeFault | null
  /** Whether a halting market-list failure halts the run too (default false). */
  haltOnMarketsFailure?: boolean
  /** Categories that halt the run (default `HALTING`). */
  halting?: ReadonlySet<string>
  /** An error that is no failure (nothing recorded, the stream stays pending): true to skip. */
  ignore?: (error: unknown, stream: string) => boolean
  /**
   * Extra bookkeeping after a failure is recorded; `halts` says whether its category halts the
   * run, and returning true halts it whatever the category.
   */
  onFailure?: (ctx: C, fault: ExchangeFault, error: unknown, halts: boolean) => boolean | void
}

/**
 * Runs one stream: its events and cursor are committed only if the whole stream succeeded, so a
 * failed or malformed read loses nothing and is retried from the same cursor next time.
 * Returns the stream's output, or undefined when it was not read or failed.
 */
export async function runStream<C extends RunContext, O extends StreamOutput>(
  ctx: C,
  name: string,
  fn: () => Promise<O>,
  needsMarkets: boolean,
  options: StreamRunOptions<C>
): Promise<O | undefined> {
  const halting = options.halting ?? HALTING
  const blocked = notReadFault(ctx, name, needsMarkets ? options.marketsFailure : null)
  if (blocked) {
    ctx.errors.push({ stream: name, fault: blocked })
    // Without a halt the stream was blocked by the market list.
    if (!ctx.halt && options.haltOnMarketsFailure && halting.has(blocked.category))
      ctx.halt = options.marketsFailure
    return undefined
  }
  try {
    const out = await fn()
    ctx.events.push(...out.events)
    if (out.cursor !== undefined) ctx.cursors[name] = out.cursor
    if (out.cursors) Object.assign(ctx.cursors, out.cursors)
    if (out.warning) ctx.errors.push({ stream: name, fault: out.warning })
    return out
  } catch (error) {
    if (options.ignore?.(error, name)) return undefined
    const fault = options.classify(error, name)
    ctx.errors.push({ stream: name, fault })
    const halts = halting.has(fault.category)
    if (options.onFailure?.(ctx, fault, error, halts) === true || halts) ctx.halt = fault
    options.logger.warn(`${options.exchange}: stream failed`, {
      account: options.accountId,
      stream: name,
      category: fault.category,
      error: fault.message
    })
    return undefined
  }
}

/**
 * The run's events, each delivered once (the same record can arrive through two streams or
 * scopes), in time order; `tiebreak` orders events at equal times.
 */
export function finishEvents(
  events: NewEvent[],
  tiebreak?: (a: NewEvent, b: NewEvent) => number
): NewEvent[] {
  const unique = new Map<string, NewEvent>()
  for (const e of events) unique.set(`${e.kind}|${e.exchangeRecordId}`, e)
  return [...unique.values()].sort((a, b) => a.ts - b.ts || (tiebreak ? tiebreak(a, b) : 0))
}

/** A fresh run: no events, errors or halt yet; `cursors` is the run's own copy to commit into. */
export function newRun(
  mode: RunContext['mode'],
  now: number,
  since: number,
  cursors: Cursors,
  progress?: (message: Message) => void
): RunContext {
  return {
    mode,
    now,
    since,
    cursors,
    events: [],
    errors: [],
    halt: null,
    ...(progress ? { progress } : {})
  }
}
