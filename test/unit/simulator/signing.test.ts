// The Deribit verifier must accept exactly what ccxt signs: checked against the vectors captured
// from ccxt in shared/reference/exchanges.md section 5.1 (TESTKEY / TESTSECRET, ts 1700000000000).
import { describe, expect, it } from 'vitest'

import {
  deribitSignature,
  parseDeribitAuthorization,
  verifyDeribitSignature
} from '../../../main/simulator/dialects/deribit-auth'

const TS = '1700000000000'
const vectors = [
  {
    uri: '/api/v2/private/get_access_log?count=10',
    sig: '981fbbd3971555b9b9bd6192719846b951594c9978a93dc6a737f66a7536e073'
  },
  {
    uri: '/api/v2/private/disable_api_key?id=3',
    sig: 'd73bdda6c1831b03fc9904e87bf2daf7d95a5d5906b11f74fa1c7d65ff54f17f'
  },
  {
    uri: '/api/v2/private/cancel_all',
    sig: 'cfb01318eada723699a116194f21b477cedaab408f5403994dc83032bfae7fb8'
  }
]

describe('deri-hmac-sha256', () => {
  it.each(vectors)('signs $uri like ccxt', ({ uri, sig }) => {
    expect(
      deribitSignature({ secret: 'TESTSECRET', timestamp: TS, nonce: TS, method: 'GET', uri })
    ).toBe(sig)
  })

  it.each(vectors)('verifies the Authorization header ccxt sends for $uri', ({ uri, sig }) => {
    const auth = parseDeribitAuthorization(
      `deri-hmac-sha256 id=TESTKEY,ts=${TS},sig=${sig},nonce=${TS}`
    )
    expect(auth).toEqual({ clientId: 'TESTKEY', timestamp: TS, signature: sig, nonce: TS })
    expect(verifyDeribitSignature(auth!, { secret: 'TESTSECRET', method: 'GET', uri })).toBe(true)
  })

  it('rejects a wrong secret, a changed query, a changed timestamp and another method', () => {
    const { uri, sig } = vectors[0]
    const auth = parseDeribitAuthorization(
      `deri-hmac-sha256 id=TESTKEY,ts=${TS},sig=${sig},nonce=${TS}`
    )!
    expect(verifyDeribitSignature(auth, { secret: 'WRONG', method: 'GET', uri })).toBe(false)
    expect(
      verifyDeribitSignature(auth, { secret: 'TESTSECRET', method: 'GET', uri: `${uri}0` })
    ).toBe(false)
    expect(
      verifyDeribitSignature(
        { ...auth, timestamp: '1700000000001' },
        { secret: 'TESTSECRET', method: 'GET', uri }
      )
    ).toBe(false)
    expect(verifyDeribitSignature(auth, { secret: 'TESTSECRET', method: 'POST', uri })).toBe(false)
    expect(
      verifyDeribitSignature(
        { ...auth, signature: sig.slice(0, 10) },
        { secret: 'TESTSECRET', method: 'GET', uri }
      )
    ).toBe(false)
  })

  it('refuses headers that are not deri-hmac-sha256', () => {
    expect(parseDeribitAuthorization(undefined)).toBeNull()
    expect(parseDeribitAuthorization('Bearer abc')).toBeNull()
    expect(parseDeribitAuthorization('deri-hmac-sha256 id=K,sig=abc')).toBeNull()
    expect(
      parseDeribitAuthorization('deri-hmac-sha256 id=K,ts=notanumber,sig=abc,nonce=1')
    ).toBeNull()
  })
})
