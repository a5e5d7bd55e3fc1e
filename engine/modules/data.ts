/**
 * k6/data: SharedArray. Its builder runs once per thread (the first VU of the thread to reach it)
 * and the result is frozen and shared, read-only, by every VU of that thread.
 */
import type { ModuleFactory } from './api.ts';
import { stateOf } from '../runtime/vu-state.ts';

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v as object)) deepFreeze(x);
  }
  return v;
}

export const createModule: ModuleFactory = (vu) => {
  const st = stateOf(vu);
  class SharedArray {
    constructor(name: string, build: () => unknown[]) {
      if (typeof name !== 'string' || name === '')
        throw new TypeError('new SharedArray(name, fn): the name must be a non-empty string');
      if (typeof build !== 'function')
        throw new TypeError('new SharedArray(name, fn): fn must be a function returning an array');
      st.initOnly('new SharedArray()');
      let data = st.host.sharedArrays.get(name) as unknown[] | undefined;
      if (!data) {
        const built = build();
        if (!Array.isArray(built)) throw new TypeError(`SharedArray ${name}: the function must return an array`);
        data = deepFreeze(JSON.parse(JSON.stringify(built)) as unknown[]);
        st.host.sharedArrays.set(name, data);
      }
      return data as unknown as SharedArray;
    }
  }
  return { SharedArray, default: { SharedArray } };
};
