/**
 * k6's event loop for one VU iteration: the iteration ends only once the k6/timers callbacks it
 * scheduled have run (a setTimeout fired, a setInterval cleared). A callback that throws ends the
 * iteration at once, as a failed one; whatever is still pending when an iteration ends (failed or
 * interrupted) is cancelled, an interval with k6's warning. Checked against k6 v2.2.0.
 */
import { InterruptError } from '../errors.ts';
import type { InterruptSignal } from './interrupt.ts';

const POLL_MS = 50;

interface Pending {
  readonly cancel: () => void;
  /** setInterval's id as the script sees it (for the warning), or null for a timeout. */
  readonly intervalId: number | null;
}

export class IterationTimers {
  private readonly pending = new Map<object, Pending>();
  private failure: { err: unknown } | null = null;
  private waiter: { resolve: () => void; reject: (err: unknown) => void } | null = null;
  private nextId = 1;

  constructor(private readonly warn: (message: string) => void) {}

  /** A timer of the running iteration (numbered per VU, as k6 numbers them, for the warning). */
  add(handle: object, cancel: () => void, interval: boolean): void {
    const id = this.nextId++;
    this.pending.set(handle, { cancel, intervalId: interval ? id : null });
  }

  /** The timer fired (a timeout) or was cleared. */
  done(handle: object): void {
    if (!this.pending.delete(handle)) return;
    if (this.pending.size === 0 && this.waiter) this.waiter.resolve();
  }

  /** Whether a timer of the running iteration is still pending. */
  hasPending(): boolean {
    return this.pending.size > 0;
  }

  /** A callback of the running iteration threw: the iteration fails with `err`. */
  fail(err: unknown): void {
    this.failure ??= { err };
    this.waiter?.reject(err);
  }

  /**
   * Resolves once no timer is pending; rejects with a callback's error, or InterruptError on
   * `signal` or once `interrupted()` (a sync-mode VU's worker interrupts it through shared memory,
   * polled every POLL_MS while waiting).
   */
  async settle(signal: InterruptSignal | null, interrupted: () => boolean): Promise<void> {
    if (this.failure) throw this.failure.err;
    if (this.pending.size === 0) return;
    if (signal?.aborted || interrupted()) throw new InterruptError();
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => this.waiter?.reject(new InterruptError());
      const poll = setInterval(() => interrupted() && onAbort(), POLL_MS);
      signal?.addEventListener('abort', onAbort, { once: true });
      const off = () => {
        clearInterval(poll);
        signal?.removeEventListener('abort', onAbort);
        this.waiter = null;
      };
      this.waiter = {
        resolve: () => (off(), resolve()),
        reject: (err) => (off(), reject(err)),
      };
    });
  }

  /** The iteration ended: cancels what is still pending and forgets a failure. */
  reset(): void {
    for (const p of this.pending.values()) {
      p.cancel();
      if (p.intervalId !== null)
        this.warn(`setInterval ${p.intervalId} was stopped because the VU iteration was interrupted`);
    }
    this.pending.clear();
    this.failure = null;
    this.waiter = null;
  }
}
