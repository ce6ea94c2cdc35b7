/**
 * The simulator's HTTP front: one node:http server on 127.0.0.1 (port 0 = any free port) that
 * routes `/<exchange>/…` — or `/acct/<accountId>/<exchange>/…`, which pins a client to one
 * account — to that exchange's dialect. It counts every request, and injects faults before the
 * dialect sees the request.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

import type { Clock } from '../core/ports'
import { EXCHANGES, type ExchangeId, type FaultKind } from '../replay/scenario'
import { dialectFor } from './dialects'
import type { DialectContext, SimRequest, SimResponse } from './dialects/types'
import type { FaultBoard } from './faults'
import type { World } from './world'

const MAX_BODY = 1 << 20
// A held ("timed out") request is dropped after this long even if nobody closes it.
const HOLD_LIMIT_MS = 120_000

/** One request as the simulator saw it. */
export interface RequestRecord {
  /** Clock ms at arrival. */
  at: number
  exchange: ExchangeId
  /** The account its credentials (or endpoint) belong to; null for public calls. */
  account: string | null
  method: string
  /** Path below the exchange prefix, without query: `/api/v2/private/get_access_log`. */
  path: string
  /** HTTP status answered; null while pending or when held by a `timeout` fault. */
  status: number | null
  fault: FaultKind | null
  /** Rate-limit cost the dialect charged (Binance request weight); null when it charges none. */
  cost?: number | null
}

export interface RequestFilter {
  account?: string | null
  exchange?: ExchangeId
  path?: string
  /** Clock ms, inclusive. */
  since?: number
}

/** Request counters per account and path, for rate-limit budget tests. */
export class RequestLog {
  private records: RequestRecord[] = []

  add(record: RequestRecord): RequestRecord {
    this.records.push(record)
    return record
  }

  private select(filter: RequestFilter): RequestRecord[] {
    return this.records.filter(
      (r) =>
        (filter.account === undefined || r.account === filter.account) &&
        (filter.exchange === undefined || r.exchange === filter.exchange) &&
        (filter.path === undefined || r.path === filter.path) &&
        (filter.since === undefined || r.at >= filter.since)
    )
  }

  /** How many requests match (all when no filter). */
  count(filter: RequestFilter = {}): number {
    return this.select(filter).length
  }

  /** Counts per path for the matching requests. */
  byPath(filter: RequestFilter = {}): Record<string, number> {
    const out: Record<string, number> = {}
    for (const r of this.select(filter)) out[r.path] = (out[r.path] ?? 0) + 1
    return out
  }

  /** Summed rate-limit cost of the matching requests (Binance request weight). */
  cost(filter: RequestFilter = {}): number {
    return this.select(filter).reduce((sum, r) => sum + (r.cost ?? 0), 0)
  }

  /** Counts per account (`-` for public calls). */
  byAccount(filter: RequestFilter = {}): Record<string, number> {
    const out: Record<string, number> = {}
    for (const r of this.select(filter)) out[r.account ?? '-'] = (out[r.account ?? '-'] ?? 0) + 1
    return out
  }

  entries(filter: RequestFilter = {}): readonly RequestRecord[] {
    return this.select(filter)
  }

  reset(): void {
    this.records = []
  }
}

export interface SimServer {
  url: string
  requests: RequestLog
  close(): Promise<void>
}

interface Route {
  exchange: ExchangeId
  account: string | null
  rest: string
}

function route(pathname: string): Route | null {
  const scoped = /^\/acct\/([^/]+)\/([a-z]+)(\/.*)?$/.exec(pathname)
  const plain = scoped ? null : /^\/([a-z]+)(\/.*)?$/.exec(pathname)
  const exchange = scoped?.[2] ?? plain?.[1]
  if (!exchange || !(EXCHANGES as readonly string[]).includes(exchange)) return null
  return {
    exchange: exchange as ExchangeId,
    account: scoped ? decodeURIComponent(scoped[1]) : null,
    rest: (scoped ? scoped[3] : plain?.[2]) ?? '/'
  }
}

function send(res: ServerResponse, response: SimResponse): void {
  res.writeHead(response.status, {
    'content-length': Buffer.byteLength(response.body),
    ...response.headers
  })
  res.end(response.body)
}

const json = (status: number, body: unknown): SimResponse => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body)
})

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size <= MAX_BODY) chunks.push(chunk)
    })
    req.on('end', () => resolve(size > MAX_BODY ? null : Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

/** Starts the HTTP server. */
export async function startServer(options: {
  world: World
  faults: FaultBoard
  clock: Clock
}): Promise<SimServer> {
  const { world, faults, clock } = options
  const requests = new RequestLog()
  const held = new Set<ServerResponse>()
  const timers = new Set<() => void>()
  const context: DialectContext = {
    world,
    now: () => clock.now(),
    schedule: (fn, ms) => {
      const cancel = clock.setTimeout(() => {
        timers.delete(cancel)
        fn()
      }, ms)
      timers.add(cancel)
      return () => {
        timers.delete(cancel)
        cancel()
      }
    }
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const target = route(url.pathname)
    if (!target) return send(res, json(404, { error: `no simulated exchange at ${url.pathname}` }))
    const dialect = dialectFor(target.exchange)
    if (!dialect) {
      return send(
        res,
        json(501, { error: `simulator dialect not yet supported: ${target.exchange}` })
      )
    }
    if (target.account !== null && !world.accounts.has(target.account)) {
      return send(res, json(404, { error: `no account "${target.account}" in this scenario` }))
    }
    const body = await readBody(req)
    if (body === null) return send(res, json(413, { error: 'request body too large' }))
    const rawQuery = url.search.startsWith('?') ? url.search.slice(1) : ''
    const request: SimRequest = {
      method: (req.method ?? 'GET').toUpperCase(),
      path: target.rest,
      rawQuery,
      query: new URLSearchParams(rawQuery),
      headers: req.headers,
      body,
      endpointAccount: target.account,
      remoteAddress: req.socket.remoteAddress ?? null
    }
    const account = dialect.identify(request, context)
    const now = clock.now()
    const fault = faults.active({ account, exchange: target.exchange }, now)
    const record = requests.add({
      at: now,
      exchange: target.exchange,
      account,
      method: request.method,
      path: target.rest,
      status: null,
      fault
    })
    if (fault === 'timeout') {
      // No answer at all: the client's own timeout has to fire.
      held.add(res)
      const drop = setTimeout(() => res.destroy(), HOLD_LIMIT_MS)
      res.on('close', () => {
        clearTimeout(drop)
        held.delete(res)
      })
      return
    }
    const response = fault ? dialect.fault(fault, context) : dialect.handle(request, context)
    record.status = response.status
    if (response.cost !== undefined) record.cost = response.cost
    send(res, response)
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent)
        send(res, json(500, { error: `simulator failure: ${(error as Error).message}` }))
      else res.destroy()
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: async () => {
      for (const cancel of timers) cancel()
      timers.clear()
      for (const res of held) res.destroy()
      held.clear()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}
