import { useTranslation } from 'react-i18next'
import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  ReferenceArea,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis
} from 'recharts'

type Reasoning = Record<string, unknown>

export type BarKey = 'observed' | 'threshold' | 'mean' | 'percentile' | 'max'

export interface BarsModel {
  kind: 'bars'
  /** In reading order: what is normal first, then the limit, then what happened. */
  bars: Array<{ key: BarKey; value: number }>
  /** mean ± σ where the rule learned both. */
  band: [number, number] | null
  threshold: number | null
  /** The comparison the rule uses: gt, gte, lt, lte, eq. */
  op: string | null
  observed: number
  exceeded: boolean
  /** 'share' values are fractions shown as percentages. */
  unit: 'share' | 'number'
  percentile: number | null
}

export interface HoursModel {
  kind: 'hours'
  /** Hours (UTC) with earlier activity. */
  active: number[]
  hour: number
}

export type ChartModel = BarsModel | HoursModel

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)
const obj = (v: unknown): Record<string, unknown> | null =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null

const OPS = ['gt', 'gte', 'lt', 'lte', 'eq'] as const

function limitOf(threshold: unknown): { value: number; op: string | null } | null {
  const direct = num(threshold)
  if (direct !== null) return { value: direct, op: null }
  const o = obj(threshold)
  if (!o) return null
  for (const op of OPS) {
    const value = num(o[op])
    if (value !== null) return { value, op }
  }
  return null
}

function crosses(observed: number, limit: number, op: string | null): boolean {
  switch (op) {
    case 'gte':
      return observed >= limit
    case 'lt':
      return observed < limit
    case 'lte':
      return observed <= limit
    case 'eq':
      return observed === limit
    default:
      return observed > limit
  }
}

/**
 * What of an alert's reasoning can be drawn: observed against the learned normal (mean ± σ, a
 * percentile, the largest value seen) and the rule's threshold, or a login hour against the
 * account's usual hours. Null when the reasoning has no numbers worth a chart.
 */
export function chartModel(reasoning: Reasoning): ChartModel | null {
  const baseline = obj(reasoning.baseline)
  const hour = num(reasoning.hourUtc)
  const activeHours = baseline?.activeHoursUtc
  if (hour !== null && Array.isArray(activeHours)) {
    return {
      kind: 'hours',
      hour,
      active: activeHours.filter((h): h is number => typeof h === 'number')
    }
  }

  const thresholdObj = obj(reasoning.threshold)
  // A limit on a share of equity compares the share, not the USD amount.
  const share = thresholdObj?.of === 'equity' ? num(reasoning.shareOfEquity) : null
  const observed = share ?? num(reasoning.observed)
  if (observed === null) return null
  const limit = limitOf(reasoning.threshold)

  const bars: BarsModel['bars'] = []
  let band: [number, number] | null = null
  let percentile: number | null = null
  if (baseline && share === null) {
    const mean = num(baseline.mean)
    const sd = num(baseline.stdev)
    if (mean !== null) {
      bars.push({ key: 'mean', value: mean })
      if (sd !== null) band = [Math.max(0, mean - sd), mean + sd]
    }
    const p = num(baseline.percentile)
    const pValue = num(baseline.value)
    if (p !== null && pValue !== null) {
      percentile = p
      bars.push({ key: 'percentile', value: pValue })
    }
    const max = num(baseline.max)
    if (max !== null) bars.push({ key: 'max', value: max })
  }
  if (limit) bars.push({ key: 'threshold', value: limit.value })
  // Observed alone says nothing: draw only when there is something to hold it against.
  if (!bars.length) return null
  bars.push({ key: 'observed', value: observed })
  return {
    kind: 'bars',
    bars,
    band,
    threshold: limit?.value ?? null,
    op: limit?.op ?? null,
    observed,
    exceeded: limit ? crosses(observed, limit.value, limit.op) : false,
    unit: share !== null ? 'share' : 'number',
    percentile
  }
}

/** "7–13, 15, 16" from [7, 8, …, 13, 15, 16]. */
export function hourRanges(hours: number[]): string {
  const sorted = [...new Set(hours)].sort((a, b) => a - b)
  const parts: string[] = []
  for (let i = 0; i < sorted.length; i++) {
    let j = i
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++
    parts.push(j - i >= 2 ? `${sorted[i]}–${sorted[j]}` : sorted.slice(i, j + 1).join(', '))
    i = j
  }
  return parts.join(', ')
}

const BAR_COLOR: Record<BarKey, string> = {
  mean: 'var(--accent)',
  percentile: 'var(--accent)',
  max: 'var(--muted)',
  threshold: 'var(--warn)',
  observed: 'var(--danger)'
}

/** The alert's numbers as a picture, with the same facts in words underneath. */
export function BaselineChart({ reasoning }: { reasoning: Reasoning }) {
  const model = chartModel(reasoning)
  if (!model) return null
  return model.kind === 'hours' ? <HoursChart model={model} /> : <BarsChart model={model} />
}

function BarsChart({ model }: { model: BarsModel }) {
  const { t, i18n } = useTranslation()
  const format = (v: number) =>
    new Intl.NumberFormat(i18n.language, {
      maximumFractionDigits: 2,
      ...(model.unit === 'share' ? { style: 'percent' } : {})
    }).format(v)
  const label = (key: BarKey) =>
    key === 'percentile' ? t('chart.percentile', { p: model.percentile ?? 0 }) : t(`chart.${key}`)
  const data = model.bars.map((b) => ({ name: label(b.key), value: b.value, key: b.key }))
  const top = Math.max(...model.bars.map((b) => b.value), model.band?.[1] ?? 0) * 1.1 || 1

  return (
    <figure className="baseline-chart" data-testid="baseline-chart">
      <div className="chart-box small-chart" style={{ height: 36 * data.length + 34 }}>
        <ResponsiveContainer width="100%" height="100%">
          <BarChart
            data={data}
            layout="vertical"
            margin={{ top: 4, right: 24, bottom: 4, left: 8 }}
          >
            <CartesianGrid strokeDasharray="3 3" horizontal={false} stroke="var(--border)" />
            <XAxis
              type="number"
              domain={[0, top]}
              tickFormatter={format}
              tick={{ fill: 'var(--muted)', fontSize: 11 }}
              stroke="var(--border)"
            />
            <YAxis
              type="category"
              dataKey="name"
              width={170}
              tick={{ fill: 'var(--text)', fontSize: 12 }}
              stroke="var(--border)"
            />
            {model.band ? (
              <ReferenceArea
                x1={model.band[0]}
                x2={model.band[1]}
                fill="var(--ok)"
                fillOpacity={0.15}
                strokeOpacity={0}
                ifOverflow="extendDomain"
              />
            ) : null}
            {model.threshold !== null ? (
              <ReferenceLine
                x={model.threshold}
                stroke="var(--warn)"
                strokeDasharray="4 3"
                ifOverflow="extendDomain"
              />
            ) : null}
            <Tooltip
              formatter={(v) => format(Number(v))}
              contentStyle={{ background: 'var(--surface)', border: '1px solid var(--border)' }}
              cursor={{ fill: 'var(--hover)' }}
            />
            <Bar dataKey="value" isAnimationActive={false} barSize={18}>
              {data.map((d) => (
                <Cell
                  key={d.key}
                  fill={
                    d.key === 'observed' && !model.exceeded ? 'var(--accent)' : BAR_COLOR[d.key]
                  }
                />
              ))}
            </Bar>
          </BarChart>
        </ResponsiveContainer>
      </div>
      <figcaption className="small" data-testid="baseline-summary">
        {t('chart.observedIs', { value: format(model.observed) })}
        {model.threshold !== null
          ? ` · ${t('chart.thresholdIs', { value: format(model.threshold) })}`
          : ''}
        {model.band
          ? ` · ${t('chart.bandIs', { from: format(model.band[0]), to: format(model.band[1]) })}`
          : ''}
      </figcaption>
    </figure>
  )
}

function HoursChart({ model }: { model: HoursModel }) {
  const { t } = useTranslation()
  const data = Array.from({ length: 24 }, (_, h) => ({
    hour: h,
    value: 1,
    state: h === model.hour ? 'now' : model.active.includes(h) ? 'usual' : 'quiet'
  }))
  const color = { now: 'var(--danger)', usual: 'var(--accent)', quiet: 'var(--surface-2)' }
  return (
    <figure className="baseline-chart" data-testid="baseline-chart">
      <div className="chart-box small-chart" style={{ height: 90 }}>
        <ResponsiveContainer width="100%" height="100%">
          <BarChart
            data={data}
            margin={{ top: 4, right: 8, bottom: 0, left: 8 }}
            barCategoryGap={2}
          >
            <XAxis
              dataKey="hour"
              interval={1}
              tick={{ fill: 'var(--muted)', fontSize: 10 }}
              stroke="var(--border)"
            />
            <YAxis hide domain={[0, 1]} />
            <Bar dataKey="value" isAnimationActive={false} stroke="var(--border)">
              {data.map((d) => (
                <Cell key={d.hour} fill={color[d.state as keyof typeof color]} />
              ))}
            </Bar>
          </BarChart>
        </ResponsiveContainer>
      </div>
      <figcaption className="small" data-testid="baseline-summary">
        {t('chart.hoursUsual', { hours: hourRanges(model.active) || '—' })} ·{' '}
        <strong>{t('chart.hoursNow', { hour: model.hour })}</strong>
      </figcaption>
    </figure>
  )
}
