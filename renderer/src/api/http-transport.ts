import type { ApiError, VigilApi, VigilEventName } from '../../../main/api/types'

import { ApiCallError } from './errors'
import { SseParser, type SseMessage } from './sse'

/** Where the bearer token lives for the life of the tab (never localStorage: it must not outlive it). */
export const TOKEN_STORAGE_KEY = 'vigil.token'

export interface HttpTransportOptions {
  /** Defaults to the page's own origin, which is the only origin the server accepts. */
  baseUrl?: string
  win?: Pick<Window, 'location' | 'history' | 'sessionStorage'>
  fetch?: typeof fetch
  /** Reconnect backoff for the event stream. */
  retry?: { initialMs: number; maxMs: number }
}

export interface HttpTransport extends VigilApi {
  /** Stops the event stream for good (tests, page unload). */
  close(): void
}

/**
 * The headless server prints `http://127.0.0.1:<port>/#token=<token>`. A fragment is never sent to
 * the server nor logged by it, so we lift the token from there once, keep it in sessionStorage and
 * wipe it from the address bar so it does not end up in history, bookmarks or screenshots.
 */
export function takeToken(win: NonNullable<HttpTransportOptions['win']>): string | null {
  const hash = win.location.hash.replace(/^#/, '')
  const fromUrl = new URLSearchParams(hash).get('token')
  if (fromUrl) {
    try {
      win.sessionStorage.setItem(TOKEN_STORAGE_KEY, fromUrl)
    } catch {
      // Storage can be disabled; the token still works for this page load.
    }
    win.history.replaceState(null, '', win.location.pathname + win.location.search)
    return fromUrl
  }
  try {
    return win.sessionStorage.getItem(TOKEN_STORAGE_KEY)
  } catch {
    return null
  }
}

type Envelope = { ok: true; value: unknown } | { ok: false; error: ApiError }

export function createHttpTransport(options: HttpTransportOptions = {}): HttpTransport {
  const win = options.win ?? window
  const baseUrl = options.baseUrl ?? ''
  const doFetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args))
  const retry = options.retry ?? { initialMs: 1000, maxMs: 30_000 }
  const token = takeToken(win)

  const headers = (extra: Record<string, string>): Record<string, string> =>
    token ? { ...extra, Authorization: `Bearer ${token}` } : extra

  async function call(method: string, input: unknown): Promise<unknown> {
    let response: Response
    try {
      response = await doFetch(`${baseUrl}/api/${method}`, {
        method: 'POST',
        headers: headers({ 'Content-Type': 'application/json' }),
        body: JSON.stringify(input ?? {}),
        cache: 'no-store',
        credentials: 'omit'
      })
    } catch (error) {
      throw new ApiCallError('network', error instanceof Error ? error.message : 'network error')
    }
    if (response.status === 401) {
      throw new ApiCallError('unauthorized', 'The access token is missing or wrong.')
    }
    let body: Envelope
    try {
      body = (await response.json()) as Envelope
    } catch {
      throw new ApiCallError('internal', `HTTP ${response.status} without a JSON body`)
    }
    if (body && body.ok === true) return body.value
    if (body && body.ok === false && body.error) {
      throw new ApiCallError(body.error.code, body.error.message, body.error.path, body.error.msg)
    }
    throw new ApiCallError('internal', `HTTP ${response.status}: unexpected response`)
  }

  // One shared stream for all subscribers, opened on the first subscription.
  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  let stream: AbortController | null = null
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null
  let attempt = 0
  let closed = false

  const subscriberCount = (): number => {
    let n = 0
    for (const set of listeners.values()) n += set.size
    return n
  }

  function deliver(message: SseMessage): void {
    const set = listeners.get(message.event)
    if (!set?.size) return
    let payload: unknown
    try {
      payload = JSON.parse(message.data)
    } catch {
      return
    }
    for (const listener of [...set]) {
      try {
        listener(payload)
      } catch {
        // One broken subscriber must not starve the others.
      }
    }
  }

  function scheduleReconnect(): void {
    if (closed || reconnectTimer || subscriberCount() === 0) return
    const base = Math.min(retry.maxMs, retry.initialMs * 2 ** attempt)
    attempt += 1
    // Jitter so many tabs do not hammer a restarting server in lockstep.
    const delay = base / 2 + Math.random() * (base / 2)
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null
      connect()
    }, delay)
  }

  async function connect(): Promise<void> {
    if (closed || stream || subscriberCount() === 0) return
    const controller = new AbortController()
    stream = controller
    try {
      const response = await doFetch(`${baseUrl}/api/events`, {
        headers: headers({ Accept: 'text/event-stream' }),
        cache: 'no-store',
        credentials: 'omit',
        signal: controller.signal
      })
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`)
      attempt = 0
      const reader = response.body.getReader()
      const decoder = new TextDecoder()
      const parser = new SseParser()
      for (;;) {
        const { value, done } = await reader.read()
        if (done) break
        for (const message of parser.push(decoder.decode(value, { stream: true }))) deliver(message)
      }
    } catch {
      // Dropped, refused or aborted: handled below.
    }
    if (stream !== controller) return
    stream = null
    if (!controller.signal.aborted) scheduleReconnect()
  }

  function stopIfIdle(): void {
    if (subscriberCount() > 0) return
    stream?.abort()
    stream = null
    if (reconnectTimer) clearTimeout(reconnectTimer)
    reconnectTimer = null
  }

  return {
    call: call as VigilApi['call'],
    on(event: VigilEventName, listener: (payload: never) => void) {
      let set = listeners.get(event)
      if (!set) listeners.set(event, (set = new Set()))
      const entry = listener as (payload: unknown) => void
      set.add(entry)
      void connect()
      return () => {
        set.delete(entry)
        stopIfIdle()
      }
    },
    close() {
      closed = true
      listeners.clear()
      stopIfIdle()
    }
  } as HttpTransport
}
