/**
 * `__k6.seq(target, method, callback, ...rest)`: an Array higher-order method whose callback the
 * whole-script rewrite made async (transform/whole.ts). The callbacks run one after another, each
 * awaited, in the method's order, and the result is what the method returns under k6, where the
 * callback blocks. Arrays and typed arrays are walked by index (holes skipped as the built-ins skip
 * them, except by find/findIndex); a Map's or Set's forEach by its entries. Anything else is a
 * TypeError naming the method: the rewrite only sees the method's name, not the object.
 */
type Cb = (...args: unknown[]) => unknown;

function elements(target: unknown, method: string): ArrayLike<unknown> {
  if (Array.isArray(target) || (ArrayBuffer.isView(target) && !(target instanceof DataView)))
    return target as ArrayLike<unknown>;
  throw new TypeError(
    `${method}() with a callback that blocks (sleep, http, ...) is supported on arrays, Maps and Sets by the engine's async mode; got ${Object.prototype.toString.call(target)} (run with --mode sync)`,
  );
}

async function forEachEntry(target: Map<unknown, unknown> | Set<unknown>, cb: Cb, thisArg: unknown): Promise<void> {
  if (target instanceof Map) for (const [k, v] of target) await cb.call(thisArg, v, k, target);
  else for (const v of target) await cb.call(thisArg, v, v, target);
}

export async function seq(target: unknown, method: string, cb: Cb, ...rest: unknown[]): Promise<unknown> {
  if (method === 'forEach' && (target instanceof Map || target instanceof Set))
    return forEachEntry(target, cb, rest[0]);
  const a = elements(target, method);
  if (typeof cb !== 'function') throw new TypeError(`${String(cb)} is not a function`);
  const len = a.length;
  const has = (i: number) => method === 'find' || method === 'findIndex' || i in a;
  if (method === 'reduce') {
    let i = 0;
    let acc: unknown;
    if (rest.length > 0) acc = rest[0];
    else {
      while (i < len && !(i in a)) i++;
      if (i >= len) throw new TypeError('Reduce of empty array with no initial value');
      acc = a[i++];
    }
    for (; i < len; i++) if (i in a) acc = await cb(acc, a[i], i, target);
    return acc;
  }
  const thisArg = rest[0];
  const out: unknown[] = [];
  for (let i = 0; i < len; i++) {
    if (!has(i)) continue;
    const v = a[i];
    const r = await cb.call(thisArg, v, i, target);
    switch (method) {
      case 'map':
        out[i] = r;
        break;
      case 'filter':
        if (r) out.push(v);
        break;
      case 'flatMap':
        if (Array.isArray(r)) out.push(...(r as unknown[]));
        else out.push(r);
        break;
      case 'some':
        if (r) return true;
        break;
      case 'every':
        if (!r) return false;
        break;
      case 'find':
        if (r) return v;
        break;
      case 'findIndex':
        if (r) return i;
        break;
    }
  }
  if (method === 'map') {
    out.length = len;
    return Array.isArray(target)
      ? out
      : new (target as { constructor: new (x: unknown[]) => unknown }).constructor(out);
  }
  if (method === 'filter' && !Array.isArray(target))
    return new (target as { constructor: new (x: unknown[]) => unknown }).constructor(out);
  if (method === 'some') return false;
  if (method === 'every') return true;
  if (method === 'find') return undefined;
  if (method === 'findIndex') return -1;
  return method === 'forEach' ? undefined : out;
}
