/**
 * Turns complete snapshots (the key inventory, balances) into events by diffing them against what
 * is stored. The first snapshot of an account is the baseline: keys present when the trader added
 * the account are `key.seen`, not `key.created`, so adding an account never raises "new key".
 */
import type { BalanceSnapshot, KeySnapshot } from './exchanges/connector'
import type { Db } from './db/open'
import type { KeyData, NewEvent } from './model'

interface KeyRow {
  key_id: string
  name: string | null
  permissions: string
  ip_whitelist: string
  enabled: number
  is_self: number
  removed_at: number | null
}

const sameSet = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && [...a].sort().join('\u0000') === [...b].sort().join('\u0000')

const keyData = (k: KeySnapshot, before?: KeyData['before']): KeyData => ({
  keyId: k.keyId,
  name: k.name,
  permissions: k.permissions,
  ipWhitelist: k.ipWhitelist,
  enabled: k.enabled,
  createdAt: k.createdAt,
  self: k.self,
  thirdParty: k.thirdParty,
  ...(before ? { before } : {})
})

/** A short stable digest so each distinct change of a key gets its own record id. */
const digest = (k: KeySnapshot): string => {
  const text = JSON.stringify([[...k.permissions].sort(), [...k.ipWhitelist].sort(), k.enabled])
  let h = 2166136261
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619)
  return (h >>> 0).toString(36)
}

export function diffKeys(
  db: Db,
  accountId: string,
  snapshot: readonly KeySnapshot[],
  now: number
): NewEvent[] {
  const rows = db.prepare('SELECT * FROM api_keys WHERE account_id = ?').all(accountId) as KeyRow[]
  const baseline = rows.length === 0
  const known = new Map(rows.map((r) => [r.key_id, r]))
  const events: NewEvent[] = []
  const upsert = db.prepare(
    `INSERT INTO api_keys (account_id, key_id, name, permissions, ip_whitelist, enabled, is_self, third_party, created_at, expires_at, first_seen, last_seen, removed_at)
     VALUES (@accountId, @keyId, @name, @permissions, @ipWhitelist, @enabled, @self, @thirdParty, @createdAt, @expiresAt, @now, @now, NULL)
     ON CONFLICT (account_id, key_id) DO UPDATE SET name = excluded.name, permissions = excluded.permissions,
       ip_whitelist = excluded.ip_whitelist, enabled = excluded.enabled, is_self = excluded.is_self,
       third_party = excluded.third_party, created_at = coalesce(excluded.created_at, api_keys.created_at),
       expires_at = excluded.expires_at, last_seen = excluded.last_seen, removed_at = NULL`
  )
  db.transaction(() => {
    for (const k of snapshot) {
      const row = known.get(k.keyId)
      const base = { accountId, kind: 'key' as const, ts: now }
      if (!row || row.removed_at !== null) {
        events.push({
          ...base,
          type: baseline ? 'key.seen' : 'key.created',
          exchangeRecordId: baseline ? `${k.keyId}#seen` : k.keyId,
          ts: baseline ? (k.createdAt ?? now) : now,
          data: keyData(k)
        })
      } else {
        const before = {
          permissions: JSON.parse(row.permissions) as string[],
          ipWhitelist: JSON.parse(row.ip_whitelist) as string[],
          enabled: row.enabled === 1
        }
        const changed =
          !sameSet(before.permissions, k.permissions) || !sameSet(before.ipWhitelist, k.ipWhitelist)
        if (changed) {
          events.push({
            ...base,
            type: 'key.changed',
            exchangeRecordId: `${k.keyId}#${digest(k)}`,
            data: keyData(k, before)
          })
        } else if (before.enabled !== k.enabled) {
          events.push({
            ...base,
            type: k.enabled ? 'key.enabled' : 'key.disabled',
            exchangeRecordId: `${k.keyId}#${digest(k)}`,
            data: keyData(k, before)
          })
        }
      }
      upsert.run({
        accountId,
        keyId: k.keyId,
        name: k.name,
        permissions: JSON.stringify(k.permissions),
        ipWhitelist: JSON.stringify(k.ipWhitelist),
        enabled: k.enabled ? 1 : 0,
        self: k.self ? 1 : 0,
        thirdParty: k.thirdParty ? 1 : 0,
        createdAt: k.createdAt,
        expiresAt: k.expiresAt,
        now
      })
    }
    const present = new Set(snapshot.map((k) => k.keyId))
    for (const row of rows) {
      if (row.removed_at === null && !present.has(row.key_id)) {
        db.prepare('UPDATE api_keys SET removed_at = ? WHERE account_id = ? AND key_id = ?').run(
          now,
          accountId,
          row.key_id
        )
        events.push({
          accountId,
          kind: 'key',
          type: 'key.removed',
          exchangeRecordId: `${row.key_id}#removed-${now}`,
          ts: now,
          data: {
            keyId: row.key_id,
            name: row.name,
            permissions: JSON.parse(row.permissions),
            ipWhitelist: JSON.parse(row.ip_whitelist),
            self: row.is_self === 1
          }
        })
      }
    }
  })()
  return events
}

/** Daily posture events: one `key.posture` per live key and day, so posture rules re-check it. */
export function postureEvents(db: Db, accountId: string, now: number): NewEvent[] {
  const day = new Date(now).toISOString().slice(0, 10)
  const rows = db
    .prepare('SELECT * FROM api_keys WHERE account_id = ? AND removed_at IS NULL')
    .all(accountId) as (KeyRow & {
    created_at: number | null
    expires_at: number | null
    third_party: number
  })[]
  return rows.map((r) => ({
    accountId,
    kind: 'key',
    type: 'key.posture',
    exchangeRecordId: `${r.key_id}#posture-${day}`,
    ts: now,
    data: {
      keyId: r.key_id,
      name: r.name,
      permissions: JSON.parse(r.permissions),
      ipWhitelist: JSON.parse(r.ip_whitelist),
      enabled: r.enabled === 1,
      self: r.is_self === 1,
      createdAt: r.created_at,
      expiresAt: r.expires_at,
      thirdParty: r.third_party === 1
    }
  }))
}

export function diffBalances(
  db: Db,
  accountId: string,
  snapshot: readonly BalanceSnapshot[],
  now: number
): NewEvent[] {
  const rows = db
    .prepare('SELECT currency, total, usd_value FROM balances WHERE account_id = ?')
    .all(accountId) as {
    currency: string
    total: number
    usd_value: number | null
  }[]
  const known = new Map(rows.map((r) => [r.currency, r]))
  const equityUsd = snapshot.reduce((sum, b) => sum + (b.usdValue ?? 0), 0)
  const events: NewEvent[] = []
  const upsert = db.prepare(
    `INSERT INTO balances (account_id, currency, total, usd_value, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (account_id, currency) DO UPDATE SET total = excluded.total, usd_value = excluded.usd_value, updated_at = excluded.updated_at`
  )
  db.transaction(() => {
    for (const b of snapshot) {
      const prev = known.get(b.currency)
      const changed =
        !prev || Math.abs(prev.total - b.total) > Math.max(1e-12, Math.abs(prev.total) * 1e-9)
      if (changed && rows.length > 0) {
        events.push({
          accountId,
          kind: 'balance',
          type: 'balance.changed',
          exchangeRecordId: `${b.currency}#${now}`,
          ts: now,
          data: {
            currency: b.currency,
            total: b.total,
            previous: prev?.total ?? 0,
            usdValue: b.usdValue,
            equityUsd
          }
        })
      }
      upsert.run(accountId, b.currency, b.total, b.usdValue, now)
    }
  })()
  return events
}

export function accountEquityUsd(db: Db, accountId: string): number {
  const row = db
    .prepare('SELECT sum(coalesce(usd_value, 0)) v FROM balances WHERE account_id = ?')
    .get(accountId) as { v: number | null }
  return row.v ?? 0
}
