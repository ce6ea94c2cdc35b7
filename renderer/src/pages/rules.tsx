import { useState } from 'react'
import { useTranslation } from 'react-i18next'

import { LevelBadge } from '../components/badges'
import { ErrorNote } from '../components/error-note'
import { Card, PageHeader } from '../components/page'
import { useQuery } from '../hooks/use-query'

const LEVELS = ['info', 'low', 'medium', 'high', 'critical']

export function RulesPage() {
  const { t } = useTranslation()
  const rules = useQuery((api) => api.call('rules.list', {}), 'rules')
  const [filter, setFilter] = useState('')
  const needle = filter.trim().toLowerCase()
  const shown = [...(rules.data ?? [])]
    // Most severe first: those are the rules a trader wants to check.
    .sort(
      (a, b) => LEVELS.indexOf(b.level) - LEVELS.indexOf(a.level) || a.title.localeCompare(b.title)
    )
    .filter(
      (r) =>
        !needle ||
        r.title.toLowerCase().includes(needle) ||
        r.id.toLowerCase().includes(needle) ||
        r.kind.toLowerCase().includes(needle)
    )
  const enabled = (rules.data ?? []).filter((r) => r.enabled).length

  return (
    <div className="page">
      <PageHeader
        title={t('rules.title')}
        actions={
          <input
            type="search"
            aria-label={t('rules.filter')}
            placeholder={t('rules.filter')}
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
          />
        }
      />
      <p className="muted small">
        {t('rules.summary', { enabled, total: rules.data?.length ?? 0 })} {t('rules.readOnly')}
      </p>
      <ErrorNote error={rules.error} />
      <div className="rule-list">
        {shown.map((r) => (
          <Card key={r.id} className={`rule ${r.enabled ? '' : 'disabled'}`} testId="rule-card">
            <div className="rule-head">
              <span
                className={`badge ${r.enabled ? 'status-watching' : 'subtle'}`}
                data-testid="rule-enabled"
              >
                {r.enabled ? t('rules.enabled') : t('rules.disabled')}
              </span>
              <LevelBadge level={r.level} />
              <strong>{r.title}</strong>
              <span className="muted small">
                {t('rules.kind')}: <code>{r.kind}</code> · {t('rules.status')}: {r.status}
              </span>
            </div>
            <p className="small">{r.description}</p>
            <details>
              <summary>{t('rules.details')}</summary>
              <p className="small muted">
                <code>{r.id}</code>
              </p>
              {Object.keys(r.params).length ? (
                <dl className="facts params">
                  {Object.entries(r.params).map(([k, v]) => (
                    <div key={k}>
                      <dt>{k}</dt>
                      <dd className="mono">{typeof v === 'string' ? v : JSON.stringify(v)}</dd>
                    </div>
                  ))}
                </dl>
              ) : null}
              {r.falsepositives.length ? (
                <>
                  <h4>{t('rules.falsepositives')}</h4>
                  <ul className="small">
                    {r.falsepositives.map((fp, i) => (
                      <li key={i}>{fp}</li>
                    ))}
                  </ul>
                </>
              ) : null}
            </details>
          </Card>
        ))}
      </div>
    </div>
  )
}
