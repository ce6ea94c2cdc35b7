/**
 * What the trader set up survives a restart: rule tuning, "this is me" exceptions, silences,
 * settings, accounts with their history and incidents. A malformed rule file dropped into the rules
 * folder is rejected with a clear error while every other rule keeps running.
 */
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

import { describe, expect, it } from 'vitest'

import { dispatch } from '../../../main/api/dispatch'
import { createCcxtFactory } from '../../../main/core/exchanges/ccxt-factory'
import type { LogFields } from '../../../main/core/ports'
import { MemorySecretStore } from '../../../main/core/secrets/memory-store'
import { createVigil } from '../../../main/core/vigil'
import { RecordingNotifier } from '../../support/fakes/recording-notifier'

const shippedRules = resolve(__dirname, '../../../resources/rules')

describe('restart', () => {
  it('keeps rule overrides, exceptions, silences and settings', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'vigil-restart-'))
    const secrets = new MemorySecretStore()
    const make = () =>
      createVigil({
        dataDir,
        secrets,
        notifier: new RecordingNotifier(),
        exchanges: createCcxtFactory(),
        rulesDir: shippedRules,
        mode: 'headless'
      })
    const first = await make()
    expect(
      (
        await dispatch(first, 'rules.update', {
          ruleId: 'login.new_country',
          enabled: false,
          params: { historyDays: 30 }
        })
      ).ok
    ).toBe(true)
    expect(
      (
        await dispatch(first, 'exceptions.add', {
          field: 'country',
          value: 'PT',
          ruleId: 'login.new_country'
        })
      ).ok
    ).toBe(true)
    expect(
      (await dispatch(first, 'silences.add', { ruleId: 'login.new_device', minutes: 600 })).ok
    ).toBe(true)
    expect(
      (await dispatch(first, 'settings.update', { language: 'zh-TW', retentionDays: 180 })).ok
    ).toBe(true)
    await first.stop()

    const second = await make()
    try {
      const rule = (
        (await dispatch(second, 'rules.list', {})) as {
          value: { id: string; enabled: boolean; params: Record<string, unknown> }[]
        }
      ).value.find((r) => r.id === 'login.new_country')!
      expect(rule).toMatchObject({ enabled: false, params: { historyDays: 30 } })
      expect((await dispatch(second, 'exceptions.list', {})) as unknown).toMatchObject({
        value: [{ field: 'country', value: 'PT', ruleId: 'login.new_country' }]
      })
      expect((await dispatch(second, 'silences.list', {})) as unknown).toMatchObject({
        value: [{ ruleId: 'login.new_device' }]
      })
      expect((await dispatch(second, 'settings.get', {})) as unknown).toMatchObject({
        value: { language: 'zh-TW', retentionDays: 180 }
      })
    } finally {
      await second.stop()
    }
  })

  it('rejects a malformed rule file by name and keeps every other rule running', async () => {
    const rulesDir = mkdtempSync(join(tmpdir(), 'vigil-rules-'))
    cpSync(shippedRules, rulesDir, { recursive: true })
    writeFileSync(
      join(rulesDir, 'login_new_country.yaml'),
      'id: login.new_country\ntitle: broken\nlevel: catastrophic\n'
    )
    const errors: { message: string; fields?: LogFields }[] = []
    const vigil = await createVigil({
      dataDir: ':memory:',
      secrets: new MemorySecretStore(),
      notifier: new RecordingNotifier(),
      exchanges: createCcxtFactory(),
      rulesDir,
      mode: 'headless',
      logger: {
        debug() {},
        info() {},
        warn() {},
        error: (message, fields) => errors.push({ message, fields })
      }
    })
    try {
      const rules = (
        (await dispatch(vigil, 'rules.list', {})) as { value: { id: string }[] }
      ).value.map((r) => r.id)
      expect(rules).not.toContain('login.new_country')
      expect(rules).toContain('login.countries_burst')
      expect(rules.length).toBeGreaterThan(30)
      const rejected = errors.find((e) => e.message === 'rule file rejected')
      expect(rejected?.fields).toMatchObject({ file: 'login_new_country.yaml' })
      expect(String(rejected?.fields?.message)).toMatch(/level/)
    } finally {
      await vigil.stop()
    }
  })
})
