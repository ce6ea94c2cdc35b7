import { useState } from 'react'
import { useTranslation } from 'react-i18next'

import type {
  AccountView,
  KillSwitchAccountResult,
  KillSwitchReport
} from '../../../main/api/types'
import type { ApiCallError } from '../api/client'
import { toApiCallError } from '../api/errors'
import { formatTime } from '../format'
import { messageText, messageTexts } from '../i18n/message'
import { useLive } from '../hooks/live'
import { useApi } from '../hooks/use-api'

import { ConfirmDialog } from './confirm-dialog'
import { ErrorNote } from './error-note'

export interface KillSwitchTarget {
  /** Fires for this incident's account; absent means every account. */
  incidentId?: string
  accountIds?: string[]
}

/**
 * The big red button. It always asks first and says exactly what will happen, then shows what
 * was actually done and what is left to do by hand.
 */
export function KillSwitch({
  target,
  accounts,
  testId,
  large,
  previous
}: {
  target: KillSwitchTarget
  accounts: AccountView[]
  testId: string
  large?: boolean
  /** The last run main remembers, shown folded until this button fires a new one. */
  previous?: KillSwitchReport | null
}) {
  const { t, i18n } = useTranslation()
  const api = useApi()
  const live = useLive()
  const [confirming, setConfirming] = useState(false)
  const [running, setRunning] = useState(false)
  const [report, setReport] = useState<KillSwitchReport | null>(null)
  const [error, setError] = useState<ApiCallError | null>(null)

  const affected = target.accountIds
    ? accounts.filter((a) => target.accountIds?.includes(a.id))
    : accounts

  async function fire() {
    setConfirming(false)
    setRunning(true)
    setError(null)
    try {
      const result = await api.call('killSwitch.fire', {
        ...(target.accountIds ? { accountIds: target.accountIds } : {}),
        ...(target.incidentId ? { incidentId: target.incidentId } : {}),
        reason: target.incidentId ? `incident ${target.incidentId}` : 'manual: all accounts'
      })
      setReport(result)
    } catch (err) {
      setError(toApiCallError(err))
    } finally {
      setRunning(false)
      live.refresh()
    }
  }

  const progress = running ? (live.killSwitch?.accounts ?? []) : []

  return (
    <div className="kill-switch">
      <button
        type="button"
        className={`button danger ${large ? 'kill-switch-button' : ''}`}
        data-testid={testId}
        disabled={running || affected.length === 0}
        onClick={() => setConfirming(true)}
      >
        {running
          ? t('killSwitch.running')
          : t(target.incidentId ? 'killSwitch.fireIncident' : 'killSwitch.fireAll')}
      </button>
      {affected.length === 0 ? <p className="muted">{t('killSwitch.noAccounts')}</p> : null}
      {confirming ? (
        <ConfirmDialog
          title={t(
            target.incidentId ? 'killSwitch.confirmTitleIncident' : 'killSwitch.confirmTitle'
          )}
          confirmLabel={t('killSwitch.confirm')}
          confirmTestId="confirm-kill-switch"
          danger
          onCancel={() => setConfirming(false)}
          onConfirm={() => void fire()}
        >
          <p>{t('killSwitch.willHappen', { n: affected.length })}</p>
          <ol className="plan">
            <li>{t('killSwitch.stepCancel')}</li>
            <li>{t('killSwitch.stepRevoke')}</li>
            <li>{t('killSwitch.stepManual')}</li>
            <li>{t('killSwitch.stepContained')}</li>
          </ol>
          <ul className="affected">
            {affected.map((a) => (
              <li key={a.id}>
                <strong>{a.exchange}</strong> · {a.label}{' '}
                <span className="muted">…{a.keyHint}</span>
              </li>
            ))}
          </ul>
          <p className="muted">{t('killSwitch.notUndoable')}</p>
        </ConfirmDialog>
      ) : null}
      {running ? (
        <p className="muted" role="status">
          {t('killSwitch.progress', { done: progress.length, total: affected.length })}
        </p>
      ) : null}
      <ErrorNote error={error} />
      {report ? (
        <KillSwitchResult report={report} accounts={accounts} />
      ) : previous ? (
        <details className="last-run">
          <summary>
            {t('killSwitch.lastRun', { when: formatTime(previous.finishedAt, i18n.language) })}
          </summary>
          <KillSwitchResult
            report={previous}
            accounts={accounts}
            title={t('killSwitch.lastRunTitle')}
            testId="kill-switch-last"
          />
        </details>
      ) : null}
    </div>
  )
}

const KEY_CLASS: Record<KillSwitchAccountResult['key'], string> = {
  revoked: 'ok',
  disabled: 'ok',
  'manual-revoke-required': 'warn',
  unchanged: 'warn'
}

export function KillSwitchResult({
  report,
  title,
  accounts,
  testId = 'kill-switch-result'
}: {
  report: KillSwitchReport
  title?: string
  /** To name accounts by label rather than id. */
  accounts?: AccountView[]
  testId?: string
}) {
  const { t, i18n } = useTranslation()
  return (
    <div className="kill-switch-result" data-testid={testId} role="status">
      <h3>
        {title ?? t('killSwitch.resultTitle')}{' '}
        <span className="muted small">
          {formatTime(report.finishedAt, i18n.language)} ·{' '}
          {t('killSwitch.duration', { seconds: (report.durationMs / 1000).toFixed(1) })}
        </span>
      </h3>
      {report.accounts.length === 0 ? <p className="muted">{t('killSwitch.noAccounts')}</p> : null}
      {report.accounts.map((a) => (
        <div
          key={a.account}
          className={`ks-account ${a.contained ? 'contained' : 'not-contained'}`}
          data-testid="kill-switch-account"
        >
          <div className="ks-head">
            <strong>{a.exchange}</strong>{' '}
            <span className="muted">
              {accounts?.find((x) => x.id === a.account)?.label ?? a.account}
            </span>
            <span className={`badge ${a.contained ? 'status-contained' : 'status-error'}`}>
              {a.contained ? t('killSwitch.contained') : t('killSwitch.notContained')}
            </span>
          </div>
          <dl className="facts">
            <div>
              <dt>{t('killSwitch.ordersCancelled')}</dt>
              <dd data-testid="orders-cancelled">{a.ordersCancelled}</dd>
            </div>
            <div>
              <dt>{t('killSwitch.ordersRemaining')}</dt>
              <dd
                data-testid="orders-remaining"
                className={a.ordersRemaining > 0 ? 'text-danger' : 'text-ok'}
              >
                {a.ordersRemaining}
              </dd>
            </div>
            <div>
              <dt>{t('killSwitch.key')}</dt>
              <dd className={`text-${KEY_CLASS[a.key]}`} data-testid="key-outcome">
                {t(`killSwitch.keyOutcome.${a.key}`)}
              </dd>
            </div>
          </dl>
          {a.keysDisabled.length ? (
            <p className="small">
              {t('killSwitch.keysDisabled')}: <code>{a.keysDisabled.join(', ')}</code>
            </p>
          ) : null}
          {a.keysRemoved.length ? (
            <p className="small">
              {t('killSwitch.keysRemoved')}: <code>{a.keysRemoved.join(', ')}</code>
            </p>
          ) : null}
          {a.manualSteps.length ? (
            <div className="manual">
              <strong>{t('killSwitch.manualSteps')}</strong>
              <ol>
                {messageTexts(a.manualStepMsgs, a.manualSteps, i18n.language).map((step, i) => (
                  <li key={i}>{step}</li>
                ))}
              </ol>
              {a.manualUrl ? (
                <a href={a.manualUrl} target="_blank" rel="noreferrer noopener">
                  {t('killSwitch.openExchangePage')}
                </a>
              ) : null}
            </div>
          ) : null}
          {a.errors.length ? (
            <ul className="errors">
              {messageTexts(a.errorMsgs, a.errors, i18n.language).map((e, i) => (
                <li key={i} className="text-danger">
                  {e}
                </li>
              ))}
            </ul>
          ) : null}
          {a.steps.length ? (
            <details>
              <summary>{t('killSwitch.steps')}</summary>
              <ul className="steps">
                {a.steps.map((s, i) => (
                  <li key={i}>
                    <span className={s.ok ? 'text-ok' : 'text-danger'}>{s.ok ? '✓' : '✗'}</span>{' '}
                    <code>{s.action}</code> {messageText(s.detailMsg, s.detail, i18n.language)}{' '}
                    {s.attempts > 1 ? (
                      <span className="muted">{t('killSwitch.attempts', { n: s.attempts })}</span>
                    ) : null}
                  </li>
                ))}
              </ul>
            </details>
          ) : null}
        </div>
      ))}
    </div>
  )
}
