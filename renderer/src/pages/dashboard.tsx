import { useState } from 'react'
import { useTranslation } from 'react-i18next'

import type { ApiCallError } from '../api/client'
import { toApiCallError } from '../api/errors'
import { AccountCard } from '../components/account-card'
import { IncidentStatusBadge, LevelBadge } from '../components/badges'
import { Countdowns } from '../components/countdowns'
import { ErrorNote } from '../components/error-note'
import { KillSwitch } from '../components/kill-switch'
import { Card, PageHeader } from '../components/page'
import { formatRelative, formatTime } from '../format'
import { localText } from '../i18n/core-text'
import { useLive } from '../hooks/live'
import { useApi } from '../hooks/use-api'
import { accountName, useAccounts, useDemoInfo, useNow } from '../hooks/use-data'
import { useQuery } from '../hooks/use-query'
import { href } from '../router'

export function DashboardPage() {
  const { t, i18n } = useTranslation()
  const { status, revisions } = useLive()
  const accounts = useAccounts()
  const incidents = useQuery(
    (api) => api.call('incidents.list', { scope: 'live', limit: 50 }),
    `incidents:${revisions.incidents}`,
    'incidents'
  )
  const now = useNow(5000)
  // Contained incidents stay in view: the morning after, they are what the trader reads first.
  const recent = (incidents.data ?? [])
    .filter((i) => i.status !== 'resolved')
    .sort(
      (a, b) =>
        Number(b.status === 'open') - Number(a.status === 'open') || b.updatedAt - a.updatedAt
    )
  const openCount = recent.filter((i) => i.status === 'open').length

  return (
    <div className="page">
      <PageHeader title={t('dashboard.title')} actions={<PauseControl />} />
      {status ? (
        <p className={`tray-line tray-${status.tray}`} data-testid="tray-state">
          <span className="dot" aria-hidden="true" />
          <strong>{t(`tray.${status.tray}`)}</strong>
          {status.trayReason ? <span className="muted"> — {status.trayReason}</span> : null}
          {status.demo ? <span className="badge subtle">{t('dashboard.demo')}</span> : null}
        </p>
      ) : null}

      {status ? (
        <Countdowns
          countdowns={status.countdowns}
          titleOf={(id) => {
            const found = incidents.data?.find((i) => i.id === id)
            return found && localText(found, 'title', i18n.language)
          }}
        />
      ) : null}

      <div className="dashboard-top">
        <div className="dashboard-side">
          <Card title={t('killSwitch.title')} className="kill-card">
            <p className="small muted">{t('killSwitch.explain')}</p>
            <KillSwitch target={{}} accounts={accounts.data ?? []} testId="kill-switch-all" large />
          </Card>
          {status?.demo ? <FireDrill /> : null}
        </div>

        <Card
          title={
            <>
              {t('dashboard.incidents')}
              {openCount ? (
                <span className="badge incident-open">
                  {t('dashboard.openCount', { n: openCount })}
                </span>
              ) : null}
            </>
          }
          actions={<a href={href('alerts')}>{t('dashboard.allAlerts')}</a>}
        >
          <ErrorNote error={incidents.error} />
          {recent.length === 0 && !incidents.loading ? (
            <p className="muted">{t('dashboard.noIncidents')}</p>
          ) : null}
          <ul className="incident-mini">
            {recent.slice(0, 8).map((i) => (
              <li key={i.id} className={`level-edge level-${i.level}`}>
                <a href={href('alerts', i.id)} data-testid="dashboard-incident">
                  <span className="title">{localText(i, 'title', i18n.language)}</span>
                  <span className="muted small">
                    {accountName(accounts.data, i.accountId)} ·{' '}
                    {formatRelative(i.updatedAt, now, i18n.language)}
                  </span>
                </a>
                <span className="badges">
                  <LevelBadge level={i.level} />
                  <IncidentStatusBadge status={i.status} />
                </span>
              </li>
            ))}
          </ul>
        </Card>
      </div>

      <h2 className="section-title">{t('dashboard.accounts')}</h2>
      <ErrorNote error={accounts.error} />
      {accounts.data?.length === 0 ? (
        <Card>
          <p>{t('dashboard.noAccounts')}</p>
          <a className="button primary" href={href('accounts')}>
            {t('dashboard.addAccount')}
          </a>
        </Card>
      ) : null}
      <div className="account-grid">
        {(accounts.data ?? []).map((a) => (
          <AccountCard key={a.id} account={a} now={now} />
        ))}
      </div>
    </div>
  )
}

/** Pausing is for planned work on the account (rotating keys); it always ends on its own. */
function PauseControl() {
  const { t, i18n } = useTranslation()
  const api = useApi()
  const { status, refresh } = useLive()
  const [error, setError] = useState<ApiCallError | null>(null)
  if (!status) return null

  async function pause(minutes: number) {
    setError(null)
    try {
      await api.call('pause', { minutes })
    } catch (err) {
      setError(toApiCallError(err))
    }
    refresh()
  }

  return (
    <div className="pause-control">
      {status.paused ? (
        <>
          <span className="small muted">
            {status.pausedUntil
              ? t('dashboard.pausedUntil', { when: formatTime(status.pausedUntil, i18n.language) })
              : t('tray.paused')}
          </span>
          <button type="button" className="button" onClick={() => void pause(0)}>
            {t('dashboard.resume')}
          </button>
        </>
      ) : (
        <button type="button" className="button" onClick={() => void pause(30)}>
          {t('dashboard.pause30')}
        </button>
      )}
      <ErrorNote error={error} />
    </div>
  )
}

/**
 * Demo only: plays a scripted attack on demand so the trader can see, end to end, what an alert,
 * its evidence and the kill switch look like before it matters.
 */
function FireDrill() {
  const { t } = useTranslation()
  const api = useApi()
  const demo = useDemoInfo()
  const accounts = useAccounts()
  const [running, setRunning] = useState<string | null>(null)
  const [played, setPlayed] = useState<{ id: string; n: number } | null>(null)
  const [error, setError] = useState<ApiCallError | null>(null)
  const attacks = demo.data?.demo ? demo.data.attacks : []
  if (!demo.data?.demo) return null

  async function fire(attack: string) {
    setRunning(attack)
    setError(null)
    setPlayed(null)
    try {
      const result = await api.call('demo.attack', { attack })
      setPlayed({ id: attack, n: result.played })
    } catch (err) {
      setError(toApiCallError(err))
    } finally {
      setRunning(null)
    }
  }

  return (
    <Card title={t('fireDrill.title')} className="fire-drill" testId="fire-drill">
      <p className="small muted">{t('fireDrill.explain')}</p>
      {demo.data.spare && !accounts.data?.some((a) => a.label === demo.data?.spare?.label) ? (
        <p className="small" data-testid="fire-drill-spare-hint">
          {t('fireDrill.spareHint', { label: demo.data.spare.label })}{' '}
          <a href={href('accounts')}>{t('fireDrill.addSpare')}</a>
        </p>
      ) : null}
      {attacks.length === 0 ? <p className="muted small">{t('fireDrill.none')}</p> : null}
      <ul className="drill-list">
        {attacks.map((a) => (
          <li key={a.id}>
            <span>{t(`fireDrill.attacks.${a.id}`, { defaultValue: a.title })}</span>
            <button
              type="button"
              className="button"
              data-testid={`fire-drill-${a.id}`}
              disabled={running !== null}
              onClick={() => void fire(a.id)}
            >
              {running === a.id ? t('fireDrill.running') : t('fireDrill.start')}
            </button>
          </li>
        ))}
      </ul>
      {played ? (
        <p
          className={played.n > 0 ? 'success-note small' : 'small muted'}
          role="status"
          data-testid="fire-drill-played"
        >
          {played.n > 0 ? (
            <>
              {t('fireDrill.played', { n: played.n })}{' '}
              <a href={href('alerts')}>{t('fireDrill.watch')}</a>
            </>
          ) : (
            t('fireDrill.nothingLeft')
          )}
        </p>
      ) : null}
      <ErrorNote error={error} />
    </Card>
  )
}
