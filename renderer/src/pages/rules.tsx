import { useId, useState, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'

import type { AccountView, RuleView } from '../../../main/api/types'
import type { ApiCallError } from '../api/client'
import { toApiCallError } from '../api/errors'
import { LevelBadge } from '../components/badges'
import { ErrorNote } from '../components/error-note'
import { Card, PageHeader } from '../components/page'
import { formatTime } from '../format'
import { useLive } from '../hooks/live'
import { useAction } from '../hooks/use-action'
import { useApi } from '../hooks/use-api'
import { accountName, useAccounts } from '../hooks/use-data'
import { useQuery } from '../hooks/use-query'
import { localText, pick } from '../i18n/core-text'

const LEVELS = ['info', 'low', 'medium', 'high', 'critical'] as const
type Level = (typeof LEVELS)[number]
type ParamValue = number | boolean | string | null

export function RulesPage() {
  const { t, i18n } = useTranslation()
  const rules = useQuery((api) => api.call('rules.list', {}), 'rules')
  const [filter, setFilter] = useState('')
  const [updated, setUpdated] = useState<Record<string, RuleView>>({})
  const needle = filter.trim().toLowerCase()
  const all = (rules.data ?? []).map((r) => updated[r.id] ?? r)
  const titleOf = (r: RuleView) => localText(r, 'title', i18n.language)
  const shown = [...all]
    // Most severe first: those are the rules a trader wants to check.
    .sort(
      (a, b) =>
        LEVELS.indexOf(b.level) - LEVELS.indexOf(a.level) ||
        titleOf(a).localeCompare(titleOf(b), i18n.language)
    )
    .filter(
      (r) =>
        !needle ||
        r.title.toLowerCase().includes(needle) ||
        titleOf(r).toLowerCase().includes(needle) ||
        r.id.toLowerCase().includes(needle) ||
        r.kind.toLowerCase().includes(needle)
    )
  const enabled = all.filter((r) => r.enabled).length

  return (
    <div className="page">
      <PageHeader
        title={t('rules.title')}
        actions={
          <input
            type="search"
            aria-label={t('rules.filter')}
            placeholder={t('rules.filter')}
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
          />
        }
      />
      <div className="rules-top">
        <ExceptionsCard />
        <SilencesCard />
      </div>
      <p className="muted small">
        {t('rules.summary', { enabled, total: all.length })} {t('rules.readOnly')}
      </p>
      <ErrorNote error={rules.error} />
      <div className="rule-list">
        {shown.map((r) => (
          <RuleCard
            key={r.id}
            rule={r}
            onSaved={(next) => {
              setUpdated((u) => ({ ...u, [next.id]: next }))
            }}
          />
        ))}
      </div>
    </div>
  )
}

const isEditable = (v: unknown): v is ParamValue =>
  v === null || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string'

/** The text an input holds for a parameter value. */
const asInput = (v: ParamValue): string => (v === null ? '' : String(v))

/** Back from the input's text to what rules.update takes; main validates the rest. */
export function parseParam(original: ParamValue, text: string): ParamValue {
  if (typeof original === 'boolean') return text === 'true'
  if (typeof original === 'number' || original === null) {
    const trimmed = text.trim()
    if (trimmed === '') return null
    const n = Number(trimmed)
    return Number.isFinite(n) ? n : trimmed
  }
  return text
}

function RuleCard({ rule, onSaved }: { rule: RuleView; onSaved: (rule: RuleView) => void }) {
  const { t, i18n } = useTranslation()
  const api = useApi()
  const ids = useId()
  const editable = Object.entries(rule.params).filter((e): e is [string, ParamValue] =>
    isEditable(e[1])
  )
  const fixed = Object.entries(rule.params).filter(([, v]) => !isEditable(v))
  const [draft, setDraft] = useState<Record<string, string>>(() =>
    Object.fromEntries(editable.map(([k, v]) => [k, asInput(v)]))
  )
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiCallError | null>(null)
  const [saved, setSaved] = useState(false)

  const changed = editable.filter(([k, v]) => draft[k] !== asInput(v))
  // The server names the parameter it refused ("param historyDays must be ≥ 1").
  const invalid = error
    ? editable.map(([k]) => k).filter((k) => new RegExp(`\\b${k}\\b`).test(error.message))
    : []

  async function update(patch: { enabled?: boolean; level?: Level }) {
    setBusy(true)
    setError(null)
    setSaved(false)
    try {
      onSaved(await api.call('rules.update', { ruleId: rule.id, ...patch }))
    } catch (err) {
      setError(toApiCallError(err))
    } finally {
      setBusy(false)
    }
  }

  async function saveParams(event: FormEvent) {
    event.preventDefault()
    if (!changed.length) return
    setBusy(true)
    setError(null)
    setSaved(false)
    try {
      const params = Object.fromEntries(changed.map(([k, v]) => [k, parseParam(v, draft[k])]))
      const next = await api.call('rules.update', { ruleId: rule.id, params })
      setDraft(
        Object.fromEntries(
          Object.entries(next.params)
            .filter((e): e is [string, ParamValue] => isEditable(e[1]))
            .map(([k, v]) => [k, asInput(v)])
        )
      )
      setSaved(true)
      onSaved(next)
    } catch (err) {
      setError(toApiCallError(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <Card className={`rule ${rule.enabled ? '' : 'disabled'}`} testId="rule-card">
      <div className="rule-head" data-rule={rule.id}>
        <label className="switch" title={t('rules.toggleExplain')}>
          <input
            type="checkbox"
            role="switch"
            checked={rule.enabled}
            disabled={busy}
            data-testid="rule-toggle"
            aria-label={t('rules.toggle', { title: localText(rule, 'title', i18n.language) })}
            onChange={(e) => void update({ enabled: e.target.checked })}
          />
          <span
            className={`badge ${rule.enabled ? 'status-watching' : 'subtle'}`}
            data-testid="rule-enabled"
          >
            {rule.enabled ? t('rules.enabled') : t('rules.disabled')}
          </span>
        </label>
        <LevelBadge level={rule.level} />
        <strong>{localText(rule, 'title', i18n.language)}</strong>
        <span className="muted small">
          {t('rules.kind')}: <code>{rule.kind}</code> · {t('rules.status')}: {rule.status}
        </span>
      </div>
      <p className="small">{localText(rule, 'description', i18n.language)}</p>
      <ErrorNote error={error} />
      <details>
        <summary>{t('rules.details')}</summary>
        <p className="small muted">
          <code>{rule.id}</code>
        </p>
        <div className="form-grid rule-level">
          <label htmlFor={`${ids}-level`}>{t('rules.level')}</label>
          <select
            id={`${ids}-level`}
            value={rule.level}
            disabled={busy}
            data-testid="rule-level"
            onChange={(e) => void update({ level: e.target.value as Level })}
          >
            {LEVELS.map((l) => (
              <option key={l} value={l}>
                {t(`level.${l}`)}
              </option>
            ))}
          </select>
        </div>
        {editable.length ? (
          <form
            className="params-form"
            onSubmit={(e) => void saveParams(e)}
            data-testid="rule-params"
          >
            <h4>{t('rules.thresholds')}</h4>
            <div className="params-grid">
              {editable.map(([k, v]) => (
                <label key={k} className="param">
                  <span className="small">
                    {t(`reasoning.${k}`, { defaultValue: k })} <code className="muted">{k}</code>
                  </span>
                  {typeof v === 'boolean' ? (
                    <input
                      type="checkbox"
                      checked={draft[k] === 'true'}
                      data-testid={`param-${k}`}
                      onChange={(e) => setDraft((d) => ({ ...d, [k]: String(e.target.checked) }))}
                    />
                  ) : (
                    <input
                      type={typeof v === 'string' ? 'text' : 'number'}
                      step="any"
                      value={draft[k] ?? ''}
                      aria-invalid={invalid.includes(k) || undefined}
                      data-testid={`param-${k}`}
                      onChange={(e) => setDraft((d) => ({ ...d, [k]: e.target.value }))}
                    />
                  )}
                </label>
              ))}
            </div>
            <div className="form-actions">
              <button
                type="submit"
                className="button primary small"
                data-testid="rule-save"
                disabled={busy || !changed.length}
              >
                {t('rules.saveParams')}
              </button>
              <button
                type="button"
                className="button small"
                disabled={busy || !changed.length}
                onClick={() => {
                  setError(null)
                  setDraft(Object.fromEntries(editable.map(([k, v]) => [k, asInput(v)])))
                }}
              >
                {t('common.reset')}
              </button>
              {saved && !changed.length ? (
                <span className="success-note small" role="status" data-testid="rule-saved">
                  {t('rules.saved')}
                </span>
              ) : null}
            </div>
          </form>
        ) : null}
        {fixed.length ? (
          <dl className="facts params">
            {fixed.map(([k, v]) => (
              <div key={k}>
                <dt>{k}</dt>
                <dd className="mono">{JSON.stringify(v)}</dd>
              </div>
            ))}
          </dl>
        ) : null}
        {rule.falsepositives.length ? (
          <>
            <h4>{t('rules.falsepositives')}</h4>
            <ul className="small">
              {(pick(rule.i18n, i18n.language)?.falsepositives ?? rule.falsepositives).map(
                (fp, i) => (
                  <li key={i}>{fp}</li>
                )
              )}
            </ul>
          </>
        ) : null}
      </details>
    </Card>
  )
}

/** What an exception or a silence covers: one rule or all, one account or all. */
function ScopeCell({
  ruleId,
  accountId,
  accounts
}: {
  ruleId: string | null
  accountId: string | null
  accounts: AccountView[] | undefined
}) {
  const { t } = useTranslation()
  return (
    <td className="small">
      <div>{ruleId ? <code>{ruleId}</code> : t('exceptions.allRules')}</div>
      <div className="muted">
        {accountId ? accountName(accounts, accountId) : t('exceptions.allAccounts')}
      </div>
    </td>
  )
}

function ExceptionsCard() {
  const { t, i18n } = useTranslation()
  const api = useApi()
  const { revisions } = useLive()
  const accounts = useAccounts()
  const list = useQuery(
    (client) => client.call('exceptions.list', {}),
    `exceptions:${revisions.incidents}`,
    'exceptions'
  )
  const action = useAction()
  const remove = (exceptionId: string) =>
    action.run(() => api.call('exceptions.remove', { exceptionId }), list.reload)

  return (
    <Card title={t('exceptions.title')} testId="exceptions-card">
      <p className="small muted">{t('exceptions.explain')}</p>
      <ErrorNote error={list.error ?? action.error} />
      {list.data?.length === 0 ? <p className="muted small">{t('exceptions.none')}</p> : null}
      {list.data?.length ? (
        <table className="table compact exceptions-table">
          <thead>
            <tr>
              <th>{t('exceptions.what')}</th>
              <th>{t('exceptions.scope')}</th>
              <th>{t('exceptions.added')}</th>
              <th>
                <span className="sr-only">{t('common.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((x) => (
              <tr key={x.id} data-testid="exception-row">
                <td>
                  <div className="muted small nowrap">
                    {t(`exceptionField.${x.field}`, { defaultValue: x.field })}
                  </div>
                  <code className="break">{x.value}</code>
                </td>
                <ScopeCell ruleId={x.ruleId} accountId={x.accountId} accounts={accounts.data} />
                <td className="small nowrap">{formatTime(x.createdAt, i18n.language)}</td>
                <td className="right">
                  <button
                    type="button"
                    className="button small"
                    data-testid="remove-exception"
                    onClick={() => void remove(x.id)}
                  >
                    {t('exceptions.remove')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </Card>
  )
}

function SilencesCard() {
  const { t, i18n } = useTranslation()
  const api = useApi()
  const accounts = useAccounts()
  const list = useQuery((client) => client.call('silences.list', {}), 'silences')
  const action = useAction()
  const remove = (silenceId: string) =>
    action.run(() => api.call('silences.remove', { silenceId }), list.reload)

  return (
    <Card title={t('silences.title')} testId="silences-card">
      <p className="small muted">{t('silences.explain')}</p>
      <ErrorNote error={list.error ?? action.error} />
      {list.data?.length === 0 ? <p className="muted small">{t('silences.none')}</p> : null}
      {list.data?.length ? (
        <table className="table compact">
          <thead>
            <tr>
              <th>{t('exceptions.scope')}</th>
              <th>{t('silences.until')}</th>
              <th>
                <span className="sr-only">{t('common.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((s) => (
              <tr key={s.id} data-testid="silence-row">
                <ScopeCell ruleId={s.ruleId} accountId={s.accountId} accounts={accounts.data} />
                <td className="small nowrap">{formatTime(s.until, i18n.language)}</td>
                <td className="right">
                  <button
                    type="button"
                    className="button small"
                    data-testid="remove-silence"
                    onClick={() => void remove(s.id)}
                  >
                    {t('silences.remove')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </Card>
  )
}
