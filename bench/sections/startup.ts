/**
 * Section `startup`: what it costs to start the core. A fresh Node process (the TypeScript loader
 * the dev scripts use, tsx) imports the core's composition root and the ccxt factory, then builds
 * ccxt instances, loads markets and creates connectors for all four deep exchanges against the
 * simulator, which runs here in the parent so its memory is not counted. Repeated a few times;
 * the first run also pays for cold file caches and tsx's transform cache.
 */
import { spawn } from 'node:child_process'
import { resolve } from 'node:path'

import { systemClock } from '../../main/core/ports'
import { startSimulator } from '../../main/simulator'
import { accountOf, benchScenario, dialectAvailability } from '../lib/sim'
import { percentile, progress, round, type Skipped } from '../lib/stats'

const ROOT = resolve(__dirname, '../..')
const CHILD = resolve(__dirname, 'startup-child.ts')

/** Options of the startup section. */
export interface StartupOptions {
  runs: number
}

export const STARTUP_FULL: StartupOptions = { runs: 3 }
export const STARTUP_QUICK: StartupOptions = { runs: 1 }

interface ChildReport {
  bootMs: number
  coreImportMs: number
  factoryImportMs: number
  configureMs: number
  perExchange: Record<string, { createMs: number; loadMarketsMs: number }>
  exchanges: string[]
  memory: Record<string, { rssMb: number; heapUsedMb: number }>
}

/** Result of the startup section. */
export interface StartupResult {
  runs: number
  exchanges: string[]
  missingDialects: string[]
  /** Medians over the runs (ms). */
  processStartToReadyMs: number
  bootMs: number
  coreImportMs: number
  factoryImportMs: number
  importMs: number
  configureMs: number
  rssAfterImportMb: number
  rssConfiguredMb: number
  heapConfiguredMb: number
  all: (ChildReport & { wallMs: number })[]
}

function runChild(env: Record<string, string>): Promise<ChildReport & { wallMs: number }> {
  return new Promise((done, fail) => {
    const t = performance.now()
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', CHILD], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    child.on('error', fail)
    child.on('close', (code) => {
      const line = out.trim().split('\n').pop() ?? ''
      if (code !== 0 || !line)
        return fail(new Error(`startup child failed (${code}): ${err.trim()}`))
      // Wall time to the report line is close enough to "ready": the child exits right after.
      done({ ...(JSON.parse(line) as ChildReport), wallMs: round(performance.now() - t, 1) })
    })
  })
}

/** Runs the startup section. */
export async function runStartup(options: StartupOptions): Promise<StartupResult | Skipped> {
  const { dialects, missingDialects } = dialectAvailability()
  const scenario = benchScenario('bench-startup', dialects, {
    days: 1,
    ordersPerDay: 5,
    openOrders: 2
  })
  const sim = await startSimulator({ scenario, clock: systemClock })
  try {
    const targets = dialects.map((exchange) => ({
      exchange,
      endpoint: sim.endpointFor(exchange),
      credentials: sim.credentials(accountOf(exchange))
    }))
    const all: (ChildReport & { wallMs: number })[] = []
    for (let i = 0; i < options.runs; i++) {
      all.push(await runChild({ VIGIL_BENCH_TARGETS: JSON.stringify(targets) }))
      progress(
        'startup',
        `run ${i + 1}: import ${round(all[i]!.coreImportMs + all[i]!.factoryImportMs, 0)} ms, RSS ${all[i]!.memory.configured?.rssMb} MB`
      )
    }
    const med = (f: (r: ChildReport & { wallMs: number }) => number) =>
      round(percentile(all.map(f), 50), 1)
    return {
      runs: all.length,
      exchanges: dialects,
      missingDialects,
      processStartToReadyMs: med((r) => r.wallMs),
      bootMs: med((r) => r.bootMs),
      coreImportMs: med((r) => r.coreImportMs),
      factoryImportMs: med((r) => r.factoryImportMs),
      importMs: med((r) => r.coreImportMs + r.factoryImportMs),
      configureMs: med((r) => r.configureMs),
      rssAfterImportMb: med((r) => r.memory.afterImport?.rssMb ?? Number.NaN),
      rssConfiguredMb: med((r) => r.memory.configured?.rssMb ?? Number.NaN),
      heapConfiguredMb: med((r) => r.memory.configured?.heapUsedMb ?? Number.NaN),
      all
    }
  } finally {
    await sim.close()
  }
}
