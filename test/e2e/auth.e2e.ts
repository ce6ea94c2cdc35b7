import { request as httpRequest } from 'node:http'

import { expect, test } from '@playwright/test'

import { PORT, TOKEN } from './env'

interface Reply {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/**
 * Raw node:http so the test controls Host and Origin exactly, as a DNS-rebinding page or a
 * foreign site would send them.
 */
function send(path: string, headers: Record<string, string>, method = 'POST'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: PORT,
        path,
        method,
        headers: { Host: `127.0.0.1:${PORT}`, ...headers }
      },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (body += chunk))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
      }
    )
    req.on('error', reject)
    if (method === 'POST') req.end('{}')
    else req.end()
  })
}

const json = { 'Content-Type': 'application/json' }
const bearer = { Authorization: `Bearer ${TOKEN}` }

test.describe('headless HTTP gate', () => {
  test('a correct request passes (control)', async () => {
    const reply = await send('/api/status', { ...json, ...bearer })
    expect(reply.status).toBe(200)
    expect(JSON.parse(reply.body)).toMatchObject({ ok: true })
    expect(reply.headers['access-control-allow-origin']).toBeUndefined()
  })

  test('no token → 401, wrong token → 401, event stream too', async () => {
    expect((await send('/api/status', json)).status).toBe(401)
    expect((await send('/api/status', { ...json, Authorization: 'Bearer nope' })).status).toBe(401)
    expect((await send('/api/events', {}, 'GET')).status).toBe(401)
  })

  test('a foreign Host (DNS rebinding) → 403, even with the token', async () => {
    const reply = await send('/api/status', { ...json, ...bearer, Host: `evil.example:${PORT}` })
    expect(reply.status).toBe(403)
    expect((await send('/', { Host: 'evil.example' }, 'GET')).status).toBe(403)
  })

  test('a foreign Origin (CSRF) → 403, even with the token', async () => {
    const reply = await send('/api/status', { ...json, ...bearer, Origin: 'http://evil.example' })
    expect(reply.status).toBe(403)
    const sameHostOtherPort = await send('/api/status', {
      ...json,
      ...bearer,
      Origin: `http://127.0.0.1:${PORT + 1}`
    })
    expect(sameHostOtherPort.status).toBe(403)
  })

  test('the UI without the access link says how to get in, and shows no data', async ({ page }) => {
    await page.goto('/')
    await expect(page.getByTestId('unauthorized')).toBeVisible()
    await expect(page.getByTestId('unauthorized')).toContainText('#token=')
    await expect(page.getByTestId('account-card')).toHaveCount(0)
  })

  test('the UI is served with a strict Content-Security-Policy', async () => {
    const reply = await send('/', {}, 'GET')
    expect(reply.status).toBe(200)
    const csp = String(reply.headers['content-security-policy'])
    expect(csp).toContain("default-src 'self'")
    expect(csp).toContain("script-src 'self'")
    expect(reply.body).toContain('http-equiv="Content-Security-Policy"')
  })
})
