/**
 * A small in-memory VigilApi for renderer tests: contract-shaped data, real behaviour (accounts
 * get added and removed, incidents acknowledged, the kill switch contains accounts), and a log of
 * every call so tests can check what the UI asked for.
 */
import type {
  AccountView,
  AlertView,
  EventView,
  IncidentView,
  Input,
  KillSwitchReport,
  MethodName,
  Output,
  RuleView,
  Settings,
  Status,
  VigilApi,
  VigilEventName,
  VigilEventPayload
} from '../../../main/api/types'

export const NOW = Date.UTC(2026, 10, 22, 9, 30, 0)

export function makeAccount(overrides: Partial<AccountView> = {}): AccountView {
  return {
    id: 'acc-deribit',
    exchange: 'deribit',
    label: 'Main desk',
    keyHint: 'a1b2',
    hasSecret: true,
    status: 'watching',
    lastPollAt: NOW - 4000,
    lastError: null,
    createdAt: NOW - 86_400_000 * 30,
    pollSeconds: 5,
    deadManSeconds: null,
    capabilities: [
      { id: 'loginHistory', supported: true, note: 'Deribit publishes its access log.' },
      { id: 'revokeKey', supported: true, note: 'Keys can be disabled over the API.' },
      { id: 'deadMan', supported: false, note: 'Deribit has no dead-man switch over REST.' }
    ],
    keys: [
      {
        keyId: 'key-1',
        name: 'bot',
        permissions: ['trade:read_write', 'account:read'],
        ipWhitelist: [],
        enabled: true,
        self: true,
        createdAt: NOW - 86_400_000 * 40,
        removedAt: null
      }
    ],
    posture: [
      {
        rule: 'key_without_ip_whitelist',
        level: 'medium',
        title: 'Key works from any IP address',
        fix: 'Bind the key to your server IP in the API management page.'
      }
    ],
    openIncidents: 1,
    backfill: null,
    ...overrides
  }
}

export function makeEvent(overrides: Partial<EventView> = {}): EventView {
  return {
    id: 1,
    accountId: 'acc-deribit',
    kind: 'login',
    type: 'login.success',
    exchangeRecordId: 'log-9001',
    ts: NOW - 60_000,
    observedAt: NOW - 55_000,
    origin: 'live',
    data: { ip: '185.220.101.4', success: true, country: 'DE', network: 'tor', device: 'Firefox' },
    ...overrides
  }
}

export function makeIncident(overrides: Partial<IncidentView> = {}): IncidentView {
  return {
    id: 'inc-1',
    accountId: 'acc-deribit',
    family: 'account-takeover',
    level: 'critical',
    status: 'open',
    scope: 'live',
    title: 'Login from a new country over Tor',
    openedAt: NOW - 120_000,
    updatedAt: NOW - 60_000,
    alertCount: 1,
    rules: ['login_new_country'],
    killSwitchRunId: null,
    ...overrides
  }
}

export function makeAlert(overrides: Partial<AlertView> = {}): AlertView {
  return {
    id: 'alert-1',
    incidentId: 'inc-1',
    rule: 'login_new_country',
    level: 'critical',
    accountId: 'acc-deribit',
    at: NOW - 60_000,
    scope: 'live',
    title: 'Login from a new country over Tor',
    explanation:
      'Someone logged in from Germany through Tor; in 90 days you only ever logged in from Singapore.',
    reasoning: { threshold: 1, observed: 3, baseline: 0 },
    evidence: [
      makeEvent(),
      makeEvent({
        id: 2,
        kind: 'withdrawal',
        type: 'withdrawal.new',
        exchangeRecordId: 'wd-77',
        ts: NOW - 30_000,
        data: { withdrawalId: 'wd-77', currency: 'BTC', amount: 1.5, address: 'bc1qattacker0000' }
      })
    ],
    ...overrides
  }
}

export function makeReport(accountIds: string[]): KillSwitchReport {
  return {
    id: 'ks-1',
    trigger: 'manual',
    startedAt: NOW,
    finishedAt: NOW + 1200,
    durationMs: 1200,
    accounts: accountIds.map((account) => ({
      account,
      exchange: 'deribit',
      contained: true,
      ordersCancelled: 7,
      ordersRemaining: 0,
      key: 'disabled',
      keysDisabled: ['key-evil'],
      keysRemoved: [],
      manualSteps: [],
      manualUrl: null,
      steps: [{ action: 'cancel_all', ok: true, attempts: 1, detail: '7 orders cancelled' }],
      errors: []
    }))
  }
}

export function makeStatus(overrides: Partial<Status> = {}): Status {
  return {
    version: '0.1.0',
    mode: 'headless',
    demo: false,
    paused: false,
    pausedUntil: null,
    tray: 'alert',
    trayReason: '1 open incident',
    accounts: 1,
    openIncidents: 1,
    countdowns: [],
    lastKillSwitch: null,
    ...overrides
  }
}

export const defaultSettings = (): Settings => ({
  policy: {
    levels: { info: 'history', low: 'history', medium: 'notify', high: 'ask', critical: 'ask' },
    countdownSeconds: 60,
    defaultAction: 'fire'
  },
  language: 'system',
  theme: 'system',
  retentionDays: 365
})

export const defaultRules = (): RuleView[] => [
  {
    id: 'login_new_country',
    title: 'Login from a new country',
    description: 'A login from a country not seen in the history window.',
    level: 'high',
    kind: 'new_value',
    enabled: true,
    status: 'stable',
    params: { field: 'country', windowDays: 90 },
    falsepositives: ['Travel']
  }
]

type Handler<M extends MethodName> = (input: Input<M>) => Output<M> | Promise<Output<M>>
export type Handlers = { [M in MethodName]: Handler<M> }

export interface FakeVigil extends VigilApi {
  calls: Array<{ method: MethodName; input: unknown }>
  callsOf<M extends MethodName>(method: M): Array<Input<M>>
  emit<E extends VigilEventName>(event: E, payload: VigilEventPayload<E>): void
  handlers: Handlers
  /** Live state the handlers read; tests may change its fields at any time. */
  state: {
    accounts: AccountView[]
    incidents: IncidentView[]
    alerts: AlertView[]
    events: EventView[]
    settings: Settings
    status: Status
    channels: Output<'channels.list'>
    rules: RuleView[]
    exceptions: Output<'exceptions.list'>
    silences: Output<'silences.list'>
    demo: Output<'demo.info'>
  }
}

export function createFakeVigil(seed: Partial<FakeVigil['state']> = {}): FakeVigil {
  const state: FakeVigil['state'] = {
    accounts: [makeAccount()],
    incidents: [makeIncident()],
    alerts: [makeAlert()],
    events: [],
    settings: defaultSettings(),
    status: makeStatus(),
    channels: [],
    rules: defaultRules(),
    exceptions: [],
    silences: [],
    demo: { demo: false, spare: null, attacks: [] },
    ...seed
  }
  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  const calls: FakeVigil['calls'] = []

  const handlers: Handlers = {
    status: () => state.status,
    'exchanges.list': () => [
      { id: 'binance', name: 'Binance', deep: true, needsPassword: false },
      { id: 'okx', name: 'OKX', deep: true, needsPassword: true },
      { id: 'deribit', name: 'Deribit', deep: true, needsPassword: false },
      { id: 'kraken', name: 'Kraken', deep: false, needsPassword: false }
    ],
    'accounts.list': () => state.accounts,
    'accounts.add': (input) => {
      const account = makeAccount({
        id: `acc-${state.accounts.length + 1}`,
        exchange: input.exchange,
        label: input.label,
        keyHint: input.simulated ? 'SIM1' : (input.apiKey ?? '').slice(-4),
        status: 'learning',
        openIncidents: 0,
        posture: []
      })
      state.accounts = [...state.accounts, account]
      return account
    },
    'accounts.test': (input) =>
      input.simulated || input.apiKey
        ? {
            ok: true,
            error: null,
            capabilities: makeAccount().capabilities,
            keys: makeAccount().keys,
            posture: makeAccount().posture
          }
        : { ok: false, error: 'no key', capabilities: [], keys: [], posture: [] },
    'accounts.rearm': ({ accountId, apiKey }) => {
      const account = state.accounts.find((a) => a.id === accountId)
      if (!account) throw { code: 'not-found', message: `no account ${accountId}` }
      const next: AccountView = {
        ...account,
        status: 'watching',
        keyHint: (apiKey ?? 'SIM1').slice(-4)
      }
      state.accounts = state.accounts.map((a) => (a.id === accountId ? next : a))
      return next
    },
    'accounts.update': ({ accountId, pollSeconds, deadManSeconds }) => {
      const account = state.accounts.find((a) => a.id === accountId)
      if (!account) throw { code: 'not-found', message: `no account ${accountId}` }
      const next: AccountView = {
        ...account,
        ...(pollSeconds !== undefined ? { pollSeconds } : {}),
        ...(deadManSeconds !== undefined ? { deadManSeconds: deadManSeconds || null } : {})
      }
      state.accounts = state.accounts.map((a) => (a.id === accountId ? next : a))
      return next
    },
    'accounts.remove': ({ accountId }) => {
      const before = state.accounts.length
      state.accounts = state.accounts.filter((a) => a.id !== accountId)
      return { removed: state.accounts.length < before }
    },
    'incidents.list': ({ scope }) => state.incidents.filter((i) => !scope || i.scope === scope),
    'incidents.get': ({ incidentId }) => {
      const incident = state.incidents.find((i) => i.id === incidentId)
      if (!incident) throw { code: 'not-found', message: `no incident ${incidentId}` }
      return {
        incident,
        alerts: state.alerts.filter((a) => a.incidentId === incidentId),
        killSwitch: null
      }
    },
    'incidents.acknowledge': ({ incidentId }) => {
      state.incidents = state.incidents.map((i) =>
        i.id === incidentId ? { ...i, status: 'acknowledged' } : i
      )
      const found = state.incidents.find((i) => i.id === incidentId)
      if (!found) throw { code: 'not-found', message: 'no such incident' }
      return found
    },
    'incidents.report': ({ incidentId, format }) => ({
      filename: `vigil-incident-${incidentId}.${format === 'json' ? 'json' : 'md'}`,
      mime: format === 'json' ? 'application/json' : 'text/markdown',
      content: format === 'json' ? JSON.stringify({ incidentId }) : `# Incident ${incidentId}\n`
    }),
    'history.query': (input) => {
      const limit = input.limit ?? 100
      const sorted = state.events
        .filter((e) => !input.accountId || e.accountId === input.accountId)
        .filter((e) => !input.kinds || input.kinds.includes(e.kind))
        .filter(
          (e) =>
            !input.before ||
            e.ts < input.before.ts ||
            (e.ts === input.before.ts && e.id < input.before.id)
        )
        .sort((a, b) => b.ts - a.ts || b.id - a.id)
      const events = sorted.slice(0, limit)
      const last = events[events.length - 1]
      return { events, next: sorted.length > limit && last ? { ts: last.ts, id: last.id } : null }
    },
    'killSwitch.fire': (input) => {
      const ids = input.accountIds ?? state.accounts.map((a) => a.id)
      state.accounts = state.accounts.map((a) =>
        ids.includes(a.id) ? { ...a, status: 'contained' } : a
      )
      const report = makeReport(ids)
      state.status = { ...state.status, tray: 'contained', lastKillSwitch: report }
      return report
    },
    'countdown.cancel': ({ incidentId }) => {
      const had = state.status.countdowns.some((c) => c.incidentId === incidentId)
      state.status = {
        ...state.status,
        countdowns: state.status.countdowns.filter((c) => c.incidentId !== incidentId)
      }
      return { cancelled: had }
    },
    'rules.list': () => state.rules,
    'rules.update': ({ ruleId, enabled, level, params }) => {
      const rule = state.rules.find((r) => r.id === ruleId)
      if (!rule) throw { code: 'not-found', message: `no rule with id ${ruleId}` }
      const next: RuleView = {
        ...rule,
        ...(enabled !== undefined ? { enabled } : {}),
        ...(level !== undefined ? { level } : {}),
        ...(params ? { params: { ...rule.params, ...params } } : {})
      }
      state.rules = state.rules.map((r) => (r.id === ruleId ? next : r))
      return next
    },
    'exceptions.list': () => state.exceptions,
    'exceptions.add': (input) => {
      const alert = state.alerts.find((a) => a.id === input.alertId)
      const exception = {
        id: `ex-${state.exceptions.length + 1}`,
        ruleId: input.ruleId ?? (input.allRules ? null : (alert?.rule ?? null)),
        accountId: input.accountId ?? alert?.accountId ?? null,
        field: input.field,
        value: input.value ?? '',
        note: input.note ?? null,
        createdAt: NOW
      }
      state.exceptions = [...state.exceptions, exception]
      if (alert) {
        state.incidents = state.incidents.map((i) =>
          i.id === alert.incidentId && i.status === 'open' ? { ...i, status: 'acknowledged' } : i
        )
      }
      return exception
    },
    'exceptions.remove': ({ exceptionId }) => {
      const before = state.exceptions.length
      state.exceptions = state.exceptions.filter((x) => x.id !== exceptionId)
      return { removed: state.exceptions.length < before }
    },
    'silences.list': () => state.silences,
    'silences.add': ({ ruleId, accountId, minutes }) => {
      const silence = {
        id: `si-${state.silences.length + 1}`,
        ruleId: ruleId ?? null,
        accountId: accountId ?? null,
        until: NOW + minutes * 60_000,
        createdAt: NOW
      }
      state.silences = [...state.silences, silence]
      return silence
    },
    'silences.remove': ({ silenceId }) => {
      const before = state.silences.length
      state.silences = state.silences.filter((x) => x.id !== silenceId)
      return { removed: state.silences.length < before }
    },
    'demo.info': () => state.demo,
    'demo.attack': ({ attack }) => {
      if (!state.demo.attacks.some((a) => a.id === attack))
        throw { code: 'not-found', message: `no scripted attack ${attack}` }
      return { played: 6 }
    },
    'settings.get': () => state.settings,
    'settings.update': (patch) => {
      state.settings = { ...state.settings, ...patch }
      return state.settings
    },
    'channels.list': () => state.channels,
    'channels.add': (input) => {
      const channel = {
        id: `ch-${state.channels.length + 1}`,
        kind: input.kind,
        name: input.name,
        url: input.url ?? '',
        target: input.target ?? '',
        minLevel: input.minLevel ?? 'high',
        enabled: true,
        hasSecret: Boolean(input.secret)
      }
      state.channels = [...state.channels, channel]
      return channel
    },
    'channels.remove': ({ channelId }) => {
      const before = state.channels.length
      state.channels = state.channels.filter((c) => c.id !== channelId)
      return { removed: state.channels.length < before }
    },
    'channels.test': ({ channelId }) =>
      channelId === 'ch-broken'
        ? { delivered: false, error: 'HTTP 401 from api.telegram.org' }
        : { delivered: true, error: null },
    pause: ({ minutes }) => {
      state.status = {
        ...state.status,
        paused: minutes > 0,
        pausedUntil: minutes > 0 ? NOW + minutes * 60_000 : null
      }
      return state.status
    }
  }

  const fake: FakeVigil = {
    calls,
    handlers,
    state,
    callsOf<M extends MethodName>(method: M) {
      return calls.filter((c) => c.method === method).map((c) => c.input as Input<M>)
    },
    async call<M extends MethodName>(method: M, input: Input<M>): Promise<Output<M>> {
      calls.push({ method, input })
      // Copies, as IPC's structured clone would make: the UI must not rely on shared objects.
      const handler = handlers[method] as Handler<M>
      return structuredClone(await handler(input))
    },
    on<E extends VigilEventName>(event: E, listener: (payload: VigilEventPayload<E>) => void) {
      let set = listeners.get(event)
      if (!set) listeners.set(event, (set = new Set()))
      const entry = listener as (payload: unknown) => void
      set.add(entry)
      return () => {
        set.delete(entry)
      }
    },
    emit(event, payload) {
      for (const listener of listeners.get(event) ?? []) listener(payload)
    }
  }
  return fake
}
