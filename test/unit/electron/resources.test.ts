import { resolve } from 'node:path'

import { describe, expect, it } from 'vitest'

import { resourcesDir } from '../../../main/electron/resources'

describe('resourcesDir', () => {
  it("is the repository's resources folder in development", () => {
    expect(
      resourcesDir({ isPackaged: false, resourcesPath: '/ignored', appPath: '/src/vigil' })
    ).toBe(resolve('/src/vigil/resources'))
  })

  it("is the packaged app's resources folder once packaged", () => {
    expect(
      resourcesDir({
        isPackaged: true,
        resourcesPath: '/opt/Vigil/resources',
        appPath: '/opt/Vigil/resources/app.asar'
      })
    ).toBe(resolve('/opt/Vigil/resources'))
  })
})
