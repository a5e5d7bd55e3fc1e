/**
 * A cheap stand-in for AbortController/AbortSignal on the per-iteration path (Node's
 * AbortController costs an EventTarget per iteration). It has the part of AbortSignal's shape the
 * engine uses: `aborted`, `reason`, add/removeEventListener('abort').
 */
export class Interrupt {
  aborted = false;
  reason: unknown = undefined;
  private listeners: Array<() => void> | null = null;

  addEventListener(_type: 'abort', fn: () => void, _opts?: { once?: boolean }): void {
    (this.listeners ??= []).push(fn);
  }

  removeEventListener(_type: 'abort', fn: () => void): void {
    const l = this.listeners;
    if (!l) return;
    const i = l.indexOf(fn);
    if (i >= 0) l.splice(i, 1);
  }

  abort(reason?: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const l = this.listeners;
    this.listeners = null;
    if (l) for (const fn of l) fn();
  }
}

/** What the engine accepts where it waits on an interruption: an AbortSignal or an Interrupt. */
export type InterruptSignal = Pick<Interrupt, 'aborted' | 'addEventListener' | 'removeEventListener'>;
