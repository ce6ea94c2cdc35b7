/**
 * The popup lifecycle every notifier shares, so that "the same id replaces" and "close" mean the
 * same thing on every platform and in the test fakes.
 */
import type { NotificationHandle } from '../../core/ports'

/**
 * One shown notification as the core sees it.
 *
 * - `settle(action)` ends it; the first call wins.
 * - When a newer notification with the same id replaced it, it answers with the newer popup's
 *   answer: the user sees a single popup, so a single answer covers both. An action that was
 *   already chosen on this popup still wins over the replacement.
 * - `close()` on a replaced handle does nothing: the popup now belongs to the newer handle.
 */
export class PopupHandle implements NotificationHandle {
  readonly response: Promise<string | null>
  private resolve!: (value: string | null | PromiseLike<string | null>) => void
  private done = false
  private successor: PopupHandle | undefined

  /** @param onClose asks the platform to take the popup down; it must end in `settle(null)`. */
  constructor(private readonly onClose: () => void) {
    this.response = new Promise((resolve) => (this.resolve = resolve))
  }

  /** True once the popup is gone (answered, dismissed, expired, closed or failed). */
  get settled(): boolean {
    return this.done
  }

  /** True once a newer notification with the same id took this popup over. */
  get replaced(): boolean {
    return this.successor !== undefined
  }

  close(): void {
    if (this.done || this.successor) return
    this.onClose()
  }

  /** Marks this popup as taken over by `next` (same request id). */
  replaceWith(next: PopupHandle): void {
    this.successor = next
  }

  /** Ends the popup with the chosen action id, or null when it closed without an answer. */
  settle(action: string | null): void {
    if (this.done) return
    this.done = true
    if (action !== null) this.resolve(action)
    else if (this.successor) this.resolve(this.successor.response)
    else this.resolve(null)
  }
}

/** The live popup per request id, so a re-notify finds the popup it must replace. */
export class LivePopups<H extends PopupHandle> {
  private readonly byId = new Map<string, H>()

  /**
   * Makes `next` the live popup for `id`. Returns the popup it replaces (already marked as
   * replaced), or undefined when none is showing.
   */
  claim(id: string, next: H): H | undefined {
    const previous = this.byId.get(id)
    this.byId.set(id, next)
    void next.response.then(() => {
      if (this.byId.get(id) === next) this.byId.delete(id)
    })
    if (!previous || previous.settled) return undefined
    previous.replaceWith(next)
    return previous
  }

  get(id: string): H | undefined {
    const handle = this.byId.get(id)
    return handle && !handle.settled ? handle : undefined
  }

  /** Live popups, oldest first. */
  all(): H[] {
    return [...this.byId.values()].filter((handle) => !handle.settled)
  }
}
