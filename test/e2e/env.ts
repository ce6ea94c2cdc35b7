// watchForProblems' init script runs in the browser, so this file needs the DOM types too.
/// <reference lib="dom" />

import { mkdirSync } from 'node:fs'
import { join } from 'node:path'

import type { Page, TestInfo } from '@playwright/test'

/** Set by playwright.config.ts for the server and inherited by the workers. */
export const TOKEN = process.env.VIGIL_E2E_TOKEN ?? ''
export const PORT = Number(process.env.VIGIL_E2E_PORT)
export const authHeader = { Authorization: `Bearer ${TOKEN}` }

const SHOTS = join('test-results', 'screenshots')

/**
 * Saves a screenshot under test-results/screenshots and attaches it to the report: the full page,
 * or only the window (a modal, or one card scrolled into view on a long page).
 */
export async function shot(
  page: Page,
  testInfo: TestInfo,
  name: string,
  options: { fullPage?: boolean } = {}
): Promise<void> {
  mkdirSync(SHOTS, { recursive: true })
  const path = join(SHOTS, `${name}.png`)
  await page.screenshot({ path, fullPage: options.fullPage ?? true })
  await testInfo.attach(name, { path, contentType: 'image/png' })
}

/** Collects what must never happen in the UI: CSP violations and uncaught errors. */
export async function watchForProblems(page: Page): Promise<string[]> {
  const problems: string[] = []
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`))
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`)
  })
  await page.exposeFunction('reportCspViolation', (text: string) => problems.push(`csp: ${text}`))
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const report = (window as unknown as { reportCspViolation: (t: string) => void })
        .reportCspViolation
      report(`${event.violatedDirective} ${event.blockedURI}`)
    })
  })
  return problems
}
