/** k6's `constant-arrival-rate`: iterations start at a fixed rate, whatever their duration. */
import { OptionReader, type BaseConfig } from './base-config.ts';
import type { Executor } from './context.ts';
import { RatePlan, runArrivals } from './arrival.ts';

export interface ConstantArrivalRateConfig extends BaseConfig {
  readonly rate: number;
  readonly timeUnit: number;
  readonly duration: number;
  readonly preAllocatedVUs: number;
  readonly maxVUs: number;
}

export const constantArrivalRate: Executor<ConstantArrivalRateConfig> = {
  parse(name, raw, problems) {
    const r = new OptionReader(name, raw);
    const preAllocatedVUs = r.int('preAllocatedVUs', null, 0);
    const config = {
      ...r.base(),
      rate: r.int('rate', null, 1),
      timeUnit: r.duration('timeUnit', 1000, 1),
      duration: r.duration('duration', null, 1000),
      preAllocatedVUs,
      maxVUs: r.has('maxVUs') ? r.int('maxVUs', preAllocatedVUs, 0) : preAllocatedVUs,
    };
    if (config.timeUnit <= 0) r.problem('timeUnit', 'should be more than 0');
    if (config.maxVUs < preAllocatedVUs)
      r.problem('maxVUs', `maxVUs (${config.maxVUs}) can't be less than preAllocatedVUs (${preAllocatedVUs})`);
    r.unknownKeys(['rate', 'timeUnit', 'duration', 'preAllocatedVUs', 'maxVUs']);
    problems.push(...r.problems);
    return config;
  },
  maxVus: (c) => c.maxVUs,
  plannedVus: (c) => c.preAllocatedVUs,
  maxDuration: (c) => c.duration + c.gracefulStop,
  run: (ctx, c) => runArrivals(ctx, new RatePlan(c.rate, [{ duration: c.duration, target: c.rate }], c.timeUnit), c),
};
