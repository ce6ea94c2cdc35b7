import * as ccxt from 'ccxt'
import { describe, expect, it } from 'vitest'

import {
  createCcxtFactory,
  exchangeOptions,
  listExchangeIds,
  pointApiAt,
  UnknownExchangeError
} from '../../../../main/core/exchanges/ccxt-factory'

const creds = { apiKey: 'TESTKEY', secret: 'TESTSECRET' }

describe('exchange ids', () => {
  it("the factory's list is exactly ccxt.exchanges", async () => {
    const ids = await listExchangeIds()
    expect([...ids].sort()).toEqual(
      [...(ccxt.default as unknown as { exchanges: string[] }).exchanges].sort()
    )
    expect(ids).toContain('deribit')
    expect(ids).not.toContain('bitmex')
  })

  it('refuses bitmex with the reason, and typos with suggestions', async () => {
    const factory = createCcxtFactory()
    await expect(factory.create({ exchange: 'bitmex' }, creds)).rejects.toThrow(
      UnknownExchangeError
    )
    await expect(factory.create({ exchange: 'bitmex' }, creds)).rejects.toThrow(
      /BitMEX closed on 2026-09-23/
    )
    await expect(factory.create({ exchange: 'deribitt' }, creds)).rejects.toThrow(
      /Similar ids: deribit/
    )
    await expect(factory.create({ exchange: '../base/Exchange' }, creds)).rejects.toThrow(
      UnknownExchangeError
    )
    await expect(factory.create({ exchange: 'Deribit' }, creds)).rejects.toThrow(
      UnknownExchangeError
    )
  })
})

describe('instances', () => {
  it('builds deribit with the rate limiter on, credentials set and response caches off', async () => {
    const ex = await createCcxtFactory().create({ exchange: 'deribit' }, creds)
    expect(ex.id).toBe('deribit')
    expect(ex.enableRateLimit).toBe(true)
    expect(ex.apiKey).toBe('TESTKEY')
    expect(ex.enableLastHttpResponse).toBe(false)
    expect(ex.enableLastJsonResponse).toBe(false)
    expect(ex.urls.api).toEqual({ rest: 'https://www.deribit.com' })
  })

  it('points every API URL at the endpoint, keeping paths', async () => {
    const factory = createCcxtFactory()
    const deribit = await factory.create(
      { exchange: 'deribit', endpoint: 'http://127.0.0.1:4100/deribit/' },
      creds
    )
    expect(deribit.urls.api).toEqual({ rest: 'http://127.0.0.1:4100/deribit' })
    const binance = await factory.create(
      { exchange: 'binance', endpoint: 'http://127.0.0.1:4100/binance' },
      creds
    )
    const api = binance.urls.api as Record<string, string>
    expect(api.sapi).toBe('http://127.0.0.1:4100/binance/sapi/v1')
    expect(api.fapiPrivate).toBe('http://127.0.0.1:4100/binance/fapi/v1')
    expect(Object.values(api).every((u) => u.startsWith('http://127.0.0.1:4100/binance'))).toBe(
      true
    )
    const okx = await factory.create(
      { exchange: 'okx', endpoint: 'http://127.0.0.1:4100/okx' },
      { ...creds, password: 'p' }
    )
    expect(okx.urls.api).toEqual({ rest: 'http://127.0.0.1:4100/okx' })
    expect(okx.password).toBe('p')
    await expect(
      factory.create({ exchange: 'deribit', endpoint: 'ftp://x' }, creds)
    ).rejects.toThrow(/Invalid endpoint/)
  })

  it('applies per-exchange options', async () => {
    const factory = createCcxtFactory()
    const binance = await factory.create({ exchange: 'binance' }, creds)
    expect(binance.options.warnOnFetchOpenOrdersWithoutSymbol).toBe(false)
    expect(binance.options.fetchCurrencies).toBe(false)
    const bybit = await factory.create({ exchange: 'bybit' }, creds)
    expect(bybit.options.fetchMarkets.types).toEqual(['spot', 'linear', 'inverse'])
    expect(exchangeOptions('okx')).toEqual({ fetchMarkets: { types: ['spot', 'swap'] } })
    expect(exchangeOptions('deribit')).toEqual({})
  })

  it('works the same with the full-package import', async () => {
    const ex = await createCcxtFactory({ importMode: 'full' }).create(
      { exchange: 'deribit', endpoint: 'http://127.0.0.1:1' },
      creds
    )
    expect(ex.id).toBe('deribit')
    expect(ex.urls.api).toEqual({ rest: 'http://127.0.0.1:1' })
  })

  it('signs exactly like ccxt documents (test vector from exchanges.md 5.1)', async () => {
    const ex = await createCcxtFactory().create({ exchange: 'deribit' }, creds)
    const fixed = 1700000000000
    Object.assign(ex, { milliseconds: () => fixed, nonce: () => fixed })
    const signed = ex.sign('get_access_log', 'private', 'GET', { count: 10 }) as {
      url: string
      headers: Record<string, string>
    }
    expect(signed.url).toBe('https://www.deribit.com/api/v2/private/get_access_log?count=10')
    expect(signed.headers.Authorization).toContain(
      'sig=981fbbd3971555b9b9bd6192719846b951594c9978a93dc6a737f66a7536e073'
    )
  })
})

describe('pointApiAt', () => {
  it('rewrites nested maps and templated hosts and leaves non-URLs alone', () => {
    expect(
      pointApiAt(
        {
          a: 'https://api.{hostname}/v5',
          b: { c: 'http://x.example/p?q=1' },
          n: 3,
          list: ['https://y/z']
        },
        'http://h:1/pre'
      )
    ).toEqual({
      a: 'http://h:1/pre/v5',
      b: { c: 'http://h:1/pre/p?q=1' },
      n: 3,
      list: ['http://h:1/pre/z']
    })
  })
})
