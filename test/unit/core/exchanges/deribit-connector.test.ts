/**
 * The Deribit connector with a real ccxt instance over a real local socket, answering situations
 * that are hard to produce in the simulator: one stream malformed while the others work, a
 * security-key challenge, a scope error, a transient failure in the kill switch.
 */
import * as ccxt from 'ccxt'
import { afterEach, describe, expect, it } from 'vitest'

import { englishText, formatMessage } from '../../../../main/api/messages'
import { pointApiAt } from '../../../../main/core/exchanges/ccxt-factory'
import type { Connector, Cursors } from '../../../../main/core/exchanges/connector'
import { createDeribitConnector } from '../../../../main/core/exchanges/deribit'
import { silentLogger, type Clock } from '../../../../main/core/ports'
import {
  marketRoutes,
  startFixtureServer,
  type FixtureHandler,
  type FixtureServer
} from './deribit-fixture-server'

const NOW = Date.UTC(2026, 10, 22, 12)
const SELF_CLIENT = 'guardianKEY1'

/** Time stands still unless a test moves it; waits (retry backoff) pass at once. */
class InstantClock implements Clock {
  constructor(public current = NOW) {}
  now(): number {
    return this.current
  }
  setTimeout(fn: () => void): () => void {
    const h = setImmediate(fn)
    return () => clearImmediate(h)
  }
}

const key = (id: number, clientId: string, extra: Record<string, unknown> = {}) => ({
  id,
  client_id: clientId,
  client_secret: `secret-of-${clientId}-0123456789abcdef`,
  name: '',
  max_scope: 'account:read_write trade:read_write wallet:read',
  enabled: true,
  timestamp: NOW - 30 * 86_400_000 + id,
  enabled_features: [],
  ...extra
})

const emptyRoutes: Record<string, FixtureHandler> = {
  ...marketRoutes,
  'public/get_index_price': (q) => ({
    result: {
      index_price: q.get('index_name') === 'btc_usd' ? 50000 : 3000,
      estimated_delivery_price: 0
    }
  }),
  'private/list_api_keys': () => ({ result: [key(1, SELF_CLIENT)] }),
  'private/get_access_log': () => ({ result: { records_total: 0, data: [] } }),
  'private/get_account_summaries': () => ({
    result: {
      summaries: [
        { currency: 'BTC', balance: 2, equity: 2 },
        { currency: 'ETH', balance: 0, equity: 0 }
      ]
    }
  }),
  'private/get_positions': () => ({ result: [] }),
  'private/get_open_orders_by_currency': () => ({ result: [] }),
  'private/get_order_history_by_currency': () => ({ result: [] }),
  'private/get_user_trades_by_currency_and_time': () => ({
    result: { trades: [], has_more: false }
  }),
  'private/get_withdrawals': () => ({ result: { count: 0, data: [] } }),
  'private/get_address_book': () => ({ result: [] })
}

let server: FixtureServer | null = null
let connector: Connector | null = null

afterEach(async () => {
  await connector?.close()
  await server?.close()
  server = null
  connector = null
})

const setup = async (routes: Record<string, FixtureHandler>, clock = new InstantClock()) => {
  server = await startFixtureServer({ ...emptyRoutes, ...routes })
  const exchange = new ccxt.deribit({ apiKey: SELF_CLIENT, secret: 's', enableRateLimit: false })
  exchange.urls.api = pointApiAt(exchange.urls.api, server.url)
  connector = createDeribitConnector(
    exchange,
    { id: 'acc', exchange: 'deribit', selfKeyId: null },
    { clock, logger: silentLogger, options: { coldEvery: 1 } }
  )
  return { server, connector, clock }
}

const loginEntry = (id: number, ts: number, log = 'success') => ({
  id,
  timestamp: ts,
  ip: '84.17.32.10',
  country: 'Germany',
  city: 'Berlin',
  log,
  result: log
})

describe('streams', () => {
  it('a truncated access-log body fails only that stream; its cursor stays and nothing is lost', async () => {
    let broken = true
    const log = [loginEntry(12, NOW - 1000), loginEntry(11, NOW - 2000, 'failure')]
    const withdrawals = [
      {
        id: 7,
        currency: 'BTC',
        address: 'bc1qhome',
        amount: 0.1,
        state: 'completed',
        created_timestamp: NOW - 500,
        updated_timestamp: NOW - 400,
        fee: 0.0001,
        transaction_id: null
      }
    ]
    const { connector } = await setup({
      'private/get_access_log': () =>
        broken
          ? { raw: '{"jsonrpc":"2.0","result":{"records_total":12,"data":[{"timestamp":17' }
          : { result: { records_total: log.length, data: log } },
      'private/get_withdrawals': (q) => ({
        result: { count: 1, data: q.get('currency') === 'BTC' ? withdrawals : [] }
      })
    })
    const cursors: Cursors = { accessLog: '10@0', 'withdrawals:BTC': `${NOW - 10_000}|` }
    const first = await connector.poll(cursors)
    expect(first.errors.map((e) => [e.stream, e.fault.category])).toEqual([
      ['accessLog', 'malformed']
    ])
    expect(first.errors[0]!.fault.message).toMatch(/Deribit: .*access log/)
    expect(first.cursors.accessLog).toBe('10@0')
    expect(first.keys).toHaveLength(1)
    expect(first.balances).toEqual([
      { currency: 'BTC', total: 2, usdValue: 100000 },
      { currency: 'ETH', total: 0, usdValue: 0 }
    ])
    expect(first.events.map((e) => [e.type, e.exchangeRecordId])).toEqual([['withdrawal.new', '7']])
    expect(first.openOrders).toBe(0)

    broken = false
    const second = await connector.poll({ ...cursors, ...first.cursors })
    expect(second.errors).toEqual([])
    expect(second.events.map((e) => [e.type, e.exchangeRecordId])).toEqual([
      ['login.failure', '11'],
      ['login.success', '12']
    ])
    expect(second.cursors.accessLog).toBe(`12@${NOW - 1000}`)
    const third = await connector.poll({ ...cursors, ...first.cursors, ...second.cursors })
    expect(third.events).toEqual([])
  })

  it('a stream that fails during backfill resumes from the backfill start, not from now', async () => {
    let broken = true
    const old = [loginEntry(3, NOW - 30 * 86_400_000)]
    const { connector } = await setup({
      'private/get_access_log': () =>
        broken ? { status: 502, raw: 'Bad Gateway' } : { result: old }
    })
    const since = NOW - 90 * 86_400_000
    const backfill = await connector.backfill({ since })
    expect(backfill.errors.map((e) => [e.stream, e.fault.category])).toEqual([
      ['accessLog', 'transient']
    ])
    expect(backfill.cursors.accessLog).toBe(`-1@${since}`)
    expect(backfill.cursors['orders:BTC']).toMatch(/^\d+\|/)
    broken = false
    const next = await connector.poll(backfill.cursors)
    expect(next.events.map((e) => e.exchangeRecordId)).toEqual(['3'])
  })

  it('without a market list, order and fill streams wait (no raw instrument names leak out)', async () => {
    let down = true
    const order = {
      order_id: 'BTC-5',
      instrument_name: 'BTC-PERPETUAL',
      direction: 'buy',
      order_type: 'limit',
      order_state: 'open',
      amount: 100,
      price: 40000,
      creation_timestamp: NOW - 100,
      last_update_timestamp: NOW - 100,
      web: true,
      api: false
    }
    const { connector } = await setup({
      'public/get_instruments': (q) =>
        down ? { status: 502, raw: 'Bad Gateway' } : marketRoutes['public/get_instruments']!(q),
      'private/get_open_orders_by_currency': (q) => ({
        result: q.get('currency') === 'BTC' ? [order] : []
      })
    })
    const first = await connector.poll({})
    expect(first.errors.map((e) => e.stream).sort()).toEqual([
      'fills:BTC',
      'fills:ETH',
      'orders:BTC',
      'orders:ETH'
    ])
    expect(first.errors[0]!.fault.message).toMatch(/market list unavailable/)
    expect(first.keys).toBeDefined()
    down = false
    const second = await connector.poll(first.cursors)
    expect(second.errors).toEqual([])
    expect(second.events).toMatchObject([
      {
        type: 'order.new',
        exchangeRecordId: 'BTC-5',
        data: { symbol: 'BTC/USD:BTC', origin: 'web', notionalUsd: 100 }
      }
    ])
  })

  it('a wrong shape on one currency fails only that stream', async () => {
    const { connector } = await setup({
      'private/get_open_orders_by_currency': (q) =>
        q.get('currency') === 'ETH' ? { result: { orders: 'nope' } } : { result: [] }
    })
    const r = await connector.poll({})
    expect(r.errors.map((e) => [e.stream, e.fault.category])).toEqual([['orders:ETH', 'malformed']])
    expect(r.cursors['orders:ETH']).toBeUndefined()
    expect(r.cursors['orders:BTC']).toBeDefined()
    expect(r.openOrders).toBeUndefined()
  })

  it('an auth failure stops the poll early and names every stream it could not read', async () => {
    const { connector, server } = await setup({
      'private/list_api_keys': () => ({
        status: 400,
        error: { code: 13009, message: 'unauthorized' }
      })
    })
    const r = await connector.poll({})
    expect(r.errors[0]).toMatchObject({ stream: 'keys', fault: { category: 'auth' } })
    expect(r.errors.every((e) => e.fault.category === 'auth')).toBe(true)
    expect(r.errors.map((e) => e.stream)).toContain('orders:BTC')
    expect(server.calls.filter((c) => c.startsWith('private/')).length).toBe(1)
  })

  it('never keeps client_secret: not in results, not in ccxt caches', async () => {
    const { connector } = await setup({
      'private/list_api_keys': () => ({ result: [key(1, SELF_CLIENT), key(2, 'otherKEY2')] })
    })
    const r = await connector.poll({})
    expect(JSON.stringify(r)).not.toContain('secret-of-')
    expect(r.keys?.find((k) => k.self)?.keyId).toBe('1')
  })
})

describe('kill switch', () => {
  it('cancels, disables other keys unknown-first, reports challenges and scope errors as manual steps', async () => {
    let open = [
      {
        order_id: 'BTC-1',
        instrument_name: 'BTC-PERPETUAL',
        direction: 'buy',
        order_type: 'limit',
        order_state: 'open',
        amount: 100,
        price: 40000,
        creation_timestamp: NOW - 5000,
        last_update_timestamp: NOW - 5000,
        web: false,
        api: true
      }
    ]
    const keys = [
      key(1, SELF_CLIENT),
      key(2, 'traderBOT2', { name: 'my bot' }),
      key(3, 'keptKEY3'),
      key(4, 'challengeK4'),
      key(5, 'scopeKEY5'),
      key(6, 'alreadyOFF', { enabled: false })
    ]
    const disabled: string[] = []
    const { connector } = await setup({
      'private/list_api_keys': () => ({ result: keys }),
      'private/get_open_orders_by_currency': (q) => ({
        result: q.get('currency') === 'BTC' ? open : []
      }),
      'private/cancel_all': () => {
        const n = open.length
        open = []
        return { result: n }
      },
      'private/disable_api_key': (q) => {
        const id = Number(q.get('id'))
        if (id === 4)
          return {
            result: {
              security_key_authorization_required: true,
              challenge: 'c2VjcmV0',
              rp_id: 'www.deribit.com'
            }
          }
        if (id === 5) return { status: 400, error: { code: 13403, message: 'scope_exceeded' } }
        disabled.push(String(id))
        const k = keys.find((x) => x.id === id)!
        k.enabled = false
        return { result: { ...k } }
      }
    })
    // The first poll fixes the baseline: keys 1-6 are the trader's. A new key appears afterwards.
    await connector.poll({})
    keys.push(key(7, 'attackerK7'))
    const steps: string[] = []
    const r = await connector.killSwitch({
      includeGuardianKey: false,
      keepKeyIds: ['3'],
      onStep: (s) => steps.push(s.action)
    })

    expect(r.ordersCancelled).toBe(1)
    expect(r.ordersRemaining).toBe(0)
    expect(disabled).toEqual(['7', '2'])
    expect(r.keysDisabled).toEqual(['7', '2'])
    expect(r.key).toBe('manual-revoke-required')
    expect(r.contained).toBe(false)
    expect(r.manualUrl).toBe('https://www.deribit.com/account/BTC/api')
    expect(r.manualSteps.join('\n')).toMatch(/key 4.*security-key or 2FA/)
    expect(r.manualSteps.join('\n')).toMatch(/key 5/)
    expect(r.manualSteps.join('\n')).toMatch(/account:read_write/)
    expect(r.manualSteps.join('\n')).not.toMatch(/key 3\b/)
    expect(steps[0]).toBe('cancel-all')
    expect(steps).toContain('read-back-keys')
    expect(steps.filter((s) => s.startsWith('disable-key'))).toEqual([
      // unknown (new since the first poll) first, then the rest newest first
      'disable-key 7',
      'disable-key 5',
      'disable-key 4',
      'disable-key 2'
    ])
    expect(r.steps.find((s) => s.action === 'disable-key 5')).toMatchObject({
      ok: false,
      attempts: 1
    })
    expect(JSON.stringify(r)).not.toMatch(/secret-of-|guardianKEY1|c2VjcmV0/)
    expect(disabled).not.toContain('1')
  })

  it('retries a transient failure, disables the guardian key last when asked, and is harmless twice', async () => {
    let cancelCalls = 0
    const keys = [key(1, SELF_CLIENT), key(2, 'otherKEY2')]
    const order: string[] = []
    const { connector } = await setup({
      'private/list_api_keys': () => {
        order.push('list')
        return { result: keys }
      },
      'private/cancel_all': () =>
        ++cancelCalls === 1 ? { status: 502, raw: '<html>502 Bad Gateway</html>' } : { result: 0 },
      'private/disable_api_key': (q) => {
        const k = keys.find((x) => x.id === Number(q.get('id')))!
        k.enabled = false
        order.push(`disable ${k.id}`)
        return { result: { ...k } }
      }
    })
    const r = await connector.killSwitch({ includeGuardianKey: true })
    expect(r.steps.find((s) => s.action === 'cancel-all')).toMatchObject({ ok: true, attempts: 2 })
    expect(r.keysDisabled).toEqual(['2', '1'])
    expect(order.at(-1)).toBe('disable 1')
    expect(order.indexOf('disable 1')).toBeGreaterThan(order.lastIndexOf('list'))
    expect(r.key).toBe('disabled')
    expect(r.contained).toBe(true)
    expect(r.manualSteps).toEqual([])

    const again = await connector.killSwitch({ includeGuardianKey: true })
    expect(again.keysDisabled).toEqual([])
    expect(again.key).toBe('unchanged')
    expect(again.contained).toBe(true)
    expect(again.errors).toEqual([])
  })

  it('disableKeys refuses the guardian key and reports per key', async () => {
    const keys = [key(1, SELF_CLIENT), key(2, 'otherKEY2')]
    const { connector } = await setup({
      'private/list_api_keys': () => ({ result: keys }),
      'private/disable_api_key': (q) => {
        const k = keys.find((x) => x.id === Number(q.get('id')))
        if (!k)
          return {
            status: 400,
            error: {
              code: -32602,
              message: 'Invalid params',
              data: { reason: 'api key not found', param: 'id' }
            }
          }
        k.enabled = false
        return { result: { ...k } }
      }
    })
    await connector.poll({})
    const r = await connector.disableKeys(['2', '1', '99', 'abc'])
    expect(r.disabled).toEqual(['2'])
    expect(r.failed.map((f) => f.keyId)).toEqual(['1', '99', 'abc'])
    expect(r.failed[0]!.error).toMatch(/Vigil itself uses/)
    expect(r.failed[1]!.error).toMatch(/api key not found/)
    // The reasons travel as descriptors too: Vigil's own key in Chinese, Deribit's text verbatim.
    expect(formatMessage('zh-CN', r.failed[0]!.errorMsg!)).toBe(
      '这是 Vigil 自己使用的密钥；停用它会停止所有监控。如需停用，请在紧急熔断中选择包括 Vigil 自己的密钥。'
    )
    expect(formatMessage('zh-TW', r.failed[1]!.errorMsg!)).toContain('api key not found')
    r.failed.forEach((f) => expect(englishText(f.errorMsg!)).toBe(f.error))
  })
})
