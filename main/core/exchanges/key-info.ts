/**
 * Key-information responses of the exchanges the generic connector serves with a key endpoint:
 * Kraken `POST /0/private/GetApiKeyInfo`, Bitget `GET /api/v2/spot/account/info` and HTX
 * `GET /v2/user/api-key`, validated with zod and mapped to `KeySnapshot`s. Pure: no I/O, no clock
 * (HTX's remaining validity needs `now`, passed in), so the documented examples in
 * `shared/fixtures/exchange-docs/` run through the same code the connector uses.
 *
 * Permissions follow the deep connectors: Vigil's vocabulary first (`read`, `spot`, `futures`,
 * `withdraw`, `transfer`), then every raw value the exchange reported as `<exchange>:<raw>` so
 * nothing is lost and an unknown future permission still shows.
 *
 * No secret and no API key is kept: key ids are one-way fingerprints of the public key string
 * (Kraken `apiKey`, HTX `accessKey`, Bitget the configured key, which its response never names).
 *
 * Documented quirks handled (`shared/fixtures/exchange-docs/README.md`, reference 4.5/4.8/4.10):
 * - Kraken: timestamps are strings of Unix seconds; `nonce` is a string; `validUntil: "0"` = no
 *   expiry; `ipAllowlist: []` = no restriction; `iban` is Kraken's account id (IIBAN), not a bank
 *   IBAN, and is not kept; errors arrive in the same envelope (`{"error":["EAPI:Invalid key"]}`).
 * - Bitget: `ips` is a comma string; `authorities` are documented codes (`stow`, `coow`, `wwow`, …)
 *   but the docs example shows words (`trade`, `readonly`): both are accepted; `userId` is masked.
 * - HTX: envelope `{code: 200, data, ok: true}`; `permission` and `ipAddresses` are comma strings
 *   (`""` = no binding); `validDays: -1` = permanent; `status` `normal` | `expired`; access keys may
 *   be partly masked (`XXXX`).
 *
 * Anything that does not match (a truncated body, a wrong type, a missing field) raises
 * `ExchangeFault('malformed')` for the stream that asked; nothing from it is used.
 */
import { createHash } from 'node:crypto'

import { z } from 'zod'

import { msg, type Message, type MessageVar } from '../../api/messages'
import { ExchangeFault, type FaultCategory, type KeySnapshot } from './connector'
import { badShape, malformed, notJson, redact } from './errors'

const DAY_MS = 24 * 60 * 60 * 1000

/** Options shared by the parsers. */
export interface KeyInfoOptions {
  /** Stream named in faults. Default `keys`. */
  stream?: string
}

/** A one-way id for a key: never the key itself. */
export const keyFingerprint = (exchange: string, publicKey: string | null | undefined): string =>
  publicKey
    ? `${exchange}-key-${createHash('sha256').update(publicKey, 'utf8').digest('hex').slice(0, 12)}`
    : `${exchange}-key-unknown`

/** `<exchange>: the exchange refused the call (<its own reason>)`; the reason is verbatim. */
const refused = (exchange: string, reason: MessageVar): Message =>
  msg('fault.exchange', { exchange, error: msg('fault.refused', { reason }) })

/** The exchange's code and, when it sent one, its own message (both redacted, verbatim). */
const refusedCode = (code: string, text?: string | null): Message =>
  text
    ? msg('fault.codeReason', { code: redact(code, 20), reason: redact(text, 120) })
    : msg('fault.code', { code: redact(code, 20) })

/** JSON text (ccxt hands an unparsable body back as a string) → value, else a malformed fault. */
const body = (raw: unknown, what: string, stream: string, exchange: string): unknown => {
  if (typeof raw !== 'string') return raw
  try {
    return JSON.parse(raw) as unknown
  } catch {
    throw malformed(notJson(what), stream, exchange)
  }
}

/** A zod result → its data, or a malformed fault naming the first bad path. */
const validate = <S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
  stream: string,
  exchange: string,
  at?: string
): z.output<S> => {
  const parsed = schema.safeParse(value)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = [at, ...(issue?.path ?? [])].map(String).filter(Boolean).join('.') || 'response'
    throw malformed(badShape(what, where), stream, exchange)
  }
  return parsed.data
}

/** Comma (or whitespace) separated list → trimmed non-empty entries. */
const commaList = (value: string | null | undefined): string[] =>
  (value ?? '')
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean)

/** Vigil's names in a fixed order, then the raw values as `<prefix>:<raw>`. */
const ORDER = ['read', 'spot', 'futures', 'withdraw', 'transfer'] as const
const withRaw = (prefix: string, vigil: Iterable<string>, raw: readonly string[]): string[] => {
  const set = new Set(vigil)
  const out: string[] = ORDER.filter((p) => set.has(p))
  for (const r of raw) if (!out.includes(`${prefix}:${r}`)) out.push(`${prefix}:${r}`)
  return out
}

/** Seconds or milliseconds (as string or number) → ms; 0, empty or unreadable → null. */
const toMs = (value: string | number | null | undefined, unit: 'seconds' | 'ms'): number | null => {
  if (value === null || value === undefined || value === '') return null
  const n = typeof value === 'number' ? value : Number(value)
  if (!Number.isFinite(n) || n <= 0) return null
  return Math.round(unit === 'seconds' ? n * 1000 : n)
}

/** A decimal written as a string or a number. */
const numeric = z.union([
  z.number().finite(),
  z
    .string()
    .trim()
    .regex(/^-?\d+(\.\d+)?$/)
])

// =============================================================================================
// Kraken: POST /0/private/GetApiKeyInfo

const KRAKEN = 'Kraken'

const krakenResultSchema = z.object({
  apiKeyName: z.string().nullish(),
  // The public API key: fingerprinted, never kept.
  apiKey: z.string().min(1),
  // Documented as a string; only validated, never used.
  nonce: numeric.nullish(),
  nonceWindow: numeric.nullish(),
  permissions: z.array(z.string()),
  // Kraken's IIBAN account identifier, not a bank IBAN: validated as a string, not kept.
  iban: z.string().nullish(),
  validUntil: numeric.nullish(),
  queryFrom: numeric.nullish(),
  queryTo: numeric.nullish(),
  createdTime: numeric.nullish(),
  modifiedTime: numeric.nullish(),
  // `[]` = no IP restriction.
  ipAllowlist: z.array(z.string()).nullish(),
  lastUsed: numeric.nullish()
})

const krakenEnvelope = z.object({
  error: z.array(z.string()).nullish(),
  result: z.unknown().optional()
})

/** Kraken error strings (`EAPI:Invalid key`, …) → fault categories (reference 4.5). */
const krakenCategory = (error: string): FaultCategory => {
  if (/^EAPI:Invalid (key|signature|nonce)|^ESession:Invalid session/i.test(error))
    return /nonce/i.test(error) ? 'transient' : 'auth'
  if (/^EGeneral:Permission denied|^ETrade:User Locked|^EAccount:/i.test(error)) return 'permission'
  if (/Rate limit|Too many requests|Temporary lockout/i.test(error)) return 'rate-limit'
  if (/^EService:(Unavailable|Busy|Deadline elapsed)/i.test(error)) return 'transient'
  if (/^EService:Market in cancel_only|maintenance/i.test(error)) return 'maintenance'
  return 'unknown'
}

/** Kraken permission names → Vigil's vocabulary (unknown names stay raw only). */
const krakenVigil = (permission: string): string[] => {
  const p = permission.toLowerCase()
  if (p === 'withdraw-funds') return ['withdraw']
  if (p === 'modify-trades') return ['spot']
  // Staking / earn allocations move funds between wallets of the account (unverified wording).
  if (p === 'earn-funds') return ['transfer']
  return []
}

/** What GetApiKeyInfo says about the key Vigil holds. */
export interface KrakenKeyInfo {
  snapshot: KeySnapshot
  /** Last use of the key, as Kraken reports it (ms), or null. */
  lastUsedAt: number | null
  modifiedAt: number | null
}

/**
 * Parses GetApiKeyInfo into the self key's snapshot. A non-empty `error` array is the exchange
 * refusing the call (`EAPI:Invalid key` → auth), raised as that fault, not as malformed.
 */
export const parseKrakenKeyInfo = (raw: unknown, options: KeyInfoOptions = {}): KrakenKeyInfo => {
  const stream = options.stream ?? 'keys'
  const what = 'API key information'
  const env = validate(krakenEnvelope, body(raw, what, stream, KRAKEN), what, stream, KRAKEN)
  const errors = (env.error ?? []).filter((e) => e.trim() !== '')
  if (errors.length > 0) {
    const category = errors.map(krakenCategory).find((c) => c !== 'unknown') ?? 'unknown'
    throw new ExchangeFault(category, refused(KRAKEN, redact(errors.join('; '), 120)), stream)
  }
  const r = validate(krakenResultSchema, env.result, what, stream, KRAKEN, 'result')
  const permissions = r.permissions.map((p) => p.trim()).filter(Boolean)
  return {
    snapshot: {
      keyId: keyFingerprint('kraken', r.apiKey),
      name: r.apiKeyName ? r.apiKeyName : null,
      permissions: withRaw('kraken', ['read', ...permissions.flatMap(krakenVigil)], permissions),
      ipWhitelist: (r.ipAllowlist ?? []).map((ip) => ip.trim()).filter(Boolean),
      enabled: true,
      self: true,
      createdAt: toMs(r.createdTime, 'seconds'),
      // "0" = no expiry.
      expiresAt: toMs(r.validUntil, 'seconds'),
      thirdParty: false
    },
    lastUsedAt: toMs(r.lastUsed, 'seconds'),
    modifiedAt: toMs(r.modifiedTime, 'seconds')
  }
}

/** `parseKrakenKeyInfo` as the key inventory (one entry: the key Vigil holds). */
export const parseKrakenApiKeyInfo = (
  raw: unknown,
  options: KeyInfoOptions = {}
): KeySnapshot[] => [parseKrakenKeyInfo(raw, options).snapshot]

// =============================================================================================
// Bitget: GET /api/v2/spot/account/info

const BITGET = 'Bitget'

const bitgetEnvelope = z.object({
  code: z.union([z.string(), z.number()]).transform(String),
  msg: z.string().nullish(),
  data: z.unknown().optional()
})

const bitgetDataSchema = z.object({
  // Masked in the docs ("**********"); validated, not used.
  userId: z.union([z.string(), z.number()]).nullish(),
  inviterId: z.union([z.string(), z.number()]).nullish(),
  // A comma-separated string, not an array; tolerate an array anyway.
  ips: z.union([z.string(), z.array(z.string()).transform((a) => a.join(','))]).nullish(),
  authorities: z.array(z.string()),
  parentId: z.union([z.string(), z.number()]).nullish(),
  traderType: z.string().nullish(),
  channelCode: z.string().nullish(),
  channel: z.string().nullish(),
  regisTime: numeric.nullish()
})

/**
 * Bitget authorities → Vigil's vocabulary. Documented codes (reference 4.8): read-only codes end
 * in `r` (`coor`, `cpor`, `stor`, `smor`, `ttor`, `wtor`, `taxr`, `chor`, `p2pr`, `pllr`);
 * read-write `stow` spot, `smow` margin, `coow` / `cpow` futures, `ttow` copy trading, `wtow`
 * wallet transfer, `wwow` wallet withdrawal. The docs example's words (`trade`, `readonly`) are
 * mapped too. Codes without a Vigil meaning (`chow`, `p2p`, `pllw`, `taxw`) stay raw only.
 */
const BITGET_CODES: Readonly<Record<string, readonly string[]>> = {
  stow: ['spot'],
  smow: ['spot'],
  coow: ['futures'],
  cpow: ['futures'],
  ttow: ['spot', 'futures'],
  wtow: ['transfer'],
  wwow: ['withdraw'],
  // The docs example's non-code values.
  trade: ['spot', 'futures'],
  readonly: ['read'],
  read_only: ['read'],
  read: ['read'],
  withdraw: ['withdraw'],
  transfer: ['transfer']
}
const bitgetVigil = (authority: string): readonly string[] => {
  const a = authority.toLowerCase()
  return BITGET_CODES[a] ?? []
}

/** Bitget codes meaning "sign-in failed" (reference 4.8, ccxt's AuthenticationError list). */
const BITGET_AUTH = new Set([
  '40001',
  '40002',
  '40003',
  '40006',
  '40009',
  '40010',
  '40011',
  '40012',
  '40037',
  '40506',
  '40507'
])
const BITGET_PERMISSION = new Set(['40014', '40016', '40018', '40301', '43111', '50006', '50007'])

/** What Bitget's account info says about the key Vigil holds. */
export interface BitgetAccountInfo {
  snapshot: KeySnapshot
  /** Bitget's own authority values, exactly as listed. */
  authorities: string[]
  /** Bitget's `traderType` (e.g. `trader`), kept for diagnostics. */
  traderType: string | null
}

/**
 * Parses account/info into the self key's snapshot. Bitget names no key id, so the id is a
 * fingerprint of `apiKey` (the key Vigil is configured with), or `bitget-key-self`.
 */
export const parseBitgetInfo = (
  raw: unknown,
  apiKey?: string | null,
  options: KeyInfoOptions = {}
): BitgetAccountInfo => {
  const stream = options.stream ?? 'keys'
  const what = 'account information'
  const env = validate(bitgetEnvelope, body(raw, what, stream, BITGET), what, stream, BITGET)
  if (env.code !== '00000') {
    const category: FaultCategory = BITGET_AUTH.has(env.code)
      ? 'auth'
      : BITGET_PERMISSION.has(env.code)
        ? 'permission'
        : env.code === '429'
          ? 'rate-limit'
          : 'unknown'
    throw new ExchangeFault(category, refused(BITGET, refusedCode(env.code, env.msg)), stream)
  }
  const d = validate(bitgetDataSchema, env.data, what, stream, BITGET, 'data')
  const authorities = d.authorities.map((a) => a.trim()).filter(Boolean)
  return {
    snapshot: {
      keyId: apiKey ? keyFingerprint('bitget', apiKey) : 'bitget-key-self',
      name: null,
      permissions: withRaw('bitget', ['read', ...authorities.flatMap(bitgetVigil)], authorities),
      ipWhitelist: commaList(d.ips),
      enabled: true,
      self: true,
      createdAt: null,
      expiresAt: null,
      thirdParty: false
    },
    authorities,
    traderType: d.traderType ?? null
  }
}

/** `parseBitgetInfo` as the key inventory (one entry: the key Vigil holds). */
export const parseBitgetAccountInfo = (
  raw: unknown,
  apiKey?: string | null,
  options: KeyInfoOptions = {}
): KeySnapshot[] => [parseBitgetInfo(raw, apiKey, options).snapshot]

// =============================================================================================
// HTX: GET /v2/user/api-key?uid=

const HTX = 'HTX'

const htxEnvelope = z.object({
  code: z.union([z.number(), z.string()]).transform(String),
  message: z.string().nullish(),
  data: z.unknown().optional(),
  ok: z.boolean().nullish()
})

const htxKeySchema = z.object({
  accessKey: z.string().min(1),
  status: z.string(),
  note: z.string().nullish(),
  permission: z.string(),
  ipAddresses: z.string().nullish(),
  // An integer in the docs; a numeric string is tolerated.
  validDays: numeric.transform(Number).pipe(z.number().int()).nullish(),
  createTime: numeric.nullish(),
  updateTime: numeric.nullish()
})

const HTX_PERMISSIONS: Readonly<Record<string, readonly string[]>> = {
  readonly: ['read'],
  // HTX's trade permission covers spot and contract trading.
  trade: ['spot', 'futures'],
  withdraw: ['withdraw']
}

/** HTX codes meaning "sign-in failed" (reference 4.10). */
const HTX_AUTH = new Set(['403', '1003', '2002', '2003'])

/** Options for `parseHtxApiKeys`. */
export interface HtxKeyOptions extends KeyInfoOptions {
  /** Now (ms), to turn the remaining `validDays` into an expiry time; without it, no expiry. */
  now?: number
}

/**
 * Whether a reported access key is the one Vigil holds. HTX's docs mask part of each key
 * (`160bb889-b7XXXXbe-…`): a masked key matches when its visible pieces appear in order.
 */
export const htxKeyMatches = (reported: string, own: string | null | undefined): boolean => {
  if (!own) return false
  if (reported === own) return true
  if (!/X{3,}/.test(reported)) return false
  const pieces = reported.split(/X{3,}/)
  const first = pieces[0] ?? ''
  const last = pieces[pieces.length - 1] ?? ''
  if (!own.startsWith(first) || !own.endsWith(last)) return false
  let at = first.length
  for (const piece of pieces.slice(1, -1)) {
    const found = own.indexOf(piece, at)
    if (found < 0) return false
    at = found + piece.length
  }
  return at <= own.length - last.length
}

/**
 * Parses `/v2/user/api-key` (every key of the uid) into snapshots. `ownAccessKey` marks the key
 * Vigil holds as `self`. `status: expired` is a disabled key; `validDays: -1` never expires,
 * otherwise it is the remaining days (expiry = now + days, when `now` is given).
 */
export const parseHtxApiKeys = (
  raw: unknown,
  ownAccessKey?: string | null,
  options: HtxKeyOptions = {}
): KeySnapshot[] => {
  const stream = options.stream ?? 'keys'
  const what = 'API key list'
  const env = validate(htxEnvelope, body(raw, what, stream, HTX), what, stream, HTX)
  if (env.code !== '200' || env.ok === false) {
    const category: FaultCategory = HTX_AUTH.has(env.code)
      ? 'auth'
      : env.code === '429'
        ? 'rate-limit'
        : /no permission/i.test(env.message ?? '')
          ? 'permission'
          : 'unknown'
    throw new ExchangeFault(category, refused(HTX, refusedCode(env.code, env.message)), stream)
  }
  const rows = validate(z.array(htxKeySchema), env.data, what, stream, HTX, 'data')
  return rows.map((k) => {
    const raw = commaList(k.permission)
    const vigil = ['read', ...raw.flatMap((p) => HTX_PERMISSIONS[p.toLowerCase()] ?? [])]
    const days = k.validDays ?? -1
    return {
      keyId: keyFingerprint('htx', k.accessKey),
      name: k.note ? k.note : null,
      permissions: withRaw('htx', vigil, raw),
      // "" = no IP binding.
      ipWhitelist: commaList(k.ipAddresses),
      enabled: k.status.toLowerCase() === 'normal',
      self: htxKeyMatches(k.accessKey, ownAccessKey),
      createdAt: toMs(k.createTime, 'ms'),
      expiresAt: days < 0 || options.now === undefined ? null : options.now + days * DAY_MS,
      thirdParty: false
    }
  })
}

/** HTX's `/v2/user/uid` answer (`{code: 200, data: <uid>}`) → the uid. */
export const parseHtxUid = (raw: unknown, options: KeyInfoOptions = {}): string => {
  const stream = options.stream ?? 'keys'
  const what = 'user id'
  const env = validate(htxEnvelope, body(raw, what, stream, HTX), what, stream, HTX)
  if (env.code !== '200' || env.ok === false)
    throw new ExchangeFault(
      HTX_AUTH.has(env.code) ? 'auth' : 'unknown',
      refused(HTX, refusedCode(env.code)),
      stream
    )
  const uid = validate(
    z.union([z.number().int().positive(), z.string().regex(/^\d+$/)]),
    env.data,
    what,
    stream,
    HTX
  )
  return String(uid)
}
