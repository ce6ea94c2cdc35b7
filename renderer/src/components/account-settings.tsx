import { useId, useState, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'

import type { AccountView } from '../../../main/api/types'
import type { ApiCallError } from '../api/client'
import { toApiCallError } from '../api/errors'
import { useApi } from '../hooks/use-api'

import { ErrorNote } from './error-note'

/**
 * Poll interval and dead-man timer of one account (`accounts.update`). The dead-man field is
 * only offered where the account's capabilities say the exchange has one; a refusal shows the
 * API's own message, which names the limit (e.g. "at least three poll intervals").
 */
export function AccountSettings({
  account,
  onSaved,
  onClose
}: {
  account: AccountView
  onSaved: (account: AccountView) => void
  onClose: () => void
}) {
  const { t } = useTranslation()
  const api = useApi()
  const ids = useId()
  const [poll, setPoll] = useState(String(account.pollSeconds))
  const [deadMan, setDeadMan] = useState(String(account.deadManSeconds ?? 0))
  const [error, setError] = useState<ApiCallError | null>(null)
  const [saved, setSaved] = useState(false)
  const [busy, setBusy] = useState(false)
  const deadManSupported = account.capabilities.some((c) => c.id === 'deadMan' && c.supported)

  async function submit(e: FormEvent) {
    e.preventDefault()
    setError(null)
    setSaved(false)
    setBusy(true)
    try {
      const updated = await api.call('accounts.update', {
        accountId: account.id,
        pollSeconds: Number(poll),
        ...(deadManSupported ? { deadManSeconds: Number(deadMan) } : {})
      })
      setSaved(true)
      onSaved(updated)
    } catch (err) {
      setError(toApiCallError(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <form
      className="account-settings"
      data-testid="account-settings"
      onSubmit={(e) => void submit(e)}
    >
      <h3>{t('accountSettings.title', { name: `${account.exchange} · ${account.label}` })}</h3>
      <label htmlFor={`${ids}-poll`}>{t('accountSettings.pollSeconds')}</label>
      <input
        id={`${ids}-poll`}
        type="number"
        min={0.2}
        max={3600}
        step="any"
        value={poll}
        data-testid="account-poll-seconds"
        onChange={(e) => setPoll(e.target.value)}
      />
      {deadManSupported ? (
        <>
          <label htmlFor={`${ids}-deadman`}>{t('accountSettings.deadMan')}</label>
          <input
            id={`${ids}-deadman`}
            type="number"
            min={0}
            max={86400}
            step={1}
            value={deadMan}
            data-testid="account-dead-man"
            aria-describedby={`${ids}-deadman-help`}
            onChange={(e) => setDeadMan(e.target.value)}
          />
          <p id={`${ids}-deadman-help`} className="small muted">
            {t('accountSettings.deadManExplain')}
          </p>
        </>
      ) : (
        <p className="small muted" data-testid="dead-man-unsupported">
          {t('accountSettings.deadManUnsupported')}
        </p>
      )}
      <ErrorNote error={error} />
      {saved ? (
        <p className="small text-ok" role="status">
          {t('accountSettings.saved')}
        </p>
      ) : null}
      <div className="actions">
        <button
          type="submit"
          className="button primary"
          disabled={busy}
          data-testid="account-settings-save"
        >
          {t('accountSettings.save')}
        </button>{' '}
        <button type="button" className="button" onClick={onClose}>
          {t('accountSettings.close')}
        </button>
      </div>
    </form>
  )
}
