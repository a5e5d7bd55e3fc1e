/**
 * The globals a script sees, as under k6 (v2.2): the ECMAScript built-ins, `console`, `__ENV`,
 * `__VU`, `__ITER`, `open`, `require`, `global`/`globalThis`, the k6/timers functions, k6's WebCrypto
 * `crypto` (webcrypto.ts) and `TextEncoder`/`TextDecoder`. Node's own globals (`process`, `Buffer`,
 * `fetch`, `setImmediate`, `URL`, `structuredClone`, ...) are undefined, as they are under k6.
 *
 * The bundle runs in the engine's own realm (compiled with `vm.compileFunction`, bundle.ts), so the
 * engine shadows those names: each becomes a binding of the script's wrapper function, holding
 * `undefined`, and `globalThis`/`global` are a view of the realm's global object on which they
 * read as undefined. One deliberate difference: `performance` stays (the High Resolution Time API
 * that scripts/llm-stream.ts measures time to first token with, falling back to Date.now() under k6).
 */
import { createModule as createTimers } from '../modules/timers.ts';
import type { VuState } from './vu-state.ts';
import { k6Crypto } from './webcrypto.ts';

/** Own properties of k6's global object (k6 v2.2.0, `Object.getOwnPropertyNames(globalThis)`). */
const K6_GLOBALS = new Set(
  (
    'AggregateError Array ArrayBuffer BigInt BigInt64Array BigUint64Array Boolean DataView Date Error EvalError ' +
    'Float32Array Float64Array Function Infinity Int16Array Int32Array Int8Array JSON Map Math NaN Number Object ' +
    'Promise Proxy RangeError ReferenceError Reflect RegExp Set String Symbol SyntaxError TextDecoder TextEncoder ' +
    'TypeError URIError Uint16Array Uint32Array Uint8Array Uint8ClampedArray WeakMap WeakSet __ENV __VU ' +
    'clearInterval clearTimeout console crypto decodeURI decodeURIComponent encodeURI encodeURIComponent escape ' +
    'eval exports global globalThis isFinite isNaN module open parseFloat parseInt require setInterval setTimeout ' +
    'undefined unescape'
  ).split(' '),
);
/** Node globals the engine leaves visible on purpose (see the header). */
const KEPT = new Set(['performance']);
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** The k6 globals the engine provides itself (not the realm's): the script wrapper's parameters. */
export const PROVIDED = [
  'globalThis',
  'global',
  'crypto',
  'setTimeout',
  'clearTimeout',
  'setInterval',
  'clearInterval',
];

let hiddenCache: readonly string[] | null = null;
/** Whether this thread said, once, that a script wrote to the global object its VUs share. */
let warnedShared = false;

/** Under k6 each VU has a global object of its own; an async-mode thread's VUs share one (docs/engine.md). */
export function sharedGlobalWarning(key: string): string {
  return (
    `the script set globalThis.${key}: in async mode the VUs of one thread share the global object, where ` +
    'each k6 VU has its own; keep per-VU state in a module-level variable, or run with --mode sync'
  );
}

/** Names of this realm's global object that k6 does not have (configurable ones: a Proxy may hide them). */
export function hiddenGlobals(): readonly string[] {
  hiddenCache ??= Object.getOwnPropertyNames(globalThis).filter(
    (n) =>
      IDENTIFIER.test(n) &&
      !K6_GLOBALS.has(n) &&
      !KEPT.has(n) &&
      Object.getOwnPropertyDescriptor(globalThis, n)?.configurable === true,
  );
  return hiddenCache;
}

/** The script wrapper's parameter names for the globals, in the order `globalValues` returns them. */
export function globalNames(): string[] {
  return [...PROVIDED, ...hiddenGlobals()];
}

/**
 * The values of `globalNames()` for one VU: a global view, k6's crypto, its own timers, then
 * undefined for the hidden. `vuGlobals`: the VU's other globals (`console`, `__ENV`, `__VU`, `open`,
 * `require`), which the view shows as properties too, as k6's global object has them.
 */
export function globalValues(st: VuState, vuGlobals: Readonly<Record<string, unknown>>): unknown[] {
  const timers = createTimers(st) as Record<string, unknown>;
  const own: Record<string, unknown> = {
    ...vuGlobals,
    Math: st.math, // the VU's own, as the bare name is (bundle.ts)
    crypto: k6Crypto,
    setTimeout: timers.setTimeout,
    clearTimeout: timers.clearTimeout,
    setInterval: timers.setInterval,
    clearInterval: timers.clearInterval,
  };
  const hidden = new Set(hiddenGlobals());
  const view = new Proxy(globalThis, {
    get: (target, key, receiver) => {
      if (typeof key === 'string') {
        if (hidden.has(key)) return undefined;
        if (Object.hasOwn(own, key)) return own[key];
        if (key === 'globalThis' || key === 'global') return receiver;
      }
      return Reflect.get(target, key);
    },
    has: (target, key) =>
      typeof key === 'string' && hidden.has(key) ? false : Object.hasOwn(own, key) || Reflect.has(target, key),
    set: (target, key, value) => {
      // VU 0 (options, setup, teardown) has the parent's global object to itself.
      if (st.mode === 'async' && st.idInTest > 0 && !warnedShared) {
        warnedShared = true;
        st.host.log('WARN', sharedGlobalWarning(String(key)));
      }
      return Reflect.set(target, key, value);
    },
  });
  return [view, view, own.crypto, own.setTimeout, own.clearTimeout, own.setInterval, own.clearInterval].concat(
    hiddenGlobals().map(() => undefined),
  );
}
