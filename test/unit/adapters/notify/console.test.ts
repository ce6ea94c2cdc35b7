import { describe, expect, it } from 'vitest'

import { ConsoleNotifier } from '../../../../main/adapters/notify/console'
import type { LogFields, Logger } from '../../../../main/core/ports'

function recordingLogger(): Logger & { lines: Array<[string, string, LogFields | undefined]> } {
  const lines: Array<[string, string, LogFields | undefined]> = []
  const at = (level: string) => (message: string, fields?: LogFields) =>
    lines.push([level, message, fields])
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}

describe('ConsoleNotifier', () => {
  it('logs each notification, critical ones as warnings, and answers null', async () => {
    const logger = recordingLogger()
    const notifier = new ConsoleNotifier({ logger })
    expect(notifier.supportsActions).toBe(false)

    const handle = notifier.notify({
      id: 'incident:1',
      title: 'Possible key takeover',
      body: 'Deribit acc-1',
      urgency: 'critical',
      actions: [{ id: 'kill-switch', label: 'Kill switch' }]
    })
    notifier.notify({ id: 'info', title: 'Poll recovered', body: 'Bybit', urgency: 'low' })

    await expect(handle.response).resolves.toBeNull()
    handle.close()
    expect(logger.lines).toEqual([
      [
        'warn',
        'Notification: Possible key takeover',
        { id: 'incident:1', urgency: 'critical', body: 'Deribit acc-1', actions: ['kill-switch'] }
      ],
      ['info', 'Notification: Poll recovered', { id: 'info', urgency: 'low', body: 'Bybit' }]
    ])
  })
})
