/**
 * Turns whatever ccxt (or a connector's own validation) throws into an `ExchangeFault` the poller
 * and the kill switch can act on, with a plain-language message that is safe to store and show.
 *
 * ccxt error messages are not safe to show: they carry the full request URL (Binance puts the
 * HMAC `signature=` in the query), the raw response body and, for some exchanges, echoed request
 * parameters. We never pass them through; we keep at most a short, redacted reason extracted from
 * the exchange's own error object.
 *
 * Classification is by ccxt's error class *name*, not `instanceof`: the connector may load one
 * exchange module directly (see `ccxt-factory.ts`) while a test or another module loads the full
 * package through a different entry (ESM vs CJS), and each entry has its own class objects.
 * ccxt sets `name` to a string literal in every constructor, so this survives bundling.
 */
import { msg, type Message, type MessageVar } from '../../api/messages'
import { ExchangeFault, type FaultCategory } from './connector'

/**
 * ccxt 4.5.84's error hierarchy (`base/errorHierarchy.js`) flattened to fault categories. Listed
 * explicitly so a subclass (e.g. `AccountNotEnabled` under `PermissionDenied`) maps like its
 * parent even when only the leaf's `name` is visible.
 */
const CCXT_CATEGORY: Record<string, FaultCategory> = {
  AuthenticationError: 'auth',
  PermissionDenied: 'permission',
  AccountNotEnabled: 'permission',
  AccountSuspended: 'permission',
  RateLimitExceeded: 'rate-limit',
  DDoSProtection: 'rate-limit',
  OnMaintenance: 'maintenance',
  RequestTimeout: 'transient',
  NetworkError: 'transient',
  ExchangeNotAvailable: 'transient',
  InvalidNonce: 'transient',
  ChecksumError: 'transient',
  CancelPending: 'transient',
  BadResponse: 'malformed',
  NullResponse: 'malformed',
  NotSupported: 'unsupported',
  // Everything below is "the exchange understood us and said no" for a reason that is neither
  // auth nor transport: the caller decides; the poller treats it as unknown.
  ExchangeError: 'unknown',
  ArgumentsRequired: 'unknown',
  BadRequest: 'unknown',
  BadSymbol: 'unknown',
  OperationRejected: 'unknown',
  NoChange: 'unknown',
  MarginModeAlreadySet: 'unknown',
  MarketClosed: 'unknown',
  ManualInteractionNeeded: 'unknown',
  RestrictedLocation: 'permission',
  InsufficientFunds: 'unknown',
  InvalidAddress: 'unknown',
  AddressPending: 'unknown',
  InvalidOrder: 'unknown',
  OrderNotFound: 'unknown',
  OrderNotCached: 'unknown',
  OrderImmediatelyFillable: 'unknown',
  OrderNotFillable: 'unknown',
  DuplicateOrderId: 'unknown',
  ContractUnavailable: 'unknown',
  InvalidProxySettings: 'unknown',
  ExchangeClosedByUser: 'unknown',
  OperationFailed: 'transient',
  BaseError: 'unknown',
  UnsubscribeError: 'unknown'
}

/** The kind of failure in words (catalog `fault.kind.<category>`, one sentence per category). */
export const faultKind = (category: FaultCategory): Message => msg(`fault.kind.${category}`)

/**
 * A fault's descriptor: `<exchange>: <kind or sentence> (<the exchange's own reason>)`, each part
 * optional. The reason is evidence and goes in verbatim (already redacted).
 */
export const faultMessage = (
  sentence: Message,
  exchangeName?: string,
  detail?: MessageVar | null
): Message => {
  const withDetail = detail ? msg('fault.detail', { error: sentence, detail }) : sentence
  return exchangeName
    ? msg('fault.exchange', { exchange: exchangeName, error: withDetail })
    : withDetail
}

/** Extra context for `classifyError`. */
export interface ClassifyContext {
  /** Which stream or action failed (copied into the fault). */
  stream?: string
  /** Human name of the exchange for the message, e.g. 'Deribit'. */
  exchangeName?: string
  /** Last response headers (ccxt's `last_response_headers`), used for `Retry-After`. */
  headers?: Record<string, unknown>
  /** Clock for HTTP-date `Retry-After` values. */
  now?: number
}

/** Name of the first ccxt-looking class on the error's prototype chain (leaf first). */
const ccxtName = (error: object): string | null => {
  const own = (error as { name?: unknown }).name
  if (typeof own === 'string' && own in CCXT_CATEGORY) return own
  for (
    let p = Object.getPrototypeOf(error);
    p && p !== Error.prototype;
    p = Object.getPrototypeOf(p)
  ) {
    const name = (p.constructor as { name?: string } | undefined)?.name
    if (name && name in CCXT_CATEGORY) return name
  }
  return null
}

const SENSITIVE_PARAM =
  /\b(signature|sig|sign|api[-_]?key|apikey|secret|client[-_]?secret|client[-_]?id|passphrase|password|access[-_]?token|token|nonce|authorization|x-[a-z-]*(?:key|sign|passphrase))\b\s*[=:]\s*("[^"]*"|'[^']*'|[^\s,&;}]+)/gi

/**
 * Makes arbitrary exchange text safe to store and show: no URLs (they carry signed queries), no
 * `name=value` pairs for credential-like names, no long opaque tokens (keys, secrets, signatures,
 * JWTs), no control characters, and short.
 */
export const redact = (text: string, max = 160): string => {
  let out = text
    .replace(/[a-z][a-z0-9+.-]*:\/\/\S+/gi, '[url]')
    .replace(/(^|\s)\/\S*\?\S+/g, '$1[url]')
    .replace(SENSITIVE_PARAM, '$1=[redacted]')
    .replace(/\b(Bearer|deri-hmac-sha256)\s+\S+/gi, '$1 [redacted]')
    // Opaque tokens (keys, secrets, signatures, JWT parts) mix in digits; plain words such as
    // `security_key_authorization_required` do not, and must stay readable.
    .replace(/(?=[A-Za-z0-9+/_=.-]*\d)[A-Za-z0-9+/_=.-]{16,}/g, '[redacted]')
    // eslint-disable-next-line no-control-regex -- stripping control characters is the point
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
  if (out.length > max) out = out.slice(0, max - 1).trimEnd() + '…'
  return out
}

/** Pulls the exchange's own error code and message out of a ccxt message that embeds a JSON body. */
export const exchangeReason = (message: string): { code?: string; text?: string } => {
  const start = message.indexOf('{')
  if (start >= 0) {
    const body = message.slice(start)
    for (let end = body.lastIndexOf('}'); end > 0; end = body.lastIndexOf('}', end - 1)) {
      try {
        const parsed: unknown = JSON.parse(body.slice(0, end + 1))
        const found = findReason(parsed)
        if (found.code || found.text) return found
        break
      } catch {
        // Not valid JSON up to this brace; try the previous closing brace.
      }
    }
  }
  const code = /"code"\s*:\s*"?(-?\d+)/.exec(message)?.[1]
  const text = /"(?:message|msg|retMsg)"\s*:\s*"([^"]{1,200})"/.exec(message)?.[1]
  return { code, text }
}

const findReason = (value: unknown): { code?: string; text?: string } => {
  if (!value || typeof value !== 'object') return {}
  const obj = value as Record<string, unknown>
  const nested = obj.error
  if (nested && typeof nested === 'object' && !Array.isArray(nested)) {
    const inner = findReason(nested)
    if (inner.code || inner.text) {
      const data = (nested as Record<string, unknown>).data
      const reason =
        data && typeof data === 'object' ? (data as Record<string, unknown>).reason : undefined
      if (typeof reason === 'string' && inner.text && !inner.text.includes(reason))
        inner.text = `${inner.text}: ${reason}`
      return inner
    }
  }
  const code = obj.code ?? obj.retCode ?? obj.error_code
  const text =
    obj.message ?? obj.msg ?? obj.retMsg ?? (typeof nested === 'string' ? nested : undefined)
  return {
    code: typeof code === 'number' || typeof code === 'string' ? String(code) : undefined,
    text: typeof text === 'string' ? text : Array.isArray(nested) ? nested.join('; ') : undefined
  }
}

/** Milliseconds to wait, from a `Retry-After` header or a "retry after N s" phrase. */
export const retryAfterMs = (
  headers: Record<string, unknown> | undefined,
  message: string,
  now = Date.now()
): number | undefined => {
  if (headers) {
    for (const [name, value] of Object.entries(headers)) {
      if (name.toLowerCase() !== 'retry-after' || value === undefined || value === null) continue
      const raw = String(value).trim()
      if (/^\d+(\.\d+)?$/.test(raw)) return Math.round(Number(raw) * 1000)
      const at = Date.parse(raw)
      if (!Number.isNaN(at)) return Math.max(0, at - now)
    }
  }
  const phrase = /retry[- ]?after\D{0,5}(\d+(?:\.\d+)?)\s*(ms|milliseconds?|s|sec|seconds?)?/i.exec(
    message
  )
  if (phrase) {
    const n = Number(phrase[1])
    return /^m/i.test(phrase[2] ?? '') ? Math.round(n) : Math.round(n * 1000)
  }
  return undefined
}

/** Errors that do not come from ccxt but mean the same thing. */
const nonCcxtCategory = (error: unknown): FaultCategory | null => {
  if (error instanceof SyntaxError) return 'malformed'
  if (error && typeof error === 'object') {
    const name = (error as { name?: unknown }).name
    if (name === 'ZodError') return 'malformed'
    if (name === 'AbortError' || name === 'TimeoutError') return 'transient'
    const code = (error as { code?: unknown }).code
    if (
      typeof code === 'string' &&
      /^(ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|UND_ERR_\w+)$/.test(code)
    )
      return 'transient'
  }
  return null
}

/**
 * Classifies any thrown value into an `ExchangeFault`. An `ExchangeFault` passes through (with the
 * stream filled in when missing). The message is one plain sentence, optionally followed by the
 * exchange's own short reason, and never contains URLs, headers, credentials or signatures.
 */
export const classifyError = (error: unknown, context: ClassifyContext = {}): ExchangeFault => {
  if (error instanceof ExchangeFault) {
    return error.stream || !context.stream
      ? error
      : new ExchangeFault(error.category, error.msg, context.stream, error.retryAfterMs)
  }
  const raw = error instanceof Error ? error.message : typeof error === 'string' ? error : ''
  const name = error && typeof error === 'object' ? ccxtName(error) : null
  let category: FaultCategory = name ? CCXT_CATEGORY[name] : (nonCcxtCategory(error) ?? 'unknown')
  const reason = exchangeReason(raw)
  // ccxt maps an unparseable body on an error status to ExchangeError; a JSON SyntaxError inside
  // ccxt surfaces with this text.
  if (
    category === 'unknown' &&
    /could not parse the response into json|Unexpected token|JSON/i.test(raw) &&
    !reason.code
  )
    category = 'malformed'
  const text = reason.text ? redact(reason.text, 120) : null
  let detail: MessageVar | null =
    text && reason.code
      ? msg('fault.reasonCode', { reason: text, code: reason.code })
      : reason.code
        ? msg('fault.code', { code: reason.code })
        : text
  if (!detail && category === 'unknown' && raw) {
    // No structured reason: keep a redacted hint of ccxt's text minus its "<id> <METHOD> <url>" prefix.
    const hint = redact(raw.replace(/^[a-z0-9]+\s+(GET|POST|PUT|DELETE|PATCH)\s+\S+\s*/i, ''), 120)
    if (hint) detail = hint
  }
  const message = faultMessage(faultKind(category), context.exchangeName, detail)
  const wait =
    category === 'rate-limit' || category === 'maintenance'
      ? retryAfterMs(context.headers, raw, context.now)
      : undefined
  return new ExchangeFault(category, message, context.stream, wait)
}

/** The exchange's own numeric error code inside a ccxt error, when there is one. */
export const exchangeErrorCode = (error: unknown): string | undefined =>
  error instanceof Error ? exchangeReason(error.message).code : undefined

/** Whether retrying the same call shortly can help. */
export const isRetryable = (fault: ExchangeFault): boolean =>
  fault.category === 'transient' || fault.category === 'rate-limit'

/**
 * A fault for a response that failed shape validation; `what` says what was wrong (one of the
 * `fault.malformed.*` sentences below, naming the call and any technical path verbatim).
 */
export const malformed = (what: Message, stream?: string, exchangeName?: string): ExchangeFault =>
  new ExchangeFault('malformed', faultMessage(faultKind('malformed'), exchangeName, what), stream)

/** `<call>: the response was not valid JSON` (`what` is the call's technical name, verbatim). */
export const notJson = (what: string): Message => msg('fault.malformed.notJson', { what })

/** `<call>: unexpected shape at <path>` (both verbatim). */
export const badShape = (what: string, where: string): Message =>
  msg('fault.malformed.shapeAt', { what, where })
