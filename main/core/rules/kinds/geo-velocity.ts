/**
 * geo_velocity: impossible travel between two logins. The offline data is country-level, so the
 * distance is between the two countries' representative points and a login inside the same
 * country is never "travel"; the minimum distance keeps neighbouring-border noise out.
 */
import { COUNTRY_POINTS_VERSION, countryDistanceKm } from '../../enrich/geo'
import { numberSetting, windowMs } from '../compile'
import type { KindEvaluator } from './types'

/** Compares a login with the account's previous login that has a country. */
export const evaluateGeoVelocity: KindEvaluator = (rule, view, env) => {
  const event = view.event
  if (!rule.test(rule.condition, view) || env.excepted(rule, view)) return null
  const spec = rule.spec
  const field = String(spec.field ?? 'derived.country')
  const to = view.get(field)
  if (typeof to !== 'string' || !to) return null
  const lookback = windowMs(spec.lookback)
  let previous = null
  for (const e of env.history.previous(event, rule.types, event.ts - lookback, 50)) {
    const v = env.view(e)
    if (!rule.test(rule.condition, v) || env.excepted(rule, v)) continue
    const from = v.get(field)
    if (typeof from === 'string' && from) {
      previous = { view: v, country: from }
      break
    }
  }
  if (!previous) return null
  const km = countryDistanceKm(previous.country, to)
  if (km === null) return null
  const minutes = (event.ts - previous.view.event.ts) / 60_000
  // Two logins in the same minute are "at least one minute apart" for the speed: avoids ∞ km/h.
  const kmh = km / (Math.max(minutes, 1) / 60)
  const maxKmh = numberSetting(spec, 'maxKmh') as number
  const minKm = numberSetting(spec, 'minKm') as number
  if (km < minKm || kmh <= maxKmh) return null
  return {
    evidence: [previous.view.event, event],
    reasoning: {
      from: previous.country,
      to,
      distanceKm: Math.round(km),
      minutes: Math.round(minutes * 10) / 10,
      speedKmh: Math.round(kmh),
      threshold: { maxKmh, minKm },
      geography: `country points ${COUNTRY_POINTS_VERSION}`
    },
    dedup: `g${previous.view.event.id}-${event.id}`
  }
}
