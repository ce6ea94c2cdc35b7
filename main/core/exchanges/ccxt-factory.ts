/**
 * Builds configured ccxt instances for the core, the replay harness and the tests.
 *
 * Import cost (Node 22.23, this repo, measured 2026-11-22): `await import('ccxt')` takes 360–450 ms
 * because it evaluates all 104 exchange modules; importing only `ccxt/js/src/<id>.js` by file path
 * takes 100–115 ms. The package's `exports` map only exposes ".", so the single-module import goes
 * through the file path. We try that first and fall back to importing the whole package once
 * (lazily, cached) when the file layout is not what we expect (e.g. inside a bundle or an asar
 * archive). Either way ccxt loads only when the first exchange is created. Under tsx (whose loader
 * hooks see every file) the same two paths measured ~475 ms vs ~670 ms.
 *
 * ccxt's limiter is a leaky bucket that does not credit idle time, so a Deribit poll of N calls
 * always takes about N × 50 ms (`rateLimit`), even after a quiet minute; connectors keep N small.
 *
 * In ccxt 4.5.84 the files in `js/src/*.js` are exactly `ccxt.exchanges` (104 ids; a unit test
 * checks the equality), so validating the id against the file list is validating it against
 * `ccxt.exchanges` without paying for the full import. Note: 4.5.84's own `ccxt.version` string
 * says '4.5.83' (a packaging quirk); trust `package.json`.
 */
import { readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

import type * as Ccxt from 'ccxt'
import type { Exchange } from 'ccxt'

import { msg } from '../../api/messages'
import type { Credentials, ExchangeFactory, ExchangeTarget } from '../ports'
import { MessageError } from './connector'

/** Thrown for an exchange id ccxt does not know (typo, or an exchange ccxt dropped). */
export class UnknownExchangeError extends Error {
  constructor(
    readonly exchange: string,
    message: string
  ) {
    super(message)
    this.name = 'UnknownExchangeError'
  }
}

type ExchangeClass = new (config?: Record<string, unknown>) => Exchange

/** Exchanges that existed in ccxt and were removed, with the reason to show instead of "unknown". */
const REMOVED: Record<string, string> = {
  bitmex:
    'BitMEX closed on 2026-09-23 and ccxt 4.5.84 no longer includes it (4.5.82 was the last release with it)'
}

/**
 * Per-exchange ccxt options. Each one exists because ccxt's default would cost requests, print
 * warnings, or load market types Vigil does not watch.
 */
export const exchangeOptions = (id: string): Record<string, unknown> => {
  switch (id) {
    case 'binance':
    case 'binanceusdm':
    case 'binancecoinm':
      // fetchOpenOrders() without a symbol is what the kill switch needs; ccxt otherwise throws a
      // "warning" error. fetchCurrencies is a signed, heavy call that Vigil does not need.
      return { warnOnFetchOpenOrdersWithoutSymbol: false, fetchCurrencies: false }
    case 'bybit':
      // Spot and perpetuals only: options chains add dozens of market requests per load.
      return { fetchMarkets: { types: ['spot', 'linear', 'inverse'] } }
    case 'okx':
      return { fetchMarkets: { types: ['spot', 'swap'] } }
    default:
      return {}
  }
}

/**
 * Points every URL in a ccxt `urls.api` tree at `endpoint`, keeping each URL's path. Works for
 * flat maps (deribit `{rest}`), nested maps and templated hosts (`https://{hostname}`).
 */
export const pointApiAt = <T>(api: T, endpoint: string): T => {
  const to = endpoint.replace(/\/+$/, '')
  const walk = (value: unknown): unknown =>
    typeof value === 'string'
      ? value.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]+/i, to)
      : value && typeof value === 'object'
        ? Array.isArray(value)
          ? value.map(walk)
          : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]))
        : value
  return walk(api) as T
}

const ID_PATTERN = /^[a-z][a-z0-9]*$/

interface Loader {
  ids(): Promise<readonly string[]>
  load(id: string): Promise<ExchangeClass>
}

/** Where ccxt's ESM sources live, or null when we cannot tell (bundled, unusual layout). */
const ccxtSourceDir = (): string | null => {
  try {
    const require = createRequire(import.meta.url)
    // `require.resolve('ccxt')` gives `<root>/dist/ccxt.cjs` (the "require" condition).
    const root = resolve(dirname(require.resolve('ccxt')), '..')
    return join(root, 'js', 'src')
  } catch {
    return null
  }
}

let fullImport: Promise<typeof Ccxt> | null = null
const importFull = (): Promise<typeof Ccxt> => (fullImport ??= import('ccxt'))

const fullLoader: Loader = {
  async ids() {
    const mod = await importFull()
    return (mod.default as unknown as { exchanges: string[] }).exchanges
  },
  async load(id) {
    const mod = await importFull()
    const cls = (mod.default as unknown as Record<string, unknown>)[id]
    if (typeof cls !== 'function') throw new MessageError(msg('fault.ccxt.noClass', { id }))
    return cls as ExchangeClass
  }
}

const singleFileLoader = (dir: string): Loader => {
  let ids: readonly string[] | null = null
  return {
    async ids() {
      ids ??= readdirSync(dir)
        .filter((f) => f.endsWith('.js'))
        .map((f) => f.slice(0, -3))
        .filter((f) => ID_PATTERN.test(f))
        .sort()
      return ids
    },
    async load(id) {
      const mod = (await import(pathToFileURL(join(dir, `${id}.js`)).href)) as { default?: unknown }
      if (typeof mod.default !== 'function')
        throw new MessageError(msg('fault.ccxt.noDefaultClass', { id }))
      return mod.default as ExchangeClass
    }
  }
}

/** Options for `createCcxtFactory`. */
export interface CcxtFactoryOptions {
  /**
   * 'auto' (default): import only the exchange's own module, falling back to the full package.
   * 'full': always import the full package (e.g. when something else loads it anyway).
   */
  importMode?: 'auto' | 'full'
  /** ccxt request timeout in ms (ccxt's default is 10 000). */
  timeoutMs?: number
}

/**
 * The production `ExchangeFactory`: validates the id against ccxt's exchange list, builds the
 * instance with ccxt's own rate limiter on, applies `exchangeOptions(id)`, and when `endpoint` is
 * given (the local simulator) rewrites every API URL's scheme and host to it.
 *
 * ccxt's "last response" caches are switched off: they would keep the raw body of the previous
 * call in memory, and on Deribit `list_api_keys` that body may hold other keys' `client_secret`.
 */
export const createCcxtFactory = (options: CcxtFactoryOptions = {}): ExchangeFactory => {
  const dir = options.importMode === 'full' ? null : ccxtSourceDir()
  let loader: Loader = dir ? singleFileLoader(dir) : fullLoader
  const classes = new Map<string, Promise<ExchangeClass>>()

  const knownIds = async (): Promise<readonly string[]> => {
    try {
      const ids = await loader.ids()
      if (ids.length > 0) return ids
    } catch {
      // fall through to the full package
    }
    loader = fullLoader
    return loader.ids()
  }

  const classFor = (id: string): Promise<ExchangeClass> => {
    let pending = classes.get(id)
    if (!pending) {
      pending = loader.load(id).catch(() => {
        loader = fullLoader
        return fullLoader.load(id)
      })
      // A failed load must not poison the cache (e.g. a transient file-system error).
      pending.catch(() => classes.delete(id))
      classes.set(id, pending)
    }
    return pending
  }

  return {
    async create(target: ExchangeTarget, credentials: Credentials): Promise<Exchange> {
      const id = target.exchange
      const ids = await knownIds()
      if (!ID_PATTERN.test(id) || !ids.includes(id)) {
        const why = REMOVED[id] ?? "it is not in ccxt 4.5.84's list of exchanges"
        const near = ids.filter((x) => x.startsWith(id.slice(0, 3))).slice(0, 5)
        throw new UnknownExchangeError(
          id,
          `Unknown exchange '${id}': ${why}.` +
            (near.length ? ` Similar ids: ${near.join(', ')}.` : '')
        )
      }
      if (target.endpoint !== undefined && !/^https?:\/\/[^/\s]+(\/\S*)?$/i.test(target.endpoint))
        throw new MessageError(msg('fault.invalidEndpoint', { id }))
      const Cls = await classFor(id)
      const exchange = new Cls({
        apiKey: credentials.apiKey,
        secret: credentials.secret,
        ...(credentials.password !== undefined ? { password: credentials.password } : {}),
        enableRateLimit: true,
        enableLastHttpResponse: false,
        enableLastJsonResponse: false,
        ...(options.timeoutMs !== undefined ? { timeout: options.timeoutMs } : {}),
        options: exchangeOptions(id)
      })
      if (target.endpoint) {
        const urls = exchange.urls as { api: unknown }
        urls.api = pointApiAt(urls.api, target.endpoint)
      }
      return exchange
    }
  }
}

/** ccxt's exchange ids as the factory sees them (for settings screens and validation). */
export const listExchangeIds = async (): Promise<readonly string[]> => {
  const dir = ccxtSourceDir()
  if (dir) {
    try {
      const ids = await singleFileLoader(dir).ids()
      if (ids.length > 0) return ids
    } catch {
      // fall back below
    }
  }
  return fullLoader.ids()
}
