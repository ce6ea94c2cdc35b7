/**
 * The OS keychain as Vigil's SecretStore: macOS Keychain, Windows Credential Manager, or the
 * Secret Service (gnome-keyring, KWallet) on Linux, through @napi-rs/keyring. It is plain Node, so
 * the Electron shell and the headless entry share it.
 */
import { randomBytes } from 'node:crypto'

import { AsyncEntry, type EntryOptions, type LinuxStore } from '@napi-rs/keyring'

import type { SecretStore } from '../ports'

import {
  assertValidSecret,
  assertValidSlot,
  SecretStoreError,
  type SecretStoreErrorCode
} from './errors'

/** The keychain service every Vigil secret is filed under; the slot is the account name. */
export const KEYRING_SERVICE = 'vigil'

/** Slot used by {@link KeyringStore.verify}; chosen so it can never collide with `account:` / `channel:` slots. */
export const PROBE_SLOT = 'vigil-probe'

export interface KeyringStoreOptions {
  /** Keychain service name. Tests pass their own so they never touch a user's real Vigil slots. */
  service?: string
  /**
   * Linux only. Defaults to 'secret-service'. The library's automatic choice falls back to the
   * kernel keyring when no Secret Service answers, which keeps secrets only until logout or
   * reboot: a guardian that silently forgets its keys after a reboot is worse than one that says
   * at once that the keychain is missing. 'auto' restores the library's fallback.
   */
  linuxStore?: LinuxStore | 'auto'
  /** Used only to word errors for the platform; defaults to `process.platform`. */
  platform?: NodeJS.Platform
}

type Operation = 'store' | 'read' | 'delete'

/**
 * SecretStore over @napi-rs/keyring's async API (the keychain can block on D-Bus or an unlock
 * prompt; the main process must not). Every failure becomes a {@link SecretStoreError} in plain
 * language that never contains the secret.
 *
 * Caveat: a locked Secret Service collection reads as "no secret" (the library returns null
 * rather than an error). Call {@link KeyringStore.verify} at start-up to tell the two apart.
 */
export class KeyringStore implements SecretStore {
  readonly service: string
  private readonly entryOptions: EntryOptions | undefined
  private readonly platform: NodeJS.Platform

  constructor(options: KeyringStoreOptions = {}) {
    this.service = options.service ?? KEYRING_SERVICE
    this.platform = options.platform ?? process.platform
    const linuxStore = options.linuxStore ?? 'secret-service'
    this.entryOptions = linuxStore === 'auto' ? undefined : { linux: { store: linuxStore } }
  }

  async set(slot: string, value: string): Promise<void> {
    assertValidSlot(slot)
    assertValidSecret(value)
    await this.run('store', slot, (entry) => entry.setPassword(value), value)
  }

  async get(slot: string): Promise<string | null> {
    assertValidSlot(slot)
    return this.run('read', slot, (entry) => entry.getPassword())
  }

  async delete(slot: string): Promise<boolean> {
    assertValidSlot(slot)
    return this.run('delete', slot, (entry) => entry.deletePassword())
  }

  /**
   * Proves the keychain works end to end by writing, reading back and deleting a random value in
   * {@link PROBE_SLOT}. Throws a {@link SecretStoreError} explaining what is wrong otherwise.
   */
  async verify(): Promise<void> {
    const probe = randomBytes(16).toString('hex')
    await this.set(PROBE_SLOT, probe)
    try {
      const readBack = await this.get(PROBE_SLOT)
      if (readBack !== probe) {
        throw new SecretStoreError(
          'locked',
          'The OS keychain accepted a secret but did not return it: it is probably locked.'
        )
      }
    } finally {
      await this.delete(PROBE_SLOT)
    }
  }

  private async run<T>(
    operation: Operation,
    slot: string,
    action: (entry: AsyncEntry) => Promise<T>,
    secret?: string
  ): Promise<T> {
    try {
      // Creating the entry already talks to the platform (it opens the D-Bus connection on
      // Linux), so it fails here when there is no session bus; keep it inside the try.
      return await action(new AsyncEntry(this.service, slot, this.entryOptions))
    } catch (error) {
      throw explainKeyringError(error, { operation, slot, secret, platform: this.platform })
    }
  }
}

interface ErrorContext {
  operation: Operation
  slot: string
  /** The value being stored, only so it can be redacted from the platform's message. */
  secret?: string
  platform: NodeJS.Platform
}

/**
 * Turns a raw @napi-rs/keyring error into a {@link SecretStoreError} a trader can act on. The
 * platform's wording is kept in `detail`, with the secret redacted in case a backend echoes it.
 */
export function explainKeyringError(error: unknown, context: ErrorContext): SecretStoreError {
  const raw = error instanceof Error ? error.message : String(error)
  const detail =
    context.secret && raw.includes(context.secret)
      ? raw.split(context.secret).join('[redacted]')
      : raw
  const [code, explanation] = classify(detail.toLowerCase(), context.platform)
  return new SecretStoreError(
    code,
    `Could not ${context.operation} the secret "${context.slot}": ${explanation}`,
    detail
  )
}

function classify(message: string, platform: NodeJS.Platform): [SecretStoreErrorCode, string] {
  if (
    /dbus_session_bus_address|autolaunch|accessdenied|access denied|serviceunknown|not provided by any \.service|no such file|connection refused|couldn't connect|failed to connect/.test(
      message
    )
  ) {
    return ['unavailable', unavailableExplanation(platform)]
  }
  if (
    /no result found|locked|prompt was dismissed|dismissed|user canceled|interaction not allowed/.test(
      message
    )
  ) {
    return [
      'locked',
      'The OS keychain is locked. Unlock your login keychain (or create one with a password) and try again.'
    ]
  }
  if (/longer than platform limit|too long/.test(message)) {
    return ['too-long', 'The value is too long for this OS keychain.']
  }
  if (/ambiguous|matched by \d+ credentials/.test(message)) {
    return [
      'ambiguous',
      'More than one keychain entry matches this slot; remove the duplicates in your keychain manager.'
    ]
  }
  if (/utf-8|encoding/.test(message)) {
    return ['bad-encoding', 'The keychain entry does not hold valid text.']
  }
  return ['failed', 'The OS keychain reported an error.']
}

function unavailableExplanation(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'The macOS Keychain is locked or refused access to Vigil.'
  if (platform === 'win32') return 'Windows Credential Manager is unavailable for this user.'
  return (
    'The OS keychain is locked or unavailable (Secret Service not running). Run Vigil inside a ' +
    'desktop session with gnome-keyring or KWallet, or start gnome-keyring-daemon under ' +
    'dbus-run-session on a server.'
  )
}

/** Same class under the name the headless entry imports; one implementation, two spellings. */
export { KeyringStore as KeyringSecretStore }
