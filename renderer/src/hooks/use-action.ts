import { useCallback, useState } from 'react'

import type { ApiCallError } from '../api/client'
import { toApiCallError } from '../api/errors'

export interface Action {
  /** The last action's failure, for an ErrorNote; cleared when the next action starts. */
  error: ApiCallError | null
  /**
   * Runs one action (remove a row, cancel, send a test). `then` runs whether it failed or not,
   * so a reload always shows what is stored.
   */
  run: (action: () => Promise<unknown>, then?: () => void) => Promise<void>
}

/** The small actions a list or card offers, with their failure kept for display. */
export function useAction(): Action {
  const [error, setError] = useState<ApiCallError | null>(null)
  const run = useCallback(async (action: () => Promise<unknown>, then?: () => void) => {
    setError(null)
    try {
      await action()
    } catch (err) {
      setError(toApiCallError(err))
    }
    then?.()
  }, [])
  return { error, run }
}
