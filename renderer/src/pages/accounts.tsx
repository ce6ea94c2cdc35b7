import { useId, useMemo, useState, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'

import type { AccountView } from '../../../main/api/types'
import type { ApiCallError } from '../api/client'
import { toApiCallError } from '../api/errors'
import { AccountStatusBadge } from '../components/badges'
import { ConfirmDialog } from '../components/confirm-dialog'
import { ErrorNote } from '../components/error-note'
import { Card, PageHeader } from '../components/page'
import { formatTime } from '../format'
import { useLive } from '../hooks/live'
import { useApi } from '../hooks/use-api'
import { useAccounts } from '../hooks/use-data'
import { useQuery } from '../hooks/use-query'

export function AccountsPage() {
  const { t, i18n } = useTranslation()
  const api = useApi()
  const { refresh } = useLive()
  const accounts = useAccounts()
  const [removing, setRemoving] = useState<AccountView | null>(null)
  const [error, setError] = useState<ApiCallError | null>(null)

  async function remove(account: AccountView) {
    setRemoving(null)
    setError(null)
    try {
      await api.call('accounts.remove', { accountId: account.id })
    } catch (err) {
      setError(toApiCallError(err))
    }
    accounts.reload()
    refresh()
  }

  return (
    <div className="page">
      <PageHeader title={t('accounts.title')} />
      <div className="accounts-layout">
        <Card title={t('accounts.connected')}>
          <ErrorNote error={accounts.error ?? error} />
          {accounts.data?.length === 0 ? <p className="muted">{t('accounts.none')}</p> : null}
          {accounts.data?.length ? (
            <table className="table">
              <thead>
                <tr>
                  <th>{t('accounts.exchange')}</th>
                  <th>{t('accounts.label')}</th>
                  <th>{t('accounts.key')}</th>
                  <th>{t('accounts.status')}</th>
                  <th>{t('accounts.added')}</th>
                  <th>
                    <span className="sr-only">{t('common.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {accounts.data.map((a) => (
                  <tr key={a.id} data-testid="account-row">
                    <td>{a.exchange}</td>
                    <td>{a.label}</td>
                    <td className="mono">…{a.keyHint}</td>
                    <td>
                      <AccountStatusBadge status={a.status} />
                    </td>
                    <td className="small">{formatTime(a.createdAt, i18n.language)}</td>
                    <td className="right">
                      <button
                        type="button"
                        className="button small"
                        data-testid="remove-account"
                        onClick={() => setRemoving(a)}
                      >
                        {t('accounts.remove')}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </Card>
        <AddAccountForm
          onAdded={() => {
            accounts.reload()
            refresh()
          }}
        />
      </div>
      {removing ? (
        <ConfirmDialog
          title={t('accounts.removeTitle', { name: `${removing.exchange} · ${removing.label}` })}
          confirmLabel={t('accounts.remove')}
          confirmTestId="confirm-remove-account"
          danger
          onCancel={() => setRemoving(null)}
          onConfirm={() => void remove(removing)}
        >
          <p>{t('accounts.removeExplain')}</p>
        </ConfirmDialog>
      ) : null}
    </div>
  )
}

function AddAccountForm({ onAdded }: { onAdded: () => void }) {
  const { t } = useTranslation()
  const api = useApi()
  const ids = useId()
  const exchanges = useQuery((client) => client.call('exchanges.list', {}), 'exchanges')
  const [search, setSearch] = useState('')
  const [exchange, setExchange] = useState('')
  const [label, setLabel] = useState('')
  const [apiKey, setApiKey] = useState('')
  // Held only until submitted; the form never receives a secret from main.
  const [secret, setSecret] = useState('')
  const [password, setPassword] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiCallError | null>(null)
  const [added, setAdded] = useState<AccountView | null>(null)

  const sorted = useMemo(
    () =>
      [...(exchanges.data ?? [])].sort(
        (a, b) => Number(b.deep) - Number(a.deep) || a.name.localeCompare(b.name)
      ),
    [exchanges.data]
  )
  const needle = search.trim().toLowerCase()
  const shown = needle
    ? sorted.filter((x) => x.name.toLowerCase().includes(needle) || x.id.includes(needle))
    : sorted
  const chosen = sorted.find((x) => x.id === exchange)

  async function submit(event: FormEvent) {
    event.preventDefault()
    if (!chosen) return
    setBusy(true)
    setError(null)
    setAdded(null)
    try {
      const account = await api.call('accounts.add', {
        exchange: chosen.id,
        label: label.trim(),
        apiKey: apiKey.trim(),
        secret,
        ...(chosen.needsPassword ? { password } : {})
      })
      setAdded(account)
      setApiKey('')
      setSecret('')
      setPassword('')
      setLabel('')
      onAdded()
    } catch (err) {
      setError(toApiCallError(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <Card title={t('accounts.addTitle')} className="add-account">
      <form onSubmit={(e) => void submit(e)} data-testid="add-account-form" autoComplete="off">
        <label htmlFor={`${ids}-search`}>{t('accounts.exchange')}</label>
        <input
          id={`${ids}-search`}
          type="search"
          placeholder={t('accounts.searchExchange')}
          value={search}
          data-testid="exchange-search"
          onChange={(e) => setSearch(e.target.value)}
        />
        <select
          aria-label={t('accounts.exchange')}
          size={6}
          required
          value={exchange}
          data-testid="exchange-select"
          onChange={(e) => setExchange(e.target.value)}
        >
          {shown.map((x) => (
            <option key={x.id} value={x.id}>
              {x.name}
              {x.deep ? ` — ${t('accounts.deep')}` : ''}
            </option>
          ))}
        </select>
        {chosen ? (
          <p className="small muted">
            {chosen.deep ? t('accounts.deepExplain') : t('accounts.genericExplain')}
          </p>
        ) : null}

        <label htmlFor={`${ids}-label`}>{t('accounts.label')}</label>
        <input
          id={`${ids}-label`}
          required
          maxLength={100}
          value={label}
          placeholder={t('accounts.labelPlaceholder')}
          onChange={(e) => setLabel(e.target.value)}
        />

        <label htmlFor={`${ids}-key`}>{t('accounts.apiKey')}</label>
        <input
          id={`${ids}-key`}
          required
          maxLength={10_000}
          spellCheck={false}
          autoComplete="off"
          className="mono"
          value={apiKey}
          data-testid="api-key-input"
          onChange={(e) => setApiKey(e.target.value)}
        />

        <label htmlFor={`${ids}-secret`}>{t('accounts.secret')}</label>
        <input
          id={`${ids}-secret`}
          type="password"
          required
          maxLength={10_000}
          spellCheck={false}
          autoComplete="new-password"
          className="mono"
          value={secret}
          data-testid="secret-input"
          onChange={(e) => setSecret(e.target.value)}
        />

        {chosen?.needsPassword ? (
          <>
            <label htmlFor={`${ids}-pass`}>{t('accounts.passphrase')}</label>
            <input
              id={`${ids}-pass`}
              type="password"
              required
              maxLength={1000}
              autoComplete="new-password"
              value={password}
              data-testid="passphrase-input"
              onChange={(e) => setPassword(e.target.value)}
            />
          </>
        ) : null}

        <p className="keychain-note small" data-testid="keychain-note">
          <svg width="14" height="14" viewBox="0 0 16 16" aria-hidden="true">
            <path
              fill="currentColor"
              d="M8 1a3.5 3.5 0 0 0-3.5 3.5V7H4a1 1 0 0 0-1 1v6a1 1 0 0 0 1 1h8a1 1 0 0 0 1-1V8a1 1 0 0 0-1-1h-.5V4.5A3.5 3.5 0 0 0 8 1Zm-2 6V4.5a2 2 0 1 1 4 0V7H6Z"
            />
          </svg>
          <span>{t('accounts.keychainNote')}</span>
        </p>
        <p className="small muted">{t('accounts.readOnlyHint')}</p>

        <ErrorNote error={error} />
        {added ? (
          <p className="success-note" role="status" data-testid="account-added">
            {t('accounts.addedNote', {
              name: `${added.exchange} · ${added.label}`,
              hint: added.keyHint
            })}
          </p>
        ) : null}

        <button type="submit" className="button primary" disabled={busy || !chosen}>
          {busy ? t('accounts.adding') : t('accounts.add')}
        </button>
      </form>
    </Card>
  )
}
