/**
 * `npm run -s bench [-- --only <section>] [--quick] [--backfill-days <n>]`: runs the benchmarks
 * and prints ONE JSON document on stdout (progress goes to stderr; `-s` keeps npm's banner off
 * stdout), and writes the same JSON to bench-results/latest.json. Sections: detection, killSwitch, polling, startup (see bench.ts).
 * The exit code is 0 whether targets pass or not: the JSON says which did; it is 1 only when
 * the command line is wrong or the runner itself breaks.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

import { runBench, SECTIONS, type SectionName } from './bench'

const USAGE = `usage: npm run -s bench -- [--only <${SECTIONS.join('|')}>[,…]] [--quick] [--backfill-days <n>]
  --only           run only these sections (comma-separated)
  --quick          smaller sizes (CI smoke run); numbers are not comparable to a full run
  --backfill-days  days of busy history the polling section backfills (default 30; 90 = issue 3's
                   full window, several minutes per exchange)
(-s keeps npm's own "> vigil bench" banner off stdout, so stdout is the JSON document only)
`

function parse(argv: string[]): {
  sections?: SectionName[]
  quick: boolean
  backfillDays?: number
} {
  let sections: SectionName[] | undefined
  let quick = false
  let backfillDays: number | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    if (arg === '--quick') quick = true
    else if (arg === '--only' || arg.startsWith('--only=')) {
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i]
      const names = (value ?? '').split(',').filter(Boolean)
      const unknown = names.filter((n) => !(SECTIONS as readonly string[]).includes(n))
      if (names.length === 0 || unknown.length)
        throw new Error(`unknown section ${unknown.join(', ') || '(none)'}\n${USAGE}`)
      sections = names as SectionName[]
    } else if (arg === '--backfill-days' || arg.startsWith('--backfill-days=')) {
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i]
      backfillDays = Number(value)
      if (!Number.isInteger(backfillDays) || backfillDays < 1 || backfillDays > 90)
        throw new Error(`--backfill-days expects a whole number of days from 1 to 90\n${USAGE}`)
    } else if (arg === '--help' || arg === '-h') {
      process.stdout.write(USAGE)
      process.exit(0)
    } else throw new Error(`unknown option ${arg}\n${USAGE}`)
  }
  return { sections, quick, backfillDays }
}

async function main(): Promise<void> {
  let options: ReturnType<typeof parse>
  try {
    options = parse(process.argv.slice(2))
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`)
    process.exit(1)
  }
  const report = await runBench(options)
  const json = JSON.stringify(report, null, 2)
  const dir = resolve(__dirname, '..', 'bench-results')
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'latest.json'), json + '\n')
  process.stdout.write(json + '\n')
  const failed = Object.entries(report.targets).filter(([, t]) => t.pass === false)
  process.stderr.write(
    `[bench] ${Object.keys(report.targets).length} targets, ${failed.length} missed` +
      (failed.length ? `: ${failed.map(([id]) => id).join(', ')}` : '') +
      ` (${Math.round(report.durationMs / 1000)} s); JSON also in bench-results/latest.json\n`
  )
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench] runner failed: ${(error as Error).stack ?? String(error)}\n`)
  process.exit(1)
})
