import { fireEvent, screen, waitFor, within } from '@testing-library/react'
import { describe, expect, it } from 'vitest'

import { createFakeVigil } from './fake-vigil'
import { renderApp } from './render-app'

const BOT_TOKEN = '123456:AA-bot-token-never-shown'

describe('notification channels', () => {
  it('adds a Telegram channel, sends the bot token once and never shows it', async () => {
    const fake = createFakeVigil()
    renderApp(fake, { hash: '#/settings' })
    const form = await screen.findByTestId('add-channel-form')
    expect((within(form).getByTestId('channel-secret') as HTMLInputElement).type).toBe('password')
    fireEvent.change(within(form).getByLabelText('Name'), { target: { value: 'My phone' } })
    fireEvent.change(within(form).getByLabelText('Chat id'), { target: { value: '42' } })
    fireEvent.change(within(form).getByLabelText('Bot token'), { target: { value: BOT_TOKEN } })
    fireEvent.submit(form)

    const row = await screen.findByTestId('channel-row')
    expect(fake.callsOf('channels.add')).toEqual([
      { kind: 'telegram', name: 'My phone', target: '42', minLevel: 'high', secret: BOT_TOKEN }
    ])
    expect(row.textContent).toContain('token in the keychain')
    expect((within(form).getByTestId('channel-secret') as HTMLInputElement).value).toBe('')
    expect(document.body.innerHTML).not.toContain(BOT_TOKEN)
  })

  it('reports a failed test delivery plainly', async () => {
    const fake = createFakeVigil({
      channels: [
        {
          id: 'ch-broken',
          kind: 'telegram',
          name: 'Old bot',
          url: '',
          target: '42',
          minLevel: 'critical',
          enabled: true,
          hasSecret: true
        }
      ]
    })
    renderApp(fake, { hash: '#/settings' })
    fireEvent.click(await screen.findByTestId('test-channel'))
    expect((await screen.findByText(/Not delivered/)).textContent).toContain('HTTP 401')
  })

  it('removes a channel only after confirmation', async () => {
    const fake = createFakeVigil({
      channels: [
        {
          id: 'ch-1',
          kind: 'ntfy',
          name: 'Desk',
          url: 'https://ntfy.sh',
          target: 'vigil-alerts',
          minLevel: 'high',
          enabled: true,
          hasSecret: false
        }
      ]
    })
    renderApp(fake, { hash: '#/settings' })
    fireEvent.click(await screen.findByTestId('remove-channel'))
    expect(fake.callsOf('channels.remove')).toHaveLength(0)
    fireEvent.click(await screen.findByTestId('confirm-remove-channel'))
    await waitFor(() => expect(fake.callsOf('channels.remove')).toEqual([{ channelId: 'ch-1' }]))
    await screen.findByText(/No channels yet/)
  })
})
