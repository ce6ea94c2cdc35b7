/**
 * A small stand-in for the core, for tests of the Electron shell: a real `VigilEvents` bus, a
 * status the test can change, and handlers that record their inputs. Only the methods the shell
 * itself calls (status, pause, killSwitch.fire) do something; every other method answers
 * 'unavailable', which is what the shell must pass through unchanged.
 */
import type { KillSwitchReport, Status } from '../../../main/api/contract'
import { ApiFailure } from '../../../main/api/dispatch'
import { METHODS } from '../../../main/api/methods'
import { VigilEvents } from '../../../main/core/events'
import type { Vigil, VigilHandlers } from '../../../main/core/vigil-types'

export const sampleStatus = (overrides: Partial<Status> = {}): Status => ({
  version: '0.1.0',
  mode: 'electron',
  demo: false,
  paused: false,
  pausedUntil: null,
  tray: 'watching',
  trayReason: 'Watching 2 accounts',
  accounts: 2,
  openIncidents: 0,
  countdowns: [],
  lastKillSwitch: null,
  ...overrides
})

export interface FakeVigil extends Pick<
  Vigil,
  'events' | 'handlers' | 'status' | 'start' | 'stop'
> {
  readonly calls: Array<{ method: string; input: unknown }>
  /** 'started' after start(), 'stopped' after stop(). */
  readonly lifecycle: string[]
  /** Changes the status and emits 'status', as the core does. */
  setStatus(overrides: Partial<Status>): void
}

export function createFakeVigil(initial: Partial<Status> = {}): FakeVigil {
  const events = new VigilEvents()
  const calls: FakeVigil['calls'] = []
  const lifecycle: string[] = []
  let status = sampleStatus(initial)

  const unavailable = Object.fromEntries(
    Object.values(METHODS).map((method) => [
      method,
      async (input: unknown) => {
        calls.push({ method, input })
        throw new ApiFailure('unavailable', `${method} is not part of this fake`)
      }
    ])
  )

  const handlers = {
    ...unavailable,
    async status(input: unknown) {
      calls.push({ method: 'status', input })
      return status
    },
    async pause(input: { minutes: number }) {
      calls.push({ method: 'pause', input })
      status = sampleStatus({
        ...status,
        paused: input.minutes > 0,
        pausedUntil: input.minutes > 0 ? Date.now() + input.minutes * 60_000 : null,
        tray: input.minutes > 0 ? 'paused' : 'watching'
      })
      return status
    },
    async 'killSwitch.fire'(input: unknown): Promise<KillSwitchReport> {
      calls.push({ method: 'killSwitch.fire', input })
      const now = Date.now()
      return {
        id: 'ks-1',
        trigger: 'test',
        startedAt: now,
        finishedAt: now,
        durationMs: 0,
        accounts: []
      }
    }
  } as unknown as VigilHandlers

  return {
    events,
    handlers,
    calls,
    lifecycle,
    status: () => status,
    async start() {
      lifecycle.push('started')
    },
    async stop() {
      lifecycle.push('stopped')
    },
    setStatus(overrides) {
      status = sampleStatus({ ...status, ...overrides })
      events.emit('status', status)
    }
  }
}
