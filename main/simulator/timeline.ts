/**
 * Plays one timeline event into the world, the way the exchange would record it, and registers
 * every record it creates or touches under the event's index so alert evidence can be mapped back.
 */
import type { TimelineEvent } from '../replay/scenario'
import type { FaultBoard } from './faults'
import type { AccessLogEntry, AccountState, World } from './world'

/** What applying an event did: the ids of the records it created or touched. */
export interface AppliedEvent {
  index: number
  kind: TimelineEvent['kind']
  account: string
  /** Record ids as the exchange reports them (access-log ids, order ids, trade ids, key ids, …). */
  records: string[]
}

export class SimulatorError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SimulatorError'
  }
}

function keyOrThrow(world: World, account: AccountState, ref: string, index: number) {
  const key = world.keyByRef(account, ref)
  if (!key)
    throw new SimulatorError(`timeline[${index}]: account "${account.id}" has no key "${ref}"`)
  return key
}

/** Applies timeline event `index` at clock time `now`. */
export function applyEvent(
  world: World,
  faults: FaultBoard,
  index: number,
  event: TimelineEvent,
  now: number
): AppliedEvent {
  const account = world.account(event.account)
  const records: string[] = []
  const log = (entry: AccessLogEntry): void => {
    records.push(String(entry.id))
  }
  switch (event.kind) {
    case 'login':
      log(
        world.login(
          account,
          {
            ip: event.ip,
            country: event.country,
            userAgent: event.userAgent,
            success: event.success
          },
          now
        )
      )
      break
    case 'twofa_disabled':
      log(world.securityEvent(account, 'disabled_tfa', now))
      break
    case 'password_changed':
      log(world.securityEvent(account, 'changed_password', now))
      break
    case 'email_changed':
      log(world.securityEvent(account, 'changed_email', now))
      break
    case 'api_key_created': {
      const key = world.createKey(account, event.key, {
        ref: event.keyId ?? `k-${index}`,
        createdAt: now
      })
      records.push(...world.keyRecordIds(account, key))
      log(world.securityEvent(account, 'new_api_key', now, key.clientId))
      break
    }
    case 'api_key_changed': {
      const key = keyOrThrow(world, account, event.keyId, index)
      world.changeKey(key, { permissions: event.permissions, ipWhitelist: event.ipWhitelist })
      records.push(...world.keyRecordIds(account, key))
      if (event.permissions) log(world.securityEvent(account, 'changed_scope', now, key.clientId))
      if (event.ipWhitelist)
        log(world.securityEvent(account, 'changed_whitelist', now, key.clientId))
      break
    }
    case 'api_key_removed': {
      const key = keyOrThrow(world, account, event.keyId, index)
      key.removed = true
      key.enabled = false
      records.push(...world.keyRecordIds(account, key))
      log(world.securityEvent(account, 'removed_api_key', now, key.clientId))
      break
    }
    case 'order': {
      // Timeline orders arrive through the API with the key the attacker holds: the guardian's.
      const { order, fills } = world.placeOrder(
        account,
        {
          symbol: event.symbol,
          side: event.side,
          type: event.type,
          amount: event.amount,
          price: event.price,
          reduceOnly: event.reduceOnly,
          origin: 'api',
          keyId: world.selfKey(account).id
        },
        now
      )
      records.push(order.id, ...fills.map((f) => f.id))
      break
    }
    case 'cancel': {
      if (event.orderId === 'all') {
        records.push(...world.cancelOrders(account, now).map((o) => o.id))
      } else {
        const order = account.orders.find((o) => o.id === event.orderId)
        if (!order)
          throw new SimulatorError(
            `timeline[${index}]: account "${account.id}" has no order "${event.orderId}"`
          )
        records.push(...world.cancelOrders(account, now, (o) => o === order).map((o) => o.id))
      }
      break
    }
    case 'withdrawal': {
      const record = world.withdraw(
        account,
        {
          currency: event.currency,
          amount: event.amount,
          address: event.address,
          network: event.network
        },
        now
      )
      records.push(String(record.id))
      break
    }
    case 'address_added': {
      const record = world.addAddress(
        account,
        { currency: event.currency, address: event.address },
        now
      )
      records.push(record.address, `${record.currency}:${record.address}`)
      break
    }
    case 'transfer':
      records.push(
        String(
          world.transfer(
            account,
            { currency: event.currency, amount: event.amount, to: event.to },
            now
          ).id
        )
      )
      break
    case 'leverage':
      records.push(
        ...world.leverageRecordIds(
          account,
          world.setLeverage(account, event.symbol, event.leverage, now)
        )
      )
      break
    case 'price':
      world.setPrice(account, event.symbol, event.last)
      break
    case 'fault':
      faults.set(
        { fault: event.fault, seconds: event.seconds, account: account.id },
        now,
        account.exchange
      )
      break
  }
  for (const id of records) world.registerOrigin(account.id, id, index)
  return { index, kind: event.kind, account: account.id, records }
}
