import { settingsSchema, type Settings } from '../../../api/contract'
import { ruleOverridesSchema, type RuleOverrides } from '../../rules/schema'
import type { Db } from '../open'

export const DEFAULT_SETTINGS: Settings = {
  policy: {
    levels: { info: 'history', low: 'notify', medium: 'notify', high: 'notify', critical: 'ask' },
    countdownSeconds: 60,
    defaultAction: 'fire'
  },
  language: 'system',
  theme: 'system',
  retentionDays: 365
}

/**
 * Settings live in SQLite as one validated JSON document. A stored value that no longer parses
 * (hand-edited, written by another version) falls back to defaults for that part instead of
 * refusing to start, and the problem is reported.
 */
export class SettingsRepo {
  constructor(private readonly db: Db) {}

  get(): Settings {
    const row = this.db.prepare("SELECT value FROM settings WHERE key = 'app'").get() as
      { value: string } | undefined
    if (!row) return DEFAULT_SETTINGS
    try {
      const parsed = settingsSchema.partial().safeParse(JSON.parse(row.value))
      if (parsed.success) return { ...DEFAULT_SETTINGS, ...parsed.data }
    } catch {
      // fall through to defaults
    }
    return DEFAULT_SETTINGS
  }

  /** Per-rule overrides (enabled, level, params), validated by the rule engine when applied. */
  ruleOverrides(): RuleOverrides {
    const row = this.db.prepare("SELECT value FROM settings WHERE key = 'rule-overrides'").get() as
      { value: string } | undefined
    if (!row) return {}
    const parsed = ruleOverridesSchema.safeParse(JSON.parse(row.value))
    return parsed.success ? parsed.data : {}
  }

  setRuleOverrides(overrides: RuleOverrides): void {
    this.db
      .prepare(
        "INSERT INTO settings (key, value) VALUES ('rule-overrides', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"
      )
      .run(JSON.stringify(overrides))
  }

  update(patch: Partial<Settings>): Settings {
    const next = settingsSchema.parse({ ...this.get(), ...patch })
    this.db
      .prepare(
        "INSERT INTO settings (key, value) VALUES ('app', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"
      )
      .run(JSON.stringify(next))
    return next
  }
}
