import { fireEvent, screen, waitFor, within } from '@testing-library/react'
import { describe, expect, it, vi } from 'vitest'

import { createFakeVigil, makeAlert, makeEvent, makeIncident, NOW } from './fake-vigil'
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
    expect(fake.callsOf('incidents.report')).toEqual([
      { incidentId: 'inc-1', format: 'markdown', language: 'en' }
    ])
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

  it('"this is me" offers the values found in the evidence and sends the chosen field, value and scope', async () => {
    const fake = createFakeVigil()
    fake.state.alerts = [
      makeAlert({
        evidence: [
          makeEvent({
            id: 1,
            type: 'login.failure',
            ts: NOW - 90_000,
            data: { ip: '45.155.205.17', success: false, country: 'RU', city: 'Moscow' }
          }),
          makeEvent({
            id: 2,
            ts: NOW - 60_000,
            data: {
              ip: '185.220.101.4',
              success: true,
              country: 'DE',
              city: 'Berlin',
              asn: 60729,
              asnOrg: 'Stiftung Erneuerbare Freiheit',
              network: 'tor',
              device: 'Firefox on Linux'
            }
          })
        ]
      })
    ]
    renderApp(fake, { hash: '#/alerts/inc-1' })
    fireEvent.click(await screen.findByTestId('this-is-me'))
    const dialog = await screen.findByRole('dialog')
    const fields = within(dialog).getByTestId('this-is-me-fields')
    const options = within(fields).getAllByRole('radio') as HTMLInputElement[]
    // Each distinct value once, newest first within a field, fields in a fixed order.
    expect(options.map((o) => o.value)).toEqual([
      'ip:185.220.101.4',
      'ip:45.155.205.17',
      'country:DE',
      'country:RU',
      'device:Firefox on Linux',
      'network:tor',
      'asn:60729'
    ])
    expect(options[0].checked).toBe(true)
    expect(fields.textContent).toContain('Stiftung Erneuerbare Freiheit')
    expect(fields.textContent).toContain('IP address')
    // Nothing is sent until confirmed.
    fireEvent.click(within(dialog).getByLabelText(/Country\s*DE/))
    fireEvent.click(within(dialog).getByTestId('this-is-me-scope-all'))
    expect(fake.callsOf('exceptions.add')).toHaveLength(0)
    fireEvent.click(within(dialog).getByTestId('confirm-this-is-me'))

    await screen.findByTestId('this-is-me-saved')
    expect(fake.callsOf('exceptions.add')).toEqual([
      { alertId: 'alert-1', field: 'country', value: 'DE', allRules: true }
    ])
    expect(screen.queryByRole('dialog')).toBeNull()
    expect(screen.getByTestId('this-is-me-saved').textContent).toBe('Marked as you: Country DE')
    // Main acknowledged the incident: the detail reloads and says so.
    await waitFor(() => expect(screen.getByTestId('acknowledge').textContent).toBe('Acknowledged'))
  })

  it('"this is me" defaults to this rule only', async () => {
    const fake = createFakeVigil()
    renderApp(fake, { hash: '#/alerts/inc-1' })
    fireEvent.click(await screen.findByTestId('this-is-me'))
    const dialog = await screen.findByRole('dialog')
    expect((within(dialog).getByTestId('this-is-me-scope-rule') as HTMLInputElement).checked).toBe(
      true
    )
    fireEvent.click(within(dialog).getByTestId('confirm-this-is-me'))
    await screen.findByTestId('this-is-me-saved')
    expect(fake.callsOf('exceptions.add')).toEqual([
      { alertId: 'alert-1', field: 'ip', value: '185.220.101.4' }
    ])
    expect(fake.state.exceptions[0]).toMatchObject({ ruleId: 'login_new_country' })
  })

  it('silences the rule or the account for 1 h, 24 h or 7 days', async () => {
    const fake = createFakeVigil()
    renderApp(fake, { hash: '#/alerts/inc-1' })
    fireEvent.click(await screen.findByTestId('silence'))
    let dialog = await screen.findByRole('dialog')
    fireEvent.click(within(dialog).getByTestId('silence-1440'))
    fireEvent.click(within(dialog).getByTestId('confirm-silence'))
    await screen.findByTestId('silence-saved')
    fireEvent.click(screen.getByTestId('silence'))
    dialog = await screen.findByRole('dialog')
    fireEvent.click(within(dialog).getByTestId('silence-account'))
    fireEvent.click(within(dialog).getByTestId('silence-10080'))
    fireEvent.click(within(dialog).getByTestId('confirm-silence'))
    await waitFor(() => expect(fake.callsOf('silences.add')).toHaveLength(2))
    expect(fake.callsOf('silences.add')).toEqual([
      { accountId: 'acc-deribit', ruleId: 'login_new_country', minutes: 1440 },
      { accountId: 'acc-deribit', minutes: 10080 }
    ])
  })

  it('lists the countries the logins came from', async () => {
    const fake = createFakeVigil()
    fake.state.alerts = [
      makeAlert({
        evidence: [
          makeEvent({
            id: 1,
            type: 'login.failure',
            data: { ip: '1.1.1.1', success: false, country: 'RU' }
          }),
          makeEvent({
            id: 2,
            data: { ip: '185.220.101.4', success: true, country: 'DE', city: 'Berlin' }
          }),
          makeEvent({
            id: 3,
            kind: 'security',
            type: 'security.twofa_disabled',
            data: { ip: '185.220.101.4', country: 'Germany' }
          })
        ]
      })
    ]
    renderApp(fake, { hash: '#/alerts/inc-1' })
    const places = await screen.findAllByTestId('login-location')
    expect(places).toHaveLength(2)
    expect(places[0].textContent).toContain('Russia')
    expect(places[0].textContent).toContain('failed logins: 1')
    // "DE" and "Germany" are one place.
    expect(places[1].textContent).toContain('Germany')
    expect(places[1].textContent).toContain('Berlin')
    expect(places[1].textContent).toContain('successful logins: 1')
    expect(places[1].textContent).toContain('security changes: 1')
  })

  it('draws observed against the learned band and threshold, with the same facts in words', async () => {
    const fake = createFakeVigil()
    fake.state.alerts = [
      makeAlert({
        rule: 'trade.order_rate_spike',
        explanation: '40 orders in 5 minutes; you usually place about 4.',
        reasoning: {
          observed: 40,
          bucketMinutes: 5,
          threshold: { gt: 16.5 },
          baseline: { mean: 4, stdev: 2, max: 9, samples: 200, windowDays: 30, sigma: 3 }
        }
      })
    ]
    renderApp(fake, { hash: '#/alerts/inc-1' })
    const chart = await screen.findByTestId('baseline-chart')
    expect(within(chart).getByTestId('baseline-summary').textContent).toBe(
      'Observed: 40 · threshold: 16.5 · normal range (green, mean ± σ): 2 to 6'
    )
    // The plain-language explanation stays in view next to the chart.
    expect(screen.getByTestId('alert-explanation').textContent).toContain(
      'you usually place about 4'
    )
  })
})
