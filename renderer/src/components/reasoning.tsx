import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'

import { formatNumber } from '../format'

// The numbers the trader asks about first.
const PRIMARY = ['threshold', 'observed', 'baseline']
// Already on screen elsewhere (the alert header and the evidence timeline).
const HIDDEN = new Set(['rule', 'kind', 'scope', 'evidenceRecords'])
const MAX_DEPTH = 3

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** "windowMinutes" → "Window minutes": readable when no translation exists. */
export function humanize(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase()
  return words.charAt(0).toUpperCase() + words.slice(1)
}

/**
 * The rule's reasoning: the headline numbers up front, everything else (learning state, the
 * rule's parameters, the fields it looked at) folded underneath, never raw JSON.
 */
export function Reasoning({ reasoning }: { reasoning: Record<string, unknown> }) {
  const { t } = useTranslation()
  const keys = Object.keys(reasoning).filter((k) => !HIDDEN.has(k))
  const rank = (k: string) => (PRIMARY.includes(k) ? PRIMARY.indexOf(k) : 99)
  const headline = keys
    .filter((k) => PRIMARY.includes(k) || !isObject(reasoning[k]))
    .sort((a, b) => rank(a) - rank(b))
  const detail = keys.filter((k) => !headline.includes(k))
  if (!keys.length) return null
  return (
    <div className="reasoning" data-testid="alert-reasoning">
      <dl className="facts">
        {headline.map((k) => (
          <div key={k} className={PRIMARY.includes(k) ? 'key-fact' : ''}>
            <dt>
              <Label name={k} />
            </dt>
            <dd>
              <Value value={reasoning[k]} depth={1} />
            </dd>
          </div>
        ))}
      </dl>
      {detail.length ? (
        <details>
          <summary>{t('alerts.moreReasoning')}</summary>
          <KeyValues value={Object.fromEntries(detail.map((k) => [k, reasoning[k]]))} depth={1} />
        </details>
      ) : null}
    </div>
  )
}

function Label({ name }: { name: string }) {
  const { t } = useTranslation()
  // Event paths such as data.ip are shown as they are: they name a field, not a concept.
  if (name.includes('.')) return <code>{name}</code>
  return <>{t(`reasoning.${name}`, { defaultValue: humanize(name) })}</>
}

function KeyValues({ value, depth }: { value: Record<string, unknown>; depth: number }) {
  return (
    <dl className="kv">
      {Object.entries(value).map(([k, v]) => (
        <div key={k}>
          <dt>
            <Label name={k} />
          </dt>
          <dd>
            <Value value={v} depth={depth + 1} />
          </dd>
        </div>
      ))}
    </dl>
  )
}

function Value({ value, depth }: { value: unknown; depth: number }): ReactNode {
  const { t, i18n } = useTranslation()
  if (value === null || value === undefined || value === '') return '—'
  if (typeof value === 'number') return formatNumber(value, i18n.language)
  if (typeof value === 'boolean') return value ? t('common.yes') : t('common.no')
  if (typeof value === 'string') return value
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== 'object')) {
      return value.length ? value.map((v) => String(v)).join(', ') : '—'
    }
  }
  if (isObject(value) && depth < MAX_DEPTH) return <KeyValues value={value} depth={depth} />
  return <code className="json">{JSON.stringify(value)}</code>
}
