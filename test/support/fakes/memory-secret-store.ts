/**
 * Tests use the product's own in-memory SecretStore: it is real behaviour (same validation as the
 * keychain store), so there is nothing to fake.
 */
export { MemorySecretStore } from '../../../main/core/secrets/memory-store'
