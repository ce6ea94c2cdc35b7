import { describe, expect, it } from 'vitest'

import { FakeClock } from '../../../support/fakes/fake-clock'

describe('FakeClock', () => {
  it('fires due timers in time order, ties in scheduling order, with now() at their due time', () => {
    const clock = new FakeClock(1000)
    const fired: Array<[string, number]> = []
    clock.setTimeout(() => fired.push(['b', clock.now()]), 200)
    clock.setTimeout(() => fired.push(['a', clock.now()]), 100)
    clock.setTimeout(() => fired.push(['c', clock.now()]), 200)
    clock.setTimeout(() => fired.push(['late', clock.now()]), 500)

    clock.advance(200)
    expect(fired).toEqual([
      ['a', 1100],
      ['b', 1200],
      ['c', 1200]
    ])
    expect(clock.now()).toBe(1200)
    expect(clock.pending).toBe(1)
  })

  it('fires timers scheduled by callbacks inside the window, and cancels', () => {
    const clock = new FakeClock(0)
    const fired: number[] = []
    const tick = (): void => {
      fired.push(clock.now())
      clock.setTimeout(tick, 10)
    }
    clock.setTimeout(tick, 10)
    const cancel = clock.setTimeout(() => fired.push(-1), 15)
    cancel()

    clock.advance(35)
    expect(fired).toEqual([10, 20, 30])
    expect(clock.now()).toBe(35)
  })

  it('advanceAsync lets awaited work re-arm timers between firings', async () => {
    const clock = new FakeClock(0)
    const seen: number[] = []
    const loop = async (): Promise<void> => {
      seen.push(clock.now())
      await Promise.resolve()
      await Promise.resolve()
      clock.setTimeout(() => void loop(), 100)
    }
    clock.setTimeout(() => void loop(), 100)
    await clock.advanceAsync(300)
    expect(seen).toEqual([100, 200, 300])
  })

  it('runAll drains every timer and refuses to go back in time', () => {
    const clock = new FakeClock(0)
    let count = 0
    clock.setTimeout(() => count++, 5_000)
    clock.setTimeout(() => clock.setTimeout(() => count++, 1), 10)
    clock.runAll()
    expect(count).toBe(2)
    expect(clock.now()).toBe(5_000)
    expect(() => clock.advance(-1)).toThrow(/back in time/)
  })
})
