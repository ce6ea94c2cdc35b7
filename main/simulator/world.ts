/**
 * The simulated exchanges' state, independent of any API dialect: per account its markets and
 * prices, balances, orders, fills, access log, API keys, withdrawals, address book, transfers,
 * leverage and positions. History, the timeline and the dialects all change it through the
 * methods here, so every record gets its id in one place.
 *
 * Record ids are strings the dialects expose verbatim (an alert's evidence carries them back to
 * `originOf`). Each record type draws from its own numeric range so ids never collide within an
 * account: keys 1…, access log 10001…, withdrawals 500001…, transfers 800001…, leverage changes
 * 900001…, trades 1000001…, orders 3000001…; a dialect's IdScheme may decorate order and trade ids
 * (Deribit: `BTC-3000001`).
 */
import type { ExchangeId, KeySpec, Permission, Scenario, ScenarioAccount } from '../replay/scenario'
import { SELF_KEY } from '../replay/scenario'
import { cityOf, countryOf } from './geo'
import { describeMarket, roundTo, type MarketState } from './markets'
import { token } from './prng'

export const DAY_MS = 86_400_000

/** Access-log event values (Deribit's vocabulary, the richest any exchange exposes). */
export type AccessEvent =
  | 'success'
  | 'failure'
  | 'changed_email'
  | 'changed_password'
  | 'disabled_tfa'
  | 'enabled_tfa'
  | 'new_api_key'
  | 'removed_api_key'
  | 'changed_scope'
  | 'changed_whitelist'
  | 'disabled_api_key'
  | 'enabled_api_key'
  | 'reset_api_key'

export interface AccessLogEntry {
  id: number
  timestamp: number
  event: AccessEvent
  ip: string
  /** ISO country code, or null when unknown. */
  country: string | null
  city: string
  userAgent: string | null
  /** Deribit's optional `data`: the key's client id for key events. */
  data?: string
}

export interface KeyRecord {
  /** Numeric id, as Deribit's `id` (what disable/remove take). */
  id: number
  /** Public key string the client signs with (Deribit `client_id`, elsewhere the API key). */
  clientId: string
  secret: string
  /** OKX-style passphrase; only exchanges that need one use it. */
  passphrase: string
  name: string
  permissions: Permission[]
  ipWhitelist: string[]
  createdAt: number
  enabled: boolean
  removed: boolean
  /** The key Vigil holds. */
  self: boolean
  /** The scenario's name for it: `self`, `other-N`, an `api_key_created` keyId, or `k-<event>`. */
  ref: string
}

export type Side = 'buy' | 'sell'
export type OrderStatus = 'open' | 'filled' | 'cancelled'

export interface OrderRecord {
  id: string
  symbol: string
  side: Side
  type: 'market' | 'limit'
  amount: number
  /** Limit price; null for market orders. */
  price: number | null
  filled: number
  averagePrice: number
  status: OrderStatus
  reduceOnly: boolean
  createdAt: number
  updatedAt: number
  /** Where it was placed: the exchange's web UI or the API (Deribit's `web` / `api` flags). */
  origin: 'web' | 'api'
  label: string
  /** The key that placed it (API orders). */
  keyId: number | null
}

export interface FillRecord {
  id: string
  /** Per-market sequence (Deribit `trade_seq`). */
  seq: number
  orderId: string
  symbol: string
  side: Side
  amount: number
  price: number
  fee: number
  feeCurrency: string
  liquidity: 'M' | 'T'
  timestamp: number
  /** Market price when it filled, for off-market checks. */
  marketPrice: number
}

export interface WithdrawalRecord {
  id: number
  currency: string
  amount: number
  address: string
  network: string | null
  fee: number
  state: 'unconfirmed' | 'completed'
  createdAt: number
  updatedAt: number
  txid: string | null
}

export interface AddressRecord {
  currency: string
  address: string
  network: string | null
  label: string
  createdAt: number
}

export interface TransferRecord {
  id: number
  currency: string
  amount: number
  to: 'sub' | 'external-user'
  createdAt: number
}

/**
 * One leverage setting, so a dialect can expose when and in which order leverage changed (Bybit's
 * position `seq` moves with settings such as leverage) and alert evidence can map back to it.
 */
export interface LeverageChange {
  id: number
  symbol: string
  leverage: number
  /** The leverage before, or null when none was set. */
  previous: number | null
  at: number
}

export interface PositionRecord {
  symbol: string
  /** Signed: positive long, negative short, in the market's amount units. */
  size: number
  averagePrice: number
}

/** Where the account was last logged in from; security events happen in that session. */
export interface Session {
  ip: string
  country: string | null
  userAgent: string | null
}

export interface AccountState {
  id: string
  exchange: ExchangeId
  spec: ScenarioAccount
  markets: Map<string, MarketState>
  balances: Map<string, number>
  orders: OrderRecord[]
  fills: FillRecord[]
  accessLog: AccessLogEntry[]
  keys: KeyRecord[]
  withdrawals: WithdrawalRecord[]
  addressBook: AddressRecord[]
  transfers: TransferRecord[]
  leverage: Map<string, number>
  leverageChanges: LeverageChange[]
  positions: Map<string, PositionRecord>
  session: Session | null
  tfaEnabled: boolean
  seq: {
    key: number
    access: number
    withdrawal: number
    transfer: number
    leverage: number
    trade: number
    order: number
  }
  tradeSeq: Map<string, number>
}

/** How a dialect decorates order and trade ids. */
export interface IdScheme {
  order(seq: number, market: MarketState): string
  trade(seq: number, market: MarketState): string
  /**
   * Extra ids the exchange reports a key under, beyond its numeric id and API key (OKX names no
   * key id: its connector reports a fingerprint). Registered for originOf.
   */
  key?(key: KeyRecord): string[]
  /** Ids the exchange reports a leverage change under, beyond the change's own id. */
  leverage?(market: MarketState, leverage: number): string[]
}

export const plainIds: IdScheme = { order: (seq) => String(seq), trade: (seq) => String(seq) }

export interface OrderRequest {
  symbol: string
  side: Side
  type: 'market' | 'limit'
  amount: number
  /** Limit price; for a market order an optional fill price (default: last). */
  price?: number
  reduceOnly?: boolean
  origin: 'web' | 'api'
  keyId?: number | null
  label?: string
}

/**
 * What happens to an order: `auto` follows the book (market orders and crossing limits fill at
 * once, others rest), the rest are decided by the history generator.
 */
export type OrderOutcome =
  | { kind: 'auto' }
  | { kind: 'rest' }
  | { kind: 'fill'; at: number; price?: number }
  | { kind: 'cancel'; at: number }

export interface WorldOptions {
  seed: number
  /** Clock ms of scenario second 0. */
  startAt: number
  idScheme?: (exchange: ExchangeId) => IdScheme
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
const BASE64URL = `${ALPHANUMERIC}-_`

const WITHDRAWAL_FEES: Readonly<Record<string, number>> = {
  BTC: 0.0001,
  ETH: 0.0012,
  USDT: 1,
  USDC: 1
}

/** A fixed-point-safe sum, so balances do not drift by 1e-17 per trade. */
const add = (a: number, b: number): number => Number((a + b).toPrecision(15))

export class World {
  readonly accounts = new Map<string, AccountState>()
  readonly seed: number
  readonly startAt: number
  private readonly idScheme: (exchange: ExchangeId) => IdScheme
  private readonly clientIds = new Map<string, { accountId: string; keyId: number }>()
  private readonly origins = new Map<string, Map<string, number[]>>()

  constructor(scenario: Scenario, options: WorldOptions) {
    this.seed = options.seed
    this.startAt = options.startAt
    this.idScheme = options.idScheme ?? (() => plainIds)
    for (const spec of scenario.accounts) {
      const markets = new Map(spec.markets.map((symbol) => [symbol, describeMarket(symbol)]))
      this.accounts.set(spec.id, {
        id: spec.id,
        exchange: spec.exchange,
        spec,
        markets,
        balances: new Map(Object.entries(spec.balances)),
        orders: [],
        fills: [],
        accessLog: [],
        keys: [],
        withdrawals: [],
        addressBook: [],
        transfers: [],
        leverage: new Map(),
        leverageChanges: [],
        positions: new Map(),
        session: null,
        tfaEnabled: true,
        seq: {
          key: 0,
          access: 10_000,
          withdrawal: 500_000,
          transfer: 800_000,
          leverage: 900_000,
          trade: 1_000_000,
          order: 3_000_000
        },
        tradeSeq: new Map()
      })
    }
  }

  account(accountId: string): AccountState {
    const account = this.accounts.get(accountId)
    if (!account) throw new Error(`unknown account "${accountId}"`)
    return account
  }

  market(account: AccountState, symbol: string): MarketState {
    const market = account.markets.get(symbol)
    if (!market) throw new Error(`account "${account.id}" lists no market ${symbol}`)
    return market
  }

  /** Finds the account and key that own a client id (API key string). */
  keyByClientId(clientId: string): { account: AccountState; key: KeyRecord } | undefined {
    const hit = this.clientIds.get(clientId)
    if (!hit) return undefined
    const account = this.account(hit.accountId)
    const key = account.keys.find((k) => k.id === hit.keyId)
    return key ? { account, key } : undefined
  }

  selfKey(account: AccountState): KeyRecord {
    const key = account.keys.find((k) => k.self)
    if (!key) throw new Error(`account "${account.id}" has no guardian key`)
    return key
  }

  /** Resolves a scenario key reference (`self`, `other-1`, a created keyId). */
  keyByRef(account: AccountState, ref: string): KeyRecord | undefined {
    return account.keys.find((k) => k.ref === ref)
  }

  // ── sessions and the access log ──────────────────────────────────────────

  addAccessLog(
    account: AccountState,
    entry: {
      event: AccessEvent
      ip: string
      country?: string | null
      userAgent?: string | null
      data?: string
    },
    at: number
  ): AccessLogEntry {
    const country = entry.country === undefined ? countryOf(entry.ip) : entry.country
    const record: AccessLogEntry = {
      id: ++account.seq.access,
      timestamp: at,
      event: entry.event,
      ip: entry.ip,
      country,
      city: cityOf(country),
      userAgent: entry.userAgent ?? null,
      ...(entry.data === undefined ? {} : { data: entry.data })
    }
    account.accessLog.push(record)
    return record
  }

  login(
    account: AccountState,
    login: { ip: string; country?: string | null; userAgent: string | null; success: boolean },
    at: number
  ): AccessLogEntry {
    const entry = this.addAccessLog(
      account,
      { ...login, event: login.success ? 'success' : 'failure' },
      at
    )
    if (login.success)
      account.session = { ip: entry.ip, country: entry.country, userAgent: login.userAgent }
    return entry
  }

  /** A security event in the current web session (where account changes are made). */
  securityEvent(
    account: AccountState,
    event: AccessEvent,
    at: number,
    data?: string
  ): AccessLogEntry {
    const session = account.session ?? { ip: '127.0.0.1', country: null, userAgent: null }
    if (event === 'disabled_tfa') account.tfaEnabled = false
    if (event === 'enabled_tfa') account.tfaEnabled = true
    return this.addAccessLog(
      account,
      { event, ip: session.ip, country: session.country, userAgent: session.userAgent, data },
      at
    )
  }

  // ── API keys ─────────────────────────────────────────────────────────────

  createKey(
    account: AccountState,
    spec: KeySpec,
    options: { ref: string; createdAt: number; name?: string }
  ): KeyRecord {
    const n = ++account.seq.key
    let clientId = token(10, ALPHANUMERIC, this.seed, account.id, n, 'client-id')
    // Ids must map to one account across the whole simulator.
    for (let salt = 0; this.clientIds.has(clientId); salt++) {
      clientId = token(10, ALPHANUMERIC, this.seed, account.id, n, 'client-id', salt)
    }
    const key: KeyRecord = {
      id: n,
      clientId,
      secret: token(43, BASE64URL, this.seed, account.id, n, 'secret'),
      passphrase: token(16, ALPHANUMERIC, this.seed, account.id, n, 'passphrase'),
      name: options.name ?? (options.ref === SELF_KEY ? 'vigil' : ''),
      permissions: [...spec.permissions],
      ipWhitelist: [...spec.ipWhitelist],
      createdAt: options.createdAt,
      enabled: true,
      removed: false,
      self: options.ref === SELF_KEY,
      ref: options.ref
    }
    account.keys.push(key)
    this.clientIds.set(clientId, { accountId: account.id, keyId: key.id })
    return key
  }

  changeKey(key: KeyRecord, change: { permissions?: Permission[]; ipWhitelist?: string[] }): void {
    if (change.permissions) key.permissions = [...change.permissions]
    if (change.ipWhitelist) key.ipWhitelist = [...change.ipWhitelist]
  }

  // ── markets, orders and fills ────────────────────────────────────────────

  setPrice(account: AccountState, symbol: string, last: number): void {
    const market = this.market(account, symbol)
    market.last = roundTo(last, market.tick)
  }

  placeOrder(
    account: AccountState,
    request: OrderRequest,
    at: number,
    outcome: OrderOutcome = { kind: 'auto' },
    effects: { balances: boolean } = { balances: true }
  ): { order: OrderRecord; fills: FillRecord[] } {
    const market = this.market(account, request.symbol)
    const ids = this.idScheme(account.exchange)
    const order: OrderRecord = {
      id: ids.order(++account.seq.order, market),
      symbol: market.symbol,
      side: request.side,
      type: request.type,
      amount: request.amount,
      price: request.type === 'limit' ? (request.price ?? market.last) : null,
      filled: 0,
      averagePrice: 0,
      status: 'open',
      reduceOnly: request.reduceOnly ?? false,
      createdAt: at,
      updatedAt: at,
      origin: request.origin,
      label: request.label ?? '',
      keyId: request.keyId ?? null
    }
    account.orders.push(order)
    const fills: FillRecord[] = []
    let decided = outcome
    if (decided.kind === 'auto') {
      const crosses =
        order.price !== null &&
        (order.side === 'buy' ? order.price >= market.last : order.price <= market.last)
      // A crossing limit fills at its own price: the books we simulate are thin, which is exactly
      // how a leaked key pumps an illiquid pair.
      decided =
        order.type === 'market'
          ? { kind: 'fill', at, price: request.price ?? market.last }
          : crosses
            ? { kind: 'fill', at, price: order.price ?? market.last }
            : { kind: 'rest' }
    }
    if (decided.kind === 'fill') {
      fills.push(
        this.fill(
          account,
          order,
          market,
          decided.price ?? order.price ?? market.last,
          decided.at,
          effects
        )
      )
    } else if (decided.kind === 'cancel') {
      order.status = 'cancelled'
      order.updatedAt = decided.at
    }
    return { order, fills }
  }

  private fill(
    account: AccountState,
    order: OrderRecord,
    market: MarketState,
    price: number,
    at: number,
    effects: { balances: boolean }
  ): FillRecord {
    const ids = this.idScheme(account.exchange)
    const seq = (account.tradeSeq.get(market.symbol) ?? 0) + 1
    account.tradeSeq.set(market.symbol, seq)
    const taker = order.type === 'market' || at === order.createdAt
    const feeRate = taker ? 0.0005 : 0.0002
    const feeCurrency = market.settle ?? market.quote
    const fee = market.inverse ? (order.amount / price) * feeRate : order.amount * price * feeRate
    const fill: FillRecord = {
      id: ids.trade(++account.seq.trade, market),
      seq,
      orderId: order.id,
      symbol: market.symbol,
      side: order.side,
      amount: order.amount,
      price,
      fee: Number(fee.toPrecision(6)),
      feeCurrency,
      liquidity: taker ? 'T' : 'M',
      timestamp: at,
      marketPrice: market.last
    }
    account.fills.push(fill)
    order.filled = order.amount
    order.averagePrice = price
    order.status = 'filled'
    order.updatedAt = at
    const signed = order.side === 'buy' ? order.amount : -order.amount
    if (market.type === 'spot') {
      if (effects.balances) {
        const balance = (asset: string): number => account.balances.get(asset) ?? 0
        account.balances.set(market.base, add(balance(market.base), signed))
        account.balances.set(market.quote, add(balance(market.quote), -signed * price - fee))
      }
    } else {
      const position = account.positions.get(market.symbol) ?? {
        symbol: market.symbol,
        size: 0,
        averagePrice: 0
      }
      const size = add(position.size, signed)
      const growing = Math.sign(signed) === Math.sign(position.size) || position.size === 0
      position.averagePrice =
        size === 0
          ? 0
          : growing
            ? (position.averagePrice * Math.abs(position.size) + price * Math.abs(signed)) /
              Math.abs(size)
            : position.averagePrice
      position.size = size
      account.positions.set(market.symbol, position)
      if (effects.balances && market.settle) {
        account.balances.set(market.settle, add(account.balances.get(market.settle) ?? 0, -fee))
      }
    }
    return fill
  }

  openOrders(account: AccountState): OrderRecord[] {
    return account.orders.filter((o) => o.status === 'open')
  }

  /** Cancels the open orders `filter` selects (all by default); returns them. */
  cancelOrders(
    account: AccountState,
    at: number,
    filter: (order: OrderRecord) => boolean = () => true
  ): OrderRecord[] {
    const cancelled = this.openOrders(account).filter(filter)
    for (const order of cancelled) {
      order.status = 'cancelled'
      order.updatedAt = at
    }
    return cancelled
  }

  // ── wallet ───────────────────────────────────────────────────────────────

  withdraw(
    account: AccountState,
    request: { currency: string; amount: number; address: string; network?: string | null },
    at: number,
    options: { state?: WithdrawalRecord['state']; balances?: boolean } = {}
  ): WithdrawalRecord {
    const state = options.state ?? 'unconfirmed'
    const record: WithdrawalRecord = {
      id: ++account.seq.withdrawal,
      currency: request.currency,
      amount: request.amount,
      address: request.address,
      network: request.network ?? null,
      fee: WITHDRAWAL_FEES[request.currency] ?? 0,
      state,
      createdAt: at,
      updatedAt: state === 'completed' ? at + 20 * 60_000 : at,
      txid:
        state === 'completed'
          ? token(64, '0123456789abcdef', this.seed, account.id, 'tx', account.seq.withdrawal)
          : null
    }
    account.withdrawals.push(record)
    if (options.balances !== false) {
      account.balances.set(
        request.currency,
        add(account.balances.get(request.currency) ?? 0, -request.amount)
      )
    }
    return record
  }

  addAddress(
    account: AccountState,
    entry: { currency: string; address: string; network?: string | null; label?: string },
    at: number
  ): AddressRecord {
    const record: AddressRecord = {
      currency: entry.currency,
      address: entry.address,
      network: entry.network ?? null,
      label: entry.label ?? '',
      createdAt: at
    }
    account.addressBook.push(record)
    return record
  }

  transfer(
    account: AccountState,
    request: { currency: string; amount: number; to: TransferRecord['to'] },
    at: number
  ): TransferRecord {
    const record: TransferRecord = { id: ++account.seq.transfer, ...request, createdAt: at }
    account.transfers.push(record)
    account.balances.set(
      request.currency,
      add(account.balances.get(request.currency) ?? 0, -request.amount)
    )
    return record
  }

  /** Sets a symbol's leverage at clock time `at` (default: scenario start) and logs the change. */
  setLeverage(
    account: AccountState,
    symbol: string,
    leverage: number,
    at: number = this.startAt
  ): LeverageChange {
    this.market(account, symbol)
    const change: LeverageChange = {
      id: ++account.seq.leverage,
      symbol,
      leverage,
      previous: account.leverage.get(symbol) ?? null,
      at
    }
    account.leverage.set(symbol, leverage)
    account.leverageChanges.push(change)
    return change
  }

  /** Every id the account's exchange reports this key under (for originOf). */
  keyRecordIds(account: AccountState, key: KeyRecord): string[] {
    return [String(key.id), key.clientId, ...(this.idScheme(account.exchange).key?.(key) ?? [])]
  }

  /** Every id the account's exchange reports this leverage change under (for originOf). */
  leverageRecordIds(account: AccountState, change: LeverageChange): string[] {
    const market = this.market(account, change.symbol)
    const extra = this.idScheme(account.exchange).leverage?.(market, change.leverage) ?? []
    return [String(change.id), ...extra]
  }

  // ── timeline origins ─────────────────────────────────────────────────────

  /** Records that timeline event `index` created or touched the record `recordId`. */
  registerOrigin(accountId: string, recordId: string | number, index: number): void {
    let records = this.origins.get(accountId)
    if (!records) this.origins.set(accountId, (records = new Map()))
    const key = String(recordId)
    const list = records.get(key) ?? []
    if (!list.includes(index)) list.push(index)
    records.set(key, list)
  }

  /**
   * Timeline events that created or touched a record, the creator first. Accepts the core's
   * qualified ids too (`<id>#<qualifier>`, e.g. `10118#new_api_key` or `BTC-3000001#cancelled`),
   * which resolve to the record they qualify.
   */
  originsOf(accountId: string, recordId: string | number): number[] {
    const records = this.origins.get(accountId)
    const id = String(recordId)
    const hit =
      records?.get(id) ??
      (id.includes('#') ? records?.get(id.slice(0, id.indexOf('#'))) : undefined)
    return [...(hit ?? [])]
  }

  /** A deterministic, JSON-friendly copy of everything, for comparisons and debugging. */
  snapshot(): unknown {
    const out: Record<string, unknown> = {}
    for (const [id, a] of this.accounts) {
      out[id] = {
        exchange: a.exchange,
        markets: Object.fromEntries(a.markets),
        balances: Object.fromEntries(a.balances),
        orders: a.orders,
        fills: a.fills,
        accessLog: a.accessLog,
        keys: a.keys,
        withdrawals: a.withdrawals,
        addressBook: a.addressBook,
        transfers: a.transfers,
        leverage: Object.fromEntries(a.leverage),
        leverageChanges: a.leverageChanges,
        positions: Object.fromEntries(a.positions),
        session: a.session,
        tfaEnabled: a.tfaEnabled
      }
    }
    return structuredClone(out)
  }
}
