/**
 * The bench runner: runs the chosen sections one after another (never in parallel: they would
 * measure each other), turns their numbers into pass/fail targets and builds the one JSON
 * document `npm run bench` prints. Sections whose prerequisites are missing report
 * `{ skipped: why }`; a section that throws is reported the same way, so one broken section never
 * hides the others' numbers.
 */
import { loadavg } from 'node:os'

import {
  DETECTION_FULL,
  DETECTION_QUICK,
  runDetection,
  type DetectionResult
} from './sections/detection'
import {
  KILL_SWITCH_FULL,
  KILL_SWITCH_QUICK,
  runKillSwitch,
  type KillSwitchResult
} from './sections/kill-switch'
import { POLLING_FULL, POLLING_QUICK, runPolling, type PollingResult } from './sections/polling'
import { runStartup, STARTUP_FULL, STARTUP_QUICK, type StartupResult } from './sections/startup'
import { isSkipped, machine, progress, round, since, type Skipped } from './lib/stats'

/** Section names, in run order. */
export const SECTIONS = ['detection', 'killSwitch', 'polling', 'startup'] as const
export type SectionName = (typeof SECTIONS)[number]

/** What to run. */
export interface BenchOptions {
  sections?: readonly SectionName[]
  /** Smaller sizes for CI smoke runs: same code paths, numbers not comparable to a full run. */
  quick?: boolean
  /** Days of history the polling section backfills (default 30 full, 3 quick). */
  backfillDays?: number
}

/** One target: what was promised, what was measured, and whether it holds (null: not measured). */
export interface Target {
  target: string
  value: number | null
  pass: boolean | null
  skipped?: string
  /** Set on quick runs: the sizes are too small for the verdict to mean much. */
  note?: string
}

/** The document `npm run bench` prints. */
export interface BenchReport {
  format: 'vigil-bench/1'
  startedAt: string
  durationMs: number
  mode: 'full' | 'quick'
  sections: SectionName[]
  machine: Record<string, unknown>
  /** Ratios measured within this run: the numbers to compare between machines. */
  headline: Record<string, number | null>
  targets: Record<string, Target>
  results: Partial<{
    detection: DetectionResult | Skipped
    killSwitch: KillSwitchResult | Skipped
    polling: PollingResult | Skipped
    startup: StartupResult | Skipped
  }>
}

const finite = (x: number | undefined | null): number | null =>
  typeof x === 'number' && Number.isFinite(x) ? x : null

function check(
  value: number | null | undefined,
  op: '>=' | '<=' | '==',
  limit: number,
  unit = ''
): Target {
  const v = finite(value)
  const pass = v === null ? null : op === '>=' ? v >= limit : op === '<=' ? v <= limit : v === limit
  return { target: `${op} ${limit}${unit}`, value: v, pass }
}

const skippedTarget = (target: string, why: string): Target => ({
  target,
  value: null,
  pass: null,
  skipped: why
})

/** Targets of issue 3, 4 and 5 from whatever sections ran. */
function targetsOf(results: BenchReport['results']): Record<string, Target> {
  const out: Record<string, Target> = {}
  const d = results.detection
  if (d) {
    out['detection.pipelineToRawRatio'] = isSkipped(d)
      ? skippedTarget('>= 0.5', d.skipped)
      : check(d.throughput.ratioPipelineToRaw, '>=', 0.5)
  }
  const k = results.killSwitch
  if (k) {
    if (isSkipped(k)) {
      for (const [id, t] of [
        ['killSwitch.speedupVsNaive', '>= 20'],
        ['killSwitch.wallMs', '<= 1500 ms'],
        ['killSwitch.ordersLeft', '== 0'],
        ['killSwitch.naiveOrdersLeft', '== 0']
      ] as const)
        out[id] = skippedTarget(t, k.skipped)
    } else {
      out['killSwitch.speedupVsNaive'] = check(k.speedup, '>=', 20)
      out['killSwitch.wallMs'] = check(k.killSwitch.wallMs, '<=', 1500, ' ms')
      out['killSwitch.ordersLeft'] = check(k.killSwitch.ordersRemaining, '==', 0)
      out['killSwitch.naiveOrdersLeft'] = check(k.naive.ordersRemaining, '==', 0)
    }
  }
  const p = results.polling
  if (p) {
    if (isSkipped(p)) out['polling.maxShareOfLimit'] = skippedTarget('<= 0.1', p.skipped)
    else
      for (const [exchange, r] of Object.entries(p.exchanges))
        out[`polling.${exchange}.shareOfLimit`] = isSkipped(r)
          ? skippedTarget('<= 0.1', r.skipped)
          : check(r.share, '<=', 0.1)
  }
  return out
}

function headlineOf(results: BenchReport['results']): Record<string, number | null> {
  const h: Record<string, number | null> = {}
  const d = results.detection
  if (d && !isSkipped(d)) {
    h.detectionPipelineToRaw = d.throughput.ratioPipelineToRaw
    h.detectionPipelineToRawCpu = d.throughput.ratioPipelineToRawCpu
    h.detectionPipelineToRawThreadCpu = d.throughput.ratioPipelineToRawThreadCpu
    h.detectionIngestToRaw = d.throughput.ratioIngestToRaw
    h.detectionP99OverP50 = finite(round(d.latency.evaluate.p99Ms / d.latency.evaluate.p50Ms, 1))
  }
  const k = results.killSwitch
  if (k && !isSkipped(k)) h.killSwitchSpeedupVsNaive = k.speedup
  const p = results.polling
  if (p && !isSkipped(p)) {
    h.pollingMaxShareOfLimit = finite(p.maxShare)
    for (const [exchange, r] of Object.entries(p.exchanges))
      if (!isSkipped(r)) h[`polling.${exchange}.shareOfLimit`] = r.share
  }
  return h
}

async function section<T>(
  name: SectionName,
  run: () => Promise<T | Skipped>
): Promise<T | Skipped> {
  const t = performance.now()
  progress(name, 'start')
  try {
    const r = await run()
    progress(
      name,
      isSkipped(r) ? `skipped: ${r.skipped}` : `done in ${round(since(t) / 1000, 1)} s`
    )
    return r
  } catch (error) {
    const message = (error as Error).stack ?? String(error)
    progress(name, `failed: ${message}`)
    return { skipped: `failed: ${(error as Error).message}` }
  }
}

/** Runs the bench and returns the report (printing and writing it is the CLI's job). */
export async function runBench(options: BenchOptions = {}): Promise<BenchReport> {
  const quick = options.quick ?? false
  const chosen = SECTIONS.filter((s) => !options.sections || options.sections.includes(s))
  const started = new Date()
  const t = performance.now()
  const loadBefore = loadavg().map((x) => round(x, 2))
  const results: BenchReport['results'] = {}
  for (const name of chosen) {
    switch (name) {
      case 'detection':
        results.detection = await section(name, () =>
          runDetection(quick ? DETECTION_QUICK : DETECTION_FULL)
        )
        break
      case 'killSwitch':
        results.killSwitch = await section(name, () =>
          runKillSwitch(quick ? KILL_SWITCH_QUICK : KILL_SWITCH_FULL)
        )
        break
      case 'polling':
        results.polling = await section(name, () =>
          runPolling({
            ...(quick ? POLLING_QUICK : POLLING_FULL),
            ...(options.backfillDays ? { backfillDays: options.backfillDays } : {})
          })
        )
        break
      case 'startup':
        results.startup = await section(name, () =>
          runStartup(quick ? STARTUP_QUICK : STARTUP_FULL)
        )
        break
    }
  }
  return {
    format: 'vigil-bench/1',
    startedAt: started.toISOString(),
    durationMs: round(since(t), 0),
    mode: quick ? 'quick' : 'full',
    sections: chosen,
    machine: {
      ...machine(),
      // Other work on the machine shows up here; compare ratios, not absolute numbers.
      loadAverage1m: { before: loadBefore[0], after: round(loadavg()[0] ?? Number.NaN, 2) }
    },
    headline: headlineOf(results),
    targets: quick
      ? Object.fromEntries(
          Object.entries(targetsOf(results)).map(([id, t]) => [
            id,
            { ...t, note: 'quick run: sizes too small for a verdict, see a full run' }
          ])
        )
      : targetsOf(results),
    results
  }
}
