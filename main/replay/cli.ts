/**
 * `npm run replay -- <scenario.json> [--json] [--speed <factor>] [--poll <seconds>] [--out <dir>]`
 * Exit status: 0 when the replay ran (whatever it scored), 2 for an invalid scenario, 1 for an
 * internal failure.
 */
import { parseArgs } from 'node:util'

import { formatReport } from './format'
import { runReplay } from './run'
import { loadScenario, ScenarioError } from './scenario'

class UsageError extends Error {}

async function main(): Promise<number> {
  let args
  try {
    args = parseArgs({
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        speed: { type: 'string' },
        poll: { type: 'string' },
        out: { type: 'string' }
      }
    })
  } catch (error) {
    process.stderr.write(`replay: ${(error as Error).message}\n`)
    return 2
  }
  const file = args.positionals[0]
  if (!file || args.positionals.length > 1) {
    process.stderr.write(
      'usage: npm run replay -- <scenario.json> [--json] [--speed <factor>] [--poll <seconds>] [--out <dir>]\n'
    )
    return 2
  }
  const number = (name: string, value: string | undefined): number | undefined => {
    if (value === undefined) return undefined
    const n = Number(value)
    if (!Number.isFinite(n) || n <= 0)
      throw new UsageError(`--${name}: expected a number > 0, got ${JSON.stringify(value)}`)
    return n
  }
  let scenario
  let speed: number | undefined
  let poll: number | undefined
  try {
    speed = number('speed', args.values.speed)
    poll = number('poll', args.values.poll)
    scenario = loadScenario(file)
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`replay: ${error.message}\n`)
      return 2
    }
    if (error instanceof ScenarioError) {
      process.stderr.write(`invalid scenario: ${error.message}\n`)
      return 2
    }
    throw error
  }
  const json = args.values.json
  const report = await runReplay(scenario, {
    speed,
    pollSeconds: poll,
    outDir: args.values.out,
    onProgress: json ? undefined : (line) => process.stderr.write(`${line}\n`)
  })
  process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report))
  return 0
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `replay failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`
    )
    process.exit(1)
  }
)
