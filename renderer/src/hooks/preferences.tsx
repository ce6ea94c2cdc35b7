import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
  type ReactNode
} from 'react'
import { useTranslation } from 'react-i18next'

import type { Settings } from '../../../main/api/types'
import { resolveLanguage } from '../i18n'
import { applyTheme } from '../theme'

import { useApi } from './use-api'

type Preferences = Pick<Settings, 'language' | 'theme'>

interface PreferencesState {
  preferences: Preferences
  /** Apply what settings.get / settings.update returned (language, theme). */
  apply: (settings: Preferences) => void
}

const PreferencesContext = createContext<PreferencesState | null>(null)

/**
 * Language and theme come from saved settings; until they load (or if they cannot), we follow the
 * OS / browser, which is also what 'system' means.
 */
export function PreferencesProvider({ children }: { children: ReactNode }) {
  const api = useApi()
  const { i18n } = useTranslation()
  const [preferences, setPreferences] = useState<Preferences>({
    language: 'system',
    theme: 'system'
  })

  const apply = useCallback((next: Preferences) => {
    setPreferences({ language: next.language, theme: next.theme })
  }, [])

  useEffect(() => {
    api.call('settings.get', {}).then(apply, () => {
      // Keep following the system: a settings failure must not block the kill switch.
    })
  }, [api, apply])

  useEffect(() => {
    const sync = () => {
      const lng = resolveLanguage(preferences.language)
      if (i18n.language !== lng) void i18n.changeLanguage(lng)
    }
    sync()
    window.addEventListener('languagechange', sync)
    return () => window.removeEventListener('languagechange', sync)
  }, [i18n, preferences.language])

  useEffect(() => applyTheme(preferences.theme), [preferences.theme])

  const value = useMemo(() => ({ preferences, apply }), [preferences, apply])
  return <PreferencesContext.Provider value={value}>{children}</PreferencesContext.Provider>
}

export function usePreferences(): PreferencesState {
  const state = useContext(PreferencesContext)
  if (!state) throw new Error('usePreferences outside <PreferencesProvider>')
  return state
}
