/**
 * Composition root of the Electron shell. It reads in start-up order, and each step is one small
 * module that owns its listeners and returns a disposer:
 *
 *   single instance → security → core → IPC → tray → window
 *
 * Security comes before anything that can create web contents; IPC is registered before the
 * window exists, so the renderer's first call always finds its handler.
 */
import { resolve } from 'node:path'

import { app, dialog, session } from 'electron'

import { createConsoleLogger } from '../adapters/log/console-logger'
import { createCcxtFactory } from '../core/exchanges/ccxt-factory'
import { KeyringSecretStore } from '../core/secrets/keyring-store'
import { createVigil } from '../core/vigil'
import { setupIpc } from './ipc'
import { createElectronNotifier, notificationRoute } from './notifier'
import { isTrustedRendererUrl, rendererEntry } from './renderer-url'
import { resourcesDir } from './resources'
import { setupSecurity } from './security'
import { claimSingleInstance } from './single-instance'
import { setupTray } from './tray'
import { createMainWindow, setupContentSecurityPolicy, type MainWindow } from './window'

/** Windows attributes toasts to this id; it must match `appId` in the electron-builder config. */
const APP_USER_MODEL_ID = 'app.vigil.desktop'

const logger = createConsoleLogger({
  level: process.env.VIGIL_LOG_LEVEL === 'debug' ? 'debug' : 'info'
})
const underTest = process.env.NODE_ENV === 'test' || Boolean(process.env.VIGIL_UNDER_TEST)

// Tests and e2e runs isolate all state in VIGIL_DATA_DIR. userData holds the database, the
// Chromium profile and the single-instance lock, so moving it isolates all three.
if (process.env.VIGIL_DATA_DIR) app.setPath('userData', resolve(process.env.VIGIL_DATA_DIR))
if (process.platform === 'win32') app.setAppUserModelId(APP_USER_MODEL_ID)

let mainWindow: MainWindow | null = null
/** Set when a second launch arrives before the window exists. */
let secondLaunchBeforeWindow = false

if (underTest && !process.env.VIGIL_DATA_DIR) {
  // A test run must never open a trader's real database or profile.
  logger.error('refusing to start under test without VIGIL_DATA_DIR')
  app.exit(1)
} else if (!claimSingleInstance(onSecondInstance)) {
  app.quit()
} else {
  // A tray app keeps running with no window open; only Quit (or the OS) ends it.
  app.on('window-all-closed', () => {})
  app.whenReady().then(start).catch(failStart)
}

function onSecondInstance(): void {
  if (mainWindow) mainWindow.show()
  else secondLaunchBeforeWindow = true
}

async function start(): Promise<void> {
  const entry = rendererEntry({
    isPackaged: app.isPackaged,
    devServerUrl: process.env.ELECTRON_RENDERER_URL,
    mainDir: __dirname
  })
  const isTrustedUrl = (url: string): boolean => isTrustedRendererUrl(url, entry)
  const resources = resourcesDir({
    isPackaged: app.isPackaged,
    resourcesPath: process.resourcesPath,
    appPath: app.getAppPath()
  })
  const disposers: Array<() => void> = []

  // 1. Security: hardening for every web contents, permissions, CSP.
  disposers.push(setupSecurity(isTrustedUrl))
  disposers.push(setupContentSecurityPolicy(session.defaultSession, entry))

  // 2. Core.
  const secrets = new KeyringSecretStore()
  const vigil = await createVigil({
    dataDir: app.getPath('userData'),
    secrets,
    notifier: createElectronNotifier({
      onActivate: (request) => mainWindow?.show(notificationRoute(request.id)),
      icon: resolve(resources, 'tray', 'alert@2x.png')
    }),
    exchanges: createCcxtFactory(),
    rulesDir: process.env.VIGIL_RULES_DIR ?? resolve(resources, 'rules'),
    logger,
    mode: 'electron'
  })

  // 3. IPC.
  disposers.push(
    setupIpc({ vigil, getWindow: () => mainWindow?.window ?? null, isTrustedUrl, logger })
  )

  // 4. Tray.
  disposers.push(
    setupTray({
      vigil,
      iconDir: resolve(resources, 'tray'),
      showWindow: () => mainWindow?.show(),
      quit: () => app.quit(),
      logger
    })
  )

  // 5. Window. Launched at login, Vigil starts quietly in the tray.
  mainWindow = createMainWindow({
    entry,
    preloadPath: resolve(__dirname, '../preload/index.js'),
    showOnReady: !launchedAtLogin() || secondLaunchBeforeWindow
  })

  await vigil.start()
  void checkKeychain(secrets)

  // Stop polling and close the database before the process ends; quitting waits for it once.
  let stopped = false
  app.on('will-quit', (event) => {
    if (stopped) return
    event.preventDefault()
    for (const dispose of disposers.reverse()) dispose()
    mainWindow?.dispose()
    mainWindow = null
    vigil
      .stop()
      .catch((error: unknown) =>
        logger.error('core did not stop cleanly', { error: String(error) })
      )
      .finally(() => {
        stopped = true
        app.quit()
      })
  })
}

function launchedAtLogin(): boolean {
  return process.argv.includes('--hidden') || app.getLoginItemSettings().wasOpenedAtLogin
}

/**
 * A locked or missing keychain reads as "no secret", which would look like every key vanished.
 * Say so plainly instead; Vigil keeps running so the user can see and fix it.
 */
async function checkKeychain(secrets: KeyringSecretStore): Promise<void> {
  try {
    await secrets.verify()
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error)
    logger.error('keychain check failed', { error: detail })
    await dialog.showMessageBox({
      type: 'warning',
      title: 'Vigil cannot use the keychain',
      message: 'Vigil cannot read API keys from the OS keychain.',
      detail
    })
  }
}

function failStart(error: unknown): void {
  const detail = error instanceof Error ? error.message : String(error)
  logger.error('start-up failed', { error: detail })
  dialog.showErrorBox('Vigil could not start', detail)
  app.exit(1)
}
