/**
 * An account's last error is stored with its descriptor (accounts.last_error_msg), so after a
 * restart the window and the tray still show it in the trader's language: an exchange fault the
 * watcher recorded, and "could not start watching" set by the core itself.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

import * as ccxt from 'ccxt'
import { afterEach, describe, expect, it } from 'vitest'

import { dispatch } from '../../../main/api/dispatch'
import type { AccountView } from '../../../main/api/contract'
import { msg } from '../../../main/api/messages'
import { openDatabase } from '../../../main/core/db/open'
import { AccountsRepo } from '../../../main/core/db/repos/accounts'
import type { Connector, PollResult } from '../../../main/core/exchanges/connector'
import { classifyError } from '../../../main/core/exchanges/errors'
import { silentLogger } from '../../../main/core/ports'
import { MemorySecretStore } from '../../../main/core/secrets/memory-store'
import { createVigil } from '../../../main/core/vigil'
import { AccountWatcher } from '../../../main/core/watcher'
import { messageText } from '../../../renderer/src/i18n/message'
import { FakeClock } from '../../support/fakes/fake-clock'
import { RecordingNotifier } from '../../support/fakes/recording-notifier'

const RULES_DIR = resolve(__dirname, '../../../resources/rules')

const dirs: string[] = []
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-last-error-'))
  dirs.push(dir)
  return dir
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

const insertAccount = (accounts: AccountsRepo) =>
  accounts.insert({
    id: 'acc',
    exchange: 'deribit',
    label: 'Main',
    endpoint: null,
    keyHint: 'abcd',
    pollSeconds: 30,
    createdAt: 0,
    options: { backfilledAt: 1 }
  })

describe("an account's last error after a restart", () => {
  it('a fault the watcher recorded renders in zh-CN from the reopened database', async () => {
    const file = join(tempDir(), 'vigil.db')
    const db = openDatabase(file)
    const accounts = new AccountsRepo(db)
    insertAccount(accounts)
    const fault = classifyError(
      new ccxt.AuthenticationError(
        'deribit {"jsonrpc":"2.0","error":{"message":"invalid_credentials","code":13004}}'
      ),
      { exchangeName: 'Deribit', stream: 'keys' }
    )
    const connector = {
      exchange: 'deribit',
      poll: async (): Promise<PollResult> => ({
        events: [],
        cursors: {},
        errors: [{ stream: 'keys', fault }]
      })
    } as unknown as Connector
    const watcher = new AccountWatcher(
      db,
      accounts,
      'acc',
      connector,
      new FakeClock(),
      silentLogger,
      {
        ingest: () => [],
        retroScan: () => {},
        onBackfillProgress: () => {},
        onHealth: () => {},
        onPolled: () => {}
      },
      { authFailThreshold: 1, degradedAfterMs: 0, stalledAfterIntervals: 0 }
    )
    await watcher.pollNow()
    db.close()

    const reopened = openDatabase(file)
    const account = new AccountsRepo(reopened).get('acc')!
    expect(account.lastError).toBe(
      'keys: Deribit: the exchange rejected the API key (invalid, expired, disabled or removed) (invalid_credentials, code 13004)'
    )
    expect(messageText(account.lastErrorMsg, account.lastError!, 'zh-CN')).toBe(
      'keys：Deribit：交易所拒绝了 API 密钥（无效、已过期、已停用或已删除）（invalid_credentials，错误码 13004）'
    )
    // The data gap the fault opened keeps its reason as a descriptor too.
    const gap = reopened.prepare('SELECT reason_msg FROM data_gaps').get() as { reason_msg: string }
    expect(JSON.parse(gap.reason_msg)).toEqual(fault.msg)
    reopened.close()
  })

  it('"could not start watching" set by the core shows in zh-CN after the core is recreated', async () => {
    const dataDir = tempDir()
    const seed = openDatabase(join(dataDir, 'vigil.db'))
    // No credentials in the (empty) secret store: starting the watcher fails.
    insertAccount(new AccountsRepo(seed))
    seed.close()
    const deps = {
      dataDir,
      notifier: new RecordingNotifier(),
      exchanges: { create: async () => ({}) as never },
      rulesDir: RULES_DIR,
      clock: new FakeClock(),
      mode: 'headless' as const
    }
    const first = await createVigil({ ...deps, secrets: new MemorySecretStore() })
    await first.start()
    await first.stop()

    const second = await createVigil({ ...deps, secrets: new MemorySecretStore() })
    const listed = await dispatch(second, 'accounts.list', undefined)
    if (!listed.ok) throw new Error(listed.error.message)
    const [account] = listed.value as AccountView[]
    expect(account!.status).toBe('error')
    expect(account!.lastError).toBe(
      'could not start watching: no credentials in the keychain for account acc'
    )
    expect(account!.lastErrorMsg).toEqual(
      msg('account.startFailed', { error: msg('account.noCredentials', { account: 'acc' }) })
    )
    expect(messageText(account!.lastErrorMsg, account!.lastError!, 'zh-CN')).toBe(
      '无法开始监控：系统钥匙串中没有账户 acc 的凭据'
    )
    await second.stop()
  })

  it('an error stored without a descriptor clears the old one', () => {
    const db = openDatabase(':memory:')
    const accounts = new AccountsRepo(db)
    insertAccount(accounts)
    const old = msg('account.startFailed', { error: 'x' })
    accounts.update('acc', { lastError: 'could not start watching: x', lastErrorMsg: old })
    expect(accounts.get('acc')!.lastErrorMsg).toEqual(old)
    accounts.update('acc', { lastError: 'something else' })
    expect(accounts.get('acc')!.lastErrorMsg).toBeNull()
    accounts.update('acc', { lastError: null })
    expect(accounts.get('acc')).toMatchObject({ lastError: null, lastErrorMsg: null })
  })
})
