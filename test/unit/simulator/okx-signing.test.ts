// The OKX verifier must accept exactly what ccxt signs: checked against the vectors captured from
// ccxt in shared/reference/exchanges.md section 5.1 (TESTKEY / TESTSECRET / TESTPASS, clock frozen
// at 1700000000000 ms, i.e. OK-ACCESS-TIMESTAMP 2023-11-14T22:13:20.000Z).
import { describe, expect, it } from 'vitest'

import {
  okxKeyFingerprint,
  okxPerms,
  okxSignature,
  parseOkxTimestamp,
  passphraseMatches,
  readOkxHeaders,
  verifyOkxSignature
} from '../../../main/simulator/dialects/okx-auth'

const TS = '2023-11-14T22:13:20.000Z'
const vectors = [
  {
    method: 'GET',
    requestPath: '/api/v5/account/config',
    body: '',
    sign: 'g0KJszC35EU8rTv94Rs1C1bEIJxB+rsmwy/fm3bVwz8='
  },
  {
    method: 'POST',
    requestPath: '/api/v5/trade/cancel-all-after',
    body: '{"timeOut":"60"}',
    sign: 'l6pTqqzf85L+/y2aHXwjORi1DpflpPZzYMftv6FI/UU='
  }
]

describe('OKX OK-ACCESS-SIGN', () => {
  it.each(vectors)(
    'signs $method $requestPath like ccxt',
    ({ method, requestPath, body, sign }) => {
      expect(okxSignature({ secret: 'TESTSECRET', timestamp: TS, method, requestPath, body })).toBe(
        sign
      )
    }
  )

  it.each(vectors)('verifies the signature ccxt sends for $method $requestPath', (v) => {
    expect(
      verifyOkxSignature(v.sign, {
        secret: 'TESTSECRET',
        timestamp: TS,
        method: v.method,
        requestPath: v.requestPath,
        body: v.body
      })
    ).toBe(true)
  })

  it('rejects a wrong secret, path, query, body, timestamp, method or a cut signature', () => {
    const [get, post] = vectors as [(typeof vectors)[0], (typeof vectors)[0]]
    const base = {
      secret: 'TESTSECRET',
      timestamp: TS,
      method: 'GET',
      requestPath: get.requestPath
    }
    expect(verifyOkxSignature(get.sign, { ...base, secret: 'WRONG' })).toBe(false)
    expect(verifyOkxSignature(get.sign, { ...base, requestPath: '/api/v5/account/balance' })).toBe(
      false
    )
    expect(
      verifyOkxSignature(get.sign, { ...base, requestPath: `${get.requestPath}?ccy=BTC` })
    ).toBe(false)
    expect(verifyOkxSignature(get.sign, { ...base, timestamp: '2023-11-14T22:13:20.001Z' })).toBe(
      false
    )
    expect(verifyOkxSignature(get.sign, { ...base, method: 'POST' })).toBe(false)
    expect(verifyOkxSignature(get.sign.slice(0, 10), base)).toBe(false)
    const postBase = { ...base, method: 'POST', requestPath: post.requestPath }
    expect(verifyOkxSignature(post.sign, { ...postBase, body: '{"timeOut":"61"}' })).toBe(false)
    expect(verifyOkxSignature(post.sign, { ...postBase, body: '{"timeOut": "60"}' })).toBe(false)
    // The signature is base64, not hex: the hex of the same MAC is refused.
    const hex = Buffer.from(get.sign, 'base64').toString('hex')
    expect(verifyOkxSignature(hex, base)).toBe(false)
  })

  it('reads the OK-ACCESS-* headers as Node delivers them (lower case)', () => {
    expect(
      readOkxHeaders({
        'ok-access-key': 'TESTKEY',
        'ok-access-sign': vectors[0]!.sign,
        'ok-access-timestamp': TS,
        'ok-access-passphrase': 'TESTPASS'
      })
    ).toEqual({ key: 'TESTKEY', sign: vectors[0]!.sign, timestamp: TS, passphrase: 'TESTPASS' })
    expect(readOkxHeaders({})).toEqual({ key: null, sign: null, timestamp: null, passphrase: null })
    expect(passphraseMatches('TESTPASS', 'TESTPASS')).toBe(true)
    expect(passphraseMatches('TESTPAS', 'TESTPASS')).toBe(false)
  })

  it('accepts only ISO-8601 timestamps with milliseconds', () => {
    expect(parseOkxTimestamp(TS)).toBe(1700000000000)
    expect(parseOkxTimestamp('2023-11-14T22:13:20Z')).toBeNull()
    expect(parseOkxTimestamp('1700000000000')).toBeNull()
  })
})

describe('OKX key permissions and fingerprint', () => {
  it('maps the format’s permissions to OKX’s perm list (every key can read)', () => {
    expect(okxPerms(['read'])).toEqual(['read_only'])
    expect(okxPerms(['read', 'spot'])).toEqual(['read_only', 'trade'])
    expect(okxPerms(['read', 'futures', 'withdraw'])).toEqual(['read_only', 'withdraw', 'trade'])
    expect(okxPerms(['transfer'])).toEqual(['read_only', 'trade'])
  })

  it('fingerprints an API key one way, stably', () => {
    const id = okxKeyFingerprint('TESTKEY')
    expect(id).toMatch(/^okx-key-[0-9a-f]{12}$/)
    expect(okxKeyFingerprint('TESTKEY')).toBe(id)
    expect(okxKeyFingerprint('TESTKEY2')).not.toBe(id)
    expect(id).not.toContain('TESTKEY')
  })
})
