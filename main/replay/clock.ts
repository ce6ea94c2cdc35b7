import type { Clock } from '../core/ports'

/**
 * The scenario clock. Frozen at `startAt` while the guardian sets up (history lies strictly before
 * it), then runs `speed` times faster than real time from `begin()`. Timers are scaled the same
 * way, so a 1 s poll interval at speed 10 polls every 100 ms of real time.
 */
export class ScenarioClock implements Clock {
  private realStart: number | null = null

  constructor(
    readonly startAt: number,
    readonly speed = 1
  ) {
    if (!(speed > 0)) throw new Error('speed must be > 0')
  }

  begin(): void {
    this.realStart ??= performance.now()
  }

  now(): number {
    if (this.realStart === null) return this.startAt
    return Math.round(this.startAt + (performance.now() - this.realStart) * this.speed)
  }

  /** Scenario seconds since second 0. */
  seconds(at = this.now()): number {
    return (at - this.startAt) / 1000
  }

  setTimeout(fn: () => void, ms: number): () => void {
    const handle = setTimeout(fn, Math.max(0, ms / this.speed))
    return () => clearTimeout(handle)
  }
}
