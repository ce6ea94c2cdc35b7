// page.evaluate runs in the browser, so this file needs the DOM types too.
/// <reference lib="dom" />

import { readFileSync } from 'node:fs'

import { expect, test, type Page } from '@playwright/test'

import { authHeader, shot, TOKEN, watchForProblems } from './env'

/**
 * The trader's journey through the real headless demo: add the simulated spare account through
 * the wizard, watch its history being read, run a fire drill on it, answer the alert ("this is
 * me", kill switch), export the report and the history, tune a rule, switch to Chinese, and look
 * at every page on the way (screenshots in test-results/screenshots/journey-*.png).
 *
 * It runs after demo.e2e.ts on the same server: the scripted takeover of "Demo deribit" has
 * played and been contained by then, so everything here is scoped to the spare account.
 */

interface Envelope<T> {
  ok: boolean
  value: T
}

const SPARE_LABEL = 'Spare deribit (simulated)'

async function api<T>(page: Page, method: string, input: unknown = {}): Promise<T> {
  const reply = await page.request.post(`/api/${method}`, { headers: authHeader, data: input })
  expect(reply.status(), method).toBe(200)
  return ((await reply.json()) as Envelope<T>).value
}

/** Fails the test if the page scrolls sideways (the layout broke). */
async function expectNoHorizontalOverflow(page: Page, what: string): Promise<void> {
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth
  )
  expect(overflow, `${what} overflows sideways`).toBeLessThanOrEqual(0)
}

test.describe.configure({ mode: 'serial' })

test('journey: wizard → backfill → fire drill → this is me → kill switch → report → 简体中文', async ({
  page
}, testInfo) => {
  test.setTimeout(300_000)
  const problems = await watchForProblems(page)
  await page.goto(`/#token=${TOKEN}`)
  await expect(page.getByTestId('account-card').first()).toBeVisible({ timeout: 30_000 })
  const before = await api<Array<{ id: string; label: string }>>(page, 'accounts.list')
  expect(before.some((a) => a.label === SPARE_LABEL)).toBe(false)
  await shot(page, testInfo, 'journey-01-overview')

  // ---- Accounts: the add-key wizard, step by step ----------------------------------------------
  await page.getByTestId('nav-accounts').click()
  const wizard = page.getByTestId('add-key-wizard')
  await expect(wizard.getByTestId('wizard-exchange')).toBeVisible()
  // Every ccxt exchange is offered, the deep ones first and marked.
  const select = page.getByTestId('exchange-select')
  await expect(select.locator('option')).not.toHaveCount(0)
  expect(await select.locator('option').count()).toBeGreaterThan(50)
  await expect(select.locator('option').first()).toContainText('deep support')
  await page.getByTestId('exchange-search').fill('okx')
  await select.selectOption('okx')
  await expect(page.getByTestId('exchange-support')).toContainText('Deep support')
  await shot(page, testInfo, 'journey-02-accounts-wizard-exchange')
  // A real key's form asks for the passphrase where the exchange needs one.
  await page.getByTestId('wizard-next').click()
  await expect(page.getByTestId('passphrase-input')).toBeVisible()
  await expect(page.getByTestId('secret-input')).toHaveAttribute('type', 'password')
  await shot(page, testInfo, 'journey-03-wizard-key')
  await page.getByTestId('wizard-back').click()
  await page.getByTestId('exchange-search').fill('')

  // Demo: the same steps on the simulator's spare account, no key typed.
  await page.getByTestId('try-simulated').click()
  await expect(page.getByTestId('wizard-key')).toBeVisible()
  await expect(page.getByTestId('label-input')).toHaveValue(SPARE_LABEL)
  await expect(page.getByTestId('api-key-input')).toHaveCount(0)
  await shot(page, testInfo, 'journey-04-wizard-key-simulated')
  await page.getByTestId('test-connection').click()

  // Before saving: what Vigil can and cannot see there, and what is wrong with the key.
  const review = page.getByTestId('wizard-review')
  await expect(review).toBeVisible({ timeout: 30_000 })
  await expect(review.getByTestId('test-ok')).toBeVisible()
  await expect(review.getByTestId('test-capabilities')).toContainText('Login history')
  await expect(review.getByTestId('test-capabilities')).toContainText('Dead-man switch')
  await expect(review.getByTestId('posture-finding').first()).toContainText(
    'API key older than 90 days'
  )
  await expect(review.getByTestId('posture-finding').first()).toContainText('Create a new key')
  expect(
    (await api<Array<{ label: string }>>(page, 'accounts.list')).some(
      (a) => a.label === SPARE_LABEL
    ),
    'nothing is stored before Save'
  ).toBe(false)
  await shot(page, testInfo, 'journey-05-wizard-review')

  // Save, then watch the history being read: record every value the progress bar shows.
  await page.evaluate(() => {
    const seen: string[] = []
    ;(window as unknown as { backfillSeen: string[] }).backfillSeen = seen
    const timer = setInterval(() => {
      const percent = document.querySelector('[data-testid="backfill-percent"]')?.textContent
      const message = document.querySelector('[data-testid="backfill-message"]')?.textContent
      const entry = `${percent ?? ''}|${message ?? ''}`
      if (percent && seen[seen.length - 1] !== entry) seen.push(entry)
      if (document.querySelector('[data-testid="backfill-done"]')) clearInterval(timer)
    }, 25)
  })
  await page.getByTestId('save-account').click()
  const backfill = page.getByTestId('backfill')
  await expect(backfill).toBeVisible({ timeout: 30_000 })
  await expect(page.getByTestId('backfill-progress')).toBeVisible()
  await shot(page, testInfo, 'journey-06-wizard-backfill')
  await expect(page.getByTestId('backfill-done')).toBeVisible({ timeout: 90_000 })
  await expect(page.getByTestId('backfill-percent')).toHaveText('100 %')
  await expect(backfill).toHaveAttribute('data-done', 'true')
  const seen = await page.evaluate(
    () => (window as unknown as { backfillSeen: string[] }).backfillSeen
  )
  await testInfo.attach('backfill-progress-seen', {
    body: seen.join('\n'),
    contentType: 'text/plain'
  })
  expect(seen.length, seen.join('\n')).toBeGreaterThan(1)
  expect(seen[0].startsWith('100 %'), seen.join('\n')).toBe(false)
  expect(seen[seen.length - 1].startsWith('100 %')).toBe(true)
  await expect(page.getByTestId('account-row')).toHaveCount(2)
  await shot(page, testInfo, 'journey-07-wizard-done')
  const spare = (await api<Array<{ id: string; label: string }>>(page, 'accounts.list')).find(
    (a) => a.label === SPARE_LABEL
  )
  expect(spare).toBeDefined()

  // ---- Overview: the fire drill, and the alert showing up live --------------------------------
  await page.getByTestId('nav-dashboard').click()
  const drill = page.getByTestId('fire-drill')
  await expect(drill).toBeVisible()
  await expect(drill).toContainText('Account takeover on the spare account')
  await expect(page.getByTestId('account-card')).toHaveCount(2)
  await shot(page, testInfo, 'journey-08-overview-fire-drill')
  const spareIncidents = page.getByTestId('dashboard-incident').filter({ hasText: SPARE_LABEL })
  await expect(spareIncidents).toHaveCount(0)
  await page.getByTestId('fire-drill-takeover-spare').click()
  await expect(page.getByTestId('fire-drill-played')).toContainText('6')
  // No reload: main pushes the alert and the overview shows it.
  await expect(spareIncidents.first()).toBeVisible({ timeout: 45_000 })
  await expect(page.getByTestId('countdown').first()).toBeVisible()
  await shot(page, testInfo, 'journey-09-overview-after-drill')

  // ---- Alerts: the incident with its evidence, places, chart and actions ----------------------
  await page.getByTestId('nav-alerts').click()
  const loginIncident = page
    .getByTestId('incident-row')
    .filter({ hasText: SPARE_LABEL })
    .filter({ hasText: 'login.countries_burst' })
  await expect(loginIncident).toHaveCount(1, { timeout: 30_000 })
  await shot(page, testInfo, 'journey-10-alerts-list')
  await loginIncident.click()
  const detail = page.getByTestId('incident-detail')
  await expect(detail).toBeVisible()
  await expect(detail.getByTestId('alert-explanation').first()).toBeVisible()
  await expect(detail.getByTestId('login-locations')).toContainText('Russia')
  await expect(detail.getByTestId('login-locations')).toContainText('Netherlands')
  await expect(detail.getByTestId('baseline-chart').first()).toBeVisible()
  await expect(detail.getByTestId('baseline-chart').first().locator('svg').first()).toBeVisible()
  await shot(page, testInfo, 'journey-11-alert-detail')

  // "This is me": the IP of the newest evidence, for this rule.
  // By id: alerts still arriving for this incident may reorder the cards.
  const alertId = await detail.getByTestId('alert-card').first().getAttribute('data-id')
  const card = detail.locator(`[data-testid="alert-card"][data-id="${alertId}"]`)
  await card.getByTestId('this-is-me').click()
  const dialog = page.getByRole('dialog')
  await expect(dialog.getByTestId('this-is-me-fields')).toContainText('IP address')
  await expect(dialog.getByTestId('this-is-me-fields')).toContainText('Country')
  const ipOption = dialog.getByTestId('this-is-me-ip').first()
  await ipOption.check()
  const chosen = (await ipOption.getAttribute('value'))?.replace(/^ip:/, '') ?? ''
  expect(chosen).toMatch(/^\d+\.\d+\.\d+\.\d+$/)
  await expect(dialog.getByTestId('this-is-me-scope-rule')).toBeChecked()
  await shot(page, testInfo, 'journey-12-this-is-me', { fullPage: false })
  await dialog.getByTestId('confirm-this-is-me').click()
  await expect(card.getByTestId('this-is-me-saved')).toContainText(chosen)
  // Main acknowledged the incident, which stops its countdown.
  await expect(detail.getByTestId('acknowledge')).toHaveText('Acknowledged')
  const exceptions = await api<Array<{ field: string; value: string; accountId: string }>>(
    page,
    'exceptions.list'
  )
  expect(exceptions).toContainEqual(
    expect.objectContaining({ field: 'ip', value: chosen, accountId: spare!.id })
  )

  // The kill switch for this incident's account, and what it read back.
  await detail.getByTestId('kill-switch-incident').click()
  await expect(page.getByRole('dialog')).toContainText(SPARE_LABEL)
  await page.getByTestId('confirm-kill-switch').click()
  const result = detail.getByTestId('kill-switch-result')
  await expect(result).toBeVisible({ timeout: 30_000 })
  await expect(result.getByTestId('orders-remaining')).toHaveText(['0'])
  await shot(page, testInfo, 'journey-13-kill-switch-result')

  // The incident report, as the trader would send it to the exchange's support.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    detail.getByTestId('report-markdown').click()
  ])
  expect(download.suggestedFilename()).toMatch(/^vigil-incident-.*\.md$/)
  const reportPath = testInfo.outputPath(download.suggestedFilename())
  await download.saveAs(reportPath)
  const report = readFileSync(reportPath, 'utf8')
  expect(report).toContain('## 1. What happened')
  expect(report).toContain(SPARE_LABEL.split(' ')[0])
  await testInfo.attach('journey-incident-report', {
    path: reportPath,
    contentType: 'text/markdown'
  })

  // ---- History: export what the filter matches ------------------------------------------------
  await page.getByTestId('nav-history').click()
  await expect(page.getByTestId('history-row').first()).toBeVisible({ timeout: 15_000 })
  await shot(page, testInfo, 'journey-14-history')
  const [csv] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-csv').click()
  ])
  expect(csv.suggestedFilename()).toMatch(/^vigil-history-\d{8}-\d{4}\.csv$/)
  const csvPath = testInfo.outputPath(csv.suggestedFilename())
  await csv.saveAs(csvPath)
  const csvText = readFileSync(csvPath, 'utf8').replace(/^\uFEFF/, '')
  const lines = csvText.trimEnd().split('\r\n')
  expect(lines[0]).toMatch(/^time,account,kind,type,exchange_record_id/)
  // Both accounts' history, far more than one page of 1000.
  expect(lines.length).toBeGreaterThan(1001)
  await expect(page.getByTestId('export-done')).toContainText(String(lines.length - 1))

  // ---- Rules: exceptions listed, thresholds validated by main ----------------------------------
  await page.getByTestId('nav-rules').click()
  await expect(page.getByTestId('exception-row').filter({ hasText: chosen })).toHaveCount(1)
  await shot(page, testInfo, 'journey-15-rules', { fullPage: false })
  const rule = page.locator('[data-testid="rule-card"]:has([data-rule="login.new_country"])')
  await rule.locator('summary').click()
  await rule.getByTestId('param-historyDays').fill('-5')
  await rule.getByTestId('rule-save').click()
  await expect(rule.getByRole('alert')).toContainText('historyDays must be ≥ 1')
  await expect(rule.getByTestId('param-historyDays')).toHaveAttribute('aria-invalid', 'true')
  await rule.evaluate((el) => el.scrollIntoView({ block: 'center' }))
  await shot(page, testInfo, 'journey-16-rules-validation', { fullPage: false })
  await rule.getByRole('button', { name: 'Reset' }).click()
  await expect(rule.getByTestId('param-historyDays')).toHaveValue('90')

  // ---- Settings, then the language ------------------------------------------------------------
  await page.getByTestId('nav-settings').click()
  await expect(page.getByTestId('language-select')).toBeVisible()
  await shot(page, testInfo, 'journey-17-settings')
  await page.getByTestId('language-select').selectOption('zh-CN')
  await expect(page.getByTestId('nav-dashboard')).toHaveText('概览')
  await page.getByTestId('nav-accounts').click()
  await expect(page.getByTestId('add-key-wizard')).toContainText('添加 API 密钥')
  await expect(page.getByTestId('try-simulated')).toHaveText('使用模拟账户')
  await shot(page, testInfo, 'journey-18-accounts-zh-CN')
  await page.getByTestId('nav-rules').click()
  await expect(page.getByTestId('exceptions-card')).toContainText('例外（“这是我”）')
  await shot(page, testInfo, 'journey-19-rules-zh-CN', { fullPage: false })
  await page.getByTestId('nav-alerts').click()
  await loginIncident.click()
  await expect(detail.getByTestId('this-is-me').first()).toHaveText('这是我本人')
  await expect(detail.getByTestId('login-locations')).toContainText('俄罗斯')
  await shot(page, testInfo, 'journey-20-alert-detail-zh-CN')
  await page.getByTestId('nav-dashboard').click()
  await expect(page.getByTestId('fire-drill')).toContainText('消防演练')
  await shot(page, testInfo, 'journey-21-overview-zh-CN')

  // ---- The smallest window, and the dark theme ------------------------------------------------
  await page.setViewportSize({ width: 1024, height: 700 })
  for (const name of ['dashboard', 'alerts', 'history', 'accounts', 'rules', 'settings'] as const) {
    await page.getByTestId(`nav-${name}`).click()
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible()
    if (name === 'alerts') {
      await loginIncident.click()
      await expect(detail).toBeVisible()
    }
    await expectNoHorizontalOverflow(page, name)
    await shot(page, testInfo, `journey-30-${name}-1024x700`, { fullPage: name !== 'rules' })
  }
  await page.getByTestId('nav-settings').click()
  await page.getByTestId('language-select').selectOption('system')
  await expect(page.getByTestId('nav-dashboard')).toHaveText('Overview')
  await page.getByTestId('theme-select').selectOption('dark')
  await page.getByTestId('nav-alerts').click()
  await loginIncident.click()
  await expect(detail.getByTestId('baseline-chart').first()).toBeVisible()
  await shot(page, testInfo, 'journey-40-alert-detail-dark')
  await page.getByTestId('nav-accounts').click()
  await shot(page, testInfo, 'journey-41-accounts-dark')
  await page.getByTestId('nav-rules').click()
  await shot(page, testInfo, 'journey-42-rules-dark', { fullPage: false })
  await page.getByTestId('nav-settings').click()
  await page.getByTestId('theme-select').selectOption('system')

  // The one refused call is the deliberately invalid threshold above: the browser logs its 400.
  const refused = problems.filter((p) => p.includes('status of 400'))
  expect(refused).toHaveLength(1)
  expect(problems.filter((p) => !refused.includes(p))).toEqual([])
})
