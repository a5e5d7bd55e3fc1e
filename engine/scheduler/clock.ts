/** The real clock of executors: performance.now() from an origin, absolute wake-ups. */
import type { Clock } from '../executors/context.ts';
import { delay } from '../runtime/timer.ts';

export class PerfClock implements Clock {
  constructor(private readonly origin: number) {}

  now(): number {
    return performance.now() - this.origin;
  }

  /**
   * Resolves once now() >= at (an AtLeastTimer: a plain timer can fire up to a millisecond before
   * performance.now() gets there, and an executor stopping at its end would then see a VU start one
   * more iteration after it stopped waiting for them).
   */
  sleepUntil(at: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const wait = at - this.now();
    if (wait <= 0) return Promise.resolve();
    return delay(wait, signal, () => signal!.reason);
  }

  /** A clock for a scenario that starts `offset` ms after this clock's origin. */
  shifted(offset: number): PerfClock {
    return new PerfClock(this.origin + offset);
  }
}
