/**
 * `pause(seconds)`: a non-blocking wait for async iterations, on k6/timers. k6's
 * `sleep()` blocks the whole VU; `await pause(s)` lets the VU's other promises (pending
 * requests, handlers) run meanwhile, under the k6 binary and the kit's engine alike.
 */
import { setTimeout } from 'k6/timers';

export function pause(seconds: number): Promise<void> {
  return new Promise((resolve) => {
    setTimeout(resolve, Math.max(0, seconds * 1000));
  });
}
