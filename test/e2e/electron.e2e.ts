/**
 * Electron smoke test: the built app starts, shows its window, and the page sees exactly the
 * contract on `window.vigil` and no Node. Runs only where an Electron binary exists; the team's
 * machines and CI cannot download one (see toolchain.md), so there it is skipped with the reason.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

import {
  _electron as electron,
  expect,
  test,
  type ElectronApplication,
  type JSHandle
} from '@playwright/test'

const repoRoot = resolve(__dirname, '../..')

/**
 * Finds the Electron executable the way `node_modules/electron/index.js` does, without its
 * fallback: requiring 'electron' from Node starts a binary download when the binary is missing,
 * which hangs or fails offline. So only read `path.txt` and check that `dist/<path>` exists.
 */
function findElectronBinary(): { path: string } | { missing: string } {
  const packageDir = join(repoRoot, 'node_modules', 'electron')
  const pathFile = join(packageDir, 'path.txt')
  if (!existsSync(pathFile)) {
    return { missing: `${pathFile} does not exist (the binary was never downloaded)` }
  }
  const relative = readFileSync(pathFile, 'utf8').trim()
  const distDir = process.env.ELECTRON_OVERRIDE_DIST_PATH ?? join(packageDir, 'dist')
  const executable = join(distDir, relative)
  return existsSync(executable) ? { path: executable } : { missing: `${executable} does not exist` }
}

const binary = findElectronBinary()

/** Page-side globals, typed here because the e2e files compile without the DOM library. */
type PageGlobals = {
  vigil: Record<string, unknown> & {
    call(method: string, input: unknown): Promise<Record<string, unknown>>
  }
  location: { href: string }
  open(url: string): unknown
}

test.describe('Electron app', () => {
  test.skip(
    'missing' in binary,
    `Electron binary not available: ${'missing' in binary ? binary.missing : ''}`
  )

  let app: ElectronApplication
  let dataDir: string
  let handedToBrowser: JSHandle<string[]>

  test.beforeAll(async () => {
    if (!('path' in binary)) return
    expect(existsSync(join(repoRoot, 'out/main/index.js')), 'run `electron-vite build` first').toBe(
      true
    )
    dataDir = mkdtempSync(join(tmpdir(), 'vigil-electron-e2e-'))
    app = await electron.launch({
      executablePath: binary.path,
      // Chromium refuses to start as root without this; CI containers run as root.
      args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), repoRoot],
      env: { ...process.env, VIGIL_DATA_DIR: dataDir, VIGIL_UNDER_TEST: '1' }
    })
    // Record browser hand-offs instead of launching the system browser.
    handedToBrowser = await app.evaluateHandle(({ shell }) => {
      const urls: string[] = []
      shell.openExternal = async (url: string) => {
        urls.push(url)
      }
      return urls
    })
  })

  test.afterAll(async () => {
    await app?.close()
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
  })

  test('opens the Vigil window on the built renderer', async () => {
    const window = await app.firstWindow()
    await window.waitForLoadState('domcontentloaded')
    await expect(window).toHaveTitle(/Vigil/)
    expect(window.url()).toMatch(/^file:.*\/out\/renderer\/index\.html/)
  })

  test('the page gets exactly call and on, and no Node', async () => {
    const window = await app.firstWindow()
    const surface = await window.evaluate(() => {
      const page = globalThis as unknown as PageGlobals & Record<string, unknown>
      return {
        keys: Object.keys(page.vigil).sort(),
        require: typeof page.require,
        process: typeof page.process,
        module: typeof page.module
      }
    })
    expect(surface).toEqual({
      keys: ['call', 'on'],
      require: 'undefined',
      process: 'undefined',
      module: 'undefined'
    })
  })

  test('a call goes through the IPC gate to the core', async () => {
    const window = await app.firstWindow()
    const status = await window.evaluate(() =>
      (globalThis as unknown as PageGlobals).vigil.call('status', {})
    )
    expect(status).toMatchObject({ mode: 'electron' })
  })

  test('the page can neither navigate away nor open a window', async () => {
    const window = await app.firstWindow()
    const before = window.url()
    const opened = await window.evaluate(() => {
      const page = globalThis as unknown as PageGlobals
      const result = page.open('https://example.com/')
      page.location.href = 'https://example.com/'
      return result === null
    })
    expect(opened).toBe(true)
    await window.waitForTimeout(500)
    expect(window.url()).toBe(before)
    expect(app.windows()).toHaveLength(1)
    // A plain https link goes to the system browser, outside the app.
    expect(await handedToBrowser.jsonValue()).toEqual(['https://example.com/'])
  })
})
