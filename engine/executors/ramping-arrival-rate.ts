/** k6's `ramping-arrival-rate`: the start rate follows stages, from startRate. */
import { OptionReader, type BaseConfig, type Stage } from './base-config.ts';
import type { Executor } from './context.ts';
import { RatePlan, runArrivals } from './arrival.ts';

export interface RampingArrivalRateConfig extends BaseConfig {
  readonly startRate: number;
  readonly timeUnit: number;
  readonly stages: readonly Stage[];
  readonly preAllocatedVUs: number;
  readonly maxVUs: number;
}

export const rampingArrivalRate: Executor<RampingArrivalRateConfig> = {
  parse(name, raw, problems) {
    const r = new OptionReader(name, raw);
    const preAllocatedVUs = r.int('preAllocatedVUs', null, 0);
    const config = {
      ...r.base(),
      startRate: r.int('startRate', 0, 0),
      timeUnit: r.duration('timeUnit', 1000, 1),
      stages: r.stages('stages'),
      preAllocatedVUs,
      maxVUs: r.has('maxVUs') ? r.int('maxVUs', preAllocatedVUs, 0) : preAllocatedVUs,
    };
    if (config.maxVUs < preAllocatedVUs)
      r.problem('maxVUs', `maxVUs (${config.maxVUs}) can't be less than preAllocatedVUs (${preAllocatedVUs})`);
    if (config.stages.length > 0 && config.startRate === 0 && config.stages.every((s) => s.target === 0)) {
      r.problem('stages', "either startRate or one of the stages' target values must be greater than 0");
    }
    r.unknownKeys(['startRate', 'timeUnit', 'stages', 'preAllocatedVUs', 'maxVUs']);
    problems.push(...r.problems);
    return config;
  },
  maxVus: (c) => c.maxVUs,
  plannedVus: (c) => c.preAllocatedVUs,
  maxDuration: (c) => c.stages.reduce((sum, s) => sum + s.duration, 0) + c.gracefulStop,
  run: (ctx, c) => runArrivals(ctx, new RatePlan(c.startRate, c.stages, c.timeUnit), c),
};
