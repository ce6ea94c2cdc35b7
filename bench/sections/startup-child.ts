/**
 * Child process of the `startup` section: a fresh Node that imports the core and the ccxt
 * factory, then configures one connector per deep exchange against the simulator the parent runs
 * (so the simulator's own memory is not counted here). Prints one JSON line on stdout.
 *
 * Input (environment): VIGIL_BENCH_TARGETS = JSON list of { exchange, endpoint, credentials }.
 */
import type { Credentials } from '../../main/core/ports'

interface Target {
  exchange: string
  endpoint: string
  credentials: Credentials
}

const mb = (n: number) => Math.round((n / 1_048_576) * 10) / 10
const ms = (n: number) => Math.round(n * 10) / 10

function rss(): { rssMb: number; heapUsedMb: number } {
  ;(globalThis as { gc?: () => void }).gc?.()
  const m = process.memoryUsage()
  return { rssMb: mb(m.rss), heapUsedMb: mb(m.heapUsed) }
}

async function main(): Promise<void> {
  // Time from process start to here: Node itself plus the TypeScript loader.
  const bootMs = performance.now()
  const atBoot = rss()
  let t = performance.now()
  const core = await import('../../main/core/vigil')
  const coreImportMs = performance.now() - t
  t = performance.now()
  const factoryModule = await import('../../main/core/exchanges/ccxt-factory')
  const registry = await import('../../main/core/exchanges/registry')
  const ports = await import('../../main/core/ports')
  const factoryImportMs = performance.now() - t
  const afterImport = rss()
  void core

  const targets = JSON.parse(process.env.VIGIL_BENCH_TARGETS ?? '[]') as Target[]
  const factory = factoryModule.createCcxtFactory()
  const perExchange: Record<string, { createMs: number; loadMarketsMs: number }> = {}
  const connectors = []
  t = performance.now()
  for (const target of targets) {
    const s = performance.now()
    const exchange = await factory.create(
      { exchange: target.exchange, endpoint: target.endpoint },
      target.credentials
    )
    const createMs = performance.now() - s
    const m = performance.now()
    await exchange.loadMarkets()
    perExchange[target.exchange] = {
      createMs: ms(createMs),
      loadMarketsMs: ms(performance.now() - m)
    }
    connectors.push(
      registry.createConnector(
        exchange,
        { id: `bench-${target.exchange}`, exchange: target.exchange, selfKeyId: null },
        { clock: ports.systemClock, logger: ports.silentLogger }
      )
    )
  }
  const configureMs = performance.now() - t
  const configured = rss()
  process.stdout.write(
    JSON.stringify({
      bootMs: ms(bootMs),
      coreImportMs: ms(coreImportMs),
      factoryImportMs: ms(factoryImportMs),
      configureMs: ms(configureMs),
      perExchange,
      exchanges: targets.map((x) => x.exchange),
      memory: { atBoot, afterImport, configured }
    }) + '\n'
  )
  await Promise.all(connectors.map((c) => c.close()))
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`)
  process.exit(1)
})
