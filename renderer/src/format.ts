import type { EventView } from '../../main/api/types'

export function formatTime(ms: number, language: string): string {
  return new Intl.DateTimeFormat(language, {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false
  }).format(ms)
}

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1000]
]

export function formatRelative(ms: number, now: number, language: string): string {
  const diff = ms - now
  const rtf = new Intl.RelativeTimeFormat(language, { numeric: 'auto' })
  for (const [unit, size] of UNITS) {
    if (Math.abs(diff) >= size || unit === 'second')
      return rtf.format(Math.round(diff / size), unit)
  }
  return rtf.format(0, 'second')
}

/** mm:ss for a countdown; never negative. */
export function formatCountdown(msLeft: number): string {
  const total = Math.max(0, Math.ceil(msLeft / 1000))
  const m = Math.floor(total / 60)
  const s = total % 60
  return `${m}:${String(s).padStart(2, '0')}`
}

export function formatNumber(value: number, language: string): string {
  return new Intl.NumberFormat(language, { maximumFractionDigits: 8 }).format(value)
}

/** The facts of an event worth showing in one line, picked from whatever its data holds. */
export interface EventFacts {
  ip?: string
  place?: string
  network?: string
  device?: string
  symbol?: string
  side?: string
  amount?: string
  price?: string
  address?: string
  keyId?: string
  permissions?: string
}

const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined

export function eventFacts(event: Pick<EventView, 'data'>, language: string): EventFacts {
  const d = event.data
  const num = (v: unknown): string | undefined =>
    typeof v === 'number' ? formatNumber(v, language) : str(v)
  const place = [str(d.city), str(d.country)].filter(Boolean).join(', ') || undefined
  const asn = [d.asn ? `AS${str(d.asn)}` : undefined, str(d.asnOrg)].filter(Boolean).join(' ')
  // Balances report a total rather than an amount.
  const amount = num(d.amount) ?? num(d.total)
  const currency = str(d.currency)
  return {
    ip: str(d.ip),
    place,
    network: [str(d.network), asn].filter(Boolean).join(' · ') || undefined,
    device: str(d.device) ?? str(d.userAgent),
    symbol: str(d.symbol),
    side: str(d.side),
    amount: amount ? [amount, currency].filter(Boolean).join(' ') : undefined,
    price: num(d.price),
    address: str(d.address) ?? (typeof d.to === 'string' ? d.to : undefined),
    keyId: str(d.keyId),
    permissions: Array.isArray(d.permissions) ? d.permissions.join(', ') : undefined
  }
}
