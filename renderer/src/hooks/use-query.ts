import { useCallback, useEffect, useRef, useState } from 'react'

import type { ApiCallError, Client } from '../api/client'
import { toApiCallError } from '../api/errors'

import { useApi } from './use-api'

export interface Query<T> {
  data: T | undefined
  error: ApiCallError | null
  loading: boolean
  reload: () => void
}

interface Settled<T> {
  key: string
  group: string
  request: string
  data: T | undefined
  error: ApiCallError | null
}

/**
 * Loads once per `key` change and on reload(). Keeps the previous data of the same key while
 * reloading so live refreshes do not flash empty screens, and drops answers that arrive after a newer request.
 *
 * `group` names what the data is about when the key also carries a revision counter
 * (`incident:i1` for `incident:i1:7`): a new revision keeps showing the data it replaces until
 * it arrives, so a live update neither blanks the screen nor unmounts what the trader is using.
 */
export function useQuery<T>(
  load: (api: Client) => Promise<T>,
  key: string,
  group: string = key
): Query<T> {
  const api = useApi()
  const [nonce, setNonce] = useState(0)
  const [settled, setSettled] = useState<Settled<T>>({
    key: '',
    group: '',
    request: '',
    data: undefined,
    error: null
  })
  const loadRef = useRef(load)
  useEffect(() => {
    loadRef.current = load
  })

  const request = `${key}\u0000${nonce}`
  useEffect(() => {
    let current = true
    loadRef.current(api).then(
      (value) => {
        if (current) setSettled({ key, group, request, data: value, error: null })
      },
      (err: unknown) => {
        if (current) {
          setSettled((prev) => ({
            key,
            group,
            request,
            data: prev.group === group ? prev.data : undefined,
            error: toApiCallError(err)
          }))
        }
      }
    )
    return () => {
      current = false
    }
  }, [api, key, group, request])

  const reload = useCallback(() => setNonce((n) => n + 1), [])
  const same = settled.key === key || (settled.group !== '' && settled.group === group)
  return {
    // Another group's data would show the wrong incident or filter while the new one loads.
    data: same ? settled.data : undefined,
    error: same ? settled.error : null,
    loading: settled.request !== request,
    reload
  }
}
