import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { resolve } from 'node:path'

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'

import { dispatch } from '../../../main/api/dispatch'
import { createCcxtFactory } from '../../../main/core/exchanges/ccxt-factory'
import { withRemoteChannels } from '../../../main/core/channels'
import { silentLogger } from '../../../main/core/ports'
import { MemorySecretStore } from '../../../main/core/secrets/memory-store'
import { createVigil } from '../../../main/core/vigil'
import { RecordingNotifier } from '../../support/fakes/recording-notifier'

interface Received {
  method: string
  url: string
  headers: IncomingMessage['headers']
  body: string
}

/** A local receiver standing in for Telegram, ntfy and a webhook endpoint: real HTTP on loopback. */
describe('remote notification channels', () => {
  let server: Server
  let base: string
  const received: Received[] = []
  let failNext = 0
  let vigil: Awaited<ReturnType<typeof createVigil>>
  let secrets: MemorySecretStore

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = ''
      req.on('data', (c) => (body += c))
      req.on('end', () => {
        received.push({ method: req.method!, url: req.url!, headers: req.headers, body })
        if (failNext > 0) {
          failNext--
          res.writeHead(502).end('bad gateway')
        } else res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}')
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    secrets = new MemorySecretStore()
    vigil = await createVigil({
      dataDir: ':memory:',
      secrets,
      notifier: new RecordingNotifier(),
      exchanges: createCcxtFactory(),
      rulesDir: resolve(__dirname, '../../../resources/rules'),
      mode: 'headless'
    })
  })
  beforeEach(() => {
    received.length = 0
    failNext = 0
  })
  afterAll(async () => {
    await vigil.stop()
    await new Promise<void>((r) => server.close(() => r()))
  })

  const add = async (input: Record<string, unknown>) => {
    const result = await dispatch(vigil, 'channels.add', input)
    if (!result.ok) throw new Error(result.error.message)
    return result.value as { id: string; url: string; hasSecret: boolean }
  }

  it('sends a Telegram Bot API message with the token only in the path, and keeps the token in the keychain', async () => {
    const channel = await add({
      kind: 'telegram',
      name: 'Phone',
      url: base,
      target: '424242',
      secret: '123456:bot-token-abc'
    })
    expect(channel.hasSecret).toBe(true)
    expect(JSON.stringify(await dispatch(vigil, 'channels.list', {}))).not.toContain(
      'bot-token-abc'
    )
    expect(await dispatch(vigil, 'channels.test', { channelId: channel.id })).toEqual({
      ok: true,
      value: { delivered: true, error: null }
    })
    expect(received[0]).toMatchObject({
      method: 'POST',
      url: '/bot123456:bot-token-abc/sendMessage'
    })
    expect(JSON.parse(received[0]!.body)).toMatchObject({
      chat_id: '424242',
      text: expect.stringContaining('Vigil test message')
    })
  })

  it('publishes to ntfy with title, priority and bearer token', async () => {
    const channel = await add({
      kind: 'ntfy',
      name: 'ntfy',
      url: base,
      target: 'vigil-alerts',
      secret: 'tk_ntfy',
      minLevel: 'info'
    })
    await dispatch(vigil, 'channels.test', { channelId: channel.id })
    expect(received[0]).toMatchObject({
      url: '/vigil-alerts',
      body: expect.stringContaining('If you can read this')
    })
    expect(received[0]!.headers).toMatchObject({
      title: 'Vigil test message',
      priority: '3',
      authorization: 'Bearer tk_ntfy'
    })
  })

  it('writes the test message in the language the trader chose', async () => {
    const channel = await add({
      kind: 'ntfy',
      name: 'ntfy',
      url: base,
      target: 'vigil-alerts',
      secret: 'tk_ntfy',
      minLevel: 'info'
    })
    await dispatch(vigil, 'settings.update', { language: 'zh-TW' })
    try {
      await dispatch(vigil, 'channels.test', { channelId: channel.id })
    } finally {
      await dispatch(vigil, 'settings.update', { language: 'en' })
    }
    expect(received[0]!.body).toContain('Vigil 可以透過這裡聯絡到您')
    // RFC 2047 in the header (HTTP headers are Latin-1), the Chinese title once decoded.
    const title = String(received[0]!.headers.title)
    const encoded = /^=\?UTF-8\?B\?(.+)\?=$/.exec(title)
    expect(encoded).not.toBeNull()
    expect(Buffer.from(encoded![1]!, 'base64').toString('utf8')).toBe('Vigil 測試訊息')
  })

  it('posts JSON to a webhook whose full URL stays in the keychain, and reports a failing endpoint plainly', async () => {
    const channel = await add({
      kind: 'webhook',
      name: 'Ops',
      url: `${base}/hooks/T000/SECRETPATH`,
      secret: 'hook-token'
    })
    expect(channel.url).toBe(`${base}/…`)
    expect(JSON.stringify(await dispatch(vigil, 'channels.list', {}))).not.toContain('SECRETPATH')
    await dispatch(vigil, 'channels.test', { channelId: channel.id })
    expect(received[0]).toMatchObject({
      url: '/hooks/T000/SECRETPATH',
      headers: expect.objectContaining({ authorization: 'Bearer hook-token' })
    })
    expect(JSON.parse(received[0]!.body)).toMatchObject({
      source: 'vigil',
      title: 'Vigil test message',
      level: 'info'
    })
    failNext = 1
    expect(await dispatch(vigil, 'channels.test', { channelId: channel.id })).toEqual({
      ok: true,
      value: { delivered: false, error: 'HTTP 502: bad gateway' }
    })
  })

  it('copies alert notifications to every enabled channel at or above its level, without blocking the desktop', async () => {
    const desktop = new RecordingNotifier()
    const store = new MemorySecretStore()
    await store.set('channel:a', 'tk_a')
    const fanOut = withRemoteChannels(desktop, {
      channels: () => [
        {
          id: 'a',
          kind: 'ntfy',
          name: 'a',
          url: base,
          target: 'high-only',
          minLevel: 'high',
          enabled: true
        },
        {
          id: 'b',
          kind: 'ntfy',
          name: 'b',
          url: base,
          target: 'disabled',
          minLevel: 'info',
          enabled: false
        },
        {
          id: 'c',
          kind: 'ntfy',
          name: 'c',
          url: 'http://127.0.0.1:1',
          target: 'unreachable',
          minLevel: 'info',
          enabled: true
        }
      ],
      secrets: store,
      logger: silentLogger
    })
    fanOut.notify({
      id: 'i1',
      title: 'Critical: new API key',
      body: 'drb: key 3 created',
      urgency: 'critical',
      level: 'critical',
      actions: [{ id: 'kill-switch', label: 'Kill switch' }]
    })
    fanOut.notify({
      id: 'i2',
      title: 'Medium: new device',
      body: 'x',
      urgency: 'normal',
      level: 'medium'
    })
    expect(desktop.requests.map((r) => r.id)).toEqual(['i1', 'i2'])
    await fanOut.flush()
    expect(received.map((r) => r.url)).toEqual(['/high-only'])
    expect(received[0]!.headers.priority).toBe('5')
  })

  it('refuses incomplete channels with the field at fault, and removing one deletes its secret', async () => {
    expect(
      await dispatch(vigil, 'channels.add', { kind: 'telegram', name: 'x', target: '1' })
    ).toMatchObject({ ok: false, error: { path: 'secret' } })
    expect(await dispatch(vigil, 'channels.add', { kind: 'ntfy', name: 'x' })).toMatchObject({
      ok: false,
      error: { path: 'target' }
    })
    expect(await dispatch(vigil, 'channels.add', { kind: 'webhook', name: 'x' })).toMatchObject({
      ok: false,
      error: { path: 'url' }
    })
    const channel = await add({ kind: 'ntfy', name: 'gone', url: base, target: 't', secret: 'tk' })
    expect(await dispatch(vigil, 'channels.remove', { channelId: channel.id })).toEqual({
      ok: true,
      value: { removed: true }
    })
    expect(await secrets.get(`channel:${channel.id}`)).toBeNull()
  })
})
