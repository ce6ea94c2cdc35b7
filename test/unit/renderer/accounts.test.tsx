import { act, fireEvent, screen, waitFor, within } from '@testing-library/react'
import { describe, expect, it } from 'vitest'

import type { AccountView } from '../../../main/api/types'

import { createFakeVigil, makeAccount, type FakeVigil } from './fake-vigil'
import { renderApp } from './render-app'

const SECRET = 'S3cr3t-never-echo-this-value'

async function chooseExchange(name: string) {
  const select = (await screen.findByTestId('exchange-select')) as HTMLSelectElement
  await waitFor(() => expect(select.options.length).toBeGreaterThan(0))
  const option = [...select.options].find((o) => o.textContent?.startsWith(name))
  if (!option) throw new Error(`no option ${name}`)
  fireEvent.change(select, { target: { value: option.value } })
}

async function toKeyStep(name: string) {
  await chooseExchange(name)
  fireEvent.click(screen.getByTestId('wizard-next'))
  return screen.findByTestId('wizard-key')
}

function fillKey(label: string, key: string) {
  const form = screen.getByTestId('add-account-form')
  fireEvent.change(within(form).getByLabelText('Label'), { target: { value: label } })
  fireEvent.change(screen.getByTestId('api-key-input'), { target: { value: key } })
  fireEvent.change(screen.getByTestId('secret-input'), { target: { value: SECRET } })
}

/**
 * What main does while it reads history: the account's view changes (so accounts.list, which the
 * wizard also polls every BACKFILL_POLL_MS, returns it) and the change is pushed.
 */
function pushBackfill(fake: FakeVigil, account: AccountView, backfill: AccountView['backfill']) {
  const next = { ...account, backfill }
  fake.state.accounts = fake.state.accounts.map((a) => (a.id === account.id ? next : a))
  act(() => fake.emit('account', next))
}

describe('add-key wizard', () => {
  it('never prefills the secret and masks it', async () => {
    renderApp(createFakeVigil(), { hash: '#/accounts' })
    await toKeyStep('Deribit')
    // Keyboard and screen-reader users land on the new step, not back at the top of the page.
    expect(document.activeElement?.textContent).toBe('Enter the Deribit API key')
    const secret = screen.getByTestId('secret-input') as HTMLInputElement
    expect(secret.type).toBe('password')
    expect(secret.value).toBe('')
    expect(secret.getAttribute('autocomplete')).toBe('new-password')
    expect(screen.getByTestId('keychain-note').textContent).toMatch(/keychain.*never shown again/)
  })

  it('tests the key, shows posture and capabilities before saving, then follows the backfill', async () => {
    const fake = createFakeVigil()
    renderApp(fake, { hash: '#/accounts' })
    expect(screen.getByTestId('wizard-step-exchange').getAttribute('aria-current')).toBe('step')
    await toKeyStep('Deribit')
    fillKey('Hedge bot', 'KEY-0000-wxyz')
    fireEvent.click(screen.getByTestId('test-connection'))

    // Review: what is wrong with the key and what Vigil can see, before anything is stored.
    const review = await screen.findByTestId('wizard-review')
    expect(fake.callsOf('accounts.test')).toEqual([
      { exchange: 'deribit', apiKey: 'KEY-0000-wxyz', secret: SECRET }
    ])
    expect(fake.callsOf('accounts.add')).toHaveLength(0)
    const posture = within(review).getByTestId('test-posture')
    expect(within(posture).getByText('Key works from any IP address')).toBeTruthy()
    expect(within(posture).getByText(/Bind the key to your server IP/)).toBeTruthy()
    const capabilities = within(review).getByTestId('test-capabilities')
    expect(within(capabilities).getByText('Deribit has no dead-man switch over REST.')).toBeTruthy()
    // What Vigil cannot see comes first.
    const rows = within(capabilities).getAllByRole('row')
    expect(rows[0].getAttribute('data-supported')).toBe('false')
    expect(screen.getByTestId('wizard-step-review').getAttribute('aria-current')).toBe('step')

    fireEvent.click(within(review).getByTestId('save-account'))
    const backfill = await screen.findByTestId('wizard-backfill')
    expect(fake.callsOf('accounts.add')).toEqual([
      { exchange: 'deribit', apiKey: 'KEY-0000-wxyz', secret: SECRET, label: 'Hedge bot' }
    ])
    expect(document.body.innerHTML).not.toContain(SECRET)
    expect(screen.getByTestId('account-added').textContent).toContain('…wxyz')

    const added = fake.state.accounts.find((a) => a.label === 'Hedge bot')!
    pushBackfill(fake, added, { done: false, progress: 0.4, message: 'Reading the access log' })
    await waitFor(() =>
      expect(within(backfill).getByTestId('backfill-percent').textContent).toBe('40 %')
    )
    expect(within(backfill).getByTestId('backfill-message').textContent).toBe(
      'Reading the access log'
    )
    expect((within(backfill).getByTestId('backfill-progress') as HTMLProgressElement).value).toBe(
      0.4
    )
    expect(within(backfill).queryByTestId('backfill-done')).toBeNull()
    // Another account's progress is not this one's.
    pushBackfill(fake, makeAccount({ id: 'other' }), { done: true, progress: 1, message: 'x' })
    expect(within(backfill).queryByTestId('backfill-done')).toBeNull()

    pushBackfill(fake, added, { done: true, progress: 1, message: 'History read: 1437 events' })
    await within(backfill).findByTestId('backfill-done')
    expect(within(backfill).getByTestId('backfill-percent').textContent).toBe('100 %')
    expect(within(backfill).getByTestId('backfill-message').textContent).toBe(
      'History read: 1437 events'
    )
    await waitFor(() => expect(screen.getAllByTestId('account-row')).toHaveLength(2))
  })

  it('stays on the key step and saves nothing when the test fails', async () => {
    const fake = createFakeVigil()
    fake.handlers['accounts.test'] = () => ({
      ok: false,
      error: 'Deribit refused this API key: invalid_credentials',
      capabilities: [],
      keys: [],
      posture: []
    })
    renderApp(fake, { hash: '#/accounts' })
    await toKeyStep('Deribit')
    fillKey('x', 'k')
    fireEvent.click(screen.getByTestId('test-connection'))
    expect((await screen.findByTestId('test-error')).textContent).toContain('refused this API key')
    expect(screen.getByTestId('wizard-key')).toBeTruthy()
    expect(screen.queryByTestId('save-account')).toBeNull()
    expect(fake.callsOf('accounts.add')).toHaveLength(0)
  })

  it('asks for the passphrase only where the exchange needs one', async () => {
    renderApp(createFakeVigil(), { hash: '#/accounts' })
    await toKeyStep('Binance')
    expect(screen.queryByTestId('passphrase-input')).toBeNull()
    fireEvent.click(screen.getByTestId('wizard-back'))
    await toKeyStep('OKX')
    const passphrase = (await screen.findByTestId('passphrase-input')) as HTMLInputElement
    expect(passphrase.type).toBe('password')
    expect(passphrase.value).toBe('')
  })

  it('filters the exchange list by search and marks deep support', async () => {
    renderApp(createFakeVigil(), { hash: '#/accounts' })
    const select = (await screen.findByTestId('exchange-select')) as HTMLSelectElement
    await waitFor(() => expect(select.options.length).toBe(4))
    // Deep exchanges first.
    expect([...select.options].map((o) => o.textContent)).toEqual([
      'Binance — deep support',
      'Deribit — deep support',
      'OKX — deep support',
      'Kraken'
    ])
    fireEvent.change(screen.getByTestId('exchange-search'), { target: { value: 'kra' } })
    expect([...select.options].map((o) => o.value)).toEqual(['kraken'])
  })

  it('shows the contract error when main refuses the key on save', async () => {
    const fake = createFakeVigil()
    fake.handlers['accounts.add'] = () => {
      throw { code: 'bad-request', message: 'apiKey: too short', path: 'apiKey' }
    }
    renderApp(fake, { hash: '#/accounts' })
    await toKeyStep('Deribit')
    fillKey('x', 'k')
    fireEvent.click(screen.getByTestId('test-connection'))
    fireEvent.click(await screen.findByTestId('save-account'))
    const review = screen.getByTestId('wizard-review')
    expect((await within(review).findByRole('alert')).textContent).toContain('apiKey: too short')
  })

  it('in demo mode runs the same steps on the simulated spare account, with no key typed', async () => {
    const fake = createFakeVigil({
      demo: {
        demo: true,
        spare: { exchange: 'deribit', label: 'Spare deribit (simulated)' },
        attacks: [{ id: 'takeover-spare', title: 'Account takeover on the spare account' }]
      }
    })
    renderApp(fake, { hash: '#/accounts' })
    fireEvent.click(await screen.findByTestId('try-simulated'))
    await screen.findByTestId('wizard-key')
    expect(screen.queryByTestId('api-key-input')).toBeNull()
    expect(screen.queryByTestId('secret-input')).toBeNull()
    expect((screen.getByTestId('label-input') as HTMLInputElement).value).toBe(
      'Spare deribit (simulated)'
    )
    fireEvent.click(screen.getByTestId('test-connection'))
    await screen.findByTestId('wizard-review')
    expect(fake.callsOf('accounts.test')).toEqual([{ exchange: 'deribit', simulated: true }])
    fireEvent.click(screen.getByTestId('save-account'))
    await screen.findByTestId('wizard-backfill')
    expect(fake.callsOf('accounts.add')).toEqual([
      { exchange: 'deribit', simulated: true, label: 'Spare deribit (simulated)' }
    ])
  })

  it('offers no simulated account outside demo mode', async () => {
    renderApp(createFakeVigil(), { hash: '#/accounts' })
    await screen.findByTestId('exchange-select')
    await waitFor(() => expect(screen.getByTestId('wizard-exchange')).toBeTruthy())
    expect(screen.queryByTestId('try-simulated')).toBeNull()
  })

  it('rotates a key: tests the new one, then replaces it in place', async () => {
    const fake = createFakeVigil()
    renderApp(fake, { hash: '#/accounts' })
    fireEvent.click(await screen.findByTestId('rotate-account'))
    const wizard = await screen.findByTestId('add-key-wizard')
    expect(within(wizard).getByTestId('rotate-note').textContent).toMatch(/tests the new key first/)
    await within(wizard).findByTestId('wizard-key')
    fireEvent.change(screen.getByTestId('api-key-input'), { target: { value: 'NEW-KEY-9999' } })
    fireEvent.change(screen.getByTestId('secret-input'), { target: { value: SECRET } })
    fireEvent.click(screen.getByTestId('test-connection'))
    fireEvent.click(await screen.findByTestId('save-account'))
    await screen.findByTestId('rotate-done')
    expect(fake.callsOf('accounts.rearm')).toEqual([
      { accountId: 'acc-deribit', apiKey: 'NEW-KEY-9999', secret: SECRET }
    ])
    expect(fake.callsOf('accounts.add')).toHaveLength(0)
    expect(fake.callsOf('accounts.remove')).toHaveLength(0)
  })

  it('removes an account only after confirmation', async () => {
    const fake = createFakeVigil()
    renderApp(fake, { hash: '#/accounts' })
    fireEvent.click(await screen.findByTestId('remove-account'))
    const dialog = await screen.findByRole('dialog')
    expect(within(dialog).getByText(/deletes its API secret from the OS keychain/)).toBeTruthy()
    expect(fake.callsOf('accounts.remove')).toHaveLength(0)
    fireEvent.click(within(dialog).getByTestId('confirm-remove-account'))
    await waitFor(() =>
      expect(fake.callsOf('accounts.remove')).toEqual([{ accountId: 'acc-deribit' }])
    )
    await screen.findByText('No accounts yet.')
  })
})
