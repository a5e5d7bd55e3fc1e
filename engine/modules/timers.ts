/**
 * k6/timers: setTimeout, clearTimeout, setInterval, clearInterval on the event loop. A timeout never
 * fires before its delay (AtLeastTimer), as k6's Go timers never do; Node's can, by up to a millisecond.
 * A callback due while its VU is in a blocking call (sleep, a rewritten sync call) runs after it.
 */
import type { ModuleFactory } from './api.ts';
import { AtLeastTimer } from '../runtime/timer.ts';
import { stateOf } from '../runtime/vu-state.ts';

type Handle = AtLeastTimer | ReturnType<typeof setInterval>;

/** Timers cleared by the script: a callback held during a blocking call (see below) is dropped. */
const cleared = new WeakSet<object>();

function clear(t: Handle | undefined): void {
  if (t instanceof AtLeastTimer) t.cancel();
  else clearTimeout(t);
  if (typeof t === 'object' && t !== null) cleared.add(t);
}

export const createModule: ModuleFactory = (vu) => {
  // k6's sleep() and sync calls block the VU's event loop: a callback due meanwhile runs after them.
  const st = stateOf(vu);
  const api = {
    setTimeout: (fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]): Handle => {
      const t: AtLeastTimer = new AtLeastTimer(Number(ms) || 0, () => st.whenFree(() => cleared.has(t) || fn(...args)));
      return t;
    },
    clearTimeout: clear,
    setInterval: (fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]): Handle => {
      // Ticks due during a blocking call collapse into one, as a Go ticker drops ticks a busy reader misses.
      let queued = false;
      const t: Handle = setInterval(() => {
        if (queued) return;
        queued = true;
        st.whenFree(() => {
          queued = false;
          if (!cleared.has(t)) fn(...args);
        });
      }, ms);
      return t;
    },
    clearInterval: clear,
  };
  return { ...api, default: api };
};
