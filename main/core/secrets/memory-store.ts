import type { SecretStore } from '../ports'

import { assertValidSecret, assertValidSlot } from './errors'

/**
 * A SecretStore that keeps secrets in process memory only: for replays, the demo and tests,
 * where touching the user's real keychain would be wrong. It validates like the keychain store so
 * code that passes here does not fail later against the OS keychain for a bad slot or value.
 */
export class MemorySecretStore implements SecretStore {
  private readonly slots = new Map<string, string>()

  /** @param initial slots to start with, e.g. the scenario's account keys in a replay. */
  constructor(initial: Iterable<readonly [string, string]> = []) {
    for (const [slot, value] of initial) {
      assertValidSlot(slot)
      assertValidSecret(value)
      this.slots.set(slot, value)
    }
  }

  async set(slot: string, value: string): Promise<void> {
    assertValidSlot(slot)
    assertValidSecret(value)
    this.slots.set(slot, value)
  }

  async get(slot: string): Promise<string | null> {
    assertValidSlot(slot)
    return this.slots.get(slot) ?? null
  }

  async delete(slot: string): Promise<boolean> {
    assertValidSlot(slot)
    return this.slots.delete(slot)
  }

  /** Slot names currently held (never the values), for assertions and diagnostics. */
  slotNames(): string[] {
    return [...this.slots.keys()]
  }
}
