/**
 * A small typed event emitter for the events the core pushes to the UI (see `api/contract.ts`
 * `eventsContract`). `on` returns the unsubscribe function, as the preload API does.
 */
import type { VigilEventName, VigilEventPayload } from '../api/contract'

type Listener<E extends VigilEventName> = (payload: VigilEventPayload<E>) => void

export class VigilEvents {
  private readonly listeners = new Map<VigilEventName, Set<Listener<VigilEventName>>>()

  on<E extends VigilEventName>(event: E, listener: Listener<E>): () => void {
    let set = this.listeners.get(event)
    if (!set) this.listeners.set(event, (set = new Set()))
    set.add(listener as Listener<VigilEventName>)
    return () => set.delete(listener as Listener<VigilEventName>)
  }

  emit<E extends VigilEventName>(event: E, payload: VigilEventPayload<E>): void {
    for (const listener of this.listeners.get(event) ?? []) {
      try {
        listener(payload)
      } catch {
        // A broken subscriber (a closed window, a dropped SSE stream) must not stop the others.
      }
    }
  }
}
