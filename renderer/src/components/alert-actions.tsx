import { useId, useState } from 'react'
import { useTranslation } from 'react-i18next'

import type { AlertView, Input } from '../../../main/api/types'
import type { ApiCallError } from '../api/client'
import { toApiCallError } from '../api/errors'
import { useLive } from '../hooks/live'
import { useApi } from '../hooks/use-api'

import { ConfirmDialog } from './confirm-dialog'
import { ErrorNote } from './error-note'

export type ExceptionField = Input<'exceptions.add'>['field']

/** The fields "this is me" can hold, in the order a trader recognises them, and where each sits. */
export const EXCEPTION_FIELDS: ReadonlyArray<{ field: ExceptionField; keys: string[] }> = [
  { field: 'ip', keys: ['ip'] },
  { field: 'country', keys: ['country'] },
  { field: 'device', keys: ['device'] },
  { field: 'network', keys: ['network'] },
  { field: 'asn', keys: ['asn'] },
  { field: 'symbol', keys: ['symbol'] },
  { field: 'address', keys: ['address'] },
  { field: 'to', keys: ['to'] },
  { field: 'keyId', keys: ['keyId'] },
  { field: 'currency', keys: ['currency'] }
]

export interface ExceptionChoice {
  field: ExceptionField
  value: string
  /** Extra words that help recognise the value: an AS number's organisation, a city. */
  hint?: string
}

const asText = (v: unknown): string | null =>
  typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null

/**
 * Every distinct value in the alert's evidence that an exception could hold, newest event first
 * (the one that raised the alert is usually the last piece of evidence).
 */
export function exceptionChoices(evidence: AlertView['evidence']): ExceptionChoice[] {
  const out: ExceptionChoice[] = []
  const seen = new Set<string>()
  const newestFirst = [...evidence].sort((a, b) => b.ts - a.ts || b.id - a.id)
  for (const { field, keys } of EXCEPTION_FIELDS) {
    for (const event of newestFirst) {
      for (const key of keys) {
        const value = asText(event.data[key])
        if (!value || seen.has(`${field}\u0000${value}`)) continue
        seen.add(`${field}\u0000${value}`)
        const hint =
          field === 'asn'
            ? asText(event.data.asnOrg)
            : field === 'ip' || field === 'country'
              ? asText(event.data.city)
              : null
        out.push(hint ? { field, value, hint } : { field, value })
      }
    }
  }
  return out
}

/**
 * "This is me": the trader picks which value in the evidence is theirs (an IP, a country, a
 * device…) and whether it covers this rule only or every rule. Main acknowledges the incident and
 * stops its countdown.
 */
export function ThisIsMeButton({ alert, onDone }: { alert: AlertView; onDone: () => void }) {
  const { t } = useTranslation()
  const api = useApi()
  const live = useLive()
  const name = useId()
  const choices = exceptionChoices(alert.evidence)
  const [open, setOpen] = useState(false)
  const [picked, setPicked] = useState(0)
  const [allRules, setAllRules] = useState(false)
  const [error, setError] = useState<ApiCallError | null>(null)
  const [saved, setSaved] = useState<ExceptionChoice | null>(null)

  async function save() {
    const choice = choices[picked]
    if (!choice) return
    setError(null)
    try {
      await api.call('exceptions.add', {
        alertId: alert.id,
        field: choice.field,
        value: choice.value,
        ...(allRules ? { allRules: true } : {})
      })
      setSaved(choice)
      setOpen(false)
      live.refresh()
      onDone()
    } catch (err) {
      setError(toApiCallError(err))
    }
  }

  if (!choices.length) return null
  return (
    <>
      <button
        type="button"
        className="button small"
        data-testid="this-is-me"
        title={t('thisIsMe.explain')}
        onClick={() => {
          setError(null)
          setOpen(true)
        }}
      >
        {t('thisIsMe.button')}
      </button>
      {saved ? (
        <span className="success-note small" role="status" data-testid="this-is-me-saved">
          {t('thisIsMe.saved', { field: t(`exceptionField.${saved.field}`), value: saved.value })}
        </span>
      ) : null}
      {open ? (
        <ConfirmDialog
          title={t('thisIsMe.title')}
          confirmLabel={t('thisIsMe.confirm')}
          confirmTestId="confirm-this-is-me"
          onCancel={() => setOpen(false)}
          onConfirm={() => void save()}
        >
          <p>{t('thisIsMe.explain')}</p>
          <fieldset className="choice-list" data-testid="this-is-me-fields">
            <legend>{t('thisIsMe.which')}</legend>
            {choices.map((c, i) => (
              <label key={`${c.field}:${c.value}`} className="choice">
                <input
                  type="radio"
                  name={`${name}-field`}
                  value={`${c.field}:${c.value}`}
                  checked={picked === i}
                  data-testid={`this-is-me-${c.field}`}
                  onChange={() => setPicked(i)}
                />
                <span className="choice-field">{t(`exceptionField.${c.field}`)}</span>
                <code className="choice-value">{c.value}</code>
                {c.hint ? <span className="muted small">{c.hint}</span> : null}
              </label>
            ))}
          </fieldset>
          <fieldset className="choice-list">
            <legend>{t('thisIsMe.scope')}</legend>
            <label className="choice">
              <input
                type="radio"
                name={`${name}-scope`}
                checked={!allRules}
                data-testid="this-is-me-scope-rule"
                onChange={() => setAllRules(false)}
              />
              <span>
                {t('thisIsMe.scopeRule')} <code>{alert.rule}</code>
              </span>
            </label>
            <label className="choice">
              <input
                type="radio"
                name={`${name}-scope`}
                checked={allRules}
                data-testid="this-is-me-scope-all"
                onChange={() => setAllRules(true)}
              />
              <span>{t('thisIsMe.scopeAll')}</span>
            </label>
          </fieldset>
          <p className="small muted">{t('thisIsMe.effect')}</p>
          <ErrorNote error={error} />
        </ConfirmDialog>
      ) : null}
    </>
  )
}

export const SILENCE_MINUTES = [60, 24 * 60, 7 * 24 * 60] as const

/** Silence: alerts are still recorded, but they stop interrupting for a while. */
export function SilenceButton({ alert }: { alert: AlertView }) {
  const { t, i18n } = useTranslation()
  const api = useApi()
  const name = useId()
  const [open, setOpen] = useState(false)
  const [target, setTarget] = useState<'rule' | 'account'>('rule')
  const [minutes, setMinutes] = useState<number>(SILENCE_MINUTES[0])
  const [error, setError] = useState<ApiCallError | null>(null)
  const [until, setUntil] = useState<number | null>(null)

  async function save() {
    setError(null)
    try {
      const silence = await api.call('silences.add', {
        accountId: alert.accountId,
        ...(target === 'rule' ? { ruleId: alert.rule } : {}),
        minutes
      })
      setUntil(silence.until)
      setOpen(false)
    } catch (err) {
      setError(toApiCallError(err))
    }
  }

  return (
    <>
      <button
        type="button"
        className="button small"
        data-testid="silence"
        onClick={() => {
          setError(null)
          setOpen(true)
        }}
      >
        {t('silence.button')}
      </button>
      {until ? (
        <span className="success-note small" role="status" data-testid="silence-saved">
          {t('silence.saved', {
            when: new Intl.DateTimeFormat(i18n.language, {
              dateStyle: 'short',
              timeStyle: 'short'
            }).format(until)
          })}
        </span>
      ) : null}
      {open ? (
        <ConfirmDialog
          title={t('silence.title')}
          confirmLabel={t('silence.confirm')}
          confirmTestId="confirm-silence"
          onCancel={() => setOpen(false)}
          onConfirm={() => void save()}
        >
          <p>{t('silence.explain')}</p>
          <fieldset className="choice-list">
            <legend>{t('silence.what')}</legend>
            <label className="choice">
              <input
                type="radio"
                name={`${name}-target`}
                checked={target === 'rule'}
                data-testid="silence-rule"
                onChange={() => setTarget('rule')}
              />
              <span>
                {t('silence.rule')} <code>{alert.rule}</code>
              </span>
            </label>
            <label className="choice">
              <input
                type="radio"
                name={`${name}-target`}
                checked={target === 'account'}
                data-testid="silence-account"
                onChange={() => setTarget('account')}
              />
              <span>{t('silence.account')}</span>
            </label>
          </fieldset>
          <fieldset className="choice-list inline">
            <legend>{t('silence.howLong')}</legend>
            {SILENCE_MINUTES.map((m) => (
              <label key={m} className="choice">
                <input
                  type="radio"
                  name={`${name}-minutes`}
                  checked={minutes === m}
                  data-testid={`silence-${m}`}
                  onChange={() => setMinutes(m)}
                />
                <span>{t(`silence.for_${m}`)}</span>
              </label>
            ))}
          </fieldset>
          <ErrorNote error={error} />
        </ConfirmDialog>
      ) : null}
    </>
  )
}
