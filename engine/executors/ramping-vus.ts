/** k6's `ramping-vus`: the VU count follows stages, from startVUs. */
import { OptionReader, type BaseConfig, type Stage } from './base-config.ts';
import type { Executor } from './context.ts';
import { planVus, runPlan } from './vu-schedule.ts';

export interface RampingVusConfig extends BaseConfig {
  readonly startVUs: number;
  readonly stages: readonly Stage[];
  readonly gracefulRampDown: number;
}

export const rampingVus: Executor<RampingVusConfig> = {
  parse(name, raw, problems) {
    const r = new OptionReader(name, raw);
    const config = {
      ...r.base(),
      startVUs: r.int('startVUs', 1, 0),
      stages: r.stages('stages'),
      gracefulRampDown: r.duration('gracefulRampDown', 30_000),
    };
    if (config.stages.length > 0 && config.startVUs === 0 && config.stages.every((s) => s.target === 0)) {
      r.problem('stages', "either startVUs or one of the stages' target values must be greater than 0");
    }
    r.unknownKeys(['startVUs', 'stages', 'gracefulRampDown']);
    problems.push(...r.problems);
    return config;
  },
  maxVus: (c) => Math.max(c.startVUs, ...c.stages.map((s) => s.target)),
  plannedVus: (c) => Math.max(c.startVUs, ...c.stages.map((s) => s.target)),
  maxDuration: (c) => c.stages.reduce((sum, s) => sum + s.duration, 0) + c.gracefulStop,
  run: (ctx, c) => runPlan(ctx, planVus(c.startVUs, c.stages), c.gracefulStop, c.gracefulRampDown),
};
