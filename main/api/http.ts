/**
 * The HTTP transport of the API contract for the headless server: the same `dispatch()` as
 * Electron IPC, plus the built renderer as static files.
 *
 * - Binds 127.0.0.1 only, never 0.0.0.0.
 * - Every /api/* request needs `Authorization: Bearer <token>` (compared in constant time).
 * - A Host other than 127.0.0.1:<port> / localhost:<port> is refused (DNS rebinding), and so is any
 *   Origin other than our own (CSRF); no CORS headers are ever sent.
 * - Request bodies are capped; static files are served with a strict CSP.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize, resolve, sep } from 'node:path'

import type { Vigil } from '../core/vigil-types'
import type { VigilEventName } from './contract'
import { dispatch } from './dispatch'
import { EVENT_NAMES } from './methods'

export const MAX_BODY_BYTES = 256 * 1024

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'"
].join('; ')

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2'
}

export interface HttpServerOptions {
  vigil: Pick<Vigil, 'handlers' | 'events'>
  /** Folder of the built renderer (out/renderer). Without it only the API is served. */
  staticDir?: string
  port?: number
  /** Fixed token (tests); otherwise 32 random bytes per start. */
  token?: string
}

export interface RunningHttpServer {
  server: Server
  port: number
  token: string
  /** The address to open, with the token in the fragment (never sent to the server). */
  url: string
  close(): Promise<void>
}

const securityHeaders = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Frame-Options': 'DENY'
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    ...securityHeaders
  })
  res.end(text)
}

function tokenMatches(header: string | undefined, token: string): boolean {
  if (!header?.startsWith('Bearer ')) return false
  const given = Buffer.from(header.slice(7))
  const expected = Buffer.from(token)
  return given.length === expected.length && timingSafeEqual(given, expected)
}

async function readBody(req: IncomingMessage): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > MAX_BODY_BYTES) throw new BodyTooLarge()
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY_BYTES) throw new BodyTooLarge()
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

class BodyTooLarge extends Error {}

export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const token = options.token ?? randomBytes(32).toString('base64url')
  const staticRoot = options.staticDir ? resolve(options.staticDir) : undefined
  const sseClients = new Set<ServerResponse>()
  let port = 0

  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`])

  const server = createServer(async (req, res) => {
    try {
      const host = req.headers.host ?? ''
      if (!allowedHosts().has(host))
        return sendJson(res, 403, {
          ok: false,
          error: { code: 'bad-request', message: 'forbidden host' }
        })
      const origin = req.headers.origin
      if (origin !== undefined && origin !== `http://${host}`) {
        return sendJson(res, 403, {
          ok: false,
          error: { code: 'bad-request', message: 'forbidden origin' }
        })
      }
      const url = new URL(req.url ?? '/', `http://${host}`)
      if (url.pathname === '/api/health') return sendJson(res, 200, { ok: true })
      if (url.pathname.startsWith('/api/')) {
        if (!tokenMatches(req.headers.authorization, token)) {
          return sendJson(res, 401, {
            ok: false,
            error: { code: 'bad-request', message: 'missing or wrong token' }
          })
        }
        if (url.pathname === '/api/events' && req.method === 'GET') return openEventStream(res)
        if (req.method !== 'POST')
          return sendJson(res, 405, {
            ok: false,
            error: { code: 'bad-request', message: 'use POST' }
          })
        const type = req.headers['content-type'] ?? ''
        if (!type.startsWith('application/json')) {
          return sendJson(res, 415, {
            ok: false,
            error: { code: 'bad-request', message: 'content-type must be application/json' }
          })
        }
        let input: unknown
        try {
          const body = await readBody(req)
          input = body ? JSON.parse(body) : {}
        } catch (error) {
          if (error instanceof BodyTooLarge) {
            return sendJson(res, 413, {
              ok: false,
              error: { code: 'bad-request', message: `request body over ${MAX_BODY_BYTES} bytes` }
            })
          }
          return sendJson(res, 400, {
            ok: false,
            error: { code: 'bad-request', message: 'body is not valid JSON' }
          })
        }
        const method = decodeURIComponent(url.pathname.slice('/api/'.length))
        const result = await dispatch(options.vigil, method, input)
        const status = result.ok
          ? 200
          : result.error.code === 'not-found'
            ? 404
            : result.error.code === 'internal'
              ? 500
              : 400
        return sendJson(res, status, result)
      }
      if (req.method !== 'GET' && req.method !== 'HEAD')
        return sendJson(res, 405, {
          ok: false,
          error: { code: 'bad-request', message: 'method not allowed' }
        })
      return serveStatic(url.pathname, res)
    } catch {
      if (!res.headersSent)
        sendJson(res, 500, { ok: false, error: { code: 'internal', message: 'internal error' } })
      else res.end()
    }
  })

  const openEventStream = (res: ServerResponse) => {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      ...securityHeaders
    })
    res.write(': connected\n\n')
    sseClients.add(res)
    res.on('close', () => sseClients.delete(res))
  }

  const unsubscribers = (EVENT_NAMES as readonly VigilEventName[]).map((name) =>
    options.vigil.events.on(name, (payload) => {
      const frame = `event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`
      for (const client of sseClients) client.write(frame)
    })
  )
  const keepAlive = setInterval(() => {
    for (const client of sseClients) client.write(': ping\n\n')
  }, 15_000)
  keepAlive.unref()

  const serveStatic = async (pathname: string, res: ServerResponse) => {
    if (!staticRoot)
      return sendJson(res, 404, { ok: false, error: { code: 'not-found', message: 'no UI built' } })
    const relative = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, '')
    let file = resolve(join(staticRoot, relative || 'index.html'))
    if (file !== staticRoot && !file.startsWith(staticRoot + sep))
      return sendJson(res, 403, {
        ok: false,
        error: { code: 'bad-request', message: 'forbidden path' }
      })
    const info = await stat(file).catch(() => null)
    if (!info || info.isDirectory()) file = join(staticRoot, 'index.html')
    const content = await readFile(file).catch(() => null)
    if (!content)
      return sendJson(res, 404, { ok: false, error: { code: 'not-found', message: 'not found' } })
    res.writeHead(200, {
      'Content-Type': MIME[extname(file)] ?? 'application/octet-stream',
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'Cache-Control': extname(file) === '.html' ? 'no-store' : 'public, max-age=3600',
      ...securityHeaders
    })
    res.end(content)
  }

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolveListen())
  })
  port = (server.address() as AddressInfo).port

  return {
    server,
    port,
    token,
    url: `http://127.0.0.1:${port}/#token=${token}`,
    async close() {
      clearInterval(keepAlive)
      for (const u of unsubscribers) u()
      for (const client of sseClients) client.end()
      sseClients.clear()
      await new Promise<void>((r) => server.close(() => r()))
    }
  }
}
