/**
 * Where the shipped data files (rules, tray icons) live. Resolved from Electron's own notion of
 * the app folder rather than `__dirname`: the bundler moves code between files and chunks, the
 * app folder does not move.
 */
import { resolve } from 'node:path'

export interface AppLocation {
  isPackaged: boolean
  /** `process.resourcesPath`: beside app.asar in a packaged app. */
  resourcesPath: string
  /** `app.getAppPath()`: the folder holding package.json when run with `electron .`. */
  appPath: string
}

/**
 * The folder holding `rules/` and `tray/`: `resources/` in the repository during development,
 * and the packaged app's resources folder, where electron-builder's `extraResources` copies
 * `resources/rules` to `rules` and `resources/tray` to `tray`.
 */
export function resourcesDir({ isPackaged, resourcesPath, appPath }: AppLocation): string {
  return isPackaged ? resolve(resourcesPath) : resolve(appPath, 'resources')
}
