/**
 * Picks the connector for an exchange: a deep one where Vigil speaks the exchange's security
 * endpoints, otherwise the generic connector (ccxt's unified API) for any other ccxt exchange.
 */
import type { Exchange } from 'ccxt'

import { createBinanceConnector } from './binance'
import { createBybitConnector } from './bybit'
import { createCcxtFactory } from './ccxt-factory'
import type { Capability, Connector, ConnectorAccount, ConnectorDeps } from './connector'
import { createDeribitConnector } from './deribit'
import { createGenericConnector } from './generic'
import { ccxtExchangeIds } from './generic-capabilities'
import { createOkxConnector } from './okx'
import { silentLogger, systemClock } from '../ports'

export const DEEP_EXCHANGES = ['deribit', 'bybit', 'binance', 'okx'] as const

export class UnsupportedExchangeError extends Error {
  constructor(readonly exchange: string) {
    super(`${exchange} is not an exchange ccxt knows, so Vigil cannot connect to it`)
    this.name = 'UnsupportedExchangeError'
  }
}

export function createConnector(
  exchange: Exchange,
  account: ConnectorAccount,
  deps: ConnectorDeps
): Connector {
  switch (account.exchange) {
    case 'binance':
      return createBinanceConnector(exchange, account, deps)
    case 'bybit':
      return createBybitConnector(exchange, account, deps)
    case 'deribit':
      return createDeribitConnector(exchange, account, deps)
    case 'okx':
      return createOkxConnector(exchange, account, deps)
    default:
      if (!ccxtExchangeIds().has(account.exchange))
        throw new UnsupportedExchangeError(account.exchange)
      return createGenericConnector(exchange, account, deps)
  }
}

/** True for every exchange ccxt knows (deep connectors for DEEP_EXCHANGES, generic otherwise). */
export const isSupportedExchange = (id: string): boolean => ccxtExchangeIds().has(id)

/**
 * What Vigil can see and do on an exchange before any key is added (the add-account wizard):
 * builds a credential-less ccxt instance and asks the connector the registry would pick.
 */
export const capabilitiesOf = async (exchangeId: string): Promise<Capability[]> => {
  const exchange = await createCcxtFactory().create(
    { exchange: exchangeId },
    { apiKey: '', secret: '' }
  )
  return createConnector(
    exchange,
    { id: `capabilities:${exchangeId}`, exchange: exchangeId, selfKeyId: null },
    { clock: systemClock, logger: silentLogger }
  ).capabilities()
}
