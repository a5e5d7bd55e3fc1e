/** k6's `constant-vus`: a fixed number of VUs loop iterations for a duration. */
import { OptionReader, type BaseConfig } from './base-config.ts';
import type { Executor } from './context.ts';
import { planVus, runPlan } from './vu-schedule.ts';

export interface ConstantVusConfig extends BaseConfig {
  readonly vus: number;
  readonly duration: number;
}

export const constantVus: Executor<ConstantVusConfig> = {
  parse(name, raw, problems) {
    const r = new OptionReader(name, raw);
    const config = { ...r.base(), vus: r.int('vus', 1, 1), duration: r.duration('duration', null, 1000) };
    r.unknownKeys(['vus', 'duration']);
    problems.push(...r.problems);
    return config;
  },
  maxVus: (c) => c.vus,
  plannedVus: (c) => c.vus,
  maxDuration: (c) => c.duration + c.gracefulStop,
  run: (ctx, c) => runPlan(ctx, planVus(c.vus, [{ duration: c.duration, target: c.vus }]), c.gracefulStop, 0),
};
