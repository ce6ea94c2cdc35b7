import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode
} from 'react'

import type { KillSwitchAccountResult, Status } from '../../../main/api/types'
import type { ApiCallError } from '../api/client'
import { toApiCallError } from '../api/errors'

import { useApi } from './use-api'

/** How often we re-read status in case the event stream is down. */
export const STATUS_POLL_MS = 5000
const COALESCE_MS = 250

export interface Revisions {
  /** Bumps when accounts may have changed (status, posture, last poll). */
  accounts: number
  /** Bumps when incidents or alerts may have changed. */
  incidents: number
}

export interface LiveState {
  status: Status | undefined
  statusError: ApiCallError | null
  revisions: Revisions
  /** Progress of the kill-switch run in flight, as main pushes it account by account. */
  killSwitch: KillSwitchProgress | null
  refresh: () => void
}

export interface KillSwitchProgress {
  running: boolean
  accounts: KillSwitchAccountResult[]
}

const LiveContext = createContext<LiveState | null>(null)

// Polled status arrives every few seconds; only a change that matters should reload lists.
const signature = (s: Status): string =>
  [
    s.accounts,
    s.openIncidents,
    s.tray,
    s.paused,
    s.lastKillSwitch?.id ?? '',
    s.countdowns.map((c) => c.incidentId).join(',')
  ].join('|')

/**
 * Keeps the app current: subscribes to every pushed event, polls status as a fallback, and
 * exposes revision counters that pages use as query keys so they reload when something changed.
 */
export function LiveProvider({ children }: { children: ReactNode }) {
  const api = useApi()
  const [status, setStatus] = useState<Status | undefined>(undefined)
  const [statusError, setStatusError] = useState<ApiCallError | null>(null)
  const [revisions, setRevisions] = useState<Revisions>({ accounts: 0, incidents: 0 })
  const [killSwitch, setKillSwitch] = useState<KillSwitchProgress | null>(null)
  const pending = useRef({ accounts: false, incidents: false })
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null)
  const lastSignature = useRef('')

  const bump = useCallback((what: { accounts?: boolean; incidents?: boolean }) => {
    pending.current.accounts ||= Boolean(what.accounts)
    pending.current.incidents ||= Boolean(what.incidents)
    // Bursts (an attack produces dozens of alerts) become one reload.
    timer.current ??= setTimeout(() => {
      timer.current = null
      const { accounts, incidents } = pending.current
      pending.current = { accounts: false, incidents: false }
      setRevisions((r) => ({
        accounts: r.accounts + (accounts ? 1 : 0),
        incidents: r.incidents + (incidents ? 1 : 0)
      }))
    }, COALESCE_MS)
  }, [])

  const applyStatus = useCallback(
    (next: Status) => {
      setStatus(next)
      setStatusError(null)
      const sig = signature(next)
      if (sig !== lastSignature.current) {
        const first = lastSignature.current === ''
        lastSignature.current = sig
        if (!first) bump({ accounts: true, incidents: true })
      }
    },
    [bump]
  )

  const refresh = useCallback(() => {
    api.call('status', {}).then(applyStatus, (err: unknown) => setStatusError(toApiCallError(err)))
  }, [api, applyStatus])

  useEffect(() => {
    refresh()
    const poll = setInterval(refresh, STATUS_POLL_MS)
    const offs = [
      api.on('status', applyStatus),
      api.on('alert', () => bump({ incidents: true, accounts: true })),
      api.on('account', () => bump({ accounts: true })),
      api.on('kill-switch', (payload) => {
        // 'account' events carry one account each; the run's progress is their sum.
        const done = payload.report.accounts ?? []
        setKillSwitch((prev) =>
          payload.phase === 'started'
            ? { running: true, accounts: [] }
            : payload.phase === 'account'
              ? { running: true, accounts: [...(prev?.accounts ?? []), ...done] }
              : { running: false, accounts: done.length ? done : (prev?.accounts ?? []) }
        )
        if (payload.phase === 'finished') {
          bump({ incidents: true, accounts: true })
          refresh()
        }
      })
    ]
    return () => {
      clearInterval(poll)
      for (const off of offs) off()
      if (timer.current) clearTimeout(timer.current)
      timer.current = null
    }
  }, [api, applyStatus, bump, refresh])

  const value = useMemo(
    () => ({ status, statusError, revisions, killSwitch, refresh }),
    [status, statusError, revisions, killSwitch, refresh]
  )
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>
}

export function useLive(): LiveState {
  const live = useContext(LiveContext)
  if (!live) throw new Error('useLive outside <LiveProvider>')
  return live
}
