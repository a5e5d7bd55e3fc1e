// The globals a script sees are k6's: Node's own (process, Buffer, fetch, ...) are undefined.
import { check } from 'k6';

const ABSENT = ['process', 'Buffer', 'fetch', 'setImmediate', 'clearImmediate', 'queueMicrotask', 'structuredClone',
  'URL', 'URLSearchParams', 'AbortController', 'atob', 'btoa', 'WebAssembly', 'Blob', 'Headers', 'Request',
  'Response', 'SharedArrayBuffer', 'WeakRef'];
const PRESENT = { console: 'object', __ENV: 'object', __VU: 'number', open: 'function', require: 'function',
  global: 'object', globalThis: 'object', setTimeout: 'function', clearTimeout: 'function',
  setInterval: 'function', clearInterval: 'function', crypto: 'object', TextEncoder: 'function' };

const absent = ABSENT.filter((n) => typeof globalThis[n] === 'undefined' && !(n in globalThis));
const typeofs = { process: typeof process, Buffer: typeof Buffer, fetch: typeof fetch, structuredClone: typeof structuredClone };
const present = Object.keys(PRESENT).filter((n) => typeof globalThis[n] === PRESENT[n]);
const direct = { console: typeof console, __ENV: typeof __ENV, __VU: typeof __VU, open: typeof open,
  require: typeof require, global: typeof global, setTimeout: typeof setTimeout, crypto: typeof crypto };

export const options = { iterations: 1 };

export default function () {
  check(absent, { "Node's globals are not on globalThis": (a) => a.length === ABSENT.length });
  check(typeofs, { "Node's globals are undefined by name": (t) => Object.values(t).every((v) => v === 'undefined') });
  check(present, { "k6's globals are on globalThis": (p) => p.length === Object.keys(PRESENT).length });
  check(direct, { "k6's globals are there by name": (d) => Object.keys(d).every((k) => d[k] === PRESENT[k]) });
  check(__ITER, { '__ITER is a number in the iteration': (i) => i === 0 });
}
