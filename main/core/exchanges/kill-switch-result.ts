/**
 * The report every connector's kill switch fills in, with the two recorders they all use: `step`
 * (appended to the report and streamed to the caller for live progress) and `fail` (one error
 * message per distinct problem). Each strategy starts from nothing done and proves each step.
 */
import type { KillSwitchAccountResult } from '../../api/contract'
import type { KillSwitchOptions } from './connector'

type Step = KillSwitchAccountResult['steps'][number]

export function startKillSwitchResult(
  start: Pick<KillSwitchAccountResult, 'account' | 'exchange' | 'key' | 'manualUrl'>,
  onStep: KillSwitchOptions['onStep']
): {
  result: KillSwitchAccountResult
  step: (action: string, ok: boolean, attempts: number, detail: string) => void
  fail: (message: string) => void
} {
  const result: KillSwitchAccountResult = {
    ...start,
    contained: false,
    ordersCancelled: 0,
    ordersRemaining: 0,
    keysDisabled: [],
    keysRemoved: [],
    manualSteps: [],
    steps: [],
    errors: []
  }
  return {
    result,
    step: (action, ok, attempts, detail) => {
      const s: Step = { action, ok, attempts, detail }
      result.steps.push(s)
      onStep?.(s)
    },
    fail: (message) => {
      if (!result.errors.includes(message)) result.errors.push(message)
    }
  }
}
