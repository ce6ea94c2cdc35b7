/**
 * Contract tests: Deribit's documented example responses (shared/fixtures/exchange-docs) run
 * through the parsers the connector uses, plus the variants the docs disagree about and broken
 * payloads.
 */
import { readFileSync } from 'node:fs'

import { describe, expect, it } from 'vitest'

import { ExchangeFault } from '../../../../main/core/exchanges/connector'
import {
  accessLogEvent,
  hint,
  notionalUsd,
  orderData,
  parseAccessLog,
  parseAddressBook,
  parseApiKeys,
  parseCancelCount,
  parseKeyAction,
  parseOrders,
  parsePositions,
  parseSummaries,
  parseTrades,
  parseWithdrawals,
  positionData,
  type KnownKey
} from '../../../../main/core/exchanges/deribit-parse'

const FIXTURES = '/work/shared/fixtures/exchange-docs'
const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(`${FIXTURES}/${name}`, 'utf8')) as Record<string, unknown>

const accessLogDocs = fixture('deribit-private-get_access_log.json')
const apiKeysDocs = fixture('deribit-private-list_api_keys.json')

/** The OpenAPI-schema shape of the same log: event under `log`, `result` a plain array. */
const accessLogSchemaShape = (): Record<string, unknown> => {
  const docs = structuredClone(accessLogDocs) as {
    result: { data: Array<Record<string, unknown>> }
  }
  return {
    ...docs,
    result: docs.result.data.map(({ result, ...rest }) => ({ ...rest, log: result }))
  }
}

const malformedFault = (fn: () => unknown): ExchangeFault => {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(ExchangeFault)
    expect((error as ExchangeFault).category).toBe('malformed')
    return error as ExchangeFault
  }
  throw new Error('expected a malformed fault')
}

describe('access log', () => {
  it('parses the docs example (`result` field, {records_total, data} envelope)', () => {
    const entries = parseAccessLog(accessLogDocs)
    expect(entries.map((e) => e.id)).toEqual(['45', '44', '43'])
    const events = entries.map((e) => accessLogEvent(e, 'acc'))
    expect(events.map((e) => e.type)).toEqual([
      'login.success',
      'login.success',
      'security.twofa_disabled'
    ])
    expect(events[0]).toMatchObject({
      accountId: 'acc',
      kind: 'login',
      exchangeRecordId: '45',
      ts: 1575876682576,
      data: { ip: '127.0.0.1', success: true, country: null, city: null }
    })
    expect(events[2]).toMatchObject({
      kind: 'security',
      exchangeRecordId: '43',
      data: { event: 'disabled_tfa' }
    })
  })

  it('parses the schema shape (`log` field, plain array) to the same events', () => {
    const a = parseAccessLog(accessLogDocs).map((e) => accessLogEvent(e, 'acc'))
    const b = parseAccessLog(accessLogSchemaShape()).map((e) => accessLogEvent(e, 'acc'))
    expect(b).toEqual(a)
  })

  it('prefers `log` when an entry carries both fields (as the simulator serves it)', () => {
    const [entry] = parseAccessLog({
      result: [
        {
          id: 7,
          timestamp: 1,
          ip: '1.2.3.4',
          country: 'Germany',
          city: 'Berlin',
          log: 'failure',
          result: 'failure'
        }
      ]
    })
    const event = accessLogEvent(entry!, 'acc')
    expect(event.type).toBe('login.failure')
    expect(event.data).toMatchObject({ success: false, country: 'Germany', city: 'Berlin' })
  })

  it('maps every documented event value, and keeps unknown ones as security.unknown', () => {
    const values: Record<string, string> = {
      success: 'login.success',
      failure: 'login.failure',
      changed_email: 'security.email_changed',
      changed_password: 'security.password_changed',
      disabled_tfa: 'security.twofa_disabled',
      enabled_tfa: 'security.twofa_enabled',
      enabled_subaccount_login: 'security.subaccount_login_enabled',
      disabled_subaccount_login: 'security.subaccount_login_disabled',
      new_api_key: 'key.created',
      removed_api_key: 'key.removed',
      changed_scope: 'key.changed',
      changed_whitelist: 'key.changed',
      disabled_api_key: 'key.disabled',
      enabled_api_key: 'key.enabled',
      reset_api_key: 'key.changed',
      quantum_login: 'security.unknown'
    }
    const entries = parseAccessLog({
      result: Object.keys(values).map((log, i) => ({
        id: i + 1,
        timestamp: 1000 + i,
        ip: '1.1.1.1',
        country: 'X',
        city: 'Y',
        log
      }))
    })
    const events = entries.map((e) => accessLogEvent(e, 'acc'))
    expect(events.map((e) => e.type)).toEqual(Object.values(values))
    const unknown = events.at(-1)!
    expect(unknown.data).toMatchObject({ event: 'unknown', raw: 'quantum_login' })
  })

  it('gives key events `<logId>#<value>` ids and resolves the key from its client id', () => {
    const known: KnownKey = {
      snapshot: {
        keyId: '9',
        name: 'bot',
        permissions: ['trade:read_write'],
        ipWhitelist: [],
        enabled: true,
        self: false,
        createdAt: 5,
        expiresAt: null,
        thirdParty: false
      },
      clientId: 'AbCdEf12'
    }
    const [entry] = parseAccessLog({
      result: [
        {
          id: 57,
          timestamp: 9,
          ip: '8.8.8.8',
          country: 'NL',
          city: 'Amsterdam',
          log: 'new_api_key',
          data: 'AbCdEf12'
        }
      ]
    })
    const event = accessLogEvent(entry!, 'acc', (ref) => (ref === 'AbCdEf12' ? known : undefined))
    expect(event).toMatchObject({
      kind: 'key',
      type: 'key.created',
      exchangeRecordId: '57#new_api_key',
      data: {
        keyId: '9',
        name: 'bot',
        permissions: ['trade:read_write'],
        change: 'created',
        clientIdHint: '…Ef12'
      }
    })
    expect(event.exchangeRecordId.split('#')[0]).toBe('57')
    // The full client id (key material) is not stored in the event.
    expect(JSON.stringify(event)).not.toContain('AbCdEf12')
    const unresolved = accessLogEvent(entry!, 'acc')
    expect(unresolved.data).toMatchObject({ keyId: 'unknown', clientIdHint: '…Ef12' })
  })

  it('treats Deribit placeholder locations as unknown', () => {
    const [entry] = parseAccessLog(accessLogDocs)
    expect(entry!.country).toBe('Local Country')
    expect(accessLogEvent(entry!, 'a').data).toMatchObject({ country: null, city: null })
  })

  it('rejects malformed and truncated payloads with a malformed fault', () => {
    // What ccxt returns for a body cut off mid-way: the raw text.
    const truncated = '{"jsonrpc":"2.0","result":{"records_total":12,"data":[{"timestamp":17'
    expect(malformedFault(() => parseAccessLog(truncated)).message).toMatch(/not valid JSON/)
    malformedFault(() => parseAccessLog({ jsonrpc: '2.0' }))
    malformedFault(() => parseAccessLog({ result: { records_total: 1 } }))
    malformedFault(() =>
      parseAccessLog({ result: [{ id: 1, timestamp: 'yesterday', log: 'success' }] })
    )
    malformedFault(() => parseAccessLog({ result: [{ id: 1, timestamp: 5 }] }))
    malformedFault(() => parseAccessLog(null))
    const fault = malformedFault(() => parseAccessLog({ result: [{ id: 1 }] }, 'accessLog'))
    expect(fault.stream).toBe('accessLog')
    expect(fault.message).toMatch(/^Deribit: .*access log/)
  })
})

describe('API key list', () => {
  it('parses the docs example, marks the self key and never keeps client_secret', () => {
    const { keys, clientIds } = parseApiKeys(apiKeysDocs, { clientId: 'aD-KFx-H', keyId: null })
    expect(keys).toEqual([
      {
        keyId: '1',
        name: null,
        permissions: ['account:read', 'block_trade:read', 'trade:read_write', 'wallet:read'],
        ipWhitelist: [],
        enabled: false,
        self: false,
        createdAt: 1560236001108,
        expiresAt: null,
        thirdParty: false
      },
      {
        keyId: '2',
        name: null,
        permissions: [
          'account:read_write',
          'block_trade:read_write',
          'trade:read_write',
          'wallet:read_write'
        ],
        ipWhitelist: [],
        enabled: true,
        self: true,
        createdAt: 1560236287708,
        expiresAt: null,
        thirdParty: false
      }
    ])
    const everything = JSON.stringify({ keys, clientIds: [...clientIds] })
    expect(everything).not.toContain('SjM57m1T2CfXZ4vZ76X1APjqRlJdtzHI8IwVXoQnfoM')
    expect(everything).not.toContain('mwNOvbUVyQczytQ5IVM8CbzmgqNJ81WvLKfu6MXcJPs')
    expect(everything).not.toContain('client_secret')
  })

  it('marks self by the recorded key id too, and reads ip_whitelist and names', () => {
    const { keys } = parseApiKeys(
      {
        result: [
          {
            id: 3,
            client_id: 'x',
            name: 'guardian',
            max_scope: 'account:read_write',
            enabled: true,
            timestamp: 1,
            ip_whitelist: ['84.17.32.10']
          }
        ]
      },
      { clientId: null, keyId: '3' }
    )
    expect(keys[0]).toMatchObject({
      keyId: '3',
      name: 'guardian',
      self: true,
      ipWhitelist: ['84.17.32.10']
    })
  })

  it('rejects a key list with a wrong shape', () => {
    malformedFault(() =>
      parseApiKeys(
        { result: [{ id: 1, enabled: 'yes', max_scope: '' }] },
        { clientId: null, keyId: null }
      )
    )
    malformedFault(() => parseApiKeys({ result: { keys: [] } }, { clientId: null, keyId: null }))
  })
})

describe('key actions', () => {
  it('reads the disabled key object, a security-key challenge, and remove_api_key "ok"', () => {
    const disabled = structuredClone((apiKeysDocs.result as unknown[])[1]) as Record<
      string,
      unknown
    >
    disabled.enabled = false
    expect(parseKeyAction({ result: disabled })).toEqual({ kind: 'key', enabled: false })
    expect(
      parseKeyAction({
        result: {
          security_key_authorization_required: true,
          challenge: 'abc',
          rp_id: 'deribit.com'
        }
      })
    ).toEqual({
      kind: 'challenge'
    })
    expect(parseKeyAction({ result: 'ok' })).toEqual({ kind: 'ok' })
    malformedFault(() => parseKeyAction({ result: 42 }))
  })

  it('reads cancel_all counts as number or string', () => {
    expect(parseCancelCount({ result: 3 })).toBe(3)
    expect(parseCancelCount({ result: '1' })).toBe(1)
    malformedFault(() => parseCancelCount({ result: 'many' }))
  })
})

describe('orders, trades, withdrawals, address book, balances, positions', () => {
  const order = {
    web: true,
    api: false,
    reduce_only: false,
    price: 'market_price',
    order_type: 'market',
    order_state: 'filled',
    order_id: 'BTC-1',
    last_update_timestamp: 2000,
    instrument_name: 'BTC-PERPETUAL',
    filled_amount: 1000,
    direction: 'buy',
    creation_timestamp: 1000,
    average_price: 50000,
    amount: 1000
  }

  it('parses orders and computes origin and USD notional (inverse: amount is USD)', () => {
    const [o] = parseOrders({ result: [order] }, 'orders', 'orders:BTC')
    const inverse = { symbol: 'BTC/USD:BTC', inverse: true, option: false, base: 'BTC' }
    expect(orderData(o!, inverse, null)).toEqual({
      orderId: 'BTC-1',
      symbol: 'BTC/USD:BTC',
      side: 'buy',
      type: 'market',
      status: 'filled',
      amount: 1000,
      price: null,
      filled: 1000,
      notionalUsd: 1000,
      reduceOnly: false,
      origin: 'web',
      leverage: null
    })
    const linear = { symbol: 'BTC/USDC:USDC', inverse: false, option: false, base: 'BTC' }
    expect(
      orderData(
        { ...o!, amount: 0.1, price: 60000, average_price: null, web: false, api: true },
        linear,
        null
      )
    ).toMatchObject({
      notionalUsd: 6000,
      origin: 'api',
      price: 60000
    })
    expect(
      notionalUsd({ symbol: 'x', inverse: false, option: true, base: 'BTC' }, 2, 0.05, 60000)
    ).toBe(120000)
    malformedFault(() =>
      parseOrders({ result: [{ ...order, direction: 'up' }] }, 'orders', 'orders:BTC')
    )
  })

  it('parses trades in both envelopes', () => {
    const trade = {
      trade_id: 'BTC-9',
      order_id: 'BTC-1',
      instrument_name: 'BTC-PERPETUAL',
      direction: 'sell',
      amount: 10,
      price: 50000,
      timestamp: 5,
      index_price: 49990,
      mark_price: 50001
    }
    expect(parseTrades({ result: { trades: [trade], has_more: true } }, 'fills:BTC')).toMatchObject(
      { hasMore: true, trades: [{ trade_id: 'BTC-9' }] }
    )
    expect(parseTrades({ result: [trade] }, 'fills:BTC').hasMore).toBe(false)
    malformedFault(() =>
      parseTrades({ result: { trades: [{ ...trade, price: null }] } }, 'fills:BTC')
    )
  })

  it('parses withdrawals, address book, summaries and positions', () => {
    expect(
      parseWithdrawals(
        {
          result: {
            count: 1,
            data: [
              {
                address: 'bc1q',
                amount: 0.5,
                confirmed_timestamp: null,
                created_timestamp: 1,
                currency: 'BTC',
                fee: 0.0001,
                id: 1,
                priority: 0.15,
                state: 'unconfirmed',
                transaction_id: null,
                updated_timestamp: 1
              }
            ]
          }
        },
        'w'
      )
    ).toMatchObject([{ id: '1', state: 'unconfirmed' }])
    expect(
      parseAddressBook(
        {
          result: [
            {
              address: 'bc1qx',
              currency: 'BTC',
              label: 'home',
              type: 'withdrawal',
              creation_timestamp: 3
            }
          ]
        },
        'a'
      )
    ).toHaveLength(1)
    expect(
      parseSummaries({
        result: {
          summaries: [
            { currency: 'BTC', balance: 2.5, equity: 2.6 },
            { currency: 'ETH', balance: 1 }
          ]
        }
      })
    ).toEqual([
      { currency: 'BTC', total: 2.6 },
      { currency: 'ETH', total: 1 }
    ])
    expect(parseSummaries({ result: { currency: 'BTC', balance: 1, equity: 1 } })).toEqual([
      { currency: 'BTC', total: 1 }
    ])
    const [p] = parsePositions({
      result: [
        {
          instrument_name: 'BTC-PERPETUAL',
          size: -50,
          direction: 'sell',
          leverage: 34,
          kind: 'future'
        }
      ]
    })
    expect(positionData('BTC/USD:BTC', p!)).toEqual({
      symbol: 'BTC/USD:BTC',
      side: 'short',
      size: 50,
      leverage: 34
    })
    expect(positionData('BTC/USD:BTC', null).side).toBe('flat')
    malformedFault(() => parseWithdrawals({ result: [] }, 'w'))
    malformedFault(() => parseAddressBook({ result: [{ label: 'no address' }] }, 'a'))
  })

  it('accepts numbers that ccxt re-quoted as strings', () => {
    const [o] = parseOrders(
      {
        result: [
          { ...order, amount: '1000', creation_timestamp: '1000', last_update_timestamp: '2000' }
        ]
      },
      'o',
      'o'
    )
    expect(o!.amount).toBe(1000)
  })
})

describe('hint', () => {
  it('keeps only the last four characters', () => {
    expect(hint('aD-KFx-H')).toBe('…Fx-H')
    expect(hint('abc')).toBe('…')
  })
})
