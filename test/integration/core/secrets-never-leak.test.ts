import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { z } from 'zod'

import { createConsoleLogger } from '../../../main/adapters/log/console-logger'
import { contract } from '../../../main/api/contract'
import { dispatch } from '../../../main/api/dispatch'
import { createCcxtFactory } from '../../../main/core/exchanges/ccxt-factory'
import type { SecretStore } from '../../../main/core/ports'
import { KeyringStore } from '../../../main/core/secrets/keyring-store'
import { MemorySecretStore } from '../../../main/core/secrets/memory-store'
import { accountSlot, createVigil } from '../../../main/core/vigil'
import { ScenarioClock } from '../../../main/replay/clock'
import { loadScenario } from '../../../main/replay/scenario'
import { startSimulator } from '../../../main/simulator'
import { RecordingNotifier } from '../../support/fakes/recording-notifier'

const scenario = loadScenario(
  resolve(__dirname, '../../../../shared/scenarios/takeover-deribit.json')
)
const haveSecretService = !!process.env.DBUS_SESSION_BUS_ADDRESS

/** Every field name anywhere in a zod schema (objects, arrays, unions, records, nullables…). */
function fieldNames(schema: z.ZodType, seen = new Set<z.ZodType>()): string[] {
  if (seen.has(schema)) return []
  seen.add(schema)
  const def = (schema as unknown as { def: Record<string, unknown> }).def
  const names: string[] = []
  const visit = (s: unknown) => {
    if (s && typeof s === 'object' && 'def' in (s as object))
      names.push(...fieldNames(s as z.ZodType, seen))
  }
  if (def.type === 'object') {
    for (const [name, child] of Object.entries(def.shape as Record<string, unknown>)) {
      names.push(name)
      visit(child)
    }
  }
  for (const key of ['element', 'innerType', 'valueType', 'in', 'out', 'left', 'right'])
    visit(def[key])
  for (const option of (def.options as unknown[] | undefined) ?? []) visit(option)
  return names
}

describe('secrets never leave the keychain', () => {
  const secretMarker = 'S3CRET-must-never-leak-' + Math.random().toString(36).slice(2)
  const lines: string[] = []
  const responses: string[] = []
  let dataDir: string
  let secrets: SecretStore
  let slot = ''

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'vigil-leak-'))
    const clock = new ScenarioClock(Date.now(), 1)
    const sim = await startSimulator({ scenario, clock, startAt: clock.startAt })
    // The simulator's key for the account carries its own secret; give it a marker we can grep for.
    const credentials = sim.credentials('drb')
    secrets = haveSecretService
      ? new KeyringStore({ service: `vigil-test-${process.pid}` })
      : new MemorySecretStore()
    const vigil = await createVigil({
      dataDir,
      secrets,
      notifier: new RecordingNotifier(),
      exchanges: createCcxtFactory(),
      rulesDir: resolve(__dirname, '../../../resources/rules'),
      clock,
      logger: createConsoleLogger({ level: 'debug', write: (line) => lines.push(line) }),
      mode: 'headless'
    })
    try {
      // A wrong secret first: the failure paths (auth errors, logs, lastError) must not echo it either.
      const wrong = await dispatch(vigil, 'accounts.add', {
        exchange: 'deribit',
        label: 'wrong',
        apiKey: credentials.apiKey,
        secret: secretMarker,
        endpoint: sim.endpointFor('deribit'),
        pollSeconds: 1
      })
      responses.push(JSON.stringify(wrong))
      expect(wrong).toMatchObject({ ok: false, error: { code: 'bad-request', path: 'apiKey' } })
      const right = await dispatch(vigil, 'accounts.add', {
        exchange: 'deribit',
        label: 'main',
        apiKey: credentials.apiKey,
        secret: credentials.secret,
        endpoint: sim.endpointFor('deribit'),
        pollSeconds: 1
      })
      expect(right.ok).toBe(true)
      const accountId = (right as { value: { id: string } }).value.id
      slot = accountSlot(accountId)
      await vigil.start()
      await vigil.internals.watchers.get(accountId)!.firstPollDone
      clock.begin()
      for (let i = 0; i < scenario.timeline.length; i++) sim.apply(i)
      await vigil.internals.watchers.get(accountId)!.pollNow()
      const incidents = await dispatch(vigil, 'incidents.list', {})
      const firstIncident = ((incidents as { value: { id: string }[] }).value[0] ?? { id: 'none' })
        .id
      const inputs: Record<string, unknown> = {
        'accounts.remove': { accountId: 'no-such-account' },
        'incidents.get': { incidentId: firstIncident },
        'incidents.acknowledge': { incidentId: firstIncident },
        'killSwitch.fire': { accountIds: [accountId], reason: 'leak test' },
        'countdown.cancel': { incidentId: firstIncident },
        'settings.update': { retentionDays: 30 },
        pause: { minutes: 0 }
      }
      for (const method of Object.keys(contract)) {
        responses.push(JSON.stringify(await dispatch(vigil, method, inputs[method] ?? {})))
      }
      responses.push(JSON.stringify(await dispatch(vigil, 'history.query', { limit: 1000 })))
      // The credentials are in the keychain slot, which is where they belong.
      secretsInStore = await secrets.get(slot)
    } finally {
      await vigil.stop()
      await sim.close()
    }
    secretStored = credentials.secret
  }, 60_000)

  let secretsInStore: string | null = null
  let secretStored = ''

  afterAll(async () => {
    if (slot) await secrets.delete(slot)
  })

  it('keeps the credentials in the secret store (the OS keychain when one runs)', () => {
    expect(secretsInStore).toContain(secretStored)
    if (!haveSecretService)
      console.warn('no D-Bus session: checked the in-memory store instead of the Secret Service')
  })

  it('writes no secret into the SQLite files', () => {
    const files = readdirSync(dataDir).filter((f) => f.startsWith('vigil.db'))
    expect(files).toContain('vigil.db')
    for (const file of files) {
      const bytes = readFileSync(join(dataDir, file)).toString('latin1')
      expect(bytes.includes(secretStored), file).toBe(false)
      expect(bytes.includes(secretMarker), file).toBe(false)
    }
    expect(existsSync(join(dataDir, 'vigil.db'))).toBe(true)
  })

  it('logs no secret', () => {
    expect(lines.length).toBeGreaterThan(0)
    const text = lines.join('\n')
    expect(text.includes(secretStored)).toBe(false)
    expect(text.includes(secretMarker)).toBe(false)
  })

  it('returns no secret from any API method, and no output schema has a field for one', () => {
    expect(responses.length).toBeGreaterThan(Object.keys(contract).length)
    for (const r of responses) {
      expect(r.includes(secretStored)).toBe(false)
      expect(r.includes(secretMarker)).toBe(false)
    }
    for (const [method, spec] of Object.entries(contract)) {
      const names = fieldNames(spec.output as z.ZodType)
      // Booleans that say whether one exists (hasSecret, needsPassword) are fine; a field holding one is not.
      expect(
        names.filter(
          (n) => /secret|password|passphrase|apikey|token/i.test(n) && !/^(has|needs)[A-Z]/.test(n)
        ),
        method
      ).toEqual([])
    }
  })
})
