import { useState, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'

import type { Policy, Settings } from '../../../main/api/types'
import type { ApiCallError } from '../api/client'
import { toApiCallError } from '../api/errors'
import { LevelBadge } from '../components/badges'
import { Channels } from '../components/channels'
import { ErrorNote } from '../components/error-note'
import { Card, PageHeader } from '../components/page'
import { usePreferences } from '../hooks/preferences'
import { useApi } from '../hooks/use-api'
import { useQuery } from '../hooks/use-query'

const LEVELS = ['info', 'low', 'medium', 'high', 'critical'] as const
const RESPONSES = ['history', 'notify', 'ask', 'act'] as const
const LANGUAGE_OPTIONS: Array<{ value: Settings['language']; label: string }> = [
  { value: 'system', label: '' },
  // Each language names itself, so anyone can find theirs whatever is showing now.
  { value: 'en', label: 'English' },
  { value: 'zh-CN', label: '简体中文' },
  { value: 'zh-TW', label: '繁體中文' }
]

export function SettingsPage() {
  const { t } = useTranslation()
  const settings = useQuery((api) => api.call('settings.get', {}), 'settings')
  return (
    <div className="page">
      <PageHeader title={t('settings.title')} />
      <ErrorNote error={settings.error} />
      {settings.data ? <SettingsForm initial={settings.data} /> : null}
      <div className="settings-layout channels-block">
        <Channels />
      </div>
    </div>
  )
}

function SettingsForm({ initial }: { initial: Settings }) {
  const { t } = useTranslation()
  const api = useApi()
  const { apply } = usePreferences()
  const [saved, setSaved] = useState<Settings>(initial)
  const [policy, setPolicy] = useState<Policy>(initial.policy)
  const [retention, setRetention] = useState(String(initial.retentionDays))
  const [error, setError] = useState<ApiCallError | null>(null)
  const [notice, setNotice] = useState(false)

  async function update(patch: Partial<Settings>): Promise<boolean> {
    setError(null)
    setNotice(false)
    try {
      const next = await api.call('settings.update', patch)
      setSaved(next)
      apply(next)
      return true
    } catch (err) {
      setError(toApiCallError(err))
      return false
    }
  }

  async function submit(event: FormEvent) {
    event.preventDefault()
    if (await update({ policy, retentionDays: Number(retention) })) setNotice(true)
  }

  const dirty =
    JSON.stringify(policy) !== JSON.stringify(saved.policy) ||
    Number(retention) !== saved.retentionDays

  return (
    <div className="settings-layout">
      <Card title={t('settings.appearance')}>
        <div className="form-grid">
          <label htmlFor="language-select">{t('settings.language')}</label>
          <select
            id="language-select"
            data-testid="language-select"
            value={saved.language}
            onChange={(e) => void update({ language: e.target.value as Settings['language'] })}
          >
            {LANGUAGE_OPTIONS.map((o) => (
              <option key={o.value} value={o.value}>
                {o.value === 'system' ? t('settings.followSystem') : o.label}
              </option>
            ))}
          </select>
          <label htmlFor="theme-select">{t('settings.theme')}</label>
          <select
            id="theme-select"
            data-testid="theme-select"
            value={saved.theme}
            onChange={(e) => void update({ theme: e.target.value as Settings['theme'] })}
          >
            <option value="system">{t('settings.followSystem')}</option>
            <option value="light">{t('settings.light')}</option>
            <option value="dark">{t('settings.dark')}</option>
          </select>
        </div>
      </Card>

      <form className="card" onSubmit={(e) => void submit(e)} data-testid="policy-form">
        <h2>{t('settings.policy')}</h2>
        <p className="small muted">{t('settings.policyExplain')}</p>
        <table className="table policy">
          <thead>
            <tr>
              <th>{t('settings.level')}</th>
              {RESPONSES.map((r) => (
                <th key={r}>{t(`response.${r}`)}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {LEVELS.map((level) => (
              <tr key={level}>
                <td>
                  <LevelBadge level={level} />
                </td>
                {RESPONSES.map((r) => (
                  <td key={r}>
                    <input
                      type="radio"
                      name={`policy-${level}`}
                      aria-label={`${t(`level.${level}`)}: ${t(`response.${r}`)}`}
                      checked={policy.levels[level] === r}
                      onChange={() =>
                        setPolicy((p) => ({ ...p, levels: { ...p.levels, [level]: r } }))
                      }
                    />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        <ul className="small muted legend">
          {RESPONSES.map((r) => (
            <li key={r}>
              <strong>{t(`response.${r}`)}</strong>: {t(`response.${r}Explain`)}
            </li>
          ))}
        </ul>
        <div className="form-grid">
          <label htmlFor="countdown-seconds">{t('settings.countdown')}</label>
          <input
            id="countdown-seconds"
            type="number"
            min={0}
            max={3600}
            step={1}
            required
            value={policy.countdownSeconds}
            onChange={(e) => setPolicy((p) => ({ ...p, countdownSeconds: Number(e.target.value) }))}
          />
          <label htmlFor="default-action">{t('settings.defaultAction')}</label>
          <select
            id="default-action"
            value={policy.defaultAction}
            onChange={(e) =>
              setPolicy((p) => ({ ...p, defaultAction: e.target.value as Policy['defaultAction'] }))
            }
          >
            <option value="fire">{t('settings.actionFire')}</option>
            <option value="notify-only">{t('settings.actionNotify')}</option>
          </select>
          <label htmlFor="retention-days">{t('settings.retention')}</label>
          <input
            id="retention-days"
            type="number"
            min={7}
            max={3650}
            step={1}
            required
            value={retention}
            onChange={(e) => setRetention(e.target.value)}
          />
        </div>
        <ErrorNote error={error} />
        {notice ? (
          <p className="success-note" role="status">
            {t('settings.saved')}
          </p>
        ) : null}
        <div className="form-actions">
          <button type="submit" className="button primary" disabled={!dirty}>
            {t('common.save')}
          </button>
          <button
            type="button"
            className="button"
            disabled={!dirty}
            onClick={() => {
              setPolicy(saved.policy)
              setRetention(String(saved.retentionDays))
            }}
          >
            {t('common.reset')}
          </button>
        </div>
      </form>
    </div>
  )
}
