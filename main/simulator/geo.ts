/**
 * The simulator's GeoIP: what a real exchange would estimate for a login IP. Uses the offline
 * country database shipped on npm (@ip-location-db, CC BY 4.0), loaded once and synchronously so
 * world building stays a pure, synchronous function.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'

import { Reader, type Response } from 'maxmind'

let reader: Reader<Response> | null | undefined

function countryReader(): Reader<Response> | null {
  if (reader !== undefined) return reader
  try {
    const require = createRequire(import.meta.url)
    const file =
      require.resolve('@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb')
    reader = new Reader<Response>(readFileSync(file))
  } catch {
    // Without the database every IP is "unknown": scenarios can still name countries themselves.
    reader = null
  }
  return reader
}

/** ISO 3166 alpha-2 country of an IP, or null when unknown (private ranges, no database). */
export function countryOf(ip: string): string | null {
  try {
    // This database's records are `{ country_code }`, not MaxMind's own country shape.
    const record = countryReader()?.get(ip) as { country_code?: unknown } | null | undefined
    return typeof record?.country_code === 'string' ? record.country_code : null
  } catch {
    return null
  }
}

const names = new Intl.DisplayNames(['en'], { type: 'region' })

/** English country name for an ISO code ("DE" → "Germany"), as exchanges show it to users. */
export function countryName(code: string | null): string {
  if (!code) return 'Unknown'
  try {
    return names.of(code) ?? code
  } catch {
    return code
  }
}

// Exchanges estimate a city too. Without a city database we use the largest city of the country:
// plausible, stable, and never contradicting the country.
const CITIES: Readonly<Record<string, string>> = {
  AT: 'Vienna',
  AU: 'Sydney',
  BR: 'São Paulo',
  CA: 'Toronto',
  CH: 'Zurich',
  CN: 'Shanghai',
  CZ: 'Prague',
  DE: 'Berlin',
  ES: 'Madrid',
  FR: 'Paris',
  GB: 'London',
  HK: 'Hong Kong',
  IN: 'Mumbai',
  IT: 'Rome',
  JP: 'Tokyo',
  KR: 'Seoul',
  NG: 'Lagos',
  NL: 'Amsterdam',
  PL: 'Warsaw',
  RO: 'Bucharest',
  RU: 'Moscow',
  SE: 'Stockholm',
  SG: 'Singapore',
  TR: 'Istanbul',
  UA: 'Kyiv',
  US: 'New York',
  VN: 'Ho Chi Minh City'
}

/** A plausible city for a country code, or "" when we have none. */
export function cityOf(country: string | null): string {
  return (country && CITIES[country]) || ''
}
