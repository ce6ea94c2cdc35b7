import { readdirSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { describe, expect, it } from 'vitest'

import {
  DEFAULT_MARKETS,
  historyFor,
  loadScenario,
  ScenarioError,
  type Scenario
} from '../../../main/replay/scenario'

const SCENARIOS = join(__dirname, '../../../../shared/scenarios')
const files = readdirSync(SCENARIOS).filter((f) => f.endsWith('.json'))
// Tests edit arbitrary paths of the raw document, typos included: that needs an untyped value.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = any
const takeover = (): Doc =>
  JSON.parse(readFileSync(join(SCENARIOS, 'takeover-deribit.json'), 'utf8'))

/** Loads a modified copy of the takeover scenario and returns the error message. */
function errorFor(change: (s: Doc) => void): string {
  const doc = takeover()
  change(doc)
  try {
    loadScenario(doc)
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError)
    return (error as Error).message
  }
  throw new Error('expected a ScenarioError')
}

describe('loadScenario', () => {
  it('loads every shared scenario', () => {
    expect(files.length).toBeGreaterThanOrEqual(5)
    for (const file of files) {
      const scenario = loadScenario(join(SCENARIOS, file))
      expect(scenario.format).toBe('vigil-scenario/1')
      expect(scenario.accounts.length).toBeGreaterThan(0)
    }
  })

  it('applies the defaults', () => {
    const quiet: Scenario = loadScenario(join(SCENARIOS, 'quiet-month.json'))
    expect(quiet.policy).toEqual({ autoKillSwitch: 'off', countdownSeconds: 60 })
    expect(quiet.endAfterSeconds).toBe(15)
    const [drb, bn] = quiet.accounts
    expect(drb.markets).toEqual(DEFAULT_MARKETS.deribit)
    expect(bn.markets).toEqual(DEFAULT_MARKETS.binance)
    expect(drb.otherKeys).toEqual([])
    expect(quiet.timeline[0]).toMatchObject({ kind: 'login', success: true, attack: false })
    // Sections an account's history leaves out get the quiet defaults.
    const history = historyFor(quiet, 'bn')
    expect(history.logins.perDay).toBeGreaterThan(0)
    expect(history.withdrawals.perMonth).toBeGreaterThanOrEqual(0)
    expect(history.trading.symbols).toEqual(['BTC/USDT', 'ETH/USDT'])

    const minimal = loadScenario({
      format: 'vigil-scenario/1',
      name: 'minimal',
      seed: 1,
      accounts: [{ id: 'a', exchange: 'okx', key: { permissions: ['read'] } }],
      timeline: [{ at: 4, account: 'a', kind: 'price', symbol: 'BTC/USDT', last: 61000 }]
    })
    expect(minimal.pollSeconds).toBe(1)
    expect(minimal.endAfterSeconds).toBe(19)
    expect(minimal.accounts[0].key).toEqual({ permissions: ['read'], ipWhitelist: [], ageDays: 0 })
    expect(historyFor(minimal, 'a').trading.symbols).toEqual(['BTC/USDT'])
  })

  it('names the path of a typo’d field and suggests the right one', () => {
    expect(errorFor((s) => (s.accounts[0].balance = s.accounts[0].balances))).toBe(
      'accounts[0].balance: unknown field (did you mean "balances"?)'
    )
    expect(errorFor((s) => (s.timeline[4].userAgnet = 'x'))).toMatch(
      /^timeline\[4\]\.userAgnet: unknown field \(did you mean "userAgent"\?\)/
    )
    expect(errorFor((s) => (s.history.logins.prDay = 2))).toMatch(
      /^history\.logins\.prDay: unknown field/
    )
    expect(errorFor((s) => (s.extra = true))).toMatch(/^extra: unknown field/)
  })

  it('names the path of a wrong enum value', () => {
    expect(errorFor((s) => (s.accounts[0].exchange = 'binanse'))).toMatch(
      /^accounts\[0\]\.exchange: expected one of deribit\|bybit\|binance\|okx/
    )
    expect(errorFor((s) => (s.timeline[0].kind = 'logon'))).toMatch(
      /^timeline\[0\]\.kind: expected one of login\|/
    )
    expect(errorFor((s) => (s.accounts[0].key.permissions = ['read', 'trade']))).toMatch(
      /^accounts\[0\]\.key\.permissions\[1\]: expected one of read\|spot\|futures\|withdraw\|transfer/
    )
    expect(errorFor((s) => (s.policy.autoKillSwitch = 'on'))).toMatch(
      /^policy\.autoKillSwitch: expected one of off\|critical\|high/
    )
  })

  it('names the path of a bad account reference', () => {
    expect(errorFor((s) => (s.timeline[2].account = 'drbx'))).toBe(
      'timeline[2].account: unknown account "drbx" (accounts: drb)'
    )
  })

  it('rejects other dangling references and bad values by path', () => {
    expect(errorFor((s) => (s.timeline[0].at = -1))).toMatch(/^timeline\[0\]\.at: must be ≥ 0/)
    expect(errorFor((s) => (s.name = 'Takeover Deribit'))).toMatch(/^name: expected lower-case/)
    expect(errorFor((s) => delete s.seed)).toMatch(/^seed: required field missing/)
    expect(errorFor((s) => (s.format = 'vigil-scenario/2'))).toMatch(
      /^format: expected "vigil-scenario\/1"/
    )
    expect(errorFor((s) => (s.startAt = '2026-01-01'))).toMatch(
      /^startAt: expected an ISO-8601 UTC time/
    )
    expect(errorFor((s) => (s.accounts[0].key.ipWhitelist = ['84.17.32.300']))).toMatch(
      /^accounts\[0\]\.key\.ipWhitelist\[0\]: expected an IP address or CIDR/
    )
    expect(errorFor((s) => (s.accounts[0].balances.btc = 1))).toMatch(
      /^accounts\[0\]\.balances\.btc: invalid key/
    )
    expect(errorFor((s) => (s.accounts = []))).toMatch(/^accounts: must have at least 1 item/)
    expect(errorFor((s) => s.accounts.push({ ...s.accounts[0] }))).toMatch(
      /^accounts\[1\]\.id: duplicate account id "drb"/
    )
    expect(errorFor((s) => (s.history.trading.symbols = ['BTC/USDT']))).toMatch(
      /^history\.trading\.symbols\[0\]: market "BTC\/USDT" is not listed by account "drb"/
    )
    expect(
      errorFor((s) =>
        s.timeline.push({
          at: 3,
          account: 'drb',
          kind: 'order',
          symbol: 'BTC/USD:BTC',
          side: 'buy',
          type: 'limit',
          amount: 10
        })
      )
    ).toMatch(/^timeline\[9\]\.price: required for a limit order/)
    // The attacker's key exists only from t=7: removing it at t=3 is a dangling reference.
    expect(
      errorFor((s) =>
        s.timeline.push({ at: 3, account: 'drb', kind: 'api_key_removed', keyId: 'k-attacker' })
      )
    ).toMatch(/^timeline\[9\]\.keyId: unknown key "k-attacker"/)
    expect(() =>
      loadScenario({
        ...takeover(),
        timeline: [
          ...takeover().timeline,
          { at: 12, account: 'drb', kind: 'api_key_removed', keyId: 'k-attacker' }
        ]
      })
    ).not.toThrow()
  })

  it('reports every problem, one line each', () => {
    const message = errorFor((s) => {
      s.accounts[0].exchange = 'kraken'
      s.timeline[1].at = 'soon'
    })
    expect(message.split('\n')).toHaveLength(2)
    expect(message).toMatch(/^timeline\[1\]\.at: expected number, got "soon"$/m)
  })

  it('reports unreadable files and broken JSON as scenario errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-scenario-'))
    const broken = join(dir, 'broken.json')
    writeFileSync(broken, '{"format": ')
    expect(() => loadScenario(broken)).toThrow(/^\(root\): invalid JSON/)
    expect(() => loadScenario(join(dir, 'missing.json'))).toThrow(ScenarioError)
  })
})
