import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

import { describe, expect, it } from 'vitest'

import {
  isTrustedRendererUrl,
  rendererEntry,
  rendererUrl,
  type RendererEntry
} from '../../../main/electron/renderer-url'

const mainDir = resolve('/opt/vigil/out/main')
const indexFile = resolve('/opt/vigil/out/renderer/index.html')
const fileEntry: RendererEntry = { kind: 'file', file: indexFile }
const devEntry: RendererEntry = { kind: 'url', origin: 'http://localhost:5173' }
const indexUrl = pathToFileURL(indexFile).href

describe('rendererEntry', () => {
  it('loads the built index.html next to the main bundle', () => {
    expect(rendererEntry({ isPackaged: true, devServerUrl: undefined, mainDir })).toEqual(fileEntry)
  })

  it('uses a loopback dev server only when not packaged', () => {
    expect(
      rendererEntry({ isPackaged: false, devServerUrl: 'http://localhost:5173/', mainDir })
    ).toEqual(devEntry)
    expect(
      rendererEntry({ isPackaged: true, devServerUrl: 'http://localhost:5173/', mainDir })
    ).toEqual(fileEntry)
  })

  it('ignores a dev server URL that is not plain http on loopback', () => {
    for (const devServerUrl of [
      'https://evil.example/',
      'http://evil.example:5173/',
      'http://localhost.evil.example:5173/',
      'http://127.0.0.1.nip.io:5173/',
      'file:///tmp/evil.html',
      'javascript:alert(1)',
      'not a url'
    ]) {
      expect(rendererEntry({ isPackaged: false, devServerUrl, mainDir }), devServerUrl).toEqual(
        fileEntry
      )
    }
  })
})

describe('rendererUrl', () => {
  it('puts routes in the fragment', () => {
    expect(rendererUrl(fileEntry)).toBe(indexUrl)
    expect(rendererUrl(fileEntry, '/alerts/inc-1')).toBe(`${indexUrl}#/alerts/inc-1`)
    expect(rendererUrl(devEntry, 'alerts/inc-1')).toBe('http://localhost:5173/#/alerts/inc-1')
  })
})

describe('isTrustedRendererUrl', () => {
  it("accepts the app's own page, with any route", () => {
    expect(isTrustedRendererUrl(indexUrl, fileEntry)).toBe(true)
    expect(isTrustedRendererUrl(`${indexUrl}#/alerts/x`, fileEntry)).toBe(true)
    expect(isTrustedRendererUrl(`${indexUrl}?lang=en`, fileEntry)).toBe(true)
    expect(isTrustedRendererUrl('http://localhost:5173/#/history', devEntry)).toBe(true)
  })

  it('rejects other files, network shares and other schemes for a file entry', () => {
    for (const url of [
      pathToFileURL(resolve('/opt/vigil/out/renderer/other.html')).href,
      pathToFileURL(resolve('/tmp/index.html')).href,
      pathToFileURL(resolve('/opt/vigil/out/renderer')).href,
      `file://attacker-host${pathToFileURL(indexFile).pathname}`,
      'https://evil.example/index.html',
      'http://localhost:5173/',
      'about:blank',
      'data:text/html,<script>1</script>',
      'javascript:alert(1)',
      'devtools://devtools/bundled/inspector.html',
      '',
      'not a url'
    ]) {
      expect(isTrustedRendererUrl(url, fileEntry), url).toBe(false)
    }
  })

  it('rejects look-alike origins for a dev entry', () => {
    for (const url of [
      'http://localhost:5174/',
      'https://localhost:5173/',
      'http://localhost.evil.example:5173/',
      'http://evil.example/?next=http://localhost:5173/',
      'http://127.0.0.1:5173/',
      indexUrl
    ]) {
      expect(isTrustedRendererUrl(url, devEntry), url).toBe(false)
    }
  })
})
