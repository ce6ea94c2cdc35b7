import { fireEvent, screen, waitFor, within } from '@testing-library/react'
import { describe, expect, it, vi } from 'vitest'

import { createFakeVigil, makeAlert, makeIncident } from './fake-vigil'
import { renderApp } from './render-app'

describe('alerts', () => {
  it('lists incidents with level, account and rules', async () => {
    const fake = createFakeVigil({
      incidents: [
        makeIncident(),
        makeIncident({
          id: 'inc-2',
          level: 'medium',
          title: 'Leverage raised',
          rules: ['leverage_jump']
        })
      ]
    })
    renderApp(fake, { hash: '#/alerts' })
    const rows = await screen.findAllByTestId('incident-row')
    expect(rows).toHaveLength(2)
    expect(rows[0].className).toContain('level-critical')
    expect(within(rows[0]).getByText('Critical')).toBeTruthy()
    await waitFor(() => expect(within(rows[0]).getByText(/deribit · Main desk/)).toBeTruthy())
    expect(within(rows[1]).getByText(/leverage_jump/)).toBeTruthy()
  })

  it('shows an alert with its explanation, reasoning numbers and evidence timeline', async () => {
    const fake = createFakeVigil()
    renderApp(fake, { hash: '#/alerts/inc-1' })
    const detail = await screen.findByTestId('incident-detail')
    expect(within(detail).getByText(/only ever logged in from Singapore/)).toBeTruthy()
    const reasoning = within(detail).getByTestId('alert-reasoning')
    expect(reasoning.textContent).toContain('Threshold1')
    expect(reasoning.textContent).toContain('Observed3')
    expect(reasoning.textContent).toContain('Your baseline0')

    const evidence = within(detail).getByTestId('alert-evidence')
    const items = within(evidence).getAllByTestId('evidence-event')
    expect(items).toHaveLength(2)
    // Oldest first, as a timeline reads.
    expect(items[0].textContent).toContain('185.220.101.4')
    expect(items[0].textContent).toContain('DE')
    expect(items[0].textContent).toContain('tor')
    expect(items[0].textContent).toContain('Firefox')
    expect(items[0].textContent).toContain('log-9001')
    expect(items[1].textContent).toContain('bc1qattacker0000')
    expect(items[1].textContent).toContain('1.5 BTC')
    expect(items[1].textContent).toContain('wd-77')
  })

  it('shows nested reasoning as readable pairs, never as raw JSON', async () => {
    const fake = createFakeVigil()
    fake.state.alerts = [
      makeAlert({
        reasoning: {
          rule: 'funds.large_withdrawal',
          kind: 'threshold',
          scope: 'live',
          threshold: { gt: 50_000, over: 'event' },
          observed: 90_000,
          learning: { learned: true, samples: 128 },
          evidenceRecords: [{ id: 1, type: 'withdrawal.new' }]
        }
      })
    ]
    renderApp(fake, { hash: '#/alerts/inc-1' })
    const reasoning = await screen.findByTestId('alert-reasoning')
    expect(reasoning.textContent).toContain('Above50,000')
    expect(reasoning.textContent).toContain('Observed90,000')
    expect(reasoning.textContent).toContain('Samples128')
    expect(reasoning.textContent).not.toContain('{')
    // Shown elsewhere on the card already.
    expect(reasoning.textContent).not.toContain('evidenceRecords')
    expect(reasoning.textContent).not.toContain('funds.large_withdrawal')
  })

  it('acknowledges an incident', async () => {
    const fake = createFakeVigil()
    renderApp(fake, { hash: '#/alerts/inc-1' })
    const button = await screen.findByTestId('acknowledge')
    fireEvent.click(button)
    await waitFor(() =>
      expect(fake.callsOf('incidents.acknowledge')).toEqual([{ incidentId: 'inc-1' }])
    )
    await waitFor(() => expect(screen.getByTestId('acknowledge').textContent).toBe('Acknowledged'))
    expect((screen.getByTestId('acknowledge') as HTMLButtonElement).disabled).toBe(true)
  })

  it('fires the kill switch for the incident’s account after confirmation', async () => {
    const fake = createFakeVigil()
    renderApp(fake, { hash: '#/alerts/inc-1' })
    const button = await screen.findByTestId('kill-switch-incident')
    await waitFor(() => expect((button as HTMLButtonElement).disabled).toBe(false))
    fireEvent.click(button)
    expect(fake.callsOf('killSwitch.fire')).toHaveLength(0)
    fireEvent.click(await screen.findByTestId('confirm-kill-switch'))
    await screen.findByTestId('kill-switch-result')
    expect(fake.callsOf('killSwitch.fire')).toEqual([
      { incidentId: 'inc-1', accountIds: ['acc-deribit'], reason: 'incident inc-1' }
    ])
  })

  it('downloads the incident report as a file', async () => {
    const fake = createFakeVigil()
    const saved: Array<{ name: string; blob: Blob }> = []
    // jsdom has no blob URLs or downloads: record what would be saved.
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
    renderApp(fake, { hash: '#/alerts/inc-1' })
    fireEvent.click(await screen.findByTestId('report-markdown'))
    await waitFor(() => expect(saved).toHaveLength(1))
    expect(fake.callsOf('incidents.report')).toEqual([{ incidentId: 'inc-1', format: 'markdown' }])
    expect(saved[0].name).toBe('vigil-incident-inc-1.md')
    expect(await saved[0].blob.text()).toBe('# Incident inc-1\n')
    click.mockRestore()
    Object.assign(URL, { createObjectURL, revokeObjectURL })
  })

  it('says plainly when an incident cannot be found', async () => {
    const fake = createFakeVigil()
    renderApp(fake, { hash: '#/alerts/missing' })
    expect((await screen.findByRole('alert')).textContent).toContain('no incident missing')
  })

  it('refreshes the list when main pushes a new alert', async () => {
    const fake = createFakeVigil({ incidents: [] })
    renderApp(fake, { hash: '#/alerts' })
    await screen.findByText('No incidents.')
    const incident = makeIncident({ id: 'inc-9', title: 'New API key created' })
    fake.state.incidents = [incident]
    const { evidence: _evidence, ...alert } = fake.state.alerts[0]
    fake.emit('alert', { alert, incident })
    expect((await screen.findByTestId('incident-row')).textContent).toContain('New API key created')
  })
})
