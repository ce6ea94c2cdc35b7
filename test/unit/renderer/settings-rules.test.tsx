import { fireEvent, screen, waitFor, within } from '@testing-library/react'
import { describe, expect, it } from 'vitest'

import { createFakeVigil } from './fake-vigil'
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
  it('lists rules with enable state, level, kind and read-only parameters', async () => {
    renderApp(createFakeVigil(), { hash: '#/rules' })
    const card = await screen.findByTestId('rule-card')
    expect(within(card).getByTestId('rule-enabled').textContent).toBe('Enabled')
    expect(within(card).getByText('High')).toBeTruthy()
    expect(within(card).getByText('new_value')).toBeTruthy()
    expect(within(card).getByText('windowDays')).toBeTruthy()
    expect(within(card).getByText('Travel')).toBeTruthy()
    expect(card.querySelector('input, select, textarea')).toBeNull()
  })
})
