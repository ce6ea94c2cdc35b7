/** `npm run demo`: build the UI if needed, then run headless on the built-in simulator with a scripted attack. */
import { execFileSync } from 'node:child_process'

import { main } from './headless'
import { rendererDir } from './paths'

if (!rendererDir()) {
  process.stderr.write('Building the UI once (electron-vite build)…\n')
  execFileSync(process.execPath, [require.resolve('electron-vite/bin/electron-vite.js'), 'build'], {
    stdio: 'inherit'
  })
}
process.env.VIGIL_DEMO = '1'
main().catch((error: unknown) => {
  process.stderr.write(`vigil demo: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
})
