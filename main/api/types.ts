/**
 * Types the renderer and preload share with main, without pulling zod into the browser bundle's
 * type graph at runtime (type-only re-exports are erased).
 */
export type {
  AccountView,
  AlertView,
  ApiError,
  EventView,
  IncidentView,
  Input,
  KillSwitchAccountResult,
  KillSwitchReport,
  MethodName,
  Output,
  Policy,
  RuleView,
  Settings,
  Status,
  VigilEventName,
  VigilEventPayload
} from './contract'

import type { Input, MethodName, Output, VigilEventName, VigilEventPayload } from './contract'

/** What `window.vigil` (Electron) and the HTTP client (headless) both implement. */
export interface VigilApi {
  call<M extends MethodName>(method: M, input: Input<M>): Promise<Output<M>>
  /** Subscribes to a pushed event; returns the unsubscribe function. */
  on<E extends VigilEventName>(
    event: E,
    listener: (payload: VigilEventPayload<E>) => void
  ): () => void
}
