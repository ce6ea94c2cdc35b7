import { useState } from 'react'
import { useTranslation } from 'react-i18next'

import type { AlertView, EventView, IncidentView } from '../../../main/api/types'
import type { ApiCallError } from '../api/client'
import { toApiCallError } from '../api/errors'
import { SilenceButton, ThisIsMeButton } from '../components/alert-actions'
import { IncidentStatusBadge, LevelBadge } from '../components/badges'
import { BaselineChart } from '../components/baseline-chart'
import { ErrorNote } from '../components/error-note'
import { KillSwitch, KillSwitchResult } from '../components/kill-switch'
import { LoginLocations } from '../components/login-locations'
import { Card, PageHeader } from '../components/page'
import { Reasoning } from '../components/reasoning'
import { downloadText } from '../download'
import { eventFacts, formatTime } from '../format'
import { localText } from '../i18n/core-text'
import { LANGUAGES } from '../i18n'
import { useLive } from '../hooks/live'
import { useApi } from '../hooks/use-api'
import { accountName, useAccounts } from '../hooks/use-data'
import { useQuery } from '../hooks/use-query'
import { href } from '../router'

type Scope = IncidentView['scope']

export function AlertsPage({ incidentId }: { incidentId?: string }) {
  const { t, i18n } = useTranslation()
  const { revisions } = useLive()
  const accounts = useAccounts()
  const [scope, setScope] = useState<Scope>('live')
  const [openOnly, setOpenOnly] = useState(false)
  const incidents = useQuery(
    (api) => api.call('incidents.list', { scope, limit: 500 }),
    `incidents:${scope}:${revisions.incidents}`,
    `incidents:${scope}`
  )
  const list = (incidents.data ?? []).filter(
    (i) => !openOnly || i.status === 'open' || i.status === 'acknowledged'
  )

  return (
    <div className="page">
      <PageHeader title={t('alerts.title')} />
      <div className="alerts-layout">
        <Card className="incident-list-card">
          <div className="toolbar">
            <div className="segmented" role="group" aria-label={t('alerts.scope')}>
              {(['live', 'history'] as const).map((s) => (
                <button
                  key={s}
                  type="button"
                  className={scope === s ? 'active' : ''}
                  aria-pressed={scope === s}
                  onClick={() => setScope(s)}
                >
                  {t(`alerts.scope_${s}`)}
                </button>
              ))}
            </div>
            <label className="check">
              <input
                type="checkbox"
                checked={openOnly}
                onChange={(e) => setOpenOnly(e.target.checked)}
              />
              {t('alerts.openOnly')}
            </label>
          </div>
          <ErrorNote error={incidents.error} />
          {!incidents.loading && list.length === 0 ? (
            <p className="muted">{t('alerts.none')}</p>
          ) : null}
          <ul className="incident-list">
            {list.map((i) => (
              <li key={i.id}>
                <a
                  href={href('alerts', i.id)}
                  className={`incident-row level-edge level-${i.level} ${i.id === incidentId ? 'selected' : ''}`}
                  aria-current={i.id === incidentId ? 'page' : undefined}
                  data-testid="incident-row"
                >
                  <span className="row-top">
                    <LevelBadge level={i.level} />
                    <span className="title">{localText(i, 'title', i18n.language)}</span>
                  </span>
                  <span className="muted small">
                    {accountName(accounts.data, i.accountId)} ·{' '}
                    {formatTime(i.updatedAt, i18n.language)}
                  </span>
                  <span className="row-bottom small">
                    <IncidentStatusBadge status={i.status} />
                    <span className="muted">
                      {t('alerts.alertCount', { n: i.alertCount })} · {i.rules.join(', ')}
                    </span>
                  </span>
                </a>
              </li>
            ))}
          </ul>
        </Card>
        <div className="incident-detail">
          {incidentId ? (
            <IncidentDetail key={incidentId} incidentId={incidentId} />
          ) : (
            <Card>
              <p className="muted">{t('alerts.pick')}</p>
            </Card>
          )}
        </div>
      </div>
    </div>
  )
}

function IncidentDetail({ incidentId }: { incidentId: string }) {
  const { t, i18n } = useTranslation()
  const api = useApi()
  const { revisions } = useLive()
  const accounts = useAccounts()
  const detail = useQuery(
    (client) => client.call('incidents.get', { incidentId }),
    `incident:${incidentId}:${revisions.incidents}`,
    `incident:${incidentId}`
  )
  const [ackError, setAckError] = useState<ApiCallError | null>(null)
  const [reportError, setReportError] = useState<ApiCallError | null>(null)

  if (detail.error && !detail.data) return <ErrorNote error={detail.error} />
  if (!detail.data) return <p className="muted">{t('common.loading')}</p>
  const { incident, alerts, killSwitch } = detail.data

  async function acknowledge() {
    setAckError(null)
    try {
      await api.call('incidents.acknowledge', { incidentId })
    } catch (err) {
      setAckError(toApiCallError(err))
    }
    detail.reload()
  }

  async function report(format: 'markdown' | 'json') {
    setReportError(null)
    try {
      const file = await api.call('incidents.report', {
        incidentId,
        format,
        // The language on screen; the core falls back to the settings language otherwise.
        language: LANGUAGES.find((l) => l === i18n.language)
      })
      downloadText(file.filename, file.mime, file.content)
    } catch (err) {
      setReportError(toApiCallError(err))
    }
  }

  return (
    <div className="detail" data-testid="incident-detail">
      <Card>
        <div className="detail-head">
          <div>
            <h2>{localText(incident, 'title', i18n.language)}</h2>
            <p className="muted small">
              {accountName(accounts.data, incident.accountId)} · {t('alerts.opened')}{' '}
              {formatTime(incident.openedAt, i18n.language)} · {t('alerts.updated')}{' '}
              {formatTime(incident.updatedAt, i18n.language)}
            </p>
            <p className="badges">
              <LevelBadge level={incident.level} />
              <IncidentStatusBadge status={incident.status} />
              <span className="badge subtle">{t(`alerts.scope_${incident.scope}`)}</span>
            </p>
          </div>
          <div className="detail-actions">
            <div className="report-actions" role="group" aria-label={t('alerts.report')}>
              <button
                type="button"
                className="button small"
                data-testid="report-markdown"
                title={t('alerts.reportExplain')}
                onClick={() => void report('markdown')}
              >
                {t('alerts.reportMarkdown')}
              </button>
              <button
                type="button"
                className="button small"
                data-testid="report-json"
                title={t('alerts.reportExplain')}
                onClick={() => void report('json')}
              >
                JSON
              </button>
            </div>
            {incident.status === 'open' || incident.status === 'acknowledged' ? (
              <button
                type="button"
                className="button"
                data-testid="acknowledge"
                disabled={incident.status !== 'open'}
                onClick={() => void acknowledge()}
              >
                {incident.status === 'open' ? t('alerts.acknowledge') : t('alerts.acknowledged')}
              </button>
            ) : null}
          </div>
        </div>
        <ErrorNote error={ackError ?? reportError} />
        <div className="incident-kill">
          {killSwitch ? (
            <KillSwitchResult
              report={killSwitch}
              accounts={accounts.data}
              title={t('alerts.killSwitchRun')}
            />
          ) : (
            <>
              <p className="small muted">{t('alerts.killSwitchExplain')}</p>
              <KillSwitch
                target={{ incidentId: incident.id, accountIds: [incident.accountId] }}
                accounts={accounts.data ?? []}
                testId="kill-switch-incident"
              />
            </>
          )}
        </div>
      </Card>
      {alerts.some((a) => a.evidence.some((e) => e.kind === 'login' || e.kind === 'security')) ? (
        <Card>
          <LoginLocations events={alerts.flatMap((a) => a.evidence)} />
        </Card>
      ) : null}
      {alerts.map((a) => (
        <AlertCard key={a.id} alert={a} onChanged={detail.reload} />
      ))}
    </div>
  )
}

function AlertCard({ alert, onChanged }: { alert: AlertView; onChanged: () => void }) {
  const { t, i18n } = useTranslation()
  const evidence = [...alert.evidence].sort((a, b) => a.ts - b.ts || a.id - b.id)
  return (
    <Card
      className={`alert-card level-edge level-${alert.level}`}
      title={
        <>
          <LevelBadge level={alert.level} /> {localText(alert, 'title', i18n.language)}
        </>
      }
      testId="alert-card"
      dataId={alert.id}
    >
      <p className="muted small">
        <code>{alert.rule}</code> · {formatTime(alert.at, i18n.language)}
      </p>
      <p className="explanation" data-testid="alert-explanation">
        {localText(alert, 'explanation', i18n.language)}
      </p>
      <div className="alert-actions" role="group" aria-label={t('alerts.alertActions')}>
        <ThisIsMeButton alert={alert} onDone={onChanged} />
        <SilenceButton alert={alert} />
      </div>
      <BaselineChart reasoning={alert.reasoning} />
      <Reasoning reasoning={alert.reasoning} />
      <h3 className="subhead">{t('alerts.evidence', { n: evidence.length })}</h3>
      <ol className="timeline" data-testid="alert-evidence">
        {evidence.map((e) => (
          <EvidenceItem key={e.id} event={e} />
        ))}
      </ol>
    </Card>
  )
}

function EvidenceItem({ event }: { event: EventView }) {
  const { t, i18n } = useTranslation()
  const f = eventFacts(event, i18n.language)
  const facts: Array<[string, string | undefined]> = [
    ['ip', f.ip],
    ['place', f.place],
    ['network', f.network],
    ['device', f.device],
    ['symbol', f.symbol],
    ['side', f.side],
    ['amount', f.amount],
    ['price', f.price],
    ['address', f.address],
    ['keyId', f.keyId],
    ['permissions', f.permissions]
  ]
  return (
    <li className={`timeline-item kind-${event.kind}`} data-testid="evidence-event">
      <time className="mono small">{formatTime(event.ts, i18n.language)}</time>
      <div>
        <div>
          <strong>
            {t(`eventType.${event.type.replace('.', '_')}`, { defaultValue: event.type })}
          </strong>{' '}
          <code className="muted small">{event.type}</code>
        </div>
        <dl className="chips">
          {facts
            .filter(([, v]) => v)
            .map(([k, v]) => (
              <div key={k}>
                <dt>{t(`fact.${k}`)}</dt>
                <dd className={k === 'address' || k === 'ip' ? 'mono' : ''}>{v}</dd>
              </div>
            ))}
          <div>
            <dt>{t('fact.recordId')}</dt>
            <dd className="mono">{event.exchangeRecordId}</dd>
          </div>
        </dl>
      </div>
    </li>
  )
}
