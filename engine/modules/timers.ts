/**
 * k6/timers: setTimeout, clearTimeout, setInterval, clearInterval on the event loop. A timeout never
 * fires before its delay (AtLeastTimer), as k6's Go timers never do; Node's can, by up to a millisecond.
 * A callback due while its VU is in a blocking call (sleep, a rewritten sync call) runs after it.
 */
import type { ModuleFactory } from './api.ts';
import { AtLeastTimer } from '../runtime/timer.ts';
import { stateOf } from '../runtime/vu-state.ts';

type Handle = AtLeastTimer | ReturnType<typeof setInterval>;

function clear(t: Handle | undefined): void {
  if (t instanceof AtLeastTimer) t.cancel();
  else clearTimeout(t);
}

export const createModule: ModuleFactory = (vu) => {
  // k6's sleep() and sync calls block the VU's event loop: a callback due meanwhile runs after them.
  const st = stateOf(vu);
  const api = {
    setTimeout: (fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]): Handle =>
      new AtLeastTimer(Number(ms) || 0, () => st.whenFree(() => fn(...args))),
    clearTimeout: clear,
    setInterval: (fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]): Handle => setInterval(() => st.whenFree(() => fn(...args)), ms),
    clearInterval: clear,
  };
  return { ...api, default: api };
};
