import type { Clock } from '../../../main/core/ports'

interface Timer {
  at: number
  seq: number
  fn: () => void
}

/**
 * A manual Clock: time moves only when the test says so. `advance(ms)` fires due timers in time
 * order (ties in scheduling order), with `now()` equal to each timer's due time while it runs, and
 * also fires timers that those callbacks schedule inside the window, as real time would.
 */
export class FakeClock implements Clock {
  private current: number
  private seq = 0
  private timers: Timer[] = []

  /** @param start epoch milliseconds to start at (default 2026-01-01T00:00:00Z). */
  constructor(start = Date.UTC(2026, 0, 1)) {
    this.current = start
  }

  now(): number {
    return this.current
  }

  setTimeout(fn: () => void, ms: number): () => void {
    const timer: Timer = { at: this.current + Math.max(0, ms), seq: this.seq++, fn }
    this.timers.push(timer)
    return () => {
      this.timers = this.timers.filter((t) => t !== timer)
    }
  }

  /** Timers scheduled and not yet fired or cancelled. */
  get pending(): number {
    return this.timers.length
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    if (ms < 0) throw new Error('FakeClock cannot go back in time')
    const target = this.current + ms
    for (let timer = this.nextDue(target); timer; timer = this.nextDue(target)) {
      this.current = timer.at
      timer.fn()
    }
    this.current = target
  }

  /**
   * Like advance(), but lets promise callbacks run after each timer, for code under test that
   * awaits between timers (a countdown that awaits the notifier, then re-arms).
   */
  async advanceAsync(ms: number): Promise<void> {
    if (ms < 0) throw new Error('FakeClock cannot go back in time')
    const target = this.current + ms
    await flushPromises()
    for (let timer = this.nextDue(target); timer; timer = this.nextDue(target)) {
      this.current = timer.at
      timer.fn()
      await flushPromises()
    }
    this.current = target
  }

  /** Fires every pending timer, however far away, and any they schedule (up to `limit`). */
  runAll(limit = 10_000): void {
    for (let fired = 0; this.timers.length; fired++) {
      if (fired >= limit) throw new Error(`FakeClock.runAll: more than ${limit} timers; a loop?`)
      const next = this.nextDue(Number.POSITIVE_INFINITY)!
      this.current = Math.max(this.current, next.at)
      next.fn()
    }
  }

  /** Removes and returns the earliest timer due at or before `limit`. */
  private nextDue(limit: number): Timer | undefined {
    let best: Timer | undefined
    for (const t of this.timers) {
      if (t.at <= limit && (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)))
        best = t
    }
    if (best) this.timers = this.timers.filter((t) => t !== best)
    return best
  }
}

/** Lets pending promise callbacks (and what they chain) run, via a macrotask turn. */
function flushPromises(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}
