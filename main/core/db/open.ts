import Database from 'better-sqlite3'

import { migrate } from './migrate'
import { migrations } from './migrations'

export type Db = Database.Database

/**
 * Opens (or creates) the Vigil database and brings it to the current schema.
 * WAL lets the UI read history while the poller writes; `synchronous = NORMAL` is safe with WAL
 * and keeps ingest fast.
 */
export function openDatabase(file: string): Db {
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.pragma('foreign_keys = ON')
  db.pragma('busy_timeout = 5000')
  migrate(db, migrations)
  return db
}
