/**
 * The matching layer shared by every rule kind: field modifiers (`data.amount|gt: 5`), blocks (a
 * map is AND, a list of maps is OR, as in Sigma) and condition expressions
 * (`selection and not 1 of filter_*`). Everything is compiled once per rule and parameter set into
 * closures, so evaluating an event does no parsing.
 */
import { isIPv4 } from 'node:net'

import type { Block, Modifier } from './schema'
import { matchBlockNames } from './schema'

/** Reads a field of the event being matched (data.*, derived.*, type …). */
export type FieldReader = (path: string) => unknown

/** A compiled block or expression: true when the event matches. */
export type Matcher = (read: FieldReader, blocks: BlockResults) => boolean

/**
 * Per-event memo of block results, so `selection` used by several expressions runs once. One
 * object per event serves every rule: `use()` points it at a rule's blocks and at that rule's two
 * words of the event's memo (bit i of the first: block i has run; of the second: its result).
 * Blocks past the 30th are simply not memoised.
 */
export class BlockResults {
  private blocks: readonly ((read: FieldReader) => boolean)[] = []
  private base = 0

  constructor(
    private readonly read: FieldReader,
    private readonly memo: number[] = []
  ) {}

  /** Points the memo at one rule's blocks and its slot; returns itself. */
  use(blocks: readonly ((read: FieldReader) => boolean)[], slot: number): this {
    this.blocks = blocks
    this.base = slot * 2
    return this
  }

  /** The result of block number `index` (its position in the rule's block names). */
  at(index: number): boolean {
    if (index < 30) {
      const bit = 1 << index
      const known = this.memo[this.base] ?? 0
      if (known & bit) return ((this.memo[this.base + 1] ?? 0) & bit) !== 0
      const result = this.run(index)
      this.memo[this.base] = known | bit
      if (result) this.memo[this.base + 1] = (this.memo[this.base + 1] ?? 0) | bit
      return result
    }
    return this.run(index)
  }

  private run(index: number): boolean {
    const block = this.blocks[index]
    return block ? block(this.read) : false
  }
}

const asNumber = (v: unknown): number | null => {
  if (typeof v === 'number' && Number.isFinite(v)) return v
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v)
  return null
}

const isEmpty = (v: unknown): boolean =>
  v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0)

function ipv4InCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/')
  const bits = Number(bitsText ?? 32)
  if (!base || !isIPv4(ip) || !isIPv4(base) || !(bits >= 0 && bits <= 32)) return false
  if (bits === 0) return true
  const toNum = (s: string) => s.split('.').reduce((acc, p) => acc * 256 + Number(p), 0)
  // Integer division instead of bit masks: JS bitwise operators are signed 32-bit.
  const size = 2 ** (32 - bits)
  return Math.floor(toNum(ip) / size) === Math.floor(toNum(base) / size)
}

/** Compares one actual scalar with one expected scalar under a modifier. */
function scalarMatch(actual: unknown, expected: unknown, mod: Modifier | null): boolean {
  switch (mod) {
    case null:
      if (expected === null) return actual === null || actual === undefined
      if (typeof expected === 'number') return asNumber(actual) === expected
      if (typeof expected === 'boolean') return actual === expected
      return typeof actual === 'string' ? actual === expected : String(actual) === expected
    case 'contains':
      return typeof actual === 'string' && actual.includes(String(expected))
    case 'startswith':
      return typeof actual === 'string' && actual.startsWith(String(expected))
    case 'endswith':
      return typeof actual === 'string' && actual.endsWith(String(expected))
    case 'cidr':
      return typeof actual === 'string' && ipv4InCidr(actual, String(expected))
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const a = asNumber(actual)
      const e = asNumber(expected)
      if (a === null || e === null) return false
      return mod === 'gt' ? a > e : mod === 'gte' ? a >= e : mod === 'lt' ? a < e : a <= e
    }
    default:
      return false
  }
}

/**
 * Compiles `field|mods: value` into a predicate. Lists of expected values are OR (AND with
 * `|all`); an actual array matches when any element matches, as Sigma treats multi-valued fields.
 */
export function compileFieldTest(key: string, expected: unknown): (read: FieldReader) => boolean {
  const [field, ...mods] = key.split('|') as [string, ...Modifier[]]
  const all = mods.includes('all')
  const valueMods = mods.filter((m) => m !== 'all')
  if (valueMods.includes('exists')) {
    return (read) => (read(field) !== undefined && read(field) !== null) === Boolean(expected)
  }
  if (valueMods.includes('empty')) return (read) => isEmpty(read(field)) === Boolean(expected)
  const mod = valueMods[0] ?? null
  const wanted = Array.isArray(expected) ? expected : [expected]
  if (mod === 're') {
    // Compiled once here, so an invalid pattern fails when the rule loads, not per event.
    const patterns = wanted.map((e) => new RegExp(String(e)))
    const test = (actual: unknown, re: unknown) =>
      typeof actual === 'string' && (re as RegExp).test(actual)
    return (read) => matchAny(read(field), patterns, all, test)
  }
  const test = (actual: unknown, e: unknown) => scalarMatch(actual, e, mod)
  return (read) => matchAny(read(field), wanted, all, test)
}

/**
 * Whether any (or, with `all`, every) expected value matches the actual value, or any element of
 * an actual array. Plain loops: this runs for every field of every rule on every event.
 */
function matchAny(
  actual: unknown,
  wanted: readonly unknown[],
  all: boolean,
  test: (actual: unknown, expected: unknown) => boolean
): boolean {
  for (let i = 0; i < wanted.length; i++) {
    const e = wanted[i]
    let hit = false
    if (Array.isArray(actual)) {
      for (let j = 0; j < actual.length && !hit; j++) hit = test(actual[j], e)
    } else hit = test(actual, e)
    if (hit !== all) return hit
  }
  return all
}

/** Compiles a block: a map is AND of its entries, a list of maps is OR of the maps. */
export function compileBlock(block: Block): (read: FieldReader) => boolean {
  const maps = Array.isArray(block) ? block : [block]
  const compiled = maps.map((map) => Object.entries(map).map(([k, v]) => compileFieldTest(k, v)))
  return (read) => {
    for (let i = 0; i < compiled.length; i++) {
      const tests = compiled[i] as ((read: FieldReader) => boolean)[]
      let ok = true
      for (let j = 0; j < tests.length && ok; j++)
        ok = (tests[j] as (r: FieldReader) => boolean)(read)
      if (ok) return true
    }
    return false
  }
}

// ---- condition expressions ---------------------------------------------------------------------

type Token = { t: 'word' | 'lp' | 'rp'; v: string }

function tokenize(expr: string): Token[] {
  const tokens: Token[] = []
  const re = /\s*(\(|\)|[A-Za-z0-9_]+\*?)/y
  let pos = 0
  while (pos < expr.length) {
    if (/^\s*$/.test(expr.slice(pos))) break
    re.lastIndex = pos
    const m = re.exec(expr)
    if (!m) throw new Error(`unexpected "${expr.slice(pos).trim()}" in condition`)
    const v = m[1] as string
    tokens.push({ t: v === '(' ? 'lp' : v === ')' ? 'rp' : 'word', v })
    pos = re.lastIndex
  }
  return tokens
}

/**
 * Compiles a Sigma-style condition: `and`, `or`, `not`, parentheses, block names, and
 * `1 of x*` / `all of x*` / `1 of them`. Throws with a readable message on a malformed
 * expression or an unknown block name.
 */
export function compileCondition(expr: string, names: readonly string[]): Matcher {
  const tokens = tokenize(expr)
  let i = 0
  const peek = () => tokens[i]
  const next = () => tokens[i++]
  const isWord = (v: string) => peek()?.t === 'word' && peek()?.v.toLowerCase() === v

  const parseOr = (): Matcher => {
    const parts = [parseAnd()]
    while (isWord('or')) {
      next()
      parts.push(parseAnd())
    }
    if (parts.length === 1) return parts[0] as Matcher
    return (r, b) => {
      for (let k = 0; k < parts.length; k++) if ((parts[k] as Matcher)(r, b)) return true
      return false
    }
  }
  const parseAnd = (): Matcher => {
    const parts = [parseNot()]
    while (isWord('and')) {
      next()
      parts.push(parseNot())
    }
    if (parts.length === 1) return parts[0] as Matcher
    return (r, b) => {
      for (let k = 0; k < parts.length; k++) if (!(parts[k] as Matcher)(r, b)) return false
      return true
    }
  }
  const parseNot = (): Matcher => {
    if (isWord('not')) {
      next()
      const inner = parseNot()
      return (r, b) => !inner(r, b)
    }
    return parsePrimary()
  }
  const parsePrimary = (): Matcher => {
    const tok = next()
    if (!tok) throw new Error(`condition "${expr}" ends too early`)
    if (tok.t === 'lp') {
      const inner = parseOr()
      if (next()?.t !== 'rp') throw new Error(`missing ")" in condition "${expr}"`)
      return inner
    }
    if (tok.t === 'rp') throw new Error(`unexpected ")" in condition "${expr}"`)
    const word = tok.v.toLowerCase()
    if ((word === '1' || word === 'any' || word === 'all') && isWord('of')) {
      next()
      const target = next()
      if (!target || target.t !== 'word') throw new Error(`"${word} of" needs a block pattern`)
      const matched = matchBlockNames(target.v, names)
      if (matched.length === 0) throw new Error(`"${target.v}" matches no block`)
      const every = word === 'all'
      const indexes = matched.map((n) => names.indexOf(n))
      return (_r, b) => {
        for (let k = 0; k < indexes.length; k++)
          if (b.at(indexes[k] as number) !== every) return !every
        return every
      }
    }
    if (!names.includes(tok.v)) throw new Error(`unknown block "${tok.v}" in condition "${expr}"`)
    const index = names.indexOf(tok.v)
    return (_r, b) => b.at(index)
  }

  const matcher = parseOr()
  if (i < tokens.length) throw new Error(`unexpected "${tokens[i]?.v}" in condition "${expr}"`)
  return matcher
}
