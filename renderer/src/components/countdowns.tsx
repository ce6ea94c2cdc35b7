import { useTranslation } from 'react-i18next'

import type { Status } from '../../../main/api/types'
import { formatCountdown } from '../format'
import { useLive } from '../hooks/live'
import { useAction } from '../hooks/use-action'
import { useApi } from '../hooks/use-api'
import { useNow } from '../hooks/use-data'
import { href } from '../router'

import { LevelBadge } from './badges'
import { ErrorNote } from './error-note'

/** Running "ask" countdowns: the trader's last chance to stop an automatic action. */
export function Countdowns({
  countdowns,
  titleOf
}: {
  countdowns: Status['countdowns']
  /** Names the incident, so several countdowns can be told apart. */
  titleOf: (incidentId: string) => string | undefined
}) {
  const { t } = useTranslation()
  const api = useApi()
  const { refresh } = useLive()
  const now = useNow(1000)
  const action = useAction()
  if (!countdowns.length) return null

  const cancel = (incidentId: string) =>
    action.run(() => api.call('countdown.cancel', { incidentId }), refresh)

  return (
    <section className="countdowns" aria-live="polite">
      {countdowns.map((c) => (
        <div key={c.incidentId} className="countdown" data-testid="countdown">
          <LevelBadge level={c.level} />
          <a className="countdown-title" href={href('alerts', c.incidentId)}>
            {titleOf(c.incidentId) ?? t('countdown.view')}
          </a>
          <span>
            {t(c.action === 'fire' ? 'countdown.fires' : 'countdown.notifies')}{' '}
            <strong className="mono">{formatCountdown(c.endsAt - now)}</strong>
          </span>
          <button
            type="button"
            className="button"
            data-testid="cancel-countdown"
            onClick={() => void cancel(c.incidentId)}
          >
            {t('countdown.cancel')}
          </button>
        </div>
      ))}
      <ErrorNote error={action.error} />
    </section>
  )
}
