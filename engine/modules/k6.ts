/** k6: check, group, sleep, fail, randomSeed. */
import type { Tags } from '../metrics/api.ts';
import type { ModuleFactory } from './api.ts';
import { stateOf } from '../runtime/vu-state.ts';
import { mulberry32 } from '../runtime/mulberry32.ts';

type Checker = ((value: unknown) => unknown) | unknown;

const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  typeof (v as PromiseLike<unknown> | null)?.then === 'function';

export const createModule: ModuleFactory = (vu) => {
  const st = stateOf(vu);
  const sink = vu.metrics;
  let lastBase: Tags | null = null;
  const checkTags = new Map<string, Tags>();

  /**
   * A condition may be async (a callback the blocking-call rewrite made async, or the script's
   * own): from the first one that returns a promise on, each is awaited in turn and check()
   * returns a promise of the result.
   */
  const check = (
    value: unknown,
    sets: Record<string, Checker>,
    tags?: Record<string, string>,
  ): boolean | Promise<boolean> => {
    if (typeof sets !== 'object' || sets === null)
      throw new TypeError('check: the second argument must be an object of name -> condition');
    const base = st.currentTags();
    if (base !== lastBase) {
      checkTags.clear();
      lastBase = base;
    }
    let all = true;
    const record = (name: string, ok: boolean): void => {
      let t: Tags | undefined = tags
        ? { ...base, ...tags, check: name }
        : base === lastBase
          ? checkTags.get(name)
          : undefined;
      if (!t) {
        t = { ...base, check: name };
        if (base === lastBase) checkTags.set(name, t);
      }
      sink.add('checks', ok ? 1 : 0, t);
      if (!ok) all = false;
    };
    const evaluate = (c: Checker): unknown => (typeof c === 'function' ? (c as (v: unknown) => unknown)(value) : c);
    const names = Object.keys(sets);
    const rest = async (from: number, first: PromiseLike<unknown>): Promise<boolean> => {
      record(names[from]!, Boolean(await first));
      for (let i = from + 1; i < names.length; i++) record(names[i]!, Boolean(await evaluate(sets[names[i]!])));
      return all;
    };
    for (let i = 0; i < names.length; i++) {
      const r = evaluate(sets[names[i]!]);
      if (isThenable(r)) return rest(i, r);
      record(names[i]!, Boolean(r));
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
    if (isThenable(r)) {
      return Promise.resolve(r).then(
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
    if (typeof seconds !== 'number' || !(seconds >= 0))
      throw new TypeError(`sleep: expected seconds >= 0, got ${JSON.stringify(seconds)}`);
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
