import { existsSync } from 'node:fs'
import { dirname, resolve } from 'node:path'

/**
 * Finds files shipped with the app whether we run from source (tsx main/…), from the build
 * (out/main/…, possibly a chunk folder below it) or packaged (process.resourcesPath).
 */
const resourcesPath = (process as { resourcesPath?: string }).resourcesPath

/** The folders from here up to the filesystem root: the repository root is one of them. */
function ancestors(from = __dirname): string[] {
  const dirs: string[] = []
  for (let dir = from; dirs.length < 8; dir = dirname(dir)) {
    dirs.push(dir)
    if (dirname(dir) === dir) break
  }
  return dirs
}

function firstExisting(
  candidates: (string | undefined)[],
  test: (p: string) => boolean = existsSync
): string | undefined {
  return candidates.find((c): c is string => !!c && test(c))
}

export const rulesDir = (): string =>
  firstExisting([
    process.env.VIGIL_RULES_DIR,
    ...ancestors().map((d) => resolve(d, 'resources/rules')),
    resourcesPath && resolve(resourcesPath, 'rules')
  ]) ?? resolve(__dirname, '../resources/rules')

/** The built renderer (never the source folder, whose index.html points at .tsx files). */
export const rendererDir = (): string | undefined =>
  firstExisting(
    [
      process.env.VIGIL_RENDERER_DIR,
      ...ancestors().flatMap((d) => [resolve(d, 'out/renderer'), resolve(d, 'renderer')])
    ],
    (dir) => existsSync(resolve(dir, 'index.html')) && !existsSync(resolve(dir, 'src'))
  )

export const demoScenarioFile = (): string =>
  firstExisting([
    ...ancestors().map((d) => resolve(d, 'resources/demo/scenario.json')),
    resourcesPath && resolve(resourcesPath, 'demo/scenario.json')
  ]) ?? resolve(__dirname, '../resources/demo/scenario.json')
