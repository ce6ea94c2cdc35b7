import { useTranslation } from 'react-i18next'

import type { AccountView, IncidentView } from '../../../main/api/types'

type Level = IncidentView['level']

export function LevelBadge({ level }: { level: Level }) {
  const { t } = useTranslation()
  return <span className={`badge level-${level}`}>{t(`level.${level}`)}</span>
}

export function AccountStatusBadge({ status }: { status: AccountView['status'] }) {
  const { t } = useTranslation()
  return (
    <span className={`badge status-${status}`} data-testid="account-status" data-status={status}>
      {t(`accountStatus.${status}`)}
    </span>
  )
}

export function IncidentStatusBadge({ status }: { status: IncidentView['status'] }) {
  const { t } = useTranslation()
  return <span className={`badge incident-${status}`}>{t(`incidentStatus.${status}`)}</span>
}
