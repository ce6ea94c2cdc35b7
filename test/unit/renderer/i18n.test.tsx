import { fireEvent, screen, waitFor } from '@testing-library/react'
import { describe, expect, it } from 'vitest'

import { detectLanguage } from '../../../renderer/src/i18n'

import { createFakeVigil, defaultSettings } from './fake-vigil'
import { renderApp } from './render-app'

describe('language', () => {
  it('switching to 简体中文 in Settings changes visible strings and saves the choice', async () => {
    const fake = createFakeVigil()
    renderApp(fake, { hash: '#/settings' })
    expect(screen.getByTestId('nav-dashboard').textContent).toBe('Overview')
    const select = await screen.findByTestId('language-select')
    fireEvent.change(select, { target: { value: 'zh-CN' } })
    await waitFor(() => expect(screen.getByTestId('nav-dashboard').textContent).toBe('概览'))
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('设置')
    expect(fake.callsOf('settings.update')).toEqual([{ language: 'zh-CN' }])
    expect(document.documentElement.lang).toBe('zh-CN')

    fireEvent.change(select, { target: { value: 'zh-TW' } })
    await waitFor(() => expect(screen.getByTestId('nav-dashboard').textContent).toBe('總覽'))
  })

  it('starts in the saved language', async () => {
    const fake = createFakeVigil({ settings: { ...defaultSettings(), language: 'zh-TW' } })
    renderApp(fake)
    await waitFor(() => expect(screen.getByTestId('nav-settings').textContent).toBe('設定'))
    expect((await screen.findByTestId('kill-switch-all')).textContent).toContain('緊急熔斷')
  })

  it('follows the OS / browser language by default', () => {
    expect(detectLanguage(['zh-CN', 'en'])).toBe('zh-CN')
    expect(detectLanguage(['zh-Hans-SG'])).toBe('zh-CN')
    expect(detectLanguage(['zh-TW'])).toBe('zh-TW')
    expect(detectLanguage(['zh-HK'])).toBe('zh-TW')
    expect(detectLanguage(['zh-Hant'])).toBe('zh-TW')
    expect(detectLanguage(['fr-FR', 'zh-tw'])).toBe('zh-TW')
    expect(detectLanguage(['en-GB', 'zh-CN'])).toBe('en')
    expect(detectLanguage(['fr-FR'])).toBe('en')
    expect(detectLanguage([])).toBe('en')
  })
})

describe('theme', () => {
  it('pins dark or light when chosen and follows the system otherwise', async () => {
    const fake = createFakeVigil()
    renderApp(fake, { hash: '#/settings' })
    const select = await screen.findByTestId('theme-select')
    fireEvent.change(select, { target: { value: 'dark' } })
    await waitFor(() => expect(document.documentElement.dataset.theme).toBe('dark'))
    fireEvent.change(select, { target: { value: 'system' } })
    await waitFor(() => expect(document.documentElement.dataset.theme).toBeUndefined())
  })
})
