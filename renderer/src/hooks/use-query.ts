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
  request: string
  data: T | undefined
  error: ApiCallError | null
}

/**
 * Loads once per `key` change and on reload(). Keeps the previous data of the same key while
 * reloading so live refreshes do not flash empty screens, and drops answers that arrive after a newer request.
 */
export function useQuery<T>(load: (api: Client) => Promise<T>, key: string): Query<T> {
  const api = useApi()
  const [nonce, setNonce] = useState(0)
  const [settled, setSettled] = useState<Settled<T>>({
    key: '',
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
        if (current) setSettled({ key, request, data: value, error: null })
      },
      (err: unknown) => {
        if (current) {
          setSettled((prev) => ({
            key,
            request,
            data: prev.key === key ? prev.data : undefined,
            error: toApiCallError(err)
          }))
        }
      }
    )
    return () => {
      current = false
    }
  }, [api, key, request])

  const reload = useCallback(() => setNonce((n) => n + 1), [])
  return {
    // Another key's data would show the wrong incident or filter while the new one loads.
    data: settled.key === key ? settled.data : undefined,
    error: settled.key === key ? settled.error : null,
    loading: settled.request !== request,
    reload
  }
}
