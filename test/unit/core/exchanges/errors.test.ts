import * as ccxt from 'ccxt'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'

import { ExchangeFault } from '../../../../main/core/exchanges/connector'
import {
  classifyError,
  exchangeReason,
  isRetryable,
  redact,
  retryAfterMs
} from '../../../../main/core/exchanges/errors'

// What ccxt's deribit handleErrors / handleHttpStatusCode put into messages: the exchange id, and
// either the raw JSON-RPC body or "<METHOD> <url> <status> <reason> <body>".
const rpc = (code: number, message: string, data?: Record<string, unknown>): string =>
  'deribit ' +
  JSON.stringify({
    jsonrpc: '2.0',
    error: { message, code, ...(data ? { data } : {}) },
    usIn: 1,
    usOut: 2,
    usDiff: 1,
    testnet: false
  })
const SIGNED_URL =
  'https://api.binance.com/sapi/v1/account/apiRestrictions?timestamp=1700000000000&recvWindow=10000&signature=19cdff7eac438d34ca708abff0e89b58bdb81085a94ad9769ed7f60f3b0e2e10'

describe('classifyError maps every ccxt error class to a fault category', () => {
  const cases: Array<[string, new (m: string) => Error, string]> = [
    ['AuthenticationError', ccxt.AuthenticationError, 'auth'],
    ['PermissionDenied', ccxt.PermissionDenied, 'permission'],
    ['AccountNotEnabled', ccxt.AccountNotEnabled, 'permission'],
    ['AccountSuspended', ccxt.AccountSuspended, 'permission'],
    ['RateLimitExceeded', ccxt.RateLimitExceeded, 'rate-limit'],
    ['DDoSProtection', ccxt.DDoSProtection, 'rate-limit'],
    ['OnMaintenance', ccxt.OnMaintenance, 'maintenance'],
    ['RequestTimeout', ccxt.RequestTimeout, 'transient'],
    ['NetworkError', ccxt.NetworkError, 'transient'],
    ['ExchangeNotAvailable', ccxt.ExchangeNotAvailable, 'transient'],
    ['InvalidNonce', ccxt.InvalidNonce, 'transient'],
    ['BadResponse', ccxt.BadResponse, 'malformed'],
    ['NullResponse', ccxt.NullResponse, 'malformed'],
    ['NotSupported', ccxt.NotSupported, 'unsupported'],
    ['ExchangeError', ccxt.ExchangeError, 'unknown'],
    ['BadRequest', ccxt.BadRequest, 'unknown'],
    ['InsufficientFunds', ccxt.InsufficientFunds, 'unknown'],
    ['OrderNotFound', ccxt.OrderNotFound, 'unknown']
  ]
  for (const [name, Cls, category] of cases) {
    it(`${name} → ${category}`, () => {
      const fault = classifyError(new Cls(rpc(13009, 'unauthorized')), { stream: 'keys' })
      expect(fault).toBeInstanceOf(ExchangeFault)
      expect(fault.category).toBe(category)
      expect(fault.stream).toBe('keys')
    })
  }

  it('recognises a subclass it has no entry for by walking the prototype chain', () => {
    class MyAuth extends ccxt.PermissionDenied {
      constructor(m: string) {
        super(m)
        this.name = 'SomethingNew'
      }
    }
    expect(classifyError(new MyAuth('x')).category).toBe('permission')
  })

  it('maps non-ccxt failures: zod shape errors and JSON syntax errors are malformed, socket errors transient', () => {
    const zodError = z.object({ a: z.number() }).safeParse({ a: 'x' }).error
    expect(classifyError(zodError).category).toBe('malformed')
    let syntax: unknown
    try {
      JSON.parse('{"result":{"records_total":12,"data":[{"timestamp":17')
    } catch (e) {
      syntax = e
    }
    expect(classifyError(syntax).category).toBe('malformed')
    expect(
      classifyError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })).category
    ).toBe('transient')
    expect(classifyError('something odd').category).toBe('unknown')
  })

  it('passes an ExchangeFault through, filling in the stream', () => {
    const original = new ExchangeFault('malformed', 'bad shape')
    const out = classifyError(original, { stream: 'fills:BTC' })
    expect(out.category).toBe('malformed')
    expect(out.stream).toBe('fills:BTC')
    const already = new ExchangeFault('auth', 'x', 'keys')
    expect(classifyError(already, { stream: 'other' })).toBe(already)
  })

  it('marks only transient and rate-limit faults as retryable', () => {
    expect(isRetryable(classifyError(new ccxt.RequestTimeout('t')))).toBe(true)
    expect(isRetryable(classifyError(new ccxt.DDoSProtection('t')))).toBe(true)
    expect(isRetryable(classifyError(new ccxt.AuthenticationError('t')))).toBe(false)
    expect(isRetryable(classifyError(new ccxt.BadResponse('t')))).toBe(false)
  })
})

describe('fault messages are plain and never leak credentials or signed URLs', () => {
  it("keeps Deribit's own reason and code", () => {
    const fault = classifyError(
      new ccxt.AuthenticationError(rpc(13009, 'unauthorized', { reason: 'invalid signature' })),
      {
        exchangeName: 'Deribit'
      }
    )
    expect(fault.message).toMatch(/^Deribit: the exchange rejected the API key/)
    expect(fault.message).toContain('unauthorized: invalid signature')
    expect(fault.message).toContain('code 13009')
  })

  it('drops the request URL with its signature, and header dumps', () => {
    const message =
      `binance GET ${SIGNED_URL} 401 Unauthorized {"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."}` +
      ' headers: {"X-MBX-APIKEY":"vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"}'
    const fault = classifyError(new ccxt.AuthenticationError(message), { exchangeName: 'Binance' })
    expect(fault.message).not.toContain('signature')
    expect(fault.message).not.toContain('19cdff7e')
    expect(fault.message).not.toContain('vmPUZE6mv9')
    expect(fault.message).not.toContain('http')
    expect(fault.message).toContain('Invalid API-key, IP, or permissions for action.')
    expect(fault.message).toContain('code -2015')
  })

  it('keeps no URL from a network error', () => {
    const fault = classifyError(
      new ccxt.NetworkError(
        `deribit GET http://127.0.0.1:4100/deribit/api/v2/private/get_access_log?count=100&offset=0 fetch failed`
      )
    )
    expect(fault.category).toBe('transient')
    expect(fault.message).not.toMatch(/127\.0\.0\.1|get_access_log|count=/)
  })

  it('redacts credential-looking pairs and opaque tokens', () => {
    expect(redact('apiKey=TiA4AyLPq3 secret: "SjM57m1T2CfXZ4vZ76X1APjqRlJdtzHI8IwVXoQnfoM"')).toBe(
      'apiKey=[redacted] secret=[redacted]'
    )
    expect(redact('Authorization: deri-hmac-sha256 id=abc,ts=1,sig=ff00')).not.toContain('sig=ff00')
    expect(redact('security_key_authorization_required')).toBe(
      'security_key_authorization_required'
    )
    expect(redact('x'.repeat(500)).length).toBeLessThanOrEqual(160)
  })

  it("unknown errors without a JSON body keep a redacted hint, without ccxt's URL prefix", () => {
    const fault = classifyError(new ccxt.ExchangeError(`deribit GET ${SIGNED_URL} something broke`))
    expect(fault.category).toBe('unknown')
    expect(fault.message).toContain('something broke')
    expect(fault.message).not.toContain('binance.com')
  })
})

describe('retry-after', () => {
  it('comes from a Retry-After header in seconds or as an HTTP date', () => {
    expect(retryAfterMs({ 'Retry-After': '3' }, '')).toBe(3000)
    const now = Date.UTC(2026, 0, 1)
    expect(retryAfterMs({ 'retry-after': new Date(now + 5000).toUTCString() }, '', now)).toBe(5000)
    expect(retryAfterMs(undefined, 'too many requests, retry after 250 ms')).toBe(250)
  })

  it('is attached to rate-limit faults', () => {
    const fault = classifyError(new ccxt.RateLimitExceeded(rpc(10028, 'too_many_requests')), {
      headers: { 'Retry-After': '2' }
    })
    expect(fault.category).toBe('rate-limit')
    expect(fault.retryAfterMs).toBe(2000)
    expect(classifyError(new ccxt.RateLimitExceeded('x')).retryAfterMs).toBeUndefined()
  })
})

describe('exchangeReason', () => {
  it('reads nested JSON-RPC errors and flat {code,msg} bodies', () => {
    expect(exchangeReason(rpc(13403, 'scope_exceeded'))).toEqual({
      code: '13403',
      text: 'scope_exceeded'
    })
    expect(exchangeReason('bybit {"retCode":10003,"retMsg":"API key is invalid."}')).toEqual({
      code: '10003',
      text: 'API key is invalid.'
    })
    expect(exchangeReason('kraken {"error":["EAPI:Invalid key"]}').text).toBe('EAPI:Invalid key')
    expect(exchangeReason('no json here')).toEqual({ code: undefined, text: undefined })
  })
})
