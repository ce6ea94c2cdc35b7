/**
 * Sentences main sends as message descriptors (kill-switch steps and manual steps, exchange
 * errors, backfill progress) rendered in the window's language, with the English text main sent
 * next to them as the fallback (older runs, unknown codes).
 */
import { useTranslation } from 'react-i18next'

import { formatMessage, MESSAGE_LANGUAGES, type Message } from '../../../main/api/messages'

type Language = (typeof MESSAGE_LANGUAGES)[number]

const asLanguage = (language: string): Language =>
  (MESSAGE_LANGUAGES as readonly string[]).includes(language) ? (language as Language) : 'en'

/** One descriptor in `language`, or `fallback` when there is none. */
export function messageText(
  message: Message | null | undefined,
  fallback: string,
  language: string
): string {
  return message ? formatMessage(asLanguage(language), message, fallback) : fallback
}

/** `texts` in `language` from their descriptors, when there is one per text. */
export function messageTexts(
  messages: readonly Message[] | undefined,
  texts: readonly string[],
  language: string
): string[] {
  return messages && messages.length === texts.length
    ? messages.map((m, i) => messageText(m, texts[i]!, language))
    : [...texts]
}

/** `messageText` bound to the window's current language. */
export function useMessageText(): {
  text: (message: Message | null | undefined, fallback: string) => string
  texts: (messages: readonly Message[] | undefined, texts: readonly string[]) => string[]
} {
  const { i18n } = useTranslation()
  return {
    text: (message, fallback) => messageText(message, fallback, i18n.language),
    texts: (messages, texts) => messageTexts(messages, texts, i18n.language)
  }
}
