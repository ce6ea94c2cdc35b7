/**
 * `npm run eval -- [dir] [--speed N] [--json]`: replays every scenario in a directory (default
 * ../shared/scenarios) and prints one summary table: detection rate, median and worst
 * time-to-detect, false alerts per account-month. Scenarios run one after another so their
 * timings do not disturb each other.
 */
import { readdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'

import type { ReplayReport } from './report'
import { runReplay } from './run'
import { loadScenario, ScenarioError } from './scenario'

export interface EvalRow {
  scenario: string
  accounts: number
  attackEvents: number
  observable: number
  detected: number
  detectionRate: number
  medianTtdSeconds: number | null
  worstTtdSeconds: number | null
  falseAlertsLive: number
  falseAlertsHistory: number
  falseAlertsPerAccountMonth: number
  killSwitch: string
  error?: string
}

export function rowOf(report: ReplayReport, accounts: number): EvalRow {
  const ttds = report.detections.map((d) => d.ttdSeconds)
  return {
    scenario: report.scenario,
    accounts,
    attackEvents: report.attack.events,
    observable: report.attack.observable,
    detected: report.attack.detected,
    detectionRate: report.summary.detectionRate,
    medianTtdSeconds: report.summary.medianTtdSeconds,
    worstTtdSeconds: ttds.length ? Math.max(...ttds) : null,
    falseAlertsLive: report.falseAlerts.live,
    falseAlertsHistory: report.falseAlerts.history,
    falseAlertsPerAccountMonth: report.summary.falseAlertsPerAccountMonth,
    killSwitch: report.killSwitch.fired
      ? report.killSwitch.accounts
          .map((a) => `${a.account}: ${a.ordersRemaining} left, key ${a.key}`)
          .join('; ')
      : 'not fired'
  }
}

export function formatTable(rows: EvalRow[]): string {
  const header = [
    'scenario',
    'detected',
    'rate',
    'median TTD',
    'worst TTD',
    'false (live/hist)',
    'false/acct-month',
    'kill-switch'
  ]
  const body = rows.map((r) =>
    r.error
      ? [r.scenario, 'ERROR', '', '', '', '', '', r.error]
      : [
          r.scenario,
          `${r.detected}/${r.observable}`,
          r.detectionRate.toFixed(2),
          r.medianTtdSeconds === null ? '–' : `${r.medianTtdSeconds.toFixed(2)} s`,
          r.worstTtdSeconds === null ? '–' : `${r.worstTtdSeconds.toFixed(2)} s`,
          `${r.falseAlertsLive}/${r.falseAlertsHistory}`,
          r.falseAlertsPerAccountMonth.toFixed(2),
          r.killSwitch
        ]
  )
  const widths = header.map((h, i) =>
    Math.max(h.length, ...body.map((row) => String(row[i]).length))
  )
  const line = (cells: string[]) =>
    cells
      .map((c, i) => String(c).padEnd(widths[i]!))
      .join('  ')
      .trimEnd()
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n') + '\n'
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { speed: { type: 'string' }, json: { type: 'boolean', default: false } }
  })
  const dir = resolve(positionals[0] ?? join(__dirname, '../../../shared/scenarios'))
  const speed = values.speed ? Number(values.speed) : 1
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
  const rows: EvalRow[] = []
  for (const file of files) {
    try {
      const scenario = loadScenario(join(dir, file))
      if (!values.json) process.stderr.write(`replaying ${file}…\n`)
      rows.push(rowOf(await runReplay(scenario, { speed }), scenario.accounts.length))
    } catch (error) {
      const message =
        error instanceof ScenarioError
          ? `invalid scenario: ${error.message}`
          : (error as Error).message
      rows.push({
        scenario: file,
        accounts: 0,
        attackEvents: 0,
        observable: 0,
        detected: 0,
        detectionRate: 0,
        medianTtdSeconds: null,
        worstTtdSeconds: null,
        falseAlertsLive: 0,
        falseAlertsHistory: 0,
        falseAlertsPerAccountMonth: 0,
        killSwitch: '',
        error: message.split('\n')[0]
      })
    }
  }
  process.stdout.write(values.json ? JSON.stringify(rows, null, 2) + '\n' : formatTable(rows))
  return rows.some((r) => r.error) ? 1 : 0
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`eval failed: ${(error as Error).message}\n`)
      process.exit(1)
    }
  )
}
