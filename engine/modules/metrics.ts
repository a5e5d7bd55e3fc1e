/** k6/metrics: Counter, Gauge, Rate, Trend. Defined in the init context only, as in k6. */
import type { MetricType, Tags } from '../metrics/api.ts';
import type { ModuleFactory } from './api.ts';
import { stateOf } from '../runtime/vu-state.ts';

export const createModule: ModuleFactory = (vu) => {
  const st = stateOf(vu);
  const sink = vu.metrics;

  const make = (type: MetricType, label: string) =>
    class {
      readonly name: string;
      constructor(name: string, isTime = false) {
        if (typeof name !== 'string' || name === '')
          throw new TypeError(`new ${label}(name): the name must be a non-empty string`);
        st.initOnly(`new ${label}()`);
        sink.define(name, type, type === 'trend' && isTime ? 'time' : 'default');
        this.name = name;
      }

      add(value: number | boolean, tags?: Record<string, string>): boolean {
        if (st.phaseNow === 'init') throw new Error(`${label}.add() cannot be called in the init context`);
        const v = typeof value === 'boolean' ? (value ? 1 : 0) : Number(value);
        if (Number.isNaN(v))
          throw new TypeError(`${label} ${this.name}: add() needs a number, got ${JSON.stringify(value)}`);
        const base: Tags = st.currentTags();
        sink.add(this.name, type === 'rate' ? (v !== 0 ? 1 : 0) : v, tags ? { ...base, ...tags } : base);
        return true;
      }
    };

  const api = {
    Counter: make('counter', 'Counter'),
    Gauge: make('gauge', 'Gauge'),
    Rate: make('rate', 'Rate'),
    Trend: make('trend', 'Trend'),
  };
  return { ...api, default: api };
};
