/**
 * The one app window: locked-down options, a strict Content-Security-Policy, and close-to-tray
 * (closing hides it; Vigil keeps watching from the tray until the user quits).
 */
import { BrowserWindow, app, type BrowserWindowConstructorOptions, type Session } from 'electron'

import { isTrustedRendererUrl, rendererUrl, type RendererEntry } from './renderer-url'

/**
 * Options for the main window. Pure, so the security flags are unit-tested; every flag is set
 * explicitly even where it matches Electron's default, so a changed default cannot loosen it.
 *
 * @see https://www.electronjs.org/docs/latest/tutorial/security#2-do-not-enable-nodejs-integration-for-remote-content
 * @see https://www.electronjs.org/docs/latest/tutorial/security#3-enable-context-isolation
 * @see https://www.electronjs.org/docs/latest/tutorial/security#4-enable-process-sandboxing
 * @see https://www.electronjs.org/docs/latest/tutorial/security#6-do-not-disable-websecurity
 * @see https://www.electronjs.org/docs/latest/tutorial/security#8-do-not-enable-allowrunninginsecurecontent
 * @see https://www.electronjs.org/docs/latest/tutorial/security#9-do-not-enable-experimental-features
 * @see https://www.electronjs.org/docs/latest/tutorial/security#12-verify-webview-options-before-creation
 */
export function getMainWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    title: 'Vigil',
    width: 1200,
    height: 800,
    minWidth: 800,
    minHeight: 560,
    // Shown on 'ready-to-show', so the user never sees a blank white frame.
    show: false,
    autoHideMenuBar: true,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false
    }
  }
}

/**
 * The policy for the app's own pages. The renderer is a local bundle that talks to main only
 * through `window.vigil`, so it needs nothing remote: no network origin, no plugins, no framing.
 * The dev server additionally needs Vite's inline React-refresh preamble, its injected styles and
 * its HMR websocket. It matches the meta tag in `renderer/index.html`; where both apply, the
 * browser enforces each, so the stricter wins.
 *
 * @see https://www.electronjs.org/docs/latest/tutorial/security#7-define-a-content-security-policy
 */
export function buildContentSecurityPolicy(entry: RendererEntry): string {
  const dev = entry.kind === 'url'
  const hmr = dev ? ` ws://${new URL(entry.origin).host}` : ''
  const inline = dev ? " 'unsafe-inline'" : ''
  return [
    "default-src 'none'",
    `script-src 'self'${inline}`,
    // React sets styles through the CSSOM, which style-src does not restrict; in development
    // Vite injects CSS as <style> elements.
    `style-src 'self'${inline}`,
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${hmr}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "frame-src 'none'",
    "worker-src 'none'"
  ].join('; ')
}

/**
 * Adds the CSP header to responses for the app's pages. `renderer/index.html` also carries a
 * meta policy: Electron has not always run `webRequest` hooks for `file://` responses, and a
 * meta tag cannot be skipped. The header adds what a meta tag cannot express (frame-ancestors).
 *
 * @see https://www.electronjs.org/docs/latest/tutorial/security#7-define-a-content-security-policy
 */
export function setupContentSecurityPolicy(session: Session, entry: RendererEntry): () => void {
  const policy = buildContentSecurityPolicy(entry)
  session.webRequest.onHeadersReceived((details, callback) => {
    if (!isTrustedRendererUrl(details.url, entry)) {
      callback({})
      return
    }
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [policy] }
    })
  })
  return () => session.webRequest.onHeadersReceived(null)
}

/** The app window with the few operations the rest of the shell needs. */
export interface MainWindow {
  readonly window: BrowserWindow
  /** Shows, restores and focuses the window; with a route (`/alerts/<id>`), opens that page. */
  show(route?: string): void
  /** Closes the window for real (quit), instead of hiding it to the tray. */
  dispose(): void
}

export interface MainWindowOptions {
  entry: RendererEntry
  preloadPath: string
  /** False when launched at login: start quietly in the tray. */
  showOnReady: boolean
}

/** Creates the main window and wires close-to-tray. */
export function createMainWindow({
  entry,
  preloadPath,
  showOnReady
}: MainWindowOptions): MainWindow {
  const window = new BrowserWindow(getMainWindowOptions(preloadPath))
  let quitting = false

  const onBeforeQuit = (): void => {
    quitting = true
  }
  // Closing the window must not stop the guardian: it keeps polling and alerting from the tray.
  const onClose = (event: Electron.Event): void => {
    if (quitting) return
    event.preventDefault()
    window.hide()
  }
  // macOS: clicking the dock icon brings the window back.
  const onActivate = (): void => show()

  app.on('before-quit', onBeforeQuit)
  app.on('activate', onActivate)
  window.on('close', onClose)
  // Windows emits no 'before-quit' on log-off or shutdown; hiding then would block the session end.
  window.on('session-end', onBeforeQuit)
  if (showOnReady) window.once('ready-to-show', () => window.show())

  void window.loadURL(rendererUrl(entry))

  function show(route?: string): void {
    if (window.isDestroyed()) return
    if (route) void window.loadURL(rendererUrl(entry, route))
    if (window.isMinimized()) window.restore()
    window.show()
    window.focus()
  }

  return {
    window,
    show,
    dispose() {
      app.removeListener('before-quit', onBeforeQuit)
      app.removeListener('activate', onActivate)
      quitting = true
      if (!window.isDestroyed()) window.destroy()
    }
  }
}
