// Tests stay quiet unless VIGIL_VERBOSE_TESTS is set: a wall of logs hides the one failure that matters.
import { beforeAll } from 'vitest'

beforeAll(() => {
  if (!process.env.VIGIL_VERBOSE_TESTS) {
    for (const level of ['log', 'info', 'debug'] as const) console[level] = () => {}
  }
})
