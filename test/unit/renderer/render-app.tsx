import { cleanup, render } from '@testing-library/react'
import { afterEach, beforeAll } from 'vitest'

import type { VigilApi } from '../../../main/api/types'
import { createClient } from '../../../renderer/src/api/client'
import { App } from '../../../renderer/src/App'
import { createI18n, type Language } from '../../../renderer/src/i18n'

import type { FakeVigil } from './fake-vigil'

beforeAll(() => {
  // jsdom has no layout: recharts and the virtual list need ResizeObserver to exist.
  globalThis.ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  }
})

afterEach(() => {
  cleanup()
  delete (window as { vigil?: VigilApi }).vigil
  window.location.hash = ''
  document.documentElement.removeAttribute('data-theme')
})

/** Renders the whole app against a fake `window.vigil`, the way Electron's preload provides it. */
export function renderApp(fake: FakeVigil, options: { hash?: string; language?: Language } = {}) {
  window.location.hash = options.hash ?? ''
  ;(window as { vigil?: VigilApi }).vigil = fake
  const client = createClient(window)
  const i18n = createI18n(options.language ?? 'en')
  return { ...render(<App client={client} i18n={i18n} />), client, i18n }
}
