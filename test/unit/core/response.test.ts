import { describe, expect, it } from 'vitest'

import type { IncidentView, Policy } from '../../../main/api/contract'
import type { RecordedAlert } from '../../../main/core/incidents'
import type { Level } from '../../../main/core/model'
import { silentLogger } from '../../../main/core/ports'
import { DISMISS_ACTION, KILL_SWITCH_ACTION, ResponsePolicy } from '../../../main/core/response'
import { FakeClock } from '../../support/fakes/fake-clock'
import { RecordingNotifier } from '../../support/fakes/recording-notifier'

const policy = (over: Partial<Policy> = {}): Policy => ({
  levels: { info: 'history', low: 'notify', medium: 'notify', high: 'notify', critical: 'ask' },
  countdownSeconds: 60,
  defaultAction: 'fire',
  ...over
})

const recorded = (
  level: Level,
  incidentId = 'i1',
  escalated = true,
  family = 'login'
): RecordedAlert => {
  const incident: IncidentView = {
    id: incidentId,
    accountId: 'acc',
    family,
    level,
    status: 'open',
    scope: 'live',
    title: 'Login from a new country',
    openedAt: 0,
    updatedAt: 0,
    alertCount: 1,
    rules: ['login.new_country'],
    killSwitchRunId: null
  }
  return {
    incident,
    escalated,
    alert: {
      id: 'a1',
      incidentId,
      rule: 'login.new_country',
      level,
      accountId: 'acc',
      at: 0,
      scope: 'live',
      title: 'Login from a new country',
      explanation: 'DE → AR',
      reasoning: {}
    },
    finding: {
      ruleId: 'login.new_country',
      level,
      accountId: 'acc',
      family,
      title: 'Login from a new country',
      explanation: 'DE → AR',
      reasoning: {},
      evidence: [1],
      dedupKey: 'x',
      eventTs: 0,
      suggestKillSwitch: true
    }
  }
}

function setup(p: Policy = policy(), options: { contained?: boolean; paused?: boolean } = {}) {
  const clock = new FakeClock()
  const notifier = new RecordingNotifier()
  const fired: { incident: string; trigger: string }[] = []
  const response = new ResponsePolicy({
    clock,
    logger: silentLogger,
    notifier,
    policy: () => p,
    fire: async (incident, trigger) => {
      fired.push({ incident, trigger })
      return 'acc: contained (3 orders cancelled, none left; key disabled)'
    },
    isContained: () => options.contained ?? false,
    isPaused: () => options.paused ?? false,
    accountLabel: () => 'Main (deribit)',
    onCountdownsChanged: () => {}
  })
  return { clock, notifier, fired, response }
}

const settle = () => new Promise((r) => setTimeout(r, 0))

describe('ResponsePolicy', () => {
  it('asks with a countdown and fires when nobody answers, then says so in a follow-up', async () => {
    const { clock, notifier, fired, response } = setup()
    response.handle(recorded('critical'))
    expect(notifier.shown('i1')!.request.actions!.map((a) => a.id)).toEqual([
      KILL_SWITCH_ACTION,
      DISMISS_ACTION
    ])
    expect(response.activeCountdowns()).toHaveLength(1)
    clock.advance(59_999)
    expect(fired).toEqual([])
    clock.advance(1)
    await settle()
    expect(fired).toEqual([{ incident: 'i1', trigger: 'policy: countdown expired' }])
    const followUp = await notifier.waitFor((r) => r.id === 'i1-followup')
    expect(followUp.request.body).toMatch(/Nobody answered within 60 s/)
    expect(followUp.request.body).toMatch(/contained/)
    expect(response.activeCountdowns()).toEqual([])
  })

  it('stops the countdown when the trader answers "this is me"', async () => {
    const { clock, notifier, fired, response } = setup()
    response.handle(recorded('critical'))
    notifier.choose('i1', DISMISS_ACTION)
    await settle()
    clock.advance(120_000)
    await settle()
    expect(fired).toEqual([])
    expect(response.activeCountdowns()).toEqual([])
  })

  it('fires at once when the trader presses the kill-switch button', async () => {
    const { clock, notifier, fired, response } = setup()
    response.handle(recorded('critical'))
    notifier.choose('i1', KILL_SWITCH_ACTION)
    await settle()
    expect(fired).toEqual([{ incident: 'i1', trigger: 'user: notification button' }])
    clock.advance(120_000)
    await settle()
    expect(fired).toHaveLength(1)
  })

  it('only notifies when the default action is notify-only', async () => {
    const { clock, notifier, fired, response } = setup(policy({ defaultAction: 'notify-only' }))
    response.handle(recorded('critical'))
    clock.advance(60_000)
    await settle()
    expect(fired).toEqual([])
    expect((await notifier.waitFor((r) => r.id === 'i1-followup')).request.title).toMatch(
      /did not fire/
    )
  })

  it('acts at once for a level whose policy is act, and at countdown 0', async () => {
    const act = setup(
      policy({
        levels: { info: 'history', low: 'notify', medium: 'notify', high: 'act', critical: 'act' }
      })
    )
    act.response.handle(recorded('high'))
    await settle()
    expect(act.fired.map((f) => f.trigger)).toEqual(['policy: act at once'])
    const zero = setup(policy({ countdownSeconds: 0 }))
    zero.response.handle(recorded('critical'))
    await settle()
    expect(zero.fired.map((f) => f.trigger)).toEqual(['policy: countdown 0'])
  })

  it('shows one notification per incident: no new popup unless the level rises', () => {
    const { notifier, response } = setup()
    response.handle(recorded('medium', 'i7'))
    response.handle(recorded('medium', 'i7', false))
    response.handle(recorded('medium', 'i7', false))
    expect(notifier.requests.filter((r) => r.id === 'i7')).toHaveLength(1)
    response.handle(recorded('high', 'i7', true))
    expect(notifier.requests.filter((r) => r.id === 'i7')).toHaveLength(2)
    expect(notifier.liveIds.filter((id) => id === 'i7')).toHaveLength(1)
  })

  it('keeps history-only levels silent, never fires for health notices, and not twice for a contained account', async () => {
    const quiet = setup()
    quiet.response.handle(recorded('info'))
    expect(quiet.notifier.requests).toEqual([])
    const health = setup(
      policy({ levels: { info: 'act', low: 'act', medium: 'act', high: 'act', critical: 'act' } })
    )
    health.response.handle(recorded('medium', 'g1', true, 'guardian'))
    await settle()
    expect(health.fired).toEqual([])
    expect(health.notifier.shown('g1')!.request.actions).toBeUndefined()
    const contained = setup(policy(), { contained: true })
    contained.response.handle(recorded('critical'))
    contained.clock.advance(120_000)
    await settle()
    expect(contained.fired).toEqual([])
    expect(contained.notifier.requests).toHaveLength(1)
  })

  it('stays silent while monitoring is paused', () => {
    const { notifier, response } = setup(policy(), { paused: true })
    response.handle(recorded('critical'))
    expect(notifier.requests).toEqual([])
  })
})
