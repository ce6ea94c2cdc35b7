/**
 * The dialect registry. The server routes `/<exchange>/…` to the dialect registered here; an
 * exchange without one answers 501 and `endpointFor()` throws. To add Bybit, Binance or OKX,
 * write `dialects/<exchange>.ts` (see the checklist in `types.ts`) and add it below.
 */
import type { ExchangeId } from '../../replay/scenario'
import { binanceDialect } from './binance'
import { bybitDialect } from './bybit'
import { deribitDialect } from './deribit'
import { okxDialect } from './okx'
import type { Dialect } from './types'

export type { Dialect, DialectContext, SimRequest, SimResponse } from './types'

const DIALECTS: Partial<Record<ExchangeId, Dialect>> = {
  binance: binanceDialect,
  bybit: bybitDialect,
  deribit: deribitDialect,
  okx: okxDialect
}

/** The dialect for an exchange, or undefined while it is not yet written. */
export function dialectFor(exchange: ExchangeId): Dialect | undefined {
  return DIALECTS[exchange]
}
