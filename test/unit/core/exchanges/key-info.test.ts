/**
 * Contract tests for the Kraken, Bitget and HTX key-information parsers: each documented example in
 * `shared/fixtures/exchange-docs/` is parsed verbatim (file text as served), every documented quirk
 * is asserted, broken inputs become `ExchangeFault('malformed')`, error envelopes become the right
 * fault, and the parsed snapshots run through the core's posture rules. Last, the generic connector
 * reads these endpoints through ccxt's implicit methods (scripted stand-ins here).
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'

import type { Exchange } from 'ccxt'
import { describe, expect, it } from 'vitest'

import { ExchangeFault, type KeySnapshot } from '../../../../main/core/exchanges/connector'
import { createGenericConnector } from '../../../../main/core/exchanges/generic'
import {
  htxKeyMatches,
  keyFingerprint,
  parseBitgetAccountInfo,
  parseBitgetInfo,
  parseHtxApiKeys,
  parseHtxUid,
  parseKrakenApiKeyInfo,
  parseKrakenKeyInfo
} from '../../../../main/core/exchanges/key-info'
import { silentLogger, type Clock } from '../../../../main/core/ports'
import { postureOf } from '../../../../main/core/vigil'

const DOCS = resolve(__dirname, '../../../../../shared/fixtures/exchange-docs')
const text = (file: string): string => readFileSync(resolve(DOCS, file), 'utf8')
const json = (file: string): unknown => JSON.parse(text(file))
const KRAKEN_FILE = 'kraken-0-private-GetApiKeyInfo.json'
const BITGET_FILE = 'bitget-api-v2-spot-account-info.json'
const HTX_FILE = 'htx-v2-user-api-key.json'
const RULES_DIR = resolve('resources/rules')
/** A week after the Kraken example's key was created (2026-03-03). */
const NOW = Date.UTC(2026, 2, 10, 12)
const DAY = 24 * 60 * 60 * 1000

/** The fault a call raised (fails the test when nothing was raised). */
const faultOf = (fn: () => unknown): ExchangeFault => {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(ExchangeFault)
    return error as ExchangeFault
  }
  throw new Error('expected an ExchangeFault')
}

/** Every string field value of a snapshot, to prove no secret or key material leaked into it. */
const flat = (keys: KeySnapshot[]): string => JSON.stringify(keys)

/** Rule ids of the posture findings for the given keys. */
const posture = (keys: KeySnapshot[]): string[] =>
  postureOf(keys, RULES_DIR, NOW)
    .map((f) => f.rule)
    .sort()

describe('Kraken GetApiKeyInfo (docs example)', () => {
  const [key] = parseKrakenApiKeyInfo(text(KRAKEN_FILE))

  it('is one self key, named, with a fingerprint id instead of the API key', () => {
    expect(parseKrakenApiKeyInfo(json(KRAKEN_FILE))).toEqual([key])
    expect(key).toMatchObject({ name: 'my-api-key', self: true, enabled: true, thirdParty: false })
    const apiKey = '4/SDrDBcOOPnm3nPlNfEMMJDeRcIVqPz+QhRxIodyZbI9po/aVRiHsgX'
    expect(key!.keyId).toBe(keyFingerprint('kraken', apiKey))
    expect(key!.keyId).toMatch(/^kraken-key-[0-9a-f]{12}$/)
    expect(flat([key!])).not.toContain(apiKey)
  })

  it('reads timestamps as strings of Unix seconds; validUntil "0" is no expiry', () => {
    const info = parseKrakenKeyInfo(json(KRAKEN_FILE))
    expect(key!.createdAt).toBe(1772542900_000)
    expect(info.modifiedAt).toBe(1772543095_000)
    expect(info.lastUsedAt).toBe(1772627061_000)
    expect(key!.expiresAt).toBeNull()
    const dated = structuredClone(json(KRAKEN_FILE)) as { result: Record<string, unknown> }
    dated.result.validUntil = '1800000000'
    expect(parseKrakenApiKeyInfo(dated)[0]!.expiresAt).toBe(1800000000_000)
  })

  it('keeps withdraw-funds as withdraw plus every raw permission; [] allow-list = none', () => {
    expect(key!.permissions).toEqual([
      'read',
      'spot',
      'withdraw',
      'kraken:query-funds',
      'kraken:withdraw-funds',
      'kraken:query-open-trades',
      'kraken:modify-trades'
    ])
    expect(key!.ipWhitelist).toEqual([])
    const bound = structuredClone(json(KRAKEN_FILE)) as { result: Record<string, unknown> }
    bound.result.ipAllowlist = ['203.0.113.7', ' 198.51.100.0/24 ']
    expect(parseKrakenApiKeyInfo(bound)[0]!.ipWhitelist).toEqual(['203.0.113.7', '198.51.100.0/24'])
  })

  it('does not keep the nonce or the iban (an IIBAN account id, not a bank IBAN)', () => {
    expect(flat([key!])).not.toMatch(/1772627060997|AA88|N84G/)
    // The nonce is a string in the docs; a number is accepted too.
    const numeric = structuredClone(json(KRAKEN_FILE)) as { result: Record<string, unknown> }
    numeric.result.nonce = 1772627060997
    expect(parseKrakenApiKeyInfo(numeric)).toEqual([key])
  })

  it('turns the error envelope into the right fault, not malformed', () => {
    const auth = faultOf(() => parseKrakenApiKeyInfo({ error: ['EAPI:Invalid key'] }))
    expect(auth.category).toBe('auth')
    expect(auth.stream).toBe('keys')
    expect(auth.message).toMatch(/Kraken: .*EAPI:Invalid key/)
    expect(faultOf(() => parseKrakenApiKeyInfo('{"error":["EAPI:Invalid key"]}')).category).toBe(
      'auth'
    )
    expect(
      faultOf(() => parseKrakenApiKeyInfo({ error: ['EGeneral:Permission denied'] })).category
    ).toBe('permission')
    expect(
      faultOf(() => parseKrakenApiKeyInfo({ error: ['EAPI:Rate limit exceeded'] })).category
    ).toBe('rate-limit')
    expect(faultOf(() => parseKrakenApiKeyInfo({ error: ['EService:Unavailable'] })).category).toBe(
      'transient'
    )
  })

  it('posture: withdraw-funds and the empty allow-list are findings', () => {
    expect(posture([key!])).toEqual(['key.posture.no_ip_whitelist', 'key.posture.withdraw_enabled'])
  })
})

describe('Bitget account/info (docs example)', () => {
  const [key] = parseBitgetAccountInfo(text(BITGET_FILE), 'bg_0123456789abcdef')

  it('is one self key; the masked userId is not used; the id fingerprints the configured key', () => {
    expect(parseBitgetAccountInfo(json(BITGET_FILE), 'bg_0123456789abcdef')).toEqual([key])
    expect(key).toMatchObject({
      keyId: keyFingerprint('bitget', 'bg_0123456789abcdef'),
      name: null,
      self: true,
      enabled: true,
      createdAt: null,
      expiresAt: null
    })
    expect(flat([key!])).not.toMatch(/\*\*\*|bg_0123456789abcdef/)
    expect(parseBitgetAccountInfo(json(BITGET_FILE))[0]!.keyId).toBe('bitget-key-self')
  })

  it('reads ips as a comma string', () => {
    expect(key!.ipWhitelist).toEqual(['127.0.0.1'])
    const several = structuredClone(json(BITGET_FILE)) as { data: Record<string, unknown> }
    several.data.ips = '127.0.0.1, 10.0.0.2,10.0.0.3'
    expect(parseBitgetAccountInfo(several)[0]!.ipWhitelist).toEqual([
      '127.0.0.1',
      '10.0.0.2',
      '10.0.0.3'
    ])
    several.data.ips = ''
    expect(parseBitgetAccountInfo(several)[0]!.ipWhitelist).toEqual([])
  })

  it("maps the example's words (trade, readonly)", () => {
    expect(key!.permissions).toEqual(['read', 'spot', 'futures', 'bitget:trade', 'bitget:readonly'])
    expect(parseBitgetInfo(json(BITGET_FILE)).authorities).toEqual(['trade', 'readonly'])
  })

  it('maps the documented authority codes: wwow withdraw, stow spot, coow/cpow futures, wtow transfer, *r read', () => {
    const withCodes = (authorities: string[]): string[] => {
      const raw = structuredClone(json(BITGET_FILE)) as { data: Record<string, unknown> }
      raw.data.authorities = authorities
      return parseBitgetAccountInfo(raw)[0]!.permissions
    }
    expect(withCodes(['stor', 'coor', 'cpor', 'wtor'])).toEqual([
      'read',
      'bitget:stor',
      'bitget:coor',
      'bitget:cpor',
      'bitget:wtor'
    ])
    expect(withCodes(['stow'])).toEqual(['read', 'spot', 'bitget:stow'])
    expect(withCodes(['coow', 'cpow'])).toEqual(['read', 'futures', 'bitget:coow', 'bitget:cpow'])
    expect(withCodes(['wtow'])).toEqual(['read', 'transfer', 'bitget:wtow'])
    expect(withCodes(['wwow', 'stow'])).toEqual([
      'read',
      'spot',
      'withdraw',
      'bitget:wwow',
      'bitget:stow'
    ])
    // An unknown future code stays visible, raw only.
    expect(withCodes(['zzzw'])).toEqual(['read', 'bitget:zzzw'])
  })

  it('turns an error envelope into the right fault', () => {
    const auth = faultOf(() =>
      parseBitgetAccountInfo({
        code: '40006',
        msg: 'Invalid ACCESS_KEY',
        requestTime: 1,
        data: null
      })
    )
    expect(auth.category).toBe('auth')
    expect(auth.message).toMatch(/Bitget: .*code 40006.*Invalid ACCESS_KEY/)
    expect(
      faultOf(() => parseBitgetAccountInfo({ code: '40014', msg: 'Incorrect permissions' }))
        .category
    ).toBe('permission')
  })

  it('posture: an IP-bound trade key has no findings; wwow without ips has both', () => {
    expect(posture([key!])).toEqual([])
    const raw = structuredClone(json(BITGET_FILE)) as { data: Record<string, unknown> }
    raw.data.authorities = ['wwow']
    raw.data.ips = ''
    expect(posture(parseBitgetAccountInfo(raw))).toEqual([
      'key.posture.no_ip_whitelist',
      'key.posture.withdraw_enabled'
    ])
  })
})

describe('HTX v2/user/api-key (docs example)', () => {
  const keys = parseHtxApiKeys(text(HTX_FILE), undefined, { now: NOW })
  const [first, second] = keys

  it('lists both keys with the top-level ok, fingerprint ids and notes as names', () => {
    expect(parseHtxApiKeys(json(HTX_FILE), undefined, { now: NOW })).toEqual(keys)
    expect(keys).toHaveLength(2)
    expect(first!.keyId).toBe(keyFingerprint('htx', '160bb889-b7XXXXbe-e0XXXXf5-ghxertfvbf'))
    expect(second!.keyId).toMatch(/^htx-key-[0-9a-f]{12}$/)
    expect(first!.keyId).not.toBe(second!.keyId)
    expect(first!.name).toBe('host')
    expect(second!.name).toBe('host two')
    expect(flat(keys)).not.toMatch(/160bb889|5000d371/)
  })

  it('reads permission and ipAddresses as comma strings; "" is no binding', () => {
    expect(first!.permissions).toEqual(['read', 'spot', 'futures', 'htx:trade', 'htx:readOnly'])
    expect(first!.ipWhitelist).toEqual(['192.168.0.1', '192.168.1.1'])
    expect(second!.permissions).toEqual([
      'read',
      'spot',
      'futures',
      'withdraw',
      'htx:readOnly',
      'htx:trade',
      'htx:withdraw'
    ])
    expect(second!.ipWhitelist).toEqual([])
  })

  it('validDays -1 is permanent; otherwise the remaining days from now', () => {
    expect(first!.expiresAt).toBeNull()
    expect(second!.expiresAt).toBe(NOW + 7 * DAY)
    expect(parseHtxApiKeys(json(HTX_FILE))[1]!.expiresAt).toBeNull()
    const strings = structuredClone(json(HTX_FILE)) as { data: Array<Record<string, unknown>> }
    strings.data[1]!.validDays = '7'
    expect(parseHtxApiKeys(strings, null, { now: NOW })[1]!.expiresAt).toBe(NOW + 7 * DAY)
    expect(first!.createdAt).toBe(1615192704000)
    expect(second!.createdAt).toBe(1623158078000)
  })

  it('status normal is enabled, expired is not', () => {
    expect(keys.map((k) => k.enabled)).toEqual([true, true])
    const raw = structuredClone(json(HTX_FILE)) as { data: Array<Record<string, unknown>> }
    raw.data[1]!.status = 'expired'
    expect(parseHtxApiKeys(raw).map((k) => k.enabled)).toEqual([true, false])
  })

  it('marks the own key as self, also when the docs mask it (XXXX)', () => {
    expect(keys.map((k) => k.self)).toEqual([false, false])
    const own = '5000d371-ed1234f5tf-40abcd8b-ab8e5'
    expect(parseHtxApiKeys(json(HTX_FILE), own).map((k) => k.self)).toEqual([false, true])
    expect(htxKeyMatches('5000d371-edXXXXf5tf-40XXXX8b-ab8e5', own)).toBe(true)
    expect(htxKeyMatches('5000d371-edXXXXf5tf-40XXXX8b-ab8e5', '5000d371-ed12')).toBe(false)
    expect(htxKeyMatches('abc', 'abc')).toBe(true)
    expect(htxKeyMatches('abc', null)).toBe(false)
  })

  it('turns an error envelope into the right fault', () => {
    const auth = faultOf(() =>
      parseHtxApiKeys({ code: 1003, message: 'invalid signature', ok: false })
    )
    expect(auth.category).toBe('auth')
    expect(
      faultOf(() => parseHtxApiKeys({ code: 2003, message: 'x', data: [], ok: false })).category
    ).toBe('auth')
    expect(
      faultOf(() => parseHtxApiKeys({ code: 500, message: 'API key has no permission', ok: false }))
        .category
    ).toBe('permission')
    expect(parseHtxUid({ code: 200, data: 123456, ok: true })).toBe('123456')
    expect(faultOf(() => parseHtxUid({ code: 200, data: 'abc' })).category).toBe('malformed')
  })

  it('posture: the second key (withdraw, no IP) is the finding; both keys are old', () => {
    expect(posture([first!])).toEqual(['key.posture.old_key'])
    expect(posture([second!])).toEqual([
      'key.posture.no_ip_whitelist',
      'key.posture.old_key',
      'key.posture.withdraw_enabled'
    ])
  })
})

describe('malformed and truncated inputs never crash', () => {
  const parsers: Array<[string, string, (raw: unknown) => unknown]> = [
    ['Kraken', KRAKEN_FILE, (raw) => parseKrakenApiKeyInfo(raw)],
    ['Bitget', BITGET_FILE, (raw) => parseBitgetAccountInfo(raw)],
    ['HTX', HTX_FILE, (raw) => parseHtxApiKeys(raw)]
  ]
  for (const [name, file, parse] of parsers) {
    it(`${name}: truncated text, wrong shapes and junk are malformed faults`, () => {
      const body = text(file)
      for (const cut of [1, 10, Math.floor(body.length / 2), body.length - 2]) {
        const f = faultOf(() => parse(body.slice(0, cut)))
        expect(f.category, `cut ${cut}`).toBe('malformed')
        expect(f.stream).toBe('keys')
        expect(f.message).toMatch(new RegExp(`^${name}: `))
      }
      for (const junk of [null, undefined, 42, [], {}, 'null', '<html>502</html>', true]) {
        expect(faultOf(() => parse(junk)).category, JSON.stringify(junk)).toBe('malformed')
      }
    })
  }

  it('wrong field types are malformed, naming the path', () => {
    const k = structuredClone(json(KRAKEN_FILE)) as { result: Record<string, unknown> }
    k.result.permissions = 'query-funds,withdraw-funds'
    expect(faultOf(() => parseKrakenApiKeyInfo(k)).message).toMatch(/malformed|could not read/)
    expect(faultOf(() => parseKrakenApiKeyInfo(k)).message).toMatch(/permissions/)
    const k2 = structuredClone(json(KRAKEN_FILE)) as { result: Record<string, unknown> }
    k2.result.createdTime = 'yesterday'
    expect(faultOf(() => parseKrakenApiKeyInfo(k2)).category).toBe('malformed')
    expect(faultOf(() => parseKrakenApiKeyInfo({ error: [] })).category).toBe('malformed')

    const b = structuredClone(json(BITGET_FILE)) as { data: Record<string, unknown> }
    b.data.authorities = 'trade'
    expect(faultOf(() => parseBitgetAccountInfo(b)).message).toMatch(/authorities/)
    expect(faultOf(() => parseBitgetAccountInfo({ code: '00000', data: null })).category).toBe(
      'malformed'
    )

    const h = structuredClone(json(HTX_FILE)) as { data: Array<Record<string, unknown>> }
    h.data[0]!.validDays = 'forever'
    expect(faultOf(() => parseHtxApiKeys(h)).message).toMatch(/data\.0\.validDays/)
    const h2 = structuredClone(json(HTX_FILE)) as { data: unknown }
    h2.data = { accessKey: 'x' }
    expect(faultOf(() => parseHtxApiKeys(h2)).category).toBe('malformed')
  })
})

describe('generic connector reads these key endpoints', () => {
  const clock: Clock = {
    now: () => NOW,
    setTimeout(fn: () => void) {
      const h = setImmediate(fn)
      return () => clearImmediate(h)
    }
  }
  /** A stand-in ccxt instance with no unified calls, only the implicit key methods given. */
  const fake = (id: string, methods: Record<string, (...a: unknown[]) => Promise<unknown>>) => {
    const calls: string[] = []
    const ex: Record<string, unknown> = {
      id,
      apiKey: '5000d371-ed1234f5tf-40abcd8b-ab8e5',
      has: {},
      markets: {},
      currencies: {},
      async loadMarkets() {
        return {}
      }
    }
    for (const [name, fn] of Object.entries(methods))
      ex[name] = async (...args: unknown[]) => {
        calls.push(name)
        return fn(...args)
      }
    const connector = createGenericConnector(
      ex as unknown as Exchange,
      { id: 'a', exchange: id, selfKeyId: null },
      { clock, logger: silentLogger, options: { keysEvery: 3 } }
    )
    return { connector, calls }
  }

  it('Kraken: keys on backfill and every keysEvery-th poll', async () => {
    const { connector, calls } = fake('kraken', {
      privatePostGetApiKeyInfo: async () => json(KRAKEN_FILE)
    })
    const back = await connector.backfill({ since: NOW - DAY })
    expect(back.keys).toEqual(parseKrakenApiKeyInfo(json(KRAKEN_FILE)))
    expect(back.errors).toEqual([])
    const polls = []
    for (let i = 0; i < 4; i++) polls.push(await connector.poll(back.cursors))
    expect(polls.map((p) => p.keys !== undefined)).toEqual([true, false, false, true])
    expect(calls).toHaveLength(3)
  })

  it('Bitget: the self key is fingerprinted from the configured key', async () => {
    const { connector } = fake('bitget', {
      privateSpotGetV2SpotAccountInfo: async () => json(BITGET_FILE)
    })
    const r = await connector.backfill({ since: NOW - DAY })
    expect(r.keys).toEqual(
      parseBitgetAccountInfo(json(BITGET_FILE), '5000d371-ed1234f5tf-40abcd8b-ab8e5')
    )
  })

  it('HTX: fetches the uid once, lists every key and marks its own', async () => {
    const asked: unknown[] = []
    const { connector, calls } = fake('htx', {
      v2PrivateGetUserUid: async () => ({ code: 200, data: 63628520, ok: true }),
      v2PrivateGetUserApiKey: async (params) => {
        asked.push(params)
        return json(HTX_FILE)
      }
    })
    const r = await connector.backfill({ since: NOW - DAY })
    expect(r.keys?.map((k) => k.self)).toEqual([false, true])
    expect(r.keys?.[1]?.expiresAt).toBe(NOW + 7 * DAY)
    await connector.poll(r.cursors)
    expect(asked).toEqual([{ uid: '63628520' }, { uid: '63628520' }])
    expect(calls.filter((c) => c === 'v2PrivateGetUserUid')).toHaveLength(1)
  })

  it('fails soft: a refused or malformed key read is a keys stream error, not a throw', async () => {
    class PermissionDenied extends Error {
      override name = 'PermissionDenied'
    }
    const refused = fake('kraken', {
      privatePostGetApiKeyInfo: async () => {
        throw new PermissionDenied('kraken {"error":["EGeneral:Permission denied"]}')
      }
    })
    const r = await refused.connector.backfill({ since: NOW - DAY })
    expect(r.keys).toBeUndefined()
    expect(r.errors.map((e) => [e.stream, e.fault.category])).toEqual([['keys', 'permission']])

    const broken = fake('htx', {
      v2PrivateGetUserUid: async () => ({ code: 200, data: 1, ok: true }),
      v2PrivateGetUserApiKey: async () => '{"code":200,"data":[{"accessKey":'
    })
    const p = await broken.connector.poll({})
    expect(p.keys).toBeUndefined()
    expect(p.errors.map((e) => [e.stream, e.fault.category])).toEqual([['keys', 'malformed']])
  })

  it('exchanges without a parsed key endpoint read no keys', async () => {
    const { connector } = fake('gate', {
      privateAccountGetMainKeys: async () => []
    })
    const r = await connector.backfill({ since: NOW - DAY })
    expect(r.keys).toBeUndefined()
  })
})

describe('Kraken query permissions are read-only for the posture rules', () => {
  it('does not count query-open-trades or query-funds as trading', async () => {
    const { capabilities } = await import('../../../../main/core/rules/fields')
    expect(capabilities(['read', 'kraken:query-open-trades', 'kraken:query-funds'])).toEqual([
      'read'
    ])
    expect(capabilities(['kraken:modify-trades'])).toEqual(['trade'])
    expect(capabilities(['trade:read', 'trade:read_write'])).toEqual(['read', 'trade'])
  })
})
