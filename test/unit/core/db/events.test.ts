import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { describe, expect, it } from 'vitest'

import { openDatabase } from '../../../../main/core/db/open'
import { EventStore } from '../../../../main/core/db/repos/events'
import type { NewEvent } from '../../../../main/core/model'

const account = (db: ReturnType<typeof openDatabase>, id = 'acc') =>
  db
    .prepare(
      "INSERT INTO accounts (id, exchange, label, key_hint, created_at) VALUES (?, 'deribit', 'x', 'abcd', 0)"
    )
    .run(id)

const login = (id: string, ts: number, ip = '84.17.32.10'): NewEvent => ({
  accountId: 'acc',
  kind: 'login',
  type: 'login.success',
  exchangeRecordId: id,
  ts,
  data: { ip, success: true }
})

describe('EventStore', () => {
  it('stores the same exchange record once, however often it is ingested', () => {
    const db = openDatabase(':memory:')
    account(db)
    const store = new EventStore(db)
    const first = store.ingest([login('1', 10), login('2', 20)], 100, 'live')
    const again = store.ingest([login('2', 20), login('3', 30), login('3', 30)], 200, 'live')
    expect(first.map((e) => e.exchangeRecordId)).toEqual(['1', '2'])
    expect(again.map((e) => e.exchangeRecordId)).toEqual(['3'])
    expect(store.count('acc')).toBe(3)
  })

  it('keeps kinds apart: an order and a fill may share an exchange id', () => {
    const db = openDatabase(':memory:')
    account(db)
    const store = new EventStore(db)
    const order: NewEvent = {
      accountId: 'acc',
      kind: 'order',
      type: 'order.new',
      exchangeRecordId: '7',
      ts: 1,
      data: {}
    }
    const fill: NewEvent = {
      accountId: 'acc',
      kind: 'fill',
      type: 'fill.new',
      exchangeRecordId: '7',
      ts: 1,
      data: {}
    }
    expect(store.ingest([order, fill], 1, 'live')).toHaveLength(2)
  })

  it('pages newest first with a keyset cursor and filters by text without LIKE injection', () => {
    const db = openDatabase(':memory:')
    account(db)
    const store = new EventStore(db)
    store.ingest(
      Array.from({ length: 25 }, (_, i) =>
        login(String(i), 1000 + i, i === 3 ? '10.0.0.%' : '84.17.32.10')
      ),
      1,
      'backfill'
    )
    const page1 = store.query({ accountId: 'acc', limit: 10 })
    const last = page1[page1.length - 1]!
    const page2 = store.query({ accountId: 'acc', limit: 10, before: { ts: last.ts, id: last.id } })
    expect(page1[0]!.ts).toBe(1024)
    expect(page2[0]!.ts).toBe(1014)
    expect(new Set([...page1, ...page2].map((e) => e.id)).size).toBe(20)
    expect(store.query({ text: '%' }).map((e) => e.exchangeRecordId)).toEqual(['3'])
  })

  it('survives a restart: a WAL file database keeps what was stored', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-events-'))
    const file = join(dir, 'vigil.db')
    const db = openDatabase(file)
    account(db)
    new EventStore(db).ingest([login('1', 10)], 1, 'live')
    db.close()
    const reopened = openDatabase(file)
    expect(new EventStore(reopened).count('acc')).toBe(1)
    expect(reopened.pragma('journal_mode', { simple: true })).toBe('wal')
  })
})
