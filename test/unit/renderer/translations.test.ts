import { describe, expect, it } from 'vitest'

import { MESSAGE_CATALOGS } from '../../../main/api/messages'
import { en } from '../../../renderer/src/i18n/locales/en'
import { zhCN } from '../../../renderer/src/i18n/locales/zh-CN'
import { zhTW } from '../../../renderer/src/i18n/locales/zh-TW'

type Tree = { [key: string]: string | Tree }

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>()
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key
    if (typeof value === 'string') out.set(path, value)
    else for (const [k, v] of flatten(value, path)) out.set(k, v)
  }
  return out
}

const placeholders = (text: string) =>
  [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort()

const locales = { en: flatten(en), 'zh-CN': flatten(zhCN), 'zh-TW': flatten(zhTW) }

describe('translations', () => {
  for (const [name, strings] of Object.entries(locales)) {
    if (name === 'en') continue
    it(`${name} has exactly the English keys`, () => {
      const missing = [...locales.en.keys()].filter((k) => !strings.has(k))
      const extra = [...strings.keys()].filter((k) => !locales.en.has(k))
      expect({ missing, extra }).toEqual({ missing: [], extra: [] })
    })

    it(`${name} keeps every placeholder and leaves nothing empty or untranslated`, () => {
      for (const [key, english] of locales.en) {
        const text = strings.get(key) ?? ''
        expect(text.trim(), key).not.toBe('')
        expect(placeholders(text), key).toEqual(placeholders(english))
      }
      // Long English sentences left in place are the usual sign of a forgotten string.
      const same = [...locales.en].filter(
        ([key, english]) => english.split(' ').length > 3 && strings.get(key) === english
      )
      expect(same).toEqual([])
    })
  }

  it('every rule parameter has a label (alert reasoning lists the parameters it used)', () => {
    const rules = import.meta.glob<string>('../../../resources/rules/*.yaml', {
      query: '?raw',
      import: 'default',
      eager: true
    })
    const params = new Set<string>()
    for (const source of Object.values(rules)) {
      const block = /^params:\n((?: {2}.*\n?)*)/m.exec(source)?.[1] ?? ''
      for (const m of block.matchAll(/^ {2}(\w+):/gm)) params.add(m[1]!)
    }
    expect(params.size).toBeGreaterThan(20)
    expect([...params].filter((p) => !locales.en.has(`reasoning.${p}`))).toEqual([])
  })

  it('every literal key the renderer uses exists in English', () => {
    const sources = import.meta.glob<string>('../../../renderer/src/**/*.{ts,tsx}', {
      query: '?raw',
      import: 'default',
      eager: true
    })
    expect(Object.keys(sources).length).toBeGreaterThan(10)
    const used = new Set<string>()
    for (const source of Object.values(sources)) {
      for (const match of source.matchAll(/\bt\(\s*'([a-zA-Z0-9_.-]+)'/g)) used.add(match[1])
      // Keys picked by a condition: t(cond ? 'a.b' : 'c.d')
      for (const match of source.matchAll(/\bt\(\s*[^'`()]+\?\s*'([\w.-]+)'\s*:\s*'([\w.-]+)'/g)) {
        used.add(match[1])
        used.add(match[2])
      }
    }
    expect(used.size).toBeGreaterThan(100)
    const missing = [...used].filter((k) => !locales.en.has(k))
    expect(missing).toEqual([])
  })
})

/**
 * The message catalog (main/api/messages.ts) that main and the window both render descriptors
 * from: same codes in every language (English alone has `.one` / `.other` plural forms), the same
 * `{placeholders}`, nothing empty or left in English.
 */
describe('message catalog', () => {
  const base = (code: string) => code.replace(/\.(one|other)$/, '')
  const vars = (text: string) =>
    [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort()
  const english = MESSAGE_CATALOGS.en

  it('English plural forms come in pairs with the same placeholders', () => {
    for (const code of Object.keys(english).filter((c) => /\.one$/.test(c))) {
      const other = english[code.replace(/\.one$/, '.other')]
      expect(other, code).toBeDefined()
      expect(vars(other!), code).toEqual(vars(english[code]!))
    }
  })

  for (const language of ['zh-CN', 'zh-TW'] as const) {
    const catalog = MESSAGE_CATALOGS[language]

    it(`${language} has exactly the English codes`, () => {
      const codes = new Set(Object.keys(english).map(base))
      const missing = [...codes].filter((c) => !(c in catalog))
      const extra = Object.keys(catalog).filter((c) => !codes.has(c))
      expect({ missing, extra }).toEqual({ missing: [], extra: [] })
    })

    it(`${language} keeps every placeholder and leaves nothing empty or in English`, () => {
      for (const [code, text] of Object.entries(english)) {
        const translated = catalog[base(code)] ?? ''
        expect(translated.trim(), code).not.toBe('')
        expect(vars(translated), code).toEqual(vars(text))
        if (text.split(' ').length > 3) {
          expect(translated, code).not.toBe(text)
          expect(translated, code).toMatch(/[\u4e00-\u9fff]/)
        }
      }
    })
  }

  it('every code the sources use is in the catalog', () => {
    const sources = import.meta.glob<string>('../../../main/**/*.ts', {
      query: '?raw',
      import: 'default',
      eager: true
    })
    const used = new Set<string>()
    for (const source of Object.values(sources))
      for (const match of source.matchAll(/\bmsg\(\s*'([\w.-]+)'/g)) used.add(match[1]!)
    expect(used.size).toBeGreaterThan(100)
    const codes = new Set(Object.keys(english).map(base))
    expect([...used].filter((c) => !codes.has(c))).toEqual([])
  })
})
