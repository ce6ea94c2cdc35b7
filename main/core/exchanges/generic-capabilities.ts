/**
 * What Vigil can see and do on an exchange it supports only through ccxt's unified API, in plain
 * words for the account screen and the add-account wizard, plus the few per-exchange facts the
 * generic connector needs to call that API correctly.
 *
 * Two sources: ccxt's `has` flags (what the unified API offers for this exchange) and a small table
 * transcribed from `shared/reference/exchanges.md` sections 1, 3, 4 and 6 (login history, key
 * endpoints, revocation, cancel-all semantics, symbol requirements). The table only states what
 * that reference verified; everything else falls back to sentences that claim nothing about the
 * exchange beyond its `has` flags. API-management URLs are the exchanges' public settings pages as
 * commonly linked from their help centres (the reference lists none); an exchange without a known
 * page gets a generic sentence instead of a guessed URL.
 */
import { readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'

import { englishText, msg, type Message } from '../../api/messages'
import type { Capability } from './connector'

/** ccxt's `exchange.has`: `true`, `false`, `'emulated'` or missing per unified method. */
export type HasFlags = Readonly<Record<string, boolean | string | null | undefined>>

/** Which unified calls need a symbol (or a currency code) on an exchange. */
export interface ArgumentNeeds {
  /** Calls that throw ArgumentsRequired without a symbol. */
  symbol: ReadonlySet<GenericCall>
  /** Calls that throw ArgumentsRequired without a currency code. */
  code: ReadonlySet<GenericCall>
}

/** The unified calls the generic connector makes. */
export type GenericCall =
  | 'fetchOpenOrders'
  | 'fetchClosedOrders'
  | 'fetchMyTrades'
  | 'fetchWithdrawals'
  | 'fetchDeposits'
  | 'cancelAllOrders'

/** Per-exchange facts for the generic connector and the capability notes. */
export interface ExchangeFacts {
  /** Display name. */
  name: string
  /** The exchange's API-key management page, where a key can be deleted by hand. */
  apiKeysUrl: string | null
  /**
   * Where to click once there, when known (appended to the manual revoke step). Kept generic:
   * exchanges rename menus often.
   */
  revokeHint?: 'settingsApi'
  /** A login-history endpoint the exchange documents but Vigil does not read (Bitfinex). */
  loginHistoryEndpoint?: string
  /**
   * Key information endpoint: the key Vigil holds only, or every key of the account. `method` is
   * the ccxt implicit method the generic connector reads it with (parsers in `key-info.ts`); without
   * it the endpoint is only named in the capability notes.
   */
  keyInfo?: { endpoint: string; scope: 'self' | 'all'; shows: string; method?: string }
  /** Key revocation over the API: only for sub-account keys, or not at all. */
  revoke?: 'sub-accounts-only' | 'none'
  /** Unified calls that need a symbol or a currency code (reference section 6). */
  needsSymbol?: GenericCall[]
  needsCode?: GenericCall[]
  /** `cancelAllOrders(symbol)` ignores the symbol and cancels everything (ccxt #26926, #8656). */
  cancelAllIgnoresSymbol?: boolean
  /**
   * Without a symbol, order and trade calls answer for one currency only (Deribit's default BTC);
   * the connector then asks per currency, passing this request parameter.
   */
  currencyParam?: string
  /** Trigger/algo orders are listed and cancelled separately (`params.trigger`). */
  separateTriggerOrders?: boolean
  /** A withdrawal-address whitelist endpoint exists (not read by Vigil yet). */
  addressBookEndpoint?: string
  /** Extra words about the dead-man switch when the exchange has one outside the unified API. */
  deadManNote?: string
}

/** Exchanges with a deep connector; the generic connector never serves them in production. */
const DEEP: ReadonlySet<string> = new Set(['deribit', 'bybit', 'binance', 'okx'])

/**
 * The deep-support table. Everything marked V in `shared/reference/exchanges.md` for these
 * exchanges; U items are either omitted or worded as unconfirmed.
 */
const FACTS: Record<string, ExchangeFacts> = {
  deribit: {
    name: 'Deribit',
    apiKeysUrl: 'https://www.deribit.com/account/BTC/api',
    needsCode: ['fetchWithdrawals', 'fetchDeposits'],
    currencyParam: 'currency'
  },
  bybit: {
    name: 'Bybit',
    apiKeysUrl: 'https://www.bybit.com/app/user/api-management',
    keyInfo: {
      endpoint: '/v5/user/query-api',
      scope: 'self',
      shows: 'permissions, IP binding, creation and expiry'
    }
  },
  binance: {
    name: 'Binance',
    apiKeysUrl: 'https://www.binance.com/en/my/settings/api-management',
    revoke: 'none',
    keyInfo: {
      endpoint: '/sapi/v1/account/apiRestrictions',
      scope: 'self',
      shows: 'permissions, IP restriction and creation time'
    },
    needsSymbol: ['cancelAllOrders', 'fetchMyTrades', 'fetchClosedOrders'],
    addressBookEndpoint: '/sapi/v1/capital/withdraw/address/list'
  },
  binanceusdm: {
    name: 'Binance USDⓈ-M futures',
    apiKeysUrl: 'https://www.binance.com/en/my/settings/api-management',
    revoke: 'none',
    keyInfo: {
      endpoint: '/sapi/v1/account/apiRestrictions',
      scope: 'self',
      shows: 'permissions, IP restriction and creation time'
    },
    needsSymbol: ['cancelAllOrders', 'fetchMyTrades', 'fetchClosedOrders'],
    deadManNote:
      "Binance futures has a per-symbol countdown (countdownCancelAll) outside ccxt's unified API"
  },
  binancecoinm: {
    name: 'Binance COIN-M futures',
    apiKeysUrl: 'https://www.binance.com/en/my/settings/api-management',
    revoke: 'none',
    needsSymbol: ['cancelAllOrders', 'fetchMyTrades', 'fetchClosedOrders']
  },
  okx: {
    name: 'OKX',
    apiKeysUrl: 'https://www.okx.com/account/my-api',
    revoke: 'sub-accounts-only',
    keyInfo: {
      endpoint: '/api/v5/account/config',
      scope: 'self',
      shows: 'permissions and bound IPs'
    },
    separateTriggerOrders: true
  },
  myokx: {
    name: 'MyOKX (EEA)',
    apiKeysUrl: 'https://my.okx.com/account/my-api',
    revoke: 'sub-accounts-only',
    separateTriggerOrders: true
  },
  okxus: {
    name: 'OKX US',
    apiKeysUrl: 'https://app.okx.com/account/my-api',
    revoke: 'sub-accounts-only',
    separateTriggerOrders: true
  },
  kraken: {
    name: 'Kraken',
    apiKeysUrl: 'https://www.kraken.com/u/security/api',
    revokeHint: 'settingsApi',
    revoke: 'none',
    keyInfo: {
      endpoint: 'GetApiKeyInfo',
      scope: 'self',
      shows: 'permissions, IP allow-list, creation, last use and expiry',
      method: 'privatePostGetApiKeyInfo'
    },
    cancelAllIgnoresSymbol: true,
    addressBookEndpoint: 'WithdrawAddresses'
  },
  coinbase: {
    name: 'Coinbase Advanced',
    apiKeysUrl: 'https://www.coinbase.com/settings/api',
    revoke: 'none',
    keyInfo: {
      endpoint: '/api/v3/brokerage/key_permissions',
      scope: 'self',
      shows: 'whether it can view, trade and transfer'
    }
  },
  kucoin: {
    name: 'KuCoin',
    apiKeysUrl: 'https://www.kucoin.com/account/api',
    revoke: 'sub-accounts-only',
    keyInfo: {
      endpoint: '/api/v1/user/api-key',
      scope: 'self',
      shows: 'permissions and IP whitelist (field list unconfirmed)'
    },
    cancelAllIgnoresSymbol: true
  },
  kucoinfutures: {
    name: 'KuCoin Futures',
    apiKeysUrl: 'https://www.kucoin.com/account/api',
    revoke: 'sub-accounts-only',
    cancelAllIgnoresSymbol: true
  },
  bitget: {
    name: 'Bitget',
    apiKeysUrl: 'https://www.bitget.com/account/newapi',
    revoke: 'none',
    keyInfo: {
      endpoint: '/api/v2/spot/account/info',
      scope: 'self',
      shows: 'permissions (authorities) and bound IPs',
      method: 'privateSpotGetV2SpotAccountInfo'
    },
    needsSymbol: ['cancelAllOrders', 'fetchMyTrades'],
    addressBookEndpoint: '/api/v3/account/withdraw-address (unified accounts)'
  },
  gate: {
    name: 'Gate',
    apiKeysUrl: 'https://www.gate.com/myaccount/api_key_manage',
    revoke: 'sub-accounts-only',
    keyInfo: {
      endpoint: '/api/v4/account/main_keys',
      scope: 'all',
      shows: 'every main-account key with its permissions, IP whitelist and last access'
    },
    addressBookEndpoint: '/wallet/saved_address',
    deadManNote: 'Gate has per-product countdown cancel-all endpoints outside the unified API'
  },
  htx: {
    name: 'HTX',
    apiKeysUrl: 'https://www.htx.com/en-us/apikey/',
    revoke: 'sub-accounts-only',
    keyInfo: {
      endpoint: '/v2/user/api-key',
      scope: 'all',
      shows: 'every key of the account with its permissions, IPs and status',
      method: 'v2PrivateGetUserApiKey'
    },
    // Spot cancels without a symbol; contracts need one. The connector learns it per call.
    needsSymbol: ['fetchMyTrades'],
    addressBookEndpoint: '/v2/account/withdraw/address'
  },
  bingx: {
    name: 'BingX',
    apiKeysUrl: 'https://bingx.com/en/account/api/',
    revoke: 'sub-accounts-only',
    keyInfo: {
      endpoint: '/openApi/v1/account/apiPermissions',
      scope: 'self',
      shows: 'permissions (field list unconfirmed)'
    },
    needsSymbol: ['fetchMyTrades']
  },
  bitfinex: {
    name: 'Bitfinex',
    apiKeysUrl: 'https://setting.bitfinex.com/api',
    loginHistoryEndpoint: 'POST v2/auth/r/logins/hist'
  },
  mexc: { name: 'MEXC', apiKeysUrl: 'https://www.mexc.com/user/openapi' },
  cryptocom: {
    name: 'Crypto.com Exchange',
    apiKeysUrl: 'https://crypto.com/exchange/user/settings/api-management'
  },
  bitstamp: { name: 'Bitstamp', apiKeysUrl: 'https://www.bitstamp.net/account/security/api/' },
  gemini: { name: 'Gemini', apiKeysUrl: 'https://exchange.gemini.com/settings/api' },
  bitvavo: { name: 'Bitvavo', apiKeysUrl: 'https://account.bitvavo.com/user/api' },
  krakenfutures: {
    name: 'Kraken Futures',
    apiKeysUrl: 'https://futures.kraken.com/trade/settings/api',
    revoke: 'none'
  }
}

/** Names for exchanges outside the table, where ccxt's id is not what people call them. */
const NAMES: Record<string, string> = {
  coinbaseexchange: 'Coinbase Exchange',
  coinbaseinternational: 'Coinbase International',
  hyperliquid: 'Hyperliquid',
  woo: 'WOO X',
  phemex: 'Phemex',
  bitmart: 'BitMart',
  whitebit: 'WhiteBIT',
  bitflyer: 'bitFlyer',
  upbit: 'Upbit',
  poloniex: 'Poloniex',
  hitbtc: 'HitBTC',
  lbank: 'LBank',
  coinex: 'CoinEx',
  xt: 'XT.COM',
  bybiteu: 'Bybit EU',
  gateeu: 'Gate EU',
  binanceus: 'Binance.US'
}

/** The facts Vigil holds for an exchange (a minimal record for exchanges outside the table). */
export const exchangeFacts = (exchangeId: string): ExchangeFacts =>
  FACTS[exchangeId] ?? {
    name: NAMES[exchangeId] ?? exchangeId.charAt(0).toUpperCase() + exchangeId.slice(1),
    apiKeysUrl: null
  }

/** Display name of an exchange for messages. */
export const exchangeName = (exchangeId: string): string => exchangeFacts(exchangeId).name

/** Which unified calls are known to need a symbol or currency code on this exchange. */
export const argumentNeeds = (exchangeId: string): ArgumentNeeds => {
  const f = exchangeFacts(exchangeId)
  return { symbol: new Set(f.needsSymbol ?? []), code: new Set(f.needsCode ?? []) }
}

/** ccxt marks a method available with `true` or `'emulated'`. */
export const hasCall = (has: HasFlags, method: string): boolean =>
  has[method] === true || has[method] === 'emulated'

/**
 * One sentence telling the trader how to revoke the key by hand on this exchange, with the
 * API-management page when known. `keyHint` names the key (e.g. "…7f3a").
 */
export const manualRevokeMsg = (exchangeId: string, keyHint: string | null): Message => {
  const f = exchangeFacts(exchangeId)
  const which = keyHint
    ? msg('manual.generic.which.ending', { ending: keyHint })
    : msg('manual.generic.which.unknown')
  const where = f.apiKeysUrl
    ? f.revokeHint
      ? msg('manual.generic.where.urlHint', {
          url: f.apiKeysUrl,
          hint: msg(`manual.generic.hint.${f.revokeHint}`)
        })
      : msg('manual.generic.where.url', { url: f.apiKeysUrl })
    : msg('manual.generic.where.unknown', { exchange: f.name })
  return msg('manual.generic.revoke', { exchange: f.name, where, which })
}

/** The same step as English text. */
export const manualRevokeStep = (exchangeId: string, keyHint: string | null): string =>
  englishText(manualRevokeMsg(exchangeId, keyHint))

/**
 * The capability matrix for an exchange served by the generic connector: what Vigil can see and
 * do there, honestly, from ccxt's `has` flags plus the reference table.
 */
export const capabilitiesFor = (exchangeId: string, has: HasFlags): Capability[] => {
  const f = exchangeFacts(exchangeId)
  const n = f.name
  const needs = argumentNeeds(exchangeId)
  const can = (m: string): boolean => hasCall(has, m)

  const loginHistory: Capability = f.loginHistoryEndpoint
    ? {
        id: 'loginHistory',
        supported: false,
        note: `${n} documents a login history endpoint (${f.loginHistoryEndpoint}), but Vigil does not read it yet: it infers compromise from orders, trades, withdrawals and balance moves.`
      }
    : {
        id: 'loginHistory',
        supported: false,
        note: `${n} does not publish login history over its API: Vigil infers compromise from orders, trades, withdrawals and balance moves.`
      }

  const reads = !!f.keyInfo?.method
  const keyList: Capability =
    f.keyInfo?.scope === 'all' && reads
      ? {
          id: 'keyList',
          supported: true,
          note: `Vigil reads ${f.keyInfo.shows} (${f.keyInfo.endpoint}) at the first read and then every few polls, so a key someone else creates shows up within minutes.`
        }
      : f.keyInfo?.scope === 'all'
        ? {
            id: 'keyList',
            supported: false,
            note: `${n} lists ${f.keyInfo.shows} (${f.keyInfo.endpoint}), but Vigil does not read it yet, so a key someone else created is not shown.`
          }
        : {
            id: 'keyList',
            supported: false,
            note: `Vigil cannot list the other API keys on ${n}: a key created by someone else stays invisible until it is used for orders or withdrawals.`
          }

  const selfKeyInfo: Capability = f.keyInfo?.method
    ? {
        id: 'selfKeyInfo',
        supported: true,
        note: `Vigil reads ${f.keyInfo.scope === 'self' ? "its key's" : 'each key’s'} ${f.keyInfo.shows} (${f.keyInfo.endpoint}) at the first read and then every few polls, and warns about withdraw permission or a missing IP binding.`
      }
    : f.keyInfo
      ? {
          id: 'selfKeyInfo',
          supported: false,
          note: `${n} reports ${f.keyInfo.scope === 'self' ? "the key's" : 'each key’s'} ${f.keyInfo.shows} (${f.keyInfo.endpoint}), but Vigil does not read it yet: check the key's permissions and IP whitelist on ${n} yourself.`
        }
      : {
          id: 'selfKeyInfo',
          supported: false,
          note: `Vigil does not read the permissions or IP whitelist of its key on ${n}: ccxt has no unified call for it. Check them on ${n} yourself.`
        }

  const revokeWhere = f.apiKeysUrl ? ` at ${f.apiKeysUrl}` : ` on ${n}'s API management page`
  const revokeKey: Capability = {
    id: 'revokeKey',
    supported: false,
    note:
      (f.revoke === 'sub-accounts-only'
        ? `${n}'s API can delete sub-account keys only, not the main account's own key.`
        : `${n} has no API to revoke or disable a key.`) +
      ` The kill switch stops using the key locally and tells you to delete it by hand${revokeWhere}.`
  }

  let cancelAll: Capability
  const openOrders = can('fetchOpenOrders')
  if (can('cancelAllOrders')) {
    const note = f.cancelAllIgnoresSymbol
      ? `One call cancels every open order (${n} ignores a symbol and always cancels everything); Vigil then reads the open orders back to confirm.`
      : needs.symbol.has('cancelAllOrders')
        ? `${n} cancels all orders one market at a time: Vigil reads the open orders, cancels each market that has any, then reads them back to confirm.`
        : `One call cancels all open orders; if ${n} asks for a market, Vigil cancels market by market instead, then reads the open orders back to confirm.`
    cancelAll = { id: 'cancelAll', supported: true, note }
  } else if (openOrders && (can('cancelOrders') || can('cancelOrder'))) {
    cancelAll = {
      id: 'cancelAll',
      supported: true,
      note:
        `${n} has no cancel-all call: Vigil reads the open orders and cancels them ` +
        (can('cancelOrders') ? 'in batches' : 'one by one') +
        (f.separateTriggerOrders ? ', then the trigger (algo) orders,' : '') +
        ' and reads them back to confirm.'
    }
  } else {
    cancelAll = {
      id: 'cancelAll',
      supported: false,
      note: `Vigil cannot cancel orders on ${n} through ccxt (no cancel-all${openOrders ? '' : ' and no open-order list'}): cancel them on the website.`
    }
  }

  const orders: Capability = openOrders
    ? {
        id: 'orders',
        supported: true,
        note:
          `Open orders${can('fetchClosedOrders') || can('fetchOrders') ? ' and recently closed orders' : ''}` +
          (needs.symbol.has('fetchClosedOrders')
            ? ', closed ones per market (markets you hold, have orders in or traded recently)'
            : '') +
          (f.currencyParam ? ', asked per currency' : '') +
          '. Whether an order came from the website or the API is not shown.'
      }
    : {
        id: 'orders',
        supported: false,
        note: `ccxt cannot list open orders on ${n}.`
      }

  const fills: Capability = can('fetchMyTrades')
    ? {
        id: 'fills',
        supported: true,
        note: needs.symbol.has('fetchMyTrades')
          ? `${n} lists trades per market only: Vigil asks for the markets you hold, have orders in, or traded recently. A trade in a market you never touched shows up once its balance changes.`
          : 'Every trade, incrementally.'
      }
    : { id: 'fills', supported: false, note: `ccxt cannot list your trades on ${n}.` }

  const w = can('fetchWithdrawals')
  const d = can('fetchDeposits')
  const both = can('fetchDepositsWithdrawals') || can('fetchTransactions')
  const withdrawals: Capability =
    w || both
      ? {
          id: 'withdrawals',
          supported: true,
          note:
            `Withdrawals${d || both ? ' and deposits' : ''}` +
            (needs.code.has('fetchWithdrawals')
              ? ', asked per currency (currencies you hold or held recently)'
              : '') +
            ' (the key needs read access to the wallet).'
        }
      : {
          id: 'withdrawals',
          supported: false,
          note: `ccxt cannot list withdrawals on ${n}: Vigil only sees money leave through balance drops.`
        }

  const addressBook: Capability = {
    id: 'addressBook',
    supported: false,
    note: f.addressBookEndpoint
      ? `${n} lists the withdrawal-address whitelist (${f.addressBookEndpoint}), but Vigil does not read it yet: new addresses are seen only when a withdrawal uses them.`
      : `Vigil does not read ${n}'s withdrawal-address book (no unified ccxt call): new addresses are seen only when a withdrawal uses them.`
  }

  const positions: Capability = can('fetchPositions')
    ? { id: 'positions', supported: true, note: 'Open positions with size and leverage.' }
    : {
        id: 'positions',
        supported: false,
        note: `No position data from ${n} through ccxt (spot-only, or not offered).`
      }

  const deadMan: Capability = can('cancelAllOrdersAfter')
    ? {
        id: 'deadMan',
        supported: true,
        note: `${n} can cancel every order by itself if Vigil's heartbeat stops (cancelAllOrdersAfter); Vigil arms it only when the dead-man heartbeat is switched on.`
      }
    : {
        id: 'deadMan',
        supported: false,
        note:
          `${n} offers no dead-man timer in ccxt's unified API: if this computer goes offline, orders stay open.` +
          (f.deadManNote ? ` (${f.deadManNote}.)` : '')
      }

  return [
    loginHistory,
    keyList,
    selfKeyInfo,
    revokeKey,
    cancelAll,
    orders,
    fills,
    withdrawals,
    addressBook,
    positions,
    deadMan
  ]
}

/** Whether Vigil has a deep connector for this exchange. */
export const isDeepExchange = (exchangeId: string): boolean => DEEP.has(exchangeId)

let ids: ReadonlySet<string> | null = null

/**
 * ccxt's exchange ids, synchronously: the file names in ccxt's `js/src` (equal to
 * `ccxt.exchanges` in 4.5.84, see `ccxt-factory.ts`), falling back to the CommonJS bundle's list
 * when the layout is unexpected (bundled app). Cached after the first call.
 */
export const ccxtExchangeIds = (): ReadonlySet<string> => {
  if (ids) return ids
  const require = createRequire(import.meta.url)
  try {
    const dir = join(resolve(dirname(require.resolve('ccxt')), '..'), 'js', 'src')
    const found = readdirSync(dir)
      .filter((f) => /^[a-z][a-z0-9]*\.js$/.test(f))
      .map((f) => f.slice(0, -3))
    if (found.length > 0) return (ids = new Set(found))
  } catch {
    // fall through: load the package's own list (slow, once)
  }
  const pkg = require('ccxt') as { exchanges?: string[] }
  return (ids = new Set(pkg.exchanges ?? []))
}
