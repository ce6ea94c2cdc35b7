import { accessSync, constants, statSync } from 'node:fs'
import { delimiter, isAbsolute, join } from 'node:path'

/**
 * Finds `name` on a PATH-style search list, like `command -v`, without spawning a shell: the
 * notifier choice runs at start-up and must not depend on which shell the user has.
 *
 * @returns the absolute path of the first executable match, or null.
 */
export function findExecutable(name: string, searchPath = process.env.PATH ?? ''): string | null {
  const candidates = isAbsolute(name)
    ? [name]
    : searchPath
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, name))
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK)
      if (statSync(candidate).isFile()) return candidate
    } catch {
      // Not here or not executable: keep looking, as the shell does.
    }
  }
  return null
}
