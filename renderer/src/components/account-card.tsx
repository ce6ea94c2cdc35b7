import { useTranslation } from 'react-i18next'

import type { AccountView } from '../../../main/api/types'
import { formatRelative, formatTime } from '../format'

import { AccountStatusBadge, LevelBadge } from './badges'

/**
 * Everything we know about one account, including what the exchange cannot tell us: an honest
 * capability matrix rather than a false sense of safety.
 */
export function AccountCard({ account, now }: { account: AccountView; now: number }) {
  const { t, i18n } = useTranslation()
  const lang = i18n.language
  // What the exchange cannot tell us matters most, so it comes first.
  const capabilities = [...account.capabilities].sort(
    (a, b) => Number(a.supported) - Number(b.supported)
  )
  return (
    <article className="card account-card" data-testid="account-card" data-account={account.id}>
      <header className="account-head">
        <div>
          <h3>
            {account.exchange} <span className="muted">· {account.label}</span>
          </h3>
          <p className="muted small">
            {t('accounts.keyHint', { hint: account.keyHint })} ·{' '}
            {account.lastPollAt
              ? t('accounts.lastPoll', { when: formatRelative(account.lastPollAt, now, lang) })
              : t('accounts.neverPolled')}
            {account.openIncidents > 0
              ? ` · ${t('accounts.openIncidents', { n: account.openIncidents })}`
              : ''}
          </p>
        </div>
        <AccountStatusBadge status={account.status} />
      </header>

      {account.lastError ? (
        <p className="error-note small" role="alert">
          {account.lastError}
        </p>
      ) : null}

      {account.backfill && !account.backfill.done ? (
        <div className="backfill">
          <progress value={account.backfill.progress} max={1} />
          <span className="small muted">{account.backfill.message}</span>
        </div>
      ) : null}

      <div className="account-body">
        <div>
          {account.posture.length ? (
            <section>
              <h4>{t('accounts.posture')}</h4>
              <ul className="posture">
                {account.posture.map((p) => (
                  <li key={p.rule}>
                    <LevelBadge level={p.level} /> <strong>{p.title}</strong>
                    <p className="small">
                      <span className="muted">{t('accounts.fix')}:</span> {p.fix}
                    </p>
                  </li>
                ))}
              </ul>
            </section>
          ) : (
            <p className="small text-ok">{t('accounts.postureClean')}</p>
          )}

          <details>
            <summary>{t('accounts.keys', { n: account.keys.length })}</summary>
            <table className="table compact">
              <thead>
                <tr>
                  <th>{t('accounts.keyId')}</th>
                  <th>{t('accounts.permissions')}</th>
                  <th>{t('accounts.ipWhitelist')}</th>
                  <th>{t('accounts.keyState')}</th>
                </tr>
              </thead>
              <tbody>
                {account.keys.map((k) => (
                  <tr key={k.keyId} className={k.removedAt ? 'removed' : ''}>
                    <td>
                      <code>{k.name ?? k.keyId}</code>
                      {k.self ? (
                        <span className="badge subtle">{t('accounts.thisKey')}</span>
                      ) : null}
                      {k.createdAt ? (
                        <div className="muted small">{formatTime(k.createdAt, lang)}</div>
                      ) : null}
                    </td>
                    <td className="small">{k.permissions.join(', ') || '—'}</td>
                    <td className="small">
                      {k.ipWhitelist.length ? (
                        k.ipWhitelist.join(', ')
                      ) : (
                        <span className="text-warn">{t('accounts.anyIp')}</span>
                      )}
                    </td>
                    <td className="small">
                      {k.removedAt
                        ? t('accounts.keyRemoved')
                        : k.enabled
                          ? t('accounts.keyEnabled')
                          : t('accounts.keyDisabled')}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </div>
        <div>
          <details open>
            <summary>{t('accounts.capabilities')}</summary>
            <table className="table compact capabilities">
              <tbody>
                {capabilities.map((c) => (
                  <tr key={c.id}>
                    <td className={c.supported ? 'text-ok' : 'text-warn'}>
                      <span aria-hidden="true">{c.supported ? '✓' : '—'}</span>{' '}
                      <span className="sr-only">
                        {c.supported ? t('common.supported') : t('common.notSupported')}
                      </span>
                    </td>
                    <td>{t(`capability.${c.id}`, { defaultValue: c.id })}</td>
                    <td className="muted small">{c.note}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </div>
      </div>
    </article>
  )
}
