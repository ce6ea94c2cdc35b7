/**
 * Errors the API returns for the window's forms carry their sentence as a descriptor next to the
 * English message, so the window shows them in its language; plain-string failures keep working.
 */
import { resolve } from 'node:path'

import { describe, expect, it } from 'vitest'

import { ApiFailure, dispatch } from '../../../main/api/dispatch'
import { englishText, formatMessage, msg } from '../../../main/api/messages'
import { MemorySecretStore } from '../../../main/core/secrets/memory-store'
import { createVigil } from '../../../main/core/vigil'
import { FakeClock } from '../../support/fakes/fake-clock'
import { RecordingNotifier } from '../../support/fakes/recording-notifier'

const RULES_DIR = resolve(__dirname, '../../../resources/rules')

const vigil = () =>
  createVigil({
    dataDir: ':memory:',
    secrets: new MemorySecretStore(),
    notifier: new RecordingNotifier(),
    exchanges: { create: async () => ({}) as never },
    rulesDir: RULES_DIR,
    clock: new FakeClock(),
    mode: 'headless'
  })

describe('API errors as descriptors', () => {
  it('form validation: English message as before, the descriptor renders in zh-CN / zh-TW', async () => {
    const v = await vigil()
    const r = await dispatch(v, 'channels.add', { kind: 'ntfy', name: 'Desk' })
    if (r.ok) throw new Error('expected a failure')
    expect(r.error).toMatchObject({
      code: 'bad-request',
      message: 'an ntfy channel needs a topic',
      path: 'target',
      msg: { code: 'api.ntfyTopic' }
    })
    expect(formatMessage('zh-CN', r.error.msg!)).toBe('ntfy 渠道需要填写主题')
    expect(formatMessage('zh-TW', r.error.msg!)).toBe('ntfy 管道需要填寫主題')

    const unknown = await dispatch(v, 'accounts.add', {
      exchange: 'nosuchexchange',
      label: 'x',
      apiKey: 'k',
      secret: 's'
    })
    if (unknown.ok) throw new Error('expected a failure')
    expect(formatMessage('zh-CN', unknown.error.msg!)).toBe('未知的交易所：nosuchexchange')
    await v.stop()
  })

  it('an out-of-range rule threshold: English as before, the descriptor in zh-CN / zh-TW', async () => {
    const v = await vigil()
    const r = await dispatch(v, 'rules.update', {
      ruleId: 'login.failed_burst',
      params: { windowMinutes: 0 }
    })
    if (r.ok) throw new Error('expected a failure')
    expect(r.error).toMatchObject({
      code: 'bad-request',
      message: 'login.failed_burst: param windowMinutes must be ≥ 1',
      path: 'params',
      msg: { code: 'rules.invalid' }
    })
    expect(formatMessage('zh-CN', r.error.msg!)).toBe(
      'login.failed_burst：参数 windowMinutes 不能小于 1'
    )
    expect(formatMessage('zh-TW', r.error.msg!)).toBe(
      'login.failed_burst：參數 windowMinutes 不能小於 1'
    )
    const wrongType = await dispatch(v, 'rules.update', {
      ruleId: 'login.failed_burst',
      params: { windowMinutes: true }
    })
    if (wrongType.ok) throw new Error('expected a failure')
    expect(wrongType.error.message).toBe('login.failed_burst: param windowMinutes must be a number')
    expect(formatMessage('zh-TW', wrongType.error.msg!)).toBe(
      'login.failed_burst：參數 windowMinutes 必須是數字'
    )
    await v.stop()
  })

  it('ApiFailure keeps plain strings as they are and has no descriptor for them', () => {
    const plain = new ApiFailure('not-found', 'no account with id x')
    expect(plain.message).toBe('no account with id x')
    expect(plain.msg).toBeUndefined()
    const m = msg('api.notSupported', { exchange: 'foo' })
    const described = new ApiFailure('bad-request', m, 'exchange')
    expect(described.message).toBe(englishText(m))
    expect(described.msg).toEqual(m)
  })
})
