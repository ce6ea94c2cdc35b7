// page.evaluate and init scripts run in the browser, so this file needs the DOM types too.
/// <reference lib="dom" />

import { expect, test } from '@playwright/test'

import { authHeader, shot, TOKEN, watchForProblems } from './env'

interface Envelope<T> {
  ok: boolean
  value: T
}

test.describe.configure({ mode: 'serial' })

test('demo takeover: alert with evidence, kill switch, account contained', async ({
  page,
  request
}, testInfo) => {
  const problems = await watchForProblems(page)
  await page.goto(`/#token=${TOKEN}`)

  // The token leaves the address bar at once (history, bookmarks, screenshots).
  await expect(page).toHaveURL((url) => !url.href.includes('token'))
  await expect(page.getByTestId('account-card')).toHaveCount(1, { timeout: 30_000 })
  await expect(page.getByTestId('account-card')).toContainText('deribit')
  await shot(page, testInfo, '01-overview-before-attack')

  // The scripted attack starts a few seconds after the first poll.
  await page.getByTestId('nav-alerts').click()
  const rows = page.getByTestId('incident-row')
  await expect(rows.first()).toBeVisible({ timeout: 45_000 })
  await rows.first().click()
  const evidence = page.getByTestId('alert-evidence').first()
  await expect(evidence).toBeVisible()
  await expect(evidence.getByTestId('evidence-event').first()).toBeVisible()

  // Fire the kill switch for this incident at once: the script goes on to create a key with a
  // wider scope than Vigil's, which Vigil then cannot disable, so acting early is what contains.
  // It asks first.
  await page.getByTestId('kill-switch-incident').click()
  const dialog = page.getByRole('dialog')
  await expect(dialog).toContainText('Cancel every open order')
  await shot(page, testInfo, '02-kill-switch-confirm')
  await page.getByTestId('confirm-kill-switch').click()
  const result = page.getByTestId('kill-switch-result')
  await expect(result).toBeVisible({ timeout: 30_000 })
  await expect(result.getByTestId('orders-remaining')).toHaveText(['0'])
  await shot(page, testInfo, '03-alerts-kill-switch-result')

  // Main agrees: the account is contained and the simulator has no orders left.
  const accounts = await request.post('/api/accounts.list', { headers: authHeader, data: {} })
  expect(accounts.status()).toBe(200)
  const body = (await accounts.json()) as Envelope<Array<{ status: string }>>
  expect(body.value.map((a) => a.status)).toEqual(['contained'])
  const status = (await (
    await request.post('/api/status', { headers: authHeader, data: {} })
  ).json()) as Envelope<{ lastKillSwitch: { accounts: Array<{ ordersRemaining: number }> } | null }>
  expect(status.value.lastKillSwitch?.accounts.map((a) => a.ordersRemaining)).toEqual([0])

  // The incident report downloads as a file the trader can send to the exchange's support.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('report-markdown').click()
  ])
  expect(download.suggestedFilename()).toMatch(/\.md$/)
  const reportPath = testInfo.outputPath(download.suggestedFilename())
  await download.saveAs(reportPath)
  await testInfo.attach('incident-report', { path: reportPath, contentType: 'text/markdown' })

  // The overview shows the contained account; the all-accounts switch is idempotent.
  await page.getByTestId('nav-dashboard').click()
  await expect(page.getByTestId('account-status')).toHaveText('Contained')
  await page.getByTestId('kill-switch-all').click()
  await page.getByTestId('confirm-kill-switch').click()
  await expect(page.getByTestId('kill-switch-result').getByTestId('orders-remaining')).toHaveText(
    ['0'],
    { timeout: 30_000 }
  )
  await shot(page, testInfo, '04-overview-after-kill-switch')

  expect(problems).toEqual([])
})

test('every page renders, in English and in 简体中文, without breaking at 1024×700', async ({
  page
}, testInfo) => {
  const problems = await watchForProblems(page)
  await page.goto(`/#token=${TOKEN}`)
  await expect(page.getByTestId('account-card')).toHaveCount(1, { timeout: 30_000 })

  for (const name of ['history', 'accounts', 'rules', 'settings'] as const) {
    await page.getByTestId(`nav-${name}`).click()
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible()
    if (name === 'history') {
      await expect(page.getByTestId('history-row').first()).toBeVisible({ timeout: 15_000 })
      await expect(page.getByTestId('history-chart')).toBeVisible()
      // Every bar keeps its kind's colour (a series named 'fill' once overwrote it with a count).
      const fills = await page
        .locator('.recharts-bar-rectangle path')
        .evaluateAll((paths) => paths.map((p) => p.getAttribute('fill') ?? ''))
      expect(fills.length).toBeGreaterThan(0)
      expect(fills.filter((f) => !f.startsWith('var(--kind-'))).toEqual([])
    }
    await shot(page, testInfo, `10-${name}`)
  }

  // Language: switch in Settings, see the whole UI follow.
  await page.getByTestId('language-select').selectOption('zh-CN')
  await expect(page.getByTestId('nav-dashboard')).toHaveText('概览')
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('设置')
  await shot(page, testInfo, '20-settings-zh-CN')
  await page.getByTestId('nav-alerts').click()
  await page.getByTestId('incident-row').first().click()
  await expect(page.getByTestId('alert-evidence').first()).toBeVisible()
  await shot(page, testInfo, '21-alerts-zh-CN')
  await page.getByTestId('nav-dashboard').click()
  await expect(page.getByTestId('kill-switch-all')).toContainText('紧急熔断')
  await shot(page, testInfo, '22-overview-zh-CN')

  // The smallest supported window: nothing spills sideways.
  await page.setViewportSize({ width: 1024, height: 700 })
  for (const name of ['dashboard', 'alerts', 'history', 'accounts', 'settings'] as const) {
    await page.getByTestId(`nav-${name}`).click()
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible()
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth
    )
    expect(overflow, `${name} overflows at 1024×700`).toBeLessThanOrEqual(0)
    await shot(page, testInfo, `30-${name}-1024x700`)
  }

  // Back to following the system, so a rerun against the same server starts in English.
  await page.getByTestId('nav-settings').click()
  await page.getByTestId('language-select').selectOption('system')
  await expect(page.getByTestId('nav-dashboard')).toHaveText('Overview')

  // Dark theme, pinned: look at it once.
  await page.getByTestId('theme-select').selectOption('dark')
  await page.getByTestId('nav-dashboard').click()
  await shot(page, testInfo, '40-overview-dark')
  await page.getByTestId('nav-settings').click()
  await page.getByTestId('theme-select').selectOption('system')

  expect(problems).toEqual([])
})

test('keyboard: the kill switch is reachable and the dialog traps focus', async ({ page }) => {
  await page.goto(`/#token=${TOKEN}`)
  await expect(page.getByTestId('account-card')).toHaveCount(1, { timeout: 30_000 })
  await page.getByTestId('kill-switch-all').focus()
  await page.keyboard.press('Enter')
  const dialog = page.getByRole('dialog')
  await expect(dialog).toBeVisible()
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused()
  await page.keyboard.press('Tab')
  await expect(page.getByTestId('confirm-kill-switch')).toBeFocused()
  await page.keyboard.press('Tab')
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused()
  await page.keyboard.press('Escape')
  await expect(dialog).toBeHidden()
  await expect(page.getByTestId('kill-switch-all')).toBeFocused()
})
