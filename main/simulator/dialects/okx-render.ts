/**
 * World records rendered as OKX v5 objects. Field names and value conventions follow the OKX v5
 * docs examples that ccxt 4.5.84 carries in `okx.js` and shared/fixtures/exchange-docs: every
 * number is a string, absent values are `""`, times are millisecond strings.
 */
import { createHash } from 'node:crypto'

import { usdPriceOf, type MarketState } from '../markets'
import type {
  AccountState,
  FillRecord,
  KeyRecord,
  OrderRecord,
  PositionRecord,
  TransferRecord,
  WithdrawalRecord
} from '../world'
import { okxPerms } from './okx-auth'

/** ccxt's OKX broker tag as the task's reference names it (older ccxt releases). */
export const CCXT_BROKER_TAG = 'e847386590ce4dBC'

/** A number as OKX writes it: a plain decimal string, never exponent notation. */
export function okxNum(n: number): string {
  if (!Number.isFinite(n)) return ''
  if (n === 0) return '0'
  const plain = Number(n.toPrecision(15))
  if (Math.abs(plain) >= 1e-6 && Math.abs(plain) < 1e21) return String(plain)
  return plain.toFixed(18).replace(/0+$/, '').replace(/\.$/, '')
}

/** OKX's instrument id: `BTC-USDT` (spot), `BTC-USDT-SWAP` (linear), `BTC-USD-SWAP` (inverse). */
export function instIdOf(market: MarketState): string {
  return market.type === 'spot'
    ? `${market.base}-${market.quote}`
    : `${market.base}-${market.quote}-SWAP`
}

/** `SPOT` or `SWAP` (the simulator lists no futures or options). */
export const instTypeOf = (market: MarketState): 'SPOT' | 'SWAP' =>
  market.type === 'spot' ? 'SPOT' : 'SWAP'

/** Contract units per unit of the world's amount (1 for spot). */
const contracts = (market: MarketState, amount: number): number =>
  market.type === 'spot' ? amount : amount / market.contractSize

/** USD value of one unit of `asset`, from the account's own `<asset>/USDT` market when it lists one. */
export function usdOf(account: AccountState, asset: string): number {
  const direct = account.markets.get(`${asset}/USDT`) ?? account.markets.get(`${asset}/USDC`)
  return direct ? direct.last * usdPriceOf(direct.quote) : usdPriceOf(asset)
}

/** A deterministic OKX-style numeric id (17–19 digits) derived from some parts. */
export function numericId(...parts: Array<string | number>): string {
  const hex = createHash('sha256').update(parts.join('|')).digest('hex').slice(0, 15)
  return ((BigInt(`0x${hex}`) % 9_000_000_000_000_000n) + 1_000_000_000_000_000n).toString()
}

export function renderInstrument(market: MarketState, listTime: number): Record<string, unknown> {
  const spot = market.type === 'spot'
  return {
    alias: '',
    auctionEndTime: '',
    baseCcy: spot ? market.base : '',
    category: '1',
    ctMult: spot ? '' : '1',
    ctType: spot ? '' : market.inverse ? 'inverse' : 'linear',
    ctVal: spot ? '' : okxNum(market.contractSize),
    ctValCcy: spot ? '' : market.inverse ? market.quote : market.base,
    expTime: '',
    instFamily: spot ? '' : `${market.base}-${market.quote}`,
    instId: instIdOf(market),
    instType: instTypeOf(market),
    lever: spot ? '' : '100',
    listTime: String(listTime),
    lotSz: okxNum(contracts(market, market.minAmount)),
    maxIcebergSz: '9999999999',
    maxLmtAmt: '20000000',
    maxLmtSz: '9999999999',
    maxMktAmt: '1000000',
    maxMktSz: '1000000',
    maxStopSz: '1000000',
    maxTriggerSz: '9999999999',
    maxTwapSz: '9999999999',
    minSz: okxNum(contracts(market, market.minAmount)),
    optType: '',
    quoteCcy: spot ? market.quote : '',
    settleCcy: spot ? '' : (market.settle ?? ''),
    state: 'live',
    stk: '',
    tickSz: okxNum(market.tick),
    uly: spot ? '' : `${market.base}-${market.quote}`
  }
}

export function renderTicker(market: MarketState, now: number): Record<string, unknown> {
  const last = okxNum(market.last)
  return {
    instType: instTypeOf(market),
    instId: instIdOf(market),
    last,
    lastSz: okxNum(contracts(market, market.minAmount)),
    askPx: okxNum(market.last + market.tick),
    askSz: '10',
    bidPx: okxNum(market.last - market.tick),
    bidSz: '10',
    open24h: last,
    high24h: last,
    low24h: last,
    volCcy24h: '0',
    vol24h: '0',
    ts: String(now),
    sodUtc0: last,
    sodUtc8: last
  }
}

export interface OrderExtras {
  /** The `tag` the order was placed with (ccxt's broker tag for orders ccxt placed). */
  tag: string
  clOrdId: string
  fills: readonly FillRecord[]
  leverage: number | undefined
}

/** The `tag` an order carries: what its placer sent; the trader's own bots run ccxt. */
export function orderTag(order: OrderRecord): string {
  if (order.label !== '') return order.label
  // History orders placed through the API are the trader's bots (no key is modelled for them),
  // which we model as ccxt-based; timeline orders come from an attacker's own client, untagged.
  return order.origin === 'api' && order.keyId === null ? CCXT_BROKER_TAG : ''
}

const ORDER_STATE: Record<OrderRecord['status'], string> = {
  open: 'live',
  filled: 'filled',
  cancelled: 'canceled'
}

export function renderOrder(
  order: OrderRecord,
  market: MarketState,
  extras: OrderExtras
): Record<string, unknown> {
  const spot = market.type === 'spot'
  const last = extras.fills.at(-1)
  const fee = extras.fills.reduce((sum, f) => sum + f.fee, 0)
  const state =
    order.status === 'open' && order.filled > 0 ? 'partially_filled' : ORDER_STATE[order.status]
  return {
    accFillSz: okxNum(contracts(market, order.filled)),
    algoClOrdId: '',
    algoId: '',
    attachAlgoClOrdId: '',
    attachAlgoOrds: [],
    avgPx: order.filled > 0 ? okxNum(order.averagePrice) : '',
    cTime: String(order.createdAt),
    cancelSource: order.status === 'cancelled' ? '1' : '',
    cancelSourceReason: order.status === 'cancelled' ? 'Order canceled by system' : '',
    category: 'normal',
    ccy: '',
    clOrdId: extras.clOrdId,
    fee: fee === 0 ? '0' : okxNum(-fee),
    feeCcy: last?.feeCurrency ?? (spot ? market.quote : (market.settle ?? market.quote)),
    fillPx: last ? okxNum(last.price) : '',
    fillSz: last ? okxNum(contracts(market, last.amount)) : '',
    fillTime: last ? String(last.timestamp) : '',
    instId: instIdOf(market),
    instType: instTypeOf(market),
    isTpLimit: 'false',
    lever: spot ? '' : okxNum(extras.leverage ?? 10),
    linkedAlgoOrd: { algoId: '' },
    ordId: order.id,
    ordType: order.type,
    pnl: '0',
    posSide: spot ? '' : 'net',
    px: order.price === null ? '' : okxNum(order.price),
    pxType: '',
    pxUsd: '',
    pxVol: '',
    quickMgnType: '',
    rebate: '0',
    rebateCcy: spot ? market.quote : (market.settle ?? market.quote),
    reduceOnly: String(order.reduceOnly),
    side: order.side,
    slOrdPx: '',
    slTriggerPx: '',
    slTriggerPxType: '',
    source: '',
    state,
    stpId: '',
    stpMode: 'cancel_maker',
    sz: okxNum(contracts(market, order.amount)),
    tag: extras.tag,
    tdMode: spot ? 'cash' : 'cross',
    tgtCcy: '',
    tpOrdPx: '',
    tpTriggerPx: '',
    tpTriggerPxType: '',
    tradeId: last ? String(last.seq) : '',
    uTime: String(order.updatedAt)
  }
}

/**
 * A fill as `trade/fills` and `trade/fills-history` return it. `billId` is unique per account;
 * `tradeId` is only unique per instrument (OKX numbers trades per market), which is why the
 * connector keys fills by billId.
 */
export function renderFill(
  fill: FillRecord,
  market: MarketState,
  extras: { tag: string; clOrdId: string }
): Record<string, unknown> {
  const spot = market.type === 'spot'
  // OKX's index price is quoted in USD(T): convert the market price when the quote is not a stablecoin.
  const index = market.inverse ? fill.marketPrice : fill.marketPrice * usdPriceOf(market.quote)
  return {
    side: fill.side,
    fillSz: okxNum(contracts(market, fill.amount)),
    fillPx: okxNum(fill.price),
    fillPxVol: '',
    fillPxUsd: '',
    fillMarkVol: '',
    fillFwdPx: '',
    fillIdxPx: okxNum(index),
    fillMarkPx: spot ? '' : okxNum(fill.marketPrice),
    fillPnl: '0',
    fee: fill.fee === 0 ? '0' : okxNum(-fill.fee),
    feeCcy: fill.feeCurrency,
    ordId: fill.orderId,
    clOrdId: extras.clOrdId,
    instType: instTypeOf(market),
    instId: instIdOf(market),
    posSide: spot ? '' : 'net',
    billId: fill.id,
    subType: fill.side === 'buy' ? '1' : '2',
    tag: extras.tag,
    execType: fill.liquidity,
    tradeId: String(fill.seq),
    ts: String(fill.timestamp),
    fillTime: String(fill.timestamp)
  }
}

/** Default chain of a currency for an address (OKX chains are `<CCY>-<network>`). */
export function chainOf(currency: string, address: string, network: string | null): string {
  if (network) return network.includes('-') ? network : `${currency}-${network}`
  if (/^0x[0-9a-fA-F]{40}$/.test(address)) return `${currency}-ERC20`
  if (/^T[1-9A-HJ-NP-Za-km-z]{25,}$/.test(address)) return `${currency}-TRC20`
  if (currency === 'BTC') return 'BTC-Bitcoin'
  return `${currency}-${currency}`
}

export function renderWithdrawal(
  w: WithdrawalRecord,
  account: AccountState
): Record<string, unknown> {
  return {
    addrEx: null,
    amt: okxNum(w.amount),
    areaCodeFrom: '',
    areaCodeTo: '',
    ccy: w.currency,
    chain: chainOf(w.currency, w.address, w.network),
    clientId: '',
    fee: okxNum(w.fee),
    feeCcy: w.currency,
    from: `${account.id}@example.com`,
    memo: '',
    nonTradableAsset: false,
    note: '',
    pmtId: '',
    // 2 = success; 0 = waiting for withdrawal (OKX's own codes).
    state: w.state === 'completed' ? '2' : '0',
    tag: '',
    to: w.address,
    toAddrType: '1',
    ts: String(w.createdAt),
    txId: w.txid ?? '',
    wdId: String(w.id)
  }
}

/**
 * A transfer as an account bill (`account/bills`, `account/bills-archive`, type 1 = transfer,
 * sub-type 12 = transfer out). `notes` says where it went.
 */
export function renderTransferBill(
  t: TransferRecord,
  balanceAfter: number
): Record<string, unknown> {
  return {
    bal: okxNum(balanceAfter),
    balChg: okxNum(-t.amount),
    billId: String(t.id),
    ccy: t.currency,
    clOrdId: '',
    execType: '',
    fee: '0',
    fillFwdPx: '',
    fillIdxPx: '',
    fillMarkPx: '',
    fillMarkVol: '',
    fillPxUsd: '',
    fillPxVol: '',
    fillTime: String(t.createdAt),
    from: '18',
    instId: '',
    instType: '',
    interest: '0',
    mgnMode: '',
    notes: t.to === 'sub' ? 'To sub-account' : 'To another OKX user',
    ordId: '',
    pnl: '0',
    posBal: '0',
    posBalChg: '0',
    px: '',
    subType: '12',
    sz: okxNum(-t.amount),
    tag: '',
    to: t.to === 'sub' ? 'sub-account' : 'okx-user',
    tradeId: '',
    ts: String(t.createdAt),
    type: '1'
  }
}

/** A fill as an account bill (type 2 = trade), so unfiltered bill queries look like OKX's. */
export function renderTradeBill(fill: FillRecord, market: MarketState): Record<string, unknown> {
  const signed = fill.side === 'buy' ? fill.amount : -fill.amount
  return {
    bal: '',
    balChg: okxNum(market.type === 'spot' ? signed : 0),
    billId: fill.id,
    ccy: market.type === 'spot' ? market.base : (market.settle ?? market.quote),
    clOrdId: '',
    execType: fill.liquidity,
    fee: fill.fee === 0 ? '0' : okxNum(-fill.fee),
    fillFwdPx: '',
    fillIdxPx: okxNum(fill.marketPrice),
    fillMarkPx: '',
    fillMarkVol: '',
    fillPxUsd: '',
    fillPxVol: '',
    fillTime: String(fill.timestamp),
    from: '',
    instId: instIdOf(market),
    instType: instTypeOf(market),
    interest: '0',
    mgnMode: market.type === 'spot' ? 'cash' : 'cross',
    notes: '',
    ordId: fill.orderId,
    pnl: '0',
    posBal: '0',
    posBalChg: '0',
    px: okxNum(fill.price),
    subType: fill.side === 'buy' ? '1' : '2',
    sz: okxNum(contracts(market, fill.amount)),
    tag: '',
    to: '',
    tradeId: String(fill.seq),
    ts: String(fill.timestamp),
    type: '2'
  }
}

export function renderPosition(
  p: PositionRecord,
  market: MarketState,
  leverage: number | undefined,
  now: number
): Record<string, unknown> {
  const size = contracts(market, p.size)
  const notional = market.inverse
    ? Math.abs(p.size) * usdPriceOf(market.quote)
    : Math.abs(p.size) * market.last
  const upl = market.inverse
    ? p.averagePrice > 0
      ? p.size * (1 / p.averagePrice - 1 / market.last)
      : 0
    : p.size * (market.last - p.averagePrice)
  return {
    adl: '1',
    availPos: '',
    avgPx: okxNum(p.averagePrice),
    baseBal: '',
    bePx: okxNum(p.averagePrice),
    cTime: String(now),
    ccy: market.settle ?? market.quote,
    deltaBS: '',
    deltaPA: '',
    fee: '0',
    fundingFee: '0',
    gammaBS: '',
    gammaPA: '',
    idxPx: okxNum(market.last),
    imr: okxNum(notional / (leverage ?? 10)),
    instId: instIdOf(market),
    instType: instTypeOf(market),
    interest: '',
    last: okxNum(market.last),
    lever: okxNum(leverage ?? 10),
    liab: '',
    liabCcy: '',
    liqPenalty: '0',
    liqPx: '',
    margin: '',
    markPx: okxNum(market.last),
    mgnMode: 'cross',
    mgnRatio: '',
    mmr: okxNum(notional * 0.004),
    notionalUsd: okxNum(notional),
    optVal: '',
    pTime: String(now),
    pendingCloseOrdLiabVal: '',
    pnl: '0',
    pos: okxNum(size),
    posCcy: '',
    posId: numericId('position', market.symbol),
    posSide: 'net',
    quoteBal: '',
    realizedPnl: '0',
    thetaBS: '',
    thetaPA: '',
    tradeId: '',
    uTime: String(now),
    upl: okxNum(upl),
    uplLastPx: okxNum(upl),
    uplRatio: '0',
    usdPx: '',
    vegaBS: '',
    vegaPA: ''
  }
}

/** One `account/balance` entry: per-currency details plus the account's USD equity. */
export function renderBalance(
  account: AccountState,
  currencies: readonly string[] | null,
  frozen: ReadonlyMap<string, number>,
  now: number
): Record<string, unknown> {
  const details = [...account.balances.entries()]
    .filter(([ccy, total]) => total !== 0 && (currencies === null || currencies.includes(ccy)))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([ccy, total]) => {
      const held = frozen.get(ccy) ?? 0
      return {
        accAvgPx: '',
        availBal: okxNum(total - held),
        availEq: okxNum(total - held),
        borrowFroz: '',
        cashBal: okxNum(total),
        ccy,
        clSpotInUseAmt: '',
        crossLiab: '',
        disEq: okxNum(total * usdOf(account, ccy)),
        eq: okxNum(total),
        eqUsd: okxNum(total * usdOf(account, ccy)),
        fixedBal: '0',
        frozenBal: okxNum(held),
        imr: '',
        interest: '',
        isoEq: '0',
        isoLiab: '',
        isoUpl: '',
        liab: '',
        maxLoan: '',
        mgnRatio: '',
        mmr: '',
        notionalLever: '',
        ordFrozen: okxNum(held),
        rewardBal: '0',
        spotInUseAmt: '',
        spotIsoBal: '0',
        stgyEq: '0',
        twap: '0',
        uTime: String(now),
        upl: '0',
        uplLiab: ''
      }
    })
  const totalEq = details.reduce((sum, d) => sum + Number(d.eqUsd), 0)
  return {
    adjEq: okxNum(totalEq),
    availEq: okxNum(totalEq),
    borrowFroz: '',
    details,
    imr: '0',
    isoEq: '0',
    mgnRatio: '',
    mmr: '0',
    notionalUsd: '0',
    ordFroz: '0',
    totalEq: okxNum(totalEq),
    uTime: String(now),
    upl: '0'
  }
}

/** The account's UID: deterministic per scenario seed and account. */
export const uidOf = (seed: number, accountId: string): string =>
  numericId('uid', seed, accountId).slice(0, 17)

/** `GET /api/v5/account/config` for the key that signed the request (documented fields, all strings). */
export function renderConfig(key: KeyRecord, uid: string): Record<string, unknown> {
  return {
    acctLv: '2',
    acctStpMode: 'cancel_maker',
    autoLoan: false,
    ctIsoMode: 'automatic',
    enableSpotBorrow: false,
    feeType: '0',
    greeksType: 'PA',
    ip: key.ipWhitelist.join(','),
    type: '0',
    kycLv: '2',
    label: key.name,
    level: 'Lv1',
    levelTmp: '',
    liquidationGear: '-1',
    mainUid: uid,
    mgnIsoMode: 'automatic',
    opAuth: '0',
    perm: okxPerms(key.permissions).join(','),
    posMode: 'net_mode',
    roleType: '0',
    settleCcy: 'USDT',
    settleCcyList: ['USD', 'USDC', 'USDG'],
    spotBorrowAutoRepay: false,
    spotOffsetType: '',
    spotRoleType: '0',
    spotTraderInsts: [],
    stgyType: '0',
    traderInsts: [],
    uid
  }
}

const NAMES: Readonly<Record<string, string>> = {
  BTC: 'Bitcoin',
  ETH: 'Ethereum',
  USDT: 'Tether',
  USDC: 'USD Coin',
  SOL: 'Solana',
  XRP: 'XRP',
  DMG: 'DMM: Governance',
  VIA: 'Viacoin'
}

/** `GET /api/v5/asset/currencies`: one entry per currency and chain. */
export function renderCurrency(ccy: string): Record<string, unknown>[] {
  const chains =
    ccy === 'USDT' || ccy === 'USDC' ? [`${ccy}-TRC20`, `${ccy}-ERC20`] : [chainOf(ccy, '', null)]
  const fee = ccy === 'BTC' ? 0.0001 : ccy === 'ETH' ? 0.0012 : 1
  return chains.map((chain, i) => ({
    burningFeeRate: '',
    canDep: true,
    canInternal: true,
    canWd: true,
    ccy,
    chain,
    ctAddr: '',
    depEstOpenTime: '',
    depQuotaFixed: '',
    depQuoteDailyLayer2: '',
    fee: okxNum(fee),
    logoLink: '',
    mainNet: i === 0,
    maxFee: okxNum(fee * 2),
    maxFeeForCtAddr: '',
    maxWd: '10000000',
    minDep: okxNum(fee),
    minDepArrivalConfirm: '1',
    minFee: okxNum(fee),
    minFeeForCtAddr: '',
    minWd: okxNum(fee * 2),
    minWdUnlockConfirm: '2',
    name: NAMES[ccy] ?? ccy,
    needTag: false,
    usedDepQuotaFixed: '',
    usedWdQuota: '0',
    wdEstOpenTime: '',
    wdQuota: '10000000',
    wdTickSz: '8'
  }))
}
