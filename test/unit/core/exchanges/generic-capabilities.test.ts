/**
 * The capability matrix for exchanges served by the generic connector, from real ccxt instances'
 * `has` flags (no network: instances are only constructed), and the registry's fallback.
 */
import type { Exchange } from 'ccxt'
import { beforeAll, describe, expect, it } from 'vitest'

import { createCcxtFactory, listExchangeIds } from '../../../../main/core/exchanges/ccxt-factory'
import type { Capability } from '../../../../main/core/exchanges/connector'
import {
  argumentNeeds,
  capabilitiesFor,
  ccxtExchangeIds,
  exchangeFacts,
  manualRevokeStep,
  type HasFlags
} from '../../../../main/core/exchanges/generic-capabilities'
import {
  capabilitiesOf,
  createConnector,
  isSupportedExchange,
  UnsupportedExchangeError
} from '../../../../main/core/exchanges/registry'
import { silentLogger, systemClock } from '../../../../main/core/ports'

const IDS = [
  'loginHistory',
  'keyList',
  'selfKeyInfo',
  'revokeKey',
  'cancelAll',
  'orders',
  'fills',
  'withdrawals',
  'addressBook',
  'positions',
  'deadMan'
]

const instances = new Map<string, Exchange>()
const has = (id: string): HasFlags => instances.get(id)!.has as HasFlags
const matrix = (id: string): Record<string, Capability> =>
  Object.fromEntries(capabilitiesFor(id, has(id)).map((c) => [c.id, c]))

beforeAll(async () => {
  const factory = createCcxtFactory()
  for (const id of [
    'kraken',
    'coinbase',
    'kucoin',
    'gate',
    'binance',
    'okx',
    'bitfinex',
    'htx',
    'zaif'
  ])
    instances.set(id, await factory.create({ exchange: id }, { apiKey: '', secret: '' }))
})

describe('capabilitiesFor with real ccxt has-flags', () => {
  it('always answers the same eleven questions, each with a plain sentence', () => {
    for (const id of instances.keys()) {
      const caps = capabilitiesFor(id, has(id))
      expect(caps.map((c) => c.id)).toEqual(IDS)
      for (const c of caps) {
        expect(c.note.length).toBeGreaterThan(20)
        expect(c.note).not.toMatch(/undefined|null|\[object/)
      }
      // Nothing the generic connector cannot do is claimed.
      for (const never of ['loginHistory', 'revokeKey', 'addressBook'])
        expect(caps.find((c) => c.id === never)!.supported, `${id} ${never}`).toBe(false)
      // Key endpoints are read only where key-info.ts has a parser (Kraken, Bitget, HTX).
      const reads = ['kraken', 'bitget', 'htx'].includes(id)
      expect(caps.find((c) => c.id === 'selfKeyInfo')!.supported, `${id} selfKeyInfo`).toBe(reads)
      expect(caps.find((c) => c.id === 'keyList')!.supported, `${id} keyList`).toBe(id === 'htx')
    }
  })

  it('Kraken: no login history, key info read, cancel-all ignores the symbol, dead-man', () => {
    const k = matrix('kraken')
    expect(k.loginHistory!.note).toBe(
      'Kraken does not publish login history over its API: Vigil infers compromise from orders, trades, withdrawals and balance moves.'
    )
    expect(k.selfKeyInfo).toMatchObject({ supported: true })
    expect(k.selfKeyInfo!.note).toMatch(/Vigil reads its key's .*\(GetApiKeyInfo\)/)
    expect(k.keyList!.supported).toBe(false)
    expect(k.cancelAll).toMatchObject({ supported: true })
    expect(k.cancelAll!.note).toMatch(/ignores a symbol and always cancels everything/)
    expect(k.deadMan).toMatchObject({ supported: true })
    expect(k.deadMan!.note).toMatch(/cancelAllOrdersAfter/)
    expect(k.revokeKey!.note).toMatch(
      /no API to revoke.*https:\/\/www\.kraken\.com\/u\/security\/api/
    )
    expect(k.addressBook!.note).toMatch(/WithdrawAddresses/)
  })

  it('Coinbase: no cancelAllOrders, so open orders are cancelled in batches; no dead-man', () => {
    const c = matrix('coinbase')
    expect(has('coinbase').cancelAllOrders).toBeFalsy()
    expect(c.cancelAll).toMatchObject({ supported: true })
    expect(c.cancelAll!.note).toMatch(/no cancel-all call.*in batches/)
    expect(c.deadMan!.supported).toBe(false)
    expect(c.selfKeyInfo!.note).toMatch(/key_permissions/)
  })

  it('KuCoin: cancel-all ignores the symbol; only sub-account keys can be deleted by API', () => {
    const k = matrix('kucoin')
    expect(k.cancelAll!.note).toMatch(/ignores a symbol/)
    expect(k.revokeKey!.note).toMatch(/sub-account keys only/)
    expect(exchangeFacts('kucoin').cancelAllIgnoresSymbol).toBe(true)
  })

  it('Gate: lists every main key (main_keys) but Vigil does not read it yet', () => {
    const g = matrix('gate')
    expect(g.keyList!.note).toMatch(/main_keys.*does not read it yet/)
    expect(g.keyList!.supported).toBe(false)
    expect(g.cancelAll!.note).toMatch(/One call cancels all open orders/)
  })

  it('Binance-style: cancel-all needs a symbol, trades per market', () => {
    const b = matrix('binance')
    expect(argumentNeeds('binance').symbol.has('cancelAllOrders')).toBe(true)
    expect(b.cancelAll!.note).toMatch(/one market at a time/)
    expect(b.fills!.note).toMatch(/per market only/)
    expect(b.orders!.note).toMatch(/closed ones per market/)
  })

  it('OKX-style: no cancelAllOrders at all: batches, then trigger orders; dead-man available', () => {
    expect(has('okx').cancelAllOrders).toBe(false)
    const o = matrix('okx')
    expect(o.cancelAll).toMatchObject({ supported: true })
    expect(o.cancelAll!.note).toMatch(
      /no cancel-all call.*in batches, then the trigger \(algo\) orders/
    )
    expect(o.deadMan!.supported).toBe(true)
  })

  it('Bitfinex: a documented login-history endpoint is named, and said to be unread', () => {
    expect(matrix('bitfinex').loginHistory!.note).toMatch(
      /documents a login history endpoint \(POST v2\/auth\/r\/logins\/hist\), but Vigil does not read it yet/
    )
  })

  it('HTX lists every key; an exchange outside the table gets no invented URL', () => {
    expect(matrix('htx').keyList!.note).toMatch(/Vigil reads every key.*\/v2\/user\/api-key/)
    expect(matrix('htx').keyList!.supported).toBe(true)
    expect(matrix('htx').selfKeyInfo!.supported).toBe(true)
    const z = matrix('zaif')
    expect(z.revokeKey!.note).toMatch(/on Zaif's API management page/)
    expect(manualRevokeStep('zaif', '…abcd')).toMatch(
      /open Zaif's API management page \(usually under Account or Security → API\), and delete the API key ending in …abcd/
    )
  })

  it('an exchange that cannot list or cancel orders says so', () => {
    const caps = Object.fromEntries(
      capabilitiesFor('someexchange', { fetchBalance: true }).map((c) => [c.id, c])
    )
    expect(caps.cancelAll).toMatchObject({ supported: false })
    expect(caps.cancelAll!.note).toMatch(/cancel them on the website/)
    expect(caps.orders!.supported).toBe(false)
    expect(caps.withdrawals!.note).toMatch(/balance drops/)
    expect(caps.positions!.supported).toBe(false)
  })
})

describe('registry fallback', () => {
  it('every ccxt id is supported, synchronously; others are not', async () => {
    expect([...ccxtExchangeIds()].sort()).toEqual([...(await listExchangeIds())].sort())
    for (const id of ['kraken', 'deribit', 'bybit', 'binance', 'okx', 'zaif'])
      expect(isSupportedExchange(id), id).toBe(true)
    for (const id of ['bitmex', 'nope', '', '../base/Exchange'])
      expect(isSupportedExchange(id), id).toBe(false)
  })

  it('routes any other ccxt exchange to the generic connector, refuses unknown ids', () => {
    const deps = { clock: systemClock, logger: silentLogger }
    const kraken = createConnector(
      instances.get('kraken')!,
      { id: 'k', exchange: 'kraken', selfKeyId: null },
      deps
    )
    expect(kraken.exchange).toBe('kraken')
    expect(kraken.capabilities()).toEqual(capabilitiesFor('kraken', has('kraken')))
    expect(() =>
      createConnector(
        instances.get('kraken')!,
        { id: 'x', exchange: 'nope', selfKeyId: null },
        deps
      )
    ).toThrow(UnsupportedExchangeError)
  })

  it('capabilitiesOf answers before any key is added, deep exchanges from their connector', async () => {
    const kraken = await capabilitiesOf('kraken')
    expect(kraken.find((c) => c.id === 'loginHistory')!.supported).toBe(false)
    expect(kraken.find((c) => c.id === 'cancelAll')!.supported).toBe(true)
    const deribit = await capabilitiesOf('deribit')
    expect(deribit.find((c) => c.id === 'loginHistory')!.supported).toBe(true)
    await expect(capabilitiesOf('bitmex')).rejects.toThrow(/BitMEX/)
  })
})
