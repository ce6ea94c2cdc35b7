/**
 * Exchange-agnostic market descriptions and the reference prices the simulator starts from.
 * Prices only need to be plausible: they drive order notionals, fills and USD valuations.
 */

/** USD reference prices at scenario start. Unknown assets are worth $1. */
export const USD_PRICES: Readonly<Record<string, number>> = {
  USD: 1,
  USDT: 1,
  USDC: 1,
  BTC: 60_000,
  ETH: 3_000,
  LTC: 80,
  SOL: 150,
  XRP: 0.6,
  // An illiquid alt worth about a dollar (the VIA/BTC pump of 2018).
  VIA: 1.2,
  // A tiny-cap token (the DMG/USDT trades of 2022).
  DMG: 0.02
}

export type MarketType = 'spot' | 'swap'

/** A market as the world knows it, before any dialect renders it. */
export interface MarketState {
  /** Unified ccxt symbol, e.g. `BTC/USDT` or `BTC/USD:BTC`. */
  symbol: string
  base: string
  quote: string
  /** Settlement currency of a derivative; null for spot. */
  settle: string | null
  type: MarketType
  /** Inverse contracts are sized in quote (USD) and settled in the base currency. */
  inverse: boolean
  /** Units of the amount per contract (USD for inverse, base for linear, 1 for spot). */
  contractSize: number
  /** Smallest amount step; amounts are multiples of it. */
  minAmount: number
  /** Price step. */
  tick: number
  /** Last traded price, in quote currency. */
  last: number
}

/** Splits a unified symbol into base, quote and (for derivatives) settle. */
export function parseSymbol(symbol: string): {
  base: string
  quote: string
  settle: string | null
} {
  const [pair, settle] = symbol.split(':')
  const [base, quote] = pair.split('/')
  if (!base || !quote) throw new Error(`not a unified symbol: ${symbol}`)
  return { base, quote, settle: settle ?? null }
}

export const usdPriceOf = (asset: string): number => USD_PRICES[asset] ?? 1

const pow10 = (exponent: number): number => Number(`1e${exponent}`)

/** Rounds to a multiple of `step` without binary noise (0.1 + 0.2 style). */
export function roundTo(value: number, step: number): number {
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1)
  return Number((Math.round(value / step) * step).toFixed(decimals))
}

/** Builds a market with the reference price and plausible contract parameters. */
export function describeMarket(symbol: string): MarketState {
  const { base, quote, settle } = parseSymbol(symbol)
  const last = usdPriceOf(base) / usdPriceOf(quote)
  const type: MarketType = settle === null ? 'spot' : 'swap'
  const inverse = settle !== null && settle === base && settle !== quote
  if (inverse) {
    // Inverse perpetuals trade USD contracts: BTC in 10s, everything else in 1s (Deribit's sizes).
    const contractSize = base === 'BTC' ? 10 : 1
    const tick =
      base === 'BTC' ? 0.5 : base === 'ETH' ? 0.05 : pow10(Math.floor(Math.log10(last)) - 4)
    return {
      symbol,
      base,
      quote,
      settle,
      type,
      inverse,
      contractSize,
      minAmount: contractSize,
      tick,
      last: roundTo(last, tick)
    }
  }
  const tick = pow10(Math.floor(Math.log10(last)) - 4)
  const minAmount = pow10(Math.min(0, Math.floor(Math.log10(1 / usdPriceOf(base)))))
  return {
    symbol,
    base,
    quote,
    settle,
    type,
    inverse,
    contractSize: 1,
    minAmount,
    tick,
    last: roundTo(last, tick)
  }
}

/** The USD value of `amount` (in the market's amount units) at `price`. */
export function notionalUsd(market: MarketState, amount: number, price: number): number {
  if (market.inverse) return amount * usdPriceOf(market.quote)
  return amount * price * usdPriceOf(market.quote)
}

/** The amount (in the market's units) worth `usd` at `price`, rounded to the market's step (≥ one step). */
export function amountForUsd(market: MarketState, usd: number, price: number): number {
  const raw = market.inverse
    ? usd / usdPriceOf(market.quote)
    : usd / (price * usdPriceOf(market.quote))
  return Math.max(market.minAmount, roundTo(raw, market.minAmount))
}
