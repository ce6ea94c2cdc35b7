import { readdirSync } from 'node:fs'
import { join } from 'node:path'

import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'

import { migrate, MigrationError } from '../../../../main/core/db/migrate'
import { migrations } from '../../../../main/core/db/migrations'
import { openDatabase } from '../../../../main/core/db/open'

const dir = join(__dirname, '../../../../main/core/db/migrations')

describe('migrations', () => {
  it('registry lists exactly the migration files, in id order', () => {
    const files = readdirSync(dir)
      .filter((f) => /^\d{13}_[a-z0-9_]+\.ts$/.test(f))
      .map((f) => f.replace(/\.ts$/, ''))
      .sort()
    expect(migrations.map((m) => m.id)).toEqual(files)
    expect(
      readdirSync(dir).filter((f) => f !== 'index.ts' && !/^\d{13}_[a-z0-9_]+\.ts$/.test(f))
    ).toEqual([])
  })

  it('applies the whole chain to a fresh database and records every id', () => {
    const db = openDatabase(':memory:')
    const applied = (
      db.prepare('SELECT id FROM __migrations__ ORDER BY id').all() as { id: string }[]
    ).map((r) => r.id)
    expect(applied).toEqual(migrations.map((m) => m.id))
  })

  it('is idempotent: a second run applies nothing', () => {
    const db = new Database(':memory:')
    expect(migrate(db, migrations)).toHaveLength(migrations.length)
    expect(migrate(db, migrations)).toEqual([])
  })

  it('refuses a database that holds a migration this build does not know', () => {
    const db = new Database(':memory:')
    migrate(db, migrations)
    db.prepare('INSERT INTO __migrations__ (id, applied_at) VALUES (?, ?)').run(
      '9999999999999_from_the_future',
      0
    )
    expect(() => migrate(db, migrations)).toThrow(MigrationError)
    expect(() => migrate(db, migrations)).toThrow(/out of sync/)
  })

  it('rolls back a failing migration and keeps earlier data', () => {
    const db = new Database(':memory:')
    migrate(db, migrations)
    db.prepare("INSERT INTO settings (key, value) VALUES ('keep', '1')").run()
    const broken = [
      ...migrations,
      { id: '9999999999999_broken', sql: 'CREATE TABLE x (a); CREATE TABLE x (a);' }
    ]
    expect(() => migrate(db, broken)).toThrow(/9999999999999_broken failed/)
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'x'").get()).toBeUndefined()
    expect(db.prepare("SELECT value FROM settings WHERE key = 'keep'").get()).toEqual({
      value: '1'
    })
  })

  it('keeps the audit log append-only', () => {
    const db = openDatabase(':memory:')
    db.prepare("INSERT INTO audit_log (at, actor, action) VALUES (1, 'test', 'x')").run()
    expect(() => db.prepare("UPDATE audit_log SET action = 'y'").run()).toThrow(/append-only/)
    expect(() => db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/)
  })
})
