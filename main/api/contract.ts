/**
 * The one API contract. Every call the renderer can make, with zod schemas for its input and
 * output, and every event it can receive. Both transports (Electron IPC and HTTP) go through
 * `dispatch()`, which validates both directions against these schemas.
 *
 * No output schema has a field for secret material: the renderer can submit an API secret but
 * can never read one back (a test walks every method to prove it).
 */
import { z } from 'zod'

import type { Message } from './messages'
import { METHODS } from './methods'

const id = z.string().min(1).max(200)
const ms = z.number().int().nonnegative()
export const levelSchema = z.enum(['info', 'low', 'medium', 'high', 'critical'])
export const eventKindSchema = z.enum([
  'login',
  'security',
  'key',
  'order',
  'fill',
  'balance',
  'position',
  'withdrawal',
  'deposit',
  'address',
  'transfer',
  'leverage'
])

/**
 * Translations of a text the core writes, per UI language other than English. Optional: the
 * English field next to it is always there and is the fallback.
 */
/**
 * A sentence as a stable code plus variables (see messages.ts), sent next to the English text so
 * each screen renders it in its own language. Variables are plain values, nested descriptors or
 * lists; never secrets (only what the English text next to it already shows).
 */
export const messageSchema: z.ZodType<Message> = z.lazy(() =>
  z.object({
    code: z.string().min(1).max(100),
    vars: z.record(z.string(), messageVarSchema).optional()
  })
)
const messageValue = z.union([z.string(), z.number(), messageSchema])
const messageVarSchema = z.union([messageValue, z.array(messageValue)])

const translated = <T extends z.ZodRawShape>(shape: T) =>
  z
    .object({ 'zh-CN': z.object(shape), 'zh-TW': z.object(shape) })
    .partial()
    .optional()

export const capabilitySchema = z.object({
  /** e.g. 'loginHistory', 'keyList', 'revokeKey', 'cancelAll', 'withdrawals', 'deadMan' */
  id: z.string(),
  supported: z.boolean(),
  /** Plain-language explanation, e.g. "Binance does not publish login history over its API". */
  note: z.string(),
  /** The short, stable sentence for this capability in every UI language (the note is the detail). */
  noteI18n: z.object({ en: z.string(), 'zh-CN': z.string(), 'zh-TW': z.string() }).optional()
})

export const postureFindingSchema = z.object({
  rule: z.string(),
  level: levelSchema,
  title: z.string(),
  fix: z.string(),
  i18n: translated({ title: z.string(), fix: z.string() })
})

export const keyViewSchema = z.object({
  keyId: z.string(),
  name: z.string().nullable(),
  permissions: z.array(z.string()),
  ipWhitelist: z.array(z.string()),
  enabled: z.boolean(),
  self: z.boolean(),
  createdAt: ms.nullable(),
  removedAt: ms.nullable()
})

export const accountViewSchema = z.object({
  id: z.string(),
  exchange: z.string(),
  label: z.string(),
  keyHint: z.string(),
  hasSecret: z.boolean(),
  status: z.enum(['watching', 'learning', 'contained', 'paused', 'degraded', 'error']),
  lastPollAt: ms.nullable(),
  lastError: z.string().nullable(),
  /** `lastError` as a descriptor (the exchange's own text stays verbatim inside it). */
  lastErrorMsg: messageSchema.nullable().optional(),
  createdAt: ms,
  pollSeconds: z.number(),
  /** Dead-man heartbeat timeout in seconds, or null when off. */
  deadManSeconds: z.number().nullable(),
  capabilities: z.array(capabilitySchema),
  keys: z.array(keyViewSchema),
  posture: z.array(postureFindingSchema),
  openIncidents: z.number().int(),
  backfill: z
    .object({
      done: z.boolean(),
      progress: z.number().min(0).max(1),
      message: z.string(),
      /** `message` as a descriptor, for the window to render in its language. */
      msg: messageSchema.optional()
    })
    .nullable()
})
export type AccountView = z.infer<typeof accountViewSchema>

export const eventViewSchema = z.object({
  id: z.number().int(),
  accountId: z.string(),
  kind: eventKindSchema,
  type: z.string(),
  exchangeRecordId: z.string(),
  ts: ms,
  observedAt: ms,
  origin: z.enum(['live', 'backfill']),
  data: z.record(z.string(), z.unknown())
})
export type EventView = z.infer<typeof eventViewSchema>

export const alertViewSchema = z.object({
  id: z.string(),
  incidentId: z.string(),
  rule: z.string(),
  level: levelSchema,
  accountId: z.string(),
  at: ms,
  scope: z.enum(['live', 'history']),
  title: z.string(),
  /** Plain-language explanation for the trader. */
  explanation: z.string(),
  /** The numbers behind it: threshold, baseline, observed value. */
  reasoning: z.record(z.string(), z.unknown()),
  evidence: z.array(eventViewSchema),
  i18n: translated({ title: z.string(), explanation: z.string() })
})
export type AlertView = z.infer<typeof alertViewSchema>

export const incidentViewSchema = z.object({
  id: z.string(),
  accountId: z.string(),
  family: z.string(),
  level: levelSchema,
  status: z.enum(['open', 'acknowledged', 'resolved', 'contained']),
  scope: z.enum(['live', 'history']),
  title: z.string(),
  openedAt: ms,
  updatedAt: ms,
  alertCount: z.number().int(),
  rules: z.array(z.string()),
  killSwitchRunId: z.string().nullable(),
  i18n: translated({ title: z.string() })
})
export type IncidentView = z.infer<typeof incidentViewSchema>

export const killSwitchAccountResultSchema = z.object({
  account: z.string(),
  exchange: z.string(),
  contained: z.boolean(),
  ordersCancelled: z.number().int(),
  ordersRemaining: z.number().int(),
  key: z.enum(['revoked', 'disabled', 'manual-revoke-required', 'unchanged']),
  keysDisabled: z.array(z.string()),
  keysRemoved: z.array(z.string()),
  /** Exact steps the trader must still take by hand, with the exchange's page. */
  manualSteps: z.array(z.string()),
  /** `manualSteps` as descriptors, one per step in the same order (absent in older runs). */
  manualStepMsgs: z.array(messageSchema).optional(),
  manualUrl: z.string().nullable(),
  steps: z.array(
    z.object({
      action: z.string(),
      ok: z.boolean(),
      attempts: z.number().int(),
      detail: z.string(),
      /** `detail` as a descriptor (absent in older runs). */
      detailMsg: messageSchema.optional()
    })
  ),
  errors: z.array(z.string()),
  /** `errors` as descriptors, one per error in the same order (absent in older runs). */
  errorMsgs: z.array(messageSchema).optional()
})
export type KillSwitchAccountResult = z.infer<typeof killSwitchAccountResultSchema>

export const killSwitchReportSchema = z.object({
  id: z.string(),
  trigger: z.string(),
  startedAt: ms,
  finishedAt: ms,
  durationMs: z.number(),
  accounts: z.array(killSwitchAccountResultSchema)
})
export type KillSwitchReport = z.infer<typeof killSwitchReportSchema>

export const countdownSchema = z.object({
  incidentId: z.string(),
  level: levelSchema,
  endsAt: ms,
  action: z.enum(['fire', 'notify-only'])
})

export const statusSchema = z.object({
  version: z.string(),
  mode: z.enum(['electron', 'headless']),
  demo: z.boolean(),
  paused: z.boolean(),
  pausedUntil: ms.nullable(),
  tray: z.enum(['watching', 'learning', 'alert', 'contained', 'paused', 'degraded']),
  trayReason: z.string(),
  accounts: z.number().int(),
  openIncidents: z.number().int(),
  countdowns: z.array(countdownSchema),
  lastKillSwitch: killSwitchReportSchema.nullable()
})
export type Status = z.infer<typeof statusSchema>

export const ruleViewSchema = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  level: levelSchema,
  kind: z.string(),
  enabled: z.boolean(),
  status: z.string(),
  params: z.record(z.string(), z.unknown()),
  falsepositives: z.array(z.string()),
  i18n: translated({
    title: z.string(),
    description: z.string(),
    falsepositives: z.array(z.string()).optional()
  })
})
export type RuleView = z.infer<typeof ruleViewSchema>

export const policySchema = z.object({
  /** Per level: history only / notify / ask with countdown / act at once. */
  levels: z.object({
    info: z.enum(['history', 'notify', 'ask', 'act']),
    low: z.enum(['history', 'notify', 'ask', 'act']),
    medium: z.enum(['history', 'notify', 'ask', 'act']),
    high: z.enum(['history', 'notify', 'ask', 'act']),
    critical: z.enum(['history', 'notify', 'ask', 'act'])
  }),
  countdownSeconds: z.number().min(0).max(3600),
  /** What happens when a countdown runs out with nobody answering. */
  defaultAction: z.enum(['fire', 'notify-only'])
})
export type Policy = z.infer<typeof policySchema>

export const settingsSchema = z.object({
  policy: policySchema,
  language: z.enum(['system', 'en', 'zh-CN', 'zh-TW']),
  theme: z.enum(['system', 'light', 'dark']),
  retentionDays: z.number().int().min(7).max(3650)
})
export type Settings = z.infer<typeof settingsSchema>

export const channelViewSchema = z.object({
  id: z.string(),
  kind: z.enum(['webhook', 'telegram', 'ntfy']),
  name: z.string(),
  url: z.string(),
  target: z.string(),
  minLevel: levelSchema,
  enabled: z.boolean(),
  /** Whether a token is stored in the keychain for it; the token itself is never returned. */
  hasSecret: z.boolean()
})
export type ChannelView = z.infer<typeof channelViewSchema>

export const exceptionViewSchema = z.object({
  id: z.string(),
  ruleId: z.string().nullable(),
  accountId: z.string().nullable(),
  /** ip, country, device, asn, network, symbol, address, keyId, currency, to */
  field: z.string(),
  value: z.string(),
  note: z.string().nullable(),
  createdAt: ms
})
export type ExceptionView = z.infer<typeof exceptionViewSchema>

export const silenceViewSchema = z.object({
  id: z.string(),
  ruleId: z.string().nullable(),
  accountId: z.string().nullable(),
  until: ms,
  createdAt: ms
})
export type SilenceView = z.infer<typeof silenceViewSchema>

export const exchangeInfoSchema = z.object({
  id: z.string(),
  name: z.string(),
  deep: z.boolean(),
  needsPassword: z.boolean()
})

const historyQuerySchema = z
  .object({
    accountId: id.optional(),
    kinds: z.array(eventKindSchema).max(20).optional(),
    from: ms.optional(),
    to: ms.optional(),
    text: z.string().max(200).optional(),
    before: z.object({ ts: ms, id: z.number().int() }).optional(),
    limit: z.number().int().min(1).max(1000).optional()
  })
  .strict()

const secretInput = z.string().min(1).max(10_000)

/** The contract: one entry per method name in `METHODS`. */
export const contract = {
  [METHODS.status]: { input: z.object({}).strict(), output: statusSchema },
  [METHODS.exchangesList]: { input: z.object({}).strict(), output: z.array(exchangeInfoSchema) },
  [METHODS.accountsList]: { input: z.object({}).strict(), output: z.array(accountViewSchema) },
  [METHODS.accountsAdd]: {
    input: z
      .object({
        exchange: z.string().min(1).max(50),
        label: z.string().min(1).max(100),
        apiKey: secretInput.optional(),
        secret: secretInput.optional(),
        password: z.string().max(1000).optional(),
        endpoint: z.string().url().max(500).optional(),
        pollSeconds: z.number().min(0.2).max(3600).optional(),
        /** Demo only: use the simulator's spare account (its keys never cross the API). */
        simulated: z.literal(true).optional()
      })
      .strict(),
    output: accountViewSchema
  },
  [METHODS.accountsTest]: {
    /** The add-key wizard's "test connection": nothing is stored, the secret is only used for the check. */
    input: z
      .object({
        exchange: z.string().min(1).max(50),
        apiKey: secretInput.optional(),
        secret: secretInput.optional(),
        password: z.string().max(1000).optional(),
        endpoint: z.string().url().max(500).optional(),
        simulated: z.literal(true).optional()
      })
      .strict(),
    output: z.object({
      ok: z.boolean(),
      error: z.string().nullable(),
      /** `error` as a descriptor (the exchange's own text verbatim inside it). */
      errorMsg: messageSchema.optional(),
      capabilities: z.array(capabilitySchema),
      keys: z.array(keyViewSchema),
      posture: z.array(postureFindingSchema)
    })
  },
  [METHODS.accountsRearm]: {
    /** After containment: replace the account's key with a fresh one (checked first) and watch again. */
    input: z
      .object({
        accountId: id,
        apiKey: secretInput.optional(),
        secret: secretInput.optional(),
        password: z.string().max(1000).optional(),
        simulated: z.literal(true).optional()
      })
      .strict(),
    output: accountViewSchema
  },
  [METHODS.accountsUpdate]: {
    input: z
      .object({
        accountId: id,
        pollSeconds: z.number().min(0.2).max(3600).optional(),
        /** Dead-man heartbeat timeout in seconds (0 turns it off); only where the exchange supports one. */
        deadManSeconds: z.number().int().min(0).max(86_400).optional()
      })
      .strict(),
    output: accountViewSchema
  },
  [METHODS.accountsRemove]: {
    input: z.object({ accountId: id }).strict(),
    output: z.object({ removed: z.boolean() })
  },
  [METHODS.incidentsList]: {
    input: z
      .object({
        scope: z.enum(['live', 'history']).optional(),
        accountId: id.optional(),
        limit: z.number().int().min(1).max(1000).optional()
      })
      .strict(),
    output: z.array(incidentViewSchema)
  },
  [METHODS.incidentsGet]: {
    input: z.object({ incidentId: id }).strict(),
    output: z.object({
      incident: incidentViewSchema,
      alerts: z.array(alertViewSchema),
      killSwitch: killSwitchReportSchema.nullable()
    })
  },
  [METHODS.incidentsAcknowledge]: {
    input: z.object({ incidentId: id }).strict(),
    output: incidentViewSchema
  },
  [METHODS.incidentsReport]: {
    input: z
      .object({
        incidentId: id,
        format: z.enum(['markdown', 'json']),
        /** The report's language; the resolved settings language when left out. */
        language: z.enum(['en', 'zh-CN', 'zh-TW']).optional()
      })
      .strict(),
    output: z.object({ filename: z.string(), mime: z.string(), content: z.string() })
  },
  [METHODS.historyQuery]: {
    input: historyQuerySchema,
    output: z.object({
      events: z.array(eventViewSchema),
      next: z.object({ ts: ms, id: z.number().int() }).nullable()
    })
  },
  [METHODS.killSwitchFire]: {
    input: z
      .object({
        accountIds: z.array(id).max(100).optional(),
        reason: z.string().max(500).optional(),
        incidentId: id.optional(),
        /** Also close open positions with reduce-only market orders (off by default). */
        closePositions: z.boolean().optional()
      })
      .strict(),
    output: killSwitchReportSchema
  },
  [METHODS.countdownCancel]: {
    input: z.object({ incidentId: id }).strict(),
    output: z.object({ cancelled: z.boolean() })
  },
  [METHODS.rulesList]: { input: z.object({}).strict(), output: z.array(ruleViewSchema) },
  [METHODS.settingsGet]: { input: z.object({}).strict(), output: settingsSchema },
  [METHODS.settingsUpdate]: { input: settingsSchema.partial().strict(), output: settingsSchema },
  [METHODS.channelsList]: { input: z.object({}).strict(), output: z.array(channelViewSchema) },
  [METHODS.channelsAdd]: {
    input: z
      .object({
        kind: z.enum(['webhook', 'telegram', 'ntfy']),
        name: z.string().min(1).max(100),
        url: z.string().url().max(500).optional(),
        target: z.string().max(200).optional(),
        minLevel: levelSchema.optional(),
        secret: z.string().min(1).max(2000).optional()
      })
      .strict(),
    output: channelViewSchema
  },
  [METHODS.channelsRemove]: {
    input: z.object({ channelId: id }).strict(),
    output: z.object({ removed: z.boolean() })
  },
  [METHODS.channelsTest]: {
    input: z.object({ channelId: id }).strict(),
    output: z.object({ delivered: z.boolean(), error: z.string().nullable() })
  },
  [METHODS.rulesUpdate]: {
    input: z
      .object({
        ruleId: id,
        enabled: z.boolean().optional(),
        level: levelSchema.optional(),
        params: z
          .record(z.string(), z.union([z.number(), z.boolean(), z.string(), z.null()]))
          .optional()
      })
      .strict(),
    output: ruleViewSchema
  },
  [METHODS.exceptionsList]: { input: z.object({}).strict(), output: z.array(exceptionViewSchema) },
  [METHODS.exceptionsAdd]: {
    input: z
      .object({
        /** "This is me" from an alert: the value is taken from the alert's evidence. */
        alertId: id.optional(),
        field: z.enum([
          'ip',
          'country',
          'device',
          'asn',
          'network',
          'symbol',
          'address',
          'keyId',
          'currency',
          'to'
        ]),
        value: z.string().min(1).max(200).optional(),
        ruleId: id.optional(),
        accountId: id.optional(),
        /** Limit the exception to the alert's rule (default) or let it cover every rule. */
        allRules: z.boolean().optional(),
        note: z.string().max(500).optional()
      })
      .strict(),
    output: exceptionViewSchema
  },
  [METHODS.exceptionsRemove]: {
    input: z.object({ exceptionId: id }).strict(),
    output: z.object({ removed: z.boolean() })
  },
  [METHODS.silencesList]: { input: z.object({}).strict(), output: z.array(silenceViewSchema) },
  [METHODS.silencesAdd]: {
    input: z
      .object({
        ruleId: id.optional(),
        accountId: id.optional(),
        minutes: z
          .number()
          .min(1)
          .max(60 * 24 * 30)
      })
      .strict(),
    output: silenceViewSchema
  },
  [METHODS.silencesRemove]: {
    input: z.object({ silenceId: id }).strict(),
    output: z.object({ removed: z.boolean() })
  },
  [METHODS.demoInfo]: {
    input: z.object({}).strict(),
    output: z.object({
      demo: z.boolean(),
      /**
       * A simulated account the trader can add through the wizard to try it (demo only). Its
       * credentials stay in the main process: `accounts.add` with `simulated: true` uses them.
       */
      spare: z.object({ exchange: z.string(), label: z.string() }).nullable(),
      attacks: z.array(z.object({ id: z.string(), title: z.string() }))
    })
  },
  [METHODS.demoAttack]: {
    input: z.object({ attack: id }).strict(),
    output: z.object({ played: z.number().int() })
  },
  [METHODS.pause]: {
    input: z
      .object({
        minutes: z
          .number()
          .min(0)
          .max(24 * 60)
      })
      .strict(),
    output: statusSchema
  }
} as const

export type Contract = typeof contract
export type MethodName = keyof Contract
export type Input<M extends MethodName> = z.input<Contract[M]['input']>
export type Output<M extends MethodName> = z.output<Contract[M]['output']>

/** Pushed events (SSE over HTTP, IPC messages in Electron). */
export const eventsContract = {
  alert: z.object({
    alert: alertViewSchema.omit({ evidence: true }),
    incident: incidentViewSchema
  }),
  'kill-switch': z.object({
    phase: z.enum(['started', 'account', 'finished']),
    report: killSwitchReportSchema.partial()
  }),
  status: statusSchema,
  account: accountViewSchema
} as const
export type VigilEventName = keyof typeof eventsContract
export type VigilEventPayload<E extends VigilEventName> = z.output<(typeof eventsContract)[E]>

/** What both transports return for a failed call. */
export interface ApiError {
  code: 'bad-request' | 'not-found' | 'conflict' | 'unavailable' | 'internal'
  message: string
  /** For bad input: which field, as a JSON path. */
  path?: string
  /** `message` as a descriptor, for the screens to show in their language. */
  msg?: Message
}
