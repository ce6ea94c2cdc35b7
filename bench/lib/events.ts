/**
 * A deterministic stream of realistic events for busy accounts: what the connectors emit for a
 * desk whose bots place ~400 orders a day per account. Shapes follow the connectors (order ids as
 * record ids, `#<state>` suffixes for updates, `<currency>#<ts>` for balance changes) so the rules
 * see what they see in production. Only Deribit accounts get logins: no other exchange reports them.
 */
import type { NewEvent } from '../../main/core/model'

/** Deterministic PRNG (mulberry32): the same seed gives the same stream on every machine. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

/** One simulated account of the desk. */
export interface BenchAccount {
  id: string
  exchange: 'deribit' | 'bybit' | 'binance' | 'okx'
  symbols: string[]
  /** Whether the exchange reports logins (Deribit only). */
  logins: boolean
}

/** Five accounts: two Deribit (with access logs) and one each on Bybit, Binance and OKX. */
export const BENCH_ACCOUNTS: readonly BenchAccount[] = [
  { id: 'drb-main', exchange: 'deribit', symbols: ['BTC/USD:BTC', 'ETH/USD:ETH'], logins: true },
  { id: 'drb-bots', exchange: 'deribit', symbols: ['BTC/USD:BTC'], logins: true },
  { id: 'bybit-1', exchange: 'bybit', symbols: ['BTC/USDT:USDT', 'ETH/USDT'], logins: false },
  { id: 'binance-1', exchange: 'binance', symbols: ['BTC/USDT', 'ETH/USDT'], logins: false },
  { id: 'okx-1', exchange: 'okx', symbols: ['BTC/USDT:USDT', 'BTC/USDT'], logins: false }
]

const DAY_MS = 86_400_000
const PRICES: Record<string, number> = { BTC: 97_000, ETH: 3_400, USDT: 1 }
const HOMES = [
  { ip: '84.17.32.10', ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0' },
  { ip: '91.64.12.5', ua: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) Safari/605.1.15' }
]
const ADDRESSES: Record<string, string> = {
  BTC: 'bc1qhome0000000000000000000000000000000',
  USDT: 'TXhome000000000000000000000000000A'
}

/** Rates per account per day; the defaults describe the "busy account" of issue 3. */
export interface StreamRates {
  ordersPerDay: number
  loginsPerDay: number
  withdrawalsPerDay: number
  balanceChangesPerDay: number
}

export const BUSY: StreamRates = {
  ordersPerDay: 400,
  loginsPerDay: 3,
  withdrawalsPerDay: 0.2,
  balanceChangesPerDay: 48
}

/** Events per account per day at these rates (orders also produce updates and fills). */
export const eventsPerAccountDay = (r: StreamRates, logins: boolean): number =>
  r.ordersPerDay * (1 + 0.8 + 0.65) +
  (logins ? r.loginsPerDay * 1.02 : 0) +
  r.withdrawalsPerDay * 2 +
  r.balanceChangesPerDay

const base = (symbol: string): string => symbol.split('/')[0] as string

/**
 * Generates every event of `accounts` in [fromTs, toTs), sorted by time, plus the inventory
 * baseline the backfill emits first (home addresses and the key list, at `fromTs`).
 * `salt` makes record ids unique across separately generated spans of the same accounts.
 */
export function generateEvents(options: {
  accounts: readonly BenchAccount[]
  fromTs: number
  toTs: number
  seed: number
  rates?: StreamRates
  salt?: string
  baseline?: boolean
}): NewEvent[] {
  const rates = options.rates ?? BUSY
  const salt = options.salt ?? 'h'
  const out: NewEvent[] = []
  const days = (options.toTs - options.fromTs) / DAY_MS
  for (const [n, account] of options.accounts.entries()) {
    const random = prng(options.seed * 131 + n)
    const at = () => options.fromTs + Math.floor(random() * (options.toTs - options.fromTs))
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T
    const push = (e: Omit<NewEvent, 'accountId'>) => out.push({ accountId: account.id, ...e })
    if (options.baseline) {
      for (const [currency, address] of Object.entries(ADDRESSES))
        push({
          kind: 'address',
          type: 'address.seen',
          exchangeRecordId: `${currency}:${address}#seen`,
          ts: options.fromTs,
          data: { currency, address, label: 'home' }
        })
      push({
        kind: 'key',
        type: 'key.seen',
        exchangeRecordId: `${account.id}-key-1#seen`,
        ts: options.fromTs,
        data: {
          keyId: `${account.id}-key-1`,
          name: 'vigil',
          permissions: ['read'],
          ipWhitelist: ['84.17.32.10'],
          enabled: true,
          self: true,
          createdAt: options.fromTs - 30 * DAY_MS
        }
      })
    }
    const orders = Math.round(rates.ordersPerDay * days)
    for (let i = 0; i < orders; i++) {
      const ts = at()
      const symbol = pick(account.symbols)
      const price = PRICES[base(symbol)] ?? 1
      const usd = 100 + random() * 1900
      const amount = Math.round((usd / price) * 1e6) / 1e6
      const side = random() < 0.5 ? 'buy' : 'sell'
      const type = random() < 0.3 ? 'market' : 'limit'
      const orderId = `${salt}${n}-o${i}`
      const order = {
        orderId,
        symbol,
        side,
        type,
        status: 'open',
        amount,
        price,
        filled: 0,
        notionalUsd: Math.round(usd * 100) / 100,
        reduceOnly: false,
        origin: random() < 0.8 ? 'api' : 'web',
        leverage: null
      }
      push({ kind: 'order', type: 'order.new', exchangeRecordId: orderId, ts, data: order })
      const outcome = random()
      if (outcome < 0.8) {
        const later = Math.min(options.toTs - 1, ts + Math.floor(random() * 3_600_000))
        const filled = outcome < 0.65
        push({
          kind: 'order',
          type: 'order.updated',
          exchangeRecordId: `${orderId}#${filled ? 'filled' : 'cancelled'}`,
          ts: later,
          data: { ...order, status: filled ? 'filled' : 'cancelled', filled: filled ? amount : 0 }
        })
        if (filled) {
          const marketPrice = price * (1 + (random() - 0.5) * 0.002)
          push({
            kind: 'fill',
            type: 'fill.new',
            exchangeRecordId: `${salt}${n}-t${i}`,
            ts: later,
            data: {
              tradeId: `${salt}${n}-t${i}`,
              orderId,
              symbol,
              side,
              amount,
              price,
              notionalUsd: order.notionalUsd,
              marketPrice
            }
          })
        }
      }
    }
    if (account.logins) {
      const logins = Math.round(rates.loginsPerDay * days * 1.02)
      for (let i = 0; i < logins; i++) {
        const home = pick(HOMES)
        const success = random() > 0.02
        push({
          kind: 'login',
          type: success ? 'login.success' : 'login.failure',
          exchangeRecordId: `${salt}${n}-l${i}`,
          ts: at(),
          data: { ip: home.ip, success, userAgent: home.ua }
        })
      }
    }
    const withdrawals = Math.round(rates.withdrawalsPerDay * days)
    for (let i = 0; i < withdrawals; i++) {
      const currency = pick(Object.keys(ADDRESSES))
      const usd = 500 + random() * 1500
      const amount = Math.round((usd / (PRICES[currency] ?? 1)) * 1e4) / 1e4
      const ts = at()
      const data = {
        withdrawalId: `${salt}${n}-w${i}`,
        currency,
        amount,
        address: ADDRESSES[currency] as string,
        network: null,
        status: 'unconfirmed',
        amountUsd: Math.round(usd * 100) / 100
      }
      push({
        kind: 'withdrawal',
        type: 'withdrawal.new',
        exchangeRecordId: data.withdrawalId,
        ts,
        data
      })
      push({
        kind: 'withdrawal',
        type: 'withdrawal.updated',
        exchangeRecordId: `${data.withdrawalId}#completed`,
        ts: Math.min(options.toTs - 1, ts + 1_800_000),
        data: { ...data, status: 'completed' }
      })
    }
    const balances = Math.round(rates.balanceChangesPerDay * days)
    let total = 2.5
    for (let i = 0; i < balances; i++) {
      const previous = total
      total = Math.max(0.1, total * (1 + (random() - 0.5) * 0.01))
      const ts =
        options.fromTs + Math.floor(((i + random()) / balances) * (options.toTs - options.fromTs))
      push({
        kind: 'balance',
        type: 'balance.changed',
        exchangeRecordId: `BTC#${salt}${ts}`,
        ts,
        data: {
          currency: 'BTC',
          total,
          previous,
          usdValue: total * 97_000,
          equityUsd: Math.round(total * 97_000 + 25_000)
        }
      })
    }
  }
  return out.sort((a, b) => a.ts - b.ts)
}

/**
 * Splits a time-ordered stream into per-account batches of at most `size` events, the way a poll
 * (or a backfill page) hands them to the core: one account per batch, in time order.
 */
export function batches(events: readonly NewEvent[], size: number): NewEvent[][] {
  const open = new Map<string, NewEvent[]>()
  const out: NewEvent[][] = []
  for (const e of events) {
    let batch = open.get(e.accountId)
    if (!batch) open.set(e.accountId, (batch = []))
    batch.push(e)
    if (batch.length >= size) {
      out.push(batch)
      open.delete(e.accountId)
    }
  }
  out.push(...open.values())
  return out
}
