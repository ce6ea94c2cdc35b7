import { useTranslation } from 'react-i18next'

import type { EventView } from '../../../main/api/types'

export interface LoginPlace {
  /** ISO code where the exchange gave one, otherwise the name it gave. */
  country: string
  cities: string[]
  ips: string[]
  successes: number
  failures: number
  /** Other evidence at that place (security changes made from there). */
  other: number
}

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null)

let englishNames: Map<string, string> | null = null

/**
 * Exchanges give a country as a code ("DE") in one record and a name ("Germany") in another;
 * both become the code so one place is listed once.
 */
export function countryCode(country: string): string {
  if (/^[A-Za-z]{2}$/.test(country)) return country.toUpperCase()
  if (!englishNames) {
    englishNames = new Map()
    try {
      const names = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' })
      for (let a = 65; a <= 90; a++) {
        for (let b = 65; b <= 90; b++) {
          const code = String.fromCharCode(a, b)
          const name = names.of(code)
          if (name) englishNames.set(name.toLowerCase(), code)
        }
      }
    } catch {
      // No region names in this runtime: keep what the exchange wrote.
    }
  }
  return englishNames.get(country.toLowerCase()) ?? country
}

/** Where the evidence's logins and security changes came from, one entry per country. */
export function loginPlaces(events: EventView[]): LoginPlace[] {
  const byCountry = new Map<string, LoginPlace>()
  const seen = new Set<number>()
  for (const e of events) {
    if (seen.has(e.id)) continue
    seen.add(e.id)
    const raw = text(e.data.country)
    if (!raw || (e.kind !== 'login' && e.kind !== 'security')) continue
    const country = countryCode(raw)
    let place = byCountry.get(country)
    if (!place) {
      place = { country, cities: [], ips: [], successes: 0, failures: 0, other: 0 }
      byCountry.set(country, place)
    }
    const city = text(e.data.city)
    const ip = text(e.data.ip)
    if (city && !place.cities.includes(city)) place.cities.push(city)
    if (ip && !place.ips.includes(ip)) place.ips.push(ip)
    if (e.kind === 'login') {
      if (e.type === 'login.failure' || e.data.success === false) place.failures++
      else place.successes++
    } else place.other++
  }
  return [...byCountry.values()]
}

export function countryName(country: string, language: string): string {
  if (!/^[A-Za-z]{2}$/.test(country)) return country
  try {
    return (
      new Intl.DisplayNames([language], { type: 'region' }).of(country.toUpperCase()) ?? country
    )
  } catch {
    return country
  }
}

/** The countries an incident's logins came from, as a list a trader reads at a glance. */
export function LoginLocations({ events }: { events: EventView[] }) {
  const { t, i18n } = useTranslation()
  const places = loginPlaces(events)
  if (!places.length) return null
  return (
    <section className="login-locations" data-testid="login-locations">
      <h3 className="subhead">{t('locations.title', { n: places.length })}</h3>
      <ul className="place-list">
        {places.map((p) => (
          <li key={p.country} data-testid="login-location">
            {/* The code rather than a flag: flag emoji need a font many desktops do not have. */}
            <span className="country-code mono" aria-hidden="true">
              {/^[A-Z]{2}$/.test(p.country) ? p.country : '··'}
            </span>
            <div>
              <strong>{countryName(p.country, i18n.language)}</strong>{' '}
              {p.cities.length ? <span className="muted">· {p.cities.join(', ')}</span> : null}
              <div className="small">
                {p.successes ? (
                  <span className="text-danger">
                    {t('locations.successes', { n: p.successes })}
                  </span>
                ) : null}
                {p.successes && (p.failures || p.other) ? ' · ' : ''}
                {p.failures ? <span>{t('locations.failures', { n: p.failures })}</span> : null}
                {p.failures && p.other ? ' · ' : ''}
                {p.other ? <span>{t('locations.other', { n: p.other })}</span> : null}
              </div>
              {p.ips.length ? <div className="mono small muted">{p.ips.join(', ')}</div> : null}
            </div>
          </li>
        ))}
      </ul>
    </section>
  )
}
