/**
 * The built headless entry (out/main/headless.js, built by electron-vite for Electron's Node)
 * must also run under plain Node 22: start it in demo mode and talk to it over HTTP.
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

import { describe, expect, it } from 'vitest'

const root = resolve(__dirname, '../..')
const entry = join(root, 'out/main/headless.js')

describe('built headless entry', () => {
  it('starts on plain Node, serves the UI and the API behind the token, and stops on SIGTERM', async () => {
    if (!existsSync(entry)) {
      const build = spawnSync(
        process.execPath,
        [require.resolve('electron-vite/bin/electron-vite.js'), 'build'],
        { cwd: root, encoding: 'utf8' }
      )
      expect(build.status, build.stderr).toBe(0)
    }
    const token = 'built-entry-token-0123456789'
    const child = spawn(process.execPath, [entry, '--demo'], {
      cwd: root,
      env: {
        ...process.env,
        VIGIL_DATA_DIR: mkdtempSync(join(tmpdir(), 'vigil-built-')),
        VIGIL_TOKEN: token,
        VIGIL_NOTIFIER: 'console'
      },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let stderr = ''
    child.stderr.on('data', (c) => (stderr += c))
    try {
      const url = await new Promise<string>((resolveUrl, reject) => {
        let out = ''
        child.stdout.on('data', (chunk) => {
          out += chunk
          const match = /http:\/\/127\.0\.0\.1:\d+\/#token=\S+/.exec(out)
          if (match) resolveUrl(match[0])
        })
        child.once('exit', (code) => reject(new Error(`exited with ${code}: ${stderr}`)))
        setTimeout(() => reject(new Error(`no URL printed in 60 s: ${stderr}`)), 60_000)
      })
      const origin = url.slice(0, url.indexOf('/#'))
      expect(url.endsWith(`#token=${token}`)).toBe(true)
      const page = await fetch(origin + '/')
      expect(page.status).toBe(200)
      expect(await page.text()).toContain('<div id="root">')
      const status = await fetch(origin + '/api/status', {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: '{}'
      })
      const body = (await status.json()) as {
        ok: boolean
        value: { demo: boolean; accounts: number }
      }
      expect(body).toMatchObject({ ok: true, value: { demo: true, accounts: 1 } })
      const rules = await fetch(origin + '/api/rules.list', {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: '{}'
      })
      expect(((await rules.json()) as { value: unknown[] }).value.length).toBeGreaterThan(10)
    } finally {
      child.kill('SIGTERM')
      await new Promise((r) => child.once('exit', r))
    }
    expect(stderr).not.toMatch(/Error:/)
  }, 90_000)
})
