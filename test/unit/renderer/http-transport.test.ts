import { afterEach, describe, expect, it } from 'vitest'

import { ApiCallError } from '../../../renderer/src/api/errors'
import { createHttpTransport, TOKEN_STORAGE_KEY } from '../../../renderer/src/api/http-transport'

interface Seen {
  url: string
  init: RequestInit
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

/** A stream the test writes SSE text into, as the headless server would. */
function sseStream() {
  let controller!: ReadableStreamDefaultController<Uint8Array>
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) })
  const encoder = new TextEncoder()
  return {
    response: new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream' } }),
    write: (text: string) => controller.enqueue(encoder.encode(text)),
    end: () => controller.close(),
    fail: (reason: unknown) => controller.error(reason)
  }
}

afterEach(() => {
  sessionStorage.clear()
  history.replaceState(null, '', '/')
})

describe('http transport', () => {
  it('lifts the token from the fragment, keeps it for the tab and wipes it from the address bar', async () => {
    history.replaceState(null, '', '/#token=tok-123')
    const seen: Seen[] = []
    const transport = createHttpTransport({
      fetch: async (url, init) => {
        seen.push({ url: String(url), init: init ?? {} })
        return json(200, { ok: true, value: { removed: true } })
      }
    })
    expect(location.hash).toBe('')
    expect(location.href).not.toContain('tok-123')
    expect(sessionStorage.getItem(TOKEN_STORAGE_KEY)).toBe('tok-123')

    const value = await transport.call('accounts.remove', { accountId: 'a1' })
    expect(value).toEqual({ removed: true })
    expect(seen[0].url).toBe('/api/accounts.remove')
    expect(seen[0].init.method).toBe('POST')
    expect(seen[0].init.body).toBe('{"accountId":"a1"}')
    const headers = seen[0].init.headers as Record<string, string>
    expect(headers.Authorization).toBe('Bearer tok-123')
    expect(headers['Content-Type']).toBe('application/json')

    // A reload has no fragment any more: the token comes back from sessionStorage.
    const again = createHttpTransport({
      fetch: async (url, init) => {
        seen.push({ url: String(url), init: init ?? {} })
        return json(200, { ok: true, value: {} })
      }
    })
    await again.call('status', {})
    expect((seen[1].init.headers as Record<string, string>).Authorization).toBe('Bearer tok-123')
  })

  it('throws ApiCallError with the contract error code, message and path', async () => {
    const transport = createHttpTransport({
      fetch: async () =>
        json(400, {
          ok: false,
          error: { code: 'bad-request', message: 'label: too long', path: 'label' }
        })
    })
    const error = await transport.call('status', {}).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiCallError)
    expect(error).toMatchObject({ code: 'bad-request', message: 'label: too long', path: 'label' })
  })

  it('reports a missing or wrong token as unauthorized and a dead server as network', async () => {
    const unauthorized = createHttpTransport({
      fetch: async () =>
        json(401, { ok: false, error: { code: 'bad-request', message: 'missing or wrong token' } })
    })
    await expect(unauthorized.call('status', {})).rejects.toMatchObject({ code: 'unauthorized' })
    const down = createHttpTransport({
      fetch: async () => {
        throw new TypeError('Failed to fetch')
      }
    })
    await expect(down.call('status', {})).rejects.toMatchObject({ code: 'network' })
  })

  it('streams events through fetch with the token header and reconnects after a drop', async () => {
    history.replaceState(null, '', '/#token=tok-sse')
    const streams: Array<ReturnType<typeof sseStream>> = []
    const seen: Seen[] = []
    const transport = createHttpTransport({
      retry: { initialMs: 5, maxMs: 10 },
      fetch: async (url, init) => {
        seen.push({ url: String(url), init: init ?? {} })
        const stream = sseStream()
        streams.push(stream)
        // Like real fetch: aborting the request errors the body being read.
        init?.signal?.addEventListener('abort', () =>
          stream.fail(new DOMException('aborted', 'AbortError'))
        )
        return stream.response
      }
    })
    const alerts: unknown[] = []
    const statuses: unknown[] = []
    const offAlert = transport.on('alert', (p) => alerts.push(p))
    const offStatus = transport.on('status', (p) => statuses.push(p))
    await waitUntil(() => streams.length === 1)
    // One shared stream for every subscriber.
    expect(seen).toHaveLength(1)
    expect(seen[0].url).toBe('/api/events')
    expect((seen[0].init.headers as Record<string, string>).Authorization).toBe('Bearer tok-sse')

    streams[0].write(': connected\n\nevent: alert\ndata: {"n":1}\n\nevent: sta')
    streams[0].write('tus\ndata: {"s":true}\n\nevent: account\ndata: {"ignored":1}\n\n')
    await waitUntil(() => alerts.length === 1 && statuses.length === 1)
    expect(alerts).toEqual([{ n: 1 }])
    expect(statuses).toEqual([{ s: true }])

    streams[0].end()
    await waitUntil(() => streams.length === 2)
    streams[1].write('event: alert\ndata: {"n":2}\n\n')
    await waitUntil(() => alerts.length === 2)

    offAlert()
    offStatus()
    // Nobody listens any more: the stream is aborted and not reopened.
    expect((seen[1].init.signal as AbortSignal).aborted).toBe(true)
    await new Promise((r) => setTimeout(r, 50))
    expect(streams).toHaveLength(2)
    transport.close()
  })
})

async function waitUntil(check: () => boolean, timeoutMs = 2000) {
  const start = Date.now()
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 5))
  }
}
