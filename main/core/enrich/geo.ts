/**
 * Country-level geography for impossible-travel checks. The offline GeoIP data gives a country
 * code only, so every distance is between two countries' representative points (shipped in
 * resources/data/country-centroids.json). Two logins in the same country are 0 km apart.
 */
import centroids from '../../../resources/data/country-centroids.json'

const EARTH_RADIUS_KM = 6371.0088

const points: Record<string, readonly number[] | undefined> = centroids.points

/** Version of the shipped country-point data, reported with impossible-travel findings. */
export const COUNTRY_POINTS_VERSION: string = centroids.version

/** Representative [lat, lon] of an ISO 3166-1 alpha-2 country, or null when unknown. */
export function countryPoint(code: string | null | undefined): [number, number] | null {
  if (!code) return null
  const p = points[code.toUpperCase()]
  return p && p.length === 2 ? [p[0] as number, p[1] as number] : null
}

/** Great-circle distance in km between two [lat, lon] points (haversine). */
export function haversineKm(a: readonly [number, number], b: readonly [number, number]): number {
  const rad = Math.PI / 180
  const dLat = (b[0] - a[0]) * rad
  const dLon = (b[1] - a[1]) * rad
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(a[0] * rad) * Math.cos(b[0] * rad) * Math.sin(dLon / 2) ** 2
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)))
}

/** Distance between two countries in km (0 for the same country), or null if either is unknown. */
export function countryDistanceKm(
  from: string | null | undefined,
  to: string | null | undefined
): number | null {
  if (from && to && from.toUpperCase() === to.toUpperCase()) return 0
  const a = countryPoint(from)
  const b = countryPoint(to)
  return a && b ? haversineKm(a, b) : null
}

let nameToCode: Map<string, string> | null = null

/**
 * Normalises what an exchange calls a country to an ISO alpha-2 code: Deribit and BitMEX report
 * names ("Germany") or codes depending on the endpoint, and a rule comparing "DE" with
 * "Germany" would see two countries. Returns null for values that are not a known country
 * (Deribit's testnet says "Local Country").
 */
export function normalizeCountry(value: string | null | undefined): string | null {
  if (!value) return null
  const text = value.trim()
  if (/^[A-Za-z]{2}$/.test(text)) {
    const code = text.toUpperCase()
    return countryPoint(code) ? code : null
  }
  if (!nameToCode) {
    nameToCode = new Map()
    const names = new Intl.DisplayNames('en', { type: 'region' })
    for (const code of Object.keys(points)) {
      const name = names.of(code)
      if (name && name !== code) nameToCode.set(name.toLowerCase(), code)
    }
  }
  return nameToCode.get(text.toLowerCase()) ?? null
}
