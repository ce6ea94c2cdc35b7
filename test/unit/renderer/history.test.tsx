import { fireEvent, screen, waitFor, within } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import type { EventView } from '../../../main/api/types'

import { createFakeVigil, makeEvent, NOW } from './fake-vigil'
import { renderApp } from './render-app'

const KINDS: Array<EventView['kind']> = ['login', 'order', 'fill', 'withdrawal']

function manyEvents(n: number): EventView[] {
  return Array.from({ length: n }, (_, i) =>
    makeEvent({
      id: i + 1,
      kind: KINDS[i % KINDS.length],
      type: `${KINDS[i % KINDS.length]}.new`,
      exchangeRecordId: `rec-${i + 1}`,
      ts: NOW - i * 60_000
    })
  )
}

beforeEach(() => {
  // jsdom has no layout; give the scroller a viewport so the virtualizer has something to fill.
  for (const [prop, size] of [
    ['clientHeight', 400],
    ['clientWidth', 800]
  ] as const) {
    Object.defineProperty(HTMLElement.prototype, prop, {
      configurable: true,
      get(this: HTMLElement) {
        return this.classList.contains('event-scroller') ? size : 0
      }
    })
  }
})
afterEach(() => {
  // jsdom defines these on Element.prototype; dropping the override restores them.
  for (const prop of ['clientHeight', 'clientWidth'] as const) {
    delete (HTMLElement.prototype as unknown as Record<string, unknown>)[prop]
  }
})

describe('history', () => {
  it('renders only the visible rows of a long history and pages with the keyset cursor', async () => {
    const fake = createFakeVigil({ events: manyEvents(2500) })
    renderApp(fake, { hash: '#/history' })
    await waitFor(() =>
      expect(screen.getByTestId('history-count').textContent).toBe('1000 events loaded')
    )
    const rendered = screen.getAllByTestId('history-row').length
    expect(rendered).toBeGreaterThan(0)
    expect(rendered).toBeLessThan(100)
    expect(screen.getByTestId('history-list').getAttribute('aria-rowcount')).toBe('1000')
    expect(screen.getByTestId('history-chart')).toBeTruthy()

    fireEvent.click(screen.getByRole('button', { name: 'Load more' }))
    await waitFor(() =>
      expect(screen.getByTestId('history-count').textContent).toBe('2000 events loaded')
    )
    const [first, second] = fake.callsOf('history.query')
    expect(first.before).toBeUndefined()
    // The cursor is the last row of the first page: newest-first keyset paging.
    expect(second.before).toEqual({ ts: NOW - 999 * 60_000, id: 1000 })

    fireEvent.click(screen.getByRole('button', { name: 'Load more' }))
    await waitFor(() =>
      expect(screen.getByTestId('history-count').textContent).toBe('2500 events loaded')
    )
    expect(screen.getByText('End of history.')).toBeTruthy()
  })

  it('sends the filters to history.query', async () => {
    const fake = createFakeVigil({ events: manyEvents(40) })
    renderApp(fake, { hash: '#/history' })
    await waitFor(() =>
      expect(screen.getByTestId('history-count').textContent).toBe('40 events loaded')
    )
    const form = screen.getByTestId('history-filters')
    fireEvent.click(within(form).getByLabelText('Withdrawal'))
    fireEvent.change(within(form).getByLabelText('Search'), { target: { value: ' bc1q ' } })
    await waitFor(() =>
      expect(within(form).getByRole('option', { name: 'deribit · Main desk' })).toBeTruthy()
    )
    fireEvent.change(within(form).getByLabelText('Account'), { target: { value: 'acc-deribit' } })
    fireEvent.submit(form)
    await waitFor(() =>
      expect(screen.getByTestId('history-count').textContent).toBe('10 events loaded')
    )
    const last = fake.callsOf('history.query').at(-1)
    expect(last).toEqual({
      accountId: 'acc-deribit',
      kinds: ['withdrawal'],
      text: 'bc1q',
      limit: 1000
    })
  })

  it('exports every event the filter matches as CSV, not only the loaded rows', async () => {
    const fake = createFakeVigil({ events: manyEvents(2500) })
    const saved: Array<{ name: string; blob: Blob }> = []
    const { createObjectURL, revokeObjectURL } = URL
    URL.createObjectURL = (blob: Blob) => {
      saved.push({ name: '', blob })
      return 'blob:vigil/1'
    }
    URL.revokeObjectURL = () => {}
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
      this: HTMLAnchorElement
    ) {
      saved[saved.length - 1].name = this.download
    })
    try {
      renderApp(fake, { hash: '#/history' })
      await waitFor(() =>
        expect(screen.getByTestId('history-count').textContent).toBe('1000 events loaded')
      )
      const form = screen.getByTestId('history-filters')
      fireEvent.click(within(form).getByLabelText('Withdrawal'))
      fireEvent.submit(form)
      await waitFor(() =>
        expect(screen.getByTestId('history-count').textContent).toBe('625 events loaded')
      )
      fireEvent.click(screen.getByTestId('export-csv'))
      expect(await screen.findByTestId('export-done')).toBeTruthy()
      expect(screen.getByTestId('export-done').textContent).toBe('Exported 625 events.')
      expect(saved).toHaveLength(1)
      expect(saved[0].name).toMatch(/^vigil-history-\d{8}-\d{4}\.csv$/)
      const text = await saved[0].blob.text()
      const lines = text
        .replace(/^\uFEFF/, '')
        .trimEnd()
        .split('\r\n')
      expect(lines).toHaveLength(626)
      expect(lines.slice(1).every((l) => l.includes(',withdrawal,'))).toBe(true)
      // The export used the applied filter.
      const exportCalls = fake.callsOf('history.query').filter((q) => q.kinds?.length)
      expect(exportCalls.every((q) => q.kinds?.join() === 'withdrawal')).toBe(true)

      fireEvent.click(screen.getByTestId('export-json'))
      await waitFor(() => expect(saved).toHaveLength(2))
      expect(saved[1].name).toMatch(/\.json$/)
      expect(JSON.parse(await saved[1].blob.text())).toMatchObject({ count: 625 })
    } finally {
      click.mockRestore()
      Object.assign(URL, { createObjectURL, revokeObjectURL })
    }
  })
})
