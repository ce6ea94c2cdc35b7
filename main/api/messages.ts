/**
 * Message descriptors: what the core and the connectors say to the trader as a stable code plus
 * variables (`{ code: 'ks.cancelledOpen', vars: { exchange: 'Deribit', count: 3 } }`) instead of a
 * finished English sentence, so each screen renders it in its own language: the core for
 * notifications, the tray and the incident report, the renderer for the window.
 *
 * Producers keep writing the English text next to the descriptor (old API fields, the audit log,
 * logs); it is rendered from the same catalog, so the two cannot drift apart. A variable may itself
 * be a descriptor (an exchange fault inside a step) or a list of values; anything that is evidence
 * (an exchange's own error text, a key id, a URL) goes in as a plain string and is shown verbatim.
 * This module is pure (no Node, no DOM) and shared by main and the renderer; its zod schema lives
 * in contract.ts with the rest of the API.
 */

export const MESSAGE_LANGUAGES = ['en', 'zh-CN', 'zh-TW'] as const
export type MessageLanguage = (typeof MESSAGE_LANGUAGES)[number]

export type MessageVar = string | number | Message | readonly (string | number | Message)[]
export interface Message {
  code: string
  vars?: Record<string, MessageVar>
}

/** A descriptor; `code` is checked against the English catalog at compile time. */
export const msg = (code: MessageCode, vars?: Record<string, MessageVar>): Message =>
  vars ? { code, vars } : { code }

/** Text that has no translation (yet): shown as written in every language. */
export const verbatim = (text: string): Message => ({ code: 'text', vars: { text } })

type Catalog = Record<string, string>

const en = {
  text: '{text}',
  'join.semicolon': '{first}; {rest}',
  'join.prefixed': '{subject}: {error}',

  // Exchange faults: the classified kind in words, then the exchange's own reason verbatim.
  'fault.kind.auth': 'the exchange rejected the API key (invalid, expired, disabled or removed)',
  'fault.kind.permission':
    'the API key is not allowed to do this (missing permission or account restriction)',
  'fault.kind.rate-limit': 'the exchange is rate-limiting our requests',
  'fault.kind.transient': 'the exchange could not be reached or did not answer in time',
  'fault.kind.maintenance': 'the exchange is under maintenance',
  'fault.kind.malformed': 'the exchange sent a response Vigil could not read',
  'fault.kind.unsupported': 'the exchange does not support this',
  'fault.kind.unknown': 'the exchange returned an error',
  'fault.binance.auth':
    'the exchange rejected the API key (deleted, wrong IP or missing permission)',
  'fault.binance.permission': 'the API key is not allowed to do this',
  'fault.exchange': '{exchange}: {error}',
  'fault.detail': '{error} ({detail})',
  'fault.reasonCode': '{reason}, code {code}',
  'fault.code': 'code {code}',
  'fault.notRead': 'not read: {error}',
  'fault.notReadMarkets': 'not read (market list unavailable): {error}',
  'fault.keyStillEnabled': 'key {key} is still enabled after the disable call',
  'fault.bybitKeyDeleted':
    'Vigil deleted its own API key in the kill switch at {at}; add a new read-only key to resume watching this account',
  'fault.notCancelled': '{exchange} did not cancel {id}: {reason}',
  'fault.deadline': 'no answer from {exchange} within {seconds} s',

  // Account errors and health notices.
  'account.heartbeat': 'dead-man heartbeat: {error}',
  'health.rateLimited':
    '{exchange} asked Vigil to slow down; polling backs off to every {seconds} s',
  'health.authFailing': '{count} polls in a row were refused: {error}',
  'health.degraded':
    '{exchange} has been failing for {minutes} min: Vigil has a gap in its data for this time',
  'health.stalled': 'no successful poll for {seconds} s',

  // Backfill progress.
  'progress.start': 'Reading history from the exchange',
  'progress.startOn': 'Reading history from {exchange}',
  'progress.checkingCount': 'Checking {count} past events against every rule',
  'progress.checking': 'Checking past events against every rule',
  'progress.done': 'History read: {count} events',
  'progress.read': 'Read {count} past events from {exchange}',
  'progress.finished': 'Done',
  'progress.accessLog': 'Reading the access log',
  'progress.accessLogCount': 'Reading the access log ({count} entries)',
  'progress.currency': 'Reading {currency} orders, trades and withdrawals',
  'progress.ordersTrades': 'Reading {market} orders and trades',
  'progress.withdrawalsDepositsTransfers': 'Reading withdrawals, deposits and transfers',
  'progress.withdrawalsDeposits': 'Reading withdrawals and deposits',
  'progress.withdrawalsTransfers': 'Reading withdrawals and transfers',
  'progress.addressList': 'Reading the withdrawal address list',
  'progress.positionsLeverage': 'Reading positions and leverage',
  'progress.balances': 'Reading balances',
  'progress.orders': 'Reading orders',
  'progress.trades': 'Reading trades',
  'progress.positions': 'Reading positions',
  'progress.keys': 'Reading API keys',
  'progress.exchangeOrders': 'Reading {exchange} orders',
  'progress.exchangeOpenOrders': 'Reading {exchange} open orders',
  'progress.exchangeFills': 'Reading {exchange} fills',
  'progress.exchangeWithdrawals': 'Reading {exchange} withdrawals and transfers',
  'progress.exchangeDeposits': 'Reading {exchange} deposits',
  'progress.exchangeOrderHistory': 'Reading {exchange} {type} order history',
  'progress.exchangeTypeFills': 'Reading {exchange} {type} fills',
  'progress.exchangeWithdrawalsOnly': 'Reading {exchange} withdrawals',
  'progress.exchangeTransfers': 'Reading {exchange} transfers',
  'progress.records': '{what} ({count} records)',

  // Keys named in kill-switch steps.
  'key.id': 'key {id}',
  'key.named': 'key {id} "{name}"',
  'key.client': 'key {id} (client id {client})',
  'key.namedClient': 'key {id} "{name}" (client id {client})',
  'key.quoted': '"{name}"',
  'key.vigils': 'the API key Vigil uses',
  'key.ending': '{key} (API key ending …{ending})',

  // Kill-switch steps (details) and errors, shared by the connectors.
  'ks.contain.unreachable':
    'Vigil could not reach the exchange. Log in to the exchange, cancel open orders and revoke the API key by hand.',
  'ks.cancelledOpen.one': '{exchange} cancelled {count} open order',
  'ks.cancelledOpen.other': '{exchange} cancelled {count} open orders',
  'ks.cancelled.one': '{exchange} cancelled {count} order',
  'ks.cancelled.other': '{exchange} cancelled {count} orders',
  'ks.openOrders.one': '{count} open order',
  'ks.openOrders.other': '{count} open orders',
  'ks.openLeft.one': '{count} open order left',
  'ks.openLeft.other': '{count} open orders left',
  'ks.openOnSymbols.one': '{count} open order on {symbols} symbol(s)',
  'ks.openOnSymbols.other': '{count} open orders on {symbols} symbol(s)',
  'ks.nothingToCancel': 'Nothing to cancel: no open orders',
  'ks.unknownError': 'unknown error',
  'ks.deribit.notKeyId': "'{id}' is not a Deribit key id",
  'ks.deribit.challenge':
    '{exchange} asked for a security-key or 2FA confirmation to disable key {id}',
  'ks.keysOnAccount.one': '{count} API key on the account',
  'ks.keysOnAccount.other': '{count} API keys on the account',
  'ks.alreadyDisabled': 'Already disabled: {keys}',
  'ks.disabledKey': 'Disabled {key}',
  'ks.stillEnabled': 'Still enabled: {keys}',
  'ks.noOtherKeyEnabled': 'No other key is enabled',
  'ks.ownKeyAlreadyDisabled': "Vigil's own key was already disabled",
  'ks.ownKeyNotFound': "Vigil's own key was not found in the key list",
  'ks.ownKeyNotFoundOn': "Vigil's own key was not found in {exchange}'s key list",
  'ks.disabledOwnKey': "Disabled Vigil's own key {id}; Vigil can no longer watch this account",
  'ks.noPositions': 'No open positions',
  'ks.noUsdmPositions': 'No open USDⓈ-M positions',
  'ks.closedReduceOnly': 'Closed {symbol} with a reduce-only market order',
  'ks.closedAtMarket': 'Closed {symbol} at market',
  'ks.err.confirmOpenOrders': 'Could not confirm open orders: {error}',
  'ks.err.listOpenOrders': 'Could not list open orders: {error}',
  'ks.err.readOpenOrders': 'Could not read open orders: {error}',
  'ks.err.readTriggerOrders': 'Could not read trigger orders: {error}',
  'ks.err.listKeys': 'Could not list API keys: {error}',
  'ks.err.confirmKeyList': 'Could not confirm the key list: {error}',
  'ks.err.readPositions': 'Could not read positions to close them: {error}',
  'ks.err.close': 'Could not close {symbol}: {error}',
  'ks.err.cancelSymbol': 'Could not cancel {symbol} ({kind}): {error}',
  'ks.err.readOwnKey': "Could not read Vigil's key: {error}",
  'ks.err.ownKeyStillWorks': "Vigil's key {id} still works after the delete call",
  'ks.err.listAlgo': 'Could not list trigger and algo orders: {error}',
  'ks.err.confirmAlgo': 'Could not confirm algo orders: {error}',
  'ks.err.cancelPerMarket': 'Could not cancel per market: open orders unknown',
  'ks.err.openUnread': 'Could not cancel open orders: they could not be read',
  'ks.err.triggerUnread': 'Could not cancel trigger orders: they could not be read',
  'ks.err.closeByHand': 'Positions on {exchange} must be closed by hand',

  // Binance.
  'ks.binance.cancelledSpot.one': 'Binance cancelled {count} order on {symbol} (spot)',
  'ks.binance.cancelledSpot.other': 'Binance cancelled {count} orders on {symbol} (spot)',
  'ks.binance.cancelledUsdm.one': 'Binance cancelled {count} order on {symbol} (USDⓈ-M)',
  'ks.binance.cancelledUsdm.other': 'Binance cancelled {count} orders on {symbol} (USDⓈ-M)',
  'ks.binance.cancelledAlgo.one':
    'Binance cancelled {count} conditional order on {symbol} (USDⓈ-M)',
  'ks.binance.cancelledAlgo.other':
    'Binance cancelled {count} conditional orders on {symbol} (USDⓈ-M)',
  'ks.binance.noRevoke':
    'Binance has no API to delete or disable {key} on a normal account; it must be deleted on binance.com',
  'ks.binance.untrusted':
    'Vigil now treats {key} as compromised: everything it does is reported as hostile until you delete it and add a new key',
  'manual.binance.unconfirmed':
    'Vigil could not confirm that all orders are cancelled. On Binance, open Orders → Spot Order → Open Orders and press "Cancel All", then do the same under Futures → USDⓈ-M → Open Orders (also the "Conditional" tab).',
  'manual.binance.left.one':
    '{count} open order is still live. On Binance, open Orders → Spot Order → Open Orders and press "Cancel All", then Futures → USDⓈ-M → Open Orders (and the "Conditional" tab).',
  'manual.binance.left.other':
    '{count} open orders are still live. On Binance, open Orders → Spot Order → Open Orders and press "Cancel All", then Futures → USDⓈ-M → Open Orders (and the "Conditional" tab).',
  'manual.binance.deleteKey':
    "Delete the API key Vigil uses ({key}): log in at {url}, find the key ending in {ending} and press Delete. Binance's API cannot do this for a normal account.",
  'manual.binance.otherKeys':
    "On the same page, delete every other API key you do not recognise: Binance's API only shows Vigil its own key, so a key someone else created is invisible to Vigil.",
  'manual.binance.checkWithdrawals':
    'Check Wallet → Withdrawal history and Security → Withdrawal address management (turn on the whitelist) for anything you did not do; then change your password and 2FA if the key could have been taken from your account rather than from a bot.',
  'manual.binance.newKey':
    'Create a new key for Vigil (read-only or trading as you need, never withdrawals, restricted to your IP) and update it in Vigil.',

  // Bybit.
  'ks.bybit.alreadyDeleted':
    'Vigil deleted its own key {id} at {at}; Bybit refuses every call with it, so there is nothing more Vigil can do on this account',
  'ks.bybit.keyReadOnly': "Vigil's key {id} has read-only access",
  'ks.bybit.keyPermissions': "Vigil's key {id} has permissions {permissions}",
  'ks.bybit.mayNotTradeSpot': "Vigil's key may not trade spot, so it cannot cancel these orders",
  'ks.bybit.mayNotTradeContracts':
    "Vigil's key may not trade contracts, so it cannot cancel these orders",
  'ks.bybit.readOnlyNoRevoke':
    "Vigil's key is read-only: the orders or withdrawals came through another key or the website, and Bybit's API cannot revoke other keys",
  'ks.bybit.subAccount':
    "Vigil's key belongs to a sub-account; Bybit only lets master-account keys delete themselves",
  'ks.bybit.noTransferPermission':
    "Vigil's key has no transfer or withdrawal permission, which Bybit requires for a key to delete or downgrade itself",
  'ks.bybit.finalRead.one': 'Read the account once more before deleting the key: {count} new event',
  'ks.bybit.finalRead.other':
    'Read the account once more before deleting the key: {count} new events',
  'ks.bybit.deleted':
    "Deleted Vigil's own key {id}, read back: Bybit now refuses it. Vigil can no longer watch this account until you add a new read-only key",
  'ks.bybit.deletedHint':
    "Deleted Vigil's own key {id} ({hint}), read back: Bybit now refuses it. Vigil can no longer watch this account until you add a new read-only key",
  'ks.bybit.deleteUnconfirmed': 'Bybit accepted the delete, but {reason}',
  'ks.bybit.queryStillAnswers': 'query-api still answers',
  'ks.bybit.notReadBack': 'could not read the key back',
  'ks.bybit.downgraded':
    "Vigil's key {id} is now read-only (read back); it can no longer trade or move funds",
  'ks.bybit.downgradeUnconfirmed':
    'Bybit accepted the change, but the key is not read-only on read-back',
  'manual.bybit.unconfirmedEvery':
    'Vigil could not confirm that every order is cancelled. On Bybit, open Orders and use "Cancel all" on the Spot, USDT and USDC contract and inverse contract tabs (including conditional and TP/SL orders).',
  'manual.bybit.unconfirmed':
    'Vigil could not confirm that all orders are cancelled. On Bybit, open Orders and use "Cancel all" on the Spot, USDT and USDC contract and inverse contract tabs (including conditional and TP/SL orders).',
  'manual.bybit.left.one':
    '{count} open order is still live. On Bybit, open Orders and use "Cancel all" on the Spot, USDT and USDC contract and inverse contract tabs (including conditional and TP/SL orders).',
  'manual.bybit.left.other':
    '{count} open orders are still live. On Bybit, open Orders and use "Cancel all" on the Spot, USDT and USDC contract and inverse contract tabs (including conditional and TP/SL orders).',
  'manual.bybit.otherKeys':
    "Bybit's API shows Vigil only its own key. Log in at bybit.com, open {url} and delete every other API key you do not recognise (or all of them), then add a new read-only key if you want Vigil to keep watching.",
  'manual.bybit.readOnlyStillExists':
    "Vigil's key is now read-only but still exists. Log in at bybit.com, open {url} (Account → API → API Management), delete it and every key you do not recognise, then add a new read-only key for Vigil.",
  'manual.bybit.revokeByHand':
    'Revoke the compromised key by hand: log in at bybit.com, open {url} (Account → API → API Management), delete the key given to Vigil and every key you do not recognise (Bybit asks for 2FA), then create a new read-only key for Vigil.',

  // Deribit.
  'manual.deribit.unconfirmed':
    'Vigil could not confirm that all orders are cancelled. On Deribit, open Orders → Open orders and use "Cancel all" in every currency.',
  'manual.deribit.left.one':
    '{count} open order is still live. On Deribit, open Orders → Open orders and use "Cancel all" in every currency.',
  'manual.deribit.left.other':
    '{count} open orders are still live. On Deribit, open Orders → Open orders and use "Cancel all" in every currency.',
  'manual.deribit.disableKey':
    'Disable {key}: on {url} find it in the API keys list and switch it off (or remove it).',
  'manual.deribit.disableKeyWhy':
    'Disable {key}: on {url} find it in the API keys list and switch it off (or remove it). Vigil could not do it: {error}.',
  'manual.deribit.checkKeys':
    'Check every API key on {url} and disable any you do not recognise; Vigil could not read the key list.',
  'manual.deribit.ownKey': "Disable Vigil's own key on {url} (Vigil could not disable it).",
  'manual.deribit.scope':
    "Give Vigil's key the account:read_write scope so it can disable keys next time.",

  // OKX.
  'ks.okx.cancelled.one': 'Cancelled {count} order in batches of {batch}',
  'ks.okx.cancelled.other': 'Cancelled {count} orders in batches of {batch}',
  'ks.okx.cancelledFailed.one': 'Cancelled {count} order in batches of {batch}; {failed} failed',
  'ks.okx.cancelledFailed.other': 'Cancelled {count} orders in batches of {batch}; {failed} failed',
  'ks.okx.cancelledAlgo.one': 'Cancelled {count} algo order in batches of {batch}',
  'ks.okx.cancelledAlgo.other': 'Cancelled {count} algo orders in batches of {batch}',
  'ks.okx.cancelledAlgoFailed.one':
    'Cancelled {count} algo order in batches of {batch}; {failed} failed',
  'ks.okx.cancelledAlgoFailed.other':
    'Cancelled {count} algo orders in batches of {batch}; {failed} failed',
  'ks.okx.pendingAlgo.one': '{count} pending algo order',
  'ks.okx.pendingAlgo.other': '{count} pending algo orders',
  'ks.okx.algoLeft.one': '{count} algo order left',
  'ks.okx.algoLeft.other': '{count} algo orders left',
  'ks.okx.noAlgoPending': 'No algo orders were pending a moment ago; not re-read',
  'ks.okx.noRevoke':
    'OKX cannot revoke or disable its own API keys over the API: delete {key} at {url}',
  'manual.okx.unconfirmed':
    'Vigil could not confirm that all orders are cancelled. On okx.com open Trade → Open orders and cancel every order, including the "Trigger" and "Algo" tabs.',
  'manual.okx.left.one':
    '{count} open order is still live. On okx.com open Trade → Open orders and cancel them, including the "Trigger" and "Algo" tabs.',
  'manual.okx.left.other':
    '{count} open orders are still live. On okx.com open Trade → Open orders and cancel them, including the "Trigger" and "Algo" tabs.',
  'manual.okx.noTradePermission':
    "Vigil's key lacks OKX's Trade permission, so it could not cancel orders: give the new key Trade if you want the kill switch to cancel them next time.",
  'manual.okx.deleteKey':
    'Delete {key}: log in at {url} (Profile → API keys), find the key, choose Delete and confirm with your 2FA code. Deleting it stops anyone who holds it, including Vigil.',
  'manual.okx.otherKeys':
    'While you are there, delete every other API key you do not recognise: OKX shows Vigil only its own key, so keys someone else created are invisible to it.',
  'manual.okx.newKey':
    'Then create a new key for Vigil (Read only is enough to watch; add Trade only if you want the kill switch to cancel orders), bind it to your IP address, and add it to Vigil again.',

  // Exchanges served through ccxt (the generic connector).
  'ks.generic.openOrdersOpen.one': '{count} open order open',
  'ks.generic.openOrdersOpen.other': '{count} open orders open',
  'ks.generic.triggerOrdersOpen.one': '{count} trigger order open',
  'ks.generic.triggerOrdersOpen.other': '{count} trigger orders open',
  'ks.generic.cancelledEvery':
    '{exchange} cancelled every open order (one call; it ignores symbols)',
  'ks.generic.acceptedCancelAll': '{exchange} accepted cancel-all',
  'ks.generic.marketsUnknown':
    'Open orders could not be read, so the markets to cancel are unknown',
  'ks.generic.cancelledSymbol': '{exchange} cancelled all orders in {symbol}',
  'ks.generic.noMarketOpen': 'No market has open orders',
  'ks.generic.openUnread': 'open orders could not be read, so there is nothing to cancel by id',
  'ks.generic.triggerUnread':
    'trigger orders could not be read, so there is nothing to cancel by id',
  'ks.generic.noOpenToCancel': 'No open orders to cancel',
  'ks.generic.noTriggerToCancel': 'No trigger orders to cancel',
  'ks.generic.askedOpen.one': 'Asked {exchange} to cancel {count} open order in {symbol}',
  'ks.generic.askedOpen.other': 'Asked {exchange} to cancel {count} open orders in {symbol}',
  'ks.generic.askedTrigger.one': 'Asked {exchange} to cancel {count} trigger order in {symbol}',
  'ks.generic.askedTrigger.other': 'Asked {exchange} to cancel {count} trigger orders in {symbol}',
  'ks.generic.cancelledId': 'Cancelled order {id} in {symbol}',
  'ks.generic.noRevoke': '{exchange} has no API to revoke keys; manual steps listed',
  'ks.generic.noPositions': 'ccxt cannot read or close positions on {exchange}',
  'manual.generic.unconfirmed':
    'Vigil could not confirm that all orders on {exchange} are cancelled: open your open-orders page on {exchange} and cancel everything there.',
  'manual.generic.left.one': '{count} order is still open on {exchange}: cancel it on the website.',
  'manual.generic.left.other':
    '{count} orders are still open on {exchange}: cancel them on the website.',
  'manual.generic.revoke':
    '{exchange} cannot revoke keys over its API: sign in to {exchange} in your browser, {where}, and delete {which} and any key you do not recognise.',
  'manual.generic.where.url': 'open {url}',
  'manual.generic.where.urlHint': 'open {url} ({hint})',
  'manual.generic.where.unknown':
    "open {exchange}'s API management page (usually under Account or Security → API)",
  'manual.generic.which.ending': 'the API key ending in {ending}',
  'manual.generic.which.unknown': "the API key Vigil's account uses",
  'manual.generic.deleteOwn':
    "Delete Vigil's own key too; Vigil stops watching {exchange} once it is gone.",
  'manual.generic.deleteOwnEnding':
    "Delete Vigil's own key too (ending in {ending}); Vigil stops watching {exchange} once it is gone.",
  'manual.generic.keepOwn':
    "Keep Vigil's key only if you are sure it did not leak; otherwise delete it as well and add a new read-only key to Vigil.",
  'manual.generic.keepOwnEnding':
    "Keep Vigil's key (ending in {ending}) only if you are sure it did not leak; otherwise delete it as well and add a new read-only key to Vigil.",
  'manual.generic.checkWithdrawals':
    "Check {exchange}'s withdrawal history and withdrawal-address whitelist: Vigil cannot read the whitelist there.",

  // Connector-internal faults, record names, dead-man timers, key disabling, audit log.
  'account.startFailed': 'could not start watching: {error}',
  'account.noCredentials': 'no credentials in the keychain for account {account}',
  'fault.ccxt.noMethod': 'this ccxt version has no {name}',
  'fault.ccxt.noClass': 'ccxt has no class for {id}',
  'fault.ccxt.noDefaultClass': 'ccxt module {id} has no default class',
  'fault.invalidEndpoint': 'Invalid endpoint for {id}: expected an http(s) URL',
  'fault.keysNotRead': 'Vigil does not read keys here',
  'fault.skipped':
    '{count} {what} could not be read (missing id, symbol, side or time) and were skipped',
  'fault.pageLimit': 'more new {what} than one poll reads; the oldest of them may be missing',
  'fault.pageStalled':
    'only the newest {limit} {what} could be read (the exchange does not page by time); older ones may be missing',
  'fault.accessLogSkipped':
    'more new access-log entries than one poll reads ({count}); older ones in between were skipped',
  'fault.notJson': 'the exchange sent a response Vigil could not read (not valid JSON)',
  'fault.refused': 'the exchange refused the call ({reason})',
  'fault.codeReason': 'code {code}: {reason}',
  'fault.orderNotReturned': 'order {id} not returned',
  'fault.okx.deadManRange': 'the cancel-all-after timeout must be 0 or 10–120 seconds',
  'fault.malformed.notJson': '{what}: the response was not valid JSON',
  'fault.malformed.shapeAt': '{what}: unexpected shape at {where}',
  'fault.malformed.shape': '{what}: unexpected shape',
  'fault.malformed.empty': '{what}: the response was empty',
  'fault.malformed.notList': '{what}: expected a list, got {got}',
  'fault.malformed.notObject': '{what}: expected an object',
  'fault.malformed.noTotals': '{what}: no totals',
  'fault.malformed.noEntry': '{what}: no entry',
  'fault.malformed.code': '{what}: code {code}',
  'records.balanceLines': 'balance lines',
  'records.positions': 'positions',
  'records.openOrders': 'open orders',
  'records.closedOrders': 'closed orders',
  'records.trades': 'trades',
  'records.withdrawals': 'withdrawals',
  'records.deposits': 'deposits',
  'records.transactions': 'deposits and withdrawals',
  'records.orders': 'orders',
  'records.fills': 'fills',
  'records.transfers': 'transfers',
  'records.subAccountTransfers': 'sub-account transfers',
  'records.internalTransfers': 'internal transfers',
  'records.ordersOf': '{of} orders',
  'records.tradesOf': '{of} trades',
  'records.withdrawalsOf': '{of} withdrawals',
  'records.orderHistoryOf': '{of} order history',
  'deadMan.none': "{exchange} has no dead-man timer in ccxt's unified API",
  'deadMan.armed': '{exchange} cancels every order if no heartbeat arrives within {seconds} s',
  'deadMan.off': "{exchange}'s dead-man timer is off",
  'keys.okx.cannotDisable':
    'OKX cannot disable API keys over its API. Delete the key by hand at {url}',
  'keys.binance.cannotDisable':
    'Binance has no API to disable or delete a key on a normal account. Delete it by hand at {url}',
  'keys.bybit.ownKey':
    'This is the key Vigil itself uses; deleting it would stop all monitoring. Use the kill switch to do that.',
  'keys.bybit.cannotDisable':
    "Bybit's API can only manage the key that makes the call, so Vigil cannot disable key {id}. Delete it by hand at {url}",
  'keys.deribit.ownKey':
    "This is the key Vigil itself uses; disabling it would stop all monitoring. Use the kill switch with 'include Vigil's key' to do that.",
  'keys.deribit.byHand': '{error}. Disable it by hand at {url}',
  'manual.generic.hint.settingsApi': 'Settings → API, then delete the key',
  'audit.actor.user': 'you',
  'audit.actor.containment': 'continuous containment',
  'audit.actor.atOnce': 'policy (act at once)',
  'audit.actor.countdownZero': 'policy (countdown reached 0)',
  'audit.actor.countdownExpired': 'policy (countdown expired)',
  'audit.actor.notificationButton': 'you (notification button)',
  'audit.actor.button': 'you (kill-switch button)',
  'audit.actor.userReason': 'you ({reason})',
  'audit.ks.fire.one': 'Fired kill switch {run} on {count} account',
  'audit.ks.fire.other': 'Fired kill switch {run} on {count} accounts',
  'audit.ks.fireIncident.one': 'Fired kill switch {run} on {count} account for incident {incident}',
  'audit.ks.fireIncident.other':
    'Fired kill switch {run} on {count} accounts for incident {incident}',
  'audit.ks.account': 'Kill switch {run} on this account: {result}',
  'audit.ks.contained': 'contained',
  'audit.ks.notContained': 'NOT contained',
  'audit.ks.result':
    '{state}; {cancelled} orders cancelled, {remaining} remaining (read back); key {key}',
  'audit.ks.key.revoked': 'revoked',
  'audit.ks.key.disabled': 'disabled',
  'audit.ks.key.manual-revoke-required': 'manual-revoke-required',
  'audit.ks.key.unchanged': 'unchanged',
  'audit.key.disabled': 'Disabled new keys: {keys}',
  'audit.key.notDisabled': 'Could not disable {key}: {error}',
  'audit.account.add': 'Added account {label} ({exchange})',
  'audit.account.rearm': 'Re-armed the account with a new key ending in {ending}',
  'audit.account.update': 'Changed the account settings',
  'audit.account.updateWith': 'Changed the account settings: {changes}',
  'audit.account.poll': 'poll every {seconds} s',
  'audit.account.deadMan': 'dead-man heartbeat {seconds} s',
  'audit.account.deadManOff': 'dead-man heartbeat off',
  'audit.account.remove': 'Removed the account',
  'audit.incident.acknowledge': 'Acknowledged incident {id}',
  'audit.incident.export': 'Exported incident {id} ({format})',
  'audit.settings.update': 'Changed settings: {keys}',
  'audit.channel.add': 'Added notification channel {name} ({kind})',
  'audit.channel.remove': 'Removed notification channel {id}',
  'audit.rule.update': 'Changed rule {rule}',
  'audit.rule.updateWith': 'Changed rule {rule}: {changes}',
  'audit.rule.enabled': 'turned on',
  'audit.rule.disabled': 'turned off',
  'audit.rule.level': 'level {level}',
  'audit.rule.params': 'parameters {names}',
  'audit.exception.add': 'Added an exception ("this is me"): {field} = {value}',
  'audit.exception.addRule': 'Added an exception ("this is me") to rule {rule}: {field} = {value}',
  'audit.exception.remove': 'Removed exception {id}',
  'audit.silence.add': 'Silenced alerts until {until}',
  'audit.silence.addRule': 'Silenced rule {rule} until {until}',
  'audit.demo.attack': 'Started demo attack {attack}',
  'audit.monitoring.pause': 'Paused monitoring for {minutes} min',
  'audit.monitoring.resume': 'Resumed monitoring',

  // API errors the window shows (form validation, a refused key).
  'api.simulatedDemoOnly': 'simulated accounts exist only in demo mode',
  'api.apiKeyRequired': 'apiKey: the API key is required',
  'api.secretRequired': 'secret: the API secret is required',
  'api.keyRefused': 'The exchange refused this API key: {error}',
  'api.unknownExchange': 'unknown exchange: {exchange}',
  'api.notSupported': '{exchange} is not supported yet',
  'api.noDeadMan': '{exchange} has no dead-man timer Vigil can use',
  'api.deadManTooShort':
    'the timeout must be at least three poll intervals ({seconds} s), or one slow poll cancels every order',
  'api.deadManRefused': '{exchange} refused the dead-man timer: {error}',
  'api.webhookUrl': 'a webhook needs a URL',
  'api.telegramChat': 'a Telegram channel needs a chat id',
  'api.ntfyTopic': 'an ntfy channel needs a topic',
  'api.telegramToken': 'a Telegram channel needs the bot token',
  'api.exceptionNoField': 'the alert\'s evidence has no {field} to mark as "this is me"',
  'api.exceptionValue': 'value: give a value or an alert to take it from',
  'rules.invalid': '{rule}: {reason}',
  'rules.param.type': 'param {name} must be a {expected}',
  'rules.param.finite': 'param {name} must be finite',
  'rules.param.min': 'param {name} must be ≥ {min}',
  'rules.param.max': 'param {name} must be ≤ {max}',
  'rules.param.unknown': 'params.{name}: no such param in {rule}',
  'rules.type.number': 'number',
  'rules.type.boolean': 'boolean',
  'rules.type.string': 'string',

  // Rule reasoning clauses.
  'why.sizeBaseline':
    "{ratio}× this account's {percentile}th percentile of {value} over the last {days} days (limit {factor}×)",
  'why.sizeEquity': "{share} % of the account's equity of {equity} (limit {limit} %)"
} as const satisfies Catalog

export type MessageCode = keyof typeof en extends infer K
  ? K extends `${infer Base}.${'one' | 'other'}`
    ? Base
    : K
  : never

const zhCN: Catalog = {
  text: '{text}',
  'join.semicolon': '{first}；{rest}',
  'join.prefixed': '{subject}：{error}',

  'fault.kind.auth': '交易所拒绝了 API 密钥（无效、已过期、已停用或已删除）',
  'fault.kind.permission': '该 API 密钥无权执行此操作（缺少权限或账户受限）',
  'fault.kind.rate-limit': '交易所正在限制我们的请求频率',
  'fault.kind.transient': '无法连接交易所，或交易所未及时响应',
  'fault.kind.maintenance': '交易所正在维护',
  'fault.kind.malformed': '交易所返回了 Vigil 无法解析的响应',
  'fault.kind.unsupported': '交易所不支持此操作',
  'fault.kind.unknown': '交易所返回了错误',
  'fault.binance.auth': '交易所拒绝了 API 密钥（已删除、IP 不符或缺少权限）',
  'fault.binance.permission': '该 API 密钥无权执行此操作',
  'fault.exchange': '{exchange}：{error}',
  'fault.detail': '{error}（{detail}）',
  'fault.reasonCode': '{reason}，错误码 {code}',
  'fault.code': '错误码 {code}',
  'fault.notRead': '未读取：{error}',
  'fault.notReadMarkets': '未读取（无法获取市场列表）：{error}',
  'fault.keyStillEnabled': '停用请求发出后，密钥 {key} 仍处于启用状态',
  'fault.bybitKeyDeleted':
    'Vigil 已于 {at} 在紧急熔断中删除了自己的 API 密钥；请添加一个新的只读密钥以恢复对此账户的监控',
  'fault.notCancelled': '{exchange} 未撤销 {id}：{reason}',
  'fault.deadline': '{exchange} 在 {seconds} 秒内没有响应',

  'account.heartbeat': '失联自动撤单心跳失败：{error}',
  'health.rateLimited': '{exchange} 要求 Vigil 降低请求频率；轮询间隔已延长至每 {seconds} 秒一次',
  'health.authFailing': '连续 {count} 次轮询被拒绝：{error}',
  'health.degraded': '{exchange} 已持续出错 {minutes} 分钟：Vigil 缺少这段时间的数据',
  'health.stalled': '已有 {seconds} 秒没有成功轮询',

  'progress.start': '正在从交易所读取历史记录',
  'progress.startOn': '正在从 {exchange} 读取历史记录',
  'progress.checkingCount': '正在用所有规则检查 {count} 个历史事件',
  'progress.checking': '正在用所有规则检查历史事件',
  'progress.done': '历史记录读取完成：{count} 个事件',
  'progress.read': '已从 {exchange} 读取 {count} 个历史事件',
  'progress.finished': '完成',
  'progress.accessLog': '正在读取访问日志',
  'progress.accessLogCount': '正在读取访问日志（{count} 条）',
  'progress.currency': '正在读取 {currency} 的订单、成交和提现记录',
  'progress.ordersTrades': '正在读取 {market} 的订单和成交记录',
  'progress.withdrawalsDepositsTransfers': '正在读取提现、充值和划转记录',
  'progress.withdrawalsDeposits': '正在读取提现和充值记录',
  'progress.withdrawalsTransfers': '正在读取提现和划转记录',
  'progress.addressList': '正在读取提现地址列表',
  'progress.positionsLeverage': '正在读取持仓和杠杆',
  'progress.balances': '正在读取余额',
  'progress.orders': '正在读取订单',
  'progress.trades': '正在读取成交记录',
  'progress.positions': '正在读取持仓',
  'progress.keys': '正在读取 API 密钥',
  'progress.exchangeOrders': '正在读取 {exchange} 订单',
  'progress.exchangeOpenOrders': '正在读取 {exchange} 挂单',
  'progress.exchangeFills': '正在读取 {exchange} 成交记录',
  'progress.exchangeWithdrawals': '正在读取 {exchange} 提现和划转记录',
  'progress.exchangeDeposits': '正在读取 {exchange} 充值记录',
  'progress.exchangeOrderHistory': '正在读取 {exchange} {type} 历史订单',
  'progress.exchangeTypeFills': '正在读取 {exchange} {type} 成交记录',
  'progress.exchangeWithdrawalsOnly': '正在读取 {exchange} 提现记录',
  'progress.exchangeTransfers': '正在读取 {exchange} 划转记录',
  'progress.records': '{what}（{count} 条记录）',

  'key.id': '密钥 {id}',
  'key.named': '密钥 {id}“{name}”',
  'key.client': '密钥 {id}（客户端 ID {client}）',
  'key.namedClient': '密钥 {id}“{name}”（客户端 ID {client}）',
  'key.quoted': '“{name}”',
  'key.vigils': 'Vigil 使用的 API 密钥',
  'key.ending': '{key}（API 密钥末尾为 …{ending}）',

  'ks.contain.unreachable': 'Vigil 无法连接交易所。请登录交易所，手动撤销所有挂单并吊销 API 密钥。',
  'ks.cancelledOpen': '{exchange} 已撤销 {count} 笔挂单',
  'ks.cancelled': '{exchange} 已撤销 {count} 笔订单',
  'ks.openOrders': '{count} 笔挂单',
  'ks.openLeft': '剩余 {count} 笔挂单',
  'ks.openOnSymbols': '{symbols} 个交易对上共有 {count} 笔挂单',
  'ks.nothingToCancel': '无需撤单：没有挂单',
  'ks.unknownError': '未知错误',
  'ks.deribit.notKeyId': '“{id}”不是 Deribit 的密钥 ID',
  'ks.deribit.challenge': '{exchange} 要求通过安全密钥或 2FA 确认才能停用密钥 {id}',
  'ks.keysOnAccount': '账户上有 {count} 个 API 密钥',
  'ks.alreadyDisabled': '已处于停用状态：{keys}',
  'ks.disabledKey': '已停用{key}',
  'ks.stillEnabled': '仍处于启用状态：{keys}',
  'ks.noOtherKeyEnabled': '没有其他启用中的密钥',
  'ks.ownKeyAlreadyDisabled': 'Vigil 自己的密钥已处于停用状态',
  'ks.ownKeyNotFound': '密钥列表中找不到 Vigil 自己的密钥',
  'ks.ownKeyNotFoundOn': '{exchange} 的密钥列表中找不到 Vigil 自己的密钥',
  'ks.disabledOwnKey': '已停用 Vigil 自己的密钥 {id}；Vigil 无法再监控此账户',
  'ks.noPositions': '没有持仓',
  'ks.noUsdmPositions': '没有 U 本位合约持仓',
  'ks.closedReduceOnly': '已用只减仓市价单平掉 {symbol}',
  'ks.closedAtMarket': '已按市价平掉 {symbol}',
  'ks.err.confirmOpenOrders': '无法确认挂单情况：{error}',
  'ks.err.listOpenOrders': '无法列出挂单：{error}',
  'ks.err.readOpenOrders': '无法读取挂单：{error}',
  'ks.err.readTriggerOrders': '无法读取条件单：{error}',
  'ks.err.listKeys': '无法列出 API 密钥：{error}',
  'ks.err.confirmKeyList': '无法确认密钥列表：{error}',
  'ks.err.readPositions': '无法读取持仓，因此无法平仓：{error}',
  'ks.err.close': '无法平掉 {symbol}：{error}',
  'ks.err.cancelSymbol': '无法撤销 {symbol}（{kind}）的订单：{error}',
  'ks.err.readOwnKey': '无法读取 Vigil 的密钥：{error}',
  'ks.err.ownKeyStillWorks': '删除请求发出后，Vigil 的密钥 {id} 仍然有效',
  'ks.err.listAlgo': '无法列出计划委托和策略委托：{error}',
  'ks.err.confirmAlgo': '无法确认策略委托情况：{error}',
  'ks.err.cancelPerMarket': '无法按交易对撤单：挂单情况未知',
  'ks.err.openUnread': '无法撤销挂单：读取挂单失败',
  'ks.err.triggerUnread': '无法撤销条件单：读取条件单失败',
  'ks.err.closeByHand': '{exchange} 上的持仓需要手动平仓',

  'ks.binance.cancelledSpot': 'Binance 已撤销 {symbol}（现货）上的 {count} 笔订单',
  'ks.binance.cancelledUsdm': 'Binance 已撤销 {symbol}（U 本位合约）上的 {count} 笔订单',
  'ks.binance.cancelledAlgo': 'Binance 已撤销 {symbol}（U 本位合约）上的 {count} 笔条件单',
  'ks.binance.noRevoke':
    'Binance 没有可在普通账户上删除或停用{key} 的 API，只能在 binance.com 网站上删除',
  'ks.binance.untrusted':
    'Vigil 现在将{key}视为已泄露：在你删除它并添加新密钥之前，它的一切操作都会被报告为恶意行为',
  'manual.binance.unconfirmed':
    'Vigil 无法确认所有订单都已撤销。请在 Binance 打开“订单 → 现货订单 → 当前委托”，点击“全部撤销”，然后在“合约 → U 本位合约 → 当前委托”中执行同样操作（“条件单”标签页也要处理）。',
  'manual.binance.left':
    '仍有 {count} 笔挂单有效。请在 Binance 打开“订单 → 现货订单 → 当前委托”，点击“全部撤销”，然后处理“合约 → U 本位合约 → 当前委托”（包括“条件单”标签页）。',
  'manual.binance.deleteKey':
    '删除 Vigil 使用的 API 密钥（{key}）：登录 {url}，找到末尾为 {ending} 的密钥并点击“删除”。普通账户无法通过 Binance 的 API 完成这一步。',
  'manual.binance.otherKeys':
    '在同一页面删除所有你不认识的其他 API 密钥：Binance 的 API 只向 Vigil 显示它自己的密钥，因此别人创建的密钥 Vigil 看不到。',
  'manual.binance.checkWithdrawals':
    '检查“钱包 → 提现记录”和“安全 → 提现地址管理”（开启白名单），看有没有不是你本人的操作；如果密钥可能是从你的账户而非交易机器人处泄露的，请同时修改密码和 2FA。',
  'manual.binance.newKey':
    '为 Vigil 创建一个新密钥（按需选择只读或交易权限，切勿开启提现，并限制为你的 IP），然后在 Vigil 中更新。',

  'ks.bybit.alreadyDeleted':
    'Vigil 已于 {at} 删除了自己的密钥 {id}；Bybit 会拒绝使用该密钥的所有请求，Vigil 无法再对此账户做任何操作',
  'ks.bybit.keyReadOnly': 'Vigil 的密钥 {id} 为只读权限',
  'ks.bybit.keyPermissions': 'Vigil 的密钥 {id} 拥有权限：{permissions}',
  'ks.bybit.mayNotTradeSpot': 'Vigil 的密钥没有现货交易权限，因此无法撤销这些订单',
  'ks.bybit.mayNotTradeContracts': 'Vigil 的密钥没有合约交易权限，因此无法撤销这些订单',
  'ks.bybit.readOnlyNoRevoke':
    'Vigil 的密钥是只读的：这些订单或提现来自其他密钥或网页端，而 Bybit 的 API 无法吊销其他密钥',
  'ks.bybit.subAccount': 'Vigil 的密钥属于子账户；Bybit 只允许主账户的密钥删除自身',
  'ks.bybit.noTransferPermission':
    'Vigil 的密钥没有划转或提现权限，而 Bybit 要求密钥具备这类权限才能删除自身或降级',
  'ks.bybit.finalRead': '删除密钥前再读取一次账户：{count} 个新事件',
  'ks.bybit.deleted':
    '已删除 Vigil 自己的密钥 {id}，回读确认：Bybit 现在会拒绝该密钥。在你添加新的只读密钥之前，Vigil 无法再监控此账户',
  'ks.bybit.deletedHint':
    '已删除 Vigil 自己的密钥 {id}（{hint}），回读确认：Bybit 现在会拒绝该密钥。在你添加新的只读密钥之前，Vigil 无法再监控此账户',
  'ks.bybit.deleteUnconfirmed': 'Bybit 接受了删除请求，但{reason}',
  'ks.bybit.queryStillAnswers': '查询密钥的接口仍然有响应',
  'ks.bybit.notReadBack': '无法回读该密钥',
  'ks.bybit.downgraded': 'Vigil 的密钥 {id} 已变为只读（已回读确认）；它不能再交易或转移资金',
  'ks.bybit.downgradeUnconfirmed': 'Bybit 接受了修改，但回读时该密钥仍不是只读',
  'manual.bybit.unconfirmedEvery':
    'Vigil 无法确认每一笔订单都已撤销。请在 Bybit 打开“订单”，在现货、USDT 与 USDC 合约以及反向合约标签页中使用“全部撤销”（包括条件单和止盈止损委托）。',
  'manual.bybit.unconfirmed':
    'Vigil 无法确认所有订单都已撤销。请在 Bybit 打开“订单”，在现货、USDT 与 USDC 合约以及反向合约标签页中使用“全部撤销”（包括条件单和止盈止损委托）。',
  'manual.bybit.left':
    '仍有 {count} 笔挂单有效。请在 Bybit 打开“订单”，在现货、USDT 与 USDC 合约以及反向合约标签页中使用“全部撤销”（包括条件单和止盈止损委托）。',
  'manual.bybit.otherKeys':
    'Bybit 的 API 只向 Vigil 显示它自己的密钥。请登录 bybit.com，打开 {url}，删除所有你不认识的其他 API 密钥（或全部删除）；如果希望 Vigil 继续监控，再添加一个新的只读密钥。',
  'manual.bybit.readOnlyStillExists':
    'Vigil 的密钥现在是只读的，但仍然存在。请登录 bybit.com，打开 {url}（账户 → API → API 管理），删除它以及所有你不认识的密钥，然后为 Vigil 添加一个新的只读密钥。',
  'manual.bybit.revokeByHand':
    '请手动吊销已泄露的密钥：登录 bybit.com，打开 {url}（账户 → API → API 管理），删除交给 Vigil 的密钥以及所有你不认识的密钥（Bybit 会要求 2FA 验证），然后为 Vigil 创建一个新的只读密钥。',

  'manual.deribit.unconfirmed':
    'Vigil 无法确认所有订单都已撤销。请在 Deribit 打开“订单 → 当前挂单”，在每个币种下使用“全部撤销”。',
  'manual.deribit.left':
    '仍有 {count} 笔挂单有效。请在 Deribit 打开“订单 → 当前挂单”，在每个币种下使用“全部撤销”。',
  'manual.deribit.disableKey': '停用{key}：在 {url} 的 API 密钥列表中找到它并关闭（或删除）。',
  'manual.deribit.disableKeyWhy':
    '停用{key}：在 {url} 的 API 密钥列表中找到它并关闭（或删除）。Vigil 未能完成此操作：{error}。',
  'manual.deribit.checkKeys':
    '检查 {url} 上的每一个 API 密钥，停用任何你不认识的密钥；Vigil 无法读取密钥列表。',
  'manual.deribit.ownKey': '在 {url} 停用 Vigil 自己的密钥（Vigil 未能停用它）。',
  'manual.deribit.scope': '为 Vigil 的密钥授予 account:read_write 权限范围，下次它才能停用密钥。',

  'ks.okx.cancelled': '已分批撤销 {count} 笔订单（每批 {batch} 笔）',
  'ks.okx.cancelledFailed': '已分批撤销 {count} 笔订单（每批 {batch} 笔）；{failed} 笔失败',
  'ks.okx.cancelledAlgo': '已分批撤销 {count} 笔策略委托（每批 {batch} 笔）',
  'ks.okx.cancelledAlgoFailed': '已分批撤销 {count} 笔策略委托（每批 {batch} 笔）；{failed} 笔失败',
  'ks.okx.pendingAlgo': '{count} 笔待触发的策略委托',
  'ks.okx.algoLeft': '剩余 {count} 笔策略委托',
  'ks.okx.noAlgoPending': '刚才没有待触发的策略委托，未再次读取',
  'ks.okx.noRevoke': 'OKX 无法通过 API 吊销或停用自己的 API 密钥：请在 {url} 删除{key}',
  'manual.okx.unconfirmed':
    'Vigil 无法确认所有订单都已撤销。请在 okx.com 打开“交易 → 当前委托”，撤销每一笔订单，包括“计划委托”和“策略委托”标签页。',
  'manual.okx.left':
    '仍有 {count} 笔挂单有效。请在 okx.com 打开“交易 → 当前委托”撤销它们，包括“计划委托”和“策略委托”标签页。',
  'manual.okx.noTradePermission':
    'Vigil 的密钥没有 OKX 的“交易”权限，因此无法撤单：如果希望下次紧急熔断能撤单，请给新密钥开启“交易”权限。',
  'manual.okx.deleteKey':
    '删除{key}：登录 {url}（个人中心 → API），找到该密钥，选择“删除”并用 2FA 验证码确认。删除后，任何持有它的人（包括 Vigil）都无法再使用。',
  'manual.okx.otherKeys':
    '同时删除所有你不认识的其他 API 密钥：OKX 只向 Vigil 显示它自己的密钥，别人创建的密钥 Vigil 看不到。',
  'manual.okx.newKey':
    '然后为 Vigil 创建一个新密钥（监控只需“只读”；只有希望紧急熔断能撤单时才加上“交易”），绑定你的 IP 地址，再重新添加到 Vigil。',

  'ks.generic.openOrdersOpen': '有 {count} 笔挂单',
  'ks.generic.triggerOrdersOpen': '有 {count} 笔条件单',
  'ks.generic.cancelledEvery': '{exchange} 已撤销所有挂单（一次调用；它会忽略交易对参数）',
  'ks.generic.acceptedCancelAll': '{exchange} 已接受全部撤单请求',
  'ks.generic.marketsUnknown': '无法读取挂单，因此不知道需要在哪些交易对撤单',
  'ks.generic.cancelledSymbol': '{exchange} 已撤销 {symbol} 上的所有订单',
  'ks.generic.noMarketOpen': '没有任何交易对有挂单',
  'ks.generic.openUnread': '无法读取挂单，因此没有可按 ID 撤销的订单',
  'ks.generic.triggerUnread': '无法读取条件单，因此没有可按 ID 撤销的订单',
  'ks.generic.noOpenToCancel': '没有需要撤销的挂单',
  'ks.generic.noTriggerToCancel': '没有需要撤销的条件单',
  'ks.generic.askedOpen': '已请求 {exchange} 撤销 {symbol} 上的 {count} 笔挂单',
  'ks.generic.askedTrigger': '已请求 {exchange} 撤销 {symbol} 上的 {count} 笔条件单',
  'ks.generic.cancelledId': '已撤销 {symbol} 上的订单 {id}',
  'ks.generic.noRevoke': '{exchange} 没有吊销密钥的 API；已列出手动步骤',
  'ks.generic.noPositions': 'ccxt 无法读取或平掉 {exchange} 上的持仓',
  'manual.generic.unconfirmed':
    'Vigil 无法确认 {exchange} 上的所有订单都已撤销：请打开 {exchange} 的当前委托页面，撤销全部订单。',
  'manual.generic.left': '{exchange} 上仍有 {count} 笔订单未撤销：请在网站上撤销。',
  'manual.generic.revoke':
    '{exchange} 无法通过 API 吊销密钥：请在浏览器中登录 {exchange}，{where}，删除{which}以及任何你不认识的密钥。',
  'manual.generic.where.url': '打开 {url}',
  'manual.generic.where.urlHint': '打开 {url}（{hint}）',
  'manual.generic.where.unknown':
    '打开 {exchange} 的 API 管理页面（通常位于“账户”或“安全 → API”下）',
  'manual.generic.which.ending': '末尾为 {ending} 的 API 密钥',
  'manual.generic.which.unknown': 'Vigil 账户所用的 API 密钥',
  'manual.generic.deleteOwn': '把 Vigil 自己的密钥也删除；删除后 Vigil 将停止监控 {exchange}。',
  'manual.generic.deleteOwnEnding':
    '把 Vigil 自己的密钥（末尾为 {ending}）也删除；删除后 Vigil 将停止监控 {exchange}。',
  'manual.generic.keepOwn':
    '只有在确定 Vigil 的密钥没有泄露时才保留它；否则也将其删除，并为 Vigil 添加一个新的只读密钥。',
  'manual.generic.keepOwnEnding':
    '只有在确定 Vigil 的密钥（末尾为 {ending}）没有泄露时才保留它；否则也将其删除，并为 Vigil 添加一个新的只读密钥。',
  'manual.generic.checkWithdrawals':
    '检查 {exchange} 的提现记录和提现地址白名单：Vigil 无法读取那里的白名单。',

  'account.startFailed': '无法开始监控：{error}',
  'account.noCredentials': '系统钥匙串中没有账户 {account} 的凭据',
  'fault.ccxt.noMethod': '当前 ccxt 版本没有 {name}',
  'fault.ccxt.noClass': 'ccxt 中没有 {id} 的类',
  'fault.ccxt.noDefaultClass': 'ccxt 模块 {id} 没有默认类',
  'fault.invalidEndpoint': '{id} 的接口地址无效：应为 http(s) 网址',
  'fault.keysNotRead': 'Vigil 不在此交易所读取密钥',
  'fault.skipped': '有 {count} 条{what}无法读取（缺少 ID、交易对、方向或时间），已跳过',
  'fault.pageLimit': '新增的{what}超过一次轮询能读取的数量；其中最早的部分可能缺失',
  'fault.pageStalled':
    '只能读取最新的 {limit} 条{what}（交易所不支持按时间分页）；更早的记录可能缺失',
  'fault.accessLogSkipped':
    '新增的访问日志条目（{count} 条）超过一次轮询能读取的数量；中间较早的条目已被跳过',
  'fault.notJson': '交易所返回了 Vigil 无法解析的响应（不是有效的 JSON）',
  'fault.refused': '交易所拒绝了此次调用（{reason}）',
  'fault.codeReason': '错误码 {code}：{reason}',
  'fault.orderNotReturned': '交易所没有返回订单 {id}',
  'fault.okx.deadManRange': '倒计时全部撤单（cancel-all-after）的超时时间必须为 0 或 10–120 秒',
  'fault.malformed.notJson': '{what}：响应不是有效的 JSON',
  'fault.malformed.shapeAt': '{what}：响应格式不符合预期，位置 {where}',
  'fault.malformed.shape': '{what}：响应格式不符合预期',
  'fault.malformed.empty': '{what}：响应为空',
  'fault.malformed.notList': '{what}：应为列表，实际为 {got}',
  'fault.malformed.notObject': '{what}：应为对象',
  'fault.malformed.noTotals': '{what}：缺少总额',
  'fault.malformed.noEntry': '{what}：没有条目',
  'fault.malformed.code': '{what}：错误码 {code}',
  'records.balanceLines': '余额条目',
  'records.positions': '持仓',
  'records.openOrders': '挂单',
  'records.closedOrders': '已结束订单',
  'records.trades': '成交记录',
  'records.withdrawals': '提现记录',
  'records.deposits': '充值记录',
  'records.transactions': '充提记录',
  'records.orders': '订单',
  'records.fills': '成交记录',
  'records.transfers': '划转记录',
  'records.subAccountTransfers': '子账户划转记录',
  'records.internalTransfers': '内部转账记录',
  'records.ordersOf': '{of} 订单',
  'records.tradesOf': '{of} 成交记录',
  'records.withdrawalsOf': '{of} 提现记录',
  'records.orderHistoryOf': '{of} 历史订单',
  'deadMan.none': 'ccxt 的统一 API 中没有 {exchange} 的失联自动撤单计时器',
  'deadMan.armed': '如果 {seconds} 秒内没有收到心跳，{exchange} 会撤销所有订单',
  'deadMan.off': '{exchange} 的失联自动撤单计时器已关闭',
  'keys.okx.cannotDisable': 'OKX 无法通过 API 停用 API 密钥。请到 {url} 手动删除该密钥',
  'keys.binance.cannotDisable':
    'Binance 没有可在普通账户上停用或删除密钥的 API。请到 {url} 手动删除',
  'keys.bybit.ownKey':
    '这是 Vigil 自己使用的密钥；删除它会停止所有监控。如需删除，请使用紧急熔断。',
  'keys.bybit.cannotDisable':
    'Bybit 的 API 只能管理发起调用的密钥，因此 Vigil 无法停用密钥 {id}。请到 {url} 手动删除',
  'keys.deribit.ownKey':
    '这是 Vigil 自己使用的密钥；停用它会停止所有监控。如需停用，请在紧急熔断中选择包括 Vigil 自己的密钥。',
  'keys.deribit.byHand': '{error}。请到 {url} 手动停用',
  'manual.generic.hint.settingsApi': '进入“Settings → API”，然后删除该密钥',
  'audit.actor.user': '你',
  'audit.actor.containment': '持续遏制',
  'audit.actor.atOnce': '策略（立即行动）',
  'audit.actor.countdownZero': '策略（倒计时归零）',
  'audit.actor.countdownExpired': '策略（倒计时到期）',
  'audit.actor.notificationButton': '你（通知按钮）',
  'audit.actor.button': '你（紧急熔断按钮）',
  'audit.actor.userReason': '你（{reason}）',
  'audit.ks.fire': '已对 {count} 个账户触发紧急熔断 {run}',
  'audit.ks.fireIncident': '已因事件 {incident} 对 {count} 个账户触发紧急熔断 {run}',
  'audit.ks.account': '紧急熔断 {run} 在此账户上的结果：{result}',
  'audit.ks.contained': '已遏制',
  'audit.ks.notContained': '未遏制',
  'audit.ks.result':
    '{state}；已撤销 {cancelled} 笔订单，剩余 {remaining} 笔（回读确认）；密钥 {key}',
  'audit.ks.key.revoked': '已吊销',
  'audit.ks.key.disabled': '已停用',
  'audit.ks.key.manual-revoke-required': '需手动吊销',
  'audit.ks.key.unchanged': '未变更',
  'audit.key.disabled': '已停用新密钥：{keys}',
  'audit.key.notDisabled': '无法停用 {key}：{error}',
  'audit.account.add': '已添加账户 {label}（{exchange}）',
  'audit.account.rearm': '已用末尾为 {ending} 的新密钥重新启用账户',
  'audit.account.update': '已更改账户设置',
  'audit.account.updateWith': '已更改账户设置：{changes}',
  'audit.account.poll': '每 {seconds} 秒轮询一次',
  'audit.account.deadMan': '失联自动撤单心跳 {seconds} 秒',
  'audit.account.deadManOff': '关闭失联自动撤单心跳',
  'audit.account.remove': '已删除账户',
  'audit.incident.acknowledge': '已确认事件 {id}',
  'audit.incident.export': '已导出事件 {id}（{format}）',
  'audit.settings.update': '已更改设置：{keys}',
  'audit.channel.add': '已添加通知渠道 {name}（{kind}）',
  'audit.channel.remove': '已移除通知渠道 {id}',
  'audit.rule.update': '已更改规则 {rule}',
  'audit.rule.updateWith': '已更改规则 {rule}：{changes}',
  'audit.rule.enabled': '已启用',
  'audit.rule.disabled': '已停用',
  'audit.rule.level': '级别 {level}',
  'audit.rule.params': '参数 {names}',
  'audit.exception.add': '已添加例外（“这是我”）：{field} = {value}',
  'audit.exception.addRule': '已为规则 {rule} 添加例外（“这是我”）：{field} = {value}',
  'audit.exception.remove': '已删除例外 {id}',
  'audit.silence.add': '已将告警静音至 {until}',
  'audit.silence.addRule': '已将规则 {rule} 的告警静音至 {until}',
  'audit.demo.attack': '已启动演示攻击 {attack}',
  'audit.monitoring.pause': '已暂停监控 {minutes} 分钟',
  'audit.monitoring.resume': '已恢复监控',

  'api.simulatedDemoOnly': '模拟账户仅在演示模式下可用',
  'api.apiKeyRequired': 'apiKey：必须填写 API 密钥',
  'api.secretRequired': 'secret：必须填写 API 密钥的 Secret',
  'api.keyRefused': '交易所拒绝了这个 API 密钥：{error}',
  'api.unknownExchange': '未知的交易所：{exchange}',
  'api.notSupported': '暂不支持 {exchange}',
  'api.noDeadMan': '{exchange} 没有 Vigil 可用的失联自动撤单计时器',
  'api.deadManTooShort':
    '超时时间必须至少为三个轮询间隔（{seconds} 秒），否则一次较慢的轮询就会撤销所有订单',
  'api.deadManRefused': '{exchange} 拒绝了失联自动撤单计时器：{error}',
  'api.webhookUrl': 'Webhook 需要填写网址',
  'api.telegramChat': 'Telegram 渠道需要填写聊天 ID',
  'api.ntfyTopic': 'ntfy 渠道需要填写主题',
  'api.telegramToken': 'Telegram 渠道需要填写机器人令牌',
  'api.exceptionNoField': '该告警的证据中没有可标记为“这是我”的 {field}',
  'api.exceptionValue': 'value：请填写一个值，或指定从哪条告警中取值',
  'rules.invalid': '{rule}：{reason}',
  'rules.param.type': '参数 {name} 必须是{expected}',
  'rules.param.finite': '参数 {name} 必须是有限数值',
  'rules.param.min': '参数 {name} 不能小于 {min}',
  'rules.param.max': '参数 {name} 不能大于 {max}',
  'rules.param.unknown': '{rule} 没有参数 {name}',
  'rules.type.number': '数字',
  'rules.type.boolean': '布尔值（是/否）',
  'rules.type.string': '文本',

  'why.sizeBaseline':
    '达到本账户过去 {days} 天第 {percentile} 百分位（{value}）的 {ratio} 倍（上限 {factor} 倍）',
  'why.sizeEquity': '占账户权益 {equity} 的 {share}%（上限 {limit}%）'
}

const zhTW: Catalog = {
  text: '{text}',
  'join.semicolon': '{first}；{rest}',
  'join.prefixed': '{subject}：{error}',

  'fault.kind.auth': '交易所拒絕了 API 金鑰（無效、已過期、已停用或已刪除）',
  'fault.kind.permission': '這把 API 金鑰無權執行此操作（缺少權限或帳戶受限）',
  'fault.kind.rate-limit': '交易所正在限制我們的請求頻率',
  'fault.kind.transient': '無法連線到交易所，或交易所沒有及時回應',
  'fault.kind.maintenance': '交易所正在維護',
  'fault.kind.malformed': '交易所傳回了 Vigil 無法解析的回應',
  'fault.kind.unsupported': '交易所不支援此操作',
  'fault.kind.unknown': '交易所傳回了錯誤',
  'fault.binance.auth': '交易所拒絕了 API 金鑰（已刪除、IP 不符或缺少權限）',
  'fault.binance.permission': '這把 API 金鑰無權執行此操作',
  'fault.exchange': '{exchange}：{error}',
  'fault.detail': '{error}（{detail}）',
  'fault.reasonCode': '{reason}，錯誤碼 {code}',
  'fault.code': '錯誤碼 {code}',
  'fault.notRead': '未讀取：{error}',
  'fault.notReadMarkets': '未讀取（無法取得市場列表）：{error}',
  'fault.keyStillEnabled': '送出停用請求後，金鑰 {key} 仍是啟用狀態',
  'fault.bybitKeyDeleted':
    'Vigil 已於 {at} 在緊急熔斷中刪除了自己的 API 金鑰；請新增一把唯讀金鑰以恢復監控這個帳戶',
  'fault.notCancelled': '{exchange} 沒有取消 {id}：{reason}',
  'fault.deadline': '{exchange} 在 {seconds} 秒內沒有回應',

  'account.heartbeat': '斷線自動撤單心跳失敗：{error}',
  'health.rateLimited': '{exchange} 要求 Vigil 放慢請求速度；輪詢間隔已拉長為每 {seconds} 秒一次',
  'health.authFailing': '連續 {count} 次輪詢遭到拒絕：{error}',
  'health.degraded': '{exchange} 已持續出錯 {minutes} 分鐘：Vigil 缺少這段時間的資料',
  'health.stalled': '已有 {seconds} 秒沒有成功輪詢',

  'progress.start': '正在從交易所讀取歷史紀錄',
  'progress.startOn': '正在從 {exchange} 讀取歷史紀錄',
  'progress.checkingCount': '正在以所有規則檢查 {count} 筆歷史事件',
  'progress.checking': '正在以所有規則檢查歷史事件',
  'progress.done': '歷史紀錄讀取完成：{count} 筆事件',
  'progress.read': '已從 {exchange} 讀取 {count} 筆歷史事件',
  'progress.finished': '完成',
  'progress.accessLog': '正在讀取存取紀錄',
  'progress.accessLogCount': '正在讀取存取紀錄（{count} 筆）',
  'progress.currency': '正在讀取 {currency} 的訂單、成交與提領紀錄',
  'progress.ordersTrades': '正在讀取 {market} 的訂單與成交紀錄',
  'progress.withdrawalsDepositsTransfers': '正在讀取提領、入金與劃轉紀錄',
  'progress.withdrawalsDeposits': '正在讀取提領與入金紀錄',
  'progress.withdrawalsTransfers': '正在讀取提領與劃轉紀錄',
  'progress.addressList': '正在讀取提領地址清單',
  'progress.positionsLeverage': '正在讀取持倉與槓桿',
  'progress.balances': '正在讀取餘額',
  'progress.orders': '正在讀取訂單',
  'progress.trades': '正在讀取成交紀錄',
  'progress.positions': '正在讀取持倉',
  'progress.keys': '正在讀取 API 金鑰',
  'progress.exchangeOrders': '正在讀取 {exchange} 訂單',
  'progress.exchangeOpenOrders': '正在讀取 {exchange} 掛單',
  'progress.exchangeFills': '正在讀取 {exchange} 成交紀錄',
  'progress.exchangeWithdrawals': '正在讀取 {exchange} 提領與劃轉紀錄',
  'progress.exchangeDeposits': '正在讀取 {exchange} 入金紀錄',
  'progress.exchangeOrderHistory': '正在讀取 {exchange} {type} 歷史訂單',
  'progress.exchangeTypeFills': '正在讀取 {exchange} {type} 成交紀錄',
  'progress.exchangeWithdrawalsOnly': '正在讀取 {exchange} 提領紀錄',
  'progress.exchangeTransfers': '正在讀取 {exchange} 劃轉紀錄',
  'progress.records': '{what}（{count} 筆紀錄）',

  'key.id': '金鑰 {id}',
  'key.named': '金鑰 {id}「{name}」',
  'key.client': '金鑰 {id}（用戶端 ID {client}）',
  'key.namedClient': '金鑰 {id}「{name}」（用戶端 ID {client}）',
  'key.quoted': '「{name}」',
  'key.vigils': 'Vigil 使用的 API 金鑰',
  'key.ending': '{key}（API 金鑰末碼 …{ending}）',

  'ks.contain.unreachable':
    'Vigil 無法連線到交易所。請登入交易所，手動取消所有掛單並撤銷 API 金鑰。',
  'ks.cancelledOpen': '{exchange} 已取消 {count} 筆掛單',
  'ks.cancelled': '{exchange} 已取消 {count} 筆訂單',
  'ks.openOrders': '{count} 筆掛單',
  'ks.openLeft': '剩下 {count} 筆掛單',
  'ks.openOnSymbols': '{symbols} 個交易對上共有 {count} 筆掛單',
  'ks.nothingToCancel': '不需要取消：沒有掛單',
  'ks.unknownError': '未知錯誤',
  'ks.deribit.notKeyId': '「{id}」不是 Deribit 的金鑰 ID',
  'ks.deribit.challenge': '{exchange} 要求以安全金鑰或 2FA 確認才能停用金鑰 {id}',
  'ks.keysOnAccount': '帳戶上有 {count} 把 API 金鑰',
  'ks.alreadyDisabled': '已是停用狀態：{keys}',
  'ks.disabledKey': '已停用{key}',
  'ks.stillEnabled': '仍是啟用狀態：{keys}',
  'ks.noOtherKeyEnabled': '沒有其他啟用中的金鑰',
  'ks.ownKeyAlreadyDisabled': 'Vigil 自己的金鑰已是停用狀態',
  'ks.ownKeyNotFound': '金鑰清單中找不到 Vigil 自己的金鑰',
  'ks.ownKeyNotFoundOn': '{exchange} 的金鑰清單中找不到 Vigil 自己的金鑰',
  'ks.disabledOwnKey': '已停用 Vigil 自己的金鑰 {id}；Vigil 無法再監控這個帳戶',
  'ks.noPositions': '沒有持倉',
  'ks.noUsdmPositions': '沒有 U 本位合約持倉',
  'ks.closedReduceOnly': '已用只減倉市價單平掉 {symbol}',
  'ks.closedAtMarket': '已以市價平掉 {symbol}',
  'ks.err.confirmOpenOrders': '無法確認掛單狀況：{error}',
  'ks.err.listOpenOrders': '無法列出掛單：{error}',
  'ks.err.readOpenOrders': '無法讀取掛單：{error}',
  'ks.err.readTriggerOrders': '無法讀取條件單：{error}',
  'ks.err.listKeys': '無法列出 API 金鑰：{error}',
  'ks.err.confirmKeyList': '無法確認金鑰清單：{error}',
  'ks.err.readPositions': '無法讀取持倉，因此無法平倉：{error}',
  'ks.err.close': '無法平掉 {symbol}：{error}',
  'ks.err.cancelSymbol': '無法取消 {symbol}（{kind}）的訂單：{error}',
  'ks.err.readOwnKey': '無法讀取 Vigil 的金鑰：{error}',
  'ks.err.ownKeyStillWorks': '送出刪除請求後，Vigil 的金鑰 {id} 仍然有效',
  'ks.err.listAlgo': '無法列出觸發委託與策略委託：{error}',
  'ks.err.confirmAlgo': '無法確認策略委託狀況：{error}',
  'ks.err.cancelPerMarket': '無法逐一交易對取消：掛單狀況不明',
  'ks.err.openUnread': '無法取消掛單：讀取掛單失敗',
  'ks.err.triggerUnread': '無法取消條件單：讀取條件單失敗',
  'ks.err.closeByHand': '{exchange} 上的持倉需要手動平倉',

  'ks.binance.cancelledSpot': 'Binance 已取消 {symbol}（現貨）上的 {count} 筆訂單',
  'ks.binance.cancelledUsdm': 'Binance 已取消 {symbol}（U 本位合約）上的 {count} 筆訂單',
  'ks.binance.cancelledAlgo': 'Binance 已取消 {symbol}（U 本位合約）上的 {count} 筆條件單',
  'ks.binance.noRevoke':
    'Binance 沒有可在一般帳戶上刪除或停用{key} 的 API，必須到 binance.com 網站上刪除',
  'ks.binance.untrusted':
    'Vigil 現在將{key}視為已外洩：在你刪除它並新增新金鑰之前，它的所有操作都會被回報為惡意行為',
  'manual.binance.unconfirmed':
    'Vigil 無法確認所有訂單都已取消。請在 Binance 開啟「訂單 → 現貨訂單 → 目前委託」，按下「全部取消」，再到「合約 → U 本位合約 → 目前委託」做同樣的操作（「條件單」分頁也要處理）。',
  'manual.binance.left':
    '仍有 {count} 筆掛單有效。請在 Binance 開啟「訂單 → 現貨訂單 → 目前委託」，按下「全部取消」，再處理「合約 → U 本位合約 → 目前委託」（包括「條件單」分頁）。',
  'manual.binance.deleteKey':
    '刪除 Vigil 使用的 API 金鑰（{key}）：登入 {url}，找到末碼為 {ending} 的金鑰並按下「刪除」。一般帳戶無法透過 Binance 的 API 完成這一步。',
  'manual.binance.otherKeys':
    '在同一頁面刪除所有你不認得的其他 API 金鑰：Binance 的 API 只讓 Vigil 看到它自己的金鑰，所以別人建立的金鑰 Vigil 看不到。',
  'manual.binance.checkWithdrawals':
    '檢查「錢包 → 提領紀錄」與「安全 → 提領地址管理」（開啟白名單），看看有沒有不是你本人的操作；如果金鑰可能是從你的帳戶而不是交易機器人外洩的，也請變更密碼和 2FA。',
  'manual.binance.newKey':
    '為 Vigil 建立一把新金鑰（依需要選擇唯讀或交易權限，絕不開啟提領，並限制為你的 IP），然後在 Vigil 中更新。',

  'ks.bybit.alreadyDeleted':
    'Vigil 已於 {at} 刪除了自己的金鑰 {id}；Bybit 會拒絕使用這把金鑰的所有請求，Vigil 無法再對這個帳戶做任何操作',
  'ks.bybit.keyReadOnly': 'Vigil 的金鑰 {id} 為唯讀權限',
  'ks.bybit.keyPermissions': 'Vigil 的金鑰 {id} 擁有權限：{permissions}',
  'ks.bybit.mayNotTradeSpot': 'Vigil 的金鑰沒有現貨交易權限，因此無法取消這些訂單',
  'ks.bybit.mayNotTradeContracts': 'Vigil 的金鑰沒有合約交易權限，因此無法取消這些訂單',
  'ks.bybit.readOnlyNoRevoke':
    'Vigil 的金鑰是唯讀的：這些訂單或提領來自其他金鑰或網頁，而 Bybit 的 API 無法撤銷其他金鑰',
  'ks.bybit.subAccount': 'Vigil 的金鑰屬於子帳戶；Bybit 只允許主帳戶的金鑰刪除自己',
  'ks.bybit.noTransferPermission':
    'Vigil 的金鑰沒有劃轉或提領權限，而 Bybit 要求金鑰具備這類權限才能刪除自己或降級',
  'ks.bybit.finalRead': '刪除金鑰前再讀取一次帳戶：{count} 筆新事件',
  'ks.bybit.deleted':
    '已刪除 Vigil 自己的金鑰 {id}，回讀確認：Bybit 現在會拒絕這把金鑰。在你新增唯讀金鑰之前，Vigil 無法再監控這個帳戶',
  'ks.bybit.deletedHint':
    '已刪除 Vigil 自己的金鑰 {id}（{hint}），回讀確認：Bybit 現在會拒絕這把金鑰。在你新增唯讀金鑰之前，Vigil 無法再監控這個帳戶',
  'ks.bybit.deleteUnconfirmed': 'Bybit 接受了刪除請求，但{reason}',
  'ks.bybit.queryStillAnswers': '查詢金鑰的介面仍有回應',
  'ks.bybit.notReadBack': '無法回讀這把金鑰',
  'ks.bybit.downgraded': 'Vigil 的金鑰 {id} 已改為唯讀（已回讀確認）；它不能再交易或轉移資金',
  'ks.bybit.downgradeUnconfirmed': 'Bybit 接受了變更，但回讀時這把金鑰仍不是唯讀',
  'manual.bybit.unconfirmedEvery':
    'Vigil 無法確認每一筆訂單都已取消。請在 Bybit 開啟「訂單」，在現貨、USDT 與 USDC 合約及反向合約分頁中使用「全部取消」（包括條件單與止盈止損委託）。',
  'manual.bybit.unconfirmed':
    'Vigil 無法確認所有訂單都已取消。請在 Bybit 開啟「訂單」，在現貨、USDT 與 USDC 合約及反向合約分頁中使用「全部取消」（包括條件單與止盈止損委託）。',
  'manual.bybit.left':
    '仍有 {count} 筆掛單有效。請在 Bybit 開啟「訂單」，在現貨、USDT 與 USDC 合約及反向合約分頁中使用「全部取消」（包括條件單與止盈止損委託）。',
  'manual.bybit.otherKeys':
    'Bybit 的 API 只讓 Vigil 看到它自己的金鑰。請登入 bybit.com，開啟 {url}，刪除所有你不認得的其他 API 金鑰（或全部刪除）；如果希望 Vigil 繼續監控，再新增一把唯讀金鑰。',
  'manual.bybit.readOnlyStillExists':
    'Vigil 的金鑰現在是唯讀的，但仍然存在。請登入 bybit.com，開啟 {url}（帳戶 → API → API 管理），刪除它以及所有你不認得的金鑰，然後為 Vigil 新增一把唯讀金鑰。',
  'manual.bybit.revokeByHand':
    '請手動撤銷已外洩的金鑰：登入 bybit.com，開啟 {url}（帳戶 → API → API 管理），刪除交給 Vigil 的金鑰以及所有你不認得的金鑰（Bybit 會要求 2FA 驗證），然後為 Vigil 建立一把新的唯讀金鑰。',

  'manual.deribit.unconfirmed':
    'Vigil 無法確認所有訂單都已取消。請在 Deribit 開啟「訂單 → 目前掛單」，在每個幣別下使用「全部取消」。',
  'manual.deribit.left':
    '仍有 {count} 筆掛單有效。請在 Deribit 開啟「訂單 → 目前掛單」，在每個幣別下使用「全部取消」。',
  'manual.deribit.disableKey': '停用{key}：在 {url} 的 API 金鑰清單中找到它並關閉（或刪除）。',
  'manual.deribit.disableKeyWhy':
    '停用{key}：在 {url} 的 API 金鑰清單中找到它並關閉（或刪除）。Vigil 沒能完成這項操作：{error}。',
  'manual.deribit.checkKeys':
    '檢查 {url} 上的每一把 API 金鑰，停用任何你不認得的金鑰；Vigil 無法讀取金鑰清單。',
  'manual.deribit.ownKey': '在 {url} 停用 Vigil 自己的金鑰（Vigil 沒能停用它）。',
  'manual.deribit.scope': '為 Vigil 的金鑰授予 account:read_write 權限範圍，下次它才能停用金鑰。',

  'ks.okx.cancelled': '已分批取消 {count} 筆訂單（每批 {batch} 筆）',
  'ks.okx.cancelledFailed': '已分批取消 {count} 筆訂單（每批 {batch} 筆）；{failed} 筆失敗',
  'ks.okx.cancelledAlgo': '已分批取消 {count} 筆策略委託（每批 {batch} 筆）',
  'ks.okx.cancelledAlgoFailed': '已分批取消 {count} 筆策略委託（每批 {batch} 筆）；{failed} 筆失敗',
  'ks.okx.pendingAlgo': '{count} 筆待觸發的策略委託',
  'ks.okx.algoLeft': '剩下 {count} 筆策略委託',
  'ks.okx.noAlgoPending': '剛才沒有待觸發的策略委託，未再次讀取',
  'ks.okx.noRevoke': 'OKX 無法透過 API 撤銷或停用自己的 API 金鑰：請到 {url} 刪除{key}',
  'manual.okx.unconfirmed':
    'Vigil 無法確認所有訂單都已取消。請在 okx.com 開啟「交易 → 目前委託」，取消每一筆訂單，包括「計劃委託」與「策略委託」分頁。',
  'manual.okx.left':
    '仍有 {count} 筆掛單有效。請在 okx.com 開啟「交易 → 目前委託」取消它們，包括「計劃委託」與「策略委託」分頁。',
  'manual.okx.noTradePermission':
    'Vigil 的金鑰沒有 OKX 的「交易」權限，因此無法取消訂單：如果希望下次緊急熔斷能取消訂單，請為新金鑰開啟「交易」權限。',
  'manual.okx.deleteKey':
    '刪除{key}：登入 {url}（個人中心 → API），找到這把金鑰，選擇「刪除」並以 2FA 驗證碼確認。刪除後，任何持有它的人（包括 Vigil）都無法再使用。',
  'manual.okx.otherKeys':
    '同時刪除所有你不認得的其他 API 金鑰：OKX 只讓 Vigil 看到它自己的金鑰，別人建立的金鑰 Vigil 看不到。',
  'manual.okx.newKey':
    '接著為 Vigil 建立一把新金鑰（監控只需「唯讀」；只有希望緊急熔斷能取消訂單時才加上「交易」），綁定你的 IP 位址，再重新新增到 Vigil。',

  'ks.generic.openOrdersOpen': '有 {count} 筆掛單',
  'ks.generic.triggerOrdersOpen': '有 {count} 筆條件單',
  'ks.generic.cancelledEvery': '{exchange} 已取消所有掛單（一次呼叫；它會忽略交易對參數）',
  'ks.generic.acceptedCancelAll': '{exchange} 已接受全部取消的請求',
  'ks.generic.marketsUnknown': '無法讀取掛單，因此不知道要在哪些交易對取消',
  'ks.generic.cancelledSymbol': '{exchange} 已取消 {symbol} 上的所有訂單',
  'ks.generic.noMarketOpen': '沒有任何交易對有掛單',
  'ks.generic.openUnread': '無法讀取掛單，因此沒有可依 ID 取消的訂單',
  'ks.generic.triggerUnread': '無法讀取條件單，因此沒有可依 ID 取消的訂單',
  'ks.generic.noOpenToCancel': '沒有需要取消的掛單',
  'ks.generic.noTriggerToCancel': '沒有需要取消的條件單',
  'ks.generic.askedOpen': '已請 {exchange} 取消 {symbol} 上的 {count} 筆掛單',
  'ks.generic.askedTrigger': '已請 {exchange} 取消 {symbol} 上的 {count} 筆條件單',
  'ks.generic.cancelledId': '已取消 {symbol} 上的訂單 {id}',
  'ks.generic.noRevoke': '{exchange} 沒有撤銷金鑰的 API；已列出手動步驟',
  'ks.generic.noPositions': 'ccxt 無法讀取或平掉 {exchange} 上的持倉',
  'manual.generic.unconfirmed':
    'Vigil 無法確認 {exchange} 上的所有訂單都已取消：請開啟 {exchange} 的目前委託頁面，取消全部訂單。',
  'manual.generic.left': '{exchange} 上仍有 {count} 筆訂單未取消：請到網站上取消。',
  'manual.generic.revoke':
    '{exchange} 無法透過 API 撤銷金鑰：請在瀏覽器中登入 {exchange}，{where}，刪除{which}以及任何你不認得的金鑰。',
  'manual.generic.where.url': '開啟 {url}',
  'manual.generic.where.urlHint': '開啟 {url}（{hint}）',
  'manual.generic.where.unknown':
    '開啟 {exchange} 的 API 管理頁面（通常在「帳戶」或「安全 → API」底下）',
  'manual.generic.which.ending': '末碼為 {ending} 的 API 金鑰',
  'manual.generic.which.unknown': 'Vigil 帳戶所用的 API 金鑰',
  'manual.generic.deleteOwn': '把 Vigil 自己的金鑰也刪除；刪除後 Vigil 會停止監控 {exchange}。',
  'manual.generic.deleteOwnEnding':
    '把 Vigil 自己的金鑰（末碼為 {ending}）也刪除；刪除後 Vigil 會停止監控 {exchange}。',
  'manual.generic.keepOwn':
    '只有在確定 Vigil 的金鑰沒有外洩時才保留它；否則也把它刪除，並為 Vigil 新增一把唯讀金鑰。',
  'manual.generic.keepOwnEnding':
    '只有在確定 Vigil 的金鑰（末碼為 {ending}）沒有外洩時才保留它；否則也把它刪除，並為 Vigil 新增一把唯讀金鑰。',
  'manual.generic.checkWithdrawals':
    '檢查 {exchange} 的提領紀錄與提領地址白名單：Vigil 無法讀取那裡的白名單。',

  'account.startFailed': '無法開始監控：{error}',
  'account.noCredentials': '系統鑰匙圈中沒有帳戶 {account} 的憑證',
  'fault.ccxt.noMethod': '目前的 ccxt 版本沒有 {name}',
  'fault.ccxt.noClass': 'ccxt 中沒有 {id} 的類別',
  'fault.ccxt.noDefaultClass': 'ccxt 模組 {id} 沒有預設類別',
  'fault.invalidEndpoint': '{id} 的端點無效：應為 http(s) 網址',
  'fault.keysNotRead': 'Vigil 不在這個交易所讀取金鑰',
  'fault.skipped': '有 {count} 筆{what}無法讀取（缺少 ID、交易對、方向或時間），已略過',
  'fault.pageLimit': '新增的{what}超過一次輪詢能讀取的數量；其中最早的部分可能遺漏',
  'fault.pageStalled':
    '只能讀取最新的 {limit} 筆{what}（交易所不支援依時間分頁）；更早的紀錄可能遺漏',
  'fault.accessLogSkipped':
    '新增的存取紀錄項目（{count} 筆）超過一次輪詢能讀取的數量；中間較早的項目已略過',
  'fault.notJson': '交易所傳回了 Vigil 無法解析的回應（不是有效的 JSON）',
  'fault.refused': '交易所拒絕了這次呼叫（{reason}）',
  'fault.codeReason': '錯誤碼 {code}：{reason}',
  'fault.orderNotReturned': '交易所沒有傳回訂單 {id}',
  'fault.okx.deadManRange': '倒數計時全部撤單（cancel-all-after）的逾時時間必須為 0 或 10–120 秒',
  'fault.malformed.notJson': '{what}：回應不是有效的 JSON',
  'fault.malformed.shapeAt': '{what}：回應格式不符合預期，位置 {where}',
  'fault.malformed.shape': '{what}：回應格式不符合預期',
  'fault.malformed.empty': '{what}：回應為空',
  'fault.malformed.notList': '{what}：應為清單，實際為 {got}',
  'fault.malformed.notObject': '{what}：應為物件',
  'fault.malformed.noTotals': '{what}：缺少總額',
  'fault.malformed.noEntry': '{what}：沒有項目',
  'fault.malformed.code': '{what}：錯誤碼 {code}',
  'records.balanceLines': '餘額項目',
  'records.positions': '持倉',
  'records.openOrders': '掛單',
  'records.closedOrders': '已結束訂單',
  'records.trades': '成交紀錄',
  'records.withdrawals': '提領紀錄',
  'records.deposits': '入金紀錄',
  'records.transactions': '出入金紀錄',
  'records.orders': '訂單',
  'records.fills': '成交紀錄',
  'records.transfers': '劃轉紀錄',
  'records.subAccountTransfers': '子帳戶劃轉紀錄',
  'records.internalTransfers': '內部轉帳紀錄',
  'records.ordersOf': '{of} 訂單',
  'records.tradesOf': '{of} 成交紀錄',
  'records.withdrawalsOf': '{of} 提領紀錄',
  'records.orderHistoryOf': '{of} 歷史訂單',
  'deadMan.none': 'ccxt 的統一 API 中沒有 {exchange} 的斷線自動撤單計時器',
  'deadMan.armed': '如果 {seconds} 秒內沒有收到心跳，{exchange} 會取消所有訂單',
  'deadMan.off': '{exchange} 的斷線自動撤單計時器已關閉',
  'keys.okx.cannotDisable': 'OKX 無法透過 API 停用 API 金鑰。請到 {url} 手動刪除這把金鑰',
  'keys.binance.cannotDisable':
    'Binance 沒有可在一般帳戶上停用或刪除金鑰的 API。請到 {url} 手動刪除',
  'keys.bybit.ownKey':
    '這是 Vigil 自己使用的金鑰；刪除它會停止所有監控。如需刪除，請使用緊急熔斷。',
  'keys.bybit.cannotDisable':
    'Bybit 的 API 只能管理發出呼叫的金鑰，因此 Vigil 無法停用金鑰 {id}。請到 {url} 手動刪除',
  'keys.deribit.ownKey':
    '這是 Vigil 自己使用的金鑰；停用它會停止所有監控。如需停用，請在緊急熔斷中選擇包括 Vigil 自己的金鑰。',
  'keys.deribit.byHand': '{error}。請到 {url} 手動停用',
  'manual.generic.hint.settingsApi': '進入「Settings → API」，然後刪除這把金鑰',
  'audit.actor.user': '你',
  'audit.actor.containment': '持續圍堵',
  'audit.actor.atOnce': '策略（立即行動）',
  'audit.actor.countdownZero': '策略（倒數計時歸零）',
  'audit.actor.countdownExpired': '策略（倒數計時到期）',
  'audit.actor.notificationButton': '你（通知按鈕）',
  'audit.actor.button': '你（緊急熔斷按鈕）',
  'audit.actor.userReason': '你（{reason}）',
  'audit.ks.fire': '已對 {count} 個帳戶啟動緊急熔斷 {run}',
  'audit.ks.fireIncident': '已因事件 {incident} 對 {count} 個帳戶啟動緊急熔斷 {run}',
  'audit.ks.account': '緊急熔斷 {run} 在此帳戶上的結果：{result}',
  'audit.ks.contained': '已圍堵',
  'audit.ks.notContained': '未圍堵',
  'audit.ks.result':
    '{state}；已取消 {cancelled} 筆訂單，剩餘 {remaining} 筆（回讀確認）；金鑰 {key}',
  'audit.ks.key.revoked': '已撤銷',
  'audit.ks.key.disabled': '已停用',
  'audit.ks.key.manual-revoke-required': '需手動撤銷',
  'audit.ks.key.unchanged': '未變更',
  'audit.key.disabled': '已停用新金鑰：{keys}',
  'audit.key.notDisabled': '無法停用 {key}：{error}',
  'audit.account.add': '已新增帳戶 {label}（{exchange}）',
  'audit.account.rearm': '已用末碼為 {ending} 的新金鑰重新啟用帳戶',
  'audit.account.update': '已變更帳戶設定',
  'audit.account.updateWith': '已變更帳戶設定：{changes}',
  'audit.account.poll': '每 {seconds} 秒輪詢一次',
  'audit.account.deadMan': '斷線自動撤單心跳 {seconds} 秒',
  'audit.account.deadManOff': '關閉斷線自動撤單心跳',
  'audit.account.remove': '已刪除帳戶',
  'audit.incident.acknowledge': '已確認事件 {id}',
  'audit.incident.export': '已匯出事件 {id}（{format}）',
  'audit.settings.update': '已變更設定：{keys}',
  'audit.channel.add': '已新增通知管道 {name}（{kind}）',
  'audit.channel.remove': '已移除通知管道 {id}',
  'audit.rule.update': '已變更規則 {rule}',
  'audit.rule.updateWith': '已變更規則 {rule}：{changes}',
  'audit.rule.enabled': '已啟用',
  'audit.rule.disabled': '已停用',
  'audit.rule.level': '等級 {level}',
  'audit.rule.params': '參數 {names}',
  'audit.exception.add': '已新增例外（「這是我」）：{field} = {value}',
  'audit.exception.addRule': '已為規則 {rule} 新增例外（「這是我」）：{field} = {value}',
  'audit.exception.remove': '已刪除例外 {id}',
  'audit.silence.add': '已將警示靜音至 {until}',
  'audit.silence.addRule': '已將規則 {rule} 的警示靜音至 {until}',
  'audit.demo.attack': '已啟動示範攻擊 {attack}',
  'audit.monitoring.pause': '已暫停監控 {minutes} 分鐘',
  'audit.monitoring.resume': '已恢復監控',

  'api.simulatedDemoOnly': '模擬帳戶僅在示範模式下可用',
  'api.apiKeyRequired': 'apiKey：必須填寫 API 金鑰',
  'api.secretRequired': 'secret：必須填寫 API 金鑰的 Secret',
  'api.keyRefused': '交易所拒絕了這把 API 金鑰：{error}',
  'api.unknownExchange': '未知的交易所：{exchange}',
  'api.notSupported': '尚不支援 {exchange}',
  'api.noDeadMan': '{exchange} 沒有 Vigil 可用的斷線自動撤單計時器',
  'api.deadManTooShort':
    '逾時時間必須至少為三個輪詢間隔（{seconds} 秒），否則一次較慢的輪詢就會取消所有訂單',
  'api.deadManRefused': '{exchange} 拒絕了斷線自動撤單計時器：{error}',
  'api.webhookUrl': 'Webhook 需要填寫網址',
  'api.telegramChat': 'Telegram 管道需要填寫聊天 ID',
  'api.ntfyTopic': 'ntfy 管道需要填寫主題',
  'api.telegramToken': 'Telegram 管道需要填寫機器人權杖',
  'api.exceptionNoField': '這則警示的證據中沒有可標記為「這是我」的 {field}',
  'api.exceptionValue': 'value：請填寫一個值，或指定從哪則警示取值',
  'rules.invalid': '{rule}：{reason}',
  'rules.param.type': '參數 {name} 必須是{expected}',
  'rules.param.finite': '參數 {name} 必須是有限數值',
  'rules.param.min': '參數 {name} 不能小於 {min}',
  'rules.param.max': '參數 {name} 不能大於 {max}',
  'rules.param.unknown': '{rule} 沒有參數 {name}',
  'rules.type.number': '數字',
  'rules.type.boolean': '布林值（是/否）',
  'rules.type.string': '文字',

  'why.sizeBaseline':
    '達到這個帳戶過去 {days} 天第 {percentile} 百分位（{value}）的 {ratio} 倍（上限 {factor} 倍）',
  'why.sizeEquity': '佔帳戶權益 {equity} 的 {share}%（上限 {limit}%）'
}

/** The catalogs, exported for the completeness test. English has `.one` / `.other` forms. */
export const MESSAGE_CATALOGS: Record<MessageLanguage, Catalog> = {
  en,
  'zh-CN': zhCN,
  'zh-TW': zhTW
}

const isMessage = (v: unknown): v is Message =>
  !!v && typeof v === 'object' && !Array.isArray(v) && typeof (v as Message).code === 'string'

const template = (language: MessageLanguage, message: Message): string | undefined => {
  const count = message.vars?.count
  const form = typeof count === 'number' ? (count === 1 ? 'one' : 'other') : null
  for (const catalog of [MESSAGE_CATALOGS[language], en as Catalog]) {
    const found = (form && catalog[`${message.code}.${form}`]) || catalog[message.code]
    if (found !== undefined) return found
  }
  return undefined
}

/**
 * Renders a descriptor in a language: `{name}` takes the variable (a nested descriptor is rendered
 * in the same language, a list is joined with the language's separator). An unknown code falls
 * back to `fallback` (the English text shipped next to the descriptor), then to the code itself.
 */
export function formatMessage(
  language: MessageLanguage,
  message: Message,
  fallback?: string
): string {
  const t = template(language, message)
  if (t === undefined) return fallback ?? message.code
  const vars = message.vars ?? {}
  const render = (v: MessageVar): string =>
    isMessage(v)
      ? formatMessage(language, v)
      : Array.isArray(v)
        ? v.map((x) => render(x as MessageVar)).join(language === 'en' ? ', ' : '、')
        : String(v)
  return t.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? render(vars[name]!) : m))
}

/** English text of a descriptor (what the old string fields carry). */
export const englishText = (message: Message): string => formatMessage('en', message)

/** `first; second; …` as one descriptor (each part rendered in the reader's language). */
export const joinMessages = (parts: readonly Message[]): Message | null =>
  parts.length === 0
    ? null
    : parts.reduceRight((rest, first) => msg('join.semicolon', { first, rest }))
