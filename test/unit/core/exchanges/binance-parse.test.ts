/**
 * Contract tests: Binance's documented example responses (shared/fixtures/exchange-docs for the
 * key endpoint; the docs' examples as ccxt quotes them for wallet, orders and trades) run through
 * the parsers the connector uses, with each documented quirk, plus broken payloads.
 */
import { readFileSync } from 'node:fs'

import { describe, expect, it } from 'vitest'

import {
  addressData,
  addressRecordId,
  binanceKeyId,
  depositRecordId,
  fillData,
  internalTransferData,
  IP_RESTRICTED,
  isInternalTransfer,
  keyPermissions,
  keySnapshot,
  orderData,
  orderOrigin,
  parseAddressList,
  parseAlgoOrders,
  parseApiRestrictions,
  parseCancelDone,
  parseDeposits,
  parseOrders,
  parseSpotAccount,
  parseSubTransfers,
  parseTickerPrices,
  parseTrades,
  parseUsdmAccount,
  parseWithdrawals,
  positionData,
  usdPrice,
  walletTime,
  withdrawalData,
  type MarketInfo
} from '../../../../main/core/exchanges/binance-parse'
import { ExchangeFault } from '../../../../main/core/exchanges/connector'
import { whitelistOpen } from '../../../../main/core/rules/fields'
import { binanceKeyFingerprint } from '../../../../main/simulator/dialects/binance-auth'

const FIXTURES = '/work/shared/fixtures/exchange-docs'
const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(`${FIXTURES}/${name}`, 'utf8')) as Record<string, unknown>

const docsEn = fixture('binance-sapi-v1-account-apiRestrictions.json')
const docsZh = fixture('binance-sapi-v1-account-apiRestrictions.zh-CN.json')

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

describe('GET /sapi/v1/account/apiRestrictions (key posture)', () => {
  it('parses the English docs example into a self KeySnapshot', () => {
    const key = keySnapshot(parseApiRestrictions(docsEn), 'binance-key-x')
    expect(key).toEqual({
      keyId: 'binance-key-x',
      name: null,
      permissions: [
        'read',
        'margin',
        'fix-read',
        'binance:enableReading',
        'binance:enablePortfolioMarginTrading',
        'binance:enableFixReadOnly'
      ],
      ipWhitelist: [],
      enabled: true,
      self: true,
      createdAt: 1698645219000,
      expiresAt: null,
      thirdParty: false
    })
    // `ipRestrict: false` is Binance's "no binding": the rules read the empty list as open.
    expect(whitelistOpen(key.ipWhitelist)).toBe(true)
  })

  it('the zh-CN example differs in createTime and the two transfer switches', () => {
    const en = parseApiRestrictions(docsEn)
    const zh = parseApiRestrictions(docsZh)
    expect(zh.createTime).toBe(1623840271000)
    expect(keyPermissions(en)).not.toContain('transfer')
    expect(keyPermissions(zh)).toContain('transfer')
    expect(keyPermissions(zh)).toEqual(
      expect.arrayContaining(['binance:enableInternalTransfer', 'binance:permitsUniversalTransfer'])
    )
    // Both switches map to one 'transfer', listed once.
    expect(keyPermissions(zh).filter((p) => p === 'transfer')).toHaveLength(1)
  })

  it('takes tradingAuthorityExpirationTime (older schemas) as the expiry when present', () => {
    const key = keySnapshot(
      parseApiRestrictions({ ...docsEn, tradingAuthorityExpirationTime: 1700000000000 }),
      'k'
    )
    expect(key.expiresAt).toBe(1700000000000)
  })

  it('marks an IP-restricted key with a placeholder (Binance does not say which IPs)', () => {
    const key = keySnapshot(parseApiRestrictions({ ...docsEn, ipRestrict: true }), 'k')
    expect(key.ipWhitelist).toEqual([IP_RESTRICTED])
    expect(whitelistOpen(key.ipWhitelist)).toBe(false)
  })

  it('keeps the withdraw-without-IP case the docs say cannot happen (posture rule input)', () => {
    const key = keySnapshot(
      parseApiRestrictions({
        ...docsEn,
        enableWithdrawals: true,
        enableSpotAndMarginTrading: true
      }),
      'k'
    )
    expect(key.permissions).toEqual(expect.arrayContaining(['withdraw', 'spot', 'read']))
    expect(key.ipWhitelist).toEqual([])
  })

  it('accepts string booleans and ignores unknown fields', () => {
    const flags = parseApiRestrictions({
      ...docsEn,
      ipRestrict: 'true',
      enableFutures: 'true',
      someNewFlag: true
    })
    expect(flags.ipRestrict).toBe(true)
    expect(keyPermissions(flags)).toContain('futures')
  })

  it('refuses a truncated or incomplete answer as malformed', () => {
    malformedFault(() => parseApiRestrictions('{"ipRestrict":false,"createTime":16986'))
    malformedFault(() => parseApiRestrictions({ createTime: 1 }))
    malformedFault(() => parseApiRestrictions({ ...docsEn, enableReading: 'maybe' }))
  })

  it('fingerprints the API key the same way the simulator does, without revealing it', () => {
    expect(binanceKeyId('TESTKEY')).toBe(binanceKeyFingerprint('TESTKEY'))
    expect(binanceKeyId('TESTKEY')).not.toContain('TESTKEY')
  })
})

describe('wallet history', () => {
  // The docs' example as ccxt quotes it in binance.js parseTransaction (fetchWithdrawals).
  const withdrawal = {
    id: '69e53ad305124b96b43668ceab158a18',
    amount: '28.75',
    transactionFee: '0.25',
    coin: 'XRP',
    status: 6,
    address: 'r3T75fuLjX51mmfb5Sk1kMNuhBgBPJsjza',
    addressTag: '101286922',
    txId: '19A5B24ED0B697E4F0E9CD09FCB007170A605BC93C9280B9E6379C5E6EF0F65A',
    applyTime: '2021-04-15 12:09:16',
    network: 'XRP',
    transferType: 0
  }

  it('reads applyTime as UTC (the local-looking string is UTC)', () => {
    expect(walletTime('2024-05-05 15:38:56')).toBe(Date.UTC(2024, 4, 5, 15, 38, 56))
    expect(walletTime(1700000000000)).toBe(1700000000000)
    expect(walletTime('not a time')).toBeNull()
  })

  it('parses the documented withdrawal and maps it with its tag and status', () => {
    const [w] = parseWithdrawals([withdrawal])
    expect(w!.applyTime).toBe(Date.UTC(2021, 3, 15, 12, 9, 16))
    expect(isInternalTransfer(w!)).toBe(false)
    expect(withdrawalData(w!, 0.5)).toEqual({
      withdrawalId: '69e53ad305124b96b43668ceab158a18',
      currency: 'XRP',
      amount: 28.75,
      address: 'r3T75fuLjX51mmfb5Sk1kMNuhBgBPJsjza:101286922',
      network: 'XRP',
      status: 'completed',
      amountUsd: 14.375
    })
  })

  it('treats transferType 1 rows as transfers to another Binance user', () => {
    const [w] = parseWithdrawals([
      { ...withdrawal, transferType: 1, txId: 'Internal transfer 51376627901', addressTag: '' }
    ])
    expect(isInternalTransfer(w!)).toBe(true)
    expect(internalTransferData(w!, null)).toMatchObject({
      transferId: withdrawal.id,
      to: 'external-user',
      currency: 'XRP',
      amount: 28.75,
      amountUsd: null
    })
  })

  it('parses deposits without an id (older rows) under a stable record id', () => {
    const [d] = parseDeposits([
      {
        amount: '4500',
        coin: 'USDT',
        network: 'BSC',
        status: 1,
        address: '0xc9c923c87347ca0f3451d6d308ce84f691b9f501',
        addressTag: '',
        txId: 'Internal transfer 51376627901',
        insertTime: 1618394381000,
        transferType: 1,
        confirmTimes: '1/15'
      }
    ])
    expect(depositRecordId(d!)).toBe('USDT:Internal transfer 51376627901:1618394381000')
    expect(depositRecordId({ ...d!, id: '769800519366885376' })).toBe('769800519366885376')
  })

  it('parses the withdrawal address list and keys entries per coin, network and tag', () => {
    // Binance Wallet docs "Fetch withdraw address list" example.
    const [a] = parseAddressList([
      {
        address: '0x0095ce4b7b14fd4f7a5de3a12d6f4f6d3ef9a5e6',
        addressTag: '',
        coin: 'ETH',
        name: 'ETH-1',
        network: 'ETH',
        origin: 'bla',
        originType: 'others',
        whiteStatus: true
      }
    ])
    expect(addressRecordId(a!)).toBe('ETH:0x0095ce4b7b14fd4f7a5de3a12d6f4f6d3ef9a5e6#ETH')
    expect(addressData(a!)).toMatchObject({
      currency: 'ETH',
      address: '0x0095ce4b7b14fd4f7a5de3a12d6f4f6d3ef9a5e6',
      label: 'ETH-1',
      whitelisted: true
    })
  })

  it('parses sub-account transfers, including an empty answer without `result`', () => {
    expect(parseSubTransfers({ totalCount: 0 })).toEqual([])
    const [t] = parseSubTransfers({
      result: [
        {
          tranId: 92275823339,
          fromEmail: 'abctest@gmail.com',
          toEmail: 'deftest@gmail.com',
          asset: 'BNB',
          amount: '0.01',
          createTimeStamp: 1640317374000,
          fromAccountType: 'USDT_FUTURE',
          toAccountType: 'SPOT',
          status: 'SUCCESS',
          clientTranId: 'test'
        }
      ],
      totalCount: 1
    })
    expect(t).toMatchObject({ tranId: '92275823339', amount: 0.01, asset: 'BNB' })
  })

  it('refuses broken wallet rows as malformed', () => {
    malformedFault(() => parseWithdrawals([{ ...withdrawal, applyTime: 'yesterday' }]))
    malformedFault(() => parseWithdrawals({ code: -1000 }))
    malformedFault(() => parseDeposits('[{"amount":"4500","coin":"US'))
  })
})

describe('orders and trades', () => {
  const btcusdt: MarketInfo = {
    symbol: 'BTC/USDT',
    base: 'BTC',
    quote: 'USDT',
    quoteUsd: 1,
    last: 60000,
    leverage: null
  }
  // Spot docs example (GET /api/v3/allOrders).
  const spotOrder = {
    symbol: 'LTCBTC',
    orderId: 1,
    orderListId: -1,
    clientOrderId: 'myOrder1',
    price: '0.1',
    origQty: '1.0',
    executedQty: '0.0',
    cummulativeQuoteQty: '0.0',
    status: 'NEW',
    timeInForce: 'GTC',
    type: 'LIMIT',
    side: 'BUY',
    stopPrice: '0.0',
    icebergQty: '0.0',
    time: 1499827319559,
    updateTime: 1499827319559,
    isWorking: true,
    origQuoteOrderQty: '0.000000',
    workingTime: 1499827319559,
    selfTradePreventionMode: 'NONE'
  }

  it('parses the spot docs order and values it in USD through its quote', () => {
    const [o] = parseOrders([spotOrder], 'orders', 'orders:spot:LTCBTC')
    const data = orderData(o!, { ...btcusdt, symbol: 'LTC/BTC', quote: 'BTC', quoteUsd: 60000 })
    expect(data).toMatchObject({
      orderId: '1',
      symbol: 'LTC/BTC',
      side: 'buy',
      type: 'limit',
      status: 'new',
      amount: 1,
      price: 0.1,
      origin: 'api'
    })
    expect(data.notionalUsd).toBeCloseTo(6000)
  })

  it('values a filled market order by what it executed, an unfilled one by the last price', () => {
    const [filled] = parseOrders(
      [
        {
          ...spotOrder,
          type: 'MARKET',
          price: '0.00000000',
          executedQty: '1.0',
          cummulativeQuoteQty: '0.12',
          status: 'FILLED'
        }
      ],
      'o',
      's'
    )
    expect(orderData(filled!, { ...btcusdt, quoteUsd: 2 }).notionalUsd).toBeCloseTo(0.24)
    const [pending] = parseOrders(
      [{ ...spotOrder, type: 'MARKET', price: '0', executedQty: '0', status: 'NEW' }],
      'o',
      's'
    )
    expect(orderData(pending!, btcusdt)).toMatchObject({ price: null, notionalUsd: 60000 })
  })

  it("tells Binance's web and app orders from API orders by the client order id", () => {
    expect(orderOrigin('web_2b1d4a7c9e0f4a6b8c3d5e7f9a1b2c3d')).toBe('web')
    expect(orderOrigin('and_1f2e3d4c5b6a79881726354453627181')).toBe('web')
    expect(orderOrigin('ios_f0e1d2c3b4a5968778695a4b3c2d1e0f')).toBe('web')
    expect(orderOrigin('x-TKT5PX2Fa1b2c3d4e5f6a7b8c9d0e1')).toBe('api')
    expect(orderOrigin('myOrder1')).toBe('api')
    expect(orderOrigin(null)).toBeNull()
  })

  it('parses USDⓈ-M orders (cumQuote, avgPrice, reduceOnly) with the leverage in force', () => {
    const [o] = parseOrders(
      [
        {
          avgPrice: '0.00000',
          clientOrderId: 'abc',
          cumQuote: '0',
          executedQty: '0',
          orderId: 1917641,
          origQty: '0.40',
          origType: 'TRAILING_STOP_MARKET',
          price: '0',
          reduceOnly: false,
          side: 'BUY',
          positionSide: 'SHORT',
          status: 'NEW',
          stopPrice: '9300',
          closePosition: false,
          symbol: 'BTCUSDT',
          time: 1579276756075,
          timeInForce: 'GTC',
          type: 'TRAILING_STOP_MARKET',
          updateTime: 1579276756075,
          workingType: 'CONTRACT_PRICE',
          priceProtect: false
        }
      ],
      'open orders',
      'openOrders:usdm'
    )
    expect(orderData(o!, { ...btcusdt, symbol: 'BTC/USDT:USDT', leverage: 20 })).toMatchObject({
      type: 'trailing_stop_market',
      reduceOnly: false,
      leverage: 20,
      notionalUsd: 24000
    })
  })

  it('reads the side of a spot trade (isBuyer) and a USDⓈ-M trade (side / buyer)', () => {
    const [spot] = parseTrades(
      [
        {
          symbol: 'BNBBTC',
          id: 28457,
          orderId: 100234,
          orderListId: -1,
          price: '4.00000100',
          qty: '12.00000000',
          quoteQty: '48.000012',
          commission: '10.10000000',
          commissionAsset: 'BNB',
          time: 1499865549590,
          isBuyer: true,
          isMaker: false,
          isBestMatch: true
        }
      ],
      'fills:spot:BNBBTC'
    )
    expect(
      fillData(spot!, { ...btcusdt, symbol: 'BNB/BTC', quote: 'BTC', quoteUsd: 60000 }, 4.1)
    ).toMatchObject({
      tradeId: '28457',
      orderId: '100234',
      side: 'buy',
      amount: 12,
      marketPrice: 4.1
    })
    const [usdm] = parseTrades(
      [
        {
          buyer: false,
          commission: '-0.07819010',
          commissionAsset: 'USDT',
          id: 698759,
          maker: false,
          orderId: 25851813,
          price: '7819.01',
          qty: '0.002',
          quoteQty: '15.63802',
          realizedPnl: '-0.91539999',
          side: 'SELL',
          positionSide: 'SHORT',
          symbol: 'BTCUSDT',
          time: 1569514978020
        }
      ],
      'fills:usdm:BTCUSDT'
    )
    expect(fillData(usdm!, btcusdt, null)).toMatchObject({ side: 'sell', notionalUsd: 15.63802 })
    malformedFault(() => parseTrades([{ ...usdm, buyer: undefined, side: undefined }], 'x'))
  })
})

describe('balances, prices and positions', () => {
  it('parses the spot account wallet (decimal strings)', () => {
    expect(
      parseSpotAccount({
        makerCommission: 15,
        canTrade: true,
        updateTime: 123456789,
        accountType: 'SPOT',
        balances: [
          { asset: 'BTC', free: '4723846.89208129', locked: '0.00000000' },
          { asset: 'LTC', free: '4763368.68006011', locked: '0.00000000' }
        ],
        permissions: ['SPOT'],
        uid: 354937868
      })
    ).toEqual([
      { asset: 'BTC', free: 4723846.89208129, locked: 0 },
      { asset: 'LTC', free: 4763368.68006011, locked: 0 }
    ])
    malformedFault(() =>
      parseSpotAccount('{"makerCommission":10,"balances":[{"asset":"BTC","free":"0.8')
    )
  })

  it('prices assets in USD directly, through BTC / ETH / BNB, or not at all', () => {
    const prices = parseTickerPrices([
      { symbol: 'BTCUSDT', price: '60000.00' },
      { symbol: 'VIABTC', price: '0.00002000' },
      { symbol: 'ETHBTC', price: '0.05' },
      { symbol: 'BTCEUR', price: '55000' }
    ])
    expect(usdPrice('USDT', prices)).toBe(1)
    expect(usdPrice('FDUSD', prices)).toBe(1)
    expect(usdPrice('BTC', prices)).toBe(60000)
    expect(usdPrice('VIA', prices)).toBeCloseTo(1.2)
    expect(usdPrice('ETH', prices)).toBeCloseTo(3000)
    expect(usdPrice('EUR', prices)).toBeCloseTo(60000 / 55000)
    expect(usdPrice('XYZ', prices)).toBeNull()
  })

  it('parses a USDⓈ-M v2 account: positions with leverage and open-order margin', () => {
    const account = parseUsdmAccount({
      assets: [
        {
          asset: 'USDT',
          walletBalance: '23.72469206',
          unrealizedProfit: '0.00000000',
          marginBalance: '23.72469206'
        }
      ],
      positions: [
        {
          symbol: 'BTCUSDT',
          initialMargin: '0',
          maintMargin: '0',
          unrealizedProfit: '0.00000000',
          positionInitialMargin: '0',
          openOrderInitialMargin: '0',
          leverage: '100',
          isolated: true,
          entryPrice: '0.00000',
          maxNotional: '250000',
          positionSide: 'BOTH',
          positionAmt: '-0.010',
          updateTime: 0
        }
      ]
    })
    expect(positionData('BTC/USDT:USDT', account.positions[0]!)).toEqual({
      symbol: 'BTC/USDT:USDT',
      side: 'short',
      size: 0.01,
      leverage: 100
    })
    expect(positionData('BTC/USDT:USDT', null)).toMatchObject({ side: 'flat', size: 0 })
  })
})

describe('kill-switch answers', () => {
  it('accepts the USDⓈ-M cancel-all answer ({"code":200}) and nothing else', () => {
    expect(() =>
      parseCancelDone({ code: 200, msg: 'The operation of cancel all open order is done.' }, 'k')
    ).not.toThrow()
    malformedFault(() => parseCancelDone({ code: -1, msg: 'no' }, 'k'))
    malformedFault(() => parseCancelDone('<html>', 'k'))
  })

  it('reads the symbols of open conditional (algo) orders', () => {
    expect(
      parseAlgoOrders([{ algoId: 2146760, symbol: 'BTCUSDT', algoType: 'CONDITIONAL' }], 'k')
    ).toEqual([{ algoId: '2146760', symbol: 'BTCUSDT' }])
    expect(parseAlgoOrders([], 'k')).toEqual([])
  })
})
