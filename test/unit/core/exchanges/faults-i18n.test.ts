/**
 * Connector-internal faults travel as descriptors: the sentence is translated, the exchange's own
 * text, codes, call names and technical paths stay verbatim inside it. A scan of the connector
 * sources keeps new English-only faults from coming back.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

import { describe, expect, it } from 'vitest'

import { englishText, formatMessage } from '../../../../main/api/messages'
import { ExchangeFault } from '../../../../main/core/exchanges/connector'
import { manualRevokeMsg } from '../../../../main/core/exchanges/generic-capabilities'
import { parseBalance, parseOrders } from '../../../../main/core/exchanges/generic-parse'
import {
  parseBitgetAccountInfo,
  parseHtxUid,
  parseKrakenApiKeyInfo
} from '../../../../main/core/exchanges/key-info'

const faultOf = (fn: () => unknown): ExchangeFault => {
  try {
    fn()
  } catch (error) {
    if (error instanceof ExchangeFault) return error
    throw error
  }
  throw new Error('did not throw')
}

const zhCN = (f: ExchangeFault) => formatMessage('zh-CN', f.msg)
const zhTW = (f: ExchangeFault) => formatMessage('zh-TW', f.msg)

describe('connector faults in Chinese', () => {
  it('Kraken / Bitget / HTX refusing the key read: translated, their own reason verbatim', () => {
    const kraken = faultOf(() => parseKrakenApiKeyInfo({ error: ['EAPI:Invalid key'] }))
    expect(kraken.message).toBe('Kraken: the exchange refused the call (EAPI:Invalid key)')
    expect(zhCN(kraken)).toBe('Kraken：交易所拒绝了此次调用（EAPI:Invalid key）')

    const bitget = faultOf(() =>
      parseBitgetAccountInfo({ code: '40006', msg: 'Invalid ACCESS_KEY', data: null })
    )
    expect(bitget.message).toBe(
      'Bitget: the exchange refused the call (code 40006: Invalid ACCESS_KEY)'
    )
    expect(zhTW(bitget)).toBe('Bitget：交易所拒絕了這次呼叫（錯誤碼 40006：Invalid ACCESS_KEY）')

    const htx = faultOf(() => parseHtxUid({ code: 2002, ok: false }))
    expect(zhCN(htx)).toBe('HTX：交易所拒绝了此次调用（错误码 2002）')
  })

  it('malformed answers: the sentence translated, the call name and path verbatim', () => {
    const notJson = faultOf(() => parseKrakenApiKeyInfo('{"error":'))
    expect(notJson.message).toMatch(/API key information: the response was not valid JSON/)
    expect(zhCN(notJson)).toBe(
      'Kraken：交易所返回了 Vigil 无法解析的响应（API key information：响应不是有效的 JSON）'
    )

    const shape = faultOf(() => parseKrakenApiKeyInfo({ error: [], result: { permissions: 1 } }))
    expect(shape.message).toMatch(/API key information: unexpected shape at result\.\w+/)
    expect(zhCN(shape)).toMatch(
      /^Kraken：交易所返回了 Vigil 无法解析的响应（API key information：响应格式不符合预期，位置 result\.\w+）$/
    )

    const orders = faultOf(() => parseOrders(42, 'open orders', 'orders', 'Kraken'))
    expect(orders.message).toBe(
      'Kraken: the exchange sent a response Vigil could not read (open orders: expected a list, got number)'
    )
    expect(zhTW(orders)).toBe(
      'Kraken：交易所傳回了 Vigil 無法解析的回應（open orders：應為清單，實際為 number）'
    )
    expect(zhCN(faultOf(() => parseBalance({ info: {} }, 'balances', 'Kraken')))).toMatch(
      /^Kraken：交易所返回了 Vigil 无法解析的响应（balance：(缺少总额|响应格式不符合预期)）$/
    )
  })

  it("Kraken's revoke hint is part of the translated manual step", () => {
    const step = manualRevokeMsg('kraken', '…7f3a')
    expect(englishText(step)).toContain('(Settings → API, then delete the key)')
    expect(formatMessage('zh-CN', step)).toContain('（进入“Settings → API”，然后删除该密钥）')
    expect(formatMessage('zh-CN', step)).not.toContain('then delete')
  })
})

/** The top-level arguments of the call whose `(` is at `open` (strings and nesting respected). */
const callArgs = (text: string, open: number): string[] => {
  const args: string[] = []
  let depth = 0
  let quote: string | null = null
  let start = open + 1
  for (let i = open; i < text.length; i++) {
    const c = text[i]!
    if (quote) {
      if (c === '\\') i++
      else if (c === quote) quote = null
      continue
    }
    if (c === "'" || c === '"' || c === '`') quote = c
    else if (c === '(' || c === '[' || c === '{') depth++
    else if (c === ')' || c === ']' || c === '}') {
      depth--
      if (depth === 0) {
        args.push(text.slice(start, i).trim())
        return args
      }
    } else if (c === ',' && depth === 1) {
      args.push(text.slice(start, i).trim())
      start = i + 1
    }
  }
  return args
}

describe('connector sources', () => {
  const dir = resolve(__dirname, '../../../../main/core/exchanges')
  const sources = readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => ({ file: f, text: readFileSync(join(dir, f), 'utf8') }))

  it('build no fault, malformed reason or key-disable reason from an English string', () => {
    const offenders: string[] = []
    const where = (file: string, text: string, index: number) =>
      `${file}:${text.slice(0, index).split('\n').length}`
    // Calls whose sentence argument must be a descriptor, not a string or template literal.
    const calls: [RegExp, number][] = [
      [/new ExchangeFault\(/g, 1],
      [/new MessageError\(/g, 0],
      [/\bmalformed\(/g, 0],
      [/\bkeyNotDisabled\(/g, 1],
      [/\bthrow new Error\(/g, 0]
    ]
    for (const { file, text } of sources) {
      for (const [re, n] of calls)
        for (const m of text.matchAll(re)) {
          const arg = callArgs(text, m.index! + m[0].length - 1)[n] ?? ''
          if (/^[`'"]/.test(arg)) offenders.push(`${where(file, text, m.index!)}: ${m[0]} ${arg}`)
        }
      for (const m of text.matchAll(/\b(error|detail):\s*[`"]/g))
        offenders.push(`${where(file, text, m.index!)}: ${m[0]}`)
    }
    expect(offenders).toEqual([])
  })
})
