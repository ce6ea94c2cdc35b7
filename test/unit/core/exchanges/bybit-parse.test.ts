/**
 * Contract tests: Bybit's documented example responses through the parsers the connector uses.
 * The key examples are the files in shared/fixtures/exchange-docs/ (verbatim docs examples);
 * the other examples are copied from the bybit-exchange/docs repository (paths named at each),
 * except where a case is marked synthetic.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

import ccxt from 'ccxt'
import { describe, expect, it } from 'vitest'

import {
  addressData,
  addressRecordId,
  BYBIT_API_KEYS_URL,
  classifyBybit,
  fillData,
  internalTransferData,
  isConditional,
  isOffChain,
  isTradeExecution,
  normalizeBybitPermissions,
  offChainTransferData,
  orderData,
  orderState,
  parseAddresses,
  parseCancelAll,
  parseExecutions,
  parseFundBalance,
  parseInternalTransfers,
  parseKeyChange,
  parseKeyInfo,
  parseOrders,
  parsePositions,
  parseTickers,
  parseUniversalTransfers,
  parseWalletBalance,
  parseWithdrawals,
  positionData,
  universalTransferData,
  withdrawalData,
  type MarketInfo
} from '../../../../main/core/exchanges/bybit-parse'
import { ExchangeFault } from '../../../../main/core/exchanges/connector'

const FIXTURES = '/work/shared/fixtures/exchange-docs'
const fixture = (name: string): unknown => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'))
const clone = <T>(v: T): T => structuredClone(v)

const envelope = (result: unknown) => ({
  retCode: 0,
  retMsg: 'OK',
  result,
  retExtInfo: {},
  time: 1700000000000
})

const linear: MarketInfo = {
  symbol: 'BTC/USDT:USDT',
  category: 'linear',
  base: 'BTC',
  quote: 'USDT',
  quoteUsd: 1,
  last: 27000
}

const expectMalformed = (fn: () => unknown, stream: string): void => {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(ExchangeFault)
    expect((error as ExchangeFault).category).toBe('malformed')
    expect((error as ExchangeFault).stream).toBe(stream)
    expect((error as ExchangeFault).message).toMatch(/^Bybit: /)
    return
  }
  throw new Error('expected a malformed fault')
}

describe('query-api (shared/fixtures/exchange-docs)', () => {
  it('current docs example: IP-bound, read-only wins over trade names, no expiry, new groups ignored', () => {
    const raw = fixture('bybit-v5-user-query-api.json')
    const info = parseKeyInfo(raw)
    expect(info.snapshot).toEqual({
      keyId: '2208369',
      name: 'testnet',
      // readOnly: 1 is authoritative although Order / SpotTrade are listed.
      permissions: ['read'],
      ipWhitelist: ['18.181.170.164', '13.212.45.47', '13.212.45.48'],
      enabled: true,
      self: true,
      createdAt: Date.parse('2025-10-13T03:20:45Z'),
      // deadlineDay -2 with the epoch: no expiry.
      expiresAt: null,
      thirdParty: false
    })
    expect(info.readOnly).toBe(true)
    expect(info.isMaster).toBe(true)
    expect(info.userId).toBe('1448939')
    expect(info.apiKeyHint).toBe('…XXXX')
    // Raw groups are kept as listed, unknown ones included (and the docs' "FaitPayOrder" spelling).
    expect(info.rawPermissions.FiatBitPay).toEqual(['FaitPayOrder'])
    expect(info.rawPermissions.ByXPost).toEqual(['ByXPost'])
    expect(info.rawPermissions.Spot).toEqual(['SpotTrade'])
    // The secret field (always "") never leaves the parser.
    expect(JSON.stringify(info)).not.toMatch(/secret/i)
  })

  it('older docs example: ips ["*"] means no IP binding, expiry from expiredAt', () => {
    const info = parseKeyInfo(fixture('bybit-v5-user-query-api.ips-wildcard.json'))
    expect(info.snapshot).toMatchObject({
      keyId: '13770661',
      name: 'readwrite api key',
      permissions: ['read', 'spot', 'futures', 'transfer'],
      ipWhitelist: [],
      createdAt: Date.parse('2022-10-16T02:24:40Z'),
      expiresAt: Date.parse('2023-12-22T07:20:25Z'),
      thirdParty: false
    })
    // AccountTransfer / SubMemberTransfer: this key may delete or downgrade itself.
    expect(info.canManageSelf).toBe(true)
    expect(info.readOnly).toBe(false)
  })

  it('type 2 is a key linked to a third-party app; Withdraw becomes withdraw', () => {
    const raw = clone(fixture('bybit-v5-user-query-api.ips-wildcard.json')) as {
      result: Record<string, unknown> & { permissions: Record<string, string[]> }
    }
    raw.result.type = 2
    raw.result.permissions.Wallet = ['Withdraw']
    raw.result.permissions.Spot = []
    raw.result.permissions.ContractTrade = []
    raw.result.permissions.Options = []
    const info = parseKeyInfo(raw)
    expect(info.snapshot.thirdParty).toBe(true)
    expect(info.snapshot.permissions).toEqual(['read', 'withdraw'])
    expect(info.canManageSelf).toBe(true)
  })

  it('accepts the other "no binding" encodings and ignores unknown fields', () => {
    const raw = clone(fixture('bybit-v5-user-query-api.json')) as {
      result: Record<string, unknown>
    }
    raw.result.ips = []
    raw.result.somethingNew = { nested: true }
    expect(parseKeyInfo(raw).snapshot.ipWhitelist).toEqual([])
    raw.result.ips = '*'
    expect(parseKeyInfo(raw).snapshot.ipWhitelist).toEqual([])
    raw.result.ips = '1.2.3.4,5.6.7.8'
    expect(parseKeyInfo(raw).snapshot.ipWhitelist).toEqual(['1.2.3.4', '5.6.7.8'])
  })

  it('normalises permission groups to the Vigil vocabulary', () => {
    expect(normalizeBybitPermissions(false, { Derivatives: ['DerivativesTrade'] })).toEqual([
      'read',
      'futures'
    ])
    expect(
      normalizeBybitPermissions(false, { Wallet: ['AccountTransfer'], Earn: ['Earn'] })
    ).toEqual(['read', 'transfer'])
    expect(normalizeBybitPermissions(true, { Wallet: ['Withdraw'] })).toEqual(['read'])
  })

  it('a truncated or wrong-shaped answer is malformed for that stream only', () => {
    expectMalformed(() => parseKeyInfo('{"retCode":0,"result":{"id":"1"', 'keys'), 'keys')
    expectMalformed(() => parseKeyInfo({ retCode: 0, retMsg: 'OK' }, 'keys'), 'keys')
    const raw = clone(fixture('bybit-v5-user-query-api.json')) as {
      result: Record<string, unknown>
    }
    raw.result.readOnly = 'maybe'
    expectMalformed(() => parseKeyInfo(raw, 'keys'), 'keys')
  })
})

describe('delete-api / update-api', () => {
  it('delete-api answers result {} (shared fixture)', () => {
    expect(parseKeyChange(fixture('bybit-v5-user-delete-api.json'))).toEqual({ readOnly: null })
  })

  it('update-api answers the key object (docs/v5/user/modify-master-apikey.mdx)', () => {
    expect(
      parseKeyChange(
        envelope({ id: '13770661', readOnly: 1, secret: '', ips: ['*'], permissions: {} })
      )
    ).toEqual({ readOnly: true })
  })
})

describe('orders (docs/v5/order/order-list.mdx)', () => {
  const docs = envelope({
    list: [
      {
        orderId: '14bad3a1-6454-43d8-bcf2-5345896cf74d',
        orderLinkId: 'YLxaWKMiHU',
        blockTradeId: '',
        symbol: 'BTCUSDT',
        price: '26864.40',
        qty: '0.003',
        side: 'Buy',
        isLeverage: '',
        positionIdx: 1,
        orderStatus: 'Cancelled',
        cancelType: 'UNKNOWN',
        rejectReason: 'EC_PostOnlyWillTakeLiquidity',
        avgPrice: '0',
        leavesQty: '0.000',
        leavesValue: '0',
        cumExecQty: '0.000',
        cumExecValue: '0',
        cumExecFee: '0',
        timeInForce: 'PostOnly',
        orderType: 'Limit',
        stopOrderType: 'UNKNOWN',
        orderIv: '',
        triggerPrice: '0.00',
        takeProfit: '0.00',
        stopLoss: '0.00',
        reduceOnly: false,
        closeOnTrigger: false,
        createdTime: '1684476068369',
        updatedTime: '1684476068372',
        cumFeeDetail: { MNT: '0.00242968' }
      }
    ],
    nextPageCursor: 'page_token%3D39380%26',
    category: 'linear'
  })

  it('parses the page and its cursor; "UNKNOWN" stop type is a normal order', () => {
    const { list, next } = parseOrders(docs, 'order history', 'orders:linear:USDT')
    expect(next).toBe('page_token%3D39380%26')
    expect(list).toHaveLength(1)
    const o = list[0]!
    expect(isConditional(o)).toBe(false)
    expect(orderData(o, linear, 5)).toMatchObject({
      orderId: '14bad3a1-6454-43d8-bcf2-5345896cf74d',
      symbol: 'BTC/USDT:USDT',
      side: 'buy',
      type: 'limit',
      status: 'cancelled',
      amount: 0.003,
      price: 26864.4,
      filled: 0,
      notionalUsd: 0.003 * 26864.4,
      origin: null,
      leverage: 5,
      exchangeStatus: 'Cancelled'
    })
  })

  it('market orders drop the protective price; conditional orders are flagged; spot has no leverage', () => {
    const market = parseOrders(
      envelope({
        list: [
          {
            orderId: 'm1',
            symbol: 'BTCUSDT',
            side: 'Sell',
            orderType: 'Market',
            orderStatus: 'Filled',
            price: '25650.0',
            qty: '0.01',
            avgPrice: '27000',
            cumExecQty: '0.01',
            createdTime: '1',
            updatedTime: '2'
          },
          {
            orderId: 's1',
            symbol: 'BTCUSDT',
            side: 'Buy',
            orderType: 'Limit',
            orderStatus: 'Untriggered',
            price: '20000',
            qty: '0.01',
            avgPrice: '',
            cumExecQty: '0',
            stopOrderType: 'Stop',
            triggerPrice: '21000',
            createdTime: '1',
            updatedTime: '1'
          }
        ],
        nextPageCursor: ''
      }),
      'x',
      'orders:spot'
    )
    expect(market.next).toBeNull()
    const [m, s] = market.list
    expect(orderData(m!, linear, 3)).toMatchObject({
      price: null,
      notionalUsd: 270,
      status: 'filled'
    })
    expect(isConditional(s!)).toBe(true)
    const spot = { ...linear, symbol: 'BTC/USDT', category: 'spot' as const }
    expect(orderData(s!, spot, 3)).toMatchObject({
      status: 'open',
      conditional: true,
      leverage: null
    })
    expect(orderState('PartiallyFilledCanceled')).toBe('cancelled')
    expect(orderState('Deactivated')).toBe('cancelled')
    expect(orderState('Rejected')).toBe('rejected')
  })

  it('a body cut off mid-way is malformed', () => {
    expectMalformed(
      () =>
        parseOrders(
          '{"retCode":0,"retMsg":"OK","result":{"category":"linear","list":[{"symbol":"BTCUSDT","orderId":"',
          'open orders',
          'orders:linear:USDT'
        ),
      'orders:linear:USDT'
    )
  })
})

describe('executions: funding rows are not trades', () => {
  // docs/v5/order/execution.mdx (a trade) and docs/v5/pre-upgrade/execution.mdx (a funding row).
  const page = envelope({
    nextPageCursor: '132766%3A2%2C132766%3A2',
    category: 'linear',
    list: [
      {
        symbol: 'ETHPERP',
        orderType: 'Market',
        underlyingPrice: '',
        orderLinkId: '',
        side: 'Buy',
        indexPrice: '',
        orderId: '8c065341-7b52-4ca9-ac2c-37e31ac55c94',
        stopOrderType: 'UNKNOWN',
        leavesQty: '0',
        execTime: '1672282722429',
        feeCurrency: '',
        isMaker: false,
        execFee: '0.071409',
        feeRate: '0.0006',
        execId: 'e0cbe81d-0f18-5866-9415-cf319b5dab3b',
        tradeIv: '',
        blockTradeId: '',
        markPrice: '1183.54',
        execPrice: '1190.15',
        markIv: '',
        orderQty: '0.1',
        orderPrice: '1236.9',
        execValue: '119.015',
        execType: 'Trade',
        execQty: '0.1',
        closedSize: '',
        extraFees: '',
        seq: 4688002127
      },
      {
        symbol: 'BTCUSDT',
        orderId: '1682553600-BTCUSDT-592334-Sell',
        orderLinkId: '',
        side: 'Sell',
        orderPrice: '0.00',
        orderQty: '0.000',
        leavesQty: '0.000',
        orderType: 'UNKNOWN',
        stopOrderType: 'UNKNOWN',
        execFee: '0.6364003',
        execId: '11f1c4ed-ff20-4d73-acb7-96e43a917f25',
        execPrice: '28399.90',
        execQty: '0.011',
        execType: 'Funding',
        execValue: '312.3989',
        execTime: '1682553600000',
        isMaker: false,
        feeRate: '0.00203714',
        tradeIv: '',
        markIv: '',
        markPrice: '28399.90',
        indexPrice: '',
        underlyingPrice: '',
        blockTradeId: '',
        closedSize: '0.000'
      }
    ]
  })

  it('keeps trades, skips the funding settlement', () => {
    const { list, next } = parseExecutions(page, 'fills:linear:USDC')
    expect(next).toBe('132766%3A2%2C132766%3A2')
    expect(list.map(isTradeExecution)).toEqual([true, false])
    const eth: MarketInfo = { ...linear, symbol: 'ETH/USDC:USDC', base: 'ETH', quote: 'USDC' }
    expect(fillData(list[0]!, eth)).toEqual({
      tradeId: 'e0cbe81d-0f18-5866-9415-cf319b5dab3b',
      orderId: '8c065341-7b52-4ca9-ac2c-37e31ac55c94',
      symbol: 'ETH/USDC:USDC',
      side: 'buy',
      amount: 0.1,
      price: 1190.15,
      notionalUsd: 0.1 * 1190.15,
      marketPrice: 1183.54
    })
  })

  it('ADL and liquidation executions are trades; settlement and delivery are not', () => {
    const row = (execType: string) =>
      parseExecutions(
        envelope({
          list: [
            {
              symbol: 'BTCUSDT',
              execId: execType,
              execPrice: '1',
              execQty: '1',
              execTime: '1',
              execType
            }
          ],
          nextPageCursor: ''
        }),
        'fills'
      ).list[0]!
    expect(isTradeExecution(row('AdlTrade'))).toBe(true)
    expect(isTradeExecution(row('BustTrade'))).toBe(true)
    expect(isTradeExecution(row('Settle'))).toBe(false)
    expect(isTradeExecution(row('Delivery'))).toBe(false)
  })
})

describe('positions (docs/v5/position/position.mdx)', () => {
  it('parses size, side, leverage and seq', () => {
    const { list } = parsePositions(
      envelope({
        list: [
          {
            positionIdx: 0,
            symbol: 'BTCUSD',
            side: 'Sell',
            size: '300',
            avgPrice: '27464.50441675',
            leverage: '10',
            markPrice: '28224.50',
            seq: 5723621632,
            createdTime: '1676538056258',
            updatedTime: '1697673600012'
          },
          { symbol: 'ETHUSD', side: '', size: '0', leverage: '', seq: -1, updatedTime: '' }
        ],
        nextPageCursor: '',
        category: 'inverse'
      }),
      'positions'
    )
    expect(positionData('BTC/USD:BTC', list[0]!)).toEqual({
      symbol: 'BTC/USD:BTC',
      side: 'short',
      size: 300,
      leverage: 10
    })
    expect(list[0]!.seq).toBe(5723621632)
    // Portfolio-margin accounts print leverage as "".
    expect(positionData('ETH/USD:ETH', list[1]!)).toEqual({
      symbol: 'ETH/USD:ETH',
      side: 'flat',
      size: 0,
      leverage: null
    })
  })
})

describe('balances (docs/v5/account/wallet-balance.mdx, docs/v5/asset/balance/all-balance.mdx)', () => {
  it('reads equity and the USD value per coin', () => {
    const coins = parseWalletBalance(
      envelope({
        list: [
          {
            totalEquity: '3.31216591',
            accountType: 'UNIFIED',
            coin: [
              {
                availableToBorrow: '3',
                equity: '0.5',
                usdValue: '13500',
                walletBalance: '0.4',
                coin: 'BTC',
                unrealisedPnl: '0.1'
              },
              { coin: 'USDT', equity: '', walletBalance: '100', usdValue: '100' }
            ]
          }
        ]
      })
    )
    expect(coins).toEqual([
      { coin: 'BTC', total: 0.5, usdValue: 13500 },
      { coin: 'USDT', total: 100, usdValue: 100 }
    ])
    expect(
      parseFundBalance(
        envelope({
          memberId: 'XXXX',
          accountType: 'FUND',
          balance: [{ coin: 'USDC', transferBalance: '0', walletBalance: '0', bonus: '' }]
        })
      )
    ).toEqual([{ coin: 'USDC', total: 0 }])
  })
})

describe('withdrawals (docs/v5/asset/withdraw/withdraw-record.mdx)', () => {
  const docs = {
    retCode: 0,
    retMsg: 'success',
    result: {
      rows: [
        {
          coin: 'USDC',
          chain: 'ETH',
          amount: '41.43008',
          txID: '0x3d7bddb797f0e86420c982c0723653b8b728fd0ec9953b6b354445848d83a185',
          status: 'success',
          toAddress: '0xE3De6d711e0951d34777b5Cd93c827F822ee8514',
          tag: '',
          withdrawFee: '5',
          createTime: '1742738305000',
          updateTime: '1742738340000',
          withdrawId: '131629076',
          withdrawType: 0,
          fee: '',
          tax: '',
          taxRate: '',
          taxType: ''
        }
      ],
      nextPageCursor: 'eyJtaW5JRCI6MTMxNjAzNDU4LCJtYXhJRCI6MTMxNjI5MDc2fQ=='
    },
    retExtInfo: {},
    time: 1750777316807
  }

  it('maps an on-chain withdrawal with its USD amount', () => {
    const { list, next } = parseWithdrawals(docs, 'withdrawals')
    expect(next).toBe('eyJtaW5JRCI6MTMxNjAzNDU4LCJtYXhJRCI6MTMxNjI5MDc2fQ==')
    expect(isOffChain(list[0]!)).toBe(false)
    expect(withdrawalData(list[0]!, 1)).toEqual({
      withdrawalId: '131629076',
      currency: 'USDC',
      amount: 41.43008,
      address: '0xE3De6d711e0951d34777b5Cd93c827F822ee8514',
      network: 'ETH',
      status: 'success',
      amountUsd: 41.43008
    })
  })

  it('an off-chain "withdrawal" is a transfer to another Bybit UID', () => {
    const raw = clone(docs)
    Object.assign(raw.result.rows[0]!, { withdrawType: 1, toAddress: '592324', chain: '' })
    const w = parseWithdrawals(raw, 'withdrawals').list[0]!
    expect(isOffChain(w)).toBe(true)
    expect(offChainTransferData(w, null)).toMatchObject({
      transferId: '131629076',
      to: 'external-user',
      toUid: '592324',
      amountUsd: null
    })
  })
})

describe('transfers (docs/v5/asset/transfer/*-list.mdx)', () => {
  it('universal transfers go to a sub-account; internal ones name the receiving account type', () => {
    const uni = parseUniversalTransfers(
      envelope({
        list: [
          {
            transferId: 'universalTransfer_4c3cfe2f-85cb-11ed-ac09-9e37823c81cd_533285',
            coin: 'USDC',
            amount: '1000',
            timestamp: '1672134373000',
            status: 'SUCCESS',
            fromAccountType: 'UNIFIED',
            toAccountType: 'UNIFIED',
            fromMemberId: '533285',
            toMemberId: '592324'
          }
        ],
        nextPageCursor: 'eyJtaW5JRCI6MTc4OTYwNSwibWF4SUQiOjE3ODk2MDV9'
      }),
      'transfers:sub'
    )
    expect(universalTransferData(uni.list[0]!, '533285', 1)).toMatchObject({
      transferId: 'universalTransfer_4c3cfe2f-85cb-11ed-ac09-9e37823c81cd_533285',
      currency: 'USDC',
      amount: 1000,
      to: 'sub',
      toUid: '592324',
      amountUsd: 1000
    })
    const internal = parseInternalTransfers(
      envelope({
        list: [
          {
            transferId: 'selfTransfer_a1091cc7-9364-4b74-8de1-18f02c6f2d5c',
            coin: 'USDT',
            amount: '5000',
            fromAccountType: 'SPOT',
            toAccountType: 'UNIFIED',
            timestamp: '1667283263000',
            status: 'SUCCESS'
          }
        ],
        nextPageCursor: 'eyJtaW5JRCI6MTM1ODQ2OCwibWF4SUQiOjEzNTg0Njh9'
      }),
      'transfers:internal'
    )
    expect(internalTransferData(internal.list[0]!, 1)).toMatchObject({
      to: 'UNIFIED',
      from: 'SPOT',
      internal: true,
      amountUsd: 5000
    })
  })
})

describe('address book (docs/v5/asset/withdraw/withdraw-address.mdx)', () => {
  it('reads createdAt (example, seconds) and createAt (field table) alike; flags universal addresses', () => {
    const { list } = parseAddresses(
      {
        retCode: 0,
        retMsg: 'success',
        result: {
          rows: [
            {
              coin: 'USDT',
              chain: 'ETH',
              address: '0x48101adb67d426cb15e46be5f1d9f6ab25f311ea',
              tag: '',
              remark: '',
              status: 0,
              addressType: 0,
              verified: 0,
              createdAt: '1760951195'
            },
            {
              coin: 'baseCoin',
              chain: 'ETH',
              address: '0x48101adb67d426cb15e46be5f1d9f6ab25f311ea',
              tag: '',
              remark: 'Universal Address',
              status: 0,
              addressType: 0,
              verified: 0,
              createAt: '1760951332'
            }
          ],
          nextPageCursor: 'eyJtaW5JRCI6MTA1MDgsIm1heElEIjoxMDUwOX0='
        },
        retExtInfo: {},
        time: 1760960379395
      },
      'addresses'
    )
    expect(list.map((a) => a.createdAt)).toEqual([1760951195000, 1760951332000])
    expect(addressRecordId(list[0]!)).toBe('USDT:0x48101adb67d426cb15e46be5f1d9f6ab25f311ea')
    expect(addressData(list[0]!)).toEqual({
      currency: 'USDT',
      address: '0x48101adb67d426cb15e46be5f1d9f6ab25f311ea',
      label: null,
      chain: 'ETH'
    })
    expect(addressData(list[1]!)).toMatchObject({ universal: true, label: 'Universal Address' })
  })
})

describe('small results', () => {
  it('cancel-all lists the cancelled order ids; tickers give last prices', () => {
    expect(
      parseCancelAll(
        envelope({
          list: [{ orderId: '1616024329462743808', orderLinkId: '1616024329462743809' }],
          success: '1'
        })
      )
    ).toEqual(['1616024329462743808'])
    expect(parseCancelAll(envelope({}))).toEqual([])
    expect([
      ...parseTickers(
        envelope({ category: 'spot', list: [{ symbol: 'BTCUSDT', lastPrice: '60000' }] })
      )
    ]).toEqual([['BTCUSDT', 60000]])
  })

  it('the API-management URL is the one the kill switch points to', () => {
    expect(BYBIT_API_KEYS_URL).toBe('https://www.bybit.com/app/user/api-management')
  })
})

describe('errors: Bybit codes as ccxt raises them', () => {
  const bybit = new ccxt.bybit()
  const raise = (status: number, body: string): unknown => {
    let parsed: unknown
    try {
      parsed = JSON.parse(body)
    } catch {
      parsed = undefined
    }
    try {
      bybit.handleErrors(
        status,
        '',
        'https://api.bybit.com/v5/order/realtime',
        'GET',
        {},
        body,
        parsed,
        {},
        ''
      )
      bybit.handleHttpStatusCode(status, '', 'https://api.bybit.com/v5/order/realtime', 'GET', body)
    } catch (error) {
      return error
    }
    throw new Error('ccxt raised nothing')
  }
  const body = (retCode: number, retMsg: string) =>
    JSON.stringify({ retCode, retMsg, result: {}, retExtInfo: {}, time: 1 })

  it.each([
    [200, body(10003, 'API key is invalid.'), 'auth'],
    [200, body(10004, 'error sign! origin_string[1700000000000TESTKEY5000]'), 'auth'],
    [200, body(33004, 'Your api key has expired.'), 'auth'],
    [200, body(10005, 'Permission denied, please check your API key permissions.'), 'permission'],
    [200, body(10006, 'Too many visits!'), 'rate-limit'],
    [403, '403 Forbidden: access too frequent', 'rate-limit'],
    [429, 'Too Many Requests', 'rate-limit'],
    [503, body(10016, 'Server is under maintenance. Please try again later.'), 'maintenance'],
    [200, body(10016, 'Server error.'), 'transient'],
    [502, '<html><head><title>502 Bad Gateway</title></head></html>', 'transient']
  ])('HTTP %i %s → %s', (status, text, category) => {
    const fault = classifyBybit(raise(status, text), { stream: 'orders:spot' })
    expect(fault.category).toBe(category)
    expect(fault.stream).toBe('orders:spot')
    // Messages are safe to show: no URL, no signature payload.
    expect(fault.message).not.toMatch(/https?:\/\//)
    expect(fault.message).not.toContain('TESTKEY5000')
  })
})
