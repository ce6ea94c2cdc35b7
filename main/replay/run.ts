/**
 * Runs the real core against a scenario on the built-in simulator and scores it: real SQLite,
 * real ccxt over real HTTP, an in-memory secret store and a recording notifier (a replay never
 * pops up notifications on the desktop).
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

import { createCcxtFactory } from '../core/exchanges/ccxt-factory'
import { buildIncidentReport, incidentReportMarkdown } from '../core/incident-report'
import type { Logger, NotificationHandle, NotificationRequest, Notifier } from '../core/ports'
import { silentLogger } from '../core/ports'
import { MemorySecretStore } from '../core/secrets/memory-store'
import { createVigil } from '../core/vigil'
import { startSimulator } from '../simulator'
import { ScenarioClock } from './clock'
import { buildReport, type ReplayReport } from './report'
import type { Scenario } from './scenario'

export interface ReplayOptions {
  speed?: number
  pollSeconds?: number
  outDir?: string
  rulesDir?: string
  logger?: Logger
  /** Called with progress lines for the readable mode. */
  onProgress?: (line: string) => void
}

/** Records notifications instead of showing them; nobody answers, so countdowns run out. */
export class RecordingNotifier implements Notifier {
  readonly supportsActions = true
  readonly shown: NotificationRequest[] = []
  notify(request: NotificationRequest): NotificationHandle {
    this.shown.push(request)
    return { response: new Promise(() => {}), close() {} }
  }
}

export const DEFAULT_RULES_DIR = resolve(__dirname, '../../resources/rules')

export async function runReplay(
  scenario: Scenario,
  options: ReplayOptions = {}
): Promise<ReplayReport> {
  const speed = options.speed ?? 1
  const pollSeconds = options.pollSeconds ?? scenario.pollSeconds ?? 1
  const startAt = scenario.startAt ? Date.parse(scenario.startAt) : Date.now()
  const clock = new ScenarioClock(startAt, speed)
  const progress = options.onProgress ?? (() => {})
  const sim = await startSimulator({ scenario, clock, startAt })
  const notifier = new RecordingNotifier()
  const vigil = await createVigil({
    dataDir: ':memory:',
    secrets: new MemorySecretStore(),
    notifier,
    exchanges: createCcxtFactory(),
    rulesDir: options.rulesDir ?? DEFAULT_RULES_DIR,
    clock,
    logger: options.logger ?? silentLogger,
    mode: 'headless',
    pollSecondsOverride: pollSeconds
  })
  try {
    const policy = scenario.policy ?? { autoKillSwitch: 'off', countdownSeconds: 60 }
    const auto = policy.autoKillSwitch ?? 'off'
    await vigil.handlers['settings.update']({
      policy: {
        levels: {
          info: 'history',
          low: 'notify',
          medium: 'notify',
          high: auto === 'high' ? 'ask' : 'notify',
          critical: auto === 'off' ? 'notify' : 'ask'
        },
        countdownSeconds: policy.countdownSeconds ?? 60,
        defaultAction: 'fire'
      }
    })
    const accountIds = new Map<string, string>()
    for (const account of scenario.accounts) {
      const credentials = sim.credentials(account.id)
      const view = await vigil.handlers['accounts.add']({
        exchange: account.exchange,
        label: account.id,
        apiKey: credentials.apiKey,
        secret: credentials.secret,
        ...(credentials.password ? { password: credentials.password } : {}),
        endpoint: sim.endpointFor(account.exchange),
        pollSeconds
      })
      accountIds.set(view.id, account.id)
    }
    progress(
      `simulator on ${sim.url}; ${scenario.accounts.length} account(s) added, reading history`
    )
    await vigil.start()
    await Promise.all([...vigil.internals.watchers.values()].map((w) => w.firstPollDone))
    clock.begin()
    progress('first poll of every account done: playing the timeline')

    const played = scenario.timeline.map(
      (event, index) =>
        new Promise<void>((done) =>
          clock.setTimeout(() => {
            try {
              sim.apply(index)
              progress(
                `t=${event.at}s ${event.kind}${event.attack ? ' (attack)' : ''} on ${event.account}`
              )
            } finally {
              done()
            }
          }, event.at * 1000)
        )
    )
    const end = scenario.endAfterSeconds ?? Math.max(0, ...scenario.timeline.map((e) => e.at)) + 15
    await new Promise<void>((r) => clock.setTimeout(r, end * 1000))
    await Promise.all(played)
    // Let a kill-switch that is still running finish before reading back.
    await vigil.internals.killSwitch.whenIdle()

    const report = buildReport({
      scenario,
      pollSeconds,
      seconds: (at) => clock.seconds(at),
      liveAlerts: vigil.internals.incidents.allAlerts('live'),
      historyAlerts: vigil.internals.incidents.allAlerts('history'),
      accountIds,
      originOf: (account, recordId) => sim.originOf(account, recordId),
      openOrders: (account) => sim.openOrders(account),
      keys: (account) => {
        const removedByTimeline = new Set(
          scenario.timeline.flatMap((e) =>
            e.kind === 'api_key_removed' && e.account === account ? [e.keyId] : []
          )
        )
        return sim.keys(account).map((k) => ({
          enabled: k.enabled,
          removed: k.removed,
          removedByTimeline: removedByTimeline.has(k.ref),
          self: k.self
        }))
      },
      killSwitch: vigil.internals.killSwitch.last()
    })
    if (options.outDir) {
      const dir = resolve(options.outDir)
      mkdirSync(dir, { recursive: true })
      writeFileSync(join(dir, 'report.json'), JSON.stringify(report, null, 2))
      writeFileSync(
        join(dir, 'alerts.json'),
        JSON.stringify(vigil.internals.incidents.allAlerts(), null, 2)
      )
      writeFileSync(join(dir, 'notifications.json'), JSON.stringify(notifier.shown, null, 2))
      for (const incident of vigil.internals.incidents.list({ scope: 'live', limit: 1000 })) {
        const incidentReport = buildIncidentReport(vigil.internals.db, incident.id, clock.now())
        writeFileSync(
          join(dir, `incident-${incident.id}.md`),
          incidentReportMarkdown(incidentReport)
        )
        writeFileSync(
          join(dir, `incident-${incident.id}.json`),
          JSON.stringify(incidentReport, null, 2)
        )
      }
    }
    return report
  } finally {
    await vigil.stop()
    await sim.close()
  }
}
