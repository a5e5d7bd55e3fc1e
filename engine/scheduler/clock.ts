/** The real clock of executors: performance.now() from an origin, absolute wake-ups. */
import type { Clock } from '../executors/context.ts';

export class PerfClock implements Clock {
  constructor(private readonly origin: number) {}

  now(): number {
    return performance.now() - this.origin;
  }

  /**
   * Resolves once now() >= at. A timer fires on libuv's loop time, in whole milliseconds, up to a
   * millisecond before performance.now() gets there; it is re-armed for what is left, so that a
   * caller woken at a deadline never still reads a time before it (an executor stopping at its end
   * would otherwise see a VU start one more iteration after it stopped waiting for them).
   */
  sleepUntil(at: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (at - this.now() <= 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout;
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal!.reason);
      };
      const fire = () => {
        const left = at - this.now();
        if (left > 0) {
          timer = setTimeout(fire, left);
          return;
        }
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      timer = setTimeout(fire, at - this.now());
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** A clock for a scenario that starts `offset` ms after this clock's origin. */
  shifted(offset: number): PerfClock {
    return new PerfClock(this.origin + offset);
  }
}
