/**
 * k6/timers: setTimeout, clearTimeout, setInterval, clearInterval on the event loop. A timeout never
 * fires before its delay (AtLeastTimer), as k6's Go timers never do; Node's can, by up to a millisecond.
 * A callback due while its VU is in a blocking call (sleep, a rewritten sync call) runs after it.
 * Timers belong to what set them: an iteration (or setup, teardown, handleSummary) or the VU's init
 * context, which ends once they ran (runtime/iteration-timers.ts), as k6's event loop does.
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
  // A callback belongs to the running iteration (setup, teardown, handleSummary, the init context):
  // it waits for it, and a throw fails it.
  const run = (fn: (...a: unknown[]) => void, args: unknown[]): void => {
    try {
      fn(...args);
    } catch (err) {
      st.timers.fail(err);
    }
  };
  const api = {
    setTimeout: (fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]): Handle => {
      const t: AtLeastTimer = new AtLeastTimer(Number(ms) || 0, () =>
        st.whenFree(() => {
          if (cleared.has(t)) return;
          run(fn, args); // before done(): a throw must fail what waits for the last timer
          st.timers.done(t);
        }),
      );
      st.timers.add(t, () => clear(t), false);
      return t;
    },
    clearTimeout: (t: Handle | undefined) => {
      clear(t);
      if (typeof t === 'object' && t !== null) st.timers.done(t);
    },
    setInterval: (fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]): Handle => {
      // Ticks due during a blocking call collapse into one, as a Go ticker drops ticks a busy reader misses.
      let queued = false;
      const t: Handle = setInterval(() => {
        if (queued) return;
        queued = true;
        st.whenFree(() => {
          queued = false;
          if (!cleared.has(t)) run(fn, args);
        });
      }, ms);
      st.timers.add(t, () => clear(t), true);
      return t;
    },
    clearInterval: (t: Handle | undefined) => {
      clear(t);
      if (typeof t === 'object' && t !== null) st.timers.done(t);
    },
  };
  return { ...api, default: api };
};
