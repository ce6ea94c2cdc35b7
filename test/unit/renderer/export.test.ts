import { describe, expect, it } from 'vitest'

import type { EventView } from '../../../main/api/types'
import {
  collectHistory,
  csvCell,
  csvRow,
  eventsToCsv,
  eventsToJson
} from '../../../renderer/src/export'

import { createFakeVigil, makeEvent, NOW } from './fake-vigil'

/** A minimal RFC 4180 reader, to prove the file parses back to the same cells. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"'
        i++
      } else if (c === '"') quoted = false
      else cell += c
    } else if (c === '"') quoted = true
    else if (c === ',') {
      row.push(cell)
      cell = ''
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell)
      rows.push(row)
      row = []
      cell = ''
      i++
    } else cell += c
  }
  return rows
}

describe('CSV escaping', () => {
  it('quotes commas, quotes and line breaks, doubling quotes', () => {
    expect(csvCell('plain')).toBe('plain')
    expect(csvCell('a,b')).toBe('"a,b"')
    expect(csvCell('say "hi"')).toBe('"say ""hi"""')
    expect(csvCell('line1\nline2')).toBe('"line1\nline2"')
    expect(csvCell('cr\rlf')).toBe('"cr\rlf"')
    expect(csvCell('"Cloud Technologies" LLC')).toBe('"""Cloud Technologies"" LLC"')
    expect(csvCell('')).toBe('')
    expect(csvCell(null)).toBe('')
    expect(csvCell(undefined)).toBe('')
  })

  it('keeps numbers and booleans as they are, and objects as JSON', () => {
    expect(csvCell(-0.5)).toBe('-0.5')
    expect(csvCell(1e21)).toBe('1e+21')
    expect(csvCell(Number.NaN)).toBe('')
    expect(csvCell(true)).toBe('true')
    expect(csvCell({ a: 1, b: 'x,y' })).toBe('"{""a"":1,""b"":""x,y""}"')
  })

  it('defuses text a spreadsheet would run as a formula', () => {
    expect(csvCell('=HYPERLINK("http://evil","x")')).toBe('"\'=HYPERLINK(""http://evil"",""x"")"')
    expect(csvCell('+1')).toBe("'+1")
    expect(csvCell('-2+3')).toBe("'-2+3")
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)")
    expect(csvCell('\tcmd')).toBe("'\tcmd")
    expect(csvRow(['a', 1, 'b,c'])).toBe('a,1,"b,c"')
  })

  it('writes a file that parses back to the same values, with a BOM and CRLF line ends', () => {
    const events: EventView[] = [
      makeEvent({
        id: 7,
        data: {
          ip: '45.155.205.17',
          country: 'RU',
          asnOrg: '"Cloud Technologies" LLC, Moscow',
          device: 'Mozilla/5.0\n(Windows NT 10.0)'
        }
      }),
      makeEvent({
        id: 8,
        kind: 'withdrawal',
        type: 'withdrawal.new',
        exchangeRecordId: 'wd,1',
        data: { currency: 'BTC', amount: 0.5, address: '=cmd|calc' }
      })
    ]
    const csv = eventsToCsv(events, (id) => `Label, "${id}"`)
    expect(csv.startsWith('\uFEFF')).toBe(true)
    expect(csv.endsWith('\r\n')).toBe(true)
    const rows = parseCsv(csv.slice(1))
    expect(rows).toHaveLength(3)
    const [head, first, second] = rows
    expect(head[0]).toBe('time')
    expect(head).toHaveLength(first.length)
    const col = (name: string) => head.indexOf(name)
    expect(first[col('account')]).toBe('Label, "acc-deribit"')
    expect(first[col('time')]).toBe(new Date(NOW - 60_000).toISOString())
    expect(JSON.parse(first[col('data')])).toEqual(events[0].data)
    expect(second[col('exchange_record_id')]).toBe('wd,1')
    expect(second[col('amount')]).toBe('0.5')
    expect(second[col('address')]).toBe("'=cmd|calc")
  })

  it('writes JSON with the filter and every event', () => {
    const events = [makeEvent()]
    const json = JSON.parse(eventsToJson(events, { from: NOW - 3_600_000, kinds: ['login'] }, NOW))
    expect(json).toMatchObject({
      count: 1,
      filter: { kinds: ['login'], from: new Date(NOW - 3_600_000).toISOString() },
      events
    })
  })
})

describe('collecting history for an export', () => {
  it('pages through history.query with the cursor until next is null, reporting progress', async () => {
    const fake = createFakeVigil({
      events: Array.from({ length: 2500 }, (_, i) =>
        makeEvent({ id: i + 1, ts: NOW - i * 60_000, exchangeRecordId: `r${i + 1}` })
      )
    })
    const progress: Array<{ count: number; fraction: number | null }> = []
    const filter = { from: NOW - 3000 * 60_000, to: NOW }
    const events = await collectHistory(fake, filter, { onProgress: (p) => progress.push(p) })
    expect(events).toHaveLength(2500)
    expect(new Set(events.map((e) => e.id)).size).toBe(2500)
    const calls = fake.callsOf('history.query')
    expect(calls).toHaveLength(3)
    expect(calls[0]).toEqual({ ...filter, limit: 1000 })
    expect(calls[1].before).toEqual({ ts: NOW - 999 * 60_000, id: 1000 })
    expect(progress.map((p) => p.count)).toEqual([1000, 2000, 2500])
    expect(progress[0].fraction).toBeCloseTo(999 / 3000)
    expect(progress.at(-1)?.fraction).toBe(1)
  })

  it('stops between pages when cancelled', async () => {
    const fake = createFakeVigil({
      events: Array.from({ length: 2500 }, (_, i) => makeEvent({ id: i + 1, ts: NOW - i }))
    })
    const controller = new AbortController()
    await expect(
      collectHistory(fake, {}, { signal: controller.signal, onProgress: () => controller.abort() })
    ).rejects.toThrow('export cancelled')
    expect(fake.callsOf('history.query')).toHaveLength(1)
  })
})
