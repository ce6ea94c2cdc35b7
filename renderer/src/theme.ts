import type { Settings } from '../../main/api/types'

/**
 * 'system' leaves the choice to prefers-color-scheme (the CSS uses light-dark()); an explicit
 * choice pins color-scheme through the data attribute.
 */
export function applyTheme(theme: Settings['theme'], root: HTMLElement = document.documentElement) {
  if (theme === 'system') delete root.dataset.theme
  else root.dataset.theme = theme
}
