/**
 * A timer that never fires before `ms` have passed on performance.now(), as Go's timers behind k6's
 * sleep() and scenario deadlines never do. Node's timers run on libuv's loop time, which is kept in
 * whole milliseconds and read once per loop turn, so setTimeout(fn, ms) can fire up to a
 * millisecond early by performance.now(); this one re-arms for what is left.
 */
import type { InterruptSignal } from './interrupt.ts';

export class AtLeastTimer {
  private handle: NodeJS.Timeout;

  constructor(ms: number, fn: () => void) {
    const at = performance.now() + ms;
    const fire = () => {
      const left = at - performance.now();
      if (left > 0) this.handle = setTimeout(fire, left);
      else fn();
    };
    this.handle = setTimeout(fire, ms);
  }

  cancel(): void {
    clearTimeout(this.handle);
  }
}

/**
 * A promise resolved once `ms` have passed (an AtLeastTimer), or rejected with `reason()` when
 * `signal` aborts first (or already has). `Ctor` lets a caller have its own promise class.
 */
export function delay(
  ms: number,
  signal: InterruptSignal | null | undefined,
  reason: () => unknown,
  Ctor: PromiseConstructor = Promise,
): Promise<void> {
  if (signal?.aborted) return Ctor.reject(reason());
  return new Ctor<void>((resolve, reject) => {
    const onAbort = () => {
      timer.cancel();
      reject(reason());
    };
    const timer = new AtLeastTimer(ms, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
