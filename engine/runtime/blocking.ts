/**
 * The runtime half of the blocking-call rewrite (engine/transform/): async twins of blocking
 * module functions, and the hook object `__k6` a bundle's code reaches them through.
 *
 * A module registers a twin for a VU's function (`registerTwin(get, asyncGet)`) when that VU runs
 * on the async path; `twinOf(fn)` gives the twin, or the function itself (a VU on a thread of its
 * own blocks for real, and awaiting a plain value costs a microtask).
 */
const twins = new WeakMap<object, (...args: never[]) => unknown>();

export function registerTwin<A extends unknown[], R>(fn: (...args: A) => R, twin: (...args: A) => Promise<R>): void {
  twins.set(fn, twin as (...args: never[]) => unknown);
}

export function twinOf(fn: unknown): unknown {
  return typeof fn === 'function' ? (twins.get(fn) ?? fn) : fn;
}
