/** k6: check, group, sleep, fail, randomSeed. */
import type { Tags } from '../metrics/api.ts';
import type { ModuleFactory } from './api.ts';
import { stateOf } from '../runtime/vu-state.ts';
import { mulberry32 } from '../runtime/mulberry32.ts';

type Checker = ((value: unknown) => unknown) | unknown;


export const createModule: ModuleFactory = (vu) => {
  const st = stateOf(vu);
  const sink = vu.metrics;
  let lastBase: Tags | null = null;
  const checkTags = new Map<string, Tags>();

  const check = (value: unknown, sets: Record<string, Checker>, tags?: Record<string, string>): boolean => {
    if (typeof sets !== 'object' || sets === null) throw new TypeError('check: the second argument must be an object of name -> condition');
    const base = st.currentTags();
    if (base !== lastBase) {
      checkTags.clear();
      lastBase = base;
    }
    let all = true;
    for (const name of Object.keys(sets)) {
      const c = sets[name];
      const ok = Boolean(typeof c === 'function' ? (c as (v: unknown) => unknown)(value) : c);
      let t: Tags | undefined = tags ? { ...base, ...tags, check: name } : checkTags.get(name);
      if (!t) {
        t = { ...base, check: name };
        checkTags.set(name, t);
      }
      sink.add('checks', ok ? 1 : 0, t);
      if (!ok) all = false;
    }
    return all;
  };

  const group = (name: string, fn: () => unknown): unknown => {
    if (typeof name !== 'string' || name === '') throw new TypeError('group: the name must be a non-empty string');
    if (name.includes('::')) throw new Error(`group name ${JSON.stringify(name)} may not contain "::"`);
    if (typeof fn !== 'function') throw new TypeError('group: the second argument must be a function');
    if (st.phaseNow === 'init') throw new Error('group() cannot be called in the init context');
    const prev = st.groupPath;
    st.setGroup(`${prev}::${name}`);
    const t0 = performance.now();
    const end = () => {
      sink.add('group_duration', performance.now() - t0, st.currentTags());
      st.setGroup(prev);
    };
    let r: unknown;
    try {
      r = fn();
    } catch (err) {
      end();
      throw err;
    }
    if (r && typeof (r as Promise<unknown>).then === 'function') {
      return (r as Promise<unknown>).then(
        (v) => (end(), v),
        (err) => {
          end();
          throw err;
        },
      );
    }
    end();
    return r;
  };

  const sleep = (seconds: number): Promise<void> | undefined => {
    if (typeof seconds !== 'number' || !(seconds >= 0)) throw new TypeError(`sleep: expected seconds >= 0, got ${JSON.stringify(seconds)}`);
    return st.sleep(seconds * 1000);
  };

  const fail = (message?: string): never => {
    throw new Error(message ?? 'fail() called');
  };

  const randomSeed = (seed: number): void => {
    if (typeof seed !== 'number') throw new TypeError('randomSeed: expected a number');
    // This VU's Math only (see VuState.math): other VUs of the thread keep their own sequence.
    st.math.random = mulberry32(seed);
  };

  const api = { check, group, sleep, fail, randomSeed };
  return { ...api, default: api };
};
