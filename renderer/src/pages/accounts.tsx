import { useCallback, useState } from 'react'
import { useTranslation } from 'react-i18next'

import type { AccountView } from '../../../main/api/types'
import { AccountSettings } from '../components/account-settings'
import { AddKeyWizard } from '../components/add-key-wizard'
import { AccountStatusBadge } from '../components/badges'
import { ConfirmDialog } from '../components/confirm-dialog'
import { ErrorNote } from '../components/error-note'
import { Card, PageHeader } from '../components/page'
import { formatTime } from '../format'
import { useLive } from '../hooks/live'
import { useAction } from '../hooks/use-action'
import { useApi } from '../hooks/use-api'
import { useAccounts } from '../hooks/use-data'
import { messageText } from '../i18n/message'

export function AccountsPage() {
  const { t, i18n } = useTranslation()
  const api = useApi()
  const { refresh } = useLive()
  const accounts = useAccounts()
  const [removing, setRemoving] = useState<AccountView | null>(null)
  const [rotating, setRotating] = useState<AccountView | null>(null)
  const [editing, setEditing] = useState<string | null>(null)
  const action = useAction()

  const reloadAccounts = accounts.reload
  const reloadAll = useCallback(() => {
    reloadAccounts()
    refresh()
  }, [reloadAccounts, refresh])

  const remove = (account: AccountView) => {
    setRemoving(null)
    return action.run(() => api.call('accounts.remove', { accountId: account.id }), reloadAll)
  }

  return (
    <div className="page">
      <PageHeader title={t('accounts.title')} />
      <div className="accounts-layout">
        <Card title={t('accounts.connected')}>
          <ErrorNote error={accounts.error ?? action.error} />
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
                      {a.backfill && !a.backfill.done ? (
                        <div className="row-backfill">
                          <progress
                            value={a.backfill.progress}
                            max={1}
                            aria-label={t('wizard.backfillTitle')}
                          />
                          <span className="small muted">
                            {messageText(a.backfill.msg, a.backfill.message, i18n.language)}
                          </span>
                        </div>
                      ) : null}
                    </td>
                    <td className="small">{formatTime(a.createdAt, i18n.language)}</td>
                    <td className="right nowrap">
                      <button
                        type="button"
                        className="button small"
                        data-testid="account-settings-open"
                        aria-expanded={editing === a.id}
                        onClick={() => setEditing(editing === a.id ? null : a.id)}
                      >
                        {t('accountSettings.open')}
                      </button>{' '}
                      <button
                        type="button"
                        className="button small"
                        data-testid="rotate-account"
                        title={t('wizard.rotateExplain')}
                        onClick={() => {
                          setRotating(a)
                          document
                            .getElementById('add-key')
                            ?.scrollIntoView?.({ block: 'start', behavior: 'smooth' })
                        }}
                      >
                        {a.status === 'contained' ? t('wizard.rearm') : t('wizard.rotate')}
                      </button>{' '}
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
          {accounts.data
            ?.filter((a) => a.id === editing)
            .map((a) => (
              <AccountSettings
                key={a.id}
                account={a}
                onSaved={() => accounts.reload()}
                onClose={() => setEditing(null)}
              />
            ))}
        </Card>
        <div id="add-key">
          <AddKeyWizard
            // A fresh wizard per target: rotating one account never inherits another's fields.
            key={rotating?.id ?? 'new'}
            rotate={rotating}
            onRotateDone={() => setRotating(null)}
            onAdded={reloadAll}
          />
          {rotating ? (
            <button type="button" className="button small" onClick={() => setRotating(null)}>
              {t('wizard.cancelRotate')}
            </button>
          ) : null}
        </div>
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
