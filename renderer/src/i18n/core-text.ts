/**
 * Texts the core writes (rule titles and explanations, posture fixes, capability notes) come with
 * Chinese translations next to the English field. These pick the one for the UI language and fall
 * back to English when there is none.
 */
type Translated<T> = Partial<Record<'zh-CN' | 'zh-TW', T>> | undefined

/** The translation for `language`, or undefined (English UI, or not translated). */
export function pick<T>(i18n: Translated<T>, language: string): T | undefined {
  return language === 'zh-CN' || language === 'zh-TW' ? i18n?.[language] : undefined
}

/** One translated field with the English value as fallback. */
export function localText<T, K extends keyof T>(
  item: { i18n?: Translated<T> } & { [P in K]: T[P] },
  field: K,
  language: string
): T[K] {
  return pick(item.i18n, language)?.[field] ?? (item as { [P in K]: T[P] })[field]
}

/** A capability's short sentence in the UI language, or the connector's English note. */
export function capabilityNote(
  c: { note: string; noteI18n?: Record<'en' | 'zh-CN' | 'zh-TW', string> },
  language: string
): string {
  if (language === 'zh-CN' || language === 'zh-TW') return c.noteI18n?.[language] ?? c.note
  return c.note
}
