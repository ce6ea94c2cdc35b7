/**
 * The headless entry: the same core as the tray app, with the same UI served over HTTP on
 * 127.0.0.1 behind a random bearer token. For servers next to the trader's bots, and for the
 * demo on the built-in simulator.
 *
 *   tsx main/headless.ts [--demo] [--port N] [--data-dir DIR]
 *   env: VIGIL_DATA_DIR, VIGIL_PORT, VIGIL_TOKEN, VIGIL_DEMO=1, VIGIL_LOG_LEVEL,
 *        VIGIL_NOTIFIER=console (log notifications instead of showing them)
 */
import { mkdtempSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

import { createConsoleLogger } from './adapters/log/console-logger'
import { ConsoleNotifier } from './adapters/notify/console'
import { createPlatformNotifier } from './adapters/notify/select'
import { startHttpServer, type RunningHttpServer } from './api/http'
import { createCcxtFactory } from './core/exchanges/ccxt-factory'
import type { Logger, Notifier, SecretStore } from './core/ports'
import { KeyringSecretStore } from './core/secrets/keyring-store'
import { MemorySecretStore } from './core/secrets/memory-store'
import { createVigil } from './core/vigil'
import type { DemoControl } from './core/vigil-types'
import { demoScenarioFile, rendererDir, rulesDir } from './paths'
import { ScenarioClock } from './replay/clock'
import { loadScenario } from './replay/scenario'
import { startSimulator } from './simulator'

export interface HeadlessOptions {
  dataDir?: string
  port?: number
  token?: string
  demo?: boolean
  logger?: Logger
  notifier?: Notifier
  secrets?: SecretStore
}

export interface RunningHeadless {
  url: string
  http: RunningHttpServer
  /** Demo mode: the simulator the demo account lives on. */
  simulator?: Awaited<ReturnType<typeof startSimulator>>
  close(): Promise<void>
}

/** The demo scenario's account left for the wizard and fire drills. */
const SPARE = 'spare'

const defaultDataDir = () =>
  join(process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'vigil')

export async function startHeadless(options: HeadlessOptions = {}): Promise<RunningHeadless> {
  const logger =
    options.logger ??
    createConsoleLogger({ level: (process.env.VIGIL_LOG_LEVEL as 'info') ?? 'info' })
  if (!options.dataDir && (process.env.NODE_ENV === 'test' || process.env.VIGIL_UNDER_TEST)) {
    // Tests must never touch a trader's real data folder.
    throw new Error('refusing to start under test without VIGIL_DATA_DIR')
  }
  const demo = options.demo ?? false
  const dataDir =
    options.dataDir ?? (demo ? mkdtempSync(join(tmpdir(), 'vigil-demo-')) : defaultDataDir())
  const scenario = demo ? loadScenario(demoScenarioFile()) : undefined
  const clock = scenario ? new ScenarioClock(Date.now(), 1) : undefined
  const simulator =
    scenario && clock
      ? await startSimulator({ scenario, clock, startAt: clock.startAt })
      : undefined
  // Demo: 'spare' is left for the add-key wizard; its scripted attack is a fire drill on demand.
  const autoAccounts = scenario?.accounts.filter((a) => a.id !== SPARE) ?? []
  const drill = scenario
    ? scenario.timeline.flatMap((e, i) => (e.account === SPARE ? [i] : []))
    : []
  const spareAccount = scenario?.accounts.find((a) => a.id === SPARE)
  const demoControl: DemoControl | undefined =
    scenario && simulator
      ? {
          spare: spareAccount
            ? {
                exchange: spareAccount.exchange,
                label: `Spare ${spareAccount.exchange} (simulated)`,
                endpoint: simulator.endpointFor(spareAccount.exchange),
                credentials: simulator.credentials(spareAccount.id)
              }
            : null,
          attacks: drill.length
            ? [{ id: 'takeover-spare', title: 'Account takeover on the spare account' }]
            : [],
          attack: () => {
            let played = 0
            for (const index of drill.splice(0)) {
              simulator.apply(index)
              played++
            }
            return played
          }
        }
      : undefined
  const vigil = await createVigil({
    dataDir,
    // The demo's keys are the simulator's throwaway keys; real keys always go to the OS keychain.
    secrets: options.secrets ?? (demo ? new MemorySecretStore() : new KeyringSecretStore()),
    notifier:
      options.notifier ??
      (process.env.VIGIL_NOTIFIER === 'console'
        ? new ConsoleNotifier({ logger })
        : createPlatformNotifier({ logger })),
    exchanges: createCcxtFactory(),
    rulesDir: rulesDir(),
    clock,
    logger,
    mode: 'headless',
    demo,
    demoControl
  })
  if (scenario && simulator) {
    for (const account of autoAccounts) {
      const credentials = simulator.credentials(account.id)
      await vigil.handlers['accounts.add']({
        exchange: account.exchange,
        label: `Demo ${account.exchange}`,
        apiKey: credentials.apiKey,
        secret: credentials.secret,
        endpoint: simulator.endpointFor(account.exchange),
        pollSeconds: scenario.pollSeconds ?? 2
      })
    }
  }
  await vigil.start()
  const http = await startHttpServer({
    vigil,
    staticDir: rendererDir(),
    port: options.port,
    token: options.token
  })
  let cancelTimeline: (() => void)[] = []
  if (scenario && simulator && clock) {
    void Promise.all([...vigil.internals.watchers.values()].map((w) => w.firstPollDone)).then(
      () => {
        clock.begin()
        logger.info('demo: history read; the scripted attack starts in a few seconds')
        cancelTimeline = scenario.timeline.flatMap((event, index) =>
          event.account === SPARE
            ? []
            : [
                clock.setTimeout(() => {
                  simulator.apply(index)
                  logger.info(`demo: ${event.kind}${event.note ? ` (${event.note})` : ''}`)
                }, event.at * 1000)
              ]
        )
      }
    )
  }
  return {
    url: http.url,
    http,
    simulator,
    async close() {
      cancelTimeline.forEach((c) => c())
      await http.close()
      await vigil.stop()
      await simulator?.close()
    }
  }
}

export async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { demo: { type: 'boolean' }, port: { type: 'string' }, 'data-dir': { type: 'string' } }
  })
  const running = await startHeadless({
    demo: values.demo ?? process.env.VIGIL_DEMO === '1',
    port: Number(values.port ?? process.env.VIGIL_PORT ?? 0) || undefined,
    dataDir: values['data-dir'] ?? process.env.VIGIL_DATA_DIR,
    token: process.env.VIGIL_TOKEN
  })
  process.stdout.write(
    `Vigil is running. Open this address in your browser:\n\n  ${running.url}\n\nPress Ctrl+C to stop.\n`
  )
  const stop = () => {
    void running.close().finally(() => process.exit(0))
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`vigil: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  })
}
