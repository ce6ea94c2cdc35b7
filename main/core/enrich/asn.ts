/**
 * IP → autonomous system lookup over the ranges in `@ip-location-db/asn` (RouteViews, NRO and
 * DB-IP ASN Lite, CC BY 4.0). The CSV holds ~412k IPv4 and ~103k IPv6 ranges; we parse each family
 * once, on first use, into sorted typed arrays and binary-search them, so a lookup costs about 20
 * comparisons and the tables cost a few MB instead of a JS object per row.
 */
import { readFileSync } from 'node:fs'
import { isIPv4, isIPv6 } from 'node:net'

/** What the ASN table knows about one address. */
export interface AsnHit {
  asn: number
  org: string
}

/** Load time and size of the parsed tables, for the "keep it reasonable" budget. */
export interface AsnTableStats {
  family: 'ipv4' | 'ipv6'
  ranges: number
  loadMs: number
  /** Bytes held by the typed arrays (org names not included). */
  bytes: number
}

interface V4Table {
  starts: Uint32Array
  ends: Uint32Array
  asns: Uint32Array
}

interface V6Table {
  // IPv6 ranges are compared on their upper 64 bits: allocations are /64 or shorter in practice,
  // and 64-bit keys fit a BigUint64Array instead of 100k heap BigInts.
  starts: BigUint64Array
  ends: BigUint64Array
  asns: Uint32Array
}

/**
 * Walks `start,end,asn,org` rows of a CSV buffer without building a string per line: the IPv4
 * file is 21 MB, and 412k line strings (or org names sliced from one big string, which keep the
 * whole file alive) would cost several times the tables themselves. Org is the last field, so a
 * quoted org with commas needs no CSV parser.
 */
function scanRows(
  buf: Buffer,
  onRow: (lineStart: number, c1: number, c2: number, c3: number, lineEnd: number) => void
): void {
  let lineStart = 0
  while (lineStart < buf.length) {
    let lineEnd = buf.indexOf(10, lineStart)
    if (lineEnd < 0) lineEnd = buf.length
    const c1 = buf.indexOf(44, lineStart)
    const c2 = c1 < 0 ? -1 : buf.indexOf(44, c1 + 1)
    const c3 = c2 < 0 ? -1 : buf.indexOf(44, c2 + 1)
    if (c1 > lineStart && c3 > c2 && c3 < lineEnd) onRow(lineStart, c1, c2, c3, lineEnd)
    lineStart = lineEnd + 1
  }
}

/** Unsigned decimal in buf[from, to) (IPv4 numbers and ASNs fit a double exactly). */
function decimal(buf: Buffer, from: number, to: number): number {
  let value = 0
  for (let i = from; i < to; i++) value = value * 10 + (buf[i]! - 48)
  return value
}

/** A fresh string for the org name (never a slice of a larger string), unquoted. */
function orgName(buf: Buffer, from: number, to: number): string {
  let org = buf.toString('utf8', from, to).trimEnd()
  if (org.startsWith('"') && org.endsWith('"')) org = org.slice(1, -1).replace(/""/g, '"')
  return org
}

function lineCount(buf: Buffer): number {
  let n = 1
  for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, i + 1)) n++
  return n
}

/** IPv4 dotted quad → unsigned 32-bit number, or null. */
export function ipv4ToNumber(ip: string): number | null {
  if (!isIPv4(ip)) return null
  const p = ip.split('.')
  return ((+p[0] << 24) >>> 0) + (+p[1] << 16) + (+p[2] << 8) + +p[3]
}

/** Upper 64 bits of an IPv6 address, or null. IPv4-mapped addresses are left to the caller. */
export function ipv6High64(ip: string): bigint | null {
  if (!isIPv6(ip)) return null
  let text = ip.split('%')[0]
  // An embedded IPv4 tail only affects the low 32 bits, which we ignore.
  if (text.includes('.')) text = text.slice(0, text.lastIndexOf(':') + 1) + '0:0'
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined]
  const h = head ? head.split(':') : []
  const t = tail ? tail.split(':') : []
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t]
  let value = 0n
  for (let i = 0; i < 4; i++) value = (value << 16n) | BigInt(parseInt(groups[i] || '0', 16))
  return value
}

/** Finds the last index with starts[i] <= key, then checks the range end. */
function search<T extends number | bigint>(
  starts: ArrayLike<T>,
  ends: ArrayLike<T>,
  key: T
): number {
  let lo = 0
  let hi = starts.length - 1
  let found = -1
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1
    if (starts[mid] <= key) {
      found = mid
      lo = mid + 1
    } else hi = mid - 1
  }
  return found >= 0 && key <= ends[found] ? found : -1
}

/**
 * A lazily loaded ASN table. Nothing is read until the first lookup of each address family, so a
 * Vigil watching only Binance (no login history) never pays for it.
 */
export class AsnTable {
  private v4: V4Table | null = null
  private v6: V6Table | null = null
  private readonly orgs = new Map<number, string>()
  private readonly loadStats: AsnTableStats[] = []

  constructor(
    private readonly ipv4Csv: string,
    private readonly ipv6Csv: string | null
  ) {}

  lookup(ip: string): AsnHit | null {
    const n4 = ipv4ToNumber(ip)
    if (n4 !== null) {
      const t = this.loadV4()
      const i = search(t.starts, t.ends, n4)
      return i < 0 ? null : this.hit(t.asns[i])
    }
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)
    if (mapped) return this.lookup(mapped[1])
    const n6 = ipv6High64(ip)
    if (n6 === null || !this.ipv6Csv) return null
    const t = this.loadV6()
    const i = search(t.starts, t.ends, n6)
    return i < 0 ? null : this.hit(t.asns[i])
  }

  stats(): AsnTableStats[] {
    return [...this.loadStats]
  }

  private hit(asn: number): AsnHit | null {
    // ASN 0 marks reserved / unrouted space in this data set.
    return asn === 0 ? null : { asn, org: this.orgs.get(asn) ?? '' }
  }

  private loadV4(): V4Table {
    if (this.v4) return this.v4
    const started = performance.now()
    const buf = readFileSync(this.ipv4Csv)
    const capacity = lineCount(buf)
    const starts = new Uint32Array(capacity)
    const ends = new Uint32Array(capacity)
    const asns = new Uint32Array(capacity)
    let n = 0
    scanRows(buf, (s, c1, c2, c3, e) => {
      starts[n] = decimal(buf, s, c1)
      ends[n] = decimal(buf, c1 + 1, c2)
      const asn = decimal(buf, c2 + 1, c3)
      asns[n] = asn
      if (!this.orgs.has(asn)) this.orgs.set(asn, orgName(buf, c3 + 1, e))
      n++
    })
    this.v4 = { starts: starts.slice(0, n), ends: ends.slice(0, n), asns: asns.slice(0, n) }
    assertSorted(this.v4.starts, 'ipv4')
    this.loadStats.push({
      family: 'ipv4',
      ranges: n,
      loadMs: Math.round(performance.now() - started),
      bytes: n * 12
    })
    return this.v4
  }

  private loadV6(): V6Table {
    if (this.v6) return this.v6
    const started = performance.now()
    const buf = readFileSync(this.ipv6Csv as string)
    const capacity = lineCount(buf)
    const starts = new BigUint64Array(capacity)
    const ends = new BigUint64Array(capacity)
    const asns = new Uint32Array(capacity)
    let n = 0
    scanRows(buf, (s, c1, c2, c3, e) => {
      starts[n] = BigInt(buf.toString('latin1', s, c1)) >> 64n
      ends[n] = BigInt(buf.toString('latin1', c1 + 1, c2)) >> 64n
      const asn = decimal(buf, c2 + 1, c3)
      asns[n] = asn
      if (!this.orgs.has(asn)) this.orgs.set(asn, orgName(buf, c3 + 1, e))
      n++
    })
    this.v6 = { starts: starts.slice(0, n), ends: ends.slice(0, n), asns: asns.slice(0, n) }
    assertSorted(this.v6.starts, 'ipv6')
    this.loadStats.push({
      family: 'ipv6',
      ranges: n,
      loadMs: Math.round(performance.now() - started),
      bytes: n * 20
    })
    return this.v6
  }
}

// Binary search silently returns wrong answers on unsorted input; a data update that reorders
// the CSV must fail loudly instead.
function assertSorted(starts: ArrayLike<number | bigint>, family: string): void {
  for (let i = 1; i < starts.length; i++) {
    if (starts[i] < starts[i - 1]) throw new Error(`ASN ${family} table is not sorted at row ${i}`)
  }
}
