/**
 * User agent → device family ("Firefox on Linux"). Versions are dropped on purpose: a browser
 * update must not look like a new device to login.new_device.
 */
import UAParser from 'ua-parser-js'

// Tokens that every browser sends for compatibility; they say nothing about the client.
const GENERIC_TOKENS = new Set([
  'mozilla',
  'applewebkit',
  'khtml',
  'gecko',
  'version',
  'mobile',
  'like'
])

/** The last meaningful `Product/version` token, for clients ua-parser does not know (bots, SDKs). */
function productToken(ua: string): string | null {
  const tokens = [...ua.matchAll(/([A-Za-z][\w.-]*)\/[\w.]+/g)].map((m) => m[1] as string)
  const useful = tokens.filter((t) => !GENERIC_TOKENS.has(t.toLowerCase()))
  return useful.length ? (useful[useful.length - 1] as string) : null
}

/**
 * Device family of a user agent: browser (or client library) family plus OS family, or null for
 * an empty user agent.
 */
export function deviceFamily(ua: string | null | undefined): string | null {
  const text = ua?.trim()
  if (!text) return null
  const result = new UAParser(text).getResult()
  const client = result.browser.name ?? productToken(text) ?? 'Unknown client'
  const os = result.os.name ?? 'unknown OS'
  return `${client} on ${os}`
}
