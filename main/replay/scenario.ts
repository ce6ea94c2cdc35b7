/**
 * The `vigil-scenario/1` replay format (see shared/spec/scenario-format.md): schema, defaults and
 * the loader. The format is a stable public contract, so the schema is strict: an unknown field,
 * a wrong enum value or a dangling reference is an error that names its JSON path, never a value
 * silently ignored.
 */
import { readFileSync } from 'node:fs'
import { isIP } from 'node:net'

import { z } from 'zod'

import { formatIssue, fromZodIssues, type ScenarioIssue } from './scenario-issues'

export { formatPath, type ScenarioIssue } from './scenario-issues'

export const SCENARIO_FORMAT = 'vigil-scenario/1'

export const EXCHANGES = ['deribit', 'bybit', 'binance', 'okx'] as const
/** Exchanges a scenario account can live on (each one a simulator dialect). */
export type ExchangeId = (typeof EXCHANGES)[number]

export const PERMISSIONS = ['read', 'spot', 'futures', 'withdraw', 'transfer'] as const
export type Permission = (typeof PERMISSIONS)[number]

export const FAULT_KINDS = ['http_429', 'http_5xx', 'timeout', 'malformed', 'maintenance'] as const
/** Ways the simulated exchange can misbehave for a while. */
export type FaultKind = (typeof FAULT_KINDS)[number]

export const TIMELINE_KINDS = [
  'login',
  'twofa_disabled',
  'password_changed',
  'email_changed',
  'api_key_created',
  'api_key_changed',
  'api_key_removed',
  'order',
  'cancel',
  'withdrawal',
  'address_added',
  'transfer',
  'leverage',
  'price',
  'fault'
] as const
export type TimelineKind = (typeof TIMELINE_KINDS)[number]

/**
 * Markets an account lists when the scenario names none. Deribit lists its inverse perpetuals
 * (`BTC-PERPETUAL` is `BTC/USD:BTC` in ccxt); the others a spot pair each and a linear perpetual.
 */
export const DEFAULT_MARKETS: Readonly<Record<ExchangeId, readonly string[]>> = {
  deribit: ['BTC/USD:BTC', 'ETH/USD:ETH'],
  bybit: ['BTC/USDT', 'ETH/USDT', 'BTC/USDT:USDT'],
  binance: ['BTC/USDT', 'ETH/USDT', 'BTC/USDT:USDT'],
  okx: ['BTC/USDT', 'ETH/USDT', 'BTC/USDT:USDT']
}

/** The guardian key's reference in `api_key_changed` / `api_key_removed`. */
export const SELF_KEY = 'self'

/** How `otherKeys[n]` is referenced by `keyId`: `other-1` is the first entry. */
export const otherKeyRef = (index: number): string => `other-${index + 1}`

function isIpOrCidr(value: string): boolean {
  const [ip, bits, ...rest] = value.split('/')
  const family = isIP(ip)
  if (family === 0 || rest.length > 0) return false
  if (bits === undefined) return true
  if (!/^\d{1,3}$/.test(bits)) return false
  return Number(bits) <= (family === 4 ? 32 : 128)
}

const Ip = z.string().refine((v) => isIP(v) !== 0, { error: 'expected an IPv4 or IPv6 address' })
const IpOrCidr = z.string().refine(isIpOrCidr, { error: 'expected an IP address or CIDR' })
const Hour = z.number().int().min(0).max(23)
/** UTC hours, inclusive; `[22, 3]` wraps past midnight. */
const Hours = z.tuple([Hour, Hour])
const Range = z
  .tuple([z.number().nonnegative(), z.number().nonnegative()])
  .refine(([min, max]) => min <= max, { error: 'expected [min, max] with min ≤ max' })
const Fraction = z.number().min(0).max(1)
const Asset = z
  .string()
  .regex(/^[A-Z0-9]{2,12}$/, { error: 'expected an upper-case asset code such as BTC' })
const Symbol = z.string().regex(/^[A-Z0-9]+\/[A-Z0-9]+(:[A-Z0-9]+)?$/, {
  error: 'expected a unified symbol such as BTC/USDT or BTC/USD:BTC'
})
const Positive = z.number().positive()
const Country = z
  .string()
  .regex(/^[A-Z]{2}$/, { error: 'expected an ISO 3166 country code such as DE' })

/** An API key: the guardian's own, one that already exists, or one an attacker creates. */
const KeySpec = z.strictObject({
  permissions: z.array(z.enum(PERMISSIONS)),
  ipWhitelist: z.array(IpOrCidr).default([]),
  ageDays: z.number().nonnegative().default(0)
})

const Logins = z.strictObject({
  perDay: z.number().nonnegative().default(2),
  homes: z
    .array(z.strictObject({ ip: Ip, country: Country.optional() }))
    .min(1)
    .default([{ ip: '91.64.12.5', country: 'DE' }]),
  userAgents: z
    .array(z.string().min(1))
    .min(1)
    .default(['Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0']),
  hours: Hours.default([7, 23]),
  failRate: Fraction.default(0.02)
})

const Trading = z.strictObject({
  /** Default: the account's first market. */
  symbols: z.array(Symbol).min(1).optional(),
  ordersPerDay: z.number().nonnegative().default(5),
  notionalUsd: Range.default([100, 2000]),
  marketShare: Fraction.default(0.3),
  hours: Hours.default([8, 22]),
  openOrders: z.number().int().nonnegative().default(2),
  leverage: Positive.nullable().default(null)
})

const Withdrawals = z.strictObject({
  perMonth: z.number().nonnegative().default(1),
  addresses: z.array(z.string().min(1)).min(1).default(['bc1qhome0000000000000000000000000000000']),
  amountUsd: Range.default([500, 2000])
})

/** Generated past. Every key is optional; the defaults make a quiet, plausible trader. */
const History = z.strictObject({
  days: Positive.default(30),
  logins: Logins.prefault({}),
  trading: Trading.prefault({}),
  withdrawals: Withdrawals.prefault({})
})

const Account = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_.-]+$/, { error: 'expected letters, digits, "_", "." or "-"' }),
  exchange: z.enum(EXCHANGES),
  key: KeySpec,
  otherKeys: z.array(KeySpec).default([]),
  balances: z.record(Asset, z.number().nonnegative()).default({}),
  markets: z.array(Symbol).min(1).optional(),
  history: History.optional()
})

const base = {
  at: z.number().nonnegative(),
  account: z.string().min(1),
  attack: z.boolean().default(false),
  note: z.string().optional()
}

const TimelineEvent = z.discriminatedUnion('kind', [
  z.strictObject({
    ...base,
    kind: z.literal('login'),
    ip: Ip,
    userAgent: z.string().min(1),
    success: z.boolean().default(true),
    country: Country.optional()
  }),
  z.strictObject({ ...base, kind: z.literal('twofa_disabled') }),
  z.strictObject({ ...base, kind: z.literal('password_changed') }),
  z.strictObject({ ...base, kind: z.literal('email_changed') }),
  z.strictObject({
    ...base,
    kind: z.literal('api_key_created'),
    key: KeySpec,
    keyId: z.string().min(1).optional()
  }),
  z.strictObject({
    ...base,
    kind: z.literal('api_key_changed'),
    keyId: z.string().min(1),
    permissions: z.array(z.enum(PERMISSIONS)).optional(),
    ipWhitelist: z.array(IpOrCidr).optional()
  }),
  z.strictObject({ ...base, kind: z.literal('api_key_removed'), keyId: z.string().min(1) }),
  z.strictObject({
    ...base,
    kind: z.literal('order'),
    symbol: Symbol,
    side: z.enum(['buy', 'sell']),
    type: z.enum(['market', 'limit']),
    amount: Positive,
    price: Positive.optional(),
    reduceOnly: z.boolean().default(false)
  }),
  z.strictObject({ ...base, kind: z.literal('cancel'), orderId: z.string().min(1) }),
  z.strictObject({
    ...base,
    kind: z.literal('withdrawal'),
    currency: Asset,
    amount: Positive,
    address: z.string().min(1),
    network: z.string().min(1).optional()
  }),
  z.strictObject({
    ...base,
    kind: z.literal('address_added'),
    currency: Asset,
    address: z.string().min(1)
  }),
  z.strictObject({
    ...base,
    kind: z.literal('transfer'),
    currency: Asset,
    amount: Positive,
    to: z.enum(['sub', 'external-user'])
  }),
  z.strictObject({ ...base, kind: z.literal('leverage'), symbol: Symbol, leverage: Positive }),
  z.strictObject({ ...base, kind: z.literal('price'), symbol: Symbol, last: Positive }),
  z.strictObject({
    ...base,
    kind: z.literal('fault'),
    fault: z.enum(FAULT_KINDS),
    seconds: Positive
  })
])

const ScenarioShape = z.strictObject({
  format: z.literal(SCENARIO_FORMAT),
  name: z.string().regex(/^[a-z0-9-]+$/, {
    error: 'expected lower-case letters, digits and "-" ([a-z0-9-]+)'
  }),
  description: z.string().optional(),
  seed: z.number().int(),
  startAt: z.iso
    .datetime({ error: 'expected an ISO-8601 UTC time such as 2026-01-31T09:00:00Z' })
    .optional(),
  pollSeconds: Positive.default(1),
  policy: z
    .strictObject({
      autoKillSwitch: z.enum(['off', 'critical', 'high']).default('off'),
      countdownSeconds: z.number().nonnegative().default(60)
    })
    .prefault({}),
  accounts: z.array(Account).min(1),
  history: History.optional(),
  timeline: z.array(TimelineEvent),
  endAfterSeconds: Positive.optional()
})

type Parsed = z.output<typeof ScenarioShape>

export type KeySpec = z.output<typeof KeySpec>
export type HistorySpec = z.output<typeof History>
export type TimelineEvent = z.output<typeof TimelineEvent>
/** A timeline event of one kind, e.g. `TimelineEventOf<'order'>`. */
export type TimelineEventOf<K extends TimelineKind> = Extract<TimelineEvent, { kind: K }>
/** An account with its defaults applied (`markets` always present). */
export type ScenarioAccount = Omit<z.output<typeof Account>, 'markets'> & { markets: string[] }

/** A validated scenario with every default applied. */
export type Scenario = Omit<Parsed, 'accounts' | 'endAfterSeconds'> & {
  accounts: ScenarioAccount[]
  endAfterSeconds: number
}
/** What a scenario file may contain (defaults not yet applied). */
export type ScenarioInput = z.input<typeof ScenarioShape>

/** Every field name the format knows, for "did you mean" hints. */
const KNOWN_FIELDS: ReadonlySet<string> = (() => {
  const names = new Set<string>()
  const walk = (schema: unknown, seen: Set<unknown>): void => {
    if (schema === null || typeof schema !== 'object' || seen.has(schema)) return
    seen.add(schema)
    const def = (schema as { _zod?: { def?: Record<string, unknown> } })._zod?.def
    if (!def) return
    const shape = def.shape as Record<string, unknown> | undefined
    if (shape) {
      for (const [name, child] of Object.entries(shape)) {
        names.add(name)
        walk(child, seen)
      }
    }
    for (const key of ['innerType', 'element', 'valueType', 'in', 'out', 'schema'])
      walk(def[key], seen)
    for (const key of ['options', 'items']) {
      const list = def[key]
      if (Array.isArray(list)) for (const child of list) walk(child, seen)
    }
  }
  walk(ScenarioShape, new Set())
  return names
})()

/** A scenario that does not conform to `vigil-scenario/1`. The message lists every problem by path. */
export class ScenarioError extends Error {
  constructor(
    readonly issues: ScenarioIssue[],
    readonly file?: string
  ) {
    super(issues.map(formatIssue).join('\n'))
    this.name = 'ScenarioError'
  }
}

/** Checks that need the whole document: references between accounts, keys, markets and events. */
function crossCheck(scenario: Scenario): ScenarioIssue[] {
  const issues: ScenarioIssue[] = []
  const accounts = new Map<string, ScenarioAccount>()
  scenario.accounts.forEach((account, i) => {
    if (accounts.has(account.id)) {
      issues.push({ path: ['accounts', i, 'id'], message: `duplicate account id "${account.id}"` })
    }
    accounts.set(account.id, account)
  })
  const ids = [...accounts.keys()]

  // An order on a market the exchange does not list could never happen: treat it as a typo.
  const checkSymbol = (
    symbol: string,
    account: ScenarioAccount,
    path: (string | number)[]
  ): void => {
    if (!account.markets.includes(symbol)) {
      issues.push({
        path,
        message: `market "${symbol}" is not listed by account "${account.id}" (markets: ${account.markets.join(', ')})`
      })
    }
  }
  const checkSymbols = (
    symbols: readonly string[] | undefined,
    account: ScenarioAccount,
    path: (string | number)[]
  ): void => symbols?.forEach((symbol, s) => checkSymbol(symbol, account, [...path, s]))
  scenario.accounts.forEach((account, i) => {
    if (account.history)
      checkSymbols(account.history.trading.symbols, account, [
        'accounts',
        i,
        'history',
        'trading',
        'symbols'
      ])
    else if (scenario.history)
      checkSymbols(scenario.history.trading.symbols, account, ['history', 'trading', 'symbols'])
  })

  const keyRefs = new Map<string, Set<string>>()
  for (const account of scenario.accounts) {
    keyRefs.set(account.id, new Set([SELF_KEY, ...account.otherKeys.map((_, k) => otherKeyRef(k))]))
  }
  // Events are referenced in time order, whatever their order in the file.
  const order = scenario.timeline.map((event, index) => ({ event, index }))
  order.sort((a, b) => a.event.at - b.event.at || a.index - b.index)
  for (const { event, index } of order) {
    const path = ['timeline', index]
    const account = accounts.get(event.account)
    if (!account) {
      issues.push({
        path: [...path, 'account'],
        message: `unknown account "${event.account}" (accounts: ${ids.join(', ')})`
      })
      continue
    }
    const refs = keyRefs.get(account.id) as Set<string>
    switch (event.kind) {
      case 'api_key_created':
        if (event.keyId !== undefined) {
          if (refs.has(event.keyId)) {
            issues.push({
              path: [...path, 'keyId'],
              message: `key id "${event.keyId}" is already in use on account "${account.id}"`
            })
          }
          refs.add(event.keyId)
        }
        break
      case 'api_key_changed':
      case 'api_key_removed':
        if (!refs.has(event.keyId)) {
          issues.push({
            path: [...path, 'keyId'],
            message: `unknown key "${event.keyId}" on account "${account.id}" at ${event.at}s (known: ${[...refs].join(', ')})`
          })
        }
        if (event.kind === 'api_key_changed' && !event.permissions && !event.ipWhitelist) {
          issues.push({ path, message: 'api_key_changed needs permissions and/or ipWhitelist' })
        }
        break
      case 'order':
        checkSymbol(event.symbol, account, [...path, 'symbol'])
        if (event.type === 'limit' && event.price === undefined) {
          issues.push({ path: [...path, 'price'], message: 'required for a limit order' })
        }
        break
      case 'leverage':
      case 'price':
        checkSymbol(event.symbol, account, [...path, 'symbol'])
        break
      default:
        break
    }
  }
  return issues
}

function applyDefaults(parsed: Parsed): Scenario {
  const accounts = parsed.accounts.map((account) => ({
    ...account,
    markets: account.markets ?? [...DEFAULT_MARKETS[account.exchange]]
  }))
  const lastAt = parsed.timeline.reduce((max, event) => Math.max(max, event.at), 0)
  return { ...parsed, accounts, endAfterSeconds: parsed.endAfterSeconds ?? lastAt + 15 }
}

/** Validates an already-parsed JSON document. Throws ScenarioError naming each bad path. */
export function parseScenario(input: unknown, file?: string): Scenario {
  const result = ScenarioShape.safeParse(input)
  if (!result.success) {
    throw new ScenarioError(fromZodIssues(result.error.issues, input, KNOWN_FIELDS), file)
  }
  const scenario = applyDefaults(result.data)
  const issues = crossCheck(scenario)
  if (issues.length > 0) throw new ScenarioError(issues, file)
  return scenario
}

/**
 * Loads a scenario from a file path or an object and applies every default.
 * Throws ScenarioError (message `path: problem`, one line per problem) for anything invalid,
 * including unreadable files and broken JSON.
 */
export function loadScenario(pathOrObject: string | object): Scenario {
  if (typeof pathOrObject !== 'string') return parseScenario(pathOrObject)
  let text: string
  try {
    text = readFileSync(pathOrObject, 'utf8')
  } catch (error) {
    throw new ScenarioError(
      [{ path: [], message: `cannot read ${pathOrObject}: ${(error as Error).message}` }],
      pathOrObject
    )
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new ScenarioError(
      [{ path: [], message: `invalid JSON: ${(error as Error).message}` }],
      pathOrObject
    )
  }
  return parseScenario(json, pathOrObject)
}

/**
 * The history that applies to an account: its own, else the scenario's, else all defaults; with
 * the trading symbols resolved (default: the account's first market).
 */
export function historyFor(
  scenario: Scenario,
  accountId: string
): HistorySpec & { trading: { symbols: string[] } } {
  const account = scenario.accounts.find((a) => a.id === accountId)
  if (!account) throw new Error(`unknown account "${accountId}"`)
  const spec = account.history ?? scenario.history ?? History.parse({})
  return {
    ...spec,
    trading: { ...spec.trading, symbols: spec.trading.symbols ?? [account.markets[0]] }
  }
}

/** The clock time (ms) of the scenario's second 0: its `startAt`, else `fallback`. */
export function scenarioStartAt(scenario: Scenario, fallback: number): number {
  return scenario.startAt === undefined ? fallback : Date.parse(scenario.startAt)
}
