/**
 * The bench's JSON shape, on a tiny in-process run of the detection section (`--quick` sizes).
 * No timing assertion: speed targets live in the bench's own JSON, never in unit tests.
 */
import { describe, expect, it } from 'vitest'

import { runBench } from '../../../bench/bench'
import { setProgressSink } from '../../../bench/lib/stats'

if (!process.env.VIGIL_VERBOSE_TESTS) setProgressSink(() => {})

describe('bench report', () => {
  it('has the documented shape with finite ratios for the quick detection section', async () => {
    const report = await runBench({ sections: ['detection'], quick: true })

    expect(report.format).toBe('vigil-bench/1')
    expect(report.mode).toBe('quick')
    expect(report.sections).toEqual(['detection'])
    expect(report.machine).toMatchObject({ cpus: expect.any(Number), node: process.version })

    const detection = report.results.detection
    if (!detection || 'skipped' in detection)
      throw new Error(`detection skipped: ${JSON.stringify(detection)}`)
    const { throughput, latency, history, memory } = detection
    expect(throughput.events).toBeGreaterThan(1000)
    expect(throughput.rawInsert.runs).toHaveLength(2)
    expect(throughput.pipeline.runs).toHaveLength(2)
    expect(throughput.pipeline.eventsPerSecond).toBe(Math.max(...throughput.pipeline.runs))
    for (const rate of [throughput.rawInsert, throughput.eventStoreIngest, throughput.pipeline]) {
      expect(rate.eventsPerSecond).toBeGreaterThan(0)
      expect(Number.isFinite(rate.ms)).toBe(true)
    }
    for (const ratio of [
      throughput.ratioPipelineToRaw,
      throughput.ratioPipelineToRawCpu,
      throughput.ratioPipelineToRawThreadCpu,
      throughput.ratioIngestToRaw
    ])
      expect(Number.isFinite(ratio) && ratio > 0).toBe(true)
    expect(history.events).toBeGreaterThan(throughput.events)
    expect(latency.events).toBeGreaterThan(0)
    expect(latency.evaluate.p99Ms).toBeGreaterThanOrEqual(latency.evaluate.p50Ms)
    expect(Object.keys(latency.byType)).toEqual(expect.arrayContaining(['order.new', 'fill.new']))
    expect(memory.start?.rssMb).toBeGreaterThan(0)

    expect(report.headline.detectionPipelineToRaw).toBe(throughput.ratioPipelineToRaw)
    const target = report.targets['detection.pipelineToRawRatio']
    expect(target).toMatchObject({ target: '>= 0.5', value: throughput.ratioPipelineToRaw })
    expect(typeof target?.pass).toBe('boolean')
    // The document must survive a JSON round trip unchanged (no NaN, no undefined-only fields).
    expect(JSON.parse(JSON.stringify(report))).toEqual(JSON.parse(JSON.stringify(report)))
  }, 180_000)
})
