/** k6/timers: setTimeout, clearTimeout, setInterval, clearInterval (the event loop's own). */
import type { ModuleFactory } from './api.ts';

export const createModule: ModuleFactory = () => {
  const api = {
    setTimeout: (fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => setTimeout(fn, ms, ...args),
    clearTimeout: (t: ReturnType<typeof setTimeout>) => clearTimeout(t),
    setInterval: (fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => setInterval(fn, ms, ...args),
    clearInterval: (t: ReturnType<typeof setInterval>) => clearInterval(t),
  };
  return { ...api, default: api };
};
