/**
 * The incident report a trader can send to the exchange's support, in the order of an API
 * security investigation: what happened (a timeline with times, IPs, countries, devices, orders,
 * fills, withdrawals), the likely cause, the impact, what Vigil did (with what the exchange
 * confirmed on read-back), what is left to do by hand, and recommendations.
 */
import type { AlertView, EventView, IncidentView, KillSwitchReport } from '../api/contract'
import type { Db } from './db/open'
import { AccountsRepo } from './db/repos/accounts'
import { AuditLog } from './db/repos/audit'
import { Incidents } from './incidents'
import { KillSwitch } from './kill-switch'
import { silentLogger, systemClock } from './ports'

export interface IncidentReport {
  format: 'vigil-incident-report/1'
  generatedAt: number
  incident: IncidentView
  account: { id: string; exchange: string; label: string; keyHint: string } | null
  timeline: { at: number; type: string; exchangeRecordId: string; summary: string }[]
  alerts: {
    id: string
    rule: string
    level: string
    at: number
    title: string
    explanation: string
    reasoning: Record<string, unknown>
  }[]
  likelyCause: string[]
  impact: {
    orders: number
    fills: number
    notionalUsd: number
    withdrawals: { currency: string; amount: number; address: string }[]
    keysCreated: string[]
    countries: string[]
    ips: string[]
  }
  actions: { at: number; actor: string; action: string; detail: string }[]
  killSwitch: KillSwitchReport | null
  remaining: string[]
  recommendations: string[]
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z')

/** One line in plain words for a stored event. */
export function describeEvent(e: EventView): string {
  const d = e.data as Record<string, unknown>
  const s = (k: string) => (d[k] === undefined || d[k] === null ? '' : String(d[k]))
  switch (e.kind) {
    case 'login':
      return `${e.type === 'login.failure' ? 'Failed login' : 'Login'} from ${s('ip')}${s('country') ? ` (${s('country')}${s('asnOrg') ? `, ${s('asnOrg')}` : ''})` : ''}${s('device') || s('userAgent') ? ` with ${s('device') || s('userAgent')}` : ''}`
    case 'security':
      return e.type.replace('security.', '').replace(/_/g, ' ')
    case 'key':
      return `API key ${s('keyId')} ${e.type.replace('key.', '')}${Array.isArray(d.permissions) ? ` (permissions: ${(d.permissions as string[]).join(', ') || 'none'}; IP whitelist: ${Array.isArray(d.ipWhitelist) && (d.ipWhitelist as string[]).length ? (d.ipWhitelist as string[]).join(', ') : 'none'})` : ''}`
    case 'order':
      return `${s('type')} ${s('side')} ${s('amount')} ${s('symbol')}${s('price') ? ` @ ${s('price')}` : ''} (${s('status')}${s('origin') ? `, via ${s('origin')}` : ''})`
    case 'fill':
      return `fill: ${s('side')} ${s('amount')} ${s('symbol')} @ ${s('price')}`
    case 'withdrawal':
      return `withdrawal of ${s('amount')} ${s('currency')} to ${s('address')}${s('status') ? ` (${s('status')})` : ''}`
    case 'address':
      return `withdrawal address ${s('address')} (${s('currency')}) ${e.type.replace('address.', '')}`
    case 'transfer':
      return `transfer of ${s('amount')} ${s('currency')} to ${s('to')}`
    case 'balance':
      return `${s('currency')} balance ${s('previous')} → ${s('total')}`
    default:
      return e.type
  }
}

const CAUSES: [RegExp, string][] = [
  [
    /^login\.(countries_burst|failed_burst|failures_then_success)/,
    'Credential stuffing or password guessing against the exchange login, followed by a successful login: the account password (and possibly the 2FA code) is likely known to the attacker.'
  ],
  [
    /^login\.(new_country|impossible_travel|anonymous_network|new_device)/,
    'A login from a place, network or device this account has never used: the web session or password may be compromised (phishing, a stolen browser cookie or malware).'
  ],
  [
    /^security\./,
    'Account security settings were changed (2FA, password or e-mail): typical of an attacker taking over the account after logging in.'
  ],
  [
    /^key\.(new_key|permissions_escalated|ip_whitelist_removed)/,
    'API keys were created or widened: the attacker is preparing persistent access through the API.'
  ],
  [
    /^trade\./,
    'Trading that does not match this account (new symbols, bursts, off-market prices): typical of a leaked trading API key used for contra-trades against the attacker’s own orders (as in the 3Commas/FTX and Binance VIA cases).'
  ],
  [
    /^funds\./,
    'Funds are moving to addresses or in patterns this account has not used: a withdrawal-enabled key or the web session is being used to move money out.'
  ]
]

export function buildIncidentReport(db: Db, incidentId: string, now = Date.now()): IncidentReport {
  const incidents = new Incidents(db)
  const incident = incidents.getIncident(incidentId)
  if (!incident) throw new Error(`no incident with id ${incidentId}`)
  const alerts: AlertView[] = incidents.alertsOf(incidentId)
  const accountRecord = new AccountsRepo(db).get(incident.accountId)
  const evidence = new Map<number, EventView>()
  for (const a of alerts) for (const e of a.evidence) evidence.set(e.id, e)
  const events = [...evidence.values()].sort((a, b) => a.ts - b.ts || a.id - b.id)

  const runs = new KillSwitch(db, new AuditLog(db), systemClock, silentLogger)
  // An incident raised after the account was contained is covered by that earlier run.
  const killSwitch = incident.killSwitchRunId
    ? runs.get(incident.killSwitchRunId)
    : runs.lastFor(incident.accountId)
  const audit = new AuditLog(db)
    .list(2000)
    .filter(
      (e) =>
        e.accountId === incident.accountId || (e.accountId === null && e.at >= incident.openedAt)
    )
    .filter((e) => e.at >= incident.openedAt - 60_000)
    .reverse()

  const rules = new Set(alerts.map((a) => a.rule))
  const likelyCause = CAUSES.filter(([re]) => [...rules].some((r) => re.test(r))).map(
    ([, text]) => text
  )
  if (likelyCause.length === 0)
    likelyCause.push(
      'Vigil saw activity that does not match this account’s history; the evidence below is what it was based on.'
    )

  const data = (e: EventView) => e.data as Record<string, unknown>
  const withdrawals = events
    .filter((e) => e.kind === 'withdrawal')
    .map((e) => ({
      currency: String(data(e).currency),
      amount: Number(data(e).amount),
      address: String(data(e).address)
    }))
  const impact = {
    orders: events.filter((e) => e.kind === 'order').length,
    fills: events.filter((e) => e.kind === 'fill').length,
    notionalUsd: Math.round(
      events
        .filter((e) => e.kind === 'order' || e.kind === 'fill')
        .reduce((sum, e) => sum + (Number(data(e).notionalUsd) || 0), 0)
    ),
    withdrawals,
    keysCreated: [
      ...new Set(events.filter((e) => e.type === 'key.created').map((e) => String(data(e).keyId)))
    ],
    countries: [
      ...new Set(
        events
          .filter((e) => e.kind === 'login')
          .map((e) => data(e).country)
          .filter(Boolean)
          .map(String)
      )
    ],
    ips: [
      ...new Set(
        events
          .filter((e) => e.kind === 'login')
          .map((e) => data(e).ip)
          .filter(Boolean)
          .map(String)
      )
    ]
  }

  const remaining: string[] = []
  for (const a of killSwitch?.accounts ?? []) {
    if (!a.contained)
      remaining.push(
        `${a.account} is NOT contained: ${a.errors.join('; ') || 'see the steps below'}`
      )
    if (a.ordersRemaining > 0)
      remaining.push(
        `${a.account}: ${a.ordersRemaining} orders are still open on the exchange; cancel them by hand.`
      )
    remaining.push(
      ...a.manualSteps.map((s) => `${a.account}: ${s}${a.manualUrl ? ` (${a.manualUrl})` : ''}`)
    )
  }
  if (!killSwitch)
    remaining.push(
      'The kill-switch was not fired for this incident. If this was not you, fire it now from Vigil, then revoke the key on the exchange.'
    )
  if (withdrawals.length)
    remaining.push(
      `Contact ${accountRecord?.exchange ?? 'the exchange'} support at once about the withdrawals listed below (quote the record ids) and ask them to freeze them.`
    )

  const recommendations = [
    'Rotate every API key on this account: create new keys only after the account is secure, and store them only in Vigil (the OS keychain).',
    'Give trading keys no withdraw or transfer permission; keep withdrawals to the web UI with 2FA.',
    'Bind every key to the fixed IP addresses of the machines that use it.',
    'Enable 2FA (a hardware key or an authenticator app, not SMS) and change the exchange password; check the account e-mail address.',
    'Turn on the exchange’s withdrawal address whitelist and its waiting period for new addresses.',
    'Scan the trading machine and browser for malware and malicious extensions; never enter keys into third-party sites you have not vetted.'
  ]
  if (rules.has('security.2fa_disabled'))
    recommendations.unshift(
      '2FA was disabled during the incident: re-enable it before anything else.'
    )

  return {
    format: 'vigil-incident-report/1',
    generatedAt: now,
    incident,
    account: accountRecord
      ? {
          id: accountRecord.id,
          exchange: accountRecord.exchange,
          label: accountRecord.label,
          keyHint: accountRecord.keyHint
        }
      : null,
    timeline: events.map((e) => ({
      at: e.ts,
      type: e.type,
      exchangeRecordId: e.exchangeRecordId.split('#')[0]!,
      summary: describeEvent(e)
    })),
    alerts: alerts.map((a) => ({
      id: a.id,
      rule: a.rule,
      level: a.level,
      at: a.at,
      title: a.title,
      explanation: a.explanation,
      reasoning: a.reasoning
    })),
    likelyCause,
    impact,
    actions: audit.map((e) => ({
      at: e.at,
      actor: e.actor,
      action: e.action,
      detail: summariseDetail(e.detail)
    })),
    killSwitch,
    remaining,
    recommendations
  }
}

function summariseDetail(detail: Record<string, unknown>): string {
  if (typeof detail.contained === 'boolean') {
    return `${detail.contained ? 'contained' : 'NOT contained'}; ${detail.ordersCancelled} orders cancelled, ${detail.ordersRemaining} remaining (read back); key ${detail.key}`
  }
  return Object.entries(detail)
    .filter(([, v]) => v !== null && v !== undefined && (typeof v !== 'object' || Array.isArray(v)))
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : String(v)}`)
    .join('; ')
}

const escapeCell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ')

export function incidentReportMarkdown(r: IncidentReport): string {
  const out: string[] = []
  out.push(`# Vigil incident report: ${r.incident.title}`)
  out.push('')
  out.push(`- Incident: ${r.incident.id} (${r.incident.level}, ${r.incident.status})`)
  if (r.account)
    out.push(
      `- Account: ${r.account.label} on ${r.account.exchange} (API key …${r.account.keyHint})`
    )
  out.push(`- Opened: ${iso(r.incident.openedAt)}; last activity ${iso(r.incident.updatedAt)}`)
  out.push(`- Report generated: ${iso(r.generatedAt)}`)
  out.push('')
  out.push('## 1. What happened')
  out.push('')
  out.push('| time (UTC) | event | exchange record id |')
  out.push('|---|---|---|')
  for (const t of r.timeline)
    out.push(`| ${iso(t.at)} | ${escapeCell(t.summary)} | ${escapeCell(t.exchangeRecordId)} |`)
  out.push('')
  out.push('### Alerts')
  out.push('')
  for (const a of r.alerts)
    out.push(`- **${a.level}** ${a.title} (${a.rule}, ${iso(a.at)}): ${a.explanation}`)
  out.push('')
  out.push('## 2. Likely cause')
  out.push('')
  for (const c of r.likelyCause) out.push(`- ${c}`)
  out.push('')
  out.push('## 3. Impact')
  out.push('')
  out.push(
    `- Orders in the evidence: ${r.impact.orders}; fills: ${r.impact.fills}; notional ≈ ${r.impact.notionalUsd.toLocaleString('en-US')} USD`
  )
  out.push(
    `- Withdrawals: ${r.impact.withdrawals.length ? r.impact.withdrawals.map((w) => `${w.amount} ${w.currency} → ${w.address}`).join('; ') : 'none'}`
  )
  out.push(
    `- API keys created: ${r.impact.keysCreated.length ? r.impact.keysCreated.join(', ') : 'none'}`
  )
  if (r.impact.ips.length)
    out.push(
      `- Login IPs: ${r.impact.ips.join(', ')} (countries: ${r.impact.countries.join(', ') || 'unknown'})`
    )
  out.push('')
  out.push('## 4. What Vigil did')
  out.push('')
  if (r.killSwitch) {
    out.push(
      `Kill-switch ${r.killSwitch.id} (${r.killSwitch.trigger}) at ${iso(r.killSwitch.startedAt)}, ${r.killSwitch.durationMs} ms:`
    )
    out.push('')
    out.push('| account | contained | orders cancelled | orders remaining (read back) | key |')
    out.push('|---|---|---|---|---|')
    for (const a of r.killSwitch.accounts)
      out.push(
        `| ${a.account} | ${a.contained ? 'yes' : 'NO'} | ${a.ordersCancelled} | ${a.ordersRemaining} | ${a.key} |`
      )
    out.push('')
  }
  for (const a of r.actions)
    out.push(`- ${iso(a.at)} ${a.actor}: ${a.action}${a.detail ? ` (${a.detail})` : ''}`)
  out.push('')
  out.push('## 5. What you still need to do by hand')
  out.push('')
  for (const s of r.remaining.length
    ? r.remaining
    : ['Nothing: every step was confirmed by the exchange.'])
    out.push(`- ${s}`)
  out.push('')
  out.push('## 6. Recommendations')
  out.push('')
  for (const s of r.recommendations) out.push(`- ${s}`)
  out.push('')
  return out.join('\n')
}
