import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'

import type { AccountView, Output } from '../../../main/api/types'
import type { ApiCallError } from '../api/client'
import { toApiCallError } from '../api/errors'
import { useApi } from '../hooks/use-api'
import { useDemoInfo } from '../hooks/use-data'
import { useQuery } from '../hooks/use-query'
import { messageText } from '../i18n/message'
import { href } from '../router'

import { CapabilityTable, KeyTable, PostureList } from './account-card'
import { ErrorNote } from './error-note'
import { Card } from './page'

export const WIZARD_STEPS = ['exchange', 'key', 'review', 'backfill'] as const
export type WizardStep = (typeof WIZARD_STEPS)[number]

type TestResult = Output<'accounts.test'>

/** How often the wizard re-reads the account while history is read, in case events are missed. */
export const BACKFILL_POLL_MS = 2000

/**
 * Adding a key, one step at a time: pick the exchange, enter the key, test it (nothing stored),
 * read what Vigil can see there and what is wrong with the key BEFORE saving, save, then watch
 * the history being read. In demo mode the same steps run on the simulator's spare account.
 *
 * `rotate` turns it into key rotation (also how a contained account is re-armed): the new key is
 * tested, then replaces the stored one with accounts.rearm; history and incidents stay. The old key
 * stays valid on the exchange until revoked there.
 */
export function AddKeyWizard({
  onAdded,
  rotate,
  onRotateDone
}: {
  onAdded: () => void
  rotate?: AccountView | null
  onRotateDone?: () => void
}) {
  const { t, i18n } = useTranslation()
  const api = useApi()
  const ids = useId()
  const demo = useDemoInfo()
  const exchanges = useQuery((client) => client.call('exchanges.list', {}), 'exchanges')
  const spare = demo.data?.demo ? demo.data.spare : null

  const [step, setStep] = useState<WizardStep>(rotate ? 'key' : 'exchange')
  const [simulated, setSimulated] = useState(false)
  const [search, setSearch] = useState('')
  const [exchange, setExchange] = useState(rotate?.exchange ?? '')
  const [label, setLabel] = useState(rotate?.label ?? '')
  const [apiKey, setApiKey] = useState('')
  // Held only until saved; main never sends a secret back.
  const [secret, setSecret] = useState('')
  const [password, setPassword] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiCallError | null>(null)
  const [tested, setTested] = useState<TestResult | null>(null)
  const [added, setAdded] = useState<AccountView | null>(null)
  const heading = useRef<HTMLHeadingElement>(null)
  const firstRender = useRef(true)
  const live = useLiveAccount(added)
  const finished = backfillDone(live)

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
  const exchangeName = chosen?.name ?? exchange

  // The account list elsewhere on the page catches up the moment the history is read.
  useEffect(() => {
    if (finished) onAdded()
  }, [finished, onAdded])

  // Keyboard and screen-reader users land on the new step's heading, not back at the top.
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false
      return
    }
    heading.current?.focus()
  }, [step])

  function forgetSecrets() {
    setApiKey('')
    setSecret('')
    setPassword('')
  }

  function restart() {
    forgetSecrets()
    setStep('exchange')
    setSimulated(false)
    setExchange('')
    setLabel('')
    setTested(null)
    setAdded(null)
    setError(null)
  }

  function startSimulated() {
    if (!spare) return
    setSimulated(true)
    setExchange(spare.exchange)
    setLabel(spare.label)
    forgetSecrets()
    setError(null)
    setTested(null)
    setStep('key')
  }

  const credentials = () =>
    simulated
      ? { exchange, simulated: true as const }
      : {
          exchange,
          apiKey: apiKey.trim(),
          secret,
          ...(chosen?.needsPassword ? { password } : {})
        }

  async function test(event: FormEvent) {
    event.preventDefault()
    setBusy(true)
    setError(null)
    setTested(null)
    try {
      const result = await api.call('accounts.test', credentials())
      setTested(result)
      if (result.ok) setStep('review')
    } catch (err) {
      setError(toApiCallError(err))
    } finally {
      setBusy(false)
    }
  }

  async function save() {
    setBusy(true)
    setError(null)
    try {
      const account = rotate
        ? // Same account, fresh key: history and incidents stay, watching goes on with the new key.
          await api.call('accounts.rearm', {
            accountId: rotate.id,
            apiKey: apiKey.trim(),
            secret,
            ...(chosen?.needsPassword ? { password } : {})
          })
        : await api.call('accounts.add', { ...credentials(), label: label.trim() })
      forgetSecrets()
      setAdded(account)
      setStep('backfill')
      onAdded()
    } catch (err) {
      setError(toApiCallError(err))
    } finally {
      setBusy(false)
    }
  }

  const title = rotate
    ? t('wizard.rotateTitle', { name: `${rotate.exchange} · ${rotate.label}` })
    : t('wizard.title')

  return (
    <Card title={title} className="wizard" testId="add-key-wizard">
      <ol className="wizard-steps" aria-label={t('wizard.stepsLabel')}>
        {WIZARD_STEPS.map((s, i) => (
          <li
            key={s}
            className={
              WIZARD_STEPS.indexOf(step) > i || (s === 'backfill' && finished)
                ? 'done'
                : s === step
                  ? 'current'
                  : ''
            }
            aria-current={s === step ? 'step' : undefined}
            data-testid={`wizard-step-${s}`}
          >
            <span className="step-number" aria-hidden="true">
              {i + 1}
            </span>
            {t(`wizard.step_${s}`)}
          </li>
        ))}
      </ol>
      {rotate ? (
        <p className="wizard-note small" data-testid="rotate-note">
          {t('wizard.rotateExplain')}
        </p>
      ) : null}

      {step === 'exchange' ? (
        <section className="wizard-body" data-testid="wizard-exchange">
          <h3 ref={heading} tabIndex={-1}>
            {t('wizard.exchangeTitle')}
          </h3>
          {spare ? (
            <div className="simulated-offer" data-testid="simulated-offer">
              <div>
                <strong>{t('wizard.simulatedTitle')}</strong>
                <p className="small muted">
                  {t('wizard.simulatedExplain', { label: spare.label })}
                </p>
              </div>
              <button
                type="button"
                className="button primary"
                data-testid="try-simulated"
                onClick={startSimulated}
              >
                {t('wizard.simulatedButton')}
              </button>
            </div>
          ) : null}
          <form
            className="wizard-form"
            onSubmit={(e) => {
              e.preventDefault()
              if (chosen) setStep('key')
            }}
          >
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
              size={8}
              required
              value={exchange}
              data-testid="exchange-select"
              onChange={(e) => {
                setExchange(e.target.value)
                setSimulated(false)
              }}
              onDoubleClick={() => chosen && setStep('key')}
            >
              {shown.map((x) => (
                <option key={x.id} value={x.id}>
                  {x.name}
                  {x.deep ? ` — ${t('accounts.deep')}` : ''}
                </option>
              ))}
            </select>
            <p className="small muted" data-testid="exchange-count">
              {t('wizard.exchangeCount', { shown: shown.length, total: sorted.length })}
            </p>
            {chosen ? (
              <p className="small" data-testid="exchange-support">
                <strong>{chosen.name}</strong> ·{' '}
                {chosen.deep ? t('accounts.deepExplain') : t('accounts.genericExplain')}
              </p>
            ) : null}
            <ErrorNote error={exchanges.error} />
            <div className="wizard-actions">
              <button
                type="submit"
                className="button primary"
                data-testid="wizard-next"
                disabled={!chosen}
              >
                {t('wizard.next')}
              </button>
            </div>
          </form>
        </section>
      ) : null}

      {step === 'key' ? (
        <section className="wizard-body" data-testid="wizard-key">
          <h3 ref={heading} tabIndex={-1}>
            {simulated
              ? t('wizard.keyTitleSimulated')
              : t('wizard.keyTitle', { exchange: exchangeName })}
          </h3>
          <form
            className="wizard-form"
            onSubmit={(e) => void test(e)}
            data-testid="add-account-form"
            autoComplete="off"
          >
            <label htmlFor={`${ids}-label`}>{t('accounts.label')}</label>
            <input
              id={`${ids}-label`}
              required
              maxLength={100}
              value={label}
              readOnly={Boolean(rotate)}
              data-testid="label-input"
              placeholder={t('accounts.labelPlaceholder')}
              onChange={(e) => setLabel(e.target.value)}
            />
            {simulated ? (
              <p className="keychain-note small" data-testid="simulated-note">
                <span>{t('wizard.simulatedKeyNote')}</span>
              </p>
            ) : (
              <>
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
              </>
            )}
            <p className="small muted">{t('wizard.testExplain')}</p>

            {tested && !tested.ok ? (
              <p className="error-note" role="alert" data-testid="test-error">
                <strong>{t('wizard.testFailed')}</strong>{' '}
                {messageText(tested.errorMsg, tested.error ?? '', i18n.language)}
              </p>
            ) : null}
            <ErrorNote error={error} />

            <div className="wizard-actions">
              {rotate ? null : (
                <button
                  type="button"
                  className="button"
                  data-testid="wizard-back"
                  onClick={() => {
                    setError(null)
                    setTested(null)
                    setStep('exchange')
                  }}
                >
                  {t('wizard.back')}
                </button>
              )}
              <button
                type="submit"
                className="button primary"
                data-testid="test-connection"
                disabled={busy || !exchange}
              >
                {busy ? t('wizard.testing') : t('wizard.test')}
              </button>
            </div>
          </form>
        </section>
      ) : null}

      {step === 'review' && tested ? (
        <section className="wizard-body" data-testid="wizard-review">
          <h3 ref={heading} tabIndex={-1}>
            {t('wizard.reviewTitle')}
          </h3>
          <p className="success-note" role="status" data-testid="test-ok">
            {t('wizard.testOk', { exchange: exchangeName })}
          </p>
          <div className="review-grid">
            <section data-testid="test-posture">
              <h4>{t('accounts.posture')}</h4>
              {tested.posture.length ? (
                <>
                  <p className="small muted">{t('wizard.postureExplain')}</p>
                  <PostureList posture={tested.posture} />
                </>
              ) : (
                <p className="small text-ok">{t('accounts.postureClean')}</p>
              )}
              {tested.keys.length ? (
                <details>
                  <summary>{t('accounts.keys', { n: tested.keys.length })}</summary>
                  <KeyTable keys={tested.keys} />
                </details>
              ) : null}
            </section>
            <section data-testid="test-capabilities">
              <h4>{t('accounts.capabilities')}</h4>
              <p className="small muted">
                {t('wizard.capabilitySummary', {
                  yes: tested.capabilities.filter((c) => c.supported).length,
                  no: tested.capabilities.filter((c) => !c.supported).length
                })}
              </p>
              <CapabilityTable capabilities={tested.capabilities} />
            </section>
          </div>
          <ErrorNote error={error} />
          <div className="wizard-actions">
            <button
              type="button"
              className="button"
              data-testid="wizard-back"
              onClick={() => {
                setError(null)
                setStep('key')
              }}
            >
              {t('wizard.back')}
            </button>
            <button
              type="button"
              className="button primary"
              data-testid="save-account"
              disabled={busy || !label.trim()}
              onClick={() => void save()}
            >
              {busy ? t('accounts.adding') : rotate ? t('wizard.saveRotate') : t('wizard.save')}
            </button>
          </div>
        </section>
      ) : null}

      {step === 'backfill' && added ? (
        <section className="wizard-body" data-testid="wizard-backfill">
          <h3 ref={heading} tabIndex={-1}>
            {t('wizard.backfillTitle')}
          </h3>
          <p className="success-note small" data-testid="account-added">
            {t('accounts.addedNote', {
              name: `${added.exchange} · ${added.label}`,
              hint: added.keyHint
            })}
          </p>
          {rotate ? (
            <p className="small muted" data-testid="rotate-done">
              {t('wizard.rotateDone')}
            </p>
          ) : null}
          <BackfillProgress account={live ?? added} />
          <div className="wizard-actions">
            <button
              type="button"
              className="button"
              data-testid="wizard-restart"
              onClick={() => {
                if (rotate) onRotateDone?.()
                else restart()
              }}
            >
              {rotate ? t('wizard.close') : t('wizard.addAnother')}
            </button>
            <a className="button" href={href('dashboard')}>
              {t('wizard.toOverview')}
            </a>
          </div>
        </section>
      ) : null}
    </Card>
  )
}

/**
 * Follows one account as main pushes its view through 'account' events while it reads history;
 * a slow poll covers a dropped event stream.
 */
export function useLiveAccount(account: AccountView | null): AccountView | null {
  const api = useApi()
  const [latest, setLatest] = useState<AccountView | null>(null)
  const id = account?.id

  useEffect(() => {
    if (!id) return
    let stopped = false
    const apply = (view: AccountView) => {
      if (!stopped && view.id === id) setLatest(view)
    }
    const off = api.on('account', apply)
    const timer = setInterval(() => {
      api.call('accounts.list', {}).then(
        (list) => {
          const found = list.find((a) => a.id === id)
          if (found) apply(found)
        },
        () => {
          // The event stream may still deliver; the next poll tries again.
        }
      )
    }, BACKFILL_POLL_MS)
    return () => {
      stopped = true
      off()
      clearInterval(timer)
    }
  }, [api, id])

  // A view pushed for an earlier account never stands in for this one.
  return latest && latest.id === id ? latest : account
}

export const backfillDone = (account: AccountView | null): boolean =>
  Boolean(account?.backfill?.done)

/** The history backfill of one account: a progress bar with main's own words for each stage. */
export function BackfillProgress({ account }: { account: AccountView }) {
  const { t, i18n } = useTranslation()
  const backfill = account.backfill
  const done = backfill?.done ?? false
  const progress = done ? 1 : (backfill?.progress ?? 0)
  const percent = Math.round(progress * 100)

  return (
    <div className="backfill-progress" data-testid="backfill" data-done={done}>
      <div className="backfill-bar">
        <progress
          value={progress}
          max={1}
          aria-label={t('wizard.backfillTitle')}
          aria-valuetext={`${percent} %`}
          data-testid="backfill-progress"
        />
        <span className="mono small" data-testid="backfill-percent">
          {percent} %
        </span>
      </div>
      <p className="small" role="status" aria-live="polite" data-testid="backfill-message">
        {backfill
          ? messageText(backfill.msg, backfill.message, i18n.language)
          : t('wizard.backfillWaiting')}
      </p>
      {done ? (
        <p className="success-note" data-testid="backfill-done">
          {t('wizard.backfillDone', { name: `${account.exchange} · ${account.label}` })}
        </p>
      ) : (
        <p className="small muted">{t('wizard.backfillExplain')}</p>
      )}
    </div>
  )
}
