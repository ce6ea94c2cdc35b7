import { fireEvent, screen, waitFor, within } from '@testing-library/react'
import { describe, expect, it } from 'vitest'

import { createFakeVigil, NOW } from './fake-vigil'
import { renderApp } from './render-app'

describe('settings', () => {
  it('saves the response policy, countdown, default action and retention', async () => {
    const fake = createFakeVigil()
    renderApp(fake, { hash: '#/settings' })
    const form = await screen.findByTestId('policy-form')
    const save = within(form).getByRole('button', { name: 'Save' }) as HTMLButtonElement
    expect(save.disabled).toBe(true)

    fireEvent.click(within(form).getByLabelText('Critical: Act at once'))
    fireEvent.change(within(form).getByLabelText('Countdown before acting (seconds)'), {
      target: { value: '30' }
    })
    fireEvent.change(within(form).getByLabelText('When a countdown runs out'), {
      target: { value: 'notify-only' }
    })
    fireEvent.change(within(form).getByLabelText('Keep history (days)'), {
      target: { value: '90' }
    })
    expect(save.disabled).toBe(false)
    fireEvent.submit(form)

    await within(form).findByText('Settings saved.')
    const [update] = fake.callsOf('settings.update')
    expect(update.retentionDays).toBe(90)
    expect(update.policy).toEqual({
      levels: { info: 'history', low: 'history', medium: 'notify', high: 'ask', critical: 'act' },
      countdownSeconds: 30,
      defaultAction: 'notify-only'
    })
    await waitFor(() => expect(save.disabled).toBe(true))
  })
})

describe('rules', () => {
  it('lists rules with enable state, level, kind and editable thresholds', async () => {
    renderApp(createFakeVigil(), { hash: '#/rules' })
    const card = await screen.findByTestId('rule-card')
    expect(within(card).getByTestId('rule-enabled').textContent).toBe('Enabled')
    expect((within(card).getByTestId('rule-toggle') as HTMLInputElement).checked).toBe(true)
    expect(within(card).getAllByText('High').length).toBeGreaterThan(0)
    expect(within(card).getByText('new_value')).toBeTruthy()
    expect(within(card).getByText('windowDays')).toBeTruthy()
    expect((within(card).getByTestId('param-windowDays') as HTMLInputElement).value).toBe('90')
    expect(within(card).getByText('Travel')).toBeTruthy()
  })

  it('turns a rule off and on through rules.update', async () => {
    const fake = createFakeVigil()
    renderApp(fake, { hash: '#/rules' })
    const card = await screen.findByTestId('rule-card')
    fireEvent.click(within(card).getByTestId('rule-toggle'))
    await waitFor(() =>
      expect(within(card).getByTestId('rule-enabled').textContent).toBe('Disabled')
    )
    expect(fake.callsOf('rules.update')).toEqual([{ ruleId: 'login_new_country', enabled: false }])
    fireEvent.change(within(card).getByTestId('rule-level'), { target: { value: 'critical' } })
    await waitFor(() => expect(fake.callsOf('rules.update')).toHaveLength(2))
    expect(fake.callsOf('rules.update')[1]).toEqual({
      ruleId: 'login_new_country',
      level: 'critical'
    })
  })

  it('shows why main refused a threshold, marks the field, and keeps the entered value', async () => {
    const fake = createFakeVigil()
    const accept = fake.handlers['rules.update']
    fake.handlers['rules.update'] = (input) => {
      const days = input.params?.windowDays
      if (typeof days === 'number' && days < 1) {
        throw {
          code: 'bad-request',
          message: 'login_new_country: param windowDays must be ≥ 1',
          path: 'params'
        }
      }
      return accept(input)
    }
    renderApp(fake, { hash: '#/rules' })
    const card = await screen.findByTestId('rule-card')
    const input = within(card).getByTestId('param-windowDays') as HTMLInputElement
    const save = within(card).getByTestId('rule-save') as HTMLButtonElement
    expect(save.disabled).toBe(true)

    fireEvent.change(input, { target: { value: '-5' } })
    fireEvent.click(save)
    const error = await within(card).findByRole('alert')
    expect(error.textContent).toContain('Invalid input.')
    expect(error.textContent).toContain('param windowDays must be ≥ 1')
    expect(input.getAttribute('aria-invalid')).toBe('true')
    expect(input.value).toBe('-5')
    expect(fake.callsOf('rules.update')).toEqual([
      { ruleId: 'login_new_country', params: { windowDays: -5 } }
    ])
    expect(fake.state.rules[0].params.windowDays).toBe(90)

    // A valid value clears the error and is saved; only the changed parameter is sent.
    fireEvent.change(input, { target: { value: '30' } })
    fireEvent.click(save)
    await within(card).findByTestId('rule-saved')
    expect(within(card).queryByRole('alert')).toBeNull()
    expect(input.getAttribute('aria-invalid')).toBeNull()
    expect(fake.callsOf('rules.update').at(-1)).toEqual({
      ruleId: 'login_new_country',
      params: { windowDays: 30 }
    })
    expect(fake.state.rules[0].params.windowDays).toBe(30)
  })

  it('labels each threshold in the window language, its parameter name next to it', async () => {
    const fake = createFakeVigil()
    fake.state.settings = { ...fake.state.settings, language: 'zh-CN' }
    renderApp(fake, { hash: '#/rules', language: 'zh-CN' })
    const card = await screen.findByTestId('rule-card')
    const label = within(card).getByTestId('param-windowDays').closest('label')!
    expect(label.textContent).toContain('时间窗口（天）')
    expect(within(label).getByText('windowDays').tagName).toBe('CODE')
  })

  it('lists exceptions and silences and removes them', async () => {
    const fake = createFakeVigil({
      exceptions: [
        {
          id: 'ex-1',
          ruleId: 'login_new_country',
          accountId: 'acc-deribit',
          field: 'ip',
          value: '84.17.32.10',
          note: null,
          createdAt: NOW
        },
        {
          id: 'ex-2',
          ruleId: null,
          accountId: 'acc-deribit',
          field: 'country',
          value: 'DE',
          note: null,
          createdAt: NOW
        }
      ],
      silences: [
        {
          id: 'si-1',
          ruleId: null,
          accountId: 'acc-deribit',
          until: NOW + 3_600_000,
          createdAt: NOW
        }
      ]
    })
    renderApp(fake, { hash: '#/rules' })
    const exceptions = await screen.findByTestId('exceptions-card')
    const rows = await within(exceptions).findAllByTestId('exception-row')
    expect(rows).toHaveLength(2)
    expect(rows[0].textContent).toContain('IP address')
    expect(rows[0].textContent).toContain('84.17.32.10')
    expect(rows[1].textContent).toContain('All rules')
    await waitFor(() => expect(rows[1].textContent).toContain('deribit · Main desk'))
    fireEvent.click(within(rows[0]).getByTestId('remove-exception'))
    await waitFor(() => expect(within(exceptions).getAllByTestId('exception-row')).toHaveLength(1))
    expect(fake.callsOf('exceptions.remove')).toEqual([{ exceptionId: 'ex-1' }])

    const silences = screen.getByTestId('silences-card')
    const silence = await within(silences).findByTestId('silence-row')
    expect(silence.textContent).toContain('All rules')
    fireEvent.click(within(silence).getByTestId('remove-silence'))
    await within(silences).findByText('Nothing is silenced.')
    expect(fake.callsOf('silences.remove')).toEqual([{ silenceId: 'si-1' }])
  })
})
