import { describe, expect, it } from 'vitest'

import { SseParser } from '../../../renderer/src/api/sse'

describe('SseParser', () => {
  it('parses events split across arbitrary chunk boundaries', () => {
    const text = 'event: alert\ndata: {"a":1}\n\n: ping\n\nevent: status\ndata: {"b":2}\n\n'
    for (let cut = 1; cut < text.length; cut++) {
      const parser = new SseParser()
      const got = [...parser.push(text.slice(0, cut)), ...parser.push(text.slice(cut))]
      expect(got, `cut at ${cut}`).toEqual([
        { event: 'alert', data: '{"a":1}' },
        { event: 'status', data: '{"b":2}' }
      ])
    }
  })

  it('handles CRLF, CR, multi-line data, missing space and unnamed events', () => {
    const parser = new SseParser()
    expect(parser.push('event:account\r\ndata:line1\r\ndata: line2\r\n\r\n')).toEqual([
      { event: 'account', data: 'line1\nline2' }
    ])
    expect(parser.push('data: x\r')).toEqual([])
    // A lone CR may be half of a CRLF, so the blank line is only certain once more text arrives.
    expect(parser.push('\r')).toEqual([])
    expect(parser.push('data: y\n\n')).toEqual([
      { event: 'message', data: 'x' },
      { event: 'message', data: 'y' }
    ])
  })

  it('ignores comments, unknown fields and events without data', () => {
    const parser = new SseParser()
    expect(parser.push(': connected\n\nid: 7\nretry: 100\nevent: alert\n\n')).toEqual([])
  })
})
