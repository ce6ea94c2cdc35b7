/**
 * Deterministic account history: what already happened on an account before the guardian
 * starts. `generateHistory` is a pure function of the scenario, the seed and the start time, so a
 * replay's backfill is identical on every run; `seedHistory` writes it into a World.
 *
 * Everything lies before `startAt`, spread over the `days` before it and inside each section's
 * UTC `hours`. Each section draws from its own random stream, so changing one section (say the
 * withdrawal rate) does not reshuffle the others.
 */
import type { KeySpec, Scenario } from '../replay/scenario'
import { historyFor, otherKeyRef, SELF_KEY } from '../replay/scenario'
import { countryOf } from './geo'
import { amountForUsd, describeMarket, roundTo, usdPriceOf } from './markets'
import { rng, type Rng } from './prng'
import { DAY_MS, type Side, type World } from './world'

export type HistoryAction =
  | {
      t: number
      kind: 'key'
      ref: string
      spec: KeySpec
      /** Whether the creation falls inside the window (and so shows in the access log), and from where. */
      logged: boolean
      ip: string
      country: string | null
      userAgent: string
    }
  | {
      t: number
      kind: 'login'
      ip: string
      country: string | null
      userAgent: string
      success: boolean
    }
  | { t: number; kind: 'address'; currency: string; address: string }
  | {
      t: number
      kind: 'order'
      symbol: string
      side: Side
      type: 'market' | 'limit'
      amount: number
      price: number
      origin: 'web' | 'api'
      outcome:
        | { kind: 'fill'; at: number; price: number }
        | { kind: 'cancel'; at: number }
        | { kind: 'rest' }
    }
  | { t: number; kind: 'withdrawal'; currency: string; amount: number; address: string }
  | { t: number; kind: 'leverage'; symbol: string; leverage: number }

const HOUR_MS = 3_600_000

/** A random instant on the UTC day starting at `dayStart`, inside the inclusive hour range (may wrap midnight). */
function timeInHours(random: Rng, dayStart: number, [from, to]: readonly [number, number]): number {
  const span = from <= to ? to - from + 1 : 24 - from + to + 1
  const hour = (from + random.int(0, span - 1)) % 24
  return dayStart + hour * HOUR_MS + Math.floor(random.next() * HOUR_MS)
}

/** The currency an address most likely belongs to, by its format. */
export function currencyOfAddress(address: string, held: readonly string[]): string {
  if (/^(bc1|[13][a-km-zA-HJ-NP-Z1-9]{25,34}$)/.test(address)) return 'BTC'
  if (/^0x[0-9a-fA-F]{40}$/.test(address))
    return held.includes('ETH') || !held.includes('USDT') ? 'ETH' : 'USDT'
  if (/^T[1-9A-HJ-NP-Za-km-z]{33}$/.test(address) || /^T/.test(address)) return 'USDT'
  return held[0] ?? 'BTC'
}

/**
 * The history actions of one account, in time order. Pure: same inputs, same output.
 */
export function generateHistory(
  scenario: Scenario,
  accountId: string,
  options: { seed: number; startAt: number }
): HistoryAction[] {
  const account = scenario.accounts.find((a) => a.id === accountId)
  if (!account) throw new Error(`unknown account "${accountId}"`)
  const spec = historyFor(scenario, accountId)
  const { seed, startAt } = options
  const windowStart = startAt - spec.days * DAY_MS
  const midnight = Math.floor(startAt / DAY_MS) * DAY_MS
  const dayStarts: number[] = []
  for (let k = 1; midnight - k * DAY_MS + DAY_MS > windowStart; k++)
    dayStarts.push(midnight - k * DAY_MS)
  dayStarts.reverse()
  const inWindow = (t: number): boolean => t >= windowStart && t < startAt
  const actions: HistoryAction[] = []

  // Keys: each was created `ageDays` before start; the log only shows creations inside the window.
  const keyRandom = rng(seed, accountId, 'keys')
  const keys: { ref: string; spec: KeySpec }[] = [
    ...account.otherKeys.map((k, i) => ({ ref: otherKeyRef(i), spec: k })),
    { ref: SELF_KEY, spec: account.key }
  ]
  for (const key of keys) {
    const day = Math.floor((startAt - key.spec.ageDays * DAY_MS) / DAY_MS) * DAY_MS
    let t = timeInHours(keyRandom, day, spec.logins.hours)
    if (t >= startAt) t = startAt - keyRandom.int(60_000, HOUR_MS)
    const home = keyRandom.pick(spec.logins.homes)
    const userAgent = keyRandom.pick(spec.logins.userAgents)
    actions.push({
      t,
      kind: 'key',
      ref: key.ref,
      spec: key.spec,
      logged: inWindow(t),
      ip: home.ip,
      country: home.country ?? countryOf(home.ip),
      userAgent
    })
  }

  const logins = rng(seed, accountId, 'logins')
  for (const day of dayStarts) {
    const count = logins.poisson(spec.logins.perDay)
    for (let i = 0; i < count; i++) {
      const t = timeInHours(logins, day, spec.logins.hours)
      const home = logins.pick(spec.logins.homes)
      const userAgent = logins.pick(spec.logins.userAgents)
      const success = !logins.chance(spec.logins.failRate)
      if (inWindow(t))
        actions.push({
          t,
          kind: 'login',
          ip: home.ip,
          country: home.country ?? countryOf(home.ip),
          userAgent,
          success
        })
    }
  }

  const trading = rng(seed, accountId, 'trading')
  const markets = new Map(account.markets.map((s) => [s, describeMarket(s)]))
  const {
    symbols,
    notionalUsd: [minUsd, maxUsd]
  } = spec.trading
  const latest = startAt - 1_000
  const order = (t: number, resting: boolean): HistoryAction => {
    const symbol = trading.pick(symbols)
    const market = markets.get(symbol) ?? describeMarket(symbol)
    const side: Side = trading.chance(0.5) ? 'buy' : 'sell'
    const usd = trading.uniform(minUsd, maxUsd)
    const origin = trading.chance(0.7) ? 'api' : 'web'
    if (resting) {
      // Resting orders sit away from the market, on the side that does not fill.
      const away = trading.uniform(0.03, 0.1)
      const price = roundTo(market.last * (side === 'buy' ? 1 - away : 1 + away), market.tick)
      return {
        t,
        kind: 'order',
        symbol,
        side,
        type: 'limit',
        amount: amountForUsd(market, usd, price),
        price,
        origin,
        outcome: { kind: 'rest' }
      }
    }
    const price = roundTo(market.last * (1 + trading.uniform(-0.04, 0.04)), market.tick)
    const amount = amountForUsd(market, usd, price)
    if (trading.chance(spec.trading.marketShare)) {
      return {
        t,
        kind: 'order',
        symbol,
        side,
        type: 'market',
        amount,
        price,
        origin,
        outcome: { kind: 'fill', at: t, price }
      }
    }
    const later = Math.min(latest, t + trading.int(60_000, 6 * HOUR_MS))
    const outcome = trading.chance(0.75)
      ? { kind: 'fill' as const, at: later, price }
      : { kind: 'cancel' as const, at: later }
    return { t, kind: 'order', symbol, side, type: 'limit', amount, price, origin, outcome }
  }
  for (const day of dayStarts) {
    const count = trading.poisson(spec.trading.ordersPerDay)
    for (let i = 0; i < count; i++) {
      const t = timeInHours(trading, day, spec.trading.hours)
      const action = order(t, false)
      if (inWindow(t)) actions.push(action)
    }
  }
  for (let i = 0; i < spec.trading.openOrders; i++) {
    const recent = dayStarts.slice(-3)
    let t = timeInHours(
      trading,
      trading.pick(recent.length > 0 ? recent : [midnight]),
      spec.trading.hours
    )
    if (t >= startAt) t = startAt - trading.int(60_000, 2 * HOUR_MS)
    actions.push(order(t, true))
  }
  if (spec.trading.leverage !== null) {
    for (const symbol of symbols) {
      if (markets.get(symbol)?.type === 'swap') {
        actions.push({ t: windowStart, kind: 'leverage', symbol, leverage: spec.trading.leverage })
      }
    }
  }

  const wallet = rng(seed, accountId, 'withdrawals')
  const held = Object.entries(account.balances)
    .filter(([, v]) => v > 0)
    .map(([k]) => k)
  const addressCurrency = new Map(
    spec.withdrawals.addresses.map((a) => [a, currencyOfAddress(a, held)])
  )
  for (const [address, currency] of addressCurrency) {
    // Home addresses were whitelisted long before the window: they are not new.
    actions.push({
      t: windowStart - 7 * DAY_MS - wallet.int(0, 30) * DAY_MS,
      kind: 'address',
      currency,
      address
    })
  }
  const perDay = spec.withdrawals.perMonth / 30
  for (const day of dayStarts) {
    const count = wallet.poisson(perDay)
    for (let i = 0; i < count; i++) {
      const t = timeInHours(wallet, day, spec.logins.hours)
      const address = wallet.pick(spec.withdrawals.addresses)
      const currency = addressCurrency.get(address) ?? 'BTC'
      const [min, max] = spec.withdrawals.amountUsd
      const amount = roundTo(
        wallet.uniform(min, max) / usdPriceOf(currency),
        currency === 'USDT' || currency === 'USDC' ? 0.01 : 0.0001
      )
      if (inWindow(t) && amount > 0)
        actions.push({ t, kind: 'withdrawal', currency, amount, address })
    }
  }

  // Stable sort keeps generation order for equal timestamps.
  return actions
    .map((a, i) => ({ a, i }))
    .sort((x, y) => x.a.t - y.a.t || x.i - y.i)
    .map(({ a }) => a)
}

/** Writes an account's generated history into the world (balances stay as the scenario states them at start). */
export function seedHistory(
  world: World,
  accountId: string,
  actions: readonly HistoryAction[]
): void {
  const account = world.account(accountId)
  for (const action of actions) {
    switch (action.kind) {
      case 'key': {
        const key = world.createKey(account, action.spec, { ref: action.ref, createdAt: action.t })
        if (action.logged) {
          const { ip, country, userAgent } = action
          world.addAccessLog(
            account,
            { event: 'new_api_key', ip, country, userAgent, data: key.clientId },
            action.t
          )
        }
        break
      }
      case 'login':
        world.login(account, action, action.t)
        break
      case 'address':
        world.addAddress(
          account,
          { currency: action.currency, address: action.address, label: 'home' },
          action.t
        )
        break
      case 'order': {
        // The trader's own bots and clicks: no key attribution (the bots' keys are not modelled).
        world.placeOrder(
          account,
          {
            symbol: action.symbol,
            side: action.side,
            type: action.type,
            amount: action.amount,
            price: action.price,
            origin: action.origin
          },
          action.t,
          action.outcome,
          { balances: false }
        )
        break
      }
      case 'withdrawal':
        world.withdraw(account, action, action.t, { state: 'completed', balances: false })
        break
      case 'leverage':
        world.setLeverage(account, action.symbol, action.leverage, action.t)
        break
    }
  }
}
