// Contract tests: OKX's documented example responses through the parsers the connector uses.
// The account/config example is shared/fixtures/exchange-docs/okx-api-v5-account-config.json; the
// others are the OKX docs examples that ccxt 4.5.84 carries as comments in js/src/okx.js
// (fetchOpenOrders, fetchMyTrades, fetchWithdrawals, fetchBalance, fetchPositions, fetchLeverage,
// cancelOrders, fetchTransfers, cancelAllOrdersAfter), transcribed as JSON.
import { readFileSync } from 'node:fs'

import { describe, expect, it } from 'vitest'

import { ExchangeFault } from '../../../../main/core/exchanges/connector'
import {
  CCXT_BROKER_TAGS,
  fillData,
  fillMarketPrice,
  guessInstrument,
  normalisePermissions,
  okxKeyId,
  orderData,
  orderOrigin,
  orderStatus,
  parseAccountConfig,
  parseAlgoOrders,
  parseBalances,
  parseBills,
  parseCancelAllAfter,
  parseFills,
  parseIpList,
  parseItemResults,
  parseLeverage,
  parseOrders,
  parsePositions,
  parseWithdrawals,
  positionData,
  transferData,
  withdrawalData,
  withdrawalStatus,
  type InstrumentInfo
} from '../../../../main/core/exchanges/okx-parse'
import { okxKeyFingerprint } from '../../../../main/simulator/dialects/okx-auth'

const FIXTURE = '/work/shared/fixtures/exchange-docs/okx-api-v5-account-config.json'
const config = (): { code: string; data: Record<string, unknown>[]; msg: string } =>
  JSON.parse(readFileSync(FIXTURE, 'utf8'))

const SPOT: InstrumentInfo = {
  symbol: 'ETH/USDT',
  spot: true,
  inverse: false,
  contractSize: 1,
  base: 'ETH',
  quote: 'USDT'
}
const SWAP: InstrumentInfo = {
  symbol: 'BTC/USDT:USDT',
  spot: false,
  inverse: false,
  contractSize: 0.01,
  base: 'BTC',
  quote: 'USDT'
}

const expectMalformed = (fn: () => unknown, stream: string): void => {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(ExchangeFault)
    expect((error as ExchangeFault).category).toBe('malformed')
    expect((error as ExchangeFault).stream).toBe(stream)
    return
  }
  throw new Error('expected a malformed fault')
}

describe('OKX account/config (documented example)', () => {
  it('is the self key: permissions normalised with the raw ones kept, no IP binding, label as name', () => {
    const parsed = parseAccountConfig(config(), 'my-api-key')
    expect(parsed.key).toEqual({
      keyId: okxKeyId('my-api-key'),
      name: 'v5 test',
      // perm "read_only,withdraw,trade"
      permissions: [
        'read',
        'withdraw',
        'spot',
        'futures',
        'transfer',
        'okx:read_only',
        'okx:withdraw',
        'okx:trade'
      ],
      // ip "" means no IP is bound
      ipWhitelist: [],
      enabled: true,
      self: true,
      createdAt: null,
      expiresAt: null,
      thirdParty: false
    })
    // uid == mainUid: a main account's key.
    expect(parsed.uid).toBe('44705892343619584')
    expect(parsed.subAccount).toBe(false)
  })

  it('ignores fields added after the docs example (feeType, stgyType, settleCcy, settleCcyList)', () => {
    const doc = config()
    Object.assign(doc.data[0]!, {
      feeType: '0',
      stgyType: '0',
      settleCcy: 'USDT',
      settleCcyList: ['USD', 'USDC', 'USDG'],
      somethingNew: { nested: true }
    })
    expect(parseAccountConfig(doc, 'k').key.permissions).toContain('withdraw')
  })

  it('reads comma- and space-separated IP lists, and a sub-account key', () => {
    const doc = config()
    Object.assign(doc.data[0]!, {
      ip: '84.17.32.10,10.0.0.0/8 2001:db8::1',
      uid: '1',
      mainUid: '2',
      perm: 'read_only'
    })
    const parsed = parseAccountConfig(doc, 'k')
    expect(parsed.key.ipWhitelist).toEqual(['84.17.32.10', '10.0.0.0/8', '2001:db8::1'])
    expect(parsed.key.permissions).toEqual(['read', 'okx:read_only'])
    expect(parsed.subAccount).toBe(true)
    expect(parseIpList('')).toEqual([])
    expect(parseIpList(null)).toEqual([])
  })

  it('keeps an unknown permission as its raw value', () => {
    expect(normalisePermissions('read_only,trade,new_thing')).toEqual([
      'read',
      'spot',
      'futures',
      'transfer',
      'okx:read_only',
      'okx:trade',
      'okx:new_thing'
    ])
  })

  it('never carries the API key itself; the fingerprint matches the simulator', () => {
    const parsed = parseAccountConfig(config(), 'a1b2c3d4-e5f6-0000-1111-222233334444')
    expect(JSON.stringify(parsed)).not.toContain('a1b2c3d4-e5f6')
    expect(okxKeyId('a1b2c3d4-e5f6-0000-1111-222233334444')).toBe(
      okxKeyFingerprint('a1b2c3d4-e5f6-0000-1111-222233334444')
    )
    expect(okxKeyId(undefined)).toBe('okx-key-unknown')
  })

  it('turns truncated or mis-shaped answers into a malformed fault for the stream that asked', () => {
    expectMalformed(() => parseAccountConfig('{"code":"0","data":[{"perm', 'k'), 'keys')
    expectMalformed(() => parseAccountConfig({ code: '0', msg: '' }, 'k'), 'keys')
    expectMalformed(() => parseAccountConfig({ code: '0', data: [] }, 'k'), 'keys')
    const doc = config()
    doc.data[0]!.perm = ['read_only']
    expectMalformed(() => parseAccountConfig(doc, 'k', 'killSwitch'), 'killSwitch')
  })
})

// ccxt okx.js fetchOpenOrders example. ccxt's comment shows `"px":"20 00"` and `"sz":"0. 001"`
// (stray spaces in the comment); the JSON here has the numbers OKX's docs show.
const OPEN_ORDERS = {
  code: '0',
  data: [
    {
      accFillSz: '0',
      avgPx: '',
      cTime: '1621910749815',
      category: 'normal',
      ccy: '',
      clOrdId: '',
      fee: '0',
      feeCcy: 'ETH',
      fillPx: '',
      fillSz: '0',
      fillTime: '',
      instId: 'ETH-USDT',
      instType: 'SPOT',
      lever: '',
      ordId: '317251910906576896',
      ordType: 'limit',
      pnl: '0',
      posSide: 'net',
      px: '2000',
      rebate: '0',
      rebateCcy: 'USDT',
      side: 'buy',
      slOrdPx: '',
      slTriggerPx: '',
      state: 'live',
      sz: '0.001',
      tag: '',
      tdMode: 'cash',
      tpOrdPx: '',
      tpTriggerPx: '',
      tradeId: '',
      uTime: '1621910749815'
    }
  ],
  msg: ''
}

describe('OKX orders', () => {
  it('parses the documented open order: "" means absent, numbers are strings, ids stay strings', () => {
    const [o] = parseOrders(OPEN_ORDERS, 'open orders', 'orders')
    expect(o).toMatchObject({
      ordId: '317251910906576896',
      instId: 'ETH-USDT',
      state: 'live',
      sz: 0.001,
      px: 2000,
      avgPx: null,
      lever: null,
      cTime: 1621910749815
    })
    const data = orderData(o!, { info: SPOT, quoteUsd: 1, marketPrice: 2100 })
    expect(data).toMatchObject({
      orderId: '317251910906576896',
      symbol: 'ETH/USDT',
      side: 'buy',
      type: 'limit',
      status: 'open',
      state: 'live',
      amount: 0.001,
      price: 2000,
      filled: 0,
      notionalUsd: 2,
      marketPrice: 2100,
      // tag "" : OKX says nothing about who placed it
      origin: null,
      leverage: null
    })
  })

  it('marks orders ccxt placed (broker tag, or its clOrdId prefix) as API orders', () => {
    for (const tag of CCXT_BROKER_TAGS) expect(orderOrigin({ tag })).toBe('api')
    expect(orderOrigin({ tag: '', clOrdId: 'e847386590ce4dBCc1a045253497a547' })).toBe('api')
    expect(orderOrigin({ tag: 'mybot', clOrdId: 'abc' })).toBeNull()
    expect(orderOrigin({})).toBeNull()
  })

  it('sizes contracts with the contract value and values quote-sized market buys by cost', () => {
    const swap = parseOrders(
      {
        code: '0',
        data: [
          {
            ...OPEN_ORDERS.data[0],
            instId: 'BTC-USDT-SWAP',
            instType: 'SWAP',
            sz: '3',
            px: '60000',
            lever: '25',
            tag: 'e847386590ce4dBC'
          }
        ]
      },
      'open orders',
      'orders'
    )[0]!
    expect(orderData(swap, { info: SWAP, quoteUsd: 1 })).toMatchObject({
      amount: 0.03,
      notionalUsd: 1800,
      leverage: 25,
      origin: 'api'
    })
    const buy = parseOrders(
      {
        code: '0',
        data: [
          {
            ...OPEN_ORDERS.data[0],
            ordType: 'market',
            px: '',
            sz: '100',
            tgtCcy: 'quote_ccy',
            state: 'filled',
            accFillSz: '0.05',
            avgPx: '2000'
          }
        ]
      },
      'order history',
      'orders'
    )[0]!
    expect(orderData(buy, { info: SPOT, quoteUsd: 1 })).toMatchObject({
      type: 'market',
      status: 'filled',
      amount: 0.05,
      notionalUsd: 100
    })
    expect(orderStatus('mmp_canceled')).toBe('cancelled')
    expect(orderStatus('partially_filled')).toBe('open')
  })

  it('refuses an order without an id or with a state that is not a string', () => {
    const bad = structuredClone(OPEN_ORDERS) as { data: Record<string, unknown>[] }
    bad.data[0]!.ordId = ''
    expectMalformed(() => parseOrders(bad, 'open orders', 'orders'), 'orders')
    const bad2 = structuredClone(OPEN_ORDERS) as { data: Record<string, unknown>[] }
    bad2.data[0]!.state = 3
    expectMalformed(() => parseOrders(bad2, 'open orders', 'orders'), 'orders')
  })
})

// ccxt okx.js fetchMyTrades example (trade/fills-history).
const FILLS = {
  code: '0',
  data: [
    {
      side: 'buy',
      fillSz: '0.007533',
      fillPx: '2654.98',
      fee: '-0.000007533',
      ordId: '317321390244397056',
      instType: 'SPOT',
      instId: 'ETH-USDT',
      clOrdId: '',
      posSide: 'net',
      billId: '317321390265368576',
      tag: '0',
      execType: 'T',
      tradeId: '107601752',
      feeCcy: 'ETH',
      ts: '1621927314985'
    }
  ],
  msg: ''
}

describe('OKX fills', () => {
  it('keys fills by billId (tradeId is only unique per instrument)', () => {
    const [f] = parseFills(FILLS, 'fills')
    const data = fillData(f!, SPOT, 1, fillMarketPrice(f!, SPOT))
    expect(data).toMatchObject({
      tradeId: '107601752',
      billId: '317321390265368576',
      orderId: '317321390244397056',
      symbol: 'ETH/USDT',
      side: 'buy',
      amount: 0.007533,
      price: 2654.98,
      liquidity: 'taker',
      // No fillIdxPx in this (older) example: no market price.
      marketPrice: null
    })
    expect(data.notionalUsd).toBeCloseTo(0.007533 * 2654.98, 8)
  })

  it('uses the index price only where it is in the quote currency, the mark price for swaps', () => {
    const [f] = parseFills(
      { code: '0', data: [{ ...FILLS.data[0], fillIdxPx: '2600', fillMarkPx: '' }] },
      'fills'
    )
    expect(fillMarketPrice(f!, SPOT)).toBe(2600)
    expect(fillMarketPrice(f!, { ...SPOT, symbol: 'ETH/BTC', quote: 'BTC' })).toBeNull()
    const [g] = parseFills(
      { code: '0', data: [{ ...FILLS.data[0], instId: 'BTC-USDT-SWAP', fillMarkPx: '60100' }] },
      'fills'
    )
    expect(fillMarketPrice(g!, SWAP)).toBe(60100)
  })
})

// ccxt okx.js fetchWithdrawals / fetchWithdrawal examples.
const WITHDRAWALS = {
  code: '0',
  msg: '',
  data: [
    {
      amt: '0.094',
      wdId: '4703879',
      fee: '0.01000000eth',
      txId: '0x62477bac6509a04512819bb1455e923a60dea5966c7caeaa0b24eb8fb0432b85',
      ccy: 'ETH',
      from: '13426335357',
      to: '0xA41446125D0B5b6785f6898c9D67874D763A1519',
      ts: '1597026383085',
      state: '2'
    },
    {
      chain: 'USDT-TRC20',
      clientId: '',
      fee: '0.8',
      ccy: 'USDT',
      amt: '54.561',
      txId: '00cff6ec7fa7c7d7d184bd84e82b9ff36863f07c0421188607f87dfa94e06b70',
      from: 'example@email.com',
      to: 'TEY6qjnKDyyq5jDc3DJizWLCdUySrpQ4yp',
      state: '2',
      ts: '1641376485000',
      wdId: '25147041'
    }
  ]
}

describe('OKX withdrawals', () => {
  it('accepts a fee written with its currency ("0.01000000eth") as no parsed fee', () => {
    const rows = parseWithdrawals(WITHDRAWALS, 'withdrawals')
    expect(rows).toHaveLength(2)
    expect(withdrawalData(rows[0]!, 3000)).toMatchObject({
      withdrawalId: '4703879',
      currency: 'ETH',
      amount: 0.094,
      address: '0xA41446125D0B5b6785f6898c9D67874D763A1519',
      network: null,
      status: 'completed',
      state: '2',
      amountUsd: 282
    })
    expect(withdrawalData(rows[1]!, 1)).toMatchObject({ network: 'TRC20', amountUsd: 54.561 })
  })

  it('names OKX withdrawal state codes', () => {
    expect(withdrawalStatus('0')).toBe('pending')
    expect(withdrawalStatus('4')).toBe('review')
    expect(withdrawalStatus('-2')).toBe('cancelled')
    expect(withdrawalStatus('-1')).toBe('failed')
  })
})

describe('OKX balances, positions, leverage, transfers', () => {
  it('parses the documented account/balance (equity and OKX’s own USD value)', () => {
    const raw = {
      code: '0',
      data: [
        {
          adjEq: '',
          details: [
            {
              availBal: '0.049',
              availEq: '',
              cashBal: '0.049',
              ccy: 'BTC',
              crossLiab: '',
              disEq: '1918.55678',
              eq: '0.049',
              eqUsd: '1918.55678',
              frozenBal: '0',
              interest: '',
              isoEq: '',
              isoLiab: '',
              liab: '',
              maxLoan: '',
              mgnRatio: '',
              notionalLever: '',
              ordFrozen: '0',
              twap: '0',
              uTime: '1621973128591',
              upl: '',
              uplLiab: ''
            }
          ],
          imr: '',
          isoEq: '',
          mgnRatio: '',
          mmr: '',
          notionalUsd: '',
          ordFroz: '',
          totalEq: '1918.55678',
          uTime: '1622045126908'
        }
      ],
      msg: ''
    }
    expect(parseBalances(raw)).toEqual([{ currency: 'BTC', total: 0.049, usdValue: 1918.55678 }])
  })

  it('parses the documented position (hedge mode, long) and leverage-info', () => {
    const [p] = parsePositions({
      code: '0',
      data: [
        {
          adl: '3',
          availPos: '1',
          avgPx: '34131.1',
          cTime: '1627227626502',
          ccy: 'USDT',
          instId: 'BTC-USDT-SWAP',
          instType: 'SWAP',
          lever: '2',
          mgnMode: 'cross',
          notionalUsd: '341.5130010779638',
          pos: '1',
          posId: '339552508062380036',
          posSide: 'long',
          uTime: '1627227626502',
          upl: '0.0108608358957281'
        }
      ],
      msg: ''
    })
    expect(positionData(SWAP, p!)).toEqual({
      symbol: 'BTC/USDT:USDT',
      side: 'long',
      size: 0.01,
      leverage: 2,
      notionalUsd: 341.5130010779638
    })
    expect(positionData(SWAP, null).side).toBe('flat')
    const lever = parseLeverage({
      code: '0',
      data: [{ instId: 'BTC-USDT-SWAP', lever: '5.00000000', mgnMode: 'isolated', posSide: 'net' }],
      msg: ''
    })
    expect([...lever]).toEqual([['BTC-USDT-SWAP', 5]])
  })

  it('reads a transfer bill: direction and where it went', () => {
    const [bill] = parseBills(
      {
        code: '0',
        data: [
          {
            bal: '70.6874353780312913',
            balChg: '-4.0000000000000000',
            billId: '588900695232225299',
            ccy: 'USDT',
            execType: '',
            fee: '',
            from: '18',
            instId: '',
            instType: '',
            mgnMode: '',
            notes: 'To Funding Account',
            ordId: '',
            pnl: '',
            posBal: '',
            posBalChg: '',
            price: '0',
            subType: '12',
            sz: '-4',
            to: '6',
            ts: '1686676866989',
            type: '1'
          }
        ],
        msg: ''
      },
      'transfers'
    )
    expect(transferData(bill!, 1)).toEqual({
      transferId: '588900695232225299',
      currency: 'USDT',
      amount: 4,
      to: 'funding',
      amountUsd: 4,
      direction: 'out',
      notes: 'To Funding Account'
    })
  })
})

describe('OKX kill-switch answers', () => {
  it('reads each cancel result; "already gone" codes count as done', () => {
    const items = parseItemResults(
      {
        code: '2',
        data: [
          {
            clOrdId: 'e123456789ec4dBC1123456ba123b45e',
            ordId: '405071912345641543',
            sCode: '0',
            sMsg: ''
          },
          { clOrdId: '', ordId: '405071912345641544', sCode: '51402', sMsg: 'already completed' },
          { clOrdId: '', ordId: '405071912345641545', sCode: '51008', sMsg: 'insufficient' }
        ],
        msg: ''
      },
      'cancel answer',
      'cancelOrders'
    )
    expect(items.map((i) => [i.id, i.ok, i.gone])).toEqual([
      ['405071912345641543', true, false],
      ['405071912345641544', false, true],
      ['405071912345641545', false, false]
    ])
    const algos = parseItemResults(
      { code: '0', data: [{ algoId: '431375349042380800', sCode: '0', sMsg: '' }], msg: '' },
      'cancel answer',
      'cancelAlgos'
    )
    expect(algos[0]).toMatchObject({ id: '431375349042380800', ok: true })
  })

  it('parses pending algo orders and the cancel-all-after answer', () => {
    const [a] = parseAlgoOrders(
      {
        code: '0',
        data: [
          {
            algoId: '431375349042380800',
            instId: 'ETH-USDT',
            ordType: 'trigger',
            state: 'live',
            side: 'buy',
            sz: '0.1',
            cTime: '1649119897778',
            tag: ''
          }
        ],
        msg: ''
      },
      'killSwitch'
    )
    expect(a).toMatchObject({ algoId: '431375349042380800', instId: 'ETH-USDT', sz: 0.1 })
    expect(
      parseCancelAllAfter({
        code: '0',
        msg: '',
        data: [{ triggerTime: '1587971460', ts: '1587971400' }]
      })
    ).toEqual({ triggerTime: 1587971460, ts: 1587971400 })
  })
})

describe('OKX instruments ccxt does not know', () => {
  it('guesses spot, linear and inverse perpetuals from the instId', () => {
    expect(guessInstrument('DMG-USDT')).toMatchObject({ symbol: 'DMG/USDT', spot: true })
    expect(guessInstrument('ETH-USDT-SWAP')).toMatchObject({
      symbol: 'ETH/USDT:USDT',
      spot: false,
      inverse: false
    })
    expect(guessInstrument('BTC-USD-SWAP')).toMatchObject({ symbol: 'BTC/USD:BTC', inverse: true })
  })
})
