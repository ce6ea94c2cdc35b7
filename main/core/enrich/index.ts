/**
 * Offline enrichment of login events: country (GeoIP), autonomous system, network class
 * (hosting / tor / vpn / residential / unknown) and device family. Everything is read from files
 * shipped with the app; nothing here touches the network, so a login can be judged even while the
 * trader's connection is down and no third party learns which IPs log into their accounts.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

import { LRUCache } from 'lru-cache'
import { Reader, type CountryResponse } from 'maxmind'

import asnClasses from '../../../resources/data/asn-classes.json'
import type { LoginData } from '../model'
import { AsnTable, type AsnTableStats } from './asn'
import { normalizeCountry } from './geo'
import { deviceFamily } from './user-agent'

export { countryDistanceKm, countryPoint, haversineKm, normalizeCountry } from './geo'
export { deviceFamily } from './user-agent'

/** How a network is used, as far as the shipped ASN classification can tell. */
export type NetworkClass = 'hosting' | 'tor' | 'vpn' | 'residential' | 'unknown'

/** What Vigil knows offline about one IP address. */
export interface IpInfo {
  /** ISO 3166-1 alpha-2, or null when the GeoIP data has no entry. */
  country: string | null
  asn: number | null
  asnOrg: string | null
  network: NetworkClass
}

/** Versions of the data every answer depends on, for reports and for pinning tests. */
export interface EnrichmentDataInfo {
  asnClassesVersion: string
  packages: Record<string, string>
  asnTables: AsnTableStats[]
}

/** Offline lookups for logins; see createEnricher(). */
export interface Enricher {
  /** Country, ASN and network class of an IP. Unknown or invalid IPs give nulls and 'unknown'. */
  lookupIp(ip: string): IpInfo
  /** Device family ("Chrome on Windows") of a user agent, or null. */
  parseUserAgent(ua: string | null | undefined): string | null
  /**
   * Fills what the exchange did not tell us: country (only when missing or unrecognisable),
   * asn, asnOrg, network and device. Never overwrites what the exchange reported, and returns a
   * new object.
   */
  enrichLogin(data: LoginData): LoginData
  /** Data versions and table load statistics. */
  dataInfo(): EnrichmentDataInfo
}

/** Data files, for tests and packaging; the defaults come from the pinned npm packages. */
export interface EnricherOptions {
  /** MaxMind-format country database; default: @ip-location-db/geo-whois-asn-country-mmdb. */
  countryMmdb?: string
  /** `start,end,asn,org` numeric IPv4 CSV; default: @ip-location-db/asn/asn-ipv4-num.csv. */
  asnIpv4Csv?: string
  /** Same for IPv6; default: @ip-location-db/asn/asn-ipv6-num.csv. */
  asnIpv6Csv?: string
  /** Entries kept in the per-IP answer cache. */
  cacheSize?: number
}

interface AsnClassFile {
  version: string
  data: Record<string, string>
  orgPatterns: Partial<Record<NetworkClass, string[]>>
  asns: Record<string, { class: NetworkClass; org: string }>
}

const classes = asnClasses as AsnClassFile

function packageDir(name: string): string {
  const require = createRequire(import.meta.url)
  return dirname(require.resolve(`${name}/package.json`))
}

function packageVersion(name: string): string {
  try {
    const dir = packageDir(name)
    return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string })
      .version
  } catch {
    return 'missing'
  }
}

const orgPatterns: [NetworkClass, RegExp][] = Object.entries(classes.orgPatterns).flatMap(
  ([cls, patterns]) =>
    (patterns ?? []).map((p) => [cls as NetworkClass, new RegExp(p, 'i')] as [NetworkClass, RegExp])
)

/** Network class of an AS: the explicit list first, then organisation-name patterns. */
export function classifyAsn(asn: number | null, org: string | null): NetworkClass {
  if (asn === null) return 'unknown'
  const listed = classes.asns[String(asn)]
  if (listed) return listed.class
  if (org) for (const [cls, re] of orgPatterns) if (re.test(org)) return cls
  return 'unknown'
}

/** Version of the shipped ASN classification (resources/data/asn-classes.json). */
export const ASN_CLASSES_VERSION: string = classes.version

/**
 * Creates the offline enricher. Data files are opened on first use, not here, so constructing it
 * at start-up is free; the first lookup pays ~30 ms for the country database and a few hundred
 * ms for the IPv4 ASN table.
 */
export function createEnricher(options: EnricherOptions = {}): Enricher {
  const countryMmdb =
    options.countryMmdb ??
    join(packageDir('@ip-location-db/geo-whois-asn-country-mmdb'), 'geo-whois-asn-country.mmdb')
  const asnDir = options.asnIpv4Csv && options.asnIpv6Csv ? '' : packageDir('@ip-location-db/asn')
  const asn = new AsnTable(
    options.asnIpv4Csv ?? join(asnDir, 'asn-ipv4-num.csv'),
    options.asnIpv6Csv ?? join(asnDir, 'asn-ipv6-num.csv')
  )
  let reader: Reader<CountryResponse> | null = null
  // Logins come from a handful of IPs per account; the bound only matters for hostile input.
  const cache = new LRUCache<string, IpInfo>({ max: options.cacheSize ?? 10_000 })

  const countryOf = (ip: string): string | null => {
    reader ??= new Reader<CountryResponse>(readFileSync(countryMmdb))
    try {
      // This database stores a bare `country_code`, not MaxMind's nested `country.iso_code`.
      const record = reader.get(ip) as (CountryResponse & { country_code?: string }) | null
      return record?.country_code ?? record?.country?.iso_code ?? null
    } catch {
      return null
    }
  }

  const lookupIp = (ip: string): IpInfo => {
    const key = ip.trim()
    const cached = cache.get(key)
    if (cached) return cached
    let info: IpInfo = { country: null, asn: null, asnOrg: null, network: 'unknown' }
    if (key) {
      const hit = asn.lookup(key)
      info = {
        country: countryOf(key),
        asn: hit?.asn ?? null,
        asnOrg: hit?.org ?? null,
        network: classifyAsn(hit?.asn ?? null, hit?.org ?? null)
      }
    }
    cache.set(key, info)
    return info
  }

  return {
    lookupIp,
    parseUserAgent: deviceFamily,
    enrichLogin(data) {
      const ip = data.ip ? lookupIp(data.ip) : null
      const country = normalizeCountry(data.country) ?? ip?.country ?? data.country ?? null
      return {
        ...data,
        country,
        asn: data.asn ?? ip?.asn ?? null,
        asnOrg: data.asnOrg ?? ip?.asnOrg ?? null,
        network:
          data.network ??
          (data.asn != null ? classifyAsn(data.asn, data.asnOrg ?? null) : (ip?.network ?? null)),
        device: data.device ?? deviceFamily(data.userAgent)
      }
    },
    dataInfo: () => ({
      asnClassesVersion: classes.version,
      packages: {
        '@ip-location-db/asn': packageVersion('@ip-location-db/asn'),
        '@ip-location-db/geo-whois-asn-country-mmdb': packageVersion(
          '@ip-location-db/geo-whois-asn-country-mmdb'
        ),
        maxmind: packageVersion('maxmind'),
        'ua-parser-js': packageVersion('ua-parser-js')
      },
      asnTables: asn.stats()
    })
  }
}
