import { useEffect, useState } from 'react'

export const PAGES = ['dashboard', 'alerts', 'history', 'accounts', 'rules', 'settings'] as const
export type Page = (typeof PAGES)[number]

export interface Route {
  page: Page
  /** e.g. the incident id on the alerts page. */
  param?: string
}

/**
 * Hash routes (#/alerts/<id>) work the same from file:// in Electron and over HTTP, need no
 * server support, and keep real links for keyboard users.
 */
export function parseRoute(hash: string): Route {
  const [page, ...rest] = hash.replace(/^#\/?/, '').split('/')
  const found = PAGES.find((p) => p === page)
  if (!found) return { page: 'dashboard' }
  const param = rest.length ? decodeURIComponent(rest.join('/')) : undefined
  return param ? { page: found, param } : { page: found }
}

export function href(page: Page, param?: string): string {
  return param ? `#/${page}/${encodeURIComponent(param)}` : `#/${page}`
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash))
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash))
    window.addEventListener('hashchange', onChange)
    return () => window.removeEventListener('hashchange', onChange)
  }, [])
  return route
}
