import { useEffect, useState } from 'react'

import type { AccountView, Output } from '../../../main/api/types'

import { useLive } from './live'
import { useQuery, type Query } from './use-query'

/** Accounts, reloaded whenever main says an account or the status changed. */
export function useAccounts(): Query<AccountView[]> {
  const { revisions } = useLive()
  return useQuery(
    (api) => api.call('accounts.list', {}),
    `accounts:${revisions.accounts}`,
    'accounts'
  )
}

/** A label for an account id that reads well in lists: "Deribit · Main desk". */
export function accountName(accounts: AccountView[] | undefined, id: string): string {
  const account = accounts?.find((a) => a.id === id)
  return account ? `${account.exchange} · ${account.label}` : id
}

/** The current time, re-read every `everyMs`, for countdowns and "x seconds ago". */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs)
    return () => clearInterval(timer)
  }, [everyMs])
  return now
}

/** Demo mode facts (spare simulated account, fire drills); loaded once, they never change. */
export function useDemoInfo(): Query<Output<'demo.info'>> {
  return useQuery((api) => api.call('demo.info', {}), 'demo-info')
}
