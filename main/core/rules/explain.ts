/**
 * Fills a rule's explanation template. `{name}` takes a reasoning value (dotted paths reach into
 * nested objects), then a param, then an event field (`{data.ip}`, `{derived.country}`).
 * `{name:usd}`, `{name:pct}`, `{name:int}`, `{name:list}`, `{name:time}` and `{name:raw}` (ids:
 * no thousands separators) pick a format.
 */
import type { EventView } from './fields'

const MISSING = '(unknown)'

const EVENT_PATH = /^(?:(?:data|derived)\.|(?:type|kind|exchangeRecordId|accountId)$)/

function lookup(path: string, sources: Record<string, unknown>[]): unknown {
  // Keys may contain dots themselves (`group.data.side`): prefer the longest key that matches.
  const walk = (value: unknown, parts: string[]): unknown => {
    if (parts.length === 0) return value
    if (!value || typeof value !== 'object') return undefined
    const record = value as Record<string, unknown>
    for (let n = parts.length; n >= 1; n--) {
      const key = parts.slice(0, n).join('.')
      if (key in record) {
        const found = walk(record[key], parts.slice(n))
        if (found !== undefined) return found
      }
    }
    return undefined
  }
  for (const source of sources) {
    const value = walk(source, path.split('.'))
    if (value !== undefined) return value
  }
  return undefined
}

function formatNumber(n: number): string {
  if (Number.isInteger(n)) return n.toLocaleString('en-US')
  const abs = Math.abs(n)
  const digits = abs >= 100 ? 0 : abs >= 1 ? 2 : 4
  return n.toLocaleString('en-US', { maximumFractionDigits: digits })
}

function format(value: unknown, style: string | undefined): string {
  if (value === undefined || value === null || value === '') return MISSING
  switch (style) {
    case 'usd':
      return typeof value === 'number'
        ? `$${value.toLocaleString('en-US', { maximumFractionDigits: value >= 100 ? 0 : 2 })}`
        : String(value)
    case 'pct':
      return typeof value === 'number'
        ? `${formatNumber(Math.round(value * 1000) / 10)} %`
        : String(value)
    case 'int':
      return typeof value === 'number' ? Math.round(value).toLocaleString('en-US') : String(value)
    case 'time':
      return typeof value === 'number'
        ? new Date(value).toISOString().replace('.000Z', 'Z')
        : String(value)
    case 'raw':
      return Array.isArray(value) ? value.map(String).join(', ') : String(value)
    case 'list':
    default:
      if (Array.isArray(value))
        return value.length ? value.map((v) => format(v, undefined)).join(', ') : 'none'
      if (typeof value === 'number') return formatNumber(value)
      if (typeof value === 'object') return JSON.stringify(value)
      return String(value)
  }
}

/** Renders a template against the finding's reasoning, the rule's params and the event. */
export function renderExplanation(
  template: string,
  reasoning: Record<string, unknown>,
  params: Record<string, unknown>,
  view: EventView
): string {
  return template.replace(
    /\{([A-Za-z0-9_.]+)(?::([a-z]+))?\}/g,
    (_m, path: string, style?: string) => {
      const value = EVENT_PATH.test(path) ? view.get(path) : lookup(path, [reasoning, params])
      return format(value, style)
    }
  )
}
