import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { defineConfig } from '@playwright/test'

/*
 * E2E runs the real headless entry in demo mode (the built-in exchange simulator plays a scripted
 * account takeover) and drives the built renderer in Debian's Chromium.
 *
 * Playwright evaluates this file in the runner and again in every worker. The token, port and
 * data folder go through the environment so the workers see the values the server was given.
 */
process.env.VIGIL_E2E_TOKEN ||= randomBytes(32).toString('base64url')
process.env.VIGIL_E2E_PORT ||= String(47_000 + Math.floor(Math.random() * 2000))
process.env.VIGIL_E2E_DATA_DIR ||= mkdtempSync(join(tmpdir(), 'vigil-e2e-'))

const port = Number(process.env.VIGIL_E2E_PORT)
const baseURL = `http://127.0.0.1:${port}`

if (!existsSync('out/renderer/index.html')) {
  throw new Error('No built renderer in out/renderer: run `npx electron-vite build` first.')
}

export default defineConfig({
  testDir: './test/e2e',
  testMatch: '**/*.e2e.ts',
  outputDir: 'test-results',
  timeout: 120_000,
  expect: { timeout: 10_000 },
  // One server with one scripted attack: the specs share it, so they run in order.
  workers: 1,
  fullyParallel: false,
  reporter: 'list',
  globalTeardown: './test/e2e/global-teardown.ts',
  webServer: {
    command: 'npx tsx main/headless.ts',
    url: `${baseURL}/api/health`,
    reuseExistingServer: false,
    timeout: 90_000,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      VIGIL_DATA_DIR: process.env.VIGIL_E2E_DATA_DIR,
      VIGIL_TOKEN: process.env.VIGIL_E2E_TOKEN,
      VIGIL_PORT: String(port),
      VIGIL_DEMO: '1',
      VIGIL_UNDER_TEST: '1',
      // Record notifications in the server's log instead of popping them up on the CI desktop.
      VIGIL_NOTIFIER: 'console'
    }
  },
  use: {
    baseURL,
    locale: 'en-US',
    viewport: { width: 1280, height: 800 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic'
      ]
    }
  },
  projects: [{ name: 'debian-chromium', use: { browserName: 'chromium' } }]
})
