/**
 * The Deribit connector: the one exchange whose API shows logins, security changes and every API
 * key of the account, and lets a key disable other keys. It reads each stream through ccxt's
 * implicit (raw) methods so every response can be validated before use (ccxt's unified parsers
 * turn a missing `result` into an empty list and a truncated body into a string, silently).
 *
 * Streams and their cursors (see `cursor.ts` for the encodings):
 * - `accessLog`           private/get_access_log, paged by offset/count, `"<lastId>@<floorTs>"`
 * - `keys`                private/list_api_keys, full snapshot every poll (no cursor)
 * - `balances`            private/get_account_summaries (+ public/get_index_price for USD), snapshot
 * - `positions`           private/get_positions, cursor = JSON map instrument → "side:size:leverage"
 * - `orders:<CCY>`        open orders + order history per currency, window cursor on last update
 * - `fills:<CCY>`         private/get_user_trades_by_currency_and_time, window cursor on timestamp
 * - `withdrawals:<CCY>`   private/get_withdrawals, window cursor on updated/created timestamp
 * - `addresses:<CCY>`     private/get_address_book (type withdrawal), cursor = JSON list of addresses
 *
 * Per-currency streams loop over every currency Deribit lists: ccxt's unified methods without a
 * symbol only ask about BTC.
 */
import type { Exchange } from 'ccxt'

import {
  ExchangeFault,
  type BalanceSnapshot,
  type Capability,
  type Connector,
  type ConnectorAccount,
  type ConnectorDeps,
  type Cursors,
  type KeySnapshot,
  type KillSwitchOptions,
  type PollResult,
  keyNotDisabled,
  type KeysDisabled
} from './connector'
import {
  decodeId,
  decodeSnapshot,
  decodeWindow,
  encodeId,
  encodeSnapshot,
  encodeWindow,
  WindowTracker
} from './cursor'
import {
  accessLogEvent,
  addressData,
  addressRecordId,
  DERIBIT_API_KEYS_URL,
  EXCHANGE_NAME,
  fillData,
  hint,
  orderData,
  parseAccessLog,
  parseAddressBook,
  parseApiKeys,
  parseCancelCount,
  parseCurrencies,
  parseIndexPrice,
  parseTickerIndex,
  parseKeyAction,
  parseOrders,
  parsePositions,
  parseSummaries,
  parseTrades,
  parseWithdrawals,
  positionData,
  withdrawalData,
  type AccessLogEntry,
  type DeribitOrder,
  type DeribitPosition,
  type DeribitTrade,
  type DeribitWithdrawal,
  type InstrumentInfo,
  type KnownKey
} from './deribit-parse'
import { classifyError, type ClassifyContext } from './errors'
import { withRetry, type Attempted, type RetryOptions } from './retry'
import { finishEvents, newRun, runStream, type RunContext, type StreamOutput } from './stream-run'
import type { KillSwitchAccountResult } from '../../api/contract'
import type { NewEvent } from '../model'
import type { Clock, Logger } from '../ports'
import { englishText, msg, type Message } from '../../api/messages'
import { startKillSwitchResult, type FailRecorder, type StepRecorder } from './kill-switch-result'

const DAY_MS = 24 * 60 * 60 * 1000
const MAX_BACKFILL_MS = 90 * DAY_MS
const STABLE_USD = new Set(['USDC', 'USDT', 'USDE', 'USD'])
/** Used only when Deribit's currency list cannot be read and none was configured. */
const FALLBACK_CURRENCIES = ['BTC', 'ETH']

/** Tuning for the Deribit connector; every field has a sensible default. */
export interface DeribitConnectorOptions {
  /** Currencies to watch instead of every currency Deribit lists (e.g. `['BTC', 'ETH']`). */
  currencies?: string[]
  /** Records per page (Deribit allows up to 1000 on most history calls). Default 100. */
  pageSize?: number
  /** Pages per stream in one poll before reporting a gap. Default 50. */
  maxPagesPerPoll?: number
  /** Pages per stream during backfill. Default 2000. */
  maxPagesBackfill?: number
  /** How far each window stream re-reads behind its cursor, for late-visible records. Default 2 s. */
  overlapMs?: number
  /** Where a poll starts for a stream that has no cursor yet (no backfill ran). Default 5 min. */
  lookbackMs?: number
  /**
   * Currencies with no balance, position or open order are polled every Nth poll only (they are
   * still read in full, from their cursor, when their turn comes). Default 5; 1 = always.
   */
  coldEvery?: number
  /** Kill-switch and containment retries. Default 3 attempts, 250 ms doubling. */
  retry?: RetryOptions
  /** How long a USD index price is reused. Default 60 s. */
  indexTtlMs?: number
  /** How long before markets are reloaded when an unknown instrument shows up. Default 10 min. */
  marketsReloadMs?: number
}

/** `ConnectorDeps` plus optional Deribit tuning. */
export interface DeribitConnectorDeps extends ConnectorDeps {
  options?: DeribitConnectorOptions
}

/** What Deribit lets Vigil see and do, in plain words for the account screen. */
export const deribitCapabilities = (): Capability[] => [
  {
    id: 'loginHistory',
    supported: true,
    note: 'Deribit reports every login (success and failure, with IP and an estimated country and city) and security changes such as 2FA or password changes. It does not report browsers or devices.'
  },
  {
    id: 'keyList',
    supported: true,
    note: 'Deribit lists every API key on the account with its scope and IP whitelist, so a key created by someone else is visible.'
  },
  {
    id: 'selfKeyInfo',
    supported: true,
    note: "Vigil's own key is found in Deribit's key list."
  },
  {
    id: 'revokeKey',
    supported: true,
    note: "Vigil can disable any API key if its own key has the account:read_write scope. If Deribit asks for a security-key or 2FA confirmation, you have to disable the key yourself on Deribit's API page."
  },
  {
    id: 'cancelAll',
    supported: true,
    note: 'One call cancels every open order in every currency; Vigil then reads the open orders back to confirm.'
  },
  {
    id: 'orders',
    supported: true,
    note: 'Open orders and order history in every currency, including whether each order came from the website or the API.'
  },
  { id: 'fills', supported: true, note: 'Every trade in every currency.' },
  {
    id: 'withdrawals',
    supported: true,
    note: 'Withdrawals in every currency (needs wallet:read on the key).'
  },
  {
    id: 'addressBook',
    supported: true,
    note: "Withdrawal addresses in Deribit's address book; Deribit only lets a new address be used after a waiting period (72 h by default)."
  },
  { id: 'positions', supported: true, note: 'Open positions with size and leverage.' },
  {
    id: 'deadMan',
    supported: false,
    note: "Deribit's cancel-on-disconnect only covers a live WebSocket connection; there is no timer that cancels orders if this computer goes offline."
  }
]

const isStringArray = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((x) => typeof x === 'string')
const isStringMap = (v: unknown): v is Record<string, string> =>
  !!v &&
  typeof v === 'object' &&
  !Array.isArray(v) &&
  Object.values(v as object).every((x) => typeof x === 'string')

/**
 * Creates the connector for one Deribit account. `exchange` is a configured ccxt `deribit`
 * instance (see `createCcxtFactory`); its `apiKey` identifies Vigil's own key in the key list.
 */
export const createDeribitConnector = (
  exchange: Exchange,
  account: ConnectorAccount,
  deps: DeribitConnectorDeps
): Connector => new DeribitConnector(exchange, account, deps.clock, deps.logger, deps.options ?? {})

class DeribitConnector implements Connector {
  readonly exchange = 'deribit'
  private readonly pageSize: number
  private readonly overlapMs: number
  private currencies: string[] | null
  private marketsLoadedAt: number | null = null
  private marketsTriedAt: number | null = null
  private marketsFailure: ExchangeFault | null = null
  private readonly index = new Map<string, { value: number | null; at: number }>()
  /** keyId → what we know (kept across polls so removed keys still resolve). Never holds secrets. */
  private readonly knownKeys = new Map<string, KnownKey>()
  /** Key ids present at the first key read: the trader's keys, as far as Vigil can tell. */
  private baselineKeyIds: Set<string> | null = null
  private hotCurrencies: Set<string> | null = null
  /**
   * Open order ids per currency as last read. Deribit lists a linear contract (BTC_USDC-PERPETUAL)
   * under both its base and its settlement currency, so counts are taken over the union of ids.
   */
  private readonly openIds = new Map<string, Set<string>>()
  private pollCount = 0
  /** False once the deployment answered that public/get_index_price does not exist. */
  private indexCall = true

  constructor(
    private readonly ccxt: Exchange,
    private readonly account: ConnectorAccount,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: DeribitConnectorOptions
  ) {
    this.pageSize = Math.min(1000, Math.max(1, options.pageSize ?? 100))
    this.overlapMs = Math.max(0, options.overlapMs ?? 2000)
    this.currencies = options.currencies?.length ? [...options.currencies] : null
  }

  capabilities(): Capability[] {
    return deribitCapabilities()
  }

  // -------------------------------------------------------------------------------------------
  // Raw calls

  /** Calls a ccxt implicit method by name; the raw JSON-RPC envelope comes back unparsed. */
  private async call(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const fn = (this.ccxt as unknown as Record<string, unknown>)[method]
    if (typeof fn !== 'function')
      throw new ExchangeFault(
        'unsupported',
        msg('fault.exchange', {
          exchange: EXCHANGE_NAME,
          error: msg('fault.ccxt.noMethod', { name: method })
        })
      )
    return (fn as (p: Record<string, unknown>) => Promise<unknown>).call(this.ccxt, params)
  }

  private classifyContext(stream?: string): ClassifyContext {
    return {
      stream,
      exchangeName: EXCHANGE_NAME,
      headers: (this.ccxt as { last_response_headers?: Record<string, unknown> })
        .last_response_headers,
      now: this.clock.now()
    }
  }

  private retry<T>(fn: () => Promise<T>, stream: string): Promise<Attempted<T>> {
    return withRetry(fn, this.clock, this.options.retry, () => this.classifyContext(stream))
  }

  // -------------------------------------------------------------------------------------------
  // Markets, currencies, prices

  /**
   * Loads instruments (for unified symbols and contract types) and the currency list. A failure
   * is remembered and reported by the streams that need it, which then do not advance: emitting
   * raw instrument names once and unified symbols later would look like a brand-new symbol.
   */
  private async ensureMarkets(now: number, reload = false): Promise<void> {
    if (this.marketsLoadedAt !== null && !reload) return
    const every = this.options.marketsReloadMs ?? 10 * 60_000
    if (reload && this.marketsTriedAt !== null && now - this.marketsTriedAt < every) return
    const retry = this.marketsTriedAt !== null
    this.marketsTriedAt = now
    try {
      // ccxt keeps a failed first load as a rejected promise and hands it back to every later
      // loadMarkets() call; only reload=true starts a fresh attempt.
      await this.ccxt.loadMarkets(reload || retry)
      this.marketsLoadedAt = now
      this.marketsFailure = null
      if (!this.options.currencies?.length) {
        const ids = Object.values(this.ccxt.currencies ?? {})
          .map((c) => (c as { id?: string }).id)
          .filter((x): x is string => typeof x === 'string' && x.length > 0)
        if (ids.length) this.currencies = [...new Set(ids)].sort()
        else this.currencies ??= await this.fetchCurrencyIds()
      }
    } catch (error) {
      const fault = classifyError(error, this.classifyContext('markets'))
      // A failed refresh keeps the markets already loaded; only a first load failure blocks streams.
      if (this.marketsLoadedAt === null) this.marketsFailure = fault
      this.logger.warn('deribit: could not load markets', {
        account: this.account.id,
        error: fault.message
      })
    }
  }

  private async fetchCurrencyIds(): Promise<string[]> {
    try {
      return parseCurrencies(await this.call('publicGetGetCurrencies'))
    } catch {
      return FALLBACK_CURRENCIES
    }
  }

  private watchedCurrencies(): string[] {
    return this.currencies ?? FALLBACK_CURRENCIES
  }

  private instrument(name: string): InstrumentInfo {
    const market = (
      this.ccxt.markets_by_id?.[name] as Array<Record<string, unknown>> | undefined
    )?.[0]
    if (market) {
      return {
        symbol: String(market.symbol),
        inverse: market.inverse === true,
        option: market.option === true,
        base: typeof market.base === 'string' ? market.base : null
      }
    }
    // Unknown (new or expired) instrument: Deribit names inverse contracts without an underscore
    // (BTC-PERPETUAL) and linear ones with one (BTC_USDC-PERPETUAL); options end in -C / -P.
    const option = /-[CP]$/.test(name)
    return {
      symbol: this.ccxt.safeSymbol(name),
      inverse: !option && !name.includes('_') && name.includes('-'),
      option,
      base: name.split(/[-_]/)[0] ?? null
    }
  }

  private unknownInstrument(name: string): boolean {
    return !this.ccxt.markets_by_id?.[name]
  }

  /**
   * USD per unit of `currency` from Deribit's index, cached; null when unknown. Tries
   * public/get_index_price, then the index price on the currency's perpetual ticker (deployments
   * without the index call); a failure only costs the USD value, never the stream.
   */
  private async indexUsd(currency: string, now: number): Promise<number | null> {
    const code = currency.toUpperCase()
    if (STABLE_USD.has(code)) return 1
    const cached = this.index.get(code)
    if (cached && now - cached.at < (this.options.indexTtlMs ?? 60_000)) return cached.value
    let value: number | null = null
    if (this.indexCall) {
      try {
        value = parseIndexPrice(
          await this.call('publicGetGetIndexPrice', { index_name: `${code.toLowerCase()}_usd` })
        )
      } catch (error) {
        if (/-32601|method not found/i.test(String((error as Error)?.message)))
          this.indexCall = false
      }
    }
    if (value === null) {
      const perpetual = this.perpetualOf(code)
      if (perpetual) {
        try {
          value = parseTickerIndex(
            await this.call('publicGetTicker', { instrument_name: perpetual })
          )
        } catch {
          // leave null
        }
      }
    }
    this.index.set(code, { value, at: now })
    return value
  }

  /** An inverse (else linear) perpetual on `base`, from the loaded markets. */
  private perpetualOf(base: string): string | null {
    const markets = Object.values(this.ccxt.markets ?? {}) as Array<Record<string, unknown>>
    const swaps = markets.filter((m) => m.base === base && m.swap === true)
    const pick = swaps.find((m) => m.inverse === true) ?? swaps[0]
    return typeof pick?.id === 'string' ? pick.id : null
  }

  private cachedIndex(currency: string | null): number | null {
    if (!currency) return null
    if (STABLE_USD.has(currency.toUpperCase())) return 1
    return this.index.get(currency.toUpperCase())?.value ?? null
  }

  // -------------------------------------------------------------------------------------------
  // Poll / backfill

  async backfill(options: {
    since: number
    onProgress?: (progress: number, message: string, descriptor?: Message) => void
  }): Promise<PollResult> {
    const now = this.clock.now()
    const since = Math.max(options.since, now - MAX_BACKFILL_MS)
    await this.ensureMarkets(now)
    const currencies = this.watchedCurrencies()
    const total = 4 + currencies.length * 4
    let done = 0
    const report = (message: Message) =>
      options.onProgress?.(Math.min(1, done / total), englishText(message), message)
    const ctx: RunContext = newRun('backfill', now, since, {}, report)
    report(msg('progress.startOn', { exchange: 'Deribit' }))
    const result = await this.run(ctx, currencies, true, () => {
      done++
    })
    // A stream that failed keeps its starting point, so the next poll reads the whole window
    // instead of starting "now" and silently skipping the history it could not read.
    const start = (name: string, value: string): void => {
      if (result.cursors[name] === undefined) result.cursors[name] = value
    }
    start('accessLog', encodeId({ lastId: -1, floorTs: since }))
    start('positions', encodeSnapshot({ kind: 'since', ts: since }))
    for (const c of currencies) {
      for (const s of ['orders', 'fills', 'withdrawals'])
        start(`${s}:${c}`, encodeWindow({ ts: since, keys: [] }))
      start(`addresses:${c}`, encodeSnapshot({ kind: 'since', ts: since }))
    }
    report(msg('progress.read', { count: result.events.length, exchange: 'Deribit' }))
    return result
  }

  async poll(cursors: Cursors): Promise<PollResult> {
    const now = this.clock.now()
    this.pollCount++
    await this.ensureMarkets(now)
    const ctx: RunContext = newRun('poll', now, now - (this.options.lookbackMs ?? 5 * 60_000), {
      ...cursors
    })
    const every = Math.max(1, this.options.coldEvery ?? 5)
    const all = this.watchedCurrencies()
    const includeCold = every === 1 || this.pollCount % every === 1 || this.hotCurrencies === null
    return this.run(ctx, all, includeCold)
  }

  private async run(
    ctx: RunContext,
    currencies: string[],
    includeCold: boolean,
    onStreamDone: () => void = () => {}
  ): Promise<PollResult> {
    const result: PollResult = { events: ctx.events, cursors: ctx.cursors, errors: ctx.errors }

    // Keys first: access-log key events are resolved against this list.
    await this.stream(ctx, 'keys', async () => {
      result.keys = await this.readKeys('keys')
      return { events: [] }
    })
    onStreamDone()
    ctx.progress?.(msg('progress.accessLog'))
    await this.stream(ctx, 'accessLog', () => this.accessLog(ctx))
    onStreamDone()
    await this.stream(ctx, 'balances', async () => {
      result.balances = await this.balances(ctx)
      return { events: [] }
    })
    onStreamDone()
    await this.stream(ctx, 'positions', () => this.positions(ctx))
    onStreamDone()

    const hot = this.hotCurrencies
    let allOrdersRead = true
    for (const currency of currencies) {
      const isHot =
        includeCold || !hot || hot.has(currency) || (this.openIds.get(currency)?.size ?? 0) > 0
      if (!isHot) {
        allOrdersRead = allOrdersRead && this.openIds.has(currency)
        continue
      }
      ctx.progress?.(msg('progress.currency', { currency }))
      const orders = await this.stream(
        ctx,
        `orders:${currency}`,
        () => this.orders(ctx, currency),
        true
      )
      if (!orders) allOrdersRead = false
      onStreamDone()
      await this.stream(ctx, `fills:${currency}`, () => this.fills(ctx, currency), true)
      onStreamDone()
      await this.stream(ctx, `withdrawals:${currency}`, () => this.withdrawals(ctx, currency))
      onStreamDone()
      await this.stream(ctx, `addresses:${currency}`, () => this.addressBook(ctx, currency))
      onStreamDone()
    }
    if (allOrdersRead && currencies.every((c) => this.openIds.has(c)))
      result.openOrders = this.openOrderCount()
    // The same record can arrive through two currencies (see `openIds`): deliver it once.
    result.events = finishEvents(ctx.events)
    return result
  }

  /**
   * Runs one stream: its events and cursor are committed only if the whole stream succeeded, so a
   * failed or malformed read loses nothing and is retried from the same cursor next time.
   */
  private stream(
    ctx: RunContext,
    name: string,
    fn: () => Promise<StreamOutput>,
    needsMarkets = false
  ): Promise<StreamOutput | undefined> {
    return runStream(ctx, name, fn, needsMarkets, {
      exchange: 'deribit',
      accountId: this.account.id,
      logger: this.logger,
      classify: (error, stream) => classifyError(error, this.classifyContext(stream)),
      marketsFailure: this.marketsFailure
    })
  }

  // -------------------------------------------------------------------------------------------
  // Streams

  private async readKeys(stream: string): Promise<KeySnapshot[]> {
    const raw = await this.call('privateGetListApiKeys')
    const parsed = parseApiKeys(
      raw,
      { clientId: this.ccxt.apiKey || null, keyId: this.account.selfKeyId },
      stream
    )
    for (const k of parsed.keys)
      this.knownKeys.set(k.keyId, { snapshot: k, clientId: parsed.clientIds.get(k.keyId) ?? null })
    this.baselineKeyIds ??= new Set(parsed.keys.map((k) => k.keyId))
    return parsed.keys
  }

  private findKey = (ref: string): KnownKey | undefined => {
    const byId = this.knownKeys.get(ref)
    if (byId) return byId
    for (const k of this.knownKeys.values()) if (k.clientId === ref) return k
    return undefined
  }

  private async accessLog(ctx: RunContext): Promise<StreamOutput> {
    const name = 'accessLog'
    const cursor = decodeId(ctx.cursors[name], { lastId: -1, floorTs: ctx.since })
    const maxPages =
      ctx.mode === 'backfill'
        ? (this.options.maxPagesBackfill ?? 2000)
        : (this.options.maxPagesPerPoll ?? 50)
    const found = new Map<string, AccessLogEntry>()
    let offset = 0
    let complete = false
    for (let page = 0; page < maxPages; page++) {
      const entries = parseAccessLog(
        await this.call('privateGetGetAccessLog', { offset, count: this.pageSize }),
        name
      )
      let reachedOld = false
      for (const e of entries) {
        const n = Number(e.id)
        const old =
          cursor.lastId >= 0 && Number.isFinite(n)
            ? n <= cursor.lastId
            : e.timestamp < cursor.floorTs
        if (old) reachedOld = true
        else found.set(e.id, e)
      }
      if (page > 0) ctx.progress?.(msg('progress.accessLogCount', { count: found.size }))
      if (reachedOld || entries.length < this.pageSize) {
        complete = true
        break
      }
      offset += entries.length
    }
    const entries = [...found.values()]
    const events = entries.map((e) => accessLogEvent(e, this.account.id, this.findKey))
    let { lastId, floorTs } = cursor
    for (const e of entries) {
      const n = Number(e.id)
      if (Number.isFinite(n) && n > lastId) lastId = n
      if (e.timestamp > floorTs) floorTs = e.timestamp
    }
    return {
      events,
      cursor: encodeId({ lastId, floorTs }),
      warning: complete
        ? undefined
        : new ExchangeFault(
            'unknown',
            msg('fault.exchange', {
              exchange: EXCHANGE_NAME,
              error: msg('fault.accessLogSkipped', { count: found.size })
            }),
            name
          )
    }
  }

  private async balances(ctx: RunContext): Promise<BalanceSnapshot[]> {
    let summaries
    try {
      summaries = parseSummaries(await this.call('privateGetGetAccountSummaries'))
    } catch (error) {
      // Older deployments only have the per-currency call; anything else is a real failure.
      if (!/-32601|method not found|not_implemented|10033/i.test(String((error as Error)?.message)))
        throw error
      summaries = []
      for (const currency of this.watchedCurrencies())
        summaries.push(
          ...parseSummaries(await this.call('privateGetGetAccountSummary', { currency }))
        )
    }
    const hot = new Set<string>()
    const out: BalanceSnapshot[] = []
    for (const s of summaries) {
      if (s.total !== 0) hot.add(s.currency)
      const usd = s.total !== 0 ? await this.indexUsd(s.currency, ctx.now) : 0
      out.push({
        currency: s.currency,
        total: s.total,
        usdValue: usd === null ? null : s.total * usd
      })
    }
    for (const [c, ids] of this.openIds) if (ids.size > 0) hot.add(c)
    this.hotCurrencies = hot
    return out
  }

  private async positions(ctx: RunContext): Promise<StreamOutput> {
    const name = 'positions'
    let list: DeribitPosition[]
    try {
      list = parsePositions(await this.call('privateGetGetPositions'), name)
    } catch (error) {
      // Deployments that insist on a currency: ask per currency.
      if (!/-32602|currency|Invalid params|11029/i.test(String((error as Error)?.message)))
        throw error
      list = []
      for (const currency of this.watchedCurrencies())
        list.push(...parsePositions(await this.call('privateGetGetPositions', { currency }), name))
    }
    const state: Record<string, string> = {}
    const byName = new Map<string, DeribitPosition>()
    for (const p of list) {
      if (p.size === 0 || p.direction === 'zero') continue
      byName.set(p.instrument_name, p)
      state[p.instrument_name] =
        `${p.direction ?? (p.size < 0 ? 'sell' : 'buy')}:${Math.abs(p.size)}:${p.leverage ?? ''}`
      if (p.index_price && p.instrument_name) {
        const base = this.instrument(p.instrument_name).base
        if (base) this.index.set(base.toUpperCase(), { value: p.index_price, at: ctx.now })
      }
      const base = this.instrument(p.instrument_name).base
      if (base && this.hotCurrencies) this.hotCurrencies.add(base)
    }
    const previous = decodeSnapshot<Record<string, string>>(
      ctx.cursors[name],
      { kind: 'since', ts: ctx.since },
      isStringMap
    )
    const before = previous.kind === 'state' ? previous.state : {}
    const events: NewEvent[] = []
    for (const instrument of new Set([...Object.keys(before), ...Object.keys(state)])) {
      if (before[instrument] === state[instrument]) continue
      events.push({
        accountId: this.account.id,
        kind: 'position',
        type: 'position.changed',
        exchangeRecordId: `${instrument}#${ctx.now}`,
        ts: ctx.now,
        data: positionData(this.instrument(instrument).symbol, byName.get(instrument) ?? null)
      })
    }
    return { events, cursor: encodeSnapshot({ kind: 'state', state }) }
  }

  private async orders(ctx: RunContext, currency: string): Promise<StreamOutput> {
    const name = `orders:${currency}`
    const tracker = new WindowTracker(
      decodeWindow(ctx.cursors[name], { ts: ctx.since, keys: [] }),
      this.overlapMs
    )
    const open = parseOrders(
      await this.call('privateGetGetOpenOrdersByCurrency', { currency }),
      `${currency} open orders`,
      name
    )
    const byId = new Map<string, DeribitOrder>()
    for (const o of open) byId.set(o.order_id, o)
    const maxPages =
      ctx.mode === 'backfill'
        ? (this.options.maxPagesBackfill ?? 2000)
        : (this.options.maxPagesPerPoll ?? 50)
    let complete = false
    for (let page = 0, offset = 0; page < maxPages; page++) {
      const rows = parseOrders(
        await this.call('privateGetGetOrderHistoryByCurrency', {
          currency,
          count: this.pageSize,
          offset,
          include_old: true,
          include_unfilled: true
        }),
        `${currency} order history`,
        name
      )
      for (const o of rows) {
        const had = byId.get(o.order_id)
        if (!had || o.last_update_timestamp >= had.last_update_timestamp) byId.set(o.order_id, o)
      }
      const oldest = Math.min(...rows.map((o) => o.last_update_timestamp))
      if (rows.length < this.pageSize || oldest < tracker.windowStart) {
        complete = true
        break
      }
      offset += rows.length
    }
    await this.reloadMarketsFor(
      [...byId.values()].map((o) => o.instrument_name),
      ctx.now
    )
    const openIds = new Set(open.map((o) => o.order_id))
    const events: NewEvent[] = []
    const ordered = [...byId.values()].sort(
      (a, b) => a.last_update_timestamp - b.last_update_timestamp
    )
    for (const o of ordered) {
      const key = `${o.order_id}@${o.last_update_timestamp}`
      const priorVersion = tracker.deliveredPrefix(`${o.order_id}@`)
      let changed = tracker.observe(key, o.last_update_timestamp)
      // Backfill reports every resting order, however old: they are the account's current state.
      if (ctx.mode === 'backfill' && openIds.has(o.order_id) && !tracker.delivered(key))
        changed = true
      if (!changed) continue
      const isNew =
        ctx.mode === 'backfill' || (!priorVersion && o.creation_timestamp >= tracker.windowStart)
      const info = this.instrument(o.instrument_name)
      const data = orderData(o, info, this.cachedIndex(info.base))
      if (isNew) {
        events.push({
          accountId: this.account.id,
          kind: 'order',
          type: 'order.new',
          exchangeRecordId: o.order_id,
          ts: o.creation_timestamp,
          data
        })
      } else {
        const suffix = o.order_state === 'open' ? `open@${o.last_update_timestamp}` : o.order_state
        events.push({
          accountId: this.account.id,
          kind: 'order',
          type: 'order.updated',
          exchangeRecordId: `${o.order_id}#${suffix}`,
          ts: o.last_update_timestamp,
          data
        })
      }
    }
    this.openIds.set(currency, new Set(open.map((o) => o.order_id)))
    return {
      events,
      cursor: encodeWindow(tracker.next(ctx.now)),
      warning: complete
        ? undefined
        : this.tooMany(name, msg('records.orderHistoryOf', { of: currency }))
    }
  }

  private async fills(ctx: RunContext, currency: string): Promise<StreamOutput> {
    const name = `fills:${currency}`
    const tracker = new WindowTracker(
      decodeWindow(ctx.cursors[name], { ts: ctx.since, keys: [] }),
      this.overlapMs
    )
    const maxPages =
      ctx.mode === 'backfill'
        ? (this.options.maxPagesBackfill ?? 2000)
        : (this.options.maxPagesPerPoll ?? 50)
    let start = Math.max(0, tracker.windowStart)
    // Deribit requires an end; a day past our clock absorbs clock skew with the exchange.
    let end = ctx.now + DAY_MS
    const seen = new Set<string>()
    const trades: DeribitTrade[] = []
    let complete = false
    for (let page = 0; page < maxPages; page++) {
      const r = parseTrades(
        await this.call('privateGetGetUserTradesByCurrencyAndTime', {
          currency,
          start_timestamp: start,
          end_timestamp: end,
          count: this.pageSize,
          include_old: true,
          sorting: 'asc'
        }),
        name
      )
      let added = 0
      for (const t of r.trades) {
        if (seen.has(t.trade_id)) continue
        seen.add(t.trade_id)
        trades.push(t)
        added++
      }
      if (!r.hasMore || r.trades.length === 0) {
        complete = true
        break
      }
      const times = r.trades.map((t) => t.timestamp)
      const ascending = times[0]! <= times[times.length - 1]!
      // Walk forward when Deribit honours `sorting: asc`, backward otherwise; stop if stuck.
      if (ascending) {
        const next = Math.max(...times)
        if (next === start && added === 0) break
        start = next
      } else {
        const next = Math.min(...times)
        if (next === end && added === 0) break
        end = next
      }
    }
    await this.reloadMarketsFor(
      trades.map((t) => t.instrument_name),
      ctx.now
    )
    const events: NewEvent[] = []
    for (const t of trades.sort((a, b) => a.timestamp - b.timestamp)) {
      if (!tracker.observe(t.trade_id, t.timestamp)) continue
      const info = this.instrument(t.instrument_name)
      events.push({
        accountId: this.account.id,
        kind: 'fill',
        type: 'fill.new',
        exchangeRecordId: t.trade_id,
        ts: t.timestamp,
        data: fillData(t, info, this.cachedIndex(info.base))
      })
    }
    return {
      events,
      cursor: encodeWindow(tracker.next(ctx.now)),
      warning: complete ? undefined : this.tooMany(name, msg('records.tradesOf', { of: currency }))
    }
  }

  private async withdrawals(ctx: RunContext, currency: string): Promise<StreamOutput> {
    const name = `withdrawals:${currency}`
    const tracker = new WindowTracker(
      decodeWindow(ctx.cursors[name], { ts: ctx.since, keys: [] }),
      this.overlapMs
    )
    const maxPages =
      ctx.mode === 'backfill'
        ? (this.options.maxPagesBackfill ?? 2000)
        : (this.options.maxPagesPerPoll ?? 50)
    const rows: DeribitWithdrawal[] = []
    let complete = false
    for (let page = 0, offset = 0; page < maxPages; page++) {
      const list = parseWithdrawals(
        await this.call('privateGetGetWithdrawals', { currency, count: this.pageSize, offset }),
        name
      )
      rows.push(...list)
      const newest = Math.max(...list.map((w) => w.updated_timestamp ?? w.created_timestamp))
      if (list.length < this.pageSize || newest < tracker.windowStart) {
        complete = true
        break
      }
      offset += list.length
    }
    const usd = rows.length ? await this.indexUsd(currency, ctx.now) : null
    const events: NewEvent[] = []
    const ordered = rows.sort(
      (a, b) =>
        (a.updated_timestamp ?? a.created_timestamp) - (b.updated_timestamp ?? b.created_timestamp)
    )
    for (const w of ordered) {
      const ts = w.updated_timestamp ?? w.created_timestamp
      const key = `${w.id}@${ts}`
      const priorVersion = tracker.deliveredPrefix(`${w.id}@`)
      if (!tracker.observe(key, ts)) continue
      const isNew =
        ctx.mode === 'backfill' || (!priorVersion && w.created_timestamp >= tracker.windowStart)
      const data = withdrawalData(w, usd)
      events.push(
        isNew
          ? {
              accountId: this.account.id,
              kind: 'withdrawal',
              type: 'withdrawal.new',
              exchangeRecordId: w.id,
              ts: w.created_timestamp,
              data
            }
          : {
              accountId: this.account.id,
              kind: 'withdrawal',
              type: 'withdrawal.updated',
              exchangeRecordId: `${w.id}#${w.state}`,
              ts,
              data
            }
      )
    }
    return {
      events,
      cursor: encodeWindow(tracker.next(ctx.now)),
      warning: complete
        ? undefined
        : this.tooMany(name, msg('records.withdrawalsOf', { of: currency }))
    }
  }

  private async addressBook(ctx: RunContext, currency: string): Promise<StreamOutput> {
    const name = `addresses:${currency}`
    const list = parseAddressBook(
      await this.call('privateGetGetAddressBook', { currency, type: 'withdrawal' }),
      name
    )
    const entries = list.filter((a) => !a.type || a.type === 'withdrawal')
    const previous = decodeSnapshot<string[]>(
      ctx.cursors[name],
      { kind: 'since', ts: ctx.since },
      isStringArray
    )
    const events: NewEvent[] = []
    const current = new Set(entries.map((a) => a.address))
    const added = (a: (typeof entries)[number]): NewEvent => ({
      accountId: this.account.id,
      kind: 'address',
      type: 'address.added',
      exchangeRecordId: addressRecordId(currency, a.address),
      ts: a.creation_timestamp ?? ctx.now,
      data: addressData(currency, a)
    })
    if (previous.kind === 'since') {
      // First read: report what was added inside the history window; older entries are the
      // trader's existing book, absorbed silently.
      for (const a of entries)
        if ((a.creation_timestamp ?? -Infinity) >= previous.ts) events.push(added(a))
    } else {
      const before = new Set(previous.state)
      for (const a of entries) if (!before.has(a.address)) events.push(added(a))
      for (const address of before) {
        if (current.has(address)) continue
        events.push({
          accountId: this.account.id,
          kind: 'address',
          type: 'address.removed',
          exchangeRecordId: `${addressRecordId(currency, address)}#removed@${ctx.now}`,
          ts: ctx.now,
          data: { currency, address, label: null }
        })
      }
    }
    return { events, cursor: encodeSnapshot({ kind: 'state', state: [...current].sort() }) }
  }

  private tooMany(stream: string, what: Message): ExchangeFault {
    return new ExchangeFault(
      'unknown',
      msg('fault.exchange', { exchange: EXCHANGE_NAME, error: msg('fault.pageLimit', { what }) }),
      stream
    )
  }

  private async reloadMarketsFor(instruments: string[], now: number): Promise<void> {
    if (instruments.some((i) => this.unknownInstrument(i) && !/-[CP]$/.test(i)))
      await this.ensureMarkets(now, true)
  }

  // -------------------------------------------------------------------------------------------
  // Containment

  private async disableOne(
    keyId: string,
    stream: string
  ): Promise<
    | { ok: true; attempts: number }
    | { ok: false; attempts: number; error: string; errorMsg: Message; manual: boolean }
  > {
    const failure = (attempts: number, manual: boolean, errorMsg: Message) => ({
      ok: false as const,
      attempts,
      manual,
      error: englishText(errorMsg),
      errorMsg
    })
    if (!/^\d+$/.test(keyId)) return failure(0, false, msg('ks.deribit.notKeyId', { id: keyId }))
    let challenge = false
    const attempt = await this.retry(async () => {
      const outcome = parseKeyAction(
        await this.call('privateGetDisableApiKey', { id: Number(keyId) }),
        stream
      )
      if (outcome.kind === 'challenge') challenge = true
      else if (outcome.kind === 'key' && outcome.enabled)
        throw new ExchangeFault(
          'unknown',
          msg('fault.exchange', {
            exchange: EXCHANGE_NAME,
            error: msg('fault.keyStillEnabled', { key: keyId })
          }),
          stream
        )
      return outcome
    }, stream)
    if (attempt.ok && !challenge) {
      const known = this.knownKeys.get(keyId)
      if (known) known.snapshot = { ...known.snapshot, enabled: false }
      return { ok: true, attempts: attempt.attempts }
    }
    if (challenge)
      return failure(
        attempt.attempts,
        true,
        msg('ks.deribit.challenge', { exchange: EXCHANGE_NAME, id: keyId })
      )
    const fault = attempt.ok ? null : attempt.fault
    return failure(
      attempt.attempts,
      fault ? this.needsHuman(fault) : true,
      fault?.msg ?? msg('ks.unknownError')
    )
  }

  /** Faults a human can resolve on the website but a retry cannot. */
  private needsHuman(fault: ExchangeFault): boolean {
    return (
      fault.category === 'permission' ||
      fault.category === 'auth' ||
      /scope_exceeded|13403|tfa_required|13003|security_key|challenge/i.test(fault.message)
    )
  }

  async disableKeys(keyIds: string[]): Promise<KeysDisabled> {
    const disabled: string[] = []
    const failed: KeysDisabled['failed'] = []
    // Without a key list we cannot tell which key is Vigil's own; read it once before touching any.
    if (this.knownKeys.size === 0) await this.readKeys('disableKeys').catch(() => undefined)
    const selfId = this.selfKeyId()
    for (const keyId of [...new Set(keyIds)]) {
      if (selfId && keyId === selfId) {
        failed.push(keyNotDisabled(keyId, msg('keys.deribit.ownKey')))
        continue
      }
      const r = await this.disableOne(keyId, `disableKey:${keyId}`)
      if (r.ok) disabled.push(keyId)
      else
        failed.push(
          keyNotDisabled(
            keyId,
            r.manual
              ? msg('keys.deribit.byHand', { error: r.errorMsg, url: DERIBIT_API_KEYS_URL })
              : r.errorMsg
          )
        )
    }
    if (disabled.length)
      this.logger.info('deribit: keys disabled', { account: this.account.id, keys: disabled })
    return { disabled, failed }
  }

  private selfKeyId(): string | null {
    for (const k of this.knownKeys.values()) if (k.snapshot.self) return k.snapshot.keyId
    return this.account.selfKeyId
  }

  private openOrderCount(): number {
    const all = new Set<string>()
    for (const ids of this.openIds.values()) for (const id of ids) all.add(id)
    return all.size
  }

  /** Open orders across every watched currency, read from the exchange (throws on failure). */
  private async countOpenOrders(): Promise<number> {
    for (const currency of this.watchedCurrencies()) {
      const open = parseOrders(
        await this.call('privateGetGetOpenOrdersByCurrency', { currency }),
        `${currency} open orders`,
        'readBack'
      )
      this.openIds.set(currency, new Set(open.map((o) => o.order_id)))
    }
    return this.openOrderCount()
  }

  async killSwitch(options: KillSwitchOptions): Promise<KillSwitchAccountResult> {
    const { result, step, fail, manual } = startKillSwitchResult(
      { account: this.account.id, exchange: 'deribit', key: 'unchanged', manualUrl: null },
      options.onStep
    )
    await this.ensureMarkets(this.clock.now())

    // 1. Cancel everything, then read it back; one more round if anything is left.
    const cancelAll = async (label: string): Promise<boolean> => {
      const r = await this.retry(
        async () => parseCancelCount(await this.call('privateGetCancelAll'), 'cancelAll'),
        'cancelAll'
      )
      if (r.ok) {
        result.ordersCancelled += r.value
        step(
          label,
          true,
          r.attempts,
          msg('ks.cancelledOpen', { exchange: 'Deribit', count: r.value })
        )
      } else {
        step(label, false, r.attempts, r.fault.msg)
        fail(r.fault.msg)
      }
      return r.ok
    }
    const readBackOrders = async (label: string): Promise<number | null> => {
      const r = await this.retry(() => this.countOpenOrders(), 'readBack')
      if (r.ok) step(label, r.value === 0, r.attempts, msg('ks.openLeft', { count: r.value }))
      else {
        step(label, false, r.attempts, r.fault.msg)
        fail(msg('ks.err.confirmOpenOrders', { error: r.fault.msg }))
      }
      return r.ok ? r.value : null
    }
    const cancelUntilEmpty = async (round: string): Promise<number | null> => {
      await cancelAll(`cancel-all${round}`)
      let left = await readBackOrders(`read-back-orders${round}`)
      if (left !== null && left > 0) {
        await cancelAll(`cancel-all${round}-retry`)
        left = await readBackOrders(`read-back-orders${round}-retry`)
      }
      return left
    }
    let remainingOrders = await cancelUntilEmpty('')

    // 2. Disable every other key (except those the trader keeps), unknown keys first.
    const keep = new Set(options.keepKeyIds ?? [])
    let keys: KeySnapshot[] | null = null
    const listed = await this.retry(() => this.readKeys('killSwitch'), 'killSwitch')
    if (listed.ok) {
      keys = listed.value
      step('list-keys', true, listed.attempts, msg('ks.keysOnAccount', { count: keys.length }))
    } else {
      step('list-keys', false, listed.attempts, listed.fault.msg)
      fail(msg('ks.err.listKeys', { error: listed.fault.msg }))
    }
    const manualKeys = new Map<string, { text: string; msg: Message }>()
    if (keys) {
      const baseline = this.baselineKeyIds ?? new Set<string>()
      const targets = keys
        .filter((k) => !k.self && !keep.has(k.keyId) && k.enabled)
        .sort(
          (a, b) =>
            Number(baseline.has(a.keyId)) - Number(baseline.has(b.keyId)) ||
            (b.createdAt ?? 0) - (a.createdAt ?? 0)
        )
      const already = keys.filter((k) => !k.self && !keep.has(k.keyId) && !k.enabled)
      if (already.length)
        step(
          'keys-already-disabled',
          true,
          0,
          msg('ks.alreadyDisabled', { keys: already.map((k) => this.describeKey(k)) })
        )
      for (const k of targets) {
        const r = await this.disableOne(k.keyId, `disableKey:${k.keyId}`)
        if (r.ok) {
          result.keysDisabled.push(k.keyId)
          step(
            `disable-key ${k.keyId}`,
            true,
            r.attempts,
            msg('ks.disabledKey', { key: this.describeKey(k) })
          )
        } else {
          step(`disable-key ${k.keyId}`, false, r.attempts, r.errorMsg)
          fail(r.errorMsg)
          manualKeys.set(k.keyId, { text: r.error, msg: r.errorMsg })
        }
      }
    }

    // 3. Optional: close positions with reduce-only market orders.
    if (options.closePositions) await this.closePositions(step, fail)

    // 4. Read back: a key that was still live during step 1 may have placed new orders.
    if (
      remainingOrders === null ||
      remainingOrders > 0 ||
      result.keysDisabled.length > 0 ||
      options.closePositions
    ) {
      const again = await readBackOrders('read-back-orders-final')
      remainingOrders =
        again !== null && again > 0 ? await cancelUntilEmpty('-final') : (again ?? remainingOrders)
    }
    let stillEnabled: KeySnapshot[] = []
    let keysConfirmed = false
    const check = await this.retry(() => this.readKeys('readBack'), 'readBack')
    if (check.ok) {
      keysConfirmed = true
      stillEnabled = check.value.filter((k) => !k.self && !keep.has(k.keyId) && k.enabled)
      step(
        'read-back-keys',
        stillEnabled.length === 0,
        check.attempts,
        stillEnabled.length
          ? msg('ks.stillEnabled', { keys: stillEnabled.map((k) => this.describeKey(k)) })
          : msg('ks.noOtherKeyEnabled')
      )
      keys = check.value
    } else {
      step('read-back-keys', false, check.attempts, check.fault.msg)
      fail(msg('ks.err.confirmKeyList', { error: check.fault.msg }))
    }

    // 5. Vigil's own key goes last: once disabled it cannot read anything back.
    let guardianLeft = false
    if (options.includeGuardianKey) {
      const self = keys?.find((k) => k.self)
      const selfId = self?.keyId ?? this.selfKeyId()
      if (self && !self.enabled)
        step('disable-guardian-key', true, 0, msg('ks.ownKeyAlreadyDisabled'))
      else if (!selfId) {
        guardianLeft = true
        step('disable-guardian-key', false, 0, msg('ks.ownKeyNotFound'))
        fail(msg('ks.ownKeyNotFoundOn', { exchange: 'Deribit' }))
      } else {
        const r = await this.disableOne(selfId, 'disableKey:guardian')
        if (r.ok) {
          result.keysDisabled.push(selfId)
          step('disable-guardian-key', true, r.attempts, msg('ks.disabledOwnKey', { id: selfId }))
        } else {
          guardianLeft = true
          step('disable-guardian-key', false, r.attempts, r.errorMsg)
          fail(r.errorMsg)
        }
      }
    }

    // 6. Report what is done and what remains, in words the trader can act on.
    // Unconfirmed counts report the last known number, not zero: better to over-state what is left.
    result.ordersRemaining = remainingOrders ?? this.openOrderCount()
    const keysLeft = keysConfirmed
      ? stillEnabled
      : (keys ?? []).filter(
          (k) =>
            !k.self && !keep.has(k.keyId) && k.enabled && !result.keysDisabled.includes(k.keyId)
        )
    if (remainingOrders === null) manual(msg('manual.deribit.unconfirmed'))
    else if (remainingOrders > 0) manual(msg('manual.deribit.left', { count: remainingOrders }))
    const url = DERIBIT_API_KEYS_URL
    for (const k of keysLeft) {
      const why = manualKeys.get(k.keyId)
      const key = this.describeKey(k)
      manual(
        why && /security-key|2FA|scope|permission|allowed/i.test(why.text)
          ? msg('manual.deribit.disableKeyWhy', { key, url, error: why.msg })
          : msg('manual.deribit.disableKey', { key, url })
      )
    }
    if (!keysConfirmed && !keys) manual(msg('manual.deribit.checkKeys', { url }))
    if (guardianLeft) manual(msg('manual.deribit.ownKey', { url }))
    if (
      manualKeys.size &&
      [...manualKeys.values()].some((e) => /scope|permission|allowed/i.test(e.text))
    )
      manual(msg('manual.deribit.scope'))
    const keyIssue = keysLeft.length > 0 || guardianLeft || (!keysConfirmed && !keys)
    result.key = keyIssue
      ? 'manual-revoke-required'
      : result.keysDisabled.length > 0
        ? 'disabled'
        : 'unchanged'
    result.contained = remainingOrders === 0 && !keyIssue && keysConfirmed
    if (result.manualSteps.length || !result.contained) result.manualUrl = DERIBIT_API_KEYS_URL
    this.logger.info('deribit: kill switch finished', {
      account: this.account.id,
      contained: result.contained,
      cancelled: result.ordersCancelled,
      remaining: result.ordersRemaining,
      disabled: result.keysDisabled
    })
    return result
  }

  private describeKey(k: KeySnapshot): Message {
    const known = this.knownKeys.get(k.keyId)
    const client = known?.clientId ? hint(known.clientId) : null
    const id = k.keyId
    if (k.name && client) return msg('key.namedClient', { id, name: k.name, client })
    if (k.name) return msg('key.named', { id, name: k.name })
    if (client) return msg('key.client', { id, client })
    return msg('key.id', { id })
  }

  private async closePositions(step: StepRecorder, fail: FailRecorder): Promise<void> {
    const listed = await this.retry(
      async () => parsePositions(await this.call('privateGetGetPositions'), 'closePositions'),
      'closePositions'
    )
    if (!listed.ok) {
      step('close-positions', false, listed.attempts, listed.fault.msg)
      fail(msg('ks.err.readPositions', { error: listed.fault.msg }))
      return
    }
    const open = listed.value.filter((p) => p.size !== 0 && p.direction !== 'zero')
    if (!open.length) {
      step('close-positions', true, listed.attempts, msg('ks.noPositions'))
      return
    }
    for (const p of open) {
      const r = await this.retry(
        () =>
          this.call('privateGetClosePosition', {
            instrument_name: p.instrument_name,
            type: 'market'
          }),
        'closePositions'
      )
      step(
        `close-position ${p.instrument_name}`,
        r.ok,
        r.attempts,
        r.ok ? msg('ks.closedReduceOnly', { symbol: p.instrument_name }) : r.fault.msg
      )
      if (!r.ok) fail(msg('ks.err.close', { symbol: p.instrument_name, error: r.fault.msg }))
    }
  }

  async close(): Promise<void> {
    const close = (this.ccxt as { close?: () => Promise<void> }).close
    if (typeof close === 'function') await close.call(this.ccxt).catch(() => {})
  }
}
