/**
 * Picks the connector for an exchange: a deep one where Vigil speaks the exchange's security
 * endpoints, otherwise a clear refusal until generic support lands.
 */
import type { Exchange } from 'ccxt'

import { createBybitConnector } from './bybit'
import type { Connector, ConnectorAccount, ConnectorDeps } from './connector'
import { createDeribitConnector } from './deribit'
import { createOkxConnector } from './okx'

export const DEEP_EXCHANGES = ['deribit', 'bybit', 'binance', 'okx'] as const

export class UnsupportedExchangeError extends Error {
  constructor(readonly exchange: string) {
    super(`${exchange} is not yet supported by Vigil's connectors (supported now: deribit)`)
    this.name = 'UnsupportedExchangeError'
  }
}

export function createConnector(exchange: Exchange, account: ConnectorAccount, deps: ConnectorDeps): Connector {
  switch (account.exchange) {
    case 'bybit':
      return createBybitConnector(exchange, account, deps)
    case 'deribit':
      return createDeribitConnector(exchange, account, deps)
    case 'okx':
      return createOkxConnector(exchange, account, deps)
    default:
      throw new UnsupportedExchangeError(account.exchange)
  }
}

export const isSupportedExchange = (id: string): boolean =>
  id === 'deribit' || id === 'okx' || id === 'bybit'
