import { createInstance, type i18n as I18n } from 'i18next'
import { initReactI18next } from 'react-i18next'

import type { Settings } from '../../../main/api/types'

import { en } from './locales/en'
import { zhCN } from './locales/zh-CN'
import { zhTW } from './locales/zh-TW'

export const LANGUAGES = ['en', 'zh-CN', 'zh-TW'] as const
export type Language = (typeof LANGUAGES)[number]

export const resources = {
  en: { translation: en },
  'zh-CN': { translation: zhCN },
  'zh-TW': { translation: zhTW }
} as const

/**
 * Maps the OS / browser preference to one of ours. Traditional Chinese is used in Taiwan, Hong
 * Kong and Macau and is tagged either by region or by the Hant script subtag.
 */
export function detectLanguage(preferred: readonly string[]): Language {
  for (const tag of preferred) {
    const lower = tag.toLowerCase()
    if (lower.startsWith('zh')) {
      if (/hant|-tw|-hk|-mo/.test(lower)) return 'zh-TW'
      return 'zh-CN'
    }
    if (lower.startsWith('en')) return 'en'
  }
  return 'en'
}

export function systemLanguages(): readonly string[] {
  if (typeof navigator === 'undefined') return []
  return navigator.languages?.length ? navigator.languages : [navigator.language]
}

/** The language to show for a settings value ('system' follows the OS / browser). */
export function resolveLanguage(setting: Settings['language'] | undefined): Language {
  return !setting || setting === 'system' ? detectLanguage(systemLanguages()) : setting
}

/** A fresh instance per app (and per test), so tests never leak a language into each other. */
export function createI18n(language: Language = resolveLanguage('system')): I18n {
  const instance = createInstance()
  void instance.use(initReactI18next).init({
    resources,
    lng: language,
    fallbackLng: 'en',
    supportedLngs: [...LANGUAGES],
    // React already escapes what it renders.
    interpolation: { escapeValue: false },
    returnNull: false,
    initAsync: false
  })
  instance.on('languageChanged', (lng) => {
    if (typeof document !== 'undefined') document.documentElement.lang = lng
  })
  if (typeof document !== 'undefined') document.documentElement.lang = language
  return instance
}
