/**
 * Field access for rules. `data.*` reads the stored event; `derived.*` are values the engine
 * computes so rule files stay declarative: the login's country normalised to ISO (or looked up
 * offline), amounts in USD, how far a fill was from the market, which permissions a key gained.
 * Each derived value is computed at most once per event.
 */
import { classifyAsn, deviceFamily, normalizeCountry, type Enricher } from '../enrich'
import type { StoredEvent } from '../model'
import { BlockResults } from './operators'

/** What derived fields may need from outside the event. */
export interface FieldContext {
  enricher?: Enricher
  /** USD price of one unit of a currency, when the engine knows it (from balances). */
  priceUsd(accountId: string, currency: string): number | null
}

const DAY_MS = 86_400_000

/** Currencies valued at 1 USD when an exchange gives no USD amount. */
export const USD_STABLE = new Set([
  'USD',
  'USDT',
  'USDC',
  'BUSD',
  'DAI',
  'FDUSD',
  'TUSD',
  'USDP',
  'PYUSD',
  'USDE'
])

/** Whitelist entries that allow every address. */
const OPEN_ENTRIES = new Set(['*', '0.0.0.0/0', '0.0.0.0', '::/0'])

const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)

/** What a key can do, whatever the exchange calls it. */
export type Capability = 'read' | 'trade' | 'withdraw' | 'transfer'

/**
 * Maps exchange permission names to capabilities: normalised names (`withdraw`, `spot`), Deribit
 * scopes (`wallet:read_write` can withdraw, `trade:read` cannot trade), Bybit (`Withdraw`,
 * `AccountTransfer`, `SpotTrade`), Binance flags (`enableWithdrawals`, `enableInternalTransfer`,
 * `enableSpotAndMarginTrading`), OKX (`read_only`, `withdraw`, `trade`), Coinbase (`can_transfer`).
 */
export function capabilityOf(permission: string): Capability {
  const p = permission.trim().toLowerCase()
  if (/withdraw/.test(p) || /^wallet:(read_)?write$/.test(p)) return 'withdraw'
  if (/transfer/.test(p)) return 'transfer'
  // Read-only forms: Deribit `trade:read`, OKX `read_only`, BitMEX `orderCancel`, Kraken
  // `query-open-trades` (kept raw as `kraken:query-…`).
  if (/:read$/.test(p) || /^read/.test(p) || /cancel/.test(p) || /(^|:)query-/.test(p))
    return 'read'
  if (/trade|spot|future|margin|option|contract|swap|perp|derivative|order|position/.test(p)) {
    return 'trade'
  }
  return 'read'
}

/** Distinct capabilities of a permission list, in a fixed order. */
export function capabilities(permissions: unknown): Capability[] {
  const caps = new Set(strings(permissions).map(capabilityOf))
  return (['read', 'trade', 'withdraw', 'transfer'] as const).filter((c) => caps.has(c))
}

/** True when a whitelist lets any IP use the key. */
export const whitelistOpen = (list: unknown): boolean => {
  const entries = strings(list).map((s) => s.trim())
  return entries.length === 0 || entries.some((e) => OPEN_ENTRIES.has(e))
}

/** `BASE/QUOTE[:SETTLE]` → parts (ccxt unified symbols). */
function splitSymbol(
  symbol: unknown
): { base: string; quote: string; settle: string | null } | null {
  if (typeof symbol !== 'string') return null
  const m = /^([^/]+)\/([^:]+)(?::(.+))?$/.exec(symbol)
  return m ? { base: m[1] as string, quote: m[2] as string, settle: m[3] ?? null } : null
}

const DERIVED: Record<
  string,
  (e: StoredEvent, d: Record<string, unknown>, ctx: FieldContext, view: EventView) => unknown
> = {
  country(_e, d, ctx) {
    const given = normalizeCountry(typeof d.country === 'string' ? d.country : null)
    if (given) return given
    if (typeof d.ip === 'string' && ctx.enricher) return ctx.enricher.lookupIp(d.ip).country
    return null
  },
  asn(_e, d, ctx) {
    if (num(d.asn) !== null) return d.asn
    return typeof d.ip === 'string' && ctx.enricher ? ctx.enricher.lookupIp(d.ip).asn : null
  },
  asnOrg(_e, d, ctx) {
    if (typeof d.asnOrg === 'string') return d.asnOrg
    return typeof d.ip === 'string' && ctx.enricher ? ctx.enricher.lookupIp(d.ip).asnOrg : null
  },
  network(_e, d, ctx, view) {
    if (typeof d.network === 'string') return d.network
    const asn = view.get('derived.asn')
    if (typeof asn === 'number')
      return classifyAsn(asn, (view.get('derived.asnOrg') as string | null) ?? null)
    return typeof d.ip === 'string' && ctx.enricher ? ctx.enricher.lookupIp(d.ip).network : null
  },
  device(_e, d) {
    if (typeof d.device === 'string' && d.device) return d.device
    return deviceFamily(typeof d.userAgent === 'string' ? d.userAgent : null)
  },
  hour: (e) => new Date(e.ts).getUTCHours(),
  /** "market buy order", "sell fill", "withdrawal": what a money event was, for explanations. */
  action(e, d) {
    const words = (...w: unknown[]) =>
      w.filter((x): x is string => typeof x === 'string' && x !== '').join(' ')
    if (e.kind === 'order') return words(d.type, d.side, 'order')
    if (e.kind === 'fill') return words(d.side, 'fill')
    return e.kind
  },
  /** 'successful' / 'failed' for logins, from the type, for explanations. */
  outcome: (e) =>
    e.type.endsWith('.success') ? 'successful' : e.type.endsWith('.failure') ? 'failed' : null,
  amountUsd(e, d, ctx) {
    if (num(d.amountUsd) !== null) return d.amountUsd
    const amount = num(d.amount)
    if (amount === null || typeof d.currency !== 'string') return null
    if (USD_STABLE.has(d.currency.toUpperCase())) return amount
    const price = ctx.priceUsd(e.accountId, d.currency)
    return price === null ? null : amount * price
  },
  notionalUsd(e, d, ctx) {
    if (num(d.notionalUsd) !== null) return d.notionalUsd
    const amount = num(d.amount)
    const parts = splitSymbol(d.symbol)
    if (amount === null || !parts) return null
    // Inverse contracts are sized in USD already; guessing their notional would mislead.
    if (parts.settle && parts.settle === parts.base) return null
    const price = num(d.price) ?? num(d.marketPrice)
    if (price !== null && USD_STABLE.has(parts.quote.toUpperCase())) return amount * price
    const quoteUsd = price !== null ? ctx.priceUsd(e.accountId, parts.quote) : null
    if (price !== null && quoteUsd !== null) return amount * price * quoteUsd
    const baseUsd = ctx.priceUsd(e.accountId, parts.base)
    return baseUsd === null ? null : amount * baseUsd
  },
  priceDeviation(_e, d) {
    const price = num(d.price)
    const market = num(d.marketPrice)
    if (price === null || market === null || market <= 0) return null
    return Math.abs(price - market) / market
  },
  /** True when a fill was at or better than the market, false when worse, null when unknown. */
  winning(_e, d) {
    const price = num(d.price)
    const market = num(d.marketPrice)
    if (price === null || market === null) return null
    return d.side === 'buy' ? price <= market : price >= market
  },
  permissionsAdded(_e, d) {
    const before = d.before as { permissions?: unknown } | undefined
    if (!before) return []
    const had = new Set(strings(before.permissions).map((p) => p.toLowerCase()))
    return strings(d.permissions).filter((p) => !had.has(p.toLowerCase()))
  },
  capabilities: (_e, d) => capabilities(d.permissions),
  /** Capabilities a changed key has now and did not have before (withdraw, transfer, trade). */
  capabilitiesAdded(_e, d) {
    const before = d.before as { permissions?: unknown } | undefined
    if (!before) return []
    const had = new Set(capabilities(before.permissions))
    return capabilities(d.permissions).filter((c) => !had.has(c))
  },
  whitelistOpen: (_e, d) => whitelistOpen(d.ipWhitelist),
  whitelistRemoved(_e, d) {
    const before = d.before as { ipWhitelist?: unknown } | undefined
    return Boolean(before) && !whitelistOpen(before?.ipWhitelist) && whitelistOpen(d.ipWhitelist)
  },
  keyAgeDays(e, d) {
    const created = num(d.createdAt)
    // key.seen is stamped with the key's creation time; its age is as of when Vigil saw it.
    return created === null ? null : Math.floor((Math.max(e.ts, e.observedAt) - created) / DAY_MS)
  },
  /** Where value goes: the symbol of an order or fill, the address of a withdrawal, a transfer's target. */
  target(_e, d) {
    if (typeof d.symbol === 'string') return d.symbol
    if (typeof d.address === 'string') return d.address
    if (typeof d.to === 'string') return `transfer:${d.to}`
    return null
  },
  quantityDecreased(_e, d) {
    const total = num(d.total)
    const previous = num(d.previous)
    return total !== null && previous !== null && total < previous
  }
}

/** Names of the derived fields, for validation and documentation. */
export const DERIVED_FIELDS = Object.keys(DERIVED)

const dataPaths = new Map<string, readonly string[]>()

/** `data.a.b` → ['a', 'b'], split once per distinct path (rules use a few dozen). */
function dataPath(path: string): readonly string[] {
  let parts = dataPaths.get(path)
  if (!parts) {
    parts = path.slice(5).split('.')
    if (dataPaths.size < 10_000) dataPaths.set(path, parts)
  }
  return parts
}

/** One event as rules see it: plain fields, data paths and memoised derived values. */
export class EventView {
  private readonly cache = new Map<string, unknown>()
  readonly data: Record<string, unknown>
  /** Every rule's block results for this event (see BlockResults). */
  readonly blocks: BlockResults

  constructor(
    readonly event: StoredEvent,
    private readonly ctx: FieldContext
  ) {
    this.data = (event.data ?? {}) as Record<string, unknown>
    this.blocks = new BlockResults(this.get)
  }

  /** Reads `type`, `data.a.b` or `derived.name`; missing values are undefined. */
  get = (path: string): unknown => {
    let value = this.cache.get(path)
    if (value !== undefined || this.cache.has(path)) return value
    if (path.startsWith('data.')) {
      value = this.data
      for (const part of dataPath(path)) {
        value =
          value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined
      }
    } else if (path.startsWith('derived.')) {
      const fn = DERIVED[path.slice(8)]
      value = fn ? fn(this.event, this.data, this.ctx, this) : undefined
    } else {
      value = (this.event as unknown as Record<string, unknown>)[path]
    }
    this.cache.set(path, value)
    return value
  }
}
