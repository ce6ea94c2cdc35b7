import type { EventView, Input } from '../../main/api/types'

import type { Client } from './api/client'

/** What the history page filters on; the export pages through exactly the same query. */
export type HistoryFilter = Omit<Input<'history.query'>, 'before' | 'limit'>

export const EXPORT_PAGE_SIZE = 1000

/** The columns of a CSV export, in order. The raw event data goes last, as JSON. */
export const CSV_COLUMNS = [
  'time',
  'account',
  'kind',
  'type',
  'exchange_record_id',
  'origin',
  'observed_at',
  'ip',
  'country',
  'symbol',
  'side',
  'amount',
  'currency',
  'price',
  'address',
  'key_id',
  'data'
] as const

// Spreadsheets run a cell that starts with one of these as a formula. Exchange data can carry
// text an attacker chose (a device string, an address label), so such cells get a leading
// apostrophe: shown as text, never evaluated.
const FORMULA_START = /^[=+\-@\t\r]/

/**
 * One CSV cell per RFC 4180: quoted when it holds a comma, a quote or a line break, with quotes
 * doubled. Strings that a spreadsheet would run as a formula are defused; numbers stay numbers.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return ''
  let text: string
  if (typeof value === 'number') text = Number.isFinite(value) ? String(value) : ''
  else if (typeof value === 'boolean') text = value ? 'true' : 'false'
  else if (typeof value === 'string') text = FORMULA_START.test(value) ? `'${value}` : value
  else text = JSON.stringify(value)
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

export function csvRow(values: readonly unknown[]): string {
  return values.map(csvCell).join(',')
}

const pick = (data: Record<string, unknown>, ...keys: string[]): unknown => {
  for (const key of keys) {
    const v = data[key]
    if (v !== undefined && v !== null && v !== '') return v
  }
  return undefined
}

/** An event as one CSV line's values, matching CSV_COLUMNS. */
export function eventCsvValues(event: EventView, accountLabel: (id: string) => string): unknown[] {
  const d = event.data
  return [
    new Date(event.ts).toISOString(),
    accountLabel(event.accountId),
    event.kind,
    event.type,
    event.exchangeRecordId,
    event.origin,
    new Date(event.observedAt).toISOString(),
    pick(d, 'ip'),
    pick(d, 'country'),
    pick(d, 'symbol'),
    pick(d, 'side'),
    pick(d, 'amount', 'total'),
    pick(d, 'currency'),
    pick(d, 'price'),
    pick(d, 'address', 'to'),
    pick(d, 'keyId'),
    d
  ]
}

/**
 * The whole CSV file. CRLF line ends (RFC 4180) and a byte-order mark so spreadsheet programs
 * read the UTF-8 (Chinese labels, city names) correctly.
 */
export function eventsToCsv(events: EventView[], accountLabel: (id: string) => string): string {
  const lines = [csvRow(CSV_COLUMNS), ...events.map((e) => csvRow(eventCsvValues(e, accountLabel)))]
  return `\uFEFF${lines.join('\r\n')}\r\n`
}

export function eventsToJson(
  events: EventView[],
  filter: HistoryFilter,
  exportedAt: number
): string {
  return JSON.stringify(
    {
      exportedAt: new Date(exportedAt).toISOString(),
      filter: {
        ...filter,
        ...(filter.from !== undefined ? { from: new Date(filter.from).toISOString() } : {}),
        ...(filter.to !== undefined ? { to: new Date(filter.to).toISOString() } : {})
      },
      count: events.length,
      events
    },
    null,
    2
  )
}

export interface ExportProgress {
  /** Events read so far. */
  count: number
  /** 0..1 when the time range is known, otherwise null (only the count can be shown). */
  fraction: number | null
}

/**
 * Reads every event matching the filter, page by page through history.query's keyset cursor
 * (newest first). Progress is reported after each page; the signal stops it between pages.
 */
export async function collectHistory(
  api: Client,
  filter: HistoryFilter,
  options: {
    onProgress?: (progress: ExportProgress) => void
    signal?: AbortSignal
    pageSize?: number
    now?: number
  } = {}
): Promise<EventView[]> {
  const pageSize = options.pageSize ?? EXPORT_PAGE_SIZE
  const events: EventView[] = []
  const upper = filter.to ?? options.now ?? Date.now()
  let before: { ts: number; id: number } | undefined
  for (;;) {
    if (options.signal?.aborted) throw new DOMException('export cancelled', 'AbortError')
    const page = await api.call('history.query', {
      ...filter,
      limit: pageSize,
      ...(before ? { before } : {})
    })
    for (const e of page.events) events.push(e)
    const oldest = page.events[page.events.length - 1]
    let fraction: number | null = null
    if (!page.next) fraction = 1
    else if (filter.from !== undefined && oldest && upper > filter.from) {
      fraction = Math.min(1, Math.max(0, (upper - oldest.ts) / (upper - filter.from)))
    }
    options.onProgress?.({ count: events.length, fraction })
    if (!page.next) return events
    before = page.next
  }
}

/** "vigil-history-20261122-0930.csv" in local time. */
export function exportFilename(extension: 'csv' | 'json', at: number): string {
  const d = new Date(at)
  const two = (n: number) => String(n).padStart(2, '0')
  const stamp = `${d.getFullYear()}${two(d.getMonth() + 1)}${two(d.getDate())}-${two(d.getHours())}${two(d.getMinutes())}`
  return `vigil-history-${stamp}.${extension}`
}
