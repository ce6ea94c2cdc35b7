// The Binance verifier must accept exactly what ccxt signs: checked against the vectors captured
// from ccxt in shared/reference/exchanges.md section 5.1 (TESTKEY / TESTSECRET, ts 1700000000000),
// and against a live ccxt instance whose fetch is recorded instead of sent.
import ccxt from 'ccxt'
import { describe, expect, it } from 'vitest'

import {
  binanceFlags,
  binanceKeyFingerprint,
  binanceSignature,
  splitSigned,
  timestampProblem,
  verifyBinanceSignature
} from '../../../main/simulator/dialects/binance-auth'

const SECRET = 'TESTSECRET'
const vectors = [
  {
    name: 'GET /sapi/v1/account/apiRestrictions',
    query:
      'timestamp=1700000000000&recvWindow=10000&signature=19cdff7eac438d34ca708abff0e89b58bdb81085a94ad9769ed7f60f3b0e2e10',
    body: '',
    signed: 'timestamp=1700000000000&recvWindow=10000',
    sig: '19cdff7eac438d34ca708abff0e89b58bdb81085a94ad9769ed7f60f3b0e2e10'
  },
  {
    name: 'DELETE /api/v3/openOrders',
    query:
      'timestamp=1700000000000&symbol=BTCUSDT&recvWindow=10000&signature=8d51de9588fe13389c7114afc9c2416bd579266fb6e674be5c15442896f6c652',
    body: '',
    signed: 'timestamp=1700000000000&symbol=BTCUSDT&recvWindow=10000',
    sig: '8d51de9588fe13389c7114afc9c2416bd579266fb6e674be5c15442896f6c652'
  },
  {
    name: 'POST /fapi/v1/countdownCancelAll (form body)',
    query: '',
    body: 'timestamp=1700000000000&symbol=BTCUSDT&countdownTime=60000&recvWindow=10000&signature=be0e5020334df7af1d49b44e7b1e35b8ddad5de00cb81541420fe8cb109ecae4',
    signed: 'timestamp=1700000000000&symbol=BTCUSDT&countdownTime=60000&recvWindow=10000',
    sig: 'be0e5020334df7af1d49b44e7b1e35b8ddad5de00cb81541420fe8cb109ecae4'
  }
]

describe('Binance HMAC-SHA256 signatures', () => {
  it.each(vectors)('signs $name like ccxt', ({ signed, sig }) => {
    expect(binanceSignature(signed, SECRET)).toBe(sig)
  })

  it.each(vectors)(
    'finds what was signed in $name and verifies it',
    ({ query, body, signed, sig }) => {
      const split = splitSigned(query, body)
      expect(split).toEqual({ payload: signed, signature: sig })
      expect(verifyBinanceSignature(split.payload, split.signature!, SECRET)).toBe(true)
    }
  )

  it('rejects a wrong secret, a changed parameter, a reordered query and a cut signature', () => {
    const { signed, sig } = vectors[1]!
    expect(verifyBinanceSignature(signed, sig, 'WRONG')).toBe(false)
    expect(verifyBinanceSignature(signed.replace('BTCUSDT', 'ETHUSDT'), sig, SECRET)).toBe(false)
    expect(
      verifyBinanceSignature('symbol=BTCUSDT&timestamp=1700000000000&recvWindow=10000', sig, SECRET)
    ).toBe(false)
    expect(verifyBinanceSignature(signed, sig.slice(0, 20), SECRET)).toBe(false)
    expect(verifyBinanceSignature(signed, sig.toUpperCase(), SECRET)).toBe(true)
  })

  it('treats a request without a signature as unsigned', () => {
    expect(splitSigned('timestamp=1&recvWindow=5000', '')).toEqual({
      payload: 'timestamp=1&recvWindow=5000',
      signature: null
    })
  })

  it('concatenates query and body like Binance totalParams', () => {
    const payload = 'symbol=BTCUSDT' + 'timestamp=1700000000000'
    const sig = binanceSignature(payload, SECRET)
    expect(splitSigned('symbol=BTCUSDT', `timestamp=1700000000000&signature=${sig}`)).toEqual({
      payload,
      signature: sig
    })
  })

  it('matches what an unmodified ccxt instance sends (fetch recorded, clock frozen)', async () => {
    const sent: { url: string; method: string; body?: string; headers: Record<string, string> }[] =
      []
    const ex = new ccxt.binance({ apiKey: 'TESTKEY', secret: SECRET })
    const frozen = ex as unknown as Record<string, unknown>
    frozen.milliseconds = () => 1700000000000
    frozen.nonce = () => 1700000000000
    frozen.fetch = async (
      url: string,
      method: string,
      headers: Record<string, string>,
      body?: string
    ) => {
      sent.push({ url, method, headers, body })
      return {}
    }
    await ex.sapiGetAccountApiRestrictions()
    await ex.privateDeleteOpenOrders({ symbol: 'BTCUSDT' })
    const usdm = new ccxt.binanceusdm({ apiKey: 'TESTKEY', secret: SECRET })
    const f = usdm as unknown as Record<string, unknown>
    f.milliseconds = () => 1700000000000
    f.nonce = () => 1700000000000
    f.fetch = frozen.fetch
    await usdm.fapiPrivatePostCountdownCancelAll({ symbol: 'BTCUSDT', countdownTime: 60000 })
    expect(sent).toHaveLength(3)
    sent.forEach((request, i) => {
      const url = new URL(request.url)
      const v = vectors[i]!
      expect(request.headers['X-MBX-APIKEY']).toBe('TESTKEY')
      expect(url.search.slice(1)).toBe(v.query)
      expect(request.body ?? '').toBe(v.body)
      const split = splitSigned(v.query, v.body)
      expect(verifyBinanceSignature(split.payload, split.signature!, SECRET)).toBe(true)
    })
  })
})

describe('Binance timestamp window', () => {
  const server = 1_700_000_000_000
  it('accepts a request inside recvWindow and up to 1 s ahead', () => {
    expect(timestampProblem(server - 9_999, 10_000, server)).toBeNull()
    expect(timestampProblem(server + 1000, 10_000, server)).toBeNull()
  })
  it('refuses a request older than recvWindow or more than 1 s ahead, in Binance words', () => {
    expect(timestampProblem(server - 10_001, 10_000, server)).toEqual({
      code: -1021,
      msg: 'Timestamp for this request is outside of the recvWindow.'
    })
    expect(timestampProblem(server + 1001, 10_000, server)?.code).toBe(-1021)
  })
})

describe('Binance key flags and fingerprint', () => {
  it('maps the neutral permissions to apiRestrictions flags', () => {
    expect(binanceFlags(['read', 'spot'], [])).toMatchObject({
      ipRestrict: false,
      enableReading: true,
      enableSpotAndMarginTrading: true,
      enableFutures: false,
      enableWithdrawals: false,
      enableInternalTransfer: false,
      permitsUniversalTransfer: false
    })
    expect(binanceFlags(['read', 'futures', 'withdraw', 'transfer'], ['1.2.3.4'])).toMatchObject({
      ipRestrict: true,
      enableFutures: true,
      enableWithdrawals: true,
      enableInternalTransfer: true,
      permitsUniversalTransfer: true,
      enableSpotAndMarginTrading: false
    })
  })
  it('fingerprints a key one-way and stably', () => {
    const id = binanceKeyFingerprint('TESTKEY')
    expect(id).toMatch(/^binance-key-[0-9a-f]{12}$/)
    expect(binanceKeyFingerprint('TESTKEY')).toBe(id)
    expect(id).not.toContain('TESTKEY')
  })
})
