import { existsSync } from 'node:fs'
import { resolve } from 'node:path'

/**
 * Finds a folder shipped with the app whether we run from source (tsx main/…), from the build
 * (out/main/…) or packaged (process.resourcesPath). Returns the first candidate that exists.
 */
export function findPath(candidates: (string | undefined)[]): string | undefined {
  return candidates.filter((c): c is string => !!c).find((c) => existsSync(c))
}

const resourcesPath = (process as { resourcesPath?: string }).resourcesPath

export const rulesDir = (): string =>
  findPath([
    process.env.VIGIL_RULES_DIR,
    resolve(__dirname, '../resources/rules'),
    resolve(__dirname, '../../resources/rules'),
    resourcesPath && resolve(resourcesPath, 'rules')
  ]) ?? resolve(__dirname, '../resources/rules')

/** The built renderer (never the source folder, whose index.html points at .tsx files). */
export const rendererDir = (): string | undefined => {
  const built = (dir: string | undefined) =>
    dir && existsSync(resolve(dir, 'index.html')) && !existsSync(resolve(dir, 'src')) ? dir : undefined
  return findPath([
    built(process.env.VIGIL_RENDERER_DIR),
    built(resolve(__dirname, '../out/renderer')),
    built(resolve(__dirname, '../renderer'))
  ])
}

export const demoScenarioFile = (): string =>
  findPath([resolve(__dirname, '../resources/demo/scenario.json'), resolve(__dirname, '../../resources/demo/scenario.json'), resourcesPath && resolve(resourcesPath, 'demo/scenario.json')]) ??
  resolve(__dirname, '../resources/demo/scenario.json')
