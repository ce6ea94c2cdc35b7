/** Accounts, the event store, key inventory, balances, cursors, data gaps, settings and the audit log. */
export const sql = `
CREATE TABLE accounts (
  id TEXT PRIMARY KEY,
  exchange TEXT NOT NULL,
  label TEXT NOT NULL,
  endpoint TEXT,
  key_hint TEXT NOT NULL,
  self_key_id TEXT,
  status TEXT NOT NULL DEFAULT 'learning',
  poll_seconds REAL NOT NULL DEFAULT 10,
  cursors TEXT NOT NULL DEFAULT '{}',
  options TEXT NOT NULL DEFAULT '{}',
  last_poll_at INTEGER,
  last_error TEXT,
  contained_at INTEGER,
  created_at INTEGER NOT NULL
);

CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  type TEXT NOT NULL,
  record_id TEXT NOT NULL,
  ts INTEGER NOT NULL,
  observed_at INTEGER NOT NULL,
  origin TEXT NOT NULL CHECK (origin IN ('live', 'backfill')),
  data TEXT NOT NULL,
  UNIQUE (account_id, kind, record_id)
);
CREATE INDEX events_account_ts ON events (account_id, ts);
CREATE INDEX events_account_type_ts ON events (account_id, type, ts);
CREATE INDEX events_kind_ts ON events (kind, ts);
CREATE INDEX events_ts ON events (ts);

CREATE TABLE api_keys (
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  key_id TEXT NOT NULL,
  name TEXT,
  permissions TEXT NOT NULL,
  ip_whitelist TEXT NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 1,
  is_self INTEGER NOT NULL DEFAULT 0,
  third_party INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER,
  expires_at INTEGER,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  removed_at INTEGER,
  PRIMARY KEY (account_id, key_id)
);

CREATE TABLE balances (
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  currency TEXT NOT NULL,
  total REAL NOT NULL,
  usd_value REAL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (account_id, currency)
);

CREATE TABLE data_gaps (
  id INTEGER PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  stream TEXT NOT NULL,
  from_ts INTEGER NOT NULL,
  to_ts INTEGER,
  reason TEXT NOT NULL
);
CREATE INDEX data_gaps_account ON data_gaps (account_id, from_ts);

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  account_id TEXT,
  detail TEXT NOT NULL DEFAULT '{}'
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
`
