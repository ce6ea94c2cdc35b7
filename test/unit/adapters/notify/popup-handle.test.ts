import { describe, expect, it } from 'vitest'

import { LivePopups, PopupHandle } from '../../../../main/adapters/notify/popup-handle'

describe('PopupHandle', () => {
  it('settles once; the first answer wins', async () => {
    const handle = new PopupHandle(() => {})
    handle.settle('kill-switch')
    handle.settle(null)
    await expect(handle.response).resolves.toBe('kill-switch')
  })

  it('close() asks the platform, unless the popup is gone or was replaced', () => {
    let closes = 0
    const handle = new PopupHandle(() => closes++)
    handle.close()
    expect(closes).toBe(1)
    handle.settle(null)
    handle.close()
    expect(closes).toBe(1)

    const replaced = new PopupHandle(() => closes++)
    replaced.replaceWith(new PopupHandle(() => {}))
    replaced.close()
    expect(closes).toBe(1)
  })

  it('a replaced popup without its own answer follows its replacement', async () => {
    const old = new PopupHandle(() => {})
    const next = new PopupHandle(() => {})
    old.replaceWith(next)
    old.settle(null)
    next.settle('snooze')
    await expect(old.response).resolves.toBe('snooze')
  })

  it('an answer given on the old popup before it was replaced is kept', async () => {
    const old = new PopupHandle(() => {})
    old.replaceWith(new PopupHandle(() => {}))
    old.settle('kill-switch')
    await expect(old.response).resolves.toBe('kill-switch')
  })
})

describe('LivePopups', () => {
  it('returns the live popup a claim replaces, and forgets settled ones', async () => {
    const live = new LivePopups<PopupHandle>()
    const a = new PopupHandle(() => {})
    const b = new PopupHandle(() => {})
    expect(live.claim('x', a)).toBeUndefined()
    expect(live.claim('x', b)).toBe(a)
    expect(a.replaced).toBe(true)
    expect(live.get('x')).toBe(b)

    b.settle(null)
    await b.response
    expect(live.get('x')).toBeUndefined()
    expect(live.claim('x', new PopupHandle(() => {}))).toBeUndefined()
    expect(live.all()).toHaveLength(1)
  })
})
