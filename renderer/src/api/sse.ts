/** One dispatched Server-Sent Event. */
export interface SseMessage {
  event: string
  data: string
}

/**
 * Incremental parser for the text/event-stream format, fed with decoded chunks as they arrive.
 * We read the stream with fetch rather than EventSource because EventSource cannot send an
 * Authorization header, and the token must never appear in a URL.
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */
export class SseParser {
  private buffer = ''
  private event = ''
  private data: string[] = []

  push(chunk: string): SseMessage[] {
    this.buffer += chunk
    const out: SseMessage[] = []
    let newline: number
    while ((newline = this.buffer.search(/\r\n|\r|\n/)) >= 0) {
      // A lone \r at the end of a chunk may be the first half of \r\n: wait for more input.
      if (this.buffer[newline] === '\r' && newline === this.buffer.length - 1) break
      const line = this.buffer.slice(0, newline)
      const skip = this.buffer.startsWith('\r\n', newline) ? 2 : 1
      this.buffer = this.buffer.slice(newline + skip)
      const message = this.line(line)
      if (message) out.push(message)
    }
    return out
  }

  private line(line: string): SseMessage | null {
    if (line === '') {
      const message = this.data.length
        ? { event: this.event || 'message', data: this.data.join('\n') }
        : null
      this.event = ''
      this.data = []
      return message
    }
    if (line.startsWith(':')) return null
    const colon = line.indexOf(':')
    const field = colon < 0 ? line : line.slice(0, colon)
    let value = colon < 0 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (field === 'event') this.event = value
    else if (field === 'data') this.data.push(value)
    return null
  }
}
