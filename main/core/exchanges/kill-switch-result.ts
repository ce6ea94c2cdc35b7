/**
 * The report every connector's kill switch fills in, with the recorders they all use: `step`
 * (appended to the report and streamed to the caller for live progress), `fail` (one error per
 * distinct problem) and `manual` (a step the trader must take by hand). Each takes a message
 * descriptor and records its English text next to it, so the report reads the same as before in
 * English and every screen can render it in its own language. Each strategy starts from nothing
 * done and proves each step.
 */
import type { KillSwitchAccountResult } from '../../api/contract'
import { englishText, type Message } from '../../api/messages'
import type { KillSwitchOptions } from './connector'

type Step = KillSwitchAccountResult['steps'][number]

export type StepRecorder = (action: string, ok: boolean, attempts: number, detail: Message) => void
export type FailRecorder = (message: Message) => void

export function startKillSwitchResult(
  start: Pick<KillSwitchAccountResult, 'account' | 'exchange' | 'key' | 'manualUrl'>,
  onStep: KillSwitchOptions['onStep']
): {
  result: KillSwitchAccountResult & { manualStepMsgs: Message[]; errorMsgs: Message[] }
  step: StepRecorder
  fail: FailRecorder
  manual: (message: Message) => void
} {
  const result: KillSwitchAccountResult & { manualStepMsgs: Message[]; errorMsgs: Message[] } = {
    ...start,
    contained: false,
    ordersCancelled: 0,
    ordersRemaining: 0,
    keysDisabled: [],
    keysRemoved: [],
    manualSteps: [],
    manualStepMsgs: [],
    steps: [],
    errors: [],
    errorMsgs: []
  }
  return {
    result,
    step: (action, ok, attempts, detail) => {
      const s: Step = { action, ok, attempts, detail: englishText(detail), detailMsg: detail }
      result.steps.push(s)
      onStep?.(s)
    },
    fail: (message) => {
      const text = englishText(message)
      if (result.errors.includes(text)) return
      result.errors.push(text)
      result.errorMsgs.push(message)
    },
    manual: (message) => {
      result.manualSteps.push(englishText(message))
      result.manualStepMsgs.push(message)
    }
  }
}
