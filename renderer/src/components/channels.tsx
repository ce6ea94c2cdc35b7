import { useId, useState, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'

import type { Input, Output } from '../../../main/api/types'
import type { ApiCallError } from '../api/client'
import { toApiCallError } from '../api/errors'
import { useAction } from '../hooks/use-action'
import { useApi } from '../hooks/use-api'
import { useQuery } from '../hooks/use-query'

import { LevelBadge } from './badges'
import { ConfirmDialog } from './confirm-dialog'
import { ErrorNote } from './error-note'
import { Card } from './page'

type Channel = Output<'channels.list'>[number]
type Kind = Channel['kind']
const KINDS: Kind[] = ['telegram', 'ntfy', 'webhook']
const LEVELS = ['info', 'low', 'medium', 'high', 'critical'] as const

/**
 * Where else alerts go when the trader is away from this machine. Tokens and webhook URLs are
 * credentials: they go to the keychain like API secrets and are never shown again.
 */
export function Channels() {
  const { t } = useTranslation()
  const api = useApi()
  const channels = useQuery((client) => client.call('channels.list', {}), 'channels')
  const [removing, setRemoving] = useState<Channel | null>(null)
  const [tested, setTested] = useState<Record<string, Output<'channels.test'>>>({})
  const action = useAction()

  const test = (channel: Channel) =>
    action.run(async () => {
      const result = await api.call('channels.test', { channelId: channel.id })
      setTested((all) => ({ ...all, [channel.id]: result }))
    })

  const remove = (channel: Channel) => {
    setRemoving(null)
    return action.run(() => api.call('channels.remove', { channelId: channel.id }), channels.reload)
  }

  return (
    <Card title={t('channels.title')} testId="channels">
      <p className="small muted">{t('channels.explain')}</p>
      <ErrorNote error={channels.error ?? action.error} />
      {channels.data?.length === 0 ? <p className="muted">{t('channels.none')}</p> : null}
      {channels.data?.length ? (
        <table className="table">
          <thead>
            <tr>
              <th>{t('channels.name')}</th>
              <th>{t('channels.kind')}</th>
              <th>{t('channels.where')}</th>
              <th>{t('channels.minLevel')}</th>
              <th>
                <span className="sr-only">{t('common.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {channels.data.map((c) => (
              <tr key={c.id} data-testid="channel-row">
                <td>{c.name}</td>
                <td>{t(`channels.kind_${c.kind}`)}</td>
                <td className="small mono">
                  {[c.url, c.target].filter(Boolean).join(' · ') || '—'}
                  {c.hasSecret ? <div className="muted">{t('channels.secretStored')}</div> : null}
                </td>
                <td>
                  <LevelBadge level={c.minLevel} />
                </td>
                <td className="right nowrap">
                  <button
                    type="button"
                    className="button small"
                    data-testid="test-channel"
                    onClick={() => void test(c)}
                  >
                    {t('channels.test')}
                  </button>{' '}
                  <button
                    type="button"
                    className="button small"
                    data-testid="remove-channel"
                    onClick={() => setRemoving(c)}
                  >
                    {t('channels.remove')}
                  </button>
                  {tested[c.id] ? (
                    <div
                      className={`small ${tested[c.id].delivered ? 'text-ok' : 'text-danger'}`}
                      role="status"
                    >
                      {tested[c.id].delivered
                        ? t('channels.delivered')
                        : t('channels.failed', { error: tested[c.id].error ?? '' })}
                    </div>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <AddChannel onAdded={channels.reload} />
      {removing ? (
        <ConfirmDialog
          title={t('channels.removeTitle', { name: removing.name })}
          confirmLabel={t('channels.remove')}
          confirmTestId="confirm-remove-channel"
          danger
          onCancel={() => setRemoving(null)}
          onConfirm={() => void remove(removing)}
        >
          <p>{t('channels.removeExplain')}</p>
        </ConfirmDialog>
      ) : null}
    </Card>
  )
}

function AddChannel({ onAdded }: { onAdded: () => void }) {
  const { t } = useTranslation()
  const api = useApi()
  const ids = useId()
  const [kind, setKind] = useState<Kind>('telegram')
  const [name, setName] = useState('')
  const [url, setUrl] = useState('')
  const [target, setTarget] = useState('')
  const [minLevel, setMinLevel] = useState<Channel['minLevel']>('high')
  // Bot token or webhook token: sent once, kept in the keychain, never read back.
  const [secret, setSecret] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiCallError | null>(null)

  async function submit(event: FormEvent) {
    event.preventDefault()
    setBusy(true)
    setError(null)
    const input: Input<'channels.add'> = { kind, name: name.trim(), minLevel }
    if (url.trim()) input.url = url.trim()
    if (kind !== 'webhook' && target.trim()) input.target = target.trim()
    if (secret) input.secret = secret
    try {
      await api.call('channels.add', input)
      setName('')
      setUrl('')
      setTarget('')
      setSecret('')
      onAdded()
    } catch (err) {
      setError(toApiCallError(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <form className="add-channel" onSubmit={(e) => void submit(e)} data-testid="add-channel-form">
      <h3>{t('channels.addTitle')}</h3>
      <div className="form-grid">
        <label htmlFor={`${ids}-kind`}>{t('channels.kind')}</label>
        <select id={`${ids}-kind`} value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`channels.kind_${k}`)}
            </option>
          ))}
        </select>
        <label htmlFor={`${ids}-name`}>{t('channels.name')}</label>
        <input
          id={`${ids}-name`}
          required
          maxLength={100}
          value={name}
          placeholder={t('channels.namePlaceholder')}
          onChange={(e) => setName(e.target.value)}
        />
        <label htmlFor={`${ids}-url`}>
          {kind === 'webhook' ? t('channels.webhookUrl') : t('channels.server')}
        </label>
        <input
          id={`${ids}-url`}
          type="url"
          required={kind === 'webhook'}
          maxLength={500}
          value={url}
          placeholder={
            kind === 'telegram'
              ? 'https://api.telegram.org'
              : kind === 'ntfy'
                ? 'https://ntfy.sh'
                : 'https://'
          }
          onChange={(e) => setUrl(e.target.value)}
        />
        {kind !== 'webhook' ? (
          <>
            <label htmlFor={`${ids}-target`}>
              {kind === 'telegram' ? t('channels.chatId') : t('channels.topic')}
            </label>
            <input
              id={`${ids}-target`}
              required
              maxLength={200}
              value={target}
              onChange={(e) => setTarget(e.target.value)}
            />
          </>
        ) : null}
        <label htmlFor={`${ids}-secret`}>
          {kind === 'telegram' ? t('channels.botToken') : t('channels.token')}
        </label>
        <input
          id={`${ids}-secret`}
          type="password"
          required={kind === 'telegram'}
          maxLength={2000}
          autoComplete="new-password"
          value={secret}
          data-testid="channel-secret"
          onChange={(e) => setSecret(e.target.value)}
        />
        <label htmlFor={`${ids}-level`}>{t('channels.minLevel')}</label>
        <select
          id={`${ids}-level`}
          value={minLevel}
          onChange={(e) => setMinLevel(e.target.value as Channel['minLevel'])}
        >
          {LEVELS.map((l) => (
            <option key={l} value={l}>
              {t(`level.${l}`)}
            </option>
          ))}
        </select>
      </div>
      <p className="small muted">{t('channels.secretNote')}</p>
      <ErrorNote error={error} />
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={busy}>
          {t('channels.add')}
        </button>
      </div>
    </form>
  )
}
