import { useVirtualizer } from '@tanstack/react-virtual'
import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis
} from 'recharts'

import type { EventView, Input, Output } from '../../../main/api/types'
import type { ApiCallError } from '../api/client'
import { toApiCallError } from '../api/errors'
import { ErrorNote } from '../components/error-note'
import { Card, PageHeader } from '../components/page'
import { downloadText } from '../download'
import {
  collectHistory,
  eventsToCsv,
  eventsToJson,
  exportFilename,
  type ExportProgress
} from '../export'
import { eventFacts, formatTime } from '../format'
import { useApi } from '../hooks/use-api'
import { accountName, useAccounts } from '../hooks/use-data'

const EVENT_KINDS = [
  'login',
  'security',
  'key',
  'order',
  'fill',
  'balance',
  'position',
  'withdrawal',
  'deposit',
  'address',
  'transfer',
  'leverage'
] as const satisfies ReadonlyArray<EventView['kind']>
// Fails to compile when the contract gains a kind this list (filters, chart) does not show.
const everyKind: Exclude<EventView['kind'], (typeof EVENT_KINDS)[number]> extends never
  ? true
  : never = true
void everyKind

const PAGE_SIZE = 1000
const ROW_HEIGHT = 34
const HOUR = 3_600_000
const DAY = 24 * HOUR
// Past this many hourly bars the chart stops being readable; switch to days.
const MAX_HOURLY_BUCKETS = 24 * 45

type Query = Omit<Input<'history.query'>, 'before' | 'limit'>

interface Loaded {
  rows: EventView[]
  next: { ts: number; id: number } | null
  /** Counts per hour and kind, updated page by page so a long scroll never re-scans every row. */
  hourly: Map<number, Partial<Record<EventView['kind'], number>>>
}

const emptyLoaded = (): Loaded => ({ rows: [], next: null, hourly: new Map() })

export function HistoryPage() {
  const { t } = useTranslation()
  const api = useApi()
  const accounts = useAccounts()
  const [query, setQuery] = useState<Query>({})
  const [nonce, setNonce] = useState(0)
  const request = `${JSON.stringify(query)}#${nonce}`
  const [loaded, setLoaded] = useState<Loaded>(emptyLoaded)
  const [settled, setSettled] = useState('')
  const [loadingMore, setLoadingMore] = useState(false)
  const [error, setError] = useState<ApiCallError | null>(null)
  // Which request the rows belong to: a page for an older filter must never be appended.
  const current = useRef(request)
  const inFlight = useRef(false)

  useEffect(() => {
    current.current = request
    inFlight.current = false
    api.call('history.query', { ...query, limit: PAGE_SIZE }).then(
      (page) => {
        if (current.current !== request) return
        setLoaded(appendPage(emptyLoaded(), page))
        setError(null)
        setSettled(request)
      },
      (err: unknown) => {
        if (current.current !== request) return
        setLoaded(emptyLoaded())
        setError(toApiCallError(err))
        setSettled(request)
      }
    )
  }, [api, query, request])

  const next = loaded.next
  const loadMore = useCallback(() => {
    if (!next || inFlight.current) return
    const owner = current.current
    inFlight.current = true
    setLoadingMore(true)
    api
      .call('history.query', { ...query, before: next, limit: PAGE_SIZE })
      .then(
        (page) => {
          if (current.current !== owner) return
          setLoaded((prev) => appendPage(prev, page))
          setError(null)
        },
        (err: unknown) => {
          if (current.current === owner) setError(toApiCallError(err))
        }
      )
      .finally(() => {
        if (current.current !== owner) return
        inFlight.current = false
        setLoadingMore(false)
      })
  }, [api, query, next])

  const loading = settled !== request || loadingMore

  return (
    <div className="page history-page">
      <PageHeader
        title={t('history.title')}
        actions={
          <>
            <HistoryExport query={query} accountLabel={(id) => accountName(accounts.data, id)} />
            <button type="button" className="button" onClick={() => setNonce((n) => n + 1)}>
              {t('common.refresh')}
            </button>
          </>
        }
      />
      <Filters
        accounts={accounts.data ?? []}
        onApply={setQuery}
        accountLabel={(id) => accountName(accounts.data, id)}
      />
      <ErrorNote error={error} />
      <Card className="chart-card" title={t('history.chartTitle')}>
        <ActivityChart hourly={loaded.hourly} />
      </Card>
      <EventList
        rows={loaded.rows}
        hasMore={loaded.next !== null}
        loading={loading}
        onLoadMore={loadMore}
        accountLabel={(id) => accountName(accounts.data, id)}
      />
    </div>
  )
}

/**
 * Exports everything the applied filter matches (not just the loaded rows), page by page, with
 * progress and a way to stop a long export.
 */
function HistoryExport({
  query,
  accountLabel
}: {
  query: Query
  accountLabel: (id: string) => string
}) {
  const { t } = useTranslation()
  const api = useApi()
  const [progress, setProgress] = useState<(ExportProgress & { format: string }) | null>(null)
  const [error, setError] = useState<ApiCallError | null>(null)
  const [done, setDone] = useState<number | null>(null)
  const abort = useRef<AbortController | null>(null)

  useEffect(() => () => abort.current?.abort(), [])

  async function run(format: 'csv' | 'json') {
    abort.current?.abort()
    const controller = new AbortController()
    abort.current = controller
    setError(null)
    setDone(null)
    setProgress({ count: 0, fraction: null, format })
    try {
      const events = await collectHistory(api, query, {
        signal: controller.signal,
        onProgress: (p) => setProgress({ ...p, format })
      })
      const at = Date.now()
      if (format === 'csv') {
        downloadText(exportFilename('csv', at), 'text/csv', eventsToCsv(events, accountLabel))
      } else {
        downloadText(
          exportFilename('json', at),
          'application/json',
          eventsToJson(events, query, at)
        )
      }
      setDone(events.length)
    } catch (err) {
      if (!controller.signal.aborted) setError(toApiCallError(err))
    } finally {
      if (abort.current === controller) {
        abort.current = null
        setProgress(null)
      }
    }
  }

  return (
    <div className="history-export" data-testid="history-export">
      <div className="report-actions" role="group" aria-label={t('export.label')}>
        <button
          type="button"
          className="button"
          data-testid="export-csv"
          title={t('export.explain')}
          disabled={progress !== null}
          onClick={() => void run('csv')}
        >
          {t('export.csv')}
        </button>
        <button
          type="button"
          className="button"
          data-testid="export-json"
          title={t('export.explain')}
          disabled={progress !== null}
          onClick={() => void run('json')}
        >
          {t('export.json')}
        </button>
      </div>
      {progress ? (
        <div className="export-progress small" role="status" data-testid="export-progress">
          {progress.fraction !== null ? (
            <progress value={progress.fraction} max={1} aria-label={t('export.label')} />
          ) : (
            <progress aria-label={t('export.label')} />
          )}
          <span>{t('export.progress', { n: progress.count })}</span>
          <button
            type="button"
            className="button small"
            onClick={() => {
              abort.current?.abort()
              abort.current = null
              setProgress(null)
            }}
          >
            {t('common.cancel')}
          </button>
        </div>
      ) : null}
      {done !== null ? (
        <span className="small muted" role="status" data-testid="export-done">
          {t('export.done', { n: done })}
        </span>
      ) : null}
      <ErrorNote error={error} />
    </div>
  )
}

/** Adds a page and counts it into the hourly buckets, so the chart never re-scans every row. */
function appendPage(prev: Loaded, page: Output<'history.query'>): Loaded {
  const hourly = new Map(prev.hourly)
  for (const e of page.events) {
    const bucket = Math.floor(e.ts / HOUR) * HOUR
    const counts = { ...hourly.get(bucket) }
    counts[e.kind] = (counts[e.kind] ?? 0) + 1
    hourly.set(bucket, counts)
  }
  return { rows: prev.rows.concat(page.events), next: page.next, hourly }
}

function toMs(local: string): number | undefined {
  if (!local) return undefined
  const ms = new Date(local).getTime()
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined
}

function Filters({
  accounts,
  onApply,
  accountLabel
}: {
  accounts: Array<{ id: string }>
  onApply: (q: Query) => void
  accountLabel: (id: string) => string
}) {
  const { t } = useTranslation()
  const [accountId, setAccountId] = useState('')
  const [kinds, setKinds] = useState<Array<EventView['kind']>>([])
  const [from, setFrom] = useState('')
  const [to, setTo] = useState('')
  const [text, setText] = useState('')

  function submit(event: FormEvent) {
    event.preventDefault()
    const q: Query = {}
    if (accountId) q.accountId = accountId
    if (kinds.length) q.kinds = kinds
    const fromMs = toMs(from)
    const toMsValue = toMs(to)
    if (fromMs !== undefined) q.from = fromMs
    if (toMsValue !== undefined) q.to = toMsValue
    if (text.trim()) q.text = text.trim().slice(0, 200)
    onApply(q)
  }

  function toggle(kind: EventView['kind']) {
    setKinds((ks) => (ks.includes(kind) ? ks.filter((k) => k !== kind) : [...ks, kind]))
  }

  return (
    <form className="card filters" onSubmit={submit} data-testid="history-filters">
      <div className="filter-row">
        <label>
          <span>{t('history.account')}</span>
          <select value={accountId} onChange={(e) => setAccountId(e.target.value)}>
            <option value="">{t('history.allAccounts')}</option>
            {accounts.map((a) => (
              <option key={a.id} value={a.id}>
                {accountLabel(a.id)}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>{t('history.from')}</span>
          <input type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          <span>{t('history.to')}</span>
          <input type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
        <label className="grow">
          <span>{t('history.text')}</span>
          <input
            type="search"
            value={text}
            maxLength={200}
            placeholder={t('history.textPlaceholder')}
            onChange={(e) => setText(e.target.value)}
          />
        </label>
        <button type="submit" className="button primary">
          {t('history.apply')}
        </button>
      </div>
      <fieldset className="kinds">
        <legend className="sr-only">{t('history.kinds')}</legend>
        {EVENT_KINDS.map((k) => (
          <label key={k} className={`chip-toggle ${kinds.includes(k) ? 'on' : ''}`}>
            <input type="checkbox" checked={kinds.includes(k)} onChange={() => toggle(k)} />
            <span className={`kind-dot kind-${k}`} aria-hidden="true" />
            {t(`kind.${k}`)}
          </label>
        ))}
      </fieldset>
    </form>
  )
}

type Hourly = Loaded['hourly']

// Recharts copies a row's fields onto each bar's SVG element, so a series named after the
// 'fill' or 'order' kinds would overwrite the bar's fill attribute: prefix them.
const seriesKey = (kind: EventView['kind']) => `n_${kind}`

/** Stacked counts per bucket and kind; empty buckets stay in, or quiet hours would vanish. */
function chartData(hourly: Hourly) {
  if (!hourly.size) return { data: [], kinds: [], bucket: HOUR }
  let min = Infinity
  let max = -Infinity
  for (const hour of hourly.keys()) {
    min = Math.min(min, hour)
    max = Math.max(max, hour)
  }
  const bucket = (max - min) / HOUR + 1 > MAX_HOURLY_BUCKETS ? DAY : HOUR
  const rows = new Map<number, Record<string, number>>()
  const present = new Set<EventView['kind']>()
  for (let b = Math.floor(min / bucket) * bucket; b <= max; b += bucket) rows.set(b, { at: b })
  for (const [hour, counts] of hourly) {
    const row = rows.get(Math.floor(hour / bucket) * bucket)
    if (!row) continue
    for (const [kind, n] of Object.entries(counts) as Array<[EventView['kind'], number]>) {
      row[seriesKey(kind)] = (row[seriesKey(kind)] ?? 0) + n
      present.add(kind)
    }
  }
  return { data: [...rows.values()], kinds: EVENT_KINDS.filter((k) => present.has(k)), bucket }
}

function ActivityChart({ hourly }: { hourly: Hourly }) {
  const { t, i18n } = useTranslation()
  // Each page replaces the map rather than mutating it, so identity tracks content.
  const { data, kinds, bucket } = useMemo(() => chartData(hourly), [hourly])

  if (!data.length) return <p className="muted">{t('history.noEvents')}</p>
  const tick = (ms: number) =>
    new Intl.DateTimeFormat(i18n.language, {
      month: '2-digit',
      day: '2-digit',
      ...(bucket === HOUR ? { hour: '2-digit', minute: '2-digit', hour12: false } : {})
    }).format(ms)

  return (
    <div className="chart" data-testid="history-chart">
      <p className="small muted">{t(bucket === HOUR ? 'history.perHour' : 'history.perDay')}</p>
      <div className="chart-box">
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={data} margin={{ top: 4, right: 8, bottom: 0, left: -16 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" vertical={false} />
            <XAxis
              dataKey="at"
              tickFormatter={tick}
              stroke="var(--muted)"
              fontSize={11}
              minTickGap={24}
            />
            <YAxis allowDecimals={false} stroke="var(--muted)" fontSize={11} />
            <Tooltip
              labelFormatter={(v) => formatTime(Number(v), i18n.language)}
              formatter={(value, name) => [value, t(`kind.${String(name)}`)]}
              contentStyle={{ background: 'var(--surface)', border: '1px solid var(--border)' }}
              cursor={{ fill: 'var(--hover)' }}
            />
            <Legend
              formatter={(v: string) => t(`kind.${v}`)}
              wrapperStyle={{ fontSize: 12 }}
              iconSize={10}
            />
            {kinds.map((k) => (
              <Bar
                key={k}
                dataKey={seriesKey(k)}
                name={k}
                stackId="kinds"
                fill={`var(--kind-${k})`}
                isAnimationActive={false}
              />
            ))}
          </BarChart>
        </ResponsiveContainer>
      </div>
    </div>
  )
}

function EventList({
  rows,
  hasMore,
  loading,
  onLoadMore,
  accountLabel
}: {
  rows: EventView[]
  hasMore: boolean
  loading: boolean
  onLoadMore: () => void
  accountLabel: (id: string) => string
}) {
  const { t, i18n } = useTranslation()
  const scroller = useRef<HTMLDivElement>(null)
  // The virtualizer keeps its own state; the compiler skipping this component is expected.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 20
  })
  const items = virtualizer.getVirtualItems()
  const lastIndex = items.length ? items[items.length - 1].index : -1

  // Fetch the next page before the trader reaches the end, so scrolling never stalls.
  useEffect(() => {
    if (hasMore && !loading && lastIndex >= rows.length - 50) onLoadMore()
  }, [hasMore, loading, lastIndex, rows.length, onLoadMore])

  return (
    <Card className="event-list-card">
      <div className="event-row event-head" role="row">
        <span>{t('history.colTime')}</span>
        <span>{t('history.colAccount')}</span>
        <span>{t('history.colType')}</span>
        <span>{t('history.colDetails')}</span>
        <span>{t('history.colRecord')}</span>
      </div>
      <div
        ref={scroller}
        className="event-scroller"
        data-testid="history-list"
        tabIndex={0}
        role="table"
        aria-label={t('history.title')}
        aria-rowcount={rows.length}
      >
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const e = rows[item.index]
            const f = eventFacts(e, i18n.language)
            const details = [
              f.ip,
              f.place,
              f.symbol,
              f.side,
              f.amount,
              f.price ? `@ ${f.price}` : undefined,
              f.address,
              f.keyId
            ]
              .filter(Boolean)
              .join(' · ')
            return (
              <div
                key={item.key}
                className="event-row"
                role="row"
                aria-rowindex={item.index + 1}
                data-testid="history-row"
                style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
              >
                <span className="mono small">{formatTime(e.ts, i18n.language)}</span>
                <span className="ellipsis small">{accountLabel(e.accountId)}</span>
                <span className="ellipsis small" title={e.type}>
                  <span className={`kind-dot kind-${e.kind}`} aria-hidden="true" />
                  {t(`eventType.${e.type.replace('.', '_')}`, { defaultValue: e.type })}
                </span>
                <span className="ellipsis small" title={details}>
                  {details}
                </span>
                <span className="ellipsis mono small muted" title={e.exchangeRecordId}>
                  {e.exchangeRecordId}
                </span>
              </div>
            )
          })}
        </div>
      </div>
      <div className="list-foot small muted">
        <span data-testid="history-count">{t('history.loaded', { n: rows.length })}</span>
        {loading ? <span role="status">{t('common.loading')}</span> : null}
        {hasMore && !loading ? (
          <button type="button" className="button small" onClick={onLoadMore}>
            {t('history.loadMore')}
          </button>
        ) : null}
        {!hasMore && rows.length > 0 ? <span>{t('history.end')}</span> : null}
      </div>
    </Card>
  )
}
