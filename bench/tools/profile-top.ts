/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): the functions with the most self time
 * and the most inclusive time, optionally only under a frame whose name matches `--under`.
 * Used to explain a missed bench target: `npx tsx bench/tools/profile-top.ts <file> [--under evaluate]`.
 */
import { readFileSync } from 'node:fs'
import { relative } from 'node:path'

interface Node {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}

interface Profile {
  nodes: Node[]
  samples: number[]
  timeDeltas: number[]
}

/** Prints the top frames of a profile. */
export function summariseProfile(file: string, under: RegExp | null, top = 25): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const self = new Map<number, number>()
  profile.samples.forEach((id, i) =>
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
  )
  const label = (n: Node) => {
    const url = n.callFrame.url.replace(/^file:\/\//, '')
    const where = url ? relative(process.cwd(), url) : ''
    return `${n.callFrame.functionName || '(anonymous)'} ${where}:${n.callFrame.lineNumber + 1}`
  }
  const selfBy = new Map<string, number>()
  const totalBy = new Map<string, number>()
  let total = 0
  for (const [id, us] of self) {
    // Walk up once: inclusive time counts each distinct frame label once per sample stack.
    const chain: Node[] = []
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur)
      if (n) chain.push(n)
    }
    if (under && !chain.some((n) => under.test(n.callFrame.functionName))) continue
    total += us
    const leaf = chain[0]
    if (leaf) selfBy.set(label(leaf), (selfBy.get(label(leaf)) ?? 0) + us)
    for (const l of new Set(chain.map(label))) totalBy.set(l, (totalBy.get(l) ?? 0) + us)
  }
  const fmt = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(
        ([k, us]) =>
          `${(us / 1000).toFixed(0).padStart(8)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`
      )
      .join('\n')
  return `total ${(total / 1000).toFixed(0)} ms${under ? ` under /${under.source}/` : ''}\n\n-- self --\n${fmt(selfBy)}\n\n-- inclusive --\n${fmt(totalBy)}\n`
}

if (require.main === module) {
  const [file, ...rest] = process.argv.slice(2)
  if (!file) {
    process.stderr.write('usage: profile-top.ts <file.cpuprofile> [--under <regex>] [--top N]\n')
    process.exit(2)
  }
  const at = (flag: string) => {
    const i = rest.indexOf(flag)
    return i >= 0 ? rest[i + 1] : undefined
  }
  const under = at('--under')
  process.stdout.write(
    summariseProfile(file, under ? new RegExp(under) : null, Number(at('--top') ?? 25))
  )
}
