/** Incidents, alerts with evidence, exceptions, silences, kill-switch runs and first-seen values. */
export const sql = `
CREATE TABLE incidents (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  family TEXT NOT NULL,
  level TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'open',
  scope TEXT NOT NULL DEFAULT 'live' CHECK (scope IN ('live', 'history')),
  title TEXT NOT NULL,
  opened_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  last_notified_at INTEGER,
  kill_switch_run_id TEXT
);
CREATE INDEX incidents_account ON incidents (account_id, family, status);

CREATE TABLE alerts (
  id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL UNIQUE,
  incident_id TEXT NOT NULL REFERENCES incidents(id),
  rule_id TEXT NOT NULL,
  level TEXT NOT NULL,
  account_id TEXT NOT NULL,
  at INTEGER NOT NULL,
  event_ts INTEGER NOT NULL,
  scope TEXT NOT NULL DEFAULT 'live' CHECK (scope IN ('live', 'history')),
  title TEXT NOT NULL,
  explanation TEXT NOT NULL,
  reasoning TEXT NOT NULL DEFAULT '{}',
  dedup_key TEXT NOT NULL UNIQUE
);
CREATE INDEX alerts_account_at ON alerts (account_id, at);
CREATE INDEX alerts_incident ON alerts (incident_id);

CREATE TABLE alert_evidence (
  alert_id TEXT NOT NULL REFERENCES alerts(id),
  event_id INTEGER NOT NULL,
  PRIMARY KEY (alert_id, event_id)
);
CREATE INDEX alert_evidence_event ON alert_evidence (event_id);

CREATE TABLE rule_exceptions (
  id TEXT PRIMARY KEY,
  rule_id TEXT,
  account_id TEXT,
  field TEXT NOT NULL,
  value TEXT NOT NULL,
  note TEXT,
  created_at INTEGER NOT NULL
);

CREATE TABLE silences (
  id TEXT PRIMARY KEY,
  rule_id TEXT,
  account_id TEXT,
  until INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE kill_switch_runs (
  id TEXT PRIMARY KEY,
  started_at INTEGER NOT NULL,
  finished_at INTEGER,
  trigger TEXT NOT NULL,
  incident_id TEXT,
  result TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE seen_values (
  account_id TEXT NOT NULL,
  field TEXT NOT NULL,
  value TEXT NOT NULL,
  first_ts INTEGER NOT NULL,
  last_ts INTEGER NOT NULL,
  count INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (account_id, field, value)
);
`
