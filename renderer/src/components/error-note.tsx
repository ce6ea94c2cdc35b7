import { useTranslation } from 'react-i18next'

import type { ApiCallError } from '../api/client'
import { messageText } from '../i18n/message'

/**
 * A failed call, said plainly; the server's own message is kept because it names the field, in
 * the window's language when main sent it as a descriptor.
 */
export function ErrorNote({ error }: { error: ApiCallError | null | undefined }) {
  const { t, i18n } = useTranslation()
  if (!error) return null
  return (
    <p className="error-note" role="alert">
      <strong>{t(`errors.${error.code}`)}</strong>{' '}
      {messageText(error.msg, error.message, i18n.language)}
    </p>
  )
}
