import { useTranslation } from 'react-i18next'

import type { ApiCallError } from '../api/client'

/** A failed call, said plainly; the server's own message is kept because it names the field. */
export function ErrorNote({ error }: { error: ApiCallError | null | undefined }) {
  const { t } = useTranslation()
  if (!error) return null
  return (
    <p className="error-note" role="alert">
      <strong>{t(`errors.${error.code}`)}</strong> {error.message}
    </p>
  )
}
