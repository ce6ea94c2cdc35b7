/**
 * Where the renderer comes from, and which URLs count as "ours". Pure functions with no Electron
 * import, so the trust decisions behind IPC sender checks and navigation blocking are tested
 * directly against hostile inputs.
 */
import { resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

/**
 * The page the main window loads: the built `index.html` on disk, or the electron-vite dev server
 * during `npm run dev`.
 */
export type RendererEntry = { kind: 'file'; file: string } | { kind: 'url'; origin: string }

export interface RendererEntryOptions {
  isPackaged: boolean
  /** `process.env.ELECTRON_RENDERER_URL`, set by `electron-vite dev`. */
  devServerUrl: string | undefined
  /** The folder of the built main bundle (`out/main`). */
  mainDir: string
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

/**
 * Picks the renderer entry. A dev server is honoured only in an unpackaged app and only on
 * loopback over plain http: an environment variable must never be able to point the privileged
 * window (the one with `window.vigil`) at a remote page.
 */
export function rendererEntry({
  isPackaged,
  devServerUrl,
  mainDir
}: RendererEntryOptions): RendererEntry {
  if (!isPackaged && devServerUrl) {
    const url = safeUrl(devServerUrl)
    if (url && url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) {
      return { kind: 'url', origin: url.origin }
    }
  }
  return { kind: 'file', file: resolve(mainDir, '../renderer/index.html') }
}

/**
 * The URL to load for an in-app route. Routes travel in the fragment (`#/alerts/<id>`), which
 * changes the page without reloading it and never leaves the machine.
 */
export function rendererUrl(entry: RendererEntry, route?: string): string {
  const base = entry.kind === 'file' ? pathToFileURL(entry.file).href : `${entry.origin}/`
  return route ? `${base}#${route.startsWith('/') ? route : `/${route}`}` : base
}

/**
 * Whether `url` is the app's own page. For a file entry only that exact `index.html` counts (any
 * other file on disk is foreign: `file://` alone would trust the whole file system); for the dev
 * server only its exact origin. Query and fragment are ignored: they carry routes, not trust.
 *
 * @see https://www.electronjs.org/docs/latest/tutorial/security#13-disable-or-limit-navigation
 * @see https://www.electronjs.org/docs/latest/tutorial/security#17-validate-the-sender-of-all-ipc-messages
 */
export function isTrustedRendererUrl(url: string, entry: RendererEntry): boolean {
  const parsed = safeUrl(url)
  if (!parsed) return false
  if (entry.kind === 'url') return parsed.origin === entry.origin
  // A host in a file URL means a network share (file://server/share/…), never our bundle.
  if (parsed.protocol !== 'file:' || parsed.host !== '') return false
  try {
    return resolve(fileURLToPath(parsed)) === resolve(entry.file)
  } catch {
    return false
  }
}

function safeUrl(value: string): URL | null {
  try {
    return new URL(value)
  } catch {
    return null
  }
}
