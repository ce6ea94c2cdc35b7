import { fireEvent, screen, waitFor, within } from '@testing-library/react'
import { describe, expect, it } from 'vitest'

import { createFakeVigil, makeAccount, makeStatus, NOW } from './fake-vigil'
import { renderApp } from './render-app'

describe('overview', () => {
  it('shows every account with its status, capability notes, posture fix and keys', async () => {
    const fake = createFakeVigil({
      accounts: [
        makeAccount(),
        makeAccount({ id: 'acc-bin', exchange: 'binance', label: 'Spot bot', status: 'degraded' })
      ]
    })
    renderApp(fake)
    const cards = await screen.findAllByTestId('account-card')
    expect(cards).toHaveLength(2)
    const first = within(cards[0])
    expect(first.getByTestId('account-status').textContent).toBe('Watching')
    expect(within(cards[1]).getByTestId('account-status').textContent).toBe('Degraded')
    expect(first.getByText('Deribit has no dead-man switch over REST.')).toBeTruthy()
    expect(first.getByText('Key works from any IP address')).toBeTruthy()
    expect(first.getByText(/Bind the key to your server IP/)).toBeTruthy()
    expect(first.getByText('trade:read_write, account:read')).toBeTruthy()
  })

  it('fires the kill switch only after confirmation and shows what was done', async () => {
    const fake = createFakeVigil()
    renderApp(fake)
    const button = await screen.findByTestId('kill-switch-all')
    await waitFor(() => expect((button as HTMLButtonElement).disabled).toBe(false))

    fireEvent.click(button)
    const dialog = await screen.findByRole('dialog')
    // The dialog says what will happen and to which account before anything happens.
    expect(within(dialog).getByText(/Cancel every open order/)).toBeTruthy()
    expect(within(dialog).getByText(/Main desk/)).toBeTruthy()
    expect(fake.callsOf('killSwitch.fire')).toHaveLength(0)

    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }))
    expect(screen.queryByRole('dialog')).toBeNull()
    expect(fake.callsOf('killSwitch.fire')).toHaveLength(0)

    fireEvent.click(screen.getByTestId('kill-switch-all'))
    fireEvent.click(await screen.findByTestId('confirm-kill-switch'))
    const result = await screen.findByTestId('kill-switch-result')
    expect(fake.callsOf('killSwitch.fire')).toHaveLength(1)
    // All accounts: no account filter is sent, main decides on every account.
    expect(fake.callsOf('killSwitch.fire')[0].accountIds).toBeUndefined()
    expect(within(result).getByTestId('orders-cancelled').textContent).toBe('7')
    expect(within(result).getByTestId('orders-remaining').textContent).toBe('0')
    expect(within(result).getByTestId('key-outcome').textContent).toBe('Disabled')
    expect(within(result).getByText('key-evil')).toBeTruthy()
  })

  it('closes the confirmation with Escape without firing', async () => {
    const fake = createFakeVigil()
    renderApp(fake)
    const button = await screen.findByTestId('kill-switch-all')
    await waitFor(() => expect((button as HTMLButtonElement).disabled).toBe(false))
    fireEvent.click(button)
    const dialog = await screen.findByRole('dialog')
    // Focus starts on Cancel, so a stray Enter never fires it.
    expect(document.activeElement?.textContent).toBe('Cancel')
    fireEvent.keyDown(dialog, { key: 'Escape' })
    expect(screen.queryByRole('dialog')).toBeNull()
    expect(fake.callsOf('killSwitch.fire')).toHaveLength(0)
  })

  it('shows manual steps and the exchange link when the key cannot be revoked by API', async () => {
    const fake = createFakeVigil()
    fake.handlers['killSwitch.fire'] = () => ({
      id: 'ks-2',
      trigger: 'manual',
      startedAt: NOW,
      finishedAt: NOW + 900,
      durationMs: 900,
      accounts: [
        {
          account: 'acc-deribit',
          exchange: 'binance',
          contained: false,
          ordersCancelled: 2,
          ordersRemaining: 1,
          key: 'manual-revoke-required',
          keysDisabled: [],
          keysRemoved: [],
          manualSteps: ['Log in to Binance', 'Delete the API key ending a1b2'],
          manualUrl: 'https://www.binance.com/en/my/settings/api-management',
          steps: [],
          errors: ['BTCUSDT: order 42 still open after 3 attempts']
        }
      ]
    })
    renderApp(fake)
    const button = await screen.findByTestId('kill-switch-all')
    await waitFor(() => expect((button as HTMLButtonElement).disabled).toBe(false))
    fireEvent.click(button)
    fireEvent.click(await screen.findByTestId('confirm-kill-switch'))
    const result = await screen.findByTestId('kill-switch-result')
    expect(within(result).getByTestId('orders-remaining').textContent).toBe('1')
    expect(within(result).getByText('Delete the API key ending a1b2')).toBeTruthy()
    const link = within(result).getByRole('link', { name: /API management page/ })
    expect(link.getAttribute('href')).toBe('https://www.binance.com/en/my/settings/api-management')
    expect(within(result).getByText(/order 42 still open/)).toBeTruthy()
  })

  it('cancels a running countdown', async () => {
    const fake = createFakeVigil({
      status: makeStatus({
        countdowns: [
          { incidentId: 'inc-1', level: 'critical', endsAt: Date.now() + 45_000, action: 'fire' }
        ]
      })
    })
    renderApp(fake)
    const countdown = await screen.findByTestId('countdown')
    expect(countdown.textContent).toMatch(/fires automatically in\s*0:4\d/)
    fireEvent.click(within(countdown).getByTestId('cancel-countdown'))
    await waitFor(() => expect(fake.callsOf('countdown.cancel')).toEqual([{ incidentId: 'inc-1' }]))
    await waitFor(() => expect(screen.queryByTestId('countdown')).toBeNull())
  })

  it('reloads accounts when main pushes an account event', async () => {
    const fake = createFakeVigil()
    renderApp(fake)
    await screen.findAllByTestId('account-card')
    fake.state.accounts = [makeAccount({ status: 'contained' })]
    fake.emit('account', fake.state.accounts[0])
    await waitFor(() => expect(screen.getByTestId('account-status').textContent).toBe('Contained'))
  })

  it('in demo mode offers the fire drills and starts one', async () => {
    const fake = createFakeVigil({
      status: makeStatus({ demo: true }),
      demo: {
        demo: true,
        spare: { exchange: 'deribit', label: 'Spare deribit (simulated)' },
        attacks: [{ id: 'takeover-spare', title: 'Account takeover on the spare account' }]
      }
    })
    renderApp(fake)
    const drill = await screen.findByTestId('fire-drill')
    expect(within(drill).getByText('Account takeover on the spare account')).toBeTruthy()
    // The spare account is not added yet: the card says where to add it.
    await within(drill).findByTestId('fire-drill-spare-hint')
    fireEvent.click(within(drill).getByTestId('fire-drill-takeover-spare'))
    expect((await within(drill).findByTestId('fire-drill-played')).textContent).toContain(
      '6 attack steps'
    )
    expect(fake.callsOf('demo.attack')).toEqual([{ attack: 'takeover-spare' }])
  })

  it('names a known drill in the window language, an unknown one as main sent it', async () => {
    const fake = createFakeVigil({
      status: makeStatus({ demo: true }),
      demo: {
        demo: true,
        spare: null,
        attacks: [
          { id: 'takeover-spare', title: 'Account takeover on the spare account' },
          { id: 'new-drill', title: 'A drill this build has no name for' }
        ]
      }
    })
    // The app takes its language from the saved settings.
    fake.state.settings = { ...fake.state.settings, language: 'zh-TW' }
    renderApp(fake, { language: 'zh-TW' })
    const drill = await screen.findByTestId('fire-drill')
    expect(within(drill).getByText('備用帳戶遭到接管')).toBeTruthy()
    expect(within(drill).getByText('A drill this build has no name for')).toBeTruthy()
    expect(within(drill).queryByText('Account takeover on the spare account')).toBeNull()
  })

  it('shows no fire drill outside demo mode', async () => {
    renderApp(createFakeVigil())
    await screen.findByTestId('kill-switch-all')
    expect(screen.queryByTestId('fire-drill')).toBeNull()
  })
})
