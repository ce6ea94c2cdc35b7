import { rmSync } from 'node:fs'

/** The demo's data folder is per run; nothing in it is worth keeping once the specs are done. */
export default function globalTeardown(): void {
  const dir = process.env.VIGIL_E2E_DATA_DIR
  if (dir && /vigil-e2e-/.test(dir)) rmSync(dir, { recursive: true, force: true })
}
