/**
 * Seeded pseudo-random numbers. Generated history must be a pure function of the scenario and
 * its seed, so nothing in the simulator may touch Math.random.
 */
import { createHash } from 'node:crypto'

/** A deterministic random source (sfc32: small, fast, good enough for synthetic data). */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number
  /** Uniform in [min, max). */
  uniform(min: number, max: number): number
  /** Integer uniform in [min, max] (inclusive). */
  int(min: number, max: number): number
  /** True with probability p. */
  chance(p: number): boolean
  pick<T>(items: readonly T[]): T
  /** Poisson-distributed count with mean `lambda`. */
  poisson(lambda: number): number
}

/** Seeds a generator from any labels, e.g. `rng(seed, accountId, 'logins')`: streams stay independent. */
export function rng(...labels: (string | number)[]): Rng {
  const digest = createHash('sha256').update(labels.map(String).join('\u0000')).digest()
  let a = digest.readUInt32LE(0)
  let b = digest.readUInt32LE(4)
  let c = digest.readUInt32LE(8)
  let d = digest.readUInt32LE(12)
  const next = (): number => {
    a >>>= 0
    b >>>= 0
    c >>>= 0
    d >>>= 0
    let t = (a + b) | 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) | 0
    c = (c << 21) | (c >>> 11)
    d = (d + 1) | 0
    t = (t + d) | 0
    c = (c + t) | 0
    return (t >>> 0) / 4294967296
  }
  for (let i = 0; i < 12; i++) next()
  const self: Rng = {
    next,
    uniform: (min, max) => min + (max - min) * next(),
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: (items) => {
      if (items.length === 0) throw new Error('pick from an empty list')
      return items[Math.floor(next() * items.length)]
    },
    poisson: (lambda) => {
      if (lambda <= 0) return 0
      if (lambda > 30) {
        // Normal approximation: exact sampling gets slow and needs no extra realism here.
        const u = Math.max(next(), 1e-12)
        const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next())
        return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * z))
      }
      const limit = Math.exp(-lambda)
      let k = 0
      let p = next()
      while (p > limit) {
        k++
        p *= next()
      }
      return k
    }
  }
  return self
}

/** A deterministic token of `length` characters from `alphabet`, derived from the labels. */
export function token(length: number, alphabet: string, ...labels: (string | number)[]): string {
  const source = rng('token', ...labels)
  let out = ''
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(source.next() * alphabet.length)]
  return out
}
