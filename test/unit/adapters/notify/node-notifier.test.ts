import { describe, expect, it } from 'vitest'

import {
  mapNodeNotifierAnswer,
  NodeNotifierNotifier,
  stableNumericId,
  type NodeNotifierBackend,
  type NodeNotifierCallback
} from '../../../../main/adapters/notify/node-notifier'
import type { NotificationRequest } from '../../../../main/core/ports'

// node-notifier's real backends (terminal-notifier, SnoreToast) only run on macOS / Windows, so
// these tests drive the adapter through a backend that records calls and answers like them.
class ScriptedBackend implements NodeNotifierBackend {
  readonly calls: Array<{ options: Record<string, unknown>; callback: NodeNotifierCallback }> = []
  notify(options: Record<string, unknown>, callback: NodeNotifierCallback): void {
    this.calls.push({ options, callback })
  }
}

const request: NotificationRequest = {
  id: 'incident:7',
  title: 'Possible key takeover',
  body: 'Deribit acc-1',
  urgency: 'critical',
  actions: [
    { id: 'kill-switch', label: 'Kill switch' },
    { id: 'snooze', label: 'Snooze' }
  ]
}

describe('NodeNotifierNotifier on macOS', () => {
  const setup = () => {
    const backend = new ScriptedBackend()
    return { backend, notifier: new NodeNotifierNotifier({ platform: 'darwin', backend }) }
  }

  it('asks terminal-notifier for actions, waiting, a replace group and a long timeout', () => {
    const { backend, notifier } = setup()
    notifier.notify(request)
    expect(notifier.supportsActions).toBe(true)
    expect(backend.calls[0]!.options).toMatchObject({
      title: 'Possible key takeover',
      message: 'Deribit acc-1',
      wait: true,
      timeout: 600,
      group: 'vigil:incident:7',
      actions: ['Kill switch', 'Snooze'],
      dropdownLabel: 'Respond',
      closeLabel: 'Dismiss'
    })
  })

  it('maps a clicked action back to its id, and a body click to default', async () => {
    const { backend, notifier } = setup()
    const first = notifier.notify(request)
    backend.calls[0]!.callback(null, 'activate', {
      activationType: 'actionClicked',
      activationValue: 'Snooze',
      activationValueIndex: '1'
    })
    await expect(first.response).resolves.toBe('snooze')

    const second = notifier.notify(request)
    backend.calls[1]!.callback(null, 'activate', { activationType: 'contentsClicked' })
    await expect(second.response).resolves.toBe('default')
  })

  it('a replaced popup answers with its replacement; close() removes the group', async () => {
    const { backend, notifier } = setup()
    const first = notifier.notify(request)
    const second = notifier.notify({ ...request, body: 'updated' })
    backend.calls[0]!.callback(null, 'closed', { activationType: 'closed' }) // removed by the group
    first.close() // no longer owns the popup
    expect(backend.calls).toHaveLength(2)

    second.close()
    expect(backend.calls[2]!.options).toEqual({ remove: 'vigil:incident:7' })
    await expect(second.response).resolves.toBeNull()
    await expect(first.response).resolves.toBeNull()
  })

  it('passes no undefined flags and keeps separators out of button labels', () => {
    const { backend, notifier } = setup()
    notifier.notify({ ...request, actions: [{ id: 'kill-switch', label: 'Cancel, revoke' }] })
    const options = backend.calls[0]!.options
    expect(Object.values(options)).not.toContain(undefined)
    expect(options).not.toHaveProperty('icon')
    expect(options.actions).toEqual(['Cancel  revoke'])
  })

  it('turns a backend error into null', async () => {
    const { backend, notifier } = setup()
    const handle = notifier.notify(request)
    backend.calls[0]!.callback(new Error('terminal-notifier missing'), undefined)
    await expect(handle.response).resolves.toBeNull()
  })
})

describe('NodeNotifierNotifier on Windows', () => {
  it('sends toast buttons with a stable numeric id and maps the clicked button', async () => {
    const backend = new ScriptedBackend()
    const notifier = new NodeNotifierNotifier({
      platform: 'win32',
      backend,
      windowsAppId: 'com.vigil.app'
    })
    const handle = notifier.notify(request)
    expect(backend.calls[0]!.options).toMatchObject({
      actions: ['Kill switch', 'Snooze'],
      id: stableNumericId('incident:7'),
      appID: 'com.vigil.app',
      wait: true
    })
    backend.calls[0]!.callback(null, 'kill switch', {
      action: 'buttonClicked',
      button: 'Kill switch'
    } as never)
    await expect(handle.response).resolves.toBe('kill-switch')
  })
})

describe('mapNodeNotifierAnswer', () => {
  it('answers null for timeouts, dismissals and unknown buttons', () => {
    expect(mapNodeNotifierAnswer(request, 'timeout', { activationType: 'timeout' })).toBeNull()
    expect(mapNodeNotifierAnswer(request, 'dismissed', {})).toBeNull()
    expect(mapNodeNotifierAnswer(request, 'other', { button: 'Other' })).toBeNull()
    expect(mapNodeNotifierAnswer(request, undefined, undefined)).toBeNull()
  })
})

describe('stableNumericId', () => {
  it('is positive, 31-bit and the same for the same id', () => {
    const id = stableNumericId('incident:7')
    expect(id).toBe(stableNumericId('incident:7'))
    expect(id).toBeGreaterThan(0)
    expect(id).toBeLessThan(2 ** 31)
    expect(stableNumericId('incident:8')).not.toBe(id)
  })
})
