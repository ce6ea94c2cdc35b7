import type Database from 'better-sqlite3'

export interface Migration {
  /** `<epoch-ms>_<snake_name>`, the file name without extension. */
  id: string
  sql: string
}

export class MigrationError extends Error {
  constructor(
    message: string,
    readonly code: 'out-of-sync-migrations' | 'migration-failed'
  ) {
    super(message)
    this.name = 'MigrationError'
  }
}

/**
 * Applies pending migrations in order, each in its own transaction, recording applied ids.
 * Refuses to start when the database holds a migration this build does not know: that database
 * was written by a newer (or different) Vigil, and guessing would risk the trader's history.
 */
export function migrate(db: Database.Database, available: readonly Migration[]): string[] {
  db.exec(
    'CREATE TABLE IF NOT EXISTS __migrations__ (id TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)'
  )
  const applied = (
    db.prepare('SELECT id FROM __migrations__ ORDER BY id').all() as { id: string }[]
  ).map((r) => r.id)
  const availableIds = available.map((m) => m.id)
  const sorted = [...availableIds].sort()
  if (sorted.join() !== availableIds.join()) {
    throw new MigrationError('migration registry is not in id order', 'out-of-sync-migrations')
  }
  const unknown = applied.filter((id) => !availableIds.includes(id))
  const gaps = availableIds.slice(0, applied.length).filter((id, i) => applied[i] !== id)
  if (unknown.length > 0 || gaps.length > 0) {
    throw new MigrationError(
      `database is out of sync with migrations: applied [${applied.join(', ')}], available [${availableIds.join(', ')}]`,
      'out-of-sync-migrations'
    )
  }
  const pending = available.slice(applied.length)
  const record = db.prepare('INSERT INTO __migrations__ (id, applied_at) VALUES (?, ?)')
  for (const m of pending) {
    try {
      db.transaction(() => {
        db.exec(m.sql)
        record.run(m.id, Date.now())
      })()
    } catch (error) {
      throw new MigrationError(
        `migration ${m.id} failed: ${(error as Error).message}`,
        'migration-failed'
      )
    }
  }
  return pending.map((m) => m.id)
}
