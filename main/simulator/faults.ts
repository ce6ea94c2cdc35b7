/**
 * Fault injection: windows of clock time during which an exchange misbehaves. Each dialect
 * renders the fault in its exchange's own error shape; `timeout` means no answer at all.
 */
import type { ExchangeId, FaultKind } from '../replay/scenario'
import { rng, type Rng } from './prng'

export type { FaultKind } from '../replay/scenario'

/** A fault to inject. Without `account` it hits every account and every exchange. */
export interface FaultSpec {
  fault: FaultKind
  seconds: number
  account?: string
}

interface ActiveFault {
  fault: FaultKind
  until: number
  account: string | null
  exchange: ExchangeId | null
}

/** The faults in force, judged against the injected clock. */
export class FaultBoard {
  private faults: ActiveFault[] = []
  private flaky: { rate: number; random: Rng; account: string | null } | null = null

  /**
   * Makes a share of requests fail with a transient 5xx, chosen by a seeded generator so a run is
   * reproducible. `rate` 0 turns it off. Used to prove the kill-switch contains accounts on a
   * flaky exchange.
   */
  setFlaky(rate: number, seed: number, account?: string): void {
    this.flaky =
      rate > 0
        ? { rate, random: rng('flaky', seed, account ?? '*'), account: account ?? null }
        : null
  }

  /** Starts a fault now (clock ms); a later fault on the same scope takes precedence. */
  set(spec: FaultSpec, now: number, exchange: ExchangeId | null): void {
    this.faults = this.faults.filter((f) => f.until > now)
    this.faults.push({
      fault: spec.fault,
      until: now + spec.seconds * 1000,
      account: spec.account ?? null,
      exchange
    })
  }

  clear(): void {
    this.faults = []
    this.flaky = null
  }

  /**
   * The fault a request meets, if any. An account's fault hits requests signed by that account
   * and the unattributed (public) requests on its exchange, because a misbehaving exchange fails
   * market data calls too.
   */
  active(request: { account: string | null; exchange: ExchangeId }, now: number): FaultKind | null {
    for (let i = this.faults.length - 1; i >= 0; i--) {
      const f = this.faults[i]
      if (f.until <= now) continue
      if (f.account === null) return f.fault
      if (f.account === request.account) return f.fault
      if (request.account === null && f.exchange === request.exchange) return f.fault
    }
    if (this.flaky && (this.flaky.account === null || this.flaky.account === request.account)) {
      if (this.flaky.random.chance(this.flaky.rate)) return 'http_5xx'
    }
    return null
  }
}
