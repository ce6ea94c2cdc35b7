/**
 * What a trader does from the window, through the real headless demo over HTTP: add the spare
 * simulated account through the wizard path, start a fire drill, mark a finding "this is me",
 * silence a rule, and tune a rule with validation.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { silentLogger } from '../../../main/core/ports'
import { MemorySecretStore } from '../../../main/core/secrets/memory-store'
import { startHeadless, type RunningHeadless } from '../../../main/headless'
import { RecordingNotifier } from '../../support/fakes/recording-notifier'

let running: RunningHeadless
const token = 'user-controls-token-0123456789'
const notifier = new RecordingNotifier()

async function call<T = unknown>(
  method: string,
  input: unknown = {}
): Promise<{ ok: boolean; value: T; error?: { code: string; message: string; path?: string } }> {
  const origin = running.url.slice(0, running.url.indexOf('/#'))
  const res = await fetch(`${origin}/api/${method}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(input)
  })
  return (await res.json()) as never
}

async function until<T>(
  fn: () => Promise<T | undefined | null | false>,
  what: string,
  ms = 30_000
): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await fn()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

describe('user controls on the headless demo', () => {
  beforeAll(async () => {
    running = await startHeadless({
      demo: true,
      dataDir: mkdtempSync(join(tmpdir(), 'vigil-controls-')),
      token,
      logger: silentLogger,
      notifier,
      secrets: new MemorySecretStore()
    })
  }, 60_000)
  afterAll(async () => {
    await running.close()
  })

  it('tests a connection without storing anything: capabilities, keys and posture before saving', async () => {
    const tested = await call<{
      ok: boolean
      capabilities: { id: string; supported: boolean }[]
      keys: { self: boolean }[]
      posture: unknown[]
    }>('accounts.test', { exchange: 'deribit', simulated: true })
    expect(tested.value.ok).toBe(true)
    expect(tested.value.capabilities.find((c) => c.id === 'loginHistory')!.supported).toBe(true)
    expect(tested.value.keys.some((k) => k.self)).toBe(true)
    expect(Array.isArray(tested.value.posture)).toBe(true)
    const wrong = await call<{ ok: boolean; error: string }>('accounts.test', {
      exchange: 'deribit',
      apiKey: 'nope',
      secret: 'wrong',
      endpoint: running.simulator!.endpointFor('deribit')
    })
    expect(wrong.value).toMatchObject({
      ok: false,
      error: expect.stringMatching(/refused this API key/)
    })
    expect((await call<unknown[]>('accounts.list')).value).toHaveLength(1)
  }, 60_000)

  it('adds the spare simulated account without its keys ever crossing the API, and reads its history', async () => {
    const info = await call<{
      demo: boolean
      spare: { exchange: string; label: string }
      attacks: { id: string }[]
    }>('demo.info')
    expect(info.value).toMatchObject({
      demo: true,
      spare: { exchange: 'deribit' },
      attacks: [{ id: 'takeover-spare' }]
    })
    expect(JSON.stringify(info)).not.toMatch(/secret|apiKey/i)
    const added = await call<{ id: string; label: string }>('accounts.add', {
      exchange: 'deribit',
      label: 'Spare',
      simulated: true,
      pollSeconds: 1
    })
    expect(added.ok).toBe(true)
    await until(async () => {
      const list = await call<{ id: string; backfill: { done: boolean } | null }[]>('accounts.list')
      return list.value.find((a) => a.id === added.value.id)?.backfill?.done
    }, 'backfill of the spare account')
  }, 60_000)

  it('refuses an account without a key or secret, naming the field', async () => {
    const missing = await call('accounts.add', { exchange: 'deribit', label: 'x', apiKey: 'k' })
    expect(missing).toMatchObject({ ok: false, error: { code: 'bad-request', path: 'secret' } })
  })

  it('a fire drill raises alerts; "this is me" takes the value from the evidence, scopes it to the rule and account, and acknowledges the incident', async () => {
    expect(
      (await call<{ played: number }>('demo.attack', { attack: 'takeover-spare' })).value.played
    ).toBeGreaterThan(0)
    const spareId = (await call<{ id: string; label: string }[]>('accounts.list')).value.find(
      (a) => a.label === 'Spare'
    )!.id
    const incident = await until(async () => {
      const list = await call<{ id: string; accountId: string; rules: string[] }[]>(
        'incidents.list',
        { scope: 'live' }
      )
      return list.value.find(
        (i) => i.accountId === spareId && i.rules.includes('login.anonymous_network')
      )
    }, 'an anonymous-network incident on the spare account')
    const detail = await call<{ alerts: { id: string; rule: string }[] }>('incidents.get', {
      incidentId: incident.id
    })
    const alert = detail.value.alerts.find((a) => a.rule === 'login.anonymous_network')!
    const exception = await call<{
      field: string
      value: string
      ruleId: string
      accountId: string
    }>('exceptions.add', { alertId: alert.id, field: 'ip' })
    expect(exception.value).toMatchObject({
      field: 'ip',
      ruleId: 'login.anonymous_network',
      accountId: spareId
    })
    expect(
      (await call<{ status: string }>('incidents.get', { incidentId: incident.id })).value
    ).toMatchObject({ incident: { status: expect.stringMatching(/acknowledged|contained/) } })
    expect((await call<unknown[]>('exceptions.list')).value).toHaveLength(1)
    const noValue = await call('exceptions.add', { alertId: alert.id, field: 'symbol' })
    expect(noValue).toMatchObject({ ok: false, error: { path: 'field' } })
  }, 60_000)

  it('silences a rule until it expires and lists active silences only', async () => {
    const silence = await call<{ id: string; until: number }>('silences.add', {
      ruleId: 'login.new_device',
      minutes: 60
    })
    expect(silence.ok).toBe(true)
    expect((await call<{ id: string }[]>('silences.list')).value.map((s) => s.id)).toEqual([
      silence.value.id
    ])
    expect((await call('silences.remove', { silenceId: silence.value.id })).ok).toBe(true)
    expect((await call<unknown[]>('silences.list')).value).toEqual([])
  })

  it("tunes a rule, keeps the change, and refuses a value outside the rule's limits", async () => {
    const updated = await call<{ id: string; enabled: boolean; params: Record<string, unknown> }>(
      'rules.update',
      { ruleId: 'login.countries_burst', enabled: false }
    )
    expect(updated.value).toMatchObject({ id: 'login.countries_burst', enabled: false })
    const listed = (await call<{ id: string; enabled: boolean }[]>('rules.list')).value.find(
      (r) => r.id === 'login.countries_burst'
    )
    expect(listed!.enabled).toBe(false)
    const bad = await call('rules.update', {
      ruleId: 'login.new_country',
      params: { historyDays: -5 }
    })
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad-request' } })
    const unknown = await call('rules.update', { ruleId: 'no.such.rule', enabled: true })
    expect(unknown).toMatchObject({ ok: false, error: { code: 'not-found' } })
  })
})
