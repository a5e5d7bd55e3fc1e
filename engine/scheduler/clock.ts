/** The real clock of executors: performance.now() from an origin, absolute wake-ups. */
import type { Clock } from '../executors/context.ts';

export class PerfClock implements Clock {
  constructor(private readonly origin: number) {}

  now(): number {
    return performance.now() - this.origin;
  }

  sleepUntil(at: number, signal?: AbortSignal): Promise<void> {
    const delay = at - this.now();
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (delay <= 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal!.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, delay);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** A clock for a scenario that starts `offset` ms after this clock's origin. */
  shifted(offset: number): PerfClock {
    return new PerfClock(this.origin + offset);
  }
}
