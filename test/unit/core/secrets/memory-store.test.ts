import { describe, expect, it } from 'vitest'

import { MemorySecretStore } from '../../../../main/core/secrets/memory-store'

describe('MemorySecretStore', () => {
  it('sets, gets, overwrites and deletes', async () => {
    const store = new MemorySecretStore()
    await store.set('account:a', 'one')
    expect(await store.get('account:a')).toBe('one')
    await store.set('account:a', 'two')
    expect(await store.get('account:a')).toBe('two')
    expect(await store.delete('account:a')).toBe(true)
    expect(await store.get('account:a')).toBeNull()
    expect(await store.delete('account:a')).toBe(false)
  })

  it('keeps slots apart and lists names, never values', async () => {
    const store = new MemorySecretStore([['account:seeded', 's3cret']])
    await store.set('channel:x', 'other')
    expect(await store.get('account:seeded')).toBe('s3cret')
    expect(store.slotNames().sort()).toEqual(['account:seeded', 'channel:x'])
  })

  it('rejects the inputs the keychain store rejects', async () => {
    const store = new MemorySecretStore()
    await expect(store.set('', 'x')).rejects.toMatchObject({ code: 'invalid-input' })
    await expect(store.set('account:a', '')).rejects.toMatchObject({ code: 'invalid-input' })
    await expect(store.get('a'.repeat(201))).rejects.toMatchObject({ code: 'invalid-input' })
    await expect(store.delete('tab\there')).rejects.toMatchObject({ code: 'invalid-input' })
    expect(() => new MemorySecretStore([['account:a', '']])).toThrow(/empty secret/)
  })
})
