/**
 * Errors and input checks shared by every SecretStore, so the keychain and the in-memory store
 * reject the same inputs with the same words.
 */

/** What went wrong, for callers that react differently (e.g. the UI offers "unlock" for 'locked'). */
export type SecretStoreErrorCode =
  'unavailable' | 'locked' | 'too-long' | 'ambiguous' | 'bad-encoding' | 'invalid-input' | 'failed'

/**
 * A secret-store failure explained in plain language. The message and `detail` never contain the
 * secret value: they end up in logs, the UI and bug reports.
 */
export class SecretStoreError extends Error {
  override readonly name = 'SecretStoreError'

  constructor(
    readonly code: SecretStoreErrorCode,
    message: string,
    /** The platform's own words, with the secret redacted, for support and debugging. */
    readonly detail?: string
  ) {
    super(message)
  }
}

/** Longest slot name we accept; keychains index on it and the core's slots are short. */
export const MAX_SLOT_LENGTH = 200

/** Rejects slot names that no keychain handles the same way (empty, huge, control characters). */
export function assertValidSlot(slot: unknown): asserts slot is string {
  if (typeof slot !== 'string' || slot.length === 0) {
    throw new SecretStoreError('invalid-input', 'A secret slot name must be a non-empty string.')
  }
  if (slot.length > MAX_SLOT_LENGTH) {
    throw new SecretStoreError(
      'invalid-input',
      `A secret slot name must be at most ${MAX_SLOT_LENGTH} characters (got ${slot.length}).`
    )
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(slot)) {
    throw new SecretStoreError(
      'invalid-input',
      'A secret slot name must not contain control characters.'
    )
  }
}

/**
 * Rejects values that cannot be a credential. An empty value is refused because it always means
 * a form sent nothing; storing it would hide that bug until the exchange rejects the key.
 */
export function assertValidSecret(value: unknown): asserts value is string {
  if (typeof value !== 'string') {
    throw new SecretStoreError('invalid-input', 'A secret must be a string.')
  }
  if (value.length === 0) {
    throw new SecretStoreError('invalid-input', 'Refusing to store an empty secret.')
  }
}
