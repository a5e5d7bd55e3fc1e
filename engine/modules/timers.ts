/**
 * k6/timers: setTimeout, clearTimeout, setInterval, clearInterval on the event loop. A timeout never
 * fires before its delay (AtLeastTimer), as k6's Go timers never do; Node's can, by up to a millisecond.
 */
import type { ModuleFactory } from './api.ts';
import { AtLeastTimer } from '../runtime/timer.ts';

type Handle = AtLeastTimer | ReturnType<typeof setInterval>;

function clear(t: Handle | undefined): void {
  if (t instanceof AtLeastTimer) t.cancel();
  else clearTimeout(t);
}

export const createModule: ModuleFactory = () => {
  const api = {
    setTimeout: (fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]): Handle => new AtLeastTimer(Number(ms) || 0, () => fn(...args)),
    clearTimeout: clear,
    setInterval: (fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]): Handle => setInterval(fn, ms, ...args),
    clearInterval: clear,
  };
  return { ...api, default: api };
};
