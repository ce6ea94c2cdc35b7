/**
 * A tiny local HTTP server answering Deribit API v2 paths with canned JSON-RPC bodies, for unit
 * tests that need a real ccxt instance on a real socket but a situation the simulator cannot
 * produce on demand (a security-key challenge, a scope error, a truncated body on one stream).
 * It does not check signatures; the integration tests against the simulator do.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface FixtureReply {
  status?: number
  /** An object is wrapped as `{jsonrpc, result}`; a string is sent as-is (e.g. a truncated body). */
  result?: unknown
  error?: { code: number; message: string; data?: Record<string, unknown> }
  raw?: string
}

export type FixtureHandler = (params: URLSearchParams) => FixtureReply

export interface FixtureServer {
  url: string
  /** `private/get_access_log` style keys. */
  routes: Map<string, FixtureHandler>
  /** Every request as `<scope>/<method>?<query>`, in order. */
  calls: string[]
  close(): Promise<void>
}

export const startFixtureServer = async (
  routes: Record<string, FixtureHandler>
): Promise<FixtureServer> => {
  const table = new Map(Object.entries(routes))
  const calls: string[] = []
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const key = url.pathname.replace(/^\/api\/v2\//, '')
    calls.push(`${key}${url.search}`)
    const handler = table.get(key)
    const reply: FixtureReply = handler
      ? handler(url.searchParams)
      : { status: 400, error: { code: -32601, message: 'Method not found' } }
    const body =
      reply.raw ??
      JSON.stringify({
        jsonrpc: '2.0',
        ...(reply.error ? { error: reply.error } : { result: reply.result }),
        usIn: 1,
        usOut: 2,
        usDiff: 1,
        testnet: false
      })
    res.writeHead(reply.status ?? (reply.error ? 400 : 200), { 'content-type': 'application/json' })
    res.end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    routes: table,
    calls,
    close: () => new Promise((resolve) => server.close(() => resolve()))
  }
}

/** Minimal public market data so ccxt's loadMarkets works: BTC and ETH inverse perpetuals. */
export const marketRoutes: Record<string, FixtureHandler> = {
  'public/get_currencies': () => ({
    result: ['BTC', 'ETH'].map((currency) => ({
      currency,
      currency_long: currency,
      coin_type: currency,
      withdrawal_fee: 0.0001
    }))
  }),
  'public/get_instruments': () => ({
    result: ['BTC', 'ETH'].map((base, i) => ({
      tick_size: 0.5,
      taker_commission: 0.0005,
      maker_commission: 0,
      settlement_period: 'perpetual',
      settlement_currency: base,
      quote_currency: 'USD',
      counter_currency: 'USD',
      base_currency: base,
      min_trade_amount: 10,
      max_leverage: 50,
      kind: 'future',
      is_active: true,
      instrument_name: `${base}-PERPETUAL`,
      instrument_id: i + 1,
      future_type: 'reversed',
      instrument_type: 'reversed',
      expiration_timestamp: 32503708800000,
      creation_timestamp: 1534242287000,
      contract_size: 10
    }))
  })
}
