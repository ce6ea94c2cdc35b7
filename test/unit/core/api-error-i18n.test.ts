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
