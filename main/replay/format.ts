import type { ReplayReport } from './report'

/** The readable summary printed without --json. */
export function formatReport(r: ReplayReport): string {
  const lines: string[] = []
  lines.push(`Scenario ${r.scenario} (poll every ${r.pollSeconds} s)`)
  lines.push(
    `Attack events: ${r.attack.events}, observable ${r.attack.observable}, detected ${r.attack.detected}` +
      (r.attack.missed.length ? `, missed ${r.attack.missed.map((i) => `#${i}`).join(' ')}` : '')
  )
  for (const d of r.detections) {
    lines.push(
      `  #${d.event} at ${d.at}s → first alert ${d.firstAlertAt}s (TTD ${d.ttdSeconds}s) by ${d.rules.join(', ')}`
    )
  }
  lines.push(`Alerts: ${r.alerts.length} (${r.alerts.filter((a) => a.falseAlert).length} false)`)
  for (const a of r.alerts) {
    lines.push(
      `  ${a.at}s ${a.level.padEnd(8)} ${a.rule.padEnd(34)} ${a.account}${a.falseAlert ? '  FALSE ALERT' : ''}`
    )
  }
  if (r.health.length)
    lines.push(
      `Health notices: ${r.health.map((h) => `${h.rule} (${h.account} at ${h.at}s)`).join('; ')}`
    )
  lines.push(
    `False alerts: live ${r.falseAlerts.live}, history ${r.falseAlerts.history} over ${r.falseAlerts.historyAccountMonths} account-months`
  )
  if (r.killSwitch.fired) {
    lines.push(`Kill-switch fired at ${r.killSwitch.at}s, took ${r.killSwitch.durationMs} ms`)
    for (const a of r.killSwitch.accounts) {
      lines.push(
        `  ${a.account}: ${a.ordersCancelled} orders cancelled, ${a.ordersRemaining} remaining (read back), key ${a.key}${a.errors.length ? `, errors: ${a.errors.join('; ')}` : ''}`
      )
    }
  } else lines.push('Kill-switch: not fired')
  lines.push(
    `Summary: detection rate ${r.summary.detectionRate}, median TTD ${r.summary.medianTtdSeconds ?? '–'} s, ` +
      `${r.summary.falseAlertsPerAccountMonth} false alerts per account-month`
  )
  return lines.join('\n') + '\n'
}
