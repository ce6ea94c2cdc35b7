/**
 * Small measurement helpers shared by the bench sections: percentiles, memory snapshots, rounding
 * and progress lines. Progress goes to stderr so stdout stays one JSON document.
 */
import { cpus, totalmem } from 'node:os'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

/** Percentile (nearest-rank on a sorted copy) of `values`; NaN for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[rank] as number
}

/** Latency summary in milliseconds, rounded for reading. */
export interface LatencySummary {
  count: number
  meanMs: number
  p50Ms: number
  p90Ms: number
  p99Ms: number
  maxMs: number
}

/** Summarises a list of durations in milliseconds. */
export function summarise(ms: readonly number[]): LatencySummary {
  const mean = ms.reduce((a, b) => a + b, 0) / Math.max(1, ms.length)
  return {
    count: ms.length,
    meanMs: round(mean, 4),
    p50Ms: round(percentile(ms, 50), 4),
    p90Ms: round(percentile(ms, 90), 4),
    p99Ms: round(percentile(ms, 99), 4),
    maxMs: round(percentile(ms, 100), 4)
  }
}

/** Rounds to `digits` decimals; NaN and Infinity become NaN, which JSON writes as null. */
export function round(value: number, digits = 2): number {
  if (!Number.isFinite(value)) return Number.NaN
  const f = 10 ** digits
  return Math.round(value * f) / f
}

/** Process memory in MB. */
export interface MemorySnapshot {
  rssMb: number
  heapUsedMb: number
  heapTotalMb: number
  externalMb: number
}

/**
 * A full garbage collection on demand, so memory snapshots compare live data rather than GC
 * timing. `npm run bench` cannot pass --expose-gc to Node, so the flag is set at run time and
 * `gc` taken from a fresh context (where V8 installs it once the flag is on).
 */
const collectGarbage: (() => void) | null = (() => {
  const existing = (globalThis as { gc?: () => void }).gc
  if (existing) return existing
  try {
    setFlagsFromString('--expose-gc')
    return runInNewContext('gc') as () => void
  } catch {
    return null
  }
})()

/** Current memory, after a full garbage collection when `collect` (the default). */
export function memory(collect = true): MemorySnapshot {
  if (collect) collectGarbage?.()
  const m = process.memoryUsage()
  const mb = (n: number) => round(n / 1_048_576, 1)
  return {
    rssMb: mb(m.rss),
    heapUsedMb: mb(m.heapUsed),
    heapTotalMb: mb(m.heapTotal),
    externalMb: mb(m.external)
  }
}

/** The machine the numbers came from. */
export function machine(): Record<string, unknown> {
  const list = cpus()
  return {
    cpus: list.length,
    cpuModel: list[0]?.model ?? 'unknown',
    node: process.version,
    v8: process.versions.v8,
    platform: process.platform,
    arch: process.arch,
    totalMemMb: Math.round(totalmem() / 1_048_576),
    /** Whether memory snapshots were taken after a full GC. */
    gcBeforeMemory: collectGarbage !== null
  }
}

/** Milliseconds since `start` (a `performance.now()` value). */
export const since = (start: number): number => performance.now() - start

let sink = (line: string): void => void process.stderr.write(line)

/** Where progress lines go (stderr by default; tests pass a no-op to stay quiet). */
export function setProgressSink(next: (line: string) => void): void {
  sink = next
}

/** One progress line, prefixed with the section name. */
export function progress(section: string, message: string): void {
  sink(`[bench:${section}] ${message}\n`)
}

/** A section that could not run, and why; reported instead of crashing the whole bench. */
export interface Skipped {
  skipped: string
}

/** Type guard for a skipped section or sub-measurement. */
export const isSkipped = (value: unknown): value is Skipped =>
  typeof value === 'object' && value !== null && 'skipped' in value
