/**
 * The composition root of the core: `createVigil(deps)` wires storage, connectors, detection,
 * incidents, the response policy and the kill-switch, and returns the handlers for every API
 * method. It runs the same in the Electron shell, the headless server, replays and tests.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'

import type { AccountView, IncidentView, KillSwitchReport, Status } from '../api/contract'
import { ApiFailure } from '../api/dispatch'
import { openDatabase, type Db } from './db/open'
import { AccountsRepo, type AccountRecord } from './db/repos/accounts'
import { AuditLog } from './db/repos/audit'
import { EventStore } from './db/repos/events'
import { SettingsRepo } from './db/repos/settings'
import { createEnricher, type Enricher } from './enrich'
import { VigilEvents } from './events'
import { withNoteI18n } from './exchanges/capability-text'
import {
  errorMsg,
  MessageError,
  type Capability,
  type Connector,
  type KeySnapshot
} from './exchanges/connector'
import { listExchangeIds } from './exchanges/ccxt-factory'
import { classifyError } from './exchanges/errors'
import { exchangeName } from './exchanges/generic-capabilities'
import { createConnector, DEEP_EXCHANGES, isSupportedExchange } from './exchanges/registry'
import { buildIncidentReport, incidentReportMarkdown } from './incident-report'
import { englishText, formatMessage, msg, type Message } from '../api/messages'
import { coreText, plural, resolveCoreLanguage } from './i18n'
import { Incidents, type RecordedAlert } from './incidents'
import { diffKeys, postureEvents } from './inventory'
import { ExceptionsRepo, Silences, exceptionValueFrom } from './exceptions'
import {
  channelSlot,
  ChannelsRepo,
  deliver,
  withRemoteChannels,
  type ChannelConfig
} from './channels'
import { KillSwitch, type KillSwitchTarget } from './kill-switch'
import type { LoginData, NewEvent, StoredEvent } from './model'
import { silentLogger, systemClock, type Credentials } from './ports'
import { ResponsePolicy } from './response'
import { applyRetention } from './retention'
import { createRuleEngine } from './rules/engine'
import type { Finding } from './rules/types'
import type { Vigil, VigilDeps, VigilHandlers } from './vigil-types'
import { AccountWatcher, type HealthNotice } from './watcher'

export const VERSION = '0.1.0'

/** A posture finding as the API shows it, with its Chinese title and fix where translated. */
function postureView(f: Finding): AccountView['posture'][number] {
  const fix = typeof f.reasoning.fix === 'string' ? f.reasoning.fix : null
  return {
    rule: f.ruleId,
    level: f.level,
    title: f.title,
    fix: fix ?? f.explanation,
    ...(f.i18n
      ? {
          i18n: {
            'zh-CN': { title: f.i18n['zh-CN'].title, fix: fix ?? f.i18n['zh-CN'].explanation },
            'zh-TW': { title: f.i18n['zh-TW'].title, fix: fix ?? f.i18n['zh-TW'].explanation }
          }
        }
      : {})
  }
}

/**
 * Posture findings for a key list before anything is stored (the add-key wizard): the shipped
 * posture rules run on a throwaway in-memory database.
 */
export function postureOf(
  keys: KeySnapshot[],
  rulesDir: string,
  now: number
): AccountView['posture'] {
  const scratch = openDatabase(':memory:')
  try {
    scratch
      .prepare(
        "INSERT INTO accounts (id, exchange, label, key_hint, created_at) VALUES ('test', 'test', 'test', '', ?)"
      )
      .run(now)
    diffKeys(scratch, 'test', keys, now)
    const engine = createRuleEngine({ db: scratch, rulesDir })
    const stored = new EventStore(scratch).ingest(postureEvents(scratch, 'test', now), now, 'live')
    return stored
      .flatMap((e) => engine.evaluate(e, { scope: 'live' }))
      .filter((f) => f.ruleId.startsWith('key.posture.'))
      .map(postureView)
  } finally {
    scratch.close()
  }
}
const HEALTH_LEVEL: Record<HealthNotice['rule'], 'low' | 'medium' | 'high'> = {
  'guardian.rate_limited': 'low',
  'guardian.exchange_degraded': 'low',
  'guardian.poll_stalled': 'medium',
  'key.auth_failing': 'high'
}
const HEALTH_TITLE: Record<HealthNotice['rule'], string> = {
  'guardian.rate_limited': 'The exchange is rate-limiting Vigil',
  'guardian.exchange_degraded': 'Exchange errors: Vigil has a data gap',
  'guardian.poll_stalled': 'Vigil has not been able to poll this account',
  'key.auth_failing': 'The exchange refuses this API key'
}

/** Slot name in the secret store for an account's credentials. */
export const accountSlot = (accountId: string): string => `account:${accountId}`

export async function createVigil(deps: VigilDeps): Promise<Vigil & { internals: VigilInternals }> {
  const clock = deps.clock ?? systemClock
  const logger = deps.logger ?? silentLogger
  let dbFile = ':memory:'
  if (deps.dataDir !== ':memory:') {
    mkdirSync(deps.dataDir, { recursive: true })
    dbFile = join(deps.dataDir, 'vigil.db')
  }
  const db: Db = openDatabase(dbFile)
  const accounts = new AccountsRepo(db)
  const events = new EventStore(db)
  const settings = new SettingsRepo(db)
  const audit = new AuditLog(db)
  const incidents = new Incidents(db)
  const enricher: Enricher = createEnricher()
  const engine = createRuleEngine({
    db,
    rulesDir: deps.rulesDir,
    enricher,
    overrides: settings.ruleOverrides(),
    reportDuplicates: true
  })
  const killSwitch = new KillSwitch(db, audit, clock, logger)
  const silences = new Silences(db)
  const exceptions = new ExceptionsRepo(db)
  const channels = new ChannelsRepo(db)
  const notifier = withRemoteChannels(deps.notifier, {
    channels: () => channels.list(),
    secrets: deps.secrets,
    logger
  })
  const bus = new VigilEvents()
  const watchers = new Map<string, AccountWatcher>()
  const backfill = new Map<
    string,
    { done: boolean; progress: number; message: string; msg?: Message }
  >()
  const posture = new Map<string, { keyId: string | null; finding: Finding }[]>()
  let pausedUntil: number | null = null
  let started = false

  const isPaused = () => pausedUntil !== null && clock.now() < pausedUntil

  // ---- ingest → detect → respond -------------------------------------------------------------

  const enrich = (e: NewEvent): NewEvent =>
    e.kind === 'login' ? { ...e, data: enricher.enrichLogin(e.data as LoginData) } : e

  /**
   * Posture is a standing property of each key, shown on the account, not an incident. Every
   * event about a key re-judges it from scratch, so a fixed (or removed) key loses its findings.
   */
  const judgeKey = (event: StoredEvent) => {
    if (event.kind !== 'key') return
    const keyId = (event.data as { keyId?: string }).keyId
    const list = posture.get(event.accountId)
    if (keyId && list)
      posture.set(
        event.accountId,
        list.filter((f) => f.keyId !== keyId)
      )
  }

  const handleFindings = (findings: Finding[], scope: 'live' | 'history', event?: StoredEvent) => {
    for (const finding of findings) {
      if (finding.ruleId.startsWith('key.posture.')) {
        const keyId = (event?.data as { keyId?: string } | undefined)?.keyId ?? null
        const list = (posture.get(finding.accountId) ?? []).filter(
          (f) => f.finding.ruleId !== finding.ruleId || f.keyId !== keyId
        )
        posture.set(finding.accountId, [...list, { keyId, finding }])
        continue
      }
      const recorded = incidents.record(finding, clock.now(), scope)
      if (!recorded) continue
      if (scope === 'live') {
        bus.emit('alert', { alert: recorded.alert, incident: recorded.incident })
        // A silenced rule or account still records its alerts; it just does not interrupt.
        if (!silences.matches(finding.ruleId, finding.accountId, clock.now())) {
          response.handle(recorded)
          if (recorded.escalated) incidents.markNotified(recorded.incident.id, clock.now())
        }
      }
    }
  }

  const evaluate = (stored: StoredEvent[], scope: 'live' | 'history') =>
    engine.batch(() => {
      for (const event of stored) {
        try {
          judgeKey(event)
          handleFindings(engine.evaluate(event, { scope }), scope, event)
        } catch (error) {
          logger.error('rule evaluation failed', {
            event: event.id,
            error: (error as Error).message
          })
        }
      }
    })

  const ingest = (
    _account: AccountRecord,
    batch: NewEvent[],
    origin: StoredEvent['origin']
  ): StoredEvent[] => {
    if (batch.length === 0) return []
    // One transaction: the events and what the rules learn from them commit together.
    return engine.batch(() => {
      const stored = events.ingest(batch.map(enrich), clock.now(), origin)
      engine.noteStored(stored)
      if (origin === 'live') evaluate(stored, 'live')
      return stored
    })
  }

  const recordHealth = (account: AccountRecord, notice: HealthNotice) => {
    const finding: Finding = {
      ruleId: notice.rule,
      level: HEALTH_LEVEL[notice.rule],
      accountId: account.id,
      family: notice.rule === 'key.auth_failing' ? 'key' : 'guardian',
      title: HEALTH_TITLE[notice.rule],
      explanation: notice.detail,
      // The detail is a descriptor: the poller's sentence translated, the exchange's words verbatim.
      i18n: {
        'zh-CN': {
          title: coreText('zh-CN', `health.${notice.rule}`),
          explanation: formatMessage('zh-CN', notice.detailMsg)
        },
        'zh-TW': {
          title: coreText('zh-TW', `health.${notice.rule}`),
          explanation: formatMessage('zh-TW', notice.detailMsg)
        }
      },
      reasoning: (({ detailMsg: _, ...rest }) => rest)(notice),
      evidence: [],
      dedupKey: `${notice.rule}:${clock.now()}`,
      eventTs: clock.now(),
      suggestKillSwitch: false
    }
    // A key we revoked ourselves is supposed to fail: that is containment, not a new problem.
    if (notice.rule === 'key.auth_failing' && account.status === 'contained') return
    handleFindings([finding], 'live')
  }

  // ---- watchers -------------------------------------------------------------------------------

  const loadCredentials = async (accountId: string): Promise<Credentials> => {
    const raw = await deps.secrets.get(accountSlot(accountId))
    if (!raw) throw new MessageError(msg('account.noCredentials', { account: accountId }))
    return JSON.parse(raw) as Credentials
  }

  const startWatcher = async (account: AccountRecord): Promise<AccountWatcher> => {
    const credentials = await loadCredentials(account.id)
    const exchange = await deps.exchanges.create(
      { exchange: account.exchange, endpoint: account.endpoint ?? undefined },
      credentials
    )
    const connector = createConnector(
      exchange,
      { id: account.id, exchange: account.exchange, selfKeyId: account.selfKeyId },
      { clock, logger }
    )
    const watcher = new AccountWatcher(
      db,
      accounts,
      account.id,
      connector,
      clock,
      logger,
      {
        ingest,
        retroScan: (_account, stored, onProgress) => {
          engine.batch(() =>
            stored.forEach((event, i) => {
              try {
                judgeKey(event)
                handleFindings(engine.evaluate(event, { scope: 'history' }), 'history', event)
              } catch (error) {
                logger.error('retro-scan evaluation failed', {
                  event: event.id,
                  error: (error as Error).message
                })
              }
              if (i % 500 === 0) onProgress(i / Math.max(1, stored.length))
            })
          )
          onProgress(1)
        },
        onKeyEvents: (acc, keyEvents) => void containNewKeys(acc, keyEvents),
        onBackfillProgress: (accountId, progress, message, done, msg) => {
          backfill.set(accountId, {
            done,
            progress: Math.min(1, Math.max(0, progress)),
            message,
            ...(msg ? { msg } : {})
          })
          const a = accounts.get(accountId)
          if (a) bus.emit('account', accountView(a))
        },
        onHealth: recordHealth,
        onPolled: () => emitStatus()
      },
      { pollSecondsOverride: deps.pollSecondsOverride, ...healthThresholds() }
    )
    watchers.set(account.id, watcher)
    if (started) watcher.start()
    return watcher
  }

  let cancelRetention: (() => void) | null = null
  /** Applies the retention setting now and then once a day. */
  const scheduleRetention = (delayMs: number) => {
    cancelRetention = clock.setTimeout(() => {
      try {
        const removed = applyRetention(db, settings.get().retentionDays, clock.now())
        if (removed.events > 0) {
          engine.historyChanged()
          logger.info('retention: old events removed', removed)
        }
      } catch (error) {
        logger.error('retention failed', { error: (error as Error).message })
      }
      if (started) scheduleRetention(24 * 60 * 60 * 1000)
    }, delayMs)
  }

  /** The poller's health thresholds come from the guardian rules' (tunable) parameters. */
  const healthThresholds = () => {
    const param = (ruleId: string, name: string): number | undefined => {
      const rule = engine.list().find((r) => r.id === ruleId)
      const value = rule?.enabled ? rule.params[name] : undefined
      return typeof value === 'number' && value > 0 ? value : undefined
    }
    const minutes = param('guardian.exchange_degraded', 'minutes')
    return {
      authFailThreshold: param('key.auth_failing', 'consecutiveErrors'),
      degradedAfterMs: minutes === undefined ? undefined : minutes * 60_000,
      stalledAfterIntervals: param('guardian.poll_stalled', 'intervals')
    }
  }

  /** On a contained account, a key that appears (or is re-enabled) is disabled at once. */
  const containNewKeys = async (account: AccountRecord, keyEvents: StoredEvent[]) => {
    if (account.status !== 'contained') return
    const ids = keyEvents
      .filter(
        (e) =>
          (e.type === 'key.created' || e.type === 'key.enabled') &&
          !(e.data as { self?: boolean }).self
      )
      .map((e) => (e.data as { keyId: string }).keyId)
    if (ids.length === 0) return
    const connector = watchers.get(account.id)?.connectorRef
    if (!connector) return
    const result = await connector.disableKeys(ids)
    audit.append({
      at: clock.now(),
      actor: 'containment',
      action: 'key.disable',
      accountId: account.id,
      detail: { ...result }
    })
    logger.warn('contained account: disabled new keys', {
      account: account.id,
      disabled: result.disabled,
      failed: result.failed.length
    })
  }

  /** Fills in the demo's spare account, and insists on a key and a secret otherwise. */
  const resolveCredentialsInput = <
    T extends {
      exchange: string
      apiKey?: string
      secret?: string
      endpoint?: string
      simulated?: true
    }
  >(
    raw: T
  ): T & { apiKey: string; secret: string } => {
    let input: T = raw
    if (raw.simulated) {
      const spare = deps.demoControl?.spare
      if (!spare) throw new ApiFailure('bad-request', msg('api.simulatedDemoOnly'), 'simulated')
      input = {
        ...raw,
        exchange: spare.exchange,
        endpoint: spare.endpoint,
        apiKey: spare.credentials.apiKey,
        secret: spare.credentials.secret
      }
    }
    if (!input.apiKey) throw new ApiFailure('bad-request', msg('api.apiKeyRequired'), 'apiKey')
    if (!input.secret) throw new ApiFailure('bad-request', msg('api.secretRequired'), 'secret')
    return input as T & { apiKey: string; secret: string }
  }

  /**
   * One signed call before anything is kept: a wrong key or secret is refused at once, in plain
   * words, instead of becoming an account that silently fails to poll. A transient failure does not
   * block adding (the watcher retries).
   */
  const verifyCredentials = async (
    exchangeId: string,
    endpoint: string | undefined,
    credentials: Credentials
  ) => {
    const exchange = await deps.exchanges.create({ exchange: exchangeId, endpoint }, credentials)
    try {
      await exchange.fetchBalance()
    } catch (error) {
      const fault = classifyError(error, { exchangeName: exchangeId })
      if (fault.category === 'auth' || fault.category === 'permission') {
        throw new ApiFailure('bad-request', msg('api.keyRefused', { error: fault.msg }), 'apiKey')
      }
      logger.warn('could not verify the key now; will keep trying', {
        exchange: exchangeId,
        reason: fault.message
      })
    } finally {
      await exchange.close?.().catch(() => {})
    }
  }

  // ---- kill-switch ------------------------------------------------------------------------------

  const fireKillSwitch = async (
    accountIds: string[] | undefined,
    trigger: string,
    incidentId?: string,
    options: { closePositions?: boolean } = {}
  ): Promise<KillSwitchReport> => {
    const targets: KillSwitchTarget[] = []
    for (const a of accounts.list()) {
      if (accountIds && !accountIds.includes(a.id)) continue
      const w = watchers.get(a.id)
      if (w) targets.push({ accountId: a.id, exchange: a.exchange, connector: w.connectorRef })
    }
    if (accountIds) {
      const missing = accountIds.filter((id) => !targets.some((t) => t.accountId === id))
      if (missing.length)
        throw new ApiFailure('not-found', `unknown or inactive account: ${missing.join(', ')}`)
    }
    bus.emit('kill-switch', { phase: 'started', report: { trigger, accounts: [] } })
    const report = await killSwitch.fire({
      targets,
      trigger,
      incidentId,
      options: { closePositions: options.closePositions ?? false },
      onAccount: (result) =>
        bus.emit('kill-switch', { phase: 'account', report: { accounts: [result] } })
    })
    for (const r of report.accounts) {
      if (r.contained)
        accounts.update(r.account, { status: 'contained', containedAt: report.finishedAt })
    }
    if (incidentId) incidents.linkKillSwitch(incidentId, report.id)
    else {
      for (const i of incidents.list({ scope: 'live' })) {
        if (
          i.status === 'open' &&
          report.accounts.some((r) => r.account === i.accountId && r.contained)
        )
          incidents.linkKillSwitch(i.id, report.id)
      }
    }
    bus.emit('kill-switch', { phase: 'finished', report })
    emitStatus()
    return report
  }

  /** The kill-switch outcome per account for the notification, in the trader's language. */
  const summarise = (report: KillSwitchReport): string => {
    const lang = language()
    return report.accounts
      .map((a) => {
        const orders =
          a.ordersRemaining === 0
            ? coreText(lang, 'ks.ordersNoneLeft', { cancelled: a.ordersCancelled })
            : coreText(lang, 'ks.ordersOpen', { remaining: a.ordersRemaining })
        const key =
          a.key === 'manual-revoke-required'
            ? coreText(lang, 'ks.revokeByHand')
            : coreText(lang, 'ks.key', { key: coreText(lang, `ks.key.${a.key}`) })
        return coreText(lang, 'ks.line', {
          account: a.account,
          state: coreText(lang, a.contained ? 'ks.contained' : 'ks.notContained'),
          orders,
          key
        })
      })
      .join('\n')
  }

  const response = new ResponsePolicy({
    clock,
    logger,
    notifier,
    policy: () => settings.get().policy,
    fire: async (incidentId, trigger) =>
      summarise(await fireKillSwitch(undefined, trigger, incidentId)),
    isContained: (accountId) => accounts.get(accountId)?.status === 'contained',
    isPaused,
    accountLabel: (accountId) => {
      const a = accounts.get(accountId)
      return a ? `${a.label} (${a.exchange})` : accountId
    },
    onCountdownsChanged: () => emitStatus(),
    language: () => language()
  })

  // ---- views ------------------------------------------------------------------------------------

  const capabilitiesOf = (account: AccountRecord): Capability[] =>
    watchers.get(account.id)?.connectorRef.capabilities() ?? []

  const accountView = (a: AccountRecord): AccountView => {
    const keys = db
      .prepare('SELECT * FROM api_keys WHERE account_id = ? ORDER BY is_self DESC, first_seen')
      .all(a.id) as {
      key_id: string
      name: string | null
      permissions: string
      ip_whitelist: string
      enabled: number
      is_self: number
      created_at: number | null
      removed_at: number | null
    }[]
    return {
      id: a.id,
      exchange: a.exchange,
      label: a.label,
      keyHint: a.keyHint,
      hasSecret: true,
      status: isPaused() && a.status !== 'contained' ? 'paused' : a.status,
      lastPollAt: a.lastPollAt,
      lastError: a.lastError,
      lastErrorMsg: lastErrorMsg(a),
      createdAt: a.createdAt,
      pollSeconds: deps.pollSecondsOverride ?? a.pollSeconds,
      deadManSeconds: a.options.deadManSeconds ?? null,
      capabilities: withNoteI18n(capabilitiesOf(a), exchangeName(a.exchange)),
      keys: keys.map((k) => ({
        keyId: k.key_id,
        name: k.name,
        permissions: JSON.parse(k.permissions),
        ipWhitelist: JSON.parse(k.ip_whitelist),
        enabled: k.enabled === 1,
        self: k.is_self === 1,
        createdAt: k.created_at,
        removedAt: k.removed_at
      })),
      posture: (posture.get(a.id) ?? []).map(({ finding }) => postureView(finding)),
      openIncidents: incidents.openCount(a.id),
      backfill: localBackfill(a.id)
    }
  }

  const channelView = async (c: ChannelConfig) => ({
    ...c,
    hasSecret: (await deps.secrets.get(channelSlot(c.id))) !== null
  })

  /** settings.language resolved ('system' reads the OS locale): notifications, tray, progress. */
  const language = () => resolveCoreLanguage(settings.get().language)

  const localBackfill = (accountId: string): AccountView['backfill'] => {
    const b = backfill.get(accountId)
    return b
      ? { ...b, message: b.msg ? formatMessage(language(), b.msg, b.message) : b.message }
      : null
  }

  /** The stored descriptor of `lastError` (none for errors stored before descriptors were). */
  const lastErrorMsg = (a: AccountRecord): Message | null => (a.lastError ? a.lastErrorMsg : null)

  const status = (): Status => {
    const lang = language()
    const list = accounts.list()
    const open = incidents.openCount()
    const paused = isPaused()
    const countdowns = response.activeCountdowns().map((c) => ({
      incidentId: c.incidentId,
      level: c.level,
      endsAt: c.endsAt,
      action: c.action
    }))
    let tray: Status['tray'] = 'watching'
    let trayReason = list.length
      ? coreText(lang, `tray.watching.${plural(list.length)}`, { count: list.length })
      : coreText(lang, 'tray.none')
    if (list.some((a) => a.status === 'learning') || [...backfill.values()].some((b) => !b.done)) {
      tray = 'learning'
      trayReason = coreText(lang, 'tray.learning')
    }
    if (list.some((a) => a.status === 'degraded' || a.status === 'error')) {
      tray = 'degraded'
      trayReason = list
        .filter((a) => a.status === 'degraded' || a.status === 'error')
        .map((a) => {
          const m = lastErrorMsg(a)
          const reason = m
            ? formatMessage(lang, m, a.lastError ?? a.status)
            : (a.lastError ?? a.status)
          return lang === 'en' ? `${a.label}: ${reason}` : `${a.label}：${reason}`
        })
        .join(lang === 'en' ? '; ' : '；')
    }
    if (list.some((a) => a.status === 'contained')) {
      tray = 'contained'
      trayReason = coreText(lang, 'tray.contained', {
        labels: list
          .filter((a) => a.status === 'contained')
          .map((a) => a.label)
          .join(', ')
      })
    }
    if (open > 0) {
      tray = 'alert'
      trayReason = coreText(lang, `tray.open.${plural(open)}`, { count: open })
    }
    if (paused) {
      tray = 'paused'
      trayReason = coreText(lang, 'tray.paused', {
        time:
          lang === 'en'
            ? new Date(pausedUntil!).toLocaleTimeString()
            : new Date(pausedUntil!).toLocaleTimeString(lang)
      })
    }
    return {
      version: VERSION,
      mode: deps.mode,
      demo: deps.demo ?? false,
      paused,
      pausedUntil: paused ? pausedUntil : null,
      tray,
      trayReason,
      accounts: list.length,
      openIncidents: open,
      countdowns,
      lastKillSwitch: killSwitch.last()
    }
  }

  const emitStatus = () => bus.emit('status', status())

  const requireAccount = (id: string): AccountRecord => {
    const a = accounts.get(id)
    if (!a) throw new ApiFailure('not-found', `no account with id ${id}`)
    return a
  }

  const requireIncident = (id: string): IncidentView => {
    const i = incidents.getIncident(id)
    if (!i) throw new ApiFailure('not-found', `no incident with id ${id}`)
    return i
  }

  // ---- API handlers ---------------------------------------------------------------------------

  const handlers: VigilHandlers = {
    status: async () => status(),
    'exchanges.list': async () => {
      const ids = await listExchangeIds()
      return ids.map((id) => ({
        id,
        name: exchangeName(id),
        deep: (DEEP_EXCHANGES as readonly string[]).includes(id),
        needsPassword: ['okx', 'kucoin', 'kucoinfutures', 'bitget', 'coinbaseexchange'].includes(id)
      }))
    },
    'accounts.list': async () => accounts.list().map(accountView),
    'accounts.add': async (raw) => {
      const input = resolveCredentialsInput(raw)
      const { apiKey, secret } = input
      if (!(await listExchangeIds()).includes(input.exchange))
        throw new ApiFailure(
          'bad-request',
          msg('api.unknownExchange', { exchange: input.exchange }),
          'exchange'
        )
      if (!isSupportedExchange(input.exchange)) {
        throw new ApiFailure(
          'bad-request',
          msg('api.notSupported', { exchange: input.exchange }),
          'exchange'
        )
      }
      const id = `${input.exchange}-${randomBytes(4).toString('hex')}`
      const credentials: Credentials = {
        apiKey,
        secret,
        ...(input.password ? { password: input.password } : {})
      }
      await deps.secrets.set(accountSlot(id), JSON.stringify(credentials))
      accounts.insert({
        id,
        exchange: input.exchange,
        label: input.label,
        endpoint: input.endpoint ?? null,
        keyHint: apiKey.slice(-4),
        pollSeconds: input.pollSeconds ?? 10,
        createdAt: clock.now(),
        options: { hasPassword: !!input.password }
      })
      audit.append({
        at: clock.now(),
        actor: 'user',
        action: 'account.add',
        accountId: id,
        detail: { exchange: input.exchange, label: input.label }
      })
      try {
        await verifyCredentials(input.exchange, input.endpoint, credentials)
        await startWatcher(accounts.get(id)!)
      } catch (error) {
        accounts.remove(id)
        engine.historyChanged(id)
        await deps.secrets.delete(accountSlot(id))
        throw error instanceof ApiFailure ? error : new ApiFailure('bad-request', errorMsg(error))
      }
      emitStatus()
      return accountView(accounts.get(id)!)
    },
    'accounts.test': async (raw) => {
      const input = resolveCredentialsInput(raw)
      const credentials: Credentials = {
        apiKey: input.apiKey,
        secret: input.secret,
        ...(input.password ? { password: input.password } : {})
      }
      const empty = { capabilities: [], keys: [], posture: [] }
      if (!isSupportedExchange(input.exchange)) {
        const why = msg('api.notSupported', { exchange: input.exchange })
        return { ok: false, error: englishText(why), errorMsg: why, ...empty }
      }
      try {
        await verifyCredentials(input.exchange, input.endpoint, credentials)
      } catch (error) {
        const why = error instanceof ApiFailure && error.msg ? error.msg : errorMsg(error)
        return { ok: false, error: (error as Error).message, errorMsg: why, ...empty }
      }
      const exchange = await deps.exchanges.create(
        { exchange: input.exchange, endpoint: input.endpoint },
        credentials
      )
      const connector = createConnector(
        exchange,
        { id: 'test', exchange: input.exchange, selfKeyId: null },
        { clock, logger }
      )
      try {
        const result = await connector.poll({})
        const keys = result.keys ?? []
        return {
          ok: true,
          error: null,
          capabilities: withNoteI18n(connector.capabilities(), exchangeName(input.exchange)),
          keys: keys.map((k) => ({
            keyId: k.keyId,
            name: k.name,
            permissions: k.permissions,
            ipWhitelist: k.ipWhitelist,
            enabled: k.enabled,
            self: k.self,
            createdAt: k.createdAt,
            removedAt: null
          })),
          posture: postureOf(keys, deps.rulesDir, clock.now())
        }
      } finally {
        await connector.close().catch(() => {})
      }
    },
    'accounts.rearm': async ({ accountId, ...raw }) => {
      const account = requireAccount(accountId)
      const input = resolveCredentialsInput({
        exchange: account.exchange,
        endpoint: account.endpoint ?? undefined,
        ...raw
      })
      const credentials: Credentials = {
        apiKey: input.apiKey,
        secret: input.secret,
        ...(input.password ? { password: input.password } : {})
      }
      await verifyCredentials(account.exchange, input.endpoint, credentials)
      const old = watchers.get(accountId)
      await old?.stop()
      await old?.connectorRef.close().catch(() => {})
      watchers.delete(accountId)
      await deps.secrets.set(accountSlot(accountId), JSON.stringify(credentials))
      // Re-arming is where the trader proves a fresh key: forget which key was ours, watch again.
      accounts.update(accountId, {
        status: 'watching',
        containedAt: null,
        selfKeyId: null,
        lastError: null,
        keyHint: input.apiKey.slice(-4)
      })
      audit.append({
        at: clock.now(),
        actor: 'user',
        action: 'account.rearm',
        accountId,
        detail: { keyHint: input.apiKey.slice(-4) }
      })
      const watcher = await startWatcher(accounts.get(accountId)!)
      if (!started) watcher.start()
      await watcher.pollNow()
      emitStatus()
      return accountView(accounts.get(accountId)!)
    },
    'accounts.update': async ({ accountId, pollSeconds, deadManSeconds }) => {
      const account = requireAccount(accountId)
      const watcher = watchers.get(accountId)
      const options = { ...account.options }
      if (deadManSeconds !== undefined) {
        if (deadManSeconds > 0) {
          const supported = capabilitiesOf(account).find((c) => c.id === 'deadMan')?.supported
          if (!supported || !watcher?.connectorRef.heartbeat) {
            throw new ApiFailure(
              'bad-request',
              msg('api.noDeadMan', { exchange: account.exchange }),
              'deadManSeconds'
            )
          }
          const interval = pollSeconds ?? account.pollSeconds
          if (deadManSeconds < interval * 3) {
            throw new ApiFailure(
              'bad-request',
              msg('api.deadManTooShort', { seconds: interval * 3 }),
              'deadManSeconds'
            )
          }
          // Arm it now so a refusal (e.g. OKX allows 10–120 s) reaches the trader at once.
          try {
            await watcher.connectorRef.heartbeat(deadManSeconds)
          } catch (error) {
            throw new ApiFailure(
              'bad-request',
              msg('api.deadManRefused', { exchange: account.exchange, error: errorMsg(error) }),
              'deadManSeconds'
            )
          }
          options.deadManSeconds = deadManSeconds
        } else {
          await watcher?.disarm()
          delete options.deadManSeconds
        }
      }
      accounts.update(accountId, { options, ...(pollSeconds !== undefined ? { pollSeconds } : {}) })
      audit.append({
        at: clock.now(),
        actor: 'user',
        action: 'account.update',
        accountId,
        detail: { pollSeconds, deadManSeconds }
      })
      return accountView(accounts.get(accountId)!)
    },
    'accounts.remove': async ({ accountId }) => {
      requireAccount(accountId)
      await watchers.get(accountId)?.stop()
      await watchers.get(accountId)?.connectorRef.close()
      watchers.delete(accountId)
      await deps.secrets.delete(accountSlot(accountId))
      const removed = accounts.remove(accountId)
      engine.historyChanged(accountId)
      posture.delete(accountId)
      backfill.delete(accountId)
      audit.append({
        at: clock.now(),
        actor: 'user',
        action: 'account.remove',
        accountId,
        detail: {}
      })
      emitStatus()
      return { removed }
    },
    'incidents.list': async (input) => incidents.list(input),
    'incidents.get': async ({ incidentId }) => {
      const incident = requireIncident(incidentId)
      return {
        incident,
        alerts: incidents.alertsOf(incidentId),
        killSwitch: incident.killSwitchRunId ? killSwitch.get(incident.killSwitchRunId) : null
      }
    },
    'incidents.acknowledge': async ({ incidentId }) => {
      const incident = requireIncident(incidentId)
      if (incident.status === 'open') incidents.setStatus(incidentId, 'acknowledged', clock.now())
      response.cancelCountdown(incidentId, 'acknowledged')
      audit.append({
        at: clock.now(),
        actor: 'user',
        action: 'incident.acknowledge',
        accountId: incident.accountId,
        detail: { incidentId }
      })
      emitStatus()
      return requireIncident(incidentId)
    },
    'incidents.report': async ({ incidentId, format, language: requested }) => {
      requireIncident(incidentId)
      const lang = requested ?? language()
      const report = buildIncidentReport(db, incidentId, clock.now(), lang)
      audit.append({
        at: clock.now(),
        actor: 'user',
        action: 'incident.export',
        accountId: report.incident.accountId,
        detail: { incidentId, format }
      })
      return format === 'json'
        ? {
            filename: `vigil-incident-${incidentId}.json`,
            mime: 'application/json',
            content: JSON.stringify(report, null, 2)
          }
        : {
            filename: `vigil-incident-${incidentId}.md`,
            mime: 'text/markdown',
            content: incidentReportMarkdown(report, lang)
          }
    },
    'history.query': async (input) => {
      const limit = input.limit ?? 200
      const rows = events.query({ ...input, limit: limit + 1 })
      const page = rows.slice(0, limit)
      const last = page[page.length - 1]
      return {
        events: page.map((e) => ({ ...e, data: e.data as Record<string, unknown> })),
        next: rows.length > limit && last ? { ts: last.ts, id: last.id } : null
      }
    },
    'killSwitch.fire': async ({ accountIds, reason, incidentId, closePositions }) => {
      if (incidentId) {
        requireIncident(incidentId)
        response.cancelCountdown(incidentId, 'user fired')
      }
      return fireKillSwitch(accountIds, `user: ${reason ?? 'kill-switch button'}`, incidentId, {
        closePositions
      })
    },
    'countdown.cancel': async ({ incidentId }) => ({
      cancelled: response.cancelCountdown(incidentId, 'user')
    }),
    'rules.list': async () => engine.list(),
    'settings.get': async () => settings.get(),
    'settings.update': async (patch) => {
      const next = settings.update(patch)
      audit.append({
        at: clock.now(),
        actor: 'user',
        action: 'settings.update',
        accountId: null,
        detail: { keys: Object.keys(patch) }
      })
      return next
    },
    'channels.list': async () => Promise.all(channels.list().map(channelView)),
    'channels.add': async (input) => {
      if (input.kind === 'webhook' && !input.url)
        throw new ApiFailure('bad-request', msg('api.webhookUrl'), 'url')
      if (input.kind !== 'webhook' && !input.target) {
        throw new ApiFailure(
          'bad-request',
          msg(input.kind === 'telegram' ? 'api.telegramChat' : 'api.ntfyTopic'),
          'target'
        )
      }
      if (input.kind === 'telegram' && !input.secret)
        throw new ApiFailure('bad-request', msg('api.telegramToken'), 'secret')
      const channel: ChannelConfig = {
        id: `ch-${randomBytes(4).toString('hex')}`,
        kind: input.kind,
        name: input.name,
        url: input.kind === 'webhook' ? `${new URL(input.url!).origin}/…` : (input.url ?? ''),
        target: input.target ?? '',
        minLevel: input.minLevel ?? 'high',
        enabled: true
      }
      const secret =
        input.kind === 'webhook'
          ? JSON.stringify({ url: input.url, token: input.secret })
          : input.secret
      if (secret) await deps.secrets.set(channelSlot(channel.id), secret)
      channels.save([...channels.list(), channel])
      audit.append({
        at: clock.now(),
        actor: 'user',
        action: 'channel.add',
        accountId: null,
        detail: { id: channel.id, kind: channel.kind, name: channel.name }
      })
      return channelView(channel)
    },
    'channels.remove': async ({ channelId }) => {
      const list = channels.list()
      if (!list.some((c) => c.id === channelId))
        throw new ApiFailure('not-found', `no channel with id ${channelId}`)
      channels.save(list.filter((c) => c.id !== channelId))
      await deps.secrets.delete(channelSlot(channelId))
      audit.append({
        at: clock.now(),
        actor: 'user',
        action: 'channel.remove',
        accountId: null,
        detail: { id: channelId }
      })
      return { removed: true }
    },
    'channels.test': async ({ channelId }) => {
      const channel = channels.list().find((c) => c.id === channelId)
      if (!channel) throw new ApiFailure('not-found', `no channel with id ${channelId}`)
      try {
        await deliver(channel, await deps.secrets.get(channelSlot(channel.id)), {
          title: coreText(language(), 'channel.testTitle'),
          body: coreText(language(), 'channel.testBody'),
          level: 'info'
        })
        return { delivered: true, error: null }
      } catch (error) {
        return { delivered: false, error: (error as Error).message }
      }
    },
    'rules.update': async ({ ruleId, enabled, level, params }) => {
      if (!engine.list().some((r) => r.id === ruleId))
        throw new ApiFailure('not-found', `no rule with id ${ruleId}`)
      const before = settings.ruleOverrides()
      const current = before[ruleId] ?? {}
      const next = {
        ...before,
        [ruleId]: {
          ...current,
          ...(enabled !== undefined ? { enabled } : {}),
          ...(level !== undefined ? { level } : {}),
          ...(params !== undefined ? { params: { ...(current.params ?? {}), ...params } } : {})
        }
      }
      const errorsBefore = engine.loadErrors().length
      engine.setOverrides(next)
      const problem = engine
        .loadErrors()
        .slice(errorsBefore)
        .find((e) => e.message.includes(ruleId) || e.file === 'overrides')
      if (problem) {
        engine.setOverrides(before)
        throw new ApiFailure('bad-request', problem.msg ?? problem.message, 'params')
      }
      settings.setRuleOverrides(next)
      audit.append({
        at: clock.now(),
        actor: 'user',
        action: 'rule.update',
        accountId: null,
        detail: { ruleId, enabled, level, params: params ? Object.keys(params) : undefined }
      })
      return engine.list().find((r) => r.id === ruleId)!
    },
    'exceptions.list': async () => exceptions.list(),
    'exceptions.add': async (input) => {
      let { value, ruleId, accountId } = input
      if (input.alertId) {
        const alert = incidents.getAlert(input.alertId)
        if (!alert) throw new ApiFailure('not-found', `no alert with id ${input.alertId}`)
        value ??= exceptionValueFrom(alert.evidence, input.field) ?? undefined
        if (!value)
          throw new ApiFailure(
            'bad-request',
            msg('api.exceptionNoField', { field: input.field }),
            'field'
          )
        ruleId ??= input.allRules ? undefined : alert.rule
        accountId ??= alert.accountId
        if (incidents.getIncident(alert.incidentId)?.status === 'open')
          incidents.setStatus(alert.incidentId, 'acknowledged', clock.now())
        response.cancelCountdown(alert.incidentId, 'this is me')
      }
      if (!value) throw new ApiFailure('bad-request', msg('api.exceptionValue'), 'value')
      const created = exceptions.add({
        ruleId: ruleId ?? null,
        accountId: accountId ?? null,
        field: input.field,
        value,
        note: input.note ?? null,
        createdAt: clock.now()
      })
      audit.append({
        at: clock.now(),
        actor: 'user',
        action: 'exception.add',
        accountId: accountId ?? null,
        detail: { ...created }
      })
      emitStatus()
      return created
    },
    'exceptions.remove': async ({ exceptionId }) => {
      const removed = exceptions.remove(exceptionId)
      if (!removed) throw new ApiFailure('not-found', `no exception with id ${exceptionId}`)
      audit.append({
        at: clock.now(),
        actor: 'user',
        action: 'exception.remove',
        accountId: null,
        detail: { exceptionId }
      })
      return { removed }
    },
    'silences.list': async () => silences.list(clock.now()),
    'silences.add': async ({ ruleId, accountId, minutes }) => {
      const created = silences.add({
        ruleId: ruleId ?? null,
        accountId: accountId ?? null,
        until: clock.now() + minutes * 60_000,
        createdAt: clock.now()
      })
      audit.append({
        at: clock.now(),
        actor: 'user',
        action: 'silence.add',
        accountId: accountId ?? null,
        detail: { ...created }
      })
      return created
    },
    'silences.remove': async ({ silenceId }) => {
      const removed = silences.remove(silenceId)
      if (!removed) throw new ApiFailure('not-found', `no silence with id ${silenceId}`)
      return { removed }
    },
    'demo.info': async () => ({
      demo: !!deps.demoControl,
      spare: deps.demoControl?.spare
        ? { exchange: deps.demoControl.spare.exchange, label: deps.demoControl.spare.label }
        : null,
      attacks: deps.demoControl?.attacks ?? []
    }),
    'demo.attack': async ({ attack }) => {
      if (!deps.demoControl)
        throw new ApiFailure('bad-request', 'fire drills run only in demo mode')
      if (!deps.demoControl.attacks.some((a) => a.id === attack))
        throw new ApiFailure('not-found', `no scripted attack ${attack}`)
      audit.append({
        at: clock.now(),
        actor: 'user',
        action: 'demo.attack',
        accountId: null,
        detail: { attack }
      })
      return { played: deps.demoControl.attack(attack) }
    },
    pause: async ({ minutes }) => {
      pausedUntil = minutes > 0 ? clock.now() + minutes * 60_000 : null
      audit.append({
        at: clock.now(),
        actor: 'user',
        action: minutes > 0 ? 'monitoring.pause' : 'monitoring.resume',
        accountId: null,
        detail: { minutes }
      })
      emitStatus()
      return status()
    }
  }

  for (const error of engine.loadErrors()) logger.error('rule file rejected', error)

  return {
    events: bus,
    handlers,
    status,
    async start() {
      started = true
      scheduleRetention(0)
      for (const account of accounts.list()) {
        try {
          const w = watchers.get(account.id) ?? (await startWatcher(account))
          w.start()
        } catch (error) {
          const reason = msg('account.startFailed', { error: errorMsg(error) })
          accounts.update(account.id, {
            status: 'error',
            lastError: englishText(reason),
            lastErrorMsg: reason
          })
          logger.error('could not start watching account', {
            account: account.id,
            error: (error as Error).message
          })
        }
      }
      emitStatus()
    },
    async stop() {
      started = false
      cancelRetention?.()
      response.dispose()
      await Promise.all([...watchers.values()].map((w) => w.stop()))
      await Promise.all([...watchers.values()].map((w) => w.disarm()))
      await Promise.all([...watchers.values()].map((w) => w.connectorRef.close().catch(() => {})))
      watchers.clear()
      db.close()
    },
    internals: { db, watchers, incidents, killSwitch, audit, events, accounts, fireKillSwitch }
  }
}

/** For the replay harness and integration tests: the parts a scored run reads back. */
export interface VigilInternals {
  db: Db
  watchers: Map<string, AccountWatcher>
  incidents: Incidents
  killSwitch: KillSwitch
  audit: AuditLog
  events: EventStore
  accounts: AccountsRepo
  fireKillSwitch: (
    accountIds: string[] | undefined,
    trigger: string,
    incidentId?: string
  ) => Promise<KillSwitchReport>
}

export type { RecordedAlert, Connector }
