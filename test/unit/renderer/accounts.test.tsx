import { fireEvent, screen, waitFor, within } from '@testing-library/react'
import { describe, expect, it } from 'vitest'

import { createFakeVigil } from './fake-vigil'
import { renderApp } from './render-app'

const SECRET = 'S3cr3t-never-echo-this-value'

async function chooseExchange(name: string) {
  const select = (await screen.findByTestId('exchange-select')) as HTMLSelectElement
  await waitFor(() => expect(select.options.length).toBeGreaterThan(0))
  const option = [...select.options].find((o) => o.textContent?.startsWith(name))
  if (!option) throw new Error(`no option ${name}`)
  fireEvent.change(select, { target: { value: option.value } })
}

describe('accounts', () => {
  it('never prefills the secret and masks it', async () => {
    renderApp(createFakeVigil(), { hash: '#/accounts' })
    const secret = (await screen.findByTestId('secret-input')) as HTMLInputElement
    expect(secret.type).toBe('password')
    expect(secret.value).toBe('')
    expect(secret.getAttribute('autocomplete')).toBe('new-password')
    expect(screen.getByTestId('keychain-note').textContent).toMatch(/keychain.*never shown again/)
  })

  it('adds an account, sends the secret once and forgets it', async () => {
    const fake = createFakeVigil()
    renderApp(fake, { hash: '#/accounts' })
    await chooseExchange('Deribit')
    const form = screen.getByTestId('add-account-form')
    fireEvent.change(within(form).getByLabelText('Label'), { target: { value: 'Hedge bot' } })
    fireEvent.change(screen.getByTestId('api-key-input'), { target: { value: 'KEY-0000-wxyz' } })
    fireEvent.change(screen.getByTestId('secret-input'), { target: { value: SECRET } })
    fireEvent.submit(form)

    await screen.findByTestId('account-added')
    expect(fake.callsOf('accounts.add')).toEqual([
      { exchange: 'deribit', label: 'Hedge bot', apiKey: 'KEY-0000-wxyz', secret: SECRET }
    ])
    expect((screen.getByTestId('secret-input') as HTMLInputElement).value).toBe('')
    expect((screen.getByTestId('api-key-input') as HTMLInputElement).value).toBe('')
    expect(document.body.innerHTML).not.toContain(SECRET)
    expect(screen.getByTestId('account-added').textContent).toContain('…wxyz')
    await waitFor(() => expect(screen.getAllByTestId('account-row')).toHaveLength(2))
  })

  it('asks for the passphrase only where the exchange needs one', async () => {
    renderApp(createFakeVigil(), { hash: '#/accounts' })
    await chooseExchange('Binance')
    expect(screen.queryByTestId('passphrase-input')).toBeNull()
    await chooseExchange('OKX')
    const passphrase = (await screen.findByTestId('passphrase-input')) as HTMLInputElement
    expect(passphrase.type).toBe('password')
    expect(passphrase.value).toBe('')
  })

  it('filters the exchange list by search', async () => {
    renderApp(createFakeVigil(), { hash: '#/accounts' })
    const select = (await screen.findByTestId('exchange-select')) as HTMLSelectElement
    await waitFor(() => expect(select.options.length).toBe(4))
    fireEvent.change(screen.getByTestId('exchange-search'), { target: { value: 'kra' } })
    expect([...select.options].map((o) => o.value)).toEqual(['kraken'])
  })

  it('shows the contract error when main refuses the key', async () => {
    const fake = createFakeVigil()
    fake.handlers['accounts.add'] = () => {
      throw { code: 'bad-request', message: 'apiKey: too short', path: 'apiKey' }
    }
    renderApp(fake, { hash: '#/accounts' })
    await chooseExchange('Deribit')
    const form = screen.getByTestId('add-account-form')
    fireEvent.change(within(form).getByLabelText('Label'), { target: { value: 'x' } })
    fireEvent.change(screen.getByTestId('api-key-input'), { target: { value: 'k' } })
    fireEvent.change(screen.getByTestId('secret-input'), { target: { value: SECRET } })
    fireEvent.submit(form)
    expect((await within(form).findByRole('alert')).textContent).toContain('apiKey: too short')
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
