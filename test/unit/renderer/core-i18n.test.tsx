/**
 * Texts the core writes (alert explanations, incident and rule titles, posture fixes, capability
 * notes) show in Chinese when the UI is Chinese and the API sent a translation, English
 * otherwise; and the account settings form (accounts.update).
 */
import { fireEvent, screen, waitFor, within } from '@testing-library/react'
import { describe, expect, it } from 'vitest'

import { englishText, msg } from '../../../main/api/messages'
import type { KillSwitchReport, Settings } from '../../../main/api/types'

import {
  createFakeVigil,
  defaultRules,
  makeAccount,
  makeAlert,
  makeIncident,
  makeReport,
  type FakeVigil
} from './fake-vigil'
import { renderApp as render } from './render-app'

/** The app takes its language from the saved settings: save the one the test renders in. */
const renderApp = (
  fake: FakeVigil,
  options: { hash: string; language?: Exclude<Settings['language'], 'system'> }
) => {
  fake.state.settings = { ...fake.state.settings, language: options.language ?? 'en' }
  return render(fake, options)
}

const zhAlert = () =>
  makeAlert({
    i18n: {
      'zh-CN': {
        title: '从本账户未曾出现的国家登录',
        explanation: '从 DE（IP 185.220.101.4）登录成功，本账户在过去 90 天内从未从这个国家登录过。'
      },
      'zh-TW': {
        title: '從本帳戶沒出現過的國家登入',
        explanation: '從 DE（IP 185.220.101.4）登入成功，本帳戶在過去 90 天內從未從這個國家登入。'
      }
    }
  })

const seeded = (): FakeVigil => {
  const fake = createFakeVigil({
    incidents: [
      makeIncident({
        i18n: {
          'zh-CN': { title: '账户接管迹象' },
          'zh-TW': { title: '帳戶接管跡象' }
        }
      })
    ]
  })
  fake.state.alerts = [zhAlert()]
  return fake
}

describe('core texts in the UI language', () => {
  it('shows the Chinese explanation and titles when the language is zh-CN', async () => {
    renderApp(seeded(), { hash: '#/alerts/inc-1', language: 'zh-CN' })
    const detail = await screen.findByTestId('incident-detail')
    expect(within(detail).getByTestId('alert-explanation').textContent).toBe(
      '从 DE（IP 185.220.101.4）登录成功，本账户在过去 90 天内从未从这个国家登录过。'
    )
    expect(within(detail).getByText('从本账户未曾出现的国家登录')).toBeTruthy()
    expect(within(detail).getByRole('heading', { name: '账户接管迹象' })).toBeTruthy()
    const row = (await screen.findAllByTestId('incident-row'))[0]!
    expect(within(row).getByText('账户接管迹象')).toBeTruthy()
  })

  it('shows Traditional Chinese for zh-TW', async () => {
    renderApp(seeded(), { hash: '#/alerts/inc-1', language: 'zh-TW' })
    const detail = await screen.findByTestId('incident-detail')
    expect(within(detail).getByTestId('alert-explanation').textContent).toContain('登入成功')
  })

  it('keeps English in the English UI, and falls back to English without a translation', async () => {
    renderApp(seeded(), { hash: '#/alerts/inc-1', language: 'en' })
    let detail = await screen.findByTestId('incident-detail')
    expect(within(detail).getByTestId('alert-explanation').textContent).toMatch(
      /only ever logged in from Singapore/
    )
    screen.getByTestId('incident-detail').remove()

    const plain = createFakeVigil()
    renderApp(plain, { hash: '#/alerts/inc-1', language: 'zh-CN' })
    detail = (await screen.findAllByTestId('incident-detail')).at(-1)!
    expect(within(detail).getByTestId('alert-explanation').textContent).toMatch(
      /only ever logged in from Singapore/
    )
  })

  it('rules screen shows the translated title, description and false positives', async () => {
    const fake = createFakeVigil()
    const [rule] = defaultRules()
    fake.state.rules = [
      {
        ...rule!,
        i18n: {
          'zh-CN': {
            title: '从新国家登录',
            description: '来自历史窗口内未出现过的国家的登录。',
            falsepositives: ['出行']
          }
        }
      }
    ]
    renderApp(fake, { hash: '#/rules', language: 'zh-CN' })
    expect(await screen.findByText('从新国家登录')).toBeTruthy()
    expect(screen.getByText('来自历史窗口内未出现过的国家的登录。')).toBeTruthy()
    expect(screen.getByText('出行')).toBeTruthy()
  })

  it('posture fixes and capability notes follow the language, with no English left behind', async () => {
    const fake = createFakeVigil({
      accounts: [
        makeAccount({
          posture: [
            {
              rule: 'key.posture.withdraw_enabled',
              level: 'high',
              title: 'API key can withdraw funds',
              fix: 'Remove it on the exchange.',
              i18n: { 'zh-CN': { title: 'API 密钥可以提现', fix: '请到交易所关闭该权限。' } }
            }
          ],
          capabilities: [
            {
              id: 'loginHistory',
              supported: false,
              note: 'Deribit does not publish login history over its API.',
              noteI18n: {
                en: 'Deribit does not publish login history over its API, so login rules cannot run.',
                'zh-CN': 'Deribit 未通过 API 提供登录记录，因此登录类规则无法运行。',
                'zh-TW': 'Deribit 沒有透過 API 提供登入紀錄，因此登入類規則無法執行。'
              }
            }
          ]
        })
      ]
    })
    renderApp(fake, { hash: '#/', language: 'zh-CN' })
    expect(await screen.findByText('API 密钥可以提现')).toBeTruthy()
    expect(screen.getByText('请到交易所关闭该权限。')).toBeTruthy()
    const note = screen.getByText('Deribit 未通过 API 提供登录记录，因此登录类规则无法运行。')
    expect(note.getAttribute('title')).toBeNull()
    expect(document.body.textContent).not.toContain('Deribit does not publish')
  })
})

describe('account settings (accounts.update)', () => {
  it('saves the poll interval; no dead-man field where the exchange has none', async () => {
    const fake = createFakeVigil()
    renderApp(fake, { hash: '#/accounts', language: 'zh-CN' })
    fireEvent.click((await screen.findAllByTestId('account-settings-open'))[0]!)
    const form = await screen.findByTestId('account-settings')
    expect(within(form).getByTestId('dead-man-unsupported').textContent).toContain('失联自动撤单')
    expect(within(form).queryByTestId('account-dead-man')).toBeNull()
    fireEvent.change(within(form).getByLabelText('轮询间隔（秒）'), { target: { value: '15' } })
    fireEvent.click(within(form).getByTestId('account-settings-save'))
    await waitFor(() => expect(fake.callsOf('accounts.update')).toHaveLength(1))
    expect(fake.callsOf('accounts.update')[0]).toEqual({
      accountId: 'acc-deribit',
      pollSeconds: 15
    })
    expect(await within(form).findByText('账户设置已保存。')).toBeTruthy()
  })

  it('offers the dead-man timer where supported and shows the API refusal', async () => {
    const account = makeAccount()
    const fake = createFakeVigil({
      accounts: [
        {
          ...account,
          capabilities: account.capabilities.map((c) =>
            c.id === 'deadMan' ? { ...c, supported: true } : c
          )
        }
      ]
    })
    fake.handlers['accounts.update'] = () => {
      throw {
        code: 'bad-request',
        message:
          'the timeout must be at least three poll intervals (90 s), or one slow poll cancels every order',
        path: 'deadManSeconds'
      }
    }
    renderApp(fake, { hash: '#/accounts' })
    fireEvent.click((await screen.findAllByTestId('account-settings-open'))[0]!)
    const form = await screen.findByTestId('account-settings')
    fireEvent.change(within(form).getByTestId('account-dead-man'), { target: { value: '10' } })
    fireEvent.click(within(form).getByTestId('account-settings-save'))
    const alert = await within(form).findByRole('alert')
    expect(alert.textContent).toContain('at least three poll intervals (90 s)')
    expect(fake.callsOf('accounts.update')).toEqual([
      { accountId: account.id, pollSeconds: account.pollSeconds, deadManSeconds: 10 }
    ])
  })

  it('an API refusal main sent as a descriptor shows in zh-CN, the exchange text verbatim', async () => {
    const account = makeAccount()
    const fake = createFakeVigil({
      accounts: [
        {
          ...account,
          capabilities: account.capabilities.map((c) =>
            c.id === 'deadMan' ? { ...c, supported: true } : c
          )
        }
      ]
    })
    const why = msg('api.deadManRefused', {
      exchange: 'okx',
      error: msg('fault.exchange', { exchange: 'OKX', error: msg('fault.okx.deadManRange') })
    })
    fake.handlers['accounts.update'] = () => {
      // What the preload throws: the dispatch error as a plain object.
      throw { code: 'bad-request', message: englishText(why), msg: why, path: 'deadManSeconds' }
    }
    renderApp(fake, { hash: '#/accounts', language: 'zh-CN' })
    fireEvent.click((await screen.findAllByTestId('account-settings-open'))[0]!)
    const form = await screen.findByTestId('account-settings')
    fireEvent.change(within(form).getByTestId('account-dead-man'), { target: { value: '5' } })
    fireEvent.click(within(form).getByTestId('account-settings-save'))
    const alert = await within(form).findByRole('alert')
    expect(alert.textContent).toContain(
      'okx 拒绝了失联自动撤单计时器：OKX：倒计时全部撤单（cancel-all-after）的超时时间必须为 0 或 10–120 秒'
    )
    expect(alert.textContent).not.toContain('refused the dead-man timer')
  })
})

describe('descriptors from main in the window language', () => {
  const ksReport = (): KillSwitchReport => {
    const key = msg('key.id', { id: '…a1b2' })
    const manualStepMsgs = [
      msg('manual.binance.left', { count: 2 }),
      msg('manual.binance.deleteKey', {
        key,
        url: 'https://www.binance.com/en/my/settings/api-management',
        ending: 'a1b2'
      })
    ]
    const detailMsg = msg('ks.binance.noRevoke', { key })
    const errorMsg = msg('ks.err.listOpenOrders', {
      error: msg('fault.exchange', {
        exchange: 'Binance',
        error: msg('fault.detail', {
          error: msg('fault.kind.rate-limit'),
          detail: msg('fault.reasonCode', { reason: 'Too many requests.', code: '-1003' })
        })
      })
    })
    return {
      ...makeReport(['acc-deribit']),
      accounts: [
        {
          ...makeReport(['acc-deribit']).accounts[0]!,
          exchange: 'binance',
          contained: false,
          key: 'manual-revoke-required',
          manualSteps: manualStepMsgs.map(englishText),
          manualStepMsgs,
          steps: [
            {
              action: 'revoke-key',
              ok: false,
              attempts: 0,
              detail: englishText(detailMsg),
              detailMsg
            }
          ],
          errors: [englishText(errorMsg)],
          errorMsgs: [errorMsg]
        }
      ]
    }
  }

  /** Fires the kill switch from the dashboard; main answers with `report`. */
  const fired = async (language: 'en' | 'zh-TW', report: KillSwitchReport) => {
    const fake = createFakeVigil()
    fake.handlers['killSwitch.fire'] = () => report
    renderApp(fake, { hash: '#/', language })
    fireEvent.click(await screen.findByTestId('kill-switch-all'))
    fireEvent.click(await screen.findByTestId('confirm-kill-switch'))
    return (await screen.findByTestId('kill-switch-result')).textContent ?? ''
  }

  it('kill-switch result: manual steps, step details and errors in zh-TW; the exchange text verbatim', async () => {
    const text = await fired('zh-TW', ksReport())
    expect(text).toContain('仍有 2 筆掛單有效')
    expect(text).toContain('刪除 Vigil 使用的 API 金鑰（金鑰 …a1b2）')
    expect(text).toContain('Binance 沒有可在一般帳戶上刪除或停用金鑰 …a1b2 的 API')
    expect(text).toContain(
      '無法列出掛單：Binance：交易所正在限制我們的請求頻率（Too many requests.，錯誤碼 -1003）'
    )
    expect(text).not.toMatch(/still live|Delete the API key|has no API to delete/)
  })

  it('English UI keeps the English texts word for word', async () => {
    const report = ksReport()
    const text = await fired('en', report)
    for (const s of [...report.accounts[0]!.manualSteps, report.accounts[0]!.errors[0]!])
      expect(text).toContain(s)
  })

  it('account lastError and backfill progress in zh-CN', async () => {
    const lastErrorMsg = msg('join.prefixed', {
      subject: 'keys',
      error: msg('fault.exchange', {
        exchange: 'Deribit',
        error: msg('fault.detail', {
          error: msg('fault.kind.auth'),
          detail: msg('fault.reasonCode', { reason: 'invalid_credentials', code: '13004' })
        })
      })
    })
    const progress = msg('progress.ordersTrades', { market: 'spot BTCUSDT' })
    const fake = createFakeVigil({
      accounts: [
        makeAccount({
          status: 'error',
          lastError: englishText(lastErrorMsg),
          lastErrorMsg,
          backfill: { done: false, progress: 0.4, message: englishText(progress), msg: progress }
        })
      ]
    })
    renderApp(fake, { hash: '#/', language: 'zh-CN' })
    const alert = await screen.findByText(/交易所拒绝了 API 密钥/)
    expect(alert.textContent).toBe(
      'keys：Deribit：交易所拒绝了 API 密钥（无效、已过期、已停用或已删除）（invalid_credentials，错误码 13004）'
    )
    expect(
      within(screen.getByTestId('account-backfill')).getByText(
        '正在读取 spot BTCUSDT 的订单和成交记录'
      )
    ).toBeTruthy()
  })
})
