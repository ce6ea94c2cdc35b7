/**
 * KeyringStore against the real Secret Service. Run under a private session with an unlocked
 * gnome-keyring and a fresh XDG_DATA_HOME (what `./vigil test` and CI do):
 *
 *   export XDG_DATA_HOME=$(mktemp -d)
 *   dbus-run-session -- sh -c 'printf ci-keyring-pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null; npx vitest run test/integration/core/secrets'
 */
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

import { Entry } from '@napi-rs/keyring'
import { afterEach, describe, expect, it } from 'vitest'

import { KEYRING_SERVICE, KeyringStore } from '../../../../main/core/secrets/keyring-store'

const bus = process.env.DBUS_SESSION_BUS_ADDRESS
const SKIP_REASON =
  'no DBUS_SESSION_BUS_ADDRESS: run under dbus-run-session with gnome-keyring-daemon unlocked (see the header of this file, or ./vigil test)'
if (!bus) console.warn(`[keyring-store.test] skipped: ${SKIP_REASON}`)

// A service of our own per run: the tests must never read or overwrite a developer's real Vigil keys.
const service = `vigil-test-${randomBytes(4).toString('hex')}`
const secret = (label: string): string => `${label}-${randomBytes(12).toString('hex')}`

describe.skipIf(!bus)(
  `KeyringStore on the real Secret Service${bus ? '' : ` (skipped: ${SKIP_REASON})`}`,
  () => {
    const store = new KeyringStore({ service })
    const used = new Set<string>()
    const slot = (name: string): string => {
      used.add(name)
      return name
    }

    afterEach(async () => {
      for (const name of used) await store.delete(name)
      used.clear()
    })

    it('files secrets under the "vigil" service by default', () => {
      expect(new KeyringStore().service).toBe(KEYRING_SERVICE)
      expect(KEYRING_SERVICE).toBe('vigil')
    })

    it('sets, gets, overwrites and deletes a secret', async () => {
      const s = slot('account:acc-1')
      const first = secret('first')
      const second = secret('second')

      await store.set(s, first)
      expect(await store.get(s)).toBe(first)

      await store.set(s, second)
      expect(await store.get(s)).toBe(second)

      expect(await store.delete(s)).toBe(true)
      expect(await store.get(s)).toBeNull()
    })

    it('reports a missing slot as null and deleting it as false', async () => {
      const s = slot('account:never-stored')
      expect(await store.get(s)).toBeNull()
      expect(await store.delete(s)).toBe(false)
    })

    it('round-trips unicode and long values unchanged', async () => {
      const unicode = 'pässwörd 秘密 🔑 مفتاح e\u0301 \u{1F600}\u200d' + secret('')
      const long = randomBytes(12 * 1024).toString('base64') // ~16 KiB, longer than any exchange secret or PEM key
      await store.set(slot('channel:unicode'), unicode)
      await store.set(slot('channel:long'), long)
      expect(await store.get('channel:unicode')).toBe(unicode)
      expect(await store.get('channel:long')).toBe(long)
    })

    it('keeps slots isolated from each other', async () => {
      const a = secret('a')
      const b = secret('b')
      await store.set(slot('account:a'), a)
      await store.set(slot('account:b'), b)
      expect(await store.get('account:a')).toBe(a)
      expect(await store.get('account:b')).toBe(b)

      expect(await store.delete('account:a')).toBe(true)
      expect(await store.get('account:a')).toBeNull()
      expect(await store.get('account:b')).toBe(b)
    })

    it('keeps services isolated: the same slot under another service is a different secret', async () => {
      const other = new KeyringStore({ service: `${service}-other` })
      await store.set(slot('account:shared-name'), secret('ours'))
      expect(await other.get('account:shared-name')).toBeNull()
    })

    it('stores the secret in the OS keyring and writes no plaintext under the data dir', async () => {
      const dataHome = process.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share')
      const keyringDir = join(dataHome, 'keyrings')
      const before = Date.now()
      const value = secret('on-disk-check')

      await store.set(slot('account:disk'), value)

      // Read back through a fresh Entry from the library itself, not through our store: the value
      // really lives in the Secret Service, not in some cache of KeyringStore.
      expect(new Entry(service, 'account:disk').getPassword()).toBe(value)

      // gnome-keyring persisted the item (its keyring file changed) but never in plaintext. Scan the
      // whole data dir when it is a throwaway one (CI, ./vigil test), else only the keyrings.
      const files = listFiles(process.env.XDG_DATA_HOME ? dataHome : keyringDir)
      const keyringFiles = files.filter((f) => f.startsWith(keyringDir) && f.endsWith('.keyring'))
      expect(keyringFiles.length).toBeGreaterThan(0)
      expect(keyringFiles.some((f) => statSync(f).mtimeMs >= before - 1000)).toBe(true)
      const needles = [Buffer.from(value, 'utf8'), Buffer.from(value, 'utf16le')]
      const leaking = files.filter((f) => {
        const bytes = readFileSync(f)
        return needles.some((n) => bytes.includes(n))
      })
      expect(leaking).toEqual([])
    })

    it('verify() proves a working keychain and leaves nothing behind', async () => {
      await expect(store.verify()).resolves.toBeUndefined()
      expect(new Entry(service, 'vigil-probe').getPassword()).toBeNull()
    })

    // These two run the store in a child process: the keyring library keeps its D-Bus connection
    // for the life of the process, so the broken setups need a process of their own.
    it('explains an unreachable Secret Service in plain words without leaking the secret', () => {
      const value = secret('must-not-leak')
      const result = storeInChild(value, {
        env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/vigil-test-bus' }
      })
      expect(result.code).toBe('unavailable')
      expect(result.message).toMatch(/locked or unavailable \(Secret Service not running\)/)
      expect(result.raw).not.toContain(value)
    })

    it('explains a keyring without an unlocked collection as locked', () => {
      const value = secret('must-not-leak')
      // A fresh session whose gnome-keyring got an empty password: it cannot create the login
      // collection without a GUI prompt, which is what a locked desktop keyring looks like.
      const result = storeInChild(value, {
        wrap: [
          'dbus-run-session',
          '--',
          'sh',
          '-c',
          'printf "" | gnome-keyring-daemon --unlock --components=secrets >/dev/null; exec "$@"',
          'sh'
        ],
        env: { ...process.env, XDG_DATA_HOME: mkdtempSync(join(tmpdir(), 'vigil-locked-')) }
      })
      expect(result.code).toBe('locked')
      expect(result.message).toMatch(/keychain is locked/)
      expect(result.raw).not.toContain(value)
    })

    it('rejects bad input before touching the keychain', async () => {
      await expect(store.set('', 'x')).rejects.toMatchObject({ code: 'invalid-input' })
      await expect(store.set('account:x', '')).rejects.toMatchObject({ code: 'invalid-input' })
      await expect(store.get('bad\nslot')).rejects.toMatchObject({ code: 'invalid-input' })
    })
  }
)

interface ChildResult {
  code?: string
  message?: string
  /** Everything the child printed, to check that the secret appears nowhere. */
  raw: string
}

/** Runs `KeyringStore.set` in a separate Node process and reports the error it threw. */
function storeInChild(
  value: string,
  options: { env: NodeJS.ProcessEnv; wrap?: string[] }
): ChildResult {
  const storeModule = pathToFileURL(resolve('main/core/secrets/keyring-store.ts')).href
  const script = `import(${JSON.stringify(storeModule)}).then(async ({ KeyringStore }) => {
    try {
      await new KeyringStore({ service: ${JSON.stringify(service)} }).set('account:child', process.env.VIGIL_TEST_SECRET)
      console.log(JSON.stringify({ ok: true }))
    } catch (e) {
      console.log(JSON.stringify({ code: e.code, message: e.message, detail: e.detail, stack: e.stack }))
    }
  })`
  const node = [process.execPath, '--import', 'tsx', '-e', script]
  const [command, ...args] = [...(options.wrap ?? []), ...node]
  const run = spawnSync(command, args, {
    env: { ...options.env, VIGIL_TEST_SECRET: value },
    encoding: 'utf8',
    timeout: 20_000
  })
  const raw = `${run.stdout}\n${run.stderr}`
  const line = run.stdout.split('\n').find((l) => l.startsWith('{'))
  if (!line) throw new Error(`child printed no result: ${raw}`)
  return { ...(JSON.parse(line) as Omit<ChildResult, 'raw'>), raw }
}

/** Every regular file under `dir` (the data dir is a small fresh temp dir in CI). */
function listFiles(dir: string): string[] {
  const out: string[] = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...listFiles(path))
    else if (entry.isFile()) out.push(path)
  }
  return out
}
