import { describe, expect, it } from 'vitest'

import { explainKeyringError } from '../../../../main/core/secrets/keyring-store'

// Messages as @napi-rs/keyring 2.1.2 produced them on Debian 12 (see toolchain.md section 4).
const recorded = {
  noBus: "Couldn't access platform storage: AccessDenied",
  noBusPinned:
    'Platform failure: DBus error: Using X11 for dbus-daemon autolaunch was disabled at compile time, set your DBUS_SESSION_BUS_ADDRESS instead',
  badSocket:
    'Platform failure: DBus error: Failed to connect to socket /nonexistent/x: No such file or directory',
  noCollection: "Couldn't access platform storage: Secret Service: no result found",
  promptDismissed: "Couldn't access platform storage: unlock prompt was dismissed"
}

const explain = (message: string, secret?: string) =>
  explainKeyringError(new Error(message), {
    operation: 'store',
    slot: 'account:a',
    secret,
    platform: 'linux'
  })

describe('explainKeyringError', () => {
  it('calls a missing Secret Service "locked or unavailable" in plain words', () => {
    for (const message of [recorded.noBus, recorded.noBusPinned, recorded.badSocket]) {
      const error = explain(message)
      expect(error.code).toBe('unavailable')
      expect(error.message).toBe(
        'Could not store the secret "account:a": The OS keychain is locked or unavailable (Secret Service not running). ' +
          'Run Vigil inside a desktop session with gnome-keyring or KWallet, or start gnome-keyring-daemon under dbus-run-session on a server.'
      )
      expect(error.detail).toBe(message)
    }
  })

  it('calls a keyring without an unlocked collection locked', () => {
    expect(explain(recorded.noCollection).code).toBe('locked')
    expect(explain(recorded.promptDismissed).code).toBe('locked')
  })

  it('words unavailability for macOS and Windows too', () => {
    const mac = explainKeyringError(new Error('AccessDenied'), {
      operation: 'read',
      slot: 's',
      platform: 'darwin'
    })
    expect(mac.message).toMatch(/macOS Keychain/)
    const win = explainKeyringError(new Error('AccessDenied'), {
      operation: 'read',
      slot: 's',
      platform: 'win32'
    })
    expect(win.message).toMatch(/Credential Manager/)
  })

  it('never carries the secret, even when the platform echoes it', () => {
    const error = explain(
      'Attribute password "hunter2-secret" is longer than platform limit of 2560 chars',
      'hunter2-secret'
    )
    expect(error.code).toBe('too-long')
    expect(`${error.message} ${error.detail} ${error.stack}`).not.toContain('hunter2-secret')
    expect(error.detail).toContain('[redacted]')
  })

  it('falls back to a generic explanation and keeps the platform words', () => {
    const error = explain('something new')
    expect(error.code).toBe('failed')
    expect(error.message).toMatch(/The OS keychain reported an error/)
    expect(error.detail).toBe('something new')
  })
})
