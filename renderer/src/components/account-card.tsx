import { useTranslation } from 'react-i18next'

import type { AccountView } from '../../../main/api/types'
import { formatRelative, formatTime } from '../format'
import { capabilityNote, localText } from '../i18n/core-text'
import { messageText } from '../i18n/message'

import { AccountStatusBadge, LevelBadge } from './badges'

/**
 * Everything we know about one account, including what the exchange cannot tell us: an honest
 * capability matrix rather than a false sense of safety.
 */
export function AccountCard({ account, now }: { account: AccountView; now: number }) {
  const { t, i18n } = useTranslation()
  const lang = i18n.language
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
          {messageText(account.lastErrorMsg, account.lastError, i18n.language)}
        </p>
      ) : null}

      {account.backfill && !account.backfill.done ? (
        <div className="backfill" data-testid="account-backfill">
          <progress
            value={account.backfill.progress}
            max={1}
            aria-label={t('wizard.backfillTitle')}
          />
          <span className="small muted">
            {messageText(account.backfill.msg, account.backfill.message, i18n.language)}
          </span>
        </div>
      ) : null}

      <div className="account-body">
        <div>
          {account.posture.length ? (
            <section>
              <h4>{t('accounts.posture')}</h4>
              <PostureList posture={account.posture} />
            </section>
          ) : (
            <p className="small text-ok">{t('accounts.postureClean')}</p>
          )}

          <details>
            <summary>{t('accounts.keys', { n: account.keys.length })}</summary>
            <KeyTable keys={account.keys} />
          </details>
        </div>
        <div>
          <details open>
            <summary>{t('accounts.capabilities')}</summary>
            <CapabilityTable capabilities={account.capabilities} />
          </details>
        </div>
      </div>
    </article>
  )
}

/** Posture findings, each with its plain-language fix. */
export function PostureList({ posture }: { posture: AccountView['posture'] }) {
  const { t, i18n } = useTranslation()
  return (
    <ul className="posture" data-testid="posture-list">
      {posture.map((p) => (
        <li key={p.rule} data-testid="posture-finding">
          <LevelBadge level={p.level} /> <strong>{localText(p, 'title', i18n.language)}</strong>
          <p className="small">
            <span className="muted">{t('accounts.fix')}:</span> {localText(p, 'fix', i18n.language)}
          </p>
        </li>
      ))}
    </ul>
  )
}

/** What Vigil can and cannot see or do on this exchange; what it cannot comes first. */
export function CapabilityTable({ capabilities }: { capabilities: AccountView['capabilities'] }) {
  const { t, i18n } = useTranslation()
  const sorted = [...capabilities].sort((a, b) => Number(a.supported) - Number(b.supported))
  return (
    <table className="table compact capabilities" data-testid="capability-table">
      <tbody>
        {sorted.map((c) => (
          <tr key={c.id} data-supported={c.supported}>
            <td className={c.supported ? 'text-ok' : 'text-warn'}>
              <span aria-hidden="true">{c.supported ? '✓' : '—'}</span>{' '}
              <span className="sr-only">
                {c.supported ? t('common.supported') : t('common.notSupported')}
              </span>
            </td>
            <td>{t(`capability.${c.id}`, { defaultValue: c.id })}</td>
            <td className="muted small" data-testid="capability-note">
              {capabilityNote(c, i18n.language)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

/** The API keys an exchange lists for the account, with scope and IP whitelist. */
export function KeyTable({ keys }: { keys: AccountView['keys'] }) {
  const { t, i18n } = useTranslation()
  return (
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
        {keys.map((k) => (
          <tr key={k.keyId} className={k.removedAt ? 'removed' : ''}>
            <td>
              <code>{k.name ?? k.keyId}</code>
              {k.self ? <span className="badge subtle">{t('accounts.thisKey')}</span> : null}
              {k.createdAt ? (
                <div className="muted small">{formatTime(k.createdAt, i18n.language)}</div>
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
  )
}
