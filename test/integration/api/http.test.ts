import { request } from 'node:http'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { MAX_BODY_BYTES, startHttpServer, type RunningHttpServer } from '../../../main/api/http'
import { createCcxtFactory } from '../../../main/core/exchanges/ccxt-factory'
import { MemorySecretStore } from '../../../main/core/secrets/memory-store'
import { createVigil } from '../../../main/core/vigil'
import { RecordingNotifier } from '../../support/fakes/recording-notifier'

interface Reply {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** Raw HTTP so the test controls Host and Origin exactly (fetch would not let it). */
function send(
  port: number,
  options: { path: string; method?: string; headers?: Record<string, string>; body?: string }
): Promise<Reply> {
  return new Promise((resolvePromise, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: options.path,
        method: options.method ?? 'GET',
        headers: options.headers
      },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (c) => (body += c))
        res.on('end', () =>
          resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body })
        )
      }
    )
    req.on('error', reject)
    if (options.body !== undefined) req.write(options.body)
    req.end()
  })
}

describe('HTTP transport', () => {
  let server: RunningHttpServer
  let vigil: Awaited<ReturnType<typeof createVigil>>
  let host: string
  const token = 'test-token-0123456789abcdef'
  const call = (method: string, body: unknown, headers: Record<string, string> = {}) =>
    send(server.port, {
      path: `/api/${method}`,
      method: 'POST',
      headers: {
        Host: host,
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/json',
        ...headers
      },
      body: JSON.stringify(body)
    })

  beforeAll(async () => {
    const staticDir = mkdtempSync(join(tmpdir(), 'vigil-static-'))
    writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Vigil</title>')
    mkdirSync(join(staticDir, 'assets'))
    writeFileSync(join(staticDir, 'assets', 'app.js'), 'console.log(1)')
    vigil = await createVigil({
      dataDir: ':memory:',
      secrets: new MemorySecretStore(),
      notifier: new RecordingNotifier(),
      exchanges: createCcxtFactory(),
      rulesDir: resolve(__dirname, '../../../resources/rules'),
      mode: 'headless'
    })
    server = await startHttpServer({ vigil, staticDir, token })
    host = `127.0.0.1:${server.port}`
  })

  afterAll(async () => {
    await server.close()
    await vigil.stop()
  })

  it('listens on loopback only and prints the token in the fragment', () => {
    expect(server.server.address()).toMatchObject({ address: '127.0.0.1' })
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/#token=${token}`)
  })

  it('answers a valid call through the contract', async () => {
    const reply = await call('status', {})
    expect(reply.status).toBe(200)
    const body = JSON.parse(reply.body)
    expect(body.ok).toBe(true)
    expect(body.value.mode).toBe('headless')
    expect(reply.headers['access-control-allow-origin']).toBeUndefined()
  })

  it('rejects a missing or wrong token', async () => {
    expect((await call('status', {}, { Authorization: '' })).status).toBe(401)
    expect((await call('status', {}, { Authorization: `Bearer ${token}x` })).status).toBe(401)
    expect((await call('status', {}, { Authorization: token })).status).toBe(401)
  })

  it('rejects a foreign Host (DNS rebinding) even with the right token', async () => {
    expect((await call('status', {}, { Host: `evil.example:${server.port}` })).status).toBe(403)
    expect((await call('status', {}, { Host: '127.0.0.1:1' })).status).toBe(403)
    expect((await call('status', {}, { Host: `localhost:${server.port}` })).status).toBe(200)
  })

  it('rejects a foreign Origin (CSRF) and accepts our own', async () => {
    expect((await call('status', {}, { Origin: 'https://evil.example' })).status).toBe(403)
    expect((await call('status', {}, { Origin: 'null' })).status).toBe(403)
    expect((await call('status', {}, { Origin: `http://${host}` })).status).toBe(200)
  })

  it('explains bad input with the field path, unknown methods, wrong verbs and content types', async () => {
    const bad = await call('history.query', { limit: 'ten' })
    expect(bad.status).toBe(400)
    expect(JSON.parse(bad.body).error).toMatchObject({ code: 'bad-request', path: 'limit' })
    const extra = await call('status', { surprise: 1 })
    expect(JSON.parse(extra.body).error.code).toBe('bad-request')
    expect((await call('no.such.method', {})).status).toBe(404)
    const get = await send(server.port, {
      path: '/api/status',
      headers: { Host: host, Authorization: `Bearer ${token}` }
    })
    expect(get.status).toBe(405)
    const text = await call('status', {}, { 'Content-Type': 'text/plain' })
    expect(text.status).toBe(415)
    const notJson = await send(server.port, {
      path: '/api/status',
      method: 'POST',
      headers: { Host: host, Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: '{"unterminated'
    })
    expect(notJson.status).toBe(400)
  })

  it('refuses an oversized body without reading it all', async () => {
    const reply = await call('history.query', { text: 'x'.repeat(MAX_BODY_BYTES + 10) })
    expect(reply.status).toBe(413)
  })

  it('serves the UI with a strict CSP and never a file outside its folder', async () => {
    const index = await send(server.port, { path: '/', headers: { Host: host } })
    expect(index.status).toBe(200)
    expect(index.headers['content-security-policy']).toContain("default-src 'self'")
    expect(index.headers['content-security-policy']).toContain("script-src 'self'")
    const asset = await send(server.port, { path: '/assets/app.js', headers: { Host: host } })
    expect(asset.headers['content-type']).toContain('javascript')
    for (const path of [
      '/../../../../etc/passwd',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/assets/..%2f..%2f..%2fpackage.json'
    ]) {
      const reply = await send(server.port, { path, headers: { Host: host } })
      expect(reply.body).not.toContain('root:')
      expect(reply.body).not.toContain('"dependencies"')
    }
  })

  it('streams pushed events over SSE to an authenticated client only', async () => {
    const unauth = await new Promise<number>((r) => {
      const req = request(
        { host: '127.0.0.1', port: server.port, path: '/api/events', headers: { Host: host } },
        (res) => {
          r(res.statusCode ?? 0)
          res.destroy()
        }
      )
      req.end()
    })
    expect(unauth).toBe(401)
    const frames = await new Promise<string>((r) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: server.port,
          path: '/api/events',
          headers: { Host: host, Authorization: `Bearer ${token}` }
        },
        (res) => {
          let text = ''
          res.setEncoding('utf8')
          res.on('data', (chunk) => {
            text += chunk
            if (text.includes('event: status')) {
              res.destroy()
              r(text)
            }
          })
          void call('pause', { minutes: 0 })
        }
      )
      req.end()
    })
    expect(frames).toMatch(/event: status\ndata: \{/)
  })
})
