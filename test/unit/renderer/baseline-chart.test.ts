import { describe, expect, it } from 'vitest'

import { chartModel, hourRanges } from '../../../renderer/src/components/baseline-chart'

describe('baseline chart model', () => {
  it('rate baselines: mean ± σ band, busiest bucket, threshold, observed', () => {
    expect(
      chartModel({
        observed: 40,
        threshold: { gt: 16.5 },
        baseline: { mean: 4, stdev: 2, max: 9, samples: 200 }
      })
    ).toEqual({
      kind: 'bars',
      bars: [
        { key: 'mean', value: 4 },
        { key: 'max', value: 9 },
        { key: 'threshold', value: 16.5 },
        { key: 'observed', value: 40 }
      ],
      band: [2, 6],
      threshold: 16.5,
      op: 'gt',
      observed: 40,
      exceeded: true,
      unit: 'number',
      percentile: null
    })
  })

  it('size baselines: the percentile and the largest value seen', () => {
    const model = chartModel({
      observed: 250_000,
      threshold: { gt: 120_000 },
      baseline: { percentile: 99, value: 12_000, max: 30_000, samples: 400, factor: 10 }
    })
    expect(model).toMatchObject({
      kind: 'bars',
      bars: [
        { key: 'percentile', value: 12_000 },
        { key: 'max', value: 30_000 },
        { key: 'threshold', value: 120_000 },
        { key: 'observed', value: 250_000 }
      ],
      band: null,
      percentile: 99
    })
  })

  it('limits on a share of equity compare the share', () => {
    expect(
      chartModel({
        observed: 30_000,
        threshold: { gt: 0.5, over: 'window', of: 'equity' },
        equityUsd: 30_000,
        shareOfEquity: 1
      })
    ).toMatchObject({ observed: 1, threshold: 0.5, unit: 'share', exceeded: true })
  })

  it('login hours against the usual hours', () => {
    expect(
      chartModel({
        hourUtc: 21,
        observed: 0,
        threshold: { lt: 0.01 },
        baseline: { samples: 30, activeHoursUtc: [7, 8, 9, 10, 23] }
      })
    ).toEqual({ kind: 'hours', hour: 21, active: [7, 8, 9, 10, 23] })
    expect(hourRanges([7, 8, 9, 10, 11, 12, 13, 15, 16, 18, 19, 23])).toBe(
      '7–13, 15, 16, 18, 19, 23'
    )
  })

  it('nothing to draw without something to hold the observed value against', () => {
    expect(chartModel({ matched: 'selection' })).toBeNull()
    expect(chartModel({ observed: 3 })).toBeNull()
    expect(chartModel({ newValue: 'DE', known: ['SG'] })).toBeNull()
  })
})
