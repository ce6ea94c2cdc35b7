import { beforeEach, describe, expect, it, vi } from 'vitest'

import { claimSingleInstance } from '../../../main/electron/single-instance'
import { app, resetElectronMock } from '../../support/mocks/electron'

vi.mock('electron', () => import('../../support/mocks/electron'))

beforeEach(() => resetElectronMock())

describe('claimSingleInstance', () => {
  it('the first instance takes the lock and is told about later launches', () => {
    let shown = 0
    expect(claimSingleInstance(() => shown++)).toBe(true)
    app.launchSecondInstance(['vigil'])
    app.launchSecondInstance(['vigil', '--hidden'])
    expect(shown).toBe(2)
  })

  it('a second instance does not get the lock and registers nothing', () => {
    app.singleInstanceLockAvailable = false
    let shown = 0
    expect(claimSingleInstance(() => shown++)).toBe(false)
    expect(app.listenerCount('second-instance')).toBe(0)
    app.emit('second-instance')
    expect(shown).toBe(0)
  })
})
