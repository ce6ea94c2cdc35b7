// The Bybit verifier must accept exactly what ccxt signs: checked against the vectors captured
// from ccxt in shared/reference/exchanges.md section 5.1 (TESTKEY / TESTSECRET, ts 1700000000000,
// recv window 5000), and against a live ccxt instance whose request is recorded, not sent.
import ccxt from 'ccxt'
import { describe, expect, it } from 'vitest'

import {
  bybitPermissionsOf,
  bybitSignature,
  neutralPermissionsOf,
  parseBybitAuthHeaders,
  timestampProblem,
  verifyBybitSignature
} from '../../../main/simulator/dialects/bybit-auth'

const TS = '1700000000000'
const vectors = [
  {
    what: 'GET /v5/user/query-api (ccxt leaves a trailing "?", the signed query is empty)',
    method: 'GET',
    rawQuery: '',
    body: '',
    sig: '12ce6c7e258711d347b48953cad37af34381c0729ecf89bcd520c7e486b6daa4'
  },
  {
    what: 'POST /v5/user/delete-api {}',
    method: 'POST',
    rawQuery: '',
    body: '{}',
    sig: '6a196d3f18dbc7af7fdb18043f8587de63a4940b2829c7857929f2a82e648e50'
  },
  {
    what: 'POST /v5/order/cancel-all linear USDT',
    method: 'POST',
    rawQuery: '',
    body: '{"category":"linear","settleCoin":"USDT"}',
    sig: '45706969fc23ba6d7791f44427dd1b1cb50713bece5c84efe5303c2b7efa6373'
  }
]

const headers = (sig: string, ts = TS) => ({
  'x-bapi-api-key': 'TESTKEY',
  'x-bapi-timestamp': ts,
  'x-bapi-recv-window': '5000',
  'x-bapi-sign': sig
})

describe('Bybit v5 HMAC signatures', () => {
  it.each(vectors)('signs $what like ccxt', ({ method, rawQuery, body, sig }) => {
    expect(
      bybitSignature({
        secret: 'TESTSECRET',
        timestamp: TS,
        apiKey: 'TESTKEY',
        recvWindow: '5000',
        payload: method === 'GET' ? rawQuery : body
      })
    ).toBe(sig)
  })

  it.each(vectors)(
    'verifies the headers ccxt sends for $what',
    ({ method, rawQuery, body, sig }) => {
      const auth = parseBybitAuthHeaders(headers(sig))
      expect(auth).toEqual({
        apiKey: 'TESTKEY',
        timestamp: TS,
        recvWindow: '5000',
        signature: sig
      })
      expect(verifyBybitSignature(auth!, { secret: 'TESTSECRET', method, rawQuery, body })).toBe(
        true
      )
    }
  )

  it('rejects a wrong secret, a changed body or query, another timestamp and a truncated signature', () => {
    const { sig, body } = vectors[2]!
    const auth = parseBybitAuthHeaders(headers(sig))!
    const request = { secret: 'TESTSECRET', method: 'POST', rawQuery: '', body }
    expect(verifyBybitSignature(auth, { ...request, secret: 'WRONG' })).toBe(false)
    expect(verifyBybitSignature(auth, { ...request, body: body.replace('USDT', 'USDC') })).toBe(
      false
    )
    expect(
      verifyBybitSignature(auth, { ...request, method: 'GET', rawQuery: 'category=linear' })
    ).toBe(false)
    expect(verifyBybitSignature({ ...auth, timestamp: '1700000000001' }, request)).toBe(false)
    expect(verifyBybitSignature({ ...auth, signature: sig.slice(0, 20) }, request)).toBe(false)
    // Upper-case hex is the same signature.
    expect(verifyBybitSignature({ ...auth, signature: sig.toUpperCase() }, request)).toBe(true)
  })

  it('needs the key, timestamp and signature headers; the recv window defaults to 5000', () => {
    expect(parseBybitAuthHeaders({})).toBeNull()
    expect(parseBybitAuthHeaders({ 'x-bapi-api-key': 'K', 'x-bapi-timestamp': TS })).toBeNull()
    expect(
      parseBybitAuthHeaders({ 'x-bapi-api-key': 'K', 'x-bapi-timestamp': TS, 'x-bapi-sign': 'ab' })
    ).toMatchObject({ recvWindow: '5000' })
  })

  it("applies Bybit's timestamp rule: serverTime - recvWindow <= ts < serverTime + 1000", () => {
    const auth = parseBybitAuthHeaders(headers('00'))!
    const server = Number(TS)
    expect(timestampProblem(auth, server)).toBeNull()
    expect(timestampProblem(auth, server + 5000)).toBeNull()
    expect(timestampProblem(auth, server + 5001)).toMatch(/recv_window/)
    expect(timestampProblem(auth, server - 999)).toBeNull()
    expect(timestampProblem(auth, server - 1000)).toMatch(/server timestamp/)
    expect(timestampProblem({ ...auth, timestamp: 'soon' }, server)).toMatch(/timestamp/)
  })

  it('matches what an unmodified ccxt bybit instance sends (recorded, not sent)', async () => {
    const ex = new ccxt.bybit({ apiKey: 'TESTKEY', secret: 'TESTSECRET' })
    ex.milliseconds = () => 1700000000000
    ex.nonce = () => 1700000000000
    const seen: { url: string; method: string; headers: Record<string, string>; body?: string }[] =
      []
    ex.fetch = async (
      url: string,
      method: string,
      headers: Record<string, string>,
      body?: string
    ) => {
      seen.push({ url, method, headers, body })
      return { retCode: 0, retMsg: 'OK', result: {}, retExtInfo: {}, time: 1 }
    }
    await ex.privateGetV5UserQueryApi()
    await ex.privatePostV5OrderCancelAll({ category: 'linear', settleCoin: 'USDT' })
    expect(seen[0]!.url).toBe('https://api.bybit.com/v5/user/query-api?')
    expect(seen[0]!.headers['X-BAPI-SIGN']).toBe(vectors[0]!.sig)
    expect(seen[1]!.body).toBe(vectors[2]!.body)
    expect(seen[1]!.headers['X-BAPI-SIGN']).toBe(vectors[2]!.sig)
    expect(seen[1]!.headers.Referer).toBe('CCXT')
    for (const r of seen) {
      const lower = Object.fromEntries(
        Object.entries(r.headers).map(([k, v]) => [k.toLowerCase(), v])
      )
      const auth = parseBybitAuthHeaders(lower)!
      const rawQuery = r.url.includes('?') ? r.url.slice(r.url.indexOf('?') + 1) : ''
      expect(
        verifyBybitSignature(auth, {
          secret: 'TESTSECRET',
          method: r.method,
          rawQuery,
          body: r.body ?? ''
        })
      ).toBe(true)
    }
  })
})

describe('Bybit permissions of the scenario vocabulary', () => {
  it('renders neutral permissions as Bybit groups and back', () => {
    const full = bybitPermissionsOf(['read', 'spot', 'futures', 'withdraw', 'transfer'])
    expect(full.readOnly).toBe(0)
    expect(full.permissions).toMatchObject({
      Spot: ['SpotTrade'],
      ContractTrade: ['Order', 'Position'],
      Wallet: ['AccountTransfer', 'SubMemberTransfer', 'Withdraw']
    })
    expect(neutralPermissionsOf(full.readOnly, full.permissions)).toEqual([
      'read',
      'spot',
      'futures',
      'withdraw',
      'transfer'
    ])
    expect(bybitPermissionsOf(['read']).readOnly).toBe(1)
    // readOnly 1 takes every write permission away whatever the groups say (update-api downgrade).
    expect(neutralPermissionsOf(1, full.permissions)).toEqual(['read'])
  })
})
