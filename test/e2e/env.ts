import { mkdirSync } from 'node:fs'
import { join } from 'node:path'

import type { Page, TestInfo } from '@playwright/test'

/** Set by playwright.config.ts for the server and inherited by the workers. */
export const TOKEN = process.env.VIGIL_E2E_TOKEN ?? ''
export const PORT = Number(process.env.VIGIL_E2E_PORT)
export const authHeader = { Authorization: `Bearer ${TOKEN}` }

const SHOTS = join('test-results', 'screenshots')

/** Saves a full-page screenshot under test-results/screenshots and attaches it to the report. */
export async function shot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true })
  const path = join(SHOTS, `${name}.png`)
  await page.screenshot({ path, fullPage: true })
  await testInfo.attach(name, { path, contentType: 'image/png' })
}
