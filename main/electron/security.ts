/**
 * App-wide hardening applied to every web contents Electron creates, whatever created it: the
 * renderer may never leave the app's own page, open windows, embed webviews or be granted a
 * browser permission. Each measure cites the Electron security checklist item it implements.
 */
import {
  app,
  session,
  shell,
  type HandlerDetails,
  type WebContents,
  type WindowOpenHandlerResponse
} from 'electron'

/** Decides whether a URL is the app's own page (see `renderer-url.ts`). */
export type TrustedUrl = (url: string) => boolean

/**
 * Cancels any navigation away from the app's own page. A compromised or confused renderer that
 * navigated elsewhere would carry `window.vigil` (the preload runs on every page of the window)
 * to foreign content.
 *
 * @see https://www.electronjs.org/docs/latest/tutorial/security#13-disable-or-limit-navigation
 */
export function blockForeignNavigation(
  isTrusted: TrustedUrl
): (event: { url: string; preventDefault(): void }) => void {
  return (event) => {
    if (!isTrusted(event.url)) event.preventDefault()
  }
}

/**
 * Never lets the renderer create a window. Plain https links (an exchange's API-management page
 * in a kill-switch report) go to the user's browser instead, outside the app's privileges; every
 * other scheme (file:, custom protocols, javascript:) is dropped, because `openExternal` on an
 * untrusted URL can launch local programs.
 *
 * @see https://www.electronjs.org/docs/latest/tutorial/security#14-disable-or-limit-creation-of-new-windows
 * @see https://www.electronjs.org/docs/latest/tutorial/security#15-do-not-use-shellopenexternal-with-untrusted-content
 */
export function denyWindowOpen(details: Pick<HandlerDetails, 'url'>): WindowOpenHandlerResponse {
  if (isExternalHttpsUrl(details.url)) void shell.openExternal(details.url)
  return { action: 'deny' }
}

/** True for a well-formed https URL with a host and no embedded credentials. */
export function isExternalHttpsUrl(value: string): boolean {
  try {
    const url = new URL(value)
    return url.protocol === 'https:' && url.hostname !== '' && !url.username && !url.password
  } catch {
    return false
  }
}

/**
 * Hardens one web contents: navigation limited to the app's page, no new windows, no webviews.
 *
 * @see https://www.electronjs.org/docs/latest/tutorial/security#12-verify-webview-options-before-creation
 * @see https://www.electronjs.org/docs/latest/tutorial/security#13-disable-or-limit-navigation
 * @see https://www.electronjs.org/docs/latest/tutorial/security#14-disable-or-limit-creation-of-new-windows
 */
export function hardenWebContents(contents: WebContents, isTrusted: TrustedUrl): void {
  const guard = blockForeignNavigation(isTrusted)
  contents.on('will-navigate', guard)
  // Server-side redirects do not pass through 'will-navigate'.
  contents.on('will-redirect', guard)
  contents.setWindowOpenHandler(denyWindowOpen)
  // The window disables the webview tag; this also covers any contents created some other way.
  contents.on('will-attach-webview', (event) => event.preventDefault())
}

/**
 * Denies every permission request and check (camera, microphone, geolocation, notifications,
 * clipboard …). Vigil's UI needs none of them: native notifications are shown by main, not by
 * the page.
 *
 * @see https://www.electronjs.org/docs/latest/tutorial/security#5-handle-session-permission-requests-from-remote-content
 */
export function denyAllPermissions(target: Electron.Session): () => void {
  target.setPermissionRequestHandler((_contents, _permission, callback) => callback(false))
  target.setPermissionCheckHandler(() => false)
  return () => {
    target.setPermissionRequestHandler(null)
    target.setPermissionCheckHandler(null)
  }
}

/**
 * Installs the hardening for every web contents created from now on, and the permission policy
 * on the default session. Call after `app.whenReady()` and before the first window.
 *
 * @see https://www.electronjs.org/docs/latest/tutorial/security#13-disable-or-limit-navigation
 */
export function setupSecurity(isTrusted: TrustedUrl): () => void {
  const onCreated = (_event: Electron.Event, contents: WebContents): void =>
    hardenWebContents(contents, isTrusted)
  app.on('web-contents-created', onCreated)
  const restorePermissions = denyAllPermissions(session.defaultSession)
  return () => {
    app.removeListener('web-contents-created', onCreated)
    restorePermissions()
  }
}
